"""Formats read through GDAL (pyogrio), the one dispatch by content, and text encodings.

Fixtures are written here with pyogrio.write from a tiny layer whose contents the test
states, so each expected value comes from the fixture, not from the reader's output. The
real Shapefile's counts come from ../shared/data/README.md; its Korean names are decoded
independently from the .dbf bytes with the standard library (struct + CP949).
"""

from __future__ import annotations

import argparse
import shutil
import struct
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyogrio.raw import write

from gwangju_twin.app.commands.options import encoding as encoding_option
from gwangju_twin.errors import InputError
from gwangju_twin.geo.encodings import codec_name, text_codec
from gwangju_twin.geo.load import load_geojson
from gwangju_twin.geo.sources import detect_format, read_source
from gwangju_twin.scene.scenefile import load_scene

NAMES = ["광주 시청", "무등산", None]
SQUARES = [shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10), None]


def _layer(path: Path, driver: str, encoding: str | None = None) -> Path:
    geoms = np.array([None if g is None else shapely.to_wkb(g) for g in SQUARES], dtype=object)
    names = np.array(NAMES, dtype=object)
    heights = np.array([12.5, 30.0, 3.0])
    write(str(path), geoms, [names, heights], ["name", "height"], driver=driver,
          geometry_type="Polygon", crs="EPSG:5186", encoding=encoding,
          # FlatGeobuf's spatial index cannot hold a null geometry
          layer_options={"SPATIAL_INDEX": "NO"} if driver == "FlatGeobuf" else None)
    return path


@pytest.mark.parametrize(("name", "driver", "expected"), [
    ("a.shp", "ESRI Shapefile", "ESRI Shapefile"),
    ("a.gpkg", "GPKG", "GeoPackage"),
    ("a.fgb", "FlatGeobuf", "FlatGeobuf"),
])
def test_each_gdal_format_detected_and_read(tmp_path: Path, name: str, driver: str,
                                            expected: str) -> None:
    path = _layer(tmp_path / name, driver)
    assert detect_format(path) == expected
    raw = read_source(path)
    assert raw.total == 3
    assert [f.properties["name"] for f in raw.features] == NAMES[:2]
    assert [r.reason for r in raw.skipped] == ["feature has no geometry (null)"]
    ring = raw.features[0].polygons[0][0]
    assert shapely.Polygon(ring).equals(SQUARES[0])
    assert raw.crs_member == "EPSG:5186"


def test_detection_ignores_a_misleading_name(tmp_path: Path) -> None:
    path = _layer(tmp_path / "a.gpkg", "GPKG")
    renamed = path.rename(tmp_path / "district.geojson")
    assert detect_format(renamed) == "GeoPackage"


def test_geojson_sequences_rs_and_newline(tmp_path: Path) -> None:
    feat = ('{"type": "Feature", "properties": {"name": "광주"}, "geometry": {"type": "Point", '
            '"coordinates": [126.85, 35.16]}}')
    lines = tmp_path / "a.geojsonl"
    lines.write_text(f"{feat}\n{feat}\n", encoding="utf-8")
    rs = tmp_path / "b.json"
    rs.write_text(f"\x1e{feat}\n\x1e{feat}\n", encoding="utf-8")
    plain = tmp_path / "c.geojson"  # newline-delimited under a GeoJSON name: by content
    plain.write_text(f"{feat}\n{feat}\n{feat}\n", encoding="utf-8")
    for path, n in ((lines, 2), (rs, 2), (plain, 3)):
        assert detect_format(path) == "GeoJSON Sequence"
        raw = read_source(path)
        assert raw.total == n and raw.features[0].properties["name"] == "광주"
    cp949 = tmp_path / "d.geojsonl"
    cp949.write_bytes(f"{feat}\n".encode("cp949"))
    raw = read_source(cp949)
    assert raw.features[0].properties["name"] == "광주" and raw.encoding.startswith("cp949")


