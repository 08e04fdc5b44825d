"""Flat layers: polygons laid on the ground at a fixed height, and outlines as line batches."""

from __future__ import annotations

import numpy as np
import shapely

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.triangulate import triangulate

#: Longest boundary edge of a flat polygon, metres.
MAX_EDGE = 120.0


def flat_polygons(
    parts: np.ndarray,
    feature_ids: np.ndarray,
    z: np.ndarray | float,
    rgba: np.ndarray,
    material: str,
) -> MeshBatch:
    """Polygon parts (holes kept) as upward-facing triangles at height ``z`` (one for all,
    or one per part)."""
    if len(parts) == 0:
        return MeshBatch.empty(material)
    # Extra boundary vertices keep long roads and big parks from being a few huge triangles,
    # whose per-vertex lighting and haze would then be wrong in the middle.
    parts = shapely.segmentize(parts, MAX_EDGE)
    tri = triangulate(parts)
    xy, part_of_v, tris = tri.xy, tri.part_of_vertex, tri.triangles
    pos = np.empty((len(xy), 3), np.float32)
    pos[:, :2] = xy
    pos[:, 2] = np.broadcast_to(np.asarray(z, np.float64), (len(parts),))[part_of_v]
    nrm = np.zeros((len(xy), 3), np.float32)
    nrm[:, 2] = 1.0
    return MeshBatch(
        material, pos, nrm, rgba[part_of_v].astype(np.uint8), tris.astype(np.uint32),
        feature_ids[part_of_v].astype(np.int32),
    )


def ribbons(lines: np.ndarray, widths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line features buffered into ribbon polygons of the given full widths.

    Returns ``(polygon_parts, index_of_line)``. Flat caps keep road ends square; round joins
    with two segments per quarter keep bends smooth without many vertices.
    """
    if len(lines) == 0:
        return np.zeros(0, object), np.zeros(0, np.int64)
    areas = shapely.buffer(lines, widths / 2.0, quad_segs=2, cap_style="flat", join_style="round")
    parts, owner = shapely.get_parts(areas, return_index=True)
    keep = shapely.get_type_id(parts) == 3
    parts, owner = parts[keep], owner[keep]
    return shapely.orient_polygons(parts, exterior_cw=False), owner


def outlines(
    geoms: np.ndarray, feature_ids: np.ndarray, z: float, rgba: np.ndarray
) -> MeshBatch:
    """Boundaries of polygons and lines themselves as a line batch at height ``z``."""
    if len(geoms) == 0:
        return MeshBatch.empty("lines", 2)
    bounds = shapely.boundary(geoms)
    is_line = np.isin(shapely.get_type_id(geoms), (1, 5))
    bounds[is_line] = geoms[is_line]
    parts, owner = shapely.get_parts(bounds, return_index=True)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    seg = np.flatnonzero(part_of[1:] == part_of[:-1])
    pos = np.empty((len(coords), 3), np.float32)
    pos[:, :2] = coords
    pos[:, 2] = z
    nrm = np.zeros_like(pos)
    nrm[:, 2] = 1.0
    fid = feature_ids[owner[part_of]]
    return MeshBatch(
        "lines", pos, nrm, rgba[owner[part_of]].astype(np.uint8),
        np.column_stack([seg, seg + 1]).astype(np.uint32), fid.astype(np.int32),
    )
