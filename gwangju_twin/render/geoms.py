"""MeshBatch -> Panda3D GeomNode, copying whole arrays through memoryviews (no per-vertex loop)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from panda3d.core import (
    Geom,
    GeomEnums,
    GeomLines,
    GeomNode,
    GeomTriangles,
    GeomVertexArrayFormat,
    GeomVertexData,
    GeomVertexFormat,
    InternalName,
)

from gwangju_twin.mesh.batch import MeshBatch

_VERTEX = np.dtype([("pos", np.float32, 3), ("nrm", np.float32, 3), ("rgba", np.uint8, 4)])
#: The numpy layout of one vertex of ``vertex_format``'s first array (to rewrite a Geom's
#: vertices whole).
VERTEX_DTYPE = _VERTEX
#: The vertex column the shader reads a vertex's night light from (mesh/glow.py's byte).
EMISSIVE = "emissive"
_FORMAT: GeomVertexFormat | None = None


def vertex_format() -> GeomVertexFormat:
    """The one format every batch uses: position, normal and RGBA8 colour interleaved in
    array 0, and in array 1 the emissive byte alone.

    The byte has an array of its own because in array 0 it would be padded to four (Panda3D
    aligns the stride to the float columns: 28 -> 32 bytes a vertex); apart, it costs one
    byte a vertex. The fixed-function pipeline ignores it."""
    global _FORMAT
    if _FORMAT is None:
        arr = GeomVertexArrayFormat()
        arr.add_column(InternalName.get_vertex(), 3, GeomEnums.NT_float32, GeomEnums.C_point)
        arr.add_column(InternalName.get_normal(), 3, GeomEnums.NT_float32, GeomEnums.C_normal)
        arr.add_column(InternalName.get_color(), 4, GeomEnums.NT_uint8, GeomEnums.C_color)
        assert arr.get_stride() == _VERTEX.itemsize
        glow = GeomVertexArrayFormat()
        # Aligned to one byte: Panda3D's default alignment (4) would pad the stride to 4.
        glow.add_column(InternalName.make(EMISSIVE), 1, GeomEnums.NT_uint8, GeomEnums.C_other,
                        0, 1)
        assert glow.get_stride() == 1
        fmt = GeomVertexFormat(arr)
        fmt.add_array(glow)
        _FORMAT = GeomVertexFormat.register_format(fmt)
    return _FORMAT


@dataclass(frozen=True)
class Packed:
    """A batch's arrays as the bytes its Geom takes: interleaved vertices (``vertex_format``'s
    array 0), the emissive bytes (its array 1) and 32-bit indices. Made with numpy alone, so
    a loader thread can make them; only
    ``geom_of`` touches Panda3D (not safe beside a frame being rendered in another thread:
    Geoms made in a second thread crashed the renderer, see render/streaming.py)."""

    material: str
    vertices: bytes
    emissive: bytes
    rows: int
    indices: bytes
    index_count: int
    lines: bool


def pack(batch: MeshBatch) -> Packed:
    """The bytes of ``batch``'s Geom."""
    verts = np.empty(batch.vertex_count, _VERTEX)
    verts["pos"] = batch.positions
    verts["nrm"] = batch.normals
    verts["rgba"] = batch.colors
    index_data = np.ascontiguousarray(batch.indices, dtype=np.uint32).reshape(-1)
    return Packed(batch.material, verts.tobytes(),
                  np.ascontiguousarray(batch.emissive, np.uint8).tobytes(), batch.vertex_count,
                  index_data.tobytes(), len(index_data), batch.primitive == "lines")


def geom_of(packed: Packed) -> Geom:
    """One Geom holding a packed batch, with 32-bit indices."""
    vdata = GeomVertexData(packed.material, vertex_format(), Geom.UH_static)
    vdata.unclean_set_num_rows(packed.rows)
    memoryview(vdata.modify_array(0)).cast("B")[:] = packed.vertices
    memoryview(vdata.modify_array(1)).cast("B")[:] = packed.emissive

    prim = GeomLines(Geom.UH_static) if packed.lines else GeomTriangles(Geom.UH_static)
    prim.set_index_type(GeomEnums.NT_uint32)
    handle = prim.modify_vertices()
    handle.unclean_set_num_rows(packed.index_count)
    memoryview(handle).cast("B")[:] = packed.indices
    geom = Geom(vdata)
    geom.add_primitive(prim)
    return geom


def make_geom(batch: MeshBatch) -> Geom:
    """One Geom holding the whole batch, with 32-bit indices."""
    return geom_of(pack(batch))


def make_geom_node(batch: MeshBatch, name: str | None = None,
                   packed: Packed | None = None) -> GeomNode:
    """A GeomNode named after the batch's material and tile (``packed``: the batch's bytes
    if they were made already)."""
    node = GeomNode(name or f"{batch.material}-{batch.tile[0]}-{batch.tile[1]}")
    node.add_geom(geom_of(packed if packed is not None else pack(batch)))
    return node
