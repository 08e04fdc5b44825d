"""Reading a GeoJSON file into raw parts: file-level checks and per-feature geometry parsing.

This module only looks at the JSON; it does not project, repair or classify. A problem with
the whole file raises InputError (one line, exit status 2); a problem with one feature is
returned as an Issue and that feature is left out of the parts.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gwangju_twin.errors import InputError
from gwangju_twin.geo.encodings import DETECTED, decodes, undecodable
from gwangju_twin.geo.model import Issue

GEOMETRY_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
)


@dataclass
class RawFeature:
    """One input feature that parsed: its index, id, properties and geometry parts."""

    index: int
    id: str | None
    properties: dict[str, Any]
    polygons: list[list[np.ndarray]] = field(default_factory=list)  # rings, shell first
    lines: list[np.ndarray] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs done while parsing


@dataclass
class RawCollection:
    """The parsed file: features that parsed, those that did not, and the file's crs member."""

    features: list[RawFeature]
    skipped: list[Issue]
    total: int
    crs_member: str | None  # the CRS the file declares (a name or WKT), None when silent
    #: Where the file declares its CRS, for messages ("its 'crs' member", "its .prj file").
    crs_declared_by: str = "its 'crs' member"
    #: The format read, for the report (e.g. "GeoJSON", "ESRI Shapefile", "OSM PBF").
    format: str = "GeoJSON"
    #: The attributes' text encoding, and how it was found ("utf-8", "cp949 (from .cpg)"...).
    encoding: str = "utf-8"
    #: Where the file declares a CRS nobody can read (an empty or garbled .prj), for
    #: messages; None when it declares none or one that was read.
    crs_unreadable: str | None = None


#: The largest data file read by default, in bytes (``--max-size`` MB raises it). Parsing
#: JSON takes about ten times the file's size in memory, so 256 MB already needs a few GB.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: The limit loads use when not given one: DEFAULT_MAX_BYTES unless the command line
#: (``--max-size``) set it for this run with ``set_max_bytes``.
_MAX_BYTES: ContextVar[int] = ContextVar("max_bytes", default=DEFAULT_MAX_BYTES)


def set_max_bytes(nbytes: int) -> None:
    """Set the file size limit of every later load in this context (the ``--max-size``
    option); a ``max_bytes`` given to a load still wins."""
    _MAX_BYTES.set(int(nbytes))


def max_bytes_now() -> int:
    """The file size limit in force: ``set_max_bytes``'s, else DEFAULT_MAX_BYTES."""
    return _MAX_BYTES.get()

#: The first bytes of compressed or archived files people hand over instead of GeoJSON.
_ARCHIVES = (
    (b"\x1f\x8b", "gzip-compressed", "unpack it first (gunzip, or 7-Zip on Windows)"),
    (b"PK\x03\x04", "a ZIP archive", "extract the GeoJSON file from it first"),
    (b"BZh", "bzip2-compressed", "unpack it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed", "unpack it first (unxz)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive", "extract the GeoJSON file from it first"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "unpack it first (unzstd)"),
)


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_data_file(path: Path, max_bytes: int | None = None) -> int:
    """Check that ``path`` is a readable regular file of at most ``max_bytes``; its size.

    Raises InputError naming what is wrong: missing, a dangling symlink or a symlink loop, a
    directory, a pipe or device (which could block or never end), or too large.
    ``max_bytes`` None is the limit in force (``max_bytes_now``). A Shapefile's size is that
    of its geometry (.shp) and its attributes (.dbf) together: both are read whole.
    """
    max_bytes = max_bytes_now() if max_bytes is None else max_bytes
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(
                f"{path}: is a symbolic link to {os.readlink(path)!r}, which does not exist"
            ) from None
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(_open_error(path, exc)) from None
    size = _check_stat(path, info, max_bytes)
    dbf = sidecar(path, ".dbf") if path.suffix.lower() == ".shp" else None
    if dbf is not None and dbf.is_file():
        size += dbf.stat().st_size
        if size > max_bytes:
            raise InputError(too_large(path, size, max_bytes).replace(
                " MB, larger", f" MB with its {dbf.suffix} file, larger", 1))
    return size


