"""The ``gwangju-twin`` command: view (default), render and inspect.

Every mistake in user input ends as one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from gwangju_twin import __version__
from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.command import SUBCOMMANDS as KIOSK_SUBCOMMANDS
from gwangju_twin.terminal import json_text, shown

if TYPE_CHECKING:
    from gwangju_twin.app import Prepared
    from gwangju_twin.scene import Scene

COMMANDS = ("view", "render", "inspect", "plugins", "kiosk")
SNAPSHOT = "gwangju-twin-snapshot.png"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


LEVEL_HELP = "metres per floor for buildings given only floor counts (default 3.0)"


def bounded(flag: str, unit: str, lo: float, hi: float) -> Callable[[str], float]:
    """An argparse type: a number of ``unit`` between ``lo`` and ``hi``, with errors that
    name the option."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} {text!r}: expected {unit}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{flag} {text}: expected {lo:g} to {hi:g} {unit}")
        return value

    return parse


_level = bounded("--level-height", "metres", 1.5, 10.0)
#: --max-size: the largest GeoJSON file read, in MB (docs/geojson.md: default 256).
MAX_SIZE_HELP = "largest GeoJSON file to read, in MB (default 256); pipes and devices are refused"
_max_size = bounded("--max-size", "MB", 0.001, 1_000_000.0)
SECONDS = bounded("--seconds", "seconds", 0.0, 600.0)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720"
        ) from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"--size {text!r}: width and height must be 16..8192")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so the README and docs can be checked against it)."""
    parser = _Parser(
        prog="gwangju-twin",
        description="A city-twin viewer of Gwangju: opens the default Sangmu district, renders "
        "scenes to PNG and inspects GeoJSON.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"gwangju-twin {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    view = sub.add_parser("view", help="open the viewer (the default command)")
    view.add_argument("source", nargs="?", help="scene .toml or GeoJSON (default: Sangmu)")
    view.add_argument("--crs", help="CRS of a GeoJSON source, e.g. EPSG:5186")
    view.add_argument("--level-height", type=_level, help=LEVEL_HELP)
    view.add_argument("--max-size", type=_max_size, metavar="MB", help=MAX_SIZE_HELP)
    view.add_argument("--size", type=_size, default=(1280, 720), help="window size WxH")
    view.add_argument("--out", type=Path, default=Path(SNAPSHOT),
                      help=f"snapshot written when there is no display (default {SNAPSHOT})")

    for p in (view,):
        _expo_options(p)

    render = sub.add_parser("render", help="render a scene offscreen to a PNG")
    render.add_argument("source", nargs="?", help="scene .toml or GeoJSON (default: Sangmu)")
    render.add_argument("--out", type=Path, required=True, help="PNG file to write")
    render.add_argument("--size", type=_size, default=(1280, 720), help="image size WxH")
    render.add_argument("--crs", help="CRS of a GeoJSON source, e.g. EPSG:5186")
    render.add_argument("--level-height", type=_level, help=LEVEL_HELP)
    render.add_argument("--max-size", type=_max_size, metavar="MB", help=MAX_SIZE_HELP)
    _expo_options(render)
    render.add_argument("--seconds", type=SECONDS, default=3.0,
                        help="with --enter: seconds of demo time before the picture (default 3)")
    render.add_argument("--ui", action="store_true",
                        help="draw the desktop interface (toolbar, minimap, panels) too")
    render.add_argument("--language", choices=("ko", "en"), default="ko",
                        help="with --ui: the interface language (default ko)")

    inspect = sub.add_parser("inspect", help="print the load report of a GeoJSON file")
    inspect.add_argument("source", help="GeoJSON file (or a scene .toml: its district)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.add_argument("--crs", help="CRS of the file when it has none, e.g. EPSG:5186")
    inspect.add_argument("--level-height", type=_level, help=LEVEL_HELP)
    inspect.add_argument("--max-size", type=_max_size, metavar="MB", help=MAX_SIZE_HELP)

    from gwangju_twin.exhibitor import add_commands
    from gwangju_twin.kiosk import command as kiosk

    add_commands(sub, _Parser)
    kiosk.add_parser(sub)
    return parser


def _expo_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--view", default="start", metavar="VIEW",
                   help="start view: start (the scene's camera), pavilions (all of them) or a "
                   "pavilion id")
    p.add_argument("--enter", metavar="PAVILION",
                   help="start inside this pavilion (its demo running)")
    p.add_argument("--plugin", metavar="ID",
                   help="run this plugin in the --enter pavilion (or its sector's) for this run")



def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if not args_in or (args_in[0] not in COMMANDS and args_in[0] not in ("-h", "--help",
                                                                          "-V", "--version")):
        args_in.insert(0, "view")
    # Plugin failures and budget overruns are logged, with tracebacks, to stderr.
    logging.basicConfig(level=logging.WARNING, format="gwangju-twin: %(name)s: %(message)s")
    try:
        if args_in[0] == "kiosk" and len(args_in) > 1 and args_in[1] in KIOSK_SUBCOMMANDS:
            from gwangju_twin.kiosk.command import run_subcommand

            return run_subcommand(args_in[1], args_in[2:], _Parser)
        args = build_parser().parse_args(args_in)
        if getattr(args, "max_size", None) is not None:
            from gwangju_twin.geo import set_max_bytes

            set_max_bytes(int(args.max_size * 1024 * 1024))
        if args.command == "kiosk":
            from gwangju_twin.kiosk.command import run as run_kiosk

            return run_kiosk(args)
        if args.command == "plugins":
            from gwangju_twin.exhibitor import run

            return run(args)
        if args.command == "inspect":
            return _inspect(args)
        if args.command == "render":
            return _render(args)
        return _view(args)
    except InputError as exc:
        print(f"gwangju-twin: error: {shown(str(exc), backslash=False)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``inspect ... | head``): what it wanted it has. Point stdout at
        # /dev/null so the interpreter's final flush cannot raise again, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def load_source(source: str | None, crs: str | None = None,
                level_height: float | None = None) -> Scene:
    """The scene a command runs on: the default scene (``source`` None), a scene .toml, or a
    GeoJSON file wrapped in a scene of its own; InputError when it cannot be."""
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene, scene_for_geojson

    if source is None:
        if crs or level_height:
            raise InputError(
                "--crs and --level-height apply to a GeoJSON source; the default scene has its own"
            )
        return load_scene(default_scene_path())
    path = Path(source)
    if path.suffix.lower() == ".toml":
        if crs or level_height:
            raise InputError(
                f"{path}: --crs and --level-height apply to GeoJSON; set 'district.crs' and "
                "'district.level_height' in the scene"
            )
        return load_scene(path)
    from gwangju_twin.geo import check_data_file

    check_data_file(path)  # names a symlink loop, a pipe or a file over --max-size at once
    return scene_for_geojson(path, crs, level_height)


def _check_out(out: Path) -> None:
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise InputError(f"--out {out}: expected a .png (or .jpg) file name")
    if not out.parent.resolve().is_dir():
        raise InputError(f"--out {out}: folder {out.parent} does not exist")
    if out.is_dir():
        raise InputError(f"--out {out}: is a folder; give a file name ending in .png")
    # Found out before minutes of rendering, not after: a file can be made in the folder.
    try:
        with tempfile.TemporaryFile(dir=out.parent.resolve()):
            pass
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write into folder {out.parent} "
                         f"({exc.strerror or exc}); choose a folder you can write to") from None


def _snapshot(prepared: Prepared, args: argparse.Namespace, **options: Any) -> list[dict[str, Any]]:
    """``render_png`` with what can go wrong writing the picture (a full disk, a folder that
    vanished) as one line naming the file."""
    from gwangju_twin.app import render_png

    try:
        return render_png(prepared, args.out, args.size, args.view, args.enter, **options)
    except OSError as exc:
        raise InputError(f"--out {args.out}: {exc}; check the disk has room and the folder "
                         "can be written") from None


def _render(args: argparse.Namespace) -> int:
    from gwangju_twin.app import prepare

    _check_out(args.out)
    prepared = prepare(load_source(args.source, args.crs, args.level_height), args.enter,
                       args.plugin)
    prepared.pose(args.view, args.size[0] / args.size[1])  # a bad --view fails before rendering
    status = _snapshot(prepared, args, seconds=args.seconds, ui=args.ui,
                       language=args.language)
    print(f"wrote {args.out} ({args.size[0]}x{args.size[1]}, {prepared.report.loaded} features, "
          f"{len(prepared.pavilions)} pavilions, {prepared.mesh.draw_calls} draw calls)")
    for row in status:
        inside = ", visitor inside" if row["inside"] else ""
        why = f": {row['reason']}" if row["reason"] else ""
        if row["throttle"] > 1:
            why += (f" (update throttled to every {row['throttle']} frames after "
                    f"{row['overruns']} overruns of its frame budget)")
        print(f"  pavilion {row['pavilion']}: plugin {row['plugin']} {row['state']}"
              f"{inside}{why}")
    return 0


def _view(args: argparse.Namespace) -> int:
    from gwangju_twin.app import (
        Loading,
        NoWindowError,
        display_available,
        prepare,
        run_viewer,
    )
    from gwangju_twin.plugins.guard import desktop_record_folder, resume_after_crash

    scene = load_source(args.source, args.crs, args.level_height)
    # A plugin the last viewer died in (segfault, abort) stays off this time, and says why.
    resume_after_crash(desktop_record_folder())
    ok, why = display_available()
    if ok:
        # The window opens first and shows a loading screen while the scene loads.
        try:
            run_viewer(Loading(scene, args.enter, args.plugin), args.size, args.view,
                       args.enter)
            return 0
        except NoWindowError:  # a window that cannot open is a missing display, not a bug
            why = f"no window could be opened on DISPLAY={os.environ.get('DISPLAY', '')}"
    prepared = prepare(scene, args.enter, args.plugin)
    prepared.pose(args.view, args.size[0] / args.size[1])
    _check_out(args.out)
    _snapshot(prepared, args)
    print(f"gwangju-twin: no display ({why}); wrote a snapshot of {prepared.scene.name} "
          f"to {args.out} instead")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from gwangju_twin.app import load_district
    from gwangju_twin.report import building_summary, format_report
    from gwangju_twin.scene.pavilions import place_pavilions

    # A scene file is reported on as the viewer loads its district, pavilion sites cleared.
    scene = load_source(args.source, args.crs, args.level_height)
    district, report = load_district(scene)
    place_pavilions(district, report, scene.pavilions, scene.path or scene.source)
    buildings = building_summary(district)
    if args.json:
        print(json_text(json.dumps(report.as_dict() | buildings, ensure_ascii=False, indent=2)))
    else:
        print(format_report(report, buildings))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
