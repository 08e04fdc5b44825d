"""The industry pavilions: energy and manufacturing (pure numpy).

Energy is a hall under a solar roof whose panels face true south, with wind turbines and
battery containers in the forecourt; manufacturing is a sawtooth factory with a chimney
stack, a gantry crane and a robot arm. Each builder takes a ``Site`` and returns a ``Model``
in site coordinates (see ``pavilion_kit``).
"""

from __future__ import annotations

import math

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.pavilion_kit import (
    DARK,
    DARK_GLASS,
    GLASS,
    METAL,
    PLAZA_TOP,
    ROOF,
    SOLAR,
    STEEL,
    WHITE,
    Model,
    Site,
    band,
    rect,
)
from gwangju_twin.mesh.shapes import affine, beam, box, boxes, frustums, prism, sweep, transform


def energy(s: Site) -> Model:
    """A hall roofed with rows of solar panels tilted 30 degrees to true south, two wind
    turbines flanking the forecourt and battery containers beside the walk."""
    u0, u1, v0, v1 = s.zone
    hall = rect(u0, u1, v0, v1 - 3.0)
    h = PLAZA_TOP + 17.0 * s.k
    parts = [prism(hall, PLAZA_TOP, h, WHITE, ROOF),
             band(hall, PLAZA_TOP + 0.5, PLAZA_TOP + 5.0, GLASS, out=0.12),
             band(hall, PLAZA_TOP + 0.55 * (h - PLAZA_TOP), h - 3.0, GLASS, out=0.12),
             band(hall, h - 1.6, h + 0.6, s.accent, inset=0.5)]
    parts.append(_solar_roof(s, (u0 + 1.4, u1 - 1.4, v0 + 1.4, v1 - 4.4), h + 0.4))

    # The turbines stand in the forecourt's front corners, rotors facing the visitors.
    rad = float(np.clip(0.15 * s.w, 6.0, 12.0))
    ut = s.w / 2 - s.margin - rad
    vt = min(v1 + 0.45 * (s.d / 2 - v1), s.d / 2 - 6.5)
    for side, hub in ((-1.0, 44.0), (1.0, 36.0)):
        parts.extend(_turbine(s, side * ut, vt, PLAZA_TOP + hub * s.k, rad * hub / 44.0))
    gap = s.gate_width / 2 + 2.5
    if ut - gap > 7.0:
        containers = [affine((x, vt - 1.0, PLAZA_TOP + 1.35), scale=(2.6, 6.0, 2.7))
                      for x in np.linspace(gap + 1.5, ut - 3.5, 2)]
        parts.append(boxes(np.array(containers), s.accent, top=WHITE))
    return Model(parts, hall, h + 1.6)


def _solar_roof(s: Site, roof: tuple[float, float, float, float], z: float) -> MeshBatch:
    """Panels in rows facing true south in the district, whatever way the site faces."""
    u0, u1, v0, v1 = roof
    h = math.radians(s.heading)
    south = np.array([math.sin(h), -math.cos(h)])  # world (0, -1) seen in site coordinates
    east = np.array([south[1], -south[0]])  # along the rows; east x south = up
    tilt, length, slope, pitch = 30.0, 3.2, 2.0, 3.4
    half = math.hypot(u1 - u0, v1 - v0) / 2
    n_r, n_c = int(half / pitch) + 1, int(half / length) + 1
    i, j = np.meshgrid(np.arange(-n_r, n_r + 1), np.arange(-n_c, n_c + 1), indexing="ij")
    c = np.array([(u0 + u1) / 2, (v0 + v1) / 2])
    p = c + (i.ravel() * pitch)[:, None] * south + (j.ravel() * (length + 0.2))[:, None] * east
    reach = np.abs(length / 2 * east) + np.abs(slope / 2 * math.cos(math.radians(tilt)) * south)
    inside = ((p[:, 0] - reach[0] >= u0) & (p[:, 0] + reach[0] <= u1)
              & (p[:, 1] - reach[1] >= v0) & (p[:, 1] + reach[1] <= v1))
    yaw = math.degrees(math.atan2(east[1], east[0]))
    # Pitching about the row axis by -tilt leans the panel's top face towards south.
    zc = z + slope / 2 * math.sin(math.radians(tilt))
    ms = np.array([affine((x, y, zc), yaw=yaw, pitch=-tilt, scale=(length, slope, 0.15))
                   for x, y in p[inside]])
    return boxes(ms, STEEL, top=SOLAR)


def _turbine(s: Site, x: float, y: float, hub_z: float, rad: float) -> list[MeshBatch]:
    """Tapered tower, nacelle, nose cone and three tapered blades, rotor facing the front."""
    parts = [frustums(np.array([[x, y]]), PLAZA_TOP, hub_z - 1.0, 1.4, 0.7, 12, WHITE),
             box((x, y + 0.6), (2.2, 5.6), hub_z - 1.1, hub_z + 1.1, WHITE, top=ROOF),
             box((x, y + 0.6), (2.25, 3.0), hub_z - 0.2, hub_z + 0.3, s.accent)]
    to_rotor = affine((x, y + 3.4, hub_z), pitch=-90.0)  # local z -> +v (the rotor axis)
    parts.append(transform(frustums(np.zeros((1, 2)), 0.0, 1.8, 0.9, 0.0, 10, WHITE), to_rotor))
    blade = np.array([[0.6, -0.9], [rad, -0.3], [rad, 0.2], [0.6, 0.6]])
    one = prism(blade, -0.2, 0.2, WHITE)
    for ang in (-90.0, 30.0, 150.0):
        parts.append(transform(one, affine((x, y + 3.6, hub_z), pitch=-90.0) @ affine(yaw=ang)))
    return parts



