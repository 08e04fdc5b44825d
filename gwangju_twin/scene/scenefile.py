"""Scene files (TOML): what district to load, where its origin is, and how to look at it.

docs/scenes.md documents every key. Validation errors name the file, the key and what was
expected, so a typo never becomes a silent default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwangju_twin.errors import InputError
from gwangju_twin.geo.frame import parse_crs
from gwangju_twin.geo.load import DEFAULT_LEVEL_HEIGHT
from gwangju_twin.geo.model import LAYERS
from gwangju_twin.scene.numbers import MAX_LOCAL, number
from gwangju_twin.scene.pavilions import PavilionSpec, parse_pavilions
from gwangju_twin.scene.tour import TourStop, parse_tour
from gwangju_twin.tomlfile import read_toml

#: The start view when a scene does not say: looking north-north-east, 38 degrees down.
DEFAULT_HEADING = 20.0
DEFAULT_PITCH = 38.0


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
class Scene:
    """A validated scene: the district source and how to show it."""

    path: Path | None
    source: Path
    name: str = "district"
    crs: str | None = None
    origin: tuple[float, float] | None = None
    level_height: float = DEFAULT_LEVEL_HEIGHT
    camera: CameraSpec = field(default_factory=CameraSpec)
    layers: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(LAYERS, True))
    pavilions: tuple[PavilionSpec, ...] = ()
    plugin_folders: tuple[Path, ...] = ()
    tour: tuple[str, ...] = ()  # the guided tour's pavilion ids, in order
    frame_budget_ms: float = 4.0
    tour_stops: tuple[TourStop, ...] = ()  # the same stops with narration and dwell


def without_plugins(scene: Scene) -> Scene:
    """``scene`` with no plugin anywhere: no plugin folders, and no pavilion naming one."""
    return dataclasses.replace(
        scene, plugin_folders=(),
        pavilions=tuple(dataclasses.replace(p, plugin=None) for p in scene.pavilions))


_SECTIONS = {
    "scene": {"name": str},
    "district": {"source": str, "crs": str, "level_height": float},
    "origin": {"lon": float, "lat": float},
    "camera": {"target": dict, "heading": float, "pitch": float, "distance": float},
    "layers": dict.fromkeys(LAYERS, bool),
    "plugins": {"folder": str, "frame_budget_ms": float},
    "tour": {},  # keys: gwangju_twin/scene/tour.py
}
#: Sections that are arrays of tables, validated by their own parsers.
_ARRAYS = ("pavilion",)
#: Tables whose keys their own parsers validate (they hold arrays of tables).
_OWN_PARSER = ("tour",)


def load_scene(path: str | Path) -> Scene:
    """Read and validate a scene file; relative paths in it are relative to the file."""
    path = Path(path)
    return parse_scene(read_toml(path, InputError, "scene file"), path)


def parse_scene(doc: dict[str, Any], path: Path) -> Scene:
    """Validate a parsed scene document (see load_scene)."""
    for section, value in doc.items():
        if section in _ARRAYS:
            continue
        if section not in _SECTIONS:
            raise InputError(
                f"{path}: unknown section [{section}]; expected one of "
                + ", ".join([f"[{s}]" for s in _SECTIONS] + [f"[[{a}]]" for a in _ARRAYS])
            )
        if not isinstance(value, dict):
            raise InputError(f"{path}: '{section}' must be a table [{section}]")
        if section in _OWN_PARSER:
            continue
        for key, item in value.items():
            _check(path, section, key, item)

    district = doc.get("district", {})
    if "source" not in district:
        raise InputError(f"{path}: missing key 'district.source' (a GeoJSON path)")
    source = _resolve(path, "district.source", district["source"])
    if not source.is_file():
        raise InputError(
            f"{path}: 'district.source' names {district['source']!r}, which is not a file "
            f"(looked in {source.parent})"
        )
    level_height = number(path, "district.level_height",
                          district.get("level_height", DEFAULT_LEVEL_HEIGHT), 1.5, 10.0, "metres")
    if "crs" in district:
        # Checked here so a bad name is blamed on this file and key, not on --crs.
        parse_crs(district["crs"], f"{path}: 'district.crs'")

    origin = None
    if "origin" in doc:
        o = doc["origin"]
        if set(o) != {"lon", "lat"}:
            raise InputError(f"{path}: [origin] needs both 'lon' and 'lat' (degrees)")
        origin = _lonlat(path, "origin", o)

    cam = doc.get("camera", {})
    target_lonlat = target_local = None
    if "target" in cam:
        t = cam["target"]
        if set(t) == {"lon", "lat"}:
            target_lonlat = _lonlat(path, "camera.target", t)
        elif set(t) == {"x", "y"}:
            target_local = (
                number(path, "camera.target.x", t["x"], -MAX_LOCAL, MAX_LOCAL, "metres"),
                number(path, "camera.target.y", t["y"], -MAX_LOCAL, MAX_LOCAL, "metres"),
            )
        else:
            raise InputError(
                f"{path}: 'camera.target' must be {{lon = .., lat = ..}} or {{x = .., y = ..}} "
                f"(metres), got keys {sorted(t)}"
            )
    heading = number(path, "camera.heading", cam.get("heading", DEFAULT_HEADING), -360.0,
                     360.0, "compass degrees")
    pitch = number(path, "camera.pitch", cam.get("pitch", DEFAULT_PITCH), 5.0, 89.9, "degrees")
    distance = cam.get("distance")
    if distance is not None:
        distance = number(path, "camera.distance", distance, 10.0, 100_000.0, "metres")
    layers = dict.fromkeys(LAYERS, True)
    layers.update(doc.get("layers", {}))
    pavilions = parse_pavilions(path, doc.get("pavilion", []))
    plugins = doc.get("plugins", {})
    folders: tuple[Path, ...] = ()
    if "folder" in plugins:
        folder = _resolve(path, "plugins.folder", plugins["folder"])
        if not folder.is_dir():
            raise InputError(f"{path}: 'plugins.folder' names {plugins['folder']!r}, which is "
                             f"not a folder (looked for {folder})")
        folders = (folder,)
    budget = number(path, "plugins.frame_budget_ms", plugins.get("frame_budget_ms", 4.0), 0.5,
                    100.0, "milliseconds")
    tour, tour_stops = parse_tour(path, doc.get("tour", {}), pavilions)
    return Scene(
        path=path,
        source=source,
        name=str(doc.get("scene", {}).get("name", path.stem)),
        crs=district.get("crs"),
        origin=origin,
        level_height=level_height,
        camera=CameraSpec(target_lonlat, target_local, heading % 360.0, pitch, distance),
        layers=layers,
        pavilions=pavilions,
        plugin_folders=folders,
        tour=tour,
        frame_budget_ms=budget,
        tour_stops=tour_stops,
    )


def scene_for_geojson(
    path: str | Path, crs: str | None = None, level_height: float | None = None
) -> Scene:
    """A scene that shows a bare GeoJSON file with default settings."""
    path = Path(path)
    if level_height is None:
        level_height = DEFAULT_LEVEL_HEIGHT
    return Scene(path=None, source=path, name=path.stem, crs=crs, level_height=level_height)


def _check(path: Path, section: str, key: str, value: Any) -> None:
    expected = _SECTIONS[section].get(key)
    if expected is None:
        raise InputError(
            f"{path}: unknown key '{section}.{key}'; expected one of "
            + ", ".join(sorted(_SECTIONS[section]))
        )
    if expected is list:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif expected is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    if not ok:
        name = {float: "a number", str: "a string", bool: "true or false", dict: "a table",
            list: "an array of strings"}
        raise InputError(
            f"{path}: '{section}.{key}' is {value!r}; expected {name[expected]}"
        )


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


def _lonlat(path: Path, key: str, table: dict[str, Any]) -> tuple[float, float]:
    return (number(path, f"{key}.lon", table["lon"], -180.0, 180.0, "degrees of longitude"),
            number(path, f"{key}.lat", table["lat"], -85.0, 85.0, "degrees of latitude"))
