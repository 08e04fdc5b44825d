"""The visitor's camera as pure logic: eyes, limits, orbit/fly/walk rigs, collisions, fly-to."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwangju_twin.navigation import Eye, Flight, FlyRig, Limits, Obstacles, OrbitRig, WalkRig
from gwangju_twin.scene.camera import CameraPose

BOUNDS = (-500.0, -400.0, 600.0, 300.0)
LIMITS = Limits.for_district(BOUNDS, 80.0)
SLOW = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def close(a, b, tol=1e-6) -> bool:
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), atol=tol, rtol=0))


def same_angle(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) < tol


def assert_inside(eye: Eye, limits: Limits = LIMITS, ground: float = 0.0) -> None:
    x0, y0, x1, y1 = limits.bounds
    m, eps = limits.margin, 1e-6
    x, y, z = eye.position
    assert x0 - m - eps <= x <= x1 + m + eps and y0 - m - eps <= y <= y1 + m + eps, eye
    assert ground + limits.clearance - eps <= z <= limits.ceiling + eps, eye
    assert 0.0 <= eye.heading < 360.0 and -89.0 <= eye.pitch <= 89.0


# --- Eye and Limits ------------------------------------------------------------------------

@SLOW
@given(st.floats(-1000, 1000), st.floats(-1000, 1000), st.floats(0, 50),
       st.floats(-720, 720), st.floats(1, 89), st.floats(1, 5000))
def test_eye_of_pose_agrees_with_camera_pose(x, y, z, heading, pitch, distance) -> None:
    pose = CameraPose((x, y, z), heading, pitch, distance)
    eye = Eye.of_pose(pose)
    assert close(eye.position, pose.position)
    h, p, r = eye.panda_hpr
    assert same_angle(h, pose.panda_hpr[0]) and math.isclose(p, pose.panda_hpr[1])
    assert r == 0.0
    # The eye looks at the target, and forward is a unit vector.
    assert close(np.add(eye.position, np.multiply(eye.forward, distance)), pose.target, 1e-6)
    assert math.isclose(float(np.linalg.norm(eye.forward)), 1.0)


def test_eye_normalises_and_rejects_nan() -> None:
    assert Eye((0, 0, 0), -10.0, 0.0).heading == pytest.approx(350.0)
    assert Eye((0, 0, 0), 720.0, 0.0).heading == 0.0
    assert Eye((0, 0, 0), -1e-17, 0.0).heading < 360.0
    assert Eye((0, 0, 0), 0.0, 120.0).pitch == 89.0
    with pytest.raises(ValueError):
        Eye((0, math.nan, 0), 0.0, 0.0)


def test_limits_scale_with_the_district() -> None:
    small = Limits.for_district((0, 0, 100, 100), 20.0)
    assert (small.margin, small.ceiling) == (300.0, 1500.0)
    big = Limits.for_district((0, 0, 8000, 6000), 3000.0)
    assert big.margin == pytest.approx(2500.0)  # a quarter of the 10 km diagonal
    assert big.ceiling == pytest.approx(25000.0)
    assert Limits.for_district((0, 0, 100, 100), 900.0).ceiling == 3600.0
    with pytest.raises(ValueError):
        Limits((10, 0, 0, 10), 1.0, 100.0)


def test_limits_clamp() -> None:
    _, y0, x1, y1 = BOUNDS
    m = LIMITS.margin
    assert LIMITS.clamp_eye_position((1e6, -1e6, -5.0)) == (x1 + m, y0 - m, 1.0)
    assert LIMITS.clamp_eye_position((0, 0, 1e9)) == (0.0, 0.0, LIMITS.ceiling)
    assert LIMITS.clamp_eye_position((0, 0, 3.0), ground=10.0) == (0.0, 0.0, 11.0)
    assert LIMITS.clamp_target((1e6, 1e6, -3.0)) == (x1, y1, 0.0)
    assert LIMITS.clamp_target((1.0, 2.0, 3.0)) == (1.0, 2.0, 3.0)


# --- Orbit ---------------------------------------------------------------------------------

def orbit(**kw) -> OrbitRig:
    return OrbitRig(CameraPose((0.0, 0.0, 0.0), 30.0, 40.0, 300.0), LIMITS, **kw)


def test_orbit_rotate_directions_sensitivity_and_invert() -> None:
    rig = orbit()
    rig.rotate(0.1, 0.0)
    assert rig.pose.heading == pytest.approx(42.0)  # pointer right turns the view right
    rig.rotate(0.0, 0.1)
    assert rig.pose.pitch == pytest.approx(34.0)  # pointer up tilts towards the horizon
    half = orbit(sensitivity=0.5)
    half.rotate(0.1, 0.1)
    assert (half.pose.heading, half.pose.pitch) == pytest.approx((36.0, 37.0))
    inv = orbit(invert_y=True)
    inv.rotate(0.0, 0.1)
    assert inv.pose.pitch == pytest.approx(46.0)
    rig.rotate(-1.0, 5.0)
    assert rig.pose.pitch == 5.0 and rig.pose.heading == pytest.approx(42.0 - 120.0 + 360.0)
    rig.rotate(0.0, -5.0)
    assert rig.pose.pitch == 89.0


def test_orbit_pan_grabs_the_ground() -> None:
    rig = orbit()
    rig.set_pose(CameraPose((0.0, 0.0, 0.0), 90.0, 40.0, 200.0))  # looking east
    rig.pan(0.1, 0.0)  # pointer right: the ground follows, the target goes left (north)
    assert close(rig.pose.target, (0.0, 0.8 * 200 * 0.1, 0.0))
    rig.pan(0.0, 0.1)  # pointer up: the target goes back (west)
    assert close(rig.pose.target, (-16.0, 16.0, 0.0))
    rig.pan(0.0, 100.0)
    assert rig.pose.target[0] == BOUNDS[0]  # never beyond the bounds


def test_orbit_keyboard_move_and_zoom() -> None:
    rig = orbit()
    rig.set_pose(CameraPose((0.0, 0.0, 0.0), 0.0, 40.0, 200.0))  # looking north
    rig.move(1.0, 0.0, 0.5)
    assert close(rig.pose.target, (0.0, 0.6 * 200 * 0.5, 0.0))
    rig.move(0.0, 1.0, 0.5, fast=True)
    assert close(rig.pose.target, (0.6 * 200 * 0.5 * 3, 60.0, 0.0))
    rig.zoom(0.5)
    assert rig.pose.distance == pytest.approx(100.0)
    rig.zoom(1e-3)
    assert rig.pose.distance == 15.0
    for _ in range(100):
        rig.zoom(2.0)
    # Zoomed out as far as it goes: the eye sits on a face of the limits' box.
    x, y, z = rig.eye.position
    x0, y0, x1, y1 = BOUNDS
    m = LIMITS.margin
    faces = [x - (x0 - m), (x1 + m) - x, y - (y0 - m), (y1 + m) - y, LIMITS.ceiling - z]
    assert min(faces) == pytest.approx(0.0, abs=1e-6)
    assert_inside(rig.eye)


def test_orbit_gives_back_distance_after_a_squeeze() -> None:
    rig = orbit()
    rig.set_pose(CameraPose((0.0, 0.0, 0.0), 0.0, 80.0, 1000.0))
    rig.rotate(0.0, 1.25)  # pitch 80 -> 5: the eye would leave the margin, so it comes closer
    assert rig.pose.distance < 1000.0
    assert_inside(rig.eye)
    rig.rotate(0.0, -1.25)
    assert rig.pose.distance == pytest.approx(1000.0)


def test_orbit_from_eye_finds_the_ground_target() -> None:
    eye = Eye((10.0, -100.0, 100.0), 0.0, 45.0)
    rig = OrbitRig.from_eye(eye, LIMITS)
    assert close(rig.pose.target, (10.0, 0.0, 0.0))
    assert close(rig.eye.position, eye.position) and rig.eye.pitch == pytest.approx(45.0)
    # Looking at the horizon: a target ahead on the ground, the eye stays where it was.
    level = Eye((0.0, 0.0, 1.7), 90.0, -10.0)
    rig = OrbitRig.from_eye(level, LIMITS, sensitivity=2.0)
    tx, ty, tz = rig.pose.target
    assert tx > 0 and ty == pytest.approx(0.0) and tz == 0.0 and rig.sensitivity == 2.0
    assert rig.pose.pitch == pytest.approx(5.0)
    assert close(rig.eye.position, level.position)
    # A round trip through the orbit pose is the identity.
    pose = CameraPose((50.0, 60.0, 0.0), 123.0, 33.0, 250.0)
    again = OrbitRig.from_eye(Eye.of_pose(pose), LIMITS).pose
    assert close(again.target, pose.target) and again.distance == pytest.approx(250.0)
    assert again.heading == pytest.approx(123.0) and again.pitch == pytest.approx(33.0)


def test_orbit_raises_the_pitch_to_keep_the_clearance() -> None:
    limits = Limits(BOUNDS, 300.0, 1500.0, clearance=10.0)
    rig = OrbitRig(CameraPose((0.0, 0.0, 0.0), 0.0, 5.0, 15.0), limits)
    assert rig.pose.pitch == pytest.approx(math.degrees(math.asin(10.0 / 15.0)))
    assert rig.eye.position[2] == pytest.approx(10.0)
    rig.zoom(10.0)  # farther away, the asked-for 5 degrees are fine again
    assert rig.pose.pitch == 5.0 and rig.eye.position[2] > 10.0


orbit_ops = st.lists(st.one_of(
    st.tuples(st.just("rotate"), st.floats(-3, 3), st.floats(-3, 3)),
    st.tuples(st.just("pan"), st.floats(-3, 3), st.floats(-3, 3)),
    st.tuples(st.just("move"), st.floats(-1, 1), st.floats(-1, 1), st.floats(0, 5),
              st.booleans()),
    st.tuples(st.just("zoom"), st.floats(0.05, 20)),
    st.tuples(st.just("set_pose"), st.floats(-5e3, 5e3), st.floats(-5e3, 5e3),
              st.floats(0, 300), st.floats(-400, 400), st.floats(-90, 90), st.floats(0, 1e5)),
), max_size=25)


@SLOW
@given(orbit_ops)
def test_orbit_eye_stays_inside_the_limits(ops) -> None:
    rig = orbit()
    for op, *args in ops:
        if op == "set_pose":
            x, y, z, h, p, d = args
            rig.set_pose(CameraPose((x, y, z), h, p, d))
        else:
            getattr(rig, op)(*args)
        pose, eye = rig.pose, rig.eye
        assert_inside(eye)
        assert 5.0 <= pose.pitch <= 89.0
        # The eye still looks at the target: nothing was clamped behind the pose's back.
        assert close(np.add(eye.position, np.multiply(eye.forward, pose.distance)),
                     pose.target, 1e-6)


# --- Fly -------------------------------------------------------------------------------------

def test_fly_moves_along_the_view_and_shift_is_faster() -> None:
    start = Eye((0.0, 0.0, 200.0), 30.0, 20.0)
    rig = FlyRig(start, LIMITS)
    rig.move(1.0, 0.0, 0.0, 0.5)
    assert close(rig.eye.position, np.add(start.position, np.multiply(start.forward, 20.0)))
    fast = FlyRig(start, LIMITS)
    fast.move(1.0, 0.0, 0.0, 0.5, fast=True)
    assert close(np.subtract(fast.eye.position, start.position),
                 4.0 * np.subtract(rig.eye.position, start.position))
    side = FlyRig(Eye((0.0, 0.0, 200.0), 90.0, 20.0), LIMITS)
    side.move(0.0, 1.0, 0.0, 1.0)  # right of east is south, level
    assert close(side.eye.position, (0.0, -40.0, 200.0))
    side.move(0.0, 0.0, -1.0, 1.0)
    assert close(side.eye.position, (0.0, -40.0, 160.0))


def test_fly_look_and_clamps() -> None:
    rig = FlyRig(Eye((0.0, 0.0, 10.0), 0.0, 0.0), LIMITS)
    rig.look(0.25, 0.5)
    assert (rig.eye.heading, rig.eye.pitch) == pytest.approx((30.0, -30.0))  # up looks up
    rig.look(0.0, -10.0)
    assert rig.eye.pitch == 85.0
    rig.move(1.0, 0.0, 0.0, 60.0, fast=True)  # dive for a minute: stops above the ground
    assert rig.eye.position[2] == pytest.approx(LIMITS.clearance)
    rig.look(0.0, 10.0)
    rig.move(1.0, 0.0, 0.0, 600.0, fast=True)
    assert rig.eye.position[2] == pytest.approx(LIMITS.ceiling)
    inv = FlyRig(Eye((0.0, 0.0, 10.0), 0.0, 0.0), LIMITS, sensitivity=2.0, invert_y=True)
    inv.look(0.0, 0.25)
    assert inv.eye.pitch == pytest.approx(30.0)


fly_ops = st.lists(st.one_of(
    st.tuples(st.just("look"), st.floats(-3, 3), st.floats(-3, 3)),
    st.tuples(st.just("move"), st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1),
              st.floats(0, 200), st.booleans()),
), max_size=25)


@SLOW
@given(fly_ops, st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.floats(-100, 1e4))
def test_fly_eye_stays_inside_the_limits(ops, x, y, z) -> None:
    rig = FlyRig(Eye((x, y, z), 0.0, 0.0), LIMITS)
    assert_inside(rig.eye)
    for op, *args in ops:
        getattr(rig, op)(*args)
        assert_inside(rig.eye)
        assert -85.0 <= rig.eye.pitch <= 85.0


# --- Walk and obstacles ----------------------------------------------------------------------

BOX = shapely.box(10.0, -5.0, 20.0, 5.0)


def test_walk_follows_an_uneven_ground() -> None:
    def ground(x: float, y: float) -> float:
        return 0.05 * x + 2.0 * math.sin(y / 10.0)

    rig = WalkRig(Eye((0.0, 0.0, 500.0), 45.0, 30.0), LIMITS, ground=ground)
    rng = np.random.default_rng(7)
    for _ in range(200):
        rig.look(rng.uniform(-0.05, 0.05), 0.0)
        rig.move(1.0, rng.uniform(-1, 1), 0.1, fast=bool(rng.random() < 0.5))
        x, y, z = rig.eye.position
        assert z == pytest.approx(ground(x, y) + WalkRig.EYE_HEIGHT)
    assert rig.eye.pitch == 30.0  # walking is level, whatever the head does
    assert math.hypot(x, y) > 10.0


def test_walk_cannot_pass_through_a_building() -> None:
    rig = WalkRig(Eye((0.0, 0.0, 1.7), 90.0, 0.0), LIMITS, Obstacles([BOX]))
    for _ in range(400):  # 56 m at running pace, straight at the box
        rig.move(1.0, 0.0, 1 / 30, fast=True)
        x, y, _ = rig.eye.position
        assert BOX.distance(shapely.Point(x, y)) >= 0.3
    assert x == pytest.approx(10.0 - 0.35, abs=0.01) and y == pytest.approx(0.0)


def test_walk_slides_along_a_wall() -> None:
    rig = WalkRig(Eye((0.0, 0.0, 1.7), 70.0, 0.0), LIMITS, Obstacles([BOX]))
    along = []
    for _ in range(200):
        rig.move(1.0, 0.0, 1 / 30, fast=True)
        x, y, _ = rig.eye.position
        assert BOX.distance(shapely.Point(x, y)) >= 0.3
        if x == pytest.approx(9.65, abs=0.01):
            along.append(y)
    # Against the wall, the northward part of the walk goes on: 4.2 m/s × cos 70°.
    assert len(along) > 10 and all(b > a for a, b in itertools.pairwise(along))
    step = (along[-1] - along[0]) / (len(along) - 1)
    assert step == pytest.approx(4.2 * math.cos(math.radians(70)) / 30, rel=0.05)


def test_walk_starting_inside_moves_to_the_nearest_free_spot() -> None:
    rig = WalkRig(Eye((11.0, 1.0, 50.0), 0.0, 0.0), LIMITS, Obstacles([BOX]))
    x, y, z = rig.eye.position
    assert (x, y, z) == pytest.approx((10.0 - 0.35, 1.0, 1.7), abs=0.01)
    # Overlapping buildings: pushing out of one does not land in the other.
    twins = Obstacles([BOX, shapely.box(19.0, -5.0, 30.0, 5.0)])
    fx, fy = twins.free_spot(19.5, -4.0)
    assert not twins.blocked(fx, fy)
    assert (fx, fy) == pytest.approx((19.5, -5.35), abs=0.01)


def test_walk_start_inside_a_building_over_the_edge_stays_in_bounds() -> None:
    limits = Limits((-70.0, -70.0, 70.0, 70.0), 300.0, 1500.0)
    edge = shapely.box(0.0, 40.0, 2.0, 70.5)  # sticks out over the north edge
    rig = WalkRig(Eye((0.8, 69.9, 1.7), 0.0, 0.0), limits, Obstacles([edge]))
    x, y, _ = rig.eye.position
    assert not edge.intersects(shapely.Point(x, y)) and -70 <= x <= 70 and -70 <= y <= 70
    # The nearest way out (north, 0.95 m) leaves the bounds; west (1.15 m) is next.
    assert x < 0 and math.hypot(x - 0.8, y - 69.9) < 1.5 * 1.15


def test_walk_stays_inside_the_bounds() -> None:
    limits = Limits((0.0, 0.0, 50.0, 50.0), 300.0, 1500.0)
    rig = WalkRig(Eye((-100.0, 25.0, 1.7), 270.0, 0.0), limits)
    assert rig.eye.position[0] == 0.0
    rig.move(1.0, 0.0, 10.0)
    assert rig.eye.position[:2] == pytest.approx((0.0, 25.0))


def test_long_steps_do_not_tunnel() -> None:
    wall = shapely.box(0.0, -50.0, 0.2, 50.0)  # 20 cm thick
    obs = Obstacles([wall])
    x, y = obs.resolve((-30.0, 0.0), (30.0, 1.0))
    assert x < 0 and not obs.blocked(x, y)
    rig = WalkRig(Eye((-30.0, 0.0, 1.7), 90.0, 0.0), LIMITS, obs)
    rig.move(1.0, 0.0, 100.0, fast=True)  # one 420 m step
    assert rig.eye.position[0] == pytest.approx(-0.35, abs=0.01)


def mm(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Lengths to the millimetre, as surveyed footprints have (GEOS trips numpy's
    floating-point warnings on 1e-176-sized coordinate differences)."""
    return st.floats(lo, hi).map(lambda v: round(v, 3))


