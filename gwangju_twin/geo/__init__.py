"""The geo room (pure, no Panda3D): GeoJSON reading, CRS, repair, classification, heights."""

from gwangju_twin.geo.frame import LocalFrame, parse_crs
from gwangju_twin.geo.load import DEFAULT_LEVEL_HEIGHT, DEFAULT_MAX_VERTICES, load_geojson
from gwangju_twin.geo.model import HEIGHT_SOURCES, LAYERS, District, Issue, LoadReport
from gwangju_twin.geo.reader import DEFAULT_MAX_BYTES, check_data_file, set_max_bytes

__all__ = [
    "DEFAULT_LEVEL_HEIGHT",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_VERTICES",
    "HEIGHT_SOURCES",
    "LAYERS",
    "District",
    "Issue",
    "LoadReport",
    "LocalFrame",
    "check_data_file",
    "load_geojson",
    "parse_crs",
    "set_max_bytes",
]
