"""A scene's city read for the viewer: from its fresh tile cache when there is one, else from
its source, baking the cache on the way when the scene wants tiles (``Scene.tiles``).

``city_steps`` is a generator so a loading screen can keep drawing while a bake runs (in a
thread: the bake releases the GIL in numpy and GEOS most of the time).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from gwangju_twin.geo import District, LoadReport, load_geojson
from gwangju_twin.scene import Scene
from gwangju_twin.tiles.bake import threaded
from gwangju_twin.tiles.cache import (
    Cache,
    StaleCacheError,
    bake,
    cache_key,
    default_folder,
    open_cache,
    source_digest,
)
from gwangju_twin.tiles.files import CorruptFileError

log = logging.getLogger("gwangju_twin.tiles")
T = TypeVar("T")

#: A source with at least this many buildings is drawn from tiles with ``tiles = "auto"``:
#: below it, meshing at start-up takes about a second and a cache buys nothing.
TILES_FROM = 20_000
#: How often (seconds) the loading screen is redrawn while a bake runs.
BAKE_FRAME_S = 0.1


def load_options(scene: Scene) -> dict[str, Any]:
    """The scene's options that change what its source loads as (part of the cache key)."""
    return {"crs": scene.crs, "crs_override": scene.crs_override,
            "origin": list(scene.origin) if scene.origin else None,
            "level_height": scene.level_height, "encoding": scene.encoding,
            "points": scene.points, "schema": scene.schema}


def cache_folder(scene: Scene) -> Path:
    """Where the scene's tile cache lives: its own setting, else the platform's cache."""
    return scene.cache if scene.cache is not None else default_folder(scene.source)


def read_district(scene: Scene) -> tuple[District, LoadReport]:
    """The scene's source read with the scene's options (no boundaries, no pavilions)."""
    # A scene file names its CRS in 'district.crs'; a bare data file gets it from --crs.
    named_by = f"{scene.path}: 'district.crs'" if scene.path else "the --crs option"
    return load_geojson(
        scene.source, crs=scene.crs, origin=scene.origin, level_height=scene.level_height,
        crs_named_by=named_by, encoding=scene.encoding, crs_override=scene.crs_override,
        points=scene.points, schema=scene.schema,
    )


@dataclass
class BakeMeter:
    """How far a bake is (tiles done of all), shown on a terminal as it moves: a bar
    redrawn in place on a terminal, a line per quarter otherwise (a log file)."""

    stream: TextIO | None = field(default_factory=lambda: sys.stderr)
    done: int = 0
    total: int = 0
    _shown: int = -1

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self.stream is None:
            return
        tty = getattr(self.stream, "isatty", lambda: False)()
        pct = int(100 * self.fraction)
        if tty:
            bar = "#" * (pct // 4) + "." * (25 - pct // 4)
            self.stream.write(f"\rbaking tiles [{bar}] {pct:3d}% ({done}/{total})")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        elif pct // 25 != self._shown:
            self._shown = pct // 25
            self.stream.write(f"baking tiles: {pct}% ({done}/{total})\n")
            self.stream.flush()


@dataclass
class City:
    """A scene's district and load report, and its tile cache when it is drawn from tiles."""

    district: District
    report: LoadReport
    cache: Cache | None = None


def city_steps(scene: Scene, meter: BakeMeter | None = None
               ) -> Generator[str, None, City]:
    """Read the scene's city (yielding "baking" while a bake runs); see the module."""
    if scene.tiles == "off":
        return City(*read_district(scene))
    folder = cache_folder(scene)
    key = cache_key(source_digest(scene.source), load_options(scene))
    try:
        cache = open_cache(folder, key)
        district, report = cache.district()
        return City(district, report, cache)
    except StaleCacheError as exc:
        why = str(exc)
    except CorruptFileError as exc:
        why = f"damaged: {exc}"
    district, report = read_district(scene)
    buildings = int((district.layer == "buildings").sum())
    if scene.tiles == "auto" and buildings < TILES_FROM:
        # A small city is read as fast as its tiles: an out-of-date cache of it (baked by
        # `bake` or `export` with other settings) is left alone, not baked again.
        return City(district, report)
    if why != "not baked yet":
        log.warning("tile cache %s is %s; baking it again", folder, why)
    meter = meter if meter is not None else BakeMeter()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            # On a thread per core: a far group's GEOS work runs beside another's.
            box["cache"] = bake(district, report, folder, key, runner=threaded(),
                                progress=meter)
        except BaseException as exc:  # handed to the loading thread below
            box["error"] = exc

    worker = threading.Thread(target=work, name="bake", daemon=True)
    worker.start()
    while worker.is_alive():
        yield "baking"
        worker.join(BAKE_FRAME_S)
    if "error" in box:
        error = box["error"]
        if not isinstance(error, OSError):
            raise error
        # A cache that cannot be written (a read-only or full disk, a folder that is a
        # file's child) costs speed, not the city: drawn without tiles, said in one line.
        log.warning("tile cache %s cannot be written (%s); drawing the city without it",
                    folder, error.strerror or error)
        return City(district, report)
    return City(district, report, box["cache"])


def load_city(scene: Scene, meter: BakeMeter | None = None) -> City:
    """``city_steps`` run to the end (no loading screen to draw)."""
    return finished(city_steps(scene, meter))


def finished(steps: Generator[str, None, T]) -> T:
    """What a generator of loading steps returns, its steps run through unseen."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
