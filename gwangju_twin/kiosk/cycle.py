"""The kiosk's day as a state machine: welcome, attract, visit, countdown, reset, operator.

Pure logic on an explicit clock (the caller passes ``now`` in seconds), so a test drives a
whole day of visitors in microseconds. The booth shell feeds it the visitor's input and
calls ``tick`` every frame; the ``Change`` list it gets back says what to show or do.

    welcome --(no input for attract_after)--> attract --(tap)--> visit
    visit --(no input for reset_after)--> countdown --(tap / keep exploring)--> visit
    countdown --(countdown seconds run out)--> reset, then welcome
    welcome --(tap)--> visit

The operator overlay (PIN pad or menu) stops every timer while it is open and closes by
itself after ``operator_timeout`` seconds untouched, so a booth never stays stuck on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gwangju_twin.modes import Mode


class CycleState(Mode):
    """Where the booth is in its day."""

    WELCOME = "welcome"
    ATTRACT = "attract"
    VISIT = "visit"
    COUNTDOWN = "countdown"
    OPERATOR = "operator"


#: The states, in the order a visitor meets them.
STATES: tuple[CycleState, ...] = tuple(CycleState)


class ChangeKind(Mode):
    """What a ``Change`` asks of the shell (see ``Change``)."""

    ATTRACT = "attract"
    VISIT = "visit"
    COUNTDOWN = "countdown"
    TICK = "tick"
    KEEP = "keep"
    RESET = "reset"
    OPERATOR = "operator"
    OPERATOR_CLOSED = "operator_closed"


@dataclass(frozen=True)
class Timing:
    """How long each quiet spell lasts, in seconds."""

    attract_after: float = 60.0  # welcome -> attract with nobody there
    reset_after: float = 90.0  # visit -> countdown without input
    countdown: int = 10  # countdown -> reset
    operator_timeout: float = 60.0  # operator overlay untouched -> closed

    def __post_init__(self) -> None:
        for name in ("attract_after", "reset_after", "countdown", "operator_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} is {getattr(self, name)!r}; expected seconds above 0")


@dataclass(frozen=True)
class Change:
    """What the shell must do now.

    ``kind`` is one of:
    - ATTRACT: start the attract loop (camera tour, demos, "touch to start");
    - VISIT: a visitor has started (the attract loop, if any, stops; a visit is counted);
    - COUNTDOWN: show the countdown at ``seconds``; TICK: it now shows ``seconds``;
    - KEEP: the visitor stayed: hide the countdown, the visit goes on;
    - RESET: the visit is over: reset camera, language, panels and plugins (welcome follows);
    - OPERATOR: open the operator overlay; OPERATOR_CLOSED: it closed (``reason``
      "timeout" when it timed out).
    """

    kind: ChangeKind
    seconds: int | None = None
    reason: str = ""


class IdleCycle:
    """The booth's state: ``state`` is one of STATES."""

    def __init__(self, timing: Timing, now: float) -> None:
        self.timing = timing
        self.state = CycleState.WELCOME
        self._quiet_since = now  # the last input (or the last change of state)
        self._shown: int | None = None  # the countdown number on screen
        self._before_operator = CycleState.WELCOME

    # -- input ------------------------------------------------------------------------------

    def touch(self, now: float) -> list[Change]:
        """A tap, click or key press by a visitor."""
        match self.state:
            case CycleState.WELCOME | CycleState.ATTRACT:
                return self._go(CycleState.VISIT, now, [Change(ChangeKind.VISIT)])
            case CycleState.COUNTDOWN:
                return self._go(CycleState.VISIT, now, [Change(ChangeKind.KEEP)])
            case CycleState.VISIT | CycleState.OPERATOR:
                self._quiet_since = now
                return []

    def stir(self, now: float) -> None:
        """The pointer moved without a press: someone is there, but it takes a tap to start
        a visit, stop the attract loop or answer the countdown."""
        if self.state in (CycleState.WELCOME, CycleState.VISIT, CycleState.OPERATOR):
            self._quiet_since = now

    def keep_exploring(self, now: float) -> list[Change]:
        """The countdown's "keep exploring" button."""
        if self.state != CycleState.COUNTDOWN:
            return []
        return self._go(CycleState.VISIT, now, [Change(ChangeKind.KEEP)])

    def open_operator(self, now: float) -> list[Change]:
        """The hidden gesture: the operator overlay opens and every timer stops."""
        if self.state == CycleState.OPERATOR:
            return []
        counting = self.state == CycleState.COUNTDOWN
        changes = [Change(ChangeKind.KEEP)] if counting else []
        # Leaving a countdown for the operator returns to a running visit: the countdown
        # starts over from a full idle spell rather than resetting under the operator.
        self._before_operator = CycleState.VISIT if counting else self.state
        return self._go(CycleState.OPERATOR, now, [*changes, Change(ChangeKind.OPERATOR)])

    def close_operator(self, now: float, reason: str = "") -> list[Change]:
        """The operator overlay closed (resume, or timed out)."""
        if self.state != CycleState.OPERATOR:
            return []
        back = self._before_operator
        return self._go(back, now, [Change(ChangeKind.OPERATOR_CLOSED, reason=reason)])

    # -- time -------------------------------------------------------------------------------

    def tick(self, now: float) -> list[Change]:
        """Called every frame: the changes that time brought."""
        quiet = now - self._quiet_since
        t = self.timing
        match self.state:
            case CycleState.WELCOME if quiet >= t.attract_after:
                return self._go(CycleState.ATTRACT, now, [Change(ChangeKind.ATTRACT)])
            case CycleState.VISIT if quiet >= t.reset_after:
                self._go(CycleState.COUNTDOWN, now, [])
                self._shown = t.countdown
                return [Change(ChangeKind.COUNTDOWN, t.countdown)]
            case CycleState.COUNTDOWN:
                left = self.seconds_left(now)
                if left <= 0:
                    self._shown = None
                    return self._go(CycleState.WELCOME, now, [Change(ChangeKind.RESET)])
                if left != self._shown:
                    self._shown = left
                    return [Change(ChangeKind.TICK, left)]
            case CycleState.OPERATOR if quiet >= t.operator_timeout:
                return self.close_operator(now, "timeout")
        return []

    def seconds_left(self, now: float) -> int:
        """The number the countdown shows (whole seconds, rounded up); 0 outside it."""
        if self.state != CycleState.COUNTDOWN:
            return 0
        return max(0, math.ceil(self.timing.countdown - (now - self._quiet_since) - 1e-9))

    def _go(self, state: CycleState, now: float, changes: list[Change]) -> list[Change]:
        self.state = state
        self._quiet_since = now
        return changes
