"""The solar demo (energy pavilion) on API 1.2, in the real plugin host: its colour scale is a
legend whose swatches are the colours the buildings are painted in, labelled with their
values; its view takes in every roof of the district (not just the pavilion's door); and a
kiosk visitor switches the scale with a finger (the rehearsal's virtual finger)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import shapely
from stage_driving import building_spot

import gwangju_twin.demos.solar as solar
from gwangju_twin.app.stage import Stage
from gwangju_twin.demos.solar.demo import LEGEND_STOPS, viridis
from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.plugins.guard import Hook
from gwangju_twin.plugins.panel import PanelLegend
from gwangju_twin.plugins.testing import run_lifecycle
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

if TYPE_CHECKING:
    from gwangju_twin.app.rehearsal import Rehearsal

FOLDER = Path(solar.__file__).parent
PAVILION = "energy"


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    scene = dataclasses.replace(load_scene(default_scene_path()), plugin_folders=())
    return prepare(scene)


def legend(panel: Any) -> PanelLegend:
    """The panel's one legend (there must be exactly one)."""
    found = [item for item in panel.items if isinstance(item, PanelLegend)]
    assert len(found) == 1, panel.items
    return found[0]


def test_the_lifecycle_shows_the_scale_as_a_legend_not_a_text_line() -> None:
    result = run_lifecycle(FOLDER, seconds=0.2)
    assert result.errors == [] and result.state == "unloaded"
    # The figures the panel always showed are still there (their numbers come from sun.py,
    # whose own tests pin them).
    assert any(line.endswith("roofs") and "MWh a year" in line for line in result.panel_en)
    assert any("가구의 1년 전기" in line for line in result.panel_ko)
    # The legend, as panel text, is its title and the five stops' values, low to high.
    scale_en = [line for line in result.panel_en if line.startswith("Output a year")]
    scale_ko = [line for line in result.panel_ko if line.startswith("연 발전량")]
    assert len(scale_en) == 1 and len(scale_ko) == 1
    assert scale_en[0].startswith("Output a year (MWh, log scale): ")
    values = scale_en[0].split(": ", 1)[1].split(", ")
    assert len(values) == LEGEND_STOPS and values[-1].endswith("+")
    numbers = [float(v.rstrip("+").replace(",", "")) for v in values]
    assert numbers == sorted(numbers) and numbers[0] < numbers[-1]
    # The old colour words ("Purple 38 -> yellow 337+") are gone with the text line.
    assert not any("Purple" in line or "보라" in line for line in result.panel_en
                   + result.panel_ko)


def painted_stage(prepared: Prepared) -> tuple[Stage, Any, list[np.ndarray]]:
    """A headless stage entered into the energy pavilion, recording each paint's colours."""
    stage = Stage(prepared, "none", (640, 360))
    slot = stage.expo.host.slot(PAVILION)
    assert slot is not None and slot.context is not None
    ctx = slot.context
    paints: list[np.ndarray] = []
    paint = ctx.paint_buildings

    def recording(indices: Any, colors: Any) -> None:
        order = np.argsort(np.asarray(indices))
        paints.append(np.asarray(colors, np.float64)[order])
        paint(indices, colors)

    ctx.paint_buildings = recording
    stage.expo.enter(PAVILION)
    return stage, slot, paints


