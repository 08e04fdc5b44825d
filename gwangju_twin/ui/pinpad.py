"""PinPad: the operator's PIN entry on a kiosk's touch screen.

A card at the centre over a dark veil: the title, a field with one dot per digit entered
(never the digits), a message line (a hint, "wrong PIN", or "try again in 30 s" while
locked), the keys 1-9, Delete, 0, OK and a Cancel button. Keys are 86 px tall at 1080p.
While locked, or while a PIN is being checked ("checking"), the digit, Delete and OK keys
are disabled and ``press`` ignores them; Cancel always works. The veil keeps taps from the
city behind.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from direct.gui import DirectGuiGlobals
from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.attract import (
    DIM,
    KIOSK_BUTTON,
    ORDER_OPERATOR,
    block_height,
    cover_screen,
    fit_centred,
    screen_frame,
)
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.theme import (
    ACCENT,
    ASCENT,
    BUTTON_FILL,
    DESCENT,
    LINE_INK,
    TITLE_INK,
    TITLE_SCALE,
    Widget,
    board,
    button,
    place_text,
    text_width,
)

#: The keys, row by row; "del" erases the last digit, "ok" submits.
KEYS: tuple[tuple[str, ...], ...] = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"),
                                     ("del", "0", "ok"))

_KEY_W, _KEY_GAP = 0.27, 0.02
_DIGIT_SCALE, _WORD_SCALE = 0.075, 0.055
_CANCEL_H = 0.13
_PAD = 0.055
_FIELD_H = 0.11
_FIELD: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.45)
_DOT, _DOT_STEP = 0.042, 0.064
_MESSAGE_SCALE = 0.042
_WARN_INK: tuple[float, float, float, float] = (1.0, 0.72, 0.45, 1.0)


class PinPad(Widget):
    """Operator PIN entry (hidden at start). OK calls ``on_submit(pin)`` with the digits
    entered (then clears them); Cancel calls ``on_cancel()``. At most ``digits`` digits."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko", on_submit: Callable[[str], None] = lambda pin: None,
                 on_cancel: Callable[[], None] = lambda: None, digits: int = 12, *,
                 bold_font: TextFont | None = None) -> None:
        if digits < 1:
            raise ValueError(f"digits is {digits!r}; expected at least 1")
        super().__init__(parent, "kiosk-pinpad", catalogue, language, ORDER_OPERATOR)
        self._font, self._bold = font, bold_font or font
        self._on_submit, self._on_cancel = on_submit, on_cancel
        self._max = digits
        self._pin = ""
        self._message = ""
        self._locked = 0.0
        self._checking = False

        inner = 3 * _KEY_W + 2 * _KEY_GAP
        for lang in LANGUAGES:  # the title and the word keys must fit too
            inner = max(inner, text_width(self._bold, catalogue.text("kiosk.pin.title", lang),
                                          TITLE_SCALE))
        self._inner = inner
        self._screen = self._root.attach_new_node("screen")
        board(self._screen, -1.0, -1.0, 1.0, 1.0, DIM, 0.0, "dim")
        self._frames.append(screen_frame(self._screen))
        card = self._root.attach_new_node("card")
        plate = card.attach_new_node("plate")
        content = card.attach_new_node("content")

        grid_h = 4 * KIOSK_BUTTON + 3 * _KEY_GAP
        height = (2 * _PAD + block_height(TITLE_SCALE) + 0.025 + _FIELD_H + 0.018
                  + block_height(_MESSAGE_SCALE) + 0.025 + grid_h + 0.03 + _CANCEL_H)
        width = inner + 2 * _PAD
        self._size = (width, height)
        board(plate, -width / 2, -height / 2, width / 2, height / 2)

        z = height / 2 - _PAD
        self._title, z = place_text(content, "", self._bold, TITLE_SCALE, 0, z, TITLE_INK,
                                    TextNode.A_center, name="title")
        z -= 0.025
        board(content, -inner / 2, z - _FIELD_H, inner / 2, z, _FIELD, 0.02, "field")
        self._dots = content.attach_new_node("dots")
        self._dots.set_z(z - _FIELD_H / 2)
        z -= _FIELD_H + 0.018
        self._message_top = z
        self._message_node, z = place_text(content, "", self._font, _MESSAGE_SCALE, 0, z,
                                           LINE_INK, TextNode.A_center, name="message")
        z -= 0.025
        x0 = -inner / 2 + (inner - (3 * _KEY_W + 2 * _KEY_GAP)) / 2
        for r, row in enumerate(KEYS):
            for c, key in enumerate(row):
                word = key in ("del", "ok")
                self.buttons[key] = button(
                    self._root, "", self._font, partial(self.press, key), width=_KEY_W,
                    height=KIOSK_BUTTON, text_scale=_WORD_SCALE if word else _DIGIT_SCALE,
                    pos=(x0 + c * (_KEY_W + _KEY_GAP) + _KEY_W / 2,
                         z - r * (KIOSK_BUTTON + _KEY_GAP) - KIOSK_BUTTON / 2),
                    fill=ACCENT if key == "ok" else BUTTON_FILL,
                    order=self.raised)
        z -= grid_h + 0.03
        self.buttons["cancel"] = button(self._root, "", self._font, self._cancel, width=inner,
                                        height=_CANCEL_H, text_scale=_WORD_SCALE,
                                        pos=(0, z - _CANCEL_H / 2), order=self.raised)
        self._rewrite()
        self.hide()

    # -- state -----------------------------------------------------------------------------

    @property
    def entered(self) -> int:
        """How many digits are entered (never which)."""
        return len(self._pin)

    @property
    def digits(self) -> int:
        """The most digits the field takes."""
        return self._max

    @property
    def locked(self) -> bool:
        """Whether the keys are disabled (too many wrong PINs, or a PIN being checked)."""
        return self._locked > 0 or self._checking

    @property
    def checking(self) -> bool:
        """Whether the pad says a PIN is being checked (see :meth:`set_checking`)."""
        return self._checking

    def press(self, key: str) -> None:
        """Press ``key``: "0"-"9" adds a digit (up to ``digits``), "del" erases the last,
        "ok" submits the digits (nothing when none). Ignored while locked."""
        if key not in self.buttons or key == "cancel":
            raise ValueError(f"key is {key!r}; expected '0'-'9', 'del' or 'ok'")
        if self.locked:
            return
        if self._message:  # a new try: "wrong PIN" has been read, the hint comes back
            self.set_message("")
        if key == "del":
            self._pin = self._pin[:-1]
        elif key == "ok":
            if not self._pin:
                return
            pin, self._pin = self._pin, ""
            self._draw_dots()
            self._on_submit(pin)  # may set a message or lock the pad
            return
        elif len(self._pin) < self._max:
            self._pin += key
        self._draw_dots()

    def clear(self) -> None:
        """Erase the digits entered."""
        self._pin = ""
        self._draw_dots()

    def set_message(self, text: str) -> None:
        """Show ``text`` (already in the right language, e.g. "wrong PIN") on the message
        line; "" shows the hint again. A lock's message goes over it while locked."""
        self._message = text
        self._show_message()

    def set_checking(self, checking: bool) -> None:
        """True: a PIN is being checked: say so and ignore the keys until False."""
        self._set_lock(self._locked, bool(checking))

    def set_locked(self, seconds: float) -> None:
        """Above 0: disable the keys and say to try again in ``seconds`` (call again to
        update the time, every frame if need be); 0: enable them again. Locking erases the
        digits entered."""
        self._set_lock(max(0.0, float(seconds)), self._checking)

    def _set_lock(self, seconds: float, checking: bool) -> None:
        was, had_lock = self.locked, self._locked > 0
        self._locked, self._checking = seconds, checking
        if self.locked and self._pin:
            self._pin = ""
            self._draw_dots()
        if had_lock and not self._locked > 0:
            self._message = ""  # the lock's reason is over
        if self.locked != was:
            state = DirectGuiGlobals.DISABLED if self.locked else DirectGuiGlobals.NORMAL
            for key, b in self.buttons.items():
                if key != "cancel":
                    b["state"] = state
        self._show_message()

    def _relabel(self) -> None:
        self._rewrite()

    def text(self) -> list[str]:
        """Title, message line, then the key labels row by row and Cancel."""
        return [self._title.node().get_text(), self._message_node.node().get_text(),
                *(self.buttons[k]["text"] for row in KEYS for k in row),
                self.buttons["cancel"]["text"]]

    # -- drawing ---------------------------------------------------------------------------

    def _cancel(self) -> None:
        self.clear()
        self._on_cancel()

    def _rewrite(self) -> None:
        self._title.node().set_text(self._t("kiosk.pin.title"))
        words = {"del": self._t("kiosk.pin.delete"), "ok": self._t("kiosk.pin.ok")}
        for row in KEYS:
            for key in row:
                self.buttons[key]["text"] = words.get(key, key)
        self.buttons["cancel"]["text"] = self._t("kiosk.pin.cancel")
        self._show_message()
        self._draw_dots()
        self._fit()

    def _show_message(self) -> None:
        if self._checking:
            text, ink = self._t("kiosk.pin.checking"), LINE_INK
        elif self._locked > 0:
            text, ink = self._t("kiosk.pin.locked", seconds=math.ceil(self._locked)), _WARN_INK
        elif self._message:
            text, ink = self._message, _WARN_INK
        else:
            text, ink = self._t("kiosk.pin.hint"), LINE_INK
        node = self._message_node
        if node.node().get_text() == text and node.node().get_text_color() == ink:
            return  # the shell may call set_locked every frame: redraw only on a change
        node.node().set_text(text)
        node.node().set_text_color(*ink)
        # One line, shrunk to fit the card when long.
        width = node.node().get_width()
        scale = min(_MESSAGE_SCALE, self._inner / width) if width > 0 else _MESSAGE_SCALE
        node.set_scale(scale)
        # Its glyphs' visual centre on the middle of the line's slot.
        node.set_z(self._message_top - block_height(_MESSAGE_SCALE) / 2
                   - (ASCENT - DESCENT) / 2 * scale)

    def _draw_dots(self) -> None:
        self._dots.node().remove_all_children()
        n = len(self._pin)
        x = -(n - 1) * _DOT_STEP / 2
        for i in range(n):
            board(self._dots, x + i * _DOT_STEP - _DOT / 2, -_DOT / 2,
                  x + i * _DOT_STEP + _DOT / 2, _DOT / 2, TITLE_INK, _DOT / 2, "pin-dot")

    def _fit(self) -> None:
        if self._root.is_empty():
            return
        fit_centred(self._root, *self._size)
        cover_screen(self._screen)
