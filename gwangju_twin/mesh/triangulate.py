"""Triangulating polygon parts with holes: a vectorised fan for convex rings, earcut otherwise."""

from __future__ import annotations

import mapbox_earcut
import numpy as np
import shapely


def polygon_vertices(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ring vertices of polygon parts without the closing repeat.

    Returns ``(xy, ring_of_vertex, part_of_ring)``.
    """
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    # Drop the closing vertex of every ring (the last coordinate of each ring index).
    last = np.ones(len(coords), bool)
    last[:-1] = ring_of[1:] != ring_of[:-1]
    return coords[~last], ring_of[~last], part_of_ring


def triangulate(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Triangulate polygon parts (oriented, holes allowed).

    Returns ``(xy, part_of_vertex, triangles, part_of_triangle)`` where ``triangles`` index
    ``xy`` and run counter-clockwise seen from above.
    """
    xy, ring_of, part_of_ring = polygon_vertices(parts)
    n_rings = len(part_of_ring)
    ring_len = np.bincount(ring_of, minlength=n_rings)
    ring_start = np.concatenate([[0], np.cumsum(ring_len)[:-1]]).astype(np.int64)
    rings_per_part = np.bincount(part_of_ring, minlength=len(parts))
    part_of_vertex = part_of_ring[ring_of]

    convex = _convex_rings(xy, ring_of, ring_start, ring_len)
    simple = (rings_per_part == 1)[part_of_ring] & convex  # per ring; shells only when simple
    # Fan triangulation for convex single-ring parts, all at once.
    fan_rings = np.flatnonzero(simple & (ring_len >= 3))
    n_tri = ring_len[fan_rings] - 2
    ring_rep = np.repeat(fan_rings, n_tri)
    k = np.arange(n_tri.sum()) - np.repeat(np.cumsum(n_tri) - n_tri, n_tri)
    base = ring_start[ring_rep]
    fan = np.column_stack([base, base + k + 1, base + k + 2])
    tris = [fan]
    owners = [part_of_ring[ring_rep]]
    # Earcut for the rest (concave shells and parts with holes).
    hard_parts = np.unique(part_of_ring[~simple])
    if len(hard_parts):
        first_ring = np.concatenate([[0], np.cumsum(rings_per_part)[:-1]])
        for part in hard_parts:
            r0 = first_ring[part]
            r1 = r0 + rings_per_part[part]
            v0 = ring_start[r0]
            v1 = ring_start[r1 - 1] + ring_len[r1 - 1]
            ends = (np.cumsum(ring_len[r0:r1])).astype(np.uint32)
            local = mapbox_earcut.triangulate_float64(xy[v0:v1], ends)
            if len(local):
                tris.append(local.reshape(-1, 3).astype(np.int64) + v0)
                owners.append(np.full(len(local) // 3, part))
    triangles = np.concatenate(tris) if tris else np.zeros((0, 3), np.int64)
    tri_part = np.concatenate(owners) if owners else np.zeros(0, np.int64)
    # Earcut does not promise an orientation; make every triangle face up.
    a, b, c = xy[triangles[:, 0]], xy[triangles[:, 1]], xy[triangles[:, 2]]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    flip = cross < 0
    triangles[flip] = triangles[flip][:, [0, 2, 1]]
    # Zero-area triangles stay: earcut uses them to bridge holes, and dropping them would
    # open seams in otherwise watertight roofs.
    return xy, part_of_vertex, triangles, tri_part


def _convex_rings(
    xy: np.ndarray, ring_of: np.ndarray, ring_start: np.ndarray, ring_len: np.ndarray
) -> np.ndarray:
    """True for rings that turn left (or go straight) at every vertex."""
    idx = np.arange(len(xy))
    start = ring_start[ring_of]
    length = ring_len[ring_of]
    nxt = start + (idx - start + 1) % length
    prv = start + (idx - start - 1) % length
    e1 = xy[idx] - xy[prv]
    e2 = xy[nxt] - xy[idx]
    cross = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    scale = np.hypot(e1[:, 0], e1[:, 1]) * np.hypot(e2[:, 0], e2[:, 1])
    reflex = cross < -1e-9 * np.maximum(scale, 1e-12)
    return np.bincount(ring_of, weights=reflex, minlength=len(ring_len)) == 0
