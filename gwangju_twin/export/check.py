"""Structural checks of what the exports write, independent of the writers' own bookkeeping:
a GLB is read back from its bytes, a tileset from its JSON and its content files.

Each check returns a list of problems (empty: fine), one line each naming the file.
"""

from __future__ import annotations

import itertools
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gwangju_twin.export.features import NO_DATA
from gwangju_twin.export.glb import from_gltf

_DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32,
           5126: np.float32}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}
#: How far (metres) a vertex may lie outside its tile's bounding volume: the tileset's
#: numbers are written to the millimetre.
TOLERANCE = 0.01


@dataclass
class Glb:
    """A GLB read back: its JSON and binary chunk."""

    json: dict[str, Any]
    binary: bytes

    def accessor(self, index: int) -> np.ndarray:
        """The values of accessor ``index`` (rows of its width)."""
        acc = self.json["accessors"][index]
        view = self.json["bufferViews"][acc["bufferView"]]
        dtype = np.dtype(_DTYPES[acc["componentType"]])
        width = _WIDTH[acc["type"]]
        start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
        stride = view.get("byteStride", dtype.itemsize * width)
        count = acc["count"]
        raw = np.frombuffer(self.binary, np.uint8, count * stride if count else 0, start)
        rows = raw.reshape(count, stride)[:, :dtype.itemsize * width]
        out = np.ascontiguousarray(rows).view(dtype).reshape(count, width)
        return out if width > 1 else out[:, 0]

    def view(self, index: int) -> bytes:
        """The bytes of buffer view ``index``."""
        v = self.json["bufferViews"][index]
        start = v.get("byteOffset", 0)
        return self.binary[start:start + v["byteLength"]]

    def local_positions(self) -> np.ndarray:
        """Every vertex in the local frame (x east, y north, z up), node scale and translation
        applied (the writers' nodes have no rotation)."""
        out = [np.zeros((0, 3))]
        for node in self.json.get("nodes", []):
            if "mesh" not in node:
                continue
            t = np.array(node.get("translation", [0.0, 0.0, 0.0]))
            scale = np.array(node.get("scale", [1.0, 1.0, 1.0]))
            for prim in self.json["meshes"][node["mesh"]]["primitives"]:
                acc = self.json["accessors"][prim["attributes"]["POSITION"]]
                pos = self.accessor(prim["attributes"]["POSITION"]).astype(np.float64)
                if acc.get("normalized"):
                    pos /= {5120: 127.0, 5121: 255.0, 5122: 32767.0,
                            5123: 65535.0}[acc["componentType"]]
                out.append(from_gltf(pos * scale + t))
        return np.concatenate(out)

    def property_table(self, index: int = 0) -> dict[str, list[Any]]:
        """Property table ``index`` of ``EXT_structural_metadata`` as Python values."""
        meta = self.json["extensions"]["EXT_structural_metadata"]
        table = meta["propertyTables"][index]
        cls = meta["schema"]["classes"][table["class"]]["properties"]
        out: dict[str, list[Any]] = {}
        n = table["count"]
        for name, prop in table["properties"].items():
            values = self.view(prop["values"])
            if cls[name]["type"] == "STRING":
                otype = {"UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32,
                         "UINT64": np.uint64}[prop.get("stringOffsetType", "UINT32")]
                offsets = np.frombuffer(self.view(prop["stringOffsets"]), otype).astype(int)
                out[name] = [values[a:b].decode("utf-8")
                             for a, b in itertools.pairwise(offsets.tolist())]
            elif cls[name]["type"] == "ENUM":
                # Enum names back to the texts they stand for; the noData name is "".
                enum = meta["schema"]["enums"][cls[name]["enumType"]]
                names = {v["value"]: v["name"] for v in enum["values"]}
                if "noData" in cls[name]:
                    names = {k: ("" if v == cls[name]["noData"] else v)
                             for k, v in names.items()}
                code: type = {"UINT8": np.uint8, "UINT16": np.uint16}[
                    enum.get("valueType", "UINT16")]
                out[name] = [names[v] for v in np.frombuffer(values, code, n).tolist()]
            else:
                dtype = {"FLOAT64": np.float64, "FLOAT32": np.float32, "INT16": np.int16,
                         "INT32": np.int32, "UINT32": np.uint32}[cls[name]["componentType"]]
                raw = np.frombuffer(values, dtype, n).astype(np.float64)
                if "offset" in cls[name] or "scale" in cls[name]:
                    # The spec's value transform, after noData (compared to raw values).
                    got = raw * cls[name].get("scale", 1.0) + cls[name].get("offset", 0.0)
                    if "noData" in cls[name]:
                        got[raw == np.float32(cls[name]["noData"])] = NO_DATA
                    out[name] = got.tolist()
                else:
                    out[name] = np.frombuffer(values, dtype, n).tolist()
        return out


def read_glb(data: bytes) -> Glb:
    """A GLB's chunks; ValueError when it is not one."""
    if len(data) < 20:
        raise ValueError("shorter than a GLB header")
    magic, version, length = struct.unpack_from("<III", data)
    if magic != 0x46546C67 or version != 2 or length != len(data):
        raise ValueError("not a glTF 2.0 binary (magic, version or length)")
    jlen, jtype = struct.unpack_from("<II", data, 12)
    if jtype != 0x4E4F534A:
        raise ValueError("the first chunk is not JSON")
    doc = json.loads(data[20:20 + jlen])
    binary = b""
    at = 20 + jlen
    if at < len(data):
        blen, btype = struct.unpack_from("<II", data, at)
        if btype != 0x004E4942:
            raise ValueError("the second chunk is not BIN")
        binary = data[at + 8:at + 8 + blen]
    return Glb(doc, binary)


