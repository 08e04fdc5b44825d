"""The pure logic of the built-in demos: the solar model and the shuttle fleet.

No Panda3D and no plugin host: these modules are plain numpy and shapely.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from render_helpers import panda3d_loaded_by
from shapely import LineString, box

from gwangju_twin.demos.shuttles import fleet
from gwangju_twin.demos.shuttles.fleet import Fleet, Loop, offset_right, plan_loop, visit_order
from gwangju_twin.demos.solar import sun
from gwangju_twin.plugins.roads import SNAP_TOLERANCE, build_road_graph

LAT = 35.15  # Gwangju
UNSHADED_YIELD = (sun.ANNUAL_GHI_KWH_M2 * sun.USABLE_ROOF_FRACTION * sun.MODULE_EFFICIENCY
                  * sun.PERFORMANCE_RATIO)


def test_pure_modules_do_not_import_panda3d() -> None:
    code = "import gwangju_twin.demos.solar.sun, gwangju_twin.demos.shuttles.fleet\n"
    assert panda3d_loaded_by(code) == []


# --- the sun --------------------------------------------------------------------------------


def elevation(v: np.ndarray) -> np.ndarray:
    return np.degrees(np.arcsin(v[..., 2]))


def test_noon_sun_at_the_solstices() -> None:
    summer, winter = sun.sun_vectors(LAT, np.array([172, 355]), 12.0)
    assert elevation(summer) == pytest.approx(90 - LAT + 23.45, abs=0.1)
    assert elevation(winter) == pytest.approx(90 - LAT - 23.45, abs=0.1)
    assert summer[0] == pytest.approx(0, abs=1e-9) and summer[1] < 0  # due south
    morning, afternoon = sun.sun_vectors(LAT, 80, np.array([9.0, 15.0]))
    assert morning[0] > 0 > afternoon[0]  # east in the morning, west in the afternoon
    np.testing.assert_allclose(np.linalg.norm(sun.sun_vectors(LAT, 1, np.arange(24.0)), axis=1),
                               1.0)


def test_annual_insolation_is_plausible() -> None:
    path = sun.sun_path(LAT)
    assert path.annual_ghi == pytest.approx(sun.ANNUAL_GHI_KWH_M2)
    assert 1300 <= path.annual_ghi <= 1400
    clear = sun.sun_path(LAT, annual_ghi=None)
    # A cloudless year at 35 N brings about 2,000-2,300 kWh/m²; real skies about 60 % of that.
    assert 1900 <= clear.annual_ghi <= 2400
    assert 0.55 <= path.scale <= 0.7
    assert clear.annual_ghi > sun.sun_path(60.0, annual_ghi=None).annual_ghi
    # The sun is up about half the hours of the year.
    assert 4300 <= path.hours.sum() <= 4600
    assert np.all(path.directions[:, 2] > 0) and np.all(path.ghi > 0)


def test_flat_roof_gets_more_in_summer_than_in_winter() -> None:
    monthly = sun.sun_path(LAT).monthly_ghi
    assert monthly.sum() == pytest.approx(sun.ANNUAL_GHI_KWH_M2)
    june, december = monthly[5], monthly[11]
    assert june > 2 * december
    assert int(np.argmin(monthly)) in (0, 11)


def test_representative_suns_stand_for_the_year() -> None:
    path = sun.sun_path(LAT)
    directions, weights = sun.representative_suns(path)
    assert 8 <= len(weights) <= 40
    assert weights.sum() == pytest.approx(1.0) and np.all(weights > 0)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=1), 1.0)
    assert np.all(directions[:, 2] > 0)
    # Their weighted mean points where the year's sunshine comes from: due south, high up.
    mean = (directions * weights[:, None]).sum(axis=0)
    want = (path.directions * path.energy[:, None]).sum(axis=0)
    cos = mean @ want / np.linalg.norm(mean) / np.linalg.norm(want)
    assert math.degrees(math.acos(min(cos, 1.0))) < 1.0
    assert mean[0] == pytest.approx(0.0, abs=1e-6) and mean[1] < 0


# --- shading and potential ------------------------------------------------------------------


def courtyard(gap: float, wall: float, low: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """A 20 m x 20 m low building at the origin inside a closed ring of tall blocks."""
    inner, outer = 10 + gap, 10 + gap + 30
    ring = [box(-outer, inner, outer, outer), box(-outer, -outer, outer, -inner),
            box(-outer, -inner, -inner, inner), box(inner, -inner, outer, inner)]
    footprints = np.array([box(-10, -10, 10, 10), *ring], dtype=object)
    return footprints, np.array([low, wall, wall, wall, wall])


def test_a_building_among_towers_gets_less() -> None:
    footprints, heights = courtyard(gap=5.0, wall=60.0)
    hemmed_in = sun.rooftop_potential(footprints, heights, LAT)
    alone = sun.rooftop_potential(footprints[:1], heights[:1], LAT)
    assert alone.shaded[0] == 0.0
    assert alone.yield_kwh_m2[0] == pytest.approx(UNSHADED_YIELD)
    assert hemmed_in.shaded[0] > 0.9  # the walls rise 55 m just 15 m away on every side
    assert hemmed_in.annual_kwh[0] < 0.6 * alone.annual_kwh[0]
    # Shade takes the direct sun, not the sky: the diffuse share is always left.
    assert hemmed_in.yield_kwh_m2[0] >= UNSHADED_YIELD * sun.DIFFUSE_FRACTION - 1e-9
    # The tall blocks' own roofs are in the open.
    np.testing.assert_allclose(hemmed_in.shaded[1:], 0.0)
    # Lower walls further away shade less.
    footprints, heights = courtyard(gap=40.0, wall=20.0)
    assert 0 < sun.rooftop_potential(footprints, heights, LAT).shaded[0] < hemmed_in.shaded[0]


def test_north_of_a_tower_is_darker_than_south_of_it() -> None:
    footprints = np.array([box(-10, -10, 10, 10),  # 80 m tower
                           box(-10, 20, 10, 40),  # a house north of it
                           box(-10, -40, 10, -20)], dtype=object)  # and one south
    shaded = sun.rooftop_potential(footprints, np.array([80.0, 6.0, 6.0]), LAT).shaded
    assert shaded[0] == 0.0
    assert shaded[1] > 0.2  # the sun is behind the tower around noon, most of the year
    assert shaded[2] == 0.0  # the sun never stands in the north at 35 N


def test_potential_scales_with_area() -> None:
    footprints = np.array([box(0, 0, 10, 10), box(1000, 0, 1020, 20)], dtype=object)
    result = sun.rooftop_potential(footprints, np.array([10.0, 10.0]), LAT)
    assert result.annual_kwh[1] == pytest.approx(4 * result.annual_kwh[0])
    np.testing.assert_allclose(result.yield_kwh_m2, UNSHADED_YIELD)
    assert result.annual_kwh[0] == pytest.approx(100 * UNSHADED_YIELD)
    assert result.total_kwh == pytest.approx(500 * UNSHADED_YIELD)
    # Given areas win over the footprints' own.
    given = sun.rooftop_potential(footprints, np.array([10.0, 10.0]), LAT,
                                  areas=np.array([50.0, 50.0]))
    np.testing.assert_allclose(given.annual_kwh, 50 * UNSHADED_YIELD)


def test_shading_matches_a_brute_force_check() -> None:
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 300, (60, 2))
    sizes = rng.uniform(8, 30, (60, 2))
    footprints = np.array([box(x, y, x + w, y + d) for (x, y), (w, d) in zip(centres, sizes,
                                                                              strict=True)])
    heights = rng.choice([6.0, 12.0, 30.0, 60.0], 60)
    directions, weights = sun.representative_suns(sun.sun_path(LAT))
    got = sun.shaded_fractions(footprints, heights, directions, weights)

    points = shapely.get_coordinates(shapely.point_on_surface(footprints))
    want = np.zeros(60)
    for d, w in zip(directions, weights, strict=True):
        flat = math.hypot(d[0], d[1])
        toward, tan_el = d[:2] / flat, d[2] / flat
        for i in range(60):
            for j in range(60):
                if heights[j] > heights[i]:
                    end = points[i] + toward * (heights[j] - heights[i]) / tan_el
                    if LineString([points[i], end]).intersects(footprints[j]):
                        want[i] += w
                        break
    np.testing.assert_allclose(got, want)
    assert (got > 0).sum() > 5


def test_sangmu_potential_is_sane(sangmu) -> None:
    # How fast it is (target 1 s) is scripts/bench_demos.py's business, not a test's.
    _, district = sangmu
    rows = district.select("buildings")
    footprints, heights = district.geometry[rows], district.height[rows]
    result = sun.rooftop_potential(footprints, heights, district.frame.lat)
    assert len(result.annual_kwh) == len(rows) > 2000
    assert np.all(result.annual_kwh > 0)
    assert result.yield_kwh_m2.max() == pytest.approx(UNSHADED_YIELD)
    assert result.yield_kwh_m2.min() >= UNSHADED_YIELD * sun.DIFFUSE_FRACTION
    assert 0.1 < np.mean(result.shaded > 0) < 0.9  # some roofs are shaded, not all
    assert result.total_kwh == pytest.approx((result.yield_kwh_m2 * shapely.area(footprints)).sum())


# --- the shuttles ---------------------------------------------------------------------------


def test_co2_factors() -> None:
    diesel = fleet.DIESEL_L_PER_KM * fleet.DIESEL_KG_CO2_PER_L
    electric = fleet.ELECTRIC_KWH_PER_KM * fleet.GRID_KG_CO2_PER_KWH
    assert 0.4 <= diesel <= 0.7 and 0.05 <= electric <= 0.2
    assert fleet.co2_saved_kg(1.0) == pytest.approx(diesel - electric)
    assert fleet.co2_saved_kg(10.0) == pytest.approx(10 * fleet.CO2_SAVED_KG_PER_KM)
    assert fleet.co2_saved_kg(0.0) == 0.0


def test_visit_order_goes_round_the_ring() -> None:
    angles = np.radians(np.arange(8) * 45.0)
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * 100
    shuffle = [3, 7, 0, 5, 1, 6, 2, 4]
    pts = ring[shuffle]
    distance = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    tour = visit_order(distance, start=2)
    assert tour[0] == 2 and sorted(tour) == list(range(8))
    ring_positions = [shuffle[k] for k in tour]
    steps = {(b - a) % 8 for a, b in itertools.pairwise(ring_positions)}
    assert steps in ({1}, {7})  # neighbour after neighbour, one way round


def test_lane_keeps_right_and_turns_at_dead_ends() -> None:
    square = np.array([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)], float)
    lane, index = offset_right(square, 3.0)  # counter-clockwise: right is outside
    np.testing.assert_allclose(lane, [(-3, -3), (103, -3), (103, 103), (-3, 103), (-3, -3)])
    assert list(index) == [0, 1, 2, 3, 4]
    lane, _ = offset_right(square[::-1], 3.0)  # clockwise: right is inside
    np.testing.assert_allclose(lane[0], (3, 3))

    there_and_back = np.array([(0, 0), (100, 0), (0, 0)], float)
    lane, index = offset_right(there_and_back, 3.0)
    np.testing.assert_allclose(lane, [(0, -3), (100, -3), (100, 3), (0, 3), (0, -3)])
    assert list(index) == [0, 1, 3]


def shuttle_line() -> Loop:
    lane, _ = offset_right(np.array([(0, 0), (100, 0), (0, 0)], float), 3.0)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(lane, axis=0).T))])
    return Loop(np.array([(0, 0), (100, 0), (0, 0)], float), lane, along,
                np.array([0.0, 100.0]), (), (0, 1))


def test_pose_follows_the_lane() -> None:
    loop = shuttle_line()
    assert loop.length == pytest.approx(212.0)
    (x, y), heading = loop.pose(50.0)
    assert (x, y) == pytest.approx((50, -3)) and heading == pytest.approx(90.0)
    xy, heading = loop.pose(np.array([106 + 50, 212 + 50, -1.0, 103.0]))
    np.testing.assert_allclose(xy, [(50, 3), (50, -3), (0, -2), (100, 0)], atol=1e-9)
    # Half-way through the U-turn at the far end it faces north: across, turning left.
    np.testing.assert_allclose(heading[[0, 1, 3]], [270, 90, 0], atol=1e-9)


def test_fleet_drives_and_waits_at_stops() -> None:
    loop = shuttle_line()
    f = Fleet(loop, count=1, speed_kmh=36.0, dwell_s=10.0)  # 10 m/s
    f.step(1.0)
    assert f.odometer[0] == pytest.approx(10.0) and f.distance_km == pytest.approx(0.01)
    f.step(1000.0)  # however long the frame, it stops at the next stop
    assert f.odometer[0] == pytest.approx(100.0) and f.at_stop[0]
    f.step(4.0)
    assert f.odometer[0] == pytest.approx(100.0)
    f.step(6.0)  # the wait is over; it leaves on the next frame
    f.step(1.0)
    assert f.odometer[0] == pytest.approx(110.0) and not f.at_stop[0]
    f.step(1000.0)  # round the far end and back to the first stop, a lap on
    assert f.odometer[0] == pytest.approx(loop.length)
    assert f.distance_km == pytest.approx(loop.length / 1000)
    f.step(10.0)
    f.step(1000.0)
    assert f.odometer[0] == pytest.approx(loop.length + 100.0)  # then on to the next stop
    f.step(-5.0)  # time never runs backwards
    assert f.odometer[0] == pytest.approx(loop.length + 100.0)


def test_fleet_spacing_and_adding() -> None:
    loop = shuttle_line()
    f = Fleet(loop, count=4, max_count=5)
    np.testing.assert_allclose(f.odometer, [0, 53, 106, 159])
    assert f.add() and f.count == 5
    others = np.mod(f.odometer[-1] - f.odometer[:-1], loop.length)
    assert min(others.min(), loop.length - others.max()) == pytest.approx(53 / 2)
    assert not f.add() and f.count == 5
    empty = Fleet(loop, count=0)
    assert empty.count == 0 and empty.add() and empty.odometer[0] == 0.0
    xy, heading = f.positions()
    assert xy.shape == (5, 2) and heading.shape == (5,)


def test_fleet_long_run_stays_on_the_lane() -> None:
    loop = shuttle_line()
    f = Fleet(loop, count=3, speed_kmh=30.0, dwell_s=10.0)
    for _ in range(30 * 120):
        f.step(1 / 30)
    lane = LineString(loop.lane)
    xy, _ = f.positions()
    assert shapely.distance(shapely.points(xy), lane).max() < 1e-9
    # Two minutes at 30 km/h is 1 km each, less the time spent at the stops: a 212 m lap
    # takes 25.4 s of driving and 20 s of waiting.
    assert f.distance_km == pytest.approx(3 * 1.0 * 25.44 / (25.44 + 20), abs=0.15)
    assert f.distance_km == pytest.approx((f.odometer - [0, 212 / 3, 424 / 3]).sum() / 1000)


def test_plan_loop_on_a_block() -> None:
    block = [LineString([(0, 0), (200, 0)]), LineString([(200, 0), (200, 200)]),
             LineString([(200, 200), (0, 200)]), LineString([(0, 200), (0, 0)])]
    roads = build_road_graph(block)
    doors = [(100, -20), (220, 100), (100, 220), (-20, 100), (105, -20)]  # last shares a stop
    loop = plan_loop(roads, doors, lane_offset=3.0, first=2)
    assert len(loop.stops) == 4 and loop.stop_labels[0] == 2
    assert sorted(loop.stop_labels) == [0, 1, 2, 3]
    assert loop.stops[0] == 0.0 and np.all(np.diff(loop.stops) > 0)
    assert loop.length == pytest.approx(4 * 206, abs=1e-6) or loop.length == pytest.approx(
        4 * 194, abs=1e-6)
    np.testing.assert_allclose(np.diff(np.append(loop.stops, loop.length)), loop.length / 4)
    for stop, door in zip(loop.stop_points, [doors[k] for k in loop.stop_labels], strict=True):
        assert stop.distance == pytest.approx(20.0)
        assert math.dist(stop.xy, door) == pytest.approx(20.0)
    with pytest.raises(ValueError, match="two distinct stops"):
        plan_loop(roads, [(100, -20), (101, -20)])


def test_plan_loop_round_the_sangmu_pavilions(sangmu) -> None:
    scene, district = sangmu
    rows = district.select("roads")
    roads = build_road_graph(district.geometry[rows], district.width[rows])
    doors = []
    for p in scene.pavilions:  # the middle of each site's front edge
        x, y = (float(v) for v in district.frame.to_local(*p.at_lonlat))
        h = math.radians(p.heading)
        doors.append((x + p.size[1] / 2 * math.sin(h), y + p.size[1] / 2 * math.cos(h)))
    loop = plan_loop(roads, doors, first=len(doors) - 1)  # its speed: scripts/bench_demos.py
    assert len(loop.stops) >= 4
    assert 500 < loop.length < 10_000
    assert max(s.distance for s in loop.stop_points) < 300
    centre = shapely.union_all(district.geometry[rows])
    # On the roads (junctions merged by the graph may sit up to its snap tolerance away).
    assert shapely.distance(shapely.points(loop.centre), centre).max() < SNAP_TOLERANCE
    offsets = shapely.distance(shapely.points(loop.lane), LineString(loop.centre))
    assert np.median(offsets) == pytest.approx(fleet.LANE_OFFSET_M)
