"""The demo camera and clicks in the desktop viewer, offscreen: a demo frames a box across
the district, the visitor stays inside while the camera moves, the 0 key leaves, and
clicks sent through Panda3D's messenger reach the demo's callbacks."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from camera_demo import BOX, PAVILION, with_camera_demo
from stage_driving import click, frames, screen_of, until

from gwangju_twin.app.stage import Interface, Stage, StageOptions
from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.plugins.district import building_rows
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.framing import project

pytestmark = pytest.mark.render

SIZE = (800, 500)


@pytest.fixture(scope="module")
def demo_stage(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[Stage, tuple[float, float]]]:
    from panda3d.core import ClockObject

    variant, spot = with_camera_demo(prepared, tmp_path_factory.mktemp("plugins"))
    s = Stage(variant, "offscreen", SIZE, StageOptions(interface=Interface.DESKTOP,
                                                       persist=False))
    clock = ClockObject.get_global_clock()
    clock.set_mode(ClockObject.M_non_real_time)
    clock.set_frame_rate(30)
    try:
        yield s, spot
    finally:
        clock.set_mode(ClockObject.M_normal)
        s.close()


@pytest.fixture
def inside(demo_stage) -> Iterator[tuple[Stage, tuple[float, float]]]:
    """The visitor taken into the healthcare pavilion by the menu's path, the demo's
    framing flight landed."""
    stage, spot = demo_stage
    t = stage.touring
    t.leave()
    t.driver.reset(t.start_pose)
    frames(stage, 2)
    t.go_to_pavilion(PAVILION)
    until(stage, lambda: t.expo.inside == PAVILION)
    until(stage, lambda: not t.driver.flying)
    yield stage, spot
    t.leave()


def test_framing_flies_to_the_far_box_and_the_demo_stays_entered(inside) -> None:
    stage, spot = inside
    t = stage.touring
    slot = t.expo.host.slot(PAVILION)
    demo = slot.instance
    # The camera landed on the demo's pose, far from the pavilion's door.
    pose = t.driver.rig.pose
    assert math.dist(pose.target[:2], demo.pose.target[:2]) < 1.0
    assert pose.distance == pytest.approx(demo.pose.distance, rel=1e-6)
    door = next(p.info for p in stage.prepared.pavilions if p.info.id == PAVILION).position
    assert math.dist(pose.target[:2], door) > 300.0
    # Still inside, the demo entered, its box in place and in the picture.
    assert t.expo.inside == PAVILION and slot.inside and t.presence.inside == PAVILION
    assert not demo.box.is_empty() and demo.box.get_parent() == t.expo.nodes[PAVILION].demo
    x, y = spot
    corners = np.array([[x + sx * BOX[0] / 2, y + sy * BOX[1] / 2, z] for sx in (-1, 1)
                        for sy in (-1, 1) for z in (0.0, BOX[2])])
    xy = project(pose, corners, SIZE[0] / SIZE[1])
    assert np.all(np.abs(xy[:, :2]) < 1.0)


def test_zooming_out_and_steering_stay_inside_and_the_0_key_leaves(inside) -> None:
    stage, _ = inside
    t = stage.touring
    slot = t.expo.host.slot(PAVILION)
    for _ in range(14):
        stage.base.messenger.send("wheel_down")
        frames(stage)
    t.driver.teleport(*t.start_pose.target[:2])  # somewhere else altogether
    frames(stage, 3)
    assert t.expo.inside == PAVILION and slot.inside
    assert not slot.instance.box.is_empty()
    stage.base.messenger.send("0")
    frames(stage, 2)
    assert t.expo.inside is None and not slot.inside and t.presence.inside is None


def test_a_click_on_the_demos_box_calls_its_callback(inside) -> None:
    stage, spot = inside
    t = stage.touring
    demo = t.expo.host.slot(PAVILION).instance
    x, y = spot
    click(stage, screen_of(stage, (x, y, BOX[2])))  # the middle of the box's roof
    assert len(demo.clicks) == 1
    point, node = demo.clicks[0]
    assert node == demo.box
    assert abs(point[0] - x) <= BOX[0] / 2 + 0.01 and abs(point[1] - y) <= BOX[1] / 2 + 0.01
    assert point[2] == pytest.approx(BOX[2], abs=0.5)
    # The demo took the click: no info card, its panel still shown.
    assert t.selection.view is None and t.expo.panel_view is not None
    assert not t.expo.panel_view.is_hidden()
    # A click beside the box, on open ground, is not the box's.
    click(stage, screen_of(stage, (x + BOX[0], y + BOX[1], 0.0)))
    assert len(demo.clicks) == 1


def test_a_building_click_gives_the_demo_the_buildings_row(inside) -> None:
    stage, _ = inside
    t = stage.touring
    demo = t.expo.host.slot(PAVILION).instance
    d = stage.prepared.district
    rows = building_rows(d)
    b = t.expo.host.slot(PAVILION).context.district.buildings
    # A tall building, seen from straight above its roof: nothing can hide it.
    row = int(np.argmax(b.heights))
    cx, cy = b.centroids[row]
    t.driver.show(CameraPose((float(cx), float(cy), 0.0), 0.0, 85.0, 400.0), 0.0)
    frames(stage, 2)
    click(stage, screen_of(stage, (float(cx), float(cy), float(b.heights[row]))))
    assert demo.rows == [row]
    assert rows[row] == t.selection.pick(screen_of(stage, (float(cx), float(cy),
                                                           float(b.heights[row])))).feature
    assert t.selection.view is None  # the demo listens: no info card over its panel
    assert t.expo.inside == PAVILION
    # Outside the pavilion, the same click opens the building's info card as before.
    t.leave()
    frames(stage)
    click(stage, screen_of(stage, (float(cx), float(cy), float(b.heights[row]))))
    assert demo.rows == [row] and t.selection.selected.feature == rows[row]
    t.selection.close()


def test_the_overview_is_the_reels_view_of_the_demo(inside) -> None:
    stage, spot = inside
    overview = stage.touring.expo.overview(PAVILION)
    assert overview is not None and overview.heading == 45.0
    assert math.dist(overview.target[:2], spot) < 150.0
    # The media facade (an API 1 drop-in) names none; the built-in demos now all do.
    assert stage.touring.expo.overview("culture") is None
    assert stage.touring.expo.overview("energy") is not None


def test_the_panels_leave_button_leaves(inside) -> None:
    from direct.gui.DirectGuiGlobals import B1CLICK

    stage, _ = inside
    t = stage.touring
    view = t.expo.panel_view
    assert view is not None
    text = view.text()
    assert text[-1] == "나가기"  # after the demo's own lines and buttons
    # The plugin's own panel is untouched: Leave is the viewer's.
    assert [b.key for b in t.expo.host.slot(PAVILION).context.panel.buttons] == []
    stage.base.messenger.send(B1CLICK + view.buttons[-1].guiId, [None])
    frames(stage, 2)
    assert t.expo.inside is None and t.expo.panel_view is None
    assert not t.expo.host.slot(PAVILION).inside


def test_a_demo_view_beyond_the_zoom_ceiling_is_shown_as_asked(demo_stage) -> None:
    """A demo's whole-district view may stand farther out than the visitor's zoom
    ceiling; the interface widens its limits for it instead of quietly coming closer."""
    stage, spot = demo_stage
    t = stage.touring
    ceiling = t.driver.limits.ceiling
    far = CameraPose((spot[0], spot[1], 0.0), 30.0, 50.0, 3.0 * ceiling)
    t.expo.camera_hand.show(far, 0.0)
    assert t.driver.rig.pose.distance == pytest.approx(far.distance)
    assert t.driver.limits.ceiling > ceiling
    # The visitor's zoom still works from there, within the widened limits.
    t.driver.rig.zoom(0.5)
    assert t.driver.rig.pose.distance == pytest.approx(far.distance * 0.5)


def test_the_haze_thins_for_a_view_from_far_out_and_returns_near(demo_stage) -> None:
    """A demo's far overview must not fade the district into the horizon; back at the
    start view the haze is what it was."""
    stage, spot = demo_stage
    stage.set_pose(stage.pose)
    stage.follow_camera()
    near = stage.haze.get_exp_density()
    assert near == pytest.approx(0.63 / stage._haze_size)  # as add_fog made it: unchanged
    far = CameraPose((spot[0], spot[1], 0.0), 0.0, 50.0, 20_000.0)
    stage.set_pose(far)
    stage.follow_camera()
    assert stage.haze.get_exp_density() < near / 3
    stage.set_pose(stage.pose)
    stage.follow_camera()
    assert stage.haze.get_exp_density() == pytest.approx(near)
