"""The healthcare demo's pure logic: ambulance speeds, travel times, bands and shares.

The shares are checked against networkx's Dijkstra on the same road graph, with the ERs and
buildings spliced into their road stretches as nodes: an independent route to the same
numbers.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
import shapely
from render_helpers import panda3d_loaded_by
from shapely import LineString

from gwangju_twin.demos.healthcare import coverage, sites
from gwangju_twin.demos.healthcare.coverage import (
    Anchors,
    CoverageModel,
    band_of,
    edge_speeds,
    floor_areas,
    local_from_lonlat,
)
from gwangju_twin.demos.healthcare.sites import find_places
from gwangju_twin.plugins.api import Features
from gwangju_twin.plugins.district import district_data
from gwangju_twin.plugins.roads import build_road_graph

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]


def test_the_pure_module_does_not_import_panda3d() -> None:
    code = "import gwangju_twin.demos.healthcare.coverage, gwangju_twin.demos.healthcare.sites\n"
    assert panda3d_loaded_by(code) == []


def test_speeds_are_65_percent_of_the_legal_limit() -> None:
    v = edge_speeds(["primary", "secondary", "residential", "service", None, "bogus"], 7)
    kmh = v * 3.6
    np.testing.assert_allclose(kmh, [39.0, 32.5, 19.5, 19.5, 32.5, 32.5, 32.5])


def test_bands_have_closed_lower_edges() -> None:
    minutes = np.array([0.0, 3.999, 4.0, 7.9, 8.0, 12.0, 60.0, np.inf])
    assert band_of(minutes).tolist() == [0, 0, 1, 1, 2, 3, 3, 3]


def test_floor_area_uses_levels_then_height() -> None:
    got = floor_areas(np.array([100.0, 100.0, 100.0, 100.0]),
                      np.array([5.0, np.nan, np.nan, 0.0]), np.array([99.0, 30.0, np.nan, 1.0]))
    assert got.tolist() == [500.0, 1000.0, 100.0, 100.0]


def test_a_hand_computed_trip() -> None:
    """One 1 km arterial; an ER 10 m off its west end, a building 20 m off its east end."""
    roads = build_road_graph([LineString([(0, 0), (1000, 0)])])
    model = CoverageModel(roads, ["primary"], np.array([[1000.0, 20.0]]))
    er = model.anchor(np.array([[0.0, 10.0]]))
    fast, slow = 60 * 0.65 / 3.6, 30 * 0.65 / 3.6
    expected = (10 / slow + 1000 / fast + 20 / slow) / 60
    result = model.coverage(er)
    assert result.minutes[0] == pytest.approx(expected)
    assert expected * 60 == pytest.approx(1.846 + 92.308 + 3.692, abs=0.01)  # seconds
    assert result.bands.tolist() == [0]
    assert result.building_share.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_no_open_er_leaves_every_building_in_the_last_band() -> None:
    roads = build_road_graph([LineString([(0, 0), (1000, 0)])])
    model = CoverageModel(roads, ["primary"], np.array([[10.0, 5.0], [900.0, 5.0]]))
    none = Anchors(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    result = model.coverage(none)
    assert np.isinf(result.minutes).all()
    assert result.building_share.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert result.floor_share.tolist() == [0.0, 0.0, 0.0, 1.0]


def test_lonlat_inversion_round_trips(sangmu: tuple[Any, Any]) -> None:
    _, district = sangmu
    frame = district.frame
    for s in (*sites.EMERGENCY_ROOMS, sites.AMBULANCE_BASE):
        x, y = local_from_lonlat(frame.to_lonlat, s.lon, s.lat)
        lon, lat = frame.to_lonlat(x, y)
        assert (float(lon), float(lat)) == pytest.approx((s.lon, s.lat), abs=1e-9)


# --- against networkx ------------------------------------------------------------------------


def networkx_minutes(model: CoverageModel, sources: Anchors, places: Anchors) -> np.ndarray:
    """Minutes to ``places`` by networkx: every source and place becomes a node on its road
    stretch, and one extra node feeds all sources through their straight gaps."""
    roads = model.roads
    on_edge: dict[int, list[tuple[float, Any]]] = defaultdict(list)
    for i, (e, o) in enumerate(zip(sources.edge.tolist(), sources.offset.tolist(), strict=True)):
        on_edge[e].append((o, ("er", i)))
    for j, (e, o) in enumerate(zip(places.edge.tolist(), places.offset.tolist(), strict=True)):
        on_edge[e].append((o, ("place", j)))
    graph = nx.Graph()

    def join(a: Any, b: Any, seconds: float) -> None:
        # Two stretches between the same junctions: the faster one counts.
        if not graph.has_edge(a, b) or graph[a][b]["weight"] > seconds:
            graph.add_edge(a, b, weight=seconds)

    for e, (u, v) in enumerate(roads.edges.tolist()):
        chain = [(0.0, u), *sorted(on_edge[e], key=lambda t: t[0]),
                 (float(roads.lengths[e]), v)]
        for (o1, a), (o2, b) in itertools.pairwise(chain):
            join(a, b, (o2 - o1) / float(model.speeds[e]))
    slow = coverage.ambulance_speed(coverage.LAST_STRETCH_KMH)
    for i, gap in enumerate(sources.gap.tolist()):
        join("dispatch", ("er", i), gap / slow)
    reached = nx.single_source_dijkstra_path_length(graph, "dispatch", weight="weight")
    return np.array([(reached.get(("place", j), math.inf) + gap / slow) / 60
                     for j, gap in enumerate(places.gap.tolist())])


def shares(minutes: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bands = band_of(minutes)
    count = np.bincount(bands, minlength=4)
    floor = np.bincount(bands, weights=weights, minlength=4)
    return count / count.sum(), floor / floor.sum()


@pytest.fixture(scope="module")
def sangmu_model(sangmu: tuple[Any, Any]) -> tuple[CoverageModel, Anchors]:
    _, district = sangmu
    data = district_data(district, [], (0.0, 0.0, 1.0, 1.0))
    b = data.buildings
    model = CoverageModel(data.roads, data.road_kinds, b.centroids,
                          floor_areas(b.areas, b.levels, b.heights))
    ers = model.anchor(np.array([local_from_lonlat(district.frame.to_lonlat, s.lon, s.lat)
                                 for s in sites.EMERGENCY_ROOMS]))
    return model, ers


@pytest.mark.parametrize("open_ers", [(True, True), (False, True), (True, False)])
def test_sangmu_shares_match_networkx(sangmu_model: tuple[CoverageModel, Anchors],
                                      open_ers: tuple[bool, ...]) -> None:
    model, ers = sangmu_model
    sources = model.subset(ers, np.array(open_ers))
    ours = model.coverage(sources)
    theirs = networkx_minutes(model, sources, model.anchors)
    np.testing.assert_allclose(ours.minutes, theirs, rtol=1e-9, atol=1e-9)
    building, floor = shares(theirs, model.weights)
    np.testing.assert_allclose(ours.building_share, building, atol=1e-12)
    np.testing.assert_allclose(ours.floor_share, floor, atol=1e-12)
    assert len(ours.minutes) > 2000 and np.isfinite(ours.minutes).all()


def test_closing_an_er_never_speeds_anyone_up(
        sangmu_model: tuple[CoverageModel, Anchors]) -> None:
    model, ers = sangmu_model
    both = model.coverage(ers)
    for k in range(len(sites.EMERGENCY_ROOMS)):
        one = model.coverage(model.subset(ers, np.arange(len(sites.EMERGENCY_ROOMS)) != k))
        assert (one.minutes >= both.minutes - 1e-9).all()
        assert one.minutes.max() > both.minutes.max() or one.minutes.sum() > both.minutes.sum()
    # With both ERs open most of the district is within 4 minutes, all within 12.
    assert both.building_share[0] > 0.5 and both.building_share[3] == 0.0


def test_a_shared_road_stretch_is_driven_directly() -> None:
    """An ER and a building on the same long stretch: the trip runs along it, not round."""
    roads = build_road_graph([LineString([(0, 0), (2000, 0)])])
    model = CoverageModel(roads, ["residential"], np.array([[1000.0, 0.0]]))
    er = model.anchor(np.array([[900.0, 0.0]]))
    assert model.coverage(er).minutes[0] == pytest.approx(100 / (30 * 0.65 / 3.6) / 60)
    np.testing.assert_allclose(model.coverage(er).minutes,
                               networkx_minutes(model, er, model.anchors))


# --- the district's data ---------------------------------------------------------------------


def test_road_kinds_follow_the_source_lines(sangmu: tuple[Any, Any]) -> None:
    _, district = sangmu
    data = district_data(district, [], (0.0, 0.0, 1.0, 1.0))
    assert len(data.road_kinds) == len(data.roads.edges)
    assert set(data.road_kinds) <= set(coverage.SPEED_LIMITS_KMH)
    rows = district.select("roads")
    for e in range(0, len(data.roads.edges), 37):
        middle = shapely.line_interpolate_point(
            LineString(data.roads.edge_path(e)), 0.5, normalized=True)
        gaps = shapely.distance(district.geometry[rows], middle)
        assert data.road_kinds[e] in set(district.kind[rows][gaps < 0.5 + gaps.min()])


def test_the_demo_sites_are_the_spec_landmarks() -> None:
    spec = tomllib.loads((REPO / "scripts" / "sangmu_district.toml").read_text("utf-8"))
    landmarks = {lm["id"]: lm for lm in spec["landmark"]}
    for s in sites.EMERGENCY_ROOMS:
        lm = landmarks[s.key]
        assert (lm["name"], lm["name_en"]) == (s.name_ko, s.name_en)
        assert lm["at"] == [s.lon, s.lat]
        assert lm["tags"]["amenity"] == "hospital" and lm["tags"]["emergency"] == "yes"
    base = landmarks[sites.AMBULANCE_BASE.key]
    assert base["at"] == [sites.AMBULANCE_BASE.lon, sites.AMBULANCE_BASE.lat]
    assert base["tags"]["emergency"] == "ambulance_station"
    lon0, lat0, lon1, lat1 = spec["bounds"]
    for s in (*sites.EMERGENCY_ROOMS, sites.AMBULANCE_BASE):
        assert lon0 < s.lon < lon1 and lat0 < s.lat < lat1


# --- the bands along the roads ---------------------------------------------------------------


def test_a_hand_computed_split_of_one_street() -> None:
    """A 5 km residential street (19.5 km/h, 5.417 m/s) with an ER at its west end: the
    band edges fall at 4, 8 and 12 minutes' drive, 240 s x 5.417 = 1300 m apart."""
    roads = build_road_graph([LineString([(0, 0), (5000, 0)])])
    model = CoverageModel(roads, ["residential"], np.zeros((0, 2)))
    pieces = model.band_pieces(model.anchor(np.array([[0.0, 0.0]])))
    assert pieces.band.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(pieces.start, [0, 1300, 2600, 3900])
    np.testing.assert_allclose(pieces.end, [1300, 2600, 3900, 5000])
    np.testing.assert_allclose([shapely.get_coordinates(line)[[0, -1], 0].tolist()
                                for line in pieces.lines],
                               [[0, 1300], [1300, 2600], [2600, 3900], [3900, 5000]])
    # The ER in the middle of the street: 1300 m either way is the first band, the rest
    # (1200 m to each end) the second.
    middle = model.band_pieces(model.anchor(np.array([[2500.0, 0.0]])))
    assert middle.band.tolist() == [1, 0, 1]
    np.testing.assert_allclose(middle.start, [0, 1200, 3800])
    np.testing.assert_allclose(middle.end, [1200, 3800, 5000])


