"""Reading OpenStreetMap XML and PBF through pyosmium (gwangju_twin.geo.osm).

Expected values come from the small files each test writes (by hand, so the answer is in the
test), from parsing the real Gunsan XML with plain ``xml.etree`` in the test itself, or, for
the Liechtenstein PBF, from ../shared/data/README.md and from a run of ``osmium export``
(osmium-tool 1.15.0, libosmium 2.19.0, installed from Debian) on the same file, counted by
hand as written next to each number.
"""

from __future__ import annotations

import bz2
import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely

from gwangju_twin.errors import InputError
from gwangju_twin.geo.crs import CrsChoice
from gwangju_twin.geo.frame import WGS84
from gwangju_twin.geo.load import DEFAULT_MAX_VERTICES, _Loader, _Reading, _skip_oversized
from gwangju_twin.geo.model import District, LoadReport
from gwangju_twin.geo.osm import read_osm, way_shape
from gwangju_twin.geo.reader import RawCollection, RawFeature

# --------------------------------------------------------------------------------------------
# Hand-written files
# --------------------------------------------------------------------------------------------

#: A 100 m square (nodes 1-4) with a 20 m square hole (nodes 5-8) near Gwangju City Hall.
NODES = {
    1: (126.8500, 35.1500), 2: (126.8511, 35.1500), 3: (126.8511, 35.1509),
    4: (126.8500, 35.1509), 5: (126.8502, 35.1502), 6: (126.8504, 35.1502),
    7: (126.8504, 35.1504), 8: (126.8502, 35.1504),
}


def _osm(body: str, nodes: dict[int, tuple[float, float]] = NODES) -> str:
    lines = [f'  <node id="{i}" lon="{lon}" lat="{lat}"/>' for i, (lon, lat) in nodes.items()]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
            + "\n".join(lines) + "\n" + body + "\n</osm>\n")


def _way(wid: int, refs: list[int], **tags: str) -> str:
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    return f'  <way id="{wid}">{nds}{_tags(tags)}</way>'


def _tags(tags: dict[str, str]) -> str:
    return "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())


def _write(tmp_path: Path, text: str, name: str = "town.osm") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _by_id(raw: RawCollection) -> dict[str, list[RawFeature]]:
    out: dict[str, list[RawFeature]] = {}
    for feat in raw.features:
        out.setdefault(str(feat.id), []).append(feat)
    return out


def _reasons(raw: RawCollection) -> dict[str, str]:
    return {str(i.id): i.reason for i in raw.skipped}


MULTIPOLYGON = "\n".join([
    _way(10, [1, 2, 3, 4, 1]),
    _way(11, [5, 6, 7, 8, 5], building="yes"),
    '  <relation id="20"><member type="way" ref="10" role="outer"/>'
    '<member type="way" ref="11" role="inner"/>'
    + _tags({"type": "multipolygon", "leisure": "park", "name": "공원"}) + "</relation>",
])


def test_multipolygon_with_a_hole(tmp_path: Path) -> None:
    raw = read_osm(_write(tmp_path, _osm(MULTIPOLYGON)))
    (park,) = _by_id(raw)["relation/20"]
    assert park.properties == {"type": "multipolygon", "leisure": "park", "name": "공원"}
    (rings,) = park.polygons  # one polygon: a shell and one hole
    assert len(rings) == 2
    shell, hole = (shapely.Polygon(r) for r in rings)
    # The shell is nodes 1-4, the hole nodes 5-8: compare as sets of positions.
    assert {tuple(p) for p in rings[0]} == {NODES[i] for i in (1, 2, 3, 4)}
    assert {tuple(p) for p in rings[1]} == {NODES[i] for i in (5, 6, 7, 8)}
    assert shell.contains(hole)
    # The inner way carries its own tags: it is an area of its own (a building in the hole);
    # the untagged outer way is only a member, not a feature.
    (building,) = _by_id(raw)["way/11"]
    assert building.properties == {"building": "yes"} and len(building.polygons) == 1
    assert "way/10" not in _by_id(raw)
    assert raw.total == 2 and not raw.skipped
    assert (raw.format, raw.encoding, raw.crs_member) == ("OpenStreetMap XML", "utf-8", None)


