#!/usr/bin/env python
"""Benchmark: ray picks on the merged city mesh, PickIndex against brute force.

For 1k, 10k and 100k synthetic buildings (``synthetic_district`` of synthetic_city.py, loaded
and meshed as the viewer does) this builds a ``PickIndex`` over the solid batches and times
picks of a fixed-seed mix of rays: oblique views from cameras 100-1500 m from random targets
(pitch 15-70 degrees), near-vertical rays, and rays that miss (into the sky or away from the
district). The naive baseline in the same run is Möller–Trumbore against every triangle of the
same mesh, one numpy pass per ray; on a subset of the rays it is also the oracle: every
indexed pick must name the same feature at the same distance.

    python scripts/bench_pick.py            # 1k, 10k and 100k buildings
    python scripts/bench_pick.py --quick    # 1k and 10k

It is a report: exit status 0 even when the target fails, 2 when a pick disagrees with the
oracle. Timings on a shared 2-core machine are noisy; medians and p95 are shown.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synthetic_city import write_district  # noqa: E402

from gwangju_twin.geo import load_geojson  # noqa: E402
from gwangju_twin.mesh import build_district_mesh  # noqa: E402
from gwangju_twin.picking import PickIndex  # noqa: E402

TARGET_MS = 2.0
TARGET_SIZE = 100_000
SIZES = (1_000, 10_000, 100_000)
RAYS = 600
ORACLE_RAYS = {1_000: 600, 10_000: 150, 100_000: 60}  # brute force costs ~0.1 s a ray at 100k
TIE = 1e-6  # metres; the index's rule for coincident hits: lowest feature id


class BruteForce:
    """Möller–Trumbore against all triangles at once (edges precomputed in float64)."""

    def __init__(self, batches: list, materials: tuple[str, ...] = ("solid", "pavilion")) -> None:
        tri, feat = [], []
        for b in batches:
            if b.material in materials and b.indices.shape[1] == 3:
                tri.append(b.positions[b.indices].astype(np.float64))
                feat.append(b.feature_ids[b.indices[:, 0]])
        t = np.concatenate(tri)
        self.p0, self.e1, self.e2 = t[:, 0], t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]
        self.feat = np.concatenate(feat)

    def pick(self, o: np.ndarray, d: np.ndarray) -> tuple[int, float] | None:
        d = d / np.linalg.norm(d)
        h = np.cross(d, self.e2)
        a = np.einsum("ij,ij->i", self.e1, h)
        s = o - self.p0
        with np.errstate(divide="ignore", invalid="ignore"):
            f = 1.0 / a
            u = f * np.einsum("ij,ij->i", s, h)
            q = np.cross(s, self.e1)
            v = f * (q @ d)
            t = f * np.einsum("ij,ij->i", self.e2, q)
        ok = (np.abs(a) > 1e-12) & (u >= 0) & (v >= 0) & (u + v <= 1) & (t >= 0)
        if not ok.any():
            return None
        t = np.where(ok, t, np.inf)
        tmin = float(t.min())
        return int(self.feat[t <= tmin + TIE].min()), tmin


def make_rays(bounds: tuple[float, ...], n: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    """Origins, directions and category (0 oblique, 1 near-vertical, 2 miss) of ``n`` rays."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    cat = np.repeat([0, 1, 2], [n // 2, n // 4, n - n // 2 - n // 4])
    target = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n), np.zeros(n)])
    heading = rng.uniform(0, 2 * np.pi, n)
    pitch = np.radians(rng.uniform(15, 70, n))
    dist = rng.uniform(100, 1500, n)
    back = np.column_stack([np.cos(pitch) * np.sin(heading), np.cos(pitch) * np.cos(heading),
                            np.sin(pitch)])
    origin = target + back * dist[:, None]
    direction = -back
    vert = cat == 1
    tilt = np.radians(rng.uniform(0, 3, n))
    origin[vert, 2] = rng.uniform(200, 800, vert.sum())
    origin[vert, :2] = target[vert, :2]
    direction[vert] = np.column_stack([np.sin(tilt) * np.sin(heading), np.sin(tilt) *
                                       np.cos(heading), -np.cos(tilt)])[vert]
    miss = np.flatnonzero(cat == 2)
    sky, away = miss[::2], miss[1::2]
    direction[sky] = back[sky]  # from the camera on up into the sky
    # From beyond the district's edge, looking further out and slightly down.
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, math.hypot(x1 - x0, y1 - y0) / 2
    out = np.column_stack([np.sin(heading[away]), np.cos(heading[away])])
    origin[away] = np.column_stack([cx + out[:, 0] * (r + 200), cy + out[:, 1] * (r + 200),
                                    rng.uniform(20, 300, len(away))])
    direction[away] = np.column_stack([out, -rng.uniform(0.0, 0.2, len(away))])
    return origin, direction, cat