def test_a_cut_follows_the_bends_of_its_road() -> None:
    """An L-shaped street, 1000 m east then 1000 m north, the ER at its start: the first
    band's 1300 m end 300 m up the northern leg, and its line keeps the corner."""
    roads = build_road_graph([LineString([(0, 0), (1000, 0), (1000, 1000)])])
    model = CoverageModel(roads, ["residential"], np.zeros((0, 2)))
    pieces = model.band_pieces(model.anchor(np.array([[0.0, 0.0]])))
    assert pieces.band.tolist() == [0, 1]
    first, second = (shapely.get_coordinates(line) for line in pieces.lines)
    np.testing.assert_allclose(first, [[0, 0], [1000, 0], [1000, 300]], atol=1e-9)
    np.testing.assert_allclose(second, [[1000, 300], [1000, 1000]], atol=1e-9)


@pytest.mark.parametrize("open_ers", [(True, True), (False, True)])
def test_sangmu_road_bands_match_networkx(sangmu_model: tuple[CoverageModel, Anchors],
                                          open_ers: tuple[bool, ...]) -> None:
    """Every stretch lies in its band by networkx's times at three points of it, and
    where a band changes inside a road the time at the cut is that band's edge."""
    model, ers = sangmu_model
    sources = model.subset(ers, np.array(open_ers))
    pieces = model.band_pieces(sources)
    roads = model.roads
    # The stretches cover every road once, along the road's own line.
    covered = np.bincount(pieces.edge, weights=pieces.end - pieces.start,
                          minlength=len(roads.edges))
    np.testing.assert_allclose(covered, roads.lengths, atol=1e-6)
    np.testing.assert_allclose(shapely.length(pieces.lines), pieces.end - pieces.start,
                               atol=1e-6)
    for e, s, line in list(zip(pieces.edge, pieces.start, pieces.lines, strict=True))[::7]:
        on_road = shapely.line_interpolate_point(LineString(roads.edge_path(int(e))), s)
        assert shapely.distance(on_road, shapely.get_point(line, 0)) < 1e-6
    # Three points of each stretch, by networkx.
    fractions = np.array([0.05, 0.5, 0.95])
    edge = np.repeat(pieces.edge, 3)
    offset = (pieces.start[:, None] + fractions * (pieces.end - pieces.start)[:, None]).ravel()
    theirs = networkx_minutes(model, sources, Anchors(edge, offset, np.zeros(len(edge))))
    assert (band_of(theirs) == np.repeat(pieces.band, 3)).all()
    # The cuts inside a road, by networkx: at a band's edge, to a millisecond.
    inner = np.flatnonzero(pieces.edge[1:] == pieces.edge[:-1])
    assert len(inner) > 20
    at_cut = networkx_minutes(model, sources, Anchors(
        pieces.edge[inner], pieces.end[inner], np.zeros(len(inner))))
    lower = np.minimum(pieces.band[inner], pieces.band[inner + 1])
    assert (np.abs(pieces.band[inner] - pieces.band[inner + 1]) == 1).all()
    np.testing.assert_allclose(at_cut, np.asarray(coverage.BAND_EDGES)[lower], atol=1e-5 / 60)
    # Three bands on the roads with one ER closed (what the render test looks for).
    if not all(open_ers):
        assert set(pieces.band.tolist()) >= {0, 1, 2}


