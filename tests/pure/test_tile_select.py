"""Choosing tiles to draw (tiles.select): screen-space error, the frustum test and the
far-group/leaf choice with hysteresis, as properties over made-up cities and cameras.

The cities here are built by hand: groups on a grid of square cells, each with a few leaf
boxes inside its cell and a box grown to hold them (as the bake grows a far group's box),
random geometric errors, and some groups without a far level (pavilions cleared a building
under them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gwangju_twin.tiles.select import (
    BAND,
    THRESHOLD_PX,
    Selection,
    Selector,
    View,
    box_distance,
    boxes_in_view,
    sse_px,
)

CELL = 800.0


@dataclass
class City:
    selector: Selector
    top: float


@st.composite
def cities(draw: st.DrawFn) -> City:
    nx = draw(st.integers(1, 3))
    ny = draw(st.integers(1, 3))
    g_keys, g_boxes, g_err, l_keys, l_boxes, l_err, l_group = [], [], [], [], [], [], []
    g_err3 = []
    top = 0.0
    for gi in range(nx * ny):
        cx, cy = (gi % nx) * CELL, (gi // nx) * CELL
        boxes = []
        for _ in range(draw(st.integers(1, 5))):
            x0 = cx + draw(st.floats(0, CELL * 0.8))
            y0 = cy + draw(st.floats(0, CELL * 0.8))
            w = draw(st.floats(5, CELL * 0.2))
            h = draw(st.floats(5, CELL * 0.2))
            z1 = draw(st.floats(0, 150))
            boxes.append((x0, y0, 0.0, x0 + w, y0 + h, z1))
            top = max(top, z1)
        for box in boxes:
            l_keys.append(f"L{len(l_keys)}")
            l_boxes.append(box)
            l_err.append(draw(st.sampled_from([0.0, 2.0, 9.5, 14.0])))
            l_group.append(gi)
        arr = np.array(boxes)
        g_keys.append(f"G{gi}")
        g_boxes.append((*arr[:, :3].min(axis=0), *arr[:, 3:].max(axis=0)))
        g_err.append(draw(st.sampled_from([26.0, 60.0, 80.0, math.inf])))
        # Level 3: none (inf), coarser than any level 2 here, or (40 m) finer than some,
        # which the selector must treat as no finer than the group's level 2.
        g_err3.append(draw(st.sampled_from([math.inf, 40.0, 150.0, 300.0])))
    sel = Selector(g_keys, np.array(g_boxes), np.array(g_err), l_keys, np.array(l_boxes),
                   np.array(l_err), np.array(l_group), group_errors3=np.array(g_err3))
    return City(sel, top)


def views(city_size: float = 3 * CELL) -> st.SearchStrategy[View]:
    coord = st.floats(-city_size, 2 * city_size)
    return st.builds(
        lambda ex, ey, ez, tx, ty, fov, h: View.looking_at(
            (ex, ey, ez), (tx, ty, 0.0), fov_x=fov, fov_y=fov * 0.6, height_px=h),
        coord, coord, st.floats(2.0, 8000.0), coord, coord, st.floats(30.0, 90.0),
        st.sampled_from([360.0, 720.0, 1080.0]))


def effective_levels(sel: Selector, s: Selection) -> np.ndarray:
    """What each leaf is drawn as: its group's far level (2 or 3) when its group stands
    for it, else its own level."""
    return np.where(s.group_far[sel.leaf_group], s.group_level[sel.leaf_group], s.leaf_level)


# -- screen-space error --------------------------------------------------------------------

@given(st.floats(0.01, 500), st.floats(0.0, 1e5), st.floats(0.0, 1e5),
       st.floats(100, 4000), st.floats(10, 120))
def test_sse_never_grows_with_distance(error: float, d1: float, d2: float, h: float,
                                       fov: float) -> None:
    near, far = sorted((d1, d2))
    assert sse_px(error, near, h, fov) >= sse_px(error, far, h, fov)
    if 0 < near < far:
        assert sse_px(error, near, h, fov) > sse_px(error, far, h, fov)


def test_sse_is_a_pinhole_projection() -> None:
    """A 10 m error 500 m in front of a 720 px high picture with a 60 degree vertical field
    of view: projected by hand, the picture's half-height spans 500 * tan(30 deg) metres at
    that distance, so 10 m covers 10 / (500 tan 30) * 360 px."""
    expected = 10.0 / (500.0 * math.tan(math.radians(30.0))) * 360.0
    assert float(sse_px(10.0, 500.0, 720.0, 60.0)) == pytest.approx(expected)
    assert float(sse_px(10.0, 0.0, 720.0, 60.0)) == math.inf  # inside the tile
    assert float(sse_px(0.0, 0.0, 720.0, 60.0)) == 0.0  # an exact level, from anywhere


def test_box_distance_by_hand() -> None:
    boxes = np.array([[0, 0, 0, 10, 10, 10], [20, 0, 0, 30, 10, 10], [0, 0, 0, 1, 1, 1.0]])
    # Inside the first; 10 m west of the second's face; (5-1, 5-1, 5-1) from the third.
    assert box_distance(np.array([5.0, 5, 5]), boxes) == pytest.approx(
        [0.0, 15.0, math.sqrt(48)])


# -- the frustum -----------------------------------------------------------------------------

@given(views(), st.lists(st.tuples(*[st.floats(-3000, 6000)] * 3,
                                   *[st.floats(1, 2000)] * 3), min_size=1, max_size=30))
@settings(max_examples=200)
def test_frustum_agrees_with_every_corner(view: View, raw: list) -> None:
    """A box is out exactly when all eight corners are behind one plane, checked corner by
    corner here with plain loops."""
    boxes = np.array([(x, y, z, x + w, y + d, z + h) for x, y, z, w, d, h in raw])
    planes = view.planes()
    fast = boxes_in_view(planes, boxes)
    for box, seen in zip(boxes, fast, strict=True):
        x0, y0, z0, x1, y1, z1 = box
        corners = [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
        out = False
        for a, b, c, d in planes:
            margins = [a * x + b * y + c * z + d for x, y, z in corners]
            # Exactly on a plane both ways of summing may round apart: no verdict there.
            assume(min(abs(m) for m in margins) > 1e-6 * (1 + max(abs(m) for m in margins)))
            out = out or all(m < 0 for m in margins)
        assert bool(seen) == (not out)


def test_frustum_by_hand() -> None:
    """Looking north from the origin with a 90 degree field each way: a box 100 m ahead is
    in, one 100 m behind is out, one far to the east at 100 m ahead is out (45 degrees)."""
    view = View.looking_at((0, 0, 0), (0, 1, 0), fov_x=90, fov_y=90, near=1, far=1000)
    boxes = np.array([[-1, 99, -1, 1, 101, 1], [-1, -101, -1, 1, -99, 1],
                      [300, 99, -1, 302, 101, 1], [-1, 1500, -1, 1, 1600, 1.0]])
    assert boxes_in_view(view.planes(), boxes).tolist() == [True, False, False, False]


# -- the choice --------------------------------------------------------------------------------

@given(cities(), st.lists(views(), min_size=1, max_size=6))
@settings(max_examples=150, deadline=None)
def test_every_seen_leaf_is_drawn_exactly_once(city: City, path: list[View]) -> None:
    sel = city.selector
    for view in path:
        s = sel.select(view)
        wanted = sel.wanted(s)
        for i, key in enumerate(sel.leaf_keys):
            group = sel.group_keys[sel.leaf_group[i]]
            covers = int(wanted.get(group) in (2, 3)) + int(key in wanted)
            # A leaf out of view may still lie under its group's hulls, never under two.
            assert covers == 1 if s.leaf_seen[i] else covers <= 1, (key, group, wanted)
        # Nothing out of view is wanted, and a group without a far level never is; a
        # group without a level 3 is never drawn at it.
        for key, level in wanted.items():
            if level in (2, 3):
                g = sel.group_keys.index(key)
                assert s.group_seen[g] and math.isfinite(sel.group_errors[g])
                if level == 3:
                    assert math.isfinite(sel.group_errors3[g])


@given(cities(), st.lists(views(), min_size=1, max_size=6))
@settings(max_examples=150, deadline=None)
def test_far_levels_keep_within_the_threshold(city: City, path: list[View]) -> None:
    """Whatever came before (hysteresis), a group drawn at level 2 or 3 shows at most the
    threshold's screen-space error at that level: its error in pixels, from this view, is
    computed here from the errors the city was made with."""
    sel = city.selector
    for view in path:
        s = sel.select(view)
        d = box_distance(view.eye, sel.group_boxes)
        err = np.where(s.group_level == 3, sel.group_errors3, sel.group_errors)
        px = sse_px(err, d, view.height_px, view.fov_y)
        assert (px[s.group_far] <= THRESHOLD_PX + 1e-9).all()
        assert set(np.unique(s.group_level).tolist()) <= {2, 3}


@given(cities(), st.floats(-CELL, 4 * CELL), st.floats(-CELL, 4 * CELL),
       st.lists(st.floats(1.0, 3000.0), min_size=2, max_size=12), st.floats(-80, 80))
@settings(max_examples=150, deadline=None)
def test_rising_camera_never_gets_finer(city: City, x: float, y: float, steps: list[float],
                                        lean: float) -> None:
    """A camera rising straight up from above every roof moves away from every tile's box,
    so every leaf's level (2 when its group stands for it) may only grow."""
    sel = city.selector
    z = city.top + 1.0
    before = None
    for step in steps:
        z += step
        view = View.looking_at((x, y, z), (x + lean, y + 50.0, 0.0))
        now = effective_levels(sel, sel.select(view))
        if before is not None:
            assert (now >= before).all()
        before = now


