"""The label declutter (gwangju_twin.ui.declutter): pure, tested without a window."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from render_helpers import panda3d_loaded_by

from gwangju_twin.ui.declutter import LabelBox, declutter, overlaps, placed_rect

MINIMAP = (-1.78, -1.0, -1.05, -0.3)
TOOLBAR = (-1.78, 0.85, 0.1, 1.0)


def test_declutter_is_pure() -> None:
    assert panda3d_loaded_by("import gwangju_twin.ui.declutter\n") == []


def test_lone_label_stays_where_it_is() -> None:
    out = declutter([LabelBox("a", (0.0, 0.0, 0.4, 0.2))])
    assert out["a"].visible and out["a"].scale == 1.0 and out["a"].lift == 0.0
    assert out["a"].rect == (0.0, 0.0, 0.4, 0.2)


def test_the_farther_of_two_overlapping_labels_moves() -> None:
    near = LabelBox("near", (0.0, 0.0, 0.4, 0.2), distance=100.0)
    far = LabelBox("far", (0.1, 0.05, 0.5, 0.25), distance=300.0)
    out = declutter([far, near])
    assert out["near"].rect == near.rect  # the nearer one keeps its place
    assert out["far"].visible
    assert out["far"].rect is not None and not overlaps(out["far"].rect, near.rect)
    assert (out["far"].lift, out["far"].scale) != (0.0, 1.0)


def test_priority_wins_over_distance() -> None:
    pavilion = LabelBox("pavilion", (0.0, 0.0, 0.4, 0.2), priority=0, distance=900.0)
    landmark = LabelBox("landmark", (0.0, 0.0, 0.4, 0.2), priority=1, distance=10.0)
    out = declutter([landmark, pavilion])
    assert out["pavilion"].rect == pavilion.rect
    assert out["landmark"].rect != landmark.rect


def test_a_label_under_the_minimap_is_lifted_clear_of_it_or_hidden() -> None:
    under = LabelBox("mobility", (-1.3, -0.45, -0.9, -0.25))
    out = declutter([under], [MINIMAP])
    assert out["mobility"].visible
    assert not overlaps(out["mobility"].rect, MINIMAP)
    # Lifted, not pushed sideways: it still stands over its anchor (the leader line's foot).
    assert out["mobility"].lift > 0.0
    x0, _, x1, _ = out["mobility"].rect
    assert abs((x0 + x1) / 2 - (-1.1)) < 1e-9


def test_a_label_never_shrinks_below_its_min_scale() -> None:
    near = LabelBox("near", (0.0, 0.0, 0.4, 0.2), distance=1.0)
    # Lifting is ruled out by the ceiling; only shrinking to 0.64 would fit beside `near`.
    far = LabelBox("far", (0.35, 0.0, 0.75, 0.2), distance=2.0)
    small = declutter([near, far], lifts=(0.0,), gap=0.0)
    assert small["far"].visible and small["far"].scale == 0.64
    legible = declutter([near, LabelBox("far", far.rect, distance=2.0, min_scale=0.9)],
                        lifts=(0.0,))
    assert not legible["far"].visible


def test_a_label_that_fits_nowhere_is_hidden() -> None:
    wall = (-10.0, -10.0, 10.0, 10.0)
    out = declutter([LabelBox("a", (0.0, 0.0, 0.4, 0.2))], [wall])
    assert not out["a"].visible and out["a"].rect is None


def test_lifted_labels_stay_under_the_ceiling() -> None:
    a = LabelBox("a", (0.0, 0.7, 0.4, 0.9), distance=1.0)
    b = LabelBox("b", (0.0, 0.7, 0.4, 0.9), distance=2.0)
    out = declutter([a, b], ceiling=1.0)
    assert out["b"].rect is None or out["b"].rect[3] <= 1.0


def test_a_label_cut_by_the_top_edge_shrinks_to_fit_or_hides() -> None:
    # Anchored 0.9 up a screen whose top is 1.0: a card 0.2 high pokes out by half. At 0.8
    # of its size (0.16) it still pokes out; at 0.64 (0.128) it does too; so it hides.
    high = declutter([LabelBox("a", (0.0, 0.9, 0.4, 1.1))], ceiling=1.0)
    assert not high["a"].visible
    # Anchored 0.85 up: 0.64 of its size (0.128 high, top 0.978) fits, and nothing larger.
    lower = declutter([LabelBox("a", (0.0, 0.85, 0.4, 1.05))], ceiling=1.0)
    assert lower["a"].visible and lower["a"].scale == pytest.approx(0.64)
    assert lower["a"].rect is not None and lower["a"].rect[3] <= 1.0
    # Without a ceiling nothing is said about the screen's edge: it stays as it is.
    assert declutter([LabelBox("a", (0.0, 0.9, 0.4, 1.1))])["a"].scale == 1.0


def test_a_label_cut_by_a_side_edge_shrinks_to_fit_or_hides() -> None:
    # A screen from -1.6 to 1.6 across. Anchored at x = -1.5, a card 0.4 wide pokes out on
    # the left by 0.1; shrunk about its anchor to 0.64 (0.256 wide) it still pokes out by
    # 0.028 (a lift only moves it up): hidden.
    cut = declutter([LabelBox("a", (-1.7, 0.0, -1.3, 0.2))], sides=(-1.6, 1.6))
    assert not cut["a"].visible
    # Anchored at x = 1.45 on the right: 0.8 of its size (0.32 wide, right edge 1.61) pokes
    # out, 0.64 (right edge 1.578) fits.
    right = declutter([LabelBox("a", (1.25, 0.0, 1.65, 0.2))], sides=(-1.6, 1.6))
    assert right["a"].visible and right["a"].scale == pytest.approx(0.64)
    assert right["a"].rect is not None and right["a"].rect[2] <= 1.6
    # Whole on screen: untouched; without sides nothing is said about the edges.
    inside = declutter([LabelBox("a", (1.0, 0.0, 1.4, 0.2))], sides=(-1.6, 1.6))
    assert inside["a"].scale == 1.0 and inside["a"].lift == 0.0
    assert declutter([LabelBox("a", (-1.7, 0.0, -1.3, 0.2))])["a"].scale == 1.0


def test_placed_rect_scales_about_the_anchor() -> None:
    assert placed_rect((0.0, 0.0, 0.4, 0.2), 0.5, 0.0) == pytest.approx((0.1, 0.0, 0.3, 0.1))
    # Lifted by one of its own heights: it now starts where it used to end.
    assert placed_rect((0.0, 0.0, 0.4, 0.2), 1.0, 1.0) == pytest.approx((0.0, 0.2, 0.4, 0.4))


rects = st.builds(
    lambda x, y, w, h: (x, y, x + w, y + h),
    st.floats(-2.0, 2.0), st.floats(-1.0, 1.0), st.floats(0.0, 0.6), st.floats(0.0, 0.3),
)


@settings(max_examples=300, deadline=None)
@given(
    boxes=st.lists(st.tuples(rects, st.integers(0, 2), st.floats(0.0, 5000.0)), max_size=40),
    reserved=st.lists(rects, max_size=4),
    gap=st.sampled_from([0.0, 0.01]),
)
def test_no_two_visible_labels_overlap_and_none_covers_a_reserved_rect(
    boxes: list, reserved: list, gap: float
) -> None:
    labels = [LabelBox(i, r, p, d) for i, (r, p, d) in enumerate(boxes)]
    out = declutter(labels, reserved, gap=gap)
    assert set(out) == {lb.key for lb in labels}
    shown = [p for p in out.values() if p.visible]
    for i, a in enumerate(shown):
        assert a.rect is not None
        for r in reserved:
            assert not overlaps(a.rect, r, gap)
        for b in shown[i + 1:]:
            assert not overlaps(a.rect, b.rect, gap), (a, b)
    # Labels are only ever hidden for a reason: the best-ranked label is shown unless a
    # reserved rectangle leaves it no room at any scale and lift.
    if labels and not reserved:
        first = min(labels, key=lambda lb: (lb.priority, lb.distance))
        assert out[first.key].visible and out[first.key].rect == first.rect
