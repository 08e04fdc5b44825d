"""Scene files (TOML): what district to load, where its origin is, and how to look at it.

docs/scenes.md documents every key. Validation errors name the file, the key and what was
expected, so a typo never becomes a silent default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gwangju_twin.errors import InputError
from gwangju_twin.geo.encodings import text_codec
from gwangju_twin.geo.frame import parse_crs
from gwangju_twin.geo.load import DEFAULT_LEVEL_HEIGHT
from gwangju_twin.geo.model import LAYERS, POINTS_MODES, TILES_MODES, PointsMode, TilesMode
from gwangju_twin.geo.schemas import AUTO, builtin_schemas
from gwangju_twin.resources import (
    BUILTIN,
    BUILTIN_FOLDERS,
    builtin_district,
    builtin_districts,
    builtin_folder,
)
from gwangju_twin.scene.numbers import MAX_LOCAL, number
from gwangju_twin.scene.pavilions import PAVILIONS, Frame, PavilionSpec
from gwangju_twin.scene.tour import TourStop, parse_tour
from gwangju_twin.scene.wording import SceneWording
from gwangju_twin.schema import CheckError, Key, Spot, Table, walk
from gwangju_twin.tomlfile import read_toml

#: The start view when a scene does not say: looking north-north-east, 38 degrees down.
DEFAULT_HEADING = 20.0
DEFAULT_PITCH = 38.0

#: The ``kind`` of the district's rows that come from a scene's ``[boundaries]`` file (in
#: the "area" layer); plugins see them as ``DistrictData.boundaries``.
BOUNDARY_KIND = "boundary"


@dataclass(frozen=True)
class CameraSpec:
    """The start camera: target (lon/lat or local metres), heading, pitch and distance.

    Missing values mean "frame the whole district".
    """

    target_lonlat: tuple[float, float] | None = None
    target_local: tuple[float, float] | None = None
    heading: float = DEFAULT_HEADING
    pitch: float = DEFAULT_PITCH
    distance: float | None = None


@dataclass(frozen=True)
class BoundarySpec:
    """A separate file of administrative boundaries (dongs) beside the district
    (``[boundaries]``): read in the district's frame, cut to the district's extent."""

    source: Path
    name_key: str | None = None  # the property naming each boundary (default: the loader's)
    crs: str | None = None  # the file's CRS when it declares none
    encoding: str | None = None  # the attributes' text encoding, when not detected


@dataclass(frozen=True)
class Scene:
    """A validated scene: the district source and how to show it."""

    path: Path | None
    source: Path
    name: str = "district"
    crs: str | None = None
    origin: tuple[float, float] | None = None
    level_height: float = DEFAULT_LEVEL_HEIGHT
    encoding: str | None = None  # the attributes' text encoding, when not detected
    crs_override: bool = False  # 'crs' wins over the CRS the file declares
    points: PointsMode = "poi"  # which points become pins
    schema: str = "auto"  # the source schema (geo/schemas.toml), or detected
    camera: CameraSpec = field(default_factory=CameraSpec)
    layers: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(LAYERS, True))
    pavilions: tuple[PavilionSpec, ...] = ()
    plugin_folders: tuple[Path, ...] = ()
    tour: tuple[str, ...] = ()  # the guided tour's pavilion ids, in order
    frame_budget_ms: float = 4.0
    tour_stops: tuple[TourStop, ...] = ()  # the same stops with narration and dwell
    boundaries: BoundarySpec | None = None  # a separate boundary file ([boundaries])
    tiles: TilesMode = "auto"  # whether the city is drawn from a baked tile cache
    cache: Path | None = None  # the tile cache's folder (None: the platform's cache folder)
    time: datetime | None = None  # the scene's moment (timezone-aware); None: the program's


def _cache_folder(text: str, spot: Spot) -> Path:
    folder = _resolve(spot.path, spot.name, text)
    if folder.exists() and not folder.is_dir():
        raise CheckError(message=f"{spot.where} names {text!r}, which is not a folder")
    return folder


def without_plugins(scene: Scene) -> Scene:
    """``scene`` with no plugin anywhere: no plugin folders, and no pavilion naming one."""
    return dataclasses.replace(
        scene, plugin_folders=(),
        pavilions=tuple(dataclasses.replace(p, plugin=None) for p in scene.pavilions))


def load_scene(path: str | Path) -> Scene:
    """Read and validate a scene file; relative paths in it are relative to the file."""
    path = Path(path)
    return parse_scene(read_toml(path, InputError, "scene file"), path)


def parse_scene(doc: dict[str, Any], path: Path) -> Scene:
    """Validate a parsed scene document (see load_scene)."""
    scene: Scene = walk(doc, SCENE, path)
    return scene


def scene_for_geojson(
    path: str | Path, crs: str | None = None, level_height: float | None = None, *,
    encoding: str | None = None, crs_override: bool = False, points: PointsMode = "poi",
    schema: str = "auto",
) -> Scene:
    """A scene that shows a bare data file (GeoJSON or any format the readers take) with
    default settings and the reading options given."""
    path = Path(path)
    if level_height is None:
        level_height = DEFAULT_LEVEL_HEIGHT
    return Scene(path=None, source=path, name=path.stem, crs=crs, level_height=level_height,
                 encoding=encoding, crs_override=crs_override, points=points, schema=schema)


def _resolve(path: Path, key: str, text: str) -> Path:
    """``text`` (relative to the scene file's folder) as an absolute path; a NUL character
    or a symlink loop is an InputError naming the file and key, not a ValueError or a
    RuntimeError from pathlib."""
    if "\0" in text:
        raise InputError(f"{path}: '{key}' is {text!r}, which holds a NUL character; "
                         "expected a path")
    try:
        return (path.parent / text).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        raise InputError(f"{path}: '{key}' names {text!r}, which cannot be resolved ({exc}); "
                         "expected a path") from None


def _builtin(text: str, spot: Spot, find: Callable[[str], Path], names: Sequence[str]) -> Path:
    """``builtin:NAME``: what ships with Gwangju Twin, so a copied scene keeps working."""
    name = text.removeprefix(BUILTIN)
    try:
        return find(name)
    except KeyError:
        known = ", ".join(f'"{BUILTIN}{n}"' for n in names) or "none"
        raise CheckError(message=f"{spot.where} names {text!r}, which is not built in "
                                 f"(built in: {known})") from None


def _source(text: str, spot: Spot) -> Path:
    if text.startswith(BUILTIN):
        return _builtin(text, spot, builtin_district, builtin_districts())
    return _file(text, spot)


def _file(text: str, spot: Spot) -> Path:
    source = _resolve(spot.path, spot.name, text)
    if source.is_dir():
        raise CheckError(message=f"{spot.where} names {text!r}, which is a folder "
                                 f"({source}); expected a data file")
    if not source.is_file():
        raise CheckError(message=f"{spot.where} names {text!r}, which is not a file (looked "
                                 f"in {source.parent})")
    return source


def _folder(text: str, spot: Spot) -> Path:
    if text.startswith(BUILTIN):
        return _builtin(text, spot, builtin_folder, BUILTIN_FOLDERS)
    folder = _resolve(spot.path, spot.name, text)
    if not folder.is_dir():
        raise CheckError(message=f"{spot.where} names {text!r}, which is not a folder (looked "
                                 f"for {folder})")
    return folder


def _crs(text: str, spot: Spot) -> str:
    # Checked here so a bad name is blamed on this file and key, not on --crs.
    parse_crs(text, f"{spot.path}: {spot.where}")
    return text


#: A scene's time without an offset is Korean Standard Time (the scenes are in Korea).
KOREA = ZoneInfo("Asia/Seoul")


def _moment(text: str, spot: Spot) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CheckError(message=f"{spot.where} is {text!r}, which is not a date and time; "
                                 'expected e.g. "2026-12-22T09:00"') from None
    return when if when.tzinfo is not None else when.replace(tzinfo=KOREA)


def _encoding(text: str, spot: Spot) -> str:
    name = text_codec(text)
    if name is None:
        raise CheckError(message=f"{spot.where} is {text!r}, which is not a text encoding "
                                 "Python knows; expected e.g. utf-8, cp949 or euc-kr")
    return name


def _name_key(text: str, spot: Spot) -> str:
    if not text.strip():
        raise CheckError("the name of a property, e.g. \"adm_nm\"")
    return text


def _boundaries(values: dict[str, Any], spot: Spot) -> BoundarySpec:
    return BoundarySpec(values["source"], values["name_key"], values["crs"], values["encoding"])


def _schema(text: str, spot: Spot) -> str:
    names = builtin_schemas().order
    if text != AUTO and text not in names:
        raise CheckError(message=f"{spot.where} is {text!r}; expected {AUTO!r} or one of "
                                 + ", ".join(names))
    return text


def _target(table: dict[str, Any], spot: Spot) -> tuple[Frame, tuple[float, float]]:
    """The start view's target: ("lonlat", (lon, lat)) or ("local", (x, y) metres)."""
    path, key = spot.path, spot.name
    if set(table) == {"lon", "lat"}:
        return "lonlat", (number(path, f"{key}.lon", table["lon"], *_LON),
                          number(path, f"{key}.lat", table["lat"], *_LAT))
    if set(table) == {"x", "y"}:
        return "local", (number(path, f"{key}.x", table["x"], -MAX_LOCAL, MAX_LOCAL, "metres"),
                         number(path, f"{key}.y", table["y"], -MAX_LOCAL, MAX_LOCAL, "metres"))
    raise CheckError(message=f"{spot.where} must be {{lon = .., lat = ..}} or {{x = .., y = ..}} "
                             f"(metres), got keys {sorted(table)}")


def _camera(values: dict[str, Any], spot: Spot) -> CameraSpec:
    form, target = values["target"] or (None, None)
    return CameraSpec(target if form == "lonlat" else None, target if form == "local" else None,
                      values["heading"] % 360.0, values["pitch"], values["distance"])


def _scene(values: dict[str, Any], spot: Spot) -> Scene:
    district, plugins = values["district"], values["plugins"]
    if district["crs_override"] and district["crs"] is None:
        raise InputError(f"{spot.path}: 'district.crs_override' is true but 'district.crs' is "
                         "not set; name the CRS that should win over the one the file declares")
    pavilions = values["pavilion"]
    tour, tour_stops = parse_tour(spot.path, values["tour"], pavilions)
    name = values["scene"]["name"]
    return Scene(
        path=spot.path,
        source=district["source"],
        name=spot.path.stem if name is None else name,
        crs=district["crs"],
        origin=values["origin"],
        level_height=district["level_height"],
        encoding=district["encoding"],
        crs_override=district["crs_override"],
        points=district["points"],
        schema=district["schema"],
        tiles=district["tiles"],
        cache=district["cache"],
        camera=values["camera"],
        layers=values["layers"],
        pavilions=pavilions,
        plugin_folders=() if plugins["folder"] is None else (plugins["folder"],),
        tour=tour,
        frame_budget_ms=plugins["frame_budget_ms"],
        tour_stops=tour_stops,
        boundaries=values["boundaries"],
        time=values["scene"]["time"],
    )


#: Longitude and latitude bounds and units, as number() takes them.
_LON = (-180.0, 180.0, "degrees of longitude")
_LAT = (-85.0, 85.0, "degrees of latitude")
_BOTH = "[origin] needs both 'lon' and 'lat' (degrees)"

#: Every key of a scene file (docs/scenes.md), by section; [tour] has its own table in
#: gwangju_twin/scene/tour.py, since its checks need the scene's pavilions.
SCENE = Table(
    (
        Key("scene", "table", default={}, table=Table((
            Key("name", "str", "shown in the window title (default: the file's name)"),
            Key("time", "str", 'the moment the sun is drawn for, e.g. "2026-12-22T09:00" '
                "(Korean time unless it carries an offset; default: render's fixed late "
                "morning, the viewer's now)", check=_moment),
        ))),
        Key("district", "table", default={}, table=Table((
            Key("source", "path", "the data file", required=True, check=_source,
                missing="missing key {where} (the path of a data file: GeoJSON, "
                "Shapefile, GeoPackage, FlatGeobuf, OSM...)"),
            Key("crs", "str", "overrides the file's crs member", check=_crs),
            Key("level_height", "number", "metres per floor", default=DEFAULT_LEVEL_HEIGHT,
                unit="metres", range=(1.5, 10.0)),
            Key("encoding", "str", "the attributes' text encoding, e.g. cp949 (default: the "
                ".cpg file, else detected)", check=_encoding),
            Key("crs_override", "bool", "'crs' wins over the CRS the file declares",
                default=False),
            Key("points", "choice", '"poi" (points of interest only) or "all"', default="poi",
                choices=POINTS_MODES),
            Key("schema", "str", 'the source schema whose keys are read: "auto" (detected), '
                '"osm", "al_d010" or "kr_roads" (docs/data.md)', default="auto", check=_schema),
            Key("tiles", "choice", '"auto" (a baked tile cache for a city-sized source, or '
                'when one is fresh), "on" or "off" (docs/tiles.md)', default="auto",
                choices=TILES_MODES),
            Key("cache", "path", "the tile cache's folder (default: the platform's cache "
                "folder)", check=_cache_folder),
        ))),
        Key("boundaries", "table", "a separate file of administrative boundaries (dongs)",
            table=Table((
                Key("source", "path", "the boundary file", required=True, check=_file,
                    missing="missing key {where} (a boundary file's path)"),
                Key("name_key", "str", "the property naming each boundary (default: name, "
                    "name:ko or adm_nm)", check=_name_key),
                Key("crs", "str", "the file's CRS when it declares none", check=_crs),
                Key("encoding", "str", "the attributes' text encoding", check=_encoding),
            ), check=_boundaries)),
        Key("origin", "table", "centre of the local frame (default: centre of the data)",
            table=Table((
                Key("lon", "number", "longitude", required=True, unit=_LON[2],
                    range=_LON[:2], missing=_BOTH),
                Key("lat", "number", "latitude", required=True, unit=_LAT[2],
                    range=_LAT[:2], missing=_BOTH),
            ), check=lambda values, spot: (values["lon"], values["lat"]))),
        Key("camera", "table", default={}, table=Table((
            Key("target", "table", "{lon = .., lat = ..} or {x = .., y = ..} metres",
                check=_target),
            Key("heading", "number", "compass degrees the camera looks to",
                default=DEFAULT_HEADING, unit="compass degrees", range=(-360.0, 360.0)),
            Key("pitch", "number", "degrees below the horizon", default=DEFAULT_PITCH,
                unit="degrees", range=(5.0, 89.9)),
            Key("distance", "number", "metres from the target (default: fitted)",
                unit="metres", range=(10.0, 100_000.0)),
        ), check=_camera)),
        Key("layers", "table", "false hides a layer", default={}, table=Table(
            tuple(Key(layer, "bool", default=True) for layer in LAYERS))),
        Key("plugins", "table", default={}, table=Table((
            Key("folder", "path", "a drop-in plugins folder", check=_folder),
            Key("frame_budget_ms", "number", "a plugin's update budget per frame", default=4.0,
                unit="milliseconds", range=(0.5, 100.0)),
        ))),
        Key("tour", "table", "the guided tour (gwangju_twin/scene/tour.py)", default={}),
        PAVILIONS,
    ),
    check=_scene,
    wording=SceneWording(),
)