def test_closed_ways_are_areas_or_lines_by_their_tags(tmp_path: Path) -> None:
    body = "\n".join([
        _way(30, [1, 2, 3, 4, 1], highway="residential"),  # a loop road: a line
        _way(31, [1, 2, 3, 4, 1], highway="pedestrian", area="yes"),  # a square: an area
        _way(32, [1, 2, 3, 4, 1], landuse="grass", area="no"),  # area=no wins
        _way(33, [1, 2, 3, 4, 1], natural="tree_row"),  # natural, but a blocklisted value
        _way(34, [1, 2, 3, 4, 1], leisure="park", barrier="fence"),  # both
        _way(35, [1, 2, 3], highway="service"),  # open: a line
        _way(36, [1, 2, 3, 4, 1], name="no shape tag"),  # closed, no area tag: a line
    ])
    feats = _by_id(read_osm(_write(tmp_path, _osm(body))))
    shapes = {fid: sorted("area" if f.polygons else "line" for f in fs)
              for fid, fs in feats.items()}
    assert shapes == {
        "way/30": ["line"], "way/31": ["area"], "way/32": ["line"], "way/33": ["line"],
        "way/34": ["area", "line"], "way/35": ["line"], "way/36": ["line"],
    }
    # A closed line keeps its closing position (the loop is closed).
    (loop,) = feats["way/30"]
    assert len(loop.lines[0]) == 5 and tuple(loop.lines[0][0]) == tuple(loop.lines[0][-1])


@pytest.mark.parametrize(("tags", "expected"), [
    ({"building": "yes"}, (True, False)),
    ({"building": "no"}, (False, True)),
    ({"highway": "primary"}, (False, True)),
    ({"highway": "rest_area"}, (True, False)),
    ({"highway": "footway", "area": "yes"}, (True, False)),
    ({"amenity": "parking", "area": "no"}, (False, True)),
    ({"natural": "wood"}, (True, False)),
    ({"natural": "coastline"}, (False, True)),
    ({"waterway": "riverbank"}, (True, False)),
    ({"waterway": "stream"}, (False, True)),
    ({"barrier": "hedge"}, (True, False)),
    ({"power": "line"}, (False, True)),
    ({"power": "station", "building": "yes"}, (True, False)),  # station: not a line
    ({"historic": "ruins", "barrier": "wall"}, (True, True)),
    ({"amenity": "school", "barrier": "fence", "area": "yes"}, (True, False)),
])
def test_way_shape_follows_the_polygon_features_table(
    tags: dict[str, str], expected: tuple[bool, bool]
) -> None:
    # Expected values read off https://wiki.openstreetmap.org/wiki/Overpass_turbo/Polygon_Features
    # (building: all; highway: passlist services, rest_area, escape, elevator; natural:
    # blocklist coastline, ...; barrier: passlist with hedge; power: passlist without station).
    assert way_shape(tags, closed=True) == expected
    assert way_shape(tags, closed=False) == (False, True)


def test_tagged_nodes_are_points_and_untagged_ones_are_not(tmp_path: Path) -> None:
    nodes = dict(NODES)
    body = ('  <node id="50" lon="126.86" lat="35.16">'
            + _tags({"amenity": "bench"}) + "</node>\n"
            '  <node id="51" lon="126.87" lat="35.17">' + _tags({"name": "광주"}) + "</node>\n"
            '  <node id="52" lon="126.87" lat="95.0">' + _tags({"amenity": "bench"}) + "</node>")
    raw = read_osm(_write(tmp_path, _osm(body, nodes)))
    feats = _by_id(raw)
    assert sorted(feats) == ["node/50", "node/51"]
    np.testing.assert_array_equal(feats["node/50"][0].points[0], [[126.86, 35.16]])
    assert feats["node/51"][0].properties == {"name": "광주"}
    # Latitude 95 is no position on Earth: skipped, named.
    assert "no valid position" in _reasons(raw)["node/52"]
    assert raw.total == 3


