"""Going places: pavilions (menu, keys, Enter), the guided tour, search results, the map.

A mixin of ``Touring`` (gwangju_twin.touring.session): the attributes it uses are set up
there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gwangju_twin.expo.pavilions import pavilion_pose
from gwangju_twin.guide import Place, TourEvent
from gwangju_twin.scene.camera import CameraPose

#: How long "the tour is over" stays on screen.
FINISHED_SECONDS = 4.0


class Visiting:
    """Flights to pavilions and places, entering and leaving, the guided tour."""

    expo: Any
    driver: Any

    # -- pavilions --------------------------------------------------------------------------

    def go_to_pavilion(self, pavilion_id: str, on_arrival: Callable[[], None] | None = None
                       ) -> None:
        """Fly to the pavilion and enter it (its demo starts when the flight lands)."""
        info = self.info_of[pavilion_id]
        self.selection.close()
        self.menu.hide()

        def arrive() -> None:
            self._enter_pavilion(pavilion_id)
            if on_arrival is not None:
                on_arrival()

        self.driver.fly_to(pavilion_pose(info), arrive)

    def _enter_pavilion(self, pavilion_id: str) -> None:
        self.expo.enter(pavilion_id)
        self.presence.hold(pavilion_id)
        self.menu.set_current(pavilion_id)
        self.selection.refresh()
        self._toast_pavilion("toast.entered", pavilion_id)

    def leave(self) -> None:
        """Leave the pavilion the visitor is in (its demo exits)."""
        if self.expo.inside is None:
            return
        self.presence.release()
        self._exit_pavilion()

    def _exit_pavilion(self) -> None:
        pavilion_id = self.expo.inside
        if pavilion_id is None:
            return
        self.expo.exit()
        self.menu.set_current(None)
        self.selection.refresh()
        self._toast_pavilion("toast.left", pavilion_id)

    def _toast_pavilion(self, key: str, pavilion_id: str) -> None:
        if not self.interface_shown:
            return  # the attract reel goes in and out of pavilions silently
        info = self.info_of[pavilion_id]
        name = info.name_ko if self.language == "ko" else info.name_en
        self.toast.show(self.cat.text(key, self.language, name=name))

    def _hide_expo_panel(self) -> None:
        if self.expo.panel_view is not None:
            self.expo.panel_view.hide()

    def _panel_closed(self) -> None:
        if self.expo.panel_view is not None:
            self.expo.panel_view.show()

    def _menu_choice(self, pavilion_id: str) -> None:
        self._later(lambda: self.go_to_pavilion(pavilion_id))

    def toggle_menu(self) -> None:
        """Show or hide the pavilion menu."""
        self.menu.toggle()
        self.toolbar.set_active("menu", self.menu.visible)

    # -- guided tour ------------------------------------------------------------------------

    def toggle_tour(self) -> None:
        """Start the guided tour, or end it when it runs."""
        events = self.tour.stop() if self.tour.running else self.tour.start()
        for event in events:
            self._tour_event(event)

    def pause_tour(self) -> None:
        """Pause or resume the guided tour."""
        if not self.tour.running:
            return
        self.tour.toggle_pause()
        self.tourbar.set_paused(self.tour.paused)

    def skip_tour(self) -> None:
        """Go on to the tour's next stop."""
        if self.tour.running:
            for event in self.tour.skip():
                self._tour_event(event)
            self.tourbar.set_paused(self.tour.paused)

    def _tour_button(self, name: str) -> None:
        act = {"pause": self.pause_tour, "skip": self.skip_tour, "end": self.toggle_tour}[name]
        self._later(act)

    def _tour_event(self, event: TourEvent) -> None:
        if event.kind == "go" and event.stop is not None:
            stop = event.stop
            info = self.info_of[stop.pavilion]
            self.tourbar.show_stop(self.tour.index + 1, len(self.tour.stops), info.name_ko,
                                   info.name_en, stop.narration_ko, stop.narration_en)
            self.tourbar.set_travelling(True)
            self.tourbar.set_paused(self.tour.paused)
            self.toolbar.set_active("tour", True)
            self._tourbar_left = None
            self.go_to_pavilion(stop.pavilion, self._tour_arrived)
        elif event.kind == "narrate":
            self.tourbar.set_travelling(False)
        elif event.kind == "finish":
            self.tourbar.show_finished()
            self.toolbar.set_active("tour", False)
            self._tourbar_left = FINISHED_SECONDS

    def _tour_arrived(self) -> None:
        for event in self.tour.arrived():
            self._tour_event(event)

    # -- places, map, search ----------------------------------------------------------------

    def go_to_place(self, place: Place) -> None:
        """Fly to a search result and select it (a pavilion is entered)."""
        self._mark_search()  # choosing a result has closed the box
        if place.kind == "pavilion":
            self._later(lambda: self.go_to_pavilion(place.key))
            return
        x, y, z = place.position
        distance = max(160.0, place.size * 3.0, z * 2.5)
        heading = self.driver.eye.heading
        pose = CameraPose((x, y, z * 0.4), heading, 35.0, distance)

        def go() -> None:
            self.driver.fly_to(pose)
            self.selection.select(place.feature)
            self._hide_expo_panel()

        # The search box's own click handler is still running: act on the next frame.
        self._later(go)

    def teleport(self, x: float, y: float) -> None:
        """Jump to (x, y) of the district (a click on the minimap)."""
        self.driver.teleport(x, y)

    def toggle_minimap(self) -> None:
        """Show or hide the minimap (remembered in the settings)."""
        self.minimap.toggle()
        self.toolbar.set_active("map", self.minimap.visible)
        self._save(self.settings.with_(minimap=self.minimap.visible))

    def open_search(self) -> None:
        """Open the search box (it takes the keyboard until closed)."""
        self.driver.release_all()
        self.search.open()
        self._mark_search()

    def close_search(self) -> None:
        """Close the search box and give the keyboard back to the viewer."""
        self.search.close()
        self._mark_search()

    def toggle_search(self) -> None:
        """The search key or toolbar button: open the box, or close it when open."""
        if self.search.visible:
            self.close_search()
        else:
            self.open_search()

    def _mark_search(self) -> None:
        if "search" in self.toolbar.buttons:
            self.toolbar.set_active("search", self.search.visible)

