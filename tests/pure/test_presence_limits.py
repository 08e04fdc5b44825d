"""The presence server's guards: the token bucket and the extent positions are clamped to."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gwangju_twin.presence.limits import Counters, Extent, TokenBucket


def test_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=10.0, burst=5.0)
    # At one instant: the burst (5), then nothing.
    assert [bucket.take(0.0) for _ in range(7)] == [True] * 5 + [False] * 2
    # 0.25 s later 2.5 tokens have come back: two messages pass, the third does not.
    assert [bucket.take(0.25) for _ in range(3)] == [True, True, False]
    # A long pause refills only up to the burst.
    assert sum(bucket.take(100.0) for _ in range(10)) == 5


@given(st.lists(st.floats(0, 0.5), min_size=1, max_size=200))
def test_bucket_never_passes_more_than_burst_plus_rate_times_time(gaps: list[float]) -> None:
    bucket = TokenBucket(rate=20.0, burst=40.0)
    t = 0.0
    passed = 0
    for g in gaps:
        t += g
        passed += bucket.take(t)
    assert passed <= 40 + 20.0 * t + 1e-9


@given(st.tuples(*[st.floats(-1e5, 1e5)] * 3))
def test_extent_clamps_into_the_box(pos: tuple[float, float, float]) -> None:
    box = Extent(-10.0, -20.0, 10.0, 20.0, 0.0, 5.0)
    x, y, z = box.clamp(pos)
    assert -10 <= x <= 10 and -20 <= y <= 20 and 0 <= z <= 5
    if -10 <= pos[0] <= 10:
        assert x == pos[0]


def test_extent_refuses_a_box_that_is_not_one() -> None:
    with pytest.raises(ValueError):
        Extent(1.0, 0.0, 0.0, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        Extent(0.0, 0.0, math.nan, 1.0, 0.0, 1.0)


def test_counters_sort_by_name() -> None:
    c = Counters()
    c["rate_limited"] += 2
    c["join"] += 1
    assert list(c.as_dict()) == ["join", "rate_limited"]
