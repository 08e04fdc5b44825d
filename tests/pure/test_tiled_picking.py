"""Picking a baked city: the same hits as one pick index over the whole city's merged
full-detail mesh, whatever leaf the ray starts in or crosses."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from render_helpers import REPO

from gwangju_twin.geo import load_geojson
from gwangju_twin.mesh import build_district_mesh
from gwangju_twin.picking import PickIndex
from gwangju_twin.tiles.cache import bake
from gwangju_twin.tiles.picking import TiledPicker
from gwangju_twin.tiles.tileset import TileSet

sys.path.insert(0, str(REPO / "scripts"))
from synthetic_city import synthetic_district


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[TiledPicker, PickIndex, object]:
    folder = tmp_path_factory.mktemp("city")
    source = folder / "city.geojson"
    source.write_text(json.dumps(synthetic_district(1500)))
    district, report = load_geojson(source)
    cache = bake(district, report, folder / "cache", "test")
    assert len(cache.index.leaves()) > 3  # the rays below cross several leaves
    tiles = TileSet(cache, district)
    merged = PickIndex.build(build_district_mesh(district).batches)
    return TiledPicker(tiles, PickIndex.build([]), district), merged, district


def test_tiled_picks_equal_the_whole_city_index(city: tuple) -> None:
    picker, merged, _district = city
    x0, y0, x1, y1 = picker.tiles.bounds
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(300):
        # Rays from a camera up in the air towards random points of the city, some low and
        # grazing (crossing many leaves), some steep.
        target = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(0, 30)])
        origin = target + np.array([*rng.normal(0, 600, 2), rng.uniform(5, 800)])
        direction = target - origin
        a = merged.pick(origin, direction)
        b = picker.pick(origin, direction)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            hits += 1
            assert b.feature == a.feature
            assert b.distance == pytest.approx(a.distance, abs=1e-4)
    # Most rays end on a building: the comparison is about hits, not misses.
    assert hits > 150


def test_a_features_triangles_are_its_full_detail_ones(city: tuple) -> None:
    picker, merged, district = city
    for feature in np.flatnonzero(district.layer == "buildings")[::97]:
        want = merged.triangles_of(int(feature))
        got = picker.triangles_of(int(feature))  # not picked before: found by its anchor
        assert len(want) > 0
        assert sorted(map(tuple, got.reshape(len(got), -1).round(4).tolist())) == sorted(
            map(tuple, want.reshape(len(want), -1).round(4).tolist()))
