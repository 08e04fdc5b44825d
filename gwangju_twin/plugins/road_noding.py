"""Turning road centre lines into the nodes and edges of a road graph.

This is the geometry behind ``gwangju_twin.plugins.roads.build_road_graph``: clean the input
lines, join road ends that nearly meet, extend dead ends that stop on another road's
carriageway onto its centre line, bend roads through the ends of roads that nearly reach them,
split every road where it meets another (``shapely.node``), merge ends that lie within the snap
tolerance into one node, and split loops so every edge joins two different nodes. It knows
nothing of ``RoadGraph``: ``node_road_lines`` returns plain arrays, and ``roads`` wraps them.
Pure (numpy and shapely only).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely


def node_road_lines(
    lines: Sequence[shapely.LineString | shapely.MultiLineString | None],
    widths: Sequence[float] | np.ndarray | None,
    snap: float,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The nodes and edges of the road network drawn by the centre lines ``lines``: see
    ``build_road_graph`` for what is joined and split, and for ``widths`` and ``snap``.

    Returns ``(nodes, edges, paths)``: (n, 2) node positions, (m, 2) int64 node indices at
    the two ends of each edge, and per edge its (k, 2) polyline from its first node to its
    second (k >= 2). Raises ValueError if ``widths`` does not hold one value per line.
    """
    geoms = np.asarray(list(lines) if not isinstance(lines, np.ndarray) else lines, object)
    half = np.zeros(len(geoms)) if widths is None else np.asarray(widths, np.float64) / 2
    if half.shape != (len(geoms),):
        raise ValueError(f"widths has {half.size} values for {len(geoms)} lines")
    half = np.where(np.isfinite(half) & (half > 0), half, 0.0)
    keep = ~shapely.is_missing(geoms) if len(geoms) else np.zeros(0, bool)
    geoms, half = geoms[keep], half[keep]
    if len(geoms):
        parts, source = shapely.get_parts(geoms, return_index=True)
        half = half[source]
        linear = np.isin(shapely.get_type_id(parts), (1, 2))  # LineString, LinearRing
        good = linear & ~shapely.is_empty(parts)
        good[good] = shapely.length(parts[good]) > 0
        parts, half = shapely.force_2d(parts[good]), half[good]
    else:
        parts = geoms
    if len(parts) == 0:
        return np.zeros((0, 2)), np.zeros((0, 2), np.int64), []

    parts = _join_close_ends(parts, snap)
    if half.any():
        parts = _extend_ends_onto_roads(parts, half, snap)
    parts = _join_ends_onto_roads(parts, snap)
    # Split every road where it meets another (shared, overlapping stretches are dissolved).
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(parts)))
    coords, _, first, last = _line_ends(noded)
    # Noding computes a crossing once for both roads, so ends meet exactly; merging within
    # ``snap`` still catches junctions a hair apart (e.g. a dual carriageway's two crossings).
    ends = np.concatenate([coords[first], coords[last]])
    labels = _clusters(ends, snap)
    node_ids, end_node = np.unique(labels, return_inverse=True)
    nodes = ends[node_ids]
    k = len(noded)
    coords[first], coords[last] = nodes[end_node[:k]], nodes[end_node[k:]]

    edges: list[tuple[int, int]] = []
    paths: list[np.ndarray] = []
    for i in range(k):
        path = dedupe(coords[first[i] : last[i] + 1])
        u, v = int(end_node[i]), int(end_node[k + i])
        if len(path) < 2:
            continue
        if u != v:
            edges.append((u, v))
            paths.append(path)
            continue
        # A loop (a ring road, a cul-de-sac turning circle) is split in two at the vertex
        # nearest its middle, so every edge joins two different nodes.
        if len(path) < 3:
            continue
        along = cumulative_lengths(path)
        mid = int(np.clip(np.argmin(np.abs(along - along[-1] / 2)), 1, len(path) - 2))
        nodes = np.vstack([nodes, path[mid]])
        w = len(nodes) - 1
        edges += [(u, w), (w, v)]
        paths += [path[: mid + 1], path[mid:]]
    # Keep only nodes that some edge uses (a road shorter than ``snap`` leaves none).
    pairs = np.asarray(edges, np.int64).reshape(-1, 2)
    used, pairs = np.unique(pairs, return_inverse=True)
    return nodes[used], pairs.reshape(-1, 2), paths


def _join_close_ends(parts: np.ndarray, snap: float) -> np.ndarray:
    """Move road ends that lie within ``snap`` of each other onto one shared point."""
    coords, index, first, last = _line_ends(parts)
    ends = np.concatenate([coords[first], coords[last]])
    joined = ends[_clusters(ends, snap)]
    if np.array_equal(joined, ends):
        return parts
    k = len(parts)
    coords[first], coords[last] = joined[:k], joined[k:]
    lines = shapely.linestrings(coords, indices=index)
    assert isinstance(lines, np.ndarray)  # indices given: always an array of lines
    return lines


