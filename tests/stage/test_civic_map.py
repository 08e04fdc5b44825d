"""The civic participation map in the desktop viewer, offscreen: a building tapped and a
category chosen pins a proposal in the demo's store, a tap on the pin agrees with it, and the
pins are there again on the next visit."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from stage_driving import click, frames, screen_of, until

from gwangju_twin.app.stage import Interface, Stage, StageOptions
from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.scene.camera import CameraPose

pytestmark = pytest.mark.render

SIZE = (800, 500)
PAVILION = "administration"


@pytest.fixture(scope="module")
def civic_stage(prepared: Prepared) -> Iterator[Stage]:
    from panda3d.core import ClockObject

    assert any(p.info.plugin == "gwangju.civic" for p in prepared.pavilions)
    s = Stage(prepared, "offscreen", SIZE, StageOptions(interface=Interface.DESKTOP,
                                                        persist=False))
    clock = ClockObject.get_global_clock()
    clock.set_mode(ClockObject.M_non_real_time)
    clock.set_frame_rate(30)
    s.run_tasks()  # the demos' frames and the panel view's redraws, as in a live viewer
    try:
        yield s
    finally:
        clock.set_mode(ClockObject.M_normal)
        s.close()


def press(stage: Stage, key: str) -> None:
    """Press the entered panel's button ``key`` as a click on it does."""
    from direct.gui.DirectGuiGlobals import B1CLICK

    assert stage.touring is not None
    keys = [b.key for b in stage.touring.expo.host.slot(PAVILION).context.panel.buttons]
    view = stage.touring.expo.panel_view
    assert view is not None
    stage.base.messenger.send(B1CLICK + view.buttons[keys.index(key)].guiId, [None])
    frames(stage, 2)


def test_a_pin_is_placed_agreed_with_and_kept_for_the_next_visit(civic_stage: Stage) -> None:
    stage = civic_stage
    t = stage.touring
    assert t is not None
    t.go_to_pavilion(PAVILION)
    until(stage, lambda: t.expo.inside == PAVILION)
    until(stage, lambda: not t.driver.flying)
    slot = t.expo.host.slot(PAVILION)
    ctx, demo = slot.context, slot.instance
    assert [b.key for b in ctx.panel.buttons] == []  # nothing to choose before a tap
    b = ctx.district.buildings
    row = int(np.argmax(b.heights))
    cx, cy = (float(v) for v in b.centroids[row])
    top = (cx, cy, float(b.heights[row]))
    t.driver.show(CameraPose((cx, cy, 0.0), 0.0, 85.0, 400.0), 0.0)
    frames(stage, 2)
    click(stage, screen_of(stage, top))
    frames(stage, 2)  # the panel view follows the panel's new buttons on the next frames
    assert [b.key for b in ctx.panel.buttons] == ["traffic", "safety", "green", "culture",
                                                  "welfare", "cancel"]
    press(stage, "green")
    assert slot.state == "loaded" and t.expo.inside == PAVILION
    rows = ctx.storage.table("proposals").rows()
    assert [(r["category"], r["agrees"]) for r in rows] == [("green", 0)]
    assert (rows[0]["x"], rows[0]["y"]) == pytest.approx((cx, cy))
    assert rows[0]["dong"] in ("치평동", "상무1동", "상무2동")
    assert [b.key for b in ctx.panel.buttons] == []
    assert any("녹지 1" in line for line in ctx.panel.text("ko"))
    # The pin stands on the roof; a tap on its head agrees with the proposal.
    pin = demo.pins[rows[0]["id"]]
    assert pin.get_z() == pytest.approx(top[2])
    click(stage, screen_of(stage, (cx, cy, top[2] + 27.0)))
    assert ctx.storage.table("proposals").rows()[0]["agrees"] == 1
    assert [b.key for b in ctx.panel.buttons] == []  # an agreement is not a new place
    # Leave: the outlines, the dong labels and the pins go with the visit (they covered
    # the next pavilion's demo and the tour); the paint goes too.
    drawn = ("**/+GeomNode", "**/+TextNode")
    assert all(ctx.node.find_all_matches(kind).get_num_paths() > 0 for kind in drawn)
    t.leave()
    frames(stage, 2)
    assert [ctx.node.find_all_matches(kind).get_num_paths() for kind in drawn] == [0, 0]
    # Come back: the proposal is read from the store again and pinned.
    t.go_to_pavilion(PAVILION)
    until(stage, lambda: t.expo.inside == PAVILION)
    again = t.expo.host.slot(PAVILION).instance
    assert list(again.pins) == [rows[0]["id"]]
    t.leave()