@given(cities(), views(), views(), st.floats(0.85, 1.15), st.integers(2, 9))
@settings(max_examples=150, deadline=None)
def test_swinging_within_the_band_switches_at_most_once(
        city: City, before: View, view: View, scale: float, swings: int) -> None:
    """A camera swinging between two spots (the second nearer to or farther from the
    ground point it looks at): every tile whose error at one spot is within the band of
    its error at the other (the smaller above 0.75 times the larger) switches at most once,
    however many swings, whatever it showed before (``before``)."""
    sel = city.selector
    target = view.eye + view.forward * (view.eye[2] / max(-view.forward[2], 1e-3))
    other = View(target + (view.eye - target) * scale, view.forward, view.up, view.right,
                 view.fov_x, view.fov_y, view.near, view.far, view.height_px)

    def steady(errors: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        a, b = (sse_px(errors, box_distance(v.eye, boxes), v.height_px, v.fov_y)
                for v in (view, other))
        with np.errstate(invalid="ignore"):
            return np.isfinite(a) & np.isfinite(b) & (np.minimum(a, b) > BAND * np.maximum(a, b))

    g_steady = steady(sel.group_errors, sel.group_boxes)
    g3_steady = steady(sel.group_errors3, sel.group_boxes) & g_steady
    l_steady = steady(sel.leaf_errors, sel.leaf_boxes)
    sel.select(before)
    states = [sel.select(other if i % 2 else view) for i in range(2 * swings)]
    far = np.array([s.group_far for s in states])[:, g_steady]
    city_level = np.array([s.group_level for s in states])[:, g3_steady]
    level = np.array([s.leaf_level for s in states])[:, l_steady]
    assert (np.diff(far.astype(int), axis=0) != 0).sum(axis=0).max(initial=0) <= 1
    assert (np.diff(level.astype(int), axis=0) != 0).sum(axis=0).max(initial=0) <= 1
    # A group steady at both far levels switches between them at most twice: once, and
    # once more when it follows its own switch to or from its leaves (level 3 is only
    # taken where level 2 is).
    assert (np.diff(city_level.astype(int), axis=0) != 0).sum(axis=0).max(initial=0) <= 2


def _one_leaf(band: float) -> Selector:
    """One group (far error 80 m) holding one leaf (level-1 error 10 m), 20 m square."""
    box = np.array([[0.0, 0.0, 0.0, 20.0, 20.0, 20.0]])
    return Selector(["G"], box, np.array([80.0]), ["L"], box, np.array([10.0]),
                    np.array([0]), band=band)


@pytest.mark.parametrize("band", [BAND, 1.0])
def test_hysteresis_on_a_single_leaf(band: float) -> None:
    """The leaf's level-1 error is the threshold at distance k * 10 / 16 (k the pixels per
    metre-at-1-m of the picture). Swinging between 3 % farther (error 15.5 px, coarse enough)
    and 3 % nearer (16.5 px, too coarse): the leaf turns fine at the first swing in, and with
    the band stays fine, as going back to level 1 needs 12 px or less; without a band
    (band 1) it toggles at every swing: the property is the band's doing."""
    h, fov = 720.0, 40.0
    k = h / (2 * math.tan(math.radians(fov / 2)))
    d_switch = k * 10.0 / THRESHOLD_PX
    sel = _one_leaf(band)

    def at(d: float) -> View:  # straight south of the box's south face, at its mid-height
        return View.looking_at((10.0, -d, 10.0), (10.0, 10.0, 10.0), fov_x=60, fov_y=fov,
                               height_px=h)

    levels = [int(sel.select(at(d_switch * f)).leaf_level[0]) for f in [1.03, 0.97] * 4]
    if band < 1:
        assert levels == [1] + [0] * 7
    else:
        assert levels == [1, 0] * 4


def test_level_3_farther_than_level_2_by_hand() -> None:
    """One group (level-2 error 80 m, level-3 error 200 m) holding one leaf (level-1 error
    10 m), 20 m square, seen from straight south at its mid-height: the level-3 error is 16
    px at k * 200 / 16 metres (k the pixels per metre-at-1-m), level 2's at k * 80 / 16. Coming
    nearer from afar (no band passed going finer): level 3 beyond the first, level 2 between,
    the leaf within; going back out, each coarser level only at 12 px (the band)."""
    h, fov = 720.0, 40.0
    k = h / (2 * math.tan(math.radians(fov / 2)))
    box = np.array([[0.0, 0.0, 0.0, 20.0, 20.0, 20.0]])
    sel = Selector(["G"], box, np.array([80.0]), ["L"], box, np.array([10.0]),
                   np.array([0]), group_errors3=np.array([200.0]))
    d3, d2 = k * 200.0 / THRESHOLD_PX, k * 80.0 / THRESHOLD_PX

    def at(d: float) -> dict[str, int]:
        return sel.wanted(sel.select(View.looking_at(
            (10.0, -d, 10.0), (10.0, 10.0, 10.0), fov_x=60, fov_y=fov, height_px=h)))

    assert at(d3 * 1.5) == {"G": 3}
    assert at(d3 * 0.97) == {"G": 2}
    assert at(d2 * 0.97) == {"L": 1}
    assert at(d2 * 1.1) == {"L": 1}  # 14.5 px: not yet under the band's 12
    assert at(d2 * 1.4) == {"G": 2}
    assert at(d3 * 1.1) == {"G": 2}
    assert at(d3 * 1.4) == {"G": 3}
