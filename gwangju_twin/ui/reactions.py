"""ReactionBar: wave, like and "look here" for a visitor in a shared room, instead of chat,
and following a guide's tour.

A column of four buttons on a pill at the middle of the screen's right edge (the info and
plugin panels dock above it, the kiosk's zoom pad below), with a line under them saying how
many others are in the room, or that the room is being rejoined. Shown only while the
viewer is joined to a room (docs/presence.md); a kiosk's touch screen has no keys, so the
bar is the only way to react there. Give it ``base.a2dRightCenter`` as parent.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.catalogue import Catalogue
from gwangju_twin.ui.reserve import reserve
from gwangju_twin.ui.theme import (
    BOARD,
    MARGIN,
    ORDER_BAR,
    SMALL_SCALE,
    TITLE_INK,
    Widget,
    blocker,
    board,
    button,
    place_text,
)

#: The buttons, top to bottom; ``on_press`` gets these names.
NAMES: tuple[str, ...] = ("wave", "like", "ping", "follow")

_W, _H, _GAP, _PAD = 0.34, 0.09, 0.02, 0.02


class ReactionBar(Widget):
    """The reaction buttons; a press calls ``on_press(name)`` with one of NAMES."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko",
                 on_press: Callable[[str], None] = lambda name: None) -> None:
        super().__init__(parent, "reactions", catalogue, language, ORDER_BAR)
        self._count: int | None = None  # others in the room; None: rejoining
        self._following = False
        status_h = 2 * SMALL_SCALE
        height = len(NAMES) * (_H + _GAP) - _GAP + status_h + 3 * _PAD
        x1, x0 = -MARGIN, -MARGIN - _W - 2 * _PAD
        z1, z0 = height / 2, -height / 2
        self._frames.append(blocker(self._root, x0, z0, x1, z1))
        board(self._root, x0, z0, x1, z1, BOARD, 0.03, "pill")
        reserve(self._root, x0, z0, x1, z1)  # labels stay clear of the bar
        for i, name in enumerate(NAMES):
            z = z1 - _PAD - _H / 2 - i * (_H + _GAP)
            self.buttons[name] = button(self._root, "", font, partial(on_press, name),
                                        width=_W, height=_H, pos=((x0 + x1) / 2, z),
                                        order=self.raised)
        self._status, _ = place_text(self._root, "", font, SMALL_SCALE * 0.8, (x0 + x1) / 2,
                                     z0 + _PAD + status_h, TITLE_INK, TextNode.A_center,
                                     width=_W, name="status")
        self._relabel()

    def set_following(self, following: bool) -> None:
        """Label the follow button for what it does now: follow, or stop following."""
        if following != self._following:
            self._following = following
            self._relabel()

    def set_room(self, count: int | None) -> None:
        """``count`` others are in the room (None: the room is out of reach, rejoining)."""
        if count != self._count:
            self._count = count
            self._relabel()

    def _relabel(self) -> None:
        for name in NAMES:
            key = "unfollow" if name == "follow" and self._following else name
            self.buttons[name]["text"] = self._t(f"reactions.{key}")
        status = (self._t("reactions.rejoining") if self._count is None
                  else self._t("reactions.here", count=self._count))
        node = self._status.node()
        assert isinstance(node, TextNode)
        node.set_text(status)

    def text(self) -> list[str]:
        """The button labels, top to bottom, and the status line."""
        node = self._status.node()
        assert isinstance(node, TextNode)
        return [self.buttons[name]["text"] for name in NAMES] + [node.get_text()]
