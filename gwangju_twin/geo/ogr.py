"""Files GDAL reads (Shapefile, GeoPackage, FlatGeobuf, GeoJSON Sequence) -> raw parts.

pyogrio hands over whole columns: every geometry as WKB and every attribute as an array.
The geometries are taken apart with shapely's vectorised functions (get_parts, get_rings,
get_coordinates) into the same RawCollection the GeoJSON parser makes, so everything after
reading (layers, heights, repair, report, meshing) is shared. A feature whose geometry is
missing or of a kind the viewer does not draw is listed as skipped, with the reason.

A Shapefile's attributes (.dbf) carry no reliable encoding: they are read as Latin-1, which
keeps every byte, and decoded here: with ``--encoding`` if given, else with the encoding its
.cpg file (or .dbf header) declares, else as UTF-8, else as CP949 (see geo/encodings.py).
"""

from __future__ import annotations

import io
import json
import sys
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pyogrio
import pyogrio.errors
import shapely
from pyogrio.raw import read as ogr_read

from gwangju_twin.errors import InputError
from gwangju_twin.geo.encodings import DETECTED, choose, undecodable
from gwangju_twin.geo.model import Issue
from gwangju_twin.geo.reader import RawCollection, RawFeature

#: The formats read through GDAL, by the name of GDAL's driver.
OgrDriver = Literal["ESRI Shapefile", "GPKG", "FlatGeobuf", "GeoJSONSeq"]

#: What the report calls each format, and where each keeps its CRS (for messages).
FORMAT_NAMES: dict[OgrDriver, str] = {
    "ESRI Shapefile": "ESRI Shapefile", "GPKG": "GeoPackage", "FlatGeobuf": "FlatGeobuf",
    "GeoJSONSeq": "GeoJSON Sequence",
}
_CRS_DECLARED_BY: dict[OgrDriver, str] = {
    "ESRI Shapefile": "its .prj file", "GPKG": "its GeoPackage layer's CRS",
    "FlatGeobuf": "its FlatGeobuf header's CRS", "GeoJSONSeq": "its GeoJSON Sequence",
}

# shapely's geometry type ids (shapely.GeometryType)
_POINT, _LINESTRING, _LINEARRING, _POLYGON = 0, 1, 2, 3
_MULTI = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection


@dataclass(frozen=True)
class OgrSource:
    """One layer source for GDAL: the user's file, what GDAL opens and how to decode it.

    ``gdal_path`` differs from ``path`` for a zipped Shapefile (``/vsizip/...``) or holds
    the re-encoded bytes of a GeoJSON Sequence that was not UTF-8. ``declared`` is the
    encoding a Shapefile declares and where (``("cp949", "its .cpg file")``).
    """

    path: Path
    driver: OgrDriver
    gdal_path: str | io.BytesIO
    declared: tuple[str | None, str] | None = None
    #: How the text was decoded when that happened before GDAL saw it (GeoJSON Sequence).
    encoding_label: str | None = None
    #: A Shapefile's .prj file as text (Latin-1), None when it has none.
    prj: str | None = None

    def sequence_bytes(self) -> bytes:
        """The UTF-8 bytes a GeoJSON Sequence was read from (what GDAL was handed)."""
        if isinstance(self.gdal_path, io.BytesIO):
            return self.gdal_path.getvalue()
        return self.path.read_bytes()


