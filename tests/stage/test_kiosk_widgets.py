"""The kiosk's on-screen widgets (gwangju_twin.ui: attract, countdown, pinpad, operator,
zoompad, and the toolbar's kiosk row), drawn by the real renderer offscreen (EGL).

One ShowBase at 1024x700 (the smallest window the viewer supports) serves the module.
Clicks go through DirectGUI's event names, and through a real MouseWatcher fed by a
VirtualMouse for the taps that matter most on a touch screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from gui_kit import (
    H,
    W,
    buttons_box,
    click,
    frames,
    no_missing_glyphs,
    pixel,
    screenshot,
)

pytestmark = pytest.mark.render

LANGS = ("ko", "en")
KIOSK_ROW = ("menu", "tour", "map", "language", "home")


# -- fixtures and helpers (as tests/stage/test_widgets.py) ---------------------------------


@pytest.fixture
def world(base: Any) -> Iterator[list[str]]:
    """The clicks that reached the 3D world (not swallowed by a GUI region)."""
    from direct.showbase.DirectObject import DirectObject

    heard: list[str] = []
    listener = DirectObject()
    listener.accept("world-mouse1", lambda: heard.append("mouse1"))
    yield heard
    listener.ignore_all()


def tap(base: Any, mouse: Any, col: int, row: int) -> None:
    """A press and release at window pixel (col, row) through the MouseWatcher."""
    from panda3d.core import MouseButton

    mouse.set_mouse_pos(col, row)
    frames(base)
    mouse.press_button(MouseButton.one())
    frames(base)
    mouse.release_button(MouseButton.one())
    frames(base)


def press(base: Any, frame: Any) -> None:
    """The event a mouse press on DirectFrame ``frame`` raises."""
    from direct.gui.DirectGuiGlobals import B1PRESS

    base.messenger.send(B1PRESS + frame.guiId, [None])


def button_px(base: Any, button: Any) -> tuple[float, float]:
    """A button's (width, height) in pixels at 1080p (aspect2d: 540 px per unit)."""
    left, right, bottom, top = button["frameSize"]
    sx = button.get_sx(base.aspect2d)
    sz = button.get_sz(base.aspect2d)
    return (right - left) * sx * 540, (top - bottom) * sz * 540


def on_screen(base: Any, widget: Any) -> bool:
    """The widget's drawing and its buttons' faces within the window (render2d -1..1)."""
    eps = 1e-4
    bounds = widget.node.get_tight_bounds(base.render2d)  # None: only buttons (the toolbar)
    inside = True
    if bounds is not None:
        lo, hi = bounds
        inside = lo.x >= -1 - eps and hi.x <= 1 + eps and lo.z >= -1 - eps and hi.z <= 1 + eps
    if widget.buttons:
        left, right, bottom, top = buttons_box(widget.buttons.values(), base.render2d)
        inside = inside and left >= -1 and right <= 1 and bottom >= -1 and top <= 1
    return inside


def shown_text_nodes(node: Any) -> list[str]:
    return [np_.node().get_text() for np_ in node.find_all_matches("**/+TextNode")]


# -- widget fixtures -------------------------------------------------------------------------