def test_band_paths_keep_every_metre_of_each_band(
        sangmu_model: tuple[CoverageModel, Anchors]) -> None:
    model, ers = sangmu_model
    pieces = model.band_pieces(ers)
    paths = coverage.band_paths(pieces)
    assert len(paths) <= len(pieces.band)
    drawn = np.zeros(4)
    for band, path in paths:
        drawn[band] += shapely.length(LineString(path))
    np.testing.assert_allclose(drawn, np.bincount(pieces.band, weights=pieces.end - pieces.start,
                                                  minlength=4), rtol=1e-9)


# --- the ERs from the district's own data ----------------------------------------------------


@pytest.fixture(scope="module")
def sangmu_data(sangmu: tuple[Any, Any]) -> Any:
    _, district = sangmu
    return district_data(district, [], (0.0, 0.0, 1.0, 1.0))


def with_features(data: Any, rows: list[tuple[str, str | None, dict[str, Any], Any]]) -> Any:
    """``data`` whose features are only ``rows`` of (name, English name, tags, geometry)."""
    geoms = np.array([g for *_, g in rows], object)
    features = Features(
        layer=np.array(["landmarks"] * len(rows), dtype=str),
        name=tuple(r[0] for r in rows), name_en=tuple(r[1] for r in rows),
        kind=np.array(["landmark"] * len(rows), dtype=str),
        tags=tuple(r[2] for r in rows),
        centroid=shapely.get_coordinates(shapely.point_on_surface(geoms)).reshape(-1, 2),
        geometry=geoms)
    return dataclasses.replace(data, features=features)