def read_ogr(source: OgrSource, encoding: str | None = None) -> RawCollection:
    """Read the one layer of ``source`` with features into a RawCollection.

    ``encoding`` (the --encoding option) decodes the attributes, overriding what the file
    declares and detection. Raises InputError (one line) when the file cannot be read, has
    several layers with features, or its text decodes in no encoding tried.
    """
    path, driver = source.path, source.driver
    fmt = FORMAT_NAMES[driver]
    layer = _layer(source)
    shapefile = driver == "ESRI Shapefile"
    try:
        # GDAL's warnings (a GeoJSON Sequence's bad coordinates) come as Python warnings;
        # kept here to explain the features they are about, not printed as GDAL words them.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            meta, fids, wkb, columns = ogr_read(
                source.gdal_path, layer=layer, return_fids=True, datetime_as_string=True,
                # Latin-1 maps every byte to one character: nothing is lost, and the real
                # encoding is decided below from all of the text at once.
                encoding="latin1" if shapefile else encoding,
            )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: {fmt} text is not {(encoding or 'UTF-8').upper()} "
            f"(byte 0x{exc.object[exc.start]:02x}); pass --encoding NAME with the "
            "encoding it uses") from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise InputError(f"{path}: cannot read this {fmt} file ({_first_line(exc)})") from None
    except Exception:
        # What a damaged file makes of pyogrio besides its own errors (a cut-short
        # FlatGeobuf: an IndexError inside it); this call does nothing but read the file.
        raise InputError(f"{path}: cannot read this {fmt} file (damaged, or cut short)"
                         ) from None
    names = [str(n) for n in meta["fields"]]
    columns = [_plain(col) for col in columns]
    label = source.encoding_label or ("utf-8" if encoding is None else
                                      f"{encoding} (from --encoding)")
    if shapefile:
        names, columns, label = _decode_dbf(source, names, columns, encoding)
    wkb = np.asarray(wkb, dtype=object) if wkb is not None else np.full(len(fids), None)
    ids: list[str | None] = ([str(f) for f in fids.tolist()] if driver == "GPKG"
                             else [None] * len(fids))
    features, skipped = _features(wkb, ids, names, columns)
    said = [" ".join(str(w.message).split()) for w in caught]
    total = len(fids)
    if driver == "GeoJSONSeq":
        features, skipped, total = _sequence_checked(source, features, skipped, total, said)
    else:
        _told(path, said)
    crs = meta.get("crs")
    return RawCollection(
        features, skipped, total,
        # RFC 8142: a GeoJSON Sequence is lon/lat WGS 84 like GeoJSON; GDAL says so anyway.
        crs_member=None if driver == "GeoJSONSeq" else crs,
        crs_declared_by=_CRS_DECLARED_BY[driver], format=fmt, encoding=label,
        # GDAL reads a .prj it cannot make sense of as no CRS at all.
        crs_unreadable=(_unreadable_prj(source.prj) if shapefile and crs is None
                        and source.prj is not None else None),
    )


def _unreadable_prj(text: str) -> str:
    """What a .prj GDAL read no CRS from holds, for messages: ``its .prj file ('...')``."""
    shown = " ".join(text.split())
    if not shown:
        return "its .prj file (empty)"
    return f"its .prj file ({shown[:60] + '...' if len(shown) > 60 else shown!r})"


def _told(path: Path, said: list[str]) -> None:
    """GDAL's warnings about a file no feature's reason explains: each once, in one line
    naming the file, on stderr (as the warnings module would have, but without its source
    line of pyogrio's)."""
    for text in dict.fromkeys(said):
        print(f"gwangju-twin: warning: {path}: GDAL: {text}", file=sys.stderr)


