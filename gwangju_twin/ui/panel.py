"""PanelView: draws a plugin's Panel (gwangju_twin.plugins.panel) as a card on screen.

The card is docked at the right edge of the screen (below the toolbar when the window is
too narrow for both side by side): a dark, opaque rounded board (labels behind it must
not show through) with the title beside a strip in the sector's colour, an optional red notice, the
plugin's lines (wrapped), its items (legends, charts, gauges, images: ui/legend.py,
ui/chart.py, ui/gauge.py, ui/picture.py) and its buttons. ``refresh()`` redraws only when the
Panel changed, so the host can call it every frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from direct.gui.DirectButton import DirectButton
from panda3d.core import AntialiasAttrib, NodePath, Point3, TextFont, TextNode

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

# Layout in aspect2d units: the screen is 2 units tall, so 0.1 is 54 px at 1080p.
WIDTH = 0.9
MARGIN = 0.05  # from the screen's edges
_PAD = 0.05
_RADIUS = 0.03
_TITLE_SCALE, _LINE_SCALE, _BUTTON_SCALE = 0.064, 0.05, 0.052
_BUTTON_HEIGHT = 0.1  # a comfortable click target: 54 px at 1080p, 36 px at 720p
_BUTTON_GAP = 0.022
_LINE_GAP = 0.02
_ITEM_GAP = 0.045  # between items, and between the lines and the first item
#: Reserved widgets reaching this far below the panel's top edge push it down.
_TOP_BAND = 0.3

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
        self._dock: tuple[float, float, float] | None = None  # where it was docked last
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

    def text(self) -> list[str]:
        """What the card says: title, notice, lines, each item's text (as ``Panel.text``
        gives it), then button labels."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _clear(self) -> None:
        for button in self._buttons:
            button.destroy()  # also drops its event hooks and its entry in DirectGUI's registry
        self._buttons.clear()
        if not self._root.is_empty():
            self._root.node().remove_all_children()
        self._drawn = []

    def _pick(self, ko: str, en: str) -> str:
        return en if self._language == "en" else ko

    def _rebuild(self) -> None:
        self._clear()
        self.rebuilds += 1
        p = self.panel
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

        for line in p.lines:
            text = self._pick(line.ko, line.en)
            node = text_node(f"line-{line.key}", keep_together(text), self._font, LINE_INK,
                             TextNode.A_left, inner / _LINE_SCALE)
            z = self._place(content, node, x0, z, _LINE_SCALE) - _LINE_GAP
            self._drawn.append(text)

        if p.items:
            pen = Pen(self._font, self._bold, self._language, p.accent)
            z -= _ITEM_GAP - _LINE_GAP if p.lines else 0.0
            for item in p.items:
                node_ = content.attach_new_node(f"item-{item.key}")
                z = _draw_item(node_, item, pen, x0, z, inner) - _ITEM_GAP
                self._drawn.append(item.text(self._language))
            z += _ITEM_GAP - _LINE_GAP

        if p.buttons:
            z -= 0.03
        for button in p.buttons:
            self._buttons.append(self._button(content, button, x0, z, inner))
            self._drawn.append(self._pick(button.ko, button.en))
            z -= _BUTTON_HEIGHT + _BUTTON_GAP
        if p.buttons:
            z += _BUTTON_GAP

        self._height = -(z - _PAD)
        board = polygon_node("board", rounded_outline(-WIDTH, -self._height, 0.0, 0.0, _RADIUS),
                             BOARD)
        board.reparent_to(self._root)
        content.reparent_to(self._root)  # after the board, so drawn over it (fixed bin)
        reserve(self._root, -WIDTH, -self._height, 0.0, 0.0)  # labels stay out from under it

    def _place(self, parent: NodePath, node: TextNode, x: float, z: float, scale: float
               ) -> float:
        """Put a (possibly wrapped) text block with its top at ``z``; return its bottom."""
        return place_block(parent, node, x, z, scale)[1]

    def _button(self, parent: NodePath, button: PanelButton, x0: float, top: float,
                width: float) -> DirectButton:
        accent = self.panel.accent
        half_w, half_h = width / 2, _BUTTON_HEIGHT / 2

        def face(color: RGBA) -> NodePath:
            return polygon_node("face", rounded_outline(-half_w, -half_h, half_w, half_h,
                                                        0.022), color)

        # One face per DirectButton state: ready, pressed, hover, disabled.
        faces = (face(shade(accent, -0.08)), face(shade(accent, -0.3)),
                 face(shade(accent, 0.16)), face((0.4, 0.4, 0.42, 1.0)))
        label = self._pick(button.ko, button.en)
        return DirectButton(
            parent=parent,
            relief=None,
            geom=faces,
            frameSize=(-half_w, half_w, -half_h, half_h),  # the click target
            pos=(x0 + half_w, 0, top - half_h),
            text=label,
            text_font=self._bold,
            text_scale=_BUTTON_SCALE,
            text_fg=_ink_on(shade(accent, -0.08)[:3]),
            # Baseline so the glyphs' visual centre sits on the button's centre line.
            text_pos=(0, -(ASCENT - DESCENT) / 2 * _BUTTON_SCALE),
            text_align=TextNode.A_center,
            text_wordwrap=None,
            # A no-argument command: ``button["command"]()`` is exactly what a click runs.
            command=partial(self._run, button.on_click),
            clickSound=None,
            rolloverSound=None,
            pressEffect=1,
        )

    def _keep_docked(self) -> None:
        """Keep the top-right corner MARGIN from the screen's top-right corner, in whatever
        units ``parent`` has (aspect2d's x range follows the window's shape)."""
        top = self._parent.get_top()
        corner = self._parent.get_relative_point(top, Point3(1.0, 0.0, 1.0))
        bottom = self._parent.get_relative_point(top, Point3(1.0, 0.0, -1.0))
        right, z_top = corner.x - MARGIN, corner.z - MARGIN
        # A reserved widget in the panel's column near the top (the toolbar, in a window
        # too narrow for both side by side) would cover the title: dock below it instead.
        for x0, z0, x1, z1 in reserved_rects(self._parent, exclude=self._root):
            if x1 > right - WIDTH and x0 < right and z1 > z_top - _TOP_BAND:
                z_top = min(z_top, z0 - MARGIN)
        dock = (round(corner.x, 5), round(corner.z, 5), round(z_top, 5))
        if dock == self._dock:
            return
        self._dock = dock
        # Shrink a very full panel so it never runs off the bottom of the screen.
        room = (z_top - bottom.z) - MARGIN
        self._root.set_scale(min(1.0, room / self._height) if self._height > 0 else 1.0)
        self._root.set_pos(right, 0.0, z_top)


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
