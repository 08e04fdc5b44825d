"""Where the street lights stand: every SPACING_M along a road, alternating sides, just
outside its width, none on service roads."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gwangju_twin.geo.model import District
from gwangju_twin.mesh.streetlights import (
    KERB_M,
    LAMP_HEIGHT_M,
    LANE_GLOW,
    ROAD_GLOW,
    SPACING_M,
    street_lamps,
    streetlight_positions,
)


def _roads(district: District, lines: list[shapely.LineString], widths: list[float],
           kinds: list[str]) -> District:
    """``district``'s first rows turned into the given roads (the rest dropped)."""
    out = district.take(np.arange(len(lines)))
    out.geometry = np.array(lines, dtype=object)
    out.layer = np.array(["roads"] * len(lines), dtype=object)
    out.kind = np.array(kinds, dtype=object)
    out.width = np.array(widths, dtype=float)
    return out


def test_lamps_along_a_straight_road_alternate_sides_off_the_kerb(prepared) -> None:
    road = shapely.LineString([(0, 0), (305, 0)])
    d = _roads(prepared.district, [road], [12.0], ["secondary"])
    lamps = streetlight_positions(d)
    # 305 m holds ten whole spacings: lamps at 15, 45, ... 285 m.
    assert len(lamps) == int(305 // SPACING_M) == 10
    assert np.allclose(lamps[:, 0], SPACING_M / 2 + SPACING_M * np.arange(10))
    offset = 12.0 / 2 + KERB_M
    assert np.allclose(np.abs(lamps[:, 1]), offset)
    assert np.allclose(np.sign(lamps[:, 1]), np.tile([1, -1], 5))  # left, right, left...
    assert np.allclose(lamps[:, 2], LAMP_HEIGHT_M)


def test_a_bent_road_keeps_its_lamps_beside_it_and_service_roads_get_none(prepared) -> None:
    bent = shapely.LineString([(0, 0), (100, 0), (100, 100)])
    service = shapely.LineString([(500, 0), (800, 0)])
    d = _roads(prepared.district, [bent, service], [float("nan"), 5.0],
               ["residential", "service"])
    lamps = streetlight_positions(d)
    assert len(lamps) == int(200 // SPACING_M)
    # Every lamp is off the road by half the default width plus the kerb (a road of
    # unknown width is taken as 6 m), except near the bend where the offset is measured
    # from a point on the other leg: within the lamp's own offset everywhere.
    gap = shapely.distance(shapely.points(lamps[:, :2]), bent)
    assert np.all(gap <= 3.0 + KERB_M + 1e-3) and np.all(gap > 0.5)  # float32 positions
    assert not (lamps[:, 0] > 400).any()


def test_no_roads_no_lamps_and_a_bad_spacing_is_refused(prepared) -> None:
    d = prepared.district
    buildings = d.take(np.flatnonzero(d.layer == "buildings")[:5])
    assert streetlight_positions(buildings).shape == (0, 3)
    with pytest.raises(ValueError, match="spacing"):
        streetlight_positions(d, spacing=0.0)


def test_each_lamp_glows_by_its_roads_class(prepared) -> None:
    major = shapely.LineString([(0, 0), (300, 0)])
    lane = shapely.LineString([(0, 500), (150, 500)])
    d = _roads(prepared.district, [major, lane], [20.0, 6.0], ["primary", "residential"])
    lamps, glow = street_lamps(d)
    assert glow.dtype == np.uint8 and glow.shape == (len(lamps),)
    # Ten lamps on the 300 m primary road (y = 0 side), five on the 150 m lane (y ~ 500).
    on_major = lamps[:, 1] < 250
    assert on_major.sum() == 10 and (~on_major).sum() == 5
    assert (glow[on_major] == ROAD_GLOW["primary"]).all()
    assert (glow[~on_major] == LANE_GLOW).all()
    assert ROAD_GLOW["primary"] > LANE_GLOW  # a lane is lit less than a main road
    assert np.array_equal(lamps, streetlight_positions(d))
