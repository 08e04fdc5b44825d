"""HelpOverlay: the card that lists every control (gwangju_twin.controls), by section.

Each row is the key or gesture (bold, left) and what it does (right, wrapped). Twenty-five
rows do not fit one column on a 720-pixel-high window, so the rows flow into two columns;
a section cut by the column break repeats its heading at the top of the second column.
The card is centred below the toolbar row and shrinks to fit small windows.
"""

from __future__ import annotations

from collections.abc import Sequence

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.controls import CONTROLS, SECTIONS, Control
from gwangju_twin.ui.catalogue import Catalogue
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

_ROW_SCALE = 0.04
_COLUMN_WIDTH = 1.24
_COLUMN_GAP = 0.09
_KEY_MAX = 0.42  # the key column's widest; longer key texts wrap
_KEY_GAP = 0.03
_ROW_GAP = 0.014
_PAD = 0.06


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
        """The strings drawn: title, then headings and rows (key, description) column by
        column, then the footer."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _items(self, key_w: float, desc_w: float) -> list[tuple[str, str, str, float]]:
        """(section, key text, description, height) per control, grouped by section; a
        heading is an item with an empty key."""
        probe = NodePath("probe")
        items = []
        for section in self._sections:
            rows = [c for c in self._controls if c.section == section]
            if not rows:
                continue
            items.append((section, "", "", self._heading_height()))
            for c in rows:
                key, desc = self._t(f"keys.{c.name}"), self._t(f"help.{c.name}")
                _, kb = place_text(probe, key, self._bold, _ROW_SCALE, 0, 0, width=key_w)
                _, db = place_text(probe, desc, self._font, _ROW_SCALE, 0, 0, width=desc_w)
                items.append((section, key, desc, -min(kb, db) + _ROW_GAP))
        probe.remove_node()
        return items

    @staticmethod
    def _heading_height() -> float:
        return 0.03 + (ASCENT + DESCENT) * BODY_SCALE + 0.03

    def _columns(self, items: list[tuple[str, str, str, float]]
                 ) -> list[list[tuple[str, str, str, float]]]:
        """Split ``items`` into two columns of about equal height, repeating the heading of a
        section that continues in the second column."""
        total = sum(it[3] for it in items)
        first: list[tuple[str, str, str, float]] = []
        height = 0.0
        for i, item in enumerate(items):
            # Break once this item's middle would pass half the total height.
            if first and height + item[3] / 2 > total / 2:
                rest = items[i:]
                if rest[0][1]:  # a row: its section goes on under a repeated heading
                    rest = [(item[0], "", "", self._heading_height()), *rest]
                return [first, rest]
            first.append(item)
            height += item[3]
        return [first]

    def _build(self) -> None:
        self._clear_gui()
        self._root.node().remove_all_children()
        self._drawn = []
        t = self._t
        key_w = min(_KEY_MAX, max(text_width(self._bold, t(f"keys.{c.name}"), _ROW_SCALE)
                                  for c in self._controls))
        desc_w = _COLUMN_WIDTH - key_w - _KEY_GAP
        columns = self._columns(self._items(key_w, desc_w))
        width = len(columns) * _COLUMN_WIDTH + (len(columns) - 1) * _COLUMN_GAP + 2 * _PAD
        content = NodePath("content")  # origin at the card's top-left corner
        title = t("help.title")
        _, z = place_text(content, title, self._bold, TITLE_SCALE, width / 2, -_PAD, TITLE_INK,
                          TextNode.A_center)
        self._drawn.append(title)
        z -= 0.035
        board(content, _PAD, z - 0.004, width - _PAD, z, RULE, 0.0, "rule")
        top = z - 0.02
        bottom = top
        for n, column in enumerate(columns):
            x, z = _PAD + n * (_COLUMN_WIDTH + _COLUMN_GAP), top
            for section, key, desc, height in column:
                if not key:
                    heading = t(f"help.section.{section}")
                    place_text(content, heading, self._bold, BODY_SCALE, x, z - 0.03,
                               HEADING_INK, name="heading")
                    self._drawn.append(heading)
                else:
                    place_text(content, key, self._bold, _ROW_SCALE, x, z, TITLE_INK,
                               width=key_w, name="key")
                    place_text(content, desc, self._font, _ROW_SCALE, x + key_w + _KEY_GAP, z,
                               width=desc_w, name="description")
                    self._drawn += [key, desc]
                z -= height
            bottom = min(bottom, z)
        footer = t("help.footer")
        _, z = place_text(content, footer, self._font, _ROW_SCALE, width / 2, bottom - 0.03,
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
