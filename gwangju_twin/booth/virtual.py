"""A pointer for windows that have none: offscreen buffers driven by scripts and tests.

An offscreen buffer has no input devices, so Panda3D sets up no mouse for it. This builds
the same data graph ShowBase builds for a window (a mouse source, a MouseWatcher and a
ButtonThrower with the usual modifier buttons) on a VirtualMouse, so taps go through the
real DirectGUI click regions and raise the same "mouse1" events a window would.
"""

from __future__ import annotations

from typing import Any

from panda3d.core import (
    ButtonThrower,
    KeyboardButton,
    ModifierButtons,
    MouseButton,
    MouseWatcher,
    PGMouseWatcherBackground,
    VirtualMouse,
)


def _modifiers() -> ModifierButtons:
    mods = ModifierButtons()
    for button in (KeyboardButton.shift(), KeyboardButton.control(), KeyboardButton.alt(),
                   KeyboardButton.meta()):
        mods.add_button(button)
    return mods


class VirtualPointer:
    """A scripted mouse (or finger) for ``base``'s offscreen buffer.

    Positions are normalised window coordinates (-1..1, left to right and bottom to top),
    as ``MouseWatcher.get_mouse`` reports them.
    """

    def __init__(self, base: Any) -> None:
        w, h = base.win.get_x_size(), base.win.get_y_size()
        self._size = (w, h)
        self.mouse = VirtualMouse("virtual-pointer")
        self.mouse.set_window_size(w, h)
        self.mouse.set_mouse_on(True)
        source = base.dataRoot.attach_new_node(self.mouse)
        watcher = MouseWatcher("virtual-watcher")
        watcher.set_modifier_buttons(_modifiers())
        watcher_np = source.attach_new_node(watcher)
        thrower = ButtonThrower("virtual-buttons")
        thrower.set_modifier_buttons(_modifiers())
        base.mouseWatcher, base.mouseWatcherNode = watcher_np, watcher
        base.buttonThrowers = [watcher_np.attach_new_node(thrower)]
        base.aspect2d.node().set_mouse_watcher(watcher)
        base.pixel2d.node().set_mouse_watcher(watcher)
        watcher.add_region(PGMouseWatcherBackground())
        self.move(0.0, 0.0)

    def move(self, x: float, y: float) -> None:
        """Put the pointer at (x, y) (normalised); seen on the next data-graph pass."""
        w, h = self._size
        self.mouse.set_mouse_pos(round((x + 1) / 2 * (w - 1)), round((1 - y) / 2 * (h - 1)))

    def press(self, button: Any = None) -> None:
        """Press a mouse button (the left one by default) where the pointer is."""
        self.mouse.press_button(button or MouseButton.one())

    def release(self, button: Any = None) -> None:
        """Release a mouse button (the left one by default)."""
        self.mouse.release_button(button or MouseButton.one())

    def key(self, button: Any) -> None:
        """Press and release a keyboard button (``KeyboardButton.ascii_key("k")``...)."""
        self.mouse.press_button(button)
        self.mouse.release_button(button)
