"""Which tiles to draw, and at which level: screen-space error, frustum culling and the
hierarchical choice between a far group and its leaves (HLOD), with hysteresis.

A level's geometric error (metres, ``tiles.levels``) seen from ``d`` metres away covers
``error * h / (2 d tan(fov_y / 2))`` pixels of a picture ``h`` pixels high: the screen-space
error. A tile is drawn at the coarsest level whose screen-space error is at most the
threshold (``THRESHOLD_PX``). A far group is drawn at level 3 or 2 when that is fine enough,
else its leaves are, each at level 1 or 0.

A camera hovering where a tile's error is exactly the threshold would flip it every frame
between two levels. So a tile switches to its coarser choice only once its error has fallen
to ``BAND`` times the threshold, and back to the finer as soon as it exceeds the threshold:
between the two the tile keeps what it had.

Everything is whole arrays over all tiles at once: a frame of a city of hundreds of tiles
is a few dozen numpy operations, with no Python work per tile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gwangju_twin.tiles.tileset import TileSet

#: Screen-space error (pixels) a level may show: past it, the finer level is drawn.
THRESHOLD_PX = 16.0
#: The hysteresis band: a tile turns coarser only at ``BAND * threshold`` pixels or below.
BAND = 0.75


def sse_px(error_m: np.ndarray | float, distance_m: np.ndarray | float,
           viewport_h_px: float, fov_y_deg: float) -> np.ndarray:
    """Screen-space error (pixels) of a geometric error ``error_m`` (metres) seen from
    ``distance_m`` metres in a picture ``viewport_h_px`` pixels high whose vertical field of
    view is ``fov_y_deg`` degrees. At distance 0 (inside the tile) it is infinite, unless
    the error is 0: an exact level shows no error from anywhere."""
    error = np.asarray(error_m, dtype=float)
    distance = np.asarray(distance_m, dtype=float)
    scale = viewport_h_px / (2.0 * math.tan(math.radians(fov_y_deg) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = error * scale / distance
    out = np.where(error == 0.0, 0.0, out)
    return np.where((distance <= 0.0) & (error != 0.0), np.inf, out)


def box_distance(eye: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Distance (metres) from the point ``eye`` (3,) to each box of ``boxes`` (n, 6: x0, y0,
    z0, x1, y1, z1); 0 inside a box."""
    lo, hi = boxes[:, :3], boxes[:, 3:]
    gap = np.maximum(np.maximum(lo - eye, eye - hi), 0.0)
    return np.sqrt((gap * gap).sum(axis=1))


@dataclass(frozen=True)
class View:
    """A perspective camera: its position, unit forward, up and right vectors (local
    metres), horizontal and vertical field of view (degrees), near and far clip distances
    (metres) and the picture's height (pixels)."""

    eye: np.ndarray
    forward: np.ndarray
    up: np.ndarray
    right: np.ndarray
    fov_x: float
    fov_y: float
    near: float
    far: float
    height_px: float

    @staticmethod
    def looking_at(eye: Sequence[float], target: Sequence[float], fov_x: float = 50.0,
                   fov_y: float = 30.0, near: float = 1.0, far: float = 100_000.0,
                   height_px: float = 720.0) -> View:
        """A view from ``eye`` towards ``target``, its up as close to +z as the direction
        allows (straight down: up is +y)."""
        e = np.asarray(eye, dtype=float)
        f = np.asarray(target, dtype=float) - e
        norm = float(np.linalg.norm(f))
        if not norm:
            raise ValueError("eye and target are the same point")
        f = f / norm
        r = np.cross(f, [0.0, 0.0, 1.0])
        if np.linalg.norm(r) < 1e-9:
            r = np.cross(f, [0.0, 1.0, 0.0])
        r = r / np.linalg.norm(r)
        u = np.cross(r, f)
        return View(e, f, u, r, fov_x, fov_y, near, far, height_px)

    def planes(self) -> np.ndarray:
        """The six planes bounding the view (6, 4): ``n . p + d >= 0`` inside each."""
        f, u, r, e = self.forward, self.up, self.right, self.eye
        tx = math.tan(math.radians(self.fov_x) / 2.0)
        ty = math.tan(math.radians(self.fov_y) / 2.0)
        # A side plane holds the eye, an edge direction (f + t * side) and the other axis;
        # its normal (f * t - side) is perpendicular to both and points inwards.
        normals = np.array([f, -f, f * tx - r, f * tx + r, f * ty - u, f * ty + u])
        points = np.array([e + f * self.near, e + f * self.far, e, e, e, e])
        d = -(normals * points).sum(axis=1)
        return np.column_stack([normals, d])