boxes = st.lists(st.tuples(mm(-60, 60), mm(-60, 60), mm(0.1, 30), mm(0.1, 30)),
                 min_size=1, max_size=6)
walk_ops = st.lists(st.one_of(
    st.tuples(st.just("look"), st.floats(-3, 3), st.floats(-3, 3)),
    st.tuples(st.just("move"), st.floats(-1, 1), st.floats(-1, 1), st.floats(0, 20),
              st.booleans()),
), max_size=25)


@SLOW
@given(boxes, walk_ops, st.floats(-80, 80), st.floats(-80, 80))
def test_walker_never_ends_inside(rects, ops, x, y) -> None:
    limits = Limits((-70.0, -70.0, 70.0, 70.0), 300.0, 1500.0)
    shapes = [shapely.box(a, b, a + w, b + h) for a, b, w, h in rects]
    union = shapely.union_all(shapes)
    rig = WalkRig(Eye((x, y, 0.0), 0.0, 0.0), limits, Obstacles(shapes))
    for op, *args in [("move", 0.0, 0.0, 0.0, False), *ops]:
        getattr(rig, op)(*args)
        ex, ey, ez = rig.eye.position
        assert not union.intersects(shapely.Point(ex, ey)), (ex, ey)
        assert -70.0 <= ex <= 70.0 and -70.0 <= ey <= 70.0 and ez == pytest.approx(1.7)


