"""MeshBatch -> Panda3D GeomNode, copying whole arrays through memoryviews (no per-vertex loop)."""

from __future__ import annotations

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
_FORMAT: GeomVertexFormat | None = None


def vertex_format() -> GeomVertexFormat:
    """The one interleaved format every batch uses: position, normal, RGBA8 colour."""
    global _FORMAT
    if _FORMAT is None:
        arr = GeomVertexArrayFormat()
        arr.add_column(InternalName.get_vertex(), 3, GeomEnums.NT_float32, GeomEnums.C_point)
        arr.add_column(InternalName.get_normal(), 3, GeomEnums.NT_float32, GeomEnums.C_normal)
        arr.add_column(InternalName.get_color(), 4, GeomEnums.NT_uint8, GeomEnums.C_color)
        assert arr.get_stride() == _VERTEX.itemsize
        _FORMAT = GeomVertexFormat.register_format(GeomVertexFormat(arr))
    return _FORMAT


def make_geom(batch: MeshBatch) -> Geom:
    """One Geom holding the whole batch, with 32-bit indices."""
    verts = np.empty(batch.vertex_count, _VERTEX)
    verts["pos"] = batch.positions
    verts["nrm"] = batch.normals
    verts["rgba"] = batch.colors
    vdata = GeomVertexData(batch.material, vertex_format(), Geom.UH_static)
    vdata.unclean_set_num_rows(batch.vertex_count)
    memoryview(vdata.modify_array(0)).cast("B")[:] = verts.tobytes()

    lines = batch.primitive == "lines"
    prim = GeomLines(Geom.UH_static) if lines else GeomTriangles(Geom.UH_static)
    prim.set_index_type(GeomEnums.NT_uint32)
    index_data = np.ascontiguousarray(batch.indices, dtype=np.uint32).reshape(-1)
    handle = prim.modify_vertices()
    handle.unclean_set_num_rows(len(index_data))
    memoryview(handle).cast("B")[:] = index_data.tobytes()
    geom = Geom(vdata)
    geom.add_primitive(prim)
    return geom


def make_geom_node(batch: MeshBatch, name: str | None = None) -> GeomNode:
    """A GeomNode named after the batch's material and tile."""
    node = GeomNode(name or f"{batch.material}-{batch.tile[0]}-{batch.tile[1]}")
    node.add_geom(make_geom(batch))
    return node