def test_ways_with_nodes_outside_the_extract(tmp_path: Path) -> None:
    body = "\n".join([
        _way(60, [1, 2, 999, 3, 4], highway="footway"),  # node 999 is not in the file
        _way(61, [1, 999, 998], highway="footway"),  # one position left: nothing to draw
        _way(62, [1, 2, 999, 4, 1], building="yes"),  # an area cannot be closed
    ])
    raw = read_osm(_write(tmp_path, _osm(body)))
    feats, reasons = _by_id(raw), _reasons(raw)
    # The line keeps the two runs that have positions, and says so.
    (path60,) = feats["way/60"]
    assert [len(p) for p in path60.lines] == [2, 2]
    np.testing.assert_array_equal(path60.lines[1], [NODES[3], NODES[4]])
    assert path60.notes == ["1 of its 5 nodes is not in the file (outside the extract); "
                            "2 pieces with positions kept"]
    assert "2 of its 3 nodes are not in the file" in reasons["way/61"]
    assert "1 of its 5 nodes is not in the file" in reasons["way/62"]
    assert "cannot be closed" in reasons["way/62"]


def test_relations_that_do_not_assemble_are_skipped_with_the_reason(tmp_path: Path) -> None:
    body = "\n".join([
        _way(70, [1, 2, 3]),  # an open ring: the relation cannot close
        _way(71, [5, 6, 7, 8, 5]),
        '  <relation id="80"><member type="way" ref="70" role="outer"/>'
        + _tags({"type": "multipolygon", "landuse": "forest"}) + "</relation>",
        '  <relation id="81"><member type="way" ref="71" role="outer"/>'
        '<member type="way" ref="777" role="outer"/>'
        + _tags({"type": "boundary", "boundary": "administrative"}) + "</relation>",
        '  <relation id="82"><member type="way" ref="71" role="outer"/>'
        + _tags({"type": "multipolygon"}) + "</relation>",
        '  <relation id="83"><member type="way" ref="71" role="outer"/>'
        + _tags({"type": "route", "route": "bus"}) + "</relation>",  # not an area relation
    ])
    raw = read_osm(_write(tmp_path, _osm(body)))
    reasons = _reasons(raw)
    assert "could not assemble an area" in reasons["relation/80"]
    assert "1 of its 2 member ways is not in the file" in reasons["relation/81"]
    assert "no tags besides 'type'" in reasons["relation/82"]
    assert "relation/83" not in reasons and not raw.features
    assert raw.total == 3


def test_self_crossing_building_is_passed_on_for_repair(tmp_path: Path) -> None:
    # A bow tie: osmium's assembler refuses it (osmium export drops it); the ring goes on
    # to the loader, which repairs it with make_valid as for GeoJSON.
    raw = read_osm(_write(tmp_path, _osm(_way(90, [1, 3, 2, 4, 1], building="yes"))))
    (bowtie,) = raw.features
    assert len(bowtie.polygons) == 1 and len(bowtie.polygons[0][0]) == 5
    assert "could not assemble" in bowtie.notes[0]
    district, report = _load(tmp_path / "town.osm", raw)
    assert list(district.layer) == ["buildings"]
    assert district.geometry[0].is_valid and district.geometry[0].area > 0
    assert [i.id for i in report.repaired][:1] == ["way/90"]


def test_compressed_xml_reads_like_plain_xml(tmp_path: Path) -> None:
    text = _osm(MULTIPOLYGON)
    plain = read_osm(_write(tmp_path, text))
    gz = tmp_path / "town.osm.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    bz = tmp_path / "town.osm.bz2"
    bz.write_bytes(bz2.compress(text.encode()))
    for path, fmt in ((gz, "OpenStreetMap XML (gzip)"), (bz, "OpenStreetMap XML (bzip2)")):
        raw = read_osm(path)
        assert raw.format == fmt
        assert [f.id for f in raw.features] == [f.id for f in plain.features]


def _write_pbf(path: Path) -> None:
    writer = osmium.SimpleWriter(str(path))
    for i, loc in NODES.items():
        writer.add_node(osmium.osm.mutable.Node(id=i, location=loc))
    writer.add_node(osmium.osm.mutable.Node(id=50, location=(126.86, 35.16),
                                            tags={"amenity": "cafe"}))
    writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[5, 6, 7, 8, 5],
                                          tags={"building": "yes"}))
    writer.add_way(osmium.osm.mutable.Way(id=12, nodes=[1, 2, 3], tags={"highway": "path"}))
    writer.close()


