"""Procedural pavilions for the seven "5+2" sectors of the expo (pure numpy).

Every pavilion stands on a paved plaza that fills its site, has an entrance gate at the
middle of the front edge and a forecourt before a building whose silhouette names the sector:
a Greek cross for healthcare, a streamlined hall in a test track for mobility, solar roof and
wind turbines for energy, a twisting media tower for culture, a sawtooth factory with a stack
and a crane for manufacturing, a terraced school under an open book for education, and a domed
rotunda for administration. Architecture is mostly white; the sector colour is the accent.

Models are built in site coordinates (u to the right of the front, v to the front, z up,
origin at the site centre) with the kit in ``shapes`` and placed into the district at the end.

This module is the public door (``PavilionShape``, ``build_pavilion``, the constants) and
builds what every site shares: plaza, walkway and gate. The site frame, model record, palette
and polygon helpers live in ``pavilion_kit``; the buildings live in ``pavilion_civic``
(healthcare, education, administration), ``pavilion_mobility``, ``pavilion_industry`` (energy,
manufacturing) and ``pavilion_culture``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch, concat
from gwangju_twin.mesh.pavilion_civic import administration, education, healthcare
from gwangju_twin.mesh.pavilion_culture import culture
from gwangju_twin.mesh.pavilion_industry import energy, manufacturing
from gwangju_twin.mesh.pavilion_kit import (
    PAVING,
    PLAZA_TOP,
    STONE,
    WHITE,
    Model,
    Site,
    band,
    rect,
)
from gwangju_twin.mesh.pavilion_mobility import mobility
from gwangju_twin.mesh.prism import FOOT_SHADE
from gwangju_twin.mesh.shapes import MATERIAL, affine, box, boxes
from gwangju_twin.scene.sectors import SECTOR_IDS, sector


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
    site = Site(w, d, float(heading), np.array([*rgb, 255], np.uint8))
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



# --- the site: plaza, walkway and gate, common to every pavilion -----------------------------

def _plaza(s: Site) -> list[MeshBatch]:
    w, d, b = s.w, s.d, min(1.4, 0.02 * min(s.w, s.d))
    slab = box((0, 0), (w, d), 0.0, PLAZA_TOP, STONE)
    # The border is inset from the slab edge so nothing pokes past the site rectangle.
    border = band(rect(-w / 2, w / 2, -d / 2, d / 2), PLAZA_TOP, PLAZA_TOP + 0.05,
                  s.tint(0.15), out=0.0, inset=b)
    walk = box((0, d / 4), (s.gate_width - 2.0, d / 2), PLAZA_TOP, PLAZA_TOP + 0.03, PAVING)
    return [slab, border, walk]


def _gate(s: Site) -> list[MeshBatch]:
    """Two pylons and a lintel in the sector colour across the middle of the front edge."""
    gw, pz, k = s.gate_width, 1.4, s.k
    v = s.d / 2 - pz / 2 - 0.35
    top = PLAZA_TOP + 9.0 * k
    pylons = boxes(np.array([affine((x, v, (PLAZA_TOP + top) / 2), scale=(pz, pz, top - PLAZA_TOP))
                             for x in (-gw / 2, gw / 2)]), s.accent, s.tint(0.3))
    lintel = box((0, v), (gw + pz + 1.2, pz + 0.2), top - 1.3, top + 0.3, s.accent, top=s.tint(0.3))
    sign = box((0, v + 0.2), (gw * 0.55, pz + 0.2), top - 2.6, top - 1.3, WHITE)
    return [pylons, lintel, sign]


# --- the seven pavilions, built in the sector modules -----------------------------------------

_BUILDERS: dict[str, Callable[[Site], Model]] = {
    "healthcare": healthcare,
    "mobility": mobility,
    "energy": energy,
    "culture": culture,
    "manufacturing": manufacturing,
    "education": education,
    "administration": administration,
}
