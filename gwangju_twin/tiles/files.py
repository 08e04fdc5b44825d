"""The cache's files, as bytes: tile meshes and the district table as ``.npz`` archives, the
load report as JSON (docs/tiles.md describes them).

The archives are written by hand rather than by ``numpy.savez``: numpy stamps each member
with the time it was written, and a bake must give the same bytes however and whenever it
runs (serial or on a Dask cluster), so a member here always carries the same date.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, overload

import numpy as np
import shapely

from gwangju_twin.geo.frame import LocalFrame
from gwangju_twin.geo.model import District, Issue, LoadReport
from gwangju_twin.mesh.batch import MeshBatch

#: The date every archive member carries (the earliest a zip can hold).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
BATCH_FIELDS = ("positions", "normals", "colors", "indices", "feature_ids", "emissive")


class CorruptFileError(ValueError):
    """A cache file that cannot be what the bake wrote (truncated, damaged, wrong members)."""


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """An uncompressed ``.npz`` archive of ``arrays`` (in the mapping's order), the same
    bytes for the same arrays every time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", ZIP_DATE)
            info.external_attr = 0o644 << 16
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            zf.writestr(info, buf.getvalue())
    return out.getvalue()


#: The header numpy writes for a C-ordered array of a plain type (format version 1.0).
_HEADER = re.compile(r"\{'descr': '([<|][a-zA-Z]\d{0,2})', 'fortran_order': False, "
                     r"'shape': \(((?:\d+, ?)*\d*)\), \}\s*\Z")
_LOCAL = struct.Struct("<4s22xHH")  # a zip member's local header: signature, name, extra


def npz_views(data: bytes | bytearray) -> dict[str, np.ndarray] | None:
    """The arrays of an uncompressed archive written by ``npz_bytes``, viewed in ``data``
    (read-only for ``bytes``, writable for a ``bytearray``); None if anything is not as the
    bake writes it (the caller then reads it numpy's slower, checked way).

    ``numpy.load`` parses each member's header with ``ast.literal_eval`` and copies it out
    of the zip: for a 185,000-building city's tiles (20,000 arrays) most of the reading.
    Here the members are found through ``zipfile``'s directory and viewed in place
    (``numpy.frombuffer``), their headers read by a regular expression that accepts only the
    plain little-endian arrays the bake writes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None
    out: dict[str, np.ndarray] = {}
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
            return None
        at = info.header_offset
        if at < 0 or at + _LOCAL.size > len(data):
            return None
        sig, name_len, extra_len = _LOCAL.unpack_from(data, at)
        start = at + 30 + name_len + extra_len
        end = start + info.file_size
        if (sig != b"PK\x03\x04" or end > len(data) or start + 10 > end
                or data[start:start + 8] != b"\x93NUMPY\x01\x00"):
            return None
        (header_len,) = struct.unpack_from("<H", data, start + 8)
        body = start + 10 + header_len
        match = _HEADER.match(data[start + 10:body].decode("latin1"))
        if match is None:
            return None
        if match.group(1)[1] not in "fiubU":  # plain numbers, booleans and text only
            return None
        try:  # the pattern lets through type codes numpy does not know ('<h4')
            dtype = np.dtype(match.group(1))
        except TypeError:
            return None
        shape = tuple(int(v) for v in match.group(2).replace(" ", "").split(",") if v)
        # math.prod, not numpy's: 3 us a call on a tuple, a tenth of reading Sangmu's
        # 28 tiles (560 arrays). Python's int cannot overflow: the size check below
        # refuses a shape bigger than the member.
        count = math.prod(shape)
        if body + count * dtype.itemsize != end:
            return None
        out[info.filename[:-4]] = np.frombuffer(data, dtype, count, body).reshape(shape)
    return out


def read_npz(data: bytes) -> dict[str, np.ndarray]:
    """The arrays of an archive written by ``npz_bytes``; CorruptFileError if it is not one."""
    # Views into one writable copy of the file (callers may change what they get, as
    # numpy's own reader allows): a memcpy, against a header parse per array.
    fast = npz_views(bytearray(data))
    if fast is not None:
        return fast
    # zipfile raises NotImplementedError / RuntimeError for a damaged header's version,
    # compression or encryption bits, and numpy hands back a bare array (no context
    # manager) for a lone .npy: all of them a damaged file, not a crash.
    try:
        loaded = np.load(io.BytesIO(data), allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("a single array, not an archive")
        with loaded as npz:
            return {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError, RuntimeError,
            zlib.error) as exc:
        raise CorruptFileError(f"not a readable archive ({exc})") from None


def batches_arrays(parts: Mapping[str, Iterable[MeshBatch]]) -> dict[str, np.ndarray]:
    """The arrays of a tile's batches, named ``PART/INDEX/FIELD`` (PART "0", "1", "g", "2",
    "g2"), each batch's material and draw order in ``PART/INDEX/info``."""
    out: dict[str, np.ndarray] = {}
    for part, batches in parts.items():
        for i, b in enumerate(batches):
            stem = f"{part}/{i}"
            out[f"{stem}/info"] = np.array([b.material, str(b.draw_order)])
            for name in BATCH_FIELDS:
                out[f"{stem}/{name}"] = getattr(b, name)
    return out


