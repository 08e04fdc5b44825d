"""The look every on-screen widget shares: colours, sizes, text placement and buttons.

The widgets (toolbar, menus, tour bar, search, minimap, HUD, help, toasts) draw dark,
slightly see-through rounded cards like the plugin panel (gwangju_twin.ui.panel), with
light text and big rounded buttons. ``Widget`` holds what they all do the same way:
language, visibility, the fixed draw bin and tearing down their DirectButtons.

Sizes are in aspect2d units: the screen is 2 units tall, so 0.1 is 54 px at 1080p.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from direct.gui.DirectButton import DirectButton
from direct.gui.DirectFrame import DirectFrame
from direct.gui.DirectGuiGlobals import NORMAL
from panda3d.core import AntialiasAttrib, NodePath, TextFont, TextNode, Vec3

from gwangju_twin.ui.catalogue import check_language
from gwangju_twin.ui.ink import BOARD, LINE_INK, RULE, TITLE_INK
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

__all__ = [
    "ACCENT",
    "ASCENT",
    "BOARD",
    "BUTTON_HEIGHT",
    "DESCENT",
    "ELLIPSIS",
    "LINE_INK",
    "MARGIN",
    "MUTED_INK",
    "PAD",
    "RULE",
    "TITLE_INK",
    "TOOLBAR_CLEARANCE",
    "Widget",
    "blocker",
    "board",
    "button",
    "check_language",
    "place_text",
    "restyle",
    "screen_extent",
    "shade",
    "shorten",
    "text_width",
    "widget_root",
]

MUTED_INK: RGBA = (0.62, 0.66, 0.72, 1.0)
HEADING_INK: RGBA = (0.52, 0.74, 1.0, 1.0)  # the accent, lightened for text on the dark card
ACCENT: RGBA = (0.16, 0.50, 0.92, 1.0)  # highlighted (active) buttons, the visitor marker
BUTTON_FILL: RGBA = (0.21, 0.23, 0.28, 1.0)
FRAME_INK: RGBA = (1.0, 1.0, 1.0, 0.85)

MARGIN = 0.05  # from the screen's edges, as the panel
PAD = 0.035  # inside a card
GAP = 0.016  # between buttons
RADIUS = 0.03
BUTTON_HEIGHT = 0.1  # 54 px at 1080p: a comfortable touch target
BUTTON_RADIUS = 0.022
TITLE_SCALE, BODY_SCALE, SMALL_SCALE, BUTTON_SCALE = 0.06, 0.046, 0.04, 0.048

#: Cards at the top (menu, search, help) start this far below the screen's top edge, clear
#: of the toolbar row (margin, button, margin), so its buttons stay reachable.
TOOLBAR_CLEARANCE = MARGIN + BUTTON_HEIGHT + MARGIN

#: Draw orders in the "fixed" bin: a widget drawn later covers one drawn earlier.
ORDER_BAR, ORDER_CARD, ORDER_TOAST, ORDER_HELP = 2, 4, 6, 8


def screen_extent(node: NodePath) -> tuple[float, float]:
    """Half the screen's width and height in ``node``'s units (aspect2d: about
    (aspect ratio, 1)); follows the window's shape."""
    top = node.get_top()  # render2d
    corner = node.get_relative_vector(top, Vec3(1.0, 0.0, 1.0))
    return abs(corner.x), abs(corner.z)


def blocker(parent: NodePath, x0: float, z0: float, x1: float, z1: float) -> DirectFrame:
    """An invisible, clickable frame over a card: clicks on the card stop there instead of
    selecting the building behind it (DirectGUI suppresses the mouse event for the world).
    The widget's buttons sit one draw order higher (``Widget.raised``) and keep theirs."""
    # relief=None: a click region with nothing to draw (an invisible quad would still be
    # blended over the card every frame).
    return DirectFrame(parent=parent, relief=None, frameSize=(x0, x1, z0, z1),
                       state=NORMAL, suppressMouse=1)


def text_width(font: TextFont, text: str, scale: float) -> float:
    """How wide ``text`` is on one line in ``font`` at ``scale`` (aspect2d units)."""
    probe = TextNode("measure")
    probe.set_font(font)
    return probe.calc_width(text) * scale


ELLIPSIS = "\u2026"


def shorten(font: TextFont, text: str, scale: float, width: float) -> str:
    """``text`` as it fits in ``width`` (aspect2d units) at ``scale``: whole when it fits,
    otherwise its longest beginning that fits with an ellipsis after it."""
    if text_width(font, text, scale) <= width:
        return text
    lo, hi = 0, len(text)  # the longest fitting prefix length is in [lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if text_width(font, text[:mid].rstrip() + ELLIPSIS, scale) <= width:
            lo = mid
        else:
            hi = mid
    return text[:lo].rstrip() + ELLIPSIS


def board(parent: NodePath, x0: float, z0: float, x1: float, z1: float,
          color: RGBA = BOARD, radius: float = RADIUS, name: str = "board") -> NodePath:
    """A filled rounded rectangle under ``parent`` (a card, a pill, a swatch)."""
    np_ = polygon_node(name, rounded_outline(x0, z0, x1, z1, radius), color)
    np_.reparent_to(parent)
    return np_


def place_text(parent: NodePath, text: str, font: TextFont, scale: float, x: float, top: float,
               color: RGBA = LINE_INK, align: int = TextNode.A_left,
               width: float | None = None, name: str = "text") -> tuple[NodePath, float]:
    """A (wrapped at ``width``) text block with its top at ``top``; returns the node and
    the block's bottom."""
    node = text_node(name, text, font, color, align, None if width is None else width / scale)
    return place_block(parent, node, x, top, scale)