def test_zipped_shapefile(tmp_path: Path) -> None:
    _layer(tmp_path / "b.shp", "ESRI Shapefile")
    archive = tmp_path / "b.shp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("b.*"):
            if part != archive:
                zf.write(part, f"folder/{part.name}")
    assert detect_format(archive) == "zipped Shapefile"
    raw = read_source(archive)
    assert [f.properties["name"] for f in raw.features] == NAMES[:2]
    assert raw.format.startswith("ESRI Shapefile")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "data", "words"), [
    ("o.json", b'{"version": 0.6, "generator": "Overpass API", "elements": []}',
     ("overpass", "osmtogeojson")),
    ("city.gml", b'<?xml version="1.0"?><core:CityModel xmlns:core="x"/>',
     ("citygml", "ogr2ogr")),
    ("a.kml", b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>',
     ("kml", "ogr2ogr")),
    ("a.gpx", b'<?xml version="1.0"?><gpx version="1.1"/>', ("gpx", "ogr2ogr")),
    ("a.gml", b'<?xml version="1.0"?><wfs:FeatureCollection xmlns:gml="g"/>', ("gml", "ogr2ogr")),
    ("a.dxf", b"  0\nSECTION\n  2\nHEADER\n", ("dxf", "ogr2ogr")),
    ("a.csv", b"name,lon,lat\nx,126.8,35.1\n", ("csv", "ogr2ogr")),
    ("a.topojson", b'{"type": "Topology", "objects": {}}', ("topojson", "ogr2ogr")),
    ("a.geojson.gz", b"\x1f\x8b\x08\x00rest", ("gzip", "gunzip")),
    ("a.dbf", b"\x03\x7e\x0c\x06rest", ("shapefile", ".shp")),
])
def test_unsupported_formats_named_with_their_conversion(
        tmp_path: Path, name: str, data: bytes, words: tuple[str, ...]) -> None:
    with pytest.raises(InputError) as info:
        read_source(_write(tmp_path / name, data))
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word.lower() in message.lower()


def test_osm_detected_by_content(tmp_path: Path) -> None:
    xml = _write(tmp_path / "map.xml", b"<?xml version='1.0'?>\n<osm version='0.6'></osm>")
    assert detect_format(xml) == "OSM XML"
    # A PBF starts with a 4-byte length and a BlobHeader of type "OSMHeader" (OSM wiki, PBF).
    pbf = _write(tmp_path / "x.bin", b"\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\x10")
    assert detect_format(pbf) == "OSM PBF"


def test_cp949_geojson_detected_and_reported(tmp_path: Path) -> None:
    doc = ('{"type": "Feature", "properties": {"name": "광주 시청", "building": "civic"}, '
           '"geometry": {"type": "Polygon", "coordinates": [[[126.85, 35.16], [126.851, 35.16],'
           ' [126.851, 35.161], [126.85, 35.16]]]}}')
    path = _write(tmp_path / "a.geojson", doc.encode("cp949"))
    district, report = load_geojson(path)
    assert district.name[0] == "광주 시청"
    assert report.encoding.startswith("cp949") and report.as_dict()["encoding"] == report.encoding
    # --encoding wins: read as Latin-1 the name is mojibake, but it is what was asked for.
    district, report = load_geojson(path, encoding="latin-1")
    assert district.name[0] != "광주 시청" and "--encoding" in report.encoding


# -- the shared register-style Shapefile ------------------------------------------------


def _dbf_names(dbf: Path, column: str) -> list[str]:
    """Column ``column`` of a dBASE III table decoded as CP949, with struct alone."""
    data = dbf.read_bytes()
    count, header, record = struct.unpack("<IHH", data[4:12])
    fields, offset = [], 1  # each record starts with a deletion flag byte
    for pos in range(32, header - 1, 32):
        name = data[pos:pos + 11].split(b"\x00")[0].decode("ascii")
        fields.append((name, offset, data[pos + 16]))
        offset += data[pos + 16]
    _, start, width = next(f for f in fields if f[0] == column)
    return [data[header + i * record + start: header + i * record + start + width]
            .decode("cp949").strip() for i in range(count)]


@pytest.fixture
def register_copy(shared_data: Path, tmp_path: Path) -> Path:
    for part in shared_data.glob("AL_D010_jamsil_sample.*"):
        if part.suffix != ".cpg":
            shutil.copy(part, tmp_path / part.name)
    return tmp_path / "AL_D010_jamsil_sample.shp"


def test_shared_shapefile_counts_names_and_crs(shared_data: Path) -> None:
    path = shared_data / "AL_D010_jamsil_sample.shp"
    raw = read_source(path)
    assert raw.total == len(raw.features) == 1357  # README.md: 1,357 buildings
    assert raw.crs_member == "EPSG:5186" and raw.crs_declared_by == "its .prj file"
    expected = _dbf_names(shared_data / "AL_D010_jamsil_sample.dbf", "A24")
    assert [f.properties["A24"] or "" for f in raw.features] == expected
    assert "롯데월드" in expected  # read by hand: feature 0 is Lotte World
    assert raw.encoding == "cp949 (from its .cpg file)"


