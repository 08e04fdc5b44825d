"""Shuttles on a loop: the route, where each vehicle is, and what the trips save.

Pure numpy (plus the road graph a plugin is given), so it can be tested without the viewer:
``plan_loop`` turns pavilion entrances into a circular bus route along the roads, and a
``Fleet`` moves vehicles round it, stopping at every stop.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gwangju_twin.plugins import RoadGraph, RoadPoint, Route

#: Cruising speed. Korea's "safe speed 5030" rules cap city streets at 50 km/h and many at
#: 30 km/h; a shuttle that stops every few hundred metres averages about 30.
SPEED_KMH = 30.0
#: Time spent at each stop for passengers to get on and off, seconds.
DWELL_S = 10.0
#: Korea drives on the right: shuttles keep about one lane (3 m) right of the centre line.
LANE_OFFSET_M = 3.0
#: Pavilions whose kerbside stops would be closer than this share one stop, metres.
MERGE_STOPS_M = 40.0
#: The most shuttles the demo will put on the loop.
MAX_SHUTTLES = 12

# --- CO2: an electric shuttle against a diesel minibus of similar size, per km -------------
#: A 15-25 seat diesel minibus in stop-and-go city service does about 5 km per litre.
DIESEL_L_PER_KM = 0.2
#: Burning a litre of diesel releases about 2.67 kg of CO2 (the IPCC default of 74.1 t CO2
#: per TJ, at about 36 MJ per litre).
DIESEL_KG_CO2_PER_L = 2.67
#: A 6 m electric shuttle uses about 0.25 kWh per km, charging losses included.
ELECTRIC_KWH_PER_KM = 0.25
#: Korea's grid emits about 0.46 kg CO2 per kWh (the national emission factor for electricity
#: published by the Greenhouse Gas Inventory and Research Center of Korea).
GRID_KG_CO2_PER_KWH = 0.46
#: The resulting saving, about 0.42 kg CO2 per km driven electric instead of diesel.
CO2_SAVED_KG_PER_KM = (DIESEL_L_PER_KM * DIESEL_KG_CO2_PER_L
                       - ELECTRIC_KWH_PER_KM * GRID_KG_CO2_PER_KWH)

#: Headings are taken over this distance either side of a vehicle, so turns look smooth.
_LOOK_M = 2.0


def co2_saved_kg(distance_km: float) -> float:
    """CO2 (kg) avoided by driving ``distance_km`` in an electric shuttle rather than a diesel
    minibus (see ``CO2_SAVED_KG_PER_KM``)."""
    return float(distance_km) * CO2_SAVED_KG_PER_KM


def visit_order(distance: np.ndarray, start: int = 0) -> list[int]:
    """An order to visit every stop once and return, short in total ``distance``.

    ``distance`` is the (s, s) matrix of road distances between stops. The tour is built by
    always going to the nearest unvisited stop, then improved by 2-opt (reversing any
    stretch of the tour that makes it shorter) until nothing improves. Starts at ``start``.
    """
    d = np.asarray(distance, np.float64)
    d = (d + d.T) / 2  # roads are two-way; guard against tiny asymmetries
    s = len(d)
    tour = [start]
    left = set(range(s)) - {start}
    while left:
        here = tour[-1]
        nearest = min(left, key=lambda j: (d[here, j], j))
        tour.append(nearest)
        left.remove(nearest)
    improved = True
    while improved:
        improved = False
        for i in range(1, s - 1):
            for j in range(i + 1, s):
                a, b = tour[i - 1], tour[i]
                c, e = tour[j], tour[(j + 1) % s]
                if d[a, c] + d[b, e] < d[a, b] + d[c, e] - 1e-9:
                    tour[i : j + 1] = tour[i : j + 1][::-1]
                    improved = True
    return tour


@dataclass(frozen=True, eq=False)
class Loop:
    """A circular route along the roads through every stop, driven on the right-hand lane.

    Attributes:
        centre: (k, 2) the route along the road centre lines, closed (last point = first).
        lane: (k', 2) the path vehicles drive: ``centre`` moved ``lane_offset`` metres to the
            right of the direction of travel.
        along: (k',) distance in metres along ``lane`` of each of its points.
        stops: (s,) distance along ``lane`` of each stop, in visiting order (the first is 0).
        stop_points: the place on the road (``RoadPoint``) of each stop, in visiting order.
        stop_labels: for each stop, the index of the point in ``plan_loop``'s input it serves
            (the first one, when several share a stop).
    """

    centre: np.ndarray
    lane: np.ndarray
    along: np.ndarray
    stops: np.ndarray
    stop_points: tuple[RoadPoint, ...]
    stop_labels: tuple[int, ...]

    @property
    def length(self) -> float:
        """Length of one lap, metres."""
        return float(self.along[-1])

    def position(self, s: np.ndarray | float) -> np.ndarray:
        """(..., 2) lane position at distance ``s`` along the loop (wrapping round laps)."""
        s = np.mod(np.asarray(s, np.float64), self.length)
        seg = np.clip(np.searchsorted(self.along, s, side="right") - 1, 0, len(self.along) - 2)
        span = self.along[seg + 1] - self.along[seg]
        t = np.where(span > 0, (s - self.along[seg]) / np.where(span > 0, span, 1.0), 0.0)
        return self.lane[seg] + t[..., None] * (self.lane[seg + 1] - self.lane[seg])

    def pose(self, s: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Position (..., 2) and compass heading (..., ) in degrees clockwise from north of a
        vehicle at distance ``s`` along the loop. The heading is the direction from a point
        a little behind to a point a little ahead, so it turns smoothly through corners."""
        s = np.asarray(s, np.float64)
        ahead, behind = self.position(s + _LOOK_M), self.position(s - _LOOK_M)
        dx, dy = (ahead - behind)[..., 0], (ahead - behind)[..., 1]
        return self.position(s), np.degrees(np.arctan2(dx, dy)) % 360.0


def plan_loop(roads: RoadGraph, points: Sequence[tuple[float, float]],
              lane_offset: float = LANE_OFFSET_M, first: int = 0,
              merge_m: float = MERGE_STOPS_M) -> Loop:
    """A loop along ``roads`` stopping at the kerb nearest each of ``points`` (e.g. pavilion
    entrances).

    Each point's stop is the nearest place on the main road network (points whose stops are
    within ``merge_m`` of each other share the first one). The stops are visited in a short
    order (``visit_order``), starting with the stop of ``points[first]``. Raises ValueError
    if that leaves fewer than two stops.
    """
    stops: list[RoadPoint] = []
    labels: list[int] = []
    serves: list[int] = []  # for each point, the stop serving it
    for i, (x, y) in enumerate(points):
        here = roads.nearest_point(x, y, component=0)
        near = [k for k, s in enumerate(stops) if math.dist(s.xy, here.xy) < merge_m]
        if near:
            serves.append(near[0])
            continue
        serves.append(len(stops))
        stops.append(here)
        labels.append(i)
    if len(stops) < 2:
        raise ValueError(f"a loop needs at least two distinct stops; {len(points)} points "
                         f"gave {len(stops)}")
    legs: dict[tuple[int, int], Route] = {}
    distance = np.zeros((len(stops), len(stops)))
    for i, j in itertools.permutations(range(len(stops)), 2):
        legs[i, j] = roads.route(stops[i], stops[j])
        distance[i, j] = legs[i, j].length
    order = visit_order(distance, start=serves[first])

    pieces = [legs[order[0], order[1]].path[:1]]
    stop_vertex = []
    for a, b in zip(order, order[1:] + order[:1], strict=True):
        stop_vertex.append(sum(len(p) for p in pieces) - 1)
        pieces.append(legs[a, b].path[1:])
    centre = np.concatenate(pieces)
    lane, vertex_map = offset_right(centre, lane_offset)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(lane, axis=0).T))])
    return Loop(centre, lane, along, along[vertex_map[stop_vertex]],
                tuple(stops[k] for k in order), tuple(labels[k] for k in order))