def _faces(width: float, height: float, fill: RGBA) -> tuple[NodePath, ...]:
    """One face per DirectButton state: ready, pressed, hover, disabled."""
    half_w, half_h = width / 2, height / 2
    return tuple(
        polygon_node("face", rounded_outline(-half_w, -half_h, half_w, half_h, BUTTON_RADIUS),
                     color)
        for color in (fill, shade(fill, -0.3), shade(fill, 0.16), (0.3, 0.3, 0.32, 1.0)))


def button(parent: NodePath, label: str, font: TextFont, command: Callable[[], object], *,
           width: float, height: float = BUTTON_HEIGHT, pos: tuple[float, float] = (0.0, 0.0),
           text_scale: float = BUTTON_SCALE, fill: RGBA = BUTTON_FILL, ink: RGBA = TITLE_INK,
           left: float | None = None, order: int | None = None) -> DirectButton:
    """A rounded DirectButton centred at ``pos`` (x, z): ``command()`` runs on a click (what
    it returns is ignored).

    The label is centred, or starts ``left`` units from the button's left edge. The whole
    face is the click target. ``order`` puts it in the fixed bin at that draw order (see
    ``Widget.raised``).
    """
    half_w, half_h = width / 2, height / 2
    made = DirectButton(
        parent=parent,
        relief=None,
        geom=_faces(width, height, fill),
        frameSize=(-half_w, half_w, -half_h, half_h),
        pos=(pos[0], 0, pos[1]),
        text=label,
        text_font=font,
        text_scale=text_scale,
        text_fg=ink,
        # Baseline so the glyphs' visual centre sits on the button's centre line.
        text_pos=(0 if left is None else -half_w + left, -(ASCENT - DESCENT) / 2 * text_scale),
        text_align=TextNode.A_center if left is None else TextNode.A_left,
        text_wordwrap=None,
        command=command,
        clickSound=None,
        rolloverSound=None,
        pressEffect=1,
    )
    if order is not None:
        made.set_bin("fixed", order)
    return made


def restyle(widget: DirectButton, fill: RGBA, ink: RGBA = TITLE_INK) -> None:
    """Give a button made by ``button`` another fill and label colour (e.g. "active")."""
    left, right, bottom, top = widget["frameSize"]
    widget["geom"] = _faces(right - left, top - bottom, fill)
    widget["text_fg"] = ink


def widget_root(parent: NodePath, name: str, order: int) -> NodePath:
    """A widget's root node under ``parent``, drawn in the fixed bin at ``order``."""
    root = parent.attach_new_node(name)
    root.set_antialias(AntialiasAttrib.M_multisample)
    # In the fixed bin, parts with equal draw order are drawn in scene-graph order (board,
    # then text and buttons over it) whatever their transparency.
    root.set_bin("fixed", order)
    root.set_depth_test(False)
    root.set_depth_write(False)
    return root


class Widget:
    """What every widget does alike: a root node in the fixed bin under ``parent``, a
    language, show/hide, DirectButtons by name and ``destroy``."""

    def __init__(self, parent: NodePath, name: str, catalogue: Any, language: str,
                 order: int = ORDER_BAR) -> None:
        self._catalogue = catalogue
        self._language = check_language(language)
        self._root = widget_root(parent, name, order)
        self._order = order
        self.buttons: dict[str, DirectButton] = {}
        self._frames: list[DirectFrame] = []  # other DirectGUI items, destroyed with it

    @property
    def node(self) -> NodePath:
        """The widget's root NodePath."""
        return self._root

    @property
    def raised(self) -> int:
        """The draw order for the widget's buttons and fields: one above its card. In the
        fixed bin, DirectGUI ranks click regions by draw order (pgItem.cxx), so this also
        ranks them above the card's click blocker rather than leaving it to region size."""
        return self._order + 1

    @property
    def language(self) -> str:
        """The language shown, "ko" or "en"."""
        return self._language

    @property
    def visible(self) -> bool:
        """Whether the widget is shown."""
        return not self._root.is_empty() and not self._root.is_hidden()

    def set_language(self, language: str) -> None:
        """Show the widget in ``language`` ("ko" or "en")."""
        self._language = check_language(language)
        self._relabel()

    def _relabel(self) -> None:
        """Redraw the widget's text in its language; widgets with text that depends on the
        language override this."""

    def show(self) -> None:
        """Show the widget, fitted to the window's shape as it is now."""
        self._fit()
        self._root.show()

    def _fit(self) -> None:
        """Fit the widget to the window's current shape; widgets that follow the window
        (cards sized to it, overlays over all of it) override this."""

    def hide(self) -> None:
        """Hide the widget; it keeps its state."""
        self._root.hide()

    def toggle(self) -> None:
        """Show the widget if hidden, hide it if shown."""
        if self.visible:
            self.hide()
        else:
            self.show()

    def _t(self, key: str, **values: Any) -> str:
        return self._catalogue.text(key, self._language, **values)

    def _clear_gui(self) -> None:
        """Destroy the DirectGUI items: removing their nodes alone would leave their event
        hooks and their entries in DirectGUI's registry behind."""
        for item in [*self.buttons.values(), *self._frames]:
            item.destroy()
        self.buttons = {}
        self._frames = []

    def destroy(self) -> None:
        """Remove the widget and its buttons for good."""
        self._clear_gui()
        if not self._root.is_empty():
            self._root.remove_node()
