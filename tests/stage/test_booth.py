"""A kiosk booth on the default district, offscreen, with a real (virtual) pointer.

Taps go through a VirtualMouse into the same MouseWatcher, DirectGUI click regions and
"mouse1" events a window's mouse or touch screen feeds; the frame clock runs at a fixed
15 fps, so the booth's quiet spells take a known number of frames. The assertions look at
the widgets, the camera, the plugins and the visits database.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from stage_driving import building_spot

from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.kiosk.analytics import day_reports
from gwangju_twin.kiosk.config import AllowedPlugin, KioskConfig
from gwangju_twin.kiosk.pin import hash_pin
from gwangju_twin.kiosk.supervisor import EXIT_OPERATOR, EXIT_RESTART
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

if TYPE_CHECKING:
    from gwangju_twin.app.rehearsal import Rehearsal

pytestmark = pytest.mark.render

SIZE = (800, 450)
PIN = "2468"


def kiosk_config(tmp: Path, **changes: Any) -> KioskConfig:
    base = KioskConfig(size=SIZE, attract_after=5.0, reset_after=10.0, countdown=3,
                       attract_dwell=3.0, pin_hash=hash_pin(PIN, iterations=1000),
                       log_folder=tmp / "logs", database=tmp / "visits.sqlite3")
    return dataclasses.replace(base, **changes)


@pytest.fixture
def kiosk(booth_prepared: Prepared, tmp_path: Path) -> Iterator[Rehearsal]:
    from gwangju_twin.app.rehearsal import Rehearsal

    k = Rehearsal(booth_prepared, kiosk_config(tmp_path), fps=15)
    try:
        yield k
    finally:
        k.close()


def test_welcome_attract_visit_countdown_reset(kiosk: Rehearsal, tmp_path: Path) -> None:
    booth, touring = kiosk.booth, kiosk.booth.touring
    start = touring.driver.rig.pose
    assert booth.cycle.state == "welcome" and touring.toolbar.visible
    kiosk.seconds(4.8)
    assert booth.cycle.state == "welcome"
    kiosk.seconds(0.4)
    # Attract: the interface gives way to the prompt; the camera tours the pavilions with
    # their demos running.
    assert booth.cycle.state == "attract"
    assert booth.prompt.visible and not touring.toolbar.visible
    assert any("화면을 터치하세요" in t for t in booth.prompt.text())
    assert any("Touch to start" in t for t in booth.prompt.text())
    kiosk.seconds(12.0)
    assert len(booth.reel.visited) >= 2
    entered = booth.reel.visited[-1]
    assert touring.expo.inside == entered
    # Attract tours are not visits.
    assert day_reports(tmp_path / "visits.sqlite3") == []

    kiosk.tap(0.1, -0.2)  # anywhere
    assert booth.cycle.state == "visit"
    assert not booth.prompt.visible and touring.toolbar.visible
    assert touring.expo.inside is None
    assert touring.driver.rig.pose == start
    # The visitor taps their way to a pavilion with a demo and switches to English.
    kiosk.tap_widget(touring.toolbar.buttons["menu"])
    assert touring.menu.visible
    kiosk.tap_widget(touring.menu.buttons["energy"])
    set_off = kiosk.wall_time()
    kiosk.seconds(4.0)
    arrived_by = kiosk.wall_time()
    assert touring.expo.inside == "energy"
    solar = touring.expo.host.slot("energy")
    assert solar is not None and solar.running and solar.inside
    tapped_from = kiosk.wall_time()
    kiosk.tap_widget(touring.toolbar.buttons["language"])
    tapped_by = kiosk.wall_time()  # the last touch of the visit is in between
    kiosk.frames(2)
    assert touring.language == "en"
    kiosk.seconds(9.5)
    assert booth.cycle.state == "visit"
    kiosk.seconds(0.8)
    # Nobody has touched the screen for 10 s: the countdown, in the visitor's language.
    assert booth.cycle.state == "countdown" and booth.countdown.visible
    shown = booth.countdown.seconds
    assert shown == 3
    assert any("Returning to start in 3" in t for t in booth.countdown.text())
    assert any("처음 화면으로 돌아갑니다 3" in t for t in booth.countdown.text())
    kiosk.seconds(1.0)
    assert booth.countdown.seconds == 2
    assert any("Returning to start in 2" in t for t in booth.countdown.text())
    kiosk.seconds(2.2)
    # The full reset: camera, language, panels and plugins.
    assert booth.cycle.state == "welcome" and not booth.countdown.visible
    assert touring.language == "ko"
    assert touring.expo.inside is None and touring.driver.rig.pose == start
    assert not touring.selection.open and not touring.menu.visible
    fresh = touring.expo.host.slot("energy")
    assert fresh is not solar and fresh.running and not fresh.inside
    [day] = day_reports(tmp_path / "visits.sqlite3")
    assert day.visits == 1 and day.interrupted == 0
    assert [p.pavilion for p in day.pavilions] == ["energy"]
    # The stay began on arrival and ended with the visit, at the reset: 10 s after the last
    # touch, then 3 s of countdown.
    with sqlite3.connect(tmp_path / "visits.sqlite3") as conn:
        entered, left = conn.execute("SELECT entered, left_at FROM stays").fetchone()
        [ended] = conn.execute("SELECT ended FROM visits").fetchone()
    conn.close()
    assert set_off <= entered <= arrived_by
    assert left == ended and tapped_from + 13.0 <= ended <= tapped_by + 13.0
    assert day.pavilions[0].dwell_seconds == pytest.approx(left - entered)
    assert day.demo_starts == 1 and day.languages.get("en") == 1


def test_keep_exploring_button_answers_the_countdown(kiosk: Rehearsal) -> None:
    booth = kiosk.booth
    kiosk.tap(0.3, 0.3)
    kiosk.seconds(10.5)
    assert booth.cycle.state == "countdown"
    kiosk.tap_widget(booth.countdown.buttons["keep"])
    assert booth.cycle.state == "visit" and not booth.countdown.visible
    kiosk.seconds(9.0)
    assert booth.cycle.state == "visit"  # a whole new quiet spell is needed


def test_close_requests_escape_and_alt_f4_are_ignored(kiosk: Rehearsal) -> None:
    from panda3d.core import KeyboardButton

    from gwangju_twin.booth.session import CLOSE_REQUEST

    booth, base = kiosk.booth, kiosk.base
    kiosk.tap(0.0, 0.0)
    base.messenger.send(CLOSE_REQUEST)  # what the window raises for its close button
    mouse = kiosk.pointer.mouse
    mouse.press_button(KeyboardButton.alt())
    kiosk.pointer.key(KeyboardButton.f4())
    mouse.release_button(KeyboardButton.alt())
    kiosk.pointer.key(KeyboardButton.escape())
    mouse.press_button(KeyboardButton.control())
    kiosk.pointer.key(KeyboardButton.ascii_key("q"))
    mouse.release_button(KeyboardButton.control())
    kiosk.frames(3)
    assert booth.exit_code is None
    assert {CLOSE_REQUEST, "alt-f4", "escape", "control-q"} <= set(booth.ignored)
    # The booth still runs: time goes on, the countdown comes.
    kiosk.seconds(10.5)
    assert booth.cycle.state == "countdown"


def test_operator_pin_path_backs_off_then_exits(kiosk: Rehearsal) -> None:
    booth = kiosk.booth
    kiosk.chord()
    assert booth.cycle.state == "operator" and booth.pinpad.visible
    for _ in range(3):
        kiosk.type_pin("1111")
        assert not booth.menu.visible and booth.pinpad.visible
    kiosk.type_pin("9999")  # the fourth wrong PIN: the pad locks
    assert booth.gate.locked_for() > 0
    kiosk.type_pin(PIN)  # refused while locked, even the right PIN
    assert not booth.menu.visible
    assert booth.pinpad.entered == 0
    kiosk.seconds(booth.gate.locked_for() + 0.5)
    kiosk.type_pin(PIN)
    assert booth.menu.visible and not booth.pinpad.visible
    assert any("0.1.0" in line for line in booth.menu.text())
    kiosk.tap_widget(booth.menu.buttons["exit"])
    assert booth.exit_code == EXIT_OPERATOR


def test_held_corner_opens_the_pin_pad_and_restart_is_offered(kiosk: Rehearsal) -> None:
    booth = kiosk.booth
    kiosk.pointer.move(-0.97, 0.97)  # top-left
    kiosk.frames(1)
    kiosk.pointer.press()
    kiosk.seconds(2.5)
    assert not booth.pinpad.visible
    kiosk.seconds(0.7)
    kiosk.pointer.release()
    kiosk.frames(2)
    assert booth.pinpad.visible
    kiosk.type_pin(PIN)
    kiosk.tap_widget(booth.menu.buttons["restart"])
    assert booth.exit_code == EXIT_RESTART


def test_operator_overlay_closes_by_itself(booth_prepared: Prepared, tmp_path: Path) -> None:
    from gwangju_twin.app.rehearsal import Rehearsal

    kiosk = Rehearsal(booth_prepared, kiosk_config(tmp_path), fps=5)  # a minute in few frames
    try:
        booth = kiosk.booth
        kiosk.chord()
        assert booth.pinpad.visible
        kiosk.seconds(58.0)
        assert booth.pinpad.visible and booth.cycle.state == "operator"
        kiosk.seconds(3.0)
        assert not booth.pinpad.visible and booth.cycle.state in ("welcome", "attract")
        assert booth.exit_code is None
    finally:
        kiosk.close()


def test_plugins_off_the_allow_list_do_not_run(tmp_path: Path) -> None:
    config = KioskConfig(allow=())  # nothing allowed
    scene = load_scene(default_scene_path())
    assert any(p.plugin for p in scene.pavilions)
    prepared = prepare(scene, admit=config.allows)
    assert all(p.info.plugin is None for p in prepared.pavilions)
    # Pinned versions: the solar demo is 1.0.0, so a pin on 1.0.0 admits it and 2.0.0 not.
    pinned = dataclasses.replace(config, allow=(AllowedPlugin("gwangju.solar", "1.0.0"),
                                                AllowedPlugin("gwangju.shuttles", "2.0.0")))
    kept = prepare(scene, admit=pinned.allows)
    assert {p.info.plugin for p in kept.pavilions} - {None} == {"gwangju.solar"}


def test_analytics_rows_hold_no_personal_data(kiosk: Rehearsal, tmp_path: Path) -> None:
    kiosk.tap(0.2, 0.1)
    kiosk.booth.touring.go_to_pavilion("mobility")
    kiosk.seconds(15.0)
    with sqlite3.connect(tmp_path / "visits.sqlite3") as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        columns = {c[1] for t in tables for c in db.execute(f"pragma table_info({t})")}
    assert not columns & {"name", "ip", "address", "user", "email", "face", "image", "x", "y"}


def test_every_kiosk_target_is_finger_sized_and_no_key_does_anything(kiosk: Rehearsal) -> None:
    """Touch only: whatever a visitor can open, every button on screen is at least 48 px
    tall at 1080p, and the kiosk binds no keyboard control a visitor would need."""
    from direct.gui.DirectButton import DirectButton
    from direct.gui.DirectGuiBase import DirectGuiWidget

    from gwangju_twin.controls import CONTROLS, control

    booth, touring, base = kiosk.booth, kiosk.booth.touring, kiosk.base
    kiosk.tap(0.0, 0.0)
    kiosk.tap_widget(touring.toolbar.buttons["menu"])
    kiosk.tap_widget(touring.menu.buttons["energy"])
    kiosk.seconds(4.0)  # inside: the plugin's panel and its buttons are up
    # A tap on a building (the first the grid finds) opens its info panel too.
    kiosk.tap(*building_spot(touring))
    assert touring.selection.open

    def on_screen() -> list[tuple[str, float, float]]:
        """(label, height, width) in pixels at 1920x1080 of every button shown now."""
        sizes = []
        for w in DirectGuiWidget.guiDict.values():
            if not isinstance(w, DirectButton) or w.is_empty() or w.is_hidden() or any(
                    p.is_hidden() for p in w.get_ancestors()):
                continue
            left, right, bottom, top = w["frameSize"]
            sizes.append((str(w["text"]), (top - bottom) * w.get_sz(base.render2d) * 540,
                          (right - left) * w.get_sx(base.render2d) * 960))
        return sizes

    shown = on_screen()
    assert any(label == "×" or "닫기" in label for label, _, _ in shown), shown
    kiosk.tap_widget(touring.toolbar.buttons["tour"])  # the tour bar's buttons
    kiosk.frames(3)
    shown += on_screen()
    assert len(shown) >= 20
    for label, height, width in shown:
        assert height >= 48 and width >= 48, (label, height, width)
    # The desktop's keys are not bound in a kiosk (a visitor has no keyboard and must not
    # reach a quit key): the only listener any listed key has is the lock that ignores it.
    keys = {e for c in CONTROLS for e in c.events if not e.startswith(("mouse", "wheel"))}
    assert "control-q" in control("quit").events and "escape" in keys
    for event in keys:
        for method, *_ in (base.messenger.who_accepts(event) or {}).values():
            assert method == booth._ignore, event


def test_the_operator_gesture_during_the_attract_loop_records_no_visit(kiosk: Rehearsal,
                                                                        tmp_path: Path) -> None:
    booth = kiosk.booth
    kiosk.seconds(5.5)
    assert booth.cycle.state == "attract"
    kiosk.pointer.move(-0.97, 0.97)
    kiosk.frames(1)
    kiosk.pointer.press()
    kiosk.seconds(3.2)
    kiosk.pointer.release()
    kiosk.frames(2)
    assert booth.pinpad.visible and booth.cycle.state == "operator"
    kiosk.tap_widget(booth.pinpad.buttons["cancel"])
    assert booth.cycle.state == "attract"  # back where it was, the reel going on
    assert day_reports(tmp_path / "visits.sqlite3") == []
    # A short press in the corner is an ordinary tap: it starts a visit.
    kiosk.tap(-0.97, 0.97)
    assert booth.cycle.state == "visit"


def test_the_time_bar_by_touch_and_a_day_played_in_the_attract_loop(
        booth_prepared: Prepared, tmp_path: Path) -> None:
    """A visitor opens the time bar from the kiosk's toolbar and taps 동지; the reset puts
    the clock back; the attract loop then plays a sped-up day (``[attract] play_day``)."""
    from gwangju_twin.app.rehearsal import Rehearsal
    from gwangju_twin.sun.calendar import season_date

    kiosk = Rehearsal(booth_prepared, kiosk_config(tmp_path, play_day=True, day_rate=3600.0),
                      fps=15)
    try:
        booth, touring = kiosk.booth, kiosk.booth.touring
        clock, bar = touring.clock, touring.timebar
        start = clock.when
        kiosk.tap(0.0, 0.0)
        assert booth.cycle.state == "visit" and not bar.visible
        kiosk.tap_widget(touring.toolbar.buttons["time"])
        assert bar.visible and bar.touch and touring.toolbar.is_active("time")
        kiosk.tap_widget(bar.buttons["winter_solstice"])
        assert clock.when.date() == season_date(start.year, "winter_solstice")
        assert clock.when.time() == start.time()  # the hour stays
        # The kiosk's buttons are finger-sized: at least 48 px at 1080p.
        for name in (*bar.shown_buttons, "winter_solstice"):
            b = bar.buttons[name]
            _, _, bottom, top = b["frameSize"]
            assert (top - bottom) * b.get_sz(kiosk.base.render2d) * 540 >= 48, name
        kiosk.seconds(14.0)  # 10 s idle, 3 s of countdown: the reset
        assert booth.cycle.state == "welcome"
        assert clock.when == start and not clock.playing and not bar.visible
        kiosk.seconds(5.5)
        assert booth.cycle.state == "attract" and clock.playing
        before = clock.when
        kiosk.seconds(2.0)
        # 2 s (30 frames at 15 fps) at 3600 scene seconds a second: two hours, give or take
        # a frame's 4 minutes.
        moved = (clock.when - before).total_seconds()
        assert moved == pytest.approx(2 * 3600, abs=240)
        kiosk.tap(0.1, -0.2)
        assert booth.cycle.state == "visit"
        assert clock.when == start and not clock.playing
    finally:
        kiosk.close()
