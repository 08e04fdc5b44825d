"""A panel's colour legend: a swatch per colour with what it means, under a title.

Short labels go in two columns (read down the left column, then the right), long ones in
one column, wrapped; a row is as tall as its swatch or its text, whichever is taller, so no
text ever runs into the next row.
"""

from __future__ import annotations

from panda3d.core import NodePath

from gwangju_twin.plugins.panel import PanelLegend
from gwangju_twin.ui.ink import HEADING_SCALE, LABEL_SCALE, TITLE_INK, Pen
from gwangju_twin.ui.label import polygon_node, rounded_outline

SWATCH = 0.05
_SWATCH_GAP = 0.02  # between a swatch and its label
_COLUMN_GAP = 0.04
_ROW_GAP = 0.014
_TITLE_GAP = 0.016
#: A thin light rim, so a black or see-through swatch still shows on the dark board.
_RIM = (1.0, 1.0, 1.0, 0.35)


def draw_legend(parent: NodePath, item: PanelLegend, pen: Pen, x0: float, top: float,
                width: float) -> float:
    """Draw ``item`` under ``parent`` from ``top`` down, ``width`` wide from ``x0``;
    returns its bottom."""
    z = top
    title = pen.pick(item.title_ko, item.title_en)
    if title:
        z = pen.write(parent, title, HEADING_SCALE, x0, z, color=TITLE_INK, bold=True,
                      width=width, name="legend-title") - _TITLE_GAP
    labels = [pen.pick(e.ko, e.en) for e in item.entries]
    column = (width - _COLUMN_GAP) / 2
    text_room = column - SWATCH - _SWATCH_GAP
    two = len(labels) > 3 and all(pen.width(t, LABEL_SCALE) <= text_room for t in labels)
    rows = (len(labels) + 1) // 2 if two else len(labels)
    if not two:
        text_room = width - SWATCH - _SWATCH_GAP
    bottom = z
    for c in range(2 if two else 1):
        cz = z
        for i in range(c * rows, min(len(labels), (c + 1) * rows)):
            x = x0 + c * (column + _COLUMN_GAP)
            text_bottom = pen.write(parent, labels[i], LABEL_SCALE, x + SWATCH + _SWATCH_GAP,
                                    cz - max(0.0, (SWATCH - LABEL_SCALE * 1.09) / 2),
                                    width=text_room, name=f"legend-label-{i}")
            rim = polygon_node("swatch-rim", rounded_outline(
                x - 0.003, cz - SWATCH - 0.003, x + SWATCH + 0.003, cz + 0.003, 0.011), _RIM)
            rim.reparent_to(parent)
            polygon_node(f"swatch-{i}", rounded_outline(x, cz - SWATCH, x + SWATCH, cz, 0.008),
                         item.entries[i].rgba).reparent_to(parent)
            cz = min(cz - SWATCH, text_bottom) - _ROW_GAP
        bottom = min(bottom, cz + _ROW_GAP)
    return bottom


__all__ = ["SWATCH", "draw_legend"]
