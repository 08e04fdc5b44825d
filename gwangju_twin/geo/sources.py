"""One entry for every data file: find its format by content (and name), read it raw.

GeoJSON goes to the project's own parser (geo/reader.py); Shapefile (also zipped),
GeoPackage, FlatGeobuf and GeoJSON Sequence go through GDAL (geo/ogr.py); OpenStreetMap XML
and PBF go through pyosmium (geo/osm.py). A format the viewer does not read is named in one
line, with the command that converts it.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import struct
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from gwangju_twin.errors import InputError
from gwangju_twin.geo.encodings import DETECTED, codec_name, decodes, undecodable
from gwangju_twin.geo.reader import (
    RawCollection,
    check_data_file,
    decode_geojson,
    max_bytes_now,
    parse_geojson,
    read_data_bytes,
    sidecar,
    too_large,
)

if TYPE_CHECKING:
    from gwangju_twin.geo.ogr import OgrSource

#: The formats the viewer reads.
SourceFormat = Literal[
    "GeoJSON", "GeoJSON Sequence", "ESRI Shapefile", "zipped Shapefile", "GeoPackage",
    "FlatGeobuf", "OSM XML", "OSM PBF",
]

#: File name endings of GeoJSON Sequences (RFC 8142 and the newline-delimited variants).
SEQUENCE_SUFFIXES = (".geojsonl", ".geojsons", ".geojsonseq", ".geojsonld", ".ndjson",
                     ".jsonl")

_HEAD = 4096
_SQLITE = b"SQLite format 3\x00"
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")  # the application_id at offset 68
_SHAPE = b"\x00\x00\x27\x0a"  # 9994, big-endian: the file code of .shp and .shx
_FGB = b"fgb\x03"
#: A PBF file starts with the length of its first BlobHeader, whose type is "OSMHeader".
_PBF = b"\x0a\x09OSMHeader"
_READS = ("GeoJSON, GeoJSON Sequence, Shapefile (also zipped), GeoPackage, FlatGeobuf and "
          "OpenStreetMap XML or PBF")
_COMPRESSED = (
    (b"\x1f\x8b", ".gz", "gzip-compressed", "gunzip"),
    (b"BZh", ".bz2", "bzip2-compressed", "bunzip2"),
    (b"\xfd7zXZ\x00", ".xz", "xz-compressed", "unxz"),
    (b"7z\xbc\xaf\x27\x1c", ".7z", "a 7z archive", "7z x"),
    (b"\x28\xb5\x2f\xfd", ".zst", "zstd-compressed", "unzstd"),
)


def ogr2ogr(path: Path, out: str = "out.geojson") -> str:
    """The ogr2ogr command that converts ``path`` into ``out`` (GeoJSON by default)."""
    driver = "GPKG" if out.endswith(".gpkg") else "GeoJSON"
    return f"'ogr2ogr -f {driver} {out} {shlex.quote(path.name)}'"


def _unsupported(path: Path, what: str, command: str | None = None) -> InputError:
    todo = f"convert it with {command}" if command else f"convert it with {ogr2ogr(path)}"
    return InputError(f"{path}: is {what}, which the viewer does not read; {todo}")


def _head(path: Path) -> bytes:
    # check_data_file has refused pipes and devices: reading a few bytes cannot block.
    try:
        with path.open("rb") as f:
            return f.read(_HEAD)
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror})") from None


def detect_format(path: Path, head: bytes | None = None) -> SourceFormat:
    """The format of data file ``path``, from its first bytes (``head``, read if None) and
    its name; InputError naming the format and its conversion for one the viewer does not
    read."""
    if head is None:
        head = _head(path)
    name = path.name.lower()
    if head.startswith(_SHAPE):
        if name.endswith(".shx"):
            raise InputError(f"{path}: is a Shapefile's index (.shx); open the .shp file "
                             "beside it")
        return "ESRI Shapefile"
    if head.startswith(_SQLITE):
        if head[68:72] in _GPKG_IDS or name.endswith(".gpkg"):
            return "GeoPackage"
        raise _unsupported(path, "an SQLite database that is not a GeoPackage (SpatiaLite?)",
                           ogr2ogr(path, "out.gpkg"))
    if head.startswith(_FGB):
        return "FlatGeobuf"
    if head[4:15] == _PBF:
        return "OSM PBF"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(path)
    for magic, ext, what, unpack in _COMPRESSED:
        if head.startswith(magic):
            if name.endswith((".osm.gz", ".osm.bz2")):
                return "OSM XML"  # pyosmium reads compressed XML itself
            inner = shlex.quote(path.name[: -len(ext)] if name.endswith(ext) else "FILE")
            raise InputError(f"{path}: is {what}; unpack it first ({unpack} "
                             f"{shlex.quote(path.name)}), then open {inner}")
    if head.startswith(b"\xff\xe0"):
        raise _unsupported(path, "an o5m OpenStreetMap file",
                           f"'osmium export {shlex.quote(path.name)} -o out.geojson' (or "
                           f"'osmium cat {shlex.quote(path.name)} -o out.osm.pbf')")
    if head.startswith(b"PAR1"):
        raise _unsupported(path, "a (Geo)Parquet file", ogr2ogr(path, "out.gpkg"))
    if name.endswith((".dbf", ".shx", ".prj", ".cpg")):
        raise InputError(f"{path}: is part of a Shapefile; open the .shp file beside it")
    return _text_format(path, head)


def _text_format(path: Path, head: bytes) -> SourceFormat:
    name = path.name.lower()
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if b"\x00" in head[:256]:
        # UTF-16/32 text (a NUL in every character): the GeoJSON reader names it as such.
        if name.endswith((".json", ".geojson")) or head.startswith(
                (b"\xff\xfe", b"\xfe\xff")):
            return "GeoJSON"
        raise _unsupported(path, f"a binary file in a format not recognised (the viewer "
                           f"reads {_READS})")
    if text.startswith(b"\x1e"):
        return "GeoJSON Sequence"
    if text.startswith(b"<"):
        return _xml_format(path, text.lower())
    if text.startswith((b"{", b"[")):
        if name.endswith(SEQUENCE_SUFFIXES) or _first_line_is_feature(path):
            return "GeoJSON Sequence"
        return "GeoJSON"
    lines = text.splitlines()
    if len(lines) >= 2 and lines[0].strip() == b"0" and lines[1].strip() == b"SECTION":
        raise _unsupported(path, "a DXF (CAD) drawing")
    if name.endswith((".csv", ".tsv")) or (lines and lines[0].count(b",") >= 1
                                           and b"{" not in lines[0]):
        raise _unsupported(
            path, "CSV text",
            f"'ogr2ogr -f GeoJSON out.geojson {shlex.quote(path.name)} "
            "-oo X_POSSIBLE_NAMES=lon*,x -oo Y_POSSIBLE_NAMES=lat*,y' (points), or keep "
            "geometry as WKT in a column named WKT")
    if text.lower().startswith(b"!table"):
        raise _unsupported(path, "a MapInfo table")
    return "GeoJSON"  # the GeoJSON reader names anything else "not valid JSON"


def _xml_format(path: Path, text: bytes) -> SourceFormat:
    if b"<osm" in text and b"<osmchange" not in text:
        return "OSM XML"
    for marker, what in ((b"citymodel", "CityGML"), (b"<kml", "KML"), (b"<gpx", "GPX"),
                         (b"gml", "GML")):
        if marker in text:
            raise _unsupported(path, what)
    raise _unsupported(path, "XML but not OpenStreetMap XML (no <osm> element)")


def _first_line_is_feature(path: Path) -> bool:
    """Whether the file is newline-delimited GeoJSON features: its first line is a whole
    Feature (or geometry) object and more follows. Only a file with a short first line is
    checked: a one-line FeatureCollection is GeoJSON, whatever its length."""
    try:
        with path.open("rb") as f:
            first = f.readline(1 << 20).removeprefix(b"\xef\xbb\xbf")
            rest = f.read(_HEAD).strip()
    except OSError:
        return False
    if not rest or not first.rstrip().endswith(b"}"):
        return False
    try:
        doc = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and doc.get("type") not in (None, "FeatureCollection")


def _members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [
        i for i in zf.infolist()
        if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        and not PurePosixPath(i.filename).name.startswith(".")
    ]


def _zip_format(path: Path) -> SourceFormat:
    try:
        with zipfile.ZipFile(path) as zf:
            members = _members(zf)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: is a damaged ZIP archive ({exc})") from None
    names = [m.filename for m in members]
    lower = [n.lower() for n in names]
    shps = [n for n, lo in zip(names, lower, strict=True) if lo.endswith(".shp")]
    if len(shps) == 1:
        return "zipped Shapefile"
    if len(shps) > 1:
        listed = ", ".join(shps[:6]) + (", ..." if len(shps) > 6 else "")
        raise InputError(f"{path}: the ZIP archive holds {len(shps)} Shapefiles ({listed}); "
                         "the viewer reads one: extract the one you want (its .shp, .shx, "
                         ".dbf, .prj and .cpg) and open its .shp")
    if path.name.lower().endswith(".kmz") or any(lo.endswith(".kml") for lo in lower):
        raise _unsupported(path, "KMZ (zipped KML)")
    listed = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "") or "nothing"
    raise InputError(f"{path}: is a ZIP archive holding no Shapefile ({listed}); extract the "
                     f"data file first (unzip {shlex.quote(path.name)})")


def read_source(
    path: Path, max_bytes: int | None = None, encoding: str | None = None,
) -> RawCollection:
    """Read data file ``path`` in whatever format it is (``detect_format``) into raw parts.

    Only a regular file of at most ``max_bytes`` is read (a Shapefile counts its .shp and
    .dbf, a zipped one their unpacked sizes). ``encoding`` (the --encoding option) decodes
    the attributes, overriding a .cpg file and detection.
    """
    max_bytes = max_bytes_now() if max_bytes is None else max_bytes
    check_data_file(path, max_bytes)
    head = _head(path)
    if not head:
        raise InputError(f"{path}: file is empty (0 bytes); expected {_expected(path)}")
    fmt = detect_format(path, head)
    if fmt in ("OSM XML", "OSM PBF"):
        from gwangju_twin.geo.osm import read_osm

        return read_osm(path, max_bytes)
    if fmt == "GeoJSON":
        text, label = decode_geojson(path, read_data_bytes(path, max_bytes), encoding)
        raw = parse_geojson(path, text)
        raw.encoding = label
        return raw
    from gwangju_twin.geo.ogr import OgrSource, read_ogr

    if fmt == "GeoJSON Sequence":
        return read_ogr(_sequence(path, max_bytes, encoding))
    if fmt == "GeoPackage":
        return read_ogr(OgrSource(path, "GPKG", str(path)), encoding)
    if fmt == "FlatGeobuf":
        return read_ogr(OgrSource(path, "FlatGeobuf", str(path)), encoding)
    if fmt == "ESRI Shapefile":
        return read_ogr(_shapefile_on_disk(path), encoding)
    raw = read_ogr(_zipped_shapefile(path, max_bytes), encoding)
    raw.format = "ESRI Shapefile (in a ZIP archive)"
    return raw


#: What a file's name promises, for the message about an empty one.
_BY_NAME = {".shp": "a Shapefile", ".zip": "a ZIP archive holding a Shapefile",
            ".gpkg": "a GeoPackage", ".fgb": "a FlatGeobuf file",
            ".osm": "OpenStreetMap XML", ".pbf": "OpenStreetMap PBF",
            ".geojsonl": "a GeoJSON Sequence", ".geojsons": "a GeoJSON Sequence"}


def _expected(path: Path) -> str:
    return _BY_NAME.get(path.suffix.lower(), "a GeoJSON object or another data file "
                        "(docs/data.md)")


def _sequence(path: Path, max_bytes: int, encoding: str | None) -> OgrSource:
    """A GeoJSON Sequence for GDAL: the file itself when UTF-8, else its text re-encoded."""
    from gwangju_twin.geo.ogr import OgrSource  # GDAL loads only for the files that need it

    data = read_data_bytes(path, max_bytes)
    if encoding is None and decodes(data, "utf-8"):
        # "GeoJSONSeq:" makes GDAL read it as a sequence whatever the file is called.
        return OgrSource(path, "GeoJSONSeq", f"GeoJSONSeq:{path}")
    if encoding is not None:
        if not decodes(data, encoding):
            raise undecodable(str(path), data, [encoding])
        text, label = data.decode(encoding), f"{encoding} (from --encoding)"
    elif decodes(data, "cp949"):
        text, label = data.decode("cp949"), "cp949 (detected: not valid UTF-8)"
    else:
        raise undecodable(str(path), data, DETECTED)
    buffer = io.BytesIO(text.encode("utf-8"))
    return OgrSource(path, "GeoJSONSeq", buffer, encoding_label=label)


def _declared(cpg: bytes | None, dbf_head: bytes, ldid_name: str | None
              ) -> tuple[str | None, str] | None:
    """The encoding a Shapefile declares and where: its .cpg file, else the language driver
    byte of its .dbf header (as GDAL names it), else None."""
    if cpg is not None:
        return codec_name(cpg.decode("latin1")), "its .cpg file"
    if len(dbf_head) > 29 and dbf_head[29] != 0 and ldid_name:
        return codec_name(ldid_name), "its .dbf header (language driver)"
    return None


def _ldid_name(gdal_path: str) -> str | None:
    import pyogrio

    try:
        found = pyogrio.read_info(gdal_path).get("encoding")
    except Exception:
        return None
    return str(found) if found else None


def _shapefile_on_disk(path: Path) -> OgrSource:
    """A Shapefile beside its .dbf (and .prj, .cpg), checked whole (``_check_whole``)."""
    from gwangju_twin.geo.ogr import OgrSource

    cpg_path, dbf_path, prj_path = (sidecar(path, s) for s in (".cpg", ".dbf", ".prj"))
    try:
        cpg = cpg_path.read_bytes()[:64] if cpg_path else None
        prj = prj_path.read_bytes()[:_PRJ_BYTES] if prj_path else None
        with path.open("rb") as f:
            shp_head = f.read(100)
        dbf_head = b""
        if dbf_path is not None:
            with dbf_path.open("rb") as f:
                dbf_head = f.read(32)
        _check_whole(path, path.name, path.stat().st_size, shp_head,
                     None if dbf_path is None else (dbf_path.name, dbf_path.stat().st_size),
                     dbf_head)
    except OSError as exc:
        raise InputError(f"{path}: cannot read its .cpg, .prj or .dbf file "
                         f"({exc.strerror})") from None
    ldid = (_ldid_name(str(path)) if cpg is None and len(dbf_head) > 29 and dbf_head[29]
            else None)
    return OgrSource(path, "ESRI Shapefile", str(path), _declared(cpg, dbf_head, ldid),
                     prj=_prj_text(prj))


#: The most of a .prj file read to quote it (a CRS's WKT is a few hundred bytes).
_PRJ_BYTES = 65536


def _prj_text(prj: bytes | None) -> str | None:
    return None if prj is None else prj.decode("latin1")


def _check_whole(where: Path, shp: str, shp_size: int, shp_head: bytes,
                 dbf: tuple[str, int] | None, dbf_head: bytes) -> None:
    """InputError unless a Shapefile has its attribute table (.dbf) and neither its .shp nor
    its .dbf is shorter than its header says: GDAL reads a .shp without its .dbf (every
    feature then without attributes: no heights, no names, no kinds) and the features of a
    cut-short .shp as empty, both without a word. ``shp`` is the .shp's name (in a ZIP
    archive ``where``, the member's)."""
    if dbf is None:
        inside = f" in the archive, beside {shp}" if shp != where.name else " beside the .shp"
        raise InputError(f"{where}: its attribute table ({PurePosixPath(shp).stem}.dbf) is "
                         "missing; a Shapefile is its .shp, .shx and .dbf files together: put "
                         f"the .dbf{inside}")
    if len(shp_head) >= 28:
        # The file's length in 16-bit words, big-endian, at byte 24 (ESRI's white paper).
        said = struct.unpack(">i", shp_head[24:28])[0] * 2
        if shp_size < said:
            what = "is" if shp == where.name else f"{shp} in the archive is"
            raise InputError(f"{where}: {what} cut short: its header says {said:,} bytes, the "
                             f"file has {shp_size:,}; copy it again")
    name, size = dbf
    if len(dbf_head) >= 12:
        # dBASE: records at byte 4, header size at 8, record size at 10 (little-endian).
        count, header, record = struct.unpack("<IHH", dbf_head[4:12])
        said = header + count * record
        if size < said:
            raise InputError(f"{where}: its attribute table {name} is cut short: its header "
                             f"says {count:,} records, {said:,} bytes, the file has "
                             f"{size:,}; copy it again")


