"""Procedural pavilions for the seven "5+2" sectors of the expo (pure numpy).

Every pavilion stands on a paved plaza that fills its site, has an entrance gate at the
middle of the front edge and a forecourt before a building whose silhouette names the sector:
a Greek cross for healthcare, a streamlined hall in a test track for mobility, solar roof and
wind turbines for energy, a twisting media tower for culture, a sawtooth factory with a stack
and a crane for manufacturing, a terraced school under an open book for education, and a domed
rotunda for administration. Architecture is mostly white; the sector colour is the accent.

Models are built in site coordinates (u to the right of the front, v to the front, z up,
origin at the site centre) with the kit in ``shapes`` and placed into the district at the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from gwangju_twin.mesh.batch import MeshBatch, concat
from gwangju_twin.mesh.prism import FOOT_SHADE
from gwangju_twin.mesh.shapes import (
    MATERIAL,
    affine,
    beam,
    box,
    boxes,
    circle,
    dome,
    frustums,
    loft,
    prism,
    sweep,
    transform,
)
from gwangju_twin.scene.sectors import SECTOR_IDS, sector

#: Top of the paved plaza; everything built stands on it.
PLAZA_TOP = 0.3
#: The largest footprint (width, depth; metres) a pavilion building takes, however big the site.
MAX_ZONE = (84.0, 64.0)

WHITE = np.array([244, 243, 238, 255], np.uint8)
ROOF = np.array([226, 226, 222, 255], np.uint8)
STONE = np.array([206, 202, 192, 255], np.uint8)
PAVING = np.array([186, 180, 168, 255], np.uint8)
GLASS = np.array([122, 162, 192, 255], np.uint8)
DARK_GLASS = np.array([62, 84, 108, 255], np.uint8)
STEEL = np.array([150, 156, 164, 255], np.uint8)
METAL = np.array([190, 196, 204, 255], np.uint8)
DARK = np.array([66, 70, 78, 255], np.uint8)
ASPHALT = np.array([78, 82, 90, 255], np.uint8)
SOLAR = np.array([30, 52, 112, 255], np.uint8)
GREENERY = np.array([112, 168, 92, 255], np.uint8)


@dataclass(frozen=True)
class PavilionShape:
    """A pavilion ready to draw, in district coordinates (metres; x east, y north, z up).

    ``batch`` holds every triangle (material ``"pavilion"``); ``site`` is the site rectangle
    (CCW corners), ``core`` the CCW outline of the main building (for picking and collision),
    ``entrance`` the xy of the gate at the middle of the front edge, ``height`` the top of the
    tallest part and ``label_z`` where a billboard label floats, a few metres above the main
    building mass (thin masts and turbines ignored).
    """

    batch: MeshBatch
    site: np.ndarray
    core: np.ndarray
    entrance: tuple[float, float]
    height: float
    label_z: float


@dataclass(frozen=True)
class _Site:
    w: float
    d: float
    heading: float
    accent: np.ndarray  # uint8 RGBA

    @property
    def margin(self) -> float:
        return max(2.5, 0.05 * min(self.w, self.d))

    @property
    def zone(self) -> tuple[float, float, float, float]:
        """(u0, u1, v0, v1): where the building may stand, leaving a forecourt at the front.
        On a very large site the building keeps a pavilion's size and the plaza grows."""
        m = self.margin
        half_w = min(self.w / 2 - m, MAX_ZONE[0] / 2)
        v1 = self.d / 2 - 0.27 * self.d
        return -half_w, half_w, max(-self.d / 2 + m, v1 - MAX_ZONE[1]), v1

    @property
    def k(self) -> float:
        """Height scale: larger sites get slightly taller buildings; every main mass stays
        within 18-40 m, so a pavilion holds its own among 5-12 storey blocks."""
        return float(np.clip(math.sqrt(self.w * self.d) / 70.0, 1.0, 1.1))

    @property
    def gate_width(self) -> float:
        return float(np.clip(0.2 * self.w, 9.0, 16.0))

    def tint(self, t: float) -> np.ndarray:
        """The accent mixed with white by ``t`` (0 = accent, 1 = white)."""
        out = self.accent.astype(np.float64)
        out[:3] += (255.0 - out[:3]) * t
        return out.astype(np.uint8)

    def shade(self, f: float) -> np.ndarray:
        """The accent darkened to ``f`` of its brightness."""
        out = self.accent.astype(np.float64)
        out[:3] *= f
        return out.astype(np.uint8)