def _sequence_checked(source: OgrSource, features: list[RawFeature], skipped: list[Issue],
                      total: int, said: list[str]
                      ) -> tuple[list[RawFeature], list[Issue], int]:
    """A GeoJSON Sequence's features and skips, checked against its records: GDAL passes
    over a record that is not JSON without a word, and reads a geometry it cannot make out
    as none, with a warning. When GDAL read fewer records than the file holds, or warned,
    or found a feature without geometry, the records are parsed here: each one not JSON is
    skipped by its line, the features take their record's number as their index, and a
    feature whose record has a geometry GDAL read none from says so."""
    data = source.sequence_bytes()
    if total == _record_count(data) and not said and not skipped:
        return features, skipped, total  # the usual case: nothing to look into
    records = _records(data)
    parsed = [_json_object(text) for _, text in records]  # each an object, or why not
    read = [n for n, record in enumerate(parsed) if isinstance(record, dict)]
    if len(read) != total:  # GDAL took records otherwise than JSON does: leave as read
        _told(source.path, said)
        return features, skipped, total
    number = dict(enumerate(read))  # GDAL's row -> the record's number in the file
    out_features = [replace(f, index=number[f.index]) for f in features]
    out_skipped: list[Issue] = []
    for issue in skipped:
        n = number[issue.index]
        reason = issue.reason
        record = parsed[n]
        if reason.startswith("feature has no geometry") and isinstance(record, dict) and \
                record.get("geometry") is not None:
            why = "; ".join(dict.fromkeys(said)) if said else "coordinates GDAL cannot read"
            reason = f"line {records[n][0]}: geometry could not be read (GDAL: {why})"
            said = []
        out_skipped.append(Issue(n, issue.id, reason))
    for n, ((line, _), record) in enumerate(zip(records, parsed, strict=True)):
        if isinstance(record, str):
            out_skipped.append(Issue(n, None, f"line {line}: not a JSON object ({record}); "
                                               "not read"))
    _told(source.path, said)
    out_skipped.sort(key=lambda issue: issue.index)
    return out_features, out_skipped, len(records)


def _record_count(data: bytes) -> int:
    """How many records a GeoJSON Sequence holds: RS-separated (RFC 8142) or one a line."""
    if b"\x1e" in data:
        return sum(1 for part in data.split(b"\x1e") if part.strip())
    return sum(1 for line in data.splitlines() if line.strip())


def _records(data: bytes) -> list[tuple[int, str]]:
    """Each record of a GeoJSON Sequence with the line it starts on (1-based)."""
    text = data.decode("utf-8", "replace")
    out: list[tuple[int, str]] = []
    line = 1
    for part in (text.split("\x1e") if "\x1e" in text else text.splitlines(keepends=True)):
        lead = len(part) - len(part.lstrip())
        if part.strip():
            out.append((line + part[:lead].count("\n"), part))
        line += part.count("\n") if "\x1e" in text else 1
    return out


