"""The guided tour as a state machine: which stop, travelling or dwelling, paused or not.

Pure and clock-free: the shell drives it. It calls ``start``/``skip``/``stop`` from the UI,
``arrived`` when its camera flight to a stop has landed and ``tick(dt)`` every frame, and acts
on the returned events: "go" (fly to the stop's pavilion), "narrate" (show the stop's text)
and "finish" (the tour is over; hide the tour UI).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gwangju_twin.modes import Mode
from gwangju_twin.scene.tour import TourStop


class TourState(Mode):
    """Where a guided tour is (see ``GuidedTour``)."""

    IDLE = "idle"
    TRAVELLING = "travelling"
    DWELLING = "dwelling"
    FINISHED = "finished"


class TourEventKind(Mode):
    """What a ``TourEvent`` asks of the shell."""

    GO = "go"  # fly to the event's stop
    NARRATE = "narrate"  # show the stop's narration
    FINISH = "finish"  # the tour ended: hide the tour UI


@dataclass(frozen=True)
class TourEvent:
    """What the shell should do now: ``kind`` is GO (fly to ``stop``), NARRATE (show
    ``stop``'s narration) or FINISH (the tour ended; ``stop`` is None)."""

    kind: TourEventKind
    stop: TourStop | None


class GuidedTour:
    """A guided tour over ``stops``.

    States: "idle" (never started, or stopped), "travelling" (flying to ``current``),
    "dwelling" (at ``current``, counting down ``remaining``) and "finished" (the last stop's
    dwell ran out, or it was skipped).

    What a visitor expects, and so what it does:

    - ``pause`` holds the dwell clock; the flight in progress is the shell's and lands
      anyway. Arriving while paused narrates the stop but the clock stays held until
      ``resume``.
    - ``skip`` means "next, please": it moves on to the next stop at once (from travelling
      too: the stop being flown to is skipped) and un-pauses, because a visitor who asks for
      the next stop wants the tour to run. After the last stop it finishes.
    - ``start`` always begins again at the first stop, un-paused, whatever the state.
    - Each stop's dwell starts when the camera arrives, so a slow flight never eats into
      the narration time.
    """

    def __init__(self, stops: Sequence[TourStop]) -> None:
        self.stops: tuple[TourStop, ...] = tuple(stops)
        self.state = TourState.IDLE
        self.paused = False
        self.index = -1
        self.remaining = 0.0

    @property
    def current(self) -> TourStop | None:
        """The stop being travelled to or dwelt at; None when the tour is not running."""
        return self.stops[self.index] if self.running else None

    @property
    def running(self) -> bool:
        """Whether the tour is under way (travelling or dwelling)."""
        return self.state in (TourState.TRAVELLING, TourState.DWELLING)

    def start(self) -> list[TourEvent]:
        """Begin at the first stop: ``[go(stop 0)]`` (an empty tour finishes at once)."""
        self.paused = False
        return self._go(0)

    def arrived(self) -> list[TourEvent]:
        """The shell's flight reached the current stop: dwell there, ``[narrate(stop)]``.

        Ignored (``[]``) unless travelling, so a late flight callback cannot re-narrate.
        """
        if self.state != TourState.TRAVELLING:
            return []
        stop = self.stops[self.index]
        self.state = TourState.DWELLING
        self.remaining = stop.seconds
        return [TourEvent(TourEventKind.NARRATE, stop)]

    def tick(self, dt: float) -> list[TourEvent]:
        """Count the dwell down by ``dt`` seconds unless paused; when it runs out, move on:
        ``[go(next stop)]`` or, after the last, ``[finish]``."""
        if self.state != TourState.DWELLING or self.paused:
            return []
        self.remaining = max(0.0, self.remaining - max(0.0, dt))
        if self.remaining > 0.0:
            return []
        return self._go(self.index + 1)

    def pause(self) -> None:
        """Hold the dwell clock (only while the tour runs)."""
        if self.running:
            self.paused = True

    def resume(self) -> None:
        """Let the dwell clock run again."""
        self.paused = False

    def toggle_pause(self) -> None:
        """Pause if running and not paused, else resume."""
        if self.paused:
            self.resume()
        else:
            self.pause()

    def skip(self) -> list[TourEvent]:
        """Go on to the next stop now, un-paused (``[go(next)]``), or finish after the last.
        Does nothing (``[]``) when the tour is not running."""
        if not self.running:
            return []
        self.paused = False
        return self._go(self.index + 1)

    def stop(self) -> list[TourEvent]:
        """End the tour: ``[finish]`` if it was running (``[]`` otherwise); state "idle"."""
        was_running = self.running
        self._reset(TourState.IDLE)
        return [TourEvent(TourEventKind.FINISH, None)] if was_running else []

    def _go(self, index: int) -> list[TourEvent]:
        if index >= len(self.stops):
            self._reset(TourState.FINISHED)
            return [TourEvent(TourEventKind.FINISH, None)]
        self.index = index
        self.state = TourState.TRAVELLING
        self.remaining = self.stops[index].seconds  # the full dwell waits for the arrival
        return [TourEvent(TourEventKind.GO, self.stops[index])]

    def _reset(self, state: TourState) -> None:
        self.state = state
        self.paused = False
        self.index = -1
        self.remaining = 0.0
