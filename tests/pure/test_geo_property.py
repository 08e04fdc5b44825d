"""Property tests: random valid and broken GeoJSON never crashes the loader or the mesher.

Only InputError may escape, and only for whole-file problems. Whatever loads is accounted for
(every input feature is loaded or skipped, exactly once), valid, finite, and meshes into
batches whose indices and feature ids are all in range.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from gwangju_twin.errors import InputError
from gwangju_twin.geo import LAYERS, load_geojson
from gwangju_twin.geo.model import POINTS_MODES, PointsMode
from gwangju_twin.mesh import build_district_mesh, extrude

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HEIGHT_KEYS = ["height", "HEIGHT", "building:height", "min_height", "building:min_height",
               "building:levels", "levels", "floors", "GRND_FLR", "building:min_level",
               "width", "lanes"]
TAG_KEYS = ["building", "kind", "name", "highway", "waterway", "leisure", "natural", "landuse",
            "amenity", "tourism", "water", "place"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=False),  # JSON text cannot hold infinity
    st.sampled_from(["12 m", "40 ft", "7,5", "3", "yes", "no", "", " ", "tall", "-5 m",
                     "building", "road", "water", "park", "apartments", "primary", "river",
                     "1e400", "12 미터", "광주"]),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)
properties = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(HEIGHT_KEYS + TAG_KEYS) | st.text(max_size=6), values,
                    max_size=6),
)


@st.composite
def frames(draw: st.DrawFn) -> tuple[float, float, float]:
    """A district centre anywhere (lat within +-80) and a grid step from 1 mm to ~10 km."""
    lon = draw(st.floats(-179.0, 179.0))
    lat = draw(st.floats(-80.0, 80.0))
    step = draw(st.sampled_from([1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 0.1]))
    return lon, lat, step


@st.composite
def rings(draw: st.DrawFn, frame: tuple[float, float, float]) -> list[list[float]]:
    """A ring on a coarse grid: self-intersections, collinear runs and repeats are common."""
    lon, lat, step = frame
    n = draw(st.integers(3, 9))
    cells = draw(st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6)), min_size=n,
                          max_size=n))
    pts = [[min(180.0, max(-180.0, lon + i * step)), lat + j * step] for i, j in cells]
    if draw(st.booleans()):  # a repeated point
        k = draw(st.integers(0, len(pts) - 1))
        pts.insert(k, list(pts[k]))
    if draw(st.booleans()):
        pts.append(list(pts[0]))  # closed, as GeoJSON asks; otherwise left open
    if draw(st.booleans()):
        pts = [[*p, draw(st.floats(-100, 1000))] for p in pts]  # 3D
    return pts


@st.composite
def geometries(draw: st.DrawFn, frame: tuple[float, float, float]) -> Any:
    kind = draw(st.sampled_from(["Polygon", "Polygon", "MultiPolygon", "LineString",
                                 "MultiLineString", "Point", "MultiPoint", "junk"]))
    if kind == "Polygon":
        return {"type": kind, "coordinates": draw(st.lists(rings(frame), min_size=1,
                                                           max_size=3))}
    if kind == "MultiPolygon":
        polys = st.lists(rings(frame), min_size=1, max_size=3)
        return {"type": kind, "coordinates": draw(st.lists(polys, min_size=1, max_size=3))}
    if kind in ("LineString", "MultiPoint"):
        return {"type": kind, "coordinates": draw(rings(frame))}
    if kind == "MultiLineString":
        return {"type": kind, "coordinates": draw(st.lists(rings(frame), min_size=1,
                                                           max_size=3))}
    if kind == "Point":
        return {"type": kind, "coordinates": draw(rings(frame))[0]}
    return draw(st.sampled_from([
        None,
        {"type": "Circle", "coordinates": [1, 2]},
        {"type": "Polygon", "coordinates": [[["a", "b"], ["c", "d"], ["e", "f"]]]},
        {"type": "Polygon", "coordinates": [[1.0, 2.0], [3.0, 4.0]]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[1.0, 2.0], [None, 3.0], [4.0, 5.0]]]},
        {"type": "LineString", "coordinates": "12,34"},
        {"type": "MultiPoint", "coordinates": []},
        {"type": "GeometryCollection", "geometries": []},
        "not a geometry",
    ]))


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    frame = draw(frames())
    feats = []
    for _ in range(draw(st.integers(1, 6))):
        feat: dict[str, Any] = {"type": "Feature", "geometry": draw(geometries(frame)),
                                "properties": draw(properties)}
        if draw(st.booleans()):
            feat["id"] = draw(st.one_of(st.integers(), st.text(max_size=5)))
        feats.append(feat)
    return {"type": "FeatureCollection", "features": feats}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property") / "random.geojson"


def _check_mesh(district: Any) -> None:
    mesh = build_district_mesh(district)
    n = len(district)
    assert math.isfinite(mesh.max_height)
    assert all(math.isfinite(v) for v in mesh.bounds)
    for batch in mesh.batches:
        assert batch.positions.shape == (batch.vertex_count, 3)
        assert np.isfinite(batch.positions).all(), batch.material
        assert np.isfinite(batch.normals).all(), batch.material
        assert len(batch.colors) == len(batch.feature_ids) == batch.vertex_count
        if batch.primitive_count:
            assert batch.indices.min() >= 0
            assert batch.indices.max() < batch.vertex_count
        if batch.vertex_count:
            assert batch.feature_ids.min() >= 0
            assert batch.feature_ids.max() < n


def _check_district(district: Any, report: Any, total: int) -> None:
    n = len(district)
    assert n == report.loaded > 0
    assert report.features == total
    loaded = list(district.source_index)
    skipped = [i.index for i in report.skipped]
    # Every input feature is loaded, skipped, or a point counted as left out, exactly once.
    assert len(set(loaded + skipped)) == len(loaded + skipped)
    assert set(loaded + skipped) <= set(range(total))
    assert len(loaded) + len(skipped) + sum(report.skipped_points.values()) == total
    assert {i.index for i in report.repaired} <= set(loaded)
    assert all(i.reason for i in report.skipped + report.repaired + report.warnings)
    assert sum(report.layers.values()) == n
    assert set(district.layer) <= set(LAYERS)
    assert sum(report.heights.values()) == int(np.isin(district.layer,
                                                       ("buildings", "landmarks")).sum()
                                               - _point_or_line_solids(district))
    # Areas are always valid; a line may legally collapse to a point (sub-nanometre input).
    polygonal = np.isin(shapely.get_type_id(district.geometry), (3, 6))
    assert shapely.is_valid(district.geometry[polygonal]).all()
    assert not shapely.is_empty(district.geometry).any()
    assert np.isfinite(shapely.get_coordinates(district.geometry)).all()
    solid = district.height_source != ""
    assert np.isfinite(district.height[solid]).all()
    assert (district.height[solid] > district.min_height[solid]).all()
    assert (district.min_height[solid] >= 0).all()
    assert (district.height[solid] <= 1000).all()
    json.dumps(report.as_dict(), allow_nan=False)  # the --json form is always valid JSON


def _point_or_line_solids(district: Any) -> int:
    """Point landmarks and line features have no height source."""
    types = shapely.get_type_id(district.geometry)
    solid_layer = np.isin(district.layer, ("buildings", "landmarks"))
    return int((solid_layer & ~np.isin(types, (3, 6))).sum())


@SETTINGS
@given(doc=documents(), points=st.sampled_from(POINTS_MODES))
def test_random_documents_load_and_mesh(
    doc: dict[str, Any], points: PointsMode, scratch: Path
) -> None:
    scratch.write_text(json.dumps(doc), encoding="utf-8")
    try:
        district, report = load_geojson(scratch, points=points)
    except InputError as exc:
        # Only when nothing at all could be loaded (the sole whole-file problem possible here).
        message = str(exc)
        assert message.startswith(str(scratch)) and "\n" not in message
        assert "none of its" in message, message
        return
    _check_district(district, report, len(doc["features"]))
    assert points == "poi" or not report.skipped_points  # --points all keeps every point
    # Ids (as text) and properties travel with their features into the district and report.
    def fid(index: int) -> str | None:
        raw = doc["features"][index].get("id")
        return None if raw is None else str(raw)

    for row, index in enumerate(district.source_index):
        assert district.feature_id[row] == fid(index)
        given_props = doc["features"][index]["properties"] or {}
        # Compared as JSON text: NaN values are never equal to themselves.
        assert json.dumps(district.properties[row], sort_keys=True) == json.dumps(
            given_props, sort_keys=True
        )
    for issue in report.skipped + report.repaired + report.warnings:
        assert issue.id == fid(issue.index)
    _check_mesh(district)


@SETTINGS
@given(
    shells=st.lists(st.tuples(st.integers(-500, 500), st.integers(-500, 500),
                              st.integers(2, 200), st.integers(2, 200)), min_size=1, max_size=5),
    heights=st.lists(st.one_of(st.floats(0.5, 500), st.sampled_from(["12 m", "40 ft"])),
                     min_size=5, max_size=5),
    lat=st.floats(-70, 70),
)
def test_valid_buildings_always_load_in_full(
    shells: list[tuple[int, int, int, int]], heights: list[Any], lat: float, scratch: Path
) -> None:
    """Well-formed (possibly overlapping) rectangles with valid heights: nothing is lost."""
    m = 1.0 / 111_320.0  # degrees per metre of latitude, about
    feats = []
    for n, (x, y, w, h) in enumerate(shells):
        x0, y0 = 126.85 + x * m, lat + y * m
        x1, y1 = x0 + w * m, y0 + h * m
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        feats.append({"type": "Feature", "id": n, "geometry": {"type": "Polygon",
                                                               "coordinates": [ring]},
                      "properties": {"building": "yes", "height": heights[n]}})
    scratch.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    district, report = load_geojson(scratch)
    assert report.loaded == len(shells)
    assert not report.skipped and not report.repaired and not report.warnings
    assert report.heights["measured"] == len(shells)
    _check_district(district, report, len(shells))
    _check_mesh(district)


@SETTINGS
@given(
    positions=st.lists(st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=3,
                       max_size=12),
    closed=st.booleans(),
)
def test_any_lonlat_positions_load_or_fail_with_one_line(
    positions: list[tuple[float, float]], closed: bool, scratch: Path
) -> None:
    """Positions anywhere on Earth, however huge the span: a clean load or one clean line."""
    ring = [list(p) for p in positions]
    if closed:
        ring.append(ring[0])
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"building": "yes"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString",
                                                           "coordinates": ring}},
    ]}
    scratch.write_text(json.dumps(doc))
    try:
        district, report = load_geojson(scratch)
    except InputError as exc:
        assert str(exc).startswith(str(scratch)) and "\n" not in str(exc)
        return
    _check_district(district, report, 2)
    _check_mesh(district)


@SETTINGS
@example(coords=[[(0, -1), (0, 0), (0, 0), (1, 0), (-1, 1)]], scale=0.01, bottom=0.0,
         extra=1.0)  # a concave corner behind a repeated vertex was once fanned over
@example(coords=[[(0, 0), (0, 0), (0, 1)], [(-4, -4), (0, 3), (-12, -18), (1, 0), (0, 4)]],
         scale=0.01, bottom=0.0, extra=1.0)  # a spike (out and back along one line), which
# make_valid keeps at this scale, was fanned and then cut by earcut into overlapping triangles
@given(
    coords=st.lists(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=3,
                             max_size=10), min_size=1, max_size=4),
    scale=st.sampled_from([0.01, 1.0, 50.0, 1e4]),
    bottom=st.floats(0, 50),
    extra=st.floats(0.1, 300),
)
def test_extrude_random_polygons(
    coords: list[list[tuple[int, int]]], scale: float, bottom: float, extra: float
) -> None:
    """Random rings, made valid and oriented as the loader hands them over, then extruded."""
    shell, *holes = ([(x * scale, y * scale) for x, y in ring] for ring in coords)
    try:  # GEOS itself rejects some degenerate inputs (a shell of one repeated point)
        fixed = shapely.make_valid(shapely.Polygon(shell, holes))
    except shapely.errors.GEOSException:
        assume(False)
    parts = shapely.get_parts(fixed)
    parts = parts[shapely.get_type_id(parts) == 3]
    parts = parts[shapely.area(parts) > 0]
    if not len(parts):
        return
    parts = shapely.orient_polygons(parts, exterior_cw=False)
    k = len(parts)
    ids = np.arange(k, dtype=np.int64) * 3 + 7  # any District rows, not necessarily 0..k-1
    top = np.full(k, bottom + extra)
    rgba = np.full((k, 4), 180, np.uint8)
    batch = extrude(parts, ids, np.full(k, bottom), top, rgba, rgba)
    assert batch.primitive == "triangles"
    assert np.isfinite(batch.positions).all() and np.isfinite(batch.normals).all()
    assert batch.indices.min() >= 0 and batch.indices.max() < batch.vertex_count
    assert set(np.unique(batch.feature_ids)) <= set(ids.tolist())
    z = batch.positions[:, 2]
    assert z.min() >= np.float32(bottom) - 1e-3 and z.max() <= np.float32(bottom + extra) + 1e-3
    # The roof (up-facing triangles at the top) covers exactly the polygon area.
    tri = batch.positions[batch.indices.astype(np.int64)].astype(np.float64)
    up = batch.normals[batch.indices[:, 0], 2] > 0.5
    a, b, c = tri[up, 0], tri[up, 1], tri[up, 2]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    # Counter-clockwise seen from above, up to float32 rounding of the positions.
    eps = 1e-6 * float(np.abs(batch.positions[:, :2]).max()) ** 2
    assert (cross >= -eps).all()
    expected = float(shapely.area(parts).sum())
    assert cross.sum() / 2 == pytest.approx(expected, rel=1e-4, abs=eps)


def _lowered_one_by_one(props: dict[Any, Any]) -> dict[str, Any]:
    """What ``tags.lower_keys`` gives, key by key: the first spelling of a key wins."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        out.setdefault(str(key).lower(), value)
    return out


