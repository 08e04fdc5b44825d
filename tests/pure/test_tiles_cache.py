"""The tile cache folder (tiles/cache.py): a bake is deterministic and self-checking, a folder
that is not a complete, current bake is refused with the reason, and nothing outside the
folder is ever read.

The town is baked with lowered quadtree limits (60 buildings a leaf, 200 a far group), so
its 576 buildings (16 blocks of 36) make several leaves under several far groups in a
fraction of a second.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely
from tile_builders import district, report, town

from gwangju_twin.geo.model import Issue
from gwangju_twin.tiles import bake as bake_module
from gwangju_twin.tiles import levels, quadtree
from gwangju_twin.tiles.cache import (
    INDEX,
    Cache,
    StaleCacheError,
    bake,
    cache_key,
    open_cache,
    source_digest,
)
from gwangju_twin.tiles.files import CorruptFileError, arrays_batches

KEY = "k" * 64


@pytest.fixture(autouse=True)
def small_tiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bake (and the tile set, through the bake's cut) with lowered limits."""
    small = functools.partial(quadtree.cut, leaf_buildings=60, far_buildings=200)
    monkeypatch.setattr(bake_module, "cut", small)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _index(folder: Path) -> dict:
    return json.loads((folder / INDEX).read_text(encoding="utf-8"))


def _tile_file(folder: Path, kind: str = "leaf") -> Path:
    entry = next(t for t in _index(folder)["tiles"] if t["kind"] == kind)
    return folder / entry["file"]


def test_bake_twice_gives_byte_identical_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    bake(town(4, 6), report(), a, KEY)
    bake(town(4, 6), report(), b, KEY)
    tree = _tree(a)
    assert tree == _tree(b)
    # The index names every other file of the folder, with its size and checksum.
    index = _index(a)
    entries = [index["district"], index["report"], *index["tiles"]]
    assert sorted(e["file"] for e in entries) == sorted(set(tree) - {INDEX})
    for e in entries:
        data = tree[e["file"]]
        assert len(data) == e["bytes"]
        assert hashlib.sha256(data).hexdigest() == e["sha256"]
    # 4 x 4 blocks of 36 buildings: more than one far group (200 at most each), several
    # leaves (60 at most each), and every leaf's group is a far tile of the index.
    kinds = [t["kind"] for t in index["tiles"]]
    assert kinds.count("far") > 1 and kinds.count("leaf") >= 576 // 60
    far = {t["key"] for t in index["tiles"] if t["kind"] == "far"}
    assert all(t["group"] in far for t in index["tiles"] if t["kind"] == "leaf")


def test_opened_cache_gives_back_district_report_and_tiles(tmp_path: Path) -> None:
    d, rep = town(4, 6), report()
    d.name[0] = "무등산 아파트"
    d.properties[1] = {"층수": 12, "nested": {"a": [1, None]}}
    bake(d, rep, tmp_path, KEY)
    cache = open_cache(tmp_path, KEY)
    back, rep_back = cache.district()
    assert rep_back == rep
    assert back.name == d.name and back.properties == d.properties
    assert all(shapely.equals_exact(x, y, 0) for x, y in zip(back.geometry, d.geometry,
                                                             strict=True))
    # Triangles counted in the index are those of the batches read back; every feature
    # id is a row of the district.
    for t in cache.index.tiles:
        arrays = cache.tile_arrays(t)
        for part, count in t.triangles.items():
            got = arrays_batches(arrays, part)
            assert sum(b.primitive_count for b in got if b.primitive == "triangles") == count
            for b in got:
                assert ((b.feature_ids >= 0) & (b.feature_ids < len(d))).all()
    # Each building is drawn by exactly one leaf at level 0: 12 triangles a box (4 walls
    # of 2, a roof of 2, a floor of 2), 576 boxes.
    assert sum(t.triangles["0"] for t in cache.index.leaves()) == 576 * 12