def test_shared_shapefile_without_cpg_is_detected(register_copy: Path) -> None:
    raw = read_source(register_copy)
    assert raw.features[0].properties["A24"] == "롯데월드"
    assert raw.encoding.startswith("cp949 (detected")


def test_shared_shapefile_with_wrong_cpg(register_copy: Path) -> None:
    register_copy.with_suffix(".cpg").write_text("UTF-8")
    raw = read_source(register_copy)
    assert raw.features[0].properties["A24"] == "롯데월드"
    assert "says utf-8" in raw.encoding
    # Forcing UTF-8 on CP949 text is one line that names CP949 as the likely encoding.
    with pytest.raises(InputError, match="it may be CP949 \\(pass --encoding cp949\\)"):
        read_source(register_copy, encoding="utf-8")


def test_shared_shapefile_loads_whole(shared_data: Path) -> None:
    district, report = load_geojson(shared_data / "AL_D010_jamsil_sample.shp")
    assert report.loaded == 1357 and report.crs_from == "file"
    # The name column A24 becomes the name once the register's key aliases land.
    assert "롯데월드" in [p["A24"] for p in district.properties]
    # Jamsil lies at about 127.10 E, 37.51 N (the README's source is Seoul Jamsil).
    assert 127.0 < report.origin[0] < 127.2 and 37.4 < report.origin[1] < 37.6


def test_geopackage_layers(tmp_path: Path) -> None:
    path = _layer(tmp_path / "two.gpkg", "GPKG")
    # An attribute-only table beside the layer does not count: the layer is read.
    write(str(path), None, [np.array(["x"], dtype=object)], ["note"], layer="notes",
          driver="GPKG", append=True)
    assert read_source(path).total == 3
    wkb = np.array([shapely.to_wkb(shapely.box(0, 0, 1, 1))], dtype=object)
    write(str(path), wkb, [], [], layer="second", driver="GPKG", geometry_type="Polygon",
          crs="EPSG:5186", append=True)
    with pytest.raises(InputError, match=r"2 layers with features \(two, second\)"):
        read_source(path)


# -- A Shapefile that is not whole, a declaration nobody can read, a damaged file ----------

@pytest.mark.parametrize("codec", ["base64", "hex", "rot13", "zlib"])
def test_codecs_that_are_not_text_encodings(tmp_path: Path, codec: str) -> None:
    # Python knows these names, but as bytes-to-bytes codecs: decoding with one raises
    # LookupError, which no reader expects, so each is refused where it is named.
    assert codec_name(codec) is None and text_codec(codec) is None
    assert text_codec("CP949") == "cp949"
    with pytest.raises(argparse.ArgumentTypeError, match=f"--encoding '{codec}': not a text"):
        encoding_option(codec)
    scene = tmp_path / "scene.toml"
    source = _layer(tmp_path / "c.shp", "ESRI Shapefile", encoding="cp949")
    scene.write_text(f'[district]\nsource = "{source.name}"\nencoding = "{codec}"\n')
    with pytest.raises(InputError, match=r"district\.encoding.*not a text encoding"):
        load_scene(scene)
    # A .cpg naming one is a .cpg naming nothing Python reads text with: detection decides.
    source.with_suffix(".cpg").write_text(codec)
    raw = read_source(source)
    assert [f.properties["name"] for f in raw.features] == NAMES[:2]
    assert raw.encoding == "cp949 (detected; its .cpg file names no encoding Python knows)"


def test_shapefile_without_its_table(tmp_path: Path) -> None:
    source = _layer(tmp_path / "d.shp", "ESRI Shapefile")
    assert read_source(source).features[0].properties["name"] == NAMES[0]
    source.with_suffix(".dbf").unlink()
    # GDAL would read every feature without attributes, without a word.
    with pytest.raises(InputError, match=r"d\.shp: its attribute table \(d\.dbf\) is missing"):
        read_source(source)
    archive = tmp_path / "d.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("d.*"):
            if part != archive:
                zf.write(part, f"in/{part.name}")
    with pytest.raises(InputError, match=r"d\.zip: its attribute table \(d\.dbf\) is missing"
                       r".* in the archive, beside d\.shp"):
        read_source(archive)