def _zipped_shapefile(path: Path, max_bytes: int) -> OgrSource:
    """The one Shapefile in ZIP archive ``path``, as a /vsizip/ path GDAL reads in place."""
    from gwangju_twin.geo.ogr import OgrSource

    with zipfile.ZipFile(path) as zf:
        members = _members(zf)
        shp = next(m for m in members if m.filename.lower().endswith(".shp"))
        stem = shp.filename[:-4].lower()
        by_ext = {m.filename[len(stem):].lower(): m for m in members
                  if m.filename.lower().startswith(stem) and len(m.filename) == len(stem) + 4}
        dbf = by_ext.get(".dbf")
        # The unpacked sizes count: a small archive can hold a huge (or hostile) table.
        size = shp.file_size + (dbf.file_size if dbf else 0)
        if size > max_bytes:
            raise InputError(too_large(path, size, max_bytes).replace(
                " MB, larger", " MB unpacked, larger", 1))
        cpg = zf.read(by_ext[".cpg"])[:64] if ".cpg" in by_ext else None
        prj = zf.open(by_ext[".prj"]).read(_PRJ_BYTES) if ".prj" in by_ext else None
        head = zf.open(dbf).read(32) if dbf else b""
        _check_whole(path, PurePosixPath(shp.filename).name, shp.file_size,
                     zf.open(shp).read(100),
                     None if dbf is None else (PurePosixPath(dbf.filename).name,
                                               dbf.file_size), head)
    gdal_path = f"/vsizip/{os.fspath(path.absolute())}/{shp.filename}"
    ldid = _ldid_name(gdal_path) if cpg is None and len(head) > 29 and head[29] else None
    return OgrSource(path, "ESRI Shapefile", gdal_path, _declared(cpg, head, ldid),
                     prj=_prj_text(prj))
