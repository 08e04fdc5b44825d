"""A binary glTF 2.0 (GLB) writer for merged tile meshes with per-vertex feature ids.

Written from numpy buffers directly rather than through a glTF library: the two extensions
(``EXT_mesh_features``, ``EXT_structural_metadata``) are plain JSON over buffer views, and a
whole city's arrays go into the binary chunk in one copy each.

Axes: the district's local frame is x east, y north, z up (metres); glTF is y up, so a point
(x, y, z) is written as (x, z, -y). Each node holds one tile's mesh of one material: its
translation is the centre of the mesh's box and its vertices are relative to it (float32
keeps millimetres there instead of centimetres 20 km out). With ``quantize``
(KHR_mesh_quantization), normals are bytes and a mesh within 327 m of its centre has 16-bit
positions on a 1 cm grid (the node's scale): a third smaller, finer than the sources' data; a
wider mesh is cut into cells that fit. A primitive's vertex attributes are interleaved in one
buffer view, 20 bytes a vertex quantised.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from gwangju_twin.export.features import (
    CLASS,
    COLUMNS,
    NO_DATA,
    NONE,
    RAW_NO_DATA,
    FeatureTable,
    enum_names,
    enum_type,
    schema,
)
from gwangju_twin.mesh.batch import MeshBatch, concat

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT, UNSIGNED_BYTE, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5121, 5123, 5125
TRIANGLES, LINES = 4, 1
#: glTF's axes of the local frame's: (x, z, y), y then negated.
_YUP = [0, 2, 1]
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
        box (local frame, metres). A node each, not a primitive each, so every material gets
        its own quantisation grid: a tile's buildings fit one where a road running across the
        city does not. With ``quantize``, a mesh too wide for the 1 cm grid is cut into
        cells of at most ``CELL`` metres, a node each (``NAME/MATERIAL/cN``), rather than
        written as floats. A vertex whose feature id is -1 must be in no triangle (it is
        dropped)."""
        groups: dict[tuple[str, str], list[MeshBatch]] = {}
        for b in batches:
            if b.primitive_count:
                groups.setdefault((b.material, b.primitive), []).append(b)
        for (material, primitive), parts in groups.items():
            # A baked tile holds one batch per material: merging one would only copy it.
            merged = parts[0] if len(parts) == 1 else concat(material, parts)
            if len(merged.feature_ids) and merged.feature_ids.min() < 0:
                merged = _used(merged)
            label = f"{name}/{material}" + ("/lines" if primitive == "lines" else "")
            # The bytes after each vertex's position (normal, colour, feature id) are the
            # same in every cell the mesh is cut into: worked out once, a cell's rows taken.
            tail = self._tail(merged)
            lo, hi = _box(merged.positions)
            pieces = (_cells(merged.positions, merged.indices, lo, hi) if self.quantize
                      else [(None, merged.positions, merged.indices, lo, hi)])
            for k, (used, positions, indices, plo, phi) in enumerate(pieces):
                self._add_mesh(label if len(pieces) == 1 else f"{label}/c{k}", material,
                               primitive == "lines", positions,
                               tail if used is None else tail[used], indices, plo, phi, extras)

    def _tail(self, b: MeshBatch) -> np.ndarray:
        """Each vertex's bytes after its position in the interleaved layout (uint8, a row
        each): normal (not for lines), colour, feature id, each in a slot of 4 bytes (or
        the normal in 12, unquantised)."""
        lines = b.primitive == "lines"
        normal = 0 if lines else 4 if self.quantize else 12
        table = self.table is not None and len(self.table) > 0
        out = np.zeros((b.vertex_count, normal + 4 + 4 * table), np.uint8)
        if not lines:
            normals = to_gltf(b.normals.astype(np.float32))
            length = np.sqrt(np.einsum("ij,ij->i", normals, normals))
            bad = ~(length > 1e-6)
            if bad.any():
                normals[bad] = (0.0, 1.0, 0.0)  # a degenerate face's normal: up
                length[bad] = 1.0
            normals /= length[:, None]
            if self.quantize:
                out[:, :4].view(np.int8)[:, :3] = np.rint(normals * 127)
            else:
                out[:, :12].view(np.float32)[:] = normals
        out[:, normal:normal + 4] = b.colors
        if table:
            # 16-bit ids where the table allows (an attribute takes 4 bytes either way, but
            # an integer id is what EXT_mesh_features prefers), else floats: glTF allows no
            # 32-bit integer vertex attribute, and a float holds every id below 2^24.
            if self._short_ids():
                out[:, normal + 4:].view(np.uint16)[:, 0] = b.feature_ids
            else:
                out[:, normal + 4:].view(np.float32)[:, 0] = b.feature_ids
        return out

    def _short_ids(self) -> bool:
        return len(self.table or ()) <= 65536

    def _add_mesh(self, label: str, material: str, lines: bool, positions: np.ndarray,
                  tail: np.ndarray, indices: np.ndarray, lo: list[float], hi: list[float],
                  extras: dict[str, Any] | None) -> None:
        # The centre: a round number for people. numpy's round to 2 decimals (times 100,
        # to the nearest even integer, divided) on three Python floats, not worth an array
        # each step; round(x, 0), not round(x), keeps the sign of a zero (-0.0).
        c = [round((a + b) / 2 * 100.0, 0) / 100.0 for a, b in zip(lo, hi, strict=True)]
        reach = max(max(h - m, m - a) for a, h, m in zip(lo, hi, c, strict=True))
        # A uniform scale: a non-uniform one would bend the normals.
        step = STEP if self.quantize and reach / STEP <= 32767 else None
        prim = self._primitive(material, lines, positions, tail, indices, c, step, lo, hi)
        self._meshes.append({"name": label, "primitives": [prim]})
        node: dict[str, Any] = {"name": label, "mesh": len(self._meshes) - 1,
                                "translation": [c[0], c[2], -c[1]]}
        if step is not None:
            node["scale"] = [step, step, step]
        if extras:
            node["extras"] = extras
        self._nodes.append(node)
        self.stats.nodes += 1

    def _primitive(self, material: str, lines: bool, positions: np.ndarray, tail: np.ndarray,
                   indices: np.ndarray, center: list[float], step: float | None,
                   lo: list[float], hi: list[float]) -> dict[str, Any]:
        """One primitive, its vertex attributes interleaved in one buffer view (a view
        each cost a city GLB 50 bytes of JSON per attribute and node, and the padding):
        the position (8 bytes quantised: three 16-bit steps and 2 of padding, else 12),
        then ``tail`` (_tail)."""
        n = len(positions)
        table = self.table is not None and len(self.table) > 0
        width = 8 if step is not None else 12
        stride = width + tail.shape[1]
        raw = np.empty((n, stride), np.uint8)
        raw[:, width:] = tail
        # glTF's axes (x, z, -y), less the centre, in one pass over the vertices.
        yup = positions[:, _YUP] - np.array([center[0], center[2], center[1]])
        bounds: tuple[list[Any], list[Any]]
        if step is not None:
            grid = raw[:, :8].view(np.int16)
            grid[:, :3] = np.rint(yup / np.array([step, step, -step]))
            grid[:, 3] = 0
            # The grid's range from the box's corners, by the same arithmetic as each
            # vertex (rounding keeps order): no pass over the vertices. As integers: they
            # are grid steps ("-25029", not "-25029.0").
            ends = [(round((lo[0] - center[0]) / step), round((hi[0] - center[0]) / step)),
                    (round((lo[2] - center[2]) / step), round((hi[2] - center[2]) / step)),
                    (round((lo[1] - center[1]) * -1 / step),
                     round((hi[1] - center[1]) * -1 / step))]
            bounds = ([min(e) for e in ends], [max(e) for e in ends])
            position = SHORT
            self._quantized = True
        else:
            flt = raw[:, :12].view(np.float32)
            yup[:, 2] *= -1
            flt[:] = yup
            bounds = _range(flt)
            position = FLOAT
        fields: list[tuple[str, int, int, str, bool]] = [  # name, offset, type, kind, norm
            ("POSITION", 0, position, "VEC3", False)]
        at = width
        if not lines:
            if self.quantize:
                fields.append(("NORMAL", at, BYTE, "VEC3", True))
                self._quantized = True
                at += 4
            else:
                fields.append(("NORMAL", at, FLOAT, "VEC3", False))
                at += 12
        fields.append(("COLOR_0", at, UNSIGNED_BYTE, "VEC4", True))
        if table:
            fields.append(("_FEATURE_ID_0", at + 4,
                           UNSIGNED_SHORT if self._short_ids() else FLOAT, "SCALAR", False))
        view = self._view(raw.tobytes(), ARRAY_BUFFER, stride)
        attrs: dict[str, int] = {}
        for name, offset, component, kind, norm in fields:
            attrs[name] = self._add_accessor(view, offset, component, kind, n,
                                             bounds if name == "POSITION" else None, norm)
        small = n <= 65535
        idx = self._accessor(indices.reshape(-1).astype(np.uint16 if small else np.uint32),
                             UNSIGNED_SHORT if small else UNSIGNED_INT, "SCALAR",
                             ELEMENT_ARRAY_BUFFER)
        prim: dict[str, Any] = {"attributes": attrs, "indices": idx,
                                "material": self._material(material)}
        if lines:
            prim["mode"] = LINES  # triangles are the default mode
        if table:
            prim["extensions"] = {"EXT_mesh_features": {"featureIds": [{
                "featureCount": len(self.table or ()), "attribute": 0, "propertyTable": 0}]}}
        if lines:
            self.stats.lines += len(indices)
        else:
            self.stats.triangles += len(indices)
        self.stats.vertices += n
        return prim

    def _add_accessor(self, view: int, offset: int, component: int, kind: str, count: int,
                      bounds: tuple[list[float], list[float]] | None = None,
                      normalized: bool = False) -> int:
        """An accessor into an existing (interleaved) buffer view."""
        acc: dict[str, Any] = {"bufferView": view, "componentType": component,
                               "count": count, "type": kind}
        if offset:
            acc["byteOffset"] = offset
        if normalized:
            acc["normalized"] = True
        if bounds is not None:
            acc["min"], acc["max"] = bounds
        self._accessors.append(acc)
        return len(self._accessors) - 1

    def _property_table(self, table: FeatureTable
                        ) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, float],
                                   dict[str, str]]:
        """The property table, the names of its enum columns' values, the offsets of its
        columns written less one (lon, lat: float32 less a round degree, half the bytes of
        float64 and still ~1 mm) and the component types of its integer columns written in
        16 bits. A column of few
        distinct texts (layer, use, ...) is an ``ENUM`` of one byte a row, a tenth of its
        strings and their offsets (Sangmu: 110 kB of 2.6 MB)."""
        props: dict[str, Any] = {}
        enums: dict[str, list[str]] = {}
        shifts: dict[str, float] = {}
        components: dict[str, str] = {}
        for c in COLUMNS:
            values = table.columns[c.name]
            names = enum_names(values) if c.kind == "ENUM" and isinstance(values, list) \
                else None
            if names is not None:
                assert isinstance(values, list)
                code = {("" if n == NONE else n): i for i, n in enumerate(names)}
                dtype = np.uint8 if enum_type(len(names)) == "UINT8" else np.uint16
                props[c.name] = {"values": self._view(
                    np.fromiter(map(code.__getitem__, values), dtype, len(values)).tobytes())}
                enums[c.name] = names
            elif c.kind in ("STRING", "ENUM"):
                assert isinstance(values, list)
                data, offsets = utf8_column(values)
                otype = offset_type(int(offsets[-1]))
                # A buffer view may not be empty: a column of empty strings gets one unused
                # byte (its offsets all 0).
                props[c.name] = {
                    "values": self._view(data or b"\0"),
                    "stringOffsets": self._view(offsets.astype(_OFFSET_DTYPES[otype])
                                                .tobytes()),
                    "stringOffsetType": otype,
                }
            elif c.offset:
                # Degrees less a round number near the city: a float32 keeps ~1 mm of them.
                a = np.asarray(values, np.float64)
                present = a != NO_DATA
                at = round(float(np.median(a[present])), 2) if present.any() else 0.0
                raw = np.where(present, a - at, RAW_NO_DATA).astype(np.float32)
                props[c.name] = {"values": self._view(raw.tobytes())}
                shifts[c.name] = at
            elif c.kind == "INT32":
                # Rows of a district below 32,768 (Sangmu's) fit 16 bits: half the bytes.
                ints = np.asarray(values, np.int64)
                short = not len(ints) or (ints.min() >= -32768 and ints.max() <= 32767)
                props[c.name] = {"values": self._view(
                    ints.astype(np.int16 if short else np.int32).tobytes())}
                if short:
                    components[c.name] = "INT16"
            else:
                number: type = {"FLOAT64": np.float64, "FLOAT32": np.float32}[c.kind]
                props[c.name] = {"values": self._view(np.asarray(values, number).tobytes())}
        return ({"name": "features", "class": CLASS, "count": len(table), "properties": props},
                enums, shifts, components)

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
            table, enums, offsets, components = self._property_table(self.table)
            gltf["extensions"] = {"EXT_structural_metadata": {
                "schema": schema(version, enums, offsets, components),
                "propertyTables": [table]}}
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


