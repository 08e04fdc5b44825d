"""The export's fast paths give what the plain ways give: the tiles viewed in place against
numpy's reader, string columns encoded at once against one ``str.encode`` per value, the
buildings' uses decoded at once against ``building_use`` row by row, a mesh too wide for
the 1 cm grid cut into cells that put every vertex back within half a centimetre, and the
tiles of a file written all at once as they are written one by one."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from tile_builders import report, town

from gwangju_twin.export import glb as glb_module
from gwangju_twin.export.check import read_glb
from gwangju_twin.export.features import feature_table
from gwangju_twin.export.glb import GlbWriter, numbered, offset_type, utf8_column
from gwangju_twin.export.read import tile_batches
from gwangju_twin.geo.uses import building_use
from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.tiles.cache import bake, open_cache
from gwangju_twin.tiles.files import (
    CorruptFileError,
    JsonRows,
    arrays_district,
    district_arrays,
    npz_bytes,
    npz_views,
    read_npz,
)
from gwangju_twin.tiles.tileset import TileSet


def test_tile_arrays_viewed_in_place_equal_numpys() -> None:
    arrays = {"0/0/info": np.array(["solid", "3"]),
              "0/0/positions": np.arange(36, dtype=np.float32).reshape(12, 3),
              "0/0/colors": np.full((12, 4), 200, np.uint8),
              "0/0/indices": np.arange(12, dtype=np.uint32).reshape(4, 3),
              "0/0/feature_ids": np.array([7] * 12, np.int32),
              "0/0/empty": np.zeros((0, 3), np.float32),
              "flags": np.array([True, False])}
    data = npz_bytes(arrays)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:  # numpy's own reader
        slow = {name: npz[name] for name in npz.files}
    for fast in (npz_views(data), read_npz(data)):
        assert fast is not None and fast.keys() == slow.keys() == arrays.keys()
        for name, a in slow.items():
            assert fast[name].dtype == a.dtype and fast[name].shape == a.shape
            assert np.array_equal(fast[name], a)
    # The viewer's reader hands out arrays it may change, as numpy's does.
    read_npz(data)["0/0/positions"][0, 0] = 1.0


def test_an_archive_not_as_the_bake_writes_it_goes_the_checked_way() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("0/0/positions.npy", b"\x93NUMPY" + b"\0" * 100)
    assert npz_views(out.getvalue()) is None
    assert npz_views(b"not a zip") is None
    big_endian = npz_bytes({"x": np.arange(3, dtype=">f4")})
    assert npz_views(big_endian) is None
    # ... which the viewer's reader still reads, numpy's way.
    assert read_npz(big_endian)["x"].tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("values", [
    [], [""], ["", "", ""], ["abc", "", "d"],
    ["광주광역시청", "", "Gwangju City Hall", "é", "🏢 tower", "x"],
    ["a", "\ud800", "광주"],  # a lone surrogate: no UTF-8, written with "replace"
])
def test_string_columns_encode_as_each_value_would(values: list[str]) -> None:
    data, offsets = utf8_column(values)
    blobs = [v.encode("utf-8", "replace") for v in values]
    assert data == b"".join(blobs)
    assert offsets.tolist() == np.concatenate([[0], np.cumsum([len(b) for b in blobs])
                                               ]).astype(int).tolist()


def test_string_offsets_take_the_smallest_type_that_holds_them() -> None:
    assert [offset_type(n) for n in (0, 255, 256, 65535, 65536, 1 << 32)] == [
        "UINT8", "UINT8", "UINT16", "UINT16", "UINT32", "UINT64"]


def test_uses_decoded_at_once_equal_building_use_row_by_row() -> None:
    d = town(blocks=2, per_side=4)
    tags = [{"building": "school"}, {"amenity": "hospital", "building": "yes"},
            {"shop": "bakery"}, {"office": "government"}, {"building": "apartments"},
            {"healthcare": "clinic"}, {}, {"building:part": "retail"}]
    for i in range(len(d)):
        d.properties[i] = dict(tags[i % len(tags)], ref=str(i))
    # Through the tile cache's own table (properties decoded as read: tiles.files.JsonRows)
    baked = arrays_district(district_arrays(d))
    assert isinstance(baked.properties, JsonRows)
    rows = np.arange(len(d))
    expected = [building_use(d.properties[i], d.kind[i]) if d.layer[i] == "buildings" else ""
                for i in rows]
    assert feature_table(baked, rows).columns["use"] == expected
    # A key in another case, or a list (unhashable), takes the row-by-row way, with the
    # same answers.
    d.properties[0] = {"Building": "school", "building": "hospital"}
    d.properties[1] = {"building": ["a", "list"], "shop": "bakery"}
    mixed = arrays_district(district_arrays(d))
    expected[:2] = [building_use(d.properties[i], d.kind[i]) for i in (0, 1)]
    assert feature_table(mixed, rows).columns["use"] == expected
    d.properties[0] = {"building": "school"}
    mixed = arrays_district(district_arrays(d))
    expected[0] = building_use(d.properties[0], d.kind[0])
    assert feature_table(mixed, rows).columns["use"] == expected
    assert len(set(expected)) > 4


def test_uses_of_rows_without_use_keys_come_from_their_kind_alone() -> None:
    # Rows whose JSON names no use key skip decoding (features._may_name_use); a key in
    # capitals or as the last key must still be found, and a use word as a value changes
    # nothing. Expected values: building_use row by row, the reference.
    d = town(blocks=2, per_side=4)
    tags = [{}, {"ref": "x"}, {"SHOP": "bakery"}, {"name": "shop"},
            {"ref": "y", "Amenity": "hospital"}, {"building:part": "school"}, {}]
    for i in range(len(d)):
        d.properties[i] = dict(tags[i % len(tags)])
    baked = arrays_district(district_arrays(d))
    rows = np.arange(len(d))
    assert (d.layer == "buildings").sum() >= 64  # else the search is not used
    expected = [building_use(d.properties[i], d.kind[i]) if d.layer[i] == "buildings" else ""
                for i in rows]
    assert feature_table(baked, rows).columns["use"] == expected
    assert {"commercial", "hospital", "school"} <= set(expected)



def test_rows_of_the_same_text_decoded_once_and_a_damaged_row_named() -> None:
    # Three texts over every row: each decoded once, its dict shared by the rows that
    # repeat it; the uses as building_use gives them row by row. (Every text names a use
    # key and there are 64 buildings or more: all of them are decoded at once.)
    d = town(blocks=2, per_side=4)
    assert (d.layer == "buildings").sum() >= 64
    tags = [{"building": "school"}, {"amenity": "hospital", "building": "yes"},
            {"building": "yes"}]
    for i in range(len(d)):
        d.properties[i] = dict(tags[i % len(tags)])
    baked = arrays_district(district_arrays(d))
    rows = np.arange(len(d))
    expected = [building_use(d.properties[i], d.kind[i]) if d.layer[i] == "buildings" else ""
                for i in rows]
    assert feature_table(baked, rows).columns["use"] == expected
    # A damaged row (its text no JSON): the error names it, as reading it alone does.
    props = baked.properties
    assert isinstance(props, JsonRows)
    k = int(np.flatnonzero(d.layer == "buildings")[3])
    data = bytearray(props._data)
    data[int(props._offsets[k])] = ord("x")
    damaged = dataclasses.replace(baked, properties=JsonRows(bytes(data), props._offsets))
    with pytest.raises(CorruptFileError, match=f"row {k}"):
        feature_table(damaged, rows)

def _box(x: float, y: float, fid: int) -> MeshBatch:
    corners = np.array([[x + dx, y + dy, z] for z in (0.0, 10.0) for dx in (0.0, 12.3)
                        for dy in (0.0, 9.7)], np.float32)
    faces = np.array([[0, 1, 3], [0, 3, 2], [4, 5, 7], [4, 7, 6]], np.uint32)
    normals = np.tile(np.array([0.0, 0.0, 1.0], np.float32), (8, 1))
    return MeshBatch("solid", corners, normals, np.full((8, 4), 180, np.uint8), faces,
                     np.full(8, fid, np.int32))


def test_a_mesh_too_wide_for_the_grid_is_cut_into_cells_on_the_grid(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Three boxes 2.1 km apart east-west: 16-bit steps of 1 cm reach 327 m from a centre.
    parts = [_box(-1050.123, 20.456, 0), _box(3.21, -7.77, 1), _box(1040.5, 33.333, 2)]
    table = feature_table(town(blocks=1, per_side=2), np.arange(3))
    # So few vertices stay whole, in floats (a node's JSON would cost more)...
    writer = GlbWriter(table, {})
    writer.add_node("r", parts)
    glb = read_glb(writer.to_bytes())
    assert [n["name"] for n in glb.json["nodes"]] == ["r/solid"]
    assert "scale" not in glb.json["nodes"][0]
    assert np.abs(glb.local_positions() - np.concatenate([p.positions for p in parts])
                  ).max() < 1e-3
    # ... unless a node costs nothing.
    monkeypatch.setattr(glb_module, "NODE_JSON", 0)
    writer = GlbWriter(table, {})
    writer.add_node("r", parts)
    glb = read_glb(writer.to_bytes())
    names = [n["name"] for n in glb.json["nodes"]]
    assert len(names) == 3 and all(n.startswith("r/solid/c") for n in names)
    assert all(n["scale"] == [0.01] * 3 for n in glb.json["nodes"])
    assert all(a["componentType"] == 5122 for a in glb.json["accessors"]
               if a.get("type") == "VEC3" and not a.get("normalized"))
    got = glb.local_positions()
    want = np.concatenate([p.positions for p in parts]).astype(np.float64)
    # Every vertex within half a step of where it was (and each box's own: by distance).
    nearest = np.abs(got[:, None, :] - want[None, :, :]).max(axis=2).min(axis=1)
    assert len(got) == len(want) and nearest.max() <= 0.005 + 1e-6


@pytest.mark.parametrize("dense", [True, False, None])
def test_pairs_numbered_by_flags_as_numpy_unique_numbers_them(dense: bool | None) -> None:
    # The reference: numpy's own unique with its inverse.
    rng = np.random.default_rng(7)
    for size, count in ((10, 40), (5000, 300), (1, 3)):
        values = rng.integers(0, size, count)
        unique, inverse = numbered(values, size, dense)
        want, back = np.unique(values, return_inverse=True)
        assert unique.tolist() == want.tolist() and inverse.tolist() == back.tolist()
        assert (unique[inverse] == values).all()


def _lines(x: float, fid: int) -> MeshBatch:
    ends = np.array([[x, 0.0, 0.5], [x + 700.0, 3.0, 0.5], [x, 40.0, 0.5]], np.float32)
    return MeshBatch("lines", ends, np.zeros((3, 3), np.float32), np.full((3, 4), 90, np.uint8),
                     np.array([[0, 1], [1, 2]], np.uint32), np.full(3, fid, np.int32))


@pytest.mark.parametrize("quantize", [True, False])
def test_tiles_written_at_once_are_the_bytes_written_one_by_one(
        monkeypatch: pytest.MonkeyPatch, quantize: bool) -> None:
    # The reference: each tile handed to its own add_node (the tileset's way, one node a
    # file, here in turn); export_glb hands all tiles to add_nodes, which works out their
    # vertices together. Tiles with a mesh cut into cells (a node costs nothing here), one
    # whole, one of two batches of a material, one with lines; a vertex of a cleared
    # building (-1) in no triangle.
    monkeypatch.setattr(glb_module, "NODE_JSON", 0)
    cleared = _box(400.0, 400.0, 1)
    cleared.indices = cleared.indices[2:]  # the top face only: vertices 4 to 7 ...
    cleared.feature_ids[:4] = -1  # ... the others of a cleared building
    nodes = [("r0", [_box(-1050.123, 20.456, 0), _box(3.21, -7.77, 1), _box(1040.5, 3.3, 2)],
              {"tile": "r0"}),
             ("r1", [_box(10.0, 10.0, 1), _lines(-300.0, 2)], {"tile": "r1"}),
             ("r2", [_box(-20.0, 5.0, 2), cleared], None)]
    table = feature_table(town(blocks=1, per_side=2), np.arange(3))
    one = GlbWriter(table, {"a": 1}, quantize=quantize)
    for name, batches, extras in nodes:
        one.add_node(name, batches, extras)
    together = GlbWriter(table, {"a": 1}, quantize=quantize)
    together.add_nodes(nodes)
    assert together.to_bytes() == one.to_bytes()
    assert together.stats == one.stats
    names = [n["name"] for n in read_glb(together.to_bytes()).json["nodes"]]
    assert any("/c" in n for n in names) == quantize  # the cut was made (quantised only)
    assert any(n.startswith("r1/lines/lines") for n in names)
    assert any(n.startswith("r2/solid") for n in names)


def _same_batches(a: list[MeshBatch], b: list[MeshBatch]) -> bool:
    return len(a) == len(b) and all(
        x.material == y.material and all(
            np.array_equal(getattr(x, name), getattr(y, name))
            for name in ("positions", "normals", "colors", "indices", "feature_ids",
                         "emissive"))
        for x, y in zip(a, b, strict=True))


def test_the_exports_tile_reader_gives_the_viewers_batches_remapped_or_not(
        tmp_path: Path) -> None:
    baked = town(4, 6)
    bake(baked, report(), tmp_path, "t" * 64)
    plain = TileSet(open_cache(tmp_path, "t" * 64), baked)
    # Pavilions cleared the first building: the viewer's district numbers the rest one lower.
    remap = np.arange(len(baked)) - 1
    cleared = TileSet(open_cache(tmp_path, "t" * 64), baked, remap)
    assert not plain.remapped and cleared.remapped
    differ = 0
    for tiles in (plain, cleared):
        for key in tiles.tiles:
            for level in tiles.levels(key):
                fast = tile_batches(tiles, key, level)
                assert _same_batches(fast, tiles.batches(key, level)), (key, level)
                differ += not _same_batches(fast, tile_batches(plain, key, level))
    assert differ  # the remapped ids are the viewer's, not the bake's
