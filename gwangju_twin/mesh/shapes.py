"""A small kit of low-poly primitives for procedural architecture (pure numpy).

Every primitive returns a flat-shaded triangle soup: each triangle owns its three vertices and
its normal is its own face normal. A piece can therefore be moved, tilted or mirrored with one
affine matrix (``transform``) and stays correctly lit, and no vertex is ever shared between two
faces. Coordinates are metres with z up; faces wind counter-clockwise seen from outside. Colours
are uint8 RGBA; ``feature_ids`` are 0 until the caller stamps its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import mapbox_earcut
import numpy as np
import shapely
from numpy.typing import ArrayLike

from gwangju_twin.mesh.batch import MeshBatch

Color = Sequence[int] | np.ndarray
MATERIAL = "pavilion"


def soup(tris: np.ndarray, colors: Color) -> MeshBatch:
    """A batch from triangles ``(m, 3, 3)`` (CCW seen from outside) and one RGBA colour, or one
    per triangle ``(m, 4)``. Zero-area triangles are dropped: cones and domes make them at
    their apex, and they would have no normal."""
    tris = np.asarray(tris, np.float64).reshape(-1, 3, 3)
    cols = np.broadcast_to(np.asarray(colors, np.uint8), (len(tris), 4))
    nrm = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    length = np.linalg.norm(nrm, axis=1)
    keep = length > 1e-9
    tris, cols, nrm = tris[keep], cols[keep], nrm[keep] / length[keep, None]
    m = len(tris)
    return MeshBatch(
        MATERIAL,
        tris.reshape(-1, 3).astype(np.float32),
        np.repeat(nrm, 3, axis=0).astype(np.float32),
        np.repeat(cols, 3, axis=0),
        np.arange(3 * m, dtype=np.uint32).reshape(-1, 3),
        np.zeros(3 * m, np.int32),
    )


def triangles(batch: MeshBatch) -> np.ndarray:
    """The batch's triangles as ``(m, 3, 3)`` float64 corner positions."""
    return batch.positions.astype(np.float64)[batch.indices]


def affine(
    translate: ArrayLike = (0.0, 0.0, 0.0),
    yaw: float = 0.0,
    pitch: float = 0.0,
    roll: float = 0.0,
    scale: ArrayLike = (1.0, 1.0, 1.0),
) -> np.ndarray:
    """A 4x4 matrix: scale, then roll about y, pitch about x, yaw about z (degrees,
    counter-clockwise looking down each axis), then translate."""
    cy, sy = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    cp, sp = math.cos(math.radians(pitch)), math.sin(math.radians(pitch))
    cr, sr = math.cos(math.radians(roll)), math.sin(math.radians(roll))
    rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    ry = np.array([[cr, 0, sr], [0, 1, 0], [-sr, 0, cr]])
    m = np.eye(4)
    m[:3, :3] = rz @ rx @ ry @ np.diag(np.asarray(scale, np.float64))
    m[:3, 3] = translate
    return m


def transform(batch: MeshBatch, m: np.ndarray) -> MeshBatch:
    """Apply an affine 4x4 matrix to a triangle-soup batch. A mirroring matrix also flips the
    winding, so faces keep pointing outwards; normals are recomputed from the faces."""
    tris = triangles(batch) @ m[:3, :3].T + m[:3, 3]
    if np.linalg.det(m[:3, :3]) < 0:
        tris = tris[:, ::-1]
    return soup(tris, batch.colors[batch.indices[:, 0]])


# Unit cube faces as (normal, t1, t2) with t1 x t2 = normal, so the corners
# c - t1 - t2, c + t1 - t2, c + t1 + t2, c - t1 + t2 run CCW seen from outside.
_FACES = np.array([
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [0, 1, 0], [1, 0, 0]],
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [0, 0, 1], [1, 0, 0]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
], np.float64) * 0.5
_QUAD = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64)
_CORNERS = _FACES[:, None, 0] + _QUAD[None, :, :1] * _FACES[:, None, 1] + (
    _QUAD[None, :, 1:] * _FACES[:, None, 2]
)  # (6 faces, 4 corners, 3)
_CUBE = _CORNERS[:, [[0, 1, 2], [0, 2, 3]]].reshape(12, 3, 3)


