"""Buildings as closed prisms: walls, roof and floor, flat-shaded, built for all parts at once."""

from __future__ import annotations

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch, concat
from gwangju_twin.mesh.triangulate import Triangulation, triangulate

#: Wall vertices at the foot are darkened by this factor: a cheap ambient-occlusion cue that
#: makes streets read at a glance without a shadow pass.
FOOT_SHADE = 0.72


def extrude(
    parts: np.ndarray,
    feature_ids: np.ndarray,
    bottom: np.ndarray,
    top: np.ndarray,
    wall_rgba: np.ndarray,
    roof_rgba: np.ndarray,
    material: str = "solid",
    floors: bool = True,
    walls: bool = True,
    wall_glow: np.ndarray | None = None,
) -> MeshBatch:
    """Extrude polygon parts (CCW shells, CW holes, metres) into one closed-prism batch.

    Per part: ``feature_ids`` (District row), ``bottom``/``top`` heights, and uint8 RGBA
    colours for walls and roofs. Every prism is watertight, with outward normals and
    counter-clockwise front faces; vertices are not shared between faces (flat shading).
    ``floors`` False leaves out the faces underneath (never seen from above the ground), and
    their vertices; ``walls`` False leaves out the walls (the far city's low blocks, whose
    walls are a pixel or two tall where they are drawn): roofs alone.
    ``wall_glow`` (uint8 per part, mesh/glow.py) is the walls' emissive byte: lit windows at
    night; roofs and floors never glow.
    """
    if len(parts) == 0:
        return MeshBatch.empty(material)
    tri = triangulate(parts)
    xy, part_of_v, tris = tri.xy, tri.part_of_vertex, tri.triangles
    # Every vertex a batch holds is fetched and shaded by a software renderer, used or not:
    # the floor's are only made when the floor is drawn.
    sides = 2 if floors else 1
    n = len(xy)
    cap_pos = np.empty((sides * n, 3), np.float32)
    cap_pos[:, :2] = np.tile(xy, (sides, 1))
    cap_pos[:n, 2] = top[part_of_v]
    cap_nrm = np.zeros((sides * n, 3), np.float32)
    cap_nrm[:n, 2] = 1.0
    cap_rgb = roof_rgba[part_of_v]
    cap_idx = tris
    if floors:
        cap_pos[n:, 2] = bottom[part_of_v]
        cap_nrm[n:, 2] = -1.0
        cap_rgb = np.concatenate([cap_rgb, wall_rgba[part_of_v]])
        cap_idx = np.concatenate([tris, tris[:, [0, 2, 1]] + n])  # the floor faces down
    caps = MeshBatch(
        material, cap_pos, cap_nrm, cap_rgb.astype(np.uint8), cap_idx.astype(np.uint32),
        np.tile(feature_ids[part_of_v], sides).astype(np.int32),
    )
    if not walls:
        return caps
    return concat(material, [_walls(tri, feature_ids, bottom, top, wall_rgba, wall_glow), caps])


def _walls(
    tri: Triangulation,
    feature_ids: np.ndarray,
    bottom: np.ndarray,
    top: np.ndarray,
    wall_rgba: np.ndarray,
    wall_glow: np.ndarray | None,
) -> MeshBatch:
    # Edge i runs from vertex i to the next vertex of the same ring (wrapping around).
    xy, part_of_v, ring_of_v = tri.xy, tri.part_of_vertex, tri.ring_of_vertex
    ring_len = tri.ring_len
    ring_start = np.cumsum(ring_len) - ring_len
    idx = np.arange(len(xy))
    nxt = ring_start[ring_of_v] + (idx - ring_start[ring_of_v] + 1) % ring_len[ring_of_v]
    a, b = xy, xy[nxt]
    d = b - a
    length = np.hypot(d[:, 0], d[:, 1])
    ok = length > 1e-9
    a, b, d, length, part = a[ok], b[ok], d[ok], length[ok], part_of_v[ok]
    m = len(a)
    z0, z1 = bottom[part], top[part]
    pos = np.empty((m, 4, 3), np.float32)
    pos[:, 0, :2], pos[:, 0, 2] = a, z0
    pos[:, 1, :2], pos[:, 1, 2] = b, z0
    pos[:, 2, :2], pos[:, 2, 2] = b, z1
    pos[:, 3, :2], pos[:, 3, 2] = a, z1
    # With the polygon on the left of each edge, outward is to the right: (dy, -dx).
    nrm = np.zeros((m, 4, 3), np.float32)
    nrm[:, :, 0] = (d[:, 1] / length)[:, None]
    nrm[:, :, 1] = (-d[:, 0] / length)[:, None]
    rgba = np.repeat(wall_rgba[part][:, None, :], 4, axis=1).astype(np.float32)
    rgba[:, :2, :3] *= FOOT_SHADE
    base = (np.arange(m, dtype=np.uint32) * 4)[:, None]
    quads = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)
    idx_out = (base[:, None, :] + quads[None, :, :]).reshape(-1, 3)
    glow = (np.zeros(4 * m, np.uint8) if wall_glow is None
            else np.repeat(np.asarray(wall_glow, np.uint8)[part], 4))
    return MeshBatch(
        "solid",
        pos.reshape(-1, 3),
        nrm.reshape(-1, 3),
        rgba.reshape(-1, 4).astype(np.uint8),
        idx_out,
        np.repeat(feature_ids[part], 4).astype(np.int32),
        emissive=glow,
    )