def sidecar(path: Path, suffix: str) -> Path | None:
    """The file beside ``path`` with the same stem and ``suffix`` in either case (a
    Shapefile's .dbf, .prj, .cpg), or None when there is none."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return None


def _open_error(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return (f"{path}: symbolic link loop (the link points, directly or through other "
                "links, back to itself); point it at the data file")
    return f"{path}: cannot read file ({exc.strerror})"


def _check_stat(path: Path, info: os.stat_result, max_bytes: int) -> int:
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, expected a data file{_folder_hint(path)}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path}: is {_kind_of(info.st_mode)}, expected a regular data file "
            "(pipes and devices may never end; save the data to a file first)"
        )
    if info.st_size > max_bytes:
        raise InputError(too_large(path, info.st_size, max_bytes))
    return info.st_size


def _folder_hint(path: Path) -> str:
    if path.suffix.lower() == ".gdb":
        return (" (an Esri File Geodatabase is not read; convert it with "
                f"'ogr2ogr -f GPKG out.gpkg {path.name}')")
    return ""


def too_large(path: Path, size: int, max_bytes: int) -> str:
    """The one line for a file of ``size`` bytes over the limit of ``max_bytes``."""
    mb = 1024 * 1024
    return (
        f"{path}: is {'more than ' if size == max_bytes + 1 else ''}{size / mb:.1f} MB, "
        f"larger than the limit of {max_bytes / mb:g} MB; pass --max-size MB to raise it "
        "(parsing takes about ten times the file size in memory)"
    )


def read_geojson_text(path: Path, max_bytes: int | None = None) -> str:
    """Read ``path`` as UTF-8 (or, detected, CP949) text; a byte-order mark is tolerated.

    Only regular files of at most ``max_bytes`` are read (see ``read_data_bytes``).
    """
    return decode_geojson(path, read_data_bytes(path, max_bytes))[0]


def read_data_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes``.

    Only regular files of at most ``max_bytes`` are read: a FIFO or a device such as
    /dev/zero is refused before any byte is read, so a load can neither block nor exhaust
    memory. ``max_bytes`` None is the limit in force (``max_bytes_now``).
    """
    max_bytes = max_bytes_now() if max_bytes is None else max_bytes
    # O_NONBLOCK: opening a FIFO without a writer would otherwise block before fstat can
    # tell it is one. Checking the open descriptor (not the name) leaves no gap for a swap.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        check_data_file(path, max_bytes)  # names a dangling link; else "file not found"
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a data file") from None
    except OSError as exc:
        raise InputError(_open_error(path, exc)) from None
    try:
        _check_stat(path, os.fstat(fd), max_bytes)
    except InputError:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        try:
            # One byte more than allowed: a file that grew since fstat is still caught.
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read file ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise InputError(too_large(path, max_bytes + 1, max_bytes))
    return data