def test_shapefile_cut_short(tmp_path: Path) -> None:
    source = _layer(tmp_path / "e.shp", "ESRI Shapefile")
    whole = source.read_bytes()
    # The header's length (16-bit words, big-endian, at byte 24) is the file's own.
    assert struct.unpack(">i", whole[24:28])[0] * 2 == len(whole)
    source.write_bytes(whole[:-20])
    with pytest.raises(InputError, match=f"e.shp: is cut short: its header says {len(whole):,}"
                       f" bytes, the file has {len(whole) - 20:,}"):
        read_source(source)
    source.write_bytes(whole)
    table = source.with_suffix(".dbf")
    data = table.read_bytes()
    table.write_bytes(data[:-30])
    with pytest.raises(InputError, match=r"e\.shp: its attribute table e\.dbf is cut short: "
                       r"its header says 3 records"):
        read_source(source)
    table.write_bytes(data)
    assert read_source(source).total == 3


@pytest.mark.parametrize(("prj", "shown"), [("GARBAGE WKT", "'GARBAGE WKT'"), ("", "empty")])
def test_shapefile_with_an_unreadable_prj(tmp_path: Path, prj: str, shown: str) -> None:
    source = _layer(tmp_path / "f.shp", "ESRI Shapefile")
    source.with_suffix(".prj").write_text(prj)
    # Read as no CRS at all, the metres of EPSG:5186 would be taken for lon/lat.
    with pytest.raises(InputError, match=f"f.shp: its .prj file \\({shown}\\) is not a "
                       "coordinate system GDAL can read; mend it, or name the data's CRS"):
        load_geojson(source)
    district, report = load_geojson(source, crs="EPSG:3857")
    assert len(district) == 2
    assert report.crs_warning == (f"its .prj file ({shown}) could not be read; read in "
                                  "EPSG:3857 (from the --crs option)")


def test_flatgeobuf_cut_short(tmp_path: Path) -> None:
    source = _layer(tmp_path / "g.fgb", "FlatGeobuf")
    data = source.read_bytes()
    for cut in (1000, len(data) // 2):
        source.write_bytes(data[:cut])
        with pytest.raises(InputError, match=r"g\.fgb: cannot read this FlatGeobuf file"):
            read_source(source)


@pytest.mark.parametrize(("name", "expected"), [
    ("a.shp", "a Shapefile"), ("a.osm", "OpenStreetMap XML"), ("a.fgb", "a FlatGeobuf file"),
    ("a.geojson", "a GeoJSON object or another data file")])
def test_an_empty_file_says_what_its_name_promised(tmp_path: Path, name: str,
                                                   expected: str) -> None:
    with pytest.raises(InputError, match=f"{name}: file is empty \\(0 bytes\\); expected "
                       f"{expected}"):
        read_source(_write(tmp_path / name, b""))


@pytest.mark.parametrize("separator", ["", "\x1e"])
def test_geojson_sequence_with_broken_records(tmp_path: Path, separator: str) -> None:
    def feat(name: str, coords: str = "[126.85, 35.16]") -> str:
        return (f'{separator}{{"type": "Feature", "properties": {{"name": "{name}"}}, '
                f'"geometry": {{"type": "Point", "coordinates": {coords}}}}}')

    records = [feat("a"), feat("b"), feat("bad", '["x"]'), feat("c"),
               f'{separator}{{"type": "Feature", broken', feat("d"), f"{separator}[1, 2]"]
    path = tmp_path / "s.geojsonl"
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # GDAL's own warning is not printed as such
        raw = read_source(path)
    # Every record is counted; each that is not read says why, by its line.
    assert raw.total == 7
    assert [(f.index, f.properties["name"]) for f in raw.features] == [
        (0, "a"), (1, "b"), (3, "c"), (5, "d")]
    reasons = {issue.index: issue.reason for issue in raw.skipped}
    assert set(reasons) == {2, 4, 6}
    assert reasons[2].startswith("line 3: geometry could not be read (GDAL: ")
    assert reasons[4].startswith("line 5: not a JSON object (Expecting property name")
    assert reasons[6] == "line 7: not a JSON object (a JSON list, not an object); not read"


def test_geojson_sequence_of_good_records_is_read_as_gdal_reads_it(tmp_path: Path) -> None:
    feat = ('{"type": "Feature", "properties": {"name": "광주"}, "geometry": null}\n'
            '{"type": "Feature", "properties": {"name": "무등산"}, "geometry": {"type": '
            '"Point", "coordinates": [126.99, 35.13]}}\n\n')
    path = _write(tmp_path / "n.geojsonl", feat.encode("utf-8"))
    raw = read_source(path)
    assert raw.total == 2 and [f.index for f in raw.features] == [1]
    assert [(i.index, i.reason) for i in raw.skipped] == [(0, "feature has no geometry (null)")]
