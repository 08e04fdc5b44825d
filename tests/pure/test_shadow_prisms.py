"""Shadow prisms (sun/shadows.py) against shadows computed by hand."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from gwangju_twin.sun import SEOUL, SunPosition, sun_position
from gwangju_twin.sun.shadows import building_shadows, shadow_parts, shadow_vectors

LAT, LON = 35.16, 126.85


def test_ten_metre_cube_at_equinox_noon_casts_10_tan_latitude_northwards() -> None:
    # At solar noon on an equinox the sun stands 90 deg - latitude high (declination ~0),
    # due south, so a 10 m cube casts 10 / tan(90 - 35.16) = 10 * tan(35.16) = 7.045 m
    # northwards. Solar noon at 126.85 E on 2026-03-20: 12:00 KST + (135 - 126.85) * 4 min
    # (32.6 min, the zone's meridian) + 7.5 min (the equation of time is about -7.5 min in
    # late March, NOAA's tables) = about 12:40 KST.
    # Tolerance: the equinox instant is 2026-03-20 14:46 UTC, 11.5 h after that noon, when
    # the declination is about -0.19 deg (it moves 0.4 deg a day); d(length)/d(decl) =
    # 10 / cos^2(35.16) m/rad = 0.26 m/deg, so 0.05 m; refraction at 55 deg is 0.01 deg
    # (0.003 m); a 2-minute error in noon turns the shadow by 0.5 deg (0.0003 m north). 0.1 m.
    when = datetime(2026, 3, 20, 12, 40, tzinfo=SEOUL)
    pos = sun_position(when, LAT, LON)
    assert pos.azimuth_deg == pytest.approx(180.0, abs=1.0)
    cube = np.array([box(-5, -5, 5, 5)], dtype=object)
    shadow = building_shadows(cube, np.array([10.0]), pos)[0]
    miny, maxy = shadow.bounds[1], shadow.bounds[3]
    assert miny == pytest.approx(-5.0)
    assert maxy - 5.0 == pytest.approx(10.0 * math.tan(math.radians(35.16)), abs=0.1)
    # A square of side s swept by v covers s^2 + s * (|vx| + |vy|): exact for any sun.
    vx, vy = shadow_vectors(np.array([10.0]), pos)[0]
    assert shadow.area == pytest.approx(100.0 + 10.0 * (abs(vx) + abs(vy)), rel=1e-9)


def test_thirty_metres_at_eight_on_the_solstice_reaches_494_metres() -> None:
    # GWANGJU.md: about 494 m at 08:00 on the winter solstice (the figures fit 2026-12-21 KST;
    # test_sun_position.py says why). The shadow of a 1 m pillar runs 494 m towards the
    # west-north-west (the sun is at azimuth ~122 deg, east-south-east).
    pos = sun_position(datetime(2026, 12, 21, 8, tzinfo=SEOUL), LAT, LON)
    pillar = np.array([box(-0.5, -0.5, 0.5, 0.5)], dtype=object)
    shadow = building_shadows(pillar, np.array([30.0]), pos)[0]
    tip = shapely.get_coordinates(shadow)
    reach = np.hypot(tip[:, 0], tip[:, 1]).max()
    assert reach == pytest.approx(494.0 + 0.7, abs=3.0)  # + the pillar's half-diagonal
    far = tip[np.argmax(np.hypot(tip[:, 0], tip[:, 1]))]
    assert far[0] < 0 and far[1] > 0  # west and north of the pillar


def test_l_shaped_footprint_by_hand() -> None:
    # The sun due south at 45 deg: a 5 m tall L (two 10 x 2 m arms) moves 5 m north. The
    # swept L is [0,10]x[0,7] plus the arm [0,2]x[7,15]: 70 + 16 = 86 m^2. Its convex hull
    # would be larger (it fills the corner), so this checks the exact construction.
    pos = SunPosition(azimuth_deg=180.0, elevation_deg=45.0)
    ell = shapely.union(box(0, 0, 10, 2), box(0, 0, 2, 10))
    shadow = building_shadows(np.array([ell], dtype=object), np.array([5.0]), pos)[0]
    assert shadow.area == pytest.approx(86.0)
    assert shadow.contains(shapely.Point(1, 14.9))
    assert not shadow.contains(shapely.Point(9, 8))


def test_a_plane_above_a_building_gets_no_shadow_and_heights_are_relative() -> None:
    pos = SunPosition(azimuth_deg=180.0, elevation_deg=45.0)
    feet = np.array([box(0, 0, 2, 2), box(10, 0, 12, 2), box(20, 0, 22, 2)], dtype=object)
    heights = np.array([3.0, 1.0, np.nan])
    _, owner = shadow_parts(feet, heights, pos, z=1.5)
    assert set(owner.tolist()) == {0}  # the 1 m building and the height-less one cast none
    shadows = building_shadows(feet, heights, pos, z=1.5)
    assert shadows[0].bounds[3] == pytest.approx(2.0 + 1.5)  # 3 - 1.5 m above the plane
    assert shadows[1].is_empty and shadows[2].is_empty


def test_courtyard_fills_with_shadow_on_its_sunny_side() -> None:
    # A 20 x 20 block with a 10 x 10 courtyard, 4 m tall, sun due south at 45 deg: the shadow
    # covers the courtyard's southern 4 m (the southern wing's shadow) plus the block moved.
    pos = SunPosition(azimuth_deg=180.0, elevation_deg=45.0)
    block = box(0, 0, 20, 20).difference(box(5, 5, 15, 15))
    shadow = building_shadows(np.array([block], dtype=object), np.array([4.0]), pos)[0]
    assert shadow.contains(shapely.Point(10, 8.5))
    assert not shadow.contains(shapely.Point(10, 10))
    # 400 - 100 (the block) + 20 * 4 (north of it) + 10 * 4 (in the courtyard) = 420 m^2
    assert shadow.area == pytest.approx(420.0)


def test_no_shadow_parts_at_night() -> None:
    pos = SunPosition(azimuth_deg=0.0, elevation_deg=-10.0)
    parts, owner = shadow_parts(np.array([box(0, 0, 1, 1)], dtype=object), np.array([5.0]), pos)
    assert len(parts) == 0 and len(owner) == 0
    with pytest.raises(ValueError, match="below the horizon"):
        shadow_vectors(np.array([5.0]), pos)