def decode_geojson(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """GeoJSON bytes as text, and the encoding used with how it was found (for the report).

    ``encoding`` (the --encoding option) wins; else UTF-8 (a byte-order mark is tolerated),
    else CP949 when the bytes decode cleanly as CP949 (Korean exports often are). Anything
    else is one line naming the likely encoding and the option.
    """
    if not data.strip():
        raise InputError(f"{path}: file is empty, expected a GeoJSON object")
    for magic, what, todo in _ARCHIVES:
        if data.startswith(magic):
            raise InputError(f"{path}: is {what}, not GeoJSON text; {todo}")
    if encoding is not None:
        try:
            return data.decode(encoding), f"{encoding} (from --encoding)"
        except UnicodeDecodeError:
            raise undecodable(str(path), data, [encoding]) from None
    if b"\x00" in data[:256]:  # UTF-8 JSON never holds a NUL byte; UTF-16/32 text always does
        raise InputError(
            f"{path}: looks like UTF-16 or UTF-32 text (NUL bytes); GeoJSON must be UTF-8 "
            "encoded, re-save the file as UTF-8"
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if decodes(data, "cp949"):
        return data.decode("cp949"), "cp949 (detected: not valid UTF-8)"
    raise undecodable(str(path), data, DETECTED)


class HugeInteger(float):
    """A JSON integer too long for a float: read as infinity, but remembering its length.

    Python refuses to convert integers of more than 4300 digits and floats overflow past
    about 10**308; a coordinate or a height like that is one feature's mistake, so the
    parser hands it on as this (an infinite float) and the feature's checks report it.
    """

    digits: int

    def __new__(cls, text: str) -> HugeInteger:
        value = super().__new__(cls, "-inf" if text.startswith("-") else "inf")
        value.digits = len(text.lstrip("-"))
        return value

    def __repr__(self) -> str:
        return f"{'-' if self < 0 else ''}<integer of {self.digits} digits>"

    __str__ = __repr__


def _parse_int(text: str) -> int | float:
    # 308 digits still fit a float; anything longer is no coordinate or height.
    return int(text) if len(text) <= 308 else HugeInteger(text)


def parse_geojson(path: Path, text: str) -> RawCollection:
    """Parse GeoJSON text: a FeatureCollection, a single Feature or a bare geometry."""
    try:
        doc = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be GeoJSON") from None
    if not isinstance(doc, dict):
        raise InputError(
            f"{path}: not GeoJSON: the top level is a JSON {type(doc).__name__}, "
            "expected an object with a 'type' member"
        )
    kind = doc.get("type")
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise InputError(f"{path}: FeatureCollection has no 'features' list")
    elif kind == "Feature":
        feats = [doc]
    elif kind in GEOMETRY_TYPES:
        feats = [{"type": "Feature", "geometry": doc, "properties": {}}]
    else:
        raise InputError(_not_geojson(path, doc, kind))
    if not feats:
        raise InputError(f"{path}: the FeatureCollection has no features")

    crs_member = _crs_member(path, doc.get("crs"))
    out: list[RawFeature] = []
    skipped: list[Issue] = []
    for index, feat in enumerate(feats):
        raw, reason = _parse_feature(index, feat)
        if raw is None:
            fid = _feature_id(feat) if isinstance(feat, dict) else None
            skipped.append(Issue(index, fid, reason))
        else:
            out.append(raw)
    return RawCollection(out, skipped, len(feats), crs_member)


#: The command that turns a file GDAL reads (but the viewer does not) into GeoJSON.
OGR2OGR = "ogr2ogr -f GeoJSON out.geojson"


def _not_geojson(path: Path, doc: dict[str, Any], kind: Any) -> str:
    """The one line for a JSON object that is not GeoJSON: named, with its conversion when
    it is a known relative (Overpass API output, TopoJSON, Esri JSON)."""
    if kind is None and isinstance(doc.get("elements"), list):
        return (f"{path}: is Overpass API JSON (OSM elements), not GeoJSON; run the query with "
                "[out:xml] and open the .osm file directly, or convert it with "
                f"'osmtogeojson {path.name} > out.geojson'")
    if kind == "Topology":
        return (f"{path}: is TopoJSON (type 'Topology'), not GeoJSON; convert it with "
                f"'{OGR2OGR} {path.name}'")
    if kind is None and isinstance(doc.get("features"), list) and (
            "geometryType" in doc or "spatialReference" in doc):
        return (f"{path}: is Esri JSON (an ArcGIS feature set), not GeoJSON; convert it with "
                f"'{OGR2OGR} {path.name}'")
    return (f"{path}: not GeoJSON: top-level 'type' is {kind!r}, expected FeatureCollection, "
            "Feature or a geometry type")


def _crs_member(path: Path, crs: Any) -> str | None:
    """The legacy (GeoJSON 2008) ``crs`` member as a name, or None when absent."""
    if crs is None:
        return None
    if isinstance(crs, dict) and crs.get("type") == "name":
        name = (crs.get("properties") or {}).get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    raise InputError(
        f"{path}: unsupported 'crs' member {json.dumps(crs)[:80]}; expected "
        '{"type": "name", "properties": {"name": "EPSG:..."}}, or pass --crs'
    )


def _feature_id(feat: dict[str, Any]) -> str | None:
    fid = feat.get("id")
    if fid is None:
        return None
    return str(fid)


def _parse_feature(index: int, feat: Any) -> tuple[RawFeature | None, str]:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        return None, "not a GeoJSON Feature object"
    props = feat.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        return None, f"'properties' is a {type(props).__name__}, expected an object or null"
    geom = feat.get("geometry")
    if geom is None:
        return None, "feature has no geometry (null)"
    raw = RawFeature(index, _feature_id(feat), props)
    try:
        _add_geometry(raw, geom, depth=0)
    except _BadGeometryError as exc:
        return None, str(exc)
    if not (raw.polygons or raw.lines or raw.points):
        return None, "geometry is empty"
    return raw, ""


class _BadGeometryError(Exception):
    pass


def _add_geometry(raw: RawFeature, geom: Any, depth: int) -> None:
    if not isinstance(geom, dict):
        raise _BadGeometryError(f"geometry is a {type(geom).__name__}, expected an object")
    kind = geom.get("type")
    if kind == "GeometryCollection":
        members = geom.get("geometries")
        if not isinstance(members, list) or depth > 4:
            raise _BadGeometryError("GeometryCollection without a 'geometries' list")
        for member in members:
            _add_geometry(raw, member, depth + 1)
        return
    if kind not in GEOMETRY_TYPES:
        raise _BadGeometryError(f"unknown geometry type {kind!r}")
    coords = geom.get("coordinates")
    if coords is None:
        raise _BadGeometryError(f"{kind} has no 'coordinates'")
    if kind == "Point":
        raw.points.append(_positions([coords], kind))
    elif kind == "MultiPoint":
        if coords:
            raw.points.append(_positions(coords, kind))
    elif kind == "LineString":
        raw.lines.append(_line(coords, kind, raw))
    elif kind == "MultiLineString":
        _need_list(coords, kind)
        raw.lines.extend(_line(c, kind, raw) for c in coords)
    elif kind == "Polygon":
        raw.polygons.append(_polygon(coords, kind, raw))
    else:  # MultiPolygon
        _need_list(coords, kind)
        raw.polygons.extend(_polygon(c, kind, raw) for c in coords)


def _need_list(value: Any, kind: str) -> None:
    if not isinstance(value, list):
        raise _BadGeometryError(f"{kind} coordinates are not a list")


def _positions(value: Any, kind: str) -> np.ndarray:
    """A list of positions as an (n, 2) float array; extra ordinates (z, m) are dropped."""
    _need_list(value, kind)
    try:
        arr = _numbers(value)
    except (ValueError, TypeError):
        # Mixed 2D/3D positions are legal GeoJSON; anything else is not.
        try:
            arr = _numbers([p[:2] for p in value])
        except (ValueError, TypeError, IndexError, KeyError):
            raise _BadGeometryError(f"{kind} coordinates are not lists of numbers") from None
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise _BadGeometryError(f"{kind} coordinates are not positions [x, y] or [x, y, z]")
    if arr.shape[1] > 2:
        arr = arr[:, :2]
    if not np.isfinite(arr).all():
        huge = _first_huge(value)
        if huge is not None:
            raise _BadGeometryError(
                f"{kind} coordinate {huge!r} is far too large for a position"
            )
    # NaN and infinity are checked once for all features together in load.py.
    return arr


def _first_huge(value: Any) -> HugeInteger | None:
    """The first HugeInteger among the nested lists ``value``, if any."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, HugeInteger):
            return item
        if isinstance(item, list):
            stack.extend(reversed(item))
    return None


def _numbers(value: Any) -> np.ndarray:
    """``value`` as a float array if every leaf is a JSON number; TypeError otherwise.

    numpy alone would turn "12.5" and true into numbers and null into NaN, which would hide a
    malformed feature (or blame the whole file for a NaN it does not contain).
    """
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind == "O" and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in arr.flat
    ):
        return arr.astype(np.float64)
    if arr.dtype.kind not in "iuf" and arr.size:
        raise TypeError("not numbers")
    return arr.astype(np.float64)


def _line(value: Any, kind: str, raw: RawFeature) -> np.ndarray:
    arr = _positions(value, kind)
    keep = np.ones(len(arr), bool)
    keep[1:] = np.any(arr[1:] != arr[:-1], axis=1)
    if not keep.all():
        raw.notes.append("repeated points removed from a line")
        arr = arr[keep]
    if len(arr) < 2:
        raise _BadGeometryError(f"{kind} has fewer than 2 distinct points")
    return arr


def _polygon(value: Any, kind: str, raw: RawFeature) -> list[np.ndarray]:
    _need_list(value, kind)
    rings: list[np.ndarray] = []
    for r, ring_value in enumerate(value):
        ring = _positions(ring_value, kind)
        if len(ring) and (ring[0, 0] != ring[-1, 0] or ring[0, 1] != ring[-1, 1]):
            raw.notes.append("unclosed ring closed")
            ring = np.vstack([ring, ring[:1]])
        # Repeated points are removed for all rings at once in load.py.
        if len(ring) < 4:
            if r == 0:
                raise _BadGeometryError(f"{kind} outer ring has fewer than 3 distinct points")
            raw.notes.append("degenerate hole dropped")
            continue
        rings.append(ring)
    if not rings:
        raise _BadGeometryError(f"{kind} has no rings")
    return rings
