"""What a plugin sees: the hooks it implements and the read-only data it is given.

Everything here is re-exported by ``gwangju_twin.plugins``; plugins import only that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from gwangju_twin.plugins.context import PavilionContext
    from gwangju_twin.plugins.roads import RoadGraph

#: The lifecycle hooks, in the order the host calls them.
HOOKS: tuple[str, ...] = ("load", "enter", "update", "exit", "unload")


class PavilionDemo:
    """Base class of a pavilion demo; every hook is optional (the defaults do nothing).

    The host calls, for each plugin::

        load(ctx)              once, when the viewer starts (do heavy precomputation here)
        enter(ctx)             the visitor entered the pavilion: show things, fill ctx.panel
        update(ctx, dt)        every frame while the visitor is inside; dt in seconds
        exit(ctx)              the visitor left: hide and stop things
        unload(ctx)            the viewer closes

    ``enter``/``update``/``exit`` repeat for every visit. If any hook raises, the host logs the
    traceback, removes everything under ``ctx.node``, cancels the plugin's timers and shows
    "demo unavailable" at the pavilion; no further hook of that plugin is called. ``update``
    has a frame budget (``PavilionContext.frame_budget``, 4 ms by default): a plugin that
    keeps overrunning it is reported and called less often.
    """

    def load(self, ctx: PavilionContext) -> None:
        """Called once after the viewer has built the city; prepare data, build models."""

    def enter(self, ctx: PavilionContext) -> None:
        """The visitor entered the pavilion: show the demo and fill ``ctx.panel``."""

    def update(self, ctx: PavilionContext, dt: float) -> None:
        """Advance the demo by ``dt`` seconds; called every frame while the visitor is inside."""

    def exit(self, ctx: PavilionContext) -> None:
        """The visitor left the pavilion: stop and hide the demo."""

    def unload(self, ctx: PavilionContext) -> None:
        """The viewer is closing: release what ``load`` acquired."""


@dataclass(frozen=True)
class PavilionInfo:
    """Where a pavilion stands, in district coordinates (metres; x east, y north, z up).

    ``heading`` is the compass direction the entrance faces (degrees clockwise from north);
    ``size`` is the site's (width, depth); ``height`` the top of its architecture.
    """

    id: str
    sector: str
    name_ko: str
    name_en: str
    position: tuple[float, float]
    heading: float
    size: tuple[float, float]
    entrance: tuple[float, float]
    height: float
    plugin: str | None = None


@dataclass(frozen=True)
class Buildings:
    """The district's buildings as read-only columns; row ``i`` of each is one building.

    ``footprints`` holds shapely Polygons/MultiPolygons in district metres; ``heights`` the
    roof height (m), ``areas`` the footprint area (m²), ``centroids`` (n, 2) points inside
    each footprint, ``levels`` the floor count (NaN when unknown), ``kinds`` the building type
    (e.g. "apartments", "office"), ``names``/``ids`` the GeoJSON name and id (or None).
    """

    footprints: np.ndarray
    heights: np.ndarray
    areas: np.ndarray
    centroids: np.ndarray
    levels: np.ndarray
    kinds: np.ndarray
    names: tuple[str | None, ...]
    ids: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.heights)


@dataclass(frozen=True)
class DistrictData:
    """The read-only city a plugin can look at: buildings, road graph and pavilions.

    ``bounds`` is (x0, y0, x1, y1) in metres; ``origin_lonlat`` the (lon, lat) of the local
    frame's (0, 0).
    """

    buildings: Buildings
    roads: RoadGraph
    pavilions: tuple[PavilionInfo, ...]
    bounds: tuple[float, float, float, float]
    origin_lonlat: tuple[float, float]
    _to_lonlat: Callable[[Any, Any], tuple[Any, Any]]

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """WGS84 (lon, lat) of district point (x, y)."""
        lon, lat = self._to_lonlat(x, y)
        return float(lon), float(lat)

    def pavilion(self, pavilion_id: str) -> PavilionInfo:
        """The pavilion with ``pavilion_id`` (KeyError if there is none)."""
        for p in self.pavilions:
            if p.id == pavilion_id:
                return p
        raise KeyError(pavilion_id)


def read_only(array: Any) -> np.ndarray:
    """A read-only copy of ``array`` for plugins, so one cannot change the city under another.

    A copy, not a view: a view's ``.base`` is the viewer's own array, which a plugin could
    write through (or mark writable again). Numbers and text are copied into an immutable
    ``bytes`` buffer, so the copy cannot be made writable either (numpy refuses
    ``flags.writeable = True``); object arrays (shapely geometries, themselves immutable)
    are a copy owning its data.
    """
    array = np.asarray(array)
    if array.dtype.hasobject:
        sealed = array.copy()
    else:
        sealed = np.frombuffer(array.tobytes(), dtype=array.dtype).reshape(array.shape)
    sealed.flags.writeable = False
    return sealed