def test_the_ers_come_from_the_districts_tags(sangmu_data: Any) -> None:
    places = find_places(sangmu_data)
    assert places.ers_from_district and places.base_from_district
    # The spec's two landmarks tagged amenity=hospital + emergency=yes, where the spec puts
    # them (to_local of its `at`; the footprint is a box round it).
    assert [(p.name_ko, p.name_en, p.short_en) for p in places.ers] == [
        ("상무병원", "Sangmu Hospital", "Sangmu ER"),
        ("광주한국병원", "Gwangju Hanguk Hospital", "Hanguk ER")]
    for p, s in zip(places.ers, sites.EMERGENCY_ROOMS, strict=True):
        assert math.dist(p.xy, sangmu_data.to_local(s.lon, s.lat)) < 1.0
    assert places.base.name_ko == "상무119안전센터"
    # The spec shifts the centre's footprint 6 m west of its address point.
    base = sites.AMBULANCE_BASE
    assert math.dist(places.base.xy, sangmu_data.to_local(base.lon, base.lat)) < 10.0


def test_what_tags_make_an_er() -> None:
    assert sites.is_emergency_room({"amenity": "hospital", "emergency": "yes"})
    assert sites.is_emergency_room({"healthcare": "hospital", "emergency": "Yes "})
    assert not sites.is_emergency_room({"amenity": "hospital"})  # no emergency department
    assert not sites.is_emergency_room({"amenity": "clinic", "emergency": "yes"})
    assert not sites.is_emergency_room({"emergency": "ambulance_station"})
    assert sites.is_ambulance_base({"amenity": "fire_station",
                                    "emergency": "ambulance_station"})
    assert sites.short_name("Chosun University Hospital", "ER 1") == "Chosun ER"
    assert sites.short_name("Hospital", "ER 1") == "ER 1"


