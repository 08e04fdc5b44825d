"""The pavilion kit shared by ``pavilion`` and the sector modules (pure numpy).

Holds what every pavilion builder stands on: the site frame (``Site``: size, heading, accent
colour, the zone a building may take and its height scale), the record a builder returns
(``Model``), the palette of materials, and a few small polygon and colour helpers. It imports
none of the pavilion modules, so they can all import it without a cycle.

Site coordinates: u to the right of the front, v to the front, z up, origin at the site centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.shapes import prism

#: Top of the paved plaza; everything built stands on it.
PLAZA_TOP = 0.3
#: The largest footprint (width, depth; metres) a pavilion building takes, however big the site.
MAX_ZONE = (84.0, 64.0)

# The palette of materials: architecture is mostly white; the sector colour is the accent.

WHITE = np.array([244, 243, 238, 255], np.uint8)
ROOF = np.array([226, 226, 222, 255], np.uint8)
STONE = np.array([206, 202, 192, 255], np.uint8)
PAVING = np.array([186, 180, 168, 255], np.uint8)
GLASS = np.array([122, 162, 192, 255], np.uint8)
DARK_GLASS = np.array([62, 84, 108, 255], np.uint8)
STEEL = np.array([150, 156, 164, 255], np.uint8)
METAL = np.array([190, 196, 204, 255], np.uint8)
DARK = np.array([66, 70, 78, 255], np.uint8)
ASPHALT = np.array([78, 82, 90, 255], np.uint8)
SOLAR = np.array([30, 52, 112, 255], np.uint8)
GREENERY = np.array([112, 168, 92, 255], np.uint8)


# --- the site frame and what a builder returns ------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A pavilion site: width ``w`` and depth ``d`` (metres), compass ``heading`` of its front
    and the sector ``accent`` colour."""

    w: float
    d: float
    heading: float
    accent: np.ndarray  # uint8 RGBA

    @property
    def margin(self) -> float:
        """The strip kept clear along the site edges."""
        return max(2.5, 0.05 * min(self.w, self.d))

    @property
    def zone(self) -> tuple[float, float, float, float]:
        """(u0, u1, v0, v1): where the building may stand, leaving a forecourt at the front.
        On a very large site the building keeps a pavilion's size and the plaza grows."""
        m = self.margin
        half_w = min(self.w / 2 - m, MAX_ZONE[0] / 2)
        v1 = self.d / 2 - 0.27 * self.d
        return -half_w, half_w, max(-self.d / 2 + m, v1 - MAX_ZONE[1]), v1

    @property
    def k(self) -> float:
        """Height scale: larger sites get slightly taller buildings; every main mass stays
        within 18-40 m, so a pavilion holds its own among 5-12 storey blocks."""
        return float(np.clip(math.sqrt(self.w * self.d) / 70.0, 1.0, 1.1))

    @property
    def gate_width(self) -> float:
        """The clear width between the gate pylons."""
        return float(np.clip(0.2 * self.w, 9.0, 16.0))

    def tint(self, t: float) -> np.ndarray:
        """The accent mixed with white by ``t`` (0 = accent, 1 = white)."""
        out = self.accent.astype(np.float64)
        out[:3] += (255.0 - out[:3]) * t
        return out.astype(np.uint8)

    def shade(self, f: float) -> np.ndarray:
        """The accent darkened to ``f`` of its brightness."""
        out = self.accent.astype(np.float64)
        out[:3] *= f
        return out.astype(np.uint8)


@dataclass
class Model:
    """What a sector builder returns, in site coordinates."""

    parts: list[MeshBatch]
    core: np.ndarray  # (k, 2) site coordinates
    top: float  # top of the main building mass


# --- small polygon helpers --------------------------------------------------------------------

def rect(u0: float, u1: float, v0: float, v1: float) -> np.ndarray:
    """The CCW axis-aligned rectangle ``u0..u1`` x ``v0..v1``."""
    return np.array([[u0, v0], [u1, v0], [u1, v1], [u0, v1]], np.float64)


def rounded(cu: float, cv: float, hw: float, hd: float, r: float, n: int = 8) -> np.ndarray:
    """A CCW rounded rectangle (a stadium when ``r`` is the smaller half-size)."""
    r = min(r, hw, hd)
    pts = []
    for (sx, sy), a0 in zip([(1, -1), (1, 1), (-1, 1), (-1, -1)], [-90, 0, 90, 180], strict=True):
        a = np.radians(a0 + np.linspace(0, 90, n + 1))
        pts.append(np.column_stack([cu + sx * (hw - r) + r * np.cos(a),
                                    cv + sy * (hd - r) + r * np.sin(a)]))
    out = np.concatenate(pts)
    keep = np.ones(len(out), bool)
    keep[1:] = np.hypot(*(out[1:] - out[:-1]).T) > 1e-6  # corners touch when r == hw or hd
    return out[keep]


def grow(poly: np.ndarray, by: float) -> shapely.Polygon:
    """``poly`` offset outwards by ``by`` (inwards if negative) with mitred corners."""
    return shapely.Polygon(poly).buffer(by, join_style="mitre", mitre_limit=4.0)


def strip(poly: np.ndarray, outside: float, inside: float) -> shapely.Polygon:
    """The strip between ``poly`` offset by ``outside`` and by ``inside`` (``inside`` <
    ``outside``; negative offsets shrink it): a band, a kerb or a painted line around it."""
    ring = grow(poly, outside).difference(grow(poly, inside))
    # The kit's footprints are convex or gently rounded: offset both ways, they leave one
    # polygon with one hole.
    assert isinstance(ring, shapely.Polygon)
    return ring


def band(poly: np.ndarray, z0: float, z1: float, color: np.ndarray, out: float = 0.15,
         inset: float = 0.3) -> MeshBatch:
    """A ring standing ``out`` proud of the walls of ``poly`` and reaching ``inset`` inside
    them: a stripe or ribbon window on a facade, or above the roof a parapet. Being a ring,
    it adds no hidden floor-sized caps inside the building."""
    return prism(strip(poly, out, -inset), z0, z1, color)


def exterior(poly: shapely.Polygon) -> np.ndarray:
    """The CCW outer ring, without the closing repeat."""
    ring = shapely.orient_polygons(poly).exterior
    return np.asarray(ring.coords, np.float64)[:-1]


def outline(polys: list[np.ndarray]) -> np.ndarray:
    """CCW outline of the union of footprints (their hull if they do not touch)."""
    union = shapely.union_all([shapely.Polygon(p) for p in polys])
    if not isinstance(union, shapely.Polygon):
        union = union.convex_hull
    assert isinstance(union, shapely.Polygon)  # footprints have area, so their hull has too
    return exterior(union)


# --- colour helpers ---------------------------------------------------------------------------

def gradient(stops: np.ndarray, t: np.ndarray) -> np.ndarray:
    """RGB at positions ``t`` (0..1) along evenly spaced colour ``stops``."""
    x = np.clip(t, 0.0, 1.0) * (len(stops) - 1)
    i = np.minimum(x.astype(int), len(stops) - 2)
    f = (x - i)[:, None]
    return stops[i] * (1 - f) + stops[i + 1] * f


def painted(batch: MeshBatch, rgb: np.ndarray) -> MeshBatch:
    """Colour a batch of equal pieces (e.g. ``boxes``) one RGB each, in order."""
    per = batch.vertex_count // len(rgb)
    batch.colors[:, :3] = np.repeat(np.round(rgb), per, axis=0).astype(np.uint8)
    return batch