def measure(size: int, tmp: Path) -> dict:
    path = tmp / f"district-{size}.geojson"
    write_district(path, size)
    district, _ = load_geojson(path)
    mesh = build_district_mesh(district)
    t = time.perf_counter()
    index = PickIndex.build(mesh.batches)
    build_s = time.perf_counter() - t
    origin, direction, cat = make_rays(mesh.bounds, RAYS)
    for k in range(10):  # warm up caches and numpy's first-call costs
        index.pick(origin[k], direction[k])
    ms, hits = np.empty(RAYS), []
    for k in range(RAYS):
        t = time.perf_counter()
        hits.append(index.pick(origin[k], direction[k]))
        ms[k] = (time.perf_counter() - t) * 1000
    brute = BruteForce(mesh.batches)
    check = np.linspace(0, RAYS - 1, ORACLE_RAYS[size]).astype(int)
    naive_ms, mismatches = [], 0
    for k in check:
        t = time.perf_counter()
        want = brute.pick(origin[k], direction[k])
        naive_ms.append((time.perf_counter() - t) * 1000)
        got = hits[k]
        same = (want is None and got is None) or (
            want is not None and got is not None and got.feature == want[0]
            and abs(got.distance - want[1]) <= 1e-3 * max(1.0, want[1]))
        if not same:
            mismatches += 1
            print(f"  MISMATCH {size:,} ray {k}: index {got}, brute force {want}")
    hit = np.array([h is not None for h in hits])
    return {"size": size, "triangles": index.triangle_count, "cell": index.cell,
            "build_s": build_s, "ms": ms, "cat": cat, "hit": hit,
            "naive_ms": float(np.median(naive_ms)), "checked": len(check),
            "same_rays_ms": float(np.median(ms[check])),
            "mismatches": mismatches}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k buildings only")
    args = parser.parse_args()
    sizes = SIZES[:2] if args.quick else SIZES
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            results.append(measure(size, Path(tmp)))
            print(f"measured {size:,} buildings", flush=True)

    print(f"\n{RAYS} rays per size: 50 % oblique, 25 % near-vertical, 25 % misses (seed 7)")
    head = (f"{'buildings':>10} {'triangles':>10} {'cell m':>7} {'build s':>8} {'hits':>5} "
            f"{'median':>8} {'p95':>7} {'max':>7} {'obl/vert/miss med':>19} "
            f"{'naive':>8} {'ratio':>7} {'oracle':>9}")
    print(head)
    print("-" * len(head))
    for r in results:
        ms = r["ms"]
        by_cat = "/".join(f"{np.median(ms[r['cat'] == c]):.2f}" for c in range(3))
        med = float(np.median(ms))
        ratio = r["naive_ms"] / r["same_rays_ms"]
        print(f"{r['size']:>10,} {r['triangles']:>10,} {r['cell']:>7.1f} {r['build_s']:>8.3f} "
              f"{r['hit'].mean():>5.0%} {med:>7.3f}  {np.percentile(ms, 95):>6.3f} "
              f"{ms.max():>7.3f} {by_cat:>19} {r['naive_ms']:>7.2f}  {ratio:>6.0f}x "
              f"{r['mismatches']:>3}/{r['checked']:<4}")
    print("times in ms per pick; naive = brute-force median over the oracle rays; ratio = naive "
          "median / indexed median\nover those same rays; oracle = picks that disagree with brute "
          "force / rays checked")
    mismatches = sum(r["mismatches"] for r in results)
    at = next((r for r in results if r["size"] == TARGET_SIZE), None)
    if at is None:
        print(f"\nTarget: n/a median pick <= {TARGET_MS:g} ms at {TARGET_SIZE:,} buildings "
              "(not measured with --quick)")
    else:
        med = float(np.median(at["ms"]))
        verdict = "PASS" if med <= TARGET_MS else "FAIL"
        print(f"\nTarget: {verdict} median pick <= {TARGET_MS:g} ms at {TARGET_SIZE:,} buildings "
              f"({med:.2f} ms)")
    print(f"Oracle: {mismatches} mismatches")
    return 2 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
