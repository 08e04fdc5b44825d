"""The shape of an OGC 3D Tiles 1.1 tileset over the bake's quadtree, and where it stands on
the Earth.

The tree: a node per quadtree cell on the way to the leaves. A far group's node draws its
block hulls (level 2); a leaf's node draws its simplified level 1 and has one child, the same
cell at full detail (level 0), whose geometric error is 0. Cells between carry no content.
Refinement is REPLACE throughout: a parent's content gives way to its children's.

Geometric errors: the root gets about the city's extent / 100, each level of the quadtree half
its parent's; a tile's own measured error (docs/tiles.md) wins where it is larger, and a
parent is always above its children (a parent no larger than a child is raised above it by
its level's step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyproj import Transformer

Box = tuple[float, float, float, float, float, float]


@dataclass
class Node:
    """One tile of the tileset: its quadtree key, its content (level and box) if it draws
    one, and its children."""

    key: str
    box: Box
    level: int | None = None
    own_error: float = 0.0
    children: list[Node] = field(default_factory=list)
    error: float = 0.0

    @property
    def depth(self) -> int:
        return len(self.key.split("/")[0]) - 1

    def content_name(self) -> str:
        """The file of its content, relative to the tileset."""
        return f"tiles/{self.key.replace('/', '-')}-L{self.level}.glb"

    def walk(self) -> list[Node]:
        """This node and every node below it, parents first."""
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


def union(boxes: list[Box]) -> Box:
    """The box holding all of ``boxes``."""
    a = np.array(boxes, float)
    return (float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].min()),
            float(a[:, 3].max()), float(a[:, 4].max()), float(a[:, 5].max()))


def assign_errors(root: Node, extent: float) -> None:
    """Geometric errors as the module says, leaves at full detail 0."""
    top = max(extent, 1.0) / 100.0

    def visit(node: Node) -> float:
        below = [visit(c) for c in node.children]
        if node.level == 0:
            node.error = 0.0
            return 0.0
        err = max(top / 2 ** node.depth, node.own_error)
        if below and err <= max(below):
            # Above the largest child by this level's step: strictly larger, without the
            # doubling per level that would inflate the root's error up a deep tree.
            err = max(below) + top / 2 ** node.depth
        node.error = float(err)
        return node.error

    visit(root)


def padded(box: Box, least: float = 1.0) -> Box:
    """``box`` grown about its centre to at least ``least`` metres on each side, so a tile of
    flat ground still has a volume (done before parents' boxes are joined, so they hold it)."""
    lo, hi = np.array(box[:3], float), np.array(box[3:], float)
    grow = np.maximum(least - (hi - lo), 0.0) / 2
    lo, hi = lo - grow, hi + grow
    return (float(lo[0]), float(lo[1]), float(lo[2]), float(hi[0]), float(hi[1]), float(hi[2]))


@dataclass(frozen=True)
class Bend:
    """How far the Earth's surface falls below the plane touching the ellipsoid at the
    origin: ``(x² / N + y² / M) / 2`` metres at (x east, y north), with M and N the
    ellipsoid's radii of curvature along the meridian and the prime vertical there (Euler's
    theorem: the radius in a direction is 1 / (cos² / M + sin² / N)). Lowering every vertex
    by it puts the ground back on the ellipsoid, to a few millimetres within 15 km (checked
    against pyproj's ECEF-to-geodetic conversion in tests/pure/test_export_tileset.py);
    without it a flat tileset floats 8 m up 10 km out."""

    m: float
    n: float

    @staticmethod
    def at(lat: float) -> Bend:
        """The radii of the WGS84 ellipsoid at latitude ``lat`` (degrees)."""
        a, e2 = 6378137.0, 0.00669437999014
        w = 1 - e2 * math.sin(math.radians(lat)) ** 2
        return Bend(a * (1 - e2) / w ** 1.5, a / math.sqrt(w))

    def drop(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The fall (metres, positive down) at local ``x``, ``y``."""
        return 0.5 * (np.square(x) / self.n + np.square(y) / self.m)

    def box(self, box: Box) -> Box:
        """``box`` lowered by the fall over its footprint: by the most at its bottom, the
        least at its top (the fall grows away from the origin, so its corners and the
        point nearest the origin bound it)."""
        x0, y0, z0, x1, y1, z1 = box
        xs, ys = np.array([x0, x1, x0, x1]), np.array([y0, y0, y1, y1])
        most = float(self.drop(xs, ys).max())
        least = float(self.drop(np.clip(0.0, x0, x1), np.clip(0.0, y0, y1)))
        return (x0, y0, z0 - most, x1, y1, z1 - least)


def bounding_box(box: Box) -> list[float]:
    """A 3D Tiles ``box`` (centre, then three half-axes) of an axis-aligned box in the local
    frame (x east, y north, z up)."""
    x0, y0, z0, x1, y1, z1 = box
    return [(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2,
            (x1 - x0) / 2, 0.0, 0.0, 0.0, (y1 - y0) / 2, 0.0, 0.0, 0.0, (z1 - z0) / 2]


def enu_to_ecef(lon: float, lat: float, height: float = 0.0) -> list[float]:
    """The 4x4 matrix (column-major, as 3D Tiles wants) taking local east-north-up metres at
    (lon, lat, height on the WGS84 ellipsoid) to Earth-centred Earth-fixed metres."""
    to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    x, y, z = to_ecef.transform(lon, lat, height)
    lam, phi = math.radians(lon), math.radians(lat)
    east = (-math.sin(lam), math.cos(lam), 0.0)
    north = (-math.sin(phi) * math.cos(lam), -math.sin(phi) * math.sin(lam), math.cos(phi))
    up = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
    return [*east, 0.0, *north, 0.0, *up, 0.0, float(x), float(y), float(z), 1.0]


def tile_json(node: Node) -> dict[str, Any]:
    """The tileset JSON of ``node`` and everything below it."""
    # Half-axes rounded up to the millimetre, so the written box still holds the content.
    box = bounding_box(node.box)
    box = [round(v, 3) for v in box[:3]] + [math.ceil(v * 1000 + 0.5) / 1000 if v else 0.0
                                            for v in box[3:]]
    out: dict[str, Any] = {"boundingVolume": {"box": box},
                           "geometricError": round(node.error, 3), "refine": "REPLACE"}
    if node.level is not None:
        out["content"] = {"uri": node.content_name()}
    if node.children:
        out["children"] = [tile_json(c) for c in node.children]
    return out