def boxes(ms: np.ndarray, color: Color, top: Color | None = None) -> MeshBatch:
    """Many boxes at once: the unit cube centred on the origin, mapped by each 4x4 matrix of
    ``ms`` ``(k, 4, 4)``. ``top`` colours the (local) +z face, e.g. a panel's glass."""
    ms = np.asarray(ms, np.float64).reshape(-1, 4, 4)
    tris = np.einsum("kij,tcj->ktci", ms[:, :3, :3], _CUBE) + ms[:, None, None, :3, 3]
    flip = np.linalg.det(ms[:, :3, :3]) < 0
    tris[flip] = tris[flip][:, :, ::-1]
    cols = np.tile(np.asarray(color, np.uint8), (len(ms), 12, 1))
    if top is not None:
        cols[:, :2] = np.asarray(top, np.uint8)
    return soup(tris.reshape(-1, 3, 3), cols.reshape(-1, 4))


def box(
    center: Sequence[float],
    size: Sequence[float],
    z0: float,
    z1: float,
    color: Color,
    yaw: float = 0.0,
    top: Color | None = None,
) -> MeshBatch:
    """An upright box on the footprint ``size`` (x, y) centred at ``center`` (x, y), turned by
    ``yaw`` degrees, from height ``z0`` to ``z1``."""
    m = affine((center[0], center[1], (z0 + z1) / 2), yaw=yaw, scale=(size[0], size[1], z1 - z0))
    return boxes(m[None], color, top)


def _rings(poly: np.ndarray | shapely.Polygon) -> list[np.ndarray]:
    """Exterior CCW then holes CW, without closing repeats. A plain ring keeps its vertex
    order when it is already CCW, so per-edge colours still line up."""
    if not isinstance(poly, shapely.Polygon):
        xy = np.asarray(poly, np.float64)
        x, y = xy[:, 0], xy[:, 1]
        area2 = np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)
        if area2 < 0:
            raise ValueError("a ring given as an array must be counter-clockwise")
        return [xy]
    poly = shapely.orient_polygons(poly)
    rings = [poly.exterior, *poly.interiors]
    return [np.asarray(r.coords, np.float64)[:-1, :2] for r in rings]


def prism(
    poly: np.ndarray | shapely.Polygon,
    z0: float | np.ndarray,
    z1: float | np.ndarray,
    wall: Color,
    top: Color | None = None,
) -> MeshBatch:
    """A closed prism: a polygon (holes allowed) extruded from ``z0`` to ``z1``.

    ``z0``/``z1`` may also be per-vertex arrays for a single-ring polygon (for sloped roofs
    and bands; keep them planar). ``wall`` is one colour or one per edge ``(k, 4)``, which
    needs the ring as a CCW array so the edges stay in order; ``top`` colours the top cap
    (the walls' colour by default), the floor takes the first wall colour.
    """
    rings = _rings(poly)
    xy = np.concatenate(rings)
    n = len(xy)
    zb = np.broadcast_to(np.asarray(z0, np.float64), (n,))
    zt = np.broadcast_to(np.asarray(z1, np.float64), (n,))
    starts = np.cumsum([0] + [len(r) for r in rings[:-1]])
    nxt = np.concatenate([s + (np.arange(len(r)) + 1) % len(r) for s, r in zip(starts, rings,
                                                                              strict=True)])
    a, b = np.arange(n), nxt
    pa0 = np.column_stack([xy[a], zb[a]])
    pb0 = np.column_stack([xy[b], zb[b]])
    pb1 = np.column_stack([xy[b], zt[b]])
    pa1 = np.column_stack([xy[a], zt[a]])
    walls = np.concatenate([np.stack([pa0, pb0, pb1], 1), np.stack([pa0, pb1, pa1], 1)])
    wall_cols = np.broadcast_to(np.asarray(wall, np.uint8), (n, 4))
    ends = np.cumsum([len(r) for r in rings]).astype(np.uint32)
    cap = mapbox_earcut.triangulate_float64(xy, ends).reshape(-1, 3).astype(np.int64)
    c = xy[cap]
    ccw = (c[:, 1, 0] - c[:, 0, 0]) * (c[:, 2, 1] - c[:, 0, 1]) - (
        (c[:, 1, 1] - c[:, 0, 1]) * (c[:, 2, 0] - c[:, 0, 0])
    ) > 0
    cap[~ccw] = cap[~ccw][:, ::-1]
    top_tris = np.concatenate([xy[cap], zt[cap][..., None]], axis=2)
    floor = np.concatenate([xy[cap], zb[cap][..., None]], axis=2)[:, ::-1]  # faces down
    cols = [np.concatenate([wall_cols, wall_cols]),
            np.broadcast_to(wall_cols[0] if top is None else np.asarray(top, np.uint8),
                            (len(cap), 4)),
            np.broadcast_to(wall_cols[0], (len(cap), 4))]
    return soup(np.concatenate([walls, top_tris, floor]), np.concatenate(cols))


