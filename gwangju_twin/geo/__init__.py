"""The geo room (pure, no Panda3D): GeoJSON reading, CRS, repair, classification, heights."""

from gwangju_twin.geo.frame import LocalFrame, parse_crs
from gwangju_twin.geo.load import DEFAULT_LEVEL_HEIGHT, load_geojson
from gwangju_twin.geo.model import HEIGHT_SOURCES, LAYERS, District, Issue, LoadReport

__all__ = [
    "DEFAULT_LEVEL_HEIGHT",
    "HEIGHT_SOURCES",
    "LAYERS",
    "District",
    "Issue",
    "LoadReport",
    "LocalFrame",
    "load_geojson",
    "parse_crs",
]
