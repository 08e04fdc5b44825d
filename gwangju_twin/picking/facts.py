"""What the info panel says about a picked building: one District row as plain facts."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import shapely

from gwangju_twin.geo.model import District, HeightSource, Layer
from gwangju_twin.mesh.district import MARKER_HEIGHT


@dataclass(frozen=True)
class BuildingFacts:
    """Facts about one feature of a District, ready to show.

    ``height`` is the top in metres: the drawn marker's height for point landmarks, 0 for
    features that are not extruded. ``floors`` is the tagged floor count (None when unknown);
    ``floors_estimated`` is ``round(height / level_height)`` when it is unknown and the height
    is the building's own (None when floors are known or nothing was extruded).
    ``footprint_m2`` is 0 for points and lines; ``lon``/``lat`` are of a point on the
    footprint's surface.
    """

    row: int
    layer: Layer
    kind: str
    name: str | None
    name_en: str | None
    height: float
    height_source: HeightSource | Literal[""]  # "" when nothing was extruded
    floors: float | None
    floors_estimated: int | None
    footprint_m2: float
    lon: float
    lat: float
    feature_id: str | None


def building_facts(district: District, row: int, level_height: float = 3.0) -> BuildingFacts:
    """Facts of District row ``row``; IndexError when the row does not exist.

    ``level_height`` (metres per floor) should be the one the district was loaded with.
    """
    i = operator.index(row)
    if not 0 <= i < len(district):
        raise IndexError(f"row {row}: the district has rows 0 to {len(district) - 1}")
    geom = district.geometry[i]
    # The District's columns hold these values (see geo.model); numpy does not type them.
    source = cast("HeightSource | Literal['']", _text(district.height_source[i]) or "")
    height = float(district.height[i])
    if not math.isfinite(height):
        # Point landmarks are drawn as markers of a fixed height; other flat features have none.
        is_marker = district.layer[i] == "landmarks" and shapely.get_type_id(geom) in (1, 4)
        height = MARKER_HEIGHT if is_marker else 0.0
    floors = _number(district.levels[i])
    estimated = None
    if floors is None and source and height > 0:
        estimated = round(height / level_height)
    if geom is None or shapely.is_empty(geom):
        x = y = math.nan
        area = 0.0
    else:
        x, y = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
        area = float(shapely.area(geom))
    lon, lat = district.frame.to_lonlat(np.array([x]), np.array([y]))
    return BuildingFacts(
        row=i,
        layer=cast(Layer, str(district.layer[i])),
        kind=_text(district.kind[i]) or "",
        name=_text(district.name[i]),
        name_en=_text(district.name_en[i]),
        height=height,
        height_source=source,
        floors=floors,
        floors_estimated=estimated,
        footprint_m2=area,
        lon=float(lon[0]),
        lat=float(lat[0]),
        feature_id=_text(district.feature_id[i]),
    )


def _text(value: Any) -> str | None:
    """A column value as text; None for missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _number(value: Any) -> float | None:
    """A column value as a float; None for NaN."""
    v = float(value)
    return v if math.isfinite(v) else None
