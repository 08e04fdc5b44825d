"""OpenStreetMap files (.osm XML, .osm.pbf) -> raw parts, through pyosmium.

Placeholder until the OSM reader lands: the format is recognised and refused in one line.
"""

from __future__ import annotations

from pathlib import Path

from gwangju_twin.errors import InputError
from gwangju_twin.geo.reader import RawCollection


def read_osm(path: Path, max_bytes: int | None = None) -> RawCollection:
    """Read an OpenStreetMap file into raw features (not yet: raises InputError)."""
    raise InputError(f"{path}: OpenStreetMap files are not read yet; convert it with "
                     f"'osmium export {path.name} -o district.geojson'")
