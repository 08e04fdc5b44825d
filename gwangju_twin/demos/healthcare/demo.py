"""Medical & healthcare: how fast an ambulance reaches every building, and what one closed
ER costs.

``load`` builds the coverage model once (pure code in ``coverage.py``); ``enter`` paints every
building by its band and fills the panel; a button per ER closes or reopens it and the
buildings are repainted from a new run; the dispatch button sends the ambulance from the
119 safety centre to the building that waits longest, along the shortest road route, shown
ten times faster than real time. ``exit`` restores the city's colours.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np

from gwangju_twin.plugins import PavilionContext, PavilionDemo, Route

from .coverage import (
    AMBULANCE_SHARE,
    BAND_NAMES,
    Anchors,
    Coverage,
    CoverageModel,
    floor_areas,
    local_from_lonlat,
)
from .sites import AMBULANCE_BASE, EMERGENCY_ROOMS

#: Band colours, fastest first: ColorBrewer's RdYlBu (reversed), safe for colour-blind
#: visitors: blue, light blue, orange, red.
BAND_COLOURS = np.array([
    (0.27, 0.46, 0.71), (0.67, 0.85, 0.91), (0.99, 0.68, 0.38), (0.84, 0.19, 0.15),
])
#: The ambulance drives this many times faster than real time, so a trip fits a visit.
TIME_LAPSE = 10.0
#: The ambulance and the ER beacons are drawn this much larger than life to be seen from
#: the pavilion's view of the district.
SHOW_SCALE = 4.0
ER_OPEN = (0.85, 0.10, 0.15, 1.0)
ER_CLOSED = (0.45, 0.45, 0.45, 1.0)
WHITE = (0.96, 0.96, 0.96, 1.0)
RED = (0.85, 0.10, 0.15, 1.0)


class HealthcareDemo(PavilionDemo):
    """Paints buildings by ambulance minutes from the open ERs; closes ERs on request."""

    def __init__(self) -> None:
        self.model: CoverageModel | None = None
        self.ers: Anchors | None = None
        self.base: Anchors | None = None
        self.er_xy: list[tuple[float, float]] = []
        self.open = np.ones(len(EMERGENCY_ROOMS), bool)
        self.result: Coverage | None = None
        self.show: Any = None
        self.beacons: list[Any] = []
        self.ambulance: Any = None
        self.trip: Route | None = None
        self.trip_along: np.ndarray | None = None
        self.trip_speed = 0.0
        self.trip_at = 0.0

    # ----------------------------------------------------------------- lifecycle
    def load(self, ctx: PavilionContext) -> None:
        """Anchor every building and ER on the roads and run the all-open case."""
        started = time.perf_counter()
        b, roads = ctx.district.buildings, ctx.district.roads
        if len(b) == 0 or len(roads.edges) == 0:
            ctx.log.warning("the district has no buildings or no roads to cover")
            return
        weights = floor_areas(b.areas, b.levels, b.heights)
        self.model = CoverageModel(roads, ctx.district.road_kinds, b.centroids, weights)
        # TODO(API 1.1): ctx.district.to_local replaces this inversion.
        self.er_xy = [local_from_lonlat(ctx.district.to_lonlat, s.lon, s.lat)
                      for s in EMERGENCY_ROOMS]
        self.ers = self.model.anchor(np.array(self.er_xy))
        base = local_from_lonlat(ctx.district.to_lonlat, AMBULANCE_BASE.lon, AMBULANCE_BASE.lat)
        self.base_xy = base
        self.base = self.model.anchor(np.array([base]))
        self._recompute()
        ctx.log.info("ambulance coverage of %d buildings from %d ERs in %.0f ms", len(b),
                     len(EMERGENCY_ROOMS), (time.perf_counter() - started) * 1000)

    def enter(self, ctx: PavilionContext) -> None:
        """Paint the bands, place the ER beacons and fill the panel."""
        ctx.panel.clear()
        if self.model is None:
            ctx.panel.set_line("status", "이 지역에는 건물이나 도로가 없습니다",
                               "There are no buildings or roads in this district")
            return
        if not self.open.all():
            # Every visit starts with every ER open: the last visitor's what-if is not the
            # next one's (a kiosk has no one to reset it).
            self.open[:] = True
            self._recompute()
        self.show = ctx.node.attach_new_node("healthcare-demo")
        self.beacons = []
        for x, y in self.er_xy:
            beacon = ctx.make_box((3 * SHOW_SCALE, 3 * SHOW_SCALE, 15 * SHOW_SCALE), ER_OPEN,
                                  parent=self.show)
            beacon.set_pos(x, y, 0.0)
            self.beacons.append(beacon)
        bx, by = self.base_xy
        ctx.make_box((2.5 * SHOW_SCALE, 2.5 * SHOW_SCALE, 6 * SHOW_SCALE), WHITE,
                     parent=self.show).set_pos(bx, by, 0.0)
        self.ambulance = self._make_ambulance(ctx)
        self.ambulance.set_pos(bx, by, 0.0)
        self._refresh(ctx)
        self._buttons(ctx)

    def update(self, ctx: PavilionContext, dt: float) -> None:
        """Drive the dispatched ambulance along its route."""
        if self.trip is None or self.trip_along is None or self.ambulance is None:
            return
        self.trip_at = min(self.trip_at + dt * self.trip_speed, float(self.trip_along[-1]))
        path, along = self.trip.path, self.trip_along
        x = float(np.interp(self.trip_at, along, path[:, 0]))
        y = float(np.interp(self.trip_at, along, path[:, 1]))
        k = int(np.clip(np.searchsorted(along, self.trip_at, side="right"), 1, len(path) - 1))
        dx, dy = path[k] - path[k - 1]
        self.ambulance.set_pos_hpr(x, y, 0.0, float(np.degrees(np.arctan2(-dx, dy))), 0.0, 0.0)
        if self.trip_at >= along[-1]:
            self.trip = None  # arrived: it waits at the door until the next dispatch

    def exit(self, ctx: PavilionContext) -> None:
        """Give the buildings their own colours back and remove the demo's objects."""
        ctx.clear_paint()
        if self.show is not None and not self.show.is_empty():
            self.show.remove_node()
        self.show, self.ambulance, self.trip, self.beacons = None, None, None, []

    # ----------------------------------------------------------------- what-if
    def toggle(self, ctx: PavilionContext, i: int) -> None:
        """Close ER ``i`` if it is open, reopen it if closed, and repaint."""
        self.open[i] = not self.open[i]
        self._recompute()
        if i < len(self.beacons):
            self.beacons[i].set_color(*(ER_OPEN if self.open[i] else ER_CLOSED))
        self._refresh(ctx)
        self._buttons(ctx)

    def dispatch(self, ctx: PavilionContext) -> None:
        """Send the ambulance from the 119 centre to the building that waits longest."""
        assert self.model is not None and self.result is not None and self.base is not None
        target = int(np.argmax(np.where(np.isfinite(self.result.minutes),
                                        self.result.minutes, -1.0)))
        roads = self.model.roads
        bx, by = self.base_xy
        tx, ty = ctx.district.buildings.centroids[target]
        start = roads.nearest_point(bx, by, component=0)
        end = roads.nearest_point(float(tx), float(ty), component=0)
        trip = roads.route(start, end)
        places = self.model.subset(self.model.anchors, np.array([target]))
        seconds = float(self.model.seconds_to(self.base, places)[0])
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(trip.path, axis=0).T))])
        self.trip, self.trip_along, self.trip_at = trip, along, 0.0
        self.trip_speed = float(along[-1]) / max(seconds / TIME_LAPSE, 1e-3)
        name = ctx.district.buildings.names[target]
        ctx.panel.set_line(
            "trip",
            f"출동: {name or '가장 먼 건물'}까지 {trip.length:,.0f} m, 약 {seconds / 60:.1f}분",
            f"Dispatch: {name or 'the farthest building'}, {trip.length:,.0f} m, "
            f"about {seconds / 60:.1f} min",
        )

    # ----------------------------------------------------------------- drawing
    def _recompute(self) -> None:
        assert self.model is not None and self.ers is not None
        self.result = self.model.coverage(self.model.subset(self.ers, self.open))

    def _refresh(self, ctx: PavilionContext) -> None:
        """Repaint the buildings and rewrite the share lines."""
        assert self.result is not None
        r = self.result
        ctx.paint_buildings(np.arange(len(r.bands)), BAND_COLOURS[r.bands])
        ctx.panel.set_line("head", "구급차 도착 시간: 건물 수 · 연면적 비율",
                           "Ambulance arrival: share of buildings · of floor area")
        for band, (ko, en) in enumerate(BAND_NAMES):
            colour = ("파랑", "연파랑", "주황", "빨강")[band]
            colour_en = ("blue", "light blue", "orange", "red")[band]
            b, f = r.building_share[band], r.floor_share[band]
            ctx.panel.set_line(f"band{band}", f"{ko} ({colour}): 건물 {b:.0%} · 연면적 {f:.0%}",
                               f"{en} ({colour_en}): {b:.0%} bldgs · {f:.0%} floors")
        shut = [s for s, o in zip(EMERGENCY_ROOMS, self.open, strict=True) if not o]
        ctx.panel.set_line(
            "ers",
            "응급실 " + ", ".join(f"{s.name_ko}{'' if o else ' (폐쇄)'}"
                                for s, o in zip(EMERGENCY_ROOMS, self.open, strict=True)),
            "ERs: " + ", ".join(f"{s.name_en}{'' if o else ' (closed)'}"
                                for s, o in zip(EMERGENCY_ROOMS, self.open, strict=True)),
        )
        if len(shut) == len(EMERGENCY_ROOMS):
            ctx.panel.set_line("note", "지역 응급실이 모두 닫혔습니다: 모든 건물이 12분 초과",
                               "Every ER in the district is closed: all buildings over 12 min")
        else:
            ctx.panel.remove_line("note")
        ctx.panel.set_line(
            "rule",
            f"구급차 속도 = 도로 제한속도의 {AMBULANCE_SHARE:.0%} (60/50/30 km/h)",
            f"Ambulance speed = {AMBULANCE_SHARE:.0%} of each road's limit (60/50/30 km/h)",
        )

    def _buttons(self, ctx: PavilionContext) -> None:
        for i, site in enumerate(EMERGENCY_ROOMS):
            # Buttons name the ER by its short name: a full English name overflows a button.
            if self.open[i]:
                ko, en = f"{site.name_ko} 닫기", f"Close {site.short_en}"
            else:
                ko, en = f"{site.name_ko} 다시 열기", f"Reopen {site.short_en}"
            ctx.panel.add_button(f"er{i}", ko, en, functools.partial(self.toggle, ctx, i))
        ctx.panel.add_button("dispatch", "구급차 출동 (가장 먼 건물)",
                             "Dispatch ambulance", lambda: self.dispatch(ctx))

    def _make_ambulance(self, ctx: PavilionContext) -> Any:
        """A white van with a red band, nose towards +y, at ``SHOW_SCALE``."""
        van = self.show.attach_new_node("ambulance")
        s = SHOW_SCALE
        ctx.make_box((2.2 * s, 5.6 * s, 2.4 * s), WHITE, parent=van)
        ctx.make_box((2.24 * s, 5.64 * s, 0.4 * s), RED, parent=van).set_z(1.2 * s)
        ctx.make_box((1.2 * s, 0.6 * s, 0.3 * s), RED, parent=van).set_pos(0, 1.5 * s, 2.4 * s)
        return van
