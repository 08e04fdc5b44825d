"""Helpers the widget tests share: the window's size, whole frames, screenshots, pixel
positions, clicks and glyph checks. Their fixtures (the window ``base``, ``fonts``, ``cat``
and the VirtualMouse ``mouse``) live in tests/stage/conftest.py.
"""

from __future__ import annotations

from typing import Any

# Re-exported: the widget tests take every screen helper from this kit.
from render_helpers import screenshot as screenshot

#: The window the widget tests draw in: the smallest the viewer supports.
W, H = 1024, 700


def frames(base: Any, n: int = 2) -> None:
    """Run whole frames: data graph (mouse), events, rendering."""
    for _ in range(n):
        base.taskMgr.step()


def pixel(base: Any, node: Any, x: float = 0.0, z: float = 0.0) -> tuple[int, int]:
    """The (column, row) of point (x, 0, z) of ``node`` in the window."""
    from panda3d.core import Point3

    p = base.render2d.get_relative_point(node, Point3(x, 0, z))
    w, h = base.win.get_x_size(), base.win.get_y_size()
    return round((p.x + 1) / 2 * w), round((1 - p.z) / 2 * h)


def click(base: Any, button: Any) -> None:
    """The event a mouse click on ``button`` raises (DirectButton runs its command)."""
    from direct.gui.DirectGuiGlobals import B1CLICK

    base.messenger.send(B1CLICK + button.guiId, [None])


def no_missing_glyphs(fonts: tuple[Any, Any], strings: list[str]) -> None:
    """Every character of ``strings`` (not all blank) has a glyph in both fonts."""
    from gwangju_twin.ui.fonts import missing_glyphs

    text = "".join(strings)
    assert text.strip()
    for font in fonts:
        assert missing_glyphs(font, text) == ""


def buttons_box(buttons: Any, ref: Any) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) around the buttons' click frames, in ``ref``'s units
    (DirectGUI draws a button's face in its PGItem, which tight bounds do not see)."""
    from panda3d.core import Point3

    xs, zs = [], []
    for b in buttons:
        left, right, bottom, top = b["frameSize"]
        for x, z in ((left, bottom), (right, top)):
            p = ref.get_relative_point(b, Point3(x, 0, z))
            xs.append(p.x)
            zs.append(p.z)
    return min(xs), max(xs), min(zs), max(zs)
