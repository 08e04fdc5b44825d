"""Fixtures and helpers the widget tests share: one offscreen ShowBase per module, the
fonts and the text catalogue, a VirtualMouse that clicks through DirectGUI's real click
regions, screenshots and pixel positions.

A test module makes the fixtures its own with ``fixtures()`` (pytest finds fixtures by
the module's names, and importing them by name would shadow every test's arguments).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

#: The window the widget tests draw in: the smallest the viewer supports.
W, H = 1024, 700


def _base() -> Iterator[Any]:
    """An offscreen ShowBase at W x H (or the module's, when one is already open)."""
    from direct.showbase import ShowBaseGlobal
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.render.config import configure

    existing = getattr(ShowBaseGlobal, "base", None)
    if existing is not None:  # a process holds one ShowBase at a time
        if existing.win is None:
            pytest.fail("another module's windowless ShowBase is still open")
        yield existing
        return
    configure("offscreen", (W, H))
    showbase = ShowBase(windowType="offscreen")
    showbase.set_background_color(0.62, 0.75, 0.88, 1)
    yield showbase
    showbase.destroy()


def _fonts(base: Any) -> tuple[Any, Any]:
    """The regular and bold Hangul fonts."""
    from gwangju_twin.ui.fonts import load_font

    return load_font(base.loader), load_font(base.loader, bold=True)


def _cat() -> Any:
    """The interface text catalogue."""
    from gwangju_twin.ui.catalogue import load_catalogue

    return load_catalogue()


def _mouse(base: Any) -> Iterator[Any]:
    """A VirtualMouse driving a MouseWatcher that aspect2d's PGTop listens to; what GUI
    regions do not swallow reaches the world as "world-mouse1"."""
    from panda3d.core import ButtonThrower, MouseWatcher, VirtualMouse

    vm = VirtualMouse("test-mouse")
    vm.set_window_size(base.win.get_x_size(), base.win.get_y_size())
    vm.set_mouse_on(True)
    vm_np = base.dataRoot.attach_new_node(vm)
    watcher = MouseWatcher("test-watcher")
    vm_np.attach_new_node(watcher).attach_new_node(ButtonThrower("test-world"))
    vm_np.find("**/test-world").node().set_prefix("world-")
    pgtop = base.aspect2d.node()
    old = pgtop.get_mouse_watcher()
    pgtop.set_mouse_watcher(watcher)
    yield vm
    # PGTop cannot go back to no watcher: an unconnected one hears nothing, the same thing.
    pgtop.set_mouse_watcher(old if old is not None else MouseWatcher("idle"))
    vm_np.remove_node()


def fixtures() -> tuple[Any, Any, Any, Any]:
    """The module-scoped fixtures ``base``, ``fonts``, ``cat`` and ``mouse``, for
    ``base, fonts, cat, mouse = fixtures()`` at a test module's top."""
    return tuple(pytest.fixture(scope="module", name=name)(fn)  # type: ignore[return-value]
                 for name, fn in (("base", _base), ("fonts", _fonts), ("cat", _cat),
                                  ("mouse", _mouse)))


def frames(base: Any, n: int = 2) -> None:
    """Run whole frames: data graph (mouse), events, rendering."""
    for _ in range(n):
        base.taskMgr.step()


def screenshot(base: Any) -> np.ndarray:
    """The window as an (h, w, 3) uint8 array, top row first."""
    for _ in range(2):
        base.graphicsEngine.render_frame()
    tex = base.win.get_screenshot()
    w, h = tex.get_x_size(), tex.get_y_size()
    rgb = np.frombuffer(bytes(tex.get_ram_image_as("RGB")), np.uint8).reshape(h, w, 3)
    return rgb[::-1]


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