#: The widest cell (metres) a mesh is cut into when it does not fit the 1 cm grid: 16-bit
#: steps reach 327 m either side of a centre, and a triangle may stick out of its cell.
CELL = 600.0
#: About what a node costs in JSON (node, mesh, accessors, views; bytes).
NODE_JSON = 1200


def _box(positions: np.ndarray) -> tuple[list[float], list[float]]:
    """The corners of the box of ``positions`` (exact: a float32's min is one of its
    values; as Python floats, which the few sums over them want)."""
    # Over a column-major copy: numpy reduces an (n, 3) array along axis 0 three values at
    # a time, 20 to 40 times slower than along rows (half of a city GLB's writing).
    cols = np.ascontiguousarray(positions.T)
    return cols.min(axis=1).tolist(), cols.max(axis=1).tolist()


def _range(values: np.ndarray) -> tuple[list[float], list[float]]:
    cols = np.ascontiguousarray(values.T)  # see _box
    return ([float(v) for v in cols.min(axis=1)], [float(v) for v in cols.max(axis=1)])


def _used(b: MeshBatch) -> MeshBatch:
    """``b`` without the vertices no primitive uses (those of buildings cleared for
    pavilions, id -1: the validator counts unused vertices and -1 is no table row)."""
    used = np.unique(b.indices)
    remap = np.full(b.vertex_count, -1, np.int64)
    remap[used] = np.arange(len(used))
    return MeshBatch(b.material, b.positions[used], b.normals[used], b.colors[used],
                     remap[b.indices].astype(np.uint32), b.feature_ids[used], b.tile,
                     b.draw_order)