@dataclass
class _Model:
    parts: list[MeshBatch]
    core: np.ndarray  # (k, 2) site coordinates
    top: float  # top of the main building mass


def build_pavilion(
    sector_id: str,
    center: tuple[float, float],
    heading: float,
    size: tuple[float, float],
    feature_id: int,
) -> PavilionShape:
    """Build the pavilion of ``sector_id`` on a site of ``size`` (width, depth; metres)
    centred at ``center`` whose front faces compass ``heading`` (degrees clockwise from north).

    Raises ValueError for an unknown sector id or a non-positive size.
    """
    if sector_id not in _BUILDERS:
        raise ValueError(f"unknown sector {sector_id!r}; expected one of {', '.join(SECTOR_IDS)}")
    w, d = float(size[0]), float(size[1])
    if not (w > 0 and d > 0 and math.isfinite(w) and math.isfinite(d)):
        raise ValueError(f"pavilion size must be positive, got {size!r}")
    rgb = np.clip(np.round(np.asarray(sector(sector_id).color) * 255), 0, 255)
    site = _Site(w, d, float(heading), np.array([*rgb, 255], np.uint8))
    model = _BUILDERS[sector_id](site)
    batch = concat(MATERIAL, [*_plaza(site), *_gate(site), *model.parts])
    _shade_feet(batch)

    h = math.radians(heading)
    c, s = math.cos(h), math.sin(h)
    rot = np.array([[c, s], [-s, c]])  # local (u, v) -> world (x, y)
    origin = np.asarray(center, np.float64)

    def place(uv: np.ndarray) -> np.ndarray:
        return uv @ rot.T + origin

    pos = batch.positions.astype(np.float64)
    pos[:, :2] = place(pos[:, :2])
    nrm = batch.normals.astype(np.float64)
    nrm[:, :2] = nrm[:, :2] @ rot.T
    corners = np.array([[-w / 2, -d / 2], [w / 2, -d / 2], [w / 2, d / 2], [-w / 2, d / 2]])
    entrance = place(np.array([[0.0, d / 2]]))[0]
    placed = MeshBatch(
        MATERIAL, pos.astype(np.float32), nrm.astype(np.float32), batch.colors, batch.indices,
        np.full(batch.vertex_count, feature_id, np.int32),
    )
    return PavilionShape(
        placed, place(corners), place(model.core), (float(entrance[0]), float(entrance[1])),
        float(pos[:, 2].max()), float(model.top) + 5.0,
    )


def _shade_feet(batch: MeshBatch) -> None:
    # The same cheap ambient-occlusion cue as the city's buildings: walls darken towards
    # the plaza, so the models sit on the ground instead of floating.
    upright = np.abs(batch.normals[batch.indices[:, 0], 2]) < 0.3
    verts = np.unique(batch.indices[upright].ravel())
    foot = verts[batch.positions[verts, 2] <= PLAZA_TOP + 0.05]
    batch.colors[foot, :3] = (batch.colors[foot, :3] * FOOT_SHADE).astype(np.uint8)


def _rect(u0: float, u1: float, v0: float, v1: float) -> np.ndarray:
    return np.array([[u0, v0], [u1, v0], [u1, v1], [u0, v1]], np.float64)


def _rounded(cu: float, cv: float, hw: float, hd: float, r: float, n: int = 8) -> np.ndarray:
    """A CCW rounded rectangle (a stadium when ``r`` is the smaller half-size)."""
    r = min(r, hw, hd)
    pts = []
    for (sx, sy), a0 in zip([(1, -1), (1, 1), (-1, 1), (-1, -1)], [-90, 0, 90, 180], strict=True):
        a = np.radians(a0 + np.linspace(0, 90, n + 1))
        pts.append(np.column_stack([cu + sx * (hw - r) + r * np.cos(a),
                                    cv + sy * (hd - r) + r * np.sin(a)]))
    out = np.concatenate(pts)
    keep = np.ones(len(out), bool)
    keep[1:] = np.hypot(*(out[1:] - out[:-1]).T) > 1e-6  # corners touch when r == hw or hd
    return out[keep]


def _grow(poly: np.ndarray, by: float) -> shapely.Polygon:
    return shapely.Polygon(poly).buffer(by, join_style="mitre", mitre_limit=4.0)


def _band(poly: np.ndarray, z0: float, z1: float, color: np.ndarray, out: float = 0.15,
          inset: float = 0.3) -> MeshBatch:
    """A ring standing ``out`` proud of the walls of ``poly`` and reaching ``inset`` inside
    them: a stripe or ribbon window on a facade, or above the roof a parapet. Being a ring,
    it adds no hidden floor-sized caps inside the building."""
    return prism(_grow(poly, out).difference(_grow(poly, -inset)), z0, z1, color)