def arrays_batches(arrays: Mapping[str, np.ndarray], part: str) -> list[MeshBatch]:
    """The batches of ``part`` from a tile's arrays (``batches_arrays``)."""
    out = []
    i = 0
    try:
        while f"{part}/{i}/info" in arrays:
            stem = f"{part}/{i}"
            material, order = (str(v) for v in arrays[f"{stem}/info"])
            b = MeshBatch(material, arrays[f"{stem}/positions"], arrays[f"{stem}/normals"],
                          arrays[f"{stem}/colors"], arrays[f"{stem}/indices"],
                          arrays[f"{stem}/feature_ids"], emissive=arrays[f"{stem}/emissive"])
            b.draw_order = int(order)
            _check_batch(b)
            out.append(b)
            i += 1
    except (KeyError, ValueError, TypeError) as exc:
        raise CorruptFileError(f"batch {part}/{i}: {exc}") from None
    return out


def _check_batch(b: MeshBatch) -> None:
    """Refuse arrays that would draw garbage or crash the renderer: wrong shapes or types,
    indices past the vertices."""
    n = len(b.positions)
    ok = (b.positions.dtype == np.float32 and b.positions.shape == (n, 3)
          and b.normals.dtype == np.float32 and b.normals.shape == (n, 3)
          and b.colors.dtype == np.uint8 and b.colors.shape == (n, 4)
          and b.feature_ids.dtype == np.int32 and b.feature_ids.shape == (n,)
          and b.emissive.dtype == np.uint8 and b.emissive.shape == (n,)
          and b.indices.dtype == np.uint32 and b.indices.ndim == 2
          and b.indices.shape[1] in (2, 3))
    if not ok:
        raise ValueError("arrays of the wrong shape or type")
    if b.indices.size and int(b.indices.max()) >= n:
        raise ValueError("indices past the last vertex")


# -- the district table ------------------------------------------------------------------

_OBJECT_COLUMNS = ("layer", "kind", "height_source")
_FLOAT_COLUMNS = ("height", "min_height", "levels", "width")
_TEXT_LISTS = ("name", "name_en", "feature_id")
#: Text is UTF-8, but a lone surrogate passes through: json.loads makes one of a GeoJSON
#: escape such as "\ud800" and the loader keeps it, and strict UTF-8 would stop the bake
#: on it. (json.loads of bytes decodes with "surrogatepass" too.)
_LONE = "surrogatepass"


def _blob(items: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(b) for b in items), np.int64, len(items))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return np.frombuffer(b"".join(items), np.uint8), offsets


def _unblob(data: np.ndarray, offsets: np.ndarray) -> list[bytes]:
    raw = data.tobytes()
    return [raw[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]


class JsonRows(Sequence[dict[str, Any]]):
    """The district's properties, each row decoded from its JSON when it is read: a city's
    start reads hundreds of thousands of rows it may never look at."""

    def __init__(self, data: bytes, offsets: np.ndarray) -> None:
        if len(offsets) == 0 or int(offsets[-1]) != len(data) or (np.diff(offsets) < 0).any():
            raise ValueError("properties: offsets do not fit the data")
        self._data = data
        self._offsets = offsets.astype(np.int64)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                      strict=True))

    __hash__ = None  # type: ignore[assignment]

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        k = int(i)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(i)
        a, b = int(self._offsets[k]), int(self._offsets[k + 1])
        try:
            row = json.loads(self._data[a:b].decode("utf-8", "surrogatepass"))
        except ValueError as exc:
            raise CorruptFileError(f"district table: properties of row {k}: {exc}") from None
        if not isinstance(row, dict):
            raise CorruptFileError(f"district table: properties of row {k} are not an object")
        return row


