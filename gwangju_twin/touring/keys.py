"""The controls of ``gwangju_twin.controls.CONTROLS`` bound to Panda3D's input events.

The pointer's buttons and wheel always go to the gestures; a desktop also binds every
keyboard control, while a kiosk's touch screen binds no key at all (not Esc, not Ctrl+Q).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from gwangju_twin.controls import control
from gwangju_twin.touring.camera import WHEEL_STEP, CameraDriver
from gwangju_twin.touring.gestures import Gestures
from gwangju_twin.ui.searchbox import SearchBox, types_text

if TYPE_CHECKING:
    from direct.showbase.ShowBase import ShowBase

#: One press of the sensitivity keys multiplies or divides the mouse sensitivity by this.
SENSITIVITY_STEP = 1.25


def pavilion_key(order: Sequence[str], pavilion_id: str) -> str:
    """The number key that enters ``pavilion_id`` (its place in the tour ``order``, as
    ``bind_keys`` binds them), or "" when it has none."""
    keys = control("pavilion_keys").events
    n = order.index(pavilion_id) + 1 if pavilion_id in order else len(keys)
    return keys[n] if n < len(keys) else ""


class Keys:
    """Accepts ``base``'s input events for the touring interface. While ``search`` has the
    keyboard, an event that types text does nothing else."""

    def __init__(self, base: ShowBase, search: SearchBox) -> None:
        self._base = base
        self._search = search

    def accept(self, event: str, act: Callable[..., object], *args: object) -> None:
        """Call ``act(*args)`` on ``event``, unless it is typing into the search box."""
        # Esc, the function keys and Ctrl combinations still work while the box has the
        # keys (the field does not use them).
        def handler() -> None:
            if self._search.focused and types_text(event):
                return
            act(*args)

        self._base.accept(event, handler)

    def bind_pointer(self, gestures: Gestures) -> None:
        """The pointer's buttons drag, pan and click; its wheel zooms (Shift held or not)."""
        base = self._base
        for prefix in ("", "shift-"):
            self.accept(prefix + "mouse1", gestures.press, "mouse1")
            self.accept(prefix + "mouse3", gestures.press, "mouse3")
            self.accept(prefix + "wheel_up", gestures.wheel, WHEEL_STEP)
            self.accept(prefix + "wheel_down", gestures.wheel, 1 / WHEEL_STEP)
        base.accept("mouse1-up", gestures.release, ["mouse1"])
        base.accept("mouse3-up", gestures.release, ["mouse3"])

    def bind_keyboard(self, actions: Mapping[str, Callable[[], object]],
                      sensitivity: Callable[[float], None], order: Sequence[str],
                      go_to_pavilion: Callable[[str], None], leave: Callable[[], None],
                      driver: CameraDriver) -> None:
        """Every keyboard control: ``actions`` by control name, the sensitivity keys
        (``sensitivity(factor)``), the number keys (0 leaves, 1.. go to the pavilions in
        tour ``order``) and the keys that steer ``driver``."""
        base = self._base
        for name, act in actions.items():
            for event in control(name).events:
                self.accept(event, act)
        lower, higher = control("sensitivity").events
        self.accept(lower, sensitivity, 1 / SENSITIVITY_STEP)
        self.accept(higher, sensitivity, SENSITIVITY_STEP)
        for n, event in enumerate(control("pavilion_keys").events):
            if n == 0:
                self.accept(event, leave)
            elif n <= len(order):
                self.accept(event, go_to_pavilion, order[n - 1])
        for key in (*control("move").events, *control("fly_updown").events):
            for prefix in ("", "shift-"):
                self.accept(prefix + key, driver.press, key)
                base.accept(prefix + key + "-up", driver.release, [key])
        base.accept("shift", driver.set_fast, [True])
        base.accept("shift-up", driver.set_fast, [False])