def sweep(
    profile: np.ndarray,
    q0: float,
    q1: float,
    faces: Color,
    ends: Color,
    along: Literal["x", "y"] = "y",
) -> MeshBatch:
    """A side profile (CCW polygon in (p, z)) swept from ``q0`` to ``q1`` along ``along``:
    with ``"y"`` the profile lies in the x-z plane, with ``"x"`` in the y-z plane. Wedges,
    sawtooth roofs and stairs are one sweep each. ``faces`` colours the swept faces (one
    colour, or one per profile edge), ``ends`` the two profile-shaped end faces."""
    flat = prism(profile, q0, q1, faces, ends)  # (p, z, q)
    match along:
        case "y":
            m = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], np.float64)
        case "x":
            m = np.array([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], np.float64)
        case _:
            raise ValueError(f"along is {along!r}; expected 'x' or 'y'")
    return transform(flat, m)


def circle(center: Sequence[float], radius: float, n: int, phase: float = 0.0) -> np.ndarray:
    """``n`` points CCW on a circle (a regular polygon), starting at ``phase`` degrees."""
    a = np.radians(phase) + np.arange(n) * 2 * np.pi / n
    return np.column_stack([center[0] + radius * np.cos(a), center[1] + radius * np.sin(a)])


def frustums(
    centers: np.ndarray,
    z0: float | np.ndarray,
    z1: float | np.ndarray,
    r0: float,
    r1: float,
    n: int,
    color: Color,
    cap: Color | None = None,
    phase: float = 0.0,
) -> MeshBatch:
    """Upright ``n``-sided frusta (cylinders when ``r0 == r1``, cones when ``r1 == 0``), one per
    centre ``(k, 2)``, all at once; ``z0``/``z1`` may vary per centre."""
    centers = np.asarray(centers, np.float64).reshape(-1, 2)
    k = len(centers)
    zb = np.broadcast_to(np.asarray(z0, np.float64), (k,))[:, None]
    zt = np.broadcast_to(np.asarray(z1, np.float64), (k,))[:, None]
    ang = np.radians(phase) + np.arange(n + 1) * 2 * np.pi / n
    cs, sn = np.cos(ang), np.sin(ang)

    def ring(r: float, z: np.ndarray) -> np.ndarray:  # (k, n + 1, 3)
        return np.stack([centers[:, :1] + r * cs, centers[:, 1:] + r * sn,
                         np.broadcast_to(z, (k, n + 1))], axis=2)

    lo, hi = ring(r0, zb), ring(r1, zt)
    side = np.concatenate([
        np.stack([lo[:, :-1], lo[:, 1:], hi[:, 1:]], 2),
        np.stack([lo[:, :-1], hi[:, 1:], hi[:, :-1]], 2),
    ], axis=1).reshape(-1, 3, 3)
    mid_hi = np.broadcast_to(np.concatenate([centers, zt], 1)[:, None], (k, n, 3))
    mid_lo = np.broadcast_to(np.concatenate([centers, zb], 1)[:, None], (k, n, 3))
    top_tris = np.stack([mid_hi, hi[:, :-1], hi[:, 1:]], 2).reshape(-1, 3, 3)
    bot_tris = np.stack([mid_lo, lo[:, 1:], lo[:, :-1]], 2).reshape(-1, 3, 3)
    cols = np.concatenate([
        np.broadcast_to(np.asarray(color, np.uint8), (len(side) + len(bot_tris), 4)),
        np.broadcast_to(np.asarray(color if cap is None else cap, np.uint8), (len(top_tris), 4)),
    ])
    return soup(np.concatenate([side, bot_tris, top_tris]), cols)


