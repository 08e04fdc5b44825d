"""The tile cache's files as bytes (tiles/files.py): deterministic archives, round trips of
batches, the district table and the load report, and damaged bytes refused as
CorruptFileError (never another exception, never garbage arrays)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import zipfile

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from tile_builders import district, report

from gwangju_twin.geo.model import Issue
from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.tiles.files import (
    ZIP_DATE,
    CorruptFileError,
    arrays_batches,
    arrays_district,
    batches_arrays,
    district_arrays,
    json_report,
    npz_bytes,
    read_npz,
    report_json,
)


def _batch(n: int = 5, seed: int = 0, material: str = "solid", lines: bool = False
           ) -> MeshBatch:
    rng = np.random.default_rng(seed)
    per = 2 if lines else 3
    b = MeshBatch(material, rng.normal(size=(n, 3)).astype(np.float32),
                  rng.normal(size=(n, 3)).astype(np.float32),
                  rng.integers(0, 256, (n, 4)).astype(np.uint8),
                  rng.integers(0, n, (2 * n, per)).astype(np.uint32),
                  rng.integers(0, 10_000, n).astype(np.int32),
                  emissive=rng.integers(0, 256, n).astype(np.uint8))
    b.draw_order = seed
    return b


def _parts() -> dict[str, list[MeshBatch]]:
    return {"0": [_batch(6, 1)], "1": [_batch(4, 2)],
            "g": [_batch(3, 3, "green"), _batch(7, 4, "lines", lines=True)],
            "2": [], "g2": [MeshBatch.empty("water")]}


def _same_batch(a: MeshBatch, b: MeshBatch) -> bool:
    return (a.material == b.material and a.draw_order == b.draw_order
            and all(np.array_equal(getattr(a, f), getattr(b, f))
                    and getattr(a, f).dtype == getattr(b, f).dtype
                    for f in ("positions", "normals", "colors", "indices", "feature_ids",
                              "emissive")))


def test_npz_bytes_same_twice_and_readable_by_numpy() -> None:
    arrays = batches_arrays(_parts())
    one = npz_bytes(arrays)
    two = npz_bytes({k: v.copy() for k, v in arrays.items()})
    assert one == two
    with zipfile.ZipFile(io.BytesIO(one)) as zf:
        # Every member dated the same, in the order given, uncompressed.
        assert {i.date_time for i in zf.infolist()} == {ZIP_DATE}
        assert [i.filename for i in zf.infolist()] == [f"{k}.npy" for k in arrays]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
    with np.load(io.BytesIO(one)) as npz:
        assert np.array_equal(npz["0/0/positions"], arrays["0/0/positions"])


def test_batches_round_trip() -> None:
    parts = _parts()
    back = read_npz(npz_bytes(batches_arrays(parts)))
    for part, batches in parts.items():
        got = arrays_batches(back, part)
        assert len(got) == len(batches), part
        assert all(_same_batch(a, b) for a, b in zip(batches, got, strict=True)), part
    assert arrays_batches(back, "nothing") == []


def test_batch_with_indices_past_its_vertices_is_corrupt() -> None:
    b = _batch(5, 1)
    b.indices[3, 1] = 5  # vertices are 0-4
    arrays = read_npz(npz_bytes(batches_arrays({"0": [b]})))
    with pytest.raises(CorruptFileError, match="indices past the last vertex"):
        arrays_batches(arrays, "0")


@pytest.mark.parametrize("field,value", [
    ("positions", np.zeros((5, 3), np.float64)),  # wrong type
    ("normals", np.zeros((4, 3), np.float32)),  # one row short
    ("colors", np.zeros((5, 3), np.uint8)),  # RGB, not RGBA
    ("indices", np.zeros((2, 4), np.uint32)),  # neither lines nor triangles
    ("feature_ids", np.zeros(5, np.int64)),
    ("emissive", np.zeros(5, np.float32)),  # a float, not the byte
    ("emissive", np.zeros((5, 4), np.uint8)),  # a colour per vertex, not one byte
])
def test_batch_of_wrong_shapes_is_corrupt(field: str, value: np.ndarray) -> None:
    arrays = batches_arrays({"0": [_batch(5, 1)]})
    arrays[f"0/0/{field}"] = value
    with pytest.raises(CorruptFileError, match="batch 0/0"):
        arrays_batches(read_npz(npz_bytes(arrays)), "0")


def test_batch_with_a_missing_member_is_corrupt() -> None:
    arrays = batches_arrays({"0": [_batch(5, 1)]})
    del arrays["0/0/normals"]
    with pytest.raises(CorruptFileError, match="batch 0/0"):
        arrays_batches(arrays, "0")


def test_a_bake_without_the_emissive_column_is_corrupt() -> None:
    # A tile of a bake before revision 10 has no emissive bytes; the revision already makes
    # such a cache stale, and a file that still lacks them is refused, not drawn dark.
    arrays = batches_arrays({"0": [_batch(5, 1)]})
    del arrays["0/0/emissive"]
    with pytest.raises(CorruptFileError, match="batch 0/0"):
        arrays_batches(arrays, "0")


def test_emissive_bytes_survive_the_round_trip_exactly() -> None:
    # Every value a byte can take, on a batch of 256 vertices: none clipped or cast.
    b = _batch(256, 7)
    b.emissive = np.arange(256, dtype=np.uint8)
    back = arrays_batches(read_npz(npz_bytes(batches_arrays({"0": [b]}))), "0")[0]
    assert back.emissive.dtype == np.uint8
    assert np.array_equal(back.emissive, np.arange(256))


# -- damaged bytes -------------------------------------------------------------------------

def _small_archive() -> bytes:
    return npz_bytes({"a": np.arange(5, dtype=np.int32), "b/c": np.array(["x", "yy"])})


@pytest.mark.parametrize("garbage", [
    b"", b"PK", b"not an archive at all", bytes(range(256)) * 4,
    b"PK\x03\x04" + b"\0" * 100,  # a zip's magic and nothing behind it
])
def test_read_npz_refuses_garbage(garbage: bytes) -> None:
    with pytest.raises(CorruptFileError, match="not a readable archive"):
        read_npz(garbage)


def test_read_npz_refuses_a_single_npy() -> None:
    # A lone .npy file is something numpy loads too, but no archive the bake wrote.
    buf = io.BytesIO()
    np.save(buf, np.arange(3))
    with pytest.raises(CorruptFileError):
        read_npz(buf.getvalue())


def test_read_npz_refuses_pickles() -> None:
    buf = io.BytesIO()
    np.savez(buf, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(CorruptFileError):
        read_npz(buf.getvalue())


def test_read_npz_refuses_every_truncation() -> None:
    data = _small_archive()
    for n in range(len(data)):
        with pytest.raises(CorruptFileError):
            read_npz(data[:n])


def test_read_npz_flipped_bits_never_escape() -> None:
    # Every single bit flipped, one at a time: the archive either still reads (a bit the zip
    # format does not check, e.g. in a date; the cache's SHA-256 catches those) or the
    # error is CorruptFileError, never a crash of another kind.
    data = _small_archive()
    refused = 0
    for i in range(len(data)):
        for bit in range(8):
            damaged = bytearray(data)
            damaged[i] ^= 1 << bit
            try:
                read_npz(bytes(damaged))
            except CorruptFileError:
                refused += 1
    assert refused > 0


@settings(max_examples=200)
@given(st.binary(max_size=600))
def test_read_npz_random_bytes(data: bytes) -> None:
    with contextlib.suppress(CorruptFileError):
        read_npz(data)


# -- the district table ----------------------------------------------------------------

def _every_kind_of_district():
    court = shapely.Polygon([(0, 0), (40, 0), (40, 40), (0, 40)],
                            [[(10, 10), (10, 30), (30, 30), (30, 10)]])
    multi = shapely.MultiPolygon([shapely.box(50, 0, 60, 10), shapely.box(70, 0, 75, 5)])
    line = shapely.LineString([(0, -5), (100.123456789, -5.5), (200, -7)])
    point = shapely.Point(12.5, -3.25)
    multiline = shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 5)]])
    return district(
        [court, multi, line, point, multiline],
        ["buildings", "buildings", "roads", "landmarks", "water"],
        [15.5, 7.0, np.nan, 30.0, np.nan],
        kinds=["apartments", "yes", "primary", "tower", "stream"],
        widths=[np.nan, np.nan, 12.0, np.nan, 3.0],
        names=[None, "", "금남로", "5·18 민주광장 시계탑", "광주천 \U0001F30A"],
        properties=[{}, {"building": "yes", "height": None},
                    {"nested": {"a": [1, 2.5, {"b": "광주"}], "t": True}, "n": 3},
                    {"name:ko": "시계탑", "list": []}, {"x": -0.0, "big": 12345678901234}])


def test_district_round_trip() -> None:
    d = _every_kind_of_district()
    d.name_en = ["Court", None, "", "Clock tower", None]
    d.feature_id = ["way/1", "way/2", None, "", "관리-7"]
    d.levels[0] = 5.0
    d.min_height[1] = 2.0
    arrays = district_arrays(d)
    back = arrays_district(read_npz(npz_bytes(arrays)))
    assert (back.frame.lon, back.frame.lat) == (d.frame.lon, d.frame.lat)
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(d.geometry, back.geometry,
                                                             strict=True))
    assert [g.geom_type for g in back.geometry] == [
        "Polygon", "MultiPolygon", "LineString", "Point", "MultiLineString"]
    assert len(back.geometry[0].interiors) == 1
    for name in ("layer", "kind", "height_source"):
        # Few values, many rows: stored once each, with a small code a row.
        assert arrays[f"{name}/codes"].dtype == np.uint16
        assert len(arrays[f"{name}/values"]) == len(set(getattr(d, name).tolist()))
        assert getattr(back, name).dtype == object
        assert getattr(back, name).tolist() == getattr(d, name).tolist(), name
    for name in ("height", "min_height", "levels", "width"):
        np.testing.assert_array_equal(getattr(back, name), getattr(d, name))
    # None and "" stay apart; Hangul and characters outside the BMP survive.
    assert back.name == d.name and back.name_en == d.name_en
    assert back.feature_id == d.feature_id
    assert back.properties == d.properties
    assert back.source_index.tolist() == d.source_index.tolist()


def test_empty_district_round_trip() -> None:
    d = district([], [], [])
    back = arrays_district(read_npz(npz_bytes(district_arrays(d))))
    assert len(back) == 0 and back.properties == [] and back.name == []


def test_district_arrays_same_bytes_twice() -> None:
    assert npz_bytes(district_arrays(_every_kind_of_district())) == npz_bytes(
        district_arrays(_every_kind_of_district()))


def test_district_with_a_lone_surrogate_round_trips() -> None:
    # json.loads turns the GeoJSON escape "\ud800" into a lone surrogate, and the loader
    # keeps it in names and properties: the table must still be written and read back.
    d = district([shapely.Point(0, 0)], ["landmarks"], [5.0], names=["a\ud800b"],
                 properties=[{"name": "a\ud800b", "\udfff": 1}])
    back = arrays_district(read_npz(npz_bytes(district_arrays(d))))
    assert back.name == ["a\ud800b"]
    assert back.properties == [{"name": "a\ud800b", "\udfff": 1}]


@pytest.mark.parametrize("damage", ["drop", "short", "wkb", "utf8", "code", "signed"])
def test_district_table_that_does_not_fit_is_corrupt(damage: str) -> None:
    arrays = district_arrays(_every_kind_of_district())
    if damage == "drop":
        del arrays["kind/codes"]
    elif damage == "code":  # a code past the column's values
        arrays["layer/codes"] = arrays["layer/codes"].copy()
        arrays["layer/codes"][2] = len(arrays["layer/values"])
    elif damage == "signed":  # codes must be unsigned: -1 would quietly pick the last value
        arrays["kind/codes"] = -np.ones(len(arrays["kind/codes"]), np.int16)
    elif damage == "short":
        arrays["height"] = arrays["height"][:-1]
    elif damage == "wkb":
        arrays["geometry/data"] = arrays["geometry/data"][:-3]
        arrays["geometry/offsets"] = np.minimum(arrays["geometry/offsets"],
                                                len(arrays["geometry/data"]))
    else:
        data = arrays["name/joined"].copy()
        data[0] = 0xFF  # never a byte of UTF-8
        arrays["name/joined"] = data
        arrays["name/none"] = np.zeros_like(arrays["name/none"])
    with pytest.raises(CorruptFileError, match="district table"):
        arrays_district(arrays)


# -- the load report ---------------------------------------------------------------------

def test_report_round_trip() -> None:
    original = report()
    back = json_report(report_json(original))
    assert back == original
    assert isinstance(back.origin, tuple) and isinstance(back.skipped[0], Issue)
    # Every field was set away from its default, so an equality of defaults proves nothing
    # by accident: check the builder really does that.
    blank = type(original)(original.source, original.crs, original.crs_from, original.origin)
    unset = [f.name for f in dataclasses.fields(original)
             if getattr(original, f.name) == getattr(blank, f.name)
             and f.name not in ("source", "crs", "crs_from", "origin")]
    assert unset == []


@pytest.mark.parametrize("text", ["", "[]", "{}", '{"source": "x"}', "not json",
                                  '{"repaired": [{"index": 1}]}'])
def test_report_that_does_not_fit_is_corrupt(text: str) -> None:
    with pytest.raises(CorruptFileError, match="load report"):
        json_report(text)