def numbered(values: np.ndarray, size: int, dense: bool | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of integers in ``[0, size)``: marked in a
    table of ``size`` flags, no sort, when that table is not much bigger than ``values``
    (``dense`` None: decided so), else by numpy's sort."""
    if dense is None:
        dense = size <= 8 * len(values) + 4096
    if not dense:
        unique, inverse = np.unique(values, return_inverse=True)
        return unique, inverse.reshape(-1)
    mark = np.zeros(size, bool)
    mark[values] = True
    return np.flatnonzero(mark), (np.cumsum(mark) - 1)[values]


Piece = tuple[np.ndarray | None, np.ndarray, np.ndarray, list[float], list[float]]


def _cells(positions: np.ndarray, indices: np.ndarray, lo: list[float], hi: list[float]
           ) -> list[Piece]:
    """A mesh (with its box) as it is if it fits the 1 cm grid, else cut into the fewest
    equal square cells no wider than ``CELL`` metres by where each primitive's first corner
    lies (a vertex shared across a cut is written in both). A mesh of few vertices stays
    whole (in floats): a node's JSON, about a kilobyte, would cost more than its 4 bytes a
    vertex save. Each piece: the mesh's vertices it takes (None: all), their positions,
    its indices into them and its box."""
    whole: list[Piece] = [(None, positions, indices, lo, hi)]
    if max(h - a for a, h in zip(lo, hi, strict=True)) / 2 / STEP <= 32000 \
            or not len(indices):
        return whole
    low, span = np.array(lo[:2]), np.array(hi[:2]) - np.array(lo[:2])
    counts = np.maximum(np.ceil(span / CELL), 1)
    n = len(positions)
    if n * 4 < NODE_JSON * int(counts.prod()):
        return whole
    corner = positions[indices[:, 0], :2].astype(np.float64)
    size = span / counts
    cell = np.minimum(np.floor((corner - low) / np.maximum(size, 1e-9)), counts - 1)
    key = cell[:, 0].astype(np.int64) * int(counts[1]) + cell[:, 1].astype(np.int64)
    # The cells in use, numbered 0, 1, ... in key order (a count, not a sort).
    present = np.bincount(key, minlength=int(counts.prod())) > 0
    key = (np.cumsum(present) - 1)[key]
    cells = np.arange(int(present.sum()))
    # Every (cell, vertex) pair a primitive uses, numbered in one pass: a cell's vertices
    # are a run of the ascending pairs, its indices their places in the run. Marked in a
    # table of every pair when it is not much bigger than the pairs (no sort), else sorted.
    pairs = (key[:, None] * n + indices).reshape(-1)
    unique, inverse = numbered(pairs, len(cells) * n)
    starts = np.searchsorted(unique, cells * n)
    ends = np.append(starts[1:], len(unique))
    # Small keys sort by radix (numpy's stable sort of 16-bit integers): linear.
    order = np.argsort(key.astype(np.int16) if len(cells) < 32768 else key, kind="stable")
    bounds = np.append(np.searchsorted(key[order], cells), len(order)).tolist()
    local = inverse.reshape(indices.shape)
    out: list[Piece] = []
    for c, (a, z) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        used = unique[a:z] % n
        piece = positions[used]
        out.append((used, piece, local[order[bounds[c]:bounds[c + 1]]] - a, *_box(piece)))
    return out


_OFFSET_DTYPES = {"UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32,
                  "UINT64": np.uint64}


def offset_type(total: int) -> str:
    """The smallest ``stringOffsetType`` that holds offsets up to ``total`` bytes (the
    metadata spec allows all four: a column of short names needs no 4 bytes a row)."""
    for name, dtype in _OFFSET_DTYPES.items():
        if total <= np.iinfo(dtype).max:
            return name
    raise ValueError(f"{total} bytes of strings")


def utf8_column(values: list[str]) -> tuple[bytes, np.ndarray]:
    """``values`` as UTF-8 back to back and the byte offsets of each (one more than values).

    Encoded as one string, the byte offsets counted from the code points (1 to 4 bytes
    each), rather than a string at a time: 1.3 million calls for a 185,000-building city's
    columns. A lone surrogate (kept by the reader from a JSON escape) is no UTF-8: such a
    column is encoded value by value with "replace" (as "?"), so every string stays valid.
    """
    text = "".join(values)
    chars = np.zeros(len(values) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, values), np.int64, len(values)), out=chars[1:])
    if text.isascii():
        return text.encode("ascii"), chars
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        blobs = [v.encode("utf-8", "replace") for v in values]
        offsets = np.zeros(len(blobs) + 1, np.int64)
        np.cumsum(np.fromiter(map(len, blobs), np.int64, len(blobs)), out=offsets[1:])
        return b"".join(blobs), offsets
    points = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    width = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    ends = np.zeros(len(points) + 1, np.int64)
    np.cumsum(width, out=ends[1:])
    return data, ends[chars]
