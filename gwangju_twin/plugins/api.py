"""What a plugin sees: the names of its hooks and the read-only data it is given.

Everything here is re-exported by ``gwangju_twin.plugins``; plugins import only that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, overload

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
    ``use`` is the normalised use of each building (one of ``USES``: "residential",
    "commercial", "office", "public", "hospital", "school", "industrial", "religious",
    "other"), read from its tags; ``tags`` the source tags themselves, as read-only mappings.
    """

    footprints: np.ndarray
    heights: np.ndarray
    areas: np.ndarray
    centroids: np.ndarray
    levels: np.ndarray
    kinds: np.ndarray
    names: tuple[str | None, ...]
    ids: tuple[str | None, ...]
    use: np.ndarray
    tags: tuple[Mapping[str, Any], ...]

    def __len__(self) -> int:
        return len(self.heights)


@dataclass(frozen=True)
class Features:
    """The rest of the city beside buildings and roads, as read-only columns; row ``i`` of
    each is one feature.

    ``layer`` is the feature's layer: "landmarks" (named buildings and named points, a
    point's geometry is a shapely Point), "green", "water", "plazas" or "area" (e.g.
    administrative boundaries; those of the scene's boundary file have the kind
    "boundary", see ``DistrictData.boundaries``). ``name``/``name_en`` are its Korean and
    English names (or None), ``kind`` its sub-type ("park", "stream", "square", "civic",
    ...), ``tags`` its source tags as read-only mappings, ``centroid`` an (n, 2) point on
    each feature (inside a polygon, on a line), ``geometry`` the shapely geometries in
    district metres.
    """

    layer: np.ndarray
    name: tuple[str | None, ...]
    name_en: tuple[str | None, ...]
    kind: np.ndarray
    tags: tuple[Mapping[str, Any], ...]
    centroid: np.ndarray
    geometry: np.ndarray

    def __len__(self) -> int:
        return len(self.layer)

    def select(self, layer: str) -> np.ndarray:
        """Row indices of the features in ``layer`` (e.g. ``select("green")``)."""
        return np.flatnonzero(self.layer == layer)


def no_features() -> Features:
    """An empty ``Features``."""
    empty = read_only(np.zeros(0, dtype=str))
    return Features(layer=empty, name=(), name_en=(), kind=empty, tags=(),
                    centroid=read_only(np.zeros((0, 2))), geometry=read_only(np.zeros(0, object)))


@dataclass(frozen=True)
class DistrictData:
    """The read-only city a plugin can look at: buildings, road graph, pavilions and the
    other features (landmarks, green, water, plazas, areas).

    ``bounds`` is (x0, y0, x1, y1) in metres; ``origin_lonlat`` the (lon, lat) of the local
    frame's (0, 0). ``road_kinds`` holds the road class of each edge of ``roads`` (the
    source's ``highway`` value, e.g. "primary", "residential"; empty if not known).

    ``boundaries`` (API 1.1) holds the polygons of the boundary file the scene names beside
    its district (``[boundaries]``, e.g. a statistics office's dongs), empty when it names
    none: those that overlap the district, cut to ``bounds`` (so a dong partly outside keeps
    its part inside, and its outline there runs along the edge of ``bounds``). ``name`` is
    the file's name of each (``adm_nm``, ``name`` or the scene's ``name_key``), ``tags``
    the file's properties. The same rows are in ``features`` (layer "area", kind
    "boundary").
    """

    buildings: Buildings
    roads: RoadGraph
    pavilions: tuple[PavilionInfo, ...]
    bounds: tuple[float, float, float, float]
    origin_lonlat: tuple[float, float]
    _to_lonlat: Callable[[Any, Any], tuple[Any, Any]]
    features: Features
    _to_local: Callable[[Any, Any], tuple[Any, Any]]
    road_kinds: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    boundaries: Features = field(default_factory=lambda: no_features())

    @overload
    def to_lonlat(self, x: float, y: float) -> tuple[float, float]: ...
    @overload
    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def to_lonlat(self, x: Any, y: Any) -> tuple[Any, Any]:
        """WGS84 (lon, lat) of district point (x, y): floats for scalars, arrays for
        arrays (the inverse of ``to_local``)."""
        return _pair(self._to_lonlat, x, y)

    @overload
    def to_local(self, lon: float, lat: float) -> tuple[float, float]: ...
    @overload
    def to_local(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def to_local(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """District (x, y) in metres of WGS84 (lon, lat) degrees: floats for scalars,
        arrays for arrays (the inverse of ``to_lonlat``)."""
        return _pair(self._to_local, lon, lat)

    def pavilion(self, pavilion_id: str) -> PavilionInfo:
        """The pavilion with ``pavilion_id`` (KeyError if there is none)."""
        for p in self.pavilions:
            if p.id == pavilion_id:
                return p
        raise KeyError(pavilion_id)


def _pair(transform: Callable[[Any, Any], tuple[Any, Any]], a: Any, b: Any
          ) -> tuple[Any, Any]:
    """``transform(a, b)`` as floats when both are scalars, else as arrays."""
    u, v = transform(np.asarray(a, float), np.asarray(b, float))
    if np.ndim(a) == 0 and np.ndim(b) == 0:
        return float(u), float(v)
    return np.asarray(u, float), np.asarray(v, float)
