"""The local metric frame every feature is drawn in, and CRS parsing, all through pyproj.

The frame is a transverse Mercator projection centred on the scene origin with scale 1 there:
inside a 20 km district its scale error stays below a few parts per million, far under the
0.1 % the viewer promises for distances, and round trips are exact to well under a centimetre.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from gwangju_twin.errors import InputError

WGS84 = CRS.from_epsg(4326)


def parse_crs(text: str, where: str) -> CRS:
    """Parse a CRS name such as ``EPSG:5186`` or ``urn:ogc:def:crs:OGC:1.3:CRS84``.

    ``where`` names the source (file and key, or option) for the error message.
    """
    try:
        return CRS.from_user_input(text)
    except (CRSError, TypeError, ValueError) as exc:
        raise InputError(
            f"{where}: unknown coordinate reference system {text!r}; "
            "expected a name such as EPSG:4326, EPSG:5186 or urn:ogc:def:crs:OGC:1.3:CRS84"
        ) from exc


def crs_label(crs: CRS) -> str:
    """A short stable name for a CRS, e.g. ``EPSG:4326``."""
    auth = crs.to_authority(min_confidence=90)
    if auth is not None:
        return f"{auth[0]}:{auth[1]}"
    return crs.name


class LocalFrame:
    """Metres east (x) and north (y) of an origin given in WGS84 lon/lat."""

    def __init__(self, lon: float, lat: float) -> None:
        if not (-180.0 <= lon <= 180.0 and -85.0 <= lat <= 85.0):
            raise InputError(f"origin ({lon}, {lat}) is not a valid lon/lat position")
        self.lon = float(lon)
        self.lat = float(lat)
        tmerc = (
            f"+proj=tmerc +lat_0={self.lat!r} +lon_0={self.lon!r} +k=1 +x_0=0 +y_0=0 "
            "+ellps=WGS84"
        )
        self.crs = CRS.from_proj4(f"{tmerc} +units=m +no_defs")
        # Explicit pipelines give the same numbers as Transformer.from_crs(WGS84, crs) but
        # build in a fraction of a millisecond instead of tens: a load makes one per call.
        self._forward = Transformer.from_pipeline(
            f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {tmerc}"
        )
        self._inverse = Transformer.from_pipeline(
            f"+proj=pipeline +step +inv {tmerc} +step +proj=unitconvert +xy_in=rad +xy_out=deg"
        )

    def to_local(self, lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised lon/lat (degrees) to local x/y (metres); scalars give 0-d arrays."""
        x, y = self._forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x, float), np.asarray(y, float)

    def to_lonlat(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised local x/y (metres) back to lon/lat (degrees); scalars give 0-d
        arrays."""
        lon, lat = self._inverse.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon, float), np.asarray(lat, float)

    def __repr__(self) -> str:
        return f"LocalFrame(lon={self.lon}, lat={self.lat})"


def source_to_lonlat(crs: CRS) -> Transformer | None:
    """A transformer from ``crs`` to WGS84 lon/lat, or None when ``crs`` already is lon/lat."""
    if crs.is_geographic and crs.equals(WGS84, ignore_axis_order=True):
        return None
    return lonlat_transformer(crs)


def lonlat_transformer(crs: CRS) -> Transformer:
    """``crs`` -> WGS84 lon/lat with the datum shift EPSG publishes for its datum.

    PROJ picks the best transformation it knows for an EPSG CRS (for EPSG:5174, Korean 1985,
    EPSG:5191 "Korean 1985 to WGS 84 (1)", accurate to 1 m). A CRS given without its datum's
    name or parameters (a PROJ string such as ``+proj=tmerc ... +ellps=bessel``) gets only a
    "ballpark" shift, which for Korea's Bessel datum is ~350 m off. When such a CRS is
    identified as an EPSG CRS, that CRS's transformation is used instead.
    """
    tr = Transformer.from_crs(crs, WGS84, always_xy=True)
    if "ballpark" not in tr.description.lower():
        return tr
    code = crs.to_authority(min_confidence=70)
    if code is None:
        return tr
    known = CRS.from_authority(*code)
    better = Transformer.from_crs(known, WGS84, always_xy=True)
    return tr if "ballpark" in better.description.lower() else better