@pytest.fixture
def attract(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.attract import AttractPrompt

    touches: list[str] = []
    made = AttractPrompt(base.aspect2d, fonts[0], fonts[1], cat,
                         on_touch=lambda: touches.append("touch"))
    made.touches = touches
    yield made
    made.destroy()


@pytest.fixture
def countdown(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.countdown import Countdown

    keeps: list[str] = []
    made = Countdown(base.aspect2d, fonts[0], cat, "ko", lambda: keeps.append("keep"),
                     bold_font=fonts[1])
    made.keeps = keeps
    yield made
    made.destroy()


@pytest.fixture
def pinpad(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.pinpad import PinPad

    events: list[str] = []
    made = PinPad(base.aspect2d, fonts[0], cat, "ko", lambda pin: events.append(f"pin:{pin}"),
                  lambda: events.append("cancel"), bold_font=fonts[1])
    made.events = events
    yield made
    made.destroy()


@pytest.fixture
def operator(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.operator import OperatorMenu

    chosen: list[str] = []
    made = OperatorMenu(base.aspect2d, fonts[0], cat, "ko", chosen.append, bold_font=fonts[1])
    made.chosen = chosen
    yield made
    made.destroy()


@pytest.fixture
def zoompad(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.zoompad import ZoomPad

    pressed: list[str] = []
    made = ZoomPad(base.a2dBottomRight, fonts[0], cat, "ko", pressed.append)
    made.pressed = pressed
    yield made
    made.destroy()


@pytest.fixture
def kiosk_toolbar(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.toolbar import Toolbar

    pressed: list[str] = []
    made = Toolbar(base.a2dTopLeft, fonts[0], cat, "ko", pressed.append, names=KIOSK_ROW)
    made.pressed = pressed
    yield made
    made.destroy()


@pytest.fixture
def everything(attract: Any, countdown: Any, pinpad: Any, operator: Any, zoompad: Any,
               kiosk_toolbar: Any) -> list[Any]:
    return [attract, countdown, pinpad, operator, zoompad, kiosk_toolbar]


# -- sizes, text and glyphs -----------------------------------------------------------------


def test_every_kiosk_button_is_a_big_touch_target(base: Any, everything: list[Any]) -> None:
    from gwangju_twin.ui.attract import KIOSK_BUTTON

    assert KIOSK_BUTTON * 540 >= 86
    for widget in everything:
        for name, b in widget.buttons.items():
            w, h = button_px(base, b)
            assert min(w, h) >= 48, (type(widget).__name__, name, w, h)
    _, countdown, pinpad, operator, zoompad, _ = everything
    for name, b in pinpad.buttons.items():
        if name != "cancel":
            assert min(button_px(base, b)) >= 80, name
    assert min(button_px(base, countdown.buttons["keep"])) >= 80
    for b in operator.buttons.values():
        assert button_px(base, b)[1] >= 80
    for b in zoompad.buttons.values():
        left, right, bottom, top = b["frameSize"]
        assert min(right - left, top - bottom) >= 0.12


def test_every_kiosk_text_has_glyphs_in_both_fonts(cat: Any, fonts: Any, everything: list[Any]
                                                   ) -> None:
    kiosk = [text for key, texts in cat.entries.items() if key.startswith("kiosk.")
             for text in texts.values()]
    assert len(kiosk) >= 40
    no_missing_glyphs(fonts, kiosk + list(cat.both("toolbar.home")))
    everything[0].set_caption("친환경자율주행", "Eco-friendly autonomous driving")
    for lang in LANGS:
        for widget in everything:
            widget.set_language(lang)
            assert widget.language == lang
            no_missing_glyphs(fonts, widget.text())


def test_everything_fits_a_1024x700_window(base: Any, cat: Any, everything: list[Any]) -> None:
    assert (base.win.get_x_size(), base.win.get_y_size()) == (W, H)
    attract, countdown, pinpad, operator, _, _ = everything
    attract.set_caption("친환경자율주행", "Eco-friendly autonomous driving")
    operator.set_status([cat.text("kiosk.operator.safe_mode", "en"),
                         cat.text("kiosk.operator.crashes", "en", count=12),
                         cat.text("kiosk.operator.version", "en", version="1.0.0")])
    pinpad.set_locked(300)
    countdown.set_seconds(10)
    for lang in LANGS:
        for widget in everything:
            widget.set_language(lang)
            widget.show()
            assert widget.visible
            assert on_screen(base, widget), (type(widget).__name__, lang)
            assert widget.node.get_sx() > 0.9  # not shrunk much, if at all
    # The veils cover the whole window, exactly.
    lo, hi = countdown.node.find("**/dim").get_tight_bounds(base.render2d)
    assert (lo.x, lo.z, hi.x, hi.z) == pytest.approx((-1, -1, 1, 1), abs=1e-4)
    for widget in everything:
        widget.hide()
        assert not widget.visible


def test_destroy_removes_every_gui_item(base: Any, fonts: Any, cat: Any) -> None:
    from direct.gui.DirectGuiBase import DirectGuiWidget

    from gwangju_twin.ui.attract import AttractPrompt
    from gwangju_twin.ui.countdown import Countdown
    from gwangju_twin.ui.operator import OperatorMenu
    from gwangju_twin.ui.pinpad import PinPad
    from gwangju_twin.ui.zoompad import ZoomPad

    before = len(DirectGuiWidget.guiDict), base.aspect2d.find_all_matches("**").get_num_paths()
    made = [AttractPrompt(base.aspect2d, fonts[0], fonts[1], cat),
            Countdown(base.aspect2d, fonts[0], cat, "en", print),
            PinPad(base.aspect2d, fonts[0], cat, "en", print, print),
            OperatorMenu(base.aspect2d, fonts[0], cat, "en", print),
            ZoomPad(base.a2dBottomRight, fonts[0], cat, "en", print)]
    made[3].set_status(["a", "b"])
    made[2].press("1")
    assert len(DirectGuiWidget.guiDict) >= before[0] + 20
    for widget in made:
        widget.destroy()
        assert widget.node.is_empty()
    assert (len(DirectGuiWidget.guiDict),
            base.aspect2d.find_all_matches("**").get_num_paths()) == before


def test_unknown_language_is_refused(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.countdown import Countdown

    with pytest.raises(ValueError, match="expected 'ko' or 'en'"):
        Countdown(base.aspect2d, fonts[0], cat, "fr", print)


# -- attract ---------------------------------------------------------------------------------


def test_attract_shows_both_languages_and_a_caption(attract: Any, cat: Any) -> None:
    assert not attract.visible  # hidden at start
    title, touch = cat.both("kiosk.attract.title"), cat.both("kiosk.attract.touch")
    assert attract.text() == [*title, *touch]
    assert touch == ("화면을 터치하세요", "Touch to start")
    attract.set_caption("친환경자율주행", "Eco-friendly autonomous driving")
    shown = attract.text()
    assert "친환경자율주행 · Eco-friendly autonomous driving" in shown
    assert shown[0] == title[0] and shown[-2:] == list(touch)
    attract.set_language("en")  # both languages either way
    assert attract.text() == shown
    attract.set_caption("", "")
    assert attract.text() == [*title, *touch]


def test_attract_pulses_gently(attract: Any) -> None:
    prompt = attract.prompt_node
    scales, alphas = [], []
    for _ in range(40):  # two periods of two seconds
        attract.update(0.1)
        scales.append(prompt.get_sx())
        alphas.append(prompt.get_color_scale()[3])
    assert 1.0 <= min(scales) < max(scales) <= 1.05
    assert 0.75 <= min(alphas) < max(alphas) <= 1.0
    assert scales[:20] == pytest.approx(scales[20:])  # a period of two seconds


def test_attract_tap_anywhere_starts(base: Any, attract: Any, mouse: Any, world: list[str]
                                     ) -> None:
    press(base, attract.touch_frame)
    assert attract.touches == ["touch"]
    attract.show()
    frames(base)
    for where in ((20, 20), (W - 15, H - 15), (W // 2, H // 2), pixel(base, attract.prompt_node)):
        tap(base, mouse, *where)
    assert attract.touches == ["touch"] * 5
    assert world == []  # no building was selected behind
    attract.hide()
    frames(base)
    tap(base, mouse, W // 2, H // 2)
    assert attract.touches == ["touch"] * 5 and world == ["mouse1"]


def test_attract_prompt_draws_near_the_bottom(base: Any, attract: Any) -> None:
    col, row = pixel(base, attract.prompt_node)
    assert W // 2 - 2 <= col <= W // 2 + 2 and row > H * 0.7
    patch = (slice(row - 20, row + 20), slice(col - 150, col + 150))
    before = screenshot(base)[patch].astype(int)
    attract.show()
    after = screenshot(base)[patch].astype(int)
    changed = np.abs(after - before).max(axis=2) > 40
    assert changed.mean() > 0.8  # the pill, and its text
    assert after[..., 2].mean() > after[..., 0].mean() + 60  # the blue accent pill
    # The title at the top centre too.
    top = (slice(15, 40), slice(W // 2 - 100, W // 2 + 100))
    assert screenshot(base)[top].max(axis=2).mean() < 150  # the dark title pill (and text)


# -- countdown -------------------------------------------------------------------------------


def test_countdown_text_in_both_languages(countdown: Any, cat: Any) -> None:
    assert not countdown.visible
    countdown.set_seconds(7)
    assert countdown.seconds == 7
    ko = cat.text("kiosk.countdown.returning", "ko", seconds=7)
    en = cat.text("kiosk.countdown.returning", "en", seconds=7)
    assert (ko, en) == ("처음 화면으로 돌아갑니다 7...", "Returning to start in 7...")
    assert countdown.text() == [ko, en, "계속 둘러보기"]
    countdown.set_language("en")
    assert countdown.text() == [en, ko, "Keep exploring"]
    keep = countdown.buttons["keep"]
    countdown.set_seconds(3)
    assert countdown.text()[:2] == [cat.text("kiosk.countdown.returning", "en", seconds=3),
                                    cat.text("kiosk.countdown.returning", "ko", seconds=3)]
    assert countdown.buttons["keep"] is keep  # the button stays: a press is not lost
    shown = shown_text_nodes(countdown.node)
    assert "Returning to start in 3..." in shown and "처음 화면으로 돌아갑니다 3..." in shown


def test_countdown_keeps_its_size_as_it_ticks(base: Any, countdown: Any) -> None:
    countdown.show()
    sizes = set()
    for n in (10, 9, 3, 1):
        for lang in LANGS:
            countdown.set_language(lang)
            countdown.set_seconds(n)
            lo, hi = countdown.node.find("**/card").get_tight_bounds(base.aspect2d)
            sizes.add((round(hi.x - lo.x, 4), round(hi.z - lo.z, 4)))
    assert len(sizes) == 1


def test_countdown_keep_button_and_backdrop(base: Any, countdown: Any, mouse: Any,
                                            world: list[str]) -> None:
    click(base, countdown.buttons["keep"])
    press(base, countdown.backdrop)
    assert countdown.keeps == ["keep", "keep"]
    countdown.show()
    frames(base)
    keep = countdown.buttons["keep"]
    mouse.set_mouse_pos(*pixel(base, keep))
    frames(base)
    watcher = base.aspect2d.node().get_mouse_watcher()
    assert watcher.get_over_region().get_name() == keep.guiItem.get_id()  # not the veil
    tap(base, mouse, *pixel(base, keep))
    assert countdown.keeps == ["keep"] * 3  # once, not also through the veil
    tap(base, mouse, 30, H - 30)  # the veil, far from the card
    tap(base, mouse, *pixel(base, countdown.node.find("**/line")))  # the card's text
    assert countdown.keeps == ["keep"] * 5
    assert world == []


def test_countdown_dims_the_whole_window(base: Any, countdown: Any) -> None:
    corner = (slice(H - 40, H - 10), slice(10, 40))
    before = screenshot(base)[corner].mean()
    countdown.show()
    after = screenshot(base)[corner].mean()
    assert after < 0.6 * before


# -- PIN pad ---------------------------------------------------------------------------------


def test_pin_keys_submit_the_digits(base: Any, pinpad: Any) -> None:
    assert not pinpad.visible
    for key in "4071":
        click(base, pinpad.buttons[key])
    assert pinpad.entered == 4
    click(base, pinpad.buttons["ok"])
    assert pinpad.events == ["pin:4071"] and pinpad.entered == 0  # cleared
    for key in ("9", "8", "del", "7", "del", "del", "del", "5"):
        click(base, pinpad.buttons[key])
    assert pinpad.entered == 1
    pinpad.press("ok")
    assert pinpad.events[-1] == "pin:5"
    pinpad.press("ok")  # nothing entered: nothing to check
    assert pinpad.events == ["pin:4071", "pin:5"]
    pinpad.press("3")
    click(base, pinpad.buttons["cancel"])
    assert pinpad.events[-1] == "cancel" and pinpad.entered == 0
    with pytest.raises(ValueError, match="expected"):
        pinpad.press("x")


def test_pin_pad_never_shows_the_digits(base: Any, pinpad: Any) -> None:
    pinpad.show()
    for i, key in enumerate("40718"):
        pinpad.press(key)
        dots = pinpad.node.find_all_matches("**/pin-dot")
        assert dots.get_num_paths() == pinpad.entered == i + 1
    texts = pinpad.text() + shown_text_nodes(pinpad.node) + [
        b["text"] for b in pinpad.buttons.values()]
    joined = "\n".join(texts)
    for seq in ("40", "07", "71", "18", "40718"):
        assert seq not in joined, seq
    assert all(len(t) == 1 or not any(c.isdigit() for c in t) for t in texts if t), texts
    pinpad.clear()
    assert pinpad.node.find_all_matches("**/pin-dot").get_num_paths() == 0


def test_pin_pad_takes_at_most_its_digits(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.pinpad import PinPad

    got: list[str] = []
    pad = PinPad(base.aspect2d, fonts[0], cat, "en", got.append, print, digits=4)
    try:
        for key in "123456":
            pad.press(key)
        assert pad.entered == 4 and pad.digits == 4
        pad.press("ok")
        assert got == ["1234"]
    finally:
        pad.destroy()
    pad12 = PinPad(base.aspect2d, fonts[0], cat, "en", got.append, print)
    try:
        for _ in range(20):
            pad12.press("9")
        assert pad12.entered == 12
    finally:
        pad12.destroy()


def test_pin_pad_lock_and_messages(base: Any, pinpad: Any, cat: Any) -> None:
    from direct.gui.DirectGuiGlobals import DISABLED, NORMAL

    assert pinpad.text()[1] == cat.text("kiosk.pin.hint", "ko")
    pinpad.set_message(cat.text("kiosk.pin.wrong", "ko"))
    assert pinpad.text()[1] == "PIN이 맞지 않습니다"
    pinpad.set_locked(0)  # the shell says "not locked" every frame: the message stays
    assert pinpad.text()[1] == "PIN이 맞지 않습니다" and not pinpad.locked
    pinpad.press("1")
    pinpad.set_locked(29.2)
    assert pinpad.locked and pinpad.entered == 0
    assert pinpad.text()[1] == "잠시 후 다시 시도하세요 (30초)"
    for key in ("5", "del", "ok"):
        pinpad.press(key)
        click(base, pinpad.buttons[key])
    assert pinpad.entered == 0 and pinpad.events == []
    assert pinpad.buttons["5"]["state"] == DISABLED
    assert pinpad.buttons["cancel"]["state"] == NORMAL
    pinpad.set_locked(3)
    pinpad.set_language("en")
    assert pinpad.text()[1] == "Try again in 3 s"
    click(base, pinpad.buttons["cancel"])  # Cancel works while locked
    assert pinpad.events == ["cancel"]
    pinpad.set_locked(0)
    assert not pinpad.locked and pinpad.buttons["5"]["state"] == NORMAL
    assert pinpad.text()[1] == cat.text("kiosk.pin.hint", "en")
    pinpad.press("5")
    pinpad.press("ok")
    assert pinpad.events == ["cancel", "pin:5"]


def test_pin_pad_labels(pinpad: Any, cat: Any) -> None:
    assert pinpad.text() == ["운영자 PIN", "PIN을 입력하세요", "1", "2", "3", "4", "5", "6",
                             "7", "8", "9", "지우기", "0", "확인", "취소"]
    pinpad.set_language("en")
    assert pinpad.text() == ["Operator PIN", "Enter the PIN", "1", "2", "3", "4", "5", "6",
                             "7", "8", "9", "Delete", "0", "OK", "Cancel"]


def test_pin_keys_through_a_real_mouse(base: Any, pinpad: Any, countdown: Any, mouse: Any,
                                       world: list[str]) -> None:
    """Taps on the keys through a MouseWatcher; the pad is over the countdown, whose veil
    must not take them."""
    countdown.show()
    pinpad.show()
    frames(base)
    for key in ("2", "6", "0", "ok"):
        tap(base, mouse, *pixel(base, pinpad.buttons[key]))
    assert pinpad.events == ["pin:260"]
    assert countdown.keeps == []
    tap(base, mouse, 30, 30)  # the pad's veil: nothing happens, nothing reaches the world
    assert pinpad.events == ["pin:260"] and countdown.keeps == [] and world == []


# -- operator menu ---------------------------------------------------------------------------


def test_operator_menu_choices_and_status(base: Any, operator: Any, cat: Any, mouse: Any
                                          ) -> None:
    from gwangju_twin.ui.operator import CHOICES

    assert not operator.visible
    assert operator.text() == ["운영자 메뉴", "계속 운영", "뷰어 다시 시작", "키오스크 종료"]
    lines = [cat.text("kiosk.operator.safe_mode", "ko"),
             cat.text("kiosk.operator.crashes", "ko", count=2)]
    operator.set_status(lines)
    assert operator.status == tuple(lines)
    assert operator.text() == ["운영자 메뉴", *lines, "계속 운영", "뷰어 다시 시작",
                               "키오스크 종료"]
    operator.set_language("en")
    assert operator.text()[-3:] == ["Back to the kiosk", "Restart the viewer", "Exit kiosk"]
    for name in CHOICES:
        click(base, operator.buttons[name])
    assert operator.chosen == list(CHOICES)
    operator.show()
    frames(base)
    tap(base, mouse, *pixel(base, operator.buttons["restart"]))
    assert operator.chosen[-1] == "restart" and len(operator.chosen) == 4
    # Buttons stay inside the card however many status lines there are.
    operator.set_status([f"line {i}" for i in range(6)])
    card_lo, card_hi = operator.node.find("**/card").get_tight_bounds(base.aspect2d)
    left, right, bottom, top = buttons_box(operator.buttons.values(), base.aspect2d)
    assert card_lo.x < left and right < card_hi.x and card_lo.z < bottom and top < card_hi.z


# -- zoom pad --------------------------------------------------------------------------------


def test_zoom_pad_buttons(base: Any, zoompad: Any, fonts: Any, mouse: Any,
                          world: list[str]) -> None:
    assert zoompad.visible  # shown at start
    assert zoompad.text() == ["+", "−"]
    no_missing_glyphs(fonts, zoompad.text())
    click(base, zoompad.buttons["zoom_in"])
    click(base, zoompad.buttons["zoom_out"])
    assert zoompad.pressed == ["zoom_in", "zoom_out"]
    frames(base)
    tap(base, mouse, *pixel(base, zoompad.buttons["zoom_out"]))
    assert zoompad.pressed[-1] == "zoom_out" and len(zoompad.pressed) == 3
    assert world == []
    # In the bottom-right corner (clear of the panels docked top right), "+" above "−".
    left, right, bottom, top = buttons_box(zoompad.buttons.values(), base.aspect2d)
    assert base.a2dRight - 0.3 < left and right < base.a2dRight
    assert base.a2dBottom < bottom < base.a2dBottom + 0.15 and top < 0
    assert zoompad.buttons["zoom_in"].get_z() > zoompad.buttons["zoom_out"].get_z()


def test_zoom_pad_finds_the_edge_from_any_parent(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.zoompad import ZoomPad

    pad = ZoomPad(base.aspect2d, fonts[0], cat)
    try:
        right = buttons_box(pad.buttons.values(), base.aspect2d)[1]
        assert base.a2dRight - 0.1 < right < base.a2dRight
    finally:
        pad.destroy()


# -- toolbar's kiosk row ---------------------------------------------------------------------


def test_toolbar_shows_a_chosen_row_with_home(base: Any, kiosk_toolbar: Any, cat: Any) -> None:
    from gwangju_twin.ui.toolbar import NAMES

    assert list(kiosk_toolbar.buttons) == list(KIOSK_ROW) == list(kiosk_toolbar.names)
    assert kiosk_toolbar.text() == [cat.text(f"toolbar.{n}", "ko") for n in KIOSK_ROW]
    assert kiosk_toolbar.text()[-1] == "처음으로"
    kiosk_toolbar.set_language("en")
    assert kiosk_toolbar.text()[-1] == "Start view"
    kiosk_toolbar.set_camera_mode("fly")  # no camera button: nothing to relabel
    for name in KIOSK_ROW:
        click(base, kiosk_toolbar.buttons[name])
    assert kiosk_toolbar.pressed == list(KIOSK_ROW)
    kiosk_toolbar.set_active("home", True)
    assert kiosk_toolbar.is_active("home")
    with pytest.raises(KeyError):
        kiosk_toolbar.set_active("search", True)
    _, right, _, _ = buttons_box(kiosk_toolbar.buttons.values(), base.a2dTopLeft)
    assert right == pytest.approx(kiosk_toolbar.width, abs=1e-6)
    assert "home" not in NAMES  # the desktop row is unchanged


def test_toolbar_refuses_unknown_or_repeated_names(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.toolbar import Toolbar

    for names in (("menu", "casino"), ("menu", "menu"), ()):
        with pytest.raises(ValueError, match="toolbar names"):
            Toolbar(base.a2dTopLeft, fonts[0], cat, names=names)


def test_zoom_pad_keeps_labels_off_it(base: Any, zoompad: Any) -> None:
    """The pad reserves its rectangle, so the label declutter keeps pavilion labels off it."""
    from gwangju_twin.ui.reserve import reserved_rects

    rects = reserved_rects(base.aspect2d)
    pad = buttons_box(zoompad.buttons.values(), base.aspect2d)  # left, right, bottom, top
    assert any(x0 <= pad[0] and pad[1] <= x1 and z0 <= pad[2] and pad[3] <= z1
               for x0, z0, x1, z1 in rects), rects


def test_attract_title_caption_and_prompt_keep_labels_off_them(base: Any, attract: Any) -> None:
    """The attract reel's caption sat over the very pavilion label it names: the title,
    caption and prompt reserve their rectangles (only while shown) for the label declutter."""
    from gwangju_twin.ui.reserve import reserved_rects

    def inside(node: Any) -> bool:
        lo, hi = node.get_tight_bounds(base.aspect2d)
        return any(x0 <= lo.x + 1e-6 and hi.x <= x1 + 1e-6 and z0 <= lo.z + 1e-6
                   and hi.z <= z1 + 1e-6 for x0, z0, x1, z1 in reserved_rects(base.aspect2d))

    attract.set_caption("친환경자율주행", "Eco-friendly autonomous driving")
    attract.hide()
    assert not any(inside(attract.node.find(f"**/{n}"))
                   for n in ("caption-board", "title-board", "pill"))
    attract.show()
    for name in ("caption-board", "title-board", "pill"):
        assert inside(attract.node.find(f"**/{name}")), name
