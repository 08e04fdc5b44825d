"""The demo camera's requests and poses (``ctx.camera``) and the click geometry
(``ctx.on_click``), without a window."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gwangju_twin.navigation import Limits
from gwangju_twin.plugins.camera import (
    DEFAULT_PITCH,
    MIN_SPAN,
    MIN_WINDOW,
    WHOLE,
    DemoCamera,
    Window,
    fit_in_window,
    free_window,
    target_box,
)
from gwangju_twin.plugins.clicks import ClickEvent, Clicks, ray_boxes
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.framing import MARGIN, corners, project


class Hand:
    """A shell's hand that records what it was asked to show."""

    def __init__(self, aspect: float = 16 / 9, heading: float = 30.0,
                 window: Window = WHOLE) -> None:
        self._aspect = aspect
        self.free = window
        self.now = CameraPose((0.0, 0.0, 0.0), heading, 40.0, 300.0)
        self.shown: list[tuple[CameraPose, float]] = []

    def aspect(self) -> float:
        return self._aspect

    def current(self) -> CameraPose | None:
        return self.now

    def show(self, pose: CameraPose, seconds: float) -> None:
        self.shown.append((pose, seconds))
        self.now = pose

    def window(self) -> Window:
        return self.free


def _in_picture(pose: CameraPose, box, aspect: float) -> np.ndarray:
    return project(pose, corners(box), aspect)


@pytest.mark.parametrize("aspect", [16 / 9, 1.0, 9 / 16])
def test_frame_shows_every_corner_of_a_far_box_and_fills_the_picture(aspect: float) -> None:
    hand = Hand(aspect)
    camera = DemoCamera(lambda: hand)
    bounds = (1200.0, -800.0, 1500.0, -650.0)
    pose = camera.frame(bounds, heading=20.0, pitch=45.0, seconds=2.0)
    assert hand.shown == [(pose, 2.0)] and camera.last == pose
    assert (pose.heading, pose.pitch) == (20.0, 45.0)
    xy = _in_picture(pose, target_box(bounds), aspect)
    assert np.all(xy[:, 2] > 0)  # in front of the camera
    assert np.all(np.abs(xy[:, :2]) <= 1 - MARGIN + 1e-6)
    # As large as it can be: it touches the margin in one direction.
    assert np.abs(xy[:, :2]).max() == pytest.approx(1 - MARGIN, abs=1e-3)
    # The target is on the ground, near the middle of the box.
    assert pose.target[2] == 0.0
    assert 1200 < pose.target[0] < 1500 and -800 < pose.target[1] < -650


def test_the_window_shape_decides_how_far_back() -> None:
    # The lens's horizontal field is fixed: a box that runs away from the camera fills a
    # wide window's short height first, and a tall window sees it from closer.
    deep = (0.0, 0.0, 50.0, 600.0)
    wide = DemoCamera(lambda: Hand(16 / 9)).frame(deep, heading=0.0, pitch=60.0)
    tall = DemoCamera(lambda: Hand(9 / 16)).frame(deep, heading=0.0, pitch=60.0)
    assert wide.distance > 1.5 * tall.distance
    # A box across the view fills the width first, whatever the height.
    across = (0.0, 0.0, 600.0, 50.0)
    wide = DemoCamera(lambda: Hand(16 / 9)).frame(across, heading=0.0, pitch=60.0)
    tall = DemoCamera(lambda: Hand(9 / 16)).frame(across, heading=0.0, pitch=60.0)
    assert wide.distance == pytest.approx(tall.distance)


