"""Emergency coverage: how many minutes an ambulance needs to reach each building.

Pure numpy and shapely over the plugin API's ``RoadGraph``: no Panda3D, no plugin host.

Rules (the README gives the sources):

- Each road class has its legal urban limit (``SPEED_LIMITS_KMH``); an ambulance is taken to
  drive at ``AMBULANCE_SHARE`` (65 %) of it, the Ministry of Health and Welfare's rule for
  emergency-care access.
- A place off the road (an ER's door, a building) is joined to the network at the nearest
  point of the main road network, and the straight gap between the two is driven at the
  ambulance speed of a 30 km/h street (``LAST_STRETCH_KMH``): the driveways and lanes of a
  block are 30 km/h zones at most.
- Every open ER is a source of one multi-source Dijkstra; a building's time is the least
  over both ends of its road stretch (or along the stretch itself when an ER joins the same
  one).
- Buildings fall into the bands ``BAND_EDGES`` (0-4, 4-8, 8-12, over 12 minutes); floor area
  (footprint x floors) stands in for the people inside.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from gwangju_twin.plugins import RoadGraph

#: Korean urban speed limits by road class, km/h ("안전속도 5030": the Road Traffic Act's
#: enforcement rule, art. 19, in force 2021-04-17: 50 on urban roads, 60 where the police
#: designate an arterial, 30 on residential streets and in school zones).
SPEED_LIMITS_KMH: dict[str, float] = {
    "motorway": 60.0, "trunk": 60.0, "primary": 60.0,
    "secondary": 50.0, "tertiary": 50.0, "unclassified": 50.0,
    "residential": 30.0, "living_street": 30.0, "service": 30.0,
}
#: The limit of a road class the table does not name.
DEFAULT_LIMIT_KMH = 50.0
#: Ambulances are assumed to drive at 65 % of each road's limit (MOHW's emergency-care
#: vulnerable-area notice).
AMBULANCE_SHARE = 0.65
#: The limit the straight stretch between road and door is driven at.
LAST_STRETCH_KMH = 30.0
#: Upper edges of the first three bands, minutes; the fourth band is everything beyond.
BAND_EDGES = (4.0, 8.0, 12.0)
#: Band names for panels, (Korean, English).
BAND_NAMES = (("4분 이내", "0-4 min"), ("4-8분", "4-8 min"), ("8-12분", "8-12 min"),
              ("12분 초과", "over 12 min"))
#: A floor's height when a building gives only its height, metres.
FLOOR_HEIGHT = 3.0


def ambulance_speed(kmh: float) -> float:
    """Metres per second an ambulance drives on a road whose limit is ``kmh``."""
    return kmh * AMBULANCE_SHARE / 3.6


def edge_speeds(kinds: Sequence[Any] | np.ndarray, count: int) -> np.ndarray:
    """(count,) ambulance speed in m/s on each road edge of class ``kinds[i]``; edges
    without a known class (``kinds`` shorter, None) get ``DEFAULT_LIMIT_KMH``."""
    limits = np.full(count, DEFAULT_LIMIT_KMH)
    for i, kind in enumerate(list(kinds)[:count]):
        limits[i] = SPEED_LIMITS_KMH.get(str(kind), DEFAULT_LIMIT_KMH)
    return ambulance_speed(1.0) * limits


def floor_areas(areas: np.ndarray, levels: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """Footprint x floors for each building; floors from ``levels`` where known, else from
    the height at ``FLOOR_HEIGHT`` a floor, at least one."""
    floors = np.where(np.isfinite(levels) & (levels > 0), levels,
                      np.round(np.nan_to_num(heights) / FLOOR_HEIGHT))
    return np.asarray(areas, np.float64) * np.maximum(floors, 1.0)


def band_of(minutes: np.ndarray) -> np.ndarray:
    """Band index 0..3 of each time in minutes (``inf`` falls in the last band)."""
    return np.searchsorted(np.asarray(BAND_EDGES), np.asarray(minutes), side="right")


@dataclass(frozen=True)
class Anchors:
    """Where places join the road network: ``edge`` and ``offset`` (metres from the edge's
    first node) of the nearest road point, and ``gap``, the straight distance to it."""

    edge: np.ndarray
    offset: np.ndarray
    gap: np.ndarray


@dataclass(frozen=True)
class BandPieces:
    """Stretches of road each wholly in one band: on edge ``edge[i]`` from ``start[i]`` to
    ``end[i]`` metres from its first node, in band ``band[i]``, drawn by ``lines[i]`` (a
    shapely LineString along the road). Sorted by edge, then start; together they cover
    every edge once."""

    edge: np.ndarray
    start: np.ndarray
    end: np.ndarray
    band: np.ndarray
    lines: np.ndarray


@dataclass(frozen=True)
class Coverage:
    """The result of one run: minutes per building, its band, and each band's share of the
    buildings and of the floor area (each share sums to 1)."""

    minutes: np.ndarray
    bands: np.ndarray
    building_share: np.ndarray
    floor_share: np.ndarray


class CoverageModel:
    """Ambulance travel times over ``roads`` to the places ``targets`` (n, 2).

    ``kinds`` is the road class of each edge (``ctx.district.road_kinds``); ``weights`` the
    floor area of each target, for the floor-area shares.
    """

    def __init__(self, roads: RoadGraph, kinds: Sequence[Any] | np.ndarray,
                 targets: np.ndarray, weights: np.ndarray | None = None) -> None:
        self.roads = roads
        self.speeds = edge_speeds(kinds, len(roads.edges))
        self.seconds = roads.lengths / self.speeds
        self.last_speed = ambulance_speed(LAST_STRETCH_KMH)
        main = np.flatnonzero(roads.components[roads.edges[:, 0]] == 0) if len(roads.edges) \
            else np.zeros(0, np.int64)
        self._main = main
        self._lines = np.array([shapely.linestrings(roads.edge_path(int(e))) for e in main],
                               object)
        self._tree = shapely.STRtree(self._lines)
        self.targets = np.asarray(targets, np.float64).reshape(-1, 2)
        self.weights = (np.ones(len(self.targets)) if weights is None
                        else np.asarray(weights, np.float64))
        self.anchors = self.anchor(self.targets)
        self._vertices: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._vertex_offsets = np.zeros(0)
        n = len(roads.nodes)
        self._adj: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for e, (u, v) in enumerate(roads.edges.tolist()):
            self._adj[u].append((v, float(self.seconds[e])))
            self._adj[v].append((u, float(self.seconds[e])))

    def anchor(self, points: np.ndarray) -> Anchors:
        """Where each of ``points`` (k, 2) joins the main road network."""
        xy = np.asarray(points, np.float64).reshape(-1, 2)
        pts = np.asarray(shapely.points(xy), object)  # always an array, even of one point
        if len(self._main) == 0:
            nothing = np.zeros(len(xy), np.int64)
            return Anchors(nothing - 1, np.zeros(len(xy)), np.full(len(xy), np.inf))
        which, near = self._tree.query_nearest(pts, all_matches=False)
        order = np.argsort(which)
        near = near[order]
        lines = self._lines[near]
        return Anchors(self._main[near], shapely.line_locate_point(lines, pts),
                       shapely.distance(lines, pts))

    def node_seconds(self, sources: Anchors) -> np.ndarray:
        """(n,) seconds from the nearest of ``sources`` to every road node (multi-source
        Dijkstra; ``inf`` where none reaches)."""
        n = len(self.roads.nodes)
        best = [np.inf] * n
        heap: list[tuple[float, int]] = []
        for e, off, gap in zip(sources.edge.tolist(), sources.offset.tolist(),
                               sources.gap.tolist(), strict=True):
            if e < 0:
                continue
            start = gap / self.last_speed
            u, v = self.roads.edges[e].tolist()
            for node, along in ((u, off), (v, float(self.roads.lengths[e]) - off)):
                t = start + along / float(self.speeds[e])
                if t < best[node]:
                    best[node] = t
                    heapq.heappush(heap, (t, node))
        done = [False] * n
        while heap:
            t, u = heapq.heappop(heap)
            if done[u]:
                continue
            done[u] = True
            for v, dt in self._adj[u]:
                if t + dt < best[v]:
                    best[v] = t + dt
                    heapq.heappush(heap, (t + dt, v))
        return np.array(best, np.float64)

    def seconds_to(self, sources: Anchors, places: Anchors | None = None) -> np.ndarray:
        """Seconds from the nearest of ``sources`` to each of ``places`` (default: the
        model's targets)."""
        places = self.anchors if places is None else places
        return self._seconds(self.node_seconds(sources), sources, places)

    def _seconds(self, nodes: np.ndarray, sources: Anchors, places: Anchors) -> np.ndarray:
        """``seconds_to`` with the road nodes' seconds ``nodes`` already known."""
        ok = places.edge >= 0
        e = np.where(ok, places.edge, 0)
        u, v = self.roads.edges[e, 0], self.roads.edges[e, 1]
        speed = self.speeds[e]
        via_u = nodes[u] + places.offset / speed
        via_v = nodes[v] + (self.roads.lengths[e] - places.offset) / speed
        road = np.minimum(via_u, via_v)
        # An ER on the same stretch of road is reached along it, not round by its ends.
        for se, so, sg in zip(sources.edge.tolist(), sources.offset.tolist(),
                              sources.gap.tolist(), strict=True):
            same = ok & (places.edge == se)
            direct = sg / self.last_speed + np.abs(places.offset - so) / speed
            road = np.where(same, np.minimum(road, direct), road)
        return np.where(ok, road + places.gap / self.last_speed, np.inf)

    def coverage(self, sources: Anchors) -> Coverage:
        """Minutes, bands and the shares per band for the model's targets."""
        minutes = self.seconds_to(sources) / 60.0
        bands = band_of(minutes)
        count = np.bincount(bands, minlength=4).astype(np.float64)
        floor = np.bincount(bands, weights=self.weights, minlength=4)
        return Coverage(minutes, bands, count / max(count.sum(), 1.0),
                        floor / max(float(floor.sum()), 1e-9))

    def band_pieces(self, sources: Anchors) -> BandPieces:
        """The road network cut into stretches that each lie wholly in one band.

        Along an edge of length L driven at v, the seconds at ``s`` metres from its first
        node are the least of ``a + s / v`` (through that node), ``b + (L - s) / v``
        (through the other) and, for a source anchored on the same edge, ``g + |s - o| / v``.
        Each of these is below a band's edge ``c`` on one interval of the edge, whose ends
        are found directly; between two neighbouring ends the band cannot change, so the
        band of the middle is the band of the whole stretch. Neighbouring stretches of an
        edge in the same band are joined: a band changes only at a cut of the result.
        Roads no source reaches (another component) are in the last band.
        """
        roads = self.roads
        m = len(roads.edges)
        if m == 0:
            empty = np.zeros(0)
            return BandPieces(np.zeros(0, np.int64), empty, empty, np.zeros(0, np.int64),
                              np.zeros(0, object))
        nodes = self.node_seconds(sources)
        length, v = roads.lengths, self.speeds
        a, b = nodes[roads.edges[:, 0]], nodes[roads.edges[:, 1]]
        edge_s = np.asarray(BAND_EDGES) * 60.0
        with np.errstate(invalid="ignore"):  # inf - inf where no source reaches: no cut
            ends = [(edge_s[None, :] - a[:, None]) * v[:, None],
                    length[:, None] - (edge_s[None, :] - b[:, None]) * v[:, None]]
            for se, so, sg in zip(sources.edge.tolist(), sources.offset.tolist(),
                                  sources.gap.tolist(), strict=True):
                if se < 0:
                    continue
                reach = (edge_s - sg / self.last_speed) * float(v[se])
                on = np.full((m, 2 * len(edge_s)), np.nan)
                on[se] = np.concatenate([so - reach, so + reach])
                ends.append(on)
            inner = np.column_stack(ends)
            inner[~(np.isfinite(inner) & (inner > 0.0) & (inner < length[:, None]))] = np.nan
        cuts = np.sort(np.column_stack([np.zeros(m), length, inner]), axis=1)  # NaN last
        s0, s1 = cuts[:, :-1], cuts[:, 1:]
        with np.errstate(invalid="ignore"):
            real = np.isfinite(s0) & np.isfinite(s1) & (s1 - s0 > 1e-9)
        edge = np.broadcast_to(np.arange(m)[:, None], s0.shape)[real]  # edge-major, by s
        s0, s1 = s0[real], s1[real]
        middle = Anchors(edge, (s0 + s1) / 2.0, np.zeros(len(edge)))
        band = band_of(self._seconds(nodes, sources, middle) / 60.0)
        first = np.ones(len(edge), bool)
        first[1:] = (edge[1:] != edge[:-1]) | (band[1:] != band[:-1])
        starts = np.flatnonzero(first)
        last = np.append(starts[1:], len(edge)) - 1
        edge, band = edge[starts], band[starts]
        start, end = s0[starts], s1[last]
        return BandPieces(edge, start, end, band, self._cut_lines(edge, start, end))

    def _cut_lines(self, edge: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """LineStrings of the stretches ``start``..``end`` metres along edges ``edge``
        (sorted by edge, then start, not overlapping), following the road's geometry.

        Every edge's vertices are put on one line of "global metres" (each edge after the
        one before it, a metre apart), so one ``np.interp`` gives every cut point and one
        ``searchsorted`` says which stretch each vertex lies inside."""
        coords, owner, base = self._edge_vertices()
        along = base[owner] + self._vertex_offsets
        g0, g1 = base[edge] + start, base[edge] + end
        x0, y0 = np.interp(g0, along, coords[:, 0]), np.interp(g0, along, coords[:, 1])
        x1, y1 = np.interp(g1, along, coords[:, 0]), np.interp(g1, along, coords[:, 1])
        piece = np.searchsorted(g0, along, side="right") - 1
        safe = np.maximum(piece, 0)
        inside = (piece >= 0) & (along > g0[safe] + 1e-9) & (along < g1[safe] - 1e-9)
        n = len(edge)
        which = np.concatenate([np.arange(n), piece[inside], np.arange(n)])
        key = np.concatenate([g0, along[inside], g1])
        xy = np.concatenate([np.column_stack([x0, y0]), coords[inside],
                             np.column_stack([x1, y1])])
        order = np.lexsort((key, which))
        return np.asarray(shapely.linestrings(xy[order], indices=which[order]), object)

    def _edge_vertices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every edge's polyline vertices (V, 2), the edge of each, and where each edge
        starts on the global line (cached: the roads do not change)."""
        if self._vertices is None:
            roads = self.roads
            paths = [np.asarray(roads.edge_path(e), np.float64) for e in range(len(roads.edges))]
            coords = np.concatenate(paths)
            owner = np.repeat(np.arange(len(paths)), [len(p) for p in paths])
            step = np.hypot(*np.diff(coords, axis=0).T)
            step[owner[1:] != owner[:-1]] = 0.0
            run = np.concatenate([[0.0], np.cumsum(step)])
            firsts = np.searchsorted(owner, np.arange(len(paths)))
            self._vertex_offsets = run - run[firsts][owner]
            base = np.concatenate([[0.0], np.cumsum(roads.lengths + 1.0)[:-1]])
            self._vertices = (coords, owner, base)
        return self._vertices

    def subset(self, anchors: Anchors, keep: np.ndarray) -> Anchors:
        """The anchors ``keep`` (a boolean mask or indices) of ``anchors``."""
        return Anchors(anchors.edge[keep], anchors.offset[keep], anchors.gap[keep])


def band_paths(pieces: BandPieces) -> list[tuple[int, np.ndarray]]:
    """``(band, (k, 2) polyline)`` to draw ``pieces`` with: the stretches of each band
    joined into the longest runs they form (``shapely.line_merge``), so that a band's
    ribbon bends round a corner instead of ending square at every junction, and few
    ribbons are made."""
    out: list[tuple[int, np.ndarray]] = []
    for band in np.unique(pieces.band).tolist():
        merged = shapely.line_merge(shapely.multilinestrings(pieces.lines[pieces.band == band]))
        coords, which = shapely.get_coordinates(shapely.get_parts(merged), return_index=True)
        cuts = np.flatnonzero(np.diff(which)) + 1
        out.extend((int(band), path) for path in np.split(coords, cuts) if len(path) >= 2)
    return out


def local_from_lonlat(to_lonlat: Callable[[float, float], tuple[float, float]],
                      lon: float, lat: float) -> tuple[float, float]:
    """District (x, y) of WGS84 (lon, lat), by inverting ``to_lonlat`` (Newton's method:
    the local frame is a transverse Mercator, nearly linear over a district, so three steps
    reach millimetres). API 1 has only ``to_lonlat``; API 1.1's ``district.to_local`` makes
    this unnecessary."""
    xy = np.zeros(2)
    for _ in range(6):
        f0 = np.array(to_lonlat(*xy))
        jac = np.column_stack([(np.array(to_lonlat(xy[0] + 1.0, xy[1])) - f0),
                               (np.array(to_lonlat(xy[0], xy[1] + 1.0)) - f0)])
        step = np.linalg.solve(jac, np.array([lon, lat]) - f0)
        xy = xy + step
        if np.abs(step).max() < 1e-4:
            break
    return float(xy[0]), float(xy[1])
