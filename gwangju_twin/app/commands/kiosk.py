"""``gwangju-twin kiosk``: the supervised booth, its visit report, the PIN and a sample config.

    gwangju-twin kiosk [SCENE] [--config kiosk.toml]     run the booth under the watchdog
    gwangju-twin kiosk report [--csv] [--config F]       visits per day
    gwangju-twin kiosk pin                               hash a new operator PIN
    gwangju-twin kiosk sample-config > kiosk.toml        the sample config, every key explained

The kiosk command itself only supervises: it starts the viewer again as a child process
(``kiosk --child``), restarts it when it crashes or hangs, and falls back to the safe scene
after repeated crashes. Panda3D is imported by the child alone.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwangju_twin.app.commands.options import display_available, load_source
from gwangju_twin.errors import InputError
from gwangju_twin.resources import sample_kiosk_config

if TYPE_CHECKING:
    from gwangju_twin.kiosk.config import KioskConfig
    from gwangju_twin.scene import Scene

#: The sub-commands after ``kiosk`` (anything else there is a scene), with their help lines.
SUBCOMMAND_HELP = {
    "report": "summarise the visits per day (--csv for a spreadsheet)",
    "pin": "hash a new operator PIN for [operator] pin_hash",
    "sample-config": "print the sample kiosk.toml, every key explained (> kiosk.toml)",
}
SUBCOMMANDS = tuple(SUBCOMMAND_HELP)


def add_parser(sub: Any) -> None:
    """Add ``kiosk`` to the command line's sub-commands (the sub-commands are parsed by
    ``run_subcommand``: argparse cannot mix an optional SCENE with sub-commands, so the help
    lists them in a usage block and an epilog of their own)."""
    width = max(map(len, SUBCOMMANDS))
    kiosk = sub.add_parser(
        "kiosk", help="run the locked, supervised kiosk for expo booths "
        f"(also: kiosk {', kiosk '.join(SUBCOMMANDS)})",
        usage="%(prog)s [-h] [--config CONFIG] [--offscreen] [--no-supervisor] [SCENE]\n"
              + "".join(f"       %(prog)s {name} [-h] ...\n" for name in SUBCOMMANDS),
        description="Run the viewer as an expo booth: fullscreen and locked, with an attract "
        "loop,\na reset after each visitor, a watchdog and visit analytics.",
        epilog="sub-commands (each has its own --help):\n" + "".join(
            f"  {name:<{width}}  {text}\n" for name, text in SUBCOMMAND_HELP.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    kiosk.add_argument("source", nargs="?", metavar="SCENE",
                       help="scene .toml or GeoJSON (default: the config's scene, or Sangmu)")
    kiosk.add_argument("--config", type=Path, help="kiosk.toml (default: built-in settings)")
    kiosk.add_argument("--offscreen", action="store_true",
                       help="run without a display (rendering offscreen), e.g. to try a config; "
                       "a snapshot of the screen is kept in the log folder (screen.png)")
    kiosk.add_argument("--no-supervisor", action="store_true",
                       help="run the viewer in this process, without the watchdog")
    # The supervisor starts the viewer itself with these; people have no use for them.
    kiosk.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    kiosk.add_argument("--safe", action="store_true", help=argparse.SUPPRESS)
    # "ID:HOOK": a plugin an earlier child died in, kept off by the supervisor.
    kiosk.add_argument("--disable-plugin", action="append", default=[], help=argparse.SUPPRESS)
    # The supervisor found the analytics database unusable: the child must not touch it.
    kiosk.add_argument("--no-analytics", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """``gwangju-twin kiosk``: validate everything, then supervise (or be) the viewer."""
    from gwangju_twin.kiosk.config import load_kiosk_config

    if args.child:
        from gwangju_twin.kiosk.supervisor import die_with_supervisor

        # Before anything else (a plugin above all) runs: from here on this process and all
        # it starts die with the supervisor, even if it is killed with SIGKILL.
        die_with_supervisor()
    config = load_kiosk_config(args.config)
    source = args.source or (str(config.scene) if config.scene else None)
    if args.child or args.no_supervisor:
        # Only the scene this process shows is loaded: a safe restart must not fail on a main
        # scene that broke after the supervisor checked it.
        shown = str(config.safe_scene) if args.safe and config.safe_scene else source
        return _viewer(args, config, _scene(shown))
    _scene(source)  # a bad scene fails here, once, not in a restart loop
    if not args.offscreen:
        ok, why = display_available()
        if not ok:
            raise InputError(f"no display ({why}): a kiosk needs a screen; add --offscreen to "
                             "run it without one")
    return _supervise(args, config, source)


def _scene(source: str | None) -> Scene:
    return load_source(source)


def _viewer(args: argparse.Namespace, config: KioskConfig, scene: Scene) -> int:
    """Be the viewer, on ``scene`` (the safe scene already, when safe and there is one)."""
    from gwangju_twin.app.programs import run_kiosk
    from gwangju_twin.expo.prepared import Loading
    from gwangju_twin.kiosk.supervisor import CHILD_LOG_FORMAT, Heartbeat
    from gwangju_twin.kiosk.visits_guard import GuardedVisits
    from gwangju_twin.scene import without_plugins

    # The supervisor files every line under "child:" in its log, with the time: the level
    # and the logger are all a line needs.
    logging.basicConfig(level=logging.WARNING, format=CHILD_LOG_FORMAT, force=True)
    logging.getLogger("gwangju_twin").setLevel(logging.INFO)
    admit = _admission(args, config, scene)
    # Loaded behind the booth's loading screen, its window open from the first frame.
    prepared = (Loading(without_plugins(scene)) if args.safe
                else Loading(scene, admit=admit, assign=config.assign))
    log = logging.getLogger("gwangju_twin.kiosk")
    # A broken database turns analytics off (logged once); it never takes the booth down.
    visits = (GuardedVisits(None, config.database, log, "the supervisor found the database "
                            "unusable (see its log)")
              if args.no_analytics else GuardedVisits.open(config.database, log,
                                                         booth=config.booth))
    heartbeat = Heartbeat.from_env()
    try:
        return run_kiosk(prepared, config, "offscreen" if args.offscreen else "onscreen",
                         visits, heartbeat, safe=args.safe,
                         snapshot=_snapshot_path(config) if args.offscreen else None)
    finally:
        visits.close()
        if heartbeat is not None:
            heartbeat.close()


def _admission(args: argparse.Namespace, config: KioskConfig, scene: Scene) -> Any:
    """Which plugins this viewer may run: the allow-list, the content-hash pins, and not the
    plugins an earlier viewer died in (named by the supervisor, or by the record it left)."""
    from gwangju_twin.plugins import guard

    guard.resume_after_crash(config.database.parent)
    for text in args.disable_plugin:
        plugin, _, hook = text.partition(":")
        guard.quarantine(plugin, guard.crash_reason(guard.RunningHook(plugin, hook, 0)))
    if not config.pins:
        return config.allows
    from gwangju_twin.plugins.discovery import discover
    from gwangju_twin.plugins.pinning import pinned_admit

    return pinned_admit(config.allows, config.pins, discover(scene.plugin_folders))


def _snapshot_path(config: KioskConfig) -> Path:
    """Where an offscreen booth keeps its periodic screenshot: next to its log."""
    from gwangju_twin.booth.snapshot import SNAPSHOT_NAME

    return config.log_folder / SNAPSHOT_NAME


def _open_log(args: argparse.Namespace, config: KioskConfig) -> logging.Logger:
    """The supervisor's rotated log, or InputError in one line when it cannot be written."""
    from gwangju_twin.kiosk.supervisor import console_log, rotating_log

    where = f"{args.config}: [logs] folder" if args.config else "the default log folder"
    try:
        log = rotating_log(config.log_folder, config.log_max_bytes, config.log_backups)
    except OSError as exc:
        name = exc.filename or config.log_folder
        raise InputError(
            f"{name}: cannot write the kiosk log ({exc.strerror or exc}); expected a folder "
            f"this user can create and write, with free space ({where} is "
            f"{config.log_folder}): free disk space or choose another folder") from None
    # The rotated log takes every line; the terminal (or the journal) only warnings and
    # errors, rate-limited, so a chatty plugin cannot fill the disk through stderr.
    console_log(log)
    return log


