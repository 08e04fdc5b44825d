"""The winter-solstice sunlight check in the viewer: a visitor clicks a building, presses its
card's sunlight button and sees the verdict card and the heat map on the ground and walls
(offscreen, events through Panda3D's messenger as a window delivers them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from render_helpers import read_png
from stage_driving import click, frames, screen_of, send

from gwangju_twin.app.stage import Interface, Stage, StageOptions
from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.sun.heatmap import STOPS_RGB
from gwangju_twin.sun.sunlight import district_sunlight, extruded
from gwangju_twin.touring.selection import SUNLIGHT_MARGIN

pytestmark = pytest.mark.render

SIZE = (900, 560)


@pytest.fixture(scope="module")
def stage(prepared: Prepared) -> Iterator[Stage]:
    s = Stage(prepared, "offscreen", SIZE, StageOptions(interface=Interface.DESKTOP,
                                                        persist=False))
    try:
        yield s
    finally:
        s.close()


def _press(stage: Stage, key: str) -> None:
    """A click on the open panel's button ``key`` (DirectGUI's click event for it)."""
    from direct.gui.DirectGuiGlobals import B1CLICK

    selection = stage.touring.selection
    assert selection.panel is not None and selection.view is not None
    keys = [b.key for b in selection.panel.buttons]
    assert key in keys, keys
    button = selection.view.buttons[keys.index(key)]
    stage.base.messenger.send(B1CLICK + button.guiId, [None])
    frames(stage, 3)


def _finish(stage: Stage) -> None:
    """Let the sunlight check computing in the background finish, and a frame apply it."""
    job = stage.touring.selection.sunlight_job
    job.wait(timeout=300.0)  # a guard against a hang, not a speed target
    frames(stage, 2)
    assert not job.busy


def _hall(prepared: Prepared) -> int:
    return prepared.district.feature_id.index("lm-cityhall")


def _viridis_share(image: np.ndarray) -> float:
    """Share of pixels within a small distance of one of the scale's stops."""
    rgb = image[..., :3].astype(int)
    near = np.zeros(rgb.shape[:2], bool)
    for stop in STOPS_RGB.astype(int):
        near |= np.abs(rgb - stop).max(axis=2) <= 12
    return float(near.mean())


def test_a_clicked_buildings_sunlight_card_and_heat_map(stage: Stage, prepared: Prepared,
                                                        tmp_path: Path) -> None:
    t = stage.touring
    assert t is not None
    row = _hall(prepared)
    x0, y0, x1, y1 = prepared.district.geometry[row].bounds
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    height = float(prepared.district.height[row])
    # Looking at City Hall from the south-east, high enough to see the ground around it.
    t.driver.set_mode("orbit")
    t.driver.rig.set_pose(CameraPose((*centre, 0.0), 150.0, 45.0, 420.0))
    t.driver.apply()
    frames(stage, 2)
    before = stage.screenshot(tmp_path / "before.png")
    click(stage, screen_of(stage, (*centre, height * 0.98)))
    assert t.selection.selected.feature == row
    assert t.selection.sunmap.node is None
    _press(stage, "sunlight")
    _finish(stage)

    # The card: the verdict the check itself gives, and a line per side of the hall.
    expected = district_sunlight(prepared.district, row, margin=SUNLIGHT_MARGIN)
    panel = t.selection.panel
    assert panel is not None
    text = "\n".join(panel.text("en"))
    verdict = "meets" if expected.passes[row] else "falls short"
    assert f"Verdict: {verdict}" in text, text
    sides = {f.facing for f in expected.facades_of(row)}
    assert sum(line.endswith(("· meets", "· short")) for line in panel.text("en")) == len(sides)
    # The heat map is drawn: the scale's colours cover part of the picture now, and did not
    # before (the city has none of them).
    assert t.selection.sunmap.node is not None
    after = stage.screenshot(tmp_path / "after.png")
    share_before = _viridis_share(read_png(before))
    share_after = _viridis_share(read_png(after))
    assert share_before < 0.002 and share_after > 0.02, (share_before, share_after)

    # Back to the building's card: the map goes; Close clears everything.
    _press(stage, "back")
    assert t.selection.sunmap.node is None
    assert "sunlight" in [b.key for b in t.selection.panel.buttons]
    _press(stage, "sunlight")
    _finish(stage)
    assert t.selection.sunmap.node is not None
    _press(stage, "close")
    assert t.selection.sunmap.node is None and t.selection.panel is None


