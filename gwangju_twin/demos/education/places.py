"""Where each question is about, in district metres: resolving a bank ``Place``.

Pure: no Panda3D. A place outside the district (Mudeungsan is 13 km east of it) is shown at
the district's edge in its direction, with how far beyond it lies, so every marker stands
where the visitor can see it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .bank import Place

#: A marker at the district's edge keeps this far inside it, so it is not cut by the border.
EDGE_INSET_M = 80.0

ToLocal = Callable[[float, float], tuple[float, float]]


class PlaceError(LookupError):
    """A question's place names a building or pavilion this district does not have."""


@dataclass(frozen=True)
class Spot:
    """A resolved place: ``x``, ``y`` in district metres (always inside the bounds).

    ``beyond_m`` is how far the real place lies past ``(x, y)`` (0 inside the district) and
    ``bearing`` the compass direction to it from there (degrees clockwise from north).
    """

    x: float
    y: float
    beyond_m: float = 0.0
    bearing: float = 0.0


def resolve(place: Place, to_local: ToLocal, bounds: tuple[float, float, float, float],
            buildings: Mapping[str, tuple[float, float]],
            pavilions: Mapping[str, tuple[float, float]],
            landmarks: Mapping[str, tuple[float, float]] | None = None) -> Spot:
    """The district spot of ``place``.

    ``buildings`` and ``landmarks`` map names (of buildings, of the city's other named
    features) to a point on each, ``pavilions`` pavilion ids to their position; raises
    ``PlaceError`` when the named one is not there.
    """
    if place.lonlat is not None:
        x, y = to_local(*place.lonlat)
        return inside(float(x), float(y), bounds)
    if place.xy is not None:
        return inside(*place.xy, bounds)
    if place.landmark is not None:
        if landmarks is None or place.landmark not in landmarks:
            raise PlaceError(f"no landmark, park, water or plaza named {place.landmark!r} in "
                             "this district")
        return inside(*landmarks[place.landmark], bounds)
    if place.building is not None:
        if place.building not in buildings:
            raise PlaceError(f"no building named {place.building!r} in this district")
        return Spot(*buildings[place.building])
    assert place.pavilion is not None
    if place.pavilion not in pavilions:
        raise PlaceError(f"no pavilion {place.pavilion!r} in this scene")
    return Spot(*pavilions[place.pavilion])


def inside(x: float, y: float, bounds: tuple[float, float, float, float]) -> Spot:
    """(x, y) itself when it lies inside ``bounds``, else the point where the line from the
    bounds' centre towards it meets the border (inset by ``EDGE_INSET_M``)."""
    x0, y0, x1, y1 = bounds
    if x0 <= x <= x1 and y0 <= y <= y1:
        return Spot(x, y)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) / 2 - EDGE_INSET_M, 1.0)
    half_h = max((y1 - y0) / 2 - EDGE_INSET_M, 1.0)
    dx, dy = x - cx, y - cy
    t = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    ex, ey = cx + dx * t, cy + dy * t
    bearing = math.degrees(math.atan2(x - ex, y - ey)) % 360.0
    return Spot(ex, ey, math.hypot(x - ex, y - ey), bearing)


def compass(bearing: float) -> tuple[str, str]:
    """The eight-point compass name of ``bearing`` (degrees), in Korean and English."""
    names = (("북", "north"), ("북동", "north-east"), ("동", "east"), ("남동", "south-east"),
             ("남", "south"), ("남서", "south-west"), ("서", "west"), ("북서", "north-west"))
    return names[round(bearing / 45.0) % 8]


def named_points(names: Sequence[str | None], points: np.ndarray) -> dict[str, tuple[float,
                                                                                    float]]:
    """Name -> its point, for the named rows (the first of a repeated name)."""
    out: dict[str, tuple[float, float]] = {}
    for name, (x, y) in zip(names, np.asarray(points, float), strict=True):
        if name and name not in out:
            out[name] = (float(x), float(y))
    return out
