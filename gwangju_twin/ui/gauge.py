"""A panel's gauge: a value on its range as a filled bar, with an optional mark.

The label and the value (large) share the first row; the bar fills from the range's low end
to the value (a value off the range fills to the nearer end, its number still says what it
is); the mark, e.g. OEE's 85 % world-class line, crosses the bar. Under it, the range's ends
and the mark's value; an end that would touch the mark's number gives way to it.
"""

from __future__ import annotations

from panda3d.core import NodePath, TextNode

from gwangju_twin.plugins.panel import PanelGauge, format_number
from gwangju_twin.ui.ink import (
    LABEL_SCALE,
    MUTED_INK,
    TICK_SCALE,
    TITLE_INK,
    Pen,
    block_height,
)
from gwangju_twin.ui.label import polygon_node, rounded_outline, shade

VALUE_SCALE = 0.06
TRACK_HEIGHT = 0.04
_TRACK = (1.0, 1.0, 1.0, 0.14)
_MARK = (1.0, 1.0, 1.0, 1.0)
_MARK_W, _MARK_OVER = 0.007, 0.014  # the mark's width, and how far it reaches past the bar
_GAP = 0.014


def draw_gauge(parent: NodePath, item: PanelGauge, pen: Pen, x0: float, top: float,
               width: float) -> float:
    """Draw ``item`` under ``parent`` from ``top`` down, ``width`` wide from ``x0``;
    returns its bottom."""
    value = format_number(item.value) + (f" {item.unit}" if item.unit else "")
    value_w = pen.width(value, VALUE_SCALE, bold=True)
    pen.write(parent, value, VALUE_SCALE, x0 + width, top, color=TITLE_INK,
              align=TextNode.A_right, bold=True, name="gauge-value")
    # The label's baseline on the value's: both rows read as one line.
    label_top = top - (VALUE_SCALE - LABEL_SCALE) * 0.84
    label_bottom = pen.write(parent, pen.pick(item.label_ko, item.label_en), LABEL_SCALE, x0,
                             label_top, width=width - value_w - 0.03, name="gauge-label")
    z = min(top - block_height(VALUE_SCALE), label_bottom) - _GAP - _MARK_OVER

    track_top, track_bottom = z, z - TRACK_HEIGHT
    radius = TRACK_HEIGHT / 2
    polygon_node("gauge-track", rounded_outline(x0, track_bottom, x0 + width, track_top,
                                                radius), _TRACK).reparent_to(parent)
    filled = item.fraction * width
    if filled > 0.0:
        polygon_node("gauge-fill", rounded_outline(x0, track_bottom, x0 + filled, track_top,
                                                   min(radius, filled / 2)),
                     shade(pen.accent, 0.25)).reparent_to(parent)
    below = track_bottom - _MARK_OVER - 0.008
    unit = f" {item.unit}" if item.unit else ""
    ends = []  # the range's ends: (name, text, x, align, span)
    for name, text, x, align in (
            ("gauge-lo", format_number(item.lo), x0, TextNode.A_left),
            ("gauge-hi", format_number(item.hi) + unit, x0 + width, TextNode.A_right)):
        w = pen.width(text, TICK_SCALE)
        ends.append((name, text, x, align, (x, x + w) if align == TextNode.A_left
                     else (x - w, x)))
    taken: list[tuple[float, float]] = []  # the mark's number, which the ends give way to
    if item.mark is not None:
        mx = x0 + (item.mark - item.lo) / (item.hi - item.lo) * width
        polygon_node("gauge-mark", [(mx - _MARK_W / 2, track_bottom - _MARK_OVER),
                                    (mx + _MARK_W / 2, track_bottom - _MARK_OVER),
                                    (mx + _MARK_W / 2, track_top + _MARK_OVER),
                                    (mx - _MARK_W / 2, track_top + _MARK_OVER)],
                     _MARK).reparent_to(parent)
        text = pen.say("panel.mark", value=format_number(item.mark))
        w = pen.width(text, TICK_SCALE)
        # Centred under the mark, else beside it, on the side away from the end it would
        # hide: the range's ends stay readable wherever they can.
        centred = min(max(mx - w / 2, x0), x0 + width - w)
        choices = [centred, mx - _GAP - w, mx + _GAP]
        spans = [(a, a + w) for a in choices if x0 <= a and a + w <= x0 + width]
        left = next((a for a, b in spans if not any(_touch((a, b), e[4]) for e in ends)),
                    centred)
        pen.write(parent, text, TICK_SCALE, left + w / 2, below, color=TITLE_INK,
                  align=TextNode.A_center, name="gauge-mark-value")
        taken.append((left, left + w))
    for name, text, x, align, span in ends:
        if not any(_touch(span, t) for t in taken):
            pen.write(parent, text, TICK_SCALE, x, below, color=MUTED_INK, align=align,
                      name=name)
    return below - block_height(TICK_SCALE)


def _touch(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether two x spans come closer than a small gap."""
    return a[0] < b[1] + 0.012 and b[0] < a[1] + 0.012


__all__ = ["TRACK_HEIGHT", "draw_gauge"]
