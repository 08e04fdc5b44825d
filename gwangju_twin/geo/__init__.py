"""The geo room (pure, no Panda3D): GeoJSON reading, CRS, repair, classification, heights.

The names below load with their module on first use, so importing the data model or the
frame alone does not read in the whole loader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gwangju_twin.lazy import lazy_names

if TYPE_CHECKING:
    from gwangju_twin.geo.frame import LocalFrame, parse_crs
    from gwangju_twin.geo.load import DEFAULT_LEVEL_HEIGHT, DEFAULT_MAX_VERTICES, load_geojson
    from gwangju_twin.geo.model import (
        HEIGHT_SOURCES,
        LAYERS,
        District,
        HeightSource,
        Issue,
        Layer,
        LoadReport,
    )
    from gwangju_twin.geo.reader import DEFAULT_MAX_BYTES, check_data_file, set_max_bytes

_LAZY = {
    "LocalFrame": "gwangju_twin.geo.frame",
    "parse_crs": "gwangju_twin.geo.frame",
    "DEFAULT_LEVEL_HEIGHT": "gwangju_twin.geo.load",
    "DEFAULT_MAX_VERTICES": "gwangju_twin.geo.load",
    "load_geojson": "gwangju_twin.geo.load",
    "HEIGHT_SOURCES": "gwangju_twin.geo.model",
    "LAYERS": "gwangju_twin.geo.model",
    "District": "gwangju_twin.geo.model",
    "HeightSource": "gwangju_twin.geo.model",
    "Issue": "gwangju_twin.geo.model",
    "Layer": "gwangju_twin.geo.model",
    "LoadReport": "gwangju_twin.geo.model",
    "DEFAULT_MAX_BYTES": "gwangju_twin.geo.reader",
    "check_data_file": "gwangju_twin.geo.reader",
    "set_max_bytes": "gwangju_twin.geo.reader",
}

__all__ = [
    "DEFAULT_LEVEL_HEIGHT",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_VERTICES",
    "HEIGHT_SOURCES",
    "LAYERS",
    "District",
    "HeightSource",
    "Issue",
    "Layer",
    "LoadReport",
    "LocalFrame",
    "check_data_file",
    "load_geojson",
    "parse_crs",
    "set_max_bytes",
]

__getattr__ = lazy_names(__name__, _LAZY)