def test_pbf_is_read_by_content_whatever_its_name(tmp_path: Path) -> None:
    pbf = tmp_path / "town.osm.pbf"
    _write_pbf(pbf)
    misnamed = tmp_path / "town.osm"
    misnamed.write_bytes(pbf.read_bytes())
    for path in (pbf, misnamed):
        raw = read_osm(path)
        assert raw.format == "OpenStreetMap PBF"
        assert [f.id for f in raw.features] == ["node/50", "way/11", "way/12"]


@pytest.mark.parametrize("what", ["truncated pbf", "truncated xml", "not osm xml", "junk",
                                  "empty", "no tagged objects"])
def test_broken_files_raise_one_line(tmp_path: Path, what: str) -> None:
    if what == "truncated pbf":
        _write_pbf(tmp_path / "whole.osm.pbf")
        data = (tmp_path / "whole.osm.pbf").read_bytes()
        path = tmp_path / "bad town.osm.pbf"
        # Cut inside the last blob: a PBF cut exactly between blobs looks complete (the
        # format has no end marker), which no reader can tell.
        path.write_bytes(data[:-5])
        words: tuple[str, ...] = ("OpenStreetMap PBF", "expected a complete .osm.pbf")
    else:
        path = tmp_path / "bad town.osm"
        text = {
            "truncated xml": _osm(MULTIPOLYGON)[:400],
            "not osm xml": '<?xml version="1.0"?><kml></kml>',
            "junk": "hello, not OpenStreetMap",
            "empty": "",
            "no tagged objects": _osm(_way(10, [1, 2, 3])),
        }[what]
        path.write_text(text, encoding="utf-8")
        words = {
            "truncated xml": ("OpenStreetMap XML", "XML parsing error"),
            "not osm xml": ("OpenStreetMap XML", "kml"),
            "junk": ("neither OpenStreetMap XML",),
            "empty": ("file is empty", "OpenStreetMap XML or PBF"),
            "no tagged objects": ("no tagged node, way or relation",),
        }[what]
    with pytest.raises(InputError) as err:
        read_osm(path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(path))
    for word in words:
        assert word in message


def test_size_limit_and_missing_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _osm(MULTIPOLYGON))
    with pytest.raises(InputError, match="larger than the limit"):
        read_osm(path, max_bytes=100)
    with pytest.raises(InputError, match="file not found"):
        read_osm(tmp_path / "nowhere.osm")


# --------------------------------------------------------------------------------------------
# Through the loader (the file-format dispatch lands separately; this calls the loader's
# internals with the RawCollection, as load_geojson will)
# --------------------------------------------------------------------------------------------

def _load(path: Path, raw: RawCollection) -> tuple[District, LoadReport]:
    _skip_oversized(raw, DEFAULT_MAX_VERTICES)
    choice = CrsChoice(WGS84, "default", "GeoJSON's default")
    return _Loader(path, raw, choice, 3.0, reading=_Reading(points="all")).load(None)


def test_end_to_end_park_with_a_building_in_its_hole(tmp_path: Path) -> None:
    path = _write(tmp_path, _osm(MULTIPOLYGON))
    district, report = _load(path, read_osm(path))
    assert sorted(zip(district.feature_id, district.layer, strict=True)) == [
        ("relation/20", "green"), ("way/11", "buildings")]
    park = district.geometry[list(district.feature_id).index("relation/20")]
    assert len(park.interiors) == 1  # the hole survives projection and repair
    # 100 m x 100 m less 18 m x 22 m, roughly: the hole is cut out of the area.
    building = district.geometry[list(district.feature_id).index("way/11")]
    assert park.area == pytest.approx(shapely.Polygon(park.exterior).area - building.area,
                                      rel=1e-9)
    assert report.loaded == 2 and not report.skipped


# --------------------------------------------------------------------------------------------
# Real files in ../shared/data (skipped cleanly when the folder is absent)
# --------------------------------------------------------------------------------------------

