"""HelpOverlay: the card that lists every control (gwangju_twin.controls), by section.

One column per section (camera, explore, interface), each under its own heading, so no
heading repeats. Each row is the key or gesture (bold, left) and what it does, in both
languages (the README promises them): the interface language first, the other one below
it in a quieter ink. The card is centred below the toolbar row and shrinks to fit small
windows.
"""

from __future__ import annotations

from collections.abc import Sequence

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.controls import CONTROLS, SECTIONS, Control
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.theme import (
    ASCENT,
    BODY_SCALE,
    DESCENT,
    HEADING_INK,
    MARGIN,
    MUTED_INK,
    ORDER_HELP,
    RULE,
    TITLE_INK,
    TITLE_SCALE,
    TOOLBAR_CLEARANCE,
    Widget,
    blocker,
    board,
    place_text,
    screen_extent,
    text_width,
)

_ROW_SCALE = 0.038
_OTHER_SCALE = 0.033  # the other language's line, under the interface language's
_COLUMN_WIDTH = 0.92
_COLUMN_GAP = 0.07
_KEY_MAX = 0.26  # the key column's widest; longer key texts wrap
_KEY_GAP = 0.025
_LINE_GAP = 0.012  # between a row's two languages
_ROW_GAP = 0.016
_PAD = 0.06

#: A row: the key text, the description in the interface language and in the other one,
#: and the row's height.
_Row = tuple[str, str, str, float]


class HelpOverlay(Widget):
    """The controls card (hidden at start); ``bold_font`` (default ``font``) draws the
    title, headings and keys."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko", controls: Sequence[Control] = CONTROLS,
                 sections: Sequence[str] = SECTIONS, *, bold_font: TextFont | None = None,
                 ) -> None:
        super().__init__(parent, "help-overlay", catalogue, language, ORDER_HELP)
        self._font, self._bold = font, bold_font or font
        self._controls = tuple(controls)
        self._sections = tuple(sections)
        self._drawn: list[str] = []
        self._size = (0.0, 0.0)
        self._build()
        self.hide()

    def _relabel(self) -> None:
        self._build()

    def text(self) -> list[str]:
        """The strings drawn: title, then section by section its heading (interface
        language, other language) and its rows (key, description in the interface language,
        in the other language), then the footer."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _other(self) -> str:
        """The language that is not the interface's (its lines are the quieter ones)."""
        return next(lang for lang in LANGUAGES if lang != self._language)

    def _rows(self, section: str, key_w: float, desc_w: float) -> list[_Row]:
        """The rows of ``section``, each measured with its text wrapped."""
        probe = NodePath("probe")
        other = self._other()
        rows = []
        for c in self._controls:
            if c.section != section:
                continue
            key = self._t(f"keys.{c.name}")
            desc = self._t(f"help.{c.name}")
            alt = self._catalogue.text(f"help.{c.name}", other)
            _, kb = place_text(probe, key, self._bold, _ROW_SCALE, 0, 0, width=key_w)
            _, db = place_text(probe, desc, self._font, _ROW_SCALE, 0, 0, width=desc_w)
            _, ab = place_text(probe, alt, self._font, _OTHER_SCALE, 0, db - _LINE_GAP,
                               width=desc_w)
            rows.append((key, desc, alt, -min(kb, ab) + _ROW_GAP))
        probe.remove_node()
        return rows

    @staticmethod
    def _heading_height() -> float:
        return 0.03 + (ASCENT + DESCENT) * BODY_SCALE + 0.025

    def _build(self) -> None:
        self._clear_gui()
        self._root.node().remove_all_children()
        self._drawn = []
        t, other = self._t, self._other()
        key_w = min(_KEY_MAX, max(text_width(self._bold, t(f"keys.{c.name}"), _ROW_SCALE)
                                  for c in self._controls))
        desc_w = _COLUMN_WIDTH - key_w - _KEY_GAP
        sections = [s for s in self._sections if any(c.section == s for c in self._controls)]
        width = (len(sections) * _COLUMN_WIDTH + (len(sections) - 1) * _COLUMN_GAP
                 + 2 * _PAD)
        content = NodePath("content")  # origin at the card's top-left corner
        title = t("help.title")
        _, z = place_text(content, title, self._bold, TITLE_SCALE, width / 2, -_PAD, TITLE_INK,
                          TextNode.A_center)
        self._drawn.append(title)
        z -= 0.035
        board(content, _PAD, z - 0.004, width - _PAD, z, RULE, 0.0, "rule")
        top = z - 0.02
        bottom = top
        for n, section in enumerate(sections):
            x, z = _PAD + n * (_COLUMN_WIDTH + _COLUMN_GAP), top
            # The heading in both languages: the interface's, then the other one, quieter.
            heading = t(f"help.section.{section}")
            alt = self._catalogue.text(f"help.section.{section}", other)
            base = z - 0.03
            place_text(content, heading, self._bold, BODY_SCALE, x, base, HEADING_INK,
                       name="heading")
            place_text(content, alt, self._font, _OTHER_SCALE,
                       x + text_width(self._bold, heading, BODY_SCALE) + 0.025,
                       base - (ASCENT * (BODY_SCALE - _OTHER_SCALE)), MUTED_INK,
                       name="heading-other")
            self._drawn += [heading, alt]
            z -= self._heading_height()
            for key, desc, alt, height in self._rows(section, key_w, desc_w):
                place_text(content, key, self._bold, _ROW_SCALE, x, z, TITLE_INK,
                           width=key_w, name="key")
                dx = x + key_w + _KEY_GAP
                _, below = place_text(content, desc, self._font, _ROW_SCALE, dx, z,
                                      width=desc_w, name="description")
                place_text(content, alt, self._font, _OTHER_SCALE, dx, below - _LINE_GAP,
                           MUTED_INK, width=desc_w, name="description-other")
                self._drawn += [key, desc, alt]
                z -= height
            bottom = min(bottom, z)
        footer = t("help.footer")
        _, z = place_text(content, footer, self._font, _ROW_SCALE, width / 2, bottom - 0.02,
                          MUTED_INK, TextNode.A_center, name="footer")
        self._drawn.append(footer)
        height = -z + _PAD
        self._size = (width, height)
        card = self._root.attach_new_node("card")
        card.set_pos(-width / 2, 0, height / 2)  # centred on the parent's origin
        self._frames.append(blocker(card, 0, -height, width, 0))
        board(card, 0, -height, width, 0)
        content.reparent_to(card)  # after the board: drawn over it (fixed bin)
        self._fit()

    def _fit(self) -> None:
        """Scale the card down so it fits between the toolbar row and the bottom margin, and
        within the screen's width; centre it in that band."""
        if self._root.is_empty():
            return
        half_w, half_h = screen_extent(self._root.get_parent())
        room_w = 2 * (half_w - MARGIN)
        room_h = 2 * half_h - TOOLBAR_CLEARANCE - MARGIN
        width, height = self._size
        self._root.set_scale(min(1.0, room_w / width, room_h / height))
        self._root.set_z((MARGIN - TOOLBAR_CLEARANCE) / 2)
