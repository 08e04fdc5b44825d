"""Colours and ground-layer heights of the district: one place for the look of the city."""

from __future__ import annotations

import numpy as np

RGBA = tuple[int, int, int, int]

#: Wall colours by building type; roofs are a lighter, greyer version of the same.
BUILDING_COLORS: dict[str, RGBA] = {
    "apartments": (236, 230, 218, 255),
    "residential": (232, 222, 206, 255),
    "house": (222, 198, 172, 255),
    "commercial": (178, 198, 218, 255),
    "retail": (224, 200, 172, 255),
    "office": (160, 184, 206, 255),
    "hotel": (196, 188, 214, 255),
    "civic": (228, 216, 178, 255),
    "public": (228, 216, 178, 255),
    "government": (228, 216, 178, 255),
    "school": (222, 178, 140, 255),
    "university": (214, 170, 136, 255),
    "hospital": (236, 238, 240, 255),
    "industrial": (190, 192, 188, 255),
    "warehouse": (196, 190, 180, 255),
    "convention": (206, 220, 232, 255),
}
BUILDING_DEFAULT: RGBA = (212, 200, 184, 255)
LANDMARK_COLOR: RGBA = (242, 188, 104, 255)

ROAD_COLORS: dict[str, RGBA] = {
    "motorway": (78, 82, 92, 255),
    "trunk": (82, 86, 96, 255),
    "primary": (88, 92, 102, 255),
    "secondary": (104, 108, 116, 255),
    "tertiary": (118, 121, 128, 255),
    "residential": (136, 138, 144, 255),
    "service": (150, 151, 156, 255),
    "pedestrian": (206, 196, 178, 255),
    "footway": (206, 196, 178, 255),
    "path": (196, 184, 160, 255),
    "cycleway": (170, 120, 110, 255),
}
ROAD_DEFAULT: RGBA = (128, 130, 136, 255)
#: Road classes stack bottom-up in this order, so a crossing shows the bigger road on top.
ROAD_RANK = ("footway", "path", "cycleway", "pedestrian", "service", "residential",
             "unclassified", "tertiary", "secondary", "primary", "trunk", "motorway")

WATER_COLOR: RGBA = (92, 156, 204, 255)
GREEN_COLORS: dict[str, RGBA] = {
    "park": (124, 174, 104, 255),
    "pitch": (104, 166, 92, 255),
    "forest": (88, 140, 80, 255),
    "wood": (88, 140, 80, 255),
    "grass": (144, 188, 118, 255),
}
GREEN_DEFAULT: RGBA = (132, 180, 110, 255)
PLAZA_COLOR: RGBA = (216, 208, 192, 255)
AREA_FILL: RGBA = (176, 150, 214, 46)
#: Kinds of the area layer drawn as outlines only, never filled: administrative units
#: nest (country, province, municipality) and tile the land, so their stacked fills
#: would tint a whole country purple (the boundary=* values of OpenStreetMap, and the
#: project's own dong and boundary-file kinds).
OUTLINE_ONLY_KINDS: frozenset[str] = frozenset({
    "administrative", "political", "postal_code", "census", "statistical",
    "local_authority", "dong", "boundary"})
AREA_LINE: RGBA = (112, 84, 168, 255)
#: Lines of the area layer by kind (geo/tags.py AREA_LINE_KINDS); any other kind, such as
#: an administrative boundary, keeps AREA_LINE's purple.
AREA_LINE_COLORS: dict[str, RGBA] = {
    "railway": (58, 58, 62, 255),
    "power_line": (214, 216, 220, 255),
    "barrier": (138, 124, 104, 255),
    "line": (150, 142, 128, 255),
}
#: Railways are also a dark ribbon this wide (metres), about a track with its sleepers, so
#: they read as a railway close up while their line keeps them visible from afar.
RAILWAY_WIDTH = 3.5
RAILWAY_COLOR: RGBA = (84, 82, 84, 255)
GROUND_COLOR: RGBA = (186, 184, 174, 255)
#: A clear day: pale blue at the horizon (the haze's colour too), deep blue overhead.
SKY_ZENITH: RGBA = (78, 132, 206, 255)
SKY_HORIZON: RGBA = (196, 216, 238, 255)

#: Heights (metres) of the flat layers: each its own level so nothing z-fights, and the
#: renderer also paints them in this order.
GROUND_Z = {"area": 0.02, "green": 0.05, "water": 0.08, "plazas": 0.11, "roads": 0.14}
ROAD_Z_STEP = 0.01
#: Railway ribbons lie above every road level (ROAD_RANK steps) and below the lines.
RAILS_Z = 0.3
LINES_Z = 0.4


def jitter(rgba: np.ndarray, seed: np.ndarray, amount: float = 0.06) -> np.ndarray:
    """Vary colours per feature by up to +-amount, deterministically from an integer seed,
    so a block of identical apartments does not read as one slab."""
    h = (seed.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(1000)
    f = 1.0 + amount * (h.astype(np.float64) / 500.0 - 1.0)
    out = rgba.astype(np.float64)
    out[:, :3] *= f[:, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def roof_of(walls: np.ndarray) -> np.ndarray:
    """Roof colours: lighter and greyer than the walls, as flat roofs read from above."""
    out = walls.astype(np.float64)
    grey = out[:, :3].mean(axis=1, keepdims=True)
    out[:, :3] = np.clip(0.55 * out[:, :3] + 0.45 * grey + 14, 0, 255)
    return out.astype(np.uint8)


def lookup(table: dict[str, RGBA], default: RGBA, keys: np.ndarray) -> np.ndarray:
    """uint8 RGBA per key."""
    if len(keys) == 0:
        return np.zeros((0, 4), np.uint8)
    unique, inverse = np.unique(np.asarray(keys, dtype=str), return_inverse=True)
    colors = np.array([table.get(str(k), default) for k in unique], np.uint8)
    return colors[inverse.reshape(-1)]
