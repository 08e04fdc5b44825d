"""Countdown: "returning to start in 10..." when a kiosk visitor has stopped touching.

A card at the centre of the screen over a dark veil: the line in the visitor's language,
large, the same line in the other language under it (someone else may walk up) and a big
"keep exploring" button. The veil covers the whole window and takes taps too: a tap
anywhere (the card included) also means somebody is there, so it counts as keep exploring,
and it never reaches the city behind. The shell calls ``set_seconds`` once a second; only
the numbers change, the layout and the button stay (a press in progress is not lost).
"""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectFrame import DirectFrame
from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.attract import (
    DIM,
    KIOSK_BUTTON,
    KIOSK_BUTTON_SCALE,
    ORDER_COUNTDOWN,
    block_height,
    cover_screen,
    fit_centred,
    screen_frame,
)
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.theme import (
    ACCENT,
    ASCENT,
    BODY_SCALE,
    LINE_INK,
    TITLE_INK,
    Widget,
    board,
    button,
    place_text,
    text_width,
)

_LINE_SCALE = 0.075
_OTHER_SCALE = BODY_SCALE
_PAD_X, _PAD_Z = 0.08, 0.06
_MIN_WIDTH = 1.2
_KEEP_MIN_WIDTH = 0.8


def _other(language: str) -> str:
    return LANGUAGES[1 - LANGUAGES.index(language)]


class Countdown(Widget):
    """The countdown card (hidden at start). The button, and a tap anywhere while it is
    shown, call ``on_keep()``. ``bold_font`` draws the main line."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko", on_keep: Callable[[], None] = lambda: None, *,
                 bold_font: TextFont | None = None, seconds: int = 10) -> None:
        super().__init__(parent, "kiosk-countdown", catalogue, language, ORDER_COUNTDOWN)
        self._font, self._bold = font, bold_font or font
        self._on_keep = on_keep
        self._seconds = int(seconds)
        self._screen = self._root.attach_new_node("screen")
        board(self._screen, -1.0, -1.0, 1.0, 1.0, DIM, 0.0, "dim")
        self._backdrop = screen_frame(self._screen, self._keep)
        self._frames.append(self._backdrop)
        self._card = self._root.attach_new_node("card")
        self._plate = self._card.attach_new_node("plate")  # the board, under the text
        self._content = self._card.attach_new_node("content")
        self._line, _ = place_text(self._content, "", self._bold, _LINE_SCALE, 0, 0,
                                   TITLE_INK, TextNode.A_center, name="line")
        self._other, _ = place_text(self._content, "", self._font, _OTHER_SCALE, 0, 0,
                                    LINE_INK, TextNode.A_center, name="other")
        keep_w = max(_KEEP_MIN_WIDTH, *(
            text_width(font, catalogue.text("kiosk.countdown.keep", lang), KIOSK_BUTTON_SCALE)
            + 0.2 for lang in LANGUAGES))
        self.buttons["keep"] = button(self._root, "", font, self._keep, width=keep_w,
                                      height=KIOSK_BUTTON, text_scale=KIOSK_BUTTON_SCALE,
                                      fill=ACCENT, order=self.raised)
        self._size = (0.0, 0.0)
        self._digits = 0
        self._rewrite()
        self.hide()

    @property
    def seconds(self) -> int:
        """The number of seconds shown."""
        return self._seconds

    @property
    def backdrop(self) -> DirectFrame:
        """The full-screen DirectFrame behind the card that takes stray taps."""
        return self._backdrop

    def set_seconds(self, seconds: int) -> None:
        """Show ``seconds`` left before the kiosk goes back to its start."""
        self._seconds = int(seconds)
        self._rewrite()

    def _relabel(self) -> None:
        # The main line and the button in the language; the other language goes to the
        # smaller line.
        self._rewrite()

    def text(self) -> list[str]:
        """The main line, the other language's line, the button."""
        return [self._line.node().get_text(), self._other.node().get_text(),
                self.buttons["keep"]["text"]]

    # -- drawing ---------------------------------------------------------------------------

    def _keep(self) -> None:
        self._on_keep()

    def _lines(self, language: str, seconds: int) -> tuple[str, str]:
        key = "kiosk.countdown.returning"
        return (self._catalogue.text(key, language, seconds=seconds),
                self._catalogue.text(key, _other(language), seconds=seconds))

    def _rewrite(self) -> None:
        line, other = self._lines(self._language, self._seconds)
        self._line.node().set_text(line)
        self._other.node().set_text(other)
        self.buttons["keep"]["text"] = self._t("kiosk.countdown.keep")
        digits = len(str(self._seconds))
        if digits != self._digits:  # the card is sized for this many digits
            self._digits = digits
            self._measure()
        self._fit()

    def _measure(self) -> None:
        """The card's size: wide enough for either language with as many digits as shown
        (at least two), so it keeps its size as the seconds tick and the language changes."""
        sample = int("9" * max(2, self._digits))
        widest = 0.0
        for lang in LANGUAGES:
            line, other = self._lines(lang, sample)
            widest = max(widest, text_width(self._bold, line, _LINE_SCALE),
                         text_width(self._font, other, _OTHER_SCALE))
        keep_w = self.buttons["keep"]["frameSize"][1] * 2
        width = max(_MIN_WIDTH, widest + 2 * _PAD_X, keep_w + 2 * _PAD_X)
        height = (2 * _PAD_Z + block_height(_LINE_SCALE) + 0.025 + block_height(_OTHER_SCALE)
                  + 0.06 + KIOSK_BUTTON)
        self._size = (width, height)
        self._plate.node().remove_all_children()
        board(self._plate, -width / 2, -height / 2, width / 2, height / 2)
        top = height / 2 - _PAD_Z
        self._line.set_z(top - ASCENT * _LINE_SCALE)
        top -= block_height(_LINE_SCALE) + 0.025
        self._other.set_z(top - ASCENT * _OTHER_SCALE)
        self.buttons["keep"].set_pos(0, 0, -height / 2 + _PAD_Z + KIOSK_BUTTON / 2)

    def _fit(self) -> None:
        if self._root.is_empty():
            return
        fit_centred(self._root, *self._size)
        cover_screen(self._screen)  # after the scale: the veil fills the window
