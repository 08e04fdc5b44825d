"""Where the visitor's pointer is, read from Panda3D's mouse watcher.

An offscreen buffer has no mouse: there the pointer is wherever ``move_to`` last put it,
which is how scripted visitors (tests, benchmarks) point at things. The Xvfb window test
covers the real mouse.
"""

from __future__ import annotations

from panda3d.core import MouseWatcher


class Pointer:
    """The pointer in normalised window coordinates (-1..1 left to right, bottom to top)."""

    def __init__(self, watcher: MouseWatcher | None) -> None:
        self._watcher = watcher
        self._placed: tuple[float, float] | None = None

    def position(self) -> tuple[float, float] | None:
        """Where the pointer is, or None when it is outside the window."""
        if self._watcher is not None:
            if not self._watcher.has_mouse():
                return None
            m = self._watcher.get_mouse()
            return (float(m.x), float(m.y))
        return self._placed

    def move_to(self, x: float, y: float) -> None:
        """Place the pointer (only meaningful without a real mouse)."""
        self._placed = (float(x), float(y))

    def over_interface(self) -> bool:
        """Whether the pointer is over a button or other active interface region, where a
        click belongs to the interface and not to the city."""
        return bool(self._watcher is not None and self._watcher.is_over_region())
