"""``gwangju-twin kiosk``: the supervised booth, its visit report and the operator PIN.

    gwangju-twin kiosk [SCENE] [--config kiosk.toml]     run the booth under the watchdog
    gwangju-twin kiosk report [--csv] [--config F]       visits per day
    gwangju-twin kiosk pin                               hash a new operator PIN

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

from gwangju_twin.errors import InputError

if TYPE_CHECKING:
    from gwangju_twin.kiosk.config import KioskConfig
    from gwangju_twin.scene import Scene

#: The sub-commands after ``kiosk`` (anything else there is a scene).
SUBCOMMANDS = ("report", "pin")


def add_parser(sub: Any) -> None:
    """Add ``kiosk`` to the command line's sub-commands (``report`` and ``pin`` are parsed by
    ``run_subcommand``: argparse cannot mix an optional SCENE with sub-commands)."""
    kiosk = sub.add_parser(
        "kiosk", help="run the locked, supervised kiosk for expo booths "
        "(also: kiosk report, kiosk pin)",
        description="Run the viewer as an expo booth: fullscreen and locked, with an attract "
        "loop, a reset after each visitor, a watchdog and visit analytics. "
        "'gwangju-twin kiosk report [--csv]' summarises the visits per day; "
        "'gwangju-twin kiosk pin' hashes a new operator PIN for the config.")
    kiosk.add_argument("source", nargs="?", metavar="SCENE",
                       help="scene .toml or GeoJSON (default: the config's scene, or Sangmu)")
    kiosk.add_argument("--config", type=Path, help="kiosk.toml (default: built-in settings)")
    kiosk.add_argument("--offscreen", action="store_true",
                       help="run without a display (rendering offscreen), e.g. to try a config")
    kiosk.add_argument("--no-supervisor", action="store_true",
                       help="run the viewer in this process, without the watchdog")
    # The supervisor starts the viewer itself with these; people have no use for them.
    kiosk.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    kiosk.add_argument("--safe", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """``gwangju-twin kiosk``: validate everything, then supervise (or be) the viewer."""
    from gwangju_twin.kiosk.config import load_kiosk_config

    config = load_kiosk_config(args.config)
    source = args.source or (str(config.scene) if config.scene else None)
    if args.child or args.no_supervisor:
        # Only the scene this process shows is loaded: a safe restart must not fail on a main
        # scene that broke after the supervisor checked it.
        shown = str(config.safe_scene) if args.safe and config.safe_scene else source
        return _viewer(args, config, _scene(shown))
    _scene(source)  # a bad scene fails here, once, not in a restart loop
    if not args.offscreen:
        from gwangju_twin.app import display_available

        ok, why = display_available()
        if not ok:
            raise InputError(f"no display ({why}): a kiosk needs a screen; add --offscreen to "
                             "run it without one")
    return _supervise(args, config, source)


def _scene(source: str | None) -> Scene:
    from gwangju_twin.cli import load_source

    return load_source(source)


def _viewer(args: argparse.Namespace, config: KioskConfig, scene: Scene) -> int:
    """Be the viewer, on ``scene`` (the safe scene already, when safe and there is one)."""
    from gwangju_twin.app import prepare, run_kiosk
    from gwangju_twin.kiosk.analytics import VisitLog
    from gwangju_twin.kiosk.supervisor import CHILD_LOG_FORMAT, Heartbeat
    from gwangju_twin.scene import without_plugins

    # The supervisor files every line under "child:" in its log, with the time: the level
    # and the logger are all a line needs.
    logging.basicConfig(level=logging.WARNING, format=CHILD_LOG_FORMAT, force=True)
    logging.getLogger("gwangju_twin").setLevel(logging.INFO)
    prepared = (prepare(without_plugins(scene)) if args.safe
                else prepare(scene, admit=config.allows))
    visits = VisitLog(config.database, booth=config.booth)
    heartbeat = Heartbeat.from_env()
    try:
        return run_kiosk(prepared, config, "offscreen" if args.offscreen else "onscreen",
                         visits, heartbeat, safe=args.safe)
    finally:
        visits.close()
        if heartbeat is not None:
            heartbeat.close()


def _supervise(args: argparse.Namespace, config: KioskConfig, source: str | None) -> int:
    from gwangju_twin.kiosk.analytics import VisitLog
    from gwangju_twin.kiosk.supervisor import (
        Supervisor,
        WatchdogRules,
        install_signal_handlers,
        rotating_log,
    )

    log = rotating_log(config.log_folder, config.log_max_bytes, config.log_backups)
    # recover=False: the viewer owns the visits; the supervisor only adds crash rows, and must
    # not close the visit a running viewer has open.
    visits = VisitLog(config.database, recover=False, booth=config.booth)

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
        return argv

    def crashed(record: Any) -> None:
        visits.record_crash(record.kind, record.detail, record.count, record.safe)

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


def run_subcommand(name: str, argv: list[str], parser_class: type) -> int:
    """``kiosk report`` and ``kiosk pin``."""
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
