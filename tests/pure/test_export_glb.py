"""The GLB export (export/glb.py, export/write.py) read back by two other programs: pygltflib
(the JSON, accessors and the EXT_structural_metadata table, decoded here by hand from the
spec's layout) and trimesh's glTF loader (triangles and where they stand).

The town (tile_builders.town) is 6 x 6 blocks of 6 x 6 box buildings, 12 x 9 m each at a
known height; a box is 12 triangles (4 walls of 2, a roof of 2, a floor of 2), so the town's
1,296 buildings are 15,552 triangles at full detail: counts from the town's construction,
not from the exporter. Some buildings get Hangul names.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pygltflib
import pytest
import shapely
import trimesh
from tile_builders import report, town

from gwangju_twin.export.write import City, export_glb
from gwangju_twin.geo.model import District
from gwangju_twin.tiles import bake as bake_module
from gwangju_twin.tiles import quadtree
from gwangju_twin.tiles.cache import bake
from gwangju_twin.tiles.tileset import TileSet

BUILDINGS = 6 * 6 * 6 * 6
BOX_TRIANGLES = 12


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    mp = pytest.MonkeyPatch()
    # Small leaves and far groups, so the town has several of each.
    mp.setattr(bake_module, "cut",
               functools.partial(quadtree.cut, leaf_buildings=60, far_buildings=200))
    d = town()
    for i in range(0, BUILDINGS, 7):
        d.name[i] = f"상무 아파트 {i}동"
    d.name_en[3] = "Sangmu Tower"
    cache = bake(d, report(), tmp_path_factory.mktemp("cache"), "t" * 64)
    mp.undo()
    return City(TileSet(cache, d), d, source="town")


def _table(gltf: pygltflib.GLTF2, blob: bytes) -> dict[str, list[Any]]:
    """The first property table, decoded by the metadata spec's layout: numbers as arrays
    of their component type, strings as UTF-8 bytes cut at UINT32 offsets."""
    meta = gltf.extensions["EXT_structural_metadata"]
    table = meta["propertyTables"][0]
    props = meta["schema"]["classes"][table["class"]]["properties"]

    def view(i: int) -> bytes:
        v = gltf.bufferViews[i]
        assert (v.byteOffset or 0) % 8 == 0  # the spec's alignment of property values
        return blob[v.byteOffset or 0:(v.byteOffset or 0) + v.byteLength]

    out: dict[str, list[Any]] = {}
    for name, p in table["properties"].items():
        if props[name]["type"] == "STRING":
            # The smallest offset type that holds the column's bytes (the spec allows
            # UINT8 to UINT64).
            otype = {"UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32}[
                p.get("stringOffsetType", "UINT32")]
            offsets = np.frombuffer(view(p["stringOffsets"]), otype)
            # ... so the next smaller one would not hold them.
            assert int(offsets[-1]) > {np.uint16: 255, np.uint32: 65535}.get(otype, -1)
            data = view(p["values"])
            out[name] = [data[a:b].decode("utf-8")
                         for a, b in itertools.pairwise(offsets.tolist())]
        elif props[name]["type"] == "ENUM":
            # One integer a row, named by the schema's enum; its noData name stands for "".
            enum = meta["schema"]["enums"][props[name]["enumType"]]
            dtype = {"UINT8": "u1", "UINT16": "<u2"}[enum.get("valueType", "UINT16")]
            names = {v["value"]: v["name"] for v in enum["values"]}
            none = props[name].get("noData")
            out[name] = ["" if names[v] == none else names[v]
                         for v in np.frombuffer(view(p["values"]), dtype).tolist()]
        else:
            dtype = {"FLOAT64": "<f8", "FLOAT32": "<f4", "INT32": "<i4", "INT16": "<i2"}[
                props[name]["componentType"]]
            out[name] = np.frombuffer(view(p["values"]), dtype).tolist()
            if "offset" in props[name] or "scale" in props[name]:
                # The spec's value transform (lon, lat: float32 degrees less an offset).
                out[name] = [v * props[name].get("scale", 1.0) + props[name].get("offset", 0.0)
                             for v in out[name]]
        assert len(out[name]) == table["count"]
    return out


def _accessor(gltf: pygltflib.GLTF2, blob: bytes, index: int) -> np.ndarray:
    """An accessor's values as floats (normalised integers divided out, as glTF says)."""
    acc = gltf.accessors[index]
    v = gltf.bufferViews[acc.bufferView]
    dtype, top = {5126: ("<f4", 1), 5125: ("<u4", 1), 5123: ("<u2", 65535),
                  5122: ("<i2", 32767), 5121: ("u1", 255), 5120: ("i1", 127)}[acc.componentType]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[acc.type]
    item = np.dtype(dtype).itemsize * width
    stride = v.byteStride or item
    raw = np.frombuffer(blob, np.uint8, acc.count * stride, (v.byteOffset or 0)
                        + (acc.byteOffset or 0)).reshape(acc.count, stride)[:, :item]
    out = np.ascontiguousarray(raw).view(dtype).reshape(acc.count, width)
    values = out / top if acc.normalized else out
    return values[:, 0] if width == 1 else values


