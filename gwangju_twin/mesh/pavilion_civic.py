"""The civic pavilions: healthcare, education and administration (pure numpy).

A white Greek cross with a glass atrium drum for healthcare, a terraced school under an open
book for education, and a domed rotunda for administration. Each builder takes a ``Site`` and
returns a ``Model`` in site coordinates (see ``pavilion_kit``).
"""

from __future__ import annotations

import math

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.pavilion_kit import (
    DARK_GLASS,
    GLASS,
    GREENERY,
    PLAZA_TOP,
    ROOF,
    STEEL,
    STONE,
    WHITE,
    Model,
    Site,
    band,
    rect,
)
from gwangju_twin.mesh.shapes import affine, box, boxes, circle, dome, frustums, prism, sweep


def healthcare(s: Site) -> Model:
    """A white Greek cross with ribbon windows, a glass atrium drum at the crossing carrying a
    red cross, and a hospital cross sign over the entrance canopy."""
    u0, u1, v0, v1 = s.zone
    cv = (v0 + v1) / 2
    half = min(u1 - u0, v1 - v0) / 2
    a = 0.36 * half
    h = 18.0 * s.k
    plus = np.array([(a, -half), (a, -a), (half, -a), (half, a), (a, a), (a, half), (-a, half),
                     (-a, a), (-half, a), (-half, -a), (-a, -a), (-a, -half)])
    plus[:, 1] += cv
    parts = [prism(plus, PLAZA_TOP, h, WHITE, ROOF)]
    for z in (0.2, 0.45, 0.7):
        zb = PLAZA_TOP + z * (h - PLAZA_TOP)
        parts.append(band(plus, zb, zb + 2.0 * s.k, GLASS, out=0.12))
    parts.append(band(plus, h - 1.4, h + 0.5, s.accent, inset=0.6))
    # The atrium: a glass drum over the crossing, a white rim and a flat red cross on top.
    ra, za = 0.95 * a, h + 8.0 * s.k
    parts.append(frustums(np.array([[0.0, cv]]), h, za, ra, ra, 20, GLASS))
    parts.append(frustums(np.array([[0.0, cv]]), za, za + 1.0, ra + 0.4, ra + 0.4, 20, WHITE,
                          cap=ROOF))
    arm, bar = 1.3 * ra, 0.42 * ra
    parts.append(box((0, cv), (2 * arm, bar), za + 1.0, za + 1.5, s.accent))
    parts.append(box((0, cv), (bar, 2 * arm), za + 1.0, za + 1.5, s.accent))
    # The entrance canopy and an upright cross sign on the front arm.
    front = cv + half
    parts.append(box((0, front + 2.5), (1.6 * a, 5.0), 5.0, 5.6, WHITE, top=ROOF))
    parts.append(box((0, front + 4.9), (1.6 * a, 0.25), 4.7, 5.6, s.accent))
    posts = [affine((x, front + 4.4, 2.65), scale=(0.35, 0.35, 4.7)) for x in (-0.7 * a, 0.7 * a)]
    parts.append(boxes(np.array(posts), STEEL))
    cz, cs = PLAZA_TOP + 0.6 * (h - PLAZA_TOP), 0.55 * a
    parts.append(box((0, front + 0.3), (2 * cs, 0.6), cz - cs / 3, cz + cs / 3, s.accent))
    parts.append(box((0, front + 0.3), (2 * cs / 3, 0.6), cz - cs, cz + cs, s.accent))
    return Model(parts, plus, za + 1.5)



def education(s: Site) -> Model:
    """A terraced, stepped school (rising from the front like an amphitheatre) with railings
    in the sector colour, under an open-book roof of two pages tilted up into a V."""
    u0, u1, v0, v1 = s.zone
    zw, zd = u1 - u0, v1 - v0
    big, su, sb, sf, th = 0.05 * zw, 0.09 * zw, 0.03 * zd, 0.13 * zd, 5.2 * s.k
    parts: list[MeshBatch] = []
    tiers = 4

    def tier_rect(n: int) -> np.ndarray:
        return rect(u0 + big + n * su, u1 - big - n * su, v0 + n * sb, v1 - n * sf)

    for n in range(tiers):
        tier = tier_rect(n)
        z0, z1 = PLAZA_TOP + n * th, PLAZA_TOP + (n + 1) * th
        parts.append(prism(tier, z0, z1, WHITE, ROOF))
        parts.append(band(tier, z0 + 1.0, z1 - 1.4, GLASS, out=0.1))
        parts.append(band(tier, z1 - 0.2, z1 + 0.9, s.accent, inset=0.35))
        if n < tiers - 1:  # a planted strip along each terrace edge
            parts.append(box(((tier[0, 0] + tier[1, 0]) / 2, tier[2, 1] - 0.35 - 1.0),
                             (tier[1, 0] - tier[0, 0] - 2.0, 1.6), z1, z1 + 0.5, GREENERY))
    top_tier = tier_rect(tiers - 1)
    cu = (top_tier[0, 0] + top_tier[1, 0]) / 2
    cv = (top_tier[0, 1] + top_tier[2, 1]) / 2
    half_w = (top_tier[1, 0] - top_tier[0, 0]) / 2 + 2.5
    length = top_tier[2, 1] - top_tier[0, 1] + 3.0
    zs, lean = PLAZA_TOP + tiers * th + 1.6, 22.0
    ca, sa = math.cos(math.radians(lean)), math.sin(math.radians(lean))
    # The spine wall holds the pages; each page leans up and out from it (roll about v):
    # pale pages on top, the cover in the sector colour.
    parts.append(box((cu, cv), (1.2, length - 2.0), zs - 1.6, zs, WHITE))
    for side in (-1.0, 1.0):
        m = affine((cu + side * half_w / 2 * ca, cv, zs + half_w / 2 * sa + 0.3),
                   roll=-side * lean, scale=(half_w, length, 0.5))
        parts.append(boxes(m[None], s.accent, top=s.tint(0.4)))
    parts.append(box((cu, cv), (0.8, length + 0.6), zs - 0.2, zs + 0.8, s.shade(0.8)))
    return Model(parts, tier_rect(0), zs + half_w * sa + 0.6)



