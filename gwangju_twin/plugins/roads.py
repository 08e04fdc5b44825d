"""The district's road network as a graph a plugin can route on.

``ctx.district.roads`` is a ``RoadGraph``: junctions and road ends are its nodes, the stretches
of road between them its edges, and every edge keeps the real road geometry, so a route can be
drawn or driven along the streets rather than as straight hops between junctions::

    roads = ctx.district.roads
    a = roads.nearest_point(*ctx.pavilion.entrance, component=0)  # the kerb outside
    b = roads.nearest_point(0.0, 0.0, component=0)
    trip = roads.route(a, b)          # Route: .nodes, .edges, .path (k, 2) metres, .length
    print(f"{trip.length:.0f} m over {len(trip.edges)} stretches of road")

Routes also run between nodes (``nearest_node``). ``component=0`` keeps both ends on the main
network, so a route between them always exists. Coordinates are district metres (x east,
y north). Every road is treated as two-way, and the graph is undirected. Everything here is
pure (numpy and shapely only) and read-only.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

# How road lines become nodes and edges (snapping, noding, clustering): see road_noding.
from gwangju_twin.plugins.road_noding import (
    component_labels,
    cumulative_lengths,
    dedupe,
    node_road_lines,
    segment_lengths,
)
from gwangju_twin.plugins.sealed import read_only

#: Road ends closer than this (metres) are joined, and a road that ends this close to another
#: road is joined onto it: digitised maps often stop a line a little short of the street it
#: meets, and without this such a street would be a dead end.
SNAP_TOLERANCE = 0.5


@dataclass(frozen=True, eq=False)
class Route:
    """A shortest route through a ``RoadGraph``.

    Attributes:
        nodes: the graph nodes passed, in order: from the start node to the end node when
            routing between nodes; the junctions on the way when routing between
            ``RoadPoint``s (empty if both lie on one stretch of road).
        path: (k, 2) read-only polyline in district metres that follows the road geometry
            from start to end (a single point when start and end are the same).
        length: the route's length in metres (the length of ``path``).
        edges: the graph edges travelled, in order, including partly travelled ones at the
            ends of a route between ``RoadPoint``s.
    """

    nodes: tuple[int, ...]
    path: np.ndarray
    length: float
    edges: tuple[int, ...] = ()


@dataclass(frozen=True)
class RoadPoint:
    """A place on a road: ``offset`` metres along edge ``edge`` from node ``edges[edge, 0]``.

    ``xy`` is its position; ``distance`` how far it is from the point it was found for
    (see ``RoadGraph.nearest_point``).
    """

    edge: int
    offset: float
    xy: tuple[float, float]
    distance: float = 0.0


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """An undirected road graph; build one with ``build_road_graph``.

    Attributes:
        nodes: (n, 2) float64 node positions in metres: junctions, road ends and the points
            where one mapped road continues into the next.
        edges: (m, 2) int64 node indices at the two ends of each stretch of road.
        lengths: (m,) float64 length in metres of each edge along its real geometry.

    All arrays are read-only. ``components`` labels the connected parts of the network.
    Routes run between nodes (``nearest_node``) or between any places on the roads
    (``nearest_point``).
    """

    nodes: np.ndarray
    edges: np.ndarray
    lengths: np.ndarray
    _coords: np.ndarray = field(repr=False)  # every edge's vertices, edge after edge
    _offsets: np.ndarray = field(repr=False)  # edge i's vertices are _coords[o[i]:o[i + 1]]
    _adj_start: np.ndarray = field(init=False, repr=False)
    _adj_node: np.ndarray = field(init=False, repr=False)
    _adj_edge: np.ndarray = field(init=False, repr=False)
    _components: np.ndarray = field(init=False, repr=False)
    _lines: np.ndarray = field(init=False, repr=False)  # each edge as a shapely LineString

    def __post_init__(self) -> None:
        n, m = len(self.nodes), len(self.edges)
        # Adjacency in compressed rows: node u's neighbours are _adj_node[s[u]:s[u + 1]],
        # reached over the edges _adj_edge[...]. Each edge appears once from each end.
        src = np.concatenate([self.edges[:, 0], self.edges[:, 1]])
        dst = np.concatenate([self.edges[:, 1], self.edges[:, 0]])
        eid = np.concatenate([np.arange(m), np.arange(m)])
        order = np.argsort(src, kind="stable")
        start = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=start[1:])
        owner = np.repeat(np.arange(m), np.diff(self._offsets))
        values = {
            "_adj_start": start,
            "_adj_node": dst[order].astype(np.int64),
            "_adj_edge": eid[order].astype(np.int64),
            "_components": component_labels(n, self.edges),
            "_lines": shapely.linestrings(self._coords, indices=owner) if m else
            np.zeros(0, object),
        }
        for name, value in values.items():
            object.__setattr__(self, name, read_only(value))
        for name in ("nodes", "edges", "lengths", "_coords", "_offsets"):
            # read_only returns a sealed copy; keep that, not the caller's writable array.
            object.__setattr__(self, name, read_only(getattr(self, name)))

    def __repr__(self) -> str:
        km = float(self.lengths.sum()) / 1000.0
        return f"RoadGraph({len(self.nodes)} nodes, {len(self.edges)} edges, {km:.1f} km)"

    @property
    def components(self) -> np.ndarray:
        """(n,) int64 connected-part label of every node: 0 is the largest part (the most
        nodes), 1 the next, and so on. Two nodes can be routed between only if their labels
        are equal."""
        return self._components

    @property
    def total_length(self) -> float:
        """The length of the whole network in metres."""
        return float(self.lengths.sum())

    def edge_path(self, i: int) -> np.ndarray:
        """(k, 2) read-only polyline of edge ``i``, from node ``edges[i, 0]`` to
        ``edges[i, 1]`` (k >= 2)."""
        i = self._check(i, len(self.edges), "edge")
        return self._coords[self._offsets[i] : self._offsets[i + 1]]

    def nearest_node(self, x: float, y: float, *, component: int | None = None) -> int:
        """The node closest to (x, y); with ``component``, the closest among the nodes of that
        connected part (``component=0``: the main network, so any two such nodes can be
        routed between). Raises ValueError if there is no node to choose from."""
        candidates = np.arange(len(self.nodes))
        if component is not None:
            candidates = np.flatnonzero(self._components == component)
        if len(candidates) == 0:
            where = "the road graph" if component is None else f"component {component}"
            raise ValueError(f"{where} has no nodes")
        d2 = ((self.nodes[candidates] - (float(x), float(y))) ** 2).sum(axis=1)
        return int(candidates[np.argmin(d2)])

    def nearest_point(self, x: float, y: float, *, component: int | None = None) -> RoadPoint:
        """The place on the roads closest to (x, y), e.g. the kerb outside a door; with
        ``component``, only roads of that connected part count. Raises ValueError if there
        is no road to choose from."""
        candidates = np.arange(len(self.edges))
        if component is not None:
            candidates = np.flatnonzero(self._components[self.edges[:, 0]] == component)
        if len(candidates) == 0:
            where = "the road graph" if component is None else f"component {component}"
            raise ValueError(f"{where} has no roads")
        here = shapely.Point(float(x), float(y))
        gaps = shapely.distance(here, self._lines[candidates])
        e = int(candidates[np.argmin(gaps)])
        offset = float(shapely.line_locate_point(self._lines[e], here))
        px, py = self._along(e, offset)
        return RoadPoint(e, offset, (float(px), float(py)), float(np.min(gaps)))

    def distances(self, a: int) -> np.ndarray:
        """(n,) shortest road distance in metres from node ``a`` to every node (``inf`` for
        nodes that cannot be reached)."""
        dist, _ = self._dijkstra(self._check(a, len(self.nodes), "node"), None)
        return dist

    def route(self, a: int | RoadPoint, b: int | RoadPoint) -> Route:
        """The shortest route along the roads from ``a`` to ``b``: each a node index or a
        ``RoadPoint`` (from ``nearest_point``).

        Raises ValueError if ``b`` cannot be reached from ``a`` (they lie in different
        ``components``) and IndexError if a node or edge index is out of range.
        """
        if isinstance(a, RoadPoint) or isinstance(b, RoadPoint):
            return self._route_points(self._as_point(a), self._as_point(b))
        a = self._check(a, len(self.nodes), "node")
        b = self._check(b, len(self.nodes), "node")
        if a == b:
            return Route((a,), read_only(self.nodes[[a]].copy()), 0.0, ())
        dist, via = self._dijkstra(a, b)
        if not np.isfinite(dist[b]):
            raise ValueError(self._unreachable(a, b))
        return self._trace(a, b, via)

    def _trace(self, a: int, b: int, via: np.ndarray) -> Route:
        """The route from ``a`` to ``b`` recorded in ``via`` (from a Dijkstra run from a)."""
        if a == b:
            return Route((a,), read_only(self.nodes[[a]].copy()), 0.0, ())
        edges: list[int] = []
        nodes = [b]
        while nodes[-1] != a:
            e = int(via[nodes[-1]])
            edges.append(e)
            u, v = self.edges[e]
            nodes.append(int(u if v == nodes[-1] else v))
        nodes.reverse()
        edges.reverse()
        pieces = [self.nodes[[a]]]
        for e, u in zip(edges, nodes, strict=False):
            p = self.edge_path(e)
            pieces.append((p if self.edges[e, 0] == u else p[::-1])[1:])
        path = np.concatenate(pieces)
        return Route(tuple(nodes), read_only(path), float(self.lengths[edges].sum()),
                     tuple(edges))

    def _route_points(self, a: RoadPoint, b: RoadPoint) -> Route:
        """Shortest route between two places on edges: leave ``a``'s edge by either end,
        cross the network, join ``b``'s edge by either end; or stay on a shared edge."""
        la, lb = float(self.lengths[a.edge]), float(self.lengths[b.edge])
        best: tuple[float, int, int, np.ndarray | None] = (np.inf, -1, -1, None)
        if a.edge == b.edge:
            best = (abs(a.offset - b.offset), -1, -1, None)
        for u, to_u in zip(self.edges[a.edge].tolist(), (a.offset, la - a.offset), strict=True):
            dist, reached_over = self._dijkstra(u, None)
            for v, from_v in zip(self.edges[b.edge].tolist(), (b.offset, lb - b.offset),
                                 strict=True):
                cost = to_u + float(dist[v]) + from_v
                if cost < best[0] - 1e-9:
                    best = (cost, u, v, reached_over)
        cost, u, v, via = best
        if not np.isfinite(cost):
            ua, ub = self.edges[a.edge, 0], self.edges[b.edge, 0]
            raise ValueError(self._unreachable(int(ua), int(ub)))
        if via is None:  # along the one shared edge
            path = self._sub_path(a.edge, a.offset, b.offset)
            return Route((), read_only(path), float(segment_lengths(path).sum()), (a.edge,))
        middle = self._trace(u, v, via)
        head = self._sub_path(a.edge, a.offset, 0.0 if u == self.edges[a.edge, 0] else la)
        tail = self._sub_path(b.edge, 0.0 if v == self.edges[b.edge, 0] else lb, b.offset)
        path = np.concatenate([head, middle.path[1:], tail[1:]])
        edges = ((a.edge,) if len(head) > 1 else ()) + middle.edges + (
            (b.edge,) if len(tail) > 1 else ())
        return Route(middle.nodes, read_only(path), float(segment_lengths(path).sum()), edges)

    def _as_point(self, p: int | RoadPoint) -> RoadPoint:
        """A node as a place on one of its edges (every node has at least one)."""
        if isinstance(p, RoadPoint):
            self._check(p.edge, len(self.edges), "edge")
            return p
        node = self._check(p, len(self.nodes), "node")
        e = int(self._adj_edge[self._adj_start[node]])
        offset = 0.0 if self.edges[e, 0] == node else float(self.lengths[e])
        x, y = self.nodes[node]
        return RoadPoint(e, offset, (float(x), float(y)))

    def _along(self, e: int, offset: float, along: np.ndarray | None = None) -> np.ndarray:
        """The point ``offset`` metres along edge ``e`` (``along``: the edge's
        ``cumulative_lengths``, when already known)."""
        path = self.edge_path(e)
        along = cumulative_lengths(path) if along is None else along
        if offset <= 0:
            return path[0]
        if offset >= along[-1]:
            return path[-1]
        return np.array([np.interp(offset, along, path[:, 0]),
                         np.interp(offset, along, path[:, 1])])

    def _sub_path(self, e: int, start: float, stop: float) -> np.ndarray:
        """The polyline of edge ``e`` from ``start`` to ``stop`` metres along it (reversed if
        ``stop < start``); a single point if they are equal."""
        lo, hi = sorted((start, stop))
        path = self.edge_path(e)
        along = cumulative_lengths(path)
        inner = path[(along > lo) & (along < hi)]
        piece = dedupe(np.vstack([self._along(e, lo, along), inner, self._along(e, hi, along)]))
        return piece if start <= stop else piece[::-1]

    def _unreachable(self, a: int, b: int) -> str:
        return (f"node {b} cannot be reached from node {a}: they are on separate parts of the "
                f"road network (components {self._components[a]} and {self._components[b]})")

    def _dijkstra(self, a: int, target: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Distances from ``a`` and, per node, the edge it was reached over (-1: none)."""
        n = len(self.nodes)
        dist = [np.inf] * n
        via = [-1] * n
        done = [False] * n
        start, nbr, eid = self._adj_start.tolist(), self._adj_node.tolist(), self._adj_edge.tolist()
        lengths = self.lengths.tolist()
        dist[a] = 0.0
        heap = [(0.0, a)]
        while heap:
            d, u = heapq.heappop(heap)
            if done[u]:
                continue
            done[u] = True
            if u == target:
                break
            for k in range(start[u], start[u + 1]):
                v, e = nbr[k], eid[k]
                nd = d + lengths[e]
                if nd < dist[v]:
                    dist[v] = nd
                    via[v] = e
                    heapq.heappush(heap, (nd, v))
        return np.array(dist, np.float64), np.array(via, np.int64)

    @staticmethod
    def _check(i: int, size: int, what: str) -> int:
        i = int(i)
        if not 0 <= i < size:
            raise IndexError(f"{what} {i} is not in the road graph (0..{size - 1})")
        return i


def build_road_graph(
    lines: Sequence[shapely.LineString | shapely.MultiLineString | None],
    widths: Sequence[float] | np.ndarray | None = None,
    snap: float = SNAP_TOLERANCE,
) -> RoadGraph:
    """Build the road graph of the centre lines ``lines`` (district metres).

    Roads that cross, or that meet another road part-way along it (T-junctions), are split
    there so the meeting point becomes a node. Road ends within ``snap`` metres of each other
    become one node, and a road ending within ``snap`` of another road is joined onto it.

    ``widths`` (metres, one per line; NaN or 0 for unknown) makes the graph match the roads
    as drawn: a road that stops on another road's carriageway, that is within half that
    road's width of its centre line, is extended straight onto the centre line and joins it
    there. Maps often end a side street at the kerb of the avenue it meets.

    Empty, zero-length and ``None`` lines are ignored. Overlapping stretches of road are
    counted once.
    """
    nodes, edges, paths = node_road_lines(lines, widths, snap)
    return _graph(nodes, edges, paths)


def _graph(nodes: np.ndarray, edges: np.ndarray, paths: list[np.ndarray]) -> RoadGraph:
    offsets = np.zeros(len(paths) + 1, np.int64)
    np.cumsum([len(p) for p in paths], out=offsets[1:])
    coords = np.concatenate(paths) if paths else np.zeros((0, 2))
    lengths = np.array([segment_lengths(p).sum() for p in paths], np.float64)
    return RoadGraph(np.asarray(nodes, np.float64), edges, lengths, coords.astype(np.float64),
                     offsets)