def offset_right(path: np.ndarray, offset: float) -> tuple[np.ndarray, np.ndarray]:
    """A closed polyline (last point = first) moved ``offset`` metres to its right.

    Corners are mitred; a corner sharper than 120 degrees (a U-turn at a dead end) gets two
    points, one on each side, instead of a spike. Returns the new polyline and, for every
    point of ``path``, the index of its (first) counterpart in it.
    """
    path = np.asarray(path, np.float64)
    keep = np.ones(len(path), bool)
    keep[1:] = np.any(path[1:] != path[:-1], axis=1)  # drop repeated points
    index_of = np.cumsum(keep) - 1  # original point -> kept point
    p = path[keep]
    seg = np.diff(p, axis=0)
    seg /= np.linalg.norm(seg, axis=1, keepdims=True)
    right = np.column_stack([seg[:, 1], -seg[:, 0]])
    # Segment into and out of each point; the loop is closed, so they wrap round.
    n_in = np.concatenate([right[-1:], right])
    n_out = np.concatenate([right, right[:1]])
    mid = n_in + n_out
    half_cos = np.linalg.norm(mid, axis=1) / 2  # cos of half the turning angle
    sharp = half_cos < 0.5
    miter = mid / np.where(sharp, 1.0, 2 * half_cos**2)[:, None]  # = unit * (1 / half_cos)
    first = p + offset * np.where(sharp[:, None], n_in, miter)
    second = p[sharp] + offset * n_out[sharp]
    counts = 1 + sharp.astype(np.int64)
    starts = np.cumsum(counts) - counts
    lane = np.empty((counts.sum(), 2))
    lane[starts] = first
    lane[starts[sharp] + 1] = second
    if sharp[0]:
        # The loop starts at a U-turn: start on its outgoing side, where the last lap ends.
        return lane[1:], np.maximum(starts[index_of] - 1, 0)
    return lane, starts[index_of]


