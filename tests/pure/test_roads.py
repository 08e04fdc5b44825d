"""The road graph plugins route on (gwangju_twin.plugins.roads): pure, no Panda3D, no host."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely
from shapely import LineString, MultiLineString

from gwangju_twin.plugins.roads import SNAP_TOLERANCE, RoadGraph, build_road_graph


def seg_length(path: np.ndarray) -> float:
    return float(np.hypot(*np.diff(path, axis=0).T).sum())


def node_at(g: RoadGraph, x: float, y: float, tol: float = 1e-9) -> int:
    i = g.nearest_node(x, y)
    assert np.hypot(*(g.nodes[i] - (x, y))) <= tol, (g.nodes[i], (x, y))
    return i


def degree(g: RoadGraph, i: int) -> int:
    return int(np.count_nonzero(g.edges == i))


@pytest.fixture(scope="module")
def grid() -> RoadGraph:
    """A small town: an avenue crossed by a street (no shared vertex), a side street that
    starts part-way along the avenue (T), one that stops 0.3 m short of it (near-miss T), a
    road continuing the avenue from 0.36 m past its end, and a separate lane far away."""
    return build_road_graph([
        LineString([(0, 0), (200, 0)]),  # the avenue
        LineString([(100, -100), (100, 100)]),  # crosses it at (100, 0)
        LineString([(50, 0), (50, 80)]),  # T-junction mid-avenue
        LineString([(150, 0.3), (150, 60)]),  # stops 0.3 m short of the avenue
        LineString([(200.2, 0.3), (260, 0.3)]),  # continues the avenue, a hair off its end
        LineString([(500, 500), (600, 500)]),  # unreachable
    ])


def test_crossing_and_t_junctions_become_nodes(grid: RoadGraph) -> None:
    # Joining the near misses may bend the avenue by up to the snap tolerance.
    assert degree(grid, node_at(grid, 100, 0, SNAP_TOLERANCE)) == 4
    assert degree(grid, node_at(grid, 50, 0)) == 3
    near_t = grid.nearest_node(150, 0)
    assert np.hypot(*(grid.nodes[near_t] - (150, 0))) <= SNAP_TOLERANCE
    assert degree(grid, near_t) == 3
    # The avenue's end and its continuation 0.36 m away are one node.
    joint = grid.nearest_node(200, 0)
    assert np.hypot(*(grid.nodes[joint] - (200, 0))) <= SNAP_TOLERANCE
    assert degree(grid, joint) == 2
    # 8 ends + 4 junctions; the avenue is cut in four, the crossing street in two.
    assert len(grid.nodes) == 12
    assert len(grid.edges) == 10


def test_edges_hold_their_geometry(grid: RoadGraph) -> None:
    for i, (u, v) in enumerate(grid.edges):
        path = grid.edge_path(i)
        assert len(path) >= 2
        np.testing.assert_array_equal(path[0], grid.nodes[u])
        np.testing.assert_array_equal(path[-1], grid.nodes[v])
        assert grid.lengths[i] == pytest.approx(seg_length(path))
        assert u != v
    assert grid.total_length == pytest.approx(200 + 200 + 80 + 59.7 + 59.8 + 100, abs=1.0)


def test_routes_follow_the_roads(grid: RoadGraph) -> None:
    a, b = node_at(grid, 0, 0), node_at(grid, 100, 100)
    r = grid.route(a, b)
    assert r.length == pytest.approx(200.0, abs=SNAP_TOLERANCE)
    assert r.nodes[0] == a and r.nodes[-1] == b
    assert len(r.edges) == len(r.nodes) - 1
    np.testing.assert_allclose(r.path[[0, -1]], [(0, 0), (100, 100)])
    assert seg_length(r.path) == pytest.approx(r.length)
    assert r.nodes == (a, node_at(grid, 50, 0), node_at(grid, 100, 0, SNAP_TOLERANCE), b)

    # Round the corner of the T and along to the near-miss side street, both ways.
    c, d = node_at(grid, 50, 80), node_at(grid, 150, 60)
    there, back = grid.route(c, d), grid.route(d, c)
    assert there.length == pytest.approx(80 + 100 + 60, abs=2 * SNAP_TOLERANCE)
    assert back.length == pytest.approx(there.length)
    np.testing.assert_allclose(back.path, there.path[::-1])
    assert grid.distances(c)[d] == pytest.approx(there.length)


def test_route_to_itself_is_empty(grid: RoadGraph) -> None:
    a = node_at(grid, 0, 0)
    r = grid.route(a, a)
    assert r.nodes == (a,) and r.edges == () and r.length == 0.0
    assert r.path.shape == (1, 2)


def test_unreachable_raises(grid: RoadGraph) -> None:
    a, far = node_at(grid, 0, 0), node_at(grid, 600, 500)
    with pytest.raises(ValueError, match="cannot be reached"):
        grid.route(a, far)
    assert np.isinf(grid.distances(a)[far])
    assert grid.components[a] == 0 and grid.components[far] == 1
    assert np.count_nonzero(grid.components == 0) == 10
    # Restricted to the main network, the nearest node to the lone lane is on the avenue.
    assert grid.components[grid.nearest_node(600, 500, component=0)] == 0
    with pytest.raises(IndexError):
        grid.route(a, len(grid.nodes))


def test_arrays_are_read_only(grid: RoadGraph) -> None:
    for arr in (grid.nodes, grid.edges, grid.lengths, grid.edge_path(0), grid.components,
                grid.route(0, 1).path):
        with pytest.raises(ValueError):
            arr[0] = 0
    assert grid.nodes.dtype == np.float64 and grid.nodes.shape[1] == 2
    assert grid.edges.dtype == np.int64 and grid.edges.shape[1] == 2
    assert grid.lengths.dtype == np.float64 and grid.lengths.shape == (len(grid.edges),)


def test_side_street_stopping_at_the_kerb_joins_only_with_widths() -> None:
    lines = [LineString([(0, 0), (100, 0)]), LineString([(40, 8), (40, 50)])]
    without = build_road_graph(lines)
    assert without.components.max() == 1  # 8 m short of the centre line: separate
    with_widths = build_road_graph(lines, widths=[20.0, 6.0])  # but on the 20 m carriageway
    assert with_widths.components.max() == 0
    r = with_widths.route(with_widths.nearest_node(0, 0), with_widths.nearest_node(40, 50))
    assert r.length == pytest.approx(40 + 50)
    # A width that does not reach does not join.
    assert build_road_graph(lines, widths=[10.0, 6.0]).components.max() == 1
    with pytest.raises(ValueError, match="widths"):
        build_road_graph(lines, widths=[10.0])


def test_odd_inputs() -> None:
    g = build_road_graph([
        MultiLineString([[(0, 0), (10, 0)], [(10, 0), (10, 10)]]),
        None,
        LineString(),
        LineString([(5, 5), (5, 5)]),  # zero length
        LineString([(10, 0), (20, 0), (20, 10), (10, 0)]),  # a loop back to its start
    ])
    assert np.all(g.edges[:, 0] != g.edges[:, 1])  # the loop was split in two
    a, b = node_at(g, 0, 0), node_at(g, 10, 10)
    assert g.route(a, b).length == pytest.approx(20.0)
    loop = g.lengths[g.components[g.edges[:, 0]] == 0].sum()
    assert loop == pytest.approx(10 + 10 + 10 + 10 + np.hypot(10, 10))

    empty = build_road_graph([])
    assert empty.nodes.shape == (0, 2) and empty.edges.shape == (0, 2)
    with pytest.raises(ValueError, match="no nodes"):
        empty.nearest_node(0, 0)
    assert "0 nodes" in repr(empty)


# --- the default district ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sangmu_roads(sangmu: tuple[Any, Any]) -> tuple[RoadGraph, np.ndarray]:
    """The default district's road graph, and the road lines it was built from."""
    _, district = sangmu
    rows = district.select("roads")
    lines = district.geometry[rows]
    return build_road_graph(lines, district.width[rows]), lines


