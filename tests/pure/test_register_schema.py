"""Source schemas (geo/schemas.toml): the Korean building register (AL_D010) and Korean
road-name data read through a table of key aliases, detected per file or named."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gwangju_twin.errors import InputError
from gwangju_twin.geo.load import load_geojson
from gwangju_twin.geo.schemas import SCHEMAS_PATH, builtin_schemas, read_schemas
from gwangju_twin.geo.tags import DEFAULT_HEIGHTS
from gwangju_twin.geo.uses import BUILDING_USES, building_use

LON, LAT = 126.85, 35.15
D = 0.0002  # about 20 m


def _square(i: int) -> list[list[list[float]]]:
    x = LON + i * 3 * D
    return [[[x, LAT], [x + D, LAT], [x + D, LAT + D], [x, LAT + D], [x, LAT]]]


def _write(tmp_path: Path, features: list[dict[str, Any]], name: str = "d.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path


def _building(i: int, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": _square(i)}}


def _road(i: int, **props: Any) -> dict[str, Any]:
    y = LAT + i * D
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [[LON, y], [LON + 5 * D, y]]}}


def _register(tmp_path: Path) -> Path:
    # One row per fallback: A16 measured; A16 = 0 (unknown) with floors; both 0 with a use;
    # both 0 with no use; a use written with spaces; a use not in the table.
    return _write(tmp_path, [
        _building(0, A0="1", A24="롯데월드", A9="판매시설", A16=52.5, A26=12),
        _building(1, A0="2", A24="잠실아파트", A9="공동주택", A16=0, A26=15),
        _building(2, A0="3", A24="", A9="단독주택", A16=0.0, A26=0),
        _building(3, A0="4", A24=None, A9=None, A16=0, A26=0),
        _building(4, A0="5", A24="문화회관", A9="문화 및 집회시설", A16=0, A26=0),
        _building(5, A0="6", A24="x", A9="우주정거장", A16=0, A26=0),
    ])


def test_register_heights_fall_back_from_a16_to_floors_to_the_type_default(
        tmp_path: Path) -> None:
    district, report = load_geojson(_register(tmp_path), level_height=3.0)
    assert report.source_schema == "al_d010" and report.schema_from == "detected"
    assert list(district.layer) == ["buildings"] * 6
    # Expected values worked out by hand from the rows above and the 건축법 시행령 별표1 uses.
    assert list(district.kind) == ["commercial", "apartments", "house", "yes", "civic", "yes"]
    assert list(district.height_source) == ["measured", "levels", "default", "default",
                                            "default", "default"]
    assert district.height[0] == pytest.approx(52.5)
    assert district.height[1] == pytest.approx(15 * 3.0)
    assert district.height[2] == DEFAULT_HEIGHTS["house"]
    assert district.height[4] == DEFAULT_HEIGHTS["civic"]
    assert report.heights == {"measured": 1, "levels": 1, "default": 4}
    # The register's 0 is "not recorded": no warning for it; the unknown use is warned.
    reasons = [w.reason for w in report.warnings]
    assert len(reasons) == 1 and "우주정거장" in reasons[0] and "al_d010" in reasons[0]
    assert district.name[:4] == ["롯데월드", "잠실아파트", None, None]
    # The source tags stay in the properties, untouched.
    assert district.properties[1]["A9"] == "공동주택" and "building" not in district.properties[1]
    assert building_use(district.properties[1], district.kind[1]) == "residential"


def test_register_zero_is_no_building_of_zero_metres(tmp_path: Path) -> None:
    # Without the schema (named osm) a 0 height is a bad value, noted; with it, unknown.
    path = _write(tmp_path, [_building(0, A16=0, A26=4, A24="a", height=0)])
    district, report = load_geojson(path)
    assert district.height_source[0] == "levels" and district.height[0] == pytest.approx(12.0)
    assert not report.warnings


def test_named_schema_overrides_detection(tmp_path: Path) -> None:
    district, report = load_geojson(_register(tmp_path), schema="osm")
    assert report.source_schema == "osm" and report.schema_from == "option"
    # Read as OSM keys, the register's columns say nothing: every polygon is an area.
    assert set(district.layer) == {"area"}
    with pytest.raises(InputError, match=r"unknown source schema 'nope'.*al_d010"):
        load_geojson(_register(tmp_path), schema="nope")


def test_osm_keys_and_upper_case_aliases_still_read(tmp_path: Path) -> None:
    path = _write(tmp_path, [
        _building(0, HEIGHT=17.5), _building(1, GRND_FLR=4),
        _building(2, building="office", **{"building:levels": "3"}),
    ])
    district, report = load_geojson(path)
    assert report.source_schema == "osm" and report.schema_from == "default"
    assert list(district.height_source) == ["measured", "levels", "levels"]
    assert district.height[0] == pytest.approx(17.5) and district.height[1] == pytest.approx(12)


def test_road_name_data_lands_in_roads_with_its_width(tmp_path: Path) -> None:
    path = _write(tmp_path, [
        _road(0, 도로명="상무대로", 도로폭=35), _road(1, 도로명="무진대로", 도로폭="20"),
        _road(2, 도로명="골목길", 도로폭=0),
    ])
    district, report = load_geojson(path)
    assert report.source_schema == "kr_roads"
    assert list(district.layer) == ["roads"] * 3 and report.layers["roads"] == 3
    assert district.width[0] == pytest.approx(35) and district.width[1] == pytest.approx(20)
    # 도로폭 0 is unknown: the class default (6 m, tags.ROAD_FALLBACK_WIDTH), no warning.
    assert district.width[2] == pytest.approx(6.0) and not report.warnings
    assert district.name == ["상무대로", "무진대로", "골목길"]


def test_every_use_maps_to_a_known_building_type() -> None:
    # Each type the table names must have a default height and a normalised use, else the
    # table and the code drifted apart.
    for schema in builtin_schemas().by_name.values():
        for value, kind in schema.uses.items():
            assert kind in DEFAULT_HEIGHTS, (schema.name, value, kind)
            assert kind in BUILDING_USES or kind in ("parking", "farm_auxiliary"), kind


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace('order = ["al_d010", "kr_roads", "osm"]', 'order = ["x"]'),
     r"'order' names 'x': expected a schema"),
    (lambda t: t.replace('layer = "roads"', 'layer = "rivers"'),
     r"schemas.kr_roads.layer: expected \"buildings\" or \"roads\""),
    (lambda t: t.replace('"공장" = "industrial"', '"공장" = "Big Factory"'),
     r"schemas.al_d010.uses.공장: expected a building type"),
    (lambda t: t.replace('height = ["a16"]', 'height = "a16"'),
     r"schemas.al_d010.height: expected a list"),
    (lambda t: t + "\n[schemas.extra]\n", r"schema 'extra': expected its name listed"),
    (lambda t: t + "\n[[[", r"not valid TOML"),
])
def test_a_broken_table_gives_a_one_line_error(tmp_path: Path, edit: Any, message: str) -> None:
    broken = tmp_path / "schemas.toml"
    broken.write_text(edit(SCHEMAS_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_schemas(broken)
    assert "\n" not in str(info.value) and str(broken) in str(info.value)


def test_the_shared_register_sample_reads_its_heights(shared_data: Path, tmp_path: Path) -> None:
    """The shared AL_D010 Shapefile (README in shared/data: 1,357 buildings, 645 with a
    height, the tallest 154.41 m), read with pyogrio and written as GeoJSON in EPSG:5186."""
    raw = pytest.importorskip("pyogrio.raw")
    shapely = pytest.importorskip("shapely")
    shp = shared_data / "AL_D010_jamsil_sample.shp"
    if not shp.exists():
        pytest.skip("AL_D010 sample absent")
    meta, _, wkb, columns = raw.read(shp, encoding="CP949")
    fields = [str(f) for f in meta["fields"]]
    cols = dict(zip(fields, columns, strict=True))
    a16 = np.asarray(cols["A16"], dtype=float)
    a26 = np.asarray(cols["A26"], dtype=float)
    geoms = shapely.from_wkb(wkb)
    features = [
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
         "properties": {f: (None if v is None else v.item() if hasattr(v, "item") else v)
                        for f, v in zip(fields, (cols[f][i] for f in fields), strict=True)}}
        for i, g in enumerate(geoms)
    ]
    path = tmp_path / "al_d010.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5186"}},
        "features": features}, ensure_ascii=False), encoding="utf-8")
    district, report = load_geojson(path, level_height=3.0)
    assert report.source_schema == "al_d010"
    buildings = district.select("buildings")
    assert len(buildings) == 1357 == len(features)
    # Counted from the .dbf columns here, independently of the loader (README: 645, 154.41).
    assert report.heights["measured"] == int((a16 > 0).sum()) == 645
    assert report.heights["levels"] == int(((a26 > 0) & (a16 <= 0)).sum())
    assert report.heights["default"] == int(((a26 <= 0) & (a16 <= 0)).sum())
    assert math.isclose(float(district.height[buildings].max()), 154.41, abs_tol=1e-6)
    uses = {k: int(v) for k, v in zip(*np.unique(district.kind[buildings].astype(str),
                                                 return_counts=True), strict=True)}
    a9 = [v for v in cols["A9"] if v]
    assert uses.get("apartments", 0) == a9.count("공동주택")
    assert uses.get("school", 0) == a9.count("교육연구시설")


def test_scene_and_command_line_name_the_schema(tmp_path: Path) -> None:
    import argparse

    from gwangju_twin.app.commands.options import schema_name
    from gwangju_twin.scene import load_scene

    data = _register(tmp_path)
    scene = tmp_path / "s.toml"
    scene.write_text(f'[district]\nsource = "{data.name}"\nschema = "osm"\n', encoding="utf-8")
    assert load_scene(scene).schema == "osm"
    scene.write_text(f'[district]\nsource = "{data.name}"\nschema = "bogus"\n',
                     encoding="utf-8")
    with pytest.raises(InputError, match=r"district.schema.*'bogus'.*al_d010"):
        load_scene(scene)
    assert schema_name("kr_roads") == "kr_roads"
    with pytest.raises(argparse.ArgumentTypeError, match="--schema 'x'"):
        schema_name("x")


def test_a_road_name_column_alone_is_no_road_data(tmp_path: Path) -> None:
    # Building-address data carries 도로명 (the address's road) on building polygons; it must
    # not be read as road-name data, whose name would then be the building's.
    path = _write(tmp_path, [_building(0, 도로명="상무대로", building="yes", name="시청")])
    district, report = load_geojson(path)
    assert report.source_schema == "osm" and district.name == ["시청"]


def test_the_report_names_the_keys_heights_came_from(tmp_path: Path) -> None:
    _, report = load_geojson(_register(tmp_path))
    # Row 0 has A16, row 1 only A26 (see _register); the other four are type defaults.
    assert report.height_keys == {"a16": 1, "a26": 1}
    assert report.as_dict()["height_keys"] == {"a16": 1, "a26": 1}
    from gwangju_twin.geo.report import format_report

    text = format_report(report)
    assert "schema     al_d010 (detected)" in text and "(from a16 1, a26 1)" in text
