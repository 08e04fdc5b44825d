"""``gwangju-twin plugins``: the exhibitor SDK commands list, check, new and hash."""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from gwangju_twin.app.commands.options import PLUGIN_LOGS, SECONDS, verbose_option
from gwangju_twin.errors import InputError
from gwangju_twin.plugins.api import HOOKS
from gwangju_twin.plugins.discovery import (
    ENTRY_POINT_GROUP,
    FoundPlugin,
    PluginImportError,
    PluginStatus,
    discover,
    import_plugin,
)
from gwangju_twin.plugins.host import SlotState, UpdateAccount
from gwangju_twin.scene.sectors import SECTOR_IDS


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    """Add ``plugins list|check|new|hash|assign|unassign`` to the command line."""
    plugins = sub.add_parser("plugins", help="list, check and create pavilion plugins")
    cmds = plugins.add_subparsers(dest="plugins_command", parser_class=parser_class,
                                  required=True,
                                  metavar="{list,check,new,hash,assign,unassign}")
    ls = cmds.add_parser("list", help="plugins found (installed and in the scene's folder)")
    ls.add_argument("--scene", help="scene .toml whose plugins folder to search (default: "
                    "Sangmu)")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    check = cmds.add_parser("check", help="validate a plugin without starting the viewer")
    check.add_argument("path", help="plugin folder (with pavilion.toml), plugin project, or "
                       "the id of an installed plugin")
    check.add_argument("--seconds", type=SECONDS, default=2.0,
                       help="simulated seconds of the dry run (default 2)")
    check.add_argument("--timeout", type=SECONDS, default=CHECK_TIMEOUT,
                       help="seconds the whole check may take before the plugin is called hung "
                       f"(default {CHECK_TIMEOUT:g}; the check runs in a child process)")
    verbose_option(check)
    # The child process's side of the check: it runs the plugin; the parent watches it.
    check.add_argument("--child-process", action="store_true", help=argparse.SUPPRESS)
    new = cmds.add_parser("new", help="create a plugin package to start from")
    new.add_argument("name", help="plugin name: distribution name and id, e.g. robot-arm or "
                     "acme.robot-arm")
    new.add_argument("--sector", required=True, choices=SECTOR_IDS, metavar="ID",
                     help="sector of the pavilion: " + ", ".join(SECTOR_IDS))
    new.add_argument("--dir", type=Path, default=Path("."),
                     help="parent folder, created if missing (default .)")
    digest = cmds.add_parser("hash", help="print a plugin's content hash, to pin it in a "
                             "kiosk's [plugins] allow")
    digest.add_argument("path", help="plugin folder, plugin project, or the id of an installed "
                        "plugin")
    assign = cmds.add_parser("assign", help="run an installed plugin in a pavilion from now on "
                             "(kept in your settings; no scene file needed)")
    assign.add_argument("id", help="the id of an installed plugin (see plugins list)")
    assign.add_argument("--pavilion", metavar="ID",
                        help="the pavilion id (default: the pavilion of the plugin's sector)")
    unassign = cmds.add_parser("unassign", help="stop running a plugin assigned with "
                               "plugins assign")
    unassign.add_argument("id", help="the plugin id")


def run(args: argparse.Namespace) -> int:
    """Run a ``plugins`` sub-command; returns the exit status."""
    match args.plugins_command:
        case "list":
            return _list(args)
        case "check":
            return _check(args)
        case "hash":
            return _hash(args)
        case "assign":
            return _assign(args)
        case "unassign":
            return _unassign(args)
        case _:
            return _new(args)


def _scene(name: str | None):
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    if name is not None and not name.lower().endswith(".toml"):
        raise InputError(f"--scene {name}: expected a scene .toml file")
    return load_scene(name or default_scene_path())


