"""What the commands share: the parser class, bounded numbers, sizes, the source a
command runs on and the picture it writes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from gwangju_twin.errors import InputError

if TYPE_CHECKING:
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
#: --max-size: the largest GeoJSON file read, in MB (docs/geojson.md: default 256).
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
