"""The education demo in a kiosk booth, played with touch only: the rehearsal's virtual
finger taps the menu, the pavilion and the panel's O, X and Next buttons where they are
drawn, as a visitor's finger would."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.kiosk.config import KioskConfig

if TYPE_CHECKING:
    from gwangju_twin.app.rehearsal import Rehearsal

pytestmark = pytest.mark.render


@pytest.fixture
def kiosk(booth_prepared: Prepared, tmp_path: Path) -> Iterator[Rehearsal]:
    from gwangju_twin.app.rehearsal import Rehearsal

    config = dataclasses.replace(KioskConfig(), size=(800, 450), attract_after=300.0,
                                 reset_after=300.0, log_folder=tmp_path / "logs",
                                 database=tmp_path / "visits.sqlite3")
    k = Rehearsal(booth_prepared, config, fps=15)
    try:
        yield k
    finally:
        k.close()


def _tap_panel(kiosk: Rehearsal, key: str) -> None:
    expo = kiosk.booth.touring.expo
    kiosk.frames(2)  # the panel view redraws the plugin's latest panel
    keys = [b.key for b in expo.panel("education").buttons]
    view = expo.panel_view
    assert view is not None and key in keys, keys
    kiosk.tap_widget(view.buttons[keys.index(key)])


def test_a_visitor_plays_the_quiz_by_touch(kiosk: Rehearsal) -> None:
    touring = kiosk.booth.touring
    kiosk.tap(0.1, -0.2)  # wakes the booth
    kiosk.tap_widget(touring.toolbar.buttons["menu"])
    kiosk.tap_widget(touring.menu.buttons["education"])
    kiosk.seconds(4.0)
    assert touring.expo.inside == "education"
    slot = touring.expo.host.slot("education")
    assert slot is not None and slot.running and slot.inside
    demo: Any = slot.instance
    game = demo.round
    for _ in range(3):
        q = game.current
        _tap_panel(kiosk, q.answer)
        assert game.stage == "answered" and game.answers[-1] == q.answer
        _tap_panel(kiosk, "next")
    assert game.index == 3 and game.score == 3
    view = touring.expo.panel_view
    assert view is not None and any("문제 4 / 8 · 점수 3" in t for t in view.text())
    assert slot.state == "loaded"


def _screen_of(kiosk: Rehearsal, xyz: tuple[float, float, float]) -> tuple[float, float]:
    from panda3d.core import Point2, Point3

    base = kiosk.stage.base
    p = base.cam.get_relative_point(base.render, Point3(*xyz))
    out = Point2()
    assert base.camLens.project(p, out), f"{xyz} is not in view"
    return (out.x, out.y)


def test_a_visitor_answers_by_touching_the_pads_where_each_question_flew(
        kiosk: Rehearsal) -> None:
    touring = kiosk.booth.touring
    kiosk.tap(0.1, -0.2)
    kiosk.tap_widget(touring.toolbar.buttons["menu"])
    kiosk.tap_widget(touring.menu.buttons["education"])
    kiosk.seconds(4.0)
    slot = touring.expo.host.slot("education")
    demo: Any = slot.instance
    game = demo.round
    for n in range(3):
        kiosk.seconds(2.0)  # the flight to this question's place
        assert not touring.driver.flying
        # The camera's flights do not count as leaving: the visitor is still inside.
        assert touring.expo.inside == "education" and slot.inside
        q = game.current
        choice = q.answer if n != 1 else ("X" if q.answer == "O" else "O")
        # The middle of the pad's top, where the finger lands on it on screen.
        pad = demo.pads[choice]
        p = pad.get_pos(kiosk.stage.base.render)
        kiosk.tap(*_screen_of(kiosk, (p.x, p.y, p.z + 0.5)))
        assert game.stage == "answered" and game.answers[-1] == choice, (n, q.id)
        _tap_panel(kiosk, "next")
    assert game.index == 3 and game.score == 2
    assert touring.expo.inside == "education" and slot.state == "loaded"