def test_far_boxes_hold_their_leaves(tmp_path: Path) -> None:
    cache = bake(town(4, 6), report(), tmp_path, KEY)
    index = open_cache(tmp_path, KEY).index
    groups = {t.key: t for t in index.groups()}
    for leaf in index.leaves():
        g = groups[leaf.group]
        assert all(g.box[i] <= leaf.box[i] + 1e-3 for i in range(3))
        assert all(g.box[i] >= leaf.box[i] - 1e-3 for i in range(3, 6))
        x0, y0, x1, y1 = index.bounds
        assert x0 <= leaf.box[0] + 1e-3 and leaf.box[3] <= x1 + 1e-3
        assert y0 <= leaf.box[1] + 1e-3 and leaf.box[4] <= y1 + 1e-3
    # The tallest building of the town is the top of the bake.
    assert index.max_height == pytest.approx(np.nanmax(town(4, 6).height), abs=1e-3)
    assert {t.key for t in cache.index.tiles} == {t.key for t in index.tiles}


# -- folders that are not a usable bake --------------------------------------------------

def test_missing_folder_is_not_baked_yet(tmp_path: Path) -> None:
    with pytest.raises(StaleCacheError, match=r"^not baked yet$"):
        open_cache(tmp_path / "nothing", KEY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(StaleCacheError, match=r"^not baked yet$"):
        open_cache(tmp_path / "empty", KEY)


def test_other_key_is_stale(tmp_path: Path) -> None:
    bake(town(2, 3), report(), tmp_path, KEY)
    with pytest.raises(StaleCacheError, match=r"^stale: the source or the settings changed"):
        open_cache(tmp_path, "0" * 64)
    # Made by another version of the program: said so.
    index = _index(tmp_path)
    index["program"] = "0.0.1"
    (tmp_path / INDEX).write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(StaleCacheError, match=r"^stale: made by version 0\.0\.1"):
        open_cache(tmp_path, "0" * 64)


@pytest.mark.parametrize("text", [
    "{ not json", "", "[1, 2]", '{"format": "someone-else/1", "tiles": []}',
    '{"format": "gwangju-twin/tiles/1"}',
])
def test_unreadable_or_foreign_index_is_damaged(tmp_path: Path, text: str) -> None:
    bake(town(2, 3), report(), tmp_path, KEY)
    (tmp_path / INDEX).write_text(text, encoding="utf-8")
    with pytest.raises(StaleCacheError, match=r"^damaged: "):
        open_cache(tmp_path, KEY)


@pytest.mark.parametrize("field,value,why", [
    ("kind", "middle", "bad kind"), ("box", [0, 0, 1], "bad kind or box"),
    ("group", ["r"], "bad group"), ("errors", [1], "index.json"), ("bytes", "many", "index.json"),
])
def test_index_with_a_bad_tile_entry_is_damaged(tmp_path: Path, field: str, value: object,
                                                why: str) -> None:
    bake(town(2, 3), report(), tmp_path, KEY)
    index = _index(tmp_path)
    leaf = next(t for t in index["tiles"] if t["kind"] == "leaf")
    leaf[field] = value
    (tmp_path / INDEX).write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(StaleCacheError, match=f"^damaged: .*{why}"):
        open_cache(tmp_path, KEY)


def test_truncated_or_missing_tile(tmp_path: Path) -> None:
    bake(town(2, 3), report(), tmp_path, KEY)
    tile = _tile_file(tmp_path)
    data = tile.read_bytes()
    tile.write_bytes(data[: len(data) // 2])
    name = tile.relative_to(tmp_path).as_posix()
    with pytest.raises(StaleCacheError,
                       match="^" + re.escape(f"truncated: {name} has {len(data) // 2} bytes, "
                                       f"the index says {len(data)}")):
        open_cache(tmp_path, KEY)
    tile.unlink()
    with pytest.raises(StaleCacheError, match="^" + re.escape(f"truncated: {name} is missing")):
        open_cache(tmp_path, KEY)


def test_flipped_bytes_found_on_read(tmp_path: Path) -> None:
    bake(town(2, 3), report(), tmp_path, KEY)
    tile = _tile_file(tmp_path)
    data = bytearray(tile.read_bytes())
    data[len(data) // 2] ^= 0x40  # same size: only the checksum can tell
    tile.write_bytes(bytes(data))
    cache = open_cache(tmp_path, KEY)
    entry = next(t for t in cache.index.tiles if t.entry.file ==
                 tile.relative_to(tmp_path).as_posix())
    with pytest.raises(CorruptFileError, match="damaged"):
        cache.read(entry.entry)
    with pytest.raises(CorruptFileError, match="damaged"):
        cache.tile_arrays(entry)
    # The other tiles still read.
    other = next(t for t in cache.index.tiles if t is not entry)
    assert cache.tile_arrays(other)


@pytest.mark.parametrize("how", ["dotdot", "deeper", "absolute", "backslash"])
def test_index_naming_a_file_outside_is_refused(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "cache"
    bake(town(2, 3), report(), folder, KEY)
    index = _index(folder)
    victim = index["tiles"][0]
    # A file outside the folder with exactly the bytes the index expects: were it read,
    # every check of size and checksum would pass.
    outside = tmp_path / "x"
    outside.write_bytes((folder / victim["file"]).read_bytes())
    if how == "dotdot":
        victim["file"] = "../x"
    elif how == "deeper":
        victim["file"] = "tiles/../../x"
    elif how == "absolute":
        victim["file"] = str(outside)
    else:
        victim["file"] = "..\\x"  # Windows spells it so
    (folder / INDEX).write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(StaleCacheError, match=r"^damaged: .*outside the cache folder"):
        open_cache(folder, KEY)
    # A Cache made some other way still never reads it.
    cache = Cache(folder, bake(town(2, 3), report(), tmp_path / "good", KEY).index)
    entry = type(cache.index.tiles[0].entry)(victim["file"], victim["bytes"],
                                             victim["sha256"])
    with pytest.raises(CorruptFileError, match="outside the cache folder"):
        cache.read(entry)


def test_rebake_removes_what_the_new_index_does_not_name(tmp_path: Path) -> None:
    bake(town(4, 6), report(), tmp_path, KEY)
    old = set(_tree(tmp_path))
    # Leftovers of an interrupted write, and a file of the user's own.
    (tmp_path / ".part-abc").write_bytes(b"half")
    (tmp_path / "tiles" / ".part-def").write_bytes(b"half")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    # Another town: other heights (seed), so other bytes in every tile.
    bake(town(3, 6, seed=1), report(), tmp_path, "z" * 64)
    new = set(_tree(tmp_path))
    index = _index(tmp_path)
    named = {index["district"]["file"], index["report"]["file"],
             *(t["file"] for t in index["tiles"])}
    assert new == named | {INDEX, "notes.txt"}
    assert old - new  # the old bake's files are gone, not only unnamed
    assert open_cache(tmp_path, "z" * 64).index.key == "z" * 64


def test_bake_with_lone_surrogates(tmp_path: Path) -> None:
    # A name from a GeoJSON "\ud800" escape, a feature id in the report, a source file
    # whose name is not UTF-8 (Python hands it over with surrogate escapes).
    d = district([shapely.box(0, 0, 10, 10)], ["buildings"], [10.0], names=["a\ud800"])
    rep = report("caf\udce9.geojson")
    rep.skipped.append(Issue(9, "\ud800", "no geometry"))
    bake(d, rep, tmp_path, KEY)
    back, rep_back = open_cache(tmp_path, KEY).district()
    assert back.name == ["a\ud800"]
    assert rep_back == rep


# -- keys ------------------------------------------------------------------------------

def test_source_digest_follows_every_file_of_a_shapefile(shared_data: Path,
                                                         tmp_path: Path) -> None:
    stem = "AL_D010_jamsil_sample"
    if not (shared_data / f"{stem}.shp").is_file():
        pytest.skip(f"{stem}.shp is not in the shared data")
    for src in shared_data.glob(f"{stem}.*"):
        shutil.copyfile(src, tmp_path / src.name)  # copyfile: not the read-only mode
    shp = tmp_path / f"{stem}.shp"
    first = source_digest(shp)
    assert source_digest(shp) == first
    # The same bytes under another name in another folder: the same source.
    other = tmp_path / "other"
    other.mkdir()
    for src in tmp_path.glob(f"{stem}.*"):
        shutil.copyfile(src, other / f"renamed{src.suffix}")
    assert source_digest(other / "renamed.shp") == first
    # One byte of the .dbf (an attribute, size unchanged) changes the digest.
    dbf = tmp_path / f"{stem}.dbf"
    data = bytearray(dbf.read_bytes())
    data[-100] ^= 0x01
    dbf.write_bytes(bytes(data))
    changed = source_digest(shp)
    assert changed != first
    # The .prj too; and a sidecar spelt in capitals is still found.
    prj = tmp_path / f"{stem}.prj"
    prj.write_bytes(prj.read_bytes() + b" ")
    assert source_digest(shp) not in (first, changed)
    cpg = tmp_path / f"{stem}.cpg"
    before = source_digest(shp)
    cpg.rename(tmp_path / f"{stem}.CPG")
    assert source_digest(shp) == before
    (tmp_path / f"{stem}.CPG").unlink()
    assert source_digest(shp) != before


def test_source_digest_of_a_single_file(tmp_path: Path) -> None:
    a = tmp_path / "a.geojson"
    a.write_bytes(b'{"type": "FeatureCollection", "features": []}')
    (tmp_path / "a.dbf").write_bytes(b"not read: only a .shp has sidecars")
    # Independent: SHA-256 of the suffix, the size and the bytes, as the docstring says.
    data = a.read_bytes()
    expected = hashlib.sha256(f".geojson:{len(data)}:".encode() + data).hexdigest()
    assert source_digest(a) == expected


def test_cache_key_follows_load_settings_and_the_source() -> None:
    base = {"crs": None, "level_height": 3.0, "encoding": None, "points": "poi"}
    key = cache_key("d" * 64, base)
    assert cache_key("d" * 64, dict(reversed(list(base.items())))) == key  # order free
    assert cache_key("e" * 64, base) != key
    for change in ({"crs": "EPSG:5186"}, {"level_height": 3.5}, {"encoding": "cp949"},
                   {"points": "all"}, {"schema": "vworld"}):
        assert cache_key("d" * 64, {**base, **change}) != key, change


@pytest.mark.parametrize("module,name,value", [
    (levels, "SIMPLIFY_M", 2.0), (levels, "ANNEX_M2", 10.0), (levels, "BLOCK_GAP_M", 30.0),
    (levels, "HULL_SIMPLIFY_M", 5.0), (levels, "HEIGHT_CLASSES", (0.0, 50.0)),
    (levels, "FAR_AREA_M2", 500.0), (levels, "MINOR_ROAD_M", 8.0),
    (levels, "FAR_ROADS", frozenset({"motorway"})),
    (quadtree, "LEAF_BUILDINGS", 100), (quadtree, "LEAF_FEATURES", 100),
    (quadtree, "FAR_BUILDINGS", 100), (quadtree, "MAX_DEPTH", 10),
])
def test_cache_key_follows_every_bake_parameter(monkeypatch: pytest.MonkeyPatch,
                                                module: object, name: str,
                                                value: object) -> None:
    # Each of these changes the baked tiles (quadtree.py, levels.py): a cache baked with
    # another value is stale.
    before = cache_key("d" * 64, {})
    monkeypatch.setattr(module, name, value)
    assert cache_key("d" * 64, {}) != before


def test_a_runner_that_loses_a_tile_is_refused(tmp_path: Path) -> None:
    # 25 buildings: one leaf "r" and one far group "r" (the same key, two tiles). A runner
    # (a cluster) that returns the leaf twice and the group never has lost a tile, though
    # the count and the keys look complete.
    def twice_the_leaf(tasks: list) -> list:
        leaf = next(t for t in tasks if t.kind == "leaf")
        return [bake_module.bake_tile(leaf)] * len(tasks)

    with pytest.raises(RuntimeError, match="the bake returned 1 of 2 tiles"):
        bake(town(1, 5), report(), tmp_path, KEY, runner=twice_the_leaf)
    with pytest.raises(StaleCacheError, match=r"^not baked yet$"):
        open_cache(tmp_path, KEY)  # nothing committed