def boxes_in_view(planes: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Which boxes (n, 6) may be seen (bool (n,)): a box is out when all eight of its
    corners lie behind one of ``planes`` (6, 4). Conservative: a box beside a corner of the
    frustum, behind no single plane, counts as in."""
    normals, d = planes[:, :3], planes[:, 3]
    # The corner farthest along each plane's normal: if even it is behind, all are.
    far_corner = np.where(normals[None, :, :] > 0, boxes[:, None, 3:], boxes[:, None, :3])
    reach = (far_corner * normals[None, :, :]).sum(axis=2) + d[None, :]
    return np.asarray((reach >= 0).all(axis=1))


@dataclass
class Selection:
    """One frame's choice. Per far group (in ``Selector.group_keys`` order): whether it is
    seen (``group_seen``), whether it stands for its leaves (``group_far``) and at which
    level it does (``group_level``, 2 or 3); per leaf: whether it is seen and its level (0
    or 1) when its group does not stand for it.

    ``group_far``, ``group_level`` and ``leaf_level`` are the selector's state for every
    tile, seen or not; only seen tiles are wanted (``wanted``)."""

    group_seen: np.ndarray
    group_far: np.ndarray
    leaf_seen: np.ndarray
    leaf_level: np.ndarray
    #: Per leaf: whether it is drawn itself (seen and its group not far).
    leaf_wanted: np.ndarray
    #: Per group: whether it is drawn at a far level (seen and far).
    group_wanted: np.ndarray
    #: Per group: the far level it is drawn at when far, 2 or 3.
    group_level: np.ndarray


class Selector:
    """The level-of-detail choice for a city: far groups (keys, boxes, level-2 errors) and
    leaves (keys, boxes, level-1 errors, index of their group). A group without a level 2
    (error ``inf``: pavilions cleared buildings under it) always gives way to its leaves.
    ``group_errors3`` are the groups' level-3 errors (``inf`` or None: no level 3): a far
    group takes level 3 where that is fine enough, with the same hysteresis.
    ``threshold_px`` is the screen-space error allowed, ``band`` the hysteresis (below 1)."""

    def __init__(self, group_keys: Sequence[str], group_boxes: np.ndarray,
                 group_errors: np.ndarray, leaf_keys: Sequence[str], leaf_boxes: np.ndarray,
                 leaf_errors: np.ndarray, leaf_group: np.ndarray,
                 threshold_px: float = THRESHOLD_PX, band: float = BAND,
                 group_errors3: np.ndarray | None = None) -> None:
        if not threshold_px > 0 or not 0 < band <= 1:
            raise ValueError(f"threshold {threshold_px!r} px and band {band!r}: expected a "
                             "positive threshold and a band in (0, 1]")
        self.group_keys = list(group_keys)
        self.leaf_keys = list(leaf_keys)
        self.group_boxes = np.asarray(group_boxes, dtype=float).reshape(-1, 6)
        self.group_errors = np.asarray(group_errors, dtype=float)
        # Level 3 is never finer than level 2: a coarser level with a smaller error would
        # be chosen nearer than the finer one.
        self.group_errors3 = (np.full(len(self.group_errors), math.inf)
                              if group_errors3 is None
                              else np.maximum(np.asarray(group_errors3, dtype=float),
                                              self.group_errors))
        self.leaf_boxes = np.asarray(leaf_boxes, dtype=float).reshape(-1, 6)
        self.leaf_errors = np.asarray(leaf_errors, dtype=float)
        self.leaf_group = np.asarray(leaf_group, dtype=np.int64)
        self.threshold = float(threshold_px)
        self.band = float(band)
        n_g, n_l = len(self.group_keys), len(self.leaf_keys)
        if (self.group_boxes.shape[0] != n_g or self.group_errors.shape != (n_g,)
                or self.group_errors3.shape != (n_g,)
                or self.leaf_boxes.shape[0] != n_l or self.leaf_errors.shape != (n_l,)
                or self.leaf_group.shape != (n_l,)
                or (n_l and not ((self.leaf_group >= 0) & (self.leaf_group < n_g)).all())):
            raise ValueError("groups and leaves of different lengths, or a leaf without "
                             "its group")
        # No history yet: the first frame decides by the threshold alone.
        self._far: np.ndarray | None = None
        self._city: np.ndarray | None = None
        self._coarse: np.ndarray | None = None

    @staticmethod
    def for_tiles(tiles: TileSet, threshold_px: float = THRESHOLD_PX,
                  band: float = BAND) -> Selector:
        """A selector for the tiles of ``tiles``. A leaf without a group gets one of its
        own that never goes far."""
        # By kind, not by key: a far group that is a single leaf shares the leaf's key.
        groups = list(tiles.far_tiles.values())
        leaves = sorted(tiles.leaf_tiles.values(), key=lambda t: t.key)
        groups.sort(key=lambda t: t.key)
        g_keys = [g.key for g in groups]
        g_boxes = [g.box for g in groups]
        g_err = [g.errors.get(2, math.inf) if 2 in tiles.levels(g.key) else math.inf
                 for g in groups]
        g_err3 = [g.errors.get(3, math.inf) if 3 in tiles.levels(g.key) else math.inf
                  for g in groups]
        index = {k: i for i, k in enumerate(g_keys)}
        l_group = []
        for leaf in leaves:
            if leaf.group not in index:
                # An orphan leaf (an index that names no group for it): a group of its own,
                # keyed so it names no real tile, that never goes far.
                own = f"({leaf.key})"
                index[own] = len(g_keys)
                g_keys.append(own)
                g_boxes.append(leaf.box)
                g_err.append(math.inf)
                g_err3.append(math.inf)
            l_group.append(index[leaf.group if leaf.group in index else f"({leaf.key})"])
        return Selector(g_keys, np.array(g_boxes, float).reshape(-1, 6), np.array(g_err),
                        [t.key for t in leaves],
                        np.array([t.box for t in leaves], float).reshape(-1, 6),
                        np.array([t.errors.get(1, 0.0) for t in leaves]),
                        np.array(l_group, np.int64), threshold_px, band, np.array(g_err3))

    def _settle(self, coarse_now: np.ndarray | None, sse: np.ndarray) -> np.ndarray:
        """Whether each tile takes its coarser choice, given last frame's choice and this
        frame's screen-space error of that coarser choice."""
        within = sse <= self.threshold
        if coarse_now is None:
            return np.asarray(within)
        return np.where(coarse_now, within, sse <= self.threshold * self.band)

    def select(self, view: View) -> Selection:
        """This frame's choice for ``view`` (and the state the next frame starts from)."""
        g_sse = sse_px(self.group_errors, box_distance(view.eye, self.group_boxes),
                       view.height_px, view.fov_y)
        l_sse = sse_px(self.leaf_errors, box_distance(view.eye, self.leaf_boxes),
                       view.height_px, view.fov_y)
        g_sse3 = sse_px(self.group_errors3, box_distance(view.eye, self.group_boxes),
                        view.height_px, view.fov_y)
        self._far = self._settle(self._far, g_sse)
        # Level 3 only where level 2 is taken (its error is never smaller, so where level 3
        # is fine, level 2 is too, but hysteresis may keep a group's leaves a while longer).
        self._city = self._settle(self._city, g_sse3) & self._far
        self._coarse = self._settle(self._coarse, l_sse)
        planes = view.planes()
        g_seen = boxes_in_view(planes, self.group_boxes)
        l_seen = boxes_in_view(planes, self.leaf_boxes)
        level = np.where(self._coarse, 1, 0).astype(np.int8)
        return Selection(g_seen, self._far.copy(), l_seen, level,
                         l_seen & ~self._far[self.leaf_group], g_seen & self._far,
                         np.where(self._city, 3, 2).astype(np.int8))

    def wanted(self, selection: Selection) -> dict[str, int]:
        """The tiles ``selection`` draws, {tile key: level} (for tests and pictures; the
        stream works on the arrays)."""
        out = {self.group_keys[i]: int(selection.group_level[i])
               for i in np.flatnonzero(selection.group_wanted)}
        for i in np.flatnonzero(selection.leaf_wanted):
            out[self.leaf_keys[i]] = int(selection.leaf_level[i])
        return out