def _json_object(text: str) -> dict[str, object] | str:
    """A record parsed: the JSON object it holds, or why it holds none."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at column {exc.colno}"
    if isinstance(value, dict):
        return value
    return f"a JSON {type(value).__name__}, not an object"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _layer(source: OgrSource) -> str | int | None:
    """The layer to read: the only one with features; InputError naming them if several."""
    if source.driver != "GPKG":
        return None
    try:
        layers = pyogrio.list_layers(source.gdal_path)
        counts = {
            str(name): pyogrio.read_info(source.gdal_path, layer=str(name))["features"]
            for name, geometry in layers if geometry is not None
        }
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(f"{source.path}: cannot read this GeoPackage ({_first_line(exc)})"
                         ) from None
    full = [name for name, count in counts.items() if count]
    if len(full) == 1:
        return full[0]
    if not full:
        raise InputError(f"{source.path}: the GeoPackage has no layer with geometries and "
                         f"features (layers: {', '.join(str(n) for n, _ in layers) or 'none'})")
    raise InputError(
        f"{source.path}: the GeoPackage has {len(full)} layers with features "
        f"({', '.join(full)}); the viewer reads one: copy it out with 'ogr2ogr -f GPKG "
        f"one.gpkg {source.path.name} {full[0]}'")


def _plain(col: np.ndarray) -> np.ndarray:
    """An attribute column as Python values: NaN (GDAL's null number) becomes None."""
    if col.dtype.kind == "f":
        out = col.astype(object)
        out[np.isnan(col)] = None
        return out
    return col


def _decode_dbf(
    source: OgrSource, names: list[str], columns: list[np.ndarray], encoding: str | None,
) -> tuple[list[str], list[np.ndarray], str]:
    """Decode a Shapefile's field names and text (read as Latin-1) in the chosen encoding;
    the names, the columns and the encoding's label for the report."""
    text = [i for i, col in enumerate(columns) if col.dtype.kind == "O" and
            any(isinstance(v, str) for v in col[:1000])]
    # All of the text as one byte string: one decode decides, for every value at once.
    raw = "\x00".join([*names, *(v for i in text for v in columns[i] if isinstance(v, str))]
                      ).encode("latin1")
    where = f"{source.path}: attributes (.dbf)"
    declared, declared_by = source.declared or (None, "")
    if encoding is not None:
        chosen, label = encoding, f"{encoding} (from --encoding)"
        if choose(raw, encoding) != encoding:
            raise undecodable(where, raw, [encoding])
    else:
        found = choose(raw, declared)
        if found is None:
            raise undecodable(where, raw, [*([declared] if declared else []), *DETECTED])
        chosen = found
        if declared_by and declared is None:
            label = f"{found} (detected; {declared_by} names no encoding Python knows)"
        elif found == declared:
            label = f"{found} (from {declared_by})"
        elif declared:
            label = f"{found} (detected; {declared_by} says {declared}, which does not fit)"
        elif raw.isascii():
            label = "utf-8 (ASCII text)"
        else:
            label = f"{found} (detected: no .cpg file)"
    names = [n.encode("latin1").decode(chosen) for n in names]
    for i in text:
        columns[i] = _decoded(columns[i], chosen)
    return names, columns, label


def _decoded(col: np.ndarray, encoding: str) -> np.ndarray:
    """A column of Latin-1 strings re-decoded in ``encoding``, in one decode when possible."""
    mask = np.fromiter((isinstance(v, str) for v in col), bool, len(col))
    values = col[mask].tolist()
    if not values or all(v.isascii() for v in values):
        return col
    parts = "\x00".join(values).encode("latin1").decode(encoding).split("\x00")
    if len(parts) != len(values):  # a value held a NUL byte itself: one at a time
        parts = [v.encode("latin1").decode(encoding) for v in values]
    out = col.copy()
    out[mask] = parts
    return out


def _features(
    wkb: np.ndarray, ids: list[str | None], names: list[str], columns: list[np.ndarray],
) -> tuple[list[RawFeature], list[Issue]]:
    """Every feature's parts from the WKB column, all at once; the skipped with reasons."""
    n = len(wkb)
    present = np.array([w is not None for w in wkb], dtype=bool)
    geoms = np.full(n, None, dtype=object)
    if present.any():
        geoms[present] = shapely.from_wkb(wkb[present], on_invalid="ignore")
    reasons: dict[int, str] = {}
    for i in np.flatnonzero(~present).tolist():
        reasons[i] = "feature has no geometry (null)"
    unread = present & np.array([g is None for g in geoms], dtype=bool)
    for i in np.flatnonzero(unread).tolist():
        reasons[i] = "geometry could not be read (malformed, or a ring not closed)"

    parts, owner = _flatten(geoms)
    types = shapely.get_type_id(parts)
    polygons: dict[int, list[list[np.ndarray]]] = {}
    lines: dict[int, list[np.ndarray]] = {}
    points: dict[int, list[np.ndarray]] = {}
    notes: dict[int, list[str]] = {}
    known = np.isin(types, (_POINT, _LINESTRING, _LINEARRING, _POLYGON))
    for i, t in zip(owner[~known].tolist(), types[~known].tolist(), strict=True):
        why = (f"unsupported geometry type {shapely.GeometryType(t).name} "
               "(convert curves with 'ogr2ogr -nlt CONVERT_TO_LINEAR')")
        reasons.setdefault(i, why)
        notes.setdefault(i, []).append(f"part dropped: {why}")
    _polygon_parts(parts[types == _POLYGON], owner[types == _POLYGON], polygons)
    is_line = (types == _LINESTRING) | (types == _LINEARRING)
    _line_parts(parts[is_line], owner[is_line], lines, notes, reasons)
    pts = types == _POINT
    if pts.any():
        xy = shapely.get_coordinates(parts[pts])
        order = np.argsort(owner[pts], kind="stable")
        owners, first = np.unique(owner[pts][order], return_index=True)
        for row, arr in zip(owners.tolist(), np.split(xy[order], first[1:]), strict=True):
            points[row] = [arr]

    values = [col.tolist() for col in columns]
    features: list[RawFeature] = []
    skipped: list[Issue] = []
    rows: list[tuple[object, ...]] = list(zip(*values, strict=True)) if values else [()] * n
    for i, row in enumerate(rows):
        props = dict(zip(names, row, strict=True))
        if i in polygons or i in lines or i in points:
            features.append(RawFeature(i, ids[i], props, polygons.get(i, []), lines.get(i, []),
                                       points.get(i, []), notes.get(i, [])))
        else:
            skipped.append(Issue(i, ids[i], reasons.get(i, "geometry is empty")))
    return features, skipped


def _flatten(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every non-empty single part (point, line, ring or polygon) and its feature's row."""
    ok = np.array([g is not None for g in geoms], dtype=bool)
    parts, owner = geoms[ok], np.flatnonzero(ok)
    for _ in range(8):  # collections nest a few levels at most
        multi = np.isin(shapely.get_type_id(parts), _MULTI)
        if not multi.any():
            break
        sub, which = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        owner = np.concatenate([owner[~multi], owner[multi][which]])
    keep = ~shapely.is_empty(parts)
    order = np.argsort(owner[keep], kind="stable")
    return parts[keep][order], owner[keep][order]


def _split(geoms: np.ndarray) -> list[np.ndarray]:
    """The (n, 2) coordinates of each geometry, from one get_coordinates call."""
    xy, which = shapely.get_coordinates(geoms, return_index=True)
    ends = np.cumsum(np.bincount(which, minlength=len(geoms))).tolist()
    # Slices are views: one per geometry, without np.split's per-piece overhead.
    return [xy[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _polygon_parts(polys: np.ndarray, owner: np.ndarray,
                   out: dict[int, list[list[np.ndarray]]]) -> None:
    if not len(polys):
        return
    # Shapefiles wind shells clockwise by their specification (and GDAL hands them on so):
    # turned counter-clockwise here, all at once, so the report does not list every
    # building as "reoriented" for following its own format's rule.
    polys = shapely.orient_polygons(polys)
    rings, ring_of = shapely.get_rings(polys, return_index=True)  # shell first, then holes
    per_poly: list[list[np.ndarray]] = [[] for _ in range(len(polys))]
    for k, ring in zip(ring_of.tolist(), _split(rings), strict=True):
        per_poly[k].append(ring)
    for row, poly in zip(owner.tolist(), per_poly, strict=True):
        out.setdefault(row, []).append(poly)


def _line_parts(lines: np.ndarray, owner: np.ndarray, out: dict[int, list[np.ndarray]],
                notes: dict[int, list[str]], reasons: dict[int, str]) -> None:
    """Lines without repeated consecutive points; a line with fewer than 2 distinct points
    is dropped (the GeoJSON reader refuses the same)."""
    if not len(lines):
        return
    xy, which = shapely.get_coordinates(lines, return_index=True)
    repeat = np.zeros(len(xy), bool)
    repeat[1:] = (xy[1:] == xy[:-1]).all(axis=1) & (which[1:] == which[:-1])
    for row in np.unique(owner[which[repeat]]).tolist():
        notes.setdefault(row, []).append("repeated points removed from a line")
    xy, which = xy[~repeat], which[~repeat]
    counts = np.bincount(which, minlength=len(lines))
    for row, count, arr in zip(owner.tolist(), counts.tolist(),
                               np.split(xy, np.cumsum(counts)[:-1]), strict=True):
        if count >= 2:
            out.setdefault(row, []).append(arr)
        else:
            reasons.setdefault(row, "LineString has fewer than 2 distinct points")