def test_sangmu_is_one_network(sangmu_roads: tuple[RoadGraph, np.ndarray]) -> None:
    g, lines = sangmu_roads
    assert len(g.nodes) > 200
    assert np.count_nonzero(g.components == 0) >= 0.95 * len(g.nodes)
    # Nothing was lost: the graph holds every road (plus the short kerb-to-centre joins).
    assert g.total_length >= shapely.length(shapely.union_all(lines)) - 1.0


def test_sangmu_route_across_the_district(sangmu_roads: tuple[RoadGraph, np.ndarray]) -> None:
    g, lines = sangmu_roads
    main = np.flatnonzero(g.components == 0)
    corner = g.nodes[main].sum(axis=1)
    a, b = int(main[np.argmin(corner)]), int(main[np.argmax(corner)])
    r = g.route(a, b)
    straight = float(np.hypot(*(g.nodes[a] - g.nodes[b])))
    assert straight > 2000
    assert straight <= r.length < 2 * straight
    assert seg_length(r.path) == pytest.approx(r.length, rel=1e-9)
    np.testing.assert_array_equal(r.path[[0, -1]], g.nodes[[a, b]])
    off_road = shapely.distance(shapely.points(r.path), shapely.union_all(lines))
    assert off_road.max() <= SNAP_TOLERANCE
    assert r.length == pytest.approx(g.distances(a)[b])


