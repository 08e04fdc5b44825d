"""Eco-friendly energy: how much electricity each roof could make from the sun.

A reference demo for exhibitors. ``load`` runs the solar model once (pure code in
``sun.py``) and names the whole district as the demo's overview; ``enter`` frames the
district's roofs, paints every building by its potential, fills the panel and shows the
colour scale as a legend; a button switches between the total a roof could make and its
yield per square metre (which shows where taller neighbours cast shade); ``exit``
restores the city's colours.

With plugin API 1.2 it also reads the scene's clock (``ctx.sun``): the panel says where the
sun stands at the moment the viewer shows and how many roofs are in shade right then, and
follows the time slider or a played day (recomputed when the sun has moved a little, not
every frame). The yearly figures stay the year's.
"""

from __future__ import annotations

import time

import numpy as np
import shapely

from gwangju_twin.plugins import PavilionContext, PavilionDemo, SunView

from .sun import (
    ANNUAL_GHI_KWH_M2,
    MODULE_EFFICIENCY,
    PERFORMANCE_RATIO,
    USABLE_ROOF_FRACTION,
    RooftopSolar,
    rooftop_potential,
    shaded_now,
)

#: A Korean household uses about 300 kWh of electricity a month (KEPCO's average for a
#: residential customer), so 3,600 kWh a year.
HOUSEHOLD_KWH_PER_YEAR = 3600.0
#: Korea's grid emits about 0.46 kg CO2 per kWh (the national emission factor for
#: electricity published by the Greenhouse Gas Inventory and Research Center of Korea), so
#: each kWh from a roof avoids that much.
GRID_KG_CO2_PER_KWH = 0.46

#: Viridis (matplotlib's default map): perceptually even, readable by colour-blind visitors
#: and in greyscale. Sampled at 9 evenly spaced stops, dark purple (low) to yellow (high).
VIRIDIS = np.array([
    (0.267, 0.005, 0.329), (0.278, 0.175, 0.483), (0.230, 0.322, 0.546),
    (0.173, 0.448, 0.558), (0.128, 0.567, 0.551), (0.158, 0.684, 0.502),
    (0.369, 0.789, 0.383), (0.678, 0.864, 0.190), (0.993, 0.906, 0.144),
])

#: How the panel names an unnamed building of each type (Korean, English).
KINDS = {
    "apartments": ("아파트", "an apartment block"),
    "commercial": ("상업 건물", "a commercial building"),
    "retail": ("상가", "a shop"), "office": ("업무 빌딩", "an office building"),
    "civic": ("공공 건물", "a civic building"), "school": ("학교", "a school"),
    "house": ("주택", "a house"), "industrial": ("공장", "a factory"),
}


#: The legend shows the colour scale at this many evenly spaced stops (low to high).
LEGEND_STOPS = 5
#: The roofs' shade "now" is worked out again once the sun has moved this far (degrees): a
#: quarter of a degree is a minute of a played day and well below what a visitor can see.
SUN_STEP_DEG = 0.25


def viridis(t: np.ndarray) -> np.ndarray:
    """(n, 3) RGB colours for values ``t`` in 0..1 (clipped), along ``VIRIDIS``."""
    t = np.clip(np.asarray(t, np.float64), 0.0, 1.0) * (len(VIRIDIS) - 1)
    stops = np.arange(len(VIRIDIS))
    return np.column_stack([np.interp(t, stops, VIRIDIS[:, c]) for c in range(3)])


def _mwh(value: float) -> str:
    """A legend's MWh figure: whole numbers from 10 up, one decimal below (small roofs)."""
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


