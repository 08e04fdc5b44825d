"""The solstice sunlight check drawn: hours of sun as colours, on the ground and on the walls.

Pure arrays (mesh batches) from a ``SunlightResult``; the renderer only converts them.
The ground's grid cells become flat quads just above the ground layers; each facade sample
becomes a band on its wall from the ground up to ``BAND_HEIGHT``, the storey its sample
height stands for (the check asks about a window 1.5 m up, not the whole wall).
"""

from __future__ import annotations

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.sun.sunlight import CONTINUOUS_HOURS, TOTAL_HOURS, SunlightResult

#: The colour scale's stops: hours of sun between 08:00 and 16:00 and their colours
#: (viridis, perceptually even and readable with colour-blindness; the rule's 2 h and 4 h
#: fall on visibly different stops).
STOPS_H = np.array([0.0, CONTINUOUS_HOURS, TOTAL_HOURS, 6.0, 8.0])
STOPS_RGB = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98),
                      (253, 231, 37)], dtype=float)
#: The ground map is opaque: its colours are read against the legend's.
GROUND_ALPHA = 255
#: Above the ground layers (roads, plazas, outlines lie within 0.3 m), below any roof.
GROUND_Z = 0.45
#: A wall band: the storey of the 1.5 m sample, standing 5 cm off the wall.
BAND_HEIGHT = 3.0
BAND_OFFSET = 0.05


def hours_rgba(hours: np.ndarray, alpha: int = 255) -> np.ndarray:
    """uint8 (n, 4) colours of ``hours`` on the scale; NaN (inside a building) is clear."""
    h = np.asarray(hours, dtype=float).ravel()
    rgb = np.stack([np.interp(np.nan_to_num(h, nan=0.0), STOPS_H, STOPS_RGB[:, c])
                    for c in range(3)], axis=1)
    out = np.empty((len(h), 4), np.uint8)
    out[:, :3] = np.round(rgb)
    out[:, 3] = np.where(np.isnan(h), 0, alpha)
    return out


def legend() -> list[tuple[tuple[float, float, float], str, str]]:
    """The scale's stops as legend entries (rgb 0..1, Korean, English)."""
    return [((rgb[0] / 255, rgb[1] / 255, rgb[2] / 255), f"{h:g}시간", f"{h:g} h")
            for h, rgb in zip(STOPS_H.tolist(), STOPS_RGB.tolist(), strict=True)]


def _quads(corners: np.ndarray, colours: np.ndarray, normal: np.ndarray,
           material: str, feature: int) -> MeshBatch:
    """A batch of quads from corners (k, 4, 3), one colour (k, 4) and normal (k, 3) each."""
    k = len(corners)
    quad = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)
    return MeshBatch(
        material=material,
        positions=np.ascontiguousarray(corners.reshape(-1, 3), np.float32),
        normals=np.ascontiguousarray(np.repeat(normal, 4, axis=0), np.float32),
        colors=np.ascontiguousarray(np.repeat(colours, 4, axis=0), np.uint8),
        indices=(quad[None] + (4 * np.arange(k, dtype=np.uint32))[:, None, None]).reshape(-1, 3),
        feature_ids=np.full(4 * k, feature, np.int32),
    )


def ground_batch(result: SunlightResult, feature: int = -1) -> MeshBatch:
    """The ground's heat map: one quad per grid cell outside the buildings."""
    gx, gy = np.asarray(result.ground_x, float), np.asarray(result.ground_y, float)
    hours = np.asarray(result.ground_hours, float)
    if gx.size == 0 or gy.size == 0:
        return MeshBatch.empty("sunlight-ground")
    cx, cy = np.meshgrid(gx, gy)
    keep = ~np.isnan(hours)
    cx, cy, h = cx[keep], cy[keep], hours[keep]
    half_x = (float(np.diff(gx).min()) if gx.size > 1 else 2.0) / 2
    half_y = (float(np.diff(gy).min()) if gy.size > 1 else 2.0) / 2
    dx = np.array([-half_x, half_x, half_x, -half_x])
    dy = np.array([-half_y, -half_y, half_y, half_y])
    corners = np.stack([cx[:, None] + dx, cy[:, None] + dy,
                        np.full((len(cx), 4), GROUND_Z)], axis=2)
    up = np.tile([0.0, 0.0, 1.0], (len(cx), 1))
    return _quads(corners, hours_rgba(h, GROUND_ALPHA), up, "sunlight-ground", feature)


def facade_batch(result: SunlightResult, feature: int = -1) -> MeshBatch:
    """The walls' bands: one quad per facade sample, as wide as the sample's share of its
    wall, coloured by the sample's hours."""
    xy = np.asarray(result.sample_xy, float).reshape(-1, 2)
    if len(xy) == 0:
        return MeshBatch.empty("sunlight-facades")
    normal = np.asarray(result.sample_normal, float).reshape(-1, 2)
    which = np.asarray(result.sample_facade, np.int64)
    counts = np.bincount(which, minlength=len(result.facades)).astype(float)
    lengths = np.array([f.length for f in result.facades], float)
    half = (lengths[which] / np.maximum(counts[which], 1.0)) / 2
    along = np.stack([-normal[:, 1], normal[:, 0]], axis=1)  # the wall's direction
    base = xy + normal * BAND_OFFSET
    a, b = base - along * half[:, None], base + along * half[:, None]
    z0, z1 = np.zeros(len(xy)), np.full(len(xy), BAND_HEIGHT)
    corners = np.stack([np.c_[a, z0], np.c_[b, z0], np.c_[b, z1], np.c_[a, z1]], axis=1)
    normals3 = np.c_[normal, np.zeros(len(xy))]
    return _quads(corners, hours_rgba(result.sample_hours), normals3, "sunlight-facades",
                  feature)
