"""The quadtree a city is cut into: leaves of a few hundred buildings, and far groups of
many leaves whose block-level hulls stand in for them when the camera is far away.

Every feature belongs to exactly one leaf, by its anchor point (a point on its surface), so a
feature never straddles tiles; a tile's box is then grown to hold all its features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Buildings in a leaf at most (unless the tree is already ``MAX_DEPTH`` deep there).
LEAF_BUILDINGS = 300
#: Other features (roads, parks...) in a leaf at most: a country's road network alone must
#: still be cut into tiles.
LEAF_FEATURES = 1200
#: Buildings under a far group at most: its hulls are one Geom for the whole group.
FAR_BUILDINGS = 6000
MAX_DEPTH = 14


@dataclass(frozen=True)
class Leaf:
    """A leaf tile: its quadtree path (``"r"`` then one digit 0-3 per level: 0 south-west,
    1 south-east, 2 north-west, 3 north-east), its cell of the tree and its features."""

    key: str
    cell: tuple[float, float, float, float]
    rows: np.ndarray  # int64 district rows, ascending


@dataclass(frozen=True)
class FarGroup:
    """A node of the tree that stands for all leaves under it at the far level."""

    key: str
    cell: tuple[float, float, float, float]
    leaves: tuple[str, ...]

    def holds(self, leaf_key: str) -> bool:
        """Whether ``leaf_key`` lies under this group."""
        return leaf_key.startswith(self.key)


@dataclass(frozen=True)
class Quadtree:
    """The leaves (in key order) and far groups (in key order) of a cut city."""

    leaves: tuple[Leaf, ...]
    groups: tuple[FarGroup, ...]

    def group_of(self, leaf_key: str) -> FarGroup:
        """The far group a leaf lies under."""
        for g in self.groups:
            if g.holds(leaf_key):
                return g
        raise KeyError(leaf_key)


def square(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The square cell the tree starts from: ``bounds`` centred in a square, so every level's
    cells are squares too."""
    x0, y0, x1, y1 = bounds
    half = max(x1 - x0, y1 - y0, 1.0) / 2 * (1 + 1e-9)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def cut(anchors: np.ndarray, is_building: np.ndarray,
        leaf_buildings: int = LEAF_BUILDINGS, leaf_features: int = LEAF_FEATURES,
        far_buildings: int = FAR_BUILDINGS, max_depth: int = MAX_DEPTH) -> Quadtree:
    """Cut features (``anchors`` float (n, 2), metres; ``is_building`` bool (n,)) into a
    quadtree: a cell is split while it holds more than ``leaf_buildings`` buildings or
    ``leaf_features`` features; a far group is the largest cell with at most
    ``far_buildings`` buildings (the root when the whole city has fewer).

    A point on a cell's west or south edge belongs to it; on its east or north edge to the
    neighbour (the root's own far edges are inside it)."""
    n = len(anchors)
    if n == 0:
        return Quadtree((), ())
    finite = np.isfinite(anchors).all(axis=1)
    if not finite.all():
        raise ValueError(f"{int((~finite).sum())} feature anchors are not finite")
    b = (float(anchors[:, 0].min()), float(anchors[:, 1].min()),
         float(anchors[:, 0].max()), float(anchors[:, 1].max()))
    root = square(b)
    leaves: list[Leaf] = []
    groups: list[FarGroup] = []
    # (key, cell, rows, group key or None): depth-first, children in digit order, so the
    # leaves come out sorted by key.
    stack: list[tuple[str, tuple[float, float, float, float], np.ndarray, str | None]] = [
        ("r", root, np.arange(n, dtype=np.int64), None)]
    group_leaves: dict[str, list[str]] = {}
    group_cells: dict[str, tuple[float, float, float, float]] = {}
    while stack:
        key, cell, rows, group = stack.pop()
        buildings = int(is_building[rows].sum())
        if group is None and buildings <= far_buildings:
            group = key
            group_cells[key] = cell
            group_leaves[key] = []
        depth = len(key) - 1
        if depth >= max_depth or (buildings <= leaf_buildings and len(rows) <= leaf_features):
            if group is None:  # a leaf too deep to split with still too many buildings
                group = key
                group_cells[key] = cell
                group_leaves[key] = []
            leaves.append(Leaf(key, cell, rows))
            group_leaves[group].append(key)
            continue
        x0, y0, x1, y1 = cell
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        east = anchors[rows, 0] >= xm
        north = anchors[rows, 1] >= ym
        quads = ((x0, y0, xm, ym), (xm, y0, x1, ym), (x0, ym, xm, y1), (xm, ym, x1, y1))
        children = []
        for digit, sub in enumerate(quads):
            mask = (east == bool(digit & 1)) & (north == bool(digit & 2))
            if mask.any():
                children.append((key + str(digit), sub, rows[mask], group))
        stack.extend(reversed(children))
    for key in sorted(group_leaves):
        groups.append(FarGroup(key, group_cells[key], tuple(group_leaves[key])))
    leaves.sort(key=lambda leaf: leaf.key)
    return Quadtree(tuple(leaves), tuple(groups))