def test_random_walk_in_the_default_district() -> None:
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    prepared = prepare(load_scene(default_scene_path()))
    cores = [p.shape.core for p in prepared.pavilions]
    obstacles = Obstacles.of_district(prepared.district, cores)
    d = prepared.district
    rows = np.flatnonzero(np.isin(d.layer, ("buildings", "landmarks")))
    footprints = np.array([*d.geometry[rows], *(shapely.Polygon(c) for c in cores)])
    tree = shapely.STRtree(footprints)
    limits = Limits.for_district(prepared.mesh.bounds, prepared.mesh.max_height)
    # Start on the plaza among the pavilions, where buildings are dense.
    start = prepared.pose("pavilions", 16 / 9).target
    rig = WalkRig(Eye(start, 0.0, 0.0), limits, obstacles)
    rng = np.random.default_rng(2024)
    blocked = 0
    for _ in range(2000):
        if rng.random() < 0.1:
            rig.look(rng.uniform(-1.5, 1.5), 0.0)
        before = np.array(rig.eye.position[:2])
        fwd, right, dt = rng.uniform(0.2, 1.0), rng.uniform(-1, 1), rng.uniform(0.02, 3.0)
        rig.move(fwd, right, dt, fast=True)
        x, y, _ = rig.eye.position
        assert tree.query(shapely.Point(x, y), predicate="intersects").size == 0, (x, y)
        moved = float(np.hypot(*(np.array([x, y]) - before)))
        wanted = WalkRig.SPEED * WalkRig.FAST * dt * min(math.hypot(fwd, right), 1.0)
        blocked += moved < 0.99 * wanted
    assert blocked > 50  # the walk did run into things
    # How fast a step is (under 2 ms) is scripts/bench_walk.py's business, not a test's.


