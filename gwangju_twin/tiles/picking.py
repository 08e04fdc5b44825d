"""Picking on a baked city: always on the full-detail triangles (level 0), whatever level is
drawn, without indexing the whole city up front.

A ray is tested against the leaves' boxes first (all at once); the leaves it passes through
are searched nearest first, each with its own ``PickIndex`` built from its level-0 solids
the first time a ray reaches it (kept for the next ``KEEP`` leaves), and the search stops at
the first leaf that begins beyond the nearest hit so far.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import shapely

from gwangju_twin.geo.model import District
from gwangju_twin.picking.index import TIE, Hit, PickIndex
from gwangju_twin.tiles.tileset import TileSet

#: Leaves whose pick index is kept: enough for the streets around a visitor.
KEEP = 64


class TiledPicker:
    """Picks like ``PickIndex.pick`` over the leaves of ``tiles`` and ``extra`` (pavilions
    and anything drawn outside the tiles); ``triangles_of`` gives a feature's triangles for
    the highlight, as ``PickIndex.triangles_of`` does."""

    def __init__(self, tiles: TileSet, extra: PickIndex, district: District) -> None:
        self.tiles = tiles
        self.extra = extra
        self._district = district
        leaves = tiles.index.leaves()
        self._keys = [t.key for t in leaves]
        self._lo = np.array([t.box[:3] for t in leaves], np.float64).reshape(-1, 3) - 1e-3
        self._hi = np.array([t.box[3:] for t in leaves], np.float64).reshape(-1, 3) + 1e-3
        self._indexes: OrderedDict[str, PickIndex] = OrderedDict()
        self._leaf_of: dict[int, str] = {}

    def index_of(self, key: str) -> PickIndex:
        """Leaf ``key``'s pick index (built on first use from its level-0 solids)."""
        index = self._indexes.get(key)
        if index is None:
            batches = [b for b in self.tiles.batches(key, 0) if b.material == "solid"]
            index = PickIndex.build(batches, ("solid",))
            self._indexes[key] = index
            for f in index.features.tolist():
                self._leaf_of[int(f)] = key
            while len(self._indexes) > KEEP:
                _, old = self._indexes.popitem(last=False)
                for f in old.features.tolist():
                    self._leaf_of.pop(int(f), None)
        else:
            self._indexes.move_to_end(key)
        return index

    def leaves_on(self, origin: Sequence[float], direction: Sequence[float],
                  max_distance: float = math.inf) -> list[tuple[float, str]]:
        """The leaves a ray passes through within ``max_distance``: (entry distance, key),
        nearest first."""
        o = np.asarray(origin, np.float64)
        d = np.asarray(direction, np.float64)
        d = d / np.linalg.norm(d)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = 1.0 / d
            t1 = (self._lo - o) * inv
            t2 = (self._hi - o) * inv
        # A ray parallel to a slab: inside it for all t (nan from 0 * inf) or never.
        inside = (self._lo <= o) & (o <= self._hi)
        near = np.where(np.isnan(t1) | np.isnan(t2), np.where(inside, -np.inf, np.inf),
                        np.minimum(t1, t2))
        far = np.where(np.isnan(t1) | np.isnan(t2), np.where(inside, np.inf, -np.inf),
                       np.maximum(t1, t2))
        enter = np.maximum(near.max(axis=1), 0.0)
        leave = np.minimum(far.min(axis=1), max_distance)
        hit = np.flatnonzero(enter <= leave)
        order = hit[np.argsort(enter[hit], kind="stable")]
        return [(float(enter[i]), self._keys[i]) for i in order]

    def pick(self, origin: Sequence[float], direction: Sequence[float],
             max_distance: float = math.inf) -> Hit | None:
        """The nearest full-detail triangle a ray meets (see ``PickIndex.pick``)."""
        best = self.extra.pick(origin, direction, max_distance)
        for enter, key in self.leaves_on(origin, direction, max_distance):
            if best is not None and enter > best.distance + TIE:
                break
            hit = self.index_of(key).pick(origin, direction, max_distance)
            if hit is None:
                continue
            if best is None or hit.distance < best.distance - TIE or (
                    abs(hit.distance - best.distance) <= TIE and hit.feature < best.feature):
                best = hit
        return best

    def triangles_of(self, feature: int) -> np.ndarray:
        """``feature``'s full-detail triangles, float32 (k, 3, 3); (0, 3, 3) if unknown."""
        found = self.extra.triangles_of(feature)
        if len(found) or feature < 0:
            return found
        key = self._leaf_of.get(int(feature))
        if key is not None:
            return self.index_of(key).triangles_of(feature)
        if feature >= len(self._district):
            return found
        # A feature not picked lately (a search result): the leaves around its anchor, the
        # point that chose its leaf when the city was baked.
        x, y = shapely.get_coordinates(
            shapely.point_on_surface(self._district.geometry[feature]))[0]
        around = np.flatnonzero((self._lo[:, 0] <= x) & (x <= self._hi[:, 0])
                                & (self._lo[:, 1] <= y) & (y <= self._hi[:, 1]))
        for i in around:
            tris = self.index_of(self._keys[i]).triangles_of(feature)
            if len(tris):
                return tris
        return found
