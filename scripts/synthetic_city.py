"""A synthetic district of any size, for the benchmarks: ``n`` buildings on a grid of blocks,
the streets between them and a park every so often, as a GeoJSON FeatureCollection.

The same size and seed always give the same document. Footprints mix rectangles, L shapes,
courtyard blocks and polygons, and the tags spell heights every way the loader has to
understand (numbers, levels as numbers or text, "12 m", none at all).

    from synthetic_city import synthetic_district, write_district
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ORIGIN = (126.85, 35.15)  # lon, lat near Sangmu, Gwangju
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(ORIGIN[1]))
LOT = 30.0  # metres; one building per lot
LOTS = (4, 3)  # lots per block, east-west x north-south
STREET = 24.0  # gap between blocks, where the roads run
BLOCK = (LOTS[0] * LOT, LOTS[1] * LOT)
PITCH = (BLOCK[0] + STREET, BLOCK[1] + STREET)
PARK_EVERY = 23  # one block in PARK_EVERY is a park instead of buildings
BUILDING_TYPES = ("apartments", "residential", "house", "commercial", "retail", "office",
                  "school", "industrial", "yes")
BUILDING_WEIGHTS = (0.22, 0.20, 0.14, 0.10, 0.10, 0.08, 0.03, 0.05, 0.08)
SHAPES = ("rect", "L", "courtyard", "ngon")
SHAPE_WEIGHTS = (0.70, 0.12, 0.08, 0.10)


def _lonlat(xy: np.ndarray) -> list[list[float]]:
    """Local metres to rounded lon/lat lists. An equirectangular approximation is plenty for
    synthetic data; 7 decimals (about 1 cm) is what real exports carry."""
    lon = ORIGIN[0] + xy[:, 0] / M_PER_DEG_LON
    lat = ORIGIN[1] + xy[:, 1] / M_PER_DEG_LAT
    return np.round(np.column_stack([lon, lat]), 7).tolist()


def _ring(xy: np.ndarray) -> list[list[float]]:
    """A closed GeoJSON ring from open local coordinates."""
    return _lonlat(np.vstack([xy, xy[:1]]))


def _footprint(kind: str, w: float, h: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Rings (CCW shell first, CW holes) of one footprint centred on the origin."""
    if kind == "L":
        a, b = rng.uniform(0.4, 0.6, 2)
        shell = np.array([[0, 0], [w, 0], [w, a * h], [b * w, a * h], [b * w, h], [0, h]])
        return [shell - [w / 2, h / 2]]
    if kind == "courtyard":
        w, h = max(w, 20.0), max(h, 20.0)
        shell = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
        return [shell, shell[::-1] * 0.45]  # the hole runs clockwise
    if kind == "ngon":
        k = int(rng.integers(5, 9))
        ang = np.linspace(0, 2 * np.pi, k, endpoint=False) + rng.uniform(0, np.pi)
        r = min(w, h) / 2 * (1 + rng.uniform(-0.08, 0.08, k))
        return [np.column_stack([r * np.cos(ang), r * np.sin(ang)])]
    return [np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2]


def _building_props(i: int, rng: np.random.Generator) -> dict[str, Any]:
    """OSM-like tags with every height spelling the loader has to understand."""
    props: dict[str, Any] = {
        "building": BUILDING_TYPES[rng.choice(len(BUILDING_TYPES), p=BUILDING_WEIGHTS)]
    }
    mode = rng.random()
    if mode < 0.35:
        props["height"] = round(float(rng.uniform(6, 60)), 1)
    elif mode < 0.62:
        levels = int(rng.integers(1, 26))
        props["building:levels"] = levels if rng.random() < 0.7 else str(levels)
    elif mode < 0.80:
        h = float(rng.uniform(6, 40))
        props["height"] = f"{h:.0f} m" if rng.random() < 0.6 else f"{h:.1f}"
    # else: no height at all; the type's default applies
    if rng.random() < 0.05:
        props["name"] = f"Building {i}"
    return props