def check_glb(data: bytes, name: str) -> list[str]:
    """Problems of one exported GLB's feature ids and property table."""
    try:
        glb = read_glb(data)
    except (ValueError, json.JSONDecodeError) as exc:
        return [f"{name}: {exc}"]
    problems = []
    meta = glb.json.get("extensions", {}).get("EXT_structural_metadata")
    count = meta["propertyTables"][0]["count"] if meta else 0
    for mesh in glb.json.get("meshes", []):
        for prim in mesh["primitives"]:
            ext = prim.get("extensions", {}).get("EXT_mesh_features")
            if ext is None:
                problems.append(f"{name}: mesh {mesh.get('name')}: a primitive without "
                                "EXT_mesh_features")
                continue
            ids = glb.accessor(prim["attributes"]["_FEATURE_ID_0"])
            if len(ids) and (ids.min() < 0 or ids.max() >= count or (ids % 1).any()):
                problems.append(f"{name}: mesh {mesh.get('name')}: feature ids outside the "
                                f"property table's {count} rows")
    if meta:
        try:
            table = glb.property_table()
        except (UnicodeDecodeError, ValueError) as exc:
            return [*problems, f"{name}: property table unreadable ({exc})"]
        for col, values in table.items():
            if len(values) != count:
                problems.append(f"{name}: property {col} has {len(values)} values, the table "
                                f"{count} rows")
    return problems


def _box_problems(box: list[float], points: np.ndarray, where: str) -> list[str]:
    c = np.array(box[:3])
    half = np.array(box[3:]).reshape(3, 3)  # rows: the three half-axes
    if not len(points):
        return []
    try:
        u = np.linalg.solve(half.T, (points - c).T).T
    except np.linalg.LinAlgError:
        return [f"{where}: a flat bounding box"]
    lengths = np.linalg.norm(half, axis=1)
    outside = np.abs(u) > 1 + TOLERANCE / lengths
    if outside.any():
        worst = float((np.abs(u).max(axis=0) - 1).max() * lengths.max())
        return [f"{where}: {int(outside.any(axis=1).sum())} vertices outside the bounding "
                f"volume (up to about {worst:.2f} m)"]
    return []


def check_tileset(path: Path) -> list[str]:
    """Problems of a 3D Tiles tileset: contents that are missing or not GLB, a child whose
    geometric error is not below its parent's, content outside its tile's bounding box
    (boxes in the root's frame; the writers put no transform below the root)."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{path}: unreadable ({exc})"]
    problems = []
    if doc.get("asset", {}).get("version") not in ("1.0", "1.1"):
        problems.append(f"{path}: asset.version is not 1.0 or 1.1")
    root = doc.get("root", {})
    if len(root.get("transform", [])) not in (0, 16):
        problems.append(f"{path}: the root's transform is not a 4x4 matrix")
    if not doc.get("geometricError", -1) >= root.get("geometricError", 0):
        problems.append(f"{path}: the tileset's geometricError is below the root's")

    def visit(tile: dict[str, Any], where: str) -> None:
        if "transform" in tile and tile is not root:
            problems.append(f"{path}: {where}: a transform below the root")
        box = tile.get("boundingVolume", {}).get("box")
        if box is None or len(box) != 12:
            problems.append(f"{path}: {where}: no bounding box")
            return
        if tile.get("refine", "REPLACE") not in ("REPLACE", "ADD"):
            problems.append(f"{path}: {where}: refine is neither REPLACE nor ADD")
        content = tile.get("content")
        if content is not None:
            file = path.parent / content["uri"]
            if not file.is_file():
                problems.append(f"{path}: {where}: content {content['uri']} is missing")
            else:
                data = file.read_bytes()
                problems.extend(check_glb(data, str(file)))
                try:
                    pts = read_glb(data).local_positions()
                except (ValueError, KeyError) as exc:
                    problems.append(f"{file}: unreadable ({exc})")
                else:
                    problems.extend(_box_problems(box, pts, f"{path}: {where} ({file.name})"))
        children = tile.get("children", [])
        if content is None and not children:
            problems.append(f"{path}: {where}: neither content nor children")
        for i, child in enumerate(children):
            if not child.get("geometricError", 0) < tile.get("geometricError", 0):
                problems.append(f"{path}: {where}/{i}: geometricError "
                                f"{child.get('geometricError')} not below its parent's "
                                f"{tile.get('geometricError')}")
            # A child's box inside its parent's: its corners inside.
            cbox = child.get("boundingVolume", {}).get("box")
            if cbox is not None and len(cbox) == 12:
                c, h = np.array(cbox[:3]), np.array(cbox[3:]).reshape(3, 3)
                signs = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1)
                                  for sz in (-1, 1)])
                problems.extend(_box_problems(box, c + signs @ h, f"{path}: {where}/{i} "
                                              "(the child's box)"))
            visit(child, f"{where}/{i}")

    visit(root, "root")
    return problems