class SolarDemo(PavilionDemo):
    """Paints every building by the electricity a rooftop solar system could make."""

    def __init__(self) -> None:
        self.solar: RooftopSolar | None = None
        self.per_m2 = False  # colour by total potential (False) or by yield per m² (True)
        #: What the camera shows: every roof, up to the tallest (None: no buildings).
        self.view: np.ndarray | None = None
        #: Which roofs are in shade at the scene's moment, and the sun it was worked out for.
        self.shade_now: np.ndarray | None = None
        self._shade_sun: tuple[float, float] | None = None

    def load(self, ctx: PavilionContext) -> None:
        """Run the solar model for every building (about a tenth of a second for Sangmu)."""
        b = ctx.district.buildings
        if len(b) == 0:
            ctx.log.warning("the district has no buildings to put solar panels on")
            return
        started = time.perf_counter()
        latitude = ctx.district.origin_lonlat[1]
        self.solar = rooftop_potential(b.footprints, b.heights, latitude, areas=b.areas)
        ctx.log.info("rooftop solar for %d buildings at %.2f N in %.0f ms: %.0f MWh a year",
                     len(b), latitude, (time.perf_counter() - started) * 1000,
                     self.solar.total_kwh / 1000)
        # The demo paints the whole district, most of it far from the pavilion's door, so
        # its view takes in every roof (and the tallest's top) rather than the door.
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(b.footprints))
        self.view = np.array([[x0, y0, 0.0], [x1, y1, float(np.max(b.heights))]])
        ctx.camera.set_overview(self.view)
        ctx.sun.subscribe(lambda sun: self._sun_moved(ctx, sun))

    def enter(self, ctx: PavilionContext) -> None:
        """Paint the buildings and fill the panel."""
        ctx.panel.clear()
        if self.solar is None:
            ctx.panel.set_line("status", "이 지역에는 건물이 없습니다",
                               "There are no buildings in this district")
            return
        self._fill_panel(ctx)
        self._show_sun(ctx, ctx.sun)
        self._paint(ctx)
        if self.view is not None:
            ctx.camera.frame(self.view)

    def exit(self, ctx: PavilionContext) -> None:
        """Give the buildings their own colours back."""
        ctx.clear_paint()

    def _paint(self, ctx: PavilionContext) -> None:
        """Colour every building along viridis by the chosen measure and show the scale as
        the panel's legend: a few stops along it, each labelled with its value."""
        assert self.solar is not None
        stops = np.linspace(0.0, 1.0, LEGEND_STOPS)
        if self.per_m2:
            # Yield per m² differs only through shade, so stretch the colours between the
            # darkest and the sunniest roof.
            value = self.solar.yield_kwh_m2
            lo, hi = float(value.min()), float(value.max())
            t = (value - lo) / max(hi - lo, 1e-9)
            at = lo + stops * (hi - lo)
            labels = [(f"{v:,.0f}", f"{v:,.0f}") for v in at]
            labels[0] = f"{labels[0][0]} (그늘)", f"{labels[0][1]} (shade)"
            title = ("m²당 연 발전량 (kWh/m²)", "Yield per m² a year (kWh/m²)")
        else:
            # Totals span two orders of magnitude (a house to a convention centre): a
            # logarithmic scale between the 2nd and 98th percentiles keeps every size readable.
            value = self.solar.annual_kwh / 1000.0
            lo, hi = np.percentile(value, [2, 98])
            lo, hi = max(float(lo), 1e-3), max(float(hi), float(lo) * 1.001)
            t = (np.log(np.maximum(value, 1e-3)) - np.log(lo)) / (np.log(hi) - np.log(lo))
            at = np.exp(np.log(lo) + stops * (np.log(hi) - np.log(lo)))
            labels = [(_mwh(v), _mwh(v)) for v in at]
            top = f"{_mwh(at[-1])}+"  # the top colour also holds the 2 % beyond it
            labels[-1] = top, top
            title = ("연 발전량 (MWh, 로그 눈금)", "Output a year (MWh, log scale)")
        ctx.paint_buildings(np.arange(len(value)), viridis(t))
        entries = [(tuple(colour), ko, en)
                   for colour, (ko, en) in zip(viridis(stops), labels, strict=True)]
        ctx.panel.set_legend("scale", entries, *title)

    def _fill_panel(self, ctx: PavilionContext) -> None:
        assert self.solar is not None
        b = ctx.district.buildings
        mwh = self.solar.total_kwh / 1000.0
        homes = self.solar.total_kwh / HOUSEHOLD_KWH_PER_YEAR
        co2_t = self.solar.total_kwh * GRID_KG_CO2_PER_KWH / 1000.0
        ctx.panel.set_line("total", f"연 {mwh:,.0f} MWh (지붕 {len(b):,}곳)",
                           f"{mwh:,.0f} MWh a year from {len(b):,} roofs")
        ctx.panel.set_line("homes", f"약 {homes:,.0f}가구의 1년 전기",
                           f"A year's electricity for ~{homes:,.0f} homes")
        ctx.panel.set_line("co2", f"CO2 연 {co2_t:,.0f}톤 감축",
                           f"{co2_t:,.0f} t of CO2 avoided a year")
        shade = float((self.solar.shaded * b.areas).sum() / max(b.areas.sum(), 1e-9))
        ctx.panel.set_line("shade", f"그늘 손실: 직사광의 {shade:.1%}",
                           f"Shade takes {shade:.1%} of the direct sun")
        top = int(np.argmax(self.solar.annual_kwh))
        kind = str(b.kinds[top])
        name_ko, name_en = KINDS.get(kind, (kind, f"a building ({kind})"))
        name_ko, name_en = b.names[top] or name_ko, b.names[top] or name_en
        top_mwh = self.solar.annual_kwh[top] / 1000.0
        ctx.panel.set_line("top", f"최대: {name_ko} 연 {top_mwh:,.0f} MWh",
                           f"Largest: {name_en}, {top_mwh:,.0f} MWh a year")
        ctx.panel.set_line(
            "basis",
            f"가정: {ANNUAL_GHI_KWH_M2:,.0f} kWh/m²·년, 지붕 {USABLE_ROOF_FRACTION:.0%}, "
            f"효율 {MODULE_EFFICIENCY:.0%}, 성능비 {PERFORMANCE_RATIO}",
            f"Assumed: {ANNUAL_GHI_KWH_M2:,.0f} kWh/m²/yr, {USABLE_ROOF_FRACTION:.0%} of roof, "
            f"{MODULE_EFFICIENCY:.0%} modules, PR {PERFORMANCE_RATIO}",
        )
        self._set_mode_button(ctx)

    def _sun_moved(self, ctx: PavilionContext, sun: SunView) -> None:
        """The scene's clock moved: show the new sun while the visitor is inside."""
        if ctx.inside and self.solar is not None:
            self._show_sun(ctx, sun)

    def _show_sun(self, ctx: PavilionContext, sun: SunView) -> None:
        """Panel lines for the sun at the scene's moment and the roofs in its shade."""
        pos, when = sun.position, sun.when
        at_ko, at_en = when.strftime("%m월 %d일 %H:%M"), when.strftime("%d %b %H:%M")
        if not pos.up:
            self.shade_now, self._shade_sun = None, None
            ctx.panel.set_line("sun", f"지금 ({at_ko}): 해가 졌습니다",
                               f"Now ({at_en}): the sun is down")
            ctx.panel.remove_line("shade_now")
            return
        high, bearing = f"{pos.elevation_deg:.1f}°", f"{pos.azimuth_deg:.0f}°"
        ctx.panel.set_line("sun", f"지금 ({at_ko}): 태양 고도 {high}, 방위 {bearing}",
                           f"Now ({at_en}): sun {high} high, azimuth {bearing}")
        here = (pos.azimuth_deg, pos.elevation_deg)
        moved = self._shade_sun is None or max(
            abs((here[0] - self._shade_sun[0] + 180.0) % 360.0 - 180.0),
            abs(here[1] - self._shade_sun[1])) >= SUN_STEP_DEG
        if moved:
            b = ctx.district.buildings
            self.shade_now = shaded_now(b.footprints, b.heights, np.array(pos.direction))
            self._shade_sun = here
        assert self.shade_now is not None
        dark, n = int(self.shade_now.sum()), len(self.shade_now)
        ctx.panel.set_line("shade_now", f"지금 그늘진 지붕: {dark:,} / {n:,}곳",
                           f"Roofs in shade now: {dark:,} of {n:,}")

    def _toggle(self, ctx: PavilionContext) -> None:
        self.per_m2 = not self.per_m2
        self._paint(ctx)
        self._set_mode_button(ctx)

    def _set_mode_button(self, ctx: PavilionContext) -> None:
        # The button names the view it switches to.
        ko, en = (("건물별 총량 보기", "Show total per building") if self.per_m2
                  else ("m²당 발전량 보기", "Show yield per m²"))
        ctx.panel.add_button("mode", ko, en, lambda: self._toggle(ctx))
