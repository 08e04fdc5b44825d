"""PanelView: draws a plugin's Panel (gwangju_twin.plugins.panel) as a card on screen.

The card is docked at the right edge of the screen (below the toolbar when the window is
too narrow for both side by side): a dark, opaque rounded board (labels behind it must
not show through) with the title beside a strip in the sector's colour, an optional red notice, the
plugin's lines (wrapped), its items (legends, charts, gauges, images: ui/legend.py,
ui/chart.py, ui/gauge.py, ui/picture.py) and its buttons. ``refresh()`` redraws only when the
Panel changed, so the host can call it every frame.

A panel taller than the screen first shrinks, but never below ``MIN_SCALE`` (its buttons stay
touch-sized); beyond that its body (lines and items) scrolls between the title and the
buttons, with ▲ and ▼ buttons under it (and the wheel over it), and keeps its place when the
plugin updates it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from direct.gui.DirectButton import DirectButton
from direct.gui.DirectFrame import DirectFrame
from direct.gui.DirectGuiGlobals import DISABLED, NORMAL
from panda3d.core import (
    AntialiasAttrib,
    NodePath,
    Plane,
    PlaneNode,
    Point3,
    TextFont,
    TextNode,
    Vec3,
)

from gwangju_twin.plugins.panel import (
    Panel,
    PanelButton,
    PanelChart,
    PanelGauge,
    PanelItem,
    PanelLegend,
)
from gwangju_twin.ui.catalogue import check_language
from gwangju_twin.ui.chart import draw_chart
from gwangju_twin.ui.gauge import draw_gauge
from gwangju_twin.ui.ink import BOARD, LINE_INK, RULE, TITLE_INK, Pen
from gwangju_twin.ui.label import (
    ASCENT,
    DESCENT,
    RGBA,
    place_block,
    polygon_node,
    rounded_outline,
    shade,
    text_node,
)
from gwangju_twin.ui.legend import draw_legend
from gwangju_twin.ui.picture import draw_image
from gwangju_twin.ui.reserve import reserve, reserved_rects
from gwangju_twin.ui.theme import shorten, text_width

# Layout in aspect2d units: the screen is 2 units tall, so 0.1 is 54 px at 1080p.
WIDTH = 0.9
MARGIN = 0.05  # from the screen's edges
_PAD = 0.05
_RADIUS = 0.03
_TITLE_SCALE, _LINE_SCALE, _BUTTON_SCALE = 0.064, 0.05, 0.052
_BUTTON_HEIGHT = 0.1  # a comfortable click target: 54 px at 1080p, 36 px at 720p
_BUTTON_PAD = 0.02  # at least this much between a button's label and its edges
_BUTTON_GAP = 0.022
_LINE_GAP = 0.02
_ITEM_GAP = 0.045  # between items, and between the lines and the first item
#: Reserved widgets reaching this far below the panel's top edge push it down.
_TOP_BAND = 0.3
#: The smallest a full panel is drawn: its buttons stay 48 px tall at 1080p.
MIN_SCALE = 0.9
_MIN_BODY = 0.3  # the least of a scrolling body left in view
_SCROLL_ROW = 0.022 + _BUTTON_HEIGHT  # the gap above the ▲ ▼ buttons, and their height
#: A card docks below a reserved widget only if this much height is left for it there.
_MIN_ROOM = 0.6

NOTICE_INK: RGBA = (1.0, 0.50, 0.50, 1.0)
NOTICE_FILL: RGBA = (0.85, 0.16, 0.18, 0.22)


#: A space before a one-character word that ends the text or a clause ("° E", "° N,").
_LONE = re.compile(r" (?=\w(?:[,;.)]|$))")


def keep_together(text: str) -> str:
    """``text`` with a no-break space before every one-character word at the end of the
    text or of a clause, so wrapping never leaves it alone on a line (a lon/lat line must
    not end with a lone "E" on a row of its own)."""
    return _LONE.sub("\u00a0", text)


def _ink_on(rgb: tuple[float, float, float]) -> RGBA:
    """Black or white text, whichever reads better on ``rgb`` (relative luminance)."""
    lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return (0.08, 0.08, 0.10, 1.0) if lum > 0.55 else (1.0, 1.0, 1.0, 1.0)


class PanelView:
    """Draws ``panel`` under ``parent`` (usually ``base.aspect2d``), docked at the right edge.

    ``run`` calls a button's ``on_click``; the host passes a runner that isolates plugin
    faults. ``bold_font`` (default ``font``) draws the title.
    """

    def __init__(
        self,
        panel: Panel,
        parent: NodePath,
        font: TextFont,
        *,
        language: str = "ko",
        run: Callable[[Callable[[], None]], None] = lambda f: f(),
        bold_font: TextFont | None = None,
    ) -> None:
        self.panel = panel
        self._parent = parent
        self._font, self._bold = font, bold_font or font
        self._run = run
        self._language = check_language(language)
        self._root = parent.attach_new_node("panel-view")
        self._root.set_antialias(AntialiasAttrib.M_multisample)
        # In the fixed bin, parts with equal draw order are drawn in scene-graph order:
        # board, then text and buttons over it, whatever their transparency.
        self._root.set_bin("fixed", 0)
        self._buttons: list[DirectButton] = []
        self._drawn: list[str] = []
        self._drawn_key: Any = None
        self._height = 0.0
        self._body = (0.0, 0.0)  # the body's top and bottom (lines and items), card units
        self._cut = 0.0  # how much of the body is out of view (0: it all fits)
        self._scroll = 0.0  # how far the body is scrolled up, 0.._cut
        self._scroll_buttons: list[DirectButton] = []
        self._wheel: DirectFrame | None = None  # catches the wheel over a scrolling body
        self._dock: tuple[float, float, float] | None = None  # where it was docked last
        # The buttons drawn, by what they show: a rebuild for new lines keeps them, so a
        # tap that lands while a demo updates its text is not lost with a destroyed button.
        self._buttons_key: Any = None
        self._buttons_top = 0.0  # where the first button's top was drawn (card units)
        self.rebuilds = 0  # how many times the card was rebuilt (for tests and profiling)
        self.refresh()

    # -- public ----------------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The language shown, "ko" or "en"."""
        return self._language

    @property
    def node(self) -> NodePath:
        """The card's NodePath (its origin is the card's top-right corner)."""
        return self._root

    @property
    def buttons(self) -> list[DirectButton]:
        """The DirectButtons drawn, in the panel's order."""
        return list(self._buttons)

    def set_language(self, language: str) -> None:
        """Show the panel in ``language`` ("ko" or "en")."""
        self._language = check_language(language)
        self.refresh()

    def refresh(self) -> None:
        """Redraw if the panel, its notice or the language changed since the last draw, and
        keep the card docked if the window changed shape; otherwise nothing happens."""
        if self._root.is_empty():
            return  # destroyed
        p = self.panel
        key = (p.revision, p.notice, p.accent, p.title_ko, p.title_en, self._language)
        if key != self._drawn_key:
            self._rebuild()
            self._drawn_key = key
            self._dock = None
        self._keep_docked()

    def show(self) -> None:
        """Show the card (after ``hide``)."""
        self._root.show()

    def hide(self) -> None:
        """Hide the card; it keeps its widgets and state."""
        self._root.hide()

    def is_hidden(self) -> bool:
        """Whether the card is hidden."""
        return self._root.is_empty() or self._root.is_hidden()

    def destroy(self) -> None:
        """Remove the card and its buttons for good."""
        self._clear()
        if not self._root.is_empty():
            self._root.remove_node()

    @property
    def scroll_buttons(self) -> list[DirectButton]:
        """The ▲ and ▼ buttons, while the body scrolls (else none)."""
        return list(self._scroll_buttons)

    @property
    def scrollable(self) -> float:
        """How much of the body (aspect2d units of the card) is out of view: 0 when the
        whole panel fits on the screen."""
        return self._cut

    def scroll(self, steps: int) -> None:
        """Scroll the body ``steps`` pages down (negative: up), as the ▼ and ▲ buttons do;
        nothing happens when it all fits."""
        if self._cut <= 0.0:
            return
        page = 0.75 * (self._body[0] - self._body[1] - self._cut)
        self._scroll = min(self._cut, max(0.0, self._scroll + steps * page))
        self._place_body()

    def text(self) -> list[str]:
        """What the card says: title, notice, lines, each item's text (as ``Panel.text``
        gives it), then button labels."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _clear(self, keep_buttons: bool = False) -> None:
        self._drop_scrolling()
        if not keep_buttons:
            for button in self._buttons:
                button.destroy()  # drops its event hooks and its entry in DirectGUI's registry
            self._buttons.clear()
            self._buttons_key = None
        if not self._root.is_empty():
            self._root.node().remove_all_children()
        self._drawn = []

    def _pick(self, ko: str, en: str) -> str:
        return en if self._language == "en" else ko

    def _rebuild(self) -> None:
        p = self.panel
        buttons_key = (tuple((b.key, b.ko, b.en) for b in p.buttons), self._language, p.accent)
        kept = NodePath()
        if buttons_key == self._buttons_key and self._buttons:
            kept = self._root.find("content/foot/buttons")
            if not kept.is_empty():
                kept.detach_node()  # out of the way of _clear, buttons and all
        self._clear(keep_buttons=not kept.is_empty())
        self.rebuilds += 1
        inner = WIDTH - 2 * _PAD
        x0 = -WIDTH + _PAD  # the card's origin is its top-right corner
        content = self._root.attach_new_node("content")
        z = -_PAD

        # Title beside an accent strip.
        title = self._pick(p.title_ko, p.title_en)
        strip_w, strip_gap = 0.012, 0.022
        node = text_node("title", title, self._bold, TITLE_INK, TextNode.A_left,
                         (inner - strip_w - strip_gap) / _TITLE_SCALE)
        top = z
        z = self._place(content, node, x0 + strip_w + strip_gap, z, _TITLE_SCALE)
        polygon_node("title-accent", rounded_outline(x0, z, x0 + strip_w, top, 0.004, 2),
                     (*p.accent, 1.0)).reparent_to(content)
        self._drawn.append(title)
        z -= 0.03
        polygon_node("rule", [(x0, z - 0.003), (x0 + inner, z - 0.003), (x0 + inner, z),
                              (x0, z)], RULE).reparent_to(content)
        z -= 0.003 + 0.028

        if p.notice is not None:
            notice = self._pick(p.notice.ko, p.notice.en)
            fill = content.attach_new_node("notice-fill")  # first, so it is drawn under
            pad = 0.018
            node = text_node("notice", notice, self._font, NOTICE_INK, TextNode.A_left,
                             (inner - 2 * pad) / _LINE_SCALE)
            top = z
            z = self._place(content, node, x0 + pad, z - pad, _LINE_SCALE) - pad
            polygon_node("notice-box", rounded_outline(x0, z, x0 + inner, top, 0.014),
                         NOTICE_FILL).reparent_to(fill)
            self._drawn.append(notice)
            z -= 0.026

        body = content.attach_new_node("body")  # what scrolls when the panel is too tall
        body_top = z
        for line in p.lines:
            text = self._pick(line.ko, line.en)
            node = text_node(f"line-{line.key}", keep_together(text), self._font, LINE_INK,
                             TextNode.A_left, inner / _LINE_SCALE)
            z = self._place(body, node, x0, z, _LINE_SCALE) - _LINE_GAP
            self._drawn.append(text)

        if p.items:
            pen = Pen(self._font, self._bold, self._language, p.accent)
            z -= _ITEM_GAP - _LINE_GAP if p.lines else 0.0
            for item in p.items:
                node_ = body.attach_new_node(f"item-{item.key}")
                z = _draw_item(node_, item, pen, x0, z, inner) - _ITEM_GAP
                self._drawn.append(item.text(self._language))
            z += _ITEM_GAP - _LINE_GAP
        self._body = (body_top, z)

        foot = content.attach_new_node("foot")  # the buttons, under the body
        if p.buttons:
            z -= 0.03
        if not kept.is_empty():
            # The same buttons as drawn last time: moved to where they now go.
            kept.reparent_to(foot)
            kept.set_z(z - self._buttons_top)
        else:
            holder = foot.attach_new_node("buttons")
            self._buttons_top = z
            for index, button in enumerate(p.buttons):
                self._buttons.append(self._button(holder, index, button, x0,
                                                  z - index * (_BUTTON_HEIGHT + _BUTTON_GAP),
                                                  inner))
            self._buttons_key = buttons_key
        for button in p.buttons:
            self._drawn.append(self._pick(button.ko, button.en))
            z -= _BUTTON_HEIGHT + _BUTTON_GAP
        if p.buttons:
            z += _BUTTON_GAP

        self._height = -(z - _PAD)
        content.reparent_to(self._root)  # the board goes in front of it: see _fit

    def _place(self, parent: NodePath, node: TextNode, x: float, z: float, scale: float
               ) -> float:
        """Put a (possibly wrapped) text block with its top at ``z``; return its bottom."""
        return place_block(parent, node, x, z, scale)[1]

    def _click(self, index: int) -> None:
        """Run the ``index``-th button's ``on_click`` as the panel has it now: a button kept
        across rebuilds runs what the demo last gave it."""
        buttons = self.panel.buttons
        if index < len(buttons):
            self._run(buttons[index].on_click)

    def _button(self, parent: NodePath, index: int, button: PanelButton, x0: float,
                top: float, width: float) -> DirectButton:
        accent = self.panel.accent
        half_w, half_h = width / 2, _BUTTON_HEIGHT / 2

        def face(color: RGBA) -> NodePath:
            return polygon_node("face", rounded_outline(-half_w, -half_h, half_w, half_h,
                                                        0.022), color)

        # One face per DirectButton state: ready, pressed, hover, disabled.
        faces = (face(shade(accent, -0.08)), face(shade(accent, -0.3)),
                 face(shade(accent, 0.16)), face((0.4, 0.4, 0.42, 1.0)))
        label, scale = self._fitted(self._pick(button.ko, button.en), width)
        return DirectButton(
            parent=parent,
            relief=None,
            geom=faces,
            frameSize=(-half_w, half_w, -half_h, half_h),  # the click target
            pos=(x0 + half_w, 0, top - half_h),
            text=label,
            text_font=self._bold,
            text_scale=scale,
            text_fg=_ink_on(shade(accent, -0.08)[:3]),
            # Baseline so the glyphs' visual centre sits on the button's centre line.
            text_pos=(0, -(ASCENT - DESCENT) / 2 * scale),
            text_align=TextNode.A_center,
            text_wordwrap=None,
            # A no-argument command: ``button["command"]()`` is exactly what a click runs.
            command=partial(self._click, index),
            clickSound=None,
            rolloverSound=None,
            pressEffect=1,
        )

    def _fitted(self, label: str, width: float) -> tuple[str, float]:
        """A button's label and text scale so that it stays inside the button: smaller, to
        four fifths of the usual size, then shortened with an ellipsis (a long English
        label ran out of both ends of its button, clipped)."""
        room = width - 2 * _BUTTON_PAD
        full = text_width(self._bold, label, _BUTTON_SCALE)
        if full <= room:
            return label, _BUTTON_SCALE
        scale = max(_BUTTON_SCALE * 0.8, _BUTTON_SCALE * room / full)
        return shorten(self._bold, label, scale, room), scale

    def _keep_docked(self) -> None:
        """Keep the top-right corner MARGIN from the screen's top-right corner, in whatever
        units ``parent`` has (aspect2d's x range follows the window's shape)."""
        top = self._parent.get_top()
        corner = self._parent.get_relative_point(top, Point3(1.0, 0.0, 1.0))
        bottom = self._parent.get_relative_point(top, Point3(1.0, 0.0, -1.0))
        right, z_top = corner.x - MARGIN, corner.z - MARGIN
        # A reserved widget in the panel's column near the top (the toolbar, in a window
        # too narrow for both side by side) would cover the title: dock below it instead.
        # Below a widget that fills the column (a demo's tall panel, in a small kiosk
        # window) a building's card would shrink to nothing, even to a negative, mirrored
        # scale: it covers that widget instead.
        for x0, z0, x1, z1 in reserved_rects(self._parent, exclude=self._root):
            if (x1 > right - WIDTH and x0 < right and z1 > z_top - _TOP_BAND
                    and (z0 - MARGIN) - bottom.z - MARGIN >= _MIN_ROOM):
                z_top = min(z_top, z0 - MARGIN)
        dock = (round(corner.x, 5), round(corner.z, 5), round(z_top, 5))
        if dock == self._dock:
            return
        self._dock = dock
        self._fit((z_top - bottom.z) - MARGIN)
        self._root.set_pos(right, 0.0, z_top)

    def _fit(self, room: float) -> None:
        """Fit the card into ``room`` (its parent's units) below its top: shrink it, down
        to MIN_SCALE, then let the body scroll; draw the board at the height shown."""
        full, (body_top, body_bottom) = self._height, self._body
        body_h = body_top - body_bottom
        scale, cut = min(1.0, room / full) if full > 0 else 1.0, 0.0
        if scale < MIN_SCALE and body_h > _MIN_BODY:
            scale = MIN_SCALE
            cut = min(body_h - _MIN_BODY, full + _SCROLL_ROW - room / scale)
            scale = min(MIN_SCALE, room / (full - cut + _SCROLL_ROW))
        self._root.set_scale(scale)
        self._cut = cut
        self._scroll = min(self._scroll, cut)
        content = self._root.find("content")
        for old in [*self._root.find_all_matches("board"), *content.find_all_matches("clip-*")]:
            old.remove_node()
        self._drop_scrolling()
        body, foot = content.find("body"), content.find("foot")
        body.clear_clip_plane()
        foot.set_z(0.0)
        shown = full
        if cut > 0.0:
            # Two clip planes keep the body between its top and the visible part's bottom
            # (a plane keeps the side its normal points to).
            visible_bottom = body_top - (body_h - cut)
            for name, normal, z in (("clip-top", -1.0, body_top),
                                    ("clip-bottom", 1.0, visible_bottom)):
                plane = content.attach_new_node(
                    PlaneNode(name, Plane(Vec3(0, 0, normal), Point3(0, 0, z))))
                body.set_clip_plane(plane)
            foot.set_z(cut - _SCROLL_ROW)
            self._scroll_buttons = self._scroll_row(content, visible_bottom - 0.022)
            # The wheel over the body scrolls it; the frame also keeps the wheel and clicks
            # there from reaching the camera and the city behind the card.
            self._wheel = DirectFrame(parent=content, relief=None, state=NORMAL,
                                      suppressMouse=1,
                                      frameSize=(-WIDTH, 0.0, visible_bottom, body_top))
            self._wheel.bind("press-wheel_up-", lambda _: self.scroll(-1))
            self._wheel.bind("press-wheel_down-", lambda _: self.scroll(1))
            shown = full - cut + _SCROLL_ROW
        board = polygon_node("board", rounded_outline(-WIDTH, -shown, 0.0, 0.0, _RADIUS), BOARD)
        board.reparent_to(self._root)
        content.reparent_to(self._root)  # after the board, so drawn over it (fixed bin)
        reserve(self._root, -WIDTH, -shown, 0.0, 0.0)  # labels stay out from under it
        self._place_body()

    def _scroll_row(self, parent: NodePath, top: float) -> list[DirectButton]:
        """The ▲ and ▼ buttons, side by side under the visible body."""
        inner = WIDTH - 2 * _PAD
        half_w, half_h = (inner - _BUTTON_GAP) / 4, (_SCROLL_ROW - 0.022) / 2
        made = []
        for i, (name, glyph, steps) in enumerate((("scroll-up", "▲", -1),
                                                   ("scroll-down", "▼", 1))):
            faces = tuple(polygon_node("face", rounded_outline(-half_w, -half_h, half_w,
                                                               half_h, 0.022), color)
                          for color in ((0.21, 0.23, 0.28, 1.0), (0.15, 0.16, 0.2, 1.0),
                                        (0.3, 0.32, 0.38, 1.0), (0.14, 0.15, 0.17, 1.0)))
            made.append(DirectButton(
                parent=parent, relief=None, geom=faces, frameSize=(-half_w, half_w, -half_h,
                                                                   half_h),
                pos=(-WIDTH + _PAD + half_w + i * (2 * half_w + _BUTTON_GAP), 0, top - half_h),
                text=glyph, text_font=self._font, text_scale=_LINE_SCALE, text_fg=TITLE_INK,
                text_pos=(0, -(ASCENT - DESCENT) / 2 * _LINE_SCALE), text_align=TextNode.A_center,
                command=partial(self.scroll, steps), clickSound=None, rolloverSound=None,
                pressEffect=1))
            made[-1].set_name(name)
        return made

    def _drop_scrolling(self) -> None:
        for item in [*self._scroll_buttons, *([self._wheel] if self._wheel else [])]:
            item.destroy()  # also drops its event hooks and its entry in DirectGUI's registry
        self._scroll_buttons.clear()
        self._wheel = None

    def _place_body(self) -> None:
        body = self._root.find("content/body")
        if not body.is_empty():
            body.set_z(self._scroll)
        for button, at_end in zip(self._scroll_buttons, (self._scroll <= 0.0,
                                                          self._scroll >= self._cut),
                                  strict=False):
            button["state"] = DISABLED if at_end else NORMAL


def _draw_item(parent: NodePath, item: PanelItem, pen: Pen, x0: float, top: float,
               width: float) -> float:
    """Draw any panel item; returns its bottom."""
    if isinstance(item, PanelLegend):
        return draw_legend(parent, item, pen, x0, top, width)
    if isinstance(item, PanelChart):
        return draw_chart(parent, item, pen, x0, top, width)
    if isinstance(item, PanelGauge):
        return draw_gauge(parent, item, pen, x0, top, width)
    return draw_image(parent, item, pen, x0, top, width)


__all__ = ["PanelView"]
