"""The mobility pavilion (pure numpy): a streamlined hall in an oval test track.

The hall is lofted through rounded cross-sections and its roof falls as a wedge from tail to
nose; self-driving shuttles run on the track and park under a charging canopy. The builder
takes a ``Site`` and returns a ``Model`` in site coordinates (see ``pavilion_kit``).
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.pavilion_kit import (
    ASPHALT,
    DARK_GLASS,
    PLAZA_TOP,
    STEEL,
    WHITE,
    Model,
    Site,
    rounded,
    strip,
)
from gwangju_twin.mesh.shapes import affine, box, boxes, loft, prism


def mobility(s: Site) -> Model:
    """A streamlined hall whose wedge roof rises from nose to tail, circled by an oval test
    track with shuttles on it, and a charging canopy in the forecourt."""
    u0, u1, v0, v1 = s.zone
    tv1 = v1 + 3.0
    cv, hw, hd = (v0 + tv1) / 2, (u1 - u0) / 2, (tv1 - v0) / 2
    tw = float(np.clip(0.09 * min(s.w, s.d), 4.0, 7.0))
    outer = rounded(0, cv, hw, hd, min(hw, hd), 10)
    inner = rounded(0, cv, hw - tw, hd - tw, min(hw, hd) - tw, 10)
    parts = [prism(shapely.Polygon(outer, [inner]), PLAZA_TOP, PLAZA_TOP + 0.1, ASPHALT)]
    # Kerbs in the sector colour along both edges of the track, a white line down its middle.
    kerbs = (strip(outer, 0.0, -0.7), strip(inner, 0.7, 0.0))
    parts += [prism(k, PLAZA_TOP + 0.1, PLAZA_TOP + 0.14, s.accent) for k in kerbs]
    mid = rounded(0, cv, hw - tw / 2, hd - tw / 2, min(hw, hd) - tw / 2, 10)
    parts.append(prism(strip(mid, 0.15, -0.15), PLAZA_TOP + 0.1,
                       PLAZA_TOP + 0.13, WHITE))
    # Zebra stripes where the walkway crosses the front straight.
    zebra = [affine((x, tv1 - tw / 2, PLAZA_TOP + 0.12), scale=(0.8, tw - 1.6, 0.05))
             for x in np.arange(-s.gate_width / 2 + 1.5, s.gate_width / 2 - 1.0, 1.6)]
    parts.append(boxes(np.array(zebra), WHITE))

    g = 3.0
    hall, plan, top = _streamliner(s, cv, hw - tw - g, hd - tw - g)
    parts.append(hall)

    # Shuttles on the track: on the back straight and rounding the nose end.
    r_mid = min(hw, hd) - tw / 2
    for x, y, yaw in ((-0.25 * hw, cv - hd + tw / 2, 90.0),
                      (hw - r_mid + r_mid * math.cos(math.radians(30)),
                       cv + r_mid * math.sin(math.radians(30)), 30.0),
                      (-0.6 * hw, cv + hd - tw / 2, -90.0)):
        parts.extend(_shuttle(s, x, y, yaw))
    # The charging canopy on the forecourt's left, shuttles parked under it.
    cu0, cu1 = u0 + 1.0, -s.gate_width / 2 - 3.0
    cv0, cv1 = tv1 + 2.0, s.d / 2 - 2.5
    if cu1 - cu0 > 6 and cv1 - cv0 > 5:
        cz = PLAZA_TOP + 5.2
        parts.append(box(((cu0 + cu1) / 2, (cv0 + cv1) / 2), (cu1 - cu0, cv1 - cv0), cz,
                         cz + 0.5, WHITE, top=s.accent))
        posts = [affine((x, (cv0 + cv1) / 2, (PLAZA_TOP + cz) / 2), scale=(0.4, 0.4, cz))
                 for x in np.linspace(cu0 + 1.5, cu1 - 1.5, 3)]
        parts.append(boxes(np.array(posts), STEEL))
        for x in np.linspace(cu0 + 3.0, cu1 - 3.0, 3):
            parts.append(box((x, cv1 - 1.2), (1.0, 0.6), PLAZA_TOP, PLAZA_TOP + 1.6, WHITE,
                             top=s.accent))
        for x in np.linspace(cu0 + 3.0, cu1 - 3.0, 3)[:2]:
            parts.extend(_shuttle(s, x, (cv0 + cv1) / 2 - 1.0, 0.0))
    return Model(parts, plan, top)


def _streamliner(s: Site, cv: float, half_len: float, half_wid: float
                 ) -> tuple[MeshBatch, np.ndarray, float]:
    """The mobility hall: a body lofted through rounded cross-sections along u over a stadium
    plan. Its roof line falls as a wedge from the tail (-u) to the nose (+u) and rolls down to
    the ground at both ends; stripes run along the body like the lines of a car."""
    b_max = min(half_wid, half_len)
    phi = np.radians(np.linspace(0.0, 90.0, 8))
    straight = half_len - b_max
    us = np.concatenate([-(straight + b_max * np.sin(phi))[::-1],
                         np.linspace(-straight, straight, 5)[1:-1],
                         straight + b_max * np.sin(phi)])
    bs = np.concatenate([b_max * np.cos(phi)[::-1], np.full(3, b_max), b_max * np.cos(phi)])
    lo_h, hi_h = 8.0 * s.k, 26.0 * s.k
    hs = (lo_h + (hi_h - lo_h) * (half_len - us) / (2 * half_len)) * (bs / b_max) ** 0.35
    # The unit section, from the -v foot over the top to the +v foot (clockwise seen from
    # the nose): a glazed base, a white wall with a stripe, then a rounded superelliptic roof.
    arc = np.radians(np.linspace(180.0, 0.0, 11))[1:-1]
    c, sn = np.cos(arc), np.sin(arc)
    roof = np.column_stack([np.sign(c) * np.abs(c) ** 0.6, 0.42 + 0.58 * np.abs(sn) ** 0.6])
    wall = np.array([[-1.0, 0.0], [-1.0, 0.24], [-1.0, 0.3], [-1.0, 0.36], [-1.0, 0.42]])
    unit = np.concatenate([wall, roof, wall[::-1] * (-1.0, 1.0)])
    white, glass, acc = WHITE, DARK_GLASS, s.accent
    side = [glass, white, acc, white]
    n_roof = len(roof) + 1
    roof_cols = [white] * n_roof
    roof_cols[1] = roof_cols[-2] = acc
    cols = np.array(side + roof_cols + side[::-1])
    sections = np.stack([
        np.column_stack([np.full(len(unit), u), cv + b * unit[:, 0], PLAZA_TOP + h * unit[:, 1]])
        for u, b, h in zip(us, bs, hs, strict=True)
    ])
    plan = np.concatenate([np.column_stack([us, cv - bs]), np.column_stack([us, cv + bs])[::-1]])
    keep = np.ones(len(plan), bool)
    keep[1:] = np.hypot(*(plan[1:] - plan[:-1]).T) > 1e-6
    return loft(sections, cols), plan[keep], PLAZA_TOP + float(hs.max())


def _shuttle(s: Site, x: float, y: float, yaw: float) -> list[MeshBatch]:
    """A small self-driving pod, its long axis along ``yaw`` (0 = along +v)."""
    z = PLAZA_TOP + 0.1
    body = box((x, y), (2.3, 5.0), z + 0.3, z + 2.5, WHITE, yaw=yaw, top=s.tint(0.2))
    glass = box((x, y), (2.4, 4.2), z + 1.3, z + 2.2, DARK_GLASS, yaw=yaw)
    skirt = box((x, y), (2.35, 5.05), z + 0.3, z + 0.8, s.accent, yaw=yaw)
    return [body, glass, skirt]