def _extend_ends_onto_roads(parts: np.ndarray, half: np.ndarray, snap: float) -> np.ndarray:
    """Extend each dead end that lies on another road's carriageway (within its half width
    ``half`` plus ``snap`` of its centre line) straight onto the nearest such centre line."""
    coords, index, first, last = _line_ends(parts)
    k = len(parts)
    owner = np.concatenate([np.arange(k), np.arange(k)])
    points = shapely.points(np.concatenate([coords[first], coords[last]]))
    assert isinstance(points, np.ndarray)  # (n, 2) coordinates in, n points out
    tree = shapely.STRtree(parts)
    p, road = tree.query(points, predicate="dwithin", distance=snap)
    joined = np.zeros(len(points), np.bool_)
    joined[p[road != owner[p]]] = True  # already meets another road: not a dead end
    p, road = tree.query(points, predicate="dwithin", distance=float(half.max()) + snap)
    ok = (road != owner[p]) & ~joined[p]
    p, road = p[ok], road[ok]
    gap = shapely.distance(points[p], parts[road])
    ok = gap <= half[road] + snap
    p, road, gap = p[ok], road[ok], gap[ok]
    if len(p) == 0:
        return parts
    order = np.lexsort((gap, p))  # per end, the nearest road first
    p, road = p[order], road[order]
    p, pick = np.unique(p, return_index=True)
    road = road[pick]
    onto = shapely.get_coordinates(
        shapely.line_interpolate_point(parts[road], shapely.line_locate_point(parts[road],
                                                                              points[p])))
    # New vertices go before a line's first vertex (its start) or after its last (its end).
    at_start = p < k
    where = np.where(at_start, first[p % k], last[p % k] + 1)
    # Where one line's end meets the next line's start, the end's vertex must go in first.
    order = np.lexsort((at_start, where))
    coords = np.insert(coords, where[order], onto[order], axis=0)
    index = np.insert(index, where[order], (p % k)[order])
    lines = shapely.linestrings(coords, indices=index)
    assert isinstance(lines, np.ndarray)  # indices given: always an array of lines
    return lines


def _join_ends_onto_roads(parts: np.ndarray, snap: float) -> np.ndarray:
    """Bend roads by at most ``snap`` so they pass exactly through the nearby ends of other
    roads; noding then splits them there, making a T-junction node."""
    coords, _, first, last = _line_ends(parts)
    ends = np.concatenate([coords[first], coords[last]])
    owner = np.concatenate([np.arange(len(parts)), np.arange(len(parts))])
    points = shapely.points(ends)
    assert isinstance(points, np.ndarray)  # (n, 2) coordinates in, n points out
    p, road = shapely.STRtree(parts).query(points, predicate="dwithin", distance=snap)
    other = road != owner[p]
    order = np.argsort(road[other], kind="stable")
    p, road = p[other][order], road[other][order]
    if len(p) == 0:
        return parts
    roads, which = np.unique(road, return_inverse=True)
    targets = shapely.multipoints(points[p], indices=which)
    out = parts.copy()
    out[roads] = shapely.snap(parts[roads], targets, snap)
    return out


def _clusters(points: np.ndarray, tol: float) -> np.ndarray:
    """For each point, the index of the lowest-numbered point in its cluster, where points
    within ``tol`` of each other (directly or through a chain) share a cluster."""
    n = len(points)
    geoms = shapely.points(points)
    assert isinstance(geoms, np.ndarray)  # (n, 2) coordinates in, n points out
    a, b = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=tol)
    return _propagate_min(n, a, b)


def component_labels(n: int, edges: np.ndarray) -> np.ndarray:
    """Connected-part label per node, 0 for the part with the most nodes."""
    if n == 0:
        return np.zeros(0, np.int64)
    a = np.concatenate([edges[:, 0], edges[:, 1]])
    b = np.concatenate([edges[:, 1], edges[:, 0]])
    labels = _propagate_min(n, a, b)
    roots, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    rank = np.empty(len(roots), np.int64)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(roots))
    return rank[inverse.reshape(-1)]


def _propagate_min(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each of ``n`` items, the lowest index linked to it through the pairs (a[i], b[i])
    directly or through a chain."""
    labels = np.arange(n)
    while True:  # min-label propagation with pointer jumping; a few rounds in practice
        new = labels.copy()
        np.minimum.at(new, a, labels[b])
        new = new[new]
        if np.array_equal(new, labels):
            return labels
        labels = new


def _line_ends(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every vertex of the lines ``parts``, the line each belongs to, and where each line's
    first and last vertex are among them."""
    coords, index = shapely.get_coordinates(parts, return_index=True)
    counts = np.bincount(index, minlength=len(parts))
    last = np.cumsum(counts) - 1
    return coords, index, last - counts + 1, last


def dedupe(path: np.ndarray) -> np.ndarray:
    """``path`` without repeated consecutive vertices (zero-length segments)."""
    keep = np.ones(len(path), bool)
    keep[1:] = np.any(path[1:] != path[:-1], axis=1)
    return path[keep]


def segment_lengths(path: np.ndarray) -> np.ndarray:
    """(k - 1,) length in metres of each segment of the (k, 2) polyline ``path``."""
    return np.hypot(*np.diff(path, axis=0).T)


def cumulative_lengths(path: np.ndarray) -> np.ndarray:
    """(k,) distance in metres along the (k, 2) polyline ``path`` to each vertex (0 first)."""
    return np.concatenate([[0.0], np.cumsum(segment_lengths(path))])
