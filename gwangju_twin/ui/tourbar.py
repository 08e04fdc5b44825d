"""TourBar: the guided tour's caption card at the bottom centre of the screen.

A header row with the tour's title, the stop count (3 / 7) and the pause / skip / end
buttons; under it the stop's pavilion name and what the guide says there, wrapped to at
most four lines (the text shrinks a little for a long paragraph). While the camera flies
between stops, "on the way" replaces the narration. The card grows upwards from the
bottom margin and is as wide as the window allows beside the minimap.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from direct.gui.DirectFrame import DirectFrame
from panda3d.core import NodePath, TextFont

from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.theme import (
    ASCENT,
    BODY_SCALE,
    BUTTON_HEIGHT,
    BUTTON_SCALE,
    DESCENT,
    GAP,
    HEADING_INK,
    MARGIN,
    MUTED_INK,
    ORDER_BAR,
    PAD,
    TITLE_INK,
    TITLE_SCALE,
    Widget,
    blocker,
    board,
    button,
    place_text,
    screen_extent,
    text_width,
)

#: The buttons, left to right; "pause" is labelled tour.pause or tour.resume.
NAMES: tuple[str, ...] = ("pause", "skip", "end")

_SIDE_CLEARANCE = 0.7  # each side keeps this much of the screen free (the minimap, the HUD)
_MIN_WIDTH, _MAX_WIDTH = 1.4, 2.0
_MAX_ROWS = 4
_SCALES = (BODY_SCALE, 0.042, 0.04, 0.038, 0.036)  # narration sizes, tried in order


class TourBar(Widget):
    """The tour caption (hidden at start); a button press calls ``on_press(name)`` with
    "pause" (also when it reads "resume"), "skip" or "end". ``bold_font`` draws names."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko", on_press: Callable[[str], None] = lambda name: None,
                 *, bold_font: TextFont | None = None) -> None:
        super().__init__(parent, "tour-bar", catalogue, language, ORDER_BAR)
        self._font, self._bold = font, bold_font or font
        self._stop = (0, 0, "", "", "", "")
        self._travelling = self._paused = self._finished = False
        self._drawn: list[str] = []
        self._height = 0.0
        self._blocker: DirectFrame = blocker(self._root, 0, 0, 0, 0)
        self._frames.append(self._blocker)
        self._card = self._root.attach_new_node("card")
        keys = {"pause": ("tour.pause", "tour.resume"), "skip": ("tour.skip",),
                "end": ("tour.end",)}
        for name in NAMES:  # as wide as the longest label, so nothing moves on a switch
            widest = max(text_width(font, catalogue.text(k, lang), BUTTON_SCALE)
                         for k in keys[name] for lang in LANGUAGES)
            self.buttons[name] = button(self._root, "", font, partial(on_press, name),
                                        width=max(0.2, widest + 0.09), order=self.raised)
        self.hide()

    @property
    def height(self) -> float:
        """The card's height (aspect2d units); it stands on the bottom margin, so the top is
        at ``MARGIN + height`` (the toast goes above that)."""
        return self._height

    @property
    def paused(self) -> bool:
        """Whether the bar shows the tour as paused."""
        return self._paused

    def show_stop(self, n: int, total: int, name_ko: str, name_en: str, narration_ko: str,
                  narration_en: str) -> None:
        """Show stop ``n`` of ``total``: its pavilion's name and the narration; shows the
        bar."""
        self._stop = (n, total, name_ko, name_en, narration_ko, narration_en)
        self._travelling = self._finished = False
        self._build()
        self.show()

    def set_travelling(self, travelling: bool) -> None:
        """While True, "on the way" replaces the narration (the camera is flying)."""
        self._travelling = travelling
        self._build()

    def set_paused(self, paused: bool) -> None:
        """Show the tour as paused: the pause button reads "resume"."""
        self._paused = paused
        self._build()

    def show_finished(self) -> None:
        """Show that the tour is over; only the end button stays."""
        self._finished = True
        self._paused = self._travelling = False
        self._build()
        self.show()

    def _relabel(self) -> None:
        self._build()

    def text(self) -> list[str]:
        """Title, progress, the paused note, name, narration, then the buttons shown."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _build(self) -> None:
        self._card.node().remove_all_children()
        half_w, _ = screen_extent(self._root.get_parent())
        width = max(_MIN_WIDTH, min(_MAX_WIDTH, 2 * (half_w - _SIDE_CLEARANCE)))
        inner = width - 2 * PAD
        x0 = -width / 2 + PAD
        n, total, name_ko, name_en, narration_ko, narration_en = self._stop
        en = self._language == "en"
        content = NodePath("content")  # origin at the card's top centre

        # Header: title and progress left, buttons right, on one row.
        shown = ("end",) if self._finished else NAMES
        right = width / 2 - PAD
        for name in reversed(NAMES):
            b = self.buttons[name]
            if name not in shown:
                b.hide()
                continue
            left, r, _, _ = b["frameSize"]
            b.show()
            b.set_pos(right - r, 0, -PAD - BUTTON_HEIGHT / 2)
            right -= (r - left) + GAP
        self.buttons["pause"]["text"] = self._t("tour.resume" if self._paused else "tour.pause")
        self.buttons["skip"]["text"] = self._t("tour.skip")
        self.buttons["end"]["text"] = self._t("tour.end")
        header = [self._t("tour.title"), self._t("tour.progress", n=n, total=total)]
        if self._paused:
            header.append(self._t("tour.paused"))
        baseline = -PAD - BUTTON_HEIGHT / 2 - (ASCENT - DESCENT) / 2 * BODY_SCALE
        x = x0
        for i, part in enumerate(header):
            ink, font = (HEADING_INK, self._bold) if i == 0 else (MUTED_INK, self._font)
            node, _ = place_text(content, part, font, BODY_SCALE, x,
                                 baseline + ASCENT * BODY_SCALE, ink, name=f"header-{i}")
            x += node.node().get_width() * BODY_SCALE + 0.04
        z = -PAD - BUTTON_HEIGHT - 0.02

        name = self._t("tour.finished") if self._finished else (name_en if en else name_ko)
        _, z = place_text(content, name, self._bold, TITLE_SCALE, x0, z, TITLE_INK,
                          width=inner, name="name")
        body = "" if self._finished else (
            self._t("tour.travelling") if self._travelling
            else (narration_en if en else narration_ko))
        if body:
            z = self._narration(content, body, x0, z - 0.015, inner)
        self._height = -(z - PAD)
        self._drawn = [*header, name, *([body] if body else []),
                       *(self.buttons[b]["text"] for b in NAMES if b in shown)]

        board(self._card, -width / 2, -self._height, width / 2, 0)
        content.reparent_to(self._card)
        self._blocker["frameSize"] = (-width / 2, width / 2, -self._height, 0)
        self._root.set_z(MARGIN + self._height)

    def _narration(self, parent: NodePath, text: str, x: float, top: float, width: float
                   ) -> float:
        """Place the narration at the largest size that keeps it within _MAX_ROWS rows
        (or the smallest size, with more rows); returns its bottom."""
        for scale in _SCALES:
            node, bottom = place_text(parent, text, self._font, scale, x, top, width=width,
                                      name="narration")
            if node.node().get_num_rows() <= _MAX_ROWS or scale == _SCALES[-1]:
                return bottom
            node.remove_node()
        raise AssertionError("unreachable")