def test_sangmu_distances_match_scipy(sangmu_roads: tuple[RoadGraph, np.ndarray]) -> None:
    csgraph = pytest.importorskip("scipy.sparse.csgraph")
    sparse = pytest.importorskip("scipy.sparse")
    g, _ = sangmu_roads
    n = len(g.nodes)
    m = sparse.coo_matrix((g.lengths, (g.edges[:, 0], g.edges[:, 1])), shape=(n, n)).tocsr()
    want = csgraph.dijkstra(m, directed=False, indices=[0, n // 2])
    np.testing.assert_allclose(np.stack([g.distances(0), g.distances(n // 2)]), want)


def test_routes_between_places_on_the_roads(grid: RoadGraph) -> None:
    door = grid.nearest_point(30, 10)  # beside the avenue, 30 m along it
    assert door.xy == pytest.approx((30, 0)) and door.distance == pytest.approx(10)
    shop = grid.nearest_point(110, 60)  # beside the crossing street, 60 m north
    assert shop.xy == pytest.approx((100, 60), abs=0.2)
    r = grid.route(door, shop)
    assert r.length == pytest.approx(70 + 60, abs=SNAP_TOLERANCE)
    assert seg_length(r.path) == pytest.approx(r.length)
    np.testing.assert_allclose(r.path[[0, -1]], [door.xy, shop.xy])
    assert r.nodes == (node_at(grid, 50, 0), node_at(grid, 100, 0, SNAP_TOLERANCE))
    # Along one stretch of road: no junction on the way, either direction.
    here, there = grid.nearest_point(5, 1), grid.nearest_point(45, -1)
    assert grid.route(here, there).length == pytest.approx(40)
    assert grid.route(there, here).nodes == ()
    np.testing.assert_allclose(grid.route(there, here).path, [(45, 0), (5, 0)])
    # Nodes and places mix.
    assert grid.route(node_at(grid, 0, 0), shop).length == pytest.approx(r.length + 30)
    with pytest.raises(ValueError, match="cannot be reached"):
        grid.route(door, grid.nearest_point(550, 505))
    assert grid.components[grid.edges[grid.nearest_point(550, 505, component=0).edge, 0]] == 0


def test_roads_shorter_than_the_snap_leave_no_stray_nodes() -> None:
    g = build_road_graph([LineString([(0, 0), (10, 0)]), LineString([(50, 50), (50.2, 50.1)])])
    assert len(g.nodes) == 2 and len(g.edges) == 1
    assert set(g.edges.ravel()) == {0, 1}