def dome(
    center: Sequence[float],
    z0: float,
    radius: float,
    height: float,
    color: Color,
    n: int = 16,
    rings: int = 5,
) -> MeshBatch:
    """A dome of ``rings`` latitude bands over an ``n``-gon base (open at the base, which
    always sits on a drum or roof)."""
    lat = np.linspace(0.0, np.pi / 2, rings + 1)
    ang = np.arange(n + 1) * 2 * np.pi / n
    r = radius * np.cos(lat)[:, None]
    z = np.broadcast_to(z0 + height * np.sin(lat)[:, None], (rings + 1, n + 1))
    pts = np.stack([center[0] + r * np.cos(ang), center[1] + r * np.sin(ang), z], axis=2)
    lo, hi = pts[:-1], pts[1:]
    tris = np.concatenate([
        np.stack([lo[:, :-1], lo[:, 1:], hi[:, 1:]], 2),
        np.stack([lo[:, :-1], hi[:, 1:], hi[:, :-1]], 2),
    ]).reshape(-1, 3, 3)
    return soup(tris, color)


def beam(p: Sequence[float], q: Sequence[float], width: float, depth: float,
         color: Color) -> MeshBatch:
    """A square-ish bar from point ``p`` to point ``q`` (3-D): struts, arms, crane legs."""
    a, b = np.asarray(p, np.float64), np.asarray(q, np.float64)
    d = b - a
    length = float(np.linalg.norm(d))
    yaw = math.degrees(math.atan2(d[1], d[0])) - 90.0
    pitch = math.degrees(math.atan2(d[2], math.hypot(d[0], d[1])))
    m = affine((a + b) / 2, yaw=yaw, pitch=pitch, scale=(width, length, depth))
    return boxes(m[None], color)


def loft(sections: np.ndarray, colors: Color | np.ndarray) -> MeshBatch:
    """A skin through cross-sections ``(s, p, 3)``: point ``j`` of each section joins point
    ``j`` of the next. For outward faces each section's points run clockwise seen from ahead
    (from where the sections are heading). ``colors`` is one colour or one per strip between
    neighbouring points ``(p - 1, 4)``, so stripes follow the body. Sections that shrink to a
    point close the skin; the open ends are left to the caller."""
    sec = np.asarray(sections, np.float64)
    a, b = sec[:-1, :-1], sec[1:, :-1]
    c, d = sec[1:, 1:], sec[:-1, 1:]
    tris = np.stack([np.stack([a, b, c], 2), np.stack([a, c, d], 2)], 2)  # (s-1, p-1, 2, 3, 3)
    cols = np.broadcast_to(np.asarray(colors, np.uint8), (sec.shape[1] - 1, 4))
    cols = np.broadcast_to(cols[None, :, None], (*tris.shape[:3], 4))
    return soup(tris.reshape(-1, 3, 3), cols.reshape(-1, 4))
