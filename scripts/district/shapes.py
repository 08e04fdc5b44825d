"""Shape helpers (metres, pure shapely and numpy): rectangles, ellipses, building outlines,
the parts of an overlay and the footprints that fit inside a region."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry


def rect(cx: float, cy: float, w: float, h: float) -> Polygon:
    """An axis-aligned w x h rectangle centred on (cx, cy)."""
    return shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def parts(geom: BaseGeometry, min_size: float = 0.0) -> list[BaseGeometry]:
    """Split a geometry into its non-empty parts, keeping those above ``min_size`` (area/length)."""
    out = []
    for g in shapely.get_parts(geom):
        if g.is_empty:
            continue
        size = g.area if g.geom_type == "Polygon" else g.length
        if size > min_size:
            out.append(g)
    return out


def oriented_shapes(centres: np.ndarray, outline: np.ndarray, angle_deg: float) -> np.ndarray:
    """Copies of one outline (k, 2), rotated by ``angle_deg`` and moved to each centre (n, 2)."""
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    ring = outline @ rot.T
    return shapely.polygons(centres[:, None, :] + ring[None, :, :])


def box_outline(length: float, depth: float) -> np.ndarray:
    """Corners of a length x depth rectangle around the origin, counter-clockwise."""
    u, v = length / 2, depth / 2
    return np.array([[-u, -v], [u, -v], [u, v], [-u, v]])


def plus_outline(arm: float, half_width: float) -> np.ndarray:
    """A plus-shaped tower outline (arm: centre to tip), counter-clockwise."""
    a, b = arm, half_width
    return np.array(
        [
            [-b, -a],
            [b, -a],
            [b, -b],
            [a, -b],
            [a, b],
            [b, b],
            [b, a],
            [-b, a],
            [-b, b],
            [-a, b],
            [-a, -b],
            [-b, -b],
        ]
    )


def ellipse(cx: float, cy: float, w: float, h: float, n: int = 36) -> Polygon:
    """An ellipse of width w and height h as a polygon."""
    t = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    return Polygon(np.column_stack([cx + w / 2 * np.cos(t), cy + h / 2 * np.sin(t)]))


def inside(region: BaseGeometry, geoms: np.ndarray) -> np.ndarray:
    """The geometries lying strictly inside ``region``."""
    geoms = np.asarray(geoms)
    if len(geoms) == 0:
        return geoms
    shapely.prepare(region)
    return geoms[shapely.contains_properly(region, geoms)]
