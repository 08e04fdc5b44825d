"""The city's lights at night as one byte a vertex: which walls show lit windows, how many,
and when in the evening they go out.

A wall vertex's ``emissive`` byte packs two things (``encode``): in its top two bits the
building's *schedule* (homes, workplaces, shops, all night: when in the night its windows are
on) and in its low six bits its *share* (0..63: how many of its windows are lit when its
schedule is at its peak). The share is fixed per building, drawn deterministically from its
feature id within its schedule's range, so neighbouring blocks differ and a building looks the
same every time, in a tile and in the whole city. The schedule's hour-by-hour level
(``schedule_levels``) is the one thing that changes with the clock: the renderer hands it to
the shader as four numbers, so a played night dims offices after work and homes after
midnight without touching a vertex. Roofs, floors, the ground and markers carry 0 (no light).

The schedule is read from the building's use class (``geo/uses.py``'s table of building
types, applied to the district's ``kind`` column), not from the full tags: a tile cache's
start never decodes the properties of 185,000 buildings.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import numpy as np

from gwangju_twin.geo.uses import BUILDING_USES, Use

#: When a building's windows are lit (the top two bits of the emissive byte).
Schedule = Literal["home", "work", "shop", "all_night"]
SCHEDULES: tuple[Schedule, ...] = get_args(Schedule)

#: The schedule of each use; a building of no known use is taken as a dwelling (most of the
#: untyped ``building=yes`` of a Korean city are houses and small mixed blocks).
USE_SCHEDULE: Final[dict[Use, Schedule]] = {
    "residential": "home", "other": "home",
    "office": "work", "public": "work", "school": "work", "industrial": "work",
    "religious": "work",
    "commercial": "shop",
    "hospital": "all_night",
}

#: The range (low, high) of a building's share of lit windows at its schedule's peak. A
#: judgement of a lively evening, not a survey: most flats are lit in the evening, most of
#: an office until people leave, nearly all of a shopping street.
SHARE_RANGE: Final[dict[Schedule, tuple[float, float]]] = {
    "home": (0.45, 0.8),
    "work": (0.5, 0.85),
    "shop": (0.7, 0.95),
    "all_night": (0.5, 0.7),
}
#: Untyped buildings: homes, but fewer lit (some are sheds, garages, shops closed at night).
OTHER_SHARE: Final = (0.3, 0.6)

#: The share's resolution: six bits.
SHARE_STEPS: Final = 63
#: Where the schedule starts in the byte.
SCHEDULE_SHIFT: Final = 6

#: How much of a schedule's share is lit at each local hour (0..23; linear in between). The
#: shape follows everyday life in a Korean city (offices empty after about 20:00 but for
#: overtime, homes lit until about midnight, shops and restaurants until 22:00-23:00,
#: hospitals never dark); a picture's plausibility, not a measurement.
HOURLY: Final[dict[Schedule, tuple[float, ...]]] = {
    "home": (0.35, 0.2, 0.1, 0.08, 0.08, 0.15, 0.45, 0.6, 0.3, 0.2, 0.2, 0.2,
             0.2, 0.2, 0.2, 0.2, 0.3, 0.55, 0.8, 0.95, 1.0, 1.0, 0.9, 0.6),
    "work": (0.06, 0.06, 0.06, 0.06, 0.06, 0.06, 0.15, 0.6, 1.0, 1.0, 1.0, 1.0,
             1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.4, 0.25, 0.15, 0.1),
    "shop": (0.15, 0.1, 0.08, 0.08, 0.08, 0.08, 0.2, 0.5, 1.0, 1.0, 1.0, 1.0,
             1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.3),
    "all_night": (0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9,
                  0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8),
}
#: The hour a scene without a clock is lit for: a lively evening.
EVENING: Final = 20.0


def encode(schedule: np.ndarray, share: np.ndarray) -> np.ndarray:
    """uint8 emissive bytes from schedule numbers (index into SCHEDULES) and shares (0..1)."""
    steps = np.rint(np.clip(share, 0.0, 1.0) * SHARE_STEPS).astype(np.uint8)
    return (schedule.astype(np.uint8) << SCHEDULE_SHIFT) | steps


def decode(emissive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(schedule numbers, shares 0..1) of emissive bytes: ``encode`` undone (as the shader
    does it)."""
    e = np.asarray(emissive, np.uint8)
    return e >> SCHEDULE_SHIFT, (e & SHARE_STEPS).astype(np.float64) / SHARE_STEPS


def _unit_hash(ids: np.ndarray) -> np.ndarray:
    """A number in [0, 1) per integer id, well mixed (splitmix64's finaliser), so the share
    does not follow the colour jitter's hash (palette.jitter) or neighbouring ids."""
    z = ids.astype(np.int64).astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def window_glow(kinds: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The emissive byte of each building's walls, from its ``kind`` (the district's building
    type, e.g. "apartments") and its feature id (the row in the whole city)."""
    n = len(kinds)
    if n == 0:
        return np.zeros(0, np.uint8)
    unique, inverse = np.unique(np.asarray(kinds, dtype=str), return_inverse=True)
    uses = [BUILDING_USES.get(str(k).strip().lower(), "other") for k in unique]
    sched = np.array([SCHEDULES.index(USE_SCHEDULE[u]) for u in uses], np.int64)
    lo = np.array([(OTHER_SHARE if u == "other" else SHARE_RANGE[USE_SCHEDULE[u]])[0]
                   for u in uses])
    hi = np.array([(OTHER_SHARE if u == "other" else SHARE_RANGE[USE_SCHEDULE[u]])[1]
                   for u in uses])
    inverse = inverse.reshape(-1)
    share = lo[inverse] + (hi - lo)[inverse] * _unit_hash(ids)
    return encode(sched[inverse], share)


def schedule_levels(hour: float | None) -> tuple[float, float, float, float]:
    """How much of each schedule's share (in SCHEDULES' order) is lit at local ``hour``
    (0..24, fractional; None: EVENING)."""
    h = EVENING if hour is None else float(hour) % 24.0
    k = int(h) % 24
    t = h - int(h)
    a, b, c, d = (HOURLY[s][k] * (1.0 - t) + HOURLY[s][(k + 1) % 24] * t for s in SCHEDULES)
    return (a, b, c, d)
