"""A panel's bar or line chart, drawn from its values: no picture files.

The value axis always includes zero (a bar's length is its value) and runs between round
numbers (``axis_ticks``); faint rules mark each tick. The labels under the plot are thinned
out, never squeezed: with more labels than fit, every second (third, ...) one is shown, so
no two ever touch. Bars carry their values when those fit above them.
"""

from __future__ import annotations

import math

from panda3d.core import LineSegs, NodePath, TextNode

from gwangju_twin.plugins.panel import ChartKind, PanelChart, format_number
from gwangju_twin.ui.ink import (
    HEADING_SCALE,
    LINE_INK,
    MUTED_INK,
    RULE,
    TICK_SCALE,
    TITLE_INK,
    Pen,
    block_height,
)
from gwangju_twin.ui.label import polygon_node, rounded_outline, shade

PLOT_HEIGHT = 0.26
_AXIS_GAP = 0.015  # between the tick labels and the plot
_LABEL_GAP = 0.014  # between neighbouring labels under the plot
_BAR_SHARE = 0.64  # of each value's slot
_HEAD_GAP = 0.018
_ZERO_RULE = (1.0, 1.0, 1.0, 0.45)


def axis_ticks(vmin: float, vmax: float, most: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) from at or below
    ``min(0, vmin)`` to at or above ``max(0, vmax)``, at most ``most`` of them."""
    lo, hi = min(0.0, vmin), max(0.0, vmax)
    if hi - lo <= 0.0:
        hi = lo + 1.0
    raw = (hi - lo) / max(1, most - 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw * (1 - 1e-9))
    while True:
        start, end = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
        n = round((end - start) / step)
        if n + 1 <= most:
            return [round(start + i * step, 10) for i in range(n + 1)]
        step *= 2.0  # rounding out at both ends can add a tick: take a longer step


def draw_chart(parent: NodePath, item: PanelChart, pen: Pen, x0: float, top: float,
               width: float) -> float:
    """Draw ``item`` under ``parent`` from ``top`` down, ``width`` wide from ``x0``;
    returns its bottom."""
    z = top
    title = pen.pick(item.title_ko, item.title_en)
    unit = pen.say("panel.unit", unit=item.unit) if item.unit else ""
    if title or unit:
        unit_w = pen.width(unit, TICK_SCALE) if unit else 0.0
        bottom = z - block_height(TICK_SCALE)
        if unit:
            # The unit sits on the title's first row, at the right edge.
            pen.write(parent, unit, TICK_SCALE, x0 + width, z - (HEADING_SCALE - TICK_SCALE)
                      * 0.84, color=MUTED_INK, align=TextNode.A_right, name="chart-unit")
        if title:
            room = width - unit_w - (0.03 if unit else 0.0)
            bottom = min(bottom, pen.write(parent, title, HEADING_SCALE, x0, z,
                                           color=TITLE_INK, bold=True, width=room,
                                           name="chart-title"))
        z = bottom - _HEAD_GAP

    values = item.values
    ticks = axis_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]
    tick_texts = [format_number(t) for t in ticks]
    axis_w = max(pen.width(t, TICK_SCALE) for t in tick_texts)
    px0, px1 = x0 + axis_w + _AXIS_GAP, x0 + width
    n = len(values)
    slot = (px1 - px0) / n
    bars = item.kind == ChartKind.BAR
    value_texts = [format_number(v) for v in values]
    show_values = bars and n <= 12 and all(
        pen.width(t, TICK_SCALE) <= slot - 0.006 for t in value_texts)
    room = block_height(TICK_SCALE) + 0.006 if show_values else block_height(TICK_SCALE) / 2
    plot_top = z - room
    plot_bottom = plot_top - PLOT_HEIGHT
    # Values of negative bars hang below their bars: the labels under the plot make room.
    below = block_height(TICK_SCALE) + 0.006 if show_values and min(values) < 0 else 0.0

    def at(v: float) -> float:
        return plot_bottom + (v - lo) / (hi - lo) * PLOT_HEIGHT

    for i, (t, text) in enumerate(zip(ticks, tick_texts, strict=True)):
        tz = at(t)
        ink = _ZERO_RULE if t == 0 else RULE
        polygon_node(f"rule-{i}", [(px0, tz - 0.0015), (px1, tz - 0.0015), (px1, tz + 0.0015),
                                   (px0, tz + 0.0015)], ink).reparent_to(parent)
        pen.write(parent, text, TICK_SCALE, px0 - _AXIS_GAP, tz + block_height(TICK_SCALE) / 2,
                  color=MUTED_INK, align=TextNode.A_right, name=f"tick-{i}")

    fill = shade(pen.accent, 0.25)
    zero = at(0.0)
    if bars:
        for i, v in enumerate(values):
            cx = px0 + (i + 0.5) * slot
            half = slot * _BAR_SHARE / 2
            end = at(v)
            if abs(end - zero) > 1e-6:
                a, b = min(zero, end), max(zero, end)
                polygon_node(f"bar-{i}", rounded_outline(cx - half, a, cx + half, b,
                                                         min(0.008, (b - a) / 2), 3),
                             fill).reparent_to(parent)
            if show_values:
                label_top = (end + block_height(TICK_SCALE) + 0.004 if v >= 0
                             else end - 0.004)
                pen.write(parent, value_texts[i], TICK_SCALE, cx, label_top, color=LINE_INK,
                          align=TextNode.A_center, name=f"value-{i}")
    else:
        segs = LineSegs("chart-line")
        segs.set_thickness(3.0)
        segs.set_color(*fill)
        for i, v in enumerate(values):
            point = (px0 + (i + 0.5) * slot, 0.0, at(v))
            if i == 0:
                segs.move_to(*point)
            else:
                segs.draw_to(*point)
        parent.attach_new_node(segs.create())
        r = 0.011
        for i, v in enumerate(values):
            cx, cz = px0 + (i + 0.5) * slot, at(v)
            polygon_node(f"point-{i}", rounded_outline(cx - r, cz - r, cx + r, cz + r, r, 4),
                         fill).reparent_to(parent)

    # The labels under the plot: left to right, each one only if it clears the last one
    # drawn, kept inside the plot's width.
    labels = item.labels(pen.language)
    widths = [pen.width(t, TICK_SCALE) for t in labels]
    stride = 1
    while stride < n and max(widths) + _LABEL_GAP > stride * slot:
        stride += 1
    label_top = plot_bottom - 0.012 - below
    right_of_last = -math.inf
    for i in range(0, n, stride):
        half = widths[i] / 2
        cx = min(max(px0 + (i + 0.5) * slot, px0 + half), px1 - half)
        if cx - half < right_of_last + _LABEL_GAP:
            continue
        pen.write(parent, labels[i], TICK_SCALE, cx, label_top, color=LINE_INK,
                  align=TextNode.A_center, name=f"label-{i}")
        right_of_last = cx + half
    return label_top - block_height(TICK_SCALE)


__all__ = ["PLOT_HEIGHT", "axis_ticks", "draw_chart"]
