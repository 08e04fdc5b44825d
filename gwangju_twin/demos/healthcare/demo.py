"""Medical & healthcare: how fast an ambulance reaches every building, and what one closed
ER costs.

``load`` builds the coverage model once (pure code in ``coverage.py``) and names the view over
the ERs and the buildings as the demo's overview; ``enter`` flies there, paints every building
by its band and fills the panel (a legend of the bands, a chart of the shares). A button or a
tap on an ER's pillar closes or reopens it and the buildings are repainted from a new run;
the dispatch button sends the ambulance from the 119 safety centre to the building that
waits longest, a tap on a building sends it there, along the shortest road route drawn on
the ground, shown ten times faster than real time. ``exit`` restores the city's colours.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np

from gwangju_twin.plugins import ClickEvent, PavilionContext, PavilionDemo, Route

from .coverage import (
    AMBULANCE_SHARE,
    BAND_NAMES,
    Anchors,
    Coverage,
    CoverageModel,
    band_paths,
    floor_areas,
)
from .sites import Place, Places, find_places

#: Band colours, fastest first: ColorBrewer's RdYlBu (reversed), safe for colour-blind
#: visitors: blue, light blue, orange, red.
BAND_COLOURS = np.array([
    (0.27, 0.46, 0.71), (0.67, 0.85, 0.91), (0.99, 0.68, 0.38), (0.84, 0.19, 0.15),
])
#: The ambulance drives this many times faster than real time, so a trip fits a visit.
TIME_LAPSE = 10.0
#: The ambulance is drawn this much larger than life to be seen from the demo's view of
#: the whole district (about 3 km away).
SHOW_SCALE = 10.0
ER_OPEN = (0.85, 0.10, 0.15, 1.0)
ER_CLOSED = (0.45, 0.45, 0.45, 1.0)
WHITE = (0.96, 0.96, 0.96, 1.0)
RED = (0.85, 0.10, 0.15, 1.0)
#: The dispatched route's ribbon: a road is 6-20 m wide, so 8 m reads as a route on it
#: from the overview without hiding the road's own class colour beside it.
ROUTE_WIDTH = 24.0
ROUTE_COLOUR = (0.85, 0.10, 0.15, 0.9)
#: The bands' ribbons on the roads: as wide as a main road, so each street reads as one
#: colour from the whole district's view, and narrower than the route drawn over them.
BAND_WIDTH = 14.0
#: The ER pillars and the base's tower stand far above the roofs: from the whole
#: district's view they are finger-sized tap targets, and their labels float clear of the
#: scene's own landmark labels for the same buildings (drawn at the roofs).
BEACON_WIDTH, BEACON_HEIGHT = 30.0, 200.0
BASE_WIDTH, BASE_HEIGHT = 24.0, 160.0
#: Metres of blocks shown around the ERs and the base in the demo's view.
VIEW_MARGIN = 250.0
#: The share of the window's width the panel covers at its right edge.
PANEL_SHARE = 0.27
#: The view looks north, as the minimap does: the district's long east-west axis then lies
#: across the wide screen.
VIEW_HEADING = 0.0


def view_of(points: np.ndarray) -> tuple[float, float, float, float]:
    """Bounds ``(x0, y0, x1, y1)`` to frame for ``points`` (N, 2): ``VIEW_MARGIN`` of blocks
    around them, reaching further east by the panel's width so that the panel (at the
    window's right edge) covers only blocks beyond them."""
    lo, hi = points.min(axis=0) - VIEW_MARGIN, points.max(axis=0) + VIEW_MARGIN
    hi[0] += (hi[0] - lo[0]) * PANEL_SHARE / (1.0 - PANEL_SHARE)
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


