"""Cutting parcels into building footprints (metres): rows of lots along a parcel's long
sides, perimeter blocks round a courtyard, and repeated outlines on a best-fitting grid.

Every random draw comes from the generator passed in, in a fixed order, so a seed gives the
same footprints every time.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from .shapes import inside, oriented_shapes


def lot_boxes(
    parcel: BaseGeometry,
    rng: np.random.Generator,
    frontage: tuple[float, float],
    depth: float,
    setback: tuple[float, float],
    min_side: float,
) -> np.ndarray:
    """Cut a parcel's bounding box into rows of lots fronting its long sides; return the
    building boxes (n, 4: xmin, ymin, xmax, ymax), each a lot shrunk by random setbacks."""
    x0, y0, x1, y1 = parcel.bounds
    flip = (y1 - y0) > (x1 - x0)
    length, breadth = (y1 - y0, x1 - x0) if flip else (x1 - x0, y1 - y0)
    rows = max(1, round(breadth / depth))
    row_edges = np.linspace(0.0, breadth, rows + 1)
    lots = []
    for r in range(rows):
        widths = rng.uniform(frontage[0], frontage[1], size=int(length // frontage[0]) + 2)
        edges = np.concatenate([[0.0], np.cumsum(widths)])
        edges = np.append(edges[edges < length - frontage[0] / 2], length)
        n = len(edges) - 1
        lots.append(
            np.column_stack(
                [edges[:-1], np.full(n, row_edges[r]), edges[1:], np.full(n, row_edges[r + 1])]
            )
        )
    u0, v0, u1, v1 = np.vstack(lots).T
    s = rng.uniform(setback[0], setback[1], size=(4, len(u0)))
    u0, v0, u1, v1 = u0 + s[0], v0 + s[1], u1 - s[2], v1 - s[3]
    keep = (u1 - u0 >= min_side) & (v1 - v0 >= min_side)
    u0, v0, u1, v1 = u0[keep], v0[keep], u1[keep], v1[keep]
    if flip:
        return np.column_stack([x0 + v0, y0 + u0, x0 + v1, y0 + u1])
    return np.column_stack([x0 + u0, y0 + v0, x0 + u1, y0 + v1])


def courtyard_block(parcel: BaseGeometry, rng: np.random.Generator) -> Polygon | None:
    """A perimeter block with an inner courtyard filling a rectangular parcel, if it fits."""
    x0, y0, x1, y1 = parcel.bounds
    if x1 - x0 < 55 or y1 - y0 < 45 or parcel.area < 0.97 * (x1 - x0) * (y1 - y0):
        return None
    s = float(rng.uniform(1.5, 3.0))
    d = float(rng.uniform(12.0, 16.0))
    outer = shapely.box(x0 + s, y0 + s, x1 - s, y1 - s)
    court = shapely.box(x0 + s + d, y0 + s + d, x1 - s - d, y1 - s - d)
    ring = Polygon(outer.exterior.coords, [court.exterior.coords])
    return ring if parcel.contains_properly(ring) else None


def fit_grid(
    buildable: BaseGeometry,
    outline: np.ndarray,
    angle: float,
    row_pitch: float,
    col_pitch: float,
) -> np.ndarray:
    """Footprints on a (rotated, staggered) grid inside ``buildable``; of a few grid
    phases, the one that fits the most."""
    c = buildable.centroid
    x0, y0, x1, y1 = buildable.bounds
    reach = max(x1 - x0, y1 - y0) / 2 + 2 * col_pitch
    a = math.radians(angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    best = np.array([])
    for fu, fv in ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5), (0.25, 0.25)):
        v = np.arange(-reach, reach, row_pitch) + fv * row_pitch
        u = np.arange(-reach, reach, col_pitch) + fu * col_pitch
        uu, vv = np.meshgrid(u, v)
        uu = uu + (np.arange(len(v))[:, None] % 2) * col_pitch * 0.25
        local = np.column_stack([uu.ravel(), vv.ravel()])
        centres = local @ rot.T + np.array([c.x, c.y])
        kept = inside(buildable, oriented_shapes(centres, outline, angle))
        if len(kept) > len(best):
            best = kept
    return best