# --- Flight ----------------------------------------------------------------------------------

A = Eye((0.0, 0.0, 300.0), 350.0, 40.0)
B = Eye((3000.0, 500.0, 320.0), 10.0, 30.0)


def test_flight_starts_at_start_and_ends_exactly_at_end() -> None:
    flight = Flight(A, B)
    first = flight.advance(0.0)
    assert close(first.position, A.position) and same_angle(first.heading, A.heading)
    assert flight.progress == 0.0 and not flight.done
    rng = np.random.default_rng(3)
    last = 0.0
    while not flight.done:
        flight.advance(rng.uniform(0.0, 0.1))
        assert flight.progress >= last
        last = flight.progress
    assert flight.advance(1.0) == B and flight.progress == 1.0
    assert Flight(A, B, duration=0.0).advance(0.0) == B


def test_long_flights_rise_and_turn_the_short_way() -> None:
    flight = Flight(A, B)
    heights, turns = [], []
    while not flight.done:
        eye = flight.advance(flight.duration / 50)
        heights.append(eye.position[2])
        turns.append((eye.heading - A.heading) % 360.0)
    mid = heights[len(heights) // 2 - 1]
    assert mid > max(A.position[2], B.position[2]) + 100.0
    # 350° -> 10° goes through north: the turn from the start heading stays within 20°.
    assert all(t <= 20.0 + 1e-9 for t in turns)
    assert turns == sorted(turns)
    # A short hop stays level.
    hop = Flight(A, Eye((30.0, 0.0, 300.0), 0.0, 40.0))
    assert max(hop.advance(hop.duration / 10).position[2] for _ in range(10)) == 300.0


def test_flight_duration_grows_with_distance() -> None:
    durations = [Flight(A, Eye((d, 0.0, 300.0), 0.0, 40.0)).duration
                 for d in (0.0, 50.0, 500.0, 2000.0, 5000.0, 50000.0)]
    assert durations == sorted(durations)
    assert durations[0] == pytest.approx(0.8) and durations[1] < 1.2
    assert durations[-1] == durations[-2] == pytest.approx(3.5)
    assert Flight(A, B, duration=2.0).duration == 2.0
    with pytest.raises(ValueError):
        Flight(A, B, duration=-1.0)


def test_flight_to_a_pose() -> None:
    pose = CameraPose((100.0, 200.0, 10.0), 200.0, 26.0, 180.0)
    flight = Flight.to_pose(A, pose)
    assert flight.end == Eye.of_pose(pose)
    flight.advance(10.0)
    assert flight.done and close(flight.advance(0.0).position, pose.position)


def test_limits_widen_to_hold_a_far_start_view() -> None:
    bounds = (0.0, 0.0, 1000.0, 1000.0)
    usual = Limits.for_district(bounds, 50.0)
    far = (-3000.0, 500.0, 6000.0)  # an overview eye well outside margin and ceiling
    held = Limits.for_district(bounds, 50.0, far)
    assert held.clamp_eye_position(far) == pytest.approx(far)
    assert usual.clamp_eye_position(far) != pytest.approx(far)
    near = Limits.for_district(bounds, 50.0, (500.0, 500.0, 300.0))
    assert (near.margin, near.ceiling) == (usual.margin, usual.ceiling)


def _ground_under(eye: Eye, heading_off: float, pitch: float) -> tuple[float, float, float]:
    """The ground point seen from ``eye`` in the compass direction ``eye.heading +
    heading_off``, ``pitch`` degrees below the horizon (a point off the view's centre)."""
    from gwangju_twin.scene.camera import direction

    fx, fy, fz = direction(eye.heading + heading_off, pitch)
    x, y, z = eye.position
    t = z / -fz
    return (x + fx * t, y + fy * t, 0.0)


def _direction_to(eye: Eye, point: tuple[float, float, float]) -> np.ndarray:
    v = np.subtract(point, eye.position)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("factor", [0.85, 1 / 0.85, 0.5])
def test_orbit_zoom_towards_the_pointer_keeps_that_point_in_place(factor: float) -> None:
    rig = orbit()
    rig.set_pose(CameraPose((0.0, 0.0, 0.0), 30.0, 40.0, 300.0))
    before = rig.eye
    point = _ground_under(before, 12.0, 30.0)  # right of and above the view's centre
    rig.zoom(factor, toward=point)
    after = rig.eye
    # Same orientation, so the same direction from the eye is the same pixel on screen.
    assert same_angle(after.heading, before.heading) and after.pitch == pytest.approx(
        before.pitch)
    assert close(_direction_to(after, point), _direction_to(before, point), 1e-9)
    assert rig.pose.distance == pytest.approx(300.0 * factor)
    # The target moved along the line to the point, by the zoom's share of the way.
    assert close(rig.pose.target, np.add(point, factor * np.subtract((0, 0, 0), point)))


def test_orbit_zoom_towards_a_point_stays_in_the_limits() -> None:
    rig = orbit()
    rig.set_pose(CameraPose((0.0, 0.0, 0.0), 0.0, 40.0, 16.0))
    rig.zoom(0.5, toward=(50.0, 50.0, 0.0))  # already close: 15 m is the least
    assert rig.pose.distance == 15.0
    assert close(rig.pose.target, (50.0 - 15 / 16 * 50.0, 50.0 - 15 / 16 * 50.0, 0.0))
    for _ in range(40):  # towards a point far outside the district
        rig.zoom(0.85, toward=(1e5, -1e5, 0.0))
        assert_inside(rig.eye)
    x0, y0, x1, y1 = BOUNDS
    tx, ty, _ = rig.pose.target
    assert x0 <= tx <= x1 and y0 <= ty <= y1
    rig.set_pose(CameraPose((0.0, 0.0, 0.0), 0.0, 40.0, 200.0))
    rig.zoom(0.5)  # no point: towards the centre, as before
    assert rig.pose.target == (0.0, 0.0, 0.0) and rig.pose.distance == pytest.approx(100.0)
