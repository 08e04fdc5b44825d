"""The guided tour on screen: the pure ``GuidedTour`` (gwangju_twin.guide) driven by the
frame clock, its flights from pavilion to pavilion and its narration in the tour bar."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from gwangju_twin.guide import GuidedTour, TourEvent
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.ui.toolbar import Toolbar
from gwangju_twin.ui.tourbar import TourBar

#: How long "the tour is over" stays on screen.
FINISHED_SECONDS = 4.0


class TourGuide:
    """Runs ``tour`` over the pavilions of ``info_of``: each stop flies there with
    ``go_to_pavilion(pavilion_id, on_arrival)``, ``tourbar`` tells the stop and the
    toolbar's tour button is lit while it runs. The tour bar's buttons act through
    ``later`` (next frame, after their click handler)."""

    def __init__(self, tour: GuidedTour, info_of: Mapping[str, PavilionInfo],
                 tourbar: TourBar, toolbar: Toolbar,
                 go_to_pavilion: Callable[[str, Callable[[], None]], None],
                 later: Callable[[Callable[[], None]], None]) -> None:
        self.tour = tour
        self._info_of = info_of
        self._tourbar = tourbar
        self._toolbar = toolbar
        self._go_to_pavilion = go_to_pavilion
        self._later = later
        self._tourbar_left: float | None = None  # seconds until "tour over" is hidden

    def toggle(self) -> None:
        """Start the guided tour, or end it when it runs."""
        events = self.tour.stop() if self.tour.running else self.tour.start()
        for event in events:
            self._act(event)

    def pause(self) -> None:
        """Pause or resume the guided tour."""
        if not self.tour.running:
            return
        self.tour.toggle_pause()
        self._tourbar.set_paused(self.tour.paused)

    def skip(self) -> None:
        """Go on to the tour's next stop."""
        if self.tour.running:
            for event in self.tour.skip():
                self._act(event)
            self._tourbar.set_paused(self.tour.paused)

    def button(self, name: str) -> None:
        """A tour bar button: "pause", "skip" or "end"."""
        act = {"pause": self.pause, "skip": self.skip, "end": self.toggle}[name]
        self._later(act)

    def visitor_steered(self) -> None:
        """The visitor took the controls: a running tour waits for them."""
        if self.tour.running and not self.tour.paused:
            self.pause()

    def tick(self, dt: float) -> None:
        """A frame of ``dt`` seconds: the dwell clock, and "tour over" fading out."""
        for event in self.tour.tick(dt):
            self._act(event)
        if self._tourbar_left is not None:
            self._tourbar_left -= dt
            if self._tourbar_left <= 0:
                self._tourbar_left = None
                if not self.tour.running:
                    self._tourbar.hide()

    def reset(self) -> None:
        """End the tour without a word (the next visitor's fresh start)."""
        if self.tour.running:
            self.tour.stop()
        self._tourbar_left = None

    def _act(self, event: TourEvent) -> None:
        if event.kind == "go" and event.stop is not None:
            stop = event.stop
            info = self._info_of[stop.pavilion]
            self._tourbar.show_stop(self.tour.index + 1, len(self.tour.stops), info.name_ko,
                                    info.name_en, stop.narration_ko, stop.narration_en)
            self._tourbar.set_travelling(True)
            self._tourbar.set_paused(self.tour.paused)
            self._toolbar.set_active("tour", True)
            self._tourbar_left = None
            self._go_to_pavilion(stop.pavilion, self._arrived)
        elif event.kind == "narrate":
            self._tourbar.set_travelling(False)
        elif event.kind == "finish":
            self._tourbar.show_finished()
            self._toolbar.set_active("tour", False)
            self._tourbar_left = FINISHED_SECONDS

    def _arrived(self) -> None:
        for event in self.tour.arrived():
            self._act(event)
