"""The panel's inks and the pen its items (legend, chart, gauge, image) are written with.

The colours live here, not in gwangju_twin.ui.panel, so the item modules (ui/legend.py,
ui/chart.py, ui/gauge.py, ui/picture.py) can share them with the panel that draws them;
ui.panel re-exports the board's colours (ui.theme takes them from there).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.catalogue import Catalogue, load_catalogue
from gwangju_twin.ui.label import ASCENT, DESCENT, RGBA, place_block, text_node

BOARD: RGBA = (0.07, 0.08, 0.10, 1.0)
TITLE_INK: RGBA = (1.0, 1.0, 1.0, 1.0)
LINE_INK: RGBA = (0.86, 0.88, 0.91, 1.0)
MUTED_INK: RGBA = (0.62, 0.66, 0.72, 1.0)  # as the widgets' (ui.theme)
RULE: RGBA = (1.0, 1.0, 1.0, 0.12)

# Text sizes of the items in aspect2d units (the screen is 2 units tall): the smallest,
# a chart's ticks, is 19 px at 1080p, the size of the interface's small print.
HEADING_SCALE = 0.044
LABEL_SCALE = 0.042
TICK_SCALE = 0.035


@cache
def words() -> Catalogue:
    """The shipped text catalogue, read once: the items' few words of their own."""
    return load_catalogue()


def block_height(scale: float) -> float:
    """The height of one row of text at ``scale``."""
    return (ASCENT + DESCENT) * scale


@dataclass(frozen=True)
class Pen:
    """What every panel item is drawn with: the fonts, the visitor's language and the
    panel's accent colour."""

    font: TextFont
    bold: TextFont
    language: str
    accent: tuple[float, float, float]

    def pick(self, ko: str, en: str) -> str:
        """``ko`` or ``en``, whichever the visitor reads."""
        return en if self.language == "en" else ko

    def say(self, key: str, **values: Any) -> str:
        """The catalogue's text ``key`` in the visitor's language."""
        return words().text(key, self.language, **values)

    def width(self, text: str, scale: float, bold: bool = False) -> float:
        """How wide ``text`` is on one line at ``scale``."""
        probe = TextNode("measure")
        probe.set_font(self.bold if bold else self.font)
        return probe.calc_width(text) * scale

    def write(self, parent: NodePath, text: str, scale: float, x: float, top: float, *,
              color: RGBA = LINE_INK, align: int = TextNode.A_left,
              width: float | None = None, bold: bool = False, name: str = "text"
              ) -> float:
        """A text block (wrapped at ``width``) with its top at ``top``, its left edge,
        centre or right edge at ``x`` as ``align`` says; returns the block's bottom."""
        node = text_node(name, text, self.bold if bold else self.font, color, align,
                         None if width is None else width / scale)
        return place_block(parent, node, x, top, scale)[1]


__all__ = ["BOARD", "LINE_INK", "MUTED_INK", "RULE", "TITLE_INK", "Pen", "block_height"]
