"""Picking on the merged mesh: PickIndex against brute force, ground_point, building_facts."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely
from geojson_builders import collection, feature, ll, polygon, ring, square
from pyproj import Geod
from render_helpers import REPO
from shapely.geometry import Point, shape

from gwangju_twin.expo.pavilions import pavilion_feature_id
from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.geo import load_geojson
from gwangju_twin.mesh import build_district_mesh
from gwangju_twin.picking import PickIndex, building_facts, ground_point
from gwangju_twin.scene import load_scene

PICKABLE = ("solid", "pavilion")


@pytest.fixture(scope="module")
def expo() -> Prepared:
    return prepare(load_scene(REPO / "scenes" / "sangmu.toml"))


@pytest.fixture(scope="module")
def batches(expo: Prepared) -> list:
    return [*expo.mesh.batches, *(p.shape.batch for p in expo.pavilions)]


@pytest.fixture(scope="module")
def index(batches: list) -> PickIndex:
    return PickIndex.build(batches)


def all_triangles(batches: list) -> tuple[np.ndarray, np.ndarray]:
    """Every pickable triangle (float64) and the feature ids of its three vertices."""
    tris = [b.positions[b.indices].astype(np.float64) for b in batches if b.material in PICKABLE]
    ids = [b.feature_ids[b.indices] for b in batches if b.material in PICKABLE]
    return np.concatenate(tris), np.concatenate(ids)


def brute_force(tri: np.ndarray, ids: np.ndarray, origin, direction) -> tuple[float, set] | None:
    """Nearest hit over all triangles (plane, then barycentric inside test): its distance and
    every feature hit within a micrometre of it (touching buildings may share a wall)."""
    o, d = np.asarray(origin, float), np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    n = np.cross(b - a, c - a)
    denom = n @ d
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.einsum("ij,ij->i", n, a - o) / denom
        p = o + t[:, None] * d
        # Barycentric coordinates of p from sub-triangle areas, signed along n.
        nn = np.einsum("ij,ij->i", n, n)
        wa = np.einsum("ij,ij->i", np.cross(c - b, p - b), n) / nn
        wb = np.einsum("ij,ij->i", np.cross(a - c, p - c), n) / nn
    ok = (np.abs(denom) > 1e-12) & (t >= 0) & (wa >= 0) & (wb >= 0) & (wa + wb <= 1)
    if not ok.any():
        return None
    t = np.where(ok, t, np.inf)
    near = float(t.min())
    return near, set(ids[t <= near + 1e-6, 0].tolist())


def random_rays(expo: Prepared, n: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Camera-like rays at the district and its pavilions, rays from inside pavilion sites
    (through the gates) and rays that go up or out."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = expo.mesh.bounds
    sites = np.array([p.info.position for p in expo.pavilions])
    rays = []
    for k in range(n):
        kind = k % 4
        if kind == 0 or kind == 1:
            target = (np.array([rng.uniform(x0, x1), rng.uniform(y0, y1), 0.0]) if kind == 0
                      else np.append(sites[rng.integers(len(sites))] + rng.normal(0, 30, 2), 0))
            head, pitch = rng.uniform(0, 2 * math.pi), math.radians(rng.uniform(5, 89))
            back = np.array([math.cos(pitch) * math.sin(head), math.cos(pitch) * math.cos(head),
                             math.sin(pitch)])
            origin = target + back * rng.uniform(50, 1500)
            rays.append((origin, -back if rng.random() > 0.1 else back))
        elif kind == 2:  # a visitor on foot near a pavilion looking about
            origin = np.append(sites[rng.integers(len(sites))] + rng.normal(0, 25, 2),
                               rng.uniform(0.5, 3))
            rays.append((origin, rng.normal(0, 1, 3)))
        else:  # straight down or nearly, anywhere
            origin = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(100, 400)])
            rays.append((origin, np.array([*rng.normal(0, 0.02, 2), -1.0])))
    return rays


def test_picks_agree_with_brute_force(expo: Prepared, batches: list, index: PickIndex) -> None:
    tri, ids = all_triangles(batches)
    assert index.triangle_count == len(tri)
    hits = {"building": 0, "pavilion": 0, "none": 0}
    for origin, direction in random_rays(expo, 360, seed=11):
        want = brute_force(tri, ids, origin, direction)
        got = index.pick(origin, direction)
        if want is None:
            assert got is None, (origin, direction, got)
            hits["none"] += 1
            continue
        assert got is not None, (origin, direction, want)
        assert got.distance == pytest.approx(want[0], rel=1e-6, abs=1e-6)
        assert got.feature in want[1]
        assert np.allclose(got.point, origin + got.distance * direction / np.linalg.norm(direction))
        hits["building" if got.feature >= 0 else "pavilion"] += 1
    assert min(hits.values()) >= 30, hits  # every kind of outcome was exercised


def test_straight_down_onto_buildings_and_pavilions(expo: Prepared, index: PickIndex) -> None:
    d = expo.district
    rows = np.flatnonzero((d.layer == "buildings") & (shapely.get_type_id(d.geometry) == 3))
    for row in np.random.default_rng(3).choice(rows, 40, replace=False):
        p = shapely.point_on_surface(d.geometry[row])
        hit = index.pick((p.x, p.y, 500.0), (0, 0, -1))
        assert hit is not None and hit.feature == row
        assert hit.point[2] == pytest.approx(d.height[row], abs=1e-3)
        assert hit.distance == pytest.approx(500.0 - d.height[row], abs=1e-3)
    for k, pav in enumerate(expo.pavilions):
        x, y = pav.info.position
        hit = index.pick((x, y, 500.0), (0.0, 0.0, -2.0))
        assert hit is not None and hit.feature == pavilion_feature_id(k) < 0
        assert expo.pavilions[-hit.feature - 1].info.id == pav.info.id


def test_sky_and_max_distance(expo: Prepared, index: PickIndex) -> None:
    top = expo.mesh.max_height + 50
    assert index.pick((0.0, 0.0, top), (0.1, 0.2, 1.0)) is None
    assert index.pick((0.0, 0.0, top), (1.0, 0.0, 0.0)) is None  # level, above every roof
    d = expo.district
    row = int(np.nanargmax(np.where(d.layer == "buildings", d.height, np.nan)))
    p = shapely.point_on_surface(d.geometry[row])
    origin, down = (p.x, p.y, top), (0.0, 0.0, -1.0)
    full = index.pick(origin, down)
    assert full is not None and full.feature == row
    assert index.pick(origin, down, max_distance=full.distance - 0.5) is None
    assert index.pick(origin, down, max_distance=full.distance + 0.5) == full
    with pytest.raises(ValueError):
        index.pick(origin, (0.0, 0.0, 0.0))


def test_triangles_of_matches_a_scan(expo: Prepared, batches: list, index: PickIndex) -> None:
    tri, ids = all_triangles(batches)
    assert np.array_equal(index.features, np.unique(ids))
    d = expo.district
    some_rows = [int(r) for r in d.select("buildings")[::400]] + [int(r) for r in d.select(
        "landmarks")]
    for f in [*some_rows, pavilion_feature_id(0), pavilion_feature_id(len(expo.pavilions) - 1)]:
        mine = np.all(ids == f, axis=1)
        assert not np.any(ids == f, axis=1)[~mine].any()  # no triangle is shared by features
        got = index.triangles_of(f)
        assert got.dtype == np.float32 and got.shape == (mine.sum(), 3, 3) and len(got) > 0

        def rows_sorted(a: np.ndarray) -> np.ndarray:
            flat = a.reshape(len(a), 9).astype(np.float64)
            return flat[np.lexsort(flat.T[::-1])]

        assert np.array_equal(rows_sorted(got), rows_sorted(tri[mine]))
    road = int(d.select("roads")[0])
    for unknown in (road, int(d.layer.size) + 10**6, -10**6):
        assert index.triangles_of(unknown).shape == (0, 3, 3)


def test_cell_size_does_not_change_picks(expo: Prepared, batches: list,
                                         index: PickIndex) -> None:
    rays = random_rays(expo, 120, seed=5)
    for cell in (3.0, 250.0):
        other = PickIndex.build(batches, cell=cell)
        assert other.cell == cell
        for origin, direction in rays:
            a, b = index.pick(origin, direction), other.pick(origin, direction)
            assert (a is None) == (b is None)
            if a is not None:
                assert (a.feature, a.distance) == pytest.approx((b.feature, b.distance))


def test_materials_filter_and_empty_index(batches: list) -> None:
    only = PickIndex.build(batches, materials=("pavilion",))
    pav = [b for b in batches if b.material == "pavilion"]
    assert only.triangle_count == sum(b.primitive_count for b in pav)
    assert (only.features < 0).all() and len(only.features) == len(pav)
    empty = PickIndex.build(batches, materials=("no such material",))
    assert empty.triangle_count == 0 and len(empty.features) == 0
    assert empty.pick((0.0, 0.0, 100.0), (0, 0, -1)) is None
    assert empty.triangles_of(0).shape == (0, 3, 3)


def test_ground_point() -> None:
    assert ground_point((1.0, 2.0, 10.0), (0, 0, -1)) == (1.0, 2.0, 0.0)
    assert ground_point((0.0, 0.0, 10.0), (1, 0, -1)) == pytest.approx((10.0, 0.0, 0.0))
    assert ground_point((0.0, 0.0, 10.0), (0, 3, -2), z=4.0) == pytest.approx((0.0, 9.0, 4.0))
    assert ground_point((0.0, 0.0, -5.0), (0, 0, 1)) == pytest.approx((0.0, 0.0, 0.0))
    assert ground_point((0.0, 0.0, 10.0), (1, 1, 0)) is None  # parallel
    assert ground_point((0.0, 0.0, 10.0), (0, 0, 1)) is None  # the plane is behind


def test_courtyard_hole_is_empty(write_geojson) -> None:
    outer = square(0, 0, 40)
    hole = ring((10, 10), (10, 30), (30, 30), (30, 10))  # clockwise
    doc = collection(
        feature(polygon(outer, hole), "court", building="apartments", height=12),
        feature(polygon(square(60, 0, 15)), "east", building="house", height=6),
        feature(polygon(square(0, 60, 15)), "north", building="office", height=30),
    )
    district, _ = load_geojson(write_geojson(doc))
    index = PickIndex.build(build_district_mesh(district).batches)
    row = {fid: i for i, fid in enumerate(district.feature_id)}

    def local(x: float, y: float) -> tuple[float, float]:
        lx, ly = district.frame.to_local(*ll(x, y))
        return float(lx), float(ly)

    def down(x: float, y: float, tilt: float = 0.0):
        lx, ly = local(x, y)
        d = (math.sin(tilt), 0.0, -math.cos(tilt))
        return index.pick((lx - 100 * d[0], ly, 100 * math.cos(tilt)), d)

    assert down(20, 20) is None
    assert down(20, 20, tilt=math.radians(10)) is None  # past the inner walls to the ground
    assert down(5, 20).feature == row["court"]
    assert down(5, 20).point[2] == pytest.approx(12.0, abs=1e-3)
    assert down(67, 7).feature == row["east"]
    assert down(7, 67).feature == row["north"]


def test_building_facts_from_the_raw_file(expo: Prepared) -> None:
    raw = json.loads((REPO / "assets" / "sangmu.geojson").read_text("utf-8"))["features"]
    d, level = expo.district, expo.scene.level_height
    geod = Geod(ellps="WGS84")

    def raw_of(row: int) -> dict:
        return raw[int(d.source_index[row])]

    def check_common(facts, f: dict) -> None:
        props, geom = f["properties"], shape(f["geometry"])
        assert facts.feature_id == f["id"]
        assert facts.kind == props["building"]
        assert facts.name == props.get("name") and facts.name_en == props.get("name:en")
        area = abs(geod.geometry_area_perimeter(geom)[0])
        assert facts.footprint_m2 == pytest.approx(area, rel=1e-4)
        assert geom.contains(Point(facts.lon, facts.lat))

    named = [r for r in d.select("buildings")
             if "name" in raw_of(r)["properties"] and "building:levels" in raw_of(r)["properties"]]
    assert named
    row = named[len(named) // 2]
    f = raw_of(row)
    facts = building_facts(d, row, level)
    levels = float(f["properties"]["building:levels"])
    assert facts.row == row and facts.layer == "buildings"
    assert facts.floors == levels and facts.floors_estimated is None
    want = float(f["properties"].get("height", levels * level))
    assert facts.height == pytest.approx(want)
    assert facts.height_source == ("measured" if "height" in f["properties"] else "levels")
    check_common(facts, f)

    unknown = next(r for r in d.select("buildings") if "building:levels" not in
                   raw_of(r)["properties"] and "height" in raw_of(r)["properties"])
    f = raw_of(unknown)
    facts = building_facts(d, unknown, level)
    height = float(f["properties"]["height"])
    assert facts.height == pytest.approx(height) and facts.height_source == "measured"
    assert facts.floors is None and facts.floors_estimated == round(height / level)
    check_common(facts, f)


def test_building_facts_never_raise_for_a_valid_row(expo: Prepared) -> None:
    d = expo.district
    for row in range(len(d)):
        facts = building_facts(d, row)
        assert math.isfinite(facts.height) and math.isfinite(facts.lon)
        if d.layer[row] not in ("buildings", "landmarks"):
            assert facts.floors is None and facts.floors_estimated is None
            assert facts.height_source == ""
    road = int(d.select("roads")[0])
    assert building_facts(d, road).footprint_m2 == 0.0
    for bad in (-1, len(d), len(d) + 5):
        with pytest.raises(IndexError):
            building_facts(d, bad)
