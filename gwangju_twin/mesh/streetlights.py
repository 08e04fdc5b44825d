"""Where the street lights stand: points along the roads, for the city at night.

City streets are lit by poles typically some 25-40 m apart (Korea's road-lighting standard,
KS C 3701, sets the spacing by the road's class and the pole's height); one spacing for
every road keeps this a picture of a lit city, not a lighting plan. Poles alternate sides,
a step off the kerb, lamps at LAMP_HEIGHT. Service roads (car parks, driveways) get none.

Each lamp carries an emissive byte as the city's walls do (mesh/glow.py): how bright it
shines, by its road's class (KS C 3701 asks more light of a major road than of a lane).
"""

from __future__ import annotations

import numpy as np
import shapely

from gwangju_twin.geo.model import District

#: Metres between two lamps along a road (alternating sides).
SPACING_M = 30.0
#: The lamp's height above the street.
LAMP_HEIGHT_M = 8.0
#: How far outside the carriageway a pole stands.
KERB_M = 0.8
#: A road whose width is unknown is taken as this wide.
DEFAULT_WIDTH_M = 6.0
#: Road kinds without street lights.
UNLIT = frozenset({"service"})
#: A lamp's emissive byte (255: full brightness) by its road's kind; any other kind
#: (residential streets, unclassified roads) gets LANE_GLOW.
ROAD_GLOW: dict[str, int] = {
    "motorway": 255, "trunk": 255, "primary": 255, "secondary": 255, "tertiary": 235,
    "pedestrian": 200, "footway": 200, "path": 200, "cycleway": 200, "steps": 200,
}
LANE_GLOW = 215


def streetlight_positions(district: District, spacing: float = SPACING_M) -> np.ndarray:
    """float32 (n, 3) lamp positions along the district's road lines: every ``spacing``
    metres from half a spacing in, alternating sides of the road, just outside its width."""
    return street_lamps(district, spacing)[0]


def street_lamps(district: District,
                 spacing: float = SPACING_M) -> tuple[np.ndarray, np.ndarray]:
    """The lamps as ``streetlight_positions`` places them, and each one's emissive byte
    (uint8 (n,), ROAD_GLOW by its road's kind)."""
    if spacing <= 0:
        raise ValueError(f"street light spacing {spacing!r}: expected a positive distance")
    rows = np.flatnonzero((district.layer == "roads")
                          & (shapely.get_type_id(district.geometry) == 1)
                          & ~np.isin(np.asarray(district.kind, dtype=str), list(UNLIT)))
    if len(rows) == 0:
        return np.zeros((0, 3), np.float32), np.zeros(0, np.uint8)
    lines = district.geometry[rows]
    widths = np.nan_to_num(district.width[rows].astype(float), nan=DEFAULT_WIDTH_M)
    counts = np.floor(shapely.length(lines) / spacing).astype(np.int64)
    which = np.repeat(np.arange(len(rows)), counts)
    if len(which) == 0:
        return np.zeros((0, 3), np.float32), np.zeros(0, np.uint8)
    # The k-th lamp of each road: k counted within its road.
    k = np.arange(len(which)) - np.repeat(np.cumsum(counts) - counts, counts)
    along = (k + 0.5) * spacing
    on = shapely.get_coordinates(shapely.line_interpolate_point(lines[which], along))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(lines[which], along + 0.5))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(lines[which],
                                                                     along - 0.5))
    tangent = ahead - behind
    norm = np.linalg.norm(tangent, axis=1, keepdims=True)
    tangent = np.divide(tangent, norm, out=np.zeros_like(tangent), where=norm > 0)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    side = np.where(k % 2 == 0, 1.0, -1.0)
    xy = on + normal * (side * (widths[which] / 2 + KERB_M))[:, None]
    out = np.empty((len(xy), 3), np.float32)
    out[:, :2] = xy
    out[:, 2] = LAMP_HEIGHT_M
    kinds = np.asarray(district.kind[rows], dtype=str)
    unique, inverse = np.unique(kinds, return_inverse=True)
    per_road = np.array([ROAD_GLOW.get(str(k), LANE_GLOW) for k in unique],
                        np.uint8)[inverse.reshape(-1)]
    return out, per_road[which]
