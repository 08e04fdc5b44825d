"""The visitor's pointer gestures: a drag steers the camera, a click selects, the wheel
zooms towards the pointer, and what is under a resting pointer is highlighted."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from gwangju_twin.touring.camera import CameraDriver
from gwangju_twin.touring.pointer import Pointer
from gwangju_twin.touring.selection import Selection
from gwangju_twin.ui.menu import PavilionMenu

if TYPE_CHECKING:
    from gwangju_twin.picking import Hit

#: A click the entered demo may take: the ray (origin, unit direction) and the city's pick;
#: True when the demo took it.
DemoClick = Callable[[tuple[float, float, float], tuple[float, float, float], "Hit | None"],
                     bool]

#: The pointer's buttons the gestures use: left drags and clicks, right pans.
Button = Literal["mouse1", "mouse3"]

#: A press and release closer than this (normalised window units) is a click, not a drag.
CLICK_SLOP = 0.012
#: An area box narrower than this (metres) either way is taken as a slip, not a box.
MIN_AREA_SIDE = 4.0

#: What an armed area drag hands over: the box (x0, y0, x1, y1) in local metres.
AreaDone = Callable[[tuple[float, float, float, float]], None]
#: Hover picks at most this often: a highlight that follows the pointer at 20 Hz looks
#: immediate, and a fast software-rendered frame then never pays for a pick.
HOVER_PERIOD = 0.05


class Gestures:
    """Pointer gestures on the city (never on the interface: a press over a widget is the
    widget's). A click closes ``menu``, selects what is under the pointer and, when that
    opens an info panel, calls ``hide_expo_panel`` so the two panels do not overlap.
    ``shown()`` is False while nothing may be highlighted (the kiosk's attract reel).
    ``demo_click`` offers each click to the entered pavilion's demo first (its own nodes,
    or buildings when it listens for them); a click it takes selects nothing."""

    def __init__(self, pointer: Pointer, driver: CameraDriver, selection: Selection,
                 menu: PavilionMenu, shown: Callable[[], bool],
                 hide_expo_panel: Callable[[], None],
                 demo_click: DemoClick = lambda origin, direction, hit: False) -> None:
        self._pointer = pointer
        self._driver = driver
        self._selection = selection
        self._menu = menu
        self._shown = shown
        self._hide_expo_panel = hide_expo_panel
        self._demo_click = demo_click
        self._press_at: tuple[float, float] | None = None
        self._press_button: Button | None = None
        self._hovered_at: tuple[float, float] | None = None
        self._hover_clock = HOVER_PERIOD
        self._area_done: AreaDone | None = None
        self._area_from: tuple[float, float] | None = None

    # -- an area box (the sunlight check of a block) -------------------------------------------

    @property
    def area_armed(self) -> bool:
        """Whether the next left drag on the city draws an area box."""
        return self._area_done is not None

    def arm_area(self, done: AreaDone) -> None:
        """The next left drag on the ground draws a box instead of turning the camera; on
        release ``done(box)`` runs (unless the box is a slip under MIN_AREA_SIDE)."""
        self._area_done = done
        self._area_from = None

    def disarm_area(self) -> None:
        """Forget an armed or half-drawn box."""
        self._area_done = None
        self._area_from = None
        self._selection.band.clear()

    def _area_box(self, at: tuple[float, float]) -> tuple[float, float, float, float] | None:
        start = self._area_from
        end = self._selection.ground_at(at)
        if start is None or end is None:
            return None
        return (min(start[0], end[0]), min(start[1], end[1]),
                max(start[0], end[0]), max(start[1], end[1]))

    def press(self, button: Button) -> None:
        """A button went down: the left one rotates (or looks), the right one pans."""
        at = self._pointer.position()
        if at is None or self._pointer.over_interface():
            return
        self._press_at, self._press_button = at, button
        if button == "mouse1" and self._area_done is not None:
            self._area_from = self._selection.ground_at(at)
            if self._area_from is not None:
                return  # the drag draws the box; the camera stays
        self._driver.start_drag("rotate" if button == "mouse1" else "pan", at)

    def release(self, button: Button) -> None:
        """A button went up: the drag ends, and a left press that barely moved clicks (an
        armed area drag hands its box over instead)."""
        self._driver.end_drag()
        at, start = self._pointer.position(), self._press_at
        self._press_at = None
        if button == "mouse1" and self._area_from is not None:
            box = self._area_box(at) if at is not None else None
            done = self._area_done
            self.disarm_area()
            if (box is not None and done is not None and box[2] - box[0] >= MIN_AREA_SIDE
                    and box[3] - box[1] >= MIN_AREA_SIDE):
                done(box)
            return
        if button != "mouse1" or self._press_button != "mouse1" or at is None or start is None:
            return
        if abs(at[0] - start[0]) + abs(at[1] - start[1]) <= CLICK_SLOP:
            self.click(at)

    def wheel(self, factor: float) -> None:
        """The wheel turned: zoom by ``factor``."""
        # Towards the point under the pointer, as map viewers zoom; over a panel or the map
        # the city under it is hidden, so towards the view's centre.
        at = None if self._pointer.over_interface() else self._pointer.position()
        self._driver.zoom(factor, at)

    def click(self, at: tuple[float, float]) -> None:
        """A click at window point ``at``: select what is there (or close the panel)."""
        if self._menu.visible:
            self._menu.hide()
        selection = self._selection
        ray = selection.ray(at)
        if ray is not None:
            origin, direction = ray
            if self._demo_click((origin.x, origin.y, origin.z),
                                (direction.x, direction.y, direction.z), selection.pick(at)):
                return
        hit = selection.select_at(at)
        if hit is not None:
            self._hide_expo_panel()
            if selection.view is not None:
                # The card was docked below the demo's panel, which is gone now: move up.
                selection.view.refresh()

    def hover(self, at: tuple[float, float] | None, moved: bool, dt: float) -> None:
        """A frame of ``dt`` seconds with the pointer at ``at`` (None: outside the window)
        and the camera ``moved`` or not: highlight what is under the pointer."""
        self._hover_clock += dt
        if self._area_from is not None and at is not None:
            box = self._area_box(at)
            if box is not None:
                self._selection.band.show(box)
            return
        driver = self._driver
        if driver.drag is not None or driver.flying or not self._shown():
            return
        if at is not None and self._pointer.over_interface():
            at = None
        # A pick costs a fraction of a millisecond, but a still pointer over a still city
        # needs none at all.
        if (at == self._hovered_at and not moved) or self._hover_clock < HOVER_PERIOD:
            return
        self._hover_clock = 0.0
        self._hovered_at = at
        self._selection.hover_at(at)

    def forget(self) -> None:
        """Forget where the pointer last hovered (the next hover picks afresh)."""
        self._hovered_at = None
