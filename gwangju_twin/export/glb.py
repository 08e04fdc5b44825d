"""A binary glTF 2.0 (GLB) writer for merged tile meshes with per-vertex feature ids.

Written from numpy buffers directly rather than through a glTF library: the two extensions
(``EXT_mesh_features``, ``EXT_structural_metadata``) are plain JSON over buffer views, and a
whole city's arrays go into the binary chunk in one copy each.

Axes: the district's local frame is x east, y north, z up (metres); glTF is y up, so a point
(x, y, z) is written as (x, z, -y). Each node holds one tile's mesh of one material: its
translation is the centre of the mesh's box and its vertices are relative to it (float32
keeps millimetres there instead of centimetres 20 km out). With ``quantize``
(KHR_mesh_quantization), normals are bytes and a mesh within 327 m of its centre has 16-bit
positions on a 1 cm grid (the node's scale): a third smaller, finer than the sources' data.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from gwangju_twin.export.features import CLASS, COLUMNS, FeatureTable, schema
from gwangju_twin.mesh.batch import MeshBatch, concat

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT, UNSIGNED_BYTE, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5121, 5123, 5125
TRIANGLES, LINES = 4, 1
#: The metadata spec wants property values at offsets that are multiples of 8.
ALIGN = 8
#: The largest feature id a float32 attribute holds exactly (2^24).
MAX_FEATURES = 1 << 24
SHORT, BYTE = 5122, 5120
#: The grid quantised positions snap to (metres): a tile whose vertices all lie within
#: 32,767 steps of its centre (327 m) is written as 16-bit integers on it.
STEP = 0.01


def to_gltf(xyz: np.ndarray) -> np.ndarray:
    """Local (x east, y north, z up) to glTF (x, y up, z south)."""
    out = np.empty_like(xyz)
    out[..., 0] = xyz[..., 0]
    out[..., 1] = xyz[..., 2]
    out[..., 2] = -xyz[..., 1]
    return out


def from_gltf(xyz: np.ndarray) -> np.ndarray:
    """glTF (x, y up, z south) back to local (x east, y north, z up)."""
    out = np.empty_like(xyz)
    out[..., 0] = xyz[..., 0]
    out[..., 1] = -xyz[..., 2]
    out[..., 2] = xyz[..., 1]
    return out


@dataclass
class GlbStats:
    """What a GLB holds."""

    triangles: int = 0
    lines: int = 0
    vertices: int = 0
    nodes: int = 0
    features: int = 0


@dataclass
class GlbWriter:
    """Collects tile nodes, then writes one GLB (``to_bytes``).

    ``table`` is the property table of every feature the file draws; the batches handed to
    ``add_node`` carry feature ids that are rows of that table.
    """

    table: FeatureTable | None
    extras: dict[str, Any]
    generator: str = "gwangju-twin"
    #: Write normals as bytes and, where a tile fits, positions as 16-bit integers on a 1 cm
    #: grid (KHR_mesh_quantization): about a third smaller. Off: float32 throughout.
    quantize: bool = True
    stats: GlbStats = field(default_factory=GlbStats)
    _quantized: bool = False
    _chunks: list[bytes] = field(default_factory=list)
    _size: int = 0
    _views: list[dict[str, Any]] = field(default_factory=list)
    _accessors: list[dict[str, Any]] = field(default_factory=list)
    _meshes: list[dict[str, Any]] = field(default_factory=list)
    _nodes: list[dict[str, Any]] = field(default_factory=list)
    _materials: dict[str, int] = field(default_factory=dict)

    def _view(self, data: bytes, target: int | None = None, stride: int | None = None) -> int:
        pad = -self._size % ALIGN
        if pad:
            self._chunks.append(b"\0" * pad)
            self._size += pad
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self._size, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        if stride is not None:
            view["byteStride"] = stride
        self._chunks.append(data)
        self._size += len(data)
        self._views.append(view)
        return len(self._views) - 1

    def _accessor(self, array: np.ndarray, component: int, kind: str, target: int,
                  minmax: bool = False, normalized: bool = False) -> int:
        stride = array.itemsize * (array.shape[1] if array.ndim == 2 else 1)
        width = _WIDTHS[kind]
        # glTF wants a stride only on vertex attributes, and a multiple of 4 there.
        view = self._view(np.ascontiguousarray(array).tobytes(), target,
                          stride if target == ARRAY_BUFFER else None)
        acc: dict[str, Any] = {"bufferView": view, "componentType": component,
                               "count": len(array), "type": kind}
        if normalized:
            acc["normalized"] = True
        if minmax:
            # Over the declared components only (a padded VEC3 of shorts has a fourth).
            shown = array[:, :width] if array.ndim == 2 else array
            acc["min"] = [float(v) for v in shown.min(axis=0)]
            acc["max"] = [float(v) for v in shown.max(axis=0)]
        self._accessors.append(acc)
        return len(self._accessors) - 1

    def _material(self, name: str) -> int:
        if name not in self._materials:
            self._materials[name] = len(self._materials)
        return self._materials[name]

    def add_node(self, name: str, batches: list[MeshBatch],
                 extras: dict[str, Any] | None = None) -> None:
        """A tile: ``batches`` merged into one mesh per material and primitive type, each
        mesh a node named ``NAME/MATERIAL`` whose vertices are relative to the centre of its
        box (local frame, metres). A node each, not a primitive each, so every material gets its own
        quantisation grid: a tile's buildings fit one where a road running across the city
        does not. A vertex whose feature id is -1 must be in no triangle (it is dropped)."""
        groups: dict[tuple[str, str], list[MeshBatch]] = {}
        for b in batches:
            if b.primitive_count:
                groups.setdefault((b.material, b.primitive), []).append(b)
        for (material, primitive), parts in groups.items():
            merged = concat(material, parts)  # pairs or threes: the same offsets
            lo, hi = merged.positions.min(axis=0), merged.positions.max(axis=0)
            c = np.round((lo.astype(np.float64) + hi) / 2, 2)  # a round number for people
            reach = float(np.abs(merged.positions.astype(np.float64) - c).max())
            # A uniform scale: a non-uniform one would bend the normals.
            step = STEP if self.quantize and reach / STEP <= 32767 else None
            label = f"{name}/{material}" + ("/lines" if primitive == "lines" else "")
            self._meshes.append({"name": label,
                                 "primitives": [self._primitive(merged, c, step)]})
            node: dict[str, Any] = {"name": label, "mesh": len(self._meshes) - 1,
                                    "translation": [float(v) for v in to_gltf(c)]}
            if step is not None:
                node["scale"] = [step, step, step]
            if extras:
                node["extras"] = extras
            self._nodes.append(node)
            self.stats.nodes += 1

    def _primitive(self, b: MeshBatch, center: np.ndarray, step: float | None
                   ) -> dict[str, Any]:
        if (b.feature_ids < 0).any():
            # Vertices of buildings cleared for pavilions (id -1) are in no triangle: they
            # go, as the validator counts unused vertices and -1 is no table row.
            used = np.unique(b.indices)
            remap = np.full(b.vertex_count, -1, np.int64)
            remap[used] = np.arange(len(used))
            b = MeshBatch(b.material, b.positions[used], b.normals[used], b.colors[used],
                          remap[b.indices].astype(np.uint32), b.feature_ids[used])
        pos = to_gltf(b.positions.astype(np.float64) - center)
        if step is not None:
            # Whole steps of the node's scale, padded to 8 bytes a vertex (glTF aligns
            # vertex attributes to 4).
            grid = np.zeros((len(pos), 4), np.int16)
            grid[:, :3] = np.rint(pos / step)
            position = self._accessor(grid, SHORT, "VEC3", ARRAY_BUFFER, minmax=True)
            self._quantized = True
        else:
            position = self._accessor(pos.astype(np.float32), FLOAT, "VEC3", ARRAY_BUFFER,
                                      minmax=True)
        attrs: dict[str, int] = {"POSITION": position}
        lines = b.primitive == "lines"
        if not lines:
            normals = to_gltf(b.normals.astype(np.float32))
            length = np.linalg.norm(normals, axis=1)
            bad = ~(length > 1e-6)
            normals[bad] = (0.0, 1.0, 0.0)  # a degenerate face's normal: up
            length[bad] = 1.0
            normals /= length[:, None]
            if self.quantize:
                packed = np.zeros((len(normals), 4), np.int8)
                packed[:, :3] = np.rint(normals * 127)
                attrs["NORMAL"] = self._accessor(packed, BYTE, "VEC3", ARRAY_BUFFER,
                                                 normalized=True)
                self._quantized = True
            else:
                attrs["NORMAL"] = self._accessor(normals, FLOAT, "VEC3", ARRAY_BUFFER)
        attrs["COLOR_0"] = self._accessor(b.colors, UNSIGNED_BYTE, "VEC4", ARRAY_BUFFER,
                                          normalized=True)
        n = b.vertex_count
        indices = b.indices.reshape(-1)
        small = n <= 65535
        idx = self._accessor(indices.astype(np.uint16 if small else np.uint32),
                             UNSIGNED_SHORT if small else UNSIGNED_INT, "SCALAR",
                             ELEMENT_ARRAY_BUFFER)
        prim: dict[str, Any] = {"attributes": attrs, "indices": idx,
                                "material": self._material(b.material),
                                "mode": LINES if lines else TRIANGLES}
        if self.table is not None and len(self.table):
            # Float ids: glTF allows no 32-bit integer vertex attribute, and a float holds
            # every id below 2^24 exactly (EXT_mesh_features' implementation note).
            attrs["_FEATURE_ID_0"] = self._accessor(b.feature_ids.astype(np.float32), FLOAT,
                                                    "SCALAR", ARRAY_BUFFER)
            prim["extensions"] = {"EXT_mesh_features": {"featureIds": [{
                "featureCount": len(self.table), "attribute": 0, "propertyTable": 0}]}}
        if lines:
            self.stats.lines += len(b.indices)
        else:
            self.stats.triangles += len(b.indices)
        self.stats.vertices += n
        return prim

    def _property_table(self, table: FeatureTable) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for c in COLUMNS:
            values = table.columns[c.name]
            if c.kind == "STRING":
                assert isinstance(values, list)
                # A lone surrogate (kept by the reader from a JSON escape) is no UTF-8:
                # written as U+FFFD so every string stays valid.
                blobs = [v.encode("utf-8", "replace") for v in values]
                offsets = np.zeros(len(blobs) + 1, np.uint64)
                np.cumsum([len(x) for x in blobs], out=offsets[1:])
                wide = int(offsets[-1]) >= 1 << 32
                # A buffer view may not be empty: a column of empty strings gets one unused
                # byte (its offsets all 0).
                props[c.name] = {
                    "values": self._view(b"".join(blobs) or b"\0"),
                    "stringOffsets": self._view(offsets.astype(
                        np.uint64 if wide else np.uint32).tobytes()),
                    "stringOffsetType": "UINT64" if wide else "UINT32",
                }
            else:
                dtype = np.float64 if c.kind == "FLOAT64" else np.int32
                props[c.name] = {"values": self._view(np.asarray(values, dtype).tobytes())}
        return {"name": "features", "class": CLASS, "count": len(table), "properties": props}

    def to_bytes(self) -> bytes:
        """The GLB file."""
        return b"".join(self.parts())

    def write(self, stream: BinaryIO) -> int:
        """Write the GLB file to ``stream`` part by part (a city's buffer is not copied
        into one string first); returns its size."""
        size = 0
        for part in self.parts():
            stream.write(part)
            size += len(part)
        return size

    def parts(self) -> list[bytes]:
        """The GLB file as consecutive pieces."""
        gltf: dict[str, Any] = {
            "asset": {"version": "2.0", "generator": self.generator, "extras": self.extras},
            "scene": 0,
            "scenes": [{"nodes": list(range(len(self._nodes)))}],
            "nodes": self._nodes,
            "meshes": self._meshes,
            "materials": [_material(name) for name in self._materials],
        }
        used = []
        if self.table is not None and len(self.table) and self._meshes:
            if len(self.table) > MAX_FEATURES:
                raise ValueError(f"{len(self.table)} features: a float feature id holds at "
                                 f"most {MAX_FEATURES}")
            version = str(self.extras.get("gwangju_twin", {}).get("program", "1"))
            gltf["extensions"] = {"EXT_structural_metadata": {
                "schema": schema(version),
                "propertyTables": [self._property_table(self.table)]}}
            used = ["EXT_mesh_features", "EXT_structural_metadata"]
            self.stats.features = len(self.table)
        if self._quantized:
            used.append("KHR_mesh_quantization")
            gltf["extensionsRequired"] = ["KHR_mesh_quantization"]
        if used:
            gltf["extensionsUsed"] = used
        if self._size:
            gltf["buffers"] = [{"byteLength": self._size + (-self._size % 4)}]
            gltf["bufferViews"] = self._views
            gltf["accessors"] = self._accessors
        if not self._nodes:
            gltf.pop("nodes")
            gltf.pop("meshes")
            gltf["scenes"] = [{}]
        if not self._materials:
            gltf.pop("materials")
        text = json.dumps(gltf, ensure_ascii=False, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 4)
        tail = b"\0" * (-self._size % 4)
        binary = self._size + len(tail)
        parts = [struct.pack("<II", len(text), 0x4E4F534A), text]
        if binary:
            parts += [struct.pack("<II", binary, 0x004E4942), *self._chunks, tail]
        total = 12 + sum(len(p) for p in parts)
        return [struct.pack("<III", 0x46546C67, 2, total), *parts]


_WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


def _material(name: str) -> dict[str, Any]:
    # Colours are per vertex (COLOR_0); the material only says the surface is matte.
    return {"name": name, "pbrMetallicRoughness": {
        "baseColorFactor": [1.0, 1.0, 1.0, 1.0], "metallicFactor": 0.0,
        "roughnessFactor": 0.9}}