@SETTINGS
@given(st.lists(st.tuples(st.one_of(st.sampled_from(["A9", "a9", "Name", "NAME", "name:EN",
                                                     "Height", "A16"]),
                                    st.integers(-2, 2), st.booleans()),
                          st.integers()), max_size=8),
       st.integers(1, 3))
@example(items=[("Name", 1), ("NAME", 2), ("A9", 3)], calls=2)
def test_lower_keys_gives_what_lowering_each_key_gives(items: list[tuple[Any, int]],
                                                       calls: int) -> None:
    """``lower_keys`` remembers the lowered keys of each key tuple it meets (every feature of
    a table-like source shares one): a key tuple met again, colliding spellings ("Name",
    "NAME") and keys that are no text (1 and True are equal dict keys) give the same dict
    as lowering each key."""
    from gwangju_twin.geo.tags import lower_keys

    props = dict(items)
    for _ in range(calls):
        got = lower_keys(props)
        assert got == _lowered_one_by_one(props)
        assert list(got) == list(_lowered_one_by_one(props))
    # The same keys with other values: taken from this dict, not from the last one.
    other = {k: (v, "other") for k, v in props.items()}
    assert lower_keys(other) == _lowered_one_by_one(other)
    assert lower_keys({1: "a"}) == {"1": "a"} and lower_keys({True: "b"}) == {"true": "b"}
