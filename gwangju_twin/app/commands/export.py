"""``gwangju-twin export``: a city's baked tiles as one GLB or as an OGC 3D Tiles 1.1 tileset,
with every feature's attributes (docs/export.md)."""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from gwangju_twin.app.commands.options import (
    load_source,
    source_options,
    tile_options,
    verbose_option,
)
from gwangju_twin.errors import InputError

FORMATS = ("glb", "3dtiles")
LEVELS = (0, 1, 2)


def lod(text: str) -> int:
    """An argparse type: a level of detail of the bake (0 full, 1 simplified, 2 far)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n not in LEVELS:
        raise argparse.ArgumentTypeError(f"--lod {text!r}: expected 0 (full detail), 1 "
                                         "(simplified) or 2 (block hulls)")
    return n


def fmt(text: str) -> str:
    """An argparse type: an export format."""
    if text not in FORMATS:
        raise argparse.ArgumentTypeError(f"--format {text!r}: expected glb or 3dtiles")
    return text


def add_parser(sub: Any) -> None:
    """Add ``export`` to the command line's sub-commands."""
    p = sub.add_parser("export", help="export a city to glTF (GLB) or 3D Tiles 1.1")
    p.add_argument("source", help="a data file or scene .toml")
    p.add_argument("--format", type=fmt, required=True, metavar="glb|3dtiles",
                   help="glb: one binary glTF file; 3dtiles: a folder with tileset.json")
    p.add_argument("--out", type=Path, required=True, metavar="PATH",
                   help="the .glb file, or the tileset's folder")
    p.add_argument("--lod", type=lod, default=0, metavar="N",
                   help="glb: the level of detail written (0 full, 1 simplified, 2 block "
                   "hulls); 3dtiles: the finest level the tileset goes down to (default 0)")
    p.add_argument("--pavilions", action="store_true",
                   help="add the scene's expo pavilions (and clear the buildings under them)")
    p.add_argument("--no-quantize", action="store_true",
                   help="float32 positions and normals, for importers without "
                   "KHR_mesh_quantization (about half as large again)")
    tile_options(p)
    source_options(p)
    verbose_option(p)


def check_target(out: Path, format_: str) -> None:
    """Refuse an --out that cannot be written, before the city is read."""
    if format_ == "glb":
        if out.suffix.lower() != ".glb":
            raise InputError(f"--out {out}: expected a file name ending in .glb")
        if out.is_dir():
            raise InputError(f"--out {out}: is a folder; give a file name ending in .glb")
        folder = out.parent
    else:
        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out}: is a file; expected a folder for the tileset")
        if out.is_dir() and any(p for p in out.iterdir()
                                if p.name not in ("tileset.json", "tiles")):
            raise InputError(f"--out {out}: folder holds other files; expected an empty "
                             "folder or an earlier tileset")
        folder = out if out.is_dir() else out.parent
    if not folder.resolve().is_dir():
        raise InputError(f"--out {out}: folder {folder} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder.resolve()):
            pass
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write into folder {folder} "
                         f"({exc.strerror or exc}); choose a folder you can write to") from None


def run(args: argparse.Namespace) -> int:
    """Export the source's city; print what was written."""
    from gwangju_twin.expo.city import load_city
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.export.write import City, export_3dtiles, export_glb
    from gwangju_twin.tiles.tileset import TileSet

    check_target(args.out, args.format)
    scene = load_source(args.source, args)
    # An export reads the baked tiles: a source without a fresh cache is baked first.
    scene = dataclasses.replace(scene, tiles="on")
    if args.pavilions:
        prepared = prepare(scene)
        if prepared.tiles is None:  # pragma: no cover - tiles="on" always gives tiles
            raise InputError(f"{args.source}: no tile cache could be made")
        if not prepared.pavilions:
            raise InputError(f"{args.source}: --pavilions, but the scene places no pavilions "
                             "(a scene .toml's [[pavilion]] tables, docs/scenes.md)")
        city = City(prepared.tiles, prepared.district, prepared.pavilions, str(scene.source))
    else:
        loaded = load_city(scene)
        if loaded.cache is None:
            raise InputError(f"{args.source}: the tile cache cannot be written (see the line "
                             "above); export reads baked tiles: give a writable --cache DIR")
        city = City(TileSet(loaded.cache, loaded.district), loaded.district,
                    source=str(scene.source))
    if args.format == "glb":
        summary = export_glb(city, args.out, args.lod, args.pavilions, not args.no_quantize)
    else:
        args.out.mkdir(exist_ok=True)
        summary = export_3dtiles(city, args.out, args.lod, args.pavilions,
                                 not args.no_quantize)
    print(summary.line())
    return 0
