"""The whole city, read-only, for plugins (API 1.1): lon/lat to district metres, the
landmarks, green, water, plazas and areas beside buildings, and each building's use."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import shapely

from gwangju_twin.geo.uses import USES, building_use
from gwangju_twin.plugins.api import DistrictData
from gwangju_twin.plugins.district import FEATURE_LAYERS, district_data


@pytest.fixture(scope="module")
def city(sangmu: tuple[Any, Any]) -> tuple[Any, DistrictData]:
    _, district = sangmu
    return district, district_data(district, [], (-1000.0, -1000.0, 1000.0, 1000.0))


def test_to_local_is_the_inverse_of_to_lonlat_for_scalars_and_arrays(city) -> None:
    _, data = city
    lon, lat = data.to_lonlat(123.4, -567.8)
    assert isinstance(lon, float) and isinstance(lat, float)
    x, y = data.to_local(lon, lat)
    assert isinstance(x, float) and isinstance(y, float)
    assert (x, y) == pytest.approx((123.4, -567.8), abs=1e-6)
    # The frame's origin is (0, 0), and arrays go through whole.
    assert data.to_local(*data.origin_lonlat) == pytest.approx((0.0, 0.0), abs=1e-6)
    xs, ys = np.array([-1500.0, 0.0, 2500.0]), np.array([900.0, 0.0, -1200.0])
    lons, lats = data.to_lonlat(xs, ys)
    assert lons.shape == (3,) and lats.shape == (3,)
    back_x, back_y = data.to_local(lons, lats)
    np.testing.assert_allclose(back_x, xs, atol=1e-6)
    np.testing.assert_allclose(back_y, ys, atol=1e-6)
    # Near Gwangju City Hall (126.8526 E, 35.1601 N), 1 millidegree of longitude is about
    # 91 m east and 1 of latitude about 111 m north.
    x0, y0 = data.to_local(126.8526, 35.1601)
    x1, y1 = data.to_local(126.8536, 35.1611)
    assert x1 - x0 == pytest.approx(91.1, abs=0.5) and y1 - y0 == pytest.approx(110.9, abs=0.5)


def test_the_features_are_the_districts_landmarks_green_water_plazas_and_areas(city) -> None:
    district, data = city
    features = data.features
    for layer in FEATURE_LAYERS:
        rows = district.select(layer)
        assert len(features.select(layer)) == len(rows), layer
    # The default district: 8 landmarks (5 places and the 2 emergency hospitals and the 119
    # centre the healthcare demo needs), 23 green areas, 2 water features, 2 plazas and the
    # 3 administrative dongs (schematic) the civic demo sums proposals by.
    counts = {layer: len(features.select(layer)) for layer in FEATURE_LAYERS}
    assert counts == {"landmarks": 8, "green": 23, "water": 2, "plazas": 2, "area": 3}
    assert len(features) == 38
    assert features.centroid.shape == (38, 2)
    assert len(features.geometry) == len(features.tags) == len(features.kind) == 38
    dongs = features.select("area")
    assert sorted(features.name[i] for i in dongs) == ["상무1동", "상무2동", "치평동"]
    assert all(features.tags[i]["boundary"] == "administrative" for i in dongs)
    # The schematic dongs tile the district without overlapping (but for slivers of a few m²
    # where the file's rounded coordinates meet).
    union = shapely.union_all(features.geometry[dongs])
    overlap = sum(g.area for g in features.geometry[dongs]) - union.area
    assert union.area > 5e6 and 0.0 <= overlap < 50.0
    park = features.name.index("5·18기념공원")
    assert features.layer[park] == "green" and features.kind[park] == "park"
    assert features.name_en[park] == "5·18 Memorial Park"
    assert features.tags[park]["leisure"] == "park"
    assert shapely.contains(features.geometry[park], shapely.points(features.centroid[park]))
    brook = features.name.index("상무 실개천")
    assert shapely.get_type_id(features.geometry[brook]) == 1  # a line
    assert features.kind[brook] == "stream" and features.tags[brook]["width"] == 12
    hall = features.name_en.index("Gwangju City Hall")
    assert features.layer[hall] == "landmarks"


def test_named_points_are_landmarks_with_a_point_geometry(tmp_path) -> None:
    from geojson_builders import collection, feature, ll, polygon, square

    from gwangju_twin.geo import load_geojson

    path = tmp_path / "points.geojson"
    path.write_text(json.dumps(collection(
        feature({"type": "Point", "coordinates": ll(40.0, -30.0)}, name="광주 119 구급대",
                amenity="ambulance_station"),
        feature(polygon(square(100.0, 100.0, 20.0)), building="yes", amenity="hospital"),
    )), encoding="utf-8")
    district, _ = load_geojson(path)
    data = district_data(district, [], (0.0, 0.0, 1.0, 1.0))
    assert list(data.features.layer) == ["landmarks"]
    assert data.features.name == ("광주 119 구급대",)
    assert data.features.tags[0]["amenity"] == "ambulance_station"
    x, y = data.to_local(*ll(40.0, -30.0))
    np.testing.assert_allclose(data.features.centroid[0], (x, y), atol=1e-6)
    assert list(data.buildings.use) == ["hospital"]


def test_city_columns_and_tags_refuse_writes(city) -> None:
    _, data = city
    f, b = data.features, data.buildings
    for array in (f.layer, f.kind, f.centroid, f.geometry, b.use):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[0] = array[1]
    for array in (f.layer, f.kind, f.centroid, b.use):  # numbers and text: sealed for good
        with pytest.raises(ValueError):
            array.flags.writeable = True
    with pytest.raises(TypeError):
        f.tags[0]["name"] = "다른 이름"  # type: ignore[index]
    with pytest.raises(TypeError):
        b.tags[0]["building"] = "office"  # type: ignore[index]
    with pytest.raises(AttributeError):
        data.features = f  # type: ignore[misc]


def test_nested_tags_are_read_only_too() -> None:
    from gwangju_twin.plugins.district import frozen_tags

    tags = frozen_tags({"opening_hours": {"mo": ["09:00", "18:00"]}, "refs": [1, 2]})
    assert tags["refs"] == (1, 2)
    with pytest.raises(TypeError):
        tags["opening_hours"]["mo"] = []  # type: ignore[index]
    assert tags["opening_hours"]["mo"] == ("09:00", "18:00")


def test_every_building_has_a_use_beside_its_source_tags(city) -> None:
    _, data = city
    b = data.buildings
    assert len(b.use) == len(b.tags) == len(b)
    assert set(b.use) <= set(USES)
    # The default district's building types map one to one onto uses.
    expected = {"house": "residential", "apartments": "residential", "retail": "commercial",
                "commercial": "commercial", "office": "office", "industrial": "industrial",
                "civic": "public", "school": "school"}
    for kind, use in expected.items():
        rows = np.flatnonzero(b.kinds == kind)
        assert len(rows), kind
        assert set(b.use[rows]) == {use}, kind
    assert b.tags[0]["building"] == b.kinds[0]


@pytest.mark.parametrize(("tags", "kind", "use"), [
    ({"building": "apartments"}, None, "residential"),
    ({"building": "house"}, None, "residential"),
    ({"BUILDING": "Dormitory"}, None, "residential"),  # keys and values in any case
    ({"building": "retail"}, None, "commercial"),
    ({"building": "yes", "shop": "bakery"}, None, "commercial"),
    ({"building": "office"}, None, "office"),
    ({"building": "yes", "office": "company"}, None, "office"),
    ({"building": "yes", "office": "government"}, None, "public"),
    ({"building": "civic"}, None, "public"),
    ({"building": "yes", "amenity": "townhall"}, None, "public"),
    ({"building": "hospital"}, None, "hospital"),
    ({"building": "yes", "amenity": "hospital"}, None, "hospital"),
    ({"building": "commercial", "amenity": "clinic"}, None, "hospital"),  # the use wins
    ({"building": "yes", "healthcare": "centre"}, None, "hospital"),
    ({"building": "school"}, None, "school"),
    ({"building": "yes", "amenity": "university"}, None, "school"),
    ({"building": "warehouse"}, None, "industrial"),
    ({"building": "factory"}, None, "industrial"),
    ({"building": "church"}, None, "religious"),
    ({"building": "yes", "amenity": "place_of_worship"}, None, "religious"),
    ({"building": "apartments", "shop": "convenience"}, None, "residential"),  # shop below
    ({"building": "yes"}, None, "other"),
    ({}, None, "other"),
    ({"building": "bunker"}, None, "other"),
    ({"building": ["office"]}, None, "other"),  # a list is no value
    ({"kind": "building"}, "apartments", "residential"),  # the district's kind column
    ({"kind": "building"}, "yes", "other"),
    ({"building": "yes", "amenity": "parking"}, "yes", "other"),
])
def test_a_building_use_comes_from_its_tags_by_the_table(tags, kind, use) -> None:
    assert building_use(tags, kind) == use


def test_the_real_gwangju_dongs_are_areas_a_plugin_can_look_up_by_lon_lat(shared_data) -> None:
    """The administrative dongs of Gwangju (the public boundary file, see
    ../shared/data/README.md): 96 areas with their names and codes as tags, list-valued
    tags as read-only tuples, and City Hall found in 치평동 through ``to_local``."""
    from gwangju_twin.geo import load_geojson

    district, _ = load_geojson(shared_data / "gwangju_hangjeongdong_admdongkor.geojson")
    data = district_data(district, [], (0.0, 0.0, 1.0, 1.0))
    f = data.features
    assert len(f) == len(f.select("area")) == 96
    assert f.tags[0]["restaurants"] == ()  # a list in the file
    assert {t["sggnm"] for t in f.tags} == {"동구", "서구", "남구", "북구", "광산구"}
    x, y = data.to_local(126.8526, 35.1601)  # Gwangju City Hall
    inside = [t["adm_nm"] for t, g in zip(f.tags, f.geometry, strict=True)
              if shapely.contains_xy(g, x, y)]
    assert inside == ["광주광역시 서구 치평동"]
