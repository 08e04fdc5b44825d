"""The demo camera in a picture and in the kiosk: a render of a framed demo shows the demo's
own box, a booth visitor's tap on the box (through the rehearsal's virtual finger) reaches
the demo, and the attract reel shows a demo's overview."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from camera_demo import PAVILION, PLUGIN_ID, with_camera_demo
from render_helpers import read_png
from stage_driving import screen_of

from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.kiosk.config import KioskConfig
from gwangju_twin.kiosk.pin import hash_pin

pytestmark = pytest.mark.render

SIZE = (800, 450)


def box_pixels(picture: np.ndarray) -> np.ndarray:
    """Where the picture shows the demo's blue box (lit faces are darker or lighter)."""
    rgb = picture.astype(float) / 255
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (b > 0.35) & (b > 2.0 * r) & (b > 1.6 * g)


def test_a_render_of_the_entered_demo_shows_its_far_box(prepared: Prepared,
                                                         tmp_path: Path) -> None:
    from gwangju_twin.app.programs import render_png

    variant, _ = with_camera_demo(prepared, tmp_path / "plugins")
    out = tmp_path / "framed.png"
    status = render_png(variant, out, SIZE, enter=PAVILION, seconds=0.5)
    assert next(s for s in status if s["plugin"] == PLUGIN_ID)["state"] == "loaded"
    blue = box_pixels(read_png(out))
    # The box is across the district from the pavilion's door: without the demo's framing
    # the picture (taken in front of the door) would not show it at all.
    assert blue.sum() > 2000, blue.sum()
    ys, xs = np.nonzero(blue)
    h, w = blue.shape
    # The framed square's centre, where the box stands, is the picture's: the box is
    # centred left to right and its foot is near the middle (it rises above it).
    assert abs(xs.mean() / w - 0.5) < 0.05 and abs(ys.max() / h - 0.5) < 0.1
    # The same scene without entering: the door's view, no box.
    out2 = tmp_path / "door.png"
    render_png(variant, out2, SIZE, view=PAVILION, seconds=0.0)
    assert box_pixels(read_png(out2)).sum() < 50


def _config(tmp: Path) -> KioskConfig:
    return KioskConfig(size=SIZE, attract_after=30.0, reset_after=60.0, countdown=3,
                       attract_dwell=3.0, pin_hash=hash_pin("2468", iterations=1000),
                       log_folder=tmp / "logs", database=tmp / "visits.sqlite3")


def test_a_booth_tap_on_the_demos_box_reaches_the_demo(prepared: Prepared,
                                                       tmp_path: Path) -> None:
    from gwangju_twin.app.rehearsal import Rehearsal

    variant, spot = with_camera_demo(prepared, tmp_path / "plugins")
    kiosk = Rehearsal(variant, _config(tmp_path), fps=15)
    try:
        touring = kiosk.booth.touring
        kiosk.tap_widget(touring.toolbar.buttons["menu"])
        kiosk.tap_widget(touring.menu.buttons[PAVILION])
        kiosk.seconds(6.0)  # the flight to the door, then the demo's flight to its box
        assert touring.expo.inside == PAVILION and not touring.driver.flying
        demo = touring.expo.host.slot(PAVILION).instance
        x, y = spot
        kiosk.tap(*screen_of(kiosk.stage, (x, y, 30.0)))
        assert len(demo.clicks) == 1 and demo.clicks[0][1] == demo.box
        # A finger's drag to look around is a camera move: still inside.
        kiosk.drag((0.3, 0.0), (-0.3, 0.1))
        assert touring.expo.inside == PAVILION and len(demo.clicks) == 1
    finally:
        kiosk.close()


