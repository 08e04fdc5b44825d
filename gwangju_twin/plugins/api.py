"""What a plugin sees: the names of its hooks and the read-only data it is given.

Everything here is re-exported by ``gwangju_twin.plugins``; plugins import only that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gwangju_twin.plugins.guard import Hook
from gwangju_twin.plugins.roads import RoadGraph
from gwangju_twin.plugins.sealed import read_only as read_only  # part of this module's API

#: The lifecycle hooks, in the order the host calls them.
HOOKS: tuple[Hook, ...] = (Hook.LOAD, Hook.ENTER, Hook.UPDATE, Hook.EXIT, Hook.UNLOAD)


@dataclass(frozen=True)
class PavilionInfo:
    """Where a pavilion stands, in district coordinates (metres; x east, y north, z up).

    ``heading`` is the compass direction the entrance faces (degrees clockwise from north);
    ``size`` is the site's (width, depth); ``height`` the top of its architecture.
    """

    id: str
    sector: str
    name_ko: str
    name_en: str
    position: tuple[float, float]
    heading: float
    size: tuple[float, float]
    entrance: tuple[float, float]
    height: float
    plugin: str | None = None


@dataclass(frozen=True)
class Buildings:
    """The district's buildings as read-only columns; row ``i`` of each is one building.

    ``footprints`` holds shapely Polygons/MultiPolygons in district metres; ``heights`` the
    roof height (m), ``areas`` the footprint area (m²), ``centroids`` (n, 2) points inside
    each footprint, ``levels`` the floor count (NaN when unknown), ``kinds`` the building type
    (e.g. "apartments", "office"), ``names``/``ids`` the GeoJSON name and id (or None).
    """

    footprints: np.ndarray
    heights: np.ndarray
    areas: np.ndarray
    centroids: np.ndarray
    levels: np.ndarray
    kinds: np.ndarray
    names: tuple[str | None, ...]
    ids: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.heights)


@dataclass(frozen=True)
class DistrictData:
    """The read-only city a plugin can look at: buildings, road graph and pavilions.

    ``bounds`` is (x0, y0, x1, y1) in metres; ``origin_lonlat`` the (lon, lat) of the local
    frame's (0, 0). ``road_kinds`` holds the road class of each edge of ``roads`` (the
    source's ``highway`` value, e.g. "primary", "residential"; empty if not known).
    """

    buildings: Buildings
    roads: RoadGraph
    pavilions: tuple[PavilionInfo, ...]
    bounds: tuple[float, float, float, float]
    origin_lonlat: tuple[float, float]
    _to_lonlat: Callable[[Any, Any], tuple[Any, Any]]
    road_kinds: np.ndarray = field(default_factory=lambda: np.zeros(0, object))

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """WGS84 (lon, lat) of district point (x, y)."""
        lon, lat = self._to_lonlat(x, y)
        return float(lon), float(lat)

    def pavilion(self, pavilion_id: str) -> PavilionInfo:
        """The pavilion with ``pavilion_id`` (KeyError if there is none)."""
        for p in self.pavilions:
            if p.id == pavilion_id:
                return p
        raise KeyError(pavilion_id)
