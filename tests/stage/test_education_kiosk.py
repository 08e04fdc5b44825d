"""The education demo in a kiosk booth, played with touch only: the rehearsal's virtual
finger taps the menu, the pavilion and the panel's O, X and Next buttons where they are
drawn, as a visitor's finger would."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from stage_driving import tap_panel_button

if TYPE_CHECKING:
    from gwangju_twin.app.rehearsal import Rehearsal

pytestmark = pytest.mark.render


def test_a_visitor_plays_the_quiz_by_touch(touch_booth: Rehearsal) -> None:
    touring = touch_booth.booth.touring
    touch_booth.tap(0.1, -0.2)  # wakes the booth
    touch_booth.tap_widget(touring.toolbar.buttons["menu"])
    touch_booth.tap_widget(touring.menu.buttons["education"])
    touch_booth.seconds(4.0)
    assert touring.expo.inside == "education"
    slot = touring.expo.host.slot("education")
    assert slot is not None and slot.running and slot.inside
    demo: Any = slot.instance
    game = demo.round
    for _ in range(3):
        q = game.current
        tap_panel_button(touch_booth, "education", q.answer)
        assert game.stage == "answered" and game.answers[-1] == q.answer
        tap_panel_button(touch_booth, "education", "next")
    assert game.index == 3 and game.score == 3
    view = touring.expo.panel_view
    assert view is not None and any("문제 4 / 8 · 점수 3" in t for t in view.text())
    assert slot.state == "loaded"


def _screen_of(touch_booth: Rehearsal, xyz: tuple[float, float, float]) -> tuple[float, float]:
    from panda3d.core import Point2, Point3

    base = touch_booth.stage.base
    p = base.cam.get_relative_point(base.render, Point3(*xyz))
    out = Point2()
    assert base.camLens.project(p, out), f"{xyz} is not in view"
    return (out.x, out.y)


def test_a_visitor_answers_by_touching_the_pads_where_each_question_flew(
        touch_booth: Rehearsal) -> None:
    touring = touch_booth.booth.touring
    touch_booth.tap(0.1, -0.2)
    touch_booth.tap_widget(touring.toolbar.buttons["menu"])
    touch_booth.tap_widget(touring.menu.buttons["education"])
    touch_booth.seconds(4.0)
    slot = touring.expo.host.slot("education")
    demo: Any = slot.instance
    game = demo.round
    for n in range(3):
        touch_booth.seconds(2.0)  # the flight to this question's place
        assert not touring.driver.flying
        # The camera's flights do not count as leaving: the visitor is still inside.
        assert touring.expo.inside == "education" and slot.inside
        q = game.current
        choice = q.answer if n != 1 else ("X" if q.answer == "O" else "O")
        # The middle of the pad's top, where the finger lands on it on screen.
        pad = demo.pads[choice]
        p = pad.get_pos(touch_booth.stage.base.render)
        touch_booth.tap(*_screen_of(touch_booth, (p.x, p.y, p.z + 0.5)))
        assert game.stage == "answered" and game.answers[-1] == choice, (n, q.id)
        tap_panel_button(touch_booth, "education", "next")
    assert game.index == 3 and game.score == 2
    assert touring.expo.inside == "education" and slot.state == "loaded"
