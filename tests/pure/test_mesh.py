"""Geometry tests of the mesh room: no Panda3D here."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import trimesh

from gwangju_twin.geo import LocalFrame
from gwangju_twin.geo.model import District
from gwangju_twin.mesh import build_district_mesh, extrude
from gwangju_twin.mesh.district import GROUND_ORDER


def _prism(polygon: shapely.Polygon, top: float = 10.0, bottom: float = 0.0):
    parts = np.array([shapely.orient_polygons(polygon)])
    grey = np.full((1, 4), 200, np.uint8)
    return extrude(parts, np.array([0]), np.array([bottom]), np.array([top]), grey, grey)


def _as_trimesh(batch) -> trimesh.Trimesh:
    return trimesh.Trimesh(batch.positions, batch.indices, process=True)


SHAPES = {
    "square": shapely.box(0, 0, 10, 10),
    "l-shape": shapely.Polygon([(0, 0), (20, 0), (20, 8), (8, 8), (8, 20), (0, 20)]),
    "courtyard": shapely.Polygon(
        [(0, 0), (30, 0), (30, 30), (0, 30)], [[(10, 10), (10, 20), (20, 20), (20, 10)]]
    ),
    # The holes' edges are deliberately not collinear: along a line shared by two holes
    # earcut leaves T-junctions (the area is still exact), which edge matching would flag.
    "two-holes": shapely.Polygon(
        [(0, 0), (40, 0), (40, 20), (0, 20)],
        [[(5, 5), (5, 15), (15, 15), (15, 5)], [(25, 4), (25, 14), (35, 16), (35, 6)]],
    ),
    "clockwise-input": shapely.Polygon([(0, 0), (0, 10), (10, 10), (10, 0)]),
    "concave-star": shapely.Polygon(
        [(np.cos(a) * r, np.sin(a) * r)
         for a, r in zip(np.linspace(0, 2 * np.pi, 11)[:-1], [10, 4] * 5, strict=True)]
    ),
    "collinear-points": shapely.Polygon([(0, 0), (5, 0), (10, 0), (10, 10), (0, 10)]),
}


@pytest.mark.parametrize("name", SHAPES)
def test_prism_is_watertight_with_outward_normals(name: str) -> None:
    poly = SHAPES[name]
    batch = _prism(poly, top=12.0, bottom=2.0)
    mesh = _as_trimesh(batch)
    assert mesh.is_watertight
    assert mesh.is_winding_consistent
    # Positive volume means the winding is outward; it must equal area x height.
    assert mesh.volume == pytest.approx(poly.area * 10.0, rel=1e-6)
    # The stored (flat-shading) normals agree with each triangle's winding.
    p = batch.positions.astype(np.float64)
    i = batch.indices
    face = np.cross(p[i[:, 1]] - p[i[:, 0]], p[i[:, 2]] - p[i[:, 0]])
    size = np.linalg.norm(face, axis=1)
    # A fan over collinear vertices leaves zero-area seam triangles: they have no facing.
    i, face = i[size > 1e-9], face[size > 1e-9] / size[size > 1e-9, None]
    assert len(i) >= 12
    for corner in range(3):
        assert np.allclose(face, batch.normals[i[:, corner]], atol=1e-5)


@pytest.mark.parametrize("name", SHAPES)
def test_prism_triangle_count(name: str) -> None:
    poly = SHAPES[name]
    batch = _prism(poly)
    rings = [poly.exterior, *poly.interiors]
    edges = sum(len(r.coords) - 1 for r in rings)
    # Each wall edge is a quad (2 triangles); roof and floor each need (edges + 2*holes - 2).
    cap = edges + 2 * len(poly.interiors) - 2
    assert batch.primitive_count == 2 * edges + 2 * cap


def test_walls_share_no_vertices_between_faces() -> None:
    batch = _prism(SHAPES["square"])
    # Flat shading: every vertex belongs to triangles of one face only.
    owners: dict[int, set[tuple[float, ...]]] = {}
    for tri in batch.indices:
        normal = tuple(np.round(batch.normals[tri[0]], 5))
        for v in tri:
            owners.setdefault(int(v), set()).add(normal)
    assert all(len(n) == 1 for n in owners.values())


def test_extrude_many_buildings_keeps_feature_ids() -> None:
    parts = np.array([shapely.box(i * 20, 0, i * 20 + 10, 10) for i in range(50)])
    ids = np.arange(50) * 3 + 7
    grey = np.full((50, 4), 200, np.uint8)
    batch = extrude(parts, ids, np.zeros(50), np.arange(50) + 5.0, grey, grey)
    # Every triangle's three vertices belong to one feature, and every feature is present.
    tri_ids = batch.feature_ids[batch.indices]
    assert (tri_ids == tri_ids[:, :1]).all()
    assert set(np.unique(batch.feature_ids)) == set(ids)
    # Heights per feature are the ones given.
    for k in (0, 17, 49):
        z = batch.positions[batch.feature_ids == ids[k], 2]
        assert z.max() == pytest.approx(5.0 + k)


def _district(geoms: list, layers: list[str], heights: list[float], kinds: list[str],
              widths: list[float] | None = None) -> District:
    n = len(geoms)
    g = np.empty(n, object)
    g[:] = geoms
    return District(
        frame=LocalFrame(126.85, 35.15),
        geometry=g,
        layer=np.array(layers, object),
        kind=np.array(kinds, object),
        height=np.array(heights, float),
        min_height=np.zeros(n),
        height_source=np.array(["measured"] * n, object),
        levels=np.full(n, np.nan),
        width=np.array(widths if widths else [np.nan] * n, float),
        name=[None] * n, name_en=[None] * n, feature_id=[None] * n,
        source_index=np.arange(n), properties=[{} for _ in range(n)],
    )


def test_district_mesh_draw_calls_bounded_and_ids_traceable() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(-2000, 2000, size=(3000, 2))
    geoms = [shapely.box(x, y, x + 12, y + 9) for x, y in xy]
    geoms += [shapely.LineString([(-2000, y), (2000, y)]) for y in range(-2000, 2001, 400)]
    geoms += [shapely.box(-300, -300, 300, 300).buffer(0)]
    layers = ["buildings"] * 3000 + ["roads"] * 11 + ["green"]
    heights = list(rng.uniform(5, 60, 3000)) + [np.nan] * 12
    kinds = ["apartments"] * 3000 + ["primary"] * 11 + ["park"]
    widths = [np.nan] * 3000 + [20.0] * 11 + [np.nan]
    d = _district(geoms, layers, heights, kinds, widths)
    mesh = build_district_mesh(d)
    assert mesh.draw_calls <= 64
    solid = [b for b in mesh.batches if b.material == "solid"]
    assert 1 < len(solid) <= 16  # tiled for culling, but bounded
    covered = set()
    for b in mesh.batches:
        assert b.indices.max() < b.vertex_count
        assert ((b.feature_ids >= 0) & (b.feature_ids < len(d))).all()
        covered |= set(np.unique(b.feature_ids).tolist())
    assert covered == set(range(len(d)))
    # 3000 boxes of 4 walls, roof and floor: 12 triangles each.
    assert sum(b.primitive_count for b in solid) == 3000 * 12


@pytest.mark.parametrize("n", [10, 2000, 20000])
def test_draw_calls_do_not_grow_with_building_count(n: int) -> None:
    rng = np.random.default_rng(n)
    xy = rng.uniform(-3000, 3000, size=(n, 2))
    geoms = [shapely.box(x, y, x + 10, y + 10) for x, y in xy]
    d = _district(geoms, ["buildings"] * n, [10.0] * n, ["yes"] * n)
    assert build_district_mesh(d).draw_calls <= 16


def test_flat_layers_are_stacked_in_height() -> None:
    geoms = [shapely.box(0, 0, 100, 100), shapely.box(10, 10, 90, 90), shapely.box(20, 20, 80, 80),
             shapely.box(30, 30, 70, 70), shapely.LineString([(0, 50), (100, 50)])]
    d = _district(geoms, ["area", "green", "water", "plazas", "roads"], [np.nan] * 5,
                  ["area", "park", "water", "square", "primary"], [np.nan] * 4 + [10.0])
    mesh = build_district_mesh(d)
    z_of = {}
    for b in mesh.batches:
        if b.primitive == "triangles":
            z_of[b.material] = float(b.positions[:, 2].mean())
    order = ["overlay", "green", "water", "plazas", "roads"]
    zs = [z_of[m] for m in order]
    assert zs == sorted(zs) and len(set(zs)) == len(zs)
    # The renderer paints them in the same order.
    ranks = {b.material: b.draw_order for b in mesh.batches}
    assert [ranks[m] for m in order] == sorted(ranks[m] for m in order)
    assert GROUND_ORDER[0] == "area"


def test_road_ribbon_width_follows_feature_width() -> None:
    geoms = [shapely.LineString([(0, 0), (200, 0)])]
    d = _district(geoms, ["roads"], [np.nan], ["primary"], [24.0])
    roads = [b for b in build_district_mesh(d).batches if b.material == "roads"]
    y = np.concatenate([b.positions[:, 1] for b in roads])
    assert y.max() - y.min() == pytest.approx(24.0, abs=1e-3)


def test_holes_stay_open_in_roofs() -> None:
    poly = SHAPES["courtyard"]
    batch = _prism(poly)
    roof = batch.indices[(batch.normals[batch.indices[:, 0], 2] > 0.5)]
    centroids = batch.positions[roof].mean(axis=1)
    inside_hole = shapely.contains_xy(shapely.box(10, 10, 20, 20), centroids[:, 0], centroids[:, 1])
    assert not inside_hole.any()
    p = batch.positions
    cross = np.cross(p[roof[:, 1]] - p[roof[:, 0]], p[roof[:, 2]] - p[roof[:, 0]])
    area = 0.5 * np.abs(cross[:, 2])
    assert area.sum() == pytest.approx(poly.area)


def test_point_landmarks_become_pins_that_can_be_picked() -> None:
    from gwangju_twin.mesh.district import MARKER_HEIGHT
    from gwangju_twin.picking import PickIndex

    geoms = [shapely.Point(50, 50), shapely.MultiPoint([(-80, 0), (-60, 0)]),
             shapely.box(0, 0, 10, 10)]
    d = _district(geoms, ["landmarks", "landmarks", "buildings"], [np.nan, np.nan, 12.0],
                  ["memorial", "memorial", "office"], [np.nan] * 3)
    mesh = build_district_mesh(d)
    solid_ids = set(np.concatenate([b.feature_ids for b in mesh.batches
                                    if b.material == "solid"]).tolist())
    assert {0, 1, 2} <= solid_ids
    index = PickIndex.build(mesh.batches)
    for row, (x, y) in ((0, (50, 50)), (1, (-60, 0))):
        hit = index.pick((x, y, 500.0), (0.0, 0.0, -1.0))
        assert hit is not None and hit.feature == row
        assert hit.point[2] == pytest.approx(MARKER_HEIGHT)


def test_administrative_units_are_outlined_not_filled() -> None:
    """A country's municipalities tile it: filled, their stacked tints turned a whole
    country purple. They keep their outline; a landuse area keeps its light fill."""
    geoms = [shapely.box(0, 0, 1000, 1000), shapely.box(0, 0, 500, 1000),
             shapely.box(600, 600, 700, 700)]
    d = _district(geoms, ["area"] * 3, [np.nan] * 3, ["administrative", "administrative",
                                                       "residential"])
    mesh = build_district_mesh(d)
    filled = np.concatenate([b.feature_ids for b in mesh.batches if b.material == "overlay"])
    assert set(filled.tolist()) == {2}
    outlined = np.concatenate([b.feature_ids for b in mesh.batches
                               if b.primitive != "triangles" or b.material == "lines"])
    assert {0, 1} <= set(outlined.tolist())
