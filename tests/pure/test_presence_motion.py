"""Presence's pure parts: interpolation between snapshots, interest zones, back-off."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwangju_twin.presence.backoff import Backoff
from gwangju_twin.presence.interpolation import (
    ClockOffset,
    SnapshotBuffer,
    State,
    lerp_angle,
    wrap180,
)
from gwangju_twin.presence.zones import InterestMap, Zone, zones_from_sites
from gwangju_twin.scene.pavilions import PavilionSite, PavilionSpec, site_polygon

angles = st.floats(-720, 720, allow_nan=False)


@given(angles, angles, st.floats(0, 1))
def test_yaw_takes_the_short_way_round(a: float, b: float, t: float) -> None:
    out = lerp_angle(a, b, t)
    assert -180 <= out < 180
    # The turn from a is t times the shortest signed turn from a to b (at most 180°).
    step = wrap180(out - a)
    whole = wrap180(b - a)
    assert math.isclose(wrap180(step - whole * t), 0.0, abs_tol=1e-6) or \
        math.isclose(abs(wrap180(step - whole * t)), 180.0, abs_tol=1e-6)
    assert abs(step) <= 180.0 * t + 1e-6


def test_350_to_10_degrees_turns_through_north() -> None:
    # Hand-worked: halfway from 350° to 10° is 0° (north), not 180°.
    assert lerp_angle(350.0, 10.0, 0.5) == pytest.approx(0.0, abs=1e-9)
    assert lerp_angle(-170.0, 170.0, 0.25) == pytest.approx(-175.0)


def _s(x: float, yaw: float = 0.0) -> State:
    return State(x, 0.0, 0.0, yaw, 0.0)


def test_buffer_interpolates_a_delay_behind_and_holds_at_the_ends() -> None:
    buf = SnapshotBuffer(delay=0.1)
    buf.push(10.0, {"a": _s(0.0), "gone": _s(5.0)})
    buf.push(10.1, {"a": _s(1.0, 90.0), "new": _s(7.0)})
    buf.push(10.05, {"a": _s(99.0)})  # late: older than the newest, dropped
    # At server time 10.15 the viewer shows 10.05: halfway.
    mid = buf.sample(10.15)
    assert mid["a"].x == pytest.approx(0.5)
    assert mid["a"].yaw == pytest.approx(45.0)
    assert "gone" not in mid and mid["new"].x == 7.0
    assert buf.sample(5.0)["a"].x == 0.0  # before the first: the first
    assert buf.sample(99.0)["a"].x == 1.0  # after the last: held, not extrapolated
    assert SnapshotBuffer().sample(1.0) == {}


@settings(deadline=None)
@given(st.lists(st.floats(0.01, 0.5), min_size=2, max_size=30), st.floats(0, 1))
def test_interpolated_position_stays_between_its_neighbours(gaps: list[float],
                                                            where: float) -> None:
    buf = SnapshotBuffer(delay=0.0, keep=64)
    t = 0.0
    rng = random.Random(len(gaps))
    xs = []
    for g in gaps:
        t += g
        xs.append(rng.uniform(-100, 100))
        buf.push(t, {"v": _s(xs[-1])})
    times = buf.times
    at = times[0] + where * (times[-1] - times[0])
    x = buf.sample(at)["v"].x
    i = max(1, min(len(times) - 1, int(np.searchsorted(times, at, side="right"))))
    lo, hi = sorted((xs[i - 1], xs[i]))
    assert lo - 1e-9 <= x <= hi + 1e-9


def test_clock_offset_keeps_the_least_delayed_sample() -> None:
    clock = ClockOffset(drift=0.0)
    # Server clock is 1000 s ahead; latencies 30, 5 and 50 ms: the 5 ms one is the best guess.
    for server_t, latency in ((1000.0, 0.03), (1000.1, 0.005), (1000.2, 0.05)):
        clock.observe(server_t, server_t - 1000.0 + latency)
    assert clock.server_time(1.0) == pytest.approx(1001.0 - 0.005)


def _site(pid: str, center: tuple[float, float], size: tuple[float, float]) -> PavilionSite:
    spec = PavilionSpec(id=pid, sector="ai", at_lonlat=None, at_local=center, heading=30.0,
                        size=size, plugin=None, key="pavilion[0]")  # type: ignore[arg-type]
    return PavilionSite(spec=spec, center=center, polygon=site_polygon(center, 30.0, size))


def test_zones_hold_their_whole_site() -> None:
    (zone,) = zones_from_sites([_site("ai", (100.0, 50.0), (30.0, 40.0))], margin=10.0)
    # Half-diagonal of a 30 x 40 rectangle is 25 m (a 3-4-5 triangle), plus the margin.
    assert zone.radius == pytest.approx(35.0)
    assert (zone.x, zone.y) == (100.0, 50.0)


def test_zone_membership_and_nearness() -> None:
    imap = InterestMap([Zone("a", 0.0, 0.0, 50.0), Zone("b", 80.0, 0.0, 50.0)], radius=10.0)
    xy = np.array([[0.0, 0.0], [45.0, 0.0], [35.0, 0.0], [500.0, 0.0], [505.0, 0.0],
                   [900.0, 0.0]])
    zone = imap.zone_of(xy)
    # 45 m is in both circles but nearer b's centre (35 m vs 45 m); 35 m is nearer a.
    assert zone.tolist() == [0, 1, 0, -1, -1, -1]
    near = imap.near(xy, zone)
    assert near[0, 2] and not near[0, 1]  # same zone; different zones 45 m apart
    assert near[1, 2]  # different zones but 10 m apart: within the radius
    assert near[3, 4] and not near[3, 5]  # on the street: by distance only
    assert (near == near.T).all() and near.diagonal().all()
    assert imap.zone_id(1) == "b" and imap.zone_id(-1) is None
    assert InterestMap([]).zone_of(xy).tolist() == [-1] * 6


def test_backoff_grows_is_capped_jittered_and_resets() -> None:
    b = Backoff(base=0.5, factor=2.0, cap=8.0, rng=random.Random(1))
    now = 0.0
    ceilings = []
    for _ in range(8):
        at = b.failed(now)
        ceilings.append(b.ceiling())
        assert now + min(b.floor, b.ceiling()) <= at <= now + b.ceiling()
        assert not b.due(now) or at == now
        now = at
        assert b.due(now)
    # 0.5 doubling: 0.5, 1, 2, 4, then the cap 8.
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    b.succeeded()
    assert b.due(now) and b.ceiling() == 0.0
    b.failed(now)
    assert b.ceiling() == 0.5


def test_backoff_spreads_many_clients_that_failed_together() -> None:
    delays = []
    for seed in range(200):
        b = Backoff(rng=random.Random(seed))
        for _ in range(4):
            at = b.failed(0.0)
        delays.append(at)
    # All failed at t=0 four times: full jitter spreads them over [floor, 4 s].
    assert max(delays) - min(delays) > 2.0
    b = Backoff()
    for _ in range(10_000):
        b.failed(0.0)
    assert b.ceiling() == b.cap
    with pytest.raises(ValueError):
        Backoff(base=0.0)


def test_deltas_move_each_visitor_along_their_own_states() -> None:
    buf = SnapshotBuffer(delay=0.1)
    buf.push(10.0, {"a": _s(0.0), "b": _s(50.0)})
    # Between snapshots, deltas bring only who moved: a twice, b not at all.
    buf.merge(10.025, {"a": _s(1.0)})
    buf.merge(10.075, {"a": _s(3.0)})
    # Shown at 10.05 (0.1 behind): a halfway between its two delta states (1 at .025 and
    # 3 at .075 give 2); b, absent from the deltas, has not moved and is not gone.
    now = buf.sample(10.15)
    assert now["a"].x == pytest.approx(2.0)
    assert now["b"].x == 50.0
    # The next snapshot repeats a's last pose (a delta brought it 25 ms before): no new
    # state, so a is not held there until the next one; it keeps moving to its next pose.
    buf.push(10.1, {"a": _s(3.0), "b": _s(50.0)})
    buf.merge(10.175, {"a": _s(5.0)})
    assert buf.sample(10.225)["a"].x == pytest.approx(4.0)  # 10.125: between 3 and 5
    # A delta never says anyone left; a snapshot without b does.
    buf.merge(10.2, {"a": _s(6.0)})
    assert "b" in buf.sample(10.3)
    buf.push(10.3, {"a": _s(7.0)})
    assert "b" not in buf.sample(10.4)
    assert buf.sample(10.4)["a"].x == pytest.approx(7.0)


def test_a_visitor_standing_still_then_walking_starts_smoothly() -> None:
    buf = SnapshotBuffer(delay=0.1)
    for k in range(6):  # 0.5 s of snapshots with a standing still
        buf.push(10.0 + 0.1 * k, {"a": _s(0.0)})
    buf.merge(10.525, {"a": _s(1.0)})
    # The hold reached 10.5 (the last snapshot), so a walks from 0 at 10.5 to 1 at 10.525:
    # not from 0 at 10.0 (which would put it at 0.95 at once).
    assert buf.sample(10.6)["a"].x == pytest.approx(0.0)
    assert buf.sample(10.6125)["a"].x == pytest.approx(0.5)


def test_a_visitor_back_in_view_starts_where_they_are() -> None:
    buf = SnapshotBuffer(delay=0.0)
    buf.push(1.0, {"a": _s(0.0)})
    buf.push(1.1, {})  # out of view
    buf.merge(1.2, {"a": _s(100.0)})  # back, far from where they were last
    assert buf.sample(1.05) == {}  # out of view from the snapshot before it left
    # Back: shown where it came back from the message before (as a newcomer is), with no
    # glide across the gap from 0.
    assert buf.sample(1.15)["a"].x == 100.0
    # Late and duplicate deltas are dropped like snapshots.
    buf.merge(1.2, {"a": _s(5.0)})
    buf.merge(1.0, {"a": _s(5.0)})
    assert buf.sample(9.0)["a"].x == 100.0
