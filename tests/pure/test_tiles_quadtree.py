"""The quadtree a city is cut into (tiles/quadtree.py): properties over generated anchors.

The limits are lowered (a few buildings per leaf, tens per far group) so small generated
cities already need deep trees, several far groups and leaves stuck at the depth limit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gwangju_twin.tiles.quadtree import Quadtree, cut, square

coords = st.floats(-1e5, 1e5, allow_nan=False, allow_infinity=False)


@st.composite
def cities(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    n = draw(st.integers(1, 120))
    xy = draw(arrays(np.float64, (n, 2), elements=coords))
    # Clusters of repeated points: a cell holding more than the limit of one point can never
    # be split below it, so these exercise the depth limit.
    if draw(st.booleans()):
        k = draw(st.integers(1, n))
        xy[:k] = xy[0]
    # Points on the split lines of the root: its centre and its edges.
    if draw(st.booleans()) and n >= 3:
        x0, y0, x1, y1 = square((xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(),
                                 xy[:, 1].max()))
        xy[-1] = ((x0 + x1) / 2, (y0 + y1) / 2)
        xy[-2] = ((x0 + x1) / 2, xy[-2, 1])
    building = draw(arrays(np.bool_, n))
    limits = {"leaf_buildings": draw(st.integers(1, 8)),
              "leaf_features": draw(st.integers(2, 16)),
              "far_buildings": draw(st.integers(8, 40)),
              "max_depth": draw(st.integers(1, 9))}
    return xy, building, limits


def _inside(xy: np.ndarray, cell: tuple[float, float, float, float],
            root: tuple[float, float, float, float]) -> np.ndarray:
    """Whether each point lies in ``cell`` with its west and south edges (and the root's
    own east and north edges) inclusive, as cut's docstring promises."""
    x0, y0, x1, y1 = cell
    x, y = xy[:, 0], xy[:, 1]
    in_x = (x >= x0) & ((x < x1) | ((x == x1) & (x1 == root[2])))
    in_y = (y >= y0) & ((y < y1) | ((y == y1) & (y1 == root[3])))
    return in_x & in_y


@settings(max_examples=150)
@given(cities())
def test_cut_properties(city: tuple[np.ndarray, np.ndarray, dict[str, int]]) -> None:
    xy, building, limits = city
    tree = cut(xy, building, **limits)
    n = len(xy)
    root = square((xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()))

    # Every feature in exactly one leaf.
    rows = np.concatenate([leaf.rows for leaf in tree.leaves])
    assert np.array_equal(np.sort(rows), np.arange(n))
    for leaf in tree.leaves:
        assert leaf.rows.dtype == np.int64
        assert np.array_equal(leaf.rows, np.sort(leaf.rows))
        # Every anchor inside its leaf's cell, and the cell is the one its key names
        # (halving the root along the digits of the key).
        assert _inside(xy[leaf.rows], leaf.cell, root).all(), leaf.key
        x0, y0, x1, y1 = root
        for digit in leaf.key[1:]:
            xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
            d = int(digit)
            x0, x1 = (xm, x1) if d & 1 else (x0, xm)
            y0, y1 = (ym, y1) if d & 2 else (y0, ym)
        assert leaf.cell == (x0, y0, x1, y1), leaf.key
        # Size limits, unless the leaf could not be split any deeper.
        depth = len(leaf.key) - 1
        assert depth <= limits["max_depth"]
        if depth < limits["max_depth"]:
            assert building[leaf.rows].sum() <= limits["leaf_buildings"], leaf.key
            assert len(leaf.rows) <= limits["leaf_features"], leaf.key

    # Leaves sorted by key, keys unique and none the prefix of another (disjoint cells).
    keys = [leaf.key for leaf in tree.leaves]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    for a in keys:
        assert not any(b != a and b.startswith(a) for b in keys)

    # Far groups partition the leaves: each leaf under exactly one group, named by it.
    group_keys = [g.key for g in tree.groups]
    assert group_keys == sorted(group_keys)
    listed = [k for g in tree.groups for k in g.leaves]
    assert sorted(listed) == keys
    for g in tree.groups:
        assert all(g.holds(k) for k in g.leaves)
        assert [k for k in keys if g.holds(k)] == list(g.leaves)
        under = building[np.concatenate([tree.leaves[keys.index(k)].rows for k in g.leaves])]
        # A group holds at most far_buildings, unless it is a single leaf too deep to split.
        if under.sum() > limits["far_buildings"]:
            assert g.leaves == (g.key,) and len(g.key) - 1 == limits["max_depth"]
        else:
            # ...and it is the largest such cell: its parent (if any) holds more.
            parent = g.key[:-1]
            if parent:
                rows_parent = np.concatenate([leaf.rows for leaf in tree.leaves
                                              if leaf.key.startswith(parent)])
                assert building[rows_parent].sum() > limits["far_buildings"]
    for k in keys:
        assert tree.group_of(k).holds(k)

    # Deterministic: the same input cuts the same tree.
    again = cut(xy.copy(), building.copy(), **limits)
    assert _same(tree, again)