def _categories(column: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """A column's distinct values as text, sorted, and each row's index into them. Counted
    through a dict: np.unique would sort every row's text (a bake's serial part)."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(str(v), len(index)) for v in list(column)),
                        np.int64, len(column))
    values = np.array(list(index), dtype=str)
    order = np.argsort(values, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return values[order], rank[codes]


def district_arrays(district: District) -> dict[str, np.ndarray]:
    """The district as arrays: geometry as WKB, text columns as UTF-8 (None kept apart from
    ""), properties as JSON."""
    out: dict[str, np.ndarray] = {
        "origin": np.array([district.frame.lon, district.frame.lat]),
        "source_index": np.asarray(district.source_index, np.int64),
    }
    out["geometry/data"], out["geometry/offsets"] = _blob(
        list(shapely.to_wkb(district.geometry)))
    for name in _OBJECT_COLUMNS:
        # A handful of distinct values (layers, kinds, height sources) over every row: stored
        # as the values and a small code a row, not as fixed-width text a row (a 185k city's
        # "kind" alone was 10 MB to read and checksum at every start).
        values, codes = _categories(getattr(district, name))
        out[f"{name}/values"] = values
        out[f"{name}/codes"] = codes.astype(np.uint16 if len(values) < 65536 else np.uint32)
    for name in _FLOAT_COLUMNS:
        out[name] = np.asarray(getattr(district, name), np.float64)
    for name in _TEXT_LISTS:
        values = getattr(district, name)
        out[f"{name}/none"] = np.array([v is None for v in values], bool)
        texts = [v or "" for v in values]
        if any("\0" in t for t in texts):  # cannot be split on NUL: one blob per text
            out[f"{name}/data"], out[f"{name}/offsets"] = _blob(
                [t.encode("utf-8", _LONE) for t in texts])
        else:  # split in one call when read: a start reads 185,000 names
            out[f"{name}/joined"] = np.frombuffer(
                "\0".join(texts).encode("utf-8", _LONE), np.uint8)
    out["properties/data"], out["properties/offsets"] = _blob(
        [json.dumps(p, ensure_ascii=False, sort_keys=True).encode("utf-8", _LONE)
         for p in district.properties])
    return out


def arrays_district(arrays: Mapping[str, np.ndarray]) -> District:
    """The district back from ``district_arrays``; CorruptFileError if anything does not fit."""
    try:
        lon, lat = (float(v) for v in arrays["origin"])
        geometry = shapely.from_wkb(_unblob(arrays["geometry/data"],
                                            arrays["geometry/offsets"]))
        n = len(geometry)
        cols: dict[str, Any] = {"frame": LocalFrame(lon, lat), "geometry": geometry}
        for name in _OBJECT_COLUMNS:
            codes = arrays[f"{name}/codes"]
            values = arrays[f"{name}/values"].astype(object)
            if codes.dtype.kind != "u" or (len(codes) and int(codes.max()) >= len(values)):
                raise ValueError(f"{name}: codes do not fit its {len(values)} values")
            cols[name] = values[codes]
        for name in _FLOAT_COLUMNS:
            cols[name] = arrays[name].astype(np.float64)
        for name in _TEXT_LISTS:
            nones = arrays[f"{name}/none"]
            if f"{name}/joined" in arrays:
                texts: list[str | None] = list(
                    arrays[f"{name}/joined"].tobytes().decode("utf-8", _LONE).split("\0")
                    if len(nones) else [])
            else:
                texts = [t.decode("utf-8", _LONE) for t in
                         _unblob(arrays[f"{name}/data"], arrays[f"{name}/offsets"])]
            if len(texts) != len(nones):
                raise ValueError(f"{name}: {len(texts)} texts for {len(nones)} rows")
            for i in np.flatnonzero(nones).tolist():
                texts[i] = None
            cols[name] = texts
        cols["properties"] = JsonRows(arrays["properties/data"].tobytes(),
                                      arrays["properties/offsets"])
        cols["source_index"] = arrays["source_index"].astype(np.int64)
        district = District(**cols)
        lengths = {len(v) for k, v in cols.items() if k != "frame"}
        if lengths != {n}:
            raise ValueError(f"columns of different lengths {sorted(lengths)}")
    except (KeyError, ValueError, TypeError, UnicodeDecodeError,
            shapely.errors.GEOSException) as exc:
        raise CorruptFileError(f"district table: {exc}") from None
    return district


# -- the load report ------------------------------------------------------------------------

def report_json(report: LoadReport) -> str:
    """The load report in full (not only ``as_dict``'s public form), as JSON (ASCII: a
    lone surrogate in a feature id or a file name is escaped, not a UTF-8 error)."""
    return json.dumps(dataclasses.asdict(report), sort_keys=True)


def json_report(text: str) -> LoadReport:
    """The load report back from ``report_json``; CorruptFileError if it does not fit."""
    try:
        data = json.loads(text)
        for key in ("repaired", "skipped", "warnings", "cleared"):
            data[key] = [Issue(**i) for i in data[key]]
        for key in ("origin", "height_range", "bbox_lonlat", "bbox_local"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return LoadReport(**data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CorruptFileError(f"load report: {exc}") from None