def test_the_attract_reel_shows_a_demos_overview(prepared: Prepared, tmp_path: Path) -> None:
    from gwangju_twin.app.rehearsal import Rehearsal

    variant, spot = with_camera_demo(prepared, tmp_path / "plugins")
    kiosk = Rehearsal(variant, _config(tmp_path), fps=15)
    try:
        reel, touring = kiosk.booth.reel, kiosk.booth.touring
        reel.order = [PAVILION]
        reel.start()
        kiosk.seconds(8.0)
        assert reel.visited[:1] == [PAVILION] and touring.expo.inside == PAVILION
        overview = touring.expo.overview(PAVILION)
        assert overview is not None and math.dist(overview.target[:2], spot) < 150.0
        pose = touring.driver.rig.pose
        # Over the demo's overview (the reel circles it slowly), not the pavilion's door.
        assert math.dist(pose.target[:2], overview.target[:2]) < 1.0
        assert pose.distance == pytest.approx(overview.distance, rel=1e-6)
        reel.stop()
    finally:
        kiosk.close()


def test_starting_inside_a_demo_starts_at_its_view(prepared: Prepared, tmp_path: Path) -> None:
    """``view --enter``: the demo frames its box while the stage loads, before the touring
    interface exists; the interface starts at that view instead of at the door, and inside,
    framed again so the box is not under the pavilion's panel."""
    from gwangju_twin.app.stage import Interface, Stage, StageOptions
    from gwangju_twin.plugins.camera import target_box
    from gwangju_twin.scene.framing import corners, project
    from gwangju_twin.touring.camera import interface_window

    variant, spot = with_camera_demo(prepared, tmp_path / "plugins")
    stage = Stage(variant, "offscreen", SIZE, StageOptions(
        enter=PAVILION, interface=Interface.DESKTOP, persist=False))
    try:
        t = stage.touring
        demo = t.expo.host.slot(PAVILION).instance
        pose = t.driver.rig.pose
        assert math.dist(pose.target[:2], spot) < 100.0
        # The demo's own pose was for the bare stage; the start view is the same request
        # fitted into what the interface leaves free: left of the panel, below the toolbar.
        window = interface_window(stage.base.aspect2d)
        assert window[2] < 0.6  # the panel's column is not free
        half = 70.0  # the demo's HALF (tests/kits/camera_demo.py)
        box = target_box((spot[0] - half, spot[1] - half, spot[0] + half, spot[1] + half))
        seen = project(pose, corners(box), SIZE[0] / SIZE[1])
        assert (seen[:, 0] <= window[2] + 1e-3).all() and (seen[:, 0] >= window[0] - 1e-3).all()
        assert (seen[:, 1] <= window[3] + 1e-3).all() and (seen[:, 1] >= window[1] - 1e-3).all()
        first = project(demo.pose, corners(box), SIZE[0] / SIZE[1])
        assert first[:, 0].max() > window[2]  # framed for the whole picture, it ran under
        for _ in range(5):
            stage.base.task_mgr.step()
        assert t.expo.inside == PAVILION and t.presence.inside == PAVILION
    finally:
        stage.close()


def test_a_click_callback_that_raises_disables_only_its_plugin(prepared: Prepared,
                                                               tmp_path: Path) -> None:
    """Click callbacks run inside the host's fault isolation, like buttons: the demo is
    disabled and its nodes removed, the viewer and the other demos run on."""
    from gwangju_twin.app.stage import Stage, StageOptions

    variant, spot = with_camera_demo(prepared, tmp_path / "plugins")
    stage = Stage(variant, "none", (640, 360), StageOptions(enter=PAVILION))
    try:
        expo = stage.expo
        slot = expo.host.slot(PAVILION)
        demo, ctx = slot.instance, slot.context
        x, y = spot
        above, down = (x, y, 500.0), (0.0, 0.0, -1.0)
        assert expo.click(above, down, None)  # the box's roof, straight down
        (point, node), = demo.clicks
        assert node == demo.box and point == pytest.approx((x, y, 30.0))
        assert not expo.click((x + 200, y, 500.0), down, None)  # beside it: not the demo's

        def boom(event):
            raise RuntimeError("boom in a click")

        ctx.on_click(demo.box, boom)
        assert expo.click(above, down, None)  # taken (and contained)
        assert slot.state == "disabled" and slot.hook == "callback"
        assert "boom in a click" in slot.error
        assert expo.nodes[PAVILION].demo.get_num_children() == 0
        assert not expo.click(above, down, None)  # a disabled demo hears nothing
        others = [s for s in expo.host.slots if s is not slot]
        assert others and all(s.state == "loaded" for s in others)
    finally:
        stage.close()