def test_pavilions_and_pins_offer_no_sunlight_check(stage: Stage, prepared: Prepared) -> None:
    t = stage.touring
    assert t is not None
    assert not t.selection.can_check_sunlight(-1)  # a pavilion
    flat = np.flatnonzero(~np.isfinite(prepared.district.height))
    if len(flat):
        assert not t.selection.can_check_sunlight(int(flat[0]))
    assert t.selection.can_check_sunlight(_hall(prepared))


def test_an_area_box_dragged_after_j_checks_every_building_in_it(stage: Stage,
                                                                  prepared: Prepared) -> None:
    t = stage.touring
    assert t is not None
    t.selection.close()
    row = _hall(prepared)
    x0, y0, x1, y1 = prepared.district.geometry[row].bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    t.driver.set_mode("orbit")
    t.driver.rig.set_pose(CameraPose((cx, cy, 0.0), 0.0, 60.0, 700.0))
    t.driver.apply()
    frames(stage, 2)
    # Two ground corners of a box around the hall and its neighbours, where they appear.
    p, q = (cx - 90.0, cy - 70.0), (cx + 90.0, cy + 70.0)
    a, b = screen_of(stage, (*p, 0.0)), screen_of(stage, (*q, 0.0))
    pose_before = t.driver.rig.pose

    send(stage, "j")  # the key, through the messenger as a window delivers it
    frames(stage)
    assert t.gestures.area_armed
    t.pointer.move_to(*a)
    frames(stage)
    send(stage, "mouse1")
    frames(stage)
    t.pointer.move_to(*b)
    frames(stage, 2)
    # While dragging, the box is outlined on the ground and the camera stays put.
    band = t.selection.band.box
    assert band is not None
    assert np.allclose(band, (p[0], p[1], q[0], q[1]), atol=0.5), band
    send(stage, "mouse1-up")
    frames(stage, 2)
    _finish(stage)
    assert t.driver.rig.pose == pose_before
    assert not t.gestures.area_armed and t.selection.band.node is None

    expected = district_sunlight(prepared.district, (p[0], p[1], q[0], q[1]))
    short = sum(not ok for ok in expected.passes.values())
    panel = t.selection.panel
    assert panel is not None and t.selection.sunmap.node is not None
    text = "\n".join(panel.text("en"))
    n = len(expected.buildings)
    assert f"{n} buildings: {n - short} meet, {short} fall short" in text, text
    assert ("every building meets" in text) == (short == 0)


def test_escape_cancels_an_armed_box(stage: Stage) -> None:
    t = stage.touring
    assert t is not None
    send(stage, "j")
    frames(stage)
    assert t.gestures.area_armed
    send(stage, "escape")
    frames(stage)
    assert not t.gestures.area_armed


def test_the_check_computes_in_the_background_and_the_last_asked_wins(
        stage: Stage, prepared: Prepared, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import gwangju_twin.touring.selection as selection_module

    t = stage.touring
    assert t is not None
    t.selection.close()
    # The check waits for the test's go: until then the card says it is computing, the
    # window goes on drawing frames, and no map is drawn.
    go = threading.Event()
    asked: list[object] = []

    def gated(district: object, target: object, **options: object) -> object:
        asked.append(target)
        go.wait(timeout=300.0)
        return district_sunlight(district, target, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(selection_module, "district_sunlight", gated)
    hall = _hall(prepared)
    other = next(int(r) for r in extruded(prepared.district) if r != hall)
    t.selection.select(hall)
    t.selection.show_sunlight(hall)
    frames(stage, 3)
    panel = t.selection.panel
    assert panel is not None and any("Computing" in line for line in panel.text("en"))
    assert any("계산 중" in line for line in panel.text("ko"))
    assert t.selection.sunmap.node is None and t.selection.sunlight_job.busy
    # A second request supersedes the first: only its card and map are shown.
    t.selection.show_sunlight(other)
    go.set()
    _finish(stage)
    assert t.selection.sunmap.result is not None
    assert t.selection.sunmap.result.buildings == (other,)
    panel = t.selection.panel
    assert panel is not None and not any("Computing" in line for line in panel.text("en"))
    # Closing while a check computes: nothing reopens when it ends.
    go.clear()
    t.selection.show_sunlight(hall)
    t.selection.close()
    go.set()
    t.selection.sunlight_job.wait(timeout=300.0)
    frames(stage, 2)
    assert t.selection.panel is None and t.selection.sunmap.node is None