def manufacturing(s: Site) -> Model:
    """A factory hall under a sawtooth (north-light) roof, a banded chimney stack, a gantry
    crane over the yard and a robot arm in the forecourt."""
    u0, u1, v0, v1 = s.zone
    ue = u0 + 0.6 * (u1 - u0)
    hw_z, tooth = PLAZA_TOP + 12.0 * s.k, 6.0 * s.k
    teeth = max(3, round((ue - u0) / 9.0))
    step = (ue - u0) / teeth
    # Front elevation in (u, z), counter-clockwise: floor, right wall, then each tooth's
    # glazing (facing +u) and its roof sloping down to the left; the ridges run front to back
    # so the facade itself shows the zigzag.
    prof = [(u0, PLAZA_TOP), (ue, PLAZA_TOP)]
    for n in range(teeth):
        prof += [(ue - n * step, hw_z), (ue - n * step, hw_z + tooth)]
    prof.append((u0, hw_z))
    edge_cols = [WHITE, WHITE] + [GLASS, METAL] * teeth + [WHITE]
    hall = sweep(np.array(prof), v0, v1, np.array(edge_cols), WHITE, along="y")
    foot = rect(u0, ue, v0, v1)
    parts = [hall,
             band(foot, PLAZA_TOP + 0.4, PLAZA_TOP + 1.2, s.accent, out=0.1),
             band(foot, hw_z - 1.4, hw_z - 0.6, s.accent, out=0.1),
             box(((u0 + ue) / 2, v1 + 0.2), (0.35 * (ue - u0), 0.4), PLAZA_TOP,
                 PLAZA_TOP + 7.5, s.shade(0.9)),
             band(foot, PLAZA_TOP + 4.0, PLAZA_TOP + 6.5, DARK_GLASS, out=0.12)]

    # The stack at the back right, white with accent bands and a dark rim.
    sx, sy = ue + 4.5, v0 + 4.0
    sh = PLAZA_TOP + 50.0 * s.k
    parts.append(frustums(np.array([[sx, sy]]), PLAZA_TOP, sh, 2.4, 1.6, 14, WHITE, cap=DARK))
    for f0 in (0.62, 0.82):
        z, r = PLAZA_TOP + f0 * (sh - PLAZA_TOP), 2.4 - 0.8 * f0 + 0.12
        parts.append(frustums(np.array([[sx, sy]]), z, z + 3.0, r, r - 0.05, 14, s.accent))
    parts.append(frustums(np.array([[sx, sy]]), sh - 1.2, sh + 0.2, 1.75, 1.75, 14, DARK))

    # The gantry crane: a girder across the yard on A-frame legs.
    ga, gb = ue + 3.0, u1 - 0.8
    cy, ch, spread = (v0 + 10.0 + v1) / 2, PLAZA_TOP + 15.0 * s.k, 3.5
    for x in (ga, gb):
        parts.append(beam((x, cy - spread, PLAZA_TOP), (x, cy, ch), 0.8, 0.8, s.accent))
        parts.append(beam((x, cy + spread, PLAZA_TOP), (x, cy, ch), 0.8, 0.8, s.accent))
        parts.append(box((x, cy), (1.2, 2 * spread + 1.5), PLAZA_TOP, PLAZA_TOP + 0.6, DARK))
    parts.append(box(((ga + gb) / 2, cy), (gb - ga + 1.0, 1.6), ch, ch + 1.8, s.accent))
    tx = ga + 0.35 * (gb - ga)
    parts.append(box((tx, cy), (2.4, 2.6), ch - 0.4, ch + 2.4, WHITE, top=s.accent))
    parts.append(box((tx, cy), (0.2, 0.2), PLAZA_TOP + 4.0, ch - 0.4, DARK))
    parts.append(box((tx, cy), (2.6, 6.0), PLAZA_TOP, PLAZA_TOP + 2.6, STEEL, top=WHITE))
    parts.append(box((tx, cy), (2.8, 2.0), PLAZA_TOP + 3.2, PLAZA_TOP + 4.0, DARK))

    # The robot arm in the forecourt, reaching towards the visitors: base, turret, upper arm
    # and forearm with dark joints, and a two-finger gripper. Small sites have no room for it
    # beside the crane.
    rx, ry = s.gate_width / 2 + 7.0, s.d / 2 - 10.0
    if ry - 4.0 > cy + spread + 1.0:
        parts.extend(_robot_arm(s, rx, ry))
    return Model(parts, foot, hw_z + tooth)


def _robot_arm(s: Site, rx: float, ry: float) -> list[MeshBatch]:
    z = PLAZA_TOP
    parts = [frustums(np.array([[rx, ry]]), z, z + 1.2, 2.3, 2.1, 12, DARK),
             frustums(np.array([[rx, ry]]), z + 1.2, z + 3.4, 1.6, 1.4, 12, s.accent)]
    shoulder, elbow, wrist = (rx, ry, z + 3.8), (rx, ry - 2.5, z + 11.0), (rx, ry + 4.5, z + 9.0)
    parts.append(beam(shoulder, elbow, 1.4, 1.4, s.accent))
    parts.append(beam(elbow, wrist, 1.0, 1.1, s.accent))
    for p, r in ((shoulder, 1.1), (elbow, 0.95), (wrist, 0.7)):
        parts.append(box(p[:2], (2.1 * r, 2 * r), p[2] - r, p[2] + r, DARK))
    parts.append(box(wrist[:2], (0.6, 0.6), wrist[2] - 2.2, wrist[2], STEEL))
    fingers = [affine((rx + dx, wrist[1], wrist[2] - 2.9), scale=(0.3, 0.8, 1.4))
               for dx in (-0.55, 0.55)]
    parts.append(boxes(np.array(fingers), DARK))
    return parts
