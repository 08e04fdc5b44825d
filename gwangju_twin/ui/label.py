"""Bilingual billboard labels: a pavilion's Korean and English name floating above it.

A label is a white rounded card with a strip in the sector's colour, the Korean name (bold,
larger) over the English name, and a small tail pointing down at what it names. It is drawn
after the city without depth testing, so no building hides it. The viewer turns it to face
the camera (``face``), parallel to the picture, so its rectangle on screen is exactly the
projection of its card: the declutter (gwangju_twin.ui.declutter) works on those rectangles
and may lift a label above what it names (``set_lift``, with a leader line down to it).

The flat shapes are built here too (``rounded_outline``, ``polygon_node``) because the panel
(gwangju_twin.ui.panel) draws its card with the same corners.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from panda3d.core import (
    AntialiasAttrib,
    Geom,
    GeomNode,
    GeomTriangles,
    GeomVertexData,
    GeomVertexFormat,
    GeomVertexWriter,
    NodePath,
    Quat,
    TextFont,
    TextNode,
    TransparencyAttrib,
)

Point = tuple[float, float]
RGBA = tuple[float, float, float, float]

#: Labels go in the "fixed" bin (drawn after the opaque and transparent city) from this
#: draw order up; within one label, its parts draw in scene-graph order (card, then text).
LABEL_DRAW_ORDER = 10

# Colours, chosen for contrast on the white card (WCAG AA for both text colours).
CARD: RGBA = (0.99, 0.99, 0.985, 1.0)  # opaque: a label behind must not show through
SHADOW: RGBA = (0.0, 0.0, 0.0, 0.22)
KOREAN_INK: RGBA = (0.10, 0.11, 0.14, 1.0)
ENGLISH_INK: RGBA = (0.33, 0.35, 0.40, 1.0)
LEADER_INK: RGBA = (0.12, 0.13, 0.16, 0.85)
NOTICE_INK: RGBA = (0.78, 0.09, 0.11, 1.0)

# Layout in units of the Korean line's em (the label is scaled by ``height`` at the end).
_PAD_X, _PAD_TOP, _PAD_BOTTOM = 0.6, 0.36, 0.42
_STRIP = 0.16  # accent strip along the top edge
_LEADER_W = 0.09  # a lifted label's leader line, down to what it names
_RADIUS = 0.32
_TAIL_W, _TAIL_H = 0.7, 0.55
_EN_SCALE, _NOTICE_SCALE = 0.56, 0.5
#: Hangul and Latin glyphs stay within these, per em (measured); every text block on
#: screen (labels, the panel, the widgets) is laid out with them.
ASCENT, DESCENT = 0.84, 0.25
_LINE_GAP = 0.2


def shade(color: Sequence[float], amount: float) -> RGBA:
    """``color`` (RGB or RGBA) mixed towards white (amount > 0) or black (amount < 0); the
    alpha is kept, or 1 for an RGB colour."""
    target, a = (1.0 if amount > 0 else 0.0), abs(amount)
    r, g, b = (c + (target - c) * a for c in color[:3])
    return (r, g, b, color[3] if len(color) > 3 else 1.0)


def place_block(parent: NodePath, node: TextNode, x: float, top: float, scale: float
                ) -> tuple[NodePath, float]:
    """Attach a (possibly wrapped) text block with its top at ``top``; returns its node and
    the block's bottom."""
    np_ = parent.attach_new_node(node)
    np_.set_scale(scale)
    np_.set_pos(x, 0.0, top - ASCENT * scale)
    # Panda3D 1.10 can report garbage rows for empty text (seen: -486064124 on a fresh
    # font), so empty text counts as one row without asking.
    rows = max(1, node.get_num_rows()) if node.get_text() else 1
    return np_, top - (ASCENT + (rows - 1) * node.get_line_height() + DESCENT) * scale


def rounded_outline(
    x0: float, z0: float, x1: float, z1: float, radius: float, segments: int = 6
) -> list[Point]:
    """The outline of a rounded rectangle in the XZ plane, counter-clockwise (front side
    faces -Y, towards a Panda3D camera), starting at the bottom-left corner's bottom end."""
    r = max(0.0, min(radius, (x1 - x0) / 2, (z1 - z0) / 2))
    corners = ((x1 - r, z0 + r, -90.0), (x1 - r, z1 - r, 0.0), (x0 + r, z1 - r, 90.0),
               (x0 + r, z0 + r, 180.0))
    points: list[Point] = [(x0 + r, z0)]
    for cx, cz, start in corners:
        for i in range(segments + 1):
            a = math.radians(start + 90.0 * i / segments)
            points.append((cx + r * math.cos(a), cz + r * math.sin(a)))
    return points[:-1]  # the last arc ends where the outline started


def clip_above(points: Sequence[Point], z: float) -> list[Point]:
    """The part of a convex outline at or above height ``z`` (still convex)."""
    out: list[Point] = []
    for i, (ax, az) in enumerate(points):
        bx, bz = points[(i + 1) % len(points)]
        if az >= z:
            out.append((ax, az))
        if (az >= z) != (bz >= z):
            t = (z - az) / (bz - az)
            out.append((ax + t * (bx - ax), z))
    return out


