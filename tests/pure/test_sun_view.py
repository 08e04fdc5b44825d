"""``ctx.sun`` (plugin API 1.2): a read-only view of the scene's clock, whose callbacks the
host runs between frames."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from shapely.geometry import box

from gwangju_twin.demos.solar.sun import shaded_now
from gwangju_twin.plugins import API_VERSION, SUPPORTED_API_VERSIONS, SunView
from gwangju_twin.plugins.sunview import default_clock
from gwangju_twin.sun import DEFAULT_MOMENT, SEOUL, SceneClock, default_moment, sun_position


def test_the_view_reads_the_clock_and_cannot_set_it() -> None:
    clock = SceneClock(datetime(2026, 12, 22, 9, tzinfo=SEOUL), 35.16, 126.85)
    sun = SunView(clock)
    assert sun.when == clock.when and sun.position == clock.position
    assert (sun.latitude, sun.longitude) == (35.16, 126.85)
    clock.set(datetime(2026, 12, 22, 12, tzinfo=SEOUL))
    assert sun.when.hour == 12 and sun.position == clock.position
    assert not hasattr(sun, "set") and not hasattr(sun, "play") and not hasattr(sun, "tick")
    with pytest.raises(AttributeError):
        sun.when = datetime(2026, 1, 1, tzinfo=SEOUL)  # type: ignore[misc]


def test_callbacks_wait_for_the_host_and_come_once_per_frame() -> None:
    clock = SceneClock(datetime(2026, 12, 22, 9, tzinfo=SEOUL), 35.16, 126.85)
    sun = SunView(clock)
    heard: list[float] = []
    unsubscribe = sun.subscribe(lambda view: heard.append(view.position.elevation_deg))
    assert sun.due() == []  # nothing moved yet
    clock.set(datetime(2026, 12, 22, 10, tzinfo=SEOUL))
    clock.set(datetime(2026, 12, 22, 11, tzinfo=SEOUL))
    assert heard == []  # not called from inside the clock's setter
    due = sun.due()
    assert len(due) == 1
    due[0]()
    assert heard == [clock.position.elevation_deg]  # the latest moment, once
    assert sun.due() == []
    unsubscribe()
    clock.set(datetime(2026, 12, 22, 12, tzinfo=SEOUL))
    assert sun.due() == []
    with pytest.raises(TypeError):
        sun.subscribe(5)  # type: ignore[arg-type]


def test_close_stops_listening() -> None:
    clock = SceneClock(datetime(2026, 12, 22, 9, tzinfo=SEOUL), 35.16, 126.85)
    sun = SunView(clock)
    sun.subscribe(lambda view: None)
    sun.close()
    clock.set(datetime(2026, 12, 22, 10, tzinfo=SEOUL))
    assert sun.due() == []


def test_default_clock_and_api_version() -> None:
    clock = default_clock(126.85, 35.16)
    assert clock.when == DEFAULT_MOMENT and clock.latitude == 35.16
    assert API_VERSION == "1.2" and SUPPORTED_API_VERSIONS == ("1.0", "1.1", "1.2")


def test_solar_demo_roofs_in_shade_now() -> None:
    # A 5 m house 10 m north of a 30 m tower, sun due south at 45 deg: the tower's shadow is
    # 30 m long, so the house's roof (5 m up) is in it: 25 m of climb needed, 10 m available.
    # The tower's own roof is taller than everything: in the sun. With the sun due north the
    # house is on the sunny side.
    feet = np.array([box(-5, -20, 5, -10), box(-5, 0, 5, 10)], dtype=object)
    heights = np.array([30.0, 5.0])
    south = np.array([0.0, -np.sqrt(0.5), np.sqrt(0.5)])
    assert shaded_now(feet, heights, south).tolist() == [False, True]
    north = np.array([0.0, np.sqrt(0.5), np.sqrt(0.5)])
    assert shaded_now(feet, heights, north).tolist() == [False, False]


@pytest.mark.parametrize("longitude", [float(x) for x in range(-180, 181, 15)] + [9.52, 129.1])
def test_default_moment_is_a_late_morning_everywhere(longitude: float) -> None:
    # 11:00 in Seoul is 03:00 in Liechtenstein: the default picture promises daylight.
    when = default_moment(longitude)
    sun = sun_position(when, 35.0, longitude)
    assert sun.elevation_deg > 35.0  # September, 35 N, late morning: about 50 degrees up
    # Before noon: the sun stands east of south.
    assert 90.0 < sun.azimuth_deg < 180.0
    assert when.date().isoformat() == "2026-09-20" and (when.hour, when.minute) == (11, 0)


def test_default_moment_is_unchanged_in_korea() -> None:
    # Every Korean district (Jeju 126.5 E to Dokdo 131.9 E) keeps the fixed moment, so its
    # default pictures stay what they were.
    for longitude in (124.6, 126.5, 126.85, 129.1, 131.9):
        assert default_moment(longitude) == DEFAULT_MOMENT
        assert default_moment(longitude).tzinfo is SEOUL
    assert default_clock(9.52, 47.14).when.utcoffset() == timedelta(hours=1)
