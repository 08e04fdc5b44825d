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
import math
import struct
from collections.abc import Sequence
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
#: The metadata spec wants property values at offsets that are multiples of 8.
ALIGN = 8
#: The largest feature id a float32 attribute holds exactly (2^24).
MAX_FEATURES = 1 << 24
SHORT, BYTE = 5122, 5120
#: The grid quantised positions snap to (metres): a tile whose vertices all lie within
#: 32,767 steps of its centre (327 m) is written as 16-bit integers on it.
STEP = 0.01


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
class _Piece:
    """A mesh, or a cell of one, as a node writes it."""

    label: str
    material: str
    lines: bool
    indices: np.ndarray  # into its own vertices
    lo: list[float]  # its box (local frame)
    hi: list[float]
    center: list[float]  # its node's translation (local frame)
    step: float | None  # its grid (None: float32 positions)
    extras: dict[str, Any] | None
    rows: np.ndarray  # its vertices, rows of the concatenated meshes of its type
    raw: np.ndarray | None = None  # its vertices' interleaved bytes (uint32 words)
    bounds: tuple[list[Any], list[Any]] | None = None  # float positions' range


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
    #: The binary chunk's pieces: bytes, or views of arrays' memory (not copied first).
    _chunks: list[bytes | memoryview] = field(default_factory=list)
    _size: int = 0
    _views: list[dict[str, Any]] = field(default_factory=list)
    _accessors: list[dict[str, Any]] = field(default_factory=list)
    _meshes: list[dict[str, Any]] = field(default_factory=list)
    _nodes: list[dict[str, Any]] = field(default_factory=list)
    _materials: dict[str, int] = field(default_factory=dict)

    def _view(self, data: bytes | memoryview, target: int | None = None,
              stride: int | None = None) -> int:
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
        view = self._view(_bytes_of(array), target,
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
        self.add_nodes([(name, batches, extras)])

    def add_nodes(self, nodes: Sequence[tuple[str, list[MeshBatch], dict[str, Any] | None]]
                  ) -> None:
        """``add_node`` of each (name, batches, extras) in turn, the same file, with the
        work on vertices done over all their meshes at once: a city's tiles are many small
        arrays (Sangmu: 95 meshes of 900 vertices on average), and numpy calls on each cost
        more than the work they do."""
        meshes: list[tuple[str, MeshBatch, dict[str, Any] | None]] = []
        for name, batches, extras in nodes:
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
                meshes.append((label, merged, extras))
        pieces: list[list[_Piece]] = [[] for _ in meshes]
        for lines in (False, True):  # lines have no normals: a layout of their own
            chosen = [i for i, (_, m, _) in enumerate(meshes)
                      if (m.primitive == "lines") == lines]
            if chosen:
                self._pieces([meshes[i] for i in chosen], [pieces[i] for i in chosen])
        for mesh in pieces:
            for piece in mesh:
                self._add_piece(piece)

    def _pieces(self, meshes: list[tuple[str, MeshBatch, dict[str, Any] | None]],
                out: list[list[_Piece]]) -> None:
        """The pieces of ``meshes`` (of one primitive type) as written, in ``out``: their
        nodes (cut into cells where they do not fit the grid), centres, grids and their
        vertices' interleaved bytes."""
        kind = [m for _, m, _ in meshes]
        sizes = [m.vertex_count for m in kind]
        starts = np.cumsum([0, *sizes[:-1]])
        # The boxes of the meshes over the positions column-major (concatenated so, in one
        # copy): numpy reduces an (n, 3) array along axis 0 three values at a time, 20 to
        # 40 times slower than along rows.
        cols = np.concatenate([m.positions.T for m in kind], axis=1)
        lows = np.minimum.reduceat(cols, starts, axis=1).T.tolist()
        highs = np.maximum.reduceat(cols, starts, axis=1).T.tolist()
        every: list[_Piece] = []
        # Each mesh whole, or cut into cells where it does not fit the grid: the cut ones
        # all at once (a numpy call on each mesh cost more than the work it does).
        grids = [_grid(m.vertex_count, m.primitive_count, lo, hi) if self.quantize else None
                 for m, lo, hi in zip(kind, lows, highs, strict=True)]
        cut = [j for j, g in enumerate(grids) if g is not None]
        cells = iter(_cells(cols, [starts[j] for j in cut], [kind[j].indices for j in cut],
                            [lows[j] for j in cut], [highs[j] for j in cut],
                            [g for g in grids if g is not None]) if cut else [])
        for (label, m, extras), first, lo, hi, grid, mine in zip(
                meshes, starts.tolist(), lows, highs, grids, out, strict=True):
            whole = (np.arange(first, first + m.vertex_count), m.indices, lo, hi)
            parts = [whole] if grid is None else next(cells)
            for k, (rows, indices, plo, phi) in enumerate(parts):
                # The centre: a round number for people. numpy's round to 2 decimals
                # (times 100, to the nearest even integer, divided) on three Python
                # floats; round(x, 0), not round(x), keeps the sign of a zero (-0.0).
                c = [round((a + b) / 2 * 100.0, 0) / 100.0
                     for a, b in zip(plo, phi, strict=True)]
                reach = max(max(h - v, v - a) for a, h, v in zip(plo, phi, c, strict=True))
                # A uniform scale: a non-uniform one would bend the normals.
                step = STEP if self.quantize and reach / STEP <= 32767 else None
                piece = _Piece(label if len(parts) == 1 else f"{label}/c{k}", m.material,
                               m.primitive == "lines", indices, plo, phi, c, step, extras,
                               rows)
                mine.append(piece)
                every.append(piece)
        words = self._words(np.concatenate([m.normals.T for m in kind], axis=1),
                            np.concatenate([m.colors for m in kind]),
                            np.concatenate([m.feature_ids for m in kind]),
                            kind[0].primitive == "lines")
        self._fill([p for p in every if p.step is not None], cols, words, True)
        self._fill([p for p in every if p.step is None], cols, words, False)

    def _words(self, normals: np.ndarray, colors: np.ndarray, ids: np.ndarray, lines: bool
               ) -> list[np.ndarray]:
        """Each vertex's 4-byte words after its position in the interleaved layout, a
        uint32 array each: normal (one word quantised, three floats else; not for lines),
        colour, feature id. A column at a time: numpy is ten times slower on rows of
        three values (broadcasts, writes into a wider array) than on whole columns.
        ``normals``: column-major, (3, n)."""
        words: list[np.ndarray] = []
        if not lines:
            normals = normals.astype(np.float32, copy=False)
            # glTF's axes (x, z, -y): z is negated when it is divided by the length. The
            # length summed in that order, in float32, as np.einsum("ij,ij->i") sums a row
            # ((-y)² is y²), through two arrays (out=): fresh arrays of a city's vertices
            # cost more in memory the system hands over than in the sums.
            x, y, z = normals[0], normals[2], normals[1]
            length, t = x * x, y * y
            length += t
            length += np.multiply(z, z, out=t)
            np.sqrt(length, out=length)
            bad = ~(length > 1e-6)
            flip = -1.0
            if bad.any():  # a degenerate face's normal: up
                x, y, z = np.where(bad, 0, x), np.where(bad, 1, y), np.where(bad, 0, -z)
                flip = 1.0  # z negated already
                length[bad] = 1
            if self.quantize:
                word = np.zeros(len(colors), np.uint32)
                signed = word.view(np.int8).reshape(-1, 4)
                for k, (v, sign) in enumerate(((x, 1.0), (y, 1.0), (z, flip))):
                    np.divide(v, length, out=t)
                    if sign < 0:
                        np.negative(t, out=t)  # -(a / b) is (-a) / b, exactly
                    t *= 127
                    signed[:, k] = np.rint(t, out=t)
                words.append(word)
            else:
                words += [(x / length).view(np.uint32), (y / length).view(np.uint32),
                          (flip * z / length).astype(np.float32).view(np.uint32)]
        words.append(np.ascontiguousarray(colors, np.uint8).view(np.uint32)[:, 0])
        if self.table is not None and len(self.table) > 0:
            # 16-bit ids where the table allows (an attribute takes 4 bytes either way, but
            # an integer id is what EXT_mesh_features prefers), else floats: glTF allows no
            # 32-bit integer vertex attribute, and a float holds every id below 2^24.
            if self._short_ids():
                word = np.zeros(len(ids), np.uint32)
                word.view(np.uint16).reshape(-1, 2)[:, 0] = ids
                words.append(word)
            else:
                words.append(ids.astype(np.float32).view(np.uint32))
        return words

    def _fill(self, pieces: list[_Piece], cols: np.ndarray, words: list[np.ndarray],
              quantised: bool) -> None:
        """The interleaved vertex bytes of ``pieces`` (all on the grid, or all in floats),
        made in one array and handed out a run of rows each: the position relative to
        the piece's centre (three 16-bit steps and 2 bytes of padding, or three floats),
        then ``words``. ``cols``: the positions of the vertices the pieces' rows name,
        column-major."""
        if not pieces:
            return
        counts = [len(p.rows) for p in pieces]
        rows = np.concatenate([p.rows for p in pieces])
        width = 2 if quantised else 3
        raw = np.empty((len(rows), width + len(words)), np.uint32)
        ends = np.cumsum(np.array(counts, np.int64))
        starts = ends - counts
        # glTF's axes (x, z, -y) less the piece's centre, in float64 as each vertex always
        # was, one axis at a time through the same few arrays (out=): a fresh array of a
        # city's vertices costs more in memory the system hands over than in the sum.
        # (np.take into an array given: mode="clip", the rows being in range, as numpy's
        # default mode copies through a buffer, ten times slower.)
        centre = np.array([p.center for p in pieces]).T.copy()
        coordinate, at = np.empty(len(rows), np.float32), np.empty(len(rows))
        grid, flt = raw.view(np.int16), raw.view(np.float32)
        for k, (axis, scale) in enumerate(((0, STEP), (2, STEP), (1, -STEP))):
            np.take(cols[axis], rows, out=coordinate, mode="clip")
            np.subtract(coordinate, np.repeat(centre[axis], counts), out=at)
            if quantised:
                at /= scale
                grid[:, k] = np.rint(at, out=at)
            else:
                flt[:, k] = at if scale > 0 else np.negative(at, out=at)
        if quantised:
            grid[:, 3] = 0
        else:
            low = [np.minimum.reduceat(flt[:, k], starts).tolist() for k in range(3)]
            high = [np.maximum.reduceat(flt[:, k], starts).tolist() for k in range(3)]
            for i, p in enumerate(pieces):
                p.bounds = ([v[i] for v in low], [v[i] for v in high])
        for k, word in enumerate(words):
            np.take(word, rows, out=raw[:, width + k], mode="clip")
        for p, a, b in zip(pieces, starts.tolist(), ends.tolist(), strict=True):
            p.raw = raw[a:b]

    def _short_ids(self) -> bool:
        return len(self.table or ()) <= 65536

    def _add_piece(self, p: _Piece) -> None:
        prim = self._primitive(p)
        self._meshes.append({"name": p.label, "primitives": [prim]})
        c = p.center
        node: dict[str, Any] = {"name": p.label, "mesh": len(self._meshes) - 1,
                                "translation": [c[0], c[2], -c[1]]}
        if p.step is not None:
            node["scale"] = [p.step, p.step, p.step]
        if p.extras:
            node["extras"] = p.extras
        self._nodes.append(node)
        self.stats.nodes += 1

    def _primitive(self, p: _Piece) -> dict[str, Any]:
        """One primitive, its vertex attributes interleaved in one buffer view (a view
        each cost a city GLB 50 bytes of JSON per attribute and node, and the padding)."""
        assert p.raw is not None
        n = len(p.raw)
        table = self.table is not None and len(self.table) > 0
        bounds: tuple[list[Any], list[Any]]
        lo, hi, center, step = p.lo, p.hi, p.center, p.step
        if step is not None:
            # The grid's range from the box's corners, by the same arithmetic as each
            # vertex (rounding keeps order): no pass over the vertices. As integers: they
            # are grid steps ("-25029", not "-25029.0").
            ends = [(round((lo[0] - center[0]) / step), round((hi[0] - center[0]) / step)),
                    (round((lo[2] - center[2]) / step), round((hi[2] - center[2]) / step)),
                    (round((lo[1] - center[1]) * -1 / step),
                     round((hi[1] - center[1]) * -1 / step))]
            bounds = ([min(e) for e in ends], [max(e) for e in ends])
            position, at = SHORT, 8
            self._quantized = True
        else:
            assert p.bounds is not None
            bounds = p.bounds
            position, at = FLOAT, 12
        fields: list[tuple[str, int, int, str, bool]] = [  # name, offset, type, kind, norm
            ("POSITION", 0, position, "VEC3", False)]
        if not p.lines:
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
        view = self._view(_bytes_of(p.raw), ARRAY_BUFFER, p.raw.shape[1] * 4)
        attrs: dict[str, int] = {}
        for name, offset, component, kind, norm in fields:
            attrs[name] = self._add_accessor(view, offset, component, kind, n,
                                             bounds if name == "POSITION" else None, norm)
        small = n <= 65535
        idx = self._accessor(p.indices.reshape(-1).astype(np.uint16 if small else np.uint32),
                             UNSIGNED_SHORT if small else UNSIGNED_INT, "SCALAR",
                             ELEMENT_ARRAY_BUFFER)
        prim: dict[str, Any] = {"attributes": attrs, "indices": idx,
                                "material": self._material(p.material)}
        if p.lines:
            prim["mode"] = LINES  # triangles are the default mode
        if table:
            prim["extensions"] = {"EXT_mesh_features": {"featureIds": [{
                "featureCount": len(self.table or ()), "attribute": 0, "propertyTable": 0}]}}
        if p.lines:
            self.stats.lines += len(p.indices)
        else:
            self.stats.triangles += len(p.indices)
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

    def parts(self) -> list[bytes | memoryview]:
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
        parts: list[bytes | memoryview] = [struct.pack("<II", len(text), 0x4E4F534A), text]
        if binary:
            parts += [struct.pack("<II", binary, 0x004E4942), *self._chunks, tail]
        total = 12 + sum(len(p) for p in parts)
        return [struct.pack("<III", 0x46546C67, 2, total), *parts]


def _bytes_of(array: np.ndarray) -> bytes | memoryview:
    """The bytes of ``array`` (C order) without copying them when it is contiguous: a city's
    vertices are written once, from where they were made."""
    if not array.size:
        return b""  # (a memoryview of nothing cannot be cast to bytes)
    return memoryview(np.ascontiguousarray(array).data).cast("B")


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
    unique = np.flatnonzero(mark)
    # Each value's place among the marks, set where a value is (numpy's cumsum of flags
    # casts them one by one: several times slower); the rest is never read. In 32 bits
    # where they fit: half the memory to fetch (a quarter of the time, measured).
    place = np.empty(size, np.int32 if len(unique) < 2**31 else np.int64)
    place[unique] = np.arange(len(unique), dtype=place.dtype)
    return unique, place[values]


def _grid(vertices: int, primitives: int, lo: list[float], hi: list[float]
          ) -> tuple[float, float] | None:
    """How many cells (east, north) a mesh is cut into, or None: written as it is. It is
    cut if it does not fit the 1 cm grid, into the fewest equal square cells no wider than
    ``CELL`` metres, unless it has so few vertices that it stays whole (in floats): a
    node's JSON, about a kilobyte, would cost more than its 4 bytes a vertex save."""
    if max(h - a for a, h in zip(lo, hi, strict=True)) / 2 / STEP <= 32000 or not primitives:
        return None
    counts = (max(math.ceil((hi[0] - lo[0]) / CELL), 1), max(math.ceil((hi[1] - lo[1]) / CELL), 1))
    if vertices * 4 < NODE_JSON * counts[0] * counts[1]:
        return None
    return float(counts[0]), float(counts[1])


#: A cell of a cut mesh: its vertices (rows of the column-major positions), its indices
#: into them, and its box.
_Cell = tuple[np.ndarray, np.ndarray, list[float], list[float]]


def _cells(cols: np.ndarray, firsts: list[int], indices: list[np.ndarray],
           lows: list[list[float]], highs: list[list[float]],
           grids: list[tuple[float, float]]) -> list[list[_Cell]]:
    """Meshes cut into cells (``_grid``) by where each primitive's first corner lies (a
    vertex shared across a cut is written in both), all at once: for each mesh its cells
    in order, each as its vertices (rows of ``cols``, the column-major positions the
    meshes' vertices start at ``firsts`` of), its indices into them and its box."""
    prims = [len(i) for i in indices]
    # Every mesh's primitives' first corners, with the origin, size and count of its cells.
    corner = np.concatenate([first + i[:, 0] for first, i in zip(firsts, indices,
                                                                 strict=True)])
    nx = np.array([g[0] for g in grids])
    ny = np.array([g[1] for g in grids])
    sx = [max((h[0] - lo[0]) / g[0], 1e-9) for lo, h, g in zip(lows, highs, grids, strict=True)]
    sy = [max((h[1] - lo[1]) / g[1], 1e-9) for lo, h, g in zip(lows, highs, grids, strict=True)]
    x = np.floor((np.take(cols[0], corner).astype(np.float64)
                  - np.repeat([lo[0] for lo in lows], prims)) / np.repeat(sx, prims))
    y = np.floor((np.take(cols[1], corner).astype(np.float64)
                  - np.repeat([lo[1] for lo in lows], prims)) / np.repeat(sy, prims))
    x = np.minimum(x, np.repeat(nx - 1, prims))
    y = np.minimum(y, np.repeat(ny - 1, prims))
    # Cells numbered through all the meshes (each mesh's after the one before's).
    total = (nx * ny).astype(np.int64)
    key = (x.astype(np.int64) * np.repeat(ny.astype(np.int64), prims) + y.astype(np.int64)
           + np.repeat(np.cumsum(total) - total, prims))
    # The cells in use, numbered 0, 1, ... in key order (a count, not a sort).
    present = np.bincount(key, minlength=int(total.sum())) > 0
    key = (np.cumsum(present) - 1)[key]
    used = np.add.reduceat(present, np.cumsum(total) - total).tolist()  # cells of each mesh
    count = sum(used)
    cells = np.arange(count)
    # Every (cell, vertex) pair a primitive uses, numbered in one pass: a cell's vertices
    # are a run of the ascending pairs, its indices their places in the run. Marked in a
    # table of every pair when it is not much bigger than the pairs (no sort), else sorted.
    # A pair is the place of its cell's run of the mesh's vertices (one run per cell of
    # each mesh, back to back) plus the vertex: a table as long as the cells' vertices.
    owner = np.repeat(np.arange(len(indices)), used)
    vertices = np.array([int(i.max()) + 1 for i in indices])[owner]  # of each cell's mesh
    base = np.cumsum(vertices) - vertices
    local = np.concatenate(indices).astype(np.int64)
    unique, inverse = numbered((base[key][:, None] + local).reshape(-1), int(vertices.sum()))
    starts = np.searchsorted(unique, base)
    ends = np.append(starts[1:], len(unique))
    # The rows of the cells' vertices in ``cols``, and the cells' boxes.
    run = np.repeat(cells, ends - starts)
    rows = unique - base[run] + np.array(firsts)[owner][run]
    corners = np.take(cols, rows, axis=1)
    low = np.minimum.reduceat(corners, starts, axis=1).T.tolist()
    high = np.maximum.reduceat(corners, starts, axis=1).T.tolist()
    # Small keys sort by radix (numpy's stable sort of 16-bit integers): linear.
    order = np.argsort(key.astype(np.int16) if count < 32768 else key, kind="stable")
    bounds = np.append(np.searchsorted(key[order], cells), len(order)).tolist()
    # Every primitive's indices into its cell's run, the cells' primitives back to back.
    local = inverse.reshape(len(local), -1)[order] - starts[key[order]][:, None]
    out: list[list[_Cell]] = []
    c = 0
    for n in used:
        out.append([(rows[a:z], local[b:e], low[k], high[k]) for k, a, z, b, e in zip(
            range(c, c + n), starts[c:c + n].tolist(), ends[c:c + n].tolist(),
            bounds[c:c + n], bounds[c + 1:c + n + 1], strict=True)])
        c += n
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
