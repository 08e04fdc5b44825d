"""The levels of detail (tiles/levels.py): coarser levels are never taller or wider than the
finer ones, courtyards fill and annexes go at level 1, blocks merge at level 2, and each
level's geometric error covers what it changed.

Expected values come from the hand-built geometry (areas, gaps and heights chosen here), and
from what levels.py's docstring promises, never from a run of the code.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from tile_builders import district

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.tiles.levels import (
    ANNEX_M2,
    BLOCK_GAP_M,
    CITY,
    FAR_AREA_M2,
    FAR_WALLS_M,
    HEIGHT_CLASSES,
    HULL_SIMPLIFY_M,
    WIDTH_TOLERANCE_M,
    block_hulls,
    far_ground,
    far_meshes,
    leaf_meshes,
    simplified,
)

TOL = 1e-6


def _feature_box(batch: MeshBatch, fid: int) -> np.ndarray:
    """x0, y0, z0, x1, y1, z1 of feature ``fid``'s vertices in ``batch``."""
    pos = batch.positions[batch.feature_ids == fid].astype(np.float64)
    assert len(pos), f"feature {fid} has no vertices"
    return np.concatenate([pos.min(axis=0), pos.max(axis=0)])


def _covered(batch: MeshBatch, fid: int, x: float, y: float, z: float) -> bool:
    """Whether a horizontal triangle of feature ``fid`` at height ``z`` covers (x, y)."""
    tri = batch.positions[batch.indices].astype(np.float64)  # (m, 3, 3)
    own = batch.feature_ids[batch.indices[:, 0]] == fid
    flat = np.all(np.abs(tri[:, :, 2] - z) < 1e-3, axis=1)
    tri = tri[own & flat]
    a, b, c = tri[:, 0, :2], tri[:, 1, :2], tri[:, 2, :2]
    p = np.array([x, y])

    def side(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (v[:, 0] - u[:, 0]) * (p[1] - u[:, 1]) - (v[:, 1] - u[:, 1]) * (p[0] - u[:, 0])

    s1, s2, s3 = side(a, b), side(b, c), side(c, a)
    inside = ((s1 >= 0) & (s2 >= 0) & (s3 >= 0)) | ((s1 <= 0) & (s2 <= 0) & (s3 <= 0))
    return bool(inside.any())


# -- generated buildings: level 1 against level 0 --------------------------------------------

@st.composite
def buildings(draw: st.DrawFn) -> list[object]:
    """Star-shaped outlines (3-16 vertices, radii 3-25 m) 80 m apart, some with a courtyard,
    some with a detached annex of 2-60 m2 (below and above ANNEX_M2)."""
    n = draw(st.integers(1, 6))
    out = []
    for i in range(n):
        cx, cy = i * 80.0, (i % 2) * 80.0
        k = draw(st.integers(3, 16))
        # Angles in tenths of a degree: distinct vertices, never a sub-micrometre sliver.
        tenths = draw(st.lists(st.integers(0, 3599), min_size=k, max_size=k, unique=True))
        angles = np.sort(np.array(tenths)) * (2 * math.pi / 3600)
        radii = np.array(draw(st.lists(st.floats(3, 25), min_size=k, max_size=k)))
        shell = np.c_[cx + radii * np.cos(angles), cy + radii * np.sin(angles)]
        poly = shapely.Polygon(shell)
        if not poly.is_valid or poly.area < 1:
            poly = shapely.box(cx - 5, cy - 5, cx + 5, cy + 5)
        if draw(st.booleans()):
            s = draw(st.floats(0.5, 2.5))
            holed = shapely.Polygon(shell, [shapely.box(cx - s, cy - s, cx + s, cy + s)
                                            .exterior.coords[::-1]])
            if holed.is_valid:
                poly = holed
        if draw(st.booleans()):
            side = math.sqrt(draw(st.floats(2, 60)))
            annex = shapely.box(cx + 30, cy, cx + 30 + side, cy + side)
            poly = shapely.MultiPolygon([poly, annex])
        out.append(poly)
    return out


@settings(max_examples=60)
@given(buildings(), st.lists(st.floats(3, 200), min_size=6, max_size=6))
def test_level_1_never_taller_or_wider_than_level_0(geoms: list[object],
                                                   heights: list[float]) -> None:
    n = len(geoms)
    part = district(geoms, ["buildings"] * n, heights[:n])
    ids = np.arange(n, dtype=np.int64) * 7 + 3  # rows of a larger city
    meshes = leaf_meshes(part, ids)
    (full,), (low,) = meshes.parts["0"], meshes.parts.get("1", meshes.parts["0"])
    assert meshes.errors[0] == 0.0
    assert meshes.errors[1] >= 0.0
    assert set(np.unique(full.feature_ids)) == set(ids.tolist())
    assert set(np.unique(low.feature_ids)) == set(ids.tolist())  # no building vanishes
    for fid, h in zip(ids.tolist(), heights, strict=False):
        box0, box1 = _feature_box(full, fid), _feature_box(low, fid)
        assert (box1[:3] >= box0[:3] - TOL).all() and (box1[3:] <= box0[3:] + TOL).all(), fid
        assert box1[2] == box0[2] == 0.0
        assert box1[5] == box0[5] == np.float32(h)
        # Douglas-Peucker keeps a subset of the outline's own vertices (levels.py).
        xy0 = {tuple(p) for p in full.positions[full.feature_ids == fid, :2].tolist()}
        xy1 = {tuple(p) for p in low.positions[low.feature_ids == fid, :2].tolist()}
        assert xy1 <= xy0, fid
    # The error covers every filled courtyard and dropped annex: its width, sqrt(area).
    simple, error = simplified(part)
    assert error == meshes.errors[1]
    for before, after in zip(part.geometry, simple.geometry, strict=True):
        parts = shapely.get_parts(before)
        for hole in (shapely.Polygon(r).area for p in parts for r in p.interiors):
            assert error >= math.sqrt(hole) - TOL
        areas = shapely.area(parts)
        annexes = areas[(areas < ANNEX_M2) & (areas < areas.max())]
        assert len(shapely.get_parts(after)) == len(parts) - len(annexes)
        for annex in annexes:
            assert error >= math.sqrt(annex) - TOL
        assert all(len(p.interiors) == 0 for p in shapely.get_parts(after))


# -- hand-built buildings ----------------------------------------------------------------

def test_courtyard_is_filled_at_level_1() -> None:
    # A 40 m square with a 20 m square courtyard in its middle.
    court = shapely.Polygon([(0, 0), (40, 0), (40, 40), (0, 40)],
                            [[(10, 10), (10, 30), (30, 30), (30, 10)]])
    part = district([court], ["buildings"], [15.0])
    meshes = leaf_meshes(part, np.array([0]))
    (full,), (low,) = meshes.parts["0"], meshes.parts.get("1", meshes.parts["0"])
    # Level 0 has no roof over the courtyard's middle, level 1 has; both roof the ring.
    assert not _covered(full, 0, 20, 20, 15.0)
    assert _covered(low, 0, 20, 20, 15.0)
    assert _covered(full, 0, 5, 5, 15.0) and _covered(low, 0, 5, 5, 15.0)
    simple, error = simplified(part)
    (poly,) = shapely.get_parts(simple.geometry[0])
    assert len(poly.interiors) == 0
    assert poly.area == 1600.0  # 40 x 40, nothing of the outline moved
    # The courtyard filled is 20 m wide: the level's error is at least that.
    assert error >= 20.0 - TOL


def test_small_annex_dropped_large_kept() -> None:
    main = shapely.box(0, 0, 20, 20)
    small = shapely.box(30, 0, 34, 5)  # 20 m2 < ANNEX_M2 (30)
    large = shapely.box(30, 40, 36, 46)  # 36 m2 >= ANNEX_M2
    assert small.area < ANNEX_M2 <= large.area
    alone = shapely.box(100, 0, 104, 5)  # 20 m2 but a building of its own: it stays
    geoms = [shapely.MultiPolygon([main, small]),
             shapely.MultiPolygon([shapely.box(0, 40, 20, 60), large]), alone]
    part = district(geoms, ["buildings"] * 3, [10.0, 12.0, 8.0])
    simple, error = simplified(part)
    assert [len(shapely.get_parts(g)) for g in simple.geometry] == [1, 2, 1]
    assert shapely.equals(shapely.get_parts(simple.geometry[0])[0], main)
    assert shapely.equals(simple.geometry[2], alone)
    # The dropped annex is sqrt(20) = 4.47 m wide: the error covers it.
    assert error >= math.sqrt(20.0) - TOL
    low = leaf_meshes(part, np.arange(3)).parts["1"][0]
    x = low.positions[low.feature_ids == 0, 0]
    assert x.max() == 20.0  # nothing of the annex (x 30-34) is drawn
    full = leaf_meshes(part, np.arange(3)).parts["0"][0]
    assert full.positions[full.feature_ids == 0, 0].max() == 34.0


def test_other_rows_untouched_by_simplification() -> None:
    road = shapely.LineString([(0, 0), (0.5, 30), (0, 60)])
    park = shapely.Polygon([(0, 0), (50, 0.5), (100, 0), (100, 100), (0, 100)],
                           [[(40, 40), (40, 60), (60, 60), (60, 40)]])
    part = district([road, park, shapely.box(0, 0, 10, 10)], ["roads", "green", "buildings"],
                    [np.nan, np.nan, 5.0], widths=[8.0, np.nan, np.nan])
    simple, _ = simplified(part)
    assert simple.geometry[0].equals_exact(road, 0)
    assert simple.geometry[1].equals_exact(park, 0)
    assert simple.name == part.name and (simple.layer == part.layer).all()


# -- level 2: block hulls ---------------------------------------------------------------

def test_blocks_merge_within_the_gap_and_keep_height_classes() -> None:
    # Block A: three 10 m boxes 5 m apart (gap < BLOCK_GAP_M = 26), 100, 200 and 300 m tall,
    # all in the tallest class (>= 90 m): one hull, at their mean 200 m, which stands 100 m
    # off the first and last. Block B: two towers 60 m east of A (gap 60 > 26): its own hull,
    # at (95 + 105) / 2 = 100 m. A 10 m house beside A is in the lowest class: its own hull.
    assert HEIGHT_CLASSES[-1] <= 95.0 and BLOCK_GAP_M < 60.0
    a = [shapely.box(x, 0, x + 10, 10) for x in (0, 15, 30)]
    b = [shapely.box(x, 0, x + 10, 10) for x in (100, 115)]
    house = shapely.box(15, 15, 25, 25)
    road = shapely.LineString([(0, -20), (200, -20)])
    geoms = [*a, *b, house, road]
    heights = [100.0, 200.0, 300.0, 95.0, 105.0, 10.0, np.nan]
    part = district(geoms, ["buildings"] * 6 + ["roads"], heights,
                    kinds=["apartments"] * 6 + ["primary"], widths=[np.nan] * 6 + [20.0])
    hulls, error = block_hulls(part)
    assert sorted(hulls.height.tolist()) == [10.0, 100.0, 200.0]
    by_height = {float(h): (g, int(o)) for g, h, o in zip(hulls.geometry, hulls.height,
                                                           hulls.owner, strict=True)}
    hull_a, owner_a = by_height[200.0]
    assert owner_a == 2  # the tallest building of A stands for it (its colour, its id)
    assert _within_box(hull_a, (0, 0, 40, 10))
    assert _within_box(by_height[100.0][0], (100, 0, 125, 10))
    assert _within_box(by_height[10.0][0], (15, 15, 25, 25))
    # The hull's single height is 100 m off two of A's buildings: the error is at least that.
    assert error >= 100.0
    far = far_meshes(part, np.arange(7) + 50)
    assert far.errors[2] >= 100.0
    (solid,) = far.parts["2"]
    assert float(solid.positions[:, 2].max()) == 200.0  # never above the tallest (300)
    assert set(np.unique(solid.feature_ids).tolist()) == {52, 54, 55}  # tallest per hull
    # The primary road is still drawn far away.
    assert any((g.feature_ids == 56).any() for g in far.parts["g2"])


def _within_box(geom: object, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = shapely.bounds(geom)
    return (x0 >= box[0] - TOL and y0 >= box[1] - TOL and x1 <= box[2] + TOL
            and y1 <= box[3] + TOL)


@st.composite
def boxes(draw: st.DrawFn) -> tuple[list[object], list[float]]:
    n = draw(st.integers(1, 25))
    geoms, heights = [], []
    for _ in range(n):
        x, y = draw(st.floats(0, 400)), draw(st.floats(0, 400))
        w, d = draw(st.floats(2, 40)), draw(st.floats(2, 40))
        geoms.append(shapely.box(x, y, x + w, y + d))
        heights.append(draw(st.floats(1, 250)))
    return geoms, heights


@settings(max_examples=60)
@given(boxes())
def test_level_2_never_taller_or_wider_than_its_members(city: tuple[list[object],
                                                                   list[float]]) -> None:
    geoms, heights = city
    n = len(geoms)
    part = district(geoms, ["buildings"] * n, heights)
    hulls, error = block_hulls(part)
    assert error >= 0.0
    h = np.array(heights)
    klass = np.searchsorted(HEIGHT_CLASSES, h, side="right")
    fp = np.array(geoms, dtype=object)
    for hull, top, owner in zip(hulls.geometry, hulls.height, hulls.owner, strict=True):
        # A hull is its block's convex hull, simplified by Douglas-Peucker: every member
        # lies within HULL_SIMPLIFY_M of it. So the buildings of the owner's class that
        # near are a superset of its members: the hull lies within their box, and its
        # height (the members' mean) between their lowest and their tallest.
        same = klass == klass[owner]
        near = same & shapely.intersects(fp, shapely.buffer(hull, HULL_SIMPLIFY_M + TOL))
        assert near[owner]
        box = shapely.total_bounds(fp[near])
        assert _within_box(hull, tuple(box))
        assert h[near].min() - TOL <= top <= h[near].max() + TOL
        assert top <= h[owner] + TOL  # the owner is the block's tallest
    # Every class present gets at least one hull.
    assert set(klass[hulls.owner].tolist()) == set(klass.tolist())
    # The whole far level: no vertex above the tallest building or outside their box.
    far = far_meshes(part, np.arange(n))
    assert far.errors[2] >= 0.0
    pos = far.parts["2"][0].positions.astype(np.float64)
    x0, y0, x1, y1 = shapely.total_bounds(fp)
    assert pos[:, 2].max() <= h.max() + 1e-3
    assert pos[:, 0].min() >= x0 - 1e-3 and pos[:, 0].max() <= x1 + 1e-3
    assert pos[:, 1].min() >= y0 - 1e-3 and pos[:, 1].max() <= y1 + 1e-3
    # Walls only on hulls of FAR_WALLS_M and more; the lower ones' missing walls (as tall as
    # their roofs) are within the level's error; no vertex is held that nothing draws.
    solid = far.parts["2"][0]
    wall = np.abs(solid.normals[solid.indices[:, 0], 2]) < 0.5
    walled = set(solid.feature_ids[solid.indices[wall, 0]].tolist())
    tall = {int(o) for o, top in zip(hulls.owner, hulls.height, strict=True)
            if top >= FAR_WALLS_M}
    assert walled == tall
    low = hulls.height[hulls.height < FAR_WALLS_M]
    assert far.errors[2] >= low.max(initial=0.0) - TOL
    assert len(np.unique(solid.indices)) == solid.vertex_count
    # Level 3, coarser: never finer in error, and still within the buildings' box and
    # under the tallest.
    assert far.errors[3] >= far.errors[2]
    pos3 = far.parts["3"][0].positions.astype(np.float64)
    assert pos3[:, 2].max() <= h.max() + 1e-3
    assert pos3[:, 0].min() >= x0 - 1e-3 and pos3[:, 0].max() <= x1 + 1e-3
    assert pos3[:, 1].min() >= y0 - 1e-3 and pos3[:, 1].max() <= y1 + 1e-3
    hulls3, error3 = block_hulls(part, CITY)
    assert far.errors[3] >= error3
    assert set(klass[hulls3.owner].tolist()) == set(klass.tolist())


def test_level_3_merges_across_side_streets() -> None:
    # Two 40 m towers (both 60 m, one class) 40 m apart: wider than level 2's block gap,
    # narrower than level 3's, so two hulls at level 2 and one at level 3, as wide as both.
    assert BLOCK_GAP_M < 40.0 < CITY.block_gap
    towers = [shapely.box(0, 0, 40, 40), shapely.box(80, 0, 120, 40)]
    part = district(towers, ["buildings"] * 2, [60.0, 60.0])
    two, _ = block_hulls(part)
    one, error3 = block_hulls(part, CITY)
    assert len(two.geometry) == 2 and len(one.geometry) == 1
    assert _within_box(one.geometry[0], (0, 0, 120, 40))
    assert shapely.area(one.geometry[0]) == pytest.approx(120 * 40)
    # The hull covers the 40 x 40 m street between them: a 40 m circle fits there, its
    # radius (20 m) is how far a point of it lies from a tower.
    assert error3 >= 20.0 - TOL
    far = far_meshes(part, np.array([5, 6]))
    assert far.errors[3] >= error3 and far.errors[3] >= far.errors[2]
    assert far.parts["3"][0].primitive_count < far.parts["2"][0].primitive_count


def test_far_level_low_hulls_are_roofs_alone() -> None:
    # A row of 12 m houses (one block, below FAR_WALLS_M = 30) and a 120 m tower 200 m off.
    assert FAR_WALLS_M == 30.0
    houses = [shapely.box(x, 0, x + 10, 10) for x in (0, 15, 30)]
    tower = shapely.box(200, 0, 230, 30)
    part = district([*houses, tower], ["buildings"] * 4, [12.0, 12.0, 12.0, 120.0])
    far = far_meshes(part, np.arange(4) + 10)
    (solid,) = far.parts["2"]
    tri = solid.positions[solid.indices].astype(np.float64)
    owner = solid.feature_ids[solid.indices[:, 0]]
    house_tris = tri[owner != 13]
    # The houses' hull: roofs at 12 m only, covering the row's middle (x 20, y 5).
    assert len(house_tris) and np.all(np.abs(house_tris[:, :, 2] - 12.0) < 1e-4)
    assert _covered(solid, int(owner[owner != 13][0]), 20.0, 5.0, 12.0)
    # The tower keeps its walls: from the ground to its 120 m top.
    tower_z = tri[owner == 13][:, :, 2]
    assert tower_z.min() == 0.0 and tower_z.max() == 120.0
    # Without walls the houses' roof floats 12 m over the ground: the error covers that.
    assert far.errors[2] >= 12.0
    # A prism without floors holds no floor vertices (all vertices are drawn).
    assert len(np.unique(solid.indices)) == solid.vertex_count


def test_far_level_leaves_out_minor_road_areas() -> None:
    # Paved areas (the plazas layer): a 10 m wide residential street area (register-style
    # "highway" tag), an OSM "area:highway=service" area 6 m wide, a 30 m wide primary
    # road area, a 60 x 60 m pedestrian square, an untagged 50 x 50 m plaza and a
    # 20 x 20 m one (under FAR_AREA_M2). Minor road areas go however large, as minor roads
    # do; the rest by size as before.
    geoms = [shapely.box(0, 0, 400, 10), shapely.box(0, 50, 300, 56),
             shapely.box(0, 100, 400, 130), shapely.box(500, 0, 560, 60),
             shapely.box(600, 0, 650, 50), shapely.box(700, 0, 720, 20)]
    assert 20 * 20 < FAR_AREA_M2 <= 50 * 50 and FAR_AREA_M2 <= 400 * 10
    props = [{"highway": "residential"}, {"area:highway": "service"},
             {"highway": "primary"}, {"highway": "pedestrian"}, {}, {}]
    part = district(geoms, ["plazas"] * 6, [np.nan] * 6, kinds=["plaza"] * 6,
                    properties=props)
    keep, error = far_ground(part)
    assert keep.tolist() == [False, False, True, True, True, False]
    # The widest road area left out is 10 m wide, found to within the tolerance on either
    # side of the circle's radius (counted at its largest).
    assert 10.0 - TOL <= error <= 10.0 + 4 * WIDTH_TOLERANCE_M
    far = far_meshes(part, np.arange(6))
    drawn = set().union(*(set(b.feature_ids.tolist()) for b in far.parts["g2"]))
    assert drawn == {2, 3, 4}
    assert far.errors[2] >= 10.0 - TOL


def test_take_keeps_rows_and_frame() -> None:
    part = district([shapely.Point(i, 0) for i in range(5)], ["landmarks"] * 5, [1.0] * 5,
                    names=["a", None, "", "라", "e"], properties=[{"i": i} for i in range(5)])
    sub = part.take(np.array([4, 1, 2]))
    assert sub.frame is part.frame
    assert sub.name == ["e", None, ""]
    assert sub.properties == [{"i": 4}, {"i": 1}, {"i": 2}]
    assert sub.source_index.tolist() == [4, 1, 2]
    assert [g.x for g in sub.geometry] == [4.0, 1.0, 2.0]


# -- real outlines ---------------------------------------------------------------------

def test_real_buildings_every_level_within_the_finer(shared_data: Path) -> None:
    """The Jamsil sample (1,357 OSM outlines of Seoul, shared/data/README.md section 6):
    real footprints with many vertices, courtyards and annexes, cut and meshed as a bake
    does; every building keeps its height and stays within its full outline's box at
    level 1, and the far level stays within the buildings' box and under the tallest."""
    from gwangju_twin.geo import load_geojson
    from gwangju_twin.tiles.bake import plan

    source = shared_data / "AL_D010_jamsil_sample.shp"
    if not source.is_file():
        pytest.skip(f"{source.name} is not in the shared data")
    d, _ = load_geojson(source)
    assert int((d.layer == "buildings").sum()) == 1357  # the README's count
    _, tasks = plan(d)
    seen: set[int] = set()
    for task in tasks:
        if task.kind == "far":
            far = far_meshes(task.part, task.ids)
            assert far.errors[2] >= BLOCK_GAP_M
            pos = far.parts["2"][0].positions.astype(np.float64)
            b = task.part.layer == "buildings"
            x0, y0, x1, y1 = shapely.total_bounds(task.part.geometry[b])
            assert pos[:, 2].max() <= np.nanmax(task.part.height[b]) + 1e-3
            assert x0 - 1e-3 <= pos[:, 0].min() and pos[:, 0].max() <= x1 + 1e-3
            assert y0 - 1e-3 <= pos[:, 1].min() and pos[:, 1].max() <= y1 + 1e-3
            assert far.errors[3] >= far.errors[2]
            pos3 = far.parts["3"][0].positions.astype(np.float64)
            assert pos3[:, 2].max() <= np.nanmax(task.part.height[b]) + 1e-3
            assert x0 - 1e-3 <= pos3[:, 0].min() and pos3[:, 0].max() <= x1 + 1e-3
            assert y0 - 1e-3 <= pos3[:, 1].min() and pos3[:, 1].max() <= y1 + 1e-3
            continue
        meshes = leaf_meshes(task.part, task.ids)
        assert meshes.errors[0] == 0.0 and meshes.errors[1] >= 0.0
        (full,), (low,) = meshes.parts["0"], meshes.parts.get("1", meshes.parts["0"])
        ids = task.ids[task.part.layer == "buildings"]
        seen |= set(ids.tolist())
        for fid in ids.tolist():
            box0, box1 = _feature_box(full, fid), _feature_box(low, fid)
            assert (box1[:3] >= box0[:3] - TOL).all(), fid
            assert (box1[3:] <= box0[3:] + TOL).all(), fid
            assert box1[2] == box0[2] and box1[5] == box0[5], fid
    assert len(seen) == 1357  # every building in one leaf, drawn at both levels