def _exterior(poly: shapely.Polygon) -> np.ndarray:
    """The CCW outer ring, without the closing repeat."""
    ring = shapely.orient_polygons(poly).exterior
    return np.asarray(ring.coords, np.float64)[:-1]


def _outline(polys: list[np.ndarray]) -> np.ndarray:
    """CCW outline of the union of footprints (their hull if they do not touch)."""
    union = shapely.union_all([shapely.Polygon(p) for p in polys])
    if not isinstance(union, shapely.Polygon):
        union = union.convex_hull
    return _exterior(union)


# --- the site: plaza, walkway and gate, common to every pavilion -----------------------------

def _plaza(s: _Site) -> list[MeshBatch]:
    w, d, b = s.w, s.d, min(1.4, 0.02 * min(s.w, s.d))
    slab = box((0, 0), (w, d), 0.0, PLAZA_TOP, STONE)
    # The border is inset from the slab edge so nothing pokes past the site rectangle.
    border = _band(_rect(-w / 2, w / 2, -d / 2, d / 2), PLAZA_TOP, PLAZA_TOP + 0.05,
                   s.tint(0.15), out=0.0, inset=b)
    walk = box((0, d / 4), (s.gate_width - 2.0, d / 2), PLAZA_TOP, PLAZA_TOP + 0.03, PAVING)
    return [slab, border, walk]


def _gate(s: _Site) -> list[MeshBatch]:
    """Two pylons and a lintel in the sector colour across the middle of the front edge."""
    gw, pz, k = s.gate_width, 1.4, s.k
    v = s.d / 2 - pz / 2 - 0.35
    top = PLAZA_TOP + 9.0 * k
    pylons = boxes(np.array([affine((x, v, (PLAZA_TOP + top) / 2), scale=(pz, pz, top - PLAZA_TOP))
                             for x in (-gw / 2, gw / 2)]), s.accent, s.tint(0.3))
    lintel = box((0, v), (gw + pz + 1.2, pz + 0.2), top - 1.3, top + 0.3, s.accent, top=s.tint(0.3))
    sign = box((0, v + 0.2), (gw * 0.55, pz + 0.2), top - 2.6, top - 1.3, WHITE)
    return [pylons, lintel, sign]


# --- the seven pavilions ----------------------------------------------------------------------

def _healthcare(s: _Site) -> _Model:
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
        parts.append(_band(plus, zb, zb + 2.0 * s.k, GLASS, out=0.12))
    parts.append(_band(plus, h - 1.4, h + 0.5, s.accent, inset=0.6))
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
    return _Model(parts, plus, za + 1.5)