def test_points_in_two_or_three_dimensions_and_a_single_point() -> None:
    pts3 = np.array([[10.0, 20.0, 0.0], [60.0, 90.0, 75.0], [40.0, 30.0, 5.0]])
    assert target_box(pts3) == (10.0, 20.0, 0.0, 60.0, 90.0, 75.0)
    assert target_box(pts3[:, :2]) == (10.0, 20.0, 0.0, 60.0, 90.0, 0.0)
    # A tower's top is kept in the picture.
    hand = Hand()
    pose = DemoCamera(lambda: hand).frame(pts3, pitch=30.0)
    xy = _in_picture(pose, target_box(pts3), hand.aspect())
    assert np.all(np.abs(xy[:, :2]) <= 1 - MARGIN + 1e-6)
    # One point still gets a view of its surroundings.
    box = target_box([[5.0, 5.0]])
    assert box[3] - box[0] == pytest.approx(MIN_SPAN) and box[4] - box[1] == pytest.approx(
        MIN_SPAN)
    # Reversed bounds are the same box.
    assert target_box((10, 10, 0, 0)) == target_box((0, 0, 10, 10))


@pytest.mark.parametrize("bad", [(1.0, 2.0, 3.0), np.zeros((0, 2)), np.zeros((3, 4)),
                                 (0.0, 0.0, math.nan, 1.0), "here", [[1.0, math.inf]]])
def test_a_bad_target_is_refused(bad) -> None:
    with pytest.raises(ValueError):
        DemoCamera(lambda: Hand()).frame(bad)


def test_heading_defaults_to_the_view_now_and_pitch_to_the_default() -> None:
    hand = Hand(heading=123.0)
    pose = DemoCamera(lambda: hand).frame((0, 0, 100, 100))
    assert pose.heading == 123.0 and pose.pitch == DEFAULT_PITCH
    # No shell at all: north, and nothing moves.
    camera = DemoCamera()
    assert camera.frame((0, 0, 100, 100)).heading == 0.0 and camera.last is None


@pytest.mark.parametrize("pitch", [0.0, 90.0, -10.0, math.nan])
def test_pitch_must_look_down(pitch: float) -> None:
    with pytest.raises(ValueError):
        DemoCamera(lambda: Hand()).frame((0, 0, 10, 10), pitch=pitch)
    with pytest.raises(ValueError):
        DemoCamera(lambda: Hand()).fly_to((0, 0, 0), 0.0, pitch, 100.0)


def test_fly_to_is_the_pose_asked_for() -> None:
    hand = Hand()
    pose = DemoCamera(lambda: hand).fly_to((10, 20, 3), 370.0, 35.0, 250.0, seconds=0)
    assert pose == CameraPose((10.0, 20.0, 3.0), 10.0, 35.0, 250.0)
    assert hand.shown == [(pose, 0.0)]
    for distance in (0.0, -5.0, math.inf):
        with pytest.raises(ValueError):
            DemoCamera(lambda: hand).fly_to((0, 0, 0), 0.0, 45.0, distance)
    with pytest.raises(ValueError):
        DemoCamera(lambda: hand).fly_to((0, 0, 0), 0.0, 45.0, 10.0, seconds=-1)


def test_only_the_entered_demo_moves_the_camera() -> None:
    hand = Hand()
    inside = [False]
    camera = DemoCamera(lambda: hand, active=lambda: inside[0])
    pose = camera.frame((0, 0, 50, 50))
    assert hand.shown == [] and camera.last is None  # computed, not shown
    inside[0] = True
    assert camera.frame((0, 0, 50, 50)) == pose
    assert hand.shown == [(pose, 1.5)]


def test_the_overview_is_named_once_and_framed_for_the_window_now() -> None:
    hand = Hand(16 / 9)
    camera = DemoCamera(lambda: hand)
    assert camera.overview_pose() is None and camera.overview() is None
    assert hand.shown == []
    with pytest.raises(ValueError):
        camera.set_overview((1, 2, 3))
    camera.set_overview((0.0, 0.0, 200.0, 800.0), heading=10.0, pitch=55.0)
    wide = camera.overview_pose()
    assert wide == camera.framing((0.0, 0.0, 200.0, 800.0), 10.0, 55.0)
    assert camera.overview(seconds=3.0) == wide and hand.shown == [(wide, 3.0)]
    hand._aspect = 9 / 16  # the window turned tall: the deep overview is seen from closer
    assert camera.overview_pose().distance < 0.8 * wide.distance


