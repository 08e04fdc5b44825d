#!/usr/bin/env python
"""Benchmark: the winter-solstice sunlight verdict (sun/sunlight.py) for every building of a
200 x 200 m block, against a naive baseline in the same run.

Two cities: the default Sangmu district (the densest 200 m square of it) and a dense
synthetic city (scripts/synthetic_city.py: one building on every 30 m lot). For each it
prints the buildings, facades and samples of the block, the obstacles within 500 m, and:

- the verdict (facades only): seconds, target < 1 s;
- the verdict and a 2 m ground heat map of the block;
- the naive baseline: for each 5-minute slot, a Python loop over the obstacles building each
  shadow with scalar shapely (footprint, moved footprint and one quad per edge, unioned) and
  asking the samples with ``contains_xy``. It runs on every ``--every``-th slot only and is
  scaled to the 96 slots (printed as such); its lit/unlit answers on those slots are compared
  with the fast path's, sample by sample.

    python scripts/bench_sunlight.py
    python scripts/bench_sunlight.py --buildings 20000 --every 8

A report, not a test: timings on a shared 2-core machine are noisy; it exits 0.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import shapely
from shapely import affinity, ops

from gwangju_twin.app.commands.options import load_source
from gwangju_twin.expo.city import read_district
from gwangju_twin.geo import District
from gwangju_twin.sun import sun_position
from gwangju_twin.sun.sunlight import (
    SunlightResult,
    district_sunlight,
    extruded,
)

REPO = Path(__file__).resolve().parents[1]
DAY = date(2026, 12, 22)
BLOCK = 200.0
REACH = 500.0


def densest_block(district: District) -> tuple[float, float, float, float]:
    """The 200 x 200 m square (on a 200 m grid) holding the most buildings."""
    rows = extruded(district)
    xy = shapely.get_coordinates(shapely.point_on_surface(district.geometry[rows]))
    lo = np.floor(xy.min(axis=0) / BLOCK) * BLOCK
    cells = np.floor((xy - lo) / BLOCK).astype(int)
    keys, counts = np.unique(cells, axis=0, return_counts=True)
    x, y = lo + keys[np.argmax(counts)] * BLOCK
    return (float(x), float(y), float(x + BLOCK), float(y + BLOCK))


def naive_slot(feet: list, heights: np.ndarray, xy: np.ndarray, normal: np.ndarray,
               when: object, lat: float, lon: float, z: float) -> np.ndarray:
    """Which samples have sun in one slot: a loop per building with scalar shapely."""
    pos = sun_position(when, lat, lon)  # type: ignore[arg-type]
    lit = np.zeros(len(xy), dtype=bool)
    if not pos.up:
        return lit
    az, el = math.radians(pos.azimuth_deg), math.radians(pos.elevation_deg)
    lit = normal @ np.array([math.sin(az), math.cos(az)]) > 0
    for foot, h in zip(feet, heights, strict=True):
        if not h > z:
            continue
        length = (h - z) / math.tan(el)
        vx, vy = -length * math.sin(az), -length * math.cos(az)
        pieces = [foot, affinity.translate(foot, vx, vy)]
        for poly in getattr(foot, "geoms", [foot]):
            for ring in [poly.exterior, *poly.interiors]:
                c = list(ring.coords)
                for (ax, ay), (bx, by) in itertools.pairwise(c):
                    quad = shapely.Polygon([(ax, ay), (bx, by), (bx + vx, by + vy),
                                            (ax + vx, ay + vy)])
                    if quad.area > 0:
                        pieces.append(quad)
        shadow = ops.unary_union(pieces)
        shapely.prepare(shadow)
        lit &= ~shapely.contains_xy(shadow, xy[:, 0], xy[:, 1])
    return lit


def bench(name: str, district: District, every: int) -> None:
    block = densest_block(district)
    print(f"\n== {name}: block {block[0]:.0f},{block[1]:.0f} + 200 m")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        result = district_sunlight(district, block, day=DAY, cell=None)
        runs.append(time.perf_counter() - start)
    verdict_s = min(runs)
    start = time.perf_counter()
    district_sunlight(district, block, day=DAY, cell=2.0)
    heat_s = time.perf_counter() - start
    print(f"buildings {len(result.buildings)}, facades {len(result.facades)}, samples "
          f"{len(result.sample_xy)}, obstacles within {REACH:.0f} m {result.obstacles}, "
          f"slots {len(result.times)}")
    print(f"passing: {sum(result.passes.values())} of {len(result.passes)} buildings")
    print(f"verdict (facades): {verdict_s:.3f} s (best of 3; runs "
          f"{', '.join(f'{r:.3f}' for r in runs)})  target < 1 s: "
          f"{'met' if verdict_s < 1.0 else 'MISSED'}")
    print(f"verdict + 2 m ground heat map ({int(BLOCK / 2) ** 2} cells): {heat_s:.3f} s")
    naive(district, block, result, every, verdict_s)


def naive(district: District, block: tuple[float, ...], result: SunlightResult, every: int,
          fast_s: float) -> None:
    rows = extruded(district)
    area = shapely.box(*result.sample_xy.min(axis=0), *result.sample_xy.max(axis=0))
    near = [int(r) for r in rows if district.geometry[r].distance(area) <= REACH]
    feet = [district.geometry[r] for r in near]
    heights = np.array([district.height[r] for r in near], dtype=float)
    slots = list(range(0, len(result.times), every))
    start = time.perf_counter()
    agree = 0
    for k in slots:
        lit = naive_slot(feet, heights, result.sample_xy, result.sample_normal,
                         result.times[k], district.frame.lat, district.frame.lon,
                         result.sample_height)
        agree += int((lit == result.sample_sun[:, k]).sum())
    took = time.perf_counter() - start
    scaled = took * len(result.times) / len(slots)
    total = len(slots) * len(result.sample_xy)
    print(f"naive baseline: {took:.2f} s for {len(slots)} slots -> {scaled:.1f} s for "
          f"{len(result.times)}; ratio {scaled / fast_s:.0f}x; samples agreeing "
          f"{agree}/{total} ({agree / total:.4%})")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--buildings", type=int, default=20_000,
                   help="buildings of the synthetic city (default 20000)")
    p.add_argument("--every", type=int, default=8,
                   help="the naive baseline runs every N-th slot (default 8)")
    args = p.parse_args()
    district, _ = read_district(load_source(None))
    bench("default district (Sangmu)", district, args.every)
    sys.path.insert(0, str(REPO / "scripts"))
    import synthetic_city

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.geojson"
        synthetic_city.write_district(path, args.buildings)
        city, _ = read_district(load_source(str(path)))
    bench(f"synthetic city ({args.buildings:,} buildings, one per 30 m lot)", city, args.every)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
