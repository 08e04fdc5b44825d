"""Building the read-only DistrictData plugins receive from the loaded district."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import shapely

from gwangju_twin.geo.model import District, Layer
from gwangju_twin.geo.uses import building_use
from gwangju_twin.plugins.api import Buildings, DistrictData, Features, PavilionInfo, read_only
from gwangju_twin.plugins.roads import RoadGraph, build_road_graph
from gwangju_twin.scene.scenefile import BOUNDARY_KIND

#: The layers ``DistrictData.features`` holds: all but buildings and roads, which have their
#: own columns and graph. Named points are in "landmarks" (every point feature is).
FEATURE_LAYERS: tuple[Layer, ...] = ("landmarks", "green", "water", "plazas", "area")

#: Road kinds vehicles may not use; the plugins' road graph leaves them out.
FOOT_ONLY = ("footway", "path", "pedestrian", "cycleway", "steps", "bridleway", "corridor")


def building_rows(district: District) -> np.ndarray:
    """District rows of the buildings plugins see (``Buildings`` row i is district row
    ``building_rows(district)[i]``): polygonal features of the buildings layer."""
    rows = district.select("buildings")
    polygonal = np.isin(shapely.get_type_id(district.geometry[rows]), (3, 6))
    return rows[polygonal]


def district_data(
    district: District,
    pavilions: Sequence[PavilionInfo],
    bounds: tuple[float, float, float, float],
    rows: np.ndarray | None = None,
) -> DistrictData:
    """The plugins' view of ``district``: buildings, road graph and pavilions, read-only.

    Every array is a sealed copy (``api.read_only``), never a view of the district's own
    columns, so no plugin can change what the viewer or another plugin sees.

    ``rows`` is ``building_rows(district)``, for a caller that already has it.
    """
    rows = building_rows(district) if rows is None else rows
    footprints = district.geometry[rows]
    inside = shapely.point_on_surface(footprints)
    buildings = Buildings(
        footprints=read_only(footprints),
        heights=read_only(district.height[rows].astype(np.float64)),
        areas=read_only(shapely.area(footprints)),
        centroids=read_only(shapely.get_coordinates(inside).reshape(-1, 2)),
        levels=read_only(district.levels[rows].astype(np.float64)),
        kinds=read_only(district.kind[rows]),
        names=tuple(district.name[i] for i in rows),
        ids=tuple(district.feature_id[i] for i in rows),
        use=read_only(np.array([building_use(district.properties[i], str(district.kind[i]))
                                for i in rows], dtype=str).reshape(-1)),
        tags=tuple(frozen_tags(district.properties[i]) for i in rows),
    )
    road_rows = district.select("roads")
    drivable = road_rows[~np.isin(district.kind[road_rows], FOOT_ONLY)]
    lines = district.geometry[drivable]
    is_line = np.isin(shapely.get_type_id(lines), (1, 5))
    # Widths let a side street that stops inside a main road's carriageway (short of its
    # centre line) still join it.
    widths = district.width[drivable][is_line]
    frame = district.frame
    roads = build_road_graph(list(lines[is_line]), widths=widths)
    return DistrictData(
        buildings=buildings,
        roads=roads,
        road_kinds=read_only(edge_kinds(roads, lines[is_line], district.kind[drivable][is_line])),
        pavilions=tuple(pavilions),
        bounds=tuple(float(v) for v in bounds),  # type: ignore[arg-type]
        origin_lonlat=(float(frame.lon), float(frame.lat)),
        _to_lonlat=frame.to_lonlat,
        features=features(district),
        _to_local=frame.to_local,
        boundaries=features(district, boundary_rows(district)),
    )


def boundary_rows(district: District) -> np.ndarray:
    """District rows of the scene's boundary file (``with_boundaries`` in the expo room):
    the "area" rows of kind ``BOUNDARY_KIND``."""
    return np.flatnonzero((district.layer == "area") & (district.kind == BOUNDARY_KIND))


def features(district: District, rows: np.ndarray | None = None) -> Features:
    """The district's landmarks, green, water, plazas and areas (``FEATURE_LAYERS``), or
    only ``rows`` of them, as read-only columns, in district row order."""
    if rows is None:
        rows = np.flatnonzero(np.isin(district.layer, FEATURE_LAYERS))
    geoms = district.geometry[rows]
    inside = shapely.point_on_surface(geoms)
    return Features(
        layer=read_only(np.array([str(v) for v in district.layer[rows]], dtype=str)),
        name=tuple(district.name[i] for i in rows),
        name_en=tuple(district.name_en[i] for i in rows),
        kind=read_only(np.array([str(v) for v in district.kind[rows]], dtype=str)),
        tags=tuple(frozen_tags(district.properties[int(i)]) for i in rows),
        centroid=read_only(shapely.get_coordinates(inside).reshape(-1, 2)),
        geometry=read_only(geoms),
    )


def frozen_tags(tags: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy of a feature's tags: nested objects become read-only mappings and
    lists become tuples, so no plugin can change what another sees."""
    return MappingProxyType({str(k): _frozen(v) for k, v in tags.items()})


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return frozen_tags(value)
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def edge_kinds(roads: RoadGraph, lines: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """The road class of each edge of ``roads``: that of the source line nearest the edge's
    middle. Noding splits and merges lines, so an edge keeps no index of its source; its
    middle lies on exactly one road except where two roads overlap."""
    if len(roads.edges) == 0 or len(lines) == 0:
        return np.zeros(len(roads.edges), object)
    paths = [shapely.linestrings(roads.edge_path(i)) for i in range(len(roads.edges))]
    middles = shapely.line_interpolate_point(np.array(paths, object), 0.5, normalized=True)
    which, nearest = shapely.STRtree(lines).query_nearest(middles, all_matches=False)
    out = np.zeros(len(roads.edges), object)
    out[which] = np.asarray(kinds, object)[nearest]
    return out