# -- clicks ------------------------------------------------------------------------------------

def test_ray_boxes_hits_misses_and_starts_inside() -> None:
    lo = np.array([[10.0, -1.0, -1.0], [20.0, 5.0, -1.0], [-5.0, -1.0, -1.0], [-1, -1, -1]])
    hi = np.array([[12.0, 1.0, 1.0], [22.0, 7.0, 1.0], [-3.0, 1.0, 1.0], [1, 1, 1]])
    t = ray_boxes((0.0, 0.0, 0.0), (1.0, 0.0, 0.0), lo, hi)
    # Hit at x = 10; off to the side (the ray runs parallel to y and z outside the slab);
    # behind the origin; the origin inside the box.
    assert t[0] == pytest.approx(10.0)
    assert t[1] == math.inf and t[2] == math.inf and t[3] == 0.0
    # A slanted ray down onto a box on the ground, compared with a brute-force march.
    o, d = np.array([0.0, 0.0, 100.0]), np.array([1.0, 1.0, -1.0]) / math.sqrt(3)
    box_lo, box_hi = np.array([[80.0, 80.0, 0.0]]), np.array([[90.0, 95.0, 30.0]])
    steps = np.linspace(0, 300, 300_001)
    pts = o + steps[:, None] * d
    inside = np.all((pts >= box_lo) & (pts <= box_hi), axis=1)
    assert ray_boxes(o, d, box_lo, box_hi)[0] == pytest.approx(steps[inside][0], abs=1e-3)


class Node:
    """Stands in for a NodePath: what ``Clicks`` asks of a node."""

    def __init__(self) -> None:
        self.removed = False

    def get_tight_bounds(self, other=None):
        return None

    def is_empty(self) -> bool:
        return self.removed


def test_clicks_keep_one_callback_per_node_and_forget_removed_nodes() -> None:
    clicks = Clicks()
    a, b = Node(), Node()
    seen: list[str] = []
    clicks.on_click(a, lambda e: seen.append("a1"))
    clicks.on_click(b, lambda e: seen.append("b"))
    clicks.on_click(a, lambda e: seen.append("a2"))  # replaces a's first callback
    assert [n for n, _ in clicks.nodes] == [b, a]
    for _, fn in clicks.nodes:
        fn(ClickEvent((0.0, 0.0, 0.0), a))
    assert seen == ["b", "a2"]
    b.removed = True
    assert [n for n, _ in clicks.nodes] == [a]
    clicks.on_building_click(lambda row: None)
    assert len(clicks.building_callbacks) == 1
    with pytest.raises(TypeError):
        clicks.on_click(a, "not callable")
    with pytest.raises(TypeError):
        clicks.on_click("not a node", lambda e: None)
    with pytest.raises(TypeError):
        clicks.on_building_click(None)
    clicks.clear()
    assert clicks.nodes == [] and clicks.building_callbacks == ()


# -- the part of the picture the interface leaves free ---------------------------------------

#: A panel docked at the right edge, as the touring interface shows a pavilion's.
PANEL: Window = (0.4375, -1.0, 1.0, 1.0)


def test_a_covering_panel_is_cut_away_and_small_widgets_are_ignored() -> None:
    assert free_window([]) == WHOLE
    assert free_window([PANEL]) == (-1.0, -1.0, 0.4375, 1.0)
    # A minimap in the bottom-left corner and a toolbar along the top cover too little to
    # give up a strip of the whole view for.
    minimap = (-0.97, -0.95, -0.63, -0.29)
    toolbar = (-0.97, 0.85, 0.06, 0.95)
    assert free_window([PANEL, minimap, toolbar]) == (-1.0, -1.0, 0.4375, 1.0)
    # A tall list down the left edge: cutting its column keeps more picture than cutting
    # its rows.
    results = (-1.0, -0.8, -0.4, 0.8)
    assert free_window([PANEL, results]) == (-0.4, -1.0, 0.4375, 1.0)
    # A wide bar along the bottom: its band goes.
    bar = (-1.0, -1.0, 1.0, -0.75)
    assert free_window([bar]) == (-1.0, -0.75, 1.0, 1.0)