def polygon_node(name: str, points: Sequence[Point], color: RGBA, centre: Point | None = None
                 ) -> NodePath:
    """A filled polygon in the XZ plane: a fan around ``centre`` (default: the mean point),
    so any outline that is star-shaped about that point is filled correctly."""
    cx, cz = centre if centre is not None else (
        sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    data = GeomVertexData(name, GeomVertexFormat.get_v3c4(), Geom.UH_static)
    data.set_num_rows(len(points) + 1)
    vertex, colour = GeomVertexWriter(data, "vertex"), GeomVertexWriter(data, "color")
    for x, z in [(cx, cz), *points]:
        vertex.add_data3(x, 0.0, z)
        colour.add_data4(*color)
    tris = GeomTriangles(Geom.UH_static)
    n = len(points)
    for i in range(n):
        tris.add_vertices(0, 1 + i, 1 + (i + 1) % n)
    geom = Geom(data)
    geom.add_primitive(tris)
    node = GeomNode(name)
    node.add_geom(geom)
    np_ = NodePath(node)
    if color[3] < 1.0:
        np_.set_transparency(TransparencyAttrib.M_alpha)
    return np_


def text_node(name: str, text: str, font: TextFont, color: RGBA,
              align: int = TextNode.A_center, wordwrap: float | None = None) -> TextNode:
    """A TextNode in ``font`` and ``color``; shared by the label and the panel."""
    node = TextNode(name)
    node.set_font(font)
    node.set_align(align)
    node.set_text_color(*color)
    if wordwrap is not None:
        node.set_wordwrap(wordwrap)
    node.set_text(text)
    return node


class BilingualLabel:
    """A billboard label with a Korean line over an English line, for a pavilion or landmark.

    ``node`` is the label's NodePath; its origin is the tip of the tail at the bottom centre,
    so ``label.set_pos(x, y, z)`` puts the tip at that point. ``height`` is the world height
    (metres) of the Korean line's em; everything else scales with it. ``bold_font`` (default
    ``font``) draws the Korean line.
    """

    def __init__(
        self,
        ko: str,
        en: str,
        font: TextFont,
        accent: tuple[float, float, float],
        *,
        height: float = 6.0,
        bold_font: TextFont | None = None,
    ) -> None:
        self.ko, self.en = ko, en
        self.accent = accent
        self._font, self._bold = font, bold_font or font
        self._notice: tuple[str, str] | None = None
        self.node = NodePath("label")
        self.node.set_scale(height)
        self.leader = NodePath("leader")  # built with the card
        self.lift = 0.0
        self._anchor = (0.0, 0.0, 0.0)
        #: The card's half width and its top above the tail's tip, in the label's own units
        #: (multiply by the node's scale for metres); set by every rebuild.
        self.extent = (0.0, 0.0)
        # Stay visible through buildings: no depth test, drawn after the city; no lights or
        # fog, so the card stays white at any distance.
        self.node.set_bin("fixed", LABEL_DRAW_ORDER)
        self.node.set_depth_test(False)
        self.node.set_depth_write(False)
        self.node.set_light_off(1)
        self.node.set_fog_off(1)
        self.node.set_antialias(AntialiasAttrib.M_multisample)
        self._build()

    # -- placing ---------------------------------------------------------------------------

    def set_pos(self, x: float, y: float, z: float) -> None:
        """Put the tip of the label's tail at (x, y, z) in its parent's space (the point it
        names, its anchor; a lift is cleared)."""
        self._anchor = (x, y, z)
        self.set_lift(0.0)
        self.node.set_pos(x, y, z)

    @property
    def anchor(self) -> tuple[float, float, float]:
        """The point the label names, in its parent's space (where ``set_pos`` put it)."""
        return self._anchor

    def face(self, camera: NodePath) -> None:
        """Turn the label parallel to ``camera``'s picture plane, upright on screen (a
        billboard that faces the film, not the eye point, so its screen rectangle is exact)."""
        self.node.set_quat(camera, Quat.ident_quat())

    def set_lift(self, lift: float, up: tuple[float, float, float] = (0.0, 0.0, 1.0)) -> None:
        """Raise the label ``lift`` (its own units) above its anchor along ``up`` (a unit
        vector in the parent's space: the camera's up, for a label facing it), with a leader
        line down to the anchor; 0 puts the tail's tip back on the anchor."""
        lift = max(0.0, lift)
        self.lift = lift
        step = lift * self.node.get_sz()
        ax, ay, az = self._anchor
        self.node.set_pos(ax + up[0] * step, ay + up[1] * step, az + up[2] * step)
        if lift > 0.0:
            self.leader.set_sz(lift)
            self.leader.show()
        else:
            self.leader.hide()

    def reparent_to(self, parent: NodePath) -> None:
        """Attach the label under ``parent`` (usually the world or ``base.render``)."""
        self.node.reparent_to(parent)

    def destroy(self) -> None:
        """Remove the label from the scene."""
        self.node.remove_node()

    # -- notice ----------------------------------------------------------------------------

    @property
    def notice(self) -> tuple[str, str] | None:
        """The red notice line as (Korean, English), or None."""
        return self._notice

    def set_notice(self, ko: str, en: str) -> None:
        """Show a red notice under the names, e.g. "데모를 사용할 수 없습니다" / "Demo
        unavailable"."""
        if self._notice != (ko, en):
            self._notice = (ko, en)
            self._build()

    def clear_notice(self) -> None:
        """Remove the notice line."""
        if self._notice is not None:
            self._notice = None
            self._build()

    def text(self) -> list[str]:
        """The strings drawn, top to bottom."""
        names = [self.ko] + ([self.en] if self.en and self.en != self.ko else [])
        return names + (list(self._notice_lines()) if self._notice else [])

    # -- drawing ---------------------------------------------------------------------------

    def _notice_lines(self) -> Iterable[str]:
        assert self._notice is not None
        ko, en = self._notice
        return (f"{ko} · {en}",) if ko != en else (ko,)

    def _build(self) -> None:
        self.node.node().remove_all_children()
        # The leader line hangs from the tail's tip down to the anchor (unit length, scaled
        # by ``set_lift``); first, so the card is drawn over its top end.
        self.leader = polygon_node("leader", [(-_LEADER_W / 2, -1.0), (_LEADER_W / 2, -1.0),
                                              (_LEADER_W / 2, 0.0), (-_LEADER_W / 2, 0.0)],
                                   LEADER_INK)
        self.leader.reparent_to(self.node)
        # Every leader is drawn before every card (the cards' orders start at
        # LABEL_DRAW_ORDER, stack_by_distance raises them): a leader passing a card on its way
        # up runs behind it, where over it, it crossed the other label's text.
        self.leader.set_bin("fixed", LABEL_DRAW_ORDER - 1)
        self.leader.set_sz(max(self.lift, 1e-3))
        if self.lift <= 0.0:
            self.leader.hide()
        # (node, scale, baseline) top down from z = 0; shifted onto the tail below. A name
        # given in one language only (a landmark without an English name) is one line.
        lines: list[tuple[TextNode, float]] = [
            (text_node(key, text, font, ink), scale)
            for key, text, font, ink, scale in (
                ("ko", self.ko, self._bold, KOREAN_INK, 1.0),
                ("en", self.en, self._font, ENGLISH_INK, _EN_SCALE))
            if key == "ko" or (text and text != self.ko)
        ]
        if self._notice is not None:
            for text in self._notice_lines():
                lines.append((text_node("notice", text, self._font, NOTICE_INK), _NOTICE_SCALE))
        width = max(node.get_width() * scale for node, scale in lines)
        z = -(_STRIP + _PAD_TOP)
        placed: list[tuple[TextNode, float, float]] = []
        for i, (node, scale) in enumerate(lines):
            z -= ASCENT * scale + (_LINE_GAP if i else 0.0)
            placed.append((node, scale, z))
            z -= DESCENT * scale
        bottom = z - _PAD_BOTTOM
        lift = _TAIL_H - bottom  # the card's bottom edge sits on top of the tail
        half = width / 2 + _PAD_X
        top = lift
        card = rounded_outline(-half, _TAIL_H, half, top, _RADIUS)
        # The tail goes into the bottom edge; the outline stays star-shaped about the card's
        # centre, so one fan fills card and tail with no seam between them.
        with_tail = [card[0], (-_TAIL_W / 2, _TAIL_H), (0.0, 0.0), (_TAIL_W / 2, _TAIL_H),
                     *card[1:]]
        centre = (0.0, (top + _TAIL_H) / 2)
        shadow = [(x + 0.06, z - 0.09) for x, z in with_tail]
        self.extent = (half, top)
        polygon_node("shadow", shadow, SHADOW, (0.06, centre[1] - 0.09)).reparent_to(self.node)
        polygon_node("card", with_tail, CARD, centre).reparent_to(self.node)
        polygon_node("accent", clip_above(card, top - _STRIP), (*self.accent, 1.0)).reparent_to(
            self.node
        )
        for node, scale, baseline in placed:
            np_ = self.node.attach_new_node(node)
            np_.set_scale(scale)
            np_.set_z(baseline + lift)


def stack_by_distance(labels: Iterable[BilingualLabel], viewpoint: NodePath) -> None:
    """Draw nearer labels over farther ones: reorder their draw orders by distance from
    ``viewpoint`` (the camera). Cheap; call it each frame when labels can overlap."""
    ranked = sorted(labels, key=lambda lb: -lb.node.get_pos(viewpoint).length_squared())
    for rank, label in enumerate(ranked):
        order = LABEL_DRAW_ORDER + rank
        if label.node.get_bin_draw_order() != order:
            label.node.set_bin("fixed", order)
