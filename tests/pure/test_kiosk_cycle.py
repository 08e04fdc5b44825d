"""The kiosk's idle / attract / visit / countdown / reset cycle, as pure logic on a fake clock."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwangju_twin.kiosk.cycle import STATES, Change, IdleCycle, Timing

T = Timing(attract_after=30.0, reset_after=45.0, countdown=10, operator_timeout=20.0)


def run(cycle: IdleCycle, start: float, end: float,
        step: float = 0.1) -> list[tuple[float, Change]]:
    """Tick from ``start`` to ``end`` like frames would; every change with its time."""
    out = []
    n = round((end - start) / step)
    for i in range(1, n + 1):
        now = start + i * step
        out += [(now, c) for c in cycle.tick(now)]
    return out


def kinds(changes: list[tuple[float, Change]]) -> list[str]:
    return [c.kind for _, c in changes]


def test_welcome_turns_to_attract_after_the_quiet_spell() -> None:
    cycle = IdleCycle(T, now=100.0)
    assert cycle.state == "welcome"
    assert run(cycle, 100.0, 129.8) == []
    changes = run(cycle, 129.8, 130.5)
    assert kinds(changes) == ["attract"]
    assert changes[0][0] == pytest.approx(130.0)
    assert cycle.state == "attract"
    # The attract loop runs for as long as nobody comes.
    assert run(cycle, 130.5, 1000.0, 1.0) == []


def test_pointer_movement_keeps_the_welcome_screen_but_does_not_start_a_visit() -> None:
    cycle = IdleCycle(T, now=0.0)
    cycle.stir(25.0)
    assert run(cycle, 0.0, 54.9) == []
    assert kinds(run(cycle, 54.9, 55.2)) == ["attract"]
    cycle.stir(60.0)  # moving alone does not stop the attract loop: it takes a tap
    assert cycle.state == "attract"


def test_first_tap_stops_the_attract_loop_and_starts_a_visit() -> None:
    cycle = IdleCycle(T, now=0.0)
    run(cycle, 0.0, 31.0)
    assert cycle.touch(40.0) == [Change("visit")]
    assert cycle.state == "visit"
    assert cycle.touch(41.0) == []  # later taps are just the visit going on


def test_a_tap_on_the_welcome_screen_starts_a_visit_too() -> None:
    cycle = IdleCycle(T, now=0.0)
    assert cycle.touch(5.0) == [Change("visit")]


def test_countdown_then_full_reset_when_the_visitor_has_gone() -> None:
    cycle = IdleCycle(T, now=0.0)
    cycle.touch(1.0)
    cycle.touch(20.0)  # the last input
    assert run(cycle, 20.0, 64.9) == []
    changes = run(cycle, 64.9, 75.5)
    assert changes[0][1] == Change("countdown", 10)
    assert changes[0][0] == pytest.approx(65.0)
    ticks = [c.seconds for _, c in changes if c.kind == "tick"]
    assert ticks == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    reset = [(t, c) for t, c in changes if c.kind == "reset"]
    assert len(reset) == 1 and reset[0][0] == pytest.approx(75.0)
    assert cycle.state == "welcome"
    # After the reset, the booth waits attract_after seconds before the attract loop.
    later = run(cycle, 75.5, 106.0)
    assert kinds(later) == ["attract"] and later[0][0] == pytest.approx(105.0)


@pytest.mark.parametrize("answer", ["touch", "keep_exploring"])
def test_keep_exploring_cancels_the_countdown(answer: str) -> None:
    cycle = IdleCycle(T, now=0.0)
    cycle.touch(0.0)
    run(cycle, 0.0, 48.0)
    assert cycle.state == "countdown"
    assert cycle.seconds_left(48.0) == 7
    assert getattr(cycle, answer)(48.0) == [Change("keep")]
    assert cycle.state == "visit"
    assert cycle.seconds_left(48.0) == 0
    # A whole new idle spell is needed before the next countdown.
    assert run(cycle, 48.0, 92.9) == []
    assert kinds(run(cycle, 92.9, 93.2)) == ["countdown"]


def test_keep_exploring_outside_a_countdown_does_nothing() -> None:
    cycle = IdleCycle(T, now=0.0)
    assert cycle.keep_exploring(1.0) == []
    cycle.touch(2.0)
    assert cycle.keep_exploring(3.0) == []


def test_pointer_movement_does_not_answer_the_countdown() -> None:
    cycle = IdleCycle(T, now=0.0)
    cycle.touch(0.0)
    run(cycle, 0.0, 46.0)
    cycle.stir(47.0)
    assert cycle.state == "countdown"
    assert "reset" in kinds(run(cycle, 46.0, 56.0))


def test_operator_overlay_stops_the_timers_and_times_out() -> None:
    cycle = IdleCycle(T, now=0.0)
    assert cycle.open_operator(1.0) == [Change("operator")]
    assert cycle.open_operator(2.0) == []
    assert run(cycle, 1.0, 20.9) == []  # no attract while the operator is at the screen
    cycle.touch(15.0)  # the operator typing keeps it open
    assert run(cycle, 20.9, 34.9) == []
    changes = run(cycle, 34.9, 35.2)
    assert [c for _, c in changes] == [Change("operator_closed", reason="timeout")]
    assert cycle.state == "welcome"


def test_operator_gesture_during_a_countdown_returns_to_the_visit() -> None:
    cycle = IdleCycle(T, now=0.0)
    cycle.touch(0.0)
    run(cycle, 0.0, 47.0)
    assert [c.kind for c in cycle.open_operator(47.0)] == ["keep", "operator"]
    assert cycle.close_operator(50.0) == [Change("operator_closed")]
    assert cycle.state == "visit"
    assert cycle.close_operator(51.0) == []


def test_timing_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="countdown"):
        Timing(countdown=0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(0.05, 80.0), st.sampled_from(
    ["touch", "stir", "keep_exploring", "open_operator", "close_operator", "nothing"])),
    max_size=40))
def test_any_day_follows_the_rules(day: list[tuple[float, str]]) -> None:
    """Whatever visitors do and whenever: resets come only at the end of a full countdown,
    a countdown only after reset_after quiet seconds of a visit, the attract loop only
    after attract_after quiet seconds of the welcome screen, and the state is always known."""
    cycle = IdleCycle(T, now=0.0)
    now, last_input, last_change = 0.0, 0.0, 0.0
    for gap, act in day:
        target = now + gap
        while now < target:
            now = min(target, now + 0.25)
            before = cycle.state
            for change in cycle.tick(now):
                if change.kind == "countdown":
                    assert before == "visit"
                    assert now - max(last_input, last_change) >= T.reset_after - 1e-6
                if change.kind == "reset":
                    assert before == "countdown"
                    assert now - last_change >= T.countdown - 1e-6
                if change.kind == "attract":
                    assert before == "welcome"
                    assert now - max(last_input, last_change) >= T.attract_after - 1e-6
                if change.kind in ("countdown", "reset", "attract", "operator_closed"):
                    last_change = now
            assert cycle.state in STATES
        if act != "nothing":
            before = cycle.state
            result = getattr(cycle, act)(now)
            # What counts as the visitor's input in each state (see IdleCycle).
            if act == "touch" or (act == "stir" and before in ("welcome", "visit", "operator")) \
                    or (act == "keep_exploring" and before == "countdown"):
                last_input = now
            if result:
                last_change = now
