"""The emissive byte of the city's walls (mesh/glow.py): which buildings show lit windows at
night, how many, and when they go out, carried on every wall vertex of the mesh batches."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gwangju_twin.mesh import glow
from gwangju_twin.mesh.batch import concat
from gwangju_twin.mesh.district import build_district_mesh
from gwangju_twin.mesh.prism import extrude
from gwangju_twin.mesh.tiles import split_by_tile


def _lit(kind: str, hour: float, n: int = 400) -> float:
    """The mean share of windows lit at ``hour`` over ``n`` buildings of ``kind``."""
    sched, share = glow.decode(glow.window_glow(np.array([kind] * n), np.arange(n)))
    levels = np.array(glow.schedule_levels(hour))
    return float((share * levels[sched]).mean())


def test_the_byte_packs_a_schedule_and_a_share_and_unpacks_again() -> None:
    sched = np.repeat(np.arange(4), 64)
    share = np.tile(np.arange(64) / 63, 4)
    e = glow.encode(sched, share)
    assert e.dtype == np.uint8
    assert len(np.unique(e)) == 256  # every byte value used once: nothing lost in packing
    back_sched, back_share = glow.decode(e)
    assert np.array_equal(back_sched, sched)
    assert np.allclose(back_share, share)
    # Shares outside 0..1 are clipped, not wrapped into the schedule's bits.
    assert glow.decode(glow.encode(np.array([1]), np.array([1.7])))[0][0] == 1


def test_uses_follow_the_building_type_table() -> None:
    # Types named in geo/uses.py's table: apartments and houses are dwellings, an office and
    # a school workplaces, retail and hotels commercial, a hospital never dark; an untyped
    # "yes" a dwelling with fewer windows lit.
    kinds = np.array(["apartments", "house", "office", "school", "retail", "hotel",
                      "hospital", "yes"])
    sched, share = glow.decode(glow.window_glow(kinds, np.arange(len(kinds))))
    names = [glow.SCHEDULES[s] for s in sched]
    assert names == ["home", "home", "work", "work", "shop", "shop", "all_night", "home"]
    assert (share > 0).all()  # every building has some windows lit at its peak


def test_offices_go_dark_late_while_homes_and_shops_stay_lit() -> None:
    # The brief: offices dark late, homes lit in the evening, shops lit.
    assert _lit("office", 18.0) > 2 * _lit("office", 22.0)
    assert _lit("apartments", 22.0) > 3 * _lit("office", 22.0)
    assert _lit("retail", 21.0) > _lit("office", 21.0)
    assert _lit("apartments", 21.0) > _lit("apartments", 3.0)  # homes go dark after midnight
    assert _lit("hospital", 3.0) > _lit("apartments", 3.0)


def test_shares_are_per_building_deterministic_and_the_same_in_a_tile() -> None:
    n = 2000
    kinds = np.array(["apartments"] * n)
    ids = np.arange(10_000, 10_000 + n)
    all_of_them = glow.window_glow(kinds, ids)
    assert np.array_equal(all_of_them, glow.window_glow(kinds, ids))  # the same every time
    part = np.arange(7, n, 13)
    assert np.array_equal(glow.window_glow(kinds[part], ids[part]), all_of_them[part])
    # Neighbouring blocks differ: apartments take many shares, all within their range.
    _, share = glow.decode(all_of_them)
    lo, hi = glow.SHARE_RANGE["home"]
    assert len(np.unique(share)) > 15
    assert share.min() >= lo - 1 / 126 and share.max() <= hi + 1 / 126
    # Spread over the range, not bunched at one end (a poor hash would be).
    assert share.mean() == pytest.approx((lo + hi) / 2, abs=0.03)


def test_the_schedule_is_continuous_through_midnight_and_defaults_to_an_evening() -> None:
    before, after = glow.schedule_levels(23.999), glow.schedule_levels(0.0)
    assert np.allclose(before, after, atol=1e-3)
    half = glow.schedule_levels(22.5)
    ends = np.array([glow.schedule_levels(22.0), glow.schedule_levels(23.0)])
    assert np.allclose(half, ends.mean(axis=0))
    assert glow.schedule_levels(None) == glow.schedule_levels(glow.EVENING)
    assert glow.schedule_levels(44.0) == glow.schedule_levels(20.0)


def test_walls_glow_and_roofs_and_floors_do_not() -> None:
    squares = shapely.orient_polygons(
        np.array([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)]), exterior_cw=False)
    rgba = np.full((2, 4), 200, np.uint8)
    b = extrude(squares, np.array([4, 9], np.int32), np.zeros(2), np.array([12.0, 30.0]),
                rgba, rgba, wall_glow=np.array([77, 200], np.uint8))
    assert b.emissive.dtype == np.uint8 and b.emissive.shape == (b.vertex_count,)
    wall = np.abs(b.normals[:, 2]) < 0.5
    assert wall.sum() == 2 * 4 * 4  # four walls of four vertices each, per square
    assert (b.emissive[wall & (b.feature_ids == 4)] == 77).all()
    assert (b.emissive[wall & (b.feature_ids == 9)] == 200).all()
    assert (b.emissive[~wall] == 0).all()
    # Without it nothing glows.
    dark = extrude(squares, np.array([4, 9], np.int32), np.zeros(2), np.full(2, 9.0), rgba, rgba)
    assert not dark.emissive.any()


def test_the_merged_and_tiled_mesh_carries_each_buildings_byte(prepared) -> None:
    # The whole default district meshed as the viewer does without tiles (4 x 4 solid tiles):
    # every wall vertex of a building carries the byte its kind and row give, wherever the
    # tiling put it.
    district = prepared.district
    mesh = build_district_mesh(district)
    solid = [b for b in mesh.batches if b.material == "solid"]
    assert len(solid) > 1
    polygons = np.isin(shapely.get_type_id(district.geometry), (3, 6))
    checked = 0
    for b in solid:
        wall = (np.abs(b.normals[:, 2]) < 0.5) & polygons[b.feature_ids]
        fid = b.feature_ids[wall]
        want = glow.window_glow(district.kind[fid], fid.astype(np.int64))
        assert np.array_equal(b.emissive[wall], want)
        assert not b.emissive[np.abs(b.normals[:, 2]) > 0.5].any()  # roofs
        checked += int(wall.sum())
    assert checked > 10_000
    # The ground never glows.
    assert not any(b.emissive.any() for b in mesh.batches if b.material != "solid")
    # Split again and merged again, the bytes stay with their vertices.
    whole = concat("solid", solid)
    again = split_by_tile(whole, np.arange(len(district)) % 3, 3)
    for b in again:
        same = np.isin(whole.feature_ids, b.feature_ids)
        assert sorted(b.emissive.tolist()) == sorted(whole.emissive[same].tolist())
