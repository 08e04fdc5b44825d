"""PavilionMenu: the list of pavilions to fly to, a card under the toolbar at the top-left.

One big button per pavilion: the number key that enters it (when it has one), a swatch in
its sector's colour, its name in the current language and a small "demo" tag when a plugin
runs inside. The pavilion the visitor is in
is drawn in the accent colour with a "you are here" tag.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.theme import (
    ACCENT,
    ASCENT,
    BUTTON_FILL,
    BUTTON_HEIGHT,
    BUTTON_SCALE,
    DESCENT,
    GAP,
    MARGIN,
    MUTED_INK,
    ORDER_CARD,
    PAD,
    RULE,
    SMALL_SCALE,
    TITLE_INK,
    TITLE_SCALE,
    TOOLBAR_CLEARANCE,
    Widget,
    blocker,
    board,
    button,
    place_text,
    screen_extent,
    text_width,
)


@dataclass(frozen=True)
class MenuEntry:
    """One pavilion of the menu: its id, names, sector colour (RGB, 0..1), whether a
    demo (plugin) runs inside and the key that enters it ("" for none)."""

    id: str
    name_ko: str
    name_en: str
    color: tuple[float, float, float]
    demo: bool
    key: str = ""


_SWATCH = 0.05
_NAME_LEFT = 0.035 + _SWATCH + 0.03  # the name starts after the swatch
_KEYCAP = 0.056  # the number key's cap, left of the swatch
_KEYCAP_GAP = 0.025
_TAG_SCALE = 0.037
_TAG_PAD = 0.02
_TAG_H = 0.056
_MIN_WIDTH = 0.9


class PavilionMenu(Widget):
    """The pavilion list (hidden at start); pressing a pavilion calls ``on_choose(id)``.
    ``buttons`` holds one DirectButton per pavilion id. ``bold_font`` draws the title."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko", entries: Sequence[MenuEntry] = (),
                 on_choose: Callable[[str], None] = lambda pavilion_id: None, *,
                 bold_font: TextFont | None = None) -> None:
        super().__init__(parent, "pavilion-menu", catalogue, language, ORDER_CARD)
        self._font, self._bold = font, bold_font or font
        self._entries = tuple(entries)
        # With number keys, the swatch and the name move right of the key caps.
        self._shift = _KEYCAP + _KEYCAP_GAP if any(e.key for e in self._entries) else 0.0
        self._on_choose = on_choose
        self._current: str | None = None
        self._drawn: list[str] = []
        self._build()
        self.hide()

    @property
    def current(self) -> str | None:
        """The id of the pavilion marked as where the visitor is, or None."""
        return self._current

    def _relabel(self) -> None:
        self._build()

    def set_current(self, pavilion_id: str | None) -> None:
        """Mark pavilion ``pavilion_id`` as where the visitor is (None: outside)."""
        if pavilion_id is not None and pavilion_id not in self.buttons:
            raise KeyError(pavilion_id)
        if pavilion_id != self._current:
            self._current = pavilion_id
            self._build()

    def text(self) -> list[str]:
        """Title, hint, then per pavilion its key, its name, its demo tag and its "here"
        tag (each only when it has one)."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _name(self, entry: MenuEntry, language: str) -> str:
        return entry.name_en if language == "en" else entry.name_ko

    def _tag_width(self, key: str, language: str) -> float:
        return text_width(self._font, self._catalogue.text(key, language), _TAG_SCALE)

    def _width(self) -> float:
        """Wide enough for every name and tag in either language: the card keeps its size
        when the language changes."""
        widest = 0.0
        for lang in LANGUAGES:
            tags = (self._tag_width("info.plugin", lang) + self._tag_width("menu.here", lang)
                    + 4 * _TAG_PAD + 3 * GAP)
            for e in self._entries:
                widest = max(widest, text_width(self._font, self._name(e, lang), BUTTON_SCALE)
                             + tags)
            title = text_width(self._bold, self._catalogue.text("menu.title", lang), TITLE_SCALE)
            widest = max(widest, title - _NAME_LEFT - self._shift)
        return max(_MIN_WIDTH, _NAME_LEFT + self._shift + widest + 2 * PAD)

    def _build(self) -> None:
        self._clear_gui()
        self._root.node().remove_all_children()
        width = self._width()
        inner = width - 2 * PAD
        content = NodePath("content")
        x0 = MARGIN + PAD
        title, hint = self._t("menu.title"), self._t("menu.hint")
        _, z = place_text(content, title, self._bold, TITLE_SCALE, x0, -PAD, TITLE_INK)
        _, z = place_text(content, hint, self._font, SMALL_SCALE, x0, z - 0.012, MUTED_INK,
                          width=inner)
        self._drawn = [title, hint]
        z -= 0.025
        board(content, x0, z - 0.004, x0 + inner, z, RULE, 0.0, "rule")
        z -= 0.004 + 0.025
        for e in self._entries:
            here = e.id == self._current
            b = button(content, self._name(e, self._language), self._font,
                       partial(self._on_choose, e.id), width=inner,
                       pos=(x0 + inner / 2, z - BUTTON_HEIGHT / 2),
                       left=_NAME_LEFT + self._shift,
                       fill=ACCENT if here else BUTTON_FILL, order=self.raised)
            self._decorate(b, e, inner, here)
            self.buttons[e.id] = b
            z -= BUTTON_HEIGHT + GAP
        height = -(z + GAP - PAD)
        card = self._root.attach_new_node("card")
        self._frames.append(blocker(card, MARGIN, -height, MARGIN + width, 0))
        board(card, MARGIN, -height, MARGIN + width, 0)
        # After the blocker and the board: drawn over the board, and the buttons' click
        # regions sort above the blocker's (DirectGUI ranks later items higher).
        content.reparent_to(card)
        self._root.set_python_tag("height", height)
        self._fit()

    def _decorate(self, b: NodePath, entry: MenuEntry, width: float, here: bool) -> None:
        """The key cap, the swatch, then the tags right-aligned: "demo", and "here" to its
        left."""
        half = width / 2
        left = -half + 0.035
        if entry.key:
            # A key cap: what to press to go there without the menu.
            board(b, left, -_KEYCAP / 2, left + _KEYCAP, _KEYCAP / 2, (1.0, 1.0, 1.0, 0.14),
                  0.012, "keycap")
            place_text(b, entry.key, self._bold, _TAG_SCALE, left + _KEYCAP / 2,
                       (ASCENT + DESCENT) / 2 * _TAG_SCALE, TITLE_INK, TextNode.A_center,
                       name="key")
            self._drawn.append(entry.key)
        left += self._shift
        board(b, left, -_SWATCH / 2, left + _SWATCH, _SWATCH / 2,
              (*entry.color, 1.0), 0.012, "swatch")
        self._drawn.append(self._name(entry, self._language))
        right = half - 0.03
        tags = [("info.plugin", (1.0, 1.0, 1.0, 0.16))] if entry.demo else []
        if here:
            tags.append(("menu.here", (0.0, 0.0, 0.0, 0.28)))
        for key, fill in tags:
            label = self._t(key)
            w = text_width(self._font, label, _TAG_SCALE) + 2 * _TAG_PAD
            board(b, right - w, -_TAG_H / 2, right, _TAG_H / 2, fill, _TAG_H / 2, "tag")
            place_text(b, label, self._font, _TAG_SCALE, right - w / 2,
                       (ASCENT + DESCENT) / 2 * _TAG_SCALE, TITLE_INK,
                       TextNode.A_center, name="tag-text")
            self._drawn.append(label)
            right -= w + GAP

    def _fit(self) -> None:
        if self._root.is_empty():
            return
        _, half_h = screen_extent(self._root.get_parent())
        room = 2 * half_h - TOOLBAR_CLEARANCE - MARGIN
        height = self._root.get_python_tag("height")
        scale = min(1.0, room / height) if height else 1.0
        self._root.set_scale(scale)
        # Scale about the card's top-left corner, which stays below the toolbar.
        self._root.set_pos(MARGIN * (1 - scale), 0, -TOOLBAR_CLEARANCE)
