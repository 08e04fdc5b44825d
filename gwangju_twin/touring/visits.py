"""Going places: into pavilions (menu, keys, panels, presence) and to search results.

Entering a pavilion starts its demo; ``Presence`` (gwangju_twin.guide) enters the one the
visitor walks or flies into. Leaving is explicit (the menu, the 0 key, a Leave button,
another pavilion, the kiosk's reset): camera moves, the visitor's or the demo's, never end
a demo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gwangju_twin.expo.pavilions import pavilion_pose
from gwangju_twin.guide import Place, Presence
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.touring.camera import CameraDriver
from gwangju_twin.touring.screen import Screen
from gwangju_twin.touring.selection import Selection
from gwangju_twin.touring.stageview import Floor


class Visits:
    """Flights to pavilions and places, and entering and leaving pavilions on ``expo``.

    ``infos`` are the scene's pavilions. Actions that widgets start from inside their own
    click handlers go through ``later`` (run on the next frame).
    """

    def __init__(self, expo: Floor, infos: Sequence[PavilionInfo],
                 driver: CameraDriver, selection: Selection, screen: Screen,
                 later: Callable[[Callable[[], None]], None]) -> None:
        self._expo = expo
        self._info_of = {i.id: i for i in infos}
        self._driver = driver
        self._selection = selection
        self._screen = screen
        self._later = later
        self.presence = Presence(infos)

    # -- pavilions --------------------------------------------------------------------------

    def go_to_pavilion(self, pavilion_id: str, on_arrival: Callable[[], None] | None = None
                       ) -> None:
        """Fly to the pavilion and enter it (its demo starts when the flight lands)."""
        info = self._info_of[pavilion_id]
        self._selection.close()
        self._screen.menu.hide()

        def arrive() -> None:
            self.enter(pavilion_id)
            if on_arrival is not None:
                on_arrival()

        self._driver.fly_to(pavilion_pose(info), arrive)

    def choose(self, pavilion_id: str) -> None:
        """A choice in the pavilion menu (acted on next frame, after its click handler)."""
        self._later(lambda: self.go_to_pavilion(pavilion_id))

    def enter(self, pavilion_id: str) -> None:
        """Go into the pavilion now: its demo starts, presence holds it."""
        self._expo.enter(pavilion_id)
        self.presence.hold(pavilion_id)
        self._screen.menu.set_current(pavilion_id)
        self._selection.refresh()
        self._toast_pavilion("toast.entered", pavilion_id)

    def leave(self) -> None:
        """Leave the pavilion the visitor is in (its demo exits)."""
        if self._expo.inside is None:
            return
        self.presence.release()
        self._exit()

    def _exit(self) -> None:
        pavilion_id = self._expo.inside
        if pavilion_id is None:
            return
        self._expo.exit()
        self._screen.menu.set_current(None)
        self._selection.refresh()
        self._toast_pavilion("toast.left", pavilion_id)

    def follow_presence(self) -> None:
        """Enter the pavilion the visitor moves into (moving away never leaves one)."""
        point, range_m = self._driver.visitor()
        entered = self.presence.update(point, range_m)
        if entered is not None and self._expo.inside != entered:
            self.enter(entered)

    def _toast_pavilion(self, key: str, pavilion_id: str) -> None:
        screen = self._screen
        if not screen.shown:
            return  # the attract reel goes in and out of pavilions silently
        info = self._info_of[pavilion_id]
        screen.say(key, name=info.name_ko if screen.language == "ko" else info.name_en)

    def hide_expo_panel(self) -> None:
        """Hide the entered pavilion's panel (an info panel takes its place)."""
        if self._expo.panel_view is not None:
            self._expo.panel_view.hide()

    def show_expo_panel(self) -> None:
        """Show the entered pavilion's panel again (the info panel closed)."""
        if self._expo.panel_view is not None:
            self._expo.panel_view.show()

    def reset(self, reload_plugins: bool) -> None:
        """Out of every pavilion for the next visitor; ``reload_plugins`` loads every plugin
        anew (else they just exit)."""
        self.presence.release()
        self._screen.menu.set_current(None)
        if reload_plugins:
            self._expo.reload()
        else:
            self._expo.exit()

    # -- places ----------------------------------------------------------------------------

    def go_to_place(self, place: Place) -> None:
        """Fly to a search result and select it (a pavilion is entered)."""
        self._screen.mark_search()  # choosing a result has closed the box
        if place.kind == "pavilion":
            self._later(lambda: self.go_to_pavilion(place.key))
            return
        x, y, z = place.position
        distance = max(160.0, place.size * 3.0, z * 2.5)
        heading = self._driver.eye.heading
        pose = CameraPose((x, y, z * 0.4), heading, 35.0, distance)

        def go() -> None:
            self._driver.fly_to(pose)
            self._selection.select(place.feature)
            self.hide_expo_panel()

        # The search box's own click handler is still running: act on the next frame.
        self._later(go)
