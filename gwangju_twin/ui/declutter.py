"""Label declutter: where each on-screen label goes so that no two cover each other.

Pure (no Panda3D): the viewer projects its labels to screen-space rectangles, hands them
over with the rectangles the interface reserves (toolbar, minimap, panel) and applies the
answer. Labels are placed greedily, most important first (priority, then distance from the
camera: the nearer of two pavilions wins). Each label tries, cheapest first: its own place,
then lifted above its anchor (stacked, the viewer draws a leader line down to the anchor),
then shrunk; a label that fits nowhere is hidden. Rectangles are (x0, y0, x1, y1) with
y up, in any isotropic screen unit (the viewer uses aspect2d units).

About 10-50 labels are laid out at a time (a cap on landmarks keeps it so), a few thousand
rectangle tests: well under a millisecond, so the viewer redoes it whenever the camera moves.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

Rect = tuple[float, float, float, float]

#: Scales a crowded label may shrink to, tried in order.
SCALES: tuple[float, ...] = (1.0, 0.8, 0.64)
#: Lifts tried, in units of the label's own (scaled) height: up to three and a half.
LIFTS: tuple[float, ...] = (0.0, 0.35, 0.7, 1.05, 1.4, 1.75, 2.1, 2.45, 2.8, 3.15, 3.5)


@dataclass(frozen=True)
class LabelBox:
    """One label as seen on screen at full size.

    ``rect`` is the label's rectangle, its bottom edge at the anchor it names (the tip of its
    tail); ``priority`` ranks kinds of labels (0 first: pavilions; 1: landmarks);
    ``distance`` from the camera ranks labels of one priority (nearer first);
    ``min_scale`` bounds how far it may shrink.
    """

    key: Hashable
    rect: Rect
    priority: int = 0
    distance: float = 0.0
    #: The least scale it may shrink to (still legible); 1.0 is always allowed.
    min_scale: float = 0.0


@dataclass(frozen=True)
class Placement:
    """Where a label goes: hidden, or drawn at ``scale`` (of its full size, about its anchor)
    with its bottom ``lift`` above the anchor (same units as the rectangles); ``rect`` is
    the rectangle it then covers (None when hidden)."""

    key: Hashable
    visible: bool
    scale: float = 1.0
    lift: float = 0.0
    rect: Rect | None = None


def overlaps(a: Rect, b: Rect, gap: float = 0.0) -> bool:
    """Whether rectangles ``a`` and ``b`` come closer than ``gap`` (touching is not
    overlapping when ``gap`` is 0)."""
    return (a[0] < b[2] + gap and b[0] < a[2] + gap
            and a[1] < b[3] + gap and b[1] < a[3] + gap)


def _options(scales: Sequence[float], lifts: Sequence[float]) -> list[tuple[float, float]]:
    """(scale, lift) pairs, cheapest first: a lift of one label height costs about as much
    as shrinking by a fifth; an unmoved, full-size label costs nothing."""
    pairs = [(s, lf) for s in scales for lf in lifts]
    return sorted(pairs, key=lambda p: (round((1.0 - p[0]) * 5.0 + p[1], 6), -p[0]))


def placed_rect(rect: Rect, scale: float, lift: float) -> Rect:
    """``rect`` scaled by ``scale`` about the middle of its bottom edge (the anchor), then
    raised so its bottom is ``lift`` (in units of its scaled height) above the anchor."""
    if scale == 1.0 and lift == 0.0:
        return rect  # exactly, not rebuilt from its centre (rounding)
    x0, y0, x1, y1 = rect
    cx, half, height = (x0 + x1) / 2, (x1 - x0) / 2 * scale, (y1 - y0) * scale
    bottom = y0 + lift * height
    return (cx - half, bottom, cx + half, bottom + height)


def declutter(
    labels: Iterable[LabelBox],
    reserved: Sequence[Rect] = (),
    *,
    gap: float = 0.0,
    scales: Sequence[float] = SCALES,
    lifts: Sequence[float] = LIFTS,
    ceiling: float | None = None,
    sides: tuple[float, float] | None = None,
) -> dict[Hashable, Placement]:
    """Place ``labels`` so that no two placed rectangles, nor a placed one and a
    ``reserved`` one, come closer than ``gap``; returns a Placement per label key.

    ``ceiling`` (the screen's top, optional) keeps labels whole on screen: no label is
    placed, lifted or not, with its top past it. One whose anchor is too near the top for
    its full size shrinks to fit or hides: half a card cut by the screen's edge reads as a
    fault, and the label comes back as soon as the camera gives it room. ``sides`` (the
    screen's left and right edges, optional) does the same at the sides: a label stands
    over its anchor, so one anchored too near an edge shrinks about it to fit or hides.
    """
    options = _options(scales, lifts)
    ranked = sorted(labels, key=lambda lb: (lb.priority, lb.distance))
    taken: list[Rect] = list(reserved)
    out: dict[Hashable, Placement] = {}
    for label in ranked:
        out[label.key] = Placement(label.key, False)
        for scale, lift in options:
            if scale < label.min_scale and scale != 1.0:
                continue
            rect = placed_rect(label.rect, scale, lift)
            if ceiling is not None and rect[3] > ceiling:
                continue
            if sides is not None and (rect[0] < sides[0] or rect[2] > sides[1]):
                continue
            if any(overlaps(rect, other, gap) for other in taken):
                continue
            taken.append(rect)
            height = (label.rect[3] - label.rect[1]) * scale
            out[label.key] = Placement(label.key, True, scale, lift * height, rect)
            break
    return out


__all__ = ["LIFTS", "SCALES", "LabelBox", "Placement", "Rect", "declutter", "overlaps",
           "placed_rect"]
