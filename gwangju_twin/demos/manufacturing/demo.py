"""Manufacturing: a production-line twin of an EV assembly line in front of the factory.

``load`` starts the line simulation (pure code in ``line.py``) and runs it for an hour so
the shift starts with a full line, lays the line out in the factory's forecourt and names its
view as the demo's overview (API 1.1, ``ctx.camera.set_overview``: the kiosk's attract reel
shows it). ``enter`` draws the line, flies the camera to it and listens for taps on the
stations; ``update`` (called while a visitor is inside) runs the line on at ``SPEED`` times
real time, moves the cars between the stations, highlights the bottleneck and refreshes the
panel: an OEE gauge against the 85 % world-class mark, a chart of its three factors, cars an
hour, cars built, the bottleneck. The line waits while nobody is in the pavilion
and goes on where it stopped. A tap on a station, or its button, breaks it down for
``REPAIR_S``; another button starts a new shift. Every node is made in ``enter`` and reused:
``update`` only moves, shows and hides.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gwangju_twin.plugins import ClickEvent, PavilionContext, PavilionDemo

from .line import WORLD_CLASS_FACTORS, WORLD_CLASS_OEE, AssemblyLine, Car

#: Simulated seconds per real second: a car crosses the five stations in 11-15 s.
SPEED = 60.0
#: The longest frame step simulated at once, so a stalled frame does not jump the line.
MAX_DT = 0.25
#: A breakdown's repair time: 20 simulated minutes, 20 s for the visitor at ``SPEED``.
REPAIR_S = 1200.0
#: Simulated time run before a shift starts, so the shift begins with a full line (an empty
#: line filling up would show as lost performance that no real shift has).
WARM_UP_S = 3600.0
#: How far into the shift a visitor arrives: an OEE over a few minutes swings with every car,
#: one over an hour is steady.
SHIFT_SO_FAR_S = 3600.0
#: Real seconds between panel updates. The viewer redraws the whole panel, buttons too, when
#: any line changes, and a tap whose press and release straddle a redraw is lost.
PANEL_SECONDS = 3.0
SEED = 2026

#: Stations teal, the bottleneck magenta: neither is a sector's colour, so both stand out
#: against the orange factory and its neighbours.
TEAL = (0.0, 0.60, 0.62, 1.0)
MAGENTA = (0.88, 0.12, 0.52, 1.0)
DARK = (0.16, 0.17, 0.19, 1.0)
#: A body in white before paint, then the paint colour; a red tag on a reworked car.
BODY_IN_WHITE = (0.80, 0.82, 0.85, 1.0)
PAINT = (0.98, 0.82, 0.10, 1.0)
DEFECT = (0.85, 0.10, 0.10, 1.0)
GLASS = (0.20, 0.26, 0.33, 1.0)
#: The factory site's raised plaza (the pavilion kit's plaza top).
PLAZA_TOP = 0.3
#: Station and car sizes (m). Cars are drawn at about 0.8 of a Casper (3.6 x 1.6 m) so two
#: fit in each buffer between the stations.
STATION = (5.0, 5.0)
CAR = (3.0, 1.4, 1.0)
CAR_GAP = 0.4
#: Station labels' size: their main line is 6 m tall at 1, too big for 5 m stations.
LABEL_SCALE = 0.6
#: Car nodes made once in ``enter``; the line never holds more (stations + buffers).
POOL = 24
#: The top of what the camera must show: the station labels float up to about here.
LINE_TOP = 9.0
#: The camera looks at the line from the forecourt, turned this far (degrees) off square so
#: the stations' depth shows, and this far down: low enough to read the stations' faces.
#: Turned the other way, the energy pavilion's wind turbine stood between camera and line.
VIEW_TURN = -25.0
VIEW_PITCH = 38.0
#: The overview (the kiosk's attract reel) stands higher, over the line and the hall.
OVERVIEW_PITCH = 48.0
#: The demo's panel covers the right of the picture (about a quarter of a 16:9 window): the
#: camera frames this share of the line's length more to its right, so the line itself
#: stands in the part of the view that stays free.
PANEL_ROOM = 0.45


class ManufacturingDemo(PavilionDemo):
    """An EV assembly line at the Casper Electric's takt, with breakdowns and live OEE."""

    def __init__(self) -> None:
        self.line: AssemblyLine | None = None
        self.show: Any = None  # everything drawn while the visitor is inside
        self.stations: list[tuple[Any, Any]] = []  # (normal, highlighted) per station
        self.station_roots: list[Any] = []  # each station's node, the target of its taps
        self.cars: list[dict[str, Any]] = []  # the pool: root node and its parts
        self.station_x: list[float] = []
        self.line_v = 0.0
        self.line_u = (0.0, 0.0)  # the conveyor's ends along the hall's front
        self.shown_bottleneck = -1
        self.panel_due = 0.0

    def load(self, ctx: PavilionContext) -> None:
        """Start the line and fill it (the first shift starts when it is full), lay it out
        and name its overview: the line with the hall behind it."""
        self.line = self._full_line()
        self._lay_out(ctx)
        ctx.camera.set_overview(self._view_target(ctx, hall=True),
                                heading=self._view_heading(ctx), pitch=OVERVIEW_PITCH)
        ctx.log.info("assembly line: %d stations, takt %.0f s", len(self.line.stations),
                     self.line.takt)

    def enter(self, ctx: PavilionContext) -> None:
        """Draw the line in the factory's forecourt, fly to it, listen for taps on the
        stations and fill the panel."""
        assert self.line is not None
        ctx.panel.clear()
        self._build(ctx)
        for i, (root, st) in enumerate(zip(self.station_roots, self.line.stations,
                                           strict=True)):
            ctx.on_click(root, self._tap(ctx, i))
            ctx.panel.add_button(f"break-{i}", f"{st.spec.name_ko} 고장",
                                 f"Break {st.spec.name_en}",
                                 lambda i=i: self._break(ctx, i))
        ctx.panel.add_button("reset", "새 교대 시작", "New shift", lambda: self._reset(ctx))
        ctx.panel.set_line("how", "공정을 누르면 고장 납니다", "Tap a station to break it")
        ctx.camera.frame(self._view_target(ctx), heading=self._view_heading(ctx),
                         pitch=VIEW_PITCH)
        self._refresh(ctx)

    def update(self, ctx: PavilionContext, dt: float) -> None:
        """Run the line on by ``dt`` (times ``SPEED``) and move the cars."""
        if self.line is None:
            return
        self.line.advance(min(max(dt, 0.0), MAX_DT) * SPEED)
        if self.show is not None:
            self.panel_due -= dt
            self._refresh(ctx, panel=self.panel_due <= 0.0)

    def exit(self, ctx: PavilionContext) -> None:
        """Remove the drawing; the line waits, as it is, for the next visitor."""
        if self.show is not None and not self.show.is_empty():
            self.show.remove_node()
        self.show, self.stations, self.station_roots, self.cars = None, [], [], []
        self.shown_bottleneck = -1

    # --- drawing ------------------------------------------------------------------------

    def _lay_out(self, ctx: PavilionContext) -> None:
        """Where the stations stand, in site coordinates: u along the front of the hall, v
        towards the entrance (the pavilion kit's frame)."""
        assert self.line is not None
        w, d = ctx.pavilion.size
        margin = max(2.5, 0.05 * min(w, d))
        # The hall's front wall stands at 0.23 d (pavilion kit: the forecourt is 0.27 d
        # deep); the line runs 5 m in front of it, clear of the robot arm further out.
        self.line_v = 0.23 * d + 5.0
        n = len(self.line.stations)
        buffer_len = 2 * (CAR[0] + CAR_GAP)
        pitch = min(STATION[0] + buffer_len + 1.0, (w - 2 * margin - buffer_len) / n)
        first = -(n - 1) * pitch / 2 + buffer_len / 2
        self.station_x = [first + i * pitch for i in range(n)]
        self.line_u = (self.station_x[0] - STATION[0] / 2 - buffer_len,
                       self.station_x[-1] + STATION[0] / 2 + 1.0)

    def _line_box(self, ctx: PavilionContext, hall: bool = False) -> np.ndarray:
        """The corners of the line's box in district metres (8, 3), for the camera; with
        ``hall``, reaching back over the hall's front to show where the line stands."""
        p = ctx.pavilion
        u0, u1 = self.line_u
        v0, v1 = self.line_v - STATION[1] / 2, self.line_v + STATION[1] / 2
        if hall:
            v0 -= 0.25 * p.size[1]
        z1 = min(LINE_TOP * 2, p.height) if hall else LINE_TOP
        u, v, z = (a.ravel() for a in np.meshgrid([u0, u1], [v0, v1], [0.0, z1]))
        # Site to district: turn by the heading (clockwise on the compass, as the show node
        # is turned) and move to the site's centre.
        h = math.radians(p.heading)
        x = p.position[0] + u * math.cos(h) + v * math.sin(h)
        y = p.position[1] - u * math.sin(h) + v * math.cos(h)
        return np.column_stack([x, y, z])

    def _view_target(self, ctx: PavilionContext, hall: bool = False) -> np.ndarray:
        """What the camera frames: the line's box and, to its right as the camera sees it,
        room for the panel."""
        box = self._line_box(ctx, hall)
        h = math.radians(self._view_heading(ctx))
        right = np.array([math.cos(h), -math.sin(h), 0.0])  # compass: x east, y north
        shift = PANEL_ROOM * (self.line_u[1] - self.line_u[0])
        return np.vstack([box, box + shift * right])

    @staticmethod
    def _view_heading(ctx: PavilionContext) -> float:
        """The compass heading the camera looks along: from the forecourt towards the hall
        (against the way the entrance faces), turned a little for depth."""
        return (ctx.pavilion.heading + 180.0 + VIEW_TURN) % 360.0

    def _build(self, ctx: PavilionContext) -> None:
        """The conveyor, a station per machine with its name over it and the pool of cars, in
        site coordinates (``_lay_out``)."""
        assert self.line is not None
        p = ctx.pavilion
        self.show = ctx.node.attach_new_node("manufacturing-line")
        self.show.set_pos(p.position[0], p.position[1], 0.0)
        self.show.set_h(-p.heading)  # compass headings turn clockwise, Panda3D's the other way
        x0, x1 = self.line_u
        conveyor = ctx.make_box((x1 - x0, 2.0, 0.2), DARK, parent=self.show)
        conveyor.set_pos((x0 + x1) / 2, self.line_v, PLAZA_TOP)
        # Each station's two looks share its node, so a tap on either finds the station.
        self.station_roots, self.stations = [], []
        for i, x in enumerate(self.station_x):
            root = self.show.attach_new_node(f"station-{i}")
            root.set_pos(x, self.line_v, PLAZA_TOP)
            self.station_roots.append(root)
            self.stations.append((self._station(ctx, root, TEAL),
                                  self._station(ctx, root, MAGENTA)))
        for _, hot in self.stations:
            hot.hide()
        for x, st in zip(self.station_x, self.line.stations, strict=True):
            ctx.make_label(st.spec.name_ko, st.spec.name_en, (x, self.line_v, PLAZA_TOP + 4.6),
                           parent=self.show, scale=LABEL_SCALE)
        self.cars = [self._car(ctx) for _ in range(POOL)]
        self.shown_bottleneck = -1

    @staticmethod
    def _station(ctx: PavilionContext, parent: Any, color: tuple[float, ...]) -> Any:
        """A pad, a back wall with the machine and an arm reaching over the car."""
        root = parent.attach_new_node("look")
        sw, sd = STATION
        ctx.make_box((sw, sd, 0.12), color, parent=root)
        ctx.make_box((sw, 0.8, 4.2), color, parent=root).set_y(-sd / 2 + 0.4)
        ctx.make_box((sw, 2.6, 0.6), color, parent=root).set_pos(0, -sd / 2 + 1.6, 3.6)
        ctx.make_box((sw - 1.0, 0.5, 0.9), DARK, parent=root).set_pos(0, -sd / 2 + 0.4, 4.2)
        return root

    def _car(self, ctx: PavilionContext) -> dict[str, Any]:
        """A car from boxes, in its two paint states and with a defect tag; hidden."""
        root = self.show.attach_new_node("car")
        length, width, height = CAR
        parts = {}
        for key, color in (("white", BODY_IN_WHITE), ("paint", PAINT)):
            body = root.attach_new_node(key)
            ctx.make_box((length, width, height * 0.55), color, parent=body).set_z(0.25)
            ctx.make_box((length * 0.55, width * 0.92, height * 0.45), color,
                         parent=body).set_pos(-0.15, 0, 0.25 + height * 0.55)
            parts[key] = body
        ctx.make_box((length * 0.04, width * 0.8, height * 0.35), GLASS,
                     parent=root).set_pos(length * 0.13, 0, 0.3 + height * 0.55)
        for wx in (-length * 0.3, length * 0.3):
            ctx.make_box((0.6, width + 0.1, 0.5), DARK, parent=root).set_x(wx)
        parts["defect"] = ctx.make_box((0.5, 0.5, 0.35), DEFECT, parent=root)
        parts["defect"].set_pos(-0.15, 0, 0.25 + height)
        root.hide()
        return {"root": root, **parts}

    def _refresh(self, ctx: PavilionContext, panel: bool = True) -> None:
        assert self.line is not None
        self._place_cars()
        worst = self.line.bottleneck()
        if worst != self.shown_bottleneck:
            for i, (normal, hot) in enumerate(self.stations):
                (hot.show if i == worst else hot.hide)()
                (normal.hide if i == worst else normal.show)()
            self.shown_bottleneck = worst
        if panel:
            self._panel(ctx, worst)
            self.panel_due = PANEL_SECONDS

    def _place_cars(self) -> None:
        assert self.line is not None
        paint_station = next((i for i, st in enumerate(self.line.stations)
                              if st.spec.key == "paint"), 0)
        shown = self.line.cars[-POOL:]
        for slot, car in zip(self.cars, shown, strict=False):
            slot["root"].show()
            slot["root"].set_pos(self._car_x(car), self.line_v, PLAZA_TOP + 0.2)
            painted = car.station > paint_station or (car.station == paint_station
                                                      and car.place == "blocked")
            (slot["paint"].show if painted else slot["paint"].hide)()
            (slot["white"].hide if painted else slot["white"].show)()
            (slot["defect"].hide if car.first_pass else slot["defect"].show)()
        for slot in self.cars[len(shown):]:
            slot["root"].hide()

    def _car_x(self, car: Car) -> float:
        """Where along the line a car stands: creeping through its station while worked on,
        at the station's exit while blocked, queued nose to tail in the buffer before it."""
        assert self.line is not None
        x = self.station_x[car.station]
        travel = STATION[0] - CAR[0]
        if car.place == "working":
            return x - travel / 2 + travel * car.progress
        if car.place == "blocked":
            return x + travel / 2
        queue = self.line.waiting(car.station)
        k = next((j for j, c in enumerate(queue) if c is car), 0)
        return x - STATION[0] / 2 - CAR_GAP - CAR[0] / 2 - k * (CAR[0] + CAR_GAP)

    # --- panel and buttons --------------------------------------------------------------

    def _panel(self, ctx: PavilionContext, worst: int) -> None:
        """Few text lines, so the gauge and the chart show without scrolling."""
        assert self.line is not None
        line = self.line
        hours, rest = divmod(int(line.elapsed), 3600)
        rate, target = line.throughput_per_hour(), 3600.0 / line.takt
        ctx.panel.set_line(
            "rate", f"시간당 {rate:.1f}대 (목표 {target:.1f}) · 생산 {line.out}대",
            f"{rate:.1f} cars an hour of {target:.1f} · {line.out} built")
        st = line.stations[worst]
        ctx.panel.set_line("bottleneck", f"병목 공정: {st.spec.name_ko} (분홍색)",
                           f"Bottleneck: {st.spec.name_en} (pink)")
        broken = [s for s in line.stations if s.state == "down"]
        if broken:
            minutes = math.ceil((max(s.broken_until for s in broken) - line.now) / 60)
            ctx.panel.set_line(
                "breakdown",
                "고장 수리 중: " + ", ".join(s.spec.name_ko for s in broken)
                + f" (남은 {minutes}분)",
                "Under repair: " + ", ".join(s.spec.name_en for s in broken)
                + f" ({minutes} min left)")
        else:
            ctx.panel.remove_line("breakdown")
        oee = line.oee()
        # In per cent, against the world-class marks: 85 % = 90 % x 95 % x 99.9 %.
        shift = f"{hours}:{rest // 60:02d}"
        ctx.panel.set_gauge("oee", 100 * oee.value, 0, 100,
                            f"설비종합효율 OEE (교대 {shift}, {SPEED:.0f}배속)",
                            f"OEE (shift {shift}, {SPEED:.0f}× speed)",
                            mark=100 * WORLD_CLASS_OEE, unit="%")
        marks = "·".join(f"{100 * m:g}" for m in WORLD_CLASS_FACTORS)
        ctx.panel.set_chart(
            "factors", [100 * oee.availability, 100 * oee.performance, 100 * oee.quality],
            ["가동률", "성능", "품질"], ["Availability", "Performance", "Quality"],
            title_ko=f"OEE 요인 (세계 수준 {marks})",
            title_en=f"Factors, world class {marks}",
            unit="%")

    @staticmethod
    def _full_line() -> AssemblyLine:
        """A new line, run until it is full, when its shift (and OEE) starts, and an hour
        into that shift."""
        line = AssemblyLine(seed=SEED)
        line.advance(WARM_UP_S)
        line.start_shift()
        line.advance(SHIFT_SO_FAR_S)
        return line

    def _tap(self, ctx: PavilionContext, station: int) -> Callable[[ClickEvent], None]:
        """What a tap on ``station`` does: the same as its button."""
        return lambda _event: self._break(ctx, station)

    def _break(self, ctx: PavilionContext, station: int) -> None:
        assert self.line is not None
        self.line.break_down(station, REPAIR_S)
        if self.show is not None:
            self._refresh(ctx)

    def _reset(self, ctx: PavilionContext) -> None:
        self.line = self._full_line()
        if self.show is not None:
            self.shown_bottleneck = -1
            self._refresh(ctx)
