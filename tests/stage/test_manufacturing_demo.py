"""The manufacturing demo in a real (headless) viewer: its whole lifecycle, its buttons
through the panel, its frame budget and its nodes reused from frame to frame."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import gwangju_twin.demos.manufacturing as manufacturing
from gwangju_twin.app.stage import Stage
from gwangju_twin.expo.prepared import prepare
from gwangju_twin.plugins.testing import run_lifecycle
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

pytestmark = pytest.mark.render

FOLDER = Path(manufacturing.__file__).parent


def test_the_lifecycle_runs_clean_and_fills_the_panel():
    result = run_lifecycle(FOLDER, seconds=3.0)
    assert result.state == "unloaded" and result.errors == []
    assert any(line.startswith("OEE ") and "85%" in line for line in result.panel_en)
    assert any("병목 공정" in line for line in result.panel_ko)
    assert any("cars an hour" in line for line in result.panel_en)
    assert result.nodes > 100  # stations and the car pool were drawn


def test_a_breakdown_button_shows_on_the_line_and_the_panel():
    stage = Stage(prepare(load_scene(default_scene_path())), "none", (640, 360))
    # The frame loop's CPU time: a busy machine's other processes do not count as overruns.
    stage.expo.host.clock = time.thread_time
    try:
        stage.expo.enter("manufacturing")
        stage.step(1.0)
        slot = stage.expo.host.slot("manufacturing")
        assert slot is not None and slot.found.id == "gwangju.manufacturing"
        demo = slot.instance
        nodes = len(stage.expo.nodes["manufacturing"].demo.find_all_matches("**"))
        view = stage.expo.panel_view
        assert view is not None
        assert len(view.buttons) == 6  # five stations and a new shift
        view.buttons[2]["command"]()  # what a tap on "Break Assembly" runs
        stage.step(5.0)  # 300 simulated seconds at 60x
        assert slot.inside and slot.state == "loaded", slot.reason
        assert demo.line.stations[2].state == "down"
        panel = stage.expo.panel("manufacturing")
        assert any("Under repair: Assembly" in line for line in panel.text("en"))
        assert demo.line.bottleneck() == 2
        normal, hot = demo.stations[2]
        assert not hot.is_hidden() and normal.is_hidden()
        assert all(h.is_hidden() for i, (_, h) in enumerate(demo.stations) if i != 2)
        # Cars moved by reusing the pool: not one node more than after the first second.
        assert len(stage.expo.nodes["manufacturing"].demo.find_all_matches("**")) == nodes
        assert slot.overruns == 0
        before = demo.line.oee().value
        stage.step(20.0)  # the 20-minute repair is done; OEE has paid for it
        assert demo.line.stations[2].state != "down"
        assert demo.line.oee().availability < 1.0 and demo.line.oee().value < before + 0.05
        view.buttons[5]["command"]()  # "New shift"
        stage.step(0.2)
        assert demo.line.oee().availability == 1.0
        stage.expo.exit()
        assert stage.expo.nodes["manufacturing"].demo.get_num_children() == 0
    finally:
        stage.close()


def test_a_visitor_breaks_a_station_by_touch_in_the_kiosk(tmp_path: Path):
    """In the booth, with the rehearsal's virtual finger only: the menu takes the visitor
    into the manufacturing pavilion, the demo's buttons are finger-sized, and a tap on one
    breaks its station down."""
    from gwangju_twin.app.rehearsal import Rehearsal
    from gwangju_twin.kiosk.config import KioskConfig

    config = KioskConfig(size=(800, 450), log_folder=tmp_path / "logs",
                         database=tmp_path / "visits.sqlite3")
    prepared = prepare(load_scene(default_scene_path()), admit=config.allows)
    kiosk = Rehearsal(prepared, config, fps=15)
    try:
        touring = kiosk.booth.touring
        kiosk.tap(0.0, 0.0)
        kiosk.tap_widget(touring.toolbar.buttons["menu"])
        kiosk.tap_widget(touring.menu.buttons["manufacturing"])
        kiosk.seconds(4.0)  # the flight lands and the demo's panel is up
        expo = touring.expo
        assert expo.inside == "manufacturing"
        slot = expo.host.slot("manufacturing")
        assert slot is not None and slot.inside
        view = expo.panel_view
        assert view is not None and len(view.buttons) == 6
        for button in view.buttons:  # at least 48 px tall and wide at 1080p
            left, right, bottom, top = button["frameSize"]
            assert (top - bottom) * button.get_sz(kiosk.base.render2d) * 540 >= 48
            assert (right - left) * button.get_sx(kiosk.base.render2d) * 960 >= 48
        # The viewer redraws the whole panel (buttons too) when a line changes, and a tap
        # straddling a redraw is lost; the demo redraws every 3 s, so tap just after one.
        panel = expo.panel("manufacturing")
        revision = panel.revision
        for _ in range(100):
            kiosk.frames(1)
            if panel.revision != revision:
                break
        kiosk.frames(1)
        view = expo.panel_view
        kiosk.tap_widget(view.buttons[1])  # "도장 고장": break the paint station
        kiosk.seconds(1.0)
        assert slot.instance.line.stations[1].state == "down"
        assert any("고장 수리 중: 도장" in line for line in panel.text())
    finally:
        kiosk.close()
