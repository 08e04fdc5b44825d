"""A baked city as the viewer draws it: which tiles there are, and each tile's batches at a
level, with the feature ids of the district the viewer holds.

The viewer's district can differ from the baked one: pavilions clear the buildings under
their sites, and their rows go (``scene.pavilions.subset``). ``remap`` says where each baked
row went (-1: cleared); cleared buildings are cut out of every tile as it is read, and a far
group that held one is never drawn at its far level (its hulls would stand on the site).
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from gwangju_twin.geo.model import District
from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.tiles.bake import TileKind, TileTask, bake_tile, city_tree, tile_rows
from gwangju_twin.tiles.cache import Cache, TileEntry
from gwangju_twin.tiles.files import CorruptFileError, arrays_batches, read_npz

log = logging.getLogger("gwangju_twin.tiles")

#: The parts of a tile's file drawn at each level.
PARTS: dict[int, tuple[str, ...]] = {0: ("0", "g"), 1: ("1", "g"), 2: ("2", "g2"),
                                     3: ("3", "g2")}
#: The levels a far group is drawn at.
FAR_LEVELS = (2, 3)


class TileSet:
    """The tiles of ``cache``, read for a district whose rows are ``remap[baked row]``
    (None: the baked rows unchanged). ``baked`` is the district as baked: a tile whose file
    turns out damaged is baked again from it, in memory, instead of drawing nothing."""

    def __init__(self, cache: Cache, baked: District, remap: np.ndarray | None = None) -> None:
        self.cache = cache
        self.index = cache.index
        self._baked = baked
        self._remap = remap
        # A leaf and a far group share a key when a group is a single leaf (a city of fewer
        # than LEAF_BUILDINGS buildings is leaf "r" and group "r"): a tile is its kind and
        # key, and the level asked for says which kind.
        self.leaf_tiles: dict[str, TileEntry] = {t.key: t for t in cache.index.leaves()}
        self.far_tiles: dict[str, TileEntry] = {t.key: t for t in cache.index.groups()}
        #: Every tile by key, the leaf where a leaf and a far group share one (``tile``
        #: tells them apart by level).
        self.tiles: dict[str, TileEntry] = {**self.far_tiles, **self.leaf_tiles}
        self.capped: set[str] = set()
        self._lock = threading.Lock()
        self._rows: dict[tuple[TileKind, str], np.ndarray] | None = None
        #: Keys of the tiles baked again because their files were damaged.
        self.repaired: list[str] = []
        if remap is not None and (remap < 0).any():
            cleared = np.flatnonzero(remap < 0)
            for g in cache.index.groups():
                if np.isin(cleared, self._rows_of("far", g.key)).any():
                    self.capped.add(g.key)

    @property
    def remapped(self) -> bool:
        """Whether the viewer's district numbers its rows otherwise than the bake did
        (pavilions cleared buildings): ``batches`` then remaps the feature ids and cuts the
        cleared buildings out of what it reads."""
        return self._remap is not None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The xy extent of everything baked (local metres)."""
        return self.index.bounds

    @property
    def max_height(self) -> float:
        """The tallest top baked (metres)."""
        return self.index.max_height

    def _rows_of(self, kind: TileKind, key: str) -> np.ndarray:
        """A tile's rows of the baked district, from the same cut the bake made (made once,
        only when pavilions cleared buildings or a tile must be baked again)."""
        with self._lock:
            if self._rows is None:
                self._rows = tile_rows(city_tree(self._baked))
        return self._rows.get((kind, key), np.zeros(0, np.int64))

    def levels(self, key: str) -> tuple[int, ...]:
        """The levels tile ``key`` can be drawn at: 0 and 1 if it is a leaf, 2 (and 3 when
        it was baked) if it is a far group not capped (all, for a group that is a single
        leaf)."""
        if key not in self.tiles:
            raise KeyError(key)
        out: tuple[int, ...] = (0, 1) if key in self.leaf_tiles else ()
        if key in self.far_tiles and key not in self.capped:
            out += (2,)
            if 3 in self.far_tiles[key].errors:
                out += (3,)
        return out

    def tile(self, key: str, level: int) -> TileEntry:
        """The tile drawn for ``key`` at ``level``: the far group's at levels 2 and 3, else
        the leaf's."""
        return (self.far_tiles if level in FAR_LEVELS else self.leaf_tiles)[key]

    def batches(self, key: str, level: int) -> list[MeshBatch]:
        """Tile ``key``'s batches at ``level`` (solids, then ground layers), with feature ids
        of the viewer's district and cleared buildings cut out. Safe to call from a
        background thread."""
        tile = self.tile(key, level)
        arrays = self._arrays(tile)
        out: list[MeshBatch] = []
        parts = PARTS[level]
        if level == 1 and "1/0/info" not in arrays:
            parts = PARTS[0]  # a leaf with nothing to simplify holds level 0 only
        for part in parts:
            try:
                batches = arrays_batches(arrays, part)
            except CorruptFileError as exc:
                arrays = self._rebaked(tile, str(exc))
                batches = arrays_batches(arrays, part)
            out.extend(self._remapped(b) for b in batches)
        return [b for b in out if b.primitive_count]

    def _arrays(self, tile: TileEntry) -> dict[str, np.ndarray]:
        try:
            return read_npz(self.cache.read(tile.entry))
        except CorruptFileError as exc:
            return self._rebaked(tile, str(exc))

    def _rebaked(self, tile: TileEntry, why: str) -> dict[str, np.ndarray]:
        """Bake one damaged tile again from the district in memory (and write it back)."""
        log.warning("tile cache %s: %s; baking tile %s again", self.cache.folder, why, tile.key)
        rows = self._rows_of(tile.kind, tile.key)
        result = bake_tile(TileTask(tile.key, tile.kind, self._baked.take(rows), rows))
        self.repaired.append(tile.key)
        path = self.cache.folder / tile.entry.file
        try:
            with self._lock:
                tmp = path.with_name(f".part-{path.name}")
                tmp.write_bytes(result.data)
                tmp.replace(path)
        except OSError as exc:
            log.warning("tile cache %s: could not write tile %s back (%s)",
                        self.cache.folder, tile.key, exc.strerror or exc)
        return read_npz(result.data)

    def _remapped(self, batch: MeshBatch) -> MeshBatch:
        if self._remap is None:
            return batch
        ids = self._remap[batch.feature_ids]
        if (ids < 0).any():
            keep = ids[batch.indices[:, 0]] >= 0
            batch.indices = np.ascontiguousarray(batch.indices[keep])
        batch.feature_ids = np.where(ids < 0, -1, ids).astype(np.int32)
        return batch

    def nbytes(self, batches: list[MeshBatch]) -> int:
        """Memory the arrays of ``batches`` hold."""
        return sum(b.positions.nbytes + b.normals.nbytes + b.colors.nbytes + b.indices.nbytes
                   + b.feature_ids.nbytes + b.emissive.nbytes for b in batches)