class HealthcareDemo(PavilionDemo):
    """Paints buildings by ambulance minutes from the open ERs; closes ERs on request."""

    def __init__(self) -> None:
        self.model: CoverageModel | None = None
        self.ers: Anchors | None = None
        self.base: Anchors | None = None
        self.places: Places | None = None
        self.er_xy: list[tuple[float, float]] = []
        self.base_xy = (0.0, 0.0)
        self.open = np.ones(0, bool)
        self.result: Coverage | None = None
        self.show: Any = None
        self.beacons: list[Any] = []
        self.er_labels: list[Any] = []
        self.route_line: Any = None
        self.band_lines: Any = None
        self.view: tuple[float, float, float, float] | None = None
        self.ambulance: Any = None
        self.trip: Route | None = None
        self.trip_along: np.ndarray | None = None
        self.trip_speed = 0.0
        self.trip_at = 0.0
        self.trip_target: int | None = None

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
        # The ERs and the base as the district's own data tags them; the demo's own list
        # only where it has none (the panel says so).
        self.places = places = find_places(ctx.district)
        if not places.ers_from_district:
            ctx.log.warning("the district names no emergency room (emergency=yes on a "
                            "hospital): using the demo's own list")
        self.er_xy = [p.xy for p in places.ers]
        self.open = np.ones(len(places.ers), bool)
        self.ers = self.model.anchor(np.array(self.er_xy))
        base = places.base.xy
        self.base_xy = base
        self.base = self.model.anchor(np.array([base]))
        self._recompute()
        # The demo's view: the ERs and the base with the blocks around them. Not the whole
        # district: the viewer's height limit would cut it and leave an ER outside the
        # picture.
        self.view = view_of(np.array([*self.er_xy, base]))
        ctx.camera.set_overview(self.view, heading=VIEW_HEADING)
        ctx.log.info("ambulance coverage of %d buildings from %d ERs in %.0f ms", len(b),
                     len(places.ers), (time.perf_counter() - started) * 1000)

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
        # The bands' ribbons go first under the demo's node: ribbons of the same ground
        # layer are drawn in scene-graph order, so the route (added later) lies over them.
        self.band_lines = self.show.attach_new_node("band-lines")
        self.beacons, self.er_labels = [], []
        for i, (x, y) in enumerate(self.er_xy):
            beacon = ctx.make_box((BEACON_WIDTH, BEACON_WIDTH, BEACON_HEIGHT), ER_OPEN,
                                  parent=self.show)
            beacon.set_pos(x, y, 0.0)
            self.beacons.append(beacon)
            ctx.on_click(beacon, functools.partial(self._tapped_er, ctx, i))
            self.er_labels.append(self._er_label(ctx, i))
        bx, by = self.base_xy
        ctx.make_box((BASE_WIDTH, BASE_WIDTH, BASE_HEIGHT), WHITE,
                     parent=self.show).set_pos(bx, by, 0.0)
        # The scene labels the centre by its name already; this label says what it is for.
        ctx.make_label("구급차 출발지 (119)", "Ambulance base (119)",
                       (bx, by, BASE_HEIGHT), parent=self.show, scale=0.8)
        self.ambulance = self._make_ambulance(ctx)
        self.ambulance.set_pos(bx, by, 0.0)
        ctx.on_building_click(lambda row: self.dispatch(ctx, row))
        self._refresh(ctx)
        self._buttons(ctx)
        if self.view is not None:
            ctx.camera.frame(self.view, heading=VIEW_HEADING)

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
        self.er_labels, self.route_line, self.band_lines = [], None, None

    # ----------------------------------------------------------------- what-if
    def toggle(self, ctx: PavilionContext, i: int) -> None:
        """Close ER ``i`` if it is open, reopen it if closed, and repaint."""
        self.open[i] = not self.open[i]
        self._recompute()
        if i < len(self.beacons):
            self.beacons[i].set_color(*(ER_OPEN if self.open[i] else ER_CLOSED))
        if i < len(self.er_labels):
            # A label's text is fixed when it is made: a closed ER gets a new one.
            self.er_labels[i].remove_node()
            self.er_labels[i] = self._er_label(ctx, i)
        self._refresh(ctx)
        self._buttons(ctx)

    def dispatch(self, ctx: PavilionContext, target: int | None = None) -> None:
        """Send the ambulance from the 119 centre to building ``target`` (a row of
        ``ctx.district.buildings``), by default the building that waits longest."""
        if self.model is None or self.result is None or self.base is None:
            return  # a district without roads: nothing to dispatch over
        farthest = target is None
        if target is None:
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
        self.trip_target = target
        self.trip_speed = float(along[-1]) / max(seconds / TIME_LAPSE, 1e-3)
        if self.route_line is not None:
            self.route_line.remove_node()
        if self.show is not None:
            self.route_line = ctx.make_line(trip.path, width=ROUTE_WIDTH, color=ROUTE_COLOUR,
                                            parent=self.show)
        if farthest:
            # The farthest building may be anywhere: show the whole trip. A tapped building
            # is where the visitor already looks.
            ctx.camera.frame(view_of(trip.path), heading=VIEW_HEADING)
        name = ctx.district.buildings.names[target]
        ctx.panel.set_line(
            "trip",
            f"출동: {name or '선택한 건물'}까지 {trip.length:,.0f} m, 약 {seconds / 60:.1f}분",
            f"Dispatch: {name or 'the chosen building'}, {trip.length:,.0f} m, "
            f"about {seconds / 60:.1f} min",
        )

    # ----------------------------------------------------------------- drawing
    def _recompute(self) -> None:
        assert self.model is not None and self.ers is not None
        self.result = self.model.coverage(self.model.subset(self.ers, self.open))

    def _refresh(self, ctx: PavilionContext) -> None:
        """Repaint the buildings and redraw the bands' legend and the shares' chart."""
        assert self.result is not None
        r = self.result
        ctx.paint_buildings(np.arange(len(r.bands)), BAND_COLOURS[r.bands])
        self._draw_bands(ctx)
        ctx.panel.set_line("how", "응급실 기둥을 누르면 닫기·열기, 건물을 누르면 구급차 출동",
                           "Tap a pillar to close or reopen its ER, a building to send "
                           "the ambulance")
        ctx.panel.set_legend(
            "bands", [((*BAND_COLOURS[band], 1.0), ko, en)
                      for band, (ko, en) in enumerate(BAND_NAMES)],
            # The model's one rule in the legend's title: it is what the minutes mean.
            # The same colours paint the roads and the buildings: one legend for both.
            title_ko=f"도로·건물까지 구급차 도착 시간 (제한속도의 {AMBULANCE_SHARE:.0%})",
            title_en=f"Ambulance minutes to roads and buildings (at {AMBULANCE_SHARE:.0%} "
                     "of speed limits)")
        ko_names = [ko for ko, _ in BAND_NAMES]
        en_names = [en for _, en in BAND_NAMES]
        ctx.panel.set_chart(
            "shares", [round(100 * float(v), 1) for v in r.building_share], ko_names, en_names,
            kind="bar", title_ko="건물 비율", title_en="Share of buildings", unit="%")
        # The floor-area shares as one line, not a second chart: with it the panel would
        # outgrow a 16:9 screen and hide the chart under its scroll buttons.
        shown = [(ko, en, f) for (ko, en), f in zip(BAND_NAMES, r.floor_share, strict=True)
                 if f >= 0.005]
        ctx.panel.set_line("floors",
                           "연면적 기준: " + ", ".join(f"{ko} {f:.0%}" for ko, _, f in shown),
                           "By floor area: " + ", ".join(f"{en} {f:.0%}" for _, en, f in shown))
        assert self.places is not None
        ers = self.places.ers
        if not self.places.ers_from_district:
            # Honest about where the ERs come from: not this district's own data.
            ctx.panel.set_line("source", "이 지역 데이터에 응급실이 없어 데모의 상무지구 응급실 "
                               "목록을 씁니다",
                               "The district's data names no ER: the demo uses its own list "
                               "of the Sangmu district's ERs")
        else:
            ctx.panel.remove_line("source")
        shut = [s for s, o in zip(ers, self.open, strict=True) if not o]
        # With every ER open the pillars' labels say it all; a what-if names what it closed.
        if shut:
            ctx.panel.set_line(
                "ers",
                "응급실 " + ", ".join(f"{s.name_ko}{'' if o else ' (폐쇄)'}"
                                    for s, o in zip(ers, self.open, strict=True)),
                "ERs: " + ", ".join(f"{s.name_en}{'' if o else ' (closed)'}"
                                    for s, o in zip(ers, self.open, strict=True)),
            )
        else:
            ctx.panel.remove_line("ers")
        if len(shut) == len(ers):
            ctx.panel.set_line("note", "지역 응급실이 모두 닫혔습니다: 모든 건물이 12분 초과",
                               "Every ER in the district is closed: all buildings over 12 min")
        else:
            ctx.panel.remove_line("note")

    def _draw_bands(self, ctx: PavilionContext) -> None:
        """The roads as ribbons in their bands' colours, cut where a band's edge falls
        inside a stretch; one node in the end (the ribbons are merged into one geometry:
        a node per stretch would cost every frame)."""
        assert self.model is not None and self.ers is not None
        if self.band_lines is None or self.band_lines.is_empty():
            return
        for child in self.band_lines.get_children():
            child.remove_node()
        pieces = self.model.band_pieces(self.model.subset(self.ers, self.open))
        for band, path in band_paths(pieces):
            ctx.make_line(path, width=BAND_WIDTH, color=(*BAND_COLOURS[band], 1.0),
                          parent=self.band_lines)
        self.band_lines.flatten_strong()

    def _buttons(self, ctx: PavilionContext) -> None:
        assert self.places is not None
        for i, site in enumerate(self.places.ers):
            # Buttons name the ER by its short name: a full English name overflows a button.
            if self.open[i]:
                ko, en = f"{site.name_ko} 닫기", f"Close {site.short_en}"
            else:
                ko, en = f"{site.name_ko} 다시 열기", f"Reopen {site.short_en}"
            ctx.panel.add_button(f"er{i}", ko, en, functools.partial(self.toggle, ctx, i))
        ctx.panel.add_button("dispatch", "구급차 출동 (가장 먼 건물)",
                             "Dispatch ambulance", lambda: self.dispatch(ctx))

    def _tapped_er(self, ctx: PavilionContext, i: int, event: ClickEvent) -> None:
        self.toggle(ctx, i)

    def _er_label(self, ctx: PavilionContext, i: int) -> Any:
        """The ER over its pillar, open or closed (the scene's landmark label below it
        gives the hospital's full name)."""
        assert self.places is not None
        site: Place = self.places.ers[i]
        x, y = self.er_xy[i]
        if self.open[i]:
            ko, en = f"{site.name_ko} 응급실", site.short_en
        else:
            ko, en = f"{site.name_ko} 응급실 폐쇄", f"{site.short_en} closed"
        return ctx.make_label(ko, en, (x, y, BEACON_HEIGHT), parent=self.show)

    def _make_ambulance(self, ctx: PavilionContext) -> Any:
        """A white van with a red band, nose towards +y, at ``SHOW_SCALE``."""
        van = self.show.attach_new_node("ambulance")
        s = SHOW_SCALE
        ctx.make_box((2.2 * s, 5.6 * s, 2.4 * s), WHITE, parent=van)
        ctx.make_box((2.24 * s, 5.64 * s, 0.4 * s), RED, parent=van).set_z(1.2 * s)
        ctx.make_box((1.2 * s, 0.6 * s, 0.3 * s), RED, parent=van).set_pos(0, 1.5 * s, 2.4 * s)
        return van
