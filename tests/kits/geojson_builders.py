"""Small builders for GeoJSON test documents, in metres around Gwangju City Hall.

The tests keep their own metric frame (a pyproj transverse Mercator), independent of the
loader's, so a mistake in the loader's frame cannot hide behind the same mistake here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyproj import Geod, Transformer

CITY_HALL = (126.8515218, 35.1597705)
GEOD = Geod(ellps="WGS84")
CRS84 = "urn:ogc:def:crs:OGC:1.3:CRS84"
_TO_LONLAT = Transformer.from_crs(
    f"+proj=tmerc +lat_0={CITY_HALL[1]} +lon_0={CITY_HALL[0]} +k=1 +ellps=WGS84 +units=m",
    "EPSG:4326",
    always_xy=True,
)
LONLAT_TO_5186 = Transformer.from_crs("EPSG:4326", "EPSG:5186", always_xy=True)


def ll(x: float, y: float) -> list[float]:
    """A lon/lat position ``x`` metres east and ``y`` metres north of City Hall."""
    lon, lat = _TO_LONLAT.transform(x, y)
    return [lon, lat]


def ring(*xy: tuple[float, float], close: bool = True) -> list[list[float]]:
    """A ring through the given metric positions, closed unless ``close`` is False."""
    pts = [ll(x, y) for x, y in xy]
    return [*pts, pts[0]] if close else pts


def square(x: float, y: float, size: float) -> list[list[float]]:
    """A counter-clockwise square ring, closed."""
    return ring((x, y), (x + size, y), (x + size, y + size), (x, y + size))


def geodesic_area(positions: list[list[float]]) -> float:
    """Area (m²) of a lon/lat ring on the WGS84 ellipsoid."""
    lon, lat = np.asarray(positions, float).T
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


def geodesic_length(positions: list[list[float]]) -> float:
    """Length (m) of a lon/lat line on the WGS84 ellipsoid."""
    lon, lat = np.asarray(positions, float).T
    return float(GEOD.line_length(lon, lat))


def feature(geometry: Any, fid: Any = None, **props: Any) -> dict[str, Any]:
    """A Feature; ``id`` only when ``fid`` is given."""
    out: dict[str, Any] = {"type": "Feature", "properties": props, "geometry": geometry}
    if fid is not None:
        out["id"] = fid
    return out


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def collection(*features: dict[str, Any], crs: Any = None, **extra: Any) -> dict[str, Any]:
    """A FeatureCollection; a string ``crs`` becomes a legacy named-CRS member, any other
    value is used as the member verbatim."""
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": list(features), **extra}
    if isinstance(crs, str):
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    elif crs is not None:
        doc["crs"] = crs
    return doc