def _same(a: Quadtree, b: Quadtree) -> bool:
    return (a.groups == b.groups and len(a.leaves) == len(b.leaves)
            and all(x.key == y.key and x.cell == y.cell and np.array_equal(x.rows, y.rows)
                    for x, y in zip(a.leaves, b.leaves, strict=True)))


def test_small_city_is_one_leaf_and_one_group() -> None:
    # 10 features, under every default limit: nothing to split.
    xy = np.random.default_rng(1).uniform(0, 500, (10, 2))
    tree = cut(xy, np.ones(10, bool))
    assert [leaf.key for leaf in tree.leaves] == ["r"]
    assert [(g.key, g.leaves) for g in tree.groups] == [("r", ("r",))]


def test_four_quadrants_split_once() -> None:
    # Three buildings in each corner of a 100 m square, limit 3 per leaf: the root (12)
    # must split, and each quadrant (3) is then a leaf; keys follow the documented digit
    # order (0 SW, 1 SE, 2 NW, 3 NE).
    corners = {"r0": (10, 10), "r1": (90, 10), "r2": (10, 90), "r3": (90, 90)}
    xy = np.array([(x + d, y) for x, y in corners.values() for d in (0, 1, 2)], float)
    tree = cut(xy, np.ones(12, bool), leaf_buildings=3, far_buildings=100)
    assert [leaf.key for leaf in tree.leaves] == list(corners)
    for leaf, start in zip(tree.leaves, (0, 3, 6, 9), strict=True):
        assert leaf.rows.tolist() == [start, start + 1, start + 2]
    assert [g.key for g in tree.groups] == ["r"]


def test_empty_and_bad_anchors() -> None:
    assert cut(np.zeros((0, 2)), np.zeros(0, bool)) == Quadtree((), ())
    with pytest.raises(ValueError, match="1 feature anchors are not finite"):
        cut(np.array([[0.0, 0.0], [np.nan, 1.0]]), np.ones(2, bool))


def test_far_group_is_the_largest_cell_at_the_limit() -> None:
    # Six buildings in the south-west corner, six in the north-east; 4 a leaf. With 12 at
    # most under a group, the root (12) is the group; with 6, each corner (exactly 6) is
    # one, not its children.
    xy = np.array([(10 + d, 10 + d) for d in range(6)] + [(90 - d, 90 - d) for d in range(6)],
                  float)
    building = np.ones(12, bool)
    tree = cut(xy, building, leaf_buildings=4, far_buildings=12)
    assert [g.key for g in tree.groups] == ["r"]
    tree = cut(xy, building, leaf_buildings=4, far_buildings=6)
    assert [g.key for g in tree.groups] == ["r0", "r3"]
    assert all(len(g.leaves) > 1 for g in tree.groups)  # 6 > 4: each corner splits again
    tree = cut(xy, building, leaf_buildings=4, far_buildings=5)
    assert all(len(g.key) > 2 for g in tree.groups)
