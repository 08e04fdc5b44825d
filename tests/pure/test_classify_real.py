"""Real-data presentation (issue 14, item 5): which points become pins and how the rest are
counted, closed building lines, and the classification table of docs/data.md (farmland is
green, pools are water, railways, power lines and boundaries each look different)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from geojson_builders import collection, feature, geodesic_area, ll, polygon, square

from gwangju_twin.errors import InputError
from gwangju_twin.geo import load_geojson
from gwangju_twin.geo.report import format_report
from gwangju_twin.geo.tags import ADDRESS_ONLY, NO_TAGS, point_left_out
from gwangju_twin.mesh import build_district_mesh, palette
from gwangju_twin.mesh.topdown import draw_topdown

# --------------------------------------------------------------------------------------------
# Points: pins for points of interest, counts by tag for the rest
# --------------------------------------------------------------------------------------------

# (properties, kept as a pin in "poi" mode, tag counted when left out). The expectations are
# read off the rules written in docs/data.md ("Points"), not from the code's output.
POINTS: list[tuple[dict[str, Any], bool, str | None]] = [
    ({"natural": "tree"}, False, "natural=tree"),
    ({"natural": "tree", "leaf_type": "broadleaved"}, False, "natural=tree"),
    ({"natural": "tree"}, False, "natural=tree"),
    ({"highway": "crossing"}, False, "highway=crossing"),
    ({"highway": "crossing", "crossing": "zebra"}, False, "highway=crossing"),
    ({"highway": "street_lamp"}, False, "highway=street_lamp"),
    ({"highway": "traffic_signals"}, False, "highway=traffic_signals"),
    # A named bus stop is still street furniture (there are hundreds in a city).
    ({"highway": "bus_stop", "name": "상무역", "public_transport": "platform"}, False,
     "highway=bus_stop"),
    ({"barrier": "bollard"}, False, "barrier=bollard"),
    ({"amenity": "bench"}, False, "amenity=bench"),
    ({"amenity": "waste_basket"}, False, "amenity=waste_basket"),
    ({"tourism": "information", "information": "board"}, False, "tourism=information"),
    ({"addr:street": "상무대로", "addr:housenumber": "1"}, False, ADDRESS_ONLY),
    ({}, False, NO_TAGS),
    ({"source": "survey"}, False, NO_TAGS),
    ({"description": "Free text, one of a kind"}, False, "description=*"),
    ({"ele": "1785"}, False, "ele=*"),  # a number is no tag value to count by
    ({"natural": "peak"}, False, "natural=peak"),
    # Points of interest.
    ({"amenity": "cafe"}, True, None),  # an amenity tag alone is enough
    ({"amenity": "cafe", "name": "카페"}, True, None),
    ({"tourism": "attraction"}, True, None),
    ({"tourism": "information", "information": "office"}, True, None),
    ({"historic": "monument"}, True, None),
    ({"shop": "bakery"}, True, None),
    ({"railway": "station", "name": "상무역"}, True, None),
    ({"railway": "station"}, True, None),
    ({"natural": "peak", "name": "무등산"}, True, None),  # named, and no street furniture
    ({"name": "표지석"}, True, None),
    ({"name:en": "Marker"}, True, None),
    ({"kind": "landmark"}, True, None),  # the project's own kind: the author placed it
    # A POI tag wins over a furniture tag on the same point.
    ({"amenity": "cafe", "highway": "crossing"}, True, None),
    # ... but a furniture value of a POI key is no POI.
    ({"amenity": "bench", "name": "기념 의자"}, False, "amenity=bench"),
]


def _points_doc() -> dict[str, Any]:
    feats = [feature(polygon(square(0, 0, 20)), "house", building="house")]
    for n, (props, _, _) in enumerate(POINTS):
        feats.append(feature({"type": "Point", "coordinates": ll(40 + 5 * n, 0)}, f"p{n}",
                             **props))
    return collection(*feats)


@pytest.mark.parametrize("row", range(len(POINTS)), ids=[str(p[0]) for p in POINTS])
def test_point_rule(row: int) -> None:
    props, kept, counted = POINTS[row]
    tags = {k.lower(): v for k, v in props.items()}
    named = bool(tags.get("name") or tags.get("name:en"))
    assert point_left_out(tags, named) == (None if kept else counted)


def test_points_of_interest_become_pins_and_the_rest_are_counted_by_tag(
    write_geojson: Callable[..., Path],
) -> None:
    district, report = load_geojson(write_geojson(_points_doc()))
    kept_ids = {f"p{n}" for n, (_, kept, _) in enumerate(POINTS) if kept}
    pins = {district.feature_id[i] for i in district.select("landmarks")}
    assert pins == kept_ids
    expected = Counter(tag for _, kept, tag in POINTS if not kept)
    assert report.skipped_points == dict(expected)
    # Counted, not listed one by one: the skipped list holds real problems only.
    assert report.skipped == []
    assert report.loaded == 1 + len(kept_ids)
    assert report.features == 1 + len(POINTS)

    as_json = json.loads(json.dumps(report.as_dict()))
    assert as_json["skipped_points"] == dict(expected)
    counts = list(as_json["skipped_points"].values())
    assert counts == sorted(counts, reverse=True)  # most common first
    text = format_report(report)
    left = sum(expected.values())
    assert f"{left} points left out" in text
    assert "natural=tree 3" in text and "--points all" in text


def test_points_all_keeps_every_point(write_geojson: Callable[..., Path]) -> None:
    district, report = load_geojson(write_geojson(_points_doc()), points="all")
    assert report.skipped_points == {}
    assert len(district.select("landmarks")) == len(POINTS)
    assert report.loaded == 1 + len(POINTS)
    assert "left out" not in format_report(report)


def test_a_file_of_street_furniture_only_names_the_option(
    write_geojson: Callable[..., Path],
) -> None:
    doc = collection(*(feature({"type": "Point", "coordinates": ll(5 * n, 0)}, natural="tree")
                       for n in range(3)))
    with pytest.raises(InputError) as err:
        load_geojson(write_geojson(doc))
    message = str(err.value)
    assert "natural=tree 3" in message and "--points all" in message and "\n" not in message
    district, _ = load_geojson(write_geojson(doc), points="all")
    assert len(district) == 3


def test_gunsan_tagged_nodes(shared_data: Path) -> None:
    """The 17 tagged nodes of the Gunsan OSM extract (shared/data/README.md counts 17
    tagged points). Listed by hand from the file (osmium, every node with tags): 2
    highway=crossing, 6 highway=bus_stop (named platforms), 2 barrier=gate, 2
    highway=traffic_signals, and 5 named places: 2 tourism=guest_house, 1
    amenity=post_office, 2 amenity=cafe."""
    osmium = pytest.importorskip("osmium")
    path = shared_data / "kr_gunsan_map.osm"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    left: Counter[str] = Counter()
    pins = 0
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if not len(node.tags):
            continue
        tags = {t.k.lower(): t.v for t in node.tags}
        reason = point_left_out(tags, bool(tags.get("name") or tags.get("name:en")))
        if reason is None:
            pins += 1
        else:
            left[reason] += 1
    assert pins == 5
    assert left == {"highway=crossing": 2, "highway=bus_stop": 6, "barrier=gate": 2,
                    "highway=traffic_signals": 2}


# --------------------------------------------------------------------------------------------
# Closed building lines
# --------------------------------------------------------------------------------------------

def test_closed_building_lines_are_buildings(write_geojson: Callable[..., Path]) -> None:
    ring = square(0, 0, 30)  # counter-clockwise, closed
    cw = square(100, 0, 20)[::-1]  # clockwise
    rings = [square(200, 0, 10), square(240, 0, 10)]
    open_ring = square(300, 0, 20)[:-1]
    roundabout = square(400, 0, 30)
    doc = collection(
        feature({"type": "LineString", "coordinates": ring}, "line", building="yes",
                height=12),
        feature({"type": "LineString", "coordinates": cw}, "cw", building="house"),
        feature({"type": "MultiLineString", "coordinates": rings}, "multi", building="garage"),
        feature({"type": "LineString", "coordinates": open_ring}, "open", building="yes"),
        feature({"type": "LineString", "coordinates": roundabout}, "road", highway="primary",
                junction="roundabout"),
        feature({"type": "LineString", "coordinates": square(500, 0, 30)}, "fence",
                barrier="fence"),
    )
    district, report = load_geojson(write_geojson(doc))
    row = {fid: i for i, fid in enumerate(district.feature_id)}

    i = row["line"]
    assert district.layer[i] == "buildings" and district.height[i] == 12.0
    assert district.geometry[i].geom_type == "Polygon"
    assert district.geometry[i].area == pytest.approx(geodesic_area(ring), rel=1e-4)
    assert shapely.is_ccw(district.geometry[i].exterior)

    i = row["cw"]
    assert (district.layer[i], district.kind[i]) == ("buildings", "house")
    assert district.geometry[i].area == pytest.approx(geodesic_area(cw), rel=1e-4)
    assert shapely.is_ccw(district.geometry[i].exterior)

    i = row["multi"]
    assert district.layer[i] == "buildings"
    assert district.geometry[i].geom_type == "MultiPolygon"
    assert len(district.geometry[i].geoms) == 2

    repaired = {r.id for r in report.repaired if "closed line" in r.reason}
    assert repaired == {"line", "cw", "multi"}

    # An open line cannot be extruded: drawn as a line, and the report says why.
    i = row["open"]
    assert district.layer[i] == "area" and district.geometry[i].geom_type == "LineString"
    assert any(w.id == "open" and "not closed" in w.reason for w in report.warnings)
    # Closed lines that are no buildings stay lines.
    assert district.layer[row["road"]] == "roads"
    assert district.geometry[row["road"]].geom_type == "LineString"
    assert district.geometry[row["fence"]].geom_type == "LineString"
    assert report.layers["buildings"] == 3


# --------------------------------------------------------------------------------------------
# The classification table (docs/data.md, "Layers")
# --------------------------------------------------------------------------------------------

# (geometry, properties, layer, kind), from the table in docs/data.md.
TABLE: list[tuple[str, dict[str, Any], str, str]] = [
    ("polygon", {"landuse": "vineyard"}, "green", "vineyard"),
    ("polygon", {"landuse": "orchard"}, "green", "orchard"),
    ("polygon", {"landuse": "meadow"}, "green", "meadow"),
    ("polygon", {"landuse": "farmland"}, "green", "farmland"),
    ("polygon", {"landuse": "allotments"}, "green", "allotments"),
    ("polygon", {"landuse": "plant_nursery"}, "green", "plant_nursery"),
    ("polygon", {"landuse": "paddy"}, "green", "paddy"),
    ("polygon", {"leisure": "swimming_pool"}, "water", "swimming_pool"),
    ("polygon", {"landuse": "reservoir"}, "water", "reservoir"),
    ("polygon", {"landuse": "basin"}, "water", "basin"),
    ("polygon", {"natural": "water", "water": "pond"}, "water", "pond"),
    ("polygon", {"boundary": "administrative"}, "area", "administrative"),
    ("line", {"railway": "rail"}, "area", "railway"),
    ("line", {"railway": "tram"}, "area", "railway"),
    ("line", {"railway": "subway"}, "area", "railway"),
    ("line", {"railway": "abandoned"}, "area", "line"),
    ("line", {"power": "line"}, "area", "power_line"),
    ("line", {"power": "minor_line"}, "area", "power_line"),
    ("line", {"boundary": "administrative", "admin_level": "8"}, "area", "administrative"),
    ("line", {}, "area", "area"),
    ("line", {"name": "경계"}, "area", "area"),
    ("line", {"barrier": "fence"}, "area", "barrier"),
    ("line", {"natural": "cliff"}, "area", "line"),
    ("line", {"highway": "residential"}, "roads", "residential"),
]


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Any:
    feats = []
    for n, (gtype, props, _, _) in enumerate(TABLE):
        x = 60.0 * n
        geometry = (polygon(square(x, 0, 20)) if gtype == "polygon" else
                    {"type": "LineString", "coordinates": [ll(x, 0), ll(x + 20, 40)]})
        feats.append(feature(geometry, f"t{n}", **props))
    path = tmp_path_factory.mktemp("table") / "table.geojson"
    path.write_text(json.dumps(collection(*feats), ensure_ascii=False), encoding="utf-8")
    district, _ = load_geojson(path)
    return district


@pytest.mark.parametrize("row", range(len(TABLE)),
                         ids=[f"{g} {p}" for g, p, _, _ in TABLE])
def test_classification_table(row: int, table: Any) -> None:
    _, _, layer, kind = TABLE[row]
    assert list(table.source_index) == list(range(len(TABLE)))
    assert (table.layer[row], table.kind[row]) == (layer, kind)


def _line_colours(district: Any) -> dict[int, set[tuple[int, ...]]]:
    """The colours of the ``lines`` batch per feature row."""
    mesh = build_district_mesh(district)
    out: dict[int, set[tuple[int, ...]]] = {}
    for batch in mesh.batches:
        if batch.material == "lines":
            for fid, rgba in zip(batch.feature_ids, batch.colors, strict=True):
                out.setdefault(int(fid), set()).add(tuple(int(c) for c in rgba))
    return out


def test_railways_power_lines_and_boundaries_look_different(table: Any) -> None:
    rows = {kind: i for i, kind in enumerate(table.kind)}
    colours = _line_colours(table)
    looks = {kind: colours[rows[kind]] for kind in ("railway", "power_line", "administrative")}
    assert all(len(c) == 1 for c in looks.values())
    assert len({next(iter(c)) for c in looks.values()}) == 3
    assert looks["administrative"] == {palette.AREA_LINE}  # the boundary purple stays
    # Railways alone also get a track-wide ribbon.
    mesh = build_district_mesh(table)
    rails = [b for b in mesh.batches if b.material == "rails" and b.vertex_count]
    owners = set(np.concatenate([b.feature_ids for b in rails]).tolist())
    assert owners == {i for i, k in enumerate(table.kind) if k == "railway"}
    assert not [b for b in mesh.shown({"area": False}) if b.material == "rails"]


def test_minimap_draws_railways(table: Any) -> None:
    image, _ = draw_topdown(table, size=256)
    rgb = image[..., :3].reshape(-1, 3)
    assert (rgb == np.array(palette.RAILWAY_COLOR[:3], np.uint8)).all(axis=1).any()
