"""What the commands share: the parser class, bounded numbers, sizes, the source a
command runs on and the picture it writes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from gwangju_twin.errors import InputError

if TYPE_CHECKING:
    from gwangju_twin.presence.client import Join
    from gwangju_twin.scene import Scene

SNAPSHOT = "gwangju-twin-snapshot.png"


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors end with a pointer to --help (exit status 2)."""

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


level = bounded("--level-height", "metres", 1.5, 10.0)
#: --max-size: the largest GeoJSON file read, in MB (docs/data.md: default 256).
MAX_SIZE_HELP = "largest GeoJSON file to read, in MB (default 256); pipes and devices are refused"
max_size = bounded("--max-size", "MB", 0.001, 1_000_000.0)
SECONDS = bounded("--seconds", "seconds", 0.0, 600.0)


def size(text: str) -> tuple[int, int]:
    """An argparse type: WIDTHxHEIGHT in pixels, each 16..8192."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720"
        ) from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"--size {text!r}: width and height must be 16..8192")
    return w, h


def daylight_options(p: argparse.ArgumentParser, picture: bool) -> None:
    """Add --time, --tz and --quality (the scene's moment and how it is lit) to ``p``;
    ``picture``: the command draws a picture (its default moment is fixed, not now)."""
    default = ("a fixed late morning, 2026-09-20T11:00, so pictures are reproducible"
               if picture else "now")
    p.add_argument("--time", metavar="ISO",
                   help=f"the scene's date and time, e.g. 2026-12-22T09:00 (default: {default})")
    p.add_argument("--tz", metavar="ZONE",
                   help="the time zone of --time, e.g. Asia/Seoul (the default) or UTC")
    from gwangju_twin.settings import QUALITY_CHOICES

    p.add_argument("--quality", choices=QUALITY_CHOICES, default=None,
                   help="lighting and shadows: low (no shadows, fastest), medium, high or auto "
                   "(chosen for the renderer; the default, or your settings' choice)")


def moment(text: str | None, zone: str | None) -> datetime | None:
    """The timezone-aware moment of --time ``text`` in --tz ``zone`` (Korean time when
    neither the text nor ``zone`` names one); None without --time. InputError when either
    cannot be read."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from gwangju_twin.sun.clock import SEOUL

    tz: tzinfo = SEOUL
    if zone is not None:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(f"--tz {zone!r}: not a time zone; expected a name such as "
                             "Asia/Seoul or UTC") from None
    if text is None:
        if zone is not None:
            raise InputError(f"--tz {zone}: needs --time, the moment it is the zone of")
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--time {text!r}: expected a date and time such as "
                         "2026-12-22T09:00") from None
    if when.tzinfo is not None:
        if zone is not None:
            raise InputError(f"--time {text}: names its own offset; leave out --tz {zone}")
        return when
    return when.replace(tzinfo=tz)


def expo_options(p: argparse.ArgumentParser) -> None:
    """Add --view, --enter and --plugin (the expo's start) to ``p``."""
    p.add_argument("--view", default="start", metavar="VIEW",
                   help="start view: start (the scene's camera), pavilions (all of them) or a "
                   "pavilion id")
    p.add_argument("--enter", metavar="PAVILION",
                   help="start inside this pavilion (its demo running)")
    p.add_argument("--plugin", metavar="ID|FOLDER",
                   help="run this plugin (an id, or a plugin folder such as ./robot-arm) in "
                   "the --enter pavilion (or its sector's) for this run")


#: The parent of every plugin's ``ctx.log`` (``gwangju_twin.plugin.<id>``).
PLUGIN_LOGS = "gwangju_twin.plugin"


def verbose_option(p: argparse.ArgumentParser) -> None:
    """Add -v/--verbose (plugins' INFO logs on stderr) to ``p``."""
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show plugins' INFO logs (ctx.log.info) on stderr; by default only "
                   "warnings and errors")


def apply_verbosity(verbose: bool) -> None:
    """Let plugins' INFO records through when ``verbose``; the default stays WARNING."""
    # The root handler (gwangju_twin.app.commands.main) has no level of its own, so the
    # plugin loggers' level alone decides.
    logging.getLogger(PLUGIN_LOGS).setLevel(logging.INFO if verbose else logging.NOTSET)


def encoding(text: str) -> str:
    """An argparse type: a text encoding Python knows (``--encoding cp949``)."""
    from gwangju_twin.geo.encodings import text_codec

    name = text_codec(text)
    if name is None:
        raise argparse.ArgumentTypeError(
            f"--encoding {text!r}: not a text encoding Python knows; expected e.g. utf-8, "
            "cp949 or euc-kr")
    return name


def schema_name(text: str) -> str:
    """An argparse type: "auto" or a source schema of geo/schemas.toml (``--schema al_d010``)."""
    from gwangju_twin.geo.schemas import AUTO, builtin_schemas

    names = builtin_schemas().order
    if text != AUTO and text not in names:
        raise argparse.ArgumentTypeError(
            f"--schema {text!r}: expected {AUTO!r} or one of " + ", ".join(names))
    return text


