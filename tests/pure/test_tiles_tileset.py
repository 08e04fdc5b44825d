"""A baked city as the viewer reads it (tiles/tileset.py): cleared buildings cut out of the
tiles with the viewer's feature ids, far groups that held one never drawn far, and a tile
damaged on disk baked again in memory and written back.

The town is baked with lowered quadtree limits (60 buildings a leaf, 200 a far group) so it
has several far groups; the bake and the tile set must cut the same tree, so both are
patched.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
import pytest
import shapely
from tile_builders import report, town

from gwangju_twin.tiles import bake as bake_module
from gwangju_twin.tiles import quadtree, tileset
from gwangju_twin.tiles.cache import bake, open_cache
from gwangju_twin.tiles.tileset import TileSet

KEY = "t" * 64
#: Triangles of a box building: 4 walls of 2, a roof of 2, a floor of 2.
BOX_TRIANGLES = 12


@pytest.fixture(autouse=True)
def small_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    small = functools.partial(quadtree.cut, leaf_buildings=60, far_buildings=200)
    monkeypatch.setattr(bake_module, "cut", small)


def _triangle_ids(batches: list) -> np.ndarray:
    """The feature id of every triangle (its first vertex's)."""
    return np.concatenate([b.feature_ids[b.indices[:, 0]] for b in batches
                           if b.primitive == "triangles"] or [np.zeros(0, np.int32)])


def test_cleared_buildings_are_cut_out_with_new_ids(tmp_path: Path) -> None:
    baked = town(4, 6)
    cache = bake(baked, report(), tmp_path, KEY)
    plain = TileSet(open_cache(tmp_path, KEY), baked)
    # Clear five buildings of the first block (rows 0-4, in the town's south-west corner)
    # and one of the last block (row 575), as pavilion sites do.
    cleared = np.array([0, 1, 2, 3, 4, 575])
    keep = np.ones(len(baked), bool)
    keep[cleared] = False
    remap = np.where(keep, np.cumsum(keep) - 1, -1)
    viewer = baked.take(np.flatnonzero(keep))
    tiles = TileSet(open_cache(tmp_path, KEY), baked, remap)

    # Which tiles hold the cleared rows, found from geometry (the quadrant of each box), not
    # from the tile set: the leaves whose level-0 batches draw their footprints.
    holders = {t.key for t in cache.index.leaves()
               if np.isin(cleared, _triangle_ids(plain.batches(t.key, 0))).any()}
    assert holders
    groups_holding = {t.group for t in cache.index.leaves() if t.key in holders}
    # The first and the last block lie in opposite corners: two groups capped, not all.
    assert len(groups_holding) == 2 < len(cache.index.groups())

    for tile in cache.index.tiles:
        key = tile.key
        if tile.kind == "far":
            assert (2 in tiles.levels(key)) == (key not in groups_holding), key
            assert 2 in plain.levels(key)
            continue
        assert tiles.levels(key)[:2] == (0, 1)
        for level in (0, 1):
            before = plain.batches(key, level)
            after = tiles.batches(key, level)
            ids_before = _triangle_ids(before)
            ids_after = _triangle_ids(after)
            # Every cleared building's triangles are gone, and only those.
            gone = int(np.isin(ids_before, cleared).sum())
            assert gone == (BOX_TRIANGLES * int(np.isin(cleared, ids_before).sum()))
            assert len(ids_after) == len(ids_before) - gone, (key, level)
            assert (ids_after >= 0).all()
            # Feature ids are rows of the viewer's district: each triangle lies on the
            # footprint of the row it names (a road's 12 m ribbon around its line). No batch
            # empties (a leaf holds far more than the five cleared), so they pair up.
            assert len(after) == len(before)
            for a, b in zip(before, after, strict=True):
                tri = b.indices[:, 0]
                fid = b.feature_ids[tri]
                assert (fid >= 0).all() and (fid < len(viewer)).all()
                xy = b.positions[tri, :2].astype(np.float64)
                near = shapely.distance(viewer.geometry[fid], shapely.points(xy))
                assert (near <= 15.0).all(), (key, level)
                # The same triangles as baked, the old row turned into the new one.
                assert np.array_equal(remap[a.feature_ids[tri]], fid)
                assert np.array_equal(a.positions, b.positions)
    assert cache.index.key == KEY


def test_no_remap_draws_every_baked_triangle(tmp_path: Path) -> None:
    baked = town(3, 6)
    cache = bake(baked, report(), tmp_path, KEY)
    tiles = TileSet(open_cache(tmp_path, KEY), baked)
    for t in cache.index.tiles:
        for level in ((0, 1) if t.kind == "leaf" else (2, 3)):
            assert level in tiles.levels(t.key)
            parts = tileset.PARTS[level]
            if level == 1 and "1" not in t.triangles:
                parts = tileset.PARTS[0]  # nothing to simplify: level 1 draws level 0
            expected = sum(t.triangles.get(p, 0) for p in parts)
            got = sum(b.primitive_count for b in tiles.batches(t.key, level)
                      if b.primitive == "triangles")
            assert got == expected, (t.key, level)
    assert tiles.capped == set()
    assert tiles.bounds == cache.index.bounds


@pytest.mark.parametrize("kind", ["leaf", "far"])
@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_damaged_tile_is_baked_again_and_repaired(tmp_path: Path, kind: str,
                                                  damage: str) -> None:
    baked = town(3, 6)
    bake(baked, report(), tmp_path, KEY)
    cache = open_cache(tmp_path, KEY)
    tile = next(t for t in cache.index.tiles if t.kind == kind)
    levels = (0, 1) if kind == "leaf" else (2, 3)
    good = TileSet(cache, baked)
    before = {lv: good.batches(tile.key, lv) for lv in levels}

    path = tmp_path / tile.entry.file
    data = path.read_bytes()
    if damage == "flip":
        damaged = bytearray(data)
        damaged[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(damaged))
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(b"\0" * len(data))
    assert hashlib.sha256(path.read_bytes()).hexdigest() != tile.entry.sha256

    tiles = TileSet(cache, baked)  # opened before the damage, as a running viewer has it
    for lv in levels:
        after = tiles.batches(tile.key, lv)
        assert len(after) == len(before[lv])
        for a, b in zip(before[lv], after, strict=True):
            assert a.material == b.material and a.draw_order == b.draw_order
            for f in ("positions", "normals", "colors", "indices", "feature_ids"):
                assert np.array_equal(getattr(a, f), getattr(b, f)), f
    # Baked again once (later reads find the repaired file), and the file is what the
    # index says again.
    assert tiles.repaired == [tile.key]
    repaired = path.read_bytes()
    assert len(repaired) == tile.entry.bytes
    assert hashlib.sha256(repaired).hexdigest() == tile.entry.sha256
    assert not list(path.parent.glob(".part-*"))
    open_cache(tmp_path, KEY).read(tile.entry)


def test_a_group_of_one_leaf_is_drawn_at_every_level(tmp_path: Path) -> None:
    # 25 buildings, under both limits: the root is a leaf "r" and the far group "r", two
    # tiles of one key. Level 2 must read the group's hulls, levels 0 and 1 the leaf.
    baked = town(1, 5)
    cache = bake(baked, report(), tmp_path, KEY)
    assert sorted((t.kind, t.key) for t in cache.index.tiles) == [("far", "r"), ("leaf", "r")]
    tiles = TileSet(open_cache(tmp_path, KEY), baked)
    assert tiles.levels("r") == (0, 1, 2, 3)
    assert tiles.tile("r", 2).kind == "far" and tiles.tile("r", 0).kind == "leaf"
    assert tiles.tile("r", 3).kind == "far"
    full = sum(b.primitive_count for b in tiles.batches("r", 0) if b.material == "solid")
    assert full == 25 * BOX_TRIANGLES
    far = [b for b in tiles.batches("r", 2) if b.material == "solid"]
    # One block of 5 x 5 boxes 4 m apart, heights spread over the three classes: at most
    # three hulls (one per class), each a prism without a floor (< 25 boxes' triangles).
    assert 0 < sum(b.primitive_count for b in far) < full
    city = [b for b in tiles.batches("r", 3) if b.material == "solid"]
    assert 0 < sum(b.primitive_count for b in city) < full
    # Clearing one building caps the group: only the leaf's levels are left.
    remap = np.arange(len(baked))
    remap[3] = -1
    remap[4:] -= 1
    assert TileSet(open_cache(tmp_path, KEY), baked, remap).levels("r") == (0, 1)