def synthetic_district(n_buildings: int, seed: int = 518) -> dict[str, Any]:
    """A deterministic FeatureCollection: ``n_buildings`` on a grid of blocks, roads between
    the blocks (one LineString per block edge, as OSM ways between junctions) and parks."""
    rng = np.random.default_rng(seed)
    per_block = LOTS[0] * LOTS[1]
    blocks = math.ceil(n_buildings / per_block * PARK_EVERY / (PARK_EVERY - 1)) + 1
    cols = max(1, math.ceil(math.sqrt(blocks * PITCH[1] / PITCH[0])))
    rows = math.ceil(blocks / cols)
    x0, y0 = -cols * PITCH[0] / 2, -rows * PITCH[1] / 2
    features: list[dict[str, Any]] = []
    placed = 0
    for k in range(rows * cols):
        r, c = divmod(k, cols)
        bx, by = x0 + c * PITCH[0] + STREET / 2, y0 + r * PITCH[1] + STREET / 2
        if k % PARK_EVERY == PARK_EVERY // 2:
            inset = 3.0
            shell = np.array([[bx + inset, by + inset], [bx + BLOCK[0] - inset, by + inset],
                              [bx + BLOCK[0] - inset, by + BLOCK[1] - inset],
                              [bx + inset, by + BLOCK[1] - inset]])
            tags = {"leisure": "park", "name": f"Park {k}"} if k % 3 else {"landuse": "grass"}
            features.append({"type": "Feature", "id": f"p{k}", "properties": tags,
                             "geometry": {"type": "Polygon", "coordinates": [_ring(shell)]}})
            continue
        for lot in range(per_block):
            if placed == n_buildings:
                break
            lx, ly = divmod(lot, LOTS[1])
            centre = np.array([bx + (lx + 0.5) * LOT, by + (ly + 0.5) * LOT])
            centre += rng.uniform(-1.5, 1.5, 2)
            kind = SHAPES[rng.choice(len(SHAPES), p=SHAPE_WEIGHTS)]
            w, h = rng.uniform(10, 24, 2)
            theta = math.radians(rng.uniform(-6, 6))
            cos, sin = math.cos(theta), math.sin(theta)
            rot = np.array([[cos, sin], [-sin, cos]])  # row vectors: xy @ rot turns CCW
            rings = [_ring(ring @ rot + centre) for ring in _footprint(kind, w, h, rng)]
            features.append({"type": "Feature", "id": f"b{placed}",
                             "properties": _building_props(placed, rng),
                             "geometry": {"type": "Polygon", "coordinates": rings}})
            placed += 1
    if placed < n_buildings:  # cannot happen with the block estimate above; guard anyway
        raise RuntimeError(f"synthetic grid too small: {placed} of {n_buildings} buildings")
    features.extend(_roads(rows, cols, x0, y0, rng))
    return {"type": "FeatureCollection", "features": features}


def _roads(
    rows: int, cols: int, x0: float, y0: float, rng: np.random.Generator
) -> Iterator[dict[str, Any]]:
    """Street segments along every block edge, classed by their grid line."""
    def road(i: int, line: int, a: np.ndarray, b: np.ndarray, normal: np.ndarray) -> dict:
        mid = (a + b) / 2 + normal * rng.uniform(-1.5, 1.5)
        if line % 6 == 0:
            tags: dict[str, Any] = {"highway": "primary", "lanes": "4", "name": f"Daero {line}"}
        elif line % 3 == 0:
            tags = {"highway": "secondary", "name": f"Ro {line}"}
        elif rng.random() < 0.1:
            tags = {"highway": "service", "width": "4 m"}
        else:
            tags = {"highway": "residential"}
        return {"type": "Feature", "id": f"r{i}", "properties": tags,
                "geometry": {"type": "LineString", "coordinates": _lonlat(np.array([a, mid, b]))}}

    i = 0
    for r in range(rows + 1):  # east-west streets
        y = y0 + r * PITCH[1]
        for c in range(cols):
            a, b = np.array([x0 + c * PITCH[0], y]), np.array([x0 + (c + 1) * PITCH[0], y])
            yield road(i, r, a, b, np.array([0.0, 1.0]))
            i += 1
    for c in range(cols + 1):  # north-south streets
        x = x0 + c * PITCH[0]
        for r in range(rows):
            a, b = np.array([x, y0 + r * PITCH[1]]), np.array([x, y0 + (r + 1) * PITCH[1]])
            yield road(i, c, a, b, np.array([1.0, 0.0]))
            i += 1


def write_district(path: Path, n_buildings: int) -> dict[str, int]:
    """Write the synthetic district to ``path``; returns feature counts by kind (untimed)."""
    doc = synthetic_district(n_buildings)
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    counts = {"buildings": 0, "roads": 0, "parks": 0}
    for feat in doc["features"]:
        key = {"b": "buildings", "r": "roads", "p": "parks"}[feat["id"][0]]
        counts[key] += 1
    counts["bytes"] = path.stat().st_size
    return counts
