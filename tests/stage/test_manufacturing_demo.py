"""The manufacturing demo in a real (headless) viewer: its whole lifecycle, its buttons
through the panel, a tap on a station, its camera views, its frame budget and its nodes
reused from frame to frame."""

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
    # The OEE gauge (API 1.1) with its world-class mark, and its three factors as a chart.
    assert any(line.startswith("OEE (shift ") and "mark 85)" in line
               for line in result.panel_en), result.panel_en
    assert any(line.startswith("Factors, world class 90·95·99.9") and "Availability" in line
               for line in result.panel_en), result.panel_en
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
        panel = stage.expo.panel("manufacturing")
        oee = next(item for item in panel.items if item.key == "oee")
        # In per cent (the panel is refreshed every 3 s, so the value may be a little old).
        assert (oee.lo, oee.hi, oee.mark, oee.unit) == (0, 100, 85, "%")
        assert 50 < oee.value <= 100
        view.buttons[2]["command"]()  # what a tap on "Break Assembly" runs
        stage.step(5.0)  # 300 simulated seconds at 60x
        assert slot.inside and slot.state == "loaded", slot.reason
        assert demo.line.stations[2].state == "down"
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
    into the manufacturing pavilion, the demo's buttons are finger-sized, a tap on one
    breaks its station down, and so does a tap on a station in the 3D view."""
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
        # Five stations and a new shift, then the viewer's own Leave button (API 1.1).
        assert view is not None and len(view.buttons) == 7
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
        # API 1.1: a finger on a station itself breaks it too (assembly, clear of the
        # pavilion's crane and robot arm in the demo's view).
        from panda3d.core import Point2, Point3

        demo, seen = slot.instance, Point2()
        middle = kiosk.base.camera.get_relative_point(demo.station_roots[2], Point3(0, 0, 2.5))
        assert kiosk.base.camLens.project(middle, seen)
        assert demo.line.stations[2].state != "down"
        kiosk.tap(seen.x, seen.y)
        kiosk.frames(2)
        assert demo.line.stations[2].state == "down"
        assert slot.state == "loaded" and expo.inside == "manufacturing"
    finally:
        kiosk.close()


def test_a_tap_on_a_station_breaks_it_and_the_camera_frames_the_line():
    """API 1.1: entering puts the whole line in view, left of the panel; the overview (the
    kiosk's attract reel) stands further back; a click on a station's own boxes breaks that
    station, and only while the visitor is inside."""
    from panda3d.core import Point2, Point3

    stage = Stage(prepare(load_scene(default_scene_path())), "offscreen", (1280, 720))
    try:
        stage.expo.enter("manufacturing")
        stage.step(0.5)
        slot = stage.expo.host.slot("manufacturing")
        assert slot is not None and slot.inside
        demo = slot.instance
        pose = stage.expo.demo_pose
        assert pose is not None, "enter framed nothing"
        overview = stage.expo.overview("manufacturing")
        assert overview is not None and overview.distance > pose.distance
        # Every station's top is in the picture, in the part the panel leaves free (its left
        # three quarters), with the camera where the demo asked it to be.
        camera, lens = stage.base.camera, stage.base.camLens
        tops = []
        for root in demo.station_roots:
            lo, hi = root.get_tight_bounds(stage.world)
            tops.append(((lo.x + hi.x) / 2, (lo.y + hi.y) / 2, hi.z))
        for top in tops:
            seen = Point2()
            assert lens.project(camera.get_relative_point(stage.world, Point3(*top)), seen)
            assert -1.0 < seen.x < 0.5 and -1.0 < seen.y < 1.0, (top, seen)
        # A click straight down on the battery station (index 3) breaks it.
        x, y, z = tops[3]
        assert demo.line.stations[3].state != "down"
        assert stage.expo.click((x, y, z + 50.0), (0.0, 0.0, -1.0), None)
        assert demo.line.stations[3].state == "down"
        assert slot.state == "loaded", slot.reason
        # A click beside the line is not the demo's.
        assert not stage.expo.click((x, y + 40.0, z + 50.0), (0.0, 0.0, -1.0), None)
        stage.expo.exit()
        # Registrations end when the visitor leaves.
        assert not stage.expo.click((x, y, z + 50.0), (0.0, 0.0, -1.0), None)
    finally:
        stage.close()