def _gunsan_counts(path: Path) -> dict[str, int]:
    """Counts read straight from the XML with xml.etree, by the rules docs/data.md states:
    a tagged node is a point; a closed way (first ref = last ref) with building (not "no")
    is a building area; a highway way is a line unless it is closed with area=yes."""
    root = ET.parse(path).getroot()
    counts = {"points": 0, "buildings": 0, "highway_lines": 0, "closed_highway_lines": 0,
              "area_relations": 0}
    for node in root.iter("node"):
        counts["points"] += node.find("tag") is not None
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        refs = [nd.get("ref") for nd in way.iter("nd")]
        closed = len(refs) > 3 and refs[0] == refs[-1]
        if closed and tags.get("building", "no") != "no":
            counts["buildings"] += 1
        if "highway" in tags and not (closed and tags.get("area") == "yes"):
            counts["highway_lines"] += 1
            counts["closed_highway_lines"] += closed
    for rel in root.iter("relation"):
        tags = {t.get("k"): t.get("v") for t in rel.iter("tag")}
        counts["area_relations"] += tags.get("type") in ("multipolygon", "boundary")
    return counts


def test_real_gunsan_xml(shared_data: Path) -> None:
    path = shared_data / "kr_gunsan_map.osm"
    raw = read_osm(path)
    expected = _gunsan_counts(path)
    # README: 124 building ways, 17 tagged points; the etree count must agree with it.
    assert (expected["buildings"], expected["points"]) == (124, 17)
    points = [f for f in raw.features if f.points]
    buildings = [f for f in raw.features if f.polygons and "building" in f.properties]
    highways = [f for f in raw.features if f.lines and "highway" in f.properties]
    assert len(points) == expected["points"]
    assert len(buildings) == expected["buildings"]
    assert len(highways) == expected["highway_lines"] == 121  # README: 121 roads
    assert expected["closed_highway_lines"] > 0  # loops stay lines, not plazas
    assert all(len(f.lines[0]) >= 2 for f in highways)
    # The two postal-code boundary relations reach outside the export (their member ways are
    # not in the file, checked by hand with grep): both are skipped, with the reason.
    assert expected["area_relations"] == 2
    assert len(raw.skipped) == 2
    assert all("member ways are not in the file" in i.reason for i in raw.skipped)
    assert all(f.id is not None and f.id.split("/")[0] in ("node", "way", "relation")
               for f in raw.features)
    # Korean names come through as text.
    assert any(f.properties.get("name", "").startswith("군산") for f in raw.features)
    lon = np.concatenate([p[:, 0] for f in points for p in f.points])
    assert ((lon > 126.67) & (lon < 126.69)).all()  # the README's bounds, roughly


def test_real_gunsan_loads_into_the_readme_layers(shared_data: Path) -> None:
    path = shared_data / "kr_gunsan_map.osm"
    district, report = _load(path, read_osm(path))
    layers = dict(report.layers)
    # README, counted after osmium export: 124 buildings, 121 roads.
    assert (layers["buildings"], layers["roads"]) == (124, 121)
    assert report.loaded == len(district) == report.features - 2


def test_real_liechtenstein_pbf(shared_data: Path) -> None:
    path = shared_data / "li_liechtenstein-2015.osm.pbf"
    raw = read_osm(path)
    assert raw.format == "OpenStreetMap PBF"
    points = sum(1 for f in raw.features if f.points)
    buildings = sum(1 for f in raw.features
                    if f.polygons and f.properties.get("building", "no") != "no")
    highways = sum(1 for f in raw.features if f.lines and "highway" in f.properties)
    relation_areas = sum(1 for f in raw.features if f.polygons and f.id.startswith("rel"))
    # README: 4,715 tagged points. osmium export (see the module docstring) gave 9,566
    # MultiPolygons with building != no, 4,682 LineStrings with a highway tag (closed
    # highways it also exports as polygons; here they are lines only) and 58 MultiPolygons
    # from relations.
    assert points == 4715
    assert buildings == 9566
    assert highways == 4682
    assert relation_areas == 58
    # Every multipolygon or boundary relation is either an area or skipped with a reason;
    # counted here with a plain relation pass of pyosmium, without the area assembler.
    candidates = sum(
        1 for r in osmium.FileProcessor(str(path), osmium.osm.RELATION)
        if r.tags.get("type") in ("multipolygon", "boundary"))
    skipped = [i for i in raw.skipped if str(i.id).startswith("relation/")]
    assert relation_areas + len(skipped) == candidates
    assert len(skipped) == len(raw.skipped)  # nothing else in this extract is broken
