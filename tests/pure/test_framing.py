"""Framing (pure): the start view fits the 3D box of what matters into any picture shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwangju_twin.scene.framing import corners, fit_box, focus_box, lens_fov, project

boxes = st.tuples(
    st.floats(-5000, 5000), st.floats(-5000, 5000),  # a corner
    st.floats(5, 4000), st.floats(5, 4000),  # width and depth
    st.floats(0, 400),  # height of the tallest building
).map(lambda t: (t[0], t[1], 0.0, t[0] + t[2], t[1] + t[3], t[4]))


@settings(max_examples=300, deadline=None)
@given(box=boxes, aspect=st.floats(0.3, 4.0), heading=st.floats(0, 360),
       pitch=st.floats(5, 89.9))
def test_every_corner_is_inside_and_the_box_fills_the_picture(
        box: tuple[float, ...], aspect: float, heading: float, pitch: float) -> None:
    pose = fit_box(box, heading, pitch, aspect)
    xyz = project(pose, corners(box), aspect)
    assert np.all(xyz[:, 2] > 0)  # nothing behind the camera
    assert np.all(np.abs(xyz[:, :2]) <= 1.0 + 1e-9)  # every corner in the picture
    span_x = xyz[:, 0].max() - xyz[:, 0].min()
    span_y = xyz[:, 1].max() - xyz[:, 1].min()
    # The limiting dimension is filled (both of its sides near the edges), unless the box
    # is so small that the closest allowed camera still sees it small.
    if pose.distance > 30.0 + 1e-6:
        assert max(span_x, span_y) >= 1.2  # at least 60 % of the picture's width or height
    # The target is on the ground, where the view's centre meets it.
    assert pose.target[2] == 0.0
    assert abs(pose.position[2] - pose.distance * math.sin(math.radians(pitch))) < 1e-6


def test_a_tall_picture_is_not_framed_smaller_than_a_wide_one_needs() -> None:
    """At 600x900 the district spans the picture's width (it used to be a strip)."""
    box = (0.0, 0.0, 0.0, 800.0, 600.0, 40.0)
    for aspect in (600 / 900, 720 / 1280):
        xyz = project(fit_box(box, 20, 38, aspect), corners(box), aspect)
        assert xyz[:, 0].max() - xyz[:, 0].min() > 1.8
        # Centred: as much room above the box as below it.
        assert abs(xyz[:, 1].max() + xyz[:, 1].min()) < 1e-6


def test_the_top_of_a_tower_is_inside_a_wide_picture() -> None:
    box = (0.0, 0.0, 0.0, 300.0, 200.0, 75.0)
    xyz = project(fit_box(box, 20, 38, 16 / 9), corners(box), 16 / 9)
    tops = xyz[1::2]  # corners() alternates z0, z1
    assert np.all(tops[:, 1] <= 1.0) and tops[:, 1].max() > 0.8


def test_lens_fov_follows_the_picture_shape() -> None:
    assert lens_fov(1.0) == pytest.approx((50.0, 50.0))
    h, v = lens_fov(600 / 900)
    assert h == 50.0 and v > 50.0
    with pytest.raises(ValueError):
        lens_fov(0.0)


def test_focus_box_trims_a_long_river_line_and_keeps_a_park() -> None:
    rng = np.random.default_rng(4)
    n = 200
    x, y = rng.uniform(0, 500, n), rng.uniform(0, 400, n)
    bounds = np.column_stack([x, y, x + 15, y + 15])
    heights = np.full(n, 20.0)
    heights[7] = 75.0
    layers = np.array(["buildings"] * n, dtype=object)
    areal = np.ones(n, bool)
    # A park beside the buildings, a river line and a river polygon that run 20 km away,
    # and a stray building 8 km out.
    bounds = np.vstack([bounds, [-150, 0, -10, 300], [250, -20_000, 260, 200],
                        [300, -20_000, 340, 0], [8000, 8000, 8020, 8020]])
    heights = np.concatenate([heights, [np.nan, np.nan, np.nan, 30.0]])
    layers = np.concatenate([layers, ["green", "water", "water", "buildings"]])
    areal = np.concatenate([areal, [True, False, True, True]])
    x0, y0, z0, x1, y1, z1 = focus_box(bounds, heights, layers, areal)
    assert x0 == -150  # the park is in
    assert y0 > -400  # the rivers are not
    assert x1 < 1000 and y1 < 1000  # nor the stray building
    assert x1 >= 500 and y1 >= 400
    assert (z0, z1) == (0.0, 75.0)


def test_focus_box_without_areas_frames_everything() -> None:
    bounds = np.array([[0, 0, 1000, 10], [0, 0, 10, 800]], float)
    box = focus_box(bounds, np.full(2, np.nan), np.array(["roads", "roads"]), np.zeros(2, bool))
    assert box[:2] == (0.0, 0.0) and box[3] > 800 and box[4] > 700
    assert box[5] == 0.0


@pytest.mark.parametrize("aspect", [1280 / 720, 1920 / 1080, 720 / 1280, 1.0])
@pytest.mark.parametrize("heading", [0.0, 40.0, 135.0, 290.0])
@pytest.mark.parametrize("pitch", [12.0, 30.0, 60.0])
def test_a_district_with_one_60_km_river_line_frames_the_district(
        aspect: float, heading: float, pitch: float) -> None:
    """A 400 x 300 m district of 18 m blocks and one 75 m tower, plus a river line 60 km
    long leaving it (as a real file did: a 62 km frame with no building visible). The
    river is left out of the box, and the box's eight corners (with the tower's height) fit
    every picture shape and view, filling more than 60 % of the tighter axis."""
    xs, ys = np.meshgrid(np.arange(0, 400, 40.0), np.arange(0, 300, 40.0))
    x, y = xs.ravel(), ys.ravel()
    bounds = np.column_stack([x, y, x + 20, y + 20])
    heights = np.full(len(x), 18.0)
    heights[-1] = 75.0
    bounds = np.vstack([bounds, [-40_000, -45_000, 200, -30]])  # the river's bounds: 60 km
    heights = np.append(heights, np.nan)
    layers = np.array(["buildings"] * len(x) + ["water"], dtype=object)
    areal = np.append(np.ones(len(x), bool), False)
    box = focus_box(bounds, heights, layers, areal)
    assert box == (0.0, 0.0, 0.0, 380.0, 300.0, 75.0)  # the blocks' own extent, by hand
    xyz = project(fit_box(box, heading, pitch, aspect), corners(box), aspect)
    assert np.all(xyz[:, 2] > 0) and np.all(np.abs(xyz[:, :2]) <= 1.0 + 1e-9)
    span_x = xyz[:, 0].max() - xyz[:, 0].min()
    span_y = xyz[:, 1].max() - xyz[:, 1].min()
    assert max(span_x, span_y) > 1.2  # > 60 % of the limiting axis (the picture is 2 wide)


def test_the_district_and_its_river_line_alone_frame_the_district_not_the_line() -> None:
    """The same river line with buildings too few to be a city: buildings still win over
    the line (areas and buildings first), even when they are only three."""
    bounds = np.array([[0, 0, 20, 20], [100, 0, 120, 20], [50, 80, 70, 100],
                       [-40_000, -45_000, 200, -30]], float)
    box = focus_box(bounds, np.array([10.0, 12.0, 30.0, np.nan]),
                    np.array(["buildings"] * 3 + ["water"], dtype=object),
                    np.array([True, True, True, False]))
    assert box == (0.0, 0.0, 0.0, 120.0, 100.0, 30.0)