def test_ers_elsewhere_in_the_district_change_the_coverage(sangmu_data: Any) -> None:
    """One ER tagged at the district's far west instead of the two real ones: the demo
    finds it, and the buildings near the real ERs wait longer."""
    b = sangmu_data.buildings
    model = CoverageModel(sangmu_data.roads, sangmu_data.road_kinds, b.centroids)
    real = find_places(sangmu_data)
    x0 = float(b.centroids[:, 0].min())
    west = shapely.Point(x0 + 50.0, float(np.median(b.centroids[:, 1])))
    moved = with_features(sangmu_data, [
        ("서쪽병원", "West Hospital", {"amenity": "hospital", "emergency": "yes"}, west),
        ("의원", "A clinic", {"amenity": "clinic", "emergency": "yes"},
         shapely.Point(real.ers[0].xy)),
    ])
    places = find_places(moved)
    assert places.ers_from_district
    assert [(p.name_ko, p.short_en) for p in places.ers] == [("서쪽병원", "West ER")]
    assert places.ers[0].xy == pytest.approx((west.x, west.y))
    assert not places.base_from_district  # the new features name no ambulance station
    before = model.coverage(model.anchor(np.array([p.xy for p in real.ers])))
    after = model.coverage(model.anchor(np.array([p.xy for p in places.ers])))
    near_real = np.hypot(*(b.centroids - real.ers[0].xy).T) < 200
    assert (after.minutes[near_real] > before.minutes[near_real]).all()
    # The building nearest the new ER is reached from it in about the gap's time.
    nearest = int(np.argmin(np.hypot(*(b.centroids - (west.x, west.y)).T)))
    assert after.minutes[nearest] < before.minutes[nearest]


def test_an_er_as_a_tagged_building_counts_once(sangmu_data: Any) -> None:
    """Real OSM data tags the hospital's building itself; a named point on it is the same
    ER, not a second one."""
    places = find_places(with_features(sangmu_data, []))
    assert not places.ers_from_district  # the Sangmu buildings carry no ER tags
    b = sangmu_data.buildings
    tags = list(b.tags)
    tags[10] = {"building": "hospital", "amenity": "hospital", "emergency": "yes",
                "name:en": "Tower Hospital"}
    names = list(b.names)
    names[10] = "타워병원"
    tagged = dataclasses.replace(
        with_features(sangmu_data, [
            ("타워병원", None, {"amenity": "hospital", "emergency": "yes"},
             shapely.Point(b.centroids[10] + 5.0))]),
        buildings=dataclasses.replace(b, tags=tuple(tags), names=tuple(names)))
    places = find_places(tagged)
    assert len(places.ers) == 1 and places.ers_from_district
    # Without the point, the building alone is found, with its English name from its tags.
    alone = find_places(dataclasses.replace(tagged, features=with_features(
        sangmu_data, []).features))
    assert [(p.name_ko, p.name_en, p.short_en) for p in alone.ers] == [
        ("타워병원", "Tower Hospital", "Tower ER")]
    assert alone.ers[0].xy == pytest.approx(tuple(b.centroids[10]))


def test_a_district_without_ers_falls_back_to_the_demos_list(sangmu_data: Any) -> None:
    places = find_places(with_features(sangmu_data, []))
    assert not places.ers_from_district and not places.base_from_district
    assert [p.name_en for p in places.ers] == [s.name_en for s in sites.EMERGENCY_ROOMS]
    for p, s in zip(places.ers, sites.EMERGENCY_ROOMS, strict=True):
        assert p.xy == pytest.approx(sangmu_data.to_local(s.lon, s.lat))
        assert p.short_en == s.short_en