def test_the_legend_swatches_are_the_paint_colours_at_their_values(prepared: Prepared) -> None:
    stage, slot, paints = painted_stage(prepared)
    try:
        demo: Any = slot.instance
        panel = stage.expo.panel(PAVILION)
        assert "legend" not in {line.key for line in panel.lines}
        item = legend(panel)
        assert item.key == "scale" and len(item.entries) == LEGEND_STOPS
        assert (item.title_ko, item.title_en) == ("연 발전량 (MWh, 로그 눈금)",
                                                  "Output a year (MWh, log scale)")
        swatches = np.array([e.rgba[:3] for e in item.entries])
        np.testing.assert_allclose(swatches, viridis(np.linspace(0, 1, LEGEND_STOPS)))
        # The ends are the 2nd and 98th percentiles of the roofs' output, the top one open.
        mwh = demo.solar.annual_kwh / 1000.0
        lo, hi = np.percentile(mwh, [2, 98])
        assert item.entries[0].en == f"{lo:,.0f}"
        assert item.entries[-1].en == f"{hi:,.0f}+" == item.entries[-1].ko
        # A roof making about a stop's value is painted in that stop's swatch: the legend
        # describes the picture. (The middle stop is the geometric mean of the ends.)
        colours = paints[-1]
        for k, stop in enumerate(np.exp(np.linspace(np.log(lo), np.log(hi), LEGEND_STOPS))):
            nearest = int(np.argmin(np.abs(np.log(mwh) - np.log(stop))))
            assert abs(np.log(mwh[nearest] / stop)) < 0.05, (k, mwh[nearest], stop)
            np.testing.assert_allclose(colours[nearest, :3], swatches[k], atol=0.03)
        assert np.all(colours[mwh >= hi, :3] == swatches[-1])  # the open top end

        # The button switches the paint and the legend together; the legend stays one item.
        host = stage.expo.host
        host.run(slot, {b.key: b for b in panel.buttons}["mode"].on_click, Hook.BUTTON)
        item = legend(panel)
        assert item.title_en == "Yield per m² a year (kWh/m²)"
        per_m2 = demo.solar.yield_kwh_m2
        assert item.entries[0].en == f"{per_m2.min():,.0f} (shade)"
        assert item.entries[0].ko == f"{per_m2.min():,.0f} (그늘)"
        assert item.entries[-1].en == f"{per_m2.max():,.0f}"
        sunniest, darkest = int(np.argmax(per_m2)), int(np.argmin(per_m2))
        np.testing.assert_allclose(paints[-1][sunniest, :3], swatches[-1])
        np.testing.assert_allclose(paints[-1][darkest, :3], swatches[0])
        host.run(slot, {b.key: b for b in panel.buttons}["mode"].on_click, Hook.BUTTON)
        assert legend(panel).title_en == "Output a year (MWh, log scale)"
        assert len(panel.items) == 1
    finally:
        stage.close()


def test_entering_frames_every_roof_and_names_it_the_overview(prepared: Prepared) -> None:
    """Offscreen without an interface, the demo's view is shown at once (as in a render):
    every corner of the district's buildings, at ground and at the tallest roof's height,
    is in the picture; from the pavilion's door they are not."""
    from panda3d.core import Point2, Point3

    from gwangju_twin.app.stage import StageOptions

    stage = Stage(prepared, "offscreen", (800, 450), StageOptions(enter=PAVILION))
    try:
        slot = stage.expo.host.slot(PAVILION)
        assert slot is not None and slot.context is not None
        b = slot.context.district.buildings
        x0, y0, x1, y1 = shapely.total_bounds(b.footprints)
        top = float(np.max(b.heights))
        corners = [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (0.0, top)]

        def in_view() -> list[bool]:
            out = []
            for corner in corners:
                p = stage.base.cam.get_relative_point(stage.base.render, Point3(*corner))
                s = Point2()
                out.append(bool(stage.base.camLens.project(p, s)))
            return out

        pose = slot.context.camera.last
        assert pose is not None  # the demo asked for its view on entering
        assert all(in_view())
        overview = stage.expo.overview(PAVILION)
        assert overview is not None and overview == pose  # the same view, for the reel
        stage.set_pose(prepared.pose(PAVILION, 800 / 450))
        assert not all(in_view())  # the door's view alone misses most of the district
    finally:
        stage.close()


