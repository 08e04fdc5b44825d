#!/usr/bin/env python
"""Benchmark: exporting a baked city to GLB and 3D Tiles, against the naive path (trimesh, one
node per building with its attributes as the node's extras), in the same run.

For the default Sangmu district and a synthetic register city (scripts/register_city.py,
185,000 buildings by default) it bakes the tile cache (or reuses a fresh one: the exports run
on a warm bake), then prints for each export the time, the size on disk, triangles, tiles and
features:

- ``glb``: gwangju-twin's GLB (one node per tile, one primitive per material, feature ids and
  the property table);
- ``3dtiles``: the 3D Tiles 1.1 tileset (all levels of detail);
- ``naive``: the same full-detail building triangles (with their normals, colours and
  attributes) as one trimesh node per building, exported by trimesh (``--naive-limit N``
  exports only the first N buildings of a big city and says so; time and size are then
  scaled up by buildings, and marked as estimates).

Each path runs once untimed before it is measured (one-time costs of a process, alike for
both). Then the issue's targets: 3D Tiles of the big city in at most 60 s; the GLB at least 20x
faster than the naive path and at most half its size.

    python scripts/bench_export.py                         # sangmu and 185k
    python scripts/bench_export.py --buildings 20000       # a smaller city
    python scripts/bench_export.py --keep /tmp/bench       # keep (and reuse) city and cache
    python scripts/bench_export.py --city CITY.shp --cache CACHE   # an existing city, warm

A report, not a test: timings on a shared 2-core machine are noisy; it exits 0 unless
``--check`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TILES_S = 60.0
SPEEDUP = 20.0
SIZE_RATIO = 0.5


def load(source: Path, cache: Path) -> tuple[Any, float, float]:
    """The city read from its tile cache (baked first if needed): City, bake and load
    seconds."""
    from gwangju_twin.app.commands.options import load_source
    from gwangju_twin.expo.city import BakeMeter, load_city
    from gwangju_twin.export.write import City
    from gwangju_twin.tiles.tileset import TileSet

    scene = load_source(str(source))
    scene = dataclasses.replace(scene, tiles="on", cache=cache)
    start = time.perf_counter()
    if not (cache / "index.json").exists():
        load_city(scene, BakeMeter(stream=None))
    baked = time.perf_counter() - start
    start = time.perf_counter()
    loaded = load_city(scene, BakeMeter(stream=None))
    assert loaded.cache is not None
    city = City(TileSet(loaded.cache, loaded.district), loaded.district,
                source=str(scene.source))
    return city, baked, time.perf_counter() - start


def naive(city: Any, out: Path, limit: int | None) -> dict[str, Any]:
    """Full detail as one trimesh node per building (its attributes in the node's extras),
    written by trimesh's GLB exporter."""
    import trimesh

    from gwangju_twin.export.features import feature_table

    start = time.perf_counter()
    tiles = city.tiles
    batches = [b for key in sorted(tiles.leaf_tiles) for b in tiles.batches(key, 0)
               if b.primitive == "triangles"]
    pos = np.concatenate([b.positions for b in batches])
    offsets = np.cumsum([0] + [len(b.positions) for b in batches[:-1]])
    tri = np.concatenate([b.indices.astype(np.int64) + o
                          for b, o in zip(batches, offsets, strict=True)])
    fid = np.concatenate([b.feature_ids for b in batches])[tri[:, 0]]
    colors = np.concatenate([b.colors for b in batches])
    normals = np.concatenate([b.normals for b in batches])
    buildings = np.flatnonzero(city.district.layer == "buildings")
    total = len(buildings)
    if limit is not None and limit < total:
        buildings = buildings[:limit]
    table = feature_table(city.district, buildings)
    order = np.argsort(fid, kind="stable")
    starts = np.searchsorted(fid[order], buildings)
    ends = np.searchsorted(fid[order], buildings, side="right")
    scene = trimesh.Scene()
    triangles = 0
    for k, row in enumerate(buildings.tolist()):
        faces = tri[order[starts[k]:ends[k]]]
        if not len(faces):
            continue
        used, inverse = np.unique(faces, return_inverse=True)
        # glTF is y up: the same turn as the real exporter.
        p = pos[used]
        verts = np.stack([p[:, 0], p[:, 2], -p[:, 1]], axis=1)
        n = normals[used]
        mesh = trimesh.Trimesh(verts, inverse.reshape(-1, 3), vertex_colors=colors[used],
                               vertex_normals=np.stack([n[:, 0], n[:, 2], -n[:, 1]], axis=1),
                               process=False)
        mesh.metadata["extras"] = {name: (col[k] if isinstance(col, list)
                                          else float(col[k]))
                                   for name, col in table.columns.items()}
        scene.add_geometry(mesh, node_name=f"building-{row}", geom_name=f"building-{row}")
        triangles += len(faces)
    # The same content as the real export: positions, normals (viewers light flat faces by
    # them; CesiumJS draws a primitive without normals unlit), colours and attributes.
    data = scene.export(file_type="glb", include_normals=True)
    out.write_bytes(data)
    took = time.perf_counter() - start
    scale = total / len(buildings)
    return {"seconds": took * scale, "bytes": len(data) * scale, "triangles": triangles,
            "tiles": 0, "features": len(buildings), "estimated": scale > 1,
            "measured_buildings": len(buildings)}


def measure(name: str, source: Path, folder: Path, limit: int | None,
            cache: Path | None = None, repeat: int = 1) -> dict[str, Any]:
    from gwangju_twin.export.write import export_3dtiles, export_glb

    city, baked, loaded = load(source, cache or folder / f"{name}-cache")
    out: dict[str, Any] = {"name": name, "bake_s": baked, "load_s": loaded,
                           "buildings": int((city.district.layer == "buildings").sum())}
    # One untimed run of each path first, alike: the first call in a process pays one-time
    # costs that say nothing of either path (imports numpy and trimesh make lazily, pyproj's
    # first transform, compiled regular expressions), and the timed runs then find the tile
    # files in the page cache alike. Before 2026-12 each path's first call was the timed
    # one; the naive path's cold cost was the larger (Sangmu: 1.5 to 3 s cold, 0.75 to 1 s
    # warm), so the warm ratio is the smaller, and the honest one. Each timed run starts
    # with the garbage of the runs before collected (as timeit does): none pays for another.
    naive(city, folder / f"{name}-warmup-naive.glb", 50)
    city._table = None
    export_glb(city, folder / f"{name}-warmup.glb", 0)
    for warm in ("warmup", "warmup-naive"):
        (folder / f"{name}-{warm}.glb").unlink()
    glb = None
    for _ in range(repeat):  # the fastest of ``repeat`` runs, as timeit advises
        city._table = None  # each export works its attributes out itself
        gc.collect()
        run = export_glb(city, folder / f"{name}.glb", 0)
        glb = run if glb is None or run.seconds < glb.seconds else glb
    assert glb is not None
    out["glb"] = {"seconds": glb.seconds, "bytes": glb.bytes, "triangles": glb.triangles,
                  "tiles": glb.tiles, "features": glb.features}
    tiles_dir = folder / f"{name}-3dtiles"
    shutil.rmtree(tiles_dir, ignore_errors=True)
    city._table = None
    gc.collect()
    tiles = export_3dtiles(city, tiles_dir, 0)
    out["3dtiles"] = {"seconds": tiles.seconds, "bytes": tiles.bytes,
                      "triangles": tiles.triangles, "tiles": tiles.tiles,
                      "features": tiles.features}
    runs = []
    for _ in range(repeat):
        gc.collect()
        runs.append(naive(city, folder / f"{name}-naive.glb", limit))
    out["naive"] = min(runs, key=lambda r: r["seconds"])
    out["files"] = [folder / f"{name}.glb", *sorted((tiles_dir / "tiles").glob("*.glb"))]
    out["tileset"] = tiles_dir / "tileset.json"
    return out


def validate(files: list[Path]) -> str:
    """The Khronos validator's verdict over ``files`` (tools/validate)."""
    node = shutil.which("node")
    tool = REPO / "tools" / "validate"
    if node is None or not (tool / "node_modules" / "gltf-validator").is_dir():
        return "validator not installed (npm ci in tools/validate)"
    import json

    done = subprocess.run([node, str(tool / "validate.mjs"), *map(str, files)],
                          capture_output=True, text=True)
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    errors = sum(r["errors"] for r in reports)
    warnings = sum(r["warnings"] for r in reports)
    return f"{len(reports)} GLB files, {errors} errors, {warnings} warnings"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=185_000,
                        help="buildings of the register city (default 185000)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="time the GLB and the naive path N times each, alike, and keep "
                             "the fastest of each (default 1)")
    parser.add_argument("--naive-limit", type=int, default=None, metavar="N",
                        help="export only the first N buildings by the naive path (scaled)")
    parser.add_argument("--keep", type=Path, default=None, help="keep city and cache here")
    parser.add_argument("--city", type=Path, default=None, metavar="SHP",
                        help="an existing register city (instead of making one in the folder)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="its tile cache (baked there if not yet; default: in the folder)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    from gwangju_twin.export.check import check_tileset
    from gwangju_twin.resources import default_scene_path

    tmp = None
    if args.keep is None:
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name)
    else:
        folder = args.keep
        folder.mkdir(parents=True, exist_ok=True)
    city_name = f"register{args.buildings // 1000}k"
    city = args.city or folder / f"{city_name}.shp"
    if args.city is not None:
        city_name = city.stem
    elif not city.exists():
        subprocess.run([sys.executable, str(HERE / "register_city.py"), str(city),
                        "--buildings", str(args.buildings)], check=True,
                       stdout=subprocess.DEVNULL)
    results = [measure("sangmu", default_scene_path(), folder, None, repeat=args.repeat),
               measure(city_name, city, folder, args.naive_limit, args.cache, args.repeat)]
    print(f"{'city':<14}{'path':<9}{'seconds':>9}{'MB':>9}{'triangles':>12}{'tiles':>7}"
          f"{'features':>10}")
    ok = True
    for r in results:
        print(f"{r['name']} ({r['buildings']:,} buildings): bake {r['bake_s']:.1f} s (0: "
              f"warm), load {r['load_s']:.1f} s")
        for path in ("glb", "3dtiles", "naive"):
            m = r[path]
            est = " (est.: first {:,} buildings, scaled)".format(
                m["measured_buildings"]) if m.get("estimated") else ""
            print(f"{'':<14}{path:<9}{m['seconds']:>9.2f}{m['bytes'] / 1e6:>9.1f}"
                  f"{m['triangles']:>12,}{m['tiles']:>7}{m['features']:>10,}{est}")
        speed = r["naive"]["seconds"] / r["glb"]["seconds"]
        size = r["glb"]["bytes"] / r["naive"]["bytes"]
        good = speed >= SPEEDUP and size <= SIZE_RATIO
        ok &= good
        print(f"{'':<14}GLB vs naive: {speed:.1f}x faster, {size:.3f} of its size "
              f"(targets {SPEEDUP:.0f}x, {SIZE_RATIO}): {'met' if good else 'MISSED'}")
        print(f"{'':<14}validator: {validate(r['files'])}; tileset check: "
              f"{len(check_tileset(r['tileset']))} problems")
    big = results[-1]["3dtiles"]["seconds"]
    met = big <= TILES_S
    ok &= met
    print(f"3D Tiles of {results[-1]['name']}: {big:.1f} s (target {TILES_S:.0f} s on a warm "
          f"bake): {'met' if met else 'MISSED'}")
    if tmp is not None:
        tmp.cleanup()
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
