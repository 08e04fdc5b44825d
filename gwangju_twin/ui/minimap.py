"""Minimap: the district seen from above, at the bottom-left, with the visitor on it.

The map image (north up) is a texture on a card with a thin light frame; pavilions are dots
in their sector colours and the visitor an arrow pointing along the camera's heading.
Clicking the map calls ``on_click(x, y)`` with the world point under the pointer, so the
viewer can fly there. The + and − buttons zoom the map (1×, 2×, 4×) around the visitor by
moving the texture window, never redrawing the picture; ``set_visitor`` only moves and turns
one node (and the window, when zoomed): cheap every frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Protocol

import numpy as np
from direct.gui import DirectGuiGlobals
from direct.gui.DirectFrame import DirectFrame
from panda3d.core import (
    CardMaker,
    NodePath,
    Point3,
    SamplerState,
    TextFont,
    Texture,
    TextureStage,
)

from gwangju_twin.ui.catalogue import Catalogue
from gwangju_twin.ui.label import polygon_node, rounded_outline
from gwangju_twin.ui.reserve import reserve
from gwangju_twin.ui.theme import (
    ACCENT,
    ASCENT,
    FRAME_INK,
    MARGIN,
    ORDER_BAR,
    SMALL_SCALE,
    TITLE_INK,
    Widget,
    board,
    button,
    place_text,
)

_PAD = 0.02
_FRAME = 0.006  # the light line around the map
_DOT = 0.018  # pavilion dot radius
_ARROW = 0.06  # visitor arrow size
_OTHER = 0.012  # another visitor's dot radius (shared rooms)
_ZOOM_BUTTON = 0.09  # square; 48 px at 1080p, big enough for a finger
#: Zoom levels of the + and − buttons.
ZOOMS: tuple[int, ...] = (1, 2, 4)


class MapFrame(Protocol):
    """What the minimap needs of gwangju_twin.mesh.topdown.MapFrame: world (x, y) to map
    (u, v) in 0..1 (v = 1 at the north edge) and back."""

    def to_map(self, x: float, y: float) -> tuple[float, float]: ...

    def to_world(self, u: float, v: float) -> tuple[float, float]: ...


def image_texture(image: np.ndarray, name: str = "minimap") -> Texture:
    """A texture of an (h, w, 4) RGBA uint8 array whose row 0 is the top (north) row.

    Panda3D keeps texels bottom row first in B, G, R, A order.
    """
    if image.ndim != 3 or image.shape[2] != 4 or image.dtype != np.uint8:
        raise ValueError(f"minimap image is {image.dtype} {image.shape}; expected (h, w, 4) "
                         "uint8 RGBA")
    h, w = image.shape[:2]
    tex = Texture(name)
    tex.setup_2d_texture(w, h, Texture.T_unsigned_byte, Texture.F_rgba8)
    tex.set_ram_image(np.ascontiguousarray(image[::-1, :, [2, 1, 0, 3]]).tobytes())
    tex.set_wrap_u(SamplerState.WM_clamp)
    tex.set_wrap_v(SamplerState.WM_clamp)
    tex.set_minfilter(SamplerState.FT_linear_mipmap_linear)  # drawn smaller than its pixels
    tex.set_magfilter(SamplerState.FT_linear)
    return tex


class Minimap(Widget):
    """The map card; ``size`` is the map's height in aspect2d units (its width follows the
    image's shape). ``font``, ``catalogue`` and ``language`` draw the title."""

    def __init__(self, parent: NodePath, image: np.ndarray, frame: MapFrame,
                 pavilions: Sequence[tuple[tuple[float, float], tuple[float, float, float]]],
                 on_click: Callable[[float, float], None], size: float = 0.55, *,
                 font: TextFont, catalogue: Catalogue, language: str = "ko") -> None:
        super().__init__(parent, "minimap", catalogue, language, ORDER_BAR)
        self._frame, self._on_click = frame, on_click
        h, w = image.shape[:2]
        self.map_size = (size * w / h, size)  # width, height of the map itself
        mw, mh = self.map_size
        self.texture = image_texture(image)
        self.visitor_xy: tuple[float, float] | None = None

        self._title, bottom = place_text(NodePath("t"), "", font, SMALL_SCALE, 0, 0)
        title_h = -bottom
        # The map's lower-left corner, inside the card's padding and frame.
        x0, z0 = MARGIN + _PAD + _FRAME, MARGIN + _PAD + _FRAME
        top = z0 + mh + _FRAME + 0.012 + title_h + _PAD
        board(self._root, MARGIN, MARGIN, x0 + mw + _FRAME + _PAD, top, radius=0.02)
        reserve(self._root, MARGIN, MARGIN, x0 + mw + _FRAME + _PAD, top)  # no label over it
        self._title.reparent_to(self._root)
        self._title.set_pos(x0 - _FRAME, 0, top - _PAD - ASCENT * SMALL_SCALE)
        self._title.node().set_text_color(*TITLE_INK)
        board(self._root, x0 - _FRAME, z0 - _FRAME, x0 + mw + _FRAME, z0 + mh + _FRAME,
              FRAME_INK, 0.004, "map-frame")
        self.map_node = self._root.attach_new_node("map")  # (0, 0) = south-west corner
        self.map_node.set_pos(x0, 0, z0)
        cm = CardMaker("map-image")
        cm.set_frame(0, mw, 0, mh)  # uv 0..1 across it: v = 1 at the top (north)
        self._card = self.map_node.attach_new_node(cm.generate())
        self._card.set_texture(self.texture)
        self.zoom = 1
        self._window = (0.0, 0.0)  # the image (u, v) at the card's south-west corner
        self._dots: list[tuple[NodePath, float, float]] = []
        for (px, py), rgb in pavilions:
            u, v = frame.to_map(px, py)
            dot = self.map_node.attach_new_node("pavilion")
            ring = rounded_outline(-_DOT, -_DOT, _DOT, _DOT, _DOT, 4)
            polygon_node("ring", ring, (1, 1, 1, 1)).reparent_to(dot)
            core = [(x * 0.68, z * 0.68) for x, z in ring]
            polygon_node("dot", core, (*rgb, 1.0)).reparent_to(dot)
            dot.flatten_strong()  # ring and dot in one Geom: one draw call, not two
            self._dots.append((dot, u, v))
        self._place_dots()
        # The visitor: a white-edged arrow; its local +Z points along the heading.
        self.marker = self.map_node.attach_new_node("visitor")
        a = _ARROW
        polygon_node("edge", [(-0.62 * a, -0.55 * a), (0, -0.25 * a), (0.62 * a, -0.55 * a),
                              (0, 0.75 * a)], (1, 1, 1, 1), (0, 0)).reparent_to(self.marker)
        polygon_node("arrow", [(-0.42 * a, -0.38 * a), (0, -0.16 * a), (0.42 * a, -0.38 * a),
                               (0, 0.55 * a)], ACCENT, (0, 0)).reparent_to(self.marker)
        self.marker.flatten_strong()
        self.marker.hide()
        # Other visitors in a shared room (``set_others``): dots made as needed, kept for
        # reuse, above the pavilions' dots and below the visitor's arrow.
        self._others_root = self.map_node.attach_new_node("others")
        self.marker.reparent_to(self.map_node)  # drawn after (over) the others' dots
        self._others: list[NodePath] = []
        self._others_at: list[tuple[float, float]] = []
        # A clickable frame over the map: a press reports where, in render2d coordinates.
        self._click = DirectFrame(parent=self.map_node, relief=None,
                                  frameSize=(0, mw, 0, mh), state=DirectGuiGlobals.NORMAL)
        self._click.bind(DirectGuiGlobals.B1PRESS, self._pressed)
        self._frames.append(self._click)
        b = _ZOOM_BUTTON
        for n, (name, key, step) in enumerate((("zoom_in", "minimap.zoom_in", 1),
                                               ("zoom_out", "minimap.zoom_out", -1))):
            self.buttons[name] = button(
                self.map_node, self._t(key), font, partial(self.step_zoom, step),
                width=b, height=b, pos=(mw - b / 2 - 0.01, mh - b / 2 - 0.01 - n * (b + 0.01)),
                order=self.raised)
        self._relabel()

    @property
    def click_frame(self) -> DirectFrame:
        """The DirectFrame over the map that takes the clicks."""
        return self._click

    def _relabel(self) -> None:
        self._title.node().set_text(self._t("minimap.title"))

    def text(self) -> list[str]:
        """The title."""
        return [self._title.node().get_text()]

    def step_zoom(self, step: int) -> int:
        """Zoom in (``step`` > 0) or out by one level of ZOOMS; returns the new zoom."""
        k = min(max(ZOOMS.index(self.zoom) + step, 0), len(ZOOMS) - 1)
        self.zoom = ZOOMS[k]
        if self.visitor_xy is not None:
            self.set_visitor(*self.visitor_xy, self.marker.get_r())
        else:
            self._set_window(0.5, 0.5)
        return self.zoom

    def _set_window(self, cu: float, cv: float) -> None:
        # The window is 1/zoom of the image, centred on (cu, cv) but never past its edges.
        span = 1.0 / self.zoom
        u0 = min(max(cu - span / 2, 0.0), 1.0 - span)
        v0 = min(max(cv - span / 2, 0.0), 1.0 - span)
        if (u0, v0) == self._window and self._card.get_tex_scale(
                TextureStage.get_default())[0] == span:
            return
        self._window = (u0, v0)
        stage = TextureStage.get_default()
        self._card.set_tex_scale(stage, span, span)
        self._card.set_tex_offset(stage, u0, v0)
        self._place_dots()
        self._place_others()

    def _on_card(self, u: float, v: float) -> tuple[float, float]:
        """Image (u, v) to the card's own (0..1, 0..1) under the current zoom window."""
        u0, v0 = self._window
        return (u - u0) * self.zoom, (v - v0) * self.zoom

    def _place_dots(self) -> None:
        mw, mh = self.map_size
        for dot, u, v in self._dots:
            cu, cv = self._on_card(u, v)
            dot.set_pos(cu * mw, 0, cv * mh)
            (dot.show if 0.0 <= cu <= 1.0 and 0.0 <= cv <= 1.0 else dot.hide)()

    def set_visitor(self, x: float, y: float, heading_deg: float) -> None:
        """Put the visitor marker at world (x, y), pointing along compass ``heading_deg``
        (clockwise from north). Outside the map, it waits at the nearest edge. Zoomed in,
        the map follows the visitor."""
        u, v = self._frame.to_map(x, y)
        if self.zoom > 1:
            self._set_window(u, v)
        u, v = self._on_card(u, v)
        mw, mh = self.map_size
        self.marker.set_pos(min(1.0, max(0.0, u)) * mw, 0, min(1.0, max(0.0, v)) * mh)
        # Roll turns the XZ plane clockwise as seen on screen, as a compass heading does.
        self.marker.set_r(heading_deg % 360.0)
        self.marker.show()
        self.visitor_xy = (x, y)

    def set_others(self, others: Sequence[tuple[float, float, tuple[float, float, float]]]
                   ) -> None:
        """Show other visitors as small dots at world (x, y) in their (r, g, b) colours
        (0..1); an empty list hides them all. Cheap each frame: dots are reused."""
        while len(self._others) < len(others):
            dot = self._others_root.attach_new_node("other")
            ring = rounded_outline(-_OTHER, -_OTHER, _OTHER, _OTHER, _OTHER, 4)
            polygon_node("ring", ring, (1, 1, 1, 1)).reparent_to(dot)
            polygon_node("dot", [(x * 0.62, z * 0.62) for x, z in ring], (1, 1, 1, 1)
                         ).reparent_to(dot)
            self._others.append(dot)
        self._others_at = [(x, y) for x, y, _ in others]
        for dot, (_, _, colour) in zip(self._others, others, strict=False):
            dot.find("dot").set_color(*colour, 1.0)
        for dot in self._others[len(others):]:
            dot.hide()
        self._place_others()

    def _place_others(self) -> None:
        mw, mh = self.map_size
        for dot, (x, y) in zip(self._others, self._others_at, strict=False):
            cu, cv = self._on_card(*self._frame.to_map(x, y))
            dot.set_pos(cu * mw, 0, cv * mh)
            (dot.show if 0.0 <= cu <= 1.0 and 0.0 <= cv <= 1.0 else dot.hide)()

    def click_uv(self, u: float, v: float) -> tuple[float, float]:
        """Act on a click at card point (u, v) (0..1 across the map as shown, v = 1 at the
        top): calls ``on_click`` with the world point there and returns it."""
        u0, v0 = self._window
        x, y = self._frame.to_world(u0 + u / self.zoom, v0 + v / self.zoom)
        self._on_click(x, y)
        return x, y

    def uv_at(self, x2d: float, y2d: float) -> tuple[float, float]:
        """The card point (u, v) under render2d point (x2d, y2d) (e.g. the mouse)."""
        local = self.map_node.get_relative_point(self.map_node.get_top(),
                                                 Point3(x2d, 0, y2d))
        mw, mh = self.map_size
        return local.x / mw, local.z / mh

    def _pressed(self, param: Any) -> None:
        mouse = param.getMouse()
        u, v = self.uv_at(mouse.x, mouse.y)
        if 0.0 <= u <= 1.0 and 0.0 <= v <= 1.0 and math.isfinite(u + v):
            self.click_uv(u, v)
