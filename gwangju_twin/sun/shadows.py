"""Shadow prisms: the shadow a building casts on a level plane, for a sun position.

A building is a prism (its footprint extruded to its height). With the sun at azimuth A and
elevation E, a point of the prism at height h over a plane at height z casts its shadow
(h - z) / tan(E) away from the sun. The prism's shadow on the plane is therefore the footprint
swept along the vector v = -(h - z) / tan(E) * (sin A, cos A): the Minkowski sum of the
footprint and the segment [0, v]. That sum is exactly the union of the footprint, the
footprint moved by v, and the quadrilateral each boundary edge sweeps (a point the moving
footprint covers at some instant is inside it at the start or the end, or a boundary edge
crossed it on the way). Fewer pieces do: the footprint moved by v and the quads of the edges
that face the sun. Why: if x is in P + t v but not in P + v, the point x - s v leaves P for
some s in [t, 1], moving along -v (towards the sun), so it leaves through an edge whose
outward normal n has n . v < 0, a sun-facing edge e, and x lies in e + s v, that edge's quad.
The same with t = 0 covers the footprint itself.

Everything is built for whole arrays of buildings at once with shapely 2's vectorised
functions: the parts (:func:`shadow_parts`) come from one coordinate array; the union per
building (:func:`building_shadows`) is one ``union_all`` over a padded 2-D array. A point is in
a building's shadow exactly when it is in one of its parts, which is what the sunlight check
(:mod:`gwangju_twin.sun.sunlight`) asks of an STRtree of the parts, without any union.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from gwangju_twin.sun.position import SunPosition

#: The longest shadow drawn, in metres. At an elevation of a few hundredths of a degree a
#: shadow is kilometres long; past this it is the night's business, not a shadow's.
MAX_SHADOW = 10_000.0


def shadow_vectors(
    heights: np.ndarray, position: SunPosition, z: float = 0.0
) -> np.ndarray:
    """Each building's shadow displacement on the plane at height ``z``: an (n, 2) array,
    pointing away from the sun, of length (h - z) / tan(elevation) (0 where h <= z).

    The sun must be up (``position.up``); a sun below the horizon casts no shadow to draw.
    """
    if not position.up:
        raise ValueError(f"the sun is below the horizon ({position.elevation_deg:.2f} deg)")
    rise = np.clip(np.asarray(heights, dtype=float) - z, 0.0, None)
    length = np.minimum(rise / math.tan(math.radians(position.elevation_deg)), MAX_SHADOW)
    az = math.radians(position.azimuth_deg)
    away = np.array([-math.sin(az), -math.cos(az)])
    return length[:, None] * away[None, :]


def shadow_parts(
    footprints: np.ndarray, heights: np.ndarray, position: SunPosition, z: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """The pieces whose union is each building's shadow on the plane at height ``z``.

    Returns ``(parts, owner)``: polygons (each footprint polygon moved by the shadow vector,
    and one quadrilateral per sun-facing boundary edge, the module's docstring says why that
    is enough) and the index into ``footprints`` of the building each belongs to. Buildings
    no taller than ``z`` (or with a NaN height or an empty footprint) have no parts.
    Footprints are Polygons or MultiPolygons.
    """
    footprints = np.asarray(footprints, dtype=object)
    heights = np.asarray(heights, dtype=float)
    tall = np.flatnonzero((np.nan_to_num(heights, nan=-np.inf) > z)
                          & ~shapely.is_empty(footprints) & ~shapely.is_missing(footprints))
    if len(tall) == 0 or not position.up:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    vec = shadow_vectors(heights[tall], position, z)
    # Exterior rings counter-clockwise, holes clockwise: every edge's outside is on its right.
    polys, which = shapely.get_parts(shapely.orient_polygons(footprints[tall]),
                                     return_index=True)
    owner = tall[which]
    move = vec[which]
    # The footprint moved by its shadow vector: one coordinate array for all of them.
    coords, cidx = shapely.get_coordinates(polys, return_index=True)
    moved = shapely.set_coordinates(polys.copy(), coords + move[cidx])
    # One quad per sun-facing edge of every ring (holes too: a courtyard fills with shadow).
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    rc, ridx = shapely.get_coordinates(rings, return_index=True)
    same = ridx[:-1] == ridx[1:]
    a, b = rc[:-1][same], rc[1:][same]
    edge_poly = ring_poly[ridx[:-1][same]]
    v = move[edge_poly]
    d = b - a
    facing = d[:, 1] * v[:, 0] - d[:, 0] * v[:, 1] < 0.0  # outward normal (dy, -dx) . v < 0
    a, b, v, edge_poly = a[facing], b[facing], v[facing], edge_poly[facing]
    quads = shapely.polygons(np.stack([a, b, b + v, a + v, a], axis=1))
    parts = np.concatenate([moved, quads])
    owners = np.concatenate([owner, owner[edge_poly]])
    return parts, owners


def building_shadows(
    footprints: np.ndarray, heights: np.ndarray, position: SunPosition, z: float = 0.0
) -> np.ndarray:
    """Each building's shadow on the plane at height ``z`` as one geometry (footprint
    included), an object array aligned with ``footprints``; empty where there is none."""
    n = len(footprints)
    out = np.full(n, shapely.Polygon(), dtype=object)
    parts, owner = shadow_parts(footprints, heights, position, z)
    if len(parts) == 0:
        return out
    # Pad the parts into rows, one per building, and union each row in one call (GEOS runs
    # the loop; None entries are ignored).
    order = np.argsort(owner, kind="stable")
    owner, parts = owner[order], parts[order]
    ids, start, counts = np.unique(owner, return_index=True, return_counts=True)
    slot = np.arange(len(owner)) - np.repeat(start, counts)
    grid = np.full((len(ids), int(counts.max())), None, dtype=object)
    grid[np.repeat(np.arange(len(ids)), counts), slot] = parts
    out[ids] = shapely.union_all(grid, axis=1)
    return out
