"""Read time of the same synthetic buildings as GeoJSON, Shapefile, GeoPackage, FlatGeobuf.

Each format is read through the viewer's reader (read_source -> RawCollection, and the whole
load_geojson), against a naive per-feature reader in the same run: json + shapely.geometry.shape
per feature for GeoJSON, pyogrio then a Python loop building one shapely geometry per feature
for the others. Prints times and ratios: naive/ours against the same format's naive
reader, naive GeoJSON/ours against json + shapely per feature (the usual way in), and each
format's read_source time against GeoJSON's.
Usage: python scripts/bench_formats.py [--count N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
import shapely.wkb
from pyogrio.raw import read, write

from gwangju_twin.geo.load import load_geojson
from gwangju_twin.geo.sources import read_source


def buildings(count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``count`` rectangles on a grid near Gwangju (lon/lat), names and heights; seeded."""
    rng = np.random.default_rng(14)
    side = int(np.ceil(np.sqrt(count)))
    i = np.arange(count)
    x0 = 126.80 + (i % side) * 0.0003
    y0 = 35.10 + (i // side) * 0.0003
    w, h = rng.uniform(0.00005, 0.0002, (2, count))
    boxes = shapely.box(x0, y0, x0 + w, y0 + h)
    names = np.array([f"건물 {k}" for k in range(count)], dtype=object)
    return boxes, names, rng.uniform(3, 60, count).round(1)


def _parts(geom: shapely.Geometry) -> list[list[np.ndarray]]:
    """What the reader hands on per feature: each polygon's rings as (n, 2) arrays."""
    polys = getattr(geom, "geoms", [geom])
    return [[np.asarray(p.exterior.coords)[:, :2],
             *(np.asarray(r.coords)[:, :2] for r in p.interiors)] for p in polys]


def naive_geojson(path: Path) -> list[tuple[dict, list]]:
    """json, then shapely.geometry.shape and ring arrays one feature at a time."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [(f["properties"], _parts(shapely.geometry.shape(f["geometry"])))
            for f in doc["features"]]


def naive_ogr(path: Path) -> list[tuple[dict, list]]:
    """Fiona-style: one feature at a time, its geometry parsed, its properties a dict."""
    _, _, wkb, fields = read(str(path))
    out = []
    for k in range(len(wkb)):
        out.append(({"name": fields[0][k], "height": fields[1][k]},
                    _parts(shapely.wkb.loads(wkb[k]))))
    return out


def timed(fn: Callable[[], object], repeat: int) -> float:
    """The best of ``repeat`` runs, with the cyclic garbage collector paused for every
    reader alike (load_geojson pauses it itself; without that, the collector's rescans of
    the many small objects a read makes would dominate, and differ from run to run)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    args = parser.parse_args()
    boxes, names, heights = buildings(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "GeoJSON": folder / "b.geojson", "Shapefile": folder / "b.shp",
            "GeoPackage": folder / "b.gpkg", "FlatGeobuf": folder / "b.fgb",
        }
        features = [
            {"type": "Feature", "properties": {"name": n, "height": h, "building": "yes"},
             "geometry": shapely.geometry.mapping(b)}
            for b, n, h in zip(boxes, names, heights, strict=True)
        ]
        files["GeoJSON"].write_text(json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False),
            encoding="utf-8")
        wkb = shapely.to_wkb(boxes)
        for label, driver in (("Shapefile", "ESRI Shapefile"), ("GeoPackage", "GPKG"),
                              ("FlatGeobuf", "FlatGeobuf")):
            write(str(files[label]), wkb, [names, heights.astype(np.float64)],
                  ["name", "height"], driver=driver, geometry_type="Polygon",
                  crs="EPSG:4326", encoding="UTF-8")
        print(f"{args.count:,} buildings")
        print(f"{'format':<11} {'read_source':>11} {'naive':>8} {'naive/ours':>10} "
              f"{'naive GeoJSON/ours':>18} {'whole load':>10} {'vs GeoJSON':>10}")
        base = naive_json = 0.0
        for label, path in files.items():
            ours = timed(lambda p=path: read_source(p), args.repeat)
            naive = timed(lambda p=path, g=label == "GeoJSON":
                          naive_geojson(p) if g else naive_ogr(p), args.repeat)
            whole = timed(lambda p=path: load_geojson(p), args.repeat)
            base, naive_json = base or ours, naive_json or naive
            print(f"{label:<11} {ours:10.2f}s {naive:7.2f}s {naive / ours:9.1f}x "
                  f"{naive_json / ours:17.1f}x {whole:9.2f}s {ours / base:9.2f}x")


if __name__ == "__main__":
    main()
