"""Toast: a short message in a pill at the bottom centre that goes away by itself.

"Screenshot saved", "mouse sensitivity 1.2" and the like. The host calls ``update(dt)``
every frame; the message fades out over its last fraction of a second.
"""

from __future__ import annotations

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.theme import (
    ASCENT,
    BODY_SCALE,
    DESCENT,
    ORDER_TOAST,
    TITLE_INK,
    board,
    place_text,
    widget_root,
)

_FADE = 0.3  # seconds
_WRAP = 1.5
_PAD_X, _PAD_Z = 0.05, 0.03
#: Default height of the pill's bottom above the screen's bottom: over the tour bar.
LIFT = 0.62


class Toast:
    """One message at a time; a new ``show`` replaces the one shown. The host passes the
    text in the language it wants (from the catalogue)."""

    def __init__(self, parent: NodePath, font: TextFont, lift: float = LIFT) -> None:
        self._font = font
        self._message = ""
        self._left = 0.0
        self._root = widget_root(parent, "toast", ORDER_TOAST)
        self._root.set_z(lift)
        self._root.hide()

    @property
    def node(self) -> NodePath:
        """The toast's root NodePath."""
        return self._root

    @property
    def visible(self) -> bool:
        """Whether a message is shown."""
        return not self._root.is_empty() and not self._root.is_hidden()

    def set_lift(self, lift: float) -> None:
        """Put the pill's bottom ``lift`` units above the parent's origin (e.g. above the
        tour bar: ``MARGIN + tourbar.height + a gap``)."""
        self._root.set_z(lift)

    def show(self, text: str, seconds: float = 3.0) -> None:
        """Show ``text`` for ``seconds``."""
        self._message, self._left = text, seconds
        self._root.node().remove_all_children()
        content = NodePath("content")
        node, bottom = place_text(content, text, self._font, BODY_SCALE, 0, 0, TITLE_INK,
                                  TextNode.A_center, _WRAP, "message")
        width = min(_WRAP, node.node().get_width() * BODY_SCALE) + 2 * _PAD_X
        height = -bottom + 2 * _PAD_Z
        content.set_z(height - _PAD_Z)
        radius = min(height / 2, (ASCENT + DESCENT) * BODY_SCALE / 2 + _PAD_Z)
        board(self._root, -width / 2, 0, width / 2, height, radius=radius)
        content.reparent_to(self._root)  # after the board: drawn over it (fixed bin)
        self._root.set_alpha_scale(1.0)
        self._root.show()

    def hide(self) -> None:
        """Take the message away now."""
        self._root.hide()

    def update(self, dt: float) -> None:
        """Advance the clock by ``dt`` seconds; hides the message when its time is up."""
        if not self.visible:
            return
        self._left -= dt
        if self._left <= 0:
            self.hide()
        elif self._left < _FADE:
            self._root.set_alpha_scale(self._left / _FADE)

    def text(self) -> list[str]:
        """The message shown, if any."""
        return [self._message] if self.visible else []

    def destroy(self) -> None:
        """Remove the toast for good."""
        if not self._root.is_empty():
            self._root.remove_node()
