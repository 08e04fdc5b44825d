"""Spatial tiles: split a batch so each tile is one Geom the renderer can frustum-cull."""

from __future__ import annotations

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch


def tile_of(points: np.ndarray, bounds: tuple[float, float, float, float], n: int) -> np.ndarray:
    """(col, row) tile numbers as one int per point for an ``n`` x ``n`` grid over bounds."""
    x0, y0, x1, y1 = bounds
    cx = np.clip(((points[:, 0] - x0) / max(x1 - x0, 1e-9) * n).astype(np.int64), 0, n - 1)
    cy = np.clip(((points[:, 1] - y0) / max(y1 - y0, 1e-9) * n).astype(np.int64), 0, n - 1)
    return cy * n + cx


def split_by_tile(batch: MeshBatch, feature_tile: np.ndarray, n: int) -> list[MeshBatch]:
    """Split ``batch`` into one batch per non-empty tile; a feature never straddles tiles.

    ``feature_tile[i]`` is the tile of District row ``i``. Vertices and primitives keep
    their relative order inside each tile (the painter's order of flat layers relies on it).
    """
    if batch.vertex_count == 0:
        return []
    vtile = feature_tile[batch.feature_ids]
    order = np.argsort(vtile, kind="stable")
    new_index = np.empty_like(order)
    new_index[order] = np.arange(len(order))
    ptile = vtile[batch.indices[:, 0]]
    porder = np.argsort(ptile, kind="stable")
    indices = new_index[batch.indices[porder]]
    ptile = ptile[porder]
    vtile_sorted = vtile[order]
    out = []
    for t in np.unique(vtile_sorted):
        v0, v1 = np.searchsorted(vtile_sorted, [t, t + 1])
        p0, p1 = np.searchsorted(ptile, [t, t + 1])
        out.append(
            MeshBatch(
                batch.material,
                batch.positions[order[v0:v1]],
                batch.normals[order[v0:v1]],
                batch.colors[order[v0:v1]],
                (indices[p0:p1] - v0).astype(np.uint32),
                batch.feature_ids[order[v0:v1]],
                (int(t % n), int(t // n)),
                batch.draw_order,
                batch.emissive[order[v0:v1]],
            )
        )
    return out
