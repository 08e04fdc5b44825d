"""Triangulating polygon parts with holes: a vectorised fan for convex rings, earcut otherwise."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class Triangulation:
    """Roof (or flat-area) triangles of polygon parts, over their ring vertices.

    ``xy`` holds every ring vertex once (no closing repeat), ring after ring; ``triangles``
    index it and run counter-clockwise seen from above.
    """

    xy: np.ndarray  # float64 (n, 2)
    ring_of_vertex: np.ndarray  # int64 (n,)
    part_of_vertex: np.ndarray  # int64 (n,)
    ring_len: np.ndarray  # int64, vertices per ring
    triangles: np.ndarray  # int64 (m, 3)
    part_of_triangle: np.ndarray  # int64 (m,)


def triangulate(parts: np.ndarray) -> Triangulation:
    """Triangulate polygon parts (oriented, holes allowed)."""
    xy, ring_of, part_of_ring = polygon_vertices(parts)
    n_rings = len(part_of_ring)
    ring_len = np.bincount(ring_of, minlength=n_rings)
    ring_end = np.cumsum(ring_len)
    ring_start = ring_end - ring_len
    rings_per_part = np.bincount(part_of_ring, minlength=len(parts))
    part_of_vertex = part_of_ring[ring_of]

    spikes = _spikes(xy, ring_of, ring_start, ring_len)
    convex = _convex_rings(xy, ring_of, ring_start, ring_len) & ~(
        np.bincount(ring_of, weights=spikes, minlength=n_rings) > 0)
    simple = (rings_per_part == 1)[part_of_ring] & convex  # per ring; shells only when simple
    # Fan triangulation for convex single-ring parts, all at once.
    fan_rings = np.flatnonzero(simple & (ring_len >= 3))
    n_tri = ring_len[fan_rings] - 2
    ring_rep = np.repeat(fan_rings, n_tri)
    k = np.arange(n_tri.sum()) - np.repeat(np.cumsum(n_tri) - n_tri, n_tri)
    base = ring_start[ring_rep]
    tris = [np.column_stack([base, base + k + 1, base + k + 2])]
    owners = [part_of_ring[ring_rep]]
    # Earcut for the rest (concave shells and parts with holes), one call per part: the
    # loop only slices, and the results are offset and labelled all at once afterwards.
    hard_parts = np.unique(part_of_ring[~simple])
    if len(hard_parts):
        first_ring = np.concatenate([[0], np.cumsum(rings_per_part)[:-1]])
        r0 = first_ring[hard_parts]
        r1 = r0 + rings_per_part[hard_parts]
        v0 = ring_start[r0]
        v1 = ring_end[r1 - 1]
        ends = ring_end.astype(np.uint32)
        local = [
            _earcut(xy[a:b], ends[c:d] - np.uint32(a), spikes[a:b])
            for a, b, c, d in zip(v0.tolist(), v1.tolist(), r0.tolist(), r1.tolist(), strict=True)
        ]
        counts = np.fromiter((len(t) // 3 for t in local), np.int64, len(local))
        if counts.sum():
            flat = np.concatenate(local).astype(np.int64).reshape(-1, 3)
            tris.append(flat + np.repeat(v0, counts)[:, None])
            owners.append(np.repeat(hard_parts, counts))
    triangles = np.concatenate(tris)
    tri_part = np.concatenate(owners)
    # Earcut does not promise an orientation; make every triangle face up.
    a, b, c = xy[triangles[:, 0]], xy[triangles[:, 1]], xy[triangles[:, 2]]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    flip = cross < 0
    triangles[flip] = triangles[flip][:, [0, 2, 1]]
    # Zero-area triangles stay: earcut uses them to bridge holes, fans over collinear
    # vertices make them, and dropping them would open seams in watertight roofs.
    return Triangulation(xy, ring_of, part_of_vertex, ring_len, triangles, tri_part)


def _earcut(xy: np.ndarray, ends: np.ndarray, spikes: np.ndarray) -> np.ndarray:
    """Earcut over one part's rings (``ends``: each ring's end), indices into ``xy``. The
    tips of spikes (a ring going out and straight back, no area) are left out of the roof:
    earcut cuts such a ring into triangles that overlap. Their walls stay."""
    if not spikes.any():
        return np.asarray(mapbox_earcut.triangulate_float64(xy, ends))
    keep = ~spikes
    starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
    kept = []
    for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        n = int(keep[a:b].sum())
        if n < 3:  # a ring that is all spike has no area
            if i == 0:
                return np.zeros(0, np.int64)  # the shell: nothing to cover
            keep[a:b] = False  # a hole: nothing to cut out
            continue
        kept.append(n)
    kept_ends = np.cumsum(kept)
    where = np.flatnonzero(keep)
    found = mapbox_earcut.triangulate_float64(xy[keep], kept_ends.astype(np.uint32))
    return where[np.asarray(found, np.int64)]


def _spikes(
    xy: np.ndarray, ring_of: np.ndarray, ring_start: np.ndarray, ring_len: np.ndarray
) -> np.ndarray:
    """True at the tip of a spike: the ring arrives and leaves along one line, in opposite
    directions (the cross product of the edges nil, their dot product negative)."""
    idx = np.arange(len(xy))
    start = ring_start[ring_of]
    length = ring_len[ring_of]
    e1 = xy[idx] - xy[start + (idx - start - 1) % length]
    e2 = xy[start + (idx - start + 1) % length] - xy[idx]
    cross = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    scale = np.hypot(e1[:, 0], e1[:, 1]) * np.hypot(e2[:, 0], e2[:, 1])
    return (np.abs(cross) <= 1e-9 * np.maximum(scale, 1e-12)) & ((e1 * e2).sum(axis=1) < 0.0)


def _convex_rings(
    xy: np.ndarray, ring_of: np.ndarray, ring_start: np.ndarray, ring_len: np.ndarray
) -> np.ndarray:
    """True for rings that turn left (or go straight on) at every vertex. A ring with a
    repeated vertex is not called convex: the zero-length edge there hides the turn at
    that corner (a concave corner would be fanned over), so earcut takes it (so does a ring
    with a spike, ``_spikes``)."""
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
    reflex |= np.hypot(e2[:, 0], e2[:, 1]) == 0.0
    return np.bincount(ring_of, weights=reflex, minlength=len(ring_len)) == 0