def test_a_kiosk_visitor_switches_the_scale_by_touch(touch_booth: Rehearsal) -> None:
    touring = touch_booth.booth.touring
    touch_booth.tap(0.1, -0.2)  # wakes the booth
    touch_booth.tap_widget(touring.toolbar.buttons["menu"])
    touch_booth.tap_widget(touring.menu.buttons[PAVILION])
    touch_booth.seconds(6.0)  # the flight to the door, then the demo's flight over the roofs
    assert touring.expo.inside == PAVILION and not touring.driver.flying
    slot = touring.expo.host.slot(PAVILION)
    assert slot is not None and slot.running and slot.inside
    demo: Any = slot.instance
    asked = slot.context.camera.last
    assert asked is not None
    # Over the middle of the district's roofs, not the door.
    pose = touring.driver.rig.pose
    assert np.hypot(*np.subtract(pose.target[:2], asked.target[:2])) < 1.0
    assert touring.expo.overview(PAVILION) is not None

    view = touring.expo.panel_view
    assert view is not None and any("로그 눈금" in t for t in view.text())
    keys = [b.key for b in touring.expo.panel(PAVILION).buttons]
    touch_booth.tap_widget(view.buttons[keys.index("mode")])
    assert demo.per_m2
    touch_booth.frames(2)  # the panel view redraws the plugin's latest panel
    view = touring.expo.panel_view
    assert view is not None and any("kWh/m²" in t for t in view.text())
    assert not any("로그 눈금" in t for t in view.text())
    assert touring.expo.inside == PAVILION and slot.state == "loaded"

    # A tapped building's card takes the demo's panel's place (which is hidden), at the top
    # and at full size: the panel is too tall for the card to fit below it at 800x450.
    from gwangju_twin.ui.panel import MARGIN, MIN_SCALE

    spot = building_spot(touring)
    touch_booth.tap(*spot)
    touch_booth.frames(2)
    card = touring.selection.view
    assert card is not None and view.is_hidden()
    aspect2d = touch_booth.base.aspect2d
    assert card.node.get_sz(aspect2d) >= MIN_SCALE - 1e-6
    assert card.node.get_tight_bounds(aspect2d)[1].z == pytest.approx(1.0 - MARGIN, abs=0.01)


def test_the_panel_follows_the_scene_clock(prepared: Prepared) -> None:
    """API 1.2: the demo reads ``ctx.sun``, the stage's own clock. Started at noon on the
    2026 winter solstice (about 31 deg high at Gwangju per GWANGJU.md); moving it to the
    evening says the sun is down, to 09:00 (about 13 deg, shadows about 2.6 times as long as
    at noon) puts more roofs in shade than at noon."""
    from datetime import datetime

    from gwangju_twin.app.stage import StageOptions
    from gwangju_twin.sun import SEOUL

    solstice_noon = datetime(2026, 12, 22, 12, 0, tzinfo=SEOUL)
    stage = Stage(prepared, "none", (640, 360), StageOptions(time=solstice_noon))
    try:
        clock = stage.expo.clock
        assert clock is stage.clock  # one clock: the sun drawn is the sun the demo reads
        assert clock.when == solstice_noon
        stage.expo.enter(PAVILION)
        panel = stage.expo.panel(PAVILION)

        def line(key: str) -> str | None:
            found = [ln.en for ln in panel.lines if ln.key == key]
            return found[0] if found else None

        def shaded() -> int:
            text = line("shade_now")
            assert text is not None and text.startswith("Roofs in shade now: ")
            return int(text.split(": ")[1].split(" of ")[0].replace(",", ""))

        sun_line = line("sun")
        assert sun_line is not None and "sun 31.0° high" in sun_line
        at_noon = shaded()
        clock.set(datetime(2026, 12, 22, 22, 0, tzinfo=SEOUL))
        stage.step(0.1)
        assert line("sun") is not None and "the sun is down" in str(line("sun"))
        assert line("shade_now") is None
        clock.set(datetime(2026, 12, 22, 9, 0, tzinfo=SEOUL))
        stage.step(0.1)
        assert "(22 Dec 09:00)" in str(line("sun"))
        assert shaded() > at_noon > 0
    finally:
        stage.close()