def _mobility(s: _Site) -> _Model:
    """A streamlined hall whose wedge roof rises from nose to tail, circled by an oval test
    track with shuttles on it, and a charging canopy in the forecourt."""
    u0, u1, v0, v1 = s.zone
    tv1 = v1 + 3.0
    cv, hw, hd = (v0 + tv1) / 2, (u1 - u0) / 2, (tv1 - v0) / 2
    tw = float(np.clip(0.09 * min(s.w, s.d), 4.0, 7.0))
    outer = _rounded(0, cv, hw, hd, min(hw, hd), 10)
    inner = _rounded(0, cv, hw - tw, hd - tw, min(hw, hd) - tw, 10)
    parts = [prism(shapely.Polygon(outer, [inner]), PLAZA_TOP, PLAZA_TOP + 0.1, ASPHALT)]
    # Kerbs in the sector colour along both edges of the track, a white line down its middle.
    kerbs = (_grow(outer, 0.0).difference(_grow(outer, -0.7)),
             _grow(inner, 0.7).difference(_grow(inner, 0.0)))
    parts += [prism(k, PLAZA_TOP + 0.1, PLAZA_TOP + 0.14, s.accent) for k in kerbs]
    mid = _rounded(0, cv, hw - tw / 2, hd - tw / 2, min(hw, hd) - tw / 2, 10)
    parts.append(prism(_grow(mid, 0.15).difference(_grow(mid, -0.15)), PLAZA_TOP + 0.1,
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
    return _Model(parts, plan, top)


def _streamliner(s: _Site, cv: float, half_len: float, half_wid: float
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


def _shuttle(s: _Site, x: float, y: float, yaw: float) -> list[MeshBatch]:
    """A small self-driving pod, its long axis along ``yaw`` (0 = along +v)."""
    z = PLAZA_TOP + 0.1
    body = box((x, y), (2.3, 5.0), z + 0.3, z + 2.5, WHITE, yaw=yaw, top=s.tint(0.2))
    glass = box((x, y), (2.4, 4.2), z + 1.3, z + 2.2, DARK_GLASS, yaw=yaw)
    skirt = box((x, y), (2.35, 5.05), z + 0.3, z + 0.8, s.accent, yaw=yaw)
    return [body, glass, skirt]


def _energy(s: _Site) -> _Model:
    """A hall roofed with rows of solar panels tilted 30 degrees to true south, two wind
    turbines flanking the forecourt and battery containers beside the walk."""
    u0, u1, v0, v1 = s.zone
    hall = _rect(u0, u1, v0, v1 - 3.0)
    h = PLAZA_TOP + 17.0 * s.k
    parts = [prism(hall, PLAZA_TOP, h, WHITE, ROOF),
             _band(hall, PLAZA_TOP + 0.5, PLAZA_TOP + 5.0, GLASS, out=0.12),
             _band(hall, PLAZA_TOP + 0.55 * (h - PLAZA_TOP), h - 3.0, GLASS, out=0.12),
             _band(hall, h - 1.6, h + 0.6, s.accent, inset=0.5)]
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
    return _Model(parts, hall, h + 1.6)


def _solar_roof(s: _Site, roof: tuple[float, float, float, float], z: float) -> MeshBatch:
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


def _turbine(s: _Site, x: float, y: float, hub_z: float, rad: float) -> list[MeshBatch]:
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


def _culture(s: _Site) -> _Model:
    """A twisting media tower of stacked, turning floors in graded colours next to a white
    gallery whose front is a big media screen."""
    u0, u1, v0, v1 = s.zone
    side = 0.4 * min(u1 - u0, v1 - v0)
    tu, tv = u0 + side * 0.75, v0 + side * 0.75
    floors, pitch, slab, twist = 12, 3.0 * s.k, 0.6, 6.5
    # Media-art colours: the sector purple through magenta to amber, floor by floor.
    stops = np.array([s.accent[:3], [222, 78, 150], [250, 176, 86]], np.float64)
    parts: list[MeshBatch] = []
    grad = _gradient(stops, np.linspace(0.0, 1.0, floors))
    glass_ms, slab_ms = [], []
    for n in range(floors):
        z = PLAZA_TOP + n * pitch
        glass_ms.append(affine((tu, tv, z + (pitch - slab) / 2), yaw=n * twist,
                               scale=(side - 2.0, side - 2.0, pitch - slab)))
        slab_ms.append(affine((tu, tv, z + pitch - slab / 2), yaw=n * twist,
                              scale=(side, side, slab)))
    parts += [_painted(boxes(np.array(glass_ms), WHITE), grad),
              boxes(np.array(slab_ms), WHITE, top=ROOF)]
    top = PLAZA_TOP + floors * pitch
    parts.append(frustums(np.array([[tu, tv]]), top, top + 6.0, 0.35, 0.15, 6, STEEL))

    # The gallery and its media screen: a grid of coloured tiles facing the forecourt.
    g0 = tu + side * 0.75 + 2.0
    va = v1 - 0.6 * (v1 - v0)
    gallery = _rect(g0, u1, va, v1)
    gh = PLAZA_TOP + 12.0 * s.k
    # The roof falls away from the screen, so the gallery reads as a stage facing the plaza.
    slope = PLAZA_TOP + np.array([7.0, 7.0, 12.0, 12.0]) * s.k
    lid = _exterior(_grow(gallery, 0.6))
    lid_z = np.interp(lid[:, 1], [va, v1], slope[[0, 2]])
    parts += [prism(gallery, PLAZA_TOP, slope, WHITE, ROOF),
              prism(lid, lid_z, lid_z + 0.7, s.accent, ROOF),
              _band(gallery, PLAZA_TOP + 0.4, PLAZA_TOP + 2.8, DARK_GLASS, out=0.1)]
    sw, sz0, sz1 = u1 - g0 - 3.0, PLAZA_TOP + 3.6, gh - 1.8
    parts.append(box(((g0 + u1) / 2, v1 + 0.35), (sw + 1.0, 0.7), sz0 - 0.5, sz1 + 0.5, DARK))
    cols, rows = 8, 4
    tw, th = sw / cols, (sz1 - sz0) / rows
    r, c = np.divmod(np.arange(rows * cols), cols)
    tiles = [affine((g0 + 1.5 + (ci + 0.5) * tw, v1 + 0.8, sz0 + (ri + 0.5) * th),
                    scale=(tw - 0.25, 0.2, th - 0.25)) for ri, ci in zip(r, c, strict=True)]
    # The screen shows the same gradient running diagonally across it.
    parts.append(_painted(boxes(np.array(tiles), WHITE),
                          _gradient(stops, (c / (cols - 1) + r / (rows - 1)) / 2)))
    base = _rect(tu - side / 2, tu + side / 2, tv - side / 2, tv + side / 2)
    return _Model(parts, _outline([base, gallery]), top)


def _gradient(stops: np.ndarray, t: np.ndarray) -> np.ndarray:
    """RGB at positions ``t`` (0..1) along evenly spaced colour ``stops``."""
    x = np.clip(t, 0.0, 1.0) * (len(stops) - 1)
    i = np.minimum(x.astype(int), len(stops) - 2)
    f = (x - i)[:, None]
    return stops[i] * (1 - f) + stops[i + 1] * f


def _painted(batch: MeshBatch, rgb: np.ndarray) -> MeshBatch:
    """Colour a batch of equal pieces (e.g. ``boxes``) one RGB each, in order."""
    per = batch.vertex_count // len(rgb)
    batch.colors[:, :3] = np.repeat(np.round(rgb), per, axis=0).astype(np.uint8)
    return batch


def _manufacturing(s: _Site) -> _Model:
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
    foot = _rect(u0, ue, v0, v1)
    parts = [hall,
             _band(foot, PLAZA_TOP + 0.4, PLAZA_TOP + 1.2, s.accent, out=0.1),
             _band(foot, hw_z - 1.4, hw_z - 0.6, s.accent, out=0.1),
             box(((u0 + ue) / 2, v1 + 0.2), (0.35 * (ue - u0), 0.4), PLAZA_TOP,
                 PLAZA_TOP + 7.5, s.shade(0.9)),
             _band(foot, PLAZA_TOP + 4.0, PLAZA_TOP + 6.5, DARK_GLASS, out=0.12)]

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
    return _Model(parts, foot, hw_z + tooth)


def _robot_arm(s: _Site, rx: float, ry: float) -> list[MeshBatch]:
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


def _education(s: _Site) -> _Model:
    """A terraced, stepped school (rising from the front like an amphitheatre) with railings
    in the sector colour, under an open-book roof of two pages tilted up into a V."""
    u0, u1, v0, v1 = s.zone
    zw, zd = u1 - u0, v1 - v0
    big, su, sb, sf, th = 0.05 * zw, 0.09 * zw, 0.03 * zd, 0.13 * zd, 5.2 * s.k
    parts: list[MeshBatch] = []
    tiers = 4

    def tier_rect(n: int) -> np.ndarray:
        return _rect(u0 + big + n * su, u1 - big - n * su, v0 + n * sb, v1 - n * sf)

    for n in range(tiers):
        tier = tier_rect(n)
        z0, z1 = PLAZA_TOP + n * th, PLAZA_TOP + (n + 1) * th
        parts.append(prism(tier, z0, z1, WHITE, ROOF))
        parts.append(_band(tier, z0 + 1.0, z1 - 1.4, GLASS, out=0.1))
        parts.append(_band(tier, z1 - 0.2, z1 + 0.9, s.accent, inset=0.35))
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
    return _Model(parts, tier_rect(0), zs + half_w * sa + 0.6)


def _administration(s: _Site) -> _Model:
    """A domed civic rotunda: a podium with a front stair, a ring colonnade around a glass
    hall, an entablature, a drum and a dome in the sector colour with a lantern."""
    u0, u1, v0, v1 = s.zone
    cv = (v0 + v1) / 2
    hp = 0.46 * min(u1 - u0, v1 - v0)
    zp = PLAZA_TOP + 3.2
    podium = _rect(-hp, hp, cv - hp, cv + hp)
    parts = [prism(podium, PLAZA_TOP, zp, STONE, ROOF),
             _band(podium, zp - 0.5, zp, WHITE, out=0.15)]
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
    return _Model(parts, podium, z_do + h_dome)


_BUILDERS: dict[str, Callable[[_Site], _Model]] = {
    "healthcare": _healthcare,
    "mobility": _mobility,
    "energy": _energy,
    "culture": _culture,
    "manufacturing": _manufacturing,
    "education": _education,
    "administration": _administration,
}
