"""Reading GeoJSON: input forms, CRS, geometry types, classification, heights, real data.

Expectations come from the input each test builds (areas and lengths from pyproj's geodesic,
positions from pyproj's own projections), or, for the real files, from ../shared/data/README.md
and from reading the same file with plain ``json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from geojson_builders import (
    CITY_HALL,
    CRS84,
    GEOD,
    LONLAT_TO_5186,
    collection,
    feature,
    geodesic_area,
    geodesic_length,
    ll,
    polygon,
    square,
)

from gwangju_twin.errors import InputError
from gwangju_twin.geo import HEIGHT_SOURCES, LAYERS, load_geojson


def to_5186(geometry: Any) -> Any:
    """Deep-copy nested coordinate lists, projecting every [lon, lat] to EPSG:5186 metres."""
    if isinstance(geometry, dict):
        return {k: to_5186(v) for k, v in geometry.items()}
    if isinstance(geometry, list) and geometry and isinstance(geometry[0], float):
        x, y = LONLAT_TO_5186.transform(geometry[0], geometry[1])
        return [x, y, *geometry[2:]]
    if isinstance(geometry, list):
        return [to_5186(v) for v in geometry]
    return geometry


# --------------------------------------------------------------------------------------------
# Input forms
# --------------------------------------------------------------------------------------------

SHAPE = polygon(square(0, 0, 30))


@pytest.mark.parametrize(
    "form",
    ["feature-collection", "single-feature", "bare-geometry"],
)
def test_three_input_forms_load_the_same_shape(
    form: str, write_geojson: Callable[..., Path]
) -> None:
    one = feature(SHAPE, 42, building="office", name="광주광역시청")
    doc = {"feature-collection": collection(one), "single-feature": one,
           "bare-geometry": SHAPE}[form]
    district, report = load_geojson(write_geojson(doc))
    assert report.features == report.loaded == len(district) == 1
    assert district.geometry[0].area == pytest.approx(geodesic_area(square(0, 0, 30)), rel=1e-4)
    if form == "bare-geometry":
        assert district.feature_id == [None]
        assert district.properties == [{}]
        assert district.layer[0] == "area"
    else:
        assert district.feature_id == ["42"]  # ids are reported as text
        assert district.name == ["광주광역시청"]
        assert district.layer[0] == "buildings"
        assert district.kind[0] == "office"


# --------------------------------------------------------------------------------------------
# Coordinate reference systems
# --------------------------------------------------------------------------------------------

def _district_lonlat() -> list[dict[str, Any]]:
    """About 1.2 km across: buildings with a courtyard, a road, a river line and a point."""
    return [
        feature(polygon(square(-600, -400, 40)), "b1", building="apartments"),
        feature(polygon(square(100, 200, 60), square(120, 220, 20)[::-1]), "b2", building="yes"),
        feature({"type": "LineString", "coordinates": [ll(-500, 0), ll(0, 10), ll(600, 30)]},
                "r1", highway="primary"),
        feature({"type": "MultiLineString",
                 "coordinates": [[ll(-600, 400), ll(0, 420)], [ll(0, 420), ll(600, 400)]]},
                "w1", waterway="river"),
        feature({"type": "Point", "coordinates": ll(250, -300)}, "p1", name="5·18 기념공원"),
    ]


def _coords(district: Any) -> np.ndarray:
    return shapely.get_coordinates(district.geometry)


def test_epsg_5186_loads_to_the_same_local_positions_as_lonlat(
    write_geojson: Callable[..., Path],
) -> None:
    feats = _district_lonlat()
    lonlat_d, lonlat_r = load_geojson(write_geojson(collection(*feats), "lonlat.geojson"))
    projected = [{**f, "geometry": to_5186(f["geometry"])} for f in feats]
    raw = np.asarray(projected[0]["geometry"]["coordinates"][0])
    assert raw.min() > 1e5  # really metres: Gwangju is ~186 km east, ~284 km north in 5186

    member_d, member_r = load_geojson(
        write_geojson(collection(*projected, crs="EPSG:5186"), "member.geojson")
    )
    option_d, option_r = load_geojson(
        write_geojson(collection(*projected), "option.geojson"), crs="EPSG:5186"
    )
    assert (lonlat_r.crs, lonlat_r.crs_from) == ("EPSG:4326", "default")
    assert (member_r.crs, member_r.crs_from) == ("EPSG:5186", "file")
    assert (option_r.crs, option_r.crs_from) == ("EPSG:5186", "option")
    for d, r in ((member_d, member_r), (option_d, option_r)):
        assert list(d.layer) == list(lonlat_d.layer)
        assert np.abs(_coords(d) - _coords(lonlat_d)).max() < 0.01  # within 1 cm
        assert r.origin == pytest.approx(lonlat_r.origin, abs=1e-7)
        assert r.bbox_lonlat == pytest.approx(lonlat_r.bbox_lonlat, abs=1e-7)


def test_crs_override_wins_over_the_crs_member(write_geojson: Callable[..., Path]) -> None:
    feats = _district_lonlat()
    reference, _ = load_geojson(write_geojson(collection(*feats), "plain.geojson"))
    # The member lies (says 5186 for lon/lat numbers); the option corrects it, but only with
    # crs_override: a bare --crs that contradicts the file is an error (tests/pure/
    # test_crs_checks.py), no longer silently obeyed (issue 14).
    lying = write_geojson(collection(*feats, crs="EPSG:5186"), "lying.geojson")
    with pytest.raises(InputError, match="contradicts its 'crs' member"):
        load_geojson(lying, crs="EPSG:4326")
    district, report = load_geojson(lying, crs="EPSG:4326", crs_override=True)
    assert (report.crs, report.crs_from) == ("EPSG:4326", "option")
    assert report.crs_warning is not None and "EPSG:5186" in report.crs_warning
    assert np.abs(_coords(district) - _coords(reference)).max() < 1e-6
    # Without the option the member is obeyed: degrees read as metres would shrink the
    # 1.2 km district to a few centimetres of slivers, so the load names that cause (issue
    # 11, item 31) instead of skipping every building as a "sliver".
    with pytest.raises(InputError) as info:
        load_geojson(lying)
    message = str(info.value)
    assert "longitude/latitude degrees" in message and "EPSG:5186" in message
    assert "'crs' member" in message and "sliver" not in message


@pytest.mark.parametrize(
    ("name", "label"),
    [(CRS84, "OGC:CRS84"), ("EPSG:4326", "EPSG:4326"), ("urn:ogc:def:crs:EPSG::4326",
                                                          "EPSG:4326")],
)
def test_lonlat_crs_members_are_read_lon_first(
    name: str, label: str, write_geojson: Callable[..., Path]
) -> None:
    feats = _district_lonlat()
    reference, _ = load_geojson(write_geojson(collection(*feats), "plain.geojson"))
    district, report = load_geojson(write_geojson(collection(*feats, crs=name), "m.geojson"))
    assert (report.crs, report.crs_from) == (label, "file")
    assert np.abs(_coords(district) - _coords(reference)).max() < 1e-6


def test_explicit_origin_is_the_frame_centre(write_geojson: Callable[..., Path]) -> None:
    doc = feature({"type": "Point", "coordinates": ll(100, -50)}, "p", name="시청")
    district, report = load_geojson(write_geojson(doc), origin=CITY_HALL)
    assert report.origin == pytest.approx(CITY_HALL)
    x, y = _coords(district)[0]
    assert (x, y) == pytest.approx((100.0, -50.0), abs=0.01)


# --------------------------------------------------------------------------------------------
# Geometry types
# --------------------------------------------------------------------------------------------

def test_3d_and_mixed_2d_3d_positions_drop_z(write_geojson: Callable[..., Path]) -> None:
    flat = _district_lonlat()

    def add_z(value: Any, z: float) -> Any:
        if isinstance(value, list) and value and isinstance(value[0], float):
            return [*value, z]
        if isinstance(value, list):
            return [add_z(v, z + 1.0) for v in value]
        return value

    lifted = [{**f, "geometry": {**f["geometry"],
                                 "coordinates": add_z(f["geometry"]["coordinates"], 35.0)}}
              for f in flat]
    mixed_ring = [[*p, 12.5] if i % 2 else p for i, p in enumerate(square(300, 300, 25))]
    lifted.append(feature(polygon(mixed_ring), "mixed", building="yes"))
    flat.append(feature(polygon(square(300, 300, 25)), "mixed", building="yes"))

    ref, _ = load_geojson(write_geojson(collection(*flat), "flat.geojson"))
    district, report = load_geojson(write_geojson(collection(*lifted), "3d.geojson"))
    assert report.loaded == len(flat)
    assert not shapely.has_z(district.geometry).any()
    assert np.abs(_coords(district) - _coords(ref)).max() < 1e-6
    assert not report.skipped and not report.repaired


def test_multipolygon_with_holes_keeps_them(write_geojson: Callable[..., Path]) -> None:
    part_a = [square(0, 0, 100), square(10, 10, 20)[::-1], square(60, 60, 30)[::-1]]
    part_b = [square(200, 0, 50), square(215, 15, 20)[::-1]]
    doc = feature({"type": "MultiPolygon", "coordinates": [part_a, part_b]}, "campus",
                  landuse="grass")
    district, report = load_geojson(write_geojson(doc))
    geom = district.geometry[0]
    assert geom.geom_type == "MultiPolygon"
    assert sorted(len(p.interiors) for p in geom.geoms) == [1, 2]
    expected = sum(
        geodesic_area(rings[0]) - sum(geodesic_area(h) for h in rings[1:])
        for rings in (part_a, part_b)
    )
    assert geom.area == pytest.approx(expected, rel=1e-4)
    assert district.layer[0] == "green"
    assert not report.repaired


def test_lines_and_points(write_geojson: Callable[..., Path]) -> None:
    road = [ll(0, 0), ll(100, 0), ll(100, 80)]
    parts = [[ll(0, 200), ll(150, 200)], [ll(200, 200), ll(200, 260), ll(260, 260)]]
    doc = collection(
        feature({"type": "LineString", "coordinates": road}, "road", highway="residential",
                lanes="2"),
        feature({"type": "MultiLineString", "coordinates": parts}, "stream", waterway="stream"),
        feature({"type": "Point", "coordinates": ll(50, 50)}, "pin", tourism="attraction"),
        feature({"type": "MultiPoint", "coordinates": [ll(10, 10), ll(20, 30)]}, "pins",
                name="쉼터"),
        feature({"type": "LineString", "coordinates": [ll(0, -50), ll(300, -50)]}, "edge"),
    )
    district, report = load_geojson(write_geojson(doc))
    by_id = {fid: i for i, fid in enumerate(district.feature_id)}

    i = by_id["road"]
    assert district.geometry[i].geom_type == "LineString"
    assert district.geometry[i].length == pytest.approx(geodesic_length(road), rel=1e-4)
    assert (district.layer[i], district.kind[i]) == ("roads", "residential")
    assert district.width[i] == pytest.approx(2 * 3.5)  # lanes x 3.5 m (docs/data.md)

    i = by_id["stream"]
    assert district.geometry[i].geom_type == "MultiLineString"
    assert len(district.geometry[i].geoms) == 2
    expected = sum(geodesic_length(p) for p in parts)
    assert district.geometry[i].length == pytest.approx(expected, rel=1e-4)
    assert district.layer[i] == "water"

    i = by_id["pin"]
    assert district.geometry[i].geom_type == "Point"
    road_start = shapely.Point(district.geometry[by_id["road"]].coords[0])
    expected = GEOD.inv(*ll(50, 50), *ll(0, 0))[2]  # pin to the road's first vertex
    assert district.geometry[i].distance(road_start) == pytest.approx(expected, rel=1e-4)
    assert district.layer[i] == "landmarks"
    assert np.isnan(district.height[i])

    i = by_id["pins"]
    assert district.geometry[i].geom_type == "MultiPoint"
    a, b = shapely.get_parts(district.geometry[i])
    assert a.distance(b) == pytest.approx(GEOD.inv(*ll(10, 10), *ll(20, 30))[2], rel=1e-4)

    i = by_id["edge"]
    assert district.layer[i] == "area"
    assert np.isnan(district.width[i])
    assert report.loaded == 5 and not report.skipped


# --------------------------------------------------------------------------------------------
# Classification: tags -> layer (docs/data.md, "Layers")
# --------------------------------------------------------------------------------------------

# (id, geometry kind, properties, layer, a warning expected)
CLASSIFY = [
    ("building=yes", "polygon", {"building": "yes"}, "buildings", False),
    ("building=apartments", "polygon", {"building": "apartments"}, "buildings", False),
    ("building:part", "polygon", {"building:part": "yes"}, "buildings", False),
    ("Building=YES upper-case", "polygon", {"Building": "YES"}, "buildings", False),
    ("building=no is not a building", "polygon", {"building": "no", "leisure": "park"}, "green",
     False),
    ("register HEIGHT only", "polygon", {"HEIGHT": 21.0}, "buildings", False),
    ("register HEIGHT null", "polygon", {"HEIGHT": None}, "buildings", False),
    ("register GRND_FLR", "polygon", {"GRND_FLR": 4}, "buildings", False),
    ("building:levels only", "polygon", {"building:levels": "3"}, "buildings", False),
    ("building + tourism", "polygon", {"building": "yes", "tourism": "attraction"}, "landmarks",
     False),
    ("named historic area", "polygon", {"historic": "memorial", "name": "5·18 민주광장"},
     "landmarks", False),
    ("unnamed historic area", "polygon", {"historic": "yes"}, "area", False),
    ("natural=water", "polygon", {"natural": "water"}, "water", False),
    ("NATURAL=Water", "polygon", {"NATURAL": "Water"}, "water", False),
    ("waterway=riverbank", "polygon", {"waterway": "riverbank"}, "water", False),
    ("landuse=reservoir", "polygon", {"landuse": "reservoir"}, "water", False),
    ("water=pond", "polygon", {"water": "pond"}, "water", False),
    ("leisure=park", "polygon", {"leisure": "park"}, "green", False),
    ("landuse=grass", "polygon", {"landuse": "grass"}, "green", False),
    ("natural=wood", "polygon", {"natural": "wood"}, "green", False),
    ("amenity=parking", "polygon", {"amenity": "parking"}, "plazas", False),
    ("place=square", "polygon", {"place": "square"}, "plazas", False),
    ("highway=pedestrian area", "polygon", {"highway": "pedestrian"}, "plazas", False),
    ("amenity=school area", "polygon", {"amenity": "school"}, "area", False),
    ("boundary=administrative", "polygon", {"boundary": "administrative"}, "area", False),
    ("name only", "polygon", {"name": "무등산"}, "area", False),
    ("no tags", "polygon", {}, "area", False),
    ("kind=water", "polygon", {"kind": "water"}, "water", False),
    ("kind=plaza", "polygon", {"kind": "plaza"}, "plazas", False),
    ("kind=green", "polygon", {"kind": "green"}, "green", False),
    ("kind=landmark", "polygon", {"kind": "landmark"}, "landmarks", False),
    ("kind=Buildings", "polygon", {"kind": "Buildings"}, "buildings", False),
    ("kind wins over tags", "polygon", {"kind": "area", "building": "yes"}, "area", False),
    ("kind=road on a polygon", "polygon", {"kind": "road", "leisure": "park"}, "green", True),
    ("unknown kind", "polygon", {"kind": "spaceship", "natural": "water"}, "water", True),
    ("kind is a list", "polygon", {"kind": ["building"], "leisure": "park"}, "green", False),
    ("highway=primary line", "line", {"highway": "primary"}, "roads", False),
    ("waterway=river line", "line", {"waterway": "river"}, "water", False),
    ("untagged line", "line", {}, "area", False),
    ("kind=road line", "line", {"kind": "road"}, "roads", False),
    ("kind=water over highway", "line", {"kind": "water", "highway": "residential"}, "water",
     False),
    ("kind=building on a line", "line", {"kind": "building", "highway": "service"}, "roads",
     True),
    # An untagged point is no point of interest: tests/pure/test_classify_real.py.
    ("named point", "point", {"name": "표지석"}, "landmarks", False),
    ("amenity point", "point", {"amenity": "cafe", "name": "카페"}, "landmarks", False),
    ("kind=building on a point", "point", {"kind": "building"}, "landmarks", True),
]


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    feats = []
    for n, (_, gtype, props, _, _) in enumerate(CLASSIFY):
        x = 60.0 * n
        geometry = {
            "polygon": polygon(square(x, 0, 20)),
            "line": {"type": "LineString", "coordinates": [ll(x, 0), ll(x + 20, 10)]},
            "point": {"type": "Point", "coordinates": ll(x, 0)},
        }[gtype]
        feats.append(feature(geometry, f"c{n}", **props))
    path = tmp_path_factory.mktemp("classify") / "table.geojson"
    path.write_text(json.dumps(collection(*feats), ensure_ascii=False), encoding="utf-8")
    return load_geojson(path)


@pytest.mark.parametrize("row", range(len(CLASSIFY)), ids=[c[0] for c in CLASSIFY])
def test_classification(row: int, classified: tuple[Any, Any]) -> None:
    district, report = classified
    _, _, props, layer, warned = CLASSIFY[row]
    assert list(district.source_index) == list(range(len(CLASSIFY)))  # nothing skipped
    assert district.layer[row] == layer
    assert district.properties[row] == props
    warnings = [w for w in report.warnings if w.index == row]
    assert bool(warnings) == warned, warnings
    if warned:
        assert "kind" in warnings[0].reason and warnings[0].id == f"c{row}"


def test_layer_counts_match_the_table(classified: tuple[Any, Any]) -> None:
    _, report = classified
    expected = dict.fromkeys(LAYERS, 0)
    for _, _, _, layer, _ in CLASSIFY:
        expected[layer] += 1
    assert report.layers == expected


# --------------------------------------------------------------------------------------------
# Heights (docs/data.md, "Heights")
# --------------------------------------------------------------------------------------------

LEVEL = 2.9  # the level height every row below is loaded with

# (id, properties, top, bottom, source, a warning expected)
HEIGHTS = [
    ("height number", {"height": 21}, 21.0, 0.0, "measured", False),
    ("height '12 m'", {"height": "12 m"}, 12.0, 0.0, "measured", False),
    ("height '12m'", {"height": "12m"}, 12.0, 0.0, "measured", False),
    ("height '12,5' decimal comma", {"height": "12,5"}, 12.5, 0.0, "measured", False),
    ("height '40 ft'", {"height": "40 ft"}, 40 * 0.3048, 0.0, "measured", False),
    ("building:height", {"building:height": "33.5"}, 33.5, 0.0, "measured", False),
    ("HEIGHT upper-case", {"HEIGHT": 17.53}, 17.53, 0.0, "measured", False),
    ("Height mixed case", {"Height": "8 m"}, 8.0, 0.0, "measured", False),
    ("height beats levels", {"height": 50, "building:levels": 3}, 50.0, 0.0, "measured", False),
    ("GRND_FLR", {"GRND_FLR": 5}, 5 * LEVEL, 0.0, "levels", False),
    ("grnd_flr as text", {"grnd_flr": "7"}, 7 * LEVEL, 0.0, "levels", False),
    ("building:levels", {"building:levels": 4}, 4 * LEVEL, 0.0, "levels", False),
    ("levels", {"levels": "3"}, 3 * LEVEL, 0.0, "levels", False),
    ("floors", {"floors": 2}, 2 * LEVEL, 0.0, "levels", False),
    ("min_height", {"height": 30, "min_height": 6}, 30.0, 6.0, "measured", False),
    ("min_height as text", {"height": "30 m", "min_height": "4.5 m"}, 30.0, 4.5, "measured",
     False),
    ("building:min_level", {"building:levels": 6, "building:min_level": 2}, 6 * LEVEL,
     2 * LEVEL, "levels", False),
    ("min_height above the top", {"height": 10, "min_height": 12}, 10.0, 0.0, "measured", True),
    ("invalid height, levels used", {"height": "tall", "levels": 2}, 2 * LEVEL, 0.0, "levels",
     True),
    # Defaults per type as documented: apartments 45 m, office 30 m, house 6 m, else 9 m.
    ("invalid height, default", {"building": "apartments", "height": "tall"}, 45.0, 0.0,
     "default", True),
    ("negative height", {"building": "office", "height": -8}, 30.0, 0.0, "default", True),
    ("zero levels", {"building": "house", "building:levels": 0}, 6.0, 0.0, "default", True),
    ("height is a list", {"building": "yes", "height": [10, 20]}, 9.0, 0.0, "default", True),
    ("height is an object", {"building": "yes", "height": {"value": 10}}, 9.0, 0.0, "default",
     True),
    ("height absurd", {"building": "yes", "height": 1e300}, 9.0, 0.0, "default", True),
    ("HEIGHT null", {"HEIGHT": None}, 9.0, 0.0, "default", False),
    ("no height at all", {"building": "yes"}, 9.0, 0.0, "default", False),
    ("default apartments", {"building": "apartments"}, 45.0, 0.0, "default", False),
    ("default house", {"building": "house"}, 6.0, 0.0, "default", False),
]


@pytest.fixture(scope="module")
def heights(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    feats = [feature(polygon(square(50.0 * n, 0, 20)), f"h{n}", **props)
             for n, (_, props, *_) in enumerate(HEIGHTS)]
    path = tmp_path_factory.mktemp("heights") / "heights.geojson"
    path.write_text(json.dumps(collection(*feats)), encoding="utf-8")
    return load_geojson(path, level_height=LEVEL)


@pytest.mark.parametrize("row", range(len(HEIGHTS)), ids=[h[0] for h in HEIGHTS])
def test_heights(row: int, heights: tuple[Any, Any]) -> None:
    district, report = heights
    _, props, top, bottom, source, warned = HEIGHTS[row]
    assert district.layer[row] == "buildings"
    assert district.properties[row] == props
    assert district.height[row] == pytest.approx(top)
    assert district.min_height[row] == pytest.approx(bottom)
    assert district.height_source[row] == source
    warnings = [w for w in report.warnings if w.index == row]
    assert bool(warnings) == warned, warnings
    if warned:
        assert warnings[0].id == f"h{row}"
        assert "ignored" in warnings[0].reason or "set to 0" in warnings[0].reason
    if source == "levels":
        assert district.levels[row] * LEVEL == pytest.approx(top)


def test_height_sources_are_counted(heights: tuple[Any, Any]) -> None:
    _, report = heights
    expected = dict.fromkeys(HEIGHT_SOURCES, 0)
    for *_, source, _ in HEIGHTS:
        expected[source] += 1
    assert report.heights == expected
    assert report.as_dict()["heights"] == expected


def test_default_level_height_is_three_metres(write_geojson: Callable[..., Path]) -> None:
    doc = collection(
        feature(polygon(square(0, 0, 20)), "a", **{"building:levels": 4}),
        feature(polygon(square(50, 0, 20)), "b", GRND_FLR=10),
        feature({"type": "LineString", "coordinates": [ll(0, 50), ll(90, 50)]}, "r",
                highway="service"),
    )
    district, report = load_geojson(write_geojson(doc))
    assert list(district.height[:2]) == pytest.approx([12.0, 30.0])
    assert list(district.height_source) == ["levels", "levels", ""]
    assert np.isnan(district.height[2])  # roads are not extruded
    assert report.heights == {"measured": 0, "levels": 2, "default": 0}


def test_non_scalar_properties_are_kept(write_geojson: Callable[..., Path]) -> None:
    props = {
        "building": "yes",
        "restaurants": [],
        "cafes": ["카페 A", {"name": "카페 B", "seats": 12}],
        "meta": {"source": "survey", "years": [2019, 2024], "nested": {"ok": True}},
        "name": ["광주", "Gwangju"],  # not a usable name, but kept
        "height": {"value": 12, "unit": "m"},
        "levels": None,
        "note": None,
    }
    doc = feature(polygon(square(0, 0, 20)), "mixed", **props)
    district, report = load_geojson(write_geojson(doc))
    assert district.properties == [props]
    assert district.name == [None]
    assert district.height_source[0] == "default"
    assert [w.index for w in report.warnings] == [0]


# --------------------------------------------------------------------------------------------
# Real-world files in ../shared/data (skipped cleanly when the folder is absent)
# --------------------------------------------------------------------------------------------

def _raw_features(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _outer_rings_clockwise(geometry: dict[str, Any]) -> bool:
    polys = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polys = [polys]
    return any(not shapely.LinearRing(p[0]).is_ccw for p in polys)


def _all_shells_ccw(district: Any) -> bool:
    parts = shapely.get_parts(district.geometry)
    return bool(shapely.is_ccw(shapely.get_exterior_ring(parts)).all())


def test_real_gwangju_admin_dongs(shared_data: Path) -> None:
    path = shared_data / "gwangju_hangjeongdong_admdongkor.geojson"
    raw = _raw_features(path)
    district, report = load_geojson(path)
    assert report.features == report.loaded == len(raw) == 96
    assert (report.crs, report.crs_from) == ("OGC:CRS84", "file")
    assert not report.skipped
    # Every outer ring in the file runs clockwise (README); all are reoriented and listed.
    clockwise = sum(_outer_rings_clockwise(f["geometry"]) for f in raw)
    assert clockwise == 96
    assert report.reoriented == clockwise
    assert sorted({i.index for i in report.repaired}) == list(range(96))
    assert _all_shells_ccw(district)
    assert set(district.layer) == {"area"}
    # List-valued properties survive untouched; names come from adm_nm.
    assert all(p["restaurants"] == [] and p["tourist_spots"] == [] for p in district.properties)
    assert district.name == [f["properties"]["adm_nm"] for f in raw]
    assert sum(p["sggnm"] == "서구" for p in district.properties) == 18
    # Areas agree with the geodesic area of the source rings.
    for row in (0, 40, 95):
        rings = raw[row]["geometry"]["coordinates"][0]
        expected = geodesic_area(rings[0]) - sum(geodesic_area(r) for r in rings[1:])
        assert district.geometry[row].area == pytest.approx(expected, rel=1e-4)
    lon0, lat0, lon1, lat1 = report.bbox_lonlat
    assert (lon0, lat0) == pytest.approx((126.646386, 35.052386), abs=1e-6)
    assert (lon1, lat1) == pytest.approx((127.021718, 35.258952), abs=1e-6)


def test_real_kostat_2013_all_korea(shared_data: Path) -> None:
    path = shared_data / "kostat2013_skorea_submunicipalities_geo_simple.json"
    raw = _raw_features(path)
    district, report = load_geojson(path)
    assert report.features == report.loaded == len(raw) == 3482
    assert (report.crs, report.crs_from) == ("EPSG:4326", "default")
    assert not report.skipped
    gwangju = [i for i, p in enumerate(district.properties) if p["code"].startswith("24")]
    assert len(gwangju) == 95
    assert all(district.geometry[i].geom_type == "Polygon" for i in gwangju)
    holes = sum(
        len(rings) - 1
        for f in raw
        for rings in (f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiPolygon"
                      else [f["geometry"]["coordinates"]])
    )
    assert holes == 1
    assert int(shapely.get_num_interior_rings(shapely.get_parts(district.geometry)).sum()) == 1
    assert _all_shells_ccw(district)
    assert district.name_en[0] == raw[0]["properties"]["name_eng"]


def test_real_opengeos_buildings(shared_data: Path) -> None:
    path = shared_data / "opengeos_elevation_buildings.geojson"
    raw = _raw_features(path)
    district, report = load_geojson(path)
    assert report.features == report.loaded == len(raw) == 84
    assert report.layers["buildings"] == 84
    null_height = [i for i, f in enumerate(raw) if f["properties"]["HEIGHT"] is None]
    assert len(null_height) == 2
    assert report.heights == {"measured": 82, "levels": 0, "default": 2}
    for i, f in enumerate(raw):
        if i in null_height:
            assert district.height_source[i] == "default"
            assert district.height[i] == 9.0  # no building type: the documented 9 m
        else:
            assert district.height_source[i] == "measured"
            assert district.height[i] == pytest.approx(f["properties"]["HEIGHT"])
    assert not report.warnings  # a null HEIGHT is absent, not invalid
    assert _all_shells_ccw(district)


@pytest.mark.parametrize("level_height", [0.0, -3.0, 50.0])
def test_implausible_level_height_is_refused(tmp_path, level_height: float) -> None:
    from gwangju_twin.errors import InputError
    from gwangju_twin.geo import load_geojson

    path = tmp_path / "one.geojson"
    path.write_text(
        '{"type": "Polygon", "coordinates": [[[126.85, 35.15], [126.851, 35.15], '
        "[126.851, 35.151], [126.85, 35.15]]]}"
    )
    with pytest.raises(InputError, match="level height"):
        load_geojson(path, level_height=level_height)