def test_a_cover_that_would_leave_a_sliver_is_not_cut() -> None:
    # Covering all but a sixth of the picture: the view keeps the whole picture rather
    # than a strip too narrow to show anything.
    window = free_window([(-0.7, -1.0, 1.0, 1.0)])
    assert window[2] - window[0] >= 2 * MIN_WINDOW


@pytest.mark.parametrize("aspect", [16 / 9, 4 / 3, 9 / 16])
@pytest.mark.parametrize("heading", [0.0, 35.0, 200.0])
def test_a_framed_box_stays_inside_the_free_window(aspect: float, heading: float) -> None:
    box = target_box(np.array([[100.0, 40.0, 0.0], [900.0, 600.0, 120.0]]))
    window = free_window([PANEL, (-1.0, 0.6, 0.06, 1.0)])
    assert window[3] == 0.6  # the band across the top is cut away too
    pose = fit_in_window(box, heading, 50.0, aspect, window)
    xy = project(pose, corners(box), aspect)
    assert (xy[:, 2] > 0).all()
    assert (xy[:, 0] >= window[0] - 1e-6).all() and (xy[:, 0] <= window[2] + 1e-6).all()
    assert (xy[:, 1] >= window[1] - 1e-6).all() and (xy[:, 1] <= window[3] + 1e-6).all()
    # Not lost in it either: the box spans most of the window's limiting side.
    span_x = (xy[:, 0].max() - xy[:, 0].min()) / (window[2] - window[0])
    span_y = (xy[:, 1].max() - xy[:, 1].min()) / (window[3] - window[1])
    assert max(span_x, span_y) > 0.75
    # Framed for the whole picture, the same box runs under the panel.
    whole = project(fit_in_window(box, heading, 50.0, aspect), corners(box), aspect)
    assert whole[:, 0].max() > window[2]


def test_the_camera_frames_inside_the_hands_window_and_refits_for_a_new_one() -> None:
    hand = Hand(16 / 9, window=PANEL_FREE)
    camera = DemoCamera(lambda: hand)
    bounds = (0.0, 0.0, 500.0, 300.0)
    pose = camera.frame(bounds, heading=0.0, pitch=50.0)
    xy = project(pose, corners(target_box(bounds)), 16 / 9)
    assert xy[:, 0].max() <= PANEL_FREE[2] + 1e-6
    # The interface goes (a render without it): the same request, framed again, uses the
    # whole picture and comes closer.
    hand.free = WHOLE
    again = camera.refit()
    assert again is not None and again.distance < pose.distance
    assert camera.last == again
    # A fly_to pose is what it is: refit gives it back unchanged.
    flown = camera.fly_to((5.0, 5.0, 0.0), 10.0, 40.0, 250.0)
    assert camera.refit() == flown


PANEL_FREE: Window = (-1.0, -1.0, 0.4375, 1.0)


def test_limits_widen_to_hold_a_demos_far_view_and_never_narrow() -> None:
    limits = Limits((0.0, 0.0, 1000.0, 1000.0), 300.0, 1500.0)
    far = limits.holding((-2000.0, 500.0, 4000.0))
    assert far.margin >= 2000.0 and far.ceiling >= 4000.0
    assert far.clamp_eye_position((-2000.0, 500.0, 4000.0)) == pytest.approx(
        (-2000.0, 500.0, 4000.0))
    assert limits.holding((500.0, 500.0, 100.0)) == limits