class Fleet:
    """Shuttles driving round a ``Loop`` at ``speed_kmh``, waiting ``dwell_s`` at each stop.

    Vehicle ``i`` is ``odometer[i]`` metres along the loop (counting laps); ``positions``
    gives where they are. ``distance_km`` is what the whole fleet has driven so far.
    """

    def __init__(self, loop: Loop, count: int = 3, speed_kmh: float = SPEED_KMH,
                 dwell_s: float = DWELL_S, max_count: int = MAX_SHUTTLES) -> None:
        self.loop = loop
        self.speed = speed_kmh / 3.6  # metres per second
        self.dwell_s = dwell_s
        self.max_count = max_count
        self.driven_m = 0.0
        count = max(0, min(count, max_count))
        # Spread evenly round the loop, so a shuttle comes by every lap / count.
        self.odometer = np.arange(count) * loop.length / max(count, 1)
        self.dwell = np.zeros(count)
        self.next_stop = self._stop_after(self.odometer)

    @property
    def count(self) -> int:
        """Vehicles on the loop."""
        return len(self.odometer)

    @property
    def distance_km(self) -> float:
        """Distance the fleet has driven, km."""
        return self.driven_m / 1000.0

    @property
    def at_stop(self) -> np.ndarray:
        """(count,) whether each vehicle is waiting at a stop."""
        return self.dwell > 0

    def add(self) -> bool:
        """Put one more shuttle on the loop, half-way along the longest gap between two
        others; False (nothing added) if the fleet is already ``max_count`` strong."""
        if self.count >= self.max_count:
            return False
        length = self.loop.length
        if self.count == 0:
            place = 0.0
        else:
            ring = np.sort(np.mod(self.odometer, length))
            gaps = np.diff(np.append(ring, ring[0] + length))
            k = int(np.argmax(gaps))
            place = float(ring[k] + gaps[k] / 2)
        self.odometer = np.append(self.odometer, place)
        self.dwell = np.append(self.dwell, 0.0)
        self.next_stop = np.append(self.next_stop, self._stop_after(np.array([place])))
        return True

    def step(self, dt: float) -> None:
        """Advance every vehicle by ``dt`` seconds. A vehicle never drives past its next stop
        in one step, however large ``dt`` is: it stops there and waits."""
        dt = max(float(dt), 0.0)
        waiting = self.dwell > 0
        self.dwell = np.where(waiting, np.maximum(self.dwell - dt, 0.0), 0.0)
        moving = ~waiting
        target = self.odometer + np.where(moving, self.speed * dt, 0.0)
        arrive = moving & (target >= self.next_stop)
        new = np.where(arrive, self.next_stop, target)
        self.driven_m += float((new - self.odometer).sum())
        self.odometer = new
        if arrive.any():
            self.dwell[arrive] = self.dwell_s
            self.next_stop[arrive] = self._stop_after(new[arrive])

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(count, 2) lane positions and (count,) compass headings (degrees) of the fleet."""
        return self.loop.pose(self.odometer)

    def _stop_after(self, s: np.ndarray) -> np.ndarray:
        """Odometer reading of the first stop strictly after each reading in ``s``."""
        length, stops = self.loop.length, self.loop.stops
        s = np.asarray(s, np.float64) + 1e-6  # a vehicle standing at a stop is past it
        lap = np.floor(s / length)
        k = np.searchsorted(stops, s - lap * length, side="right")
        ahead = np.where(k < len(stops), stops[np.minimum(k, len(stops) - 1)],
                         length + stops[0])
        return lap * length + ahead
