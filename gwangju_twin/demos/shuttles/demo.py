"""Eco-friendly autonomous driving: electric shuttles on a loop between the pavilions.

A reference demo for exhibitors. ``load`` plans the route once (pure code in ``fleet.py``)
and names the whole loop as the demo's overview; ``enter`` builds the vehicles from plain
boxes and frames the loop; ``update`` moves them along the road geometry; ``exit`` removes
everything it made. The panel counts the distance driven and
the CO2 saved against a diesel minibus.
"""

from __future__ import annotations

import numpy as np
from panda3d.core import NodePath

from gwangju_twin.plugins import PavilionContext, PavilionDemo

from .fleet import (
    DIESEL_KG_CO2_PER_L,
    DIESEL_L_PER_KM,
    DWELL_S,
    ELECTRIC_KWH_PER_KM,
    GRID_KG_CO2_PER_KWH,
    MAX_SHUTTLES,
    SPEED_KMH,
    Fleet,
    Loop,
    co2_saved_kg,
    plan_loop,
)

#: The mobility sector's blue (#1E88E5), so the shuttles match their pavilion.
BLUE = (0.118, 0.533, 0.898, 1.0)
WHITE = (0.95, 0.96, 0.97, 1.0)
DARK = (0.12, 0.13, 0.15, 1.0)
#: Shuttles on the loop when the demo starts.
START_SHUTTLES = 3
#: Vehicles and stop signs are drawn twice their real size: a 6 m shuttle is a speck from
#: the overview camera, 1-2 km away. Their positions are not scaled.
SHOW_SCALE = 2.0
#: The route ribbon's width (metres): one lane, seen as a line from the overview.
ROUTE_WIDTH = 3.0


