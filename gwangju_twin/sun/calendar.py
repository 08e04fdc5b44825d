"""The sun's calendar: the solstices and equinoxes of a year, a day's sunrise, noon and
sunset, and the time slider's arithmetic (a moment of a day as minutes on a 00:00-24:00 bar).

Pure: no window. The interface's presets (동지 the winter solstice, 하지 the summer solstice,
춘분 and 추분 the equinoxes) are the dates on which these moments fall in the scene's zone.

A solstice or equinox is the moment the sun's apparent ecliptic longitude reaches 0, 90,
180 or 270 degrees; it is found here on astral's own solar equations (NOAA's, which the sun's
position already uses), so the presets and the drawn sun agree. Against the U.S. Naval
Observatory's published times (tests/pure/test_sun_calendar.py) they are within 15 minutes
(NOAA's equations carry the sun's longitude to about 0.01 degree, a quarter of an hour of
its motion): the preset's date is wrong only for a moment within that of midnight in Korea.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

from astral import Observer
from astral.sun import (
    julianday,
    julianday_to_juliancentury,
    noon,
    sun_apparent_long,
    sunrise,
    sunset,
)

from gwangju_twin.sun.clock import SEOUL

Season = Literal["spring_equinox", "summer_solstice", "autumn_equinox", "winter_solstice"]

#: The four presets in the order a year meets them; each is ``season.<name>`` in the
#: interface's text catalogue (춘분, 하지, 추분, 동지).
SEASONS: tuple[Season, ...] = ("spring_equinox", "summer_solstice", "autumn_equinox",
                               "winter_solstice")

#: The sun's apparent ecliptic longitude (degrees) at each.
_LONGITUDE: dict[Season, float] = {"spring_equinox": 0.0, "summer_solstice": 90.0,
                                   "autumn_equinox": 180.0, "winter_solstice": 270.0}
#: A first guess a few days off at most (UTC, any year of this era).
_GUESS: dict[Season, tuple[int, int]] = {"spring_equinox": (3, 20), "summer_solstice": (6, 21),
                                         "autumn_equinox": (9, 23), "winter_solstice": (12, 21)}
_DEG_PER_DAY = 360.0 / 365.2422  # the sun's mean motion along the ecliptic

MINUTES_PER_DAY = 24 * 60
#: The slider's step: a drag lands on whole ten minutes.
SNAP_MINUTES = 10
#: The slider's last minute: 24:00 would be the next day's 00:00, another date.
LAST_MINUTE = MINUTES_PER_DAY - 1


def _longitude(when: datetime) -> float:
    """The sun's apparent ecliptic longitude at ``when`` (degrees, 0 to 360)."""
    century = julianday_to_juliancentury(julianday(when.astimezone(timezone.utc)))
    return sun_apparent_long(century) % 360.0


def season_moment(year: int, season: Season) -> datetime:
    """The moment (UTC) of ``season``'s solstice or equinox in ``year``."""
    if season not in _LONGITUDE:
        raise ValueError(f"season is {season!r}; expected one of {SEASONS}")
    month, day = _GUESS[season]
    when = datetime(year, month, day, 12, tzinfo=timezone.utc)
    target = _LONGITUDE[season]
    # Newton's steps on the mean motion: the longitude grows almost uniformly, so a few
    # steps from a guess days away land within a second.
    for _ in range(8):
        off = (_longitude(when) - target + 180.0) % 360.0 - 180.0
        step = timedelta(days=-off / _DEG_PER_DAY)
        when += step
        if abs(step) < timedelta(seconds=1):
            break
    return when.replace(microsecond=0)


def season_date(year: int, season: Season, zone: tzinfo = SEOUL) -> date:
    """The date in ``zone`` on which ``season`` falls in ``year`` (e.g. 동지 2026: 22 Dec
    in Korea, 21 Dec in UTC)."""
    return season_moment(year, season).astimezone(zone).date()


def season_of(day: date, zone: tzinfo = SEOUL) -> Season | None:
    """The solstice or equinox that falls on ``day`` in ``zone``, if any."""
    return next((s for s in SEASONS if season_date(day.year, s, zone) == day), None)


@dataclass(frozen=True)
class DayTimes:
    """A day's named times in the scene's zone; None where the sun does not rise or set
    (polar day or night: never at Gwangju)."""

    sunrise: datetime | None
    noon: datetime
    sunset: datetime | None


def day_times(day: date, latitude: float, longitude: float, zone: tzinfo = SEOUL) -> DayTimes:
    """Sunrise, solar noon and sunset at a place on ``day`` (astral's NOAA equations; rise
    and set are the upper limb on the horizon, refraction included)."""
    where = Observer(latitude, longitude)

    def named(find: object) -> datetime | None:
        try:
            return find(where, day, zone)  # type: ignore[operator]
        except ValueError:  # the sun never reaches the horizon that day
            return None

    found_noon = noon(where, day, zone)
    return DayTimes(named(sunrise), found_noon, named(sunset))


# -- the time slider ------------------------------------------------------------------------


def minute_of_day(when: datetime) -> float:
    """How far into its day ``when`` is, in minutes (0 to just under 1440), in its own zone."""
    return when.hour * 60 + when.minute + (when.second + when.microsecond / 1e6) / 60.0


def snap(minute: float, step: int = SNAP_MINUTES) -> int:
    """``minute`` rounded to the nearest ``step`` minutes, kept within the day (the top end
    stays on the day's last minute, not on the next day's 00:00)."""
    if step <= 0:
        raise ValueError(f"step is {step!r}; expected minutes above 0")
    if not math.isfinite(minute):
        raise ValueError(f"minute is {minute!r}; expected a number")
    return max(0, min(LAST_MINUTE, round(minute / step) * step))


def at_minute(day: date, minute: float, zone: tzinfo = SEOUL) -> datetime:
    """The moment ``minute`` minutes into ``day`` in ``zone`` (clamped to the day), to the
    second."""
    seconds = round(max(0.0, min(float(LAST_MINUTE), minute)) * 60)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start + timedelta(seconds=seconds)


def on_date(when: datetime, day: date) -> datetime:
    """``when``'s time of day on ``day`` (same zone): a preset keeps the hour shown."""
    return datetime.combine(day, when.timetz())
