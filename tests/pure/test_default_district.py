"""The committed default district (assets/sangmu.geojson) is sound (tests/system/
test_default_district_generator.py: and the generator reproduces it).

Pure data checks: no Panda3D and no ``gwangju_twin`` import, so they run on their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from render_helpers import REPO as ROOT
from shapely.geometry import Point, shape

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SPEC = ROOT / "scripts" / "sangmu_district.toml"
ASSET = ROOT / "assets" / "sangmu.geojson"

KINDS = {"building", "landmark", "road", "water", "green", "plaza", "dong"}
BUILDING_TYPES = {
    "apartments",
    "commercial",
    "retail",
    "office",
    "civic",
    "school",
    "house",
    "industrial",
}
MIN_OVERLAP = 1e-3  # square metres: only a positive-area intersection is an overlap

Feature = dict[str, Any]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def features() -> list[Feature]:
    return json.loads(ASSET.read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def to_metres(spec: dict[str, Any]) -> Callable[[Any], Any]:
    """Project lon/lat geometries into the spec's local transverse Mercator frame."""
    lon0, lat0 = spec["origin"]
    crs = f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = fwd.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return lambda geoms: shapely.transform(geoms, project)


def of_kind(features: list[Feature], *kinds: str) -> list[Feature]:
    return [f for f in features if f["properties"]["kind"] in kinds]


def geoms(features: list[Feature]) -> np.ndarray:
    return np.array([shape(f["geometry"]) for f in features], dtype=object)


def overlaps(a: np.ndarray, b: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Index pairs (i in a, j in b) whose intersection has a positive area."""
    same = b is None
    b = a if same else b
    i, j = shapely.STRtree(b).query(a, predicate="intersects")
    if same:
        i, j = i[i < j], j[i < j]
    area = shapely.area(shapely.intersection(a[i], b[j]))
    return [(int(p), int(q)) for p, q, s in zip(i, j, area, strict=True) if s > MIN_OVERLAP]


def test_collection_follows_the_loader_conventions(features: list[Feature]) -> None:
    doc = json.loads(ASSET.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert doc["name"] == "Sangmu district (schematic)"
    assert "crs" not in doc
    ids = [f["id"] for f in features]
    assert all(isinstance(i, str) for i in ids)
    assert len(set(ids)) == len(ids)
    expected = {
        "road": {"LineString"},
        "building": {"Polygon"},
        "landmark": {"Polygon"},
        "green": {"Polygon"},
        "plaza": {"Polygon"},
        "water": {"LineString", "Polygon"},
        "dong": {"Polygon"},
    }
    for f in features:
        props = f["properties"]
        assert props["kind"] in KINDS
        assert f["geometry"]["type"] in expected[props["kind"]], f["id"]
        if props["kind"] == "building":
            assert props["building"] in BUILDING_TYPES, f["id"]
        if props["kind"] == "road":
            assert props["width"] > 0, f["id"]
    assert {f["properties"]["kind"] for f in features} == KINDS
    for f in of_kind(features, "landmark"):
        props = f["properties"]
        assert props["height"] > 0 and props["building:levels"] >= 1
        assert props["name"] and props["name:en"]


def test_district_has_enough_buildings(features: list[Feature]) -> None:
    assert len(of_kind(features, "building")) >= 2000


def test_height_sources_are_mixed(features: list[Feature]) -> None:
    props = [f["properties"] for f in of_kind(features, "building")]
    n = len(props)
    levels_only = sum("building:levels" in p and "height" not in p for p in props) / n
    height = [p["height"] for p in props if "height" in p]
    neither = sum("building:levels" not in p and "height" not in p for p in props) / n
    assert 0.6 < levels_only < 0.8
    assert 0.15 < len(height) / n < 0.35
    assert 0.01 < neither < 0.1
    assert any(isinstance(h, str) and h.endswith(" m") for h in height)
    assert any(isinstance(h, int | float) for h in height)


def test_landmarks_contain_their_real_position(
    spec: dict[str, Any], features: list[Feature]
) -> None:
    by_id = {f["id"]: f for f in features}
    for lm in spec["landmark"]:
        footprint = shape(by_id[lm["id"]]["geometry"])
        assert footprint.contains(Point(lm["at"])), lm["id"]


def test_buildings_clear_roads_water_and_each_other(
    features: list[Feature], to_metres: Callable[[Any], Any]
) -> None:
    built = of_kind(features, "building", "landmark")
    footprints = to_metres(geoms(built))
    assert shapely.is_valid(footprints).all()
    roads = of_kind(features, "road")
    ribbons = shapely.buffer(to_metres(geoms(roads)), [f["properties"]["width"] / 2 for f in roads])
    on_road = overlaps(footprints, ribbons)
    assert not on_road, [(built[i]["id"], roads[j]["id"]) for i, j in on_road[:5]]
    streams = [f for f in of_kind(features, "water") if f["geometry"]["type"] == "LineString"]
    water = shapely.buffer(
        to_metres(geoms(streams)), [f["properties"]["width"] / 2 for f in streams]
    )
    assert not overlaps(footprints, water)
    crowded = overlaps(footprints)
    assert not crowded, [(built[i]["id"], built[j]["id"]) for i, j in crowded[:5]]


def test_everything_lies_inside_the_bounds(spec: dict[str, Any], features: list[Feature]) -> None:
    lon0, lat0, lon1, lat1 = spec["bounds"]
    coords = shapely.get_coordinates(geoms(features))
    assert (coords[:, 0] >= lon0).all() and (coords[:, 0] <= lon1).all()
    assert (coords[:, 1] >= lat0).all() and (coords[:, 1] <= lat1).all()


def test_expo_plaza_is_kept_free(
    spec: dict[str, Any], features: list[Feature], to_metres: Callable[[Any], Any]
) -> None:
    expo = next(p for p in spec["plaza"] if p["id"] == "plaza-expo")
    by_id = {f["id"]: f for f in features}
    assert by_id["plaza-expo"]["properties"]["place"] == "square"
    x, y = shapely.get_coordinates(to_metres(Point(expo["at"])))[0]
    w, h = expo["size"]
    assert w >= 250 and h >= 150
    free = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    plaza = to_metres(shape(by_id["plaza-expo"]["geometry"]))
    assert plaza.symmetric_difference(free).area < 10.0  # rounding to 7 decimals: ~1 cm
    footprints = to_metres(geoms(of_kind(features, "building", "landmark")))
    assert not overlaps(footprints, np.array([free]))


def test_polygons_follow_rfc7946(features: list[Feature]) -> None:
    holes = 0
    for f in features:
        if f["geometry"]["type"] != "Polygon":
            continue
        coords = f["geometry"]["coordinates"]
        assert all(raw[0] == raw[-1] for raw in coords), f["id"]
        rings = [shapely.linearrings(raw) for raw in coords]
        assert shapely.is_ccw(rings[0]), f["id"]
        assert not any(shapely.is_ccw(r) for r in rings[1:]), f["id"]
        holes += f["properties"]["kind"] == "building" and len(rings) > 1
    assert holes >= 1, "expected at least one building with a courtyard"
