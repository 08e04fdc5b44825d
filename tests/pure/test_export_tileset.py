"""The 3D Tiles export (export/write.py, export/tiles3d.py) and its structural check
(export/check.py): the tree over the bake's quadtree, geometric errors, bounding volumes, the
root's place on the Earth; and the check failing on tilesets broken on purpose.

The town (tile_builders.town) has 1,296 box buildings; baked with 60 buildings a leaf and 200
a far group it has several far groups, each over several leaves.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Transformer
from tile_builders import report, town

from gwangju_twin.export.check import Glb, check_tileset, read_glb
from gwangju_twin.export.tiles3d import enu_to_ecef
from gwangju_twin.export.write import City, export_3dtiles
from gwangju_twin.tiles import bake as bake_module
from gwangju_twin.tiles import quadtree
from gwangju_twin.tiles.cache import bake
from gwangju_twin.tiles.tileset import TileSet

BUILDINGS = 6 * 6 * 6 * 6


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    mp = pytest.MonkeyPatch()
    mp.setattr(bake_module, "cut",
               functools.partial(quadtree.cut, leaf_buildings=60, far_buildings=200))
    d = town()
    cache = bake(d, report(), tmp_path_factory.mktemp("cache"), "t" * 64)
    mp.undo()
    return City(TileSet(cache, d), d, source="town")


@pytest.fixture(scope="module")
def tileset(city: City, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiles") / "town"
    export_3dtiles(city, out)
    return out / "tileset.json"


def _tiles(tile: dict[str, Any]) -> list[dict[str, Any]]:
    out = [tile]
    for c in tile.get("children", []):
        out.extend(_tiles(c))
    return out


def test_the_structural_check_passes(tileset: Path) -> None:
    assert check_tileset(tileset) == []


def test_the_tree_follows_the_quadtree_with_replace_and_levels(city: City,
                                                                tileset: Path) -> None:
    doc = json.loads(tileset.read_text())
    assert doc["asset"]["version"] == "1.1"
    tiles = _tiles(doc["root"])
    assert {t["refine"] for t in tiles} == {"REPLACE"}
    uris = [t["content"]["uri"] for t in tiles if "content" in t]
    # One L2 content per far group, L0 per leaf (and L1 for leaves that simplify).
    assert sum(u.endswith("-L2.glb") for u in uris) == len(city.tiles.far_tiles)
    assert sum(u.endswith("-L0.glb") for u in uris) == len(city.tiles.leaf_tiles)
    for t in tiles:
        if t.get("content", {}).get("uri", "").endswith("-L0.glb"):
            assert t["geometricError"] == 0 and "children" not in t
    # The root's error: about the extent / 100, or a far group's measured error if larger.
    x0, y0, x1, y1 = city.tiles.bounds
    extent = max(x1 - x0, y1 - y0)
    far = max(t.errors[2] for t in city.tiles.far_tiles.values())
    assert doc["root"]["geometricError"] >= max(extent / 100, far)
    assert doc["geometricError"] > doc["root"]["geometricError"]


def test_every_building_is_in_exactly_one_full_detail_tile(tileset: Path) -> None:
    rows: list[int] = []
    for path in sorted((tileset.parent / "tiles").glob("*-L0.glb")):
        table = read_glb(path.read_bytes()).property_table()
        rows += [r for r, layer in zip(table["row"], table["layer"], strict=True)
                 if layer == "buildings"]
    assert sorted(rows) == list(range(BUILDINGS))


def test_the_root_stands_on_the_earth_at_the_origin() -> None:
    lon, lat = 126.85, 35.15
    m = np.array(enu_to_ecef(lon, lat)).reshape(4, 4).T  # column-major
    x, y, z = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True).transform(
        lon, lat, 0.0)
    assert np.allclose(m[:3, 3], [x, y, z], atol=1e-3)
    rot = m[:3, :3]
    assert np.allclose(rot.T @ rot, np.eye(3), atol=1e-12)
    # Up is the ellipsoid's normal there: the gradient of x²/a² + y²/a² + z²/b² (WGS84).
    a, b = 6378137.0, 6356752.314245
    normal = np.array([x / a**2, y / a**2, z / b**2])
    assert np.allclose(rot[:, 2], normal / np.linalg.norm(normal), atol=1e-9)
    # East is horizontal and points along increasing longitude.
    assert rot[2, 0] == 0.0
    e = np.array([-math.sin(math.radians(lon)), math.cos(math.radians(lon)), 0.0])
    assert np.allclose(rot[:, 0], e)
    # A point 1 km east lands 1 km from the origin, at the longitude east of it.
    p = m @ np.array([1000.0, 0.0, 0.0, 1.0])
    back = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True).transform(*p[:3])
    assert back[0] > lon and back[1] == pytest.approx(lat, abs=1e-4)


def _broken(tileset: Path, tmp_path: Path, change: Any) -> Path:
    out = tmp_path / "broken"
    out.mkdir()
    (out / "tiles").symlink_to(tileset.parent / "tiles")
    doc = json.loads(tileset.read_text())
    change(doc)
    (out / "tileset.json").write_text(json.dumps(doc))
    return out / "tileset.json"


def test_the_check_finds_a_child_with_a_larger_error(tileset: Path, tmp_path: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["root"]["children"][0]["geometricError"] = doc["root"]["geometricError"] + 1

    problems = check_tileset(_broken(tileset, tmp_path, change))
    assert any("not below its parent's" in p for p in problems)


def test_the_check_finds_missing_content_and_a_box_too_small(tileset: Path,
                                                             tmp_path: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        leaf = next(t for t in _tiles(doc["root"]) if "content" in t
                    and t["content"]["uri"].endswith("-L0.glb"))
        leaf["boundingVolume"]["box"][3] /= 2  # half as wide
        doc["root"]["children"][-1]["content"] = {"uri": "tiles/nowhere.glb"}

    problems = check_tileset(_broken(tileset, tmp_path, change))
    assert any("nowhere.glb is missing" in p for p in problems)
    assert any("outside the bounding volume" in p for p in problems)


def test_vertices_land_on_the_ellipsoid_where_the_frame_puts_them(city: City,
                                                                  tileset: Path) -> None:
    # Through the root transform to ECEF and pyproj back to WGS84 lon/lat/height: every
    # vertex of a box building is its floor (height 0) or its roof (the town's height), and
    # its lon/lat are those of its local x/y by the frame's own projection (roofs leaning as
    # said below). A flat tileset
    # would miss the heights by r² / 2R (5 cm 800 m out, in this town).
    doc = json.loads(tileset.read_text())
    m = np.array(doc["root"]["transform"]).reshape(4, 4).T
    to_geo = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    d = city.district
    far = 0.0
    for path in sorted((tileset.parent / "tiles").glob("*-L0.glb")):
        glb = read_glb(path.read_bytes())
        rows = np.array(glb.property_table()["row"])
        for node in glb.json["nodes"]:
            if not node["name"].endswith("/solid"):
                continue
            (prim,) = glb.json["meshes"][node["mesh"]]["primitives"]
            one = {**glb.json, "nodes": [node]}
            pos = Glb(one, glb.binary).local_positions()
            ids = glb.accessor(prim["attributes"]["_FEATURE_ID_0"]).astype(int)
            ecef = pos @ m[:3, :3].T + m[:3, 3]
            lon, lat, h = to_geo.transform(ecef[:, 0], ecef[:, 1], ecef[:, 2])
            top = d.height[rows[ids]]
            # Within half the 1 cm grid of quantised positions, and a little.
            assert np.minimum(np.abs(h), np.abs(h - top)).max() < 0.008
            flon, flat = d.frame.to_lonlat(pos[:, 0], pos[:, 1])
            metres = np.hypot((lon - flon) * 111_320 * math.cos(math.radians(35.15)),
                              (lat - flat) * 110_900)
            # Walls stand along the origin's vertical, which leans r / R from the local one:
            # a roof h metres up lies h * r / R to the side (1.5 cm for 120 m at 800 m).
            r = np.hypot(pos[:, 0], pos[:, 1])
            assert (metres < 0.008 + np.maximum(h, 0) * r / 6.36e6).all()
            far = max(far, float(np.hypot(pos[:, 0], pos[:, 1]).max()))
    assert far > 700  # the check reached vertices where the Earth's curve counts