@pytest.fixture(scope="module")
def glb(city: City, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("glb") / "town.glb"
    export_glb(city, out, 0)
    return out


def _solid_triangles(gltf: pygltflib.GLTF2, blob: bytes) -> list[tuple[np.ndarray,
                                                                        np.ndarray]]:
    """(triangle corners in the local frame (t, 3, 3), feature id per triangle) of every
    primitive of material "solid", node translations added and y-up turned back to z-up."""
    out = []
    for node in gltf.nodes:
        t = np.array(node.translation)
        scale = np.array(node.scale or [1.0, 1.0, 1.0])
        for prim in gltf.meshes[node.mesh].primitives:
            if gltf.materials[prim.material].name != "solid":
                continue
            pos = _accessor(gltf, blob, prim.attributes.POSITION).astype(float) * scale + t
            local = np.stack([pos[:, 0], -pos[:, 2], pos[:, 1]], axis=1)
            idx = _accessor(gltf, blob, prim.indices).astype(np.int64).reshape(-1, 3)
            ids = _accessor(gltf, blob, prim.attributes._FEATURE_ID_0)
            out.append((local[idx], ids[idx[:, 0]]))
    return out


def test_one_node_per_tile_and_material(city: City, glb: Path) -> None:
    gltf = pygltflib.GLTF2.load(str(glb))
    names = [n.name for n in gltf.nodes]
    assert len(names) == len(set(names))
    assert {n.split("/")[0] for n in names} == set(city.tiles.leaf_tiles)
    assert len(gltf.meshes) == len(gltf.nodes)
    for node in gltf.nodes:
        (prim,) = gltf.meshes[node.mesh].primitives
        assert gltf.materials[prim.material].name == node.name.split("/")[1]
    assert set(gltf.extensionsUsed) == {"EXT_mesh_features", "EXT_structural_metadata",
                                        "KHR_mesh_quantization"}
    extras = gltf.asset.extras["gwangju_twin"]
    assert extras["origin"]["lon"] == 126.85 and extras["origin"]["lat"] == 35.15


def test_every_building_triangle_is_there_with_its_feature(city: City, glb: Path) -> None:
    gltf = pygltflib.GLTF2.load(str(glb))
    blob = gltf.binary_blob()
    table = _table(gltf, blob)
    tris = _solid_triangles(gltf, blob)
    corners = np.concatenate([c for c, _ in tris])
    ids = np.concatenate([i for _, i in tris]).astype(int)
    assert len(corners) == BUILDINGS * BOX_TRIANGLES
    rows = np.array(table["row"])[ids]
    # Every building drawn by its 12 triangles...
    assert np.array_equal(np.bincount(rows, minlength=BUILDINGS)[:BUILDINGS],
                          np.full(BUILDINGS, BOX_TRIANGLES))
    d: District = city.district
    # ...each inside its own footprint (1 cm of float32 slack) and no higher than its top.
    boxes = shapely.bounds(d.geometry[rows])
    xy = corners[:, :, :2]
    assert (xy >= boxes[:, None, :2] - 0.01).all() and (xy <= boxes[:, None, 2:] + 0.01).all()
    assert np.allclose(corners[:, :, 2].max(axis=1).max(), d.height[:BUILDINGS].max(),
                       atol=0.01)
    tops = np.zeros(BUILDINGS)
    np.maximum.at(tops, rows, corners[:, :, 2].max(axis=1))
    assert np.allclose(tops, d.height[:BUILDINGS], atol=0.01)


def test_attributes_survive_with_hangul_names(city: City, glb: Path) -> None:
    gltf = pygltflib.GLTF2.load(str(glb))
    table = _table(gltf, gltf.binary_blob())
    d = city.district
    for k, row in enumerate(table["row"]):
        assert table["name"][k] == (d.name[row] or "")
        assert table["feature_id"][k] == d.feature_id[row]
        assert table["layer"][k] == d.layer[row]
    named = [n for n in table["name"] if n.startswith("상무 아파트")]
    assert len(named) == len(range(0, BUILDINGS, 7))
    assert "Sangmu Tower" in table["name_en"]
    k = table["row"].index(0)
    # Building 0 is the box at (0, 0)-(12, 9): its point on the surface is inside, so its
    # lon/lat lie within the box's corners converted by pyproj.
    lon, lat = city.district.frame.to_lonlat(np.array([0.0, 12.0]), np.array([0.0, 9.0]))
    assert lon[0] < table["lon"][k] < lon[1] and lat[0] < table["lat"][k] < lat[1]
    assert table["use"][k] == "residential"  # kind "apartments"
    assert table["height"][k] == pytest.approx(d.height[0])
    roads = [k for k, layer in enumerate(table["layer"]) if layer == "roads"]
    assert roads and all(table["height"][k] == -1.0 for k in roads)  # noData


def test_trimesh_reads_the_same_triangles_in_the_same_place(city: City, glb: Path) -> None:
    scene = trimesh.load(str(glb), force="scene")
    gltf = pygltflib.GLTF2.load(str(glb))
    expected = sum(gltf.accessors[p.indices].count // 3 for m in gltf.meshes
                   for p in m.primitives)
    assert sum(len(g.faces) for g in scene.geometry.values()) == expected
    (x0, y0, z0), (x1, y1, z1) = scene.bounds
    # glTF is y up: the ground at 0, the tallest top at y; north is -z.
    bx0, by0, bx1, by1 = city.tiles.bounds
    assert y0 == pytest.approx(0.0, abs=0.01)
    assert y1 == pytest.approx(float(np.nanmax(city.district.height)), abs=0.01)
    assert x0 == pytest.approx(bx0, abs=0.01) and x1 == pytest.approx(bx1, abs=0.01)
    assert z0 == pytest.approx(-by1, abs=0.01) and z1 == pytest.approx(-by0, abs=0.01)


def test_far_level_draws_one_node_per_far_group_with_fewer_triangles(
        city: City, glb: Path, tmp_path: Path) -> None:
    out = tmp_path / "far.glb"
    far = export_glb(city, out, 2)
    full = pygltflib.GLTF2.load(str(glb))
    gltf = pygltflib.GLTF2.load(str(out))
    assert {n.name.split("/")[0] for n in gltf.nodes} == set(city.tiles.far_tiles)
    assert len(city.tiles.far_tiles) > 1
    assert far.triangles < sum(full.accessors[p.indices].count // 3 for m in full.meshes
                               for p in m.primitives)


def test_normals_of_the_boxes_point_along_the_axes(glb: Path) -> None:
    # Every face of a box building is axis-aligned, so each normal (bytes of
    # KHR_mesh_quantization, divided by 127) is one axis, to the byte's precision.
    gltf = pygltflib.GLTF2.load(str(glb))
    blob = gltf.binary_blob()
    for node in gltf.nodes:
        (prim,) = gltf.meshes[node.mesh].primitives
        if gltf.materials[prim.material].name != "solid":
            continue
        normals = _accessor(gltf, blob, prim.attributes.NORMAL)
        assert np.allclose(np.linalg.norm(normals, axis=1), 1.0, atol=0.01)
        assert np.allclose(np.sort(np.abs(normals), axis=1), [0.0, 0.0, 1.0], atol=0.01)