def source_options(p: argparse.ArgumentParser, crs_help: str = "the CRS of a data source "
                   "that declares none, e.g. EPSG:5186") -> None:
    """Add how a data file is read (--crs, --crs-override, --encoding, --points,
    --level-height, --max-size) to ``p``."""
    p.add_argument("--crs", help=crs_help)
    p.add_argument("--crs-override", action="store_true",
                   help="let --crs win over the CRS the file declares (for a file that lies)")
    p.add_argument("--encoding", type=encoding,
                   help="the attributes' text encoding, e.g. cp949 (default: the .cpg file, "
                   "else detected)")
    p.add_argument("--schema", type=schema_name, default=None,
                   help="the source schema whose keys give heights, names, uses and widths: "
                   "osm, al_d010 (Korean building register), kr_roads (Korean road names) "
                   "(default: auto, detected from the keys)")
    p.add_argument("--points", choices=("poi", "all"), default=None,
                   help="which points become pins: points of interest (default) or all")
    p.add_argument("--level-height", type=level, help=LEVEL_HELP)
    p.add_argument("--max-size", type=max_size, metavar="MB", help=MAX_SIZE_HELP)


def tile_options(p: argparse.ArgumentParser) -> None:
    """Add whether and where the city's tile cache is used (--tiles, --cache) to ``p``."""
    p.add_argument("--tiles", choices=("auto", "on", "off"), default=None,
                   help="draw the city from a baked tile cache: auto (a city-sized source, or "
                   "when a fresh cache exists; the default), on or off (docs/tiles.md)")
    p.add_argument("--cache", type=Path, metavar="DIR", default=None,
                   help="the tile cache's folder (default: the scene's, else the platform's "
                   "cache folder)")


def with_tile_options(scene: Scene, args: argparse.Namespace | None) -> Scene:
    """``scene`` with --tiles and --cache applied (they win over the scene file's keys)."""
    import dataclasses

    tiles = getattr(args, "tiles", None)
    cache = getattr(args, "cache", None)
    if cache is not None and cache.exists() and not cache.is_dir():
        raise InputError(f"--cache {cache}: is a file; expected a folder for the tile cache")
    if tiles is not None:
        scene = dataclasses.replace(scene, tiles=tiles)
    if cache is not None:
        scene = dataclasses.replace(scene, cache=cache)
    return scene


#: The options of source_options that only apply to a bare data file, with their flags.
_FILE_ONLY = (("crs", "--crs"), ("crs_override", "--crs-override"), ("encoding", "--encoding"),
              ("schema", "--schema"), ("points", "--points"), ("level_height", "--level-height"))


def load_source(source: str | None, args: argparse.Namespace | None = None) -> Scene:
    """The scene a command runs on: the default scene (``source`` None), a scene .toml, or a
    data file wrapped in a scene of its own, read with ``args``' source_options;
    InputError when it cannot be."""
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene, scene_for_geojson

    given = [flag for name, flag in _FILE_ONLY if args is not None and getattr(args, name, None)]
    if source is None:
        if given:
            raise InputError(f"{', '.join(given)} apply to a data file; the default scene has "
                             "its own settings")
        return with_tile_options(load_scene(default_scene_path()), args)
    path = Path(source)
    if path.suffix.lower() == ".toml":
        if given:
            raise InputError(
                f"{path}: {', '.join(given)} apply to a data file; set them in the scene's "
                "[district] table (docs/scenes.md)"
            )
        return with_tile_options(load_scene(path), args)
    from gwangju_twin.geo import check_data_file

    check_data_file(path)  # names a symlink loop, a pipe or a file over --max-size at once
    if args is not None and args.crs_override and not args.crs:
        raise InputError("--crs-override needs --crs: name the CRS that should win over the "
                         "one the file declares")
    if args is None:
        return scene_for_geojson(path)
    return with_tile_options(scene_for_geojson(
        path, args.crs, args.level_height, encoding=args.encoding,
        crs_override=args.crs_override, points=args.points or "poi",
        schema=getattr(args, "schema", None) or "auto"), args)


def check_out(out: Path) -> None:
    """Refuse an --out picture that cannot be written, before any work is done."""
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


def display_available() -> tuple[bool, str]:
    """Whether an on-screen window can be opened, and if not, why (one phrase)."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False, "DISPLAY is not set"
    return True, ""


def presence_options(p: argparse.ArgumentParser) -> None:
    """Add --join, --token and --guide (a shared room, docs/presence.md) to ``p``."""
    p.add_argument("--join", metavar="ws://HOST:PORT/ROOM",
                   help="join a shared room: see the other visitors there and be seen (default: "
                   "the settings' join, else alone)")
    p.add_argument("--token", metavar="TOKEN", help="the room's token, if it needs one")
    p.add_argument("--guide", action="store_true",
                   help="join as a guide, who may lead group tours (the server may refuse)")


def presence_join(args: argparse.Namespace, settings_join: str = "",
                  settings_file: str = "settings") -> Join | None:
    """The room to join from --join (else the settings' ``join``), or None to tour alone;
    InputError (one line) for a bad URL or token."""
    from gwangju_twin.presence.client import Join, check_token, parse_join_url
    from gwangju_twin.presence.messages import Role

    if args.join is not None:
        url = parse_join_url(args.join, "--join")
    elif settings_join:
        url = parse_join_url(settings_join, f"{settings_file}: 'join'")
    else:
        if args.token is not None or args.guide:
            raise InputError("--token and --guide need a room: give --join ws://HOST:PORT/ROOM")
        return None
    token = None if args.token is None else check_token(args.token, "--token")
    return Join(url, token, Role.GUIDE if args.guide else Role.VISITOR)
