"""The healthcare demo's pure logic: ambulance speeds, travel times, bands and shares.

The shares are checked against networkx's Dijkstra on the same road graph, with the ERs and
buildings spliced into their road stretches as nodes: an independent route to the same
numbers.
"""

from __future__ import annotations

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
