"""ZoomPad: + and − buttons for zooming on a kiosk's touch screen, which has no wheel.

Two big round buttons in a column on a see-through pill in the screen's bottom-right corner,
below where the info and plugin panels dock (top right). Give it ``base.a2dBottomRight``
as parent (any parent works: ``show`` and ``layout`` put the column in the window's
bottom-right corner from wherever the parent is).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from panda3d.core import NodePath, Point3, TextFont

from gwangju_twin.ui.attract import KIOSK_BUTTON
from gwangju_twin.ui.catalogue import Catalogue
from gwangju_twin.ui.label import polygon_node, rounded_outline
from gwangju_twin.ui.reserve import reserve
from gwangju_twin.ui.theme import (
    BOARD,
    BUTTON_FILL,
    MARGIN,
    ORDER_BAR,
    Widget,
    blocker,
    board,
    button,
    shade,
)

#: The buttons, top to bottom; ``on_press`` gets these names.
NAMES: tuple[str, ...] = ("zoom_in", "zoom_out")

_SIZE = KIOSK_BUTTON  # each button's diameter
_GAP = 0.03
_RIM = 0.018  # the pill around the buttons
_LABEL_SCALE = 0.1


def _round_faces(size: float, fill: tuple[float, float, float, float]) -> tuple[NodePath, ...]:
    """Round faces for the ready, pressed, hover and disabled states (as theme.button's)."""
    r = size / 2
    return tuple(polygon_node("face", rounded_outline(-r, -r, r, r, r, 8), color)
                 for color in (fill, shade(fill, -0.3), shade(fill, 0.16), (0.3, 0.3, 0.32, 1.0)))


class ZoomPad(Widget):
    """Zoom in and out buttons (shown at start); a press calls ``on_press("zoom_in")`` or
    ``on_press("zoom_out")``."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko",
                 on_press: Callable[[str], None] = lambda name: None) -> None:
        super().__init__(parent, "kiosk-zoompad", catalogue, language, ORDER_BAR)
        self._font = font
        height = 2 * _SIZE + _GAP + 2 * _RIM
        width = _SIZE + 2 * _RIM
        # The widget's origin is the screen's bottom-right corner; the column keeps MARGIN
        # from both edges.
        x0, x1, z0, z1 = -MARGIN - width, -MARGIN, MARGIN, MARGIN + height
        self._frames.append(blocker(self._root, x0, z0, x1, z1))
        board(self._root, x0, z0, x1, z1, BOARD, width / 2, "pill")
        reserve(self._root, x0, z0, x1, z1)  # labels stay clear of the pad
        for i, name in enumerate(NAMES):
            z = z1 - _RIM - _SIZE / 2 - i * (_SIZE + _GAP)
            b = button(self._root, "", font, partial(on_press, name), width=_SIZE,
                       height=_SIZE, pos=((x0 + x1) / 2, z), text_scale=_LABEL_SCALE,
                       order=self.raised)
            b["geom"] = _round_faces(_SIZE, BUTTON_FILL)
            self.buttons[name] = b
        self._size = (width, height)
        self._relabel()
        self.layout()

    def _relabel(self) -> None:
        # Both languages label them + and −; the labels still come from the catalogue.
        self.buttons["zoom_in"]["text"] = self._t("kiosk.zoom.in")
        self.buttons["zoom_out"]["text"] = self._t("kiosk.zoom.out")

    def _fit(self) -> None:
        self.layout()

    def layout(self) -> None:
        """Put the column in the window's bottom-right corner (call after the window changes
        shape when the parent does not follow the corner itself)."""
        if self._root.is_empty():
            return
        parent = self._root.get_parent()
        edge = parent.get_relative_point(self._root.get_top(), Point3(1, 0, -1))
        self._root.set_pos(edge.x, 0, edge.z)

    def text(self) -> list[str]:
        """The button labels, top to bottom."""
        return [self.buttons[name]["text"] for name in NAMES]