def _list(args: argparse.Namespace) -> int:
    """``plugins list``: every plugin found, and the pavilion each runs in as the viewer
    would run this scene with the user's assignments."""
    from gwangju_twin.expo.pavilions import plugin_placements

    scene = _scene(args.scene)
    found = discover(scene.plugin_folders)
    assigned = _assigned()
    placements = plugin_placements(scene.pavilions, assigned, found)
    runs: dict[str, str] = {}
    idle: dict[str, str] = {}  # why a plugin the scene or an assignment names does not run
    for place in placements:
        if not place.refused:
            runs.setdefault(place.plugin, place.pavilion)
        else:
            idle.setdefault(place.plugin, f"not run in pavilion {place.pavilion}: "
                            f"{place.refused}")
    for place in placements:
        scene_choice = next(p.plugin for p in scene.pavilions if p.id == place.pavilion)
        if place.assigned and scene_choice and scene_choice != place.plugin:
            idle.setdefault(scene_choice, f"not run in pavilion {place.pavilion}: assigned "
                            f"{place.plugin} replaces it (gwangju-twin plugins assign)")
    usable = {f.id for f in found if f.ok}
    rows = []
    for f in found:
        m = f.manifest
        rows.append({
            "id": f.id, "sector": m.sector if m else None, "version": m.version if m else None,
            "api_version": m.api_version if m else None, "status": f.status,
            "reason": f.reason, "origin": f.origin, "source": f.source,
            "pavilion": runs.get(f.id) if f.ok else None,
            "not_run": (idle.get(f.id, "") if f.ok and f.id not in runs else ""),
            "distribution_version": f.distribution_version,
            "warning": f.version_mismatch,
        })
    used = {p.plugin: p.pavilion for p in placements}
    missing = sorted(set(used) - usable)
    if args.json:
        print(json.dumps({"scene": str(scene.path), "plugins": rows,
                          "missing": [{"plugin": gone, "pavilion": used[gone]}
                                      for gone in missing],
                          "assigned": assigned},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"plugins for {scene.path} (entry-point group {ENTRY_POINT_GROUP}"
          + "".join(f", folder {p}" for p in scene.plugin_folders) + ")")
    if not rows:
        print("  none found")
    for r in rows:
        where = f"{r['origin']} {r['source']}"
        pav = f" -> pavilion {r['pavilion']}" if r["pavilion"] else ""
        head = f"  {r['id']:<24} {r['sector'] or '?':<15} {r['version'] or '?':<8} "
        print(f"{head}{r['status']:<11} {where}{pav}")
        if r["reason"]:
            print(f"      {r['reason']}")
        if r["not_run"]:
            print(f"      {r['not_run']}")
        if r["warning"]:
            print(f"      warning: {r['warning']}")
    for gone in missing:
        print(f"  {gone:<24} missing: pavilion {used[gone]} names it, but no usable plugin "
              "has that id")
    if assigned:
        print("assigned with gwangju-twin plugins assign (over the scene's choice):")
    for plugin_id, pavilion in assigned.items():
        print(f"  {plugin_id:<24} -> " + (f"pavilion {pavilion}" if pavilion
                                           else "the pavilion of its sector"))
    return 0


def _assigned() -> dict[str, str]:
    from gwangju_twin.settings import load_settings

    return dict(load_settings().settings.assign)


def _locate(path_text: str) -> FoundPlugin:
    from gwangju_twin.expo.pavilions import plugin_in_folder

    path = Path(path_text)
    if path.exists():
        return plugin_in_folder(path_text)
    for f in discover():
        if path_text in (f.id, f.name, f.package):
            return f
    raise InputError(f"{path_text}: no such folder, and no installed plugin has that id "
                     "(see gwangju-twin plugins list)")


#: Seconds a whole ``plugins check`` may take (the district load included) before the plugin
#: is called hung.
CHECK_TIMEOUT = 180.0
# Where the check's child process writes its verdict count: its absence after the child ended
# means the plugin ended the process before the check finished.
_RESULT_ENV = "GWANGJU_TWIN_CHECK_RESULT"
_RECORD_ENV = "GWANGJU_TWIN_CHECK_RECORD"
_SIGNALS = {
    "SIGSEGV": "a segmentation fault: native code touched memory it must not",
    "SIGABRT": "an abort: os.abort() or a failed check in native code",
    "SIGBUS": "a bus error in native code",
    "SIGFPE": "an arithmetic fault in native code",
    "SIGILL": "an illegal instruction in native code",
    "SIGKILL": "killed from outside (out of memory?)",
}


def _check(args: argparse.Namespace) -> int:
    """Check a plugin in a child process, so that a hang or a crash in its code is a FAIL
    line of this report, not the end of it."""
    found = _locate(args.path)
    if args.child_process:
        return _check_here(found, args.seconds)
    print(f"checking plugin {found.id} ({found.origin} {found.source})", flush=True)
    with tempfile.TemporaryDirectory(prefix="gwangju-twin-check-") as tmp:
        result, records = Path(tmp) / "result.json", Path(tmp) / "records"
        env = {**os.environ, _RESULT_ENV: str(result), _RECORD_ENV: str(records),
               "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
        argv = [sys.executable, "-m", "gwangju_twin", "plugins", "check", args.path,
                "--seconds", repr(args.seconds), "--child-process"]
        if args.verbose:
            argv.append("--verbose")
        outcome, stderr = _watch_child(argv, env, args.timeout, echo=args.verbose)
        failed = _child_verdict(outcome, result, records, stderr, args.timeout)
        warned = _warned(result)
    if failed:
        print(f"gwangju-twin: error: plugin {found.id} failed {failed} check(s)",
              file=sys.stderr)
        return 2
    # A warning (an update over its frame budget) does not fail the check: the viewer copes.
    print(f"plugin {found.id} passed every check"
          + (f", with {warned} warning(s) (WARN above)" if warned else ""))
    return 0


def _warned(result: Path) -> int:
    """How many WARN lines the child's report printed (0 if it left no count)."""
    try:
        return int(json.loads(result.read_text(encoding="utf-8")).get("warned", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


#: How each log record of the child starts on its stderr (the format ``main`` sets), and how
#: those of the plugin's own ``ctx.log`` (``gwangju_twin.plugin.<id>``) start.
_RECORD_START = "gwangju-twin: "
_PLUGIN_RECORD = f"{_RECORD_START}{PLUGIN_LOGS}."


def _watch_child(argv: list[str], env: dict[str, str], timeout: float, echo: bool = False
                 ) -> tuple[int | None, list[str]]:
    """Run the check's child, passing its report through, and of its stderr the plugin's
    own log records (warnings and errors; INFO too with -v, which the child was given), or
    all of it when ``echo`` (-v); its exit status (None: it hung and was killed) and the
    last lines of its stderr."""
    # A session of its own: a hung child, and anything the plugin started, die together.
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=os.name == "posix")
    tail: collections.deque[str] = collections.deque(maxlen=200)

    def relay() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            sys.stdout.write(raw.decode("utf-8", "replace"))
            sys.stdout.flush()

    def collect() -> None:
        assert proc.stderr is not None
        plugins_record = False  # whether the record the line belongs to is the plugin's
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace")
            tail.append(line.rstrip())
            # A record's later lines (a traceback) start otherwise: they follow its first.
            if line.startswith(_RECORD_START):
                plugins_record = line.startswith(_PLUGIN_RECORD)
            elif line.startswith("Fatal Python error"):
                plugins_record = False  # a crash report: the FAIL line's details show it
            if echo or plugins_record:
                sys.stderr.write(line)
                sys.stderr.flush()

    readers = [threading.Thread(target=relay, daemon=True),
               threading.Thread(target=collect, daemon=True)]
    for reader in readers:
        reader.start()
    status: int | None
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        status = None
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if hasattr(os, "killpg"):
                os.killpg(proc.pid, signal.SIGKILL)  # the child and what the plugin started
            else:  # Windows: no process groups here
                proc.kill()
        proc.wait()
    for reader in readers:
        reader.join(timeout=5.0)
    return status, list(tail)


def _child_verdict(status: int | None, result: Path, records: Path, stderr: list[str],
                   timeout: float) -> int:
    """The number of failed checks the child's run amounts to, printing a FAIL line for a
    hang, a crash or an early exit."""
    from gwangju_twin.plugins.guard import take_records

    running = next(iter(take_records(records)), None)
    where = (f" in its {running.hook} hook" if running is not None
             else " outside the plugin's hooks (the district load, or a thread it started)")
    try:
        counted = json.loads(result.read_text(encoding="utf-8"))["failed"]
    except (OSError, ValueError, KeyError, TypeError):
        counted = None
    if status is None:
        what = f"no answer within {timeout:g} s: the plugin hangs{where}"
        hint = ("a blocking call the host cannot interrupt (sleep, I/O, native code); raise "
                "--timeout if the check is only slow")
    elif status < 0:
        name = _signal_name(-status)
        what = f"the plugin crashed the process{where}: {name} ({_SIGNALS.get(name, 'a signal')})"
        hint = _crash_report(stderr)
    elif counted is None:
        what = f"the process ended with status {status} before the check finished{where}"
        hint = ("the plugin ended the process (os._exit, or sys.exit from a thread)\n"
                + _crash_report(stderr)).rstrip()
    else:
        return int(counted)
    print(f"  FAIL {what}")
    if hint:
        print("       " + hint.replace("\n", "\n       "))
    return 1 + (counted or 0)


def _crash_report(stderr: list[str], most: int = 16) -> str:
    """The useful part of a dead child's stderr: Python's fatal-error line and the stack of
    the thread that crashed, if it wrote them, else its last lines."""
    lines = [line for line in stderr if line.strip()]
    fatal = next((i for i, line in enumerate(lines) if line.startswith("Fatal Python error")),
                 None)
    if fatal is None:
        return "\n".join(lines[-12:])
    current = next((i for i, line in enumerate(lines) if line.startswith("Current thread")),
                   fatal + 1)
    return "\n".join([lines[fatal], *lines[max(current, fatal + 1):][:most]])


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _check_here(found: FoundPlugin, seconds: float) -> int:
    """The child's side: run every check, print the verdicts, leave the count for the
    parent, and end without waiting for threads the plugin left behind."""
    from gwangju_twin.plugins import guard

    record = os.environ.get(_RECORD_ENV)
    guard.install_record(Path(record) if record else None)
    failed = warned = 0
    for verdict, what, details in _verdicts(found, seconds):
        print(f"  {verdict:<4} {what}")
        if details:
            print("       " + details.replace("\n", "\n       "))
        failed += verdict == "FAIL"
        warned += verdict == "WARN"
    if not failed:
        left = [t.name for t in threading.enumerate()
                if t is not threading.main_thread() and not t.daemon and t.is_alive()]
        if left:
            failed += 1
            print(f"  FAIL threads: the plugin leaves non-daemon thread(s) {', '.join(left)} "
                  "running, which would keep the viewer from closing; make them daemon "
                  "threads and stop them in unload")
    sys.stdout.flush()
    result = os.environ.get(_RESULT_ENV)
    if result:
        Path(result).write_text(json.dumps({"failed": failed, "warned": warned}),
                                encoding="utf-8")
    # os._exit: a plugin's non-daemon thread would otherwise hold the process open forever.
    os._exit(0)


#: A check's outcome: passed, passed with a warning (the exit status stays 0), failed.
Verdict = Literal["ok", "WARN", "FAIL"]


def _verdicts(found: FoundPlugin, seconds: float) -> Iterator[tuple[Verdict, str, str]]:
    """Each check in turn as (verdict, what, details); a failure ends the checks, since
    every check needs the ones before it."""
    from gwangju_twin.app.programs import exercise_plugin
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    m = found.manifest
    if m is None:
        yield "FAIL", f"manifest: {found.reason}", ""
        return
    yield "ok", f"manifest {m.path}: id {m.id}, sector {m.sector}, version {m.version}", ""
    if found.status == PluginStatus.UNSUPPORTED:
        yield "FAIL", f"api_version {m.api_version}: {found.reason}", ""
        return
    yield "ok", f"api_version {m.api_version}", ""
    from gwangju_twin.plugins.models import check_assets

    # Before any plugin code runs: a model the loader would abort on is named here.
    count, faults = check_assets(m.assets_dir)
    if faults:
        yield "FAIL", f"models in {m.assets_dir}: {len(faults)} of {count} would not load", \
            "\n".join(faults)
        return
    if count:
        yield "ok", f"models: {count} in {m.assets}/ checked", ""
    if not found.ok:
        yield "FAIL", f"entry {m.entry}: {found.reason}", ""
        return
    yield "ok", f"entry {m.entry}", ""
    from gwangju_twin.plugins.guard import (
        Hook,
        HookTimeout,
        HookWatchdog,
        installed_record,
        limit_of,
    )

    record, watchdog = installed_record(), HookWatchdog()
    try:
        if record is not None:
            record.enter(found.id, Hook.IMPORT)
        try:
            watchdog.arm(limit_of(Hook.IMPORT))
            instance = import_plugin(found)
        finally:
            watchdog.disarm()
            if record is not None:
                record.leave()
    except PluginImportError as exc:
        # What the plugin raised is chained as the cause (none for a missing attribute).
        yield "FAIL", f"import: {exc}", _plugin_traceback(exc.__cause__, m.folder)
        return
    except HookTimeout:
        yield "FAIL", (f"import: importing {m.module!r} did not finish within "
                      f"{limit_of(Hook.IMPORT):g} s (a loop at import time?)"), ""
        return
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # GeneratorExit and the like, raised by the plugin
        yield "FAIL", f"import: {type(exc).__name__}: {exc}", _plugin_traceback(exc, m.folder)
        return
    hooks = [h for h in HOOKS if callable(getattr(instance, h, None))]
    yield "ok", f"import {m.module}, {type(instance).__name__}() with hooks {', '.join(hooks)}", ""
    # The host logs a failure with its traceback, and overruns: the report says both.
    with _host_records() as records:
        result = exercise_plugin(found, load_scene(default_scene_path()), seconds)
    where = f"dry run in pavilion {result.pavilion}"
    if result.state == SlotState.DISABLED:
        yield "FAIL", f"{where}: {result.errors[0]}", "\n".join(result.errors[1:])
        return
    # The host's account of update rides on its DEBUG record as the ``update`` attribute.
    account = next((a for a in (getattr(r, "update", None) for r in records)
                    if isinstance(a, UpdateAccount)), None)
    calls = account.calls if account is not None else 0
    yield "ok", (f"{where}: load, enter, {calls} update calls in {result.frames} frames, "
                 f"exit, unload; {result.nodes} nodes, {len(result.panel_en) - 1} panel lines"), ""
    # Failures are the FAIL line above; what the host only warned of is a WARN line each.
    warned = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    if account is not None and account.overruns:
        slowed = (f"; the viewer ended up calling it every {account.throttle} frames"
                  if account.throttle > 1 else "")
        yield "WARN", (f"update overran its {account.budget:g} ms frame budget in "
                       f"{account.overruns} of {account.calls} calls{slowed}"), "\n".join(warned)
    else:
        for message in warned:
            yield "WARN", message, ""


class _Keep(logging.Handler):
    """A logging handler that keeps the records it is given, in a list."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        """Keep records in ``records``."""
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        """Keep ``record``."""
        self.records.append(record)


@contextlib.contextmanager
def _host_records() -> Iterator[list[logging.LogRecord]]:
    """The plugin host's log records (DEBUG and up) while the block runs, kept off stderr:
    the check reports what they say in its own lines."""
    host_log = logging.getLogger("gwangju_twin.plugins")
    records: list[logging.LogRecord] = []
    handler = _Keep(records)
    level, propagate = host_log.level, host_log.propagate
    host_log.addHandler(handler)
    host_log.setLevel(logging.DEBUG)  # the run's account (UpdateAccount) is a DEBUG record
    host_log.propagate = False
    try:
        yield records
    finally:
        host_log.removeHandler(handler)
        host_log.setLevel(level)
        host_log.propagate = propagate


def _plugin_traceback(exc: BaseException | None, folder: Path) -> str:
    """The traceback of ``exc`` through the plugin's own files (those under ``folder``;
    the import machinery's frames are noise to an exhibitor), "" for no exception."""
    if exc is None:
        return ""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
              if Path(frame.filename).is_relative_to(folder)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
             *traceback.format_exception_only(type(exc), exc)]
    return "".join(lines).rstrip()


def _hash(args: argparse.Namespace) -> int:
    """Print the allow-list entry pinning a plugin to its installed files."""
    from gwangju_twin.plugins.pinning import pin_text

    found = _locate(args.path)
    if found.manifest is None:
        raise InputError(f"{found.source}: {found.reason}")
    try:
        pin = pin_text(found.id, found.manifest.folder)
    except OSError as exc:
        raise InputError(f"{found.manifest.folder}: cannot read the plugin's files to hash "
                         f"them ({exc.strerror or exc}); check their permissions") from None
    print(pin)
    return 0


def _new(args: argparse.Namespace) -> int:
    from gwangju_twin.plugins.scaffold import scaffold

    root = scaffold(args.name, args.sector, args.dir)
    print(f"created {root} (a {args.sector} pavilion plugin)")
    print("next:")
    # The test extra brings pytest, which the scaffold's own tests need.
    print(f"  cd {root} && pip install -e \".[test]\"    # its entry point, and pytest")
    print("  gwangju-twin plugins check .     # manifest, import, hooks, dry run")
    print(f"  gwangju-twin render --enter {args.sector} --plugin {args.name} --out demo.png")
    print("  pytest                           # the plugin's own tests")
    return 0


def _save_assign(assign: dict[str, str]) -> Path:
    from gwangju_twin.settings import load_settings, save_settings

    loaded = load_settings()
    for problem in loaded.problems:
        print(f"gwangju-twin: {problem}", file=sys.stderr)
    try:
        return save_settings(loaded.settings.with_(assign=assign), loaded.path)
    except OSError as exc:
        raise InputError(f"{loaded.path}: cannot write the settings ({exc.strerror or exc}); "
                         "check the folder can be written") from None


def _assign(args: argparse.Namespace) -> int:
    """``plugins assign ID [--pavilion P]``: record that the viewer runs installed plugin ID
    in pavilion P (default: its sector's) in the per-user settings."""
    from gwangju_twin.expo.pavilions import assigned_pavilion
    from gwangju_twin.identifiers import PAVILION_ID

    scene = _scene(None)
    usable = {f.id: f for f in discover(scene.plugin_folders) if f.ok}
    found = usable.get(args.id)
    if found is None or found.manifest is None:
        raise InputError(f"{args.id}: no usable installed plugin has that id (see gwangju-twin "
                         "plugins list; install it with pip, or try a folder with --plugin "
                         "./FOLDER)")
    sector_id = found.manifest.sector
    pavilion = args.pavilion or ""
    if pavilion and not PAVILION_ID.fullmatch(pavilion):
        raise InputError(f"--pavilion {pavilion}: expected a pavilion id, e.g. {sector_id}")
    placed = [(p.id, p.sector) for p in scene.pavilions]
    site_id = assigned_pavilion(placed, pavilion, sector_id)
    site = next((p for p in scene.pavilions if p.id == site_id), None)
    if pavilion and site is not None and site.sector != sector_id:
        raise InputError(f"--pavilion {pavilion} is the {site.sector} pavilion, but {args.id} "
                         f"is for the {sector_id} sector")
    assign = _assigned()
    # One plugin per pavilion: an earlier assignment landing where this one does gives way,
    # whether it names the pavilion or reaches it through its sector (stored as ""), as
    # the viewer would otherwise run only one of the two there.
    here = _landing(placed, pavilion, sector_id)
    replaced = []
    for other, where in list(assign.items()):
        other_found = usable.get(other)
        other_sector = other_found.manifest.sector if other_found and other_found.manifest \
            else None
        if other == args.id or (other_sector is None and not where):
            continue  # an uninstalled plugin's "" lands nowhere: the viewer skips it
        if _landing(placed, where, other_sector or "") == here:
            del assign[other]
            replaced.append(other)
    assign[args.id] = pavilion
    path = _save_assign(assign)
    where = f"pavilion {pavilion}" if pavilion else f"the {sector_id} pavilion"
    instead = (f", replacing {', '.join(replaced)} assigned there before" if replaced
               else "")
    print(f"{args.id} runs in {where} from now on{instead} (saved in {path})")
    if site is None:
        print(f"  note: {scene.path} has no {where}; scenes that have one run it there")
    return 0


def _landing(placed: list[tuple[str, str]], pavilion: str, sector_id: str) -> str:
    """Where an assignment (``pavilion``, or "" for the pavilion of ``sector_id``) lands in
    the default scene (``placed``: its pavilions' ids and sectors), as a key that equals
    another assignment's exactly when the two compete for one pavilion."""
    from gwangju_twin.expo.pavilions import assigned_pavilion

    # A pavilion the default scene lacks: the name it is given, or its sector for "".
    return (assigned_pavilion(placed, pavilion, sector_id) or pavilion
            or f"the {sector_id} pavilion")


def _unassign(args: argparse.Namespace) -> int:
    """``plugins unassign ID``: the viewer no longer runs ID where ``assign`` put it."""
    assign = _assigned()
    if assign.pop(args.id, None) is None:
        print(f"{args.id} was not assigned to a pavilion; nothing to do")
        return 0
    path = _save_assign(assign)
    print(f"{args.id} is no longer assigned to a pavilion (saved in {path})")
    return 0
