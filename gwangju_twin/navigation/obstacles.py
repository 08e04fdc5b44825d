"""What a walker cannot pass through: building footprints grown by the walker's body radius.

The footprints are buffered once by the body radius, so the walker is a point in the grown
shapes; overlapping grown footprints (terraces, a pavilion beside a building) are merged so
pushing out of one never lands inside its neighbour. Queries use an STRtree over prepared
geometries: a free step is one tree query against a segment, so a frame costs microseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

#: How far in front of a wall a blocked walker stops (metres): far enough for floating point,
#: too little to see.
GAP = 1e-3

#: Body-radius circles are approximated with this many segments per quarter: coarse is fine
#: (the chord midpoints still stay 0.92 radius clear) and keeps the shapes small.
QUAD_SEGS = 2


class Obstacles:
    """Footprints (shapely polygons or multipolygons, in local metres) a walker of body
    ``radius`` metres cannot enter. Raises ValueError for a radius that is not positive."""

    def __init__(self, footprints: Sequence[Any] | np.ndarray, radius: float = 0.35) -> None:
        if not (radius > 0 and math.isfinite(radius)):
            raise ValueError(f"body radius must be positive, got {radius!r}")
        self.radius = float(radius)
        geoms = np.empty(len(footprints), dtype=object)
        geoms[:] = list(footprints)
        geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        bad = ~shapely.is_valid(geoms)
        geoms[bad] = shapely.make_valid(geoms[bad])
        grown = shapely.buffer(geoms, self.radius, quad_segs=QUAD_SEGS)
        self._parts = _merge_overlaps(grown[~shapely.is_empty(grown)])
        shapely.prepare(self._parts)
        self._tree = shapely.STRtree(self._parts)

    @classmethod
    def of_district(cls, district: Any, extra: Sequence[np.ndarray] = ()) -> Obstacles:
        """The polygons of ``district``'s "buildings" and "landmarks" layers plus ``extra``
        CCW outlines ((n, 2) arrays, e.g. pavilion cores)."""
        rows = np.flatnonzero(np.isin(district.layer, ("buildings", "landmarks")))
        geoms = district.geometry[rows]
        polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
        outlines = [shapely.Polygon(np.asarray(o, np.float64)) for o in extra if len(o) >= 3]
        return cls([*geoms[polygonal], *outlines])

    def blocked(self, x: float, y: float) -> bool:
        """Whether a walker centred at (x, y) would overlap a footprint."""
        near = self._tree.query(shapely.Point(x, y))
        return bool(near.size) and bool(shapely.intersects_xy(self._parts[near], x, y).any())

    def resolve(self, start: tuple[float, float],
                end: tuple[float, float]) -> tuple[float, float]:
        """Where a walker going ``start`` -> ``end`` ends up: ``end`` if the way is free,
        else up to the wall and then as far as it gets sliding along it (along the wall's
        tangent, or the x-only or y-only part of the rest). The whole segment is tested, so
        a long step never tunnels through a thin building, and the result is never inside.
        A ``start`` that is inside is first moved to :meth:`free_spot`.
        """
        a = np.array(start, np.float64)
        if self.blocked(*a):
            a = np.array(self.free_spot(*a))
        b = np.array(end, np.float64)
        q, hit = self._advance(a, b - a)
        if hit is None:
            return (float(q[0]), float(q[1]))
        rest = b - q
        t = self._tangent(q, hit)
        best, score = q, 0.0
        for v in (t * (rest @ t), np.array([rest[0], 0.0]), np.array([0.0, rest[1]])):
            if v @ v < 1e-18:
                continue
            p, _ = self._advance(q, v)
            gain = float((p - q) @ rest)
            if gain > score:
                best, score = p, gain
        if self.blocked(*best):  # belt and braces: floating point at a corner
            best = q if not self.blocked(*q) else a
        return (float(best[0]), float(best[1]))

    def free_spot(self, x: float, y: float,
                  bounds: tuple[float, float, float, float] | None = None) -> tuple[float, float]:
        """(x, y) if free, else the nearest free point: just outside the boundary of the
        obstacle it is in (or, failing that, the nearest free point on rings around it).

        With ``bounds`` (x0, y0, x1, y1) the free point is also inside them, for a building
        that reaches over the edge of the walkable area.
        """
        if not self.blocked(x, y):
            return (float(x), float(y))
        p = np.array([x, y], np.float64)
        near = self._tree.query(shapely.Point(x, y))
        inside = near[shapely.intersects_xy(self._parts[near], x, y)]
        found: list[np.ndarray] = []
        for k in inside:
            ring = self._ring(p, k)
            edge = np.array(shapely.get_coordinates(
                shapely.line_interpolate_point(ring, shapely.line_locate_point(
                    ring, shapely.Point(x, y))))[0])
            t = self._tangent(edge, k)
            normal = np.array([t[1], -t[0]])
            away = edge - p
            outs = [normal, -normal]
            if away @ away > 1e-18:
                outs.insert(0, away / math.sqrt(away @ away))
            found += [edge + GAP * o for o in outs if not self.blocked(*(edge + GAP * o))]
        found = [c for c in found if _within(c, bounds)]
        if not found:
            found = self._search_rings(p, bounds)
        best = min(found, key=lambda c: float((c - p) @ (c - p)))
        return (float(best[0]), float(best[1]))

    # --- helpers ---------------------------------------------------------------------------

    def _advance(self, a: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, int | None]:
        """The farthest free point of the segment a -> a + v (a is free) and the obstacle
        that stops it (None when the whole segment is free)."""
        length2 = float(v @ v)
        if length2 < 1e-18:
            return a, None
        line = shapely.LineString([a, a + v])
        near = self._tree.query(line, predicate="intersects")
        if not near.size:
            return a + v, None
        meet = shapely.intersection(line, self._parts[near])
        coords, which = shapely.get_coordinates(meet, return_index=True)
        ts = (coords - a) @ v / length2
        first = int(np.argmin(ts))
        back = GAP / math.sqrt(length2)
        # Back off from the contact point; nearly grazing approaches need a longer back-off
        # to get GAP clear of the wall, hence the growing retries.
        for _ in range(8):
            s = max(0.0, float(ts[first]) - back)
            q = a + s * v
            if s == 0.0 or not self.blocked(*q):
                return (q if s > 0.0 else a), int(near[which[first]])
            back *= 4.0
        return a, int(near[which[first]])

    def _ring(self, p: np.ndarray, k: int) -> Any:
        """The ring (exterior or hole) of obstacle ``k`` nearest to ``p``."""
        rings = shapely.get_rings(self._parts[k])
        return rings[int(np.argmin(shapely.distance(rings, shapely.Point(*p))))]

    def _tangent(self, p: np.ndarray, k: int) -> np.ndarray:
        """The unit direction of obstacle ``k``'s boundary nearest to ``p``; at a corner the
        average of both sides, so walkers round corners instead of sticking."""
        ring = self._ring(p, k)
        length = float(shapely.length(ring))
        s = float(shapely.line_locate_point(ring, shapely.Point(*p)))
        step = min(0.05, length / 8)
        ends = shapely.line_interpolate_point(ring, [(s - step) % length, (s + step) % length])
        a, b = shapely.get_coordinates(ends)
        t = b - a
        n = math.sqrt(float(t @ t))
        return t / n if n > 0 else np.array([1.0, 0.0])

    def _search_rings(self, p: np.ndarray,
                      bounds: tuple[float, float, float, float] | None) -> list[np.ndarray]:
        """Free points (within ``bounds``) on growing circles around ``p``; the first circle
        with any wins."""
        angles = np.linspace(0.0, 2 * math.pi, 48, endpoint=False)
        ring = np.column_stack([np.cos(angles), np.sin(angles)])
        radius = 0.25
        while radius < 1e6:
            pts = p + radius * ring
            hits = self._tree.query(shapely.points(pts), predicate="intersects")[0]
            free = [pts[i] for i in np.setdiff1d(np.arange(len(pts)), hits)
                    if _within(pts[i], bounds)]
            if free:
                return free
            radius *= 1.5
        return [p]


def _within(p: np.ndarray, bounds: tuple[float, float, float, float] | None) -> bool:
    return bounds is None or (bounds[0] <= p[0] <= bounds[2] and bounds[1] <= p[1] <= bounds[3])


def _merge_overlaps(grown: np.ndarray) -> np.ndarray:
    """Polygons of ``grown`` with overlapping ones merged (union-find over tree pairs)."""
    if not len(grown):
        return np.empty(0, dtype=object)
    left, right = shapely.STRtree(grown).query(grown, predicate="intersects")
    parent = list(range(len(grown)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(grown)):
        groups.setdefault(root(i), []).append(i)
    merged = [grown[g[0]] if len(g) == 1 else shapely.union_all(grown[g]) for g in groups.values()]
    return shapely.get_parts(np.array(merged, dtype=object))