def administration(s: Site) -> Model:
    """A domed civic rotunda: a podium with a front stair, a ring colonnade around a glass
    hall, an entablature, a drum and a dome in the sector colour with a lantern."""
    u0, u1, v0, v1 = s.zone
    cv = (v0 + v1) / 2
    hp = 0.46 * min(u1 - u0, v1 - v0)
    zp = PLAZA_TOP + 3.2
    podium = rect(-hp, hp, cv - hp, cv + hp)
    parts = [prism(podium, PLAZA_TOP, zp, STONE, ROOF),
             band(podium, zp - 0.5, zp, WHITE, out=0.15)]
    risers, run = 6, 0.8
    front, rise = cv + hp, (zp - PLAZA_TOP) / 6
    prof = [(front, PLAZA_TOP), (front + risers * run, PLAZA_TOP)]
    for n in range(risers):
        prof += [(front + (risers - n) * run, PLAZA_TOP + (n + 1) * rise),
                 (front + (risers - n - 1) * run, PLAZA_TOP + (n + 1) * rise)]
    parts.append(sweep(np.array(prof), -0.55 * hp, 0.55 * hp, WHITE, STONE, along="x"))

    rc = 0.8 * hp
    z_st, hc, k = zp + 0.8, 10.0 * s.k, s.k
    parts.append(frustums(np.array([[0.0, cv]]), zp, z_st, rc + 1.8, rc + 1.8, 32, WHITE,
                          cap=ROOF))
    parts.append(frustums(np.array([[0.0, cv]]), z_st, z_st + hc, rc - 2.4, rc - 2.4, 24,
                          DARK_GLASS))
    cols = circle((0.0, cv), rc, 16, phase=90.0 + 360.0 / 32)
    parts.append(frustums(cols, z_st, z_st + hc, 0.75, 0.6, 8, WHITE))
    z_en = z_st + hc
    parts.append(frustums(np.array([[0.0, cv]]), z_en, z_en + 1.8, rc + 1.2, rc + 1.2, 32, WHITE,
                          cap=ROOF))
    parts.append(frustums(np.array([[0.0, cv]]), z_en + 0.5, z_en + 1.1, rc + 1.35, rc + 1.35,
                          32, s.accent))
    rd, z_dr = 0.68 * rc, z_en + 1.8
    z_do = z_dr + 6.0 * k
    parts.append(frustums(np.array([[0.0, cv]]), z_dr, z_do, rd, rd, 24, WHITE))
    wins = circle((0.0, cv), rd + 0.05, 12, phase=15.0)
    win_ms = [affine((x, y, z_dr + 3.0 * k), yaw=math.degrees(math.atan2(y - cv, x)) + 90.0,
                     scale=(1.4, 0.3, 3.0 * k)) for x, y in wins]
    parts.append(boxes(np.array(win_ms), DARK_GLASS))
    parts.append(frustums(np.array([[0.0, cv]]), z_do - 0.6, z_do, rd + 0.4, rd + 0.4, 24,
                          s.accent))
    h_dome = 0.85 * rd
    parts.append(dome((0.0, cv), z_do, rd, h_dome, s.accent, n=24, rings=6))
    z_l = z_do + h_dome - 0.4
    parts.append(frustums(np.array([[0.0, cv]]), z_l, z_l + 3.2, 1.6, 1.6, 8, WHITE, cap=ROOF))
    parts.append(frustums(np.array([[0.0, cv]]), z_l + 3.2, z_l + 5.5, 1.9, 0.0, 8, s.accent))
    # Flagpoles at the foot of the stair.
    for x in (-0.7 * hp, 0.7 * hp):
        y = front + 3.0
        parts.append(frustums(np.array([[x, y]]), PLAZA_TOP, PLAZA_TOP + 14.0, 0.18, 0.12, 6,
                              STEEL))
        parts.append(box((x + 1.6 * np.sign(x), y), (3.0, 0.1), PLAZA_TOP + 11.5,
                         PLAZA_TOP + 13.5, s.accent))
    return Model(parts, podium, z_do + h_dome)
