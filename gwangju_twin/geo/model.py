"""Plain data handed from the geo room to the rest: District, LoadReport, Issue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from gwangju_twin.geo.frame import LocalFrame

# Literals rather than Enums: these values are data, held in District's numpy columns and
# written as keys of the load report's JSON.

#: A layer a feature is classified into.
Layer = Literal["area", "green", "water", "plazas", "roads", "buildings", "landmarks"]
#: The layers, in drawing order from the ground up.
LAYERS: tuple[Layer, ...] = get_args(Layer)

#: Where a building's height came from: its height tag, its floor count, or its type.
HeightSource = Literal["measured", "levels", "default"]
HEIGHT_SOURCES: tuple[HeightSource, ...] = get_args(HeightSource)

#: Where the source CRS came from: the caller (an option or the scene file), the file's
#: ``crs`` member, or GeoJSON's default (WGS 84).
CrsFrom = Literal["option", "file", "default"]

#: Which points of a source become pins: only points of interest (a name, or a landmark,
#: amenity or tourism tag), or every point (``--points all``).
PointsMode = Literal["poi", "all"]
#: How a load chose its source schema: named by an option, detected from the keys, or the
#: default (OSM-style keys) when nothing matched.
SchemaFrom = Literal["option", "detected", "default"]
POINTS_MODES: tuple[PointsMode, ...] = get_args(PointsMode)
#: Whether a city is drawn from a baked tile cache: "auto" (when a fresh cache exists, or
#: the source is city-sized), always ("on", baking when needed) or never ("off").
TilesMode = Literal["auto", "on", "off"]
TILES_MODES: tuple[TilesMode, ...] = get_args(TilesMode)


@dataclass(frozen=True)
class Issue:
    """One feature-level problem: which feature (input index, id if any) and why."""

    index: int
    id: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"index": .., "id": .., "reason": ..}``."""
        return {"index": self.index, "id": self.id, "reason": self.reason}


@dataclass
class District:
    """Every loaded feature as columns, in the local metric frame (x east, y north, metres).

    Row ``i`` of every column describes the same feature; ``source_index[i]`` is its position
    in the input file. Heights are NaN for features that are not extruded.
    """

    frame: LocalFrame
    geometry: np.ndarray  # shapely geometries (Polygon, MultiPolygon, LineString, Point, ...)
    layer: np.ndarray  # Layer, object dtype
    kind: np.ndarray  # str, the sub-type: building type, road class, water kind, ...
    height: np.ndarray  # float64 metres above ground of the top
    min_height: np.ndarray  # float64 metres above ground of the bottom
    height_source: np.ndarray  # HeightSource, or "" for non-buildings; object dtype
    levels: np.ndarray  # float64 floors above ground, NaN when unknown
    width: np.ndarray  # float64 ribbon width of line features, NaN otherwise
    name: list[str | None]
    name_en: list[str | None]
    feature_id: list[str | None]
    source_index: np.ndarray  # int64
    properties: Sequence[dict[str, Any]]  # a list, or rows decoded as read (a tile cache)

    def __len__(self) -> int:
        return len(self.layer)

    def select(self, layer: Layer) -> np.ndarray:
        """Row indices of the features in ``layer``."""
        return np.flatnonzero(self.layer == layer)

    def take(self, rows: np.ndarray) -> District:
        """The rows ``rows`` (indices, in their order) as a district of their own, in the
        same frame."""
        cols: dict[str, Any] = {}
        for name, value in vars(self).items():
            if name == "frame":
                cols[name] = value
            elif isinstance(value, np.ndarray):
                cols[name] = value[rows]
            else:
                cols[name] = [value[i] for i in rows]
        return District(**cols)


@dataclass
class LoadReport:
    """What a load did: counts, repairs and skips. ``as_dict`` is the documented JSON form."""

    source: str
    crs: str
    crs_from: CrsFrom
    origin: tuple[float, float]
    features: int = 0
    loaded: int = 0
    layers: dict[Layer, int] = field(default_factory=lambda: dict.fromkeys(LAYERS, 0))
    heights: dict[HeightSource, int] = field(
        default_factory=lambda: dict.fromkeys(HEIGHT_SOURCES, 0))
    repaired: list[Issue] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    cleared: list[Issue] = field(default_factory=list)  # buildings removed for pavilion sites
    #: Points that are no points of interest (``--points poi``), counted by the tag that
    #: says what they are ("natural=tree", "highway=crossing", "addr:* only"): one Issue
    #: each would bury the report (thousands in a city centre).
    skipped_points: dict[str, int] = field(default_factory=dict)
    reoriented: int = 0
    height_range: tuple[float, float, float] | None = None  # min, mean, max of extruded tops
    bbox_lonlat: tuple[float, float, float, float] | None = None
    bbox_local: tuple[float, float, float, float] | None = None
    #: The CRS the file itself declares (its label) and where ("its .prj file"), or None.
    crs_declared: str | None = None
    crs_declared_by: str | None = None
    #: Set when a given CRS overrode a different declared one (``--crs-override``).
    crs_warning: str | None = None
    #: The source schema whose keys were read (geo/schemas.toml) and how it was chosen.
    source_schema: str = "osm"
    #: Buildings and landmarks per key that gave their height (lower case), e.g. a16, a26.
    height_keys: dict[str, int] = field(default_factory=dict)
    schema_from: SchemaFrom = "default"

    #: The format read ("GeoJSON", "ESRI Shapefile", "GeoPackage", ...).
    format: str = "GeoJSON"
    #: The attributes' text encoding and how it was found ("cp949 (from its .cpg file)").
    encoding: str = "utf-8"

    def points_left_out(self) -> dict[str, int]:
        """``skipped_points`` most common first (ties by tag)."""
        return dict(sorted(self.skipped_points.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON form printed by ``gwangju-twin inspect --json`` (docs/inspect.md)."""

        def box(b: tuple[float, ...] | None, nd: int) -> list[float] | None:
            return None if b is None else [round(float(v), nd) for v in b]

        return {
            "schema": "gwangju-twin/load-report/1",
            "source": self.source,
            "crs": self.crs,
            "crs_from": self.crs_from,
            "crs_declared": None if self.crs_declared is None else {
                "crs": self.crs_declared, "by": self.crs_declared_by},
            "crs_warning": self.crs_warning,
            "format": self.format,
            "encoding": self.encoding,
            "origin": [round(self.origin[0], 7), round(self.origin[1], 7)],
            "source_schema": self.source_schema,
            "schema_from": self.schema_from,
            "features": self.features,
            "loaded": self.loaded,
            "layers": dict(self.layers),
            "heights": dict(self.heights),
            "height_keys": dict(self.height_keys),
            "repaired": [i.as_dict() for i in self.repaired],
            "skipped": [i.as_dict() for i in self.skipped],
            "warnings": [i.as_dict() for i in self.warnings],
            "cleared": [i.as_dict() for i in self.cleared],
            "skipped_points": self.points_left_out(),
            "reoriented": self.reoriented,
            "height_m": None if self.height_range is None else dict(
                zip(("min", "mean", "max"), (round(v, 2) for v in self.height_range), strict=True)
            ),
            "bbox": {"lonlat": box(self.bbox_lonlat, 7), "local": box(self.bbox_local, 2)},
        }
