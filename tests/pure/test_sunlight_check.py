"""The winter-solstice sunlight check (sun/sunlight.py) on cases whose answer is known.

Independent expectations, worked out by hand (not read from the code's output):

- On the winter solstice the sun rises at azimuth arccos(sin(decl) / cos(lat)) =
  arccos(sin(-23.44) / cos(35.16)) = 119.1 deg and sets at 240.9 deg, so between 08:00 and
  16:00 it stays in the southern half of the sky (90 < azimuth < 270): a south wall faces it
  all day, a north wall never. The sun sets at the hour angle arccos(-tan(lat) tan(decl)) =
  arccos(0.7046 * 0.4336) = 72.2 deg, 4.8 h either side of solar noon (12:31, below): up
  from about 07:42 to 17:20 KST (refraction adds a few minutes), so through the whole
  08:00-16:00 window.
- Solar noon (azimuth 180) at 126.85 E is 12:00 KST + (135 - 126.85) * 4 min (32.6 min) -
  the equation of time (about +1.6 min on 22 December, NOAA's tables) = about 12:31 KST. An
  east wall has sun until then, a west wall from then on.
- With 5-minute slots counted at their midpoints: the east wall's slots 08:00-12:30 are 54
  (4.5 h) of which 09:00-12:30 are 42 (3.5 h continuous); the west wall's 12:30-16:00 are 42
  (3.5 h), of which 12:30-15:00 are 30 (2.5 h continuous). The slot holding 12:31 may go either
  way: one slot (5 min) of slack.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from shapely.geometry import box

from gwangju_twin.sun.sunlight import (
    Facade,
    SunlightResult,
    check_sunlight,
    meets_rule,
    winter_solstice,
)

LAT, LON = 35.16, 126.85
DAY = date(2026, 12, 22)
SLOT = 5 / 60


def _by_facing(result: SunlightResult) -> dict[str, Facade]:
    return {f.facing: f for f in result.facades}


@pytest.fixture(scope="module")
def open_field() -> SunlightResult:
    cube = np.array([box(-5, -5, 5, 5)], dtype=object)
    return check_sunlight(cube, np.array([10.0]), [0], LAT, LON, day=DAY)


def test_open_field_south_wall_has_sun_all_day(open_field: SunlightResult) -> None:
    f = _by_facing(open_field)
    assert set(f) == {"N", "E", "S", "W"}
    assert f["S"].hours_total == pytest.approx(8.0)
    assert f["S"].hours_continuous == pytest.approx(6.0)
    assert f["S"].share_passing == 1.0
    assert f["N"].hours_total == 0.0 and not f["N"].passes


def test_open_field_east_and_west_walls_split_at_solar_noon(open_field: SunlightResult) -> None:
    f = _by_facing(open_field)
    assert f["E"].hours_total == pytest.approx(4.5, abs=SLOT + 1e-9)
    assert f["E"].hours_continuous == pytest.approx(3.5, abs=SLOT + 1e-9)
    assert f["W"].hours_total == pytest.approx(3.5, abs=SLOT + 1e-9)
    assert f["W"].hours_continuous == pytest.approx(2.5, abs=SLOT + 1e-9)
    # East + west see the sun's whole day between them, once.
    assert f["E"].hours_total + f["W"].hours_total == pytest.approx(8.0)
    assert f["E"].passes and f["W"].passes  # 4.5 h total; 2.5 h continuous
    assert open_field.passes == {0: True}
    # Every sample of a wall is lit alike in an open field (one wall, one sun).
    for wall in open_field.facades:
        hours = open_field.sample_hours[wall.samples]
        assert np.all(hours == hours[0])
        assert wall.samples.stop - wall.samples.start == 5  # a 10 m wall, one every 2 m


def test_open_field_ground_behind_and_before_the_cube(open_field: SunlightResult) -> None:
    gx, gy, hours = open_field.ground_x, open_field.ground_y, open_field.ground_hours
    # The cube's 10 m bounds grown by 20 m each way (50 m), 2 m cells: 25 x 25 cells, the
    # middle 5 x 5 inside it.
    assert hours.shape == (25, 25)
    assert np.isnan(hours).sum() == 25

    def at(x: float, y: float) -> float:
        return float(hours[np.argmin(abs(gy - y)), np.argmin(abs(gx - x))])

    assert at(1, -20) == pytest.approx(8.0)  # 15 m south of the cube: nothing in the way
    # 1 m north of the north wall: a 10 m cube's shadow is at least 10 / tan(31 deg) = 16.6 m
    # long all day and the sun stays south of east-west, so the cell is always behind it.
    assert at(1, 6) == 0.0


def test_tall_wall_just_south_takes_all_the_sun() -> None:
    # A 60 m wall 1 km long, 6 m south of the building's south wall. From a window 1.5 m up
    # a ray to the sun must rise 58.5 m within the 6-30 m it runs before the wall (it runs
    # towards the south-east or south-west, the wall's ends are 495 m away): tan(elevation)
    # would have to exceed 1.9, 63 deg, and the sun never climbs above 31 deg. The north
    # wall faces away from the sun. So every wall gets 0 h: fail.
    feet = np.array([box(-5, -5, 5, 5), box(-500, -12, 500, -11)], dtype=object)
    result = check_sunlight(feet, np.array([10.0, 60.0]), [0], LAT, LON, day=DAY)
    assert [f.hours_total for f in result.facades] == [0.0, 0.0, 0.0, 0.0]
    assert result.passes == {0: False}
    assert not result.all_pass
    # The strip of ground between the wall and the building never sees the sun.
    row = np.argmin(abs(result.ground_y - -8.0))
    assert np.all(result.ground_hours[row, 5:-5] == 0.0)


def test_a_lower_wall_takes_the_morning_but_leaves_the_rule_met() -> None:
    # The same wall 4 m tall: 2.5 m above a window 1.5 m up, 5.95 m south of it. A ray at
    # azimuth A runs 5.95 / cos(A - 180) m before the wall, so the window is shaded while
    # tan(elevation) < 2.5 * cos(A - 180) / 5.95 = 0.42 * cos(A - 180).
    # At 09:00 (elevation 13.2 deg, GWANGJU.md; azimuth about 131): 0.23 < 0.42 * 0.66 =
    # 0.28, shaded. At solar noon (31 deg, azimuth 180): 0.60 > 0.42, lit. So the south wall
    # loses the early morning and late afternoon but keeps a continuous midday of more than
    # 2 h (and less than the open field's 6 h): pass.
    feet = np.array([box(-5, -5, 5, 5), box(-500, -12, 500, -11)], dtype=object)
    result = check_sunlight(feet, np.array([10.0, 4.0]), [0], LAT, LON, day=DAY)
    south = _by_facing(result)["S"]
    assert 2.0 <= south.hours_continuous < 6.0
    assert south.hours_total < 8.0
    assert south.passes and result.passes == {0: True}
    # A 2 m wall (0.5 m above the window) would need tan(elevation) < 0.084 * cos(A - 180),
    # below 2.5 deg even at 08:00 (azimuth 122, cos 0.53): it shades nothing in the window.
    low = check_sunlight(feet, np.array([10.0, 2.0]), [0], LAT, LON, day=DAY)
    assert _by_facing(low)["S"].hours_total == pytest.approx(8.0)


def test_the_rule_itself() -> None:
    # Supreme Court 2005다72485: 2 h continuous (09-15) or 4 h total (08-16).
    assert meets_rule(0.0, 2.0)
    assert meets_rule(4.0, 1.0)
    assert not meets_rule(3.9, 1.9)


def test_winter_solstice_day_in_korea() -> None:
    # December solstice instants as the almanacs publish them (USNO's seasons table), about
    # 2024-12-21 09:20 UTC (18:20 KST, the 21st) and 2026-12-21 20:50 UTC (05:50 KST on the
    # 22nd): hours from a KST midnight, so minutes of error cannot move the date.
    assert winter_solstice(2024) == date(2024, 12, 21)
    assert winter_solstice(2026) == date(2026, 12, 22)


def test_step_must_divide_the_window() -> None:
    cube = np.array([box(0, 0, 1, 1)], dtype=object)
    with pytest.raises(ValueError, match="divisor"):
        check_sunlight(cube, np.array([3.0]), [0], LAT, LON, day=DAY, step_minutes=7)


def test_union_and_tree_ask_the_same_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two ways to ask "is this point in a shadow piece" (sunlight.UNION_ABOVE picks one by
    # cost): forced each way on a small town they must agree on every sample and cell.
    import gwangju_twin.sun.sunlight as sunlight

    rng = np.random.default_rng(16)
    feet = np.array([box(x, y, x + 12, y + 9) for x in range(-60, 61, 30)
                     for y in range(-60, 61, 25)], dtype=object)
    heights = rng.uniform(3.0, 40.0, len(feet))
    runs = []
    for above in (0.0, 1e12):
        monkeypatch.setattr(sunlight, "UNION_ABOVE", above)
        runs.append(check_sunlight(feet, heights, [12], LAT, LON, day=DAY, cell=4.0))
    union, tree = runs
    assert np.array_equal(union.sample_sun, tree.sample_sun)
    assert np.array_equal(union.ground_sun, tree.ground_sun)
    assert 0 < tree.sample_sun.sum() < tree.sample_sun.size  # neither all lit nor all dark