class ShuttleDemo(PavilionDemo):
    """Electric autonomous shuttles looping between the pavilions' stops."""

    def __init__(self) -> None:
        self.loop: Loop | None = None
        self.fleet: Fleet | None = None
        self.paused = False
        self.show: NodePath | None = None  # everything drawn while the visitor is inside
        self.vehicles: list[NodePath] = []

    def load(self, ctx: PavilionContext) -> None:
        """Plan the loop: a stop at the kerb nearest each pavilion's entrance, starting here."""
        pavilions = ctx.district.pavilions
        here = next((i for i, p in enumerate(pavilions) if p.id == ctx.pavilion.id), 0)
        try:
            self.loop = plan_loop(ctx.district.roads, [p.entrance for p in pavilions],
                                  first=here)
        except ValueError as exc:  # too few roads near the pavilions: say so, do not fail
            ctx.log.warning("no shuttle loop: %s", exc)
            return
        self.fleet = Fleet(self.loop, START_SHUTTLES)
        # The loop runs past every pavilion, far beyond this one's door: the demo's view is
        # the whole loop (the kiosk's attract reel shows it too).
        ctx.camera.set_overview(self.loop.lane)
        ctx.log.info("shuttle loop: %.2f km, %d stops", self.loop.length / 1000,
                     len(self.loop.stops))

    def enter(self, ctx: PavilionContext) -> None:
        """Draw the route, the stops and the shuttles; fill the panel."""
        ctx.panel.clear()
        if self.loop is None or self.fleet is None:
            ctx.panel.set_line("status", "주변 도로가 부족해 셔틀 노선을 만들 수 없습니다",
                               "There are not enough roads nearby for a shuttle loop")
            return
        self.show = ctx.node.attach_new_node("shuttle-demo")
        # The driving line as a ribbon painted over the road (API 1.1 make_line): it never
        # flickers against the asphalt, and keeps its width as the camera zooms out.
        ctx.make_line(self.loop.lane, width=ROUTE_WIDTH, color=BLUE, parent=self.show)
        for s in self.loop.stops:
            self._make_stop_sign(ctx, s)
        self.vehicles = [self._make_shuttle(ctx) for _ in range(self.fleet.count)]
        self._place_vehicles()

        km = self.loop.length / 1000
        ctx.panel.set_line("route", f"순환 노선 {km:.1f} km · 정류장 {len(self.loop.stops)}곳",
                           f"Loop of {km:.1f} km with {len(self.loop.stops)} stops")
        ctx.panel.set_line("speed", f"시속 {SPEED_KMH:.0f} km, 정류장마다 {DWELL_S:.0f}초 정차",
                           f"{SPEED_KMH:.0f} km/h, {DWELL_S:.0f} s at every stop")
        diesel, electric = DIESEL_L_PER_KM * DIESEL_KG_CO2_PER_L, ELECTRIC_KWH_PER_KM
        ctx.panel.set_line(
            "basis",
            f"기준: 경유 {diesel:.2f} kg/km, 전기 {electric} kWh/km × {GRID_KG_CO2_PER_KWH} kg/kWh",
            f"Basis: diesel {diesel:.2f} kg/km; electric {electric} kWh/km × "
            f"{GRID_KG_CO2_PER_KWH} kg/kWh",
        )
        ctx.panel.add_button("add", "셔틀 추가", "Add shuttle", lambda: self._add(ctx))
        self._set_pause_button(ctx)
        self._update_panel(ctx)
        ctx.camera.frame(self.loop.lane)

    def update(self, ctx: PavilionContext, dt: float) -> None:
        """Drive the shuttles on by ``dt`` seconds and refresh the counters."""
        if self.fleet is None:
            return
        if not self.paused:
            self.fleet.step(dt)
        self._place_vehicles()
        self._update_panel(ctx)

    def exit(self, ctx: PavilionContext) -> None:
        """Remove the shuttles, stops and route; the fleet's state is kept for next time."""
        if self.show is not None:
            self.show.remove_node()
        self.show = None
        self.vehicles = []

    # --- drawing ------------------------------------------------------------------------

    def _make_shuttle(self, ctx: PavilionContext) -> NodePath:
        """A 6 x 2.4 x 2.8 m electric shuttle built from boxes, facing +y (Panda3D's heading
        0), shown at ``SHOW_SCALE``."""
        assert self.show is not None
        shuttle = self.show.attach_new_node("shuttle")
        shuttle.set_scale(SHOW_SCALE)
        for x_size, y, z in ((2.5, 1.9, 0.0), (2.5, -1.9, 0.0)):  # axles with wheels
            ctx.make_box((x_size, 0.7, 0.7), DARK, parent=shuttle).set_pos(0, y, z)
        ctx.make_box((2.4, 6.0, 1.9), WHITE, parent=shuttle).set_z(0.35)  # body
        ctx.make_box((2.44, 6.04, 0.35), BLUE, parent=shuttle).set_z(0.9)  # sector band
        ctx.make_box((2.2, 0.08, 0.8), DARK, parent=shuttle).set_pos(0, 3.0, 1.35)  # windscreen
        ctx.make_box((2.2, 5.2, 0.55), WHITE, parent=shuttle).set_z(2.25)  # roof pod
        return shuttle

    def _make_stop_sign(self, ctx: PavilionContext, s: float) -> None:
        """A blue post at the kerb beside the stop ``s`` metres along the loop."""
        assert self.show is not None and self.loop is not None
        (x, y), heading = self.loop.pose(s)
        right = np.radians(heading + 90.0)  # compass heading: x = sin, y = cos
        post = ctx.make_box((0.5, 0.5, 3.5), BLUE, parent=self.show)
        post.set_pos(x + 3.0 * np.sin(right), y + 3.0 * np.cos(right), 0.0)
        post.set_scale(SHOW_SCALE)
        ctx.make_box((1.4, 0.2, 0.9), WHITE, parent=post).set_z(2.6)

    def _place_vehicles(self) -> None:
        assert self.fleet is not None
        xy, heading = self.fleet.positions()
        for shuttle, (x, y), h in zip(self.vehicles, xy, heading, strict=True):
            # Panda3D's heading turns counter-clockwise; the compass turns clockwise.
            shuttle.set_pos_hpr(float(x), float(y), 0.0, -float(h), 0.0, 0.0)

    # --- panel and buttons --------------------------------------------------------------

    def _update_panel(self, ctx: PavilionContext) -> None:
        assert self.fleet is not None
        n, waiting = self.fleet.count, int(self.fleet.at_stop.sum())
        km = self.fleet.distance_km
        state_ko, state_en = (" · 일시정지", " · paused") if self.paused else ("", "")
        ctx.panel.set_line("fleet", f"운행 중인 셔틀 {n}대 (정차 중 {waiting}대){state_ko}",
                           f"Shuttles in service: {n} ({waiting} at a stop){state_en}")
        ctx.panel.set_line("distance", f"누적 주행 거리 {km:,.2f} km",
                           f"Distance driven: {km:,.2f} km")
        ctx.panel.set_line("co2", f"CO2 절감 {co2_saved_kg(km):,.2f} kg (경유 버스 대비)",
                           f"CO2 saved: {co2_saved_kg(km):,.2f} kg vs a diesel minibus")

    def _add(self, ctx: PavilionContext) -> None:
        assert self.fleet is not None
        if not self.fleet.add():
            ctx.panel.set_line("limit", f"셔틀은 최대 {MAX_SHUTTLES}대까지 운행합니다",
                               f"At most {MAX_SHUTTLES} shuttles run on the loop")
            return
        if self.show is not None:
            self.vehicles.append(self._make_shuttle(ctx))
            self._place_vehicles()
        self._update_panel(ctx)

    def _toggle_pause(self, ctx: PavilionContext) -> None:
        self.paused = not self.paused
        self._set_pause_button(ctx)
        self._update_panel(ctx)

    def _set_pause_button(self, ctx: PavilionContext) -> None:
        ko, en = ("다시 출발", "Resume") if self.paused else ("일시정지", "Pause")
        ctx.panel.add_button("pause", ko, en, lambda: self._toggle_pause(ctx))
