"""The time bar (gwangju_twin.ui.timebar) built offscreen over a scene clock and driven as a
visitor drives it: presets, the slider, day steps, play, through a real mouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from gui_kit import buttons_box, frames, no_missing_glyphs, pixel

from gwangju_twin.sun.calendar import SEASONS
from gwangju_twin.sun.clock import SEOUL, SceneClock

GWANGJU = (35.1595, 126.8526)
START = datetime(2026, 5, 1, 15, 20, tzinfo=SEOUL)


@pytest.fixture
def clock() -> SceneClock:
    return SceneClock(START, *GWANGJU)


def _bar(base: Any, fonts: Any, cat: Any, clock: SceneClock, touch: bool = False) -> Any:
    from gwangju_twin.ui.timebar import TimeBar

    bar = TimeBar(base.a2dBottomCenter, fonts[0], cat, clock, touch=touch, bold_font=fonts[1])
    bar.show()
    frames(base)
    return bar


@pytest.fixture
def bar(base: Any, fonts: Any, cat: Any, clock: SceneClock) -> Iterator[Any]:
    made = _bar(base, fonts, cat, clock)
    yield made
    made.destroy()


def test_a_preset_moves_the_date_and_keeps_the_hour(bar: Any, clock: SceneClock) -> None:
    assert "2026년 5월 1일 (금)" in bar.text()  # 1 May 2026 is a Friday
    bar.press("winter_solstice")
    # 동지 2026: 21 Dec 20:50 UTC (USNO) is 22 Dec 05:50 in Korea.
    assert clock.when == datetime(2026, 12, 22, 15, 20, tzinfo=SEOUL)
    assert bar.day == date(2026, 12, 22)
    assert any("동지" in t for t in bar.text()[:1])  # the date line names the solstice
    bar.press("summer_solstice")
    assert clock.when.date() == date(2026, 6, 21)
    bar.press("day_on")
    assert clock.when == datetime(2026, 6, 22, 15, 20, tzinfo=SEOUL)
    bar.press("day_back")
    bar.press("day_back")
    assert clock.when.date() == date(2026, 6, 20)


def test_the_slider_snaps_to_ten_minutes_and_follows_the_clock(base: Any, bar: Any,
                                                               clock: SceneClock) -> None:
    assert bar.slider_minute() == pytest.approx(15 * 60 + 20)
    bar.set_minute(9 * 60 + 34.5)
    assert clock.when == datetime(2026, 5, 1, 9, 30, tzinfo=SEOUL)
    assert bar.slider_minute() == pytest.approx(9 * 60 + 30)
    assert "09:30" in bar.text()
    # A move made elsewhere (a script, the kiosk's played day) shows on the bar, and the
    # slider's echo of it does not snap the clock back.
    clock.set(datetime(2026, 5, 1, 17, 43, tzinfo=SEOUL))
    frames(base, 3)
    assert bar.slider_minute() == pytest.approx(17 * 60 + 43)
    assert clock.when.minute == 43
    assert "17:43" in bar.text()


def test_dragging_the_thumb_sets_the_time(base: Any, bar: Any, clock: SceneClock) -> None:
    """The thumb, dragged to the slider's three-quarter point with the slider's own value
    change (what PGSliderBar does on a drag), lands the clock on 18:00 give or take a snap."""
    bar.slider["value"] = 18 * 60 + 3
    frames(base, 2)  # PGSliderBar tells of the change through an event a frame later
    assert clock.when == datetime(2026, 5, 1, 18, 0, tzinfo=SEOUL)


def test_play_runs_the_day_and_starts_over_on_the_same_date(base: Any, bar: Any,
                                                            clock: SceneClock) -> None:
    from gwangju_twin.ui.timebar import PLAY_RATE

    bar.press("winter_solstice")
    bar.press("play")
    assert clock.playing and clock.rate == PLAY_RATE
    assert bar.buttons["play"]["text"] == "멈춤"
    # 2 s of play is an hour (the bar's rate, PLAY_RATE scene seconds per second).
    clock.tick(2.0)
    assert clock.when == datetime(2026, 12, 22, 16, 20, tzinfo=SEOUL)
    # The slider's late echoes of played moments (PGSliderBar tells a frame later, in
    # single precision: 12:00 comes back as minute 719.99994) are not taken for a drag
    # that would pull the clock back.
    clock.set(datetime(2026, 12, 22, 11, 58, tzinfo=SEOUL))
    for _ in range(5):
        frames(base)
        clock.tick(1.0 / 30)  # a minute a frame
    frames(base, 2)
    assert clock.when == datetime(2026, 12, 22, 12, 3, tzinfo=SEOUL)
    clock.tick(2.0)
    assert clock.when == datetime(2026, 12, 22, 13, 3, tzinfo=SEOUL)
    # Past midnight the played day begins again on 22 December, not on the 23rd.
    clock.tick(11 * 2.0)  # 11 h: 00:03 on the next day, wrapped
    assert clock.when == datetime(2026, 12, 22, 0, 3, tzinfo=SEOUL)
    bar.press("play")
    assert not clock.playing
    assert bar.buttons["play"]["text"] == "하루 재생"


def test_a_clock_set_to_another_date_when_paused_changes_the_shown_date(
        bar: Any, clock: SceneClock) -> None:
    clock.set(datetime(2027, 3, 21, 12, 0, tzinfo=SEOUL))
    assert bar.day == date(2027, 3, 21)
    assert "2027년 3월 21일 (일)" in bar.text()[0]


def test_sunrise_and_sunset_are_shown_and_marked(bar: Any) -> None:
    bar.press("winter_solstice")
    sun = bar.text()[1]
    # astral's times for Gwangju on 22 Dec 2026; by hand: a winter day at 35 N is some
    # 9 h 47 min long, centred on the local solar noon near 12:31 KST.
    assert sun.startswith("일출 07:3") and "일몰 17:2" in sun
    node = bar.node
    for name in ("sunrise", "sunset", "daylight", "track"):
        assert not node.find(f"**/{name}").is_empty(), name


@pytest.mark.parametrize("touch", [False, True])
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_bar_fits_the_window_and_nothing_overlaps(base: Any, fonts: Any, cat: Any,
                                                      clock: SceneClock, touch: bool,
                                                      language: str) -> None:
    from gwangju_twin.ui.attract import KIOSK_BUTTON
    from gwangju_twin.ui.theme import BUTTON_HEIGHT

    made = _bar(base, fonts, cat, clock, touch)
    try:
        made.set_language(language)
        made.press("winter_solstice")
        frames(base)
        no_missing_glyphs(fonts, made.text())
        shown = [made.buttons[n] for n in (*made.shown_buttons, *SEASONS)]
        left, right, bottom, top = buttons_box(shown, base.aspect2d)
        assert base.a2dLeft < left and right < base.a2dRight and bottom > -1.0 and top < 1.0
        # Buttons are finger-sized in the kiosk: KIOSK_BUTTON high on screen.
        high = KIOSK_BUTTON if touch else BUTTON_HEIGHT
        for b in shown:
            _, _, b0, b1 = buttons_box([b], base.aspect2d)
            assert b1 - b0 == pytest.approx(high, rel=1e-3)
        # No two of the drawn texts and buttons overlap.
        boxes = [buttons_box([b], base.aspect2d) for b in shown]
        for name in ("date", "sun", "time"):
            node = made.node.find(f"**/{name}")
            lo, hi = node.get_tight_bounds(base.aspect2d)
            boxes.append((lo.x, hi.x, lo.z, hi.z))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
                assert apart, (a, b)
    finally:
        made.destroy()


def test_a_real_mouse_click_on_a_preset_sets_the_clock(base: Any, bar: Any, mouse: Any,
                                                       clock: SceneClock) -> None:
    """A press and release over the 하지 button through a MouseWatcher: the card's click
    blocker under the buttons must not take the click from it."""
    from panda3d.core import MouseButton

    target = bar.buttons["summer_solstice"]
    col, row = pixel(base, target, 0, 0)
    mouse.set_mouse_pos(col, row)
    frames(base)
    watcher = base.aspect2d.node().get_mouse_watcher()
    assert watcher.get_over_region().get_name() == target.guiItem.get_id()
    mouse.press_button(MouseButton.one())
    frames(base)
    mouse.release_button(MouseButton.one())
    frames(base)
    # 하지 2026: 21 Jun 08:24 UTC (USNO) is the 21st in Korea too.
    assert clock.when == datetime(2026, 6, 21, 15, 20, tzinfo=SEOUL)


def test_destroy_stops_following_the_clock(base: Any, fonts: Any, cat: Any,
                                           clock: SceneClock) -> None:
    made = _bar(base, fonts, cat, clock)
    made.destroy()
    clock.set(START + timedelta(hours=1))  # would fail on the removed nodes if subscribed
    assert clock.when.hour == 16