def _supervise(args: argparse.Namespace, config: KioskConfig, source: str | None) -> int:
    from gwangju_twin.kiosk.supervisor import (
        Supervisor,
        WatchdogRules,
        install_signal_handlers,
    )
    from gwangju_twin.kiosk.visits_guard import GuardedVisits, probe_database

    log = _open_log(args, config)
    # Checked once before any viewer starts: a database that cannot be used would otherwise
    # kill every viewer within a second, safe mode included, and loop the booth for good.
    problem = probe_database(config.database)
    if problem is None:
        # recover=False: the viewer owns the visits; the supervisor only adds crash rows, and
        # must not close the visit a running viewer has open.
        visits = GuardedVisits.open(config.database, log, recover=False,
                                    booth=config.booth)
    else:
        log.error("analytics off: %s", problem)
        visits = GuardedVisits(None, config.database, log, problem)

    def command(safe: bool) -> list[str]:
        argv = [sys.executable, "-m", "gwangju_twin", "kiosk", "--child"]
        if source is not None:
            argv.append(source)
        if args.config is not None:
            argv += ["--config", str(args.config)]
        if args.offscreen:
            argv.append("--offscreen")
        if safe:
            argv.append("--safe")
        for plugin, hook in crashed_in.items():
            argv += ["--disable-plugin", f"{plugin}:{hook}"]
        if not visits.on:
            argv.append("--no-analytics")
        return argv

    # Plugins a child died in (its running-hook record, in the kiosk's data folder): kept off
    # in every later child, instead of crashing the booth into the safe scene.
    from gwangju_twin.plugins.guard import crash_reason, take_records

    crashed_in: dict[str, str] = {}
    # A record left before this supervisor started is from a booth that was stopped (SIGTERM
    # ends a child wherever it is), not a crash this supervisor saw: it blames no plugin.
    take_records(config.database.parent)

    def crashed(record: Any) -> None:
        visits.record_crash(record.kind, record.detail, record.count, record.safe)
        for running in take_records(config.database.parent):
            if running.plugin not in crashed_in:
                crashed_in[running.plugin] = running.hook
                log.error("plugin %s is disabled from the next start on: %s", running.plugin,
                          crash_reason(running))

    rules = WatchdogRules(heartbeat_timeout=config.heartbeat_timeout,
                          restart_delay=config.restart_delay, max_crashes=config.max_crashes,
                          crash_window=config.crash_window)
    # Forced, not defaulted as Supervisor does: an empty PYTHONUNBUFFERED inherited from the
    # operator's shell would leave the child buffered and its last lines lost when it dies.
    supervisor = Supervisor(command, rules, log, on_crash=crashed,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    install_signal_handlers(supervisor)
    print(f"gwangju-twin kiosk: supervising the viewer (log: {config.log_folder / 'kiosk.log'}, "
          f"visits: {config.database})", flush=True)
    try:
        return supervisor.run()
    finally:
        visits.close()
        # Closing the console sink says how many lines the rate limit held back at the end,
        # also in the file: so the console goes first, while the file is still attached.
        for handler in reversed(log.handlers):
            log.removeHandler(handler)
            handler.close()


def run_subcommand(name: str, argv: list[str], parser_class: type) -> int:
    """``kiosk report``, ``kiosk pin`` and ``kiosk sample-config``."""
    if name == "sample-config":
        parser = parser_class(prog="gwangju-twin kiosk sample-config",
                              description="Print the sample kiosk.toml (every key with its "
                              "unit, default and range) to stdout: "
                              "gwangju-twin kiosk sample-config > kiosk.toml")
        parser.parse_args(argv)
        path = sample_kiosk_config()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: the sample config is missing from this installation "
                             f"({exc.strerror}); expected it to ship with gwangju-twin: "
                             "reinstall it") from None
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    if name == "report":
        parser = parser_class(prog="gwangju-twin kiosk report",
                              description="Summarise the kiosk's visits per day.")
        parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")
        parser.add_argument("--config", type=Path, help="kiosk.toml naming the database")
        parser.add_argument("--database", type=Path, help="the visits database itself")
        args = parser.parse_args(argv)
        return _report(args)
    parser = parser_class(prog="gwangju-twin kiosk pin",
                          description="Hash a new operator PIN (4 to 12 digits) for kiosk.toml. "
                          "Type it twice; nothing is echoed.")
    parser.parse_args(argv)
    return _pin()


def _report(args: argparse.Namespace) -> int:
    from gwangju_twin.kiosk.analytics import day_reports, format_report, report_csv
    from gwangju_twin.kiosk.config import load_kiosk_config

    database = args.database or load_kiosk_config(args.config).database
    days = day_reports(database)
    text = report_csv(days) if args.csv else format_report(days)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _pin() -> int:
    from gwangju_twin.kiosk.pin import hash_pin

    if sys.stdin.isatty():
        first = getpass.getpass("new operator PIN: ")
        second = getpass.getpass("again: ")
    else:  # scripted: two lines on stdin
        lines = sys.stdin.read().splitlines()
        first, second = [*lines, "", ""][:2]
    if first != second:
        raise InputError("the two PINs differ; nothing was written")
    try:
        stored = hash_pin(first.strip())
    except ValueError as exc:
        raise InputError(f"PIN: {exc}") from None
    print("# paste under [operator] in kiosk.toml:")
    print(f'pin_hash = "{stored}"')
    return 0
