"""OperatorMenu: what the booth's operator sees after the right PIN.

A card at the centre over a dark veil: the title, status lines the shell passes already in
the current language (safe mode, crashes today, version) and three big buttons: back to
the kiosk, restart the viewer, exit the kiosk. The veil keeps taps from the city behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.modes import Mode
from gwangju_twin.ui.attract import (
    DIM,
    KIOSK_BUTTON,
    KIOSK_BUTTON_SCALE,
    ORDER_OPERATOR,
    cover_screen,
    fit_centred,
    screen_frame,
)
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.theme import (
    ACCENT,
    BODY_SCALE,
    BUTTON_FILL,
    LINE_INK,
    RULE,
    TITLE_INK,
    TITLE_SCALE,
    Widget,
    blocker,
    board,
    button,
    place_text,
    restyle,
    screen_extent,
    text_width,
)


class OperatorChoice(Mode):
    """A button of the operator's menu, labelled ``kiosk.operator.<value>``."""

    RESUME = "resume"  # back to the kiosk
    RESTART = "restart"  # restart the viewer
    EXIT = "exit"  # exit the kiosk


#: The buttons, top to bottom.
CHOICES: tuple[OperatorChoice, ...] = tuple(OperatorChoice)

_PAD = 0.06
_MIN_WIDTH, _MAX_WIDTH = 1.1, 1.6
_EXIT_FILL: tuple[float, float, float, float] = (0.62, 0.2, 0.2, 1.0)
_BUTTON_GAP = 0.025


class OperatorMenu(Widget):
    """The operator's menu (hidden at start); a button calls ``on_choice(name)`` with a name
    of CHOICES."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko",
                 on_choice: Callable[[OperatorChoice], None] = lambda name: None,
                 *, bold_font: TextFont | None = None) -> None:
        super().__init__(parent, "kiosk-operator", catalogue, language, ORDER_OPERATOR)
        self._font, self._bold = font, bold_font or font
        self._status: tuple[str, ...] = ()
        self._drawn: list[str] = []
        self._size = (0.0, 0.0)
        self._screen = self._root.attach_new_node("screen")
        board(self._screen, -1.0, -1.0, 1.0, 1.0, DIM, 0.0, "dim")
        self._frames.append(screen_frame(self._screen))
        self._blocker = blocker(self._root, 0, 0, 0, 0)  # the card: a tap there stops there
        self._frames.append(self._blocker)
        self._card = self._root.attach_new_node("card")
        self._button_w = max(text_width(font, s, KIOSK_BUTTON_SCALE)
                             for lang in LANGUAGES for s in self._labels(lang).values()) + 0.2
        self._fills = {OperatorChoice.RESUME: ACCENT, OperatorChoice.RESTART: BUTTON_FILL,
                       OperatorChoice.EXIT: _EXIT_FILL}
        for name in CHOICES:
            self.buttons[name] = button(self._root, "", font, partial(on_choice, name),
                                        width=self._button_w, height=KIOSK_BUTTON,
                                        text_scale=KIOSK_BUTTON_SCALE,
                                        fill=self._fills[name], order=self.raised)
        self._build()
        self.hide()

    @property
    def status(self) -> tuple[str, ...]:
        """The status lines shown."""
        return self._status

    def set_status(self, lines: Sequence[str]) -> None:
        """Show ``lines`` (already in the current language) under the title."""
        self._status = tuple(lines)
        self._build()

    def _relabel(self) -> None:
        # The shell passes the status lines in the new language again.
        self._build()

    def text(self) -> list[str]:
        """Title, the status lines, then the buttons top to bottom."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _labels(self, language: str) -> dict[OperatorChoice, str]:
        return {name: self._catalogue.text(f"kiosk.operator.{name}", language)
                for name in CHOICES}

    def _build(self) -> None:
        self._card.node().remove_all_children()
        title = self._t("kiosk.operator.title")
        widest = max([text_width(self._bold, title, TITLE_SCALE), self._button_w,
                      *(text_width(self._font, s, BODY_SCALE) for s in self._status)])
        half_w, _ = screen_extent(self._root.get_parent())
        width = max(_MIN_WIDTH, min(_MAX_WIDTH, widest + 2 * _PAD, 2 * half_w - 0.1))
        inner = width - 2 * _PAD
        content = NodePath("content")  # origin at the card's top centre
        _, z = place_text(content, title, self._bold, TITLE_SCALE, -inner / 2, -_PAD,
                          TITLE_INK, name="title")
        z -= 0.01
        for line in self._status:
            _, z = place_text(content, line, self._font, BODY_SCALE, -inner / 2, z - 0.014,
                              LINE_INK, TextNode.A_left, inner, "status")
        z -= 0.03
        board(content, -inner / 2, z - 0.004, inner / 2, z, RULE, 0.0, "rule")
        z -= 0.004 + 0.035
        tops = []
        for _ in CHOICES:
            tops.append(z)
            z -= KIOSK_BUTTON + _BUTTON_GAP
        height = -(z + _BUTTON_GAP - _PAD)
        top = height / 2  # the card is centred on the parent's origin
        board(self._card, -width / 2, -height / 2, width / 2, height / 2)
        content.reparent_to(self._card)
        content.set_z(top)
        labels = self._labels(self._language)
        for name, t in zip(CHOICES, tops, strict=True):
            b = self.buttons[name]
            b["text"] = labels[name]
            if b["frameSize"][1] != inner / 2:  # as wide as the card's inside
                b["frameSize"] = (-inner / 2, inner / 2, -KIOSK_BUTTON / 2, KIOSK_BUTTON / 2)
                restyle(b, self._fills[name])
            b.set_pos(0, 0, top + t - KIOSK_BUTTON / 2)
        self._blocker["frameSize"] = (-width / 2, width / 2, -height / 2, height / 2)
        self._size = (width, height)
        self._drawn = [title, *self._status, *(self.buttons[n]["text"] for n in CHOICES)]
        self._fit()

    def _fit(self) -> None:
        if self._root.is_empty():
            return
        fit_centred(self._root, *self._size)
        cover_screen(self._screen)
