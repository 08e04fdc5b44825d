"""The shuttles demo (mobility pavilion) on API 1.1, in the real plugin host: its view is the
whole loop (which runs far beyond the pavilion's door), named as the overview the kiosk's
attract reel shows; and a kiosk visitor adds a shuttle and pauses the fleet with a finger
(the rehearsal's virtual finger)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from stage_driving import tap_panel_button

import gwangju_twin.demos.shuttles as shuttles
from gwangju_twin.app.stage import Stage
from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.plugins.testing import run_lifecycle
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

if TYPE_CHECKING:
    from gwangju_twin.app.rehearsal import Rehearsal

FOLDER = Path(shuttles.__file__).parent
PAVILION = "mobility"


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    scene = dataclasses.replace(load_scene(default_scene_path()), plugin_folders=())
    return prepare(scene)


def test_the_lifecycle_runs_clean() -> None:
    result = run_lifecycle(FOLDER, seconds=0.5)
    assert result.errors == [] and result.state == "unloaded"
    assert any(line.startswith("Loop of ") for line in result.panel_en)
    assert any("순환 노선" in line for line in result.panel_ko)


def test_entering_frames_the_whole_loop_and_names_it_the_overview(prepared: Prepared) -> None:
    """Offscreen without an interface, the demo's view is shown at once (as in a render):
    every point of the loop is in the picture; from the pavilion's door it is not."""
    from panda3d.core import Point2, Point3

    from gwangju_twin.app.stage import StageOptions

    stage = Stage(prepared, "offscreen", (800, 450), StageOptions(enter=PAVILION))
    try:
        slot = stage.expo.host.slot(PAVILION)
        assert slot is not None and slot.context is not None
        lane = slot.instance.loop.lane

        def on_screen() -> np.ndarray:
            out = []
            for x, y in lane:
                p = stage.base.cam.get_relative_point(stage.base.render,
                                                      Point3(float(x), float(y), 0.0))
                s = Point2()
                out.append(bool(stage.base.camLens.project(p, s)))
            return np.array(out)

        pose = slot.context.camera.last
        assert pose is not None  # the demo asked for its view on entering
        assert on_screen().all()
        overview = stage.expo.overview(PAVILION)
        assert overview is not None and overview == pose  # the same view, for the reel
        stage.set_pose(prepared.pose(PAVILION, 800 / 450))
        assert not on_screen().all()  # the door's view misses part of the loop
    finally:
        stage.close()


def test_a_kiosk_visitor_adds_a_shuttle_and_pauses_by_touch(touch_booth: Rehearsal) -> None:
    touring = touch_booth.booth.touring
    touch_booth.tap(0.1, -0.2)  # wakes the booth
    touch_booth.tap_widget(touring.toolbar.buttons["menu"])
    touch_booth.tap_widget(touring.menu.buttons[PAVILION])
    touch_booth.seconds(6.0)  # the flight to the door, then the demo's flight over the loop
    assert touring.expo.inside == PAVILION and not touring.driver.flying
    slot = touring.expo.host.slot(PAVILION)
    assert slot is not None and slot.running and slot.inside
    demo: Any = slot.instance
    asked = slot.context.camera.last
    assert asked is not None
    pose = touring.driver.rig.pose
    assert np.hypot(*np.subtract(pose.target[:2], asked.target[:2])) < 1.0
    assert pose.distance == pytest.approx(asked.distance, rel=1e-6)

    count = demo.fleet.count
    tap_panel_button(touch_booth, PAVILION, "add")
    assert demo.fleet.count == count + 1 and len(demo.vehicles) == count + 1
    tap_panel_button(touch_booth, PAVILION, "pause")
    assert demo.paused
    odometer = demo.fleet.odometer.copy()
    touch_booth.seconds(1.0)
    np.testing.assert_array_equal(demo.fleet.odometer, odometer)  # the fleet stands still
    view = touring.expo.panel_view
    assert view is not None and any("일시정지" in t for t in view.text())
    tap_panel_button(touch_booth, PAVILION, "pause")  # now "다시 출발" (resume)
    touch_booth.seconds(1.0)
    assert not demo.paused and (demo.fleet.odometer > odometer).any()
    assert touring.expo.inside == PAVILION and slot.state == "loaded"
