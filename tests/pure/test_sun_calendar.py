"""The sun's calendar (gwangju_twin.sun.calendar): solstices and equinoxes against published
times, a day's named times, and the time slider's arithmetic."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from gwangju_twin.sun.calendar import (
    LAST_MINUTE,
    SEASONS,
    at_minute,
    day_times,
    minute_of_day,
    on_date,
    season_date,
    season_moment,
    season_of,
    snap,
)
from gwangju_twin.sun.clock import SEOUL

# Published moments (UTC) of the March equinox, June solstice, September equinox and December
# solstice. 2011, 2015, 2017: the U.S. Naval Observatory's "Earth's Seasons" table as
# reproduced in Wikipedia's "Solstice" article (copied at dieli.net/MiscellanyPage/
# solstice.html); 2018 and 2019: the same USNO table (whenthecurveslineup.com, 2016 leap day
# post); 2022: neoprogrammics.com's equinox and solstice calculator (JPL DE405), which cites
# USNO. Korean Standard Time is UTC+9 all year (no daylight saving since 1988).
PUBLISHED: dict[int, tuple[str, str, str, str]] = {
    2011: ("03-20 23:21", "06-21 17:16", "09-23 09:04", "12-22 05:30"),
    2015: ("03-20 22:45", "06-21 16:38", "09-23 08:20", "12-22 04:48"),
    2017: ("03-20 10:28", "06-21 04:24", "09-22 20:02", "12-21 16:28"),
    2018: ("03-20 16:15", "06-21 10:07", "09-23 01:54", "12-21 22:23"),
    2019: ("03-20 21:58", "06-21 15:54", "09-23 07:50", "12-22 04:19"),
    2022: ("03-20 15:33", "06-21 09:14", "09-23 01:04", "12-21 21:48"),
}
#: NOAA's equations give the sun's longitude to about 0.01 degree: a quarter of an hour.
TOLERANCE = timedelta(minutes=15)

GWANGJU = (35.1595, 126.8526)  # Gwangju city hall, degrees


def _published(year: int, text: str) -> datetime:
    return datetime.strptime(f"{year}-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_solstices_and_equinoxes_match_the_published_times(year: int) -> None:
    for season, text in zip(SEASONS, PUBLISHED[year], strict=True):
        expected = _published(year, text)
        found = season_moment(year, season)
        assert abs(found - expected) <= TOLERANCE, (season, found, expected)
        # The preset's date is the published moment's date in Korea.
        assert season_date(year, season) == expected.astimezone(SEOUL).date()


def test_korean_dates_differ_from_utc_when_the_moment_is_late_in_the_utc_day() -> None:
    # 2022's December solstice is at 21:48 UTC on the 21st (published, above): the 22nd in
    # Korea, which is where 동지 falls on Korean calendars that year.
    assert season_date(2022, "winter_solstice") == date(2022, 12, 22)
    assert season_date(2022, "winter_solstice", timezone.utc) == date(2022, 12, 21)
    assert season_of(date(2022, 12, 22)) == "winter_solstice"
    assert season_of(date(2022, 12, 21)) is None


def test_an_unknown_season_is_refused() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        season_moment(2026, "midsummer")  # type: ignore[arg-type]


def test_day_times_at_gwangju_on_the_solstices() -> None:
    # Daylight at 35.16 N: the winter day is short (under 10 h), the summer day long (over
    # 14 h), and noon is near 12:30 KST because Gwangju lies 8 degrees west of 135 E (the
    # zone's meridian): 8 deg x 4 min/deg = 32 min, give or take the equation of time.
    winter = day_times(date(2022, 12, 22), *GWANGJU)
    summer = day_times(date(2022, 6, 21), *GWANGJU)
    for day in (winter, summer):
        assert day.sunrise is not None and day.sunset is not None
        assert day.sunrise < day.noon < day.sunset
        assert timedelta(minutes=10) < day.noon - day.noon.replace(hour=12, minute=0, second=0,
                                                                  microsecond=0) < timedelta(
            minutes=45)
    assert winter.sunset - winter.sunrise < timedelta(hours=10)  # type: ignore[operator]
    assert summer.sunset - summer.sunrise > timedelta(hours=14)  # type: ignore[operator]


def test_no_sunrise_in_the_polar_night() -> None:
    polar = day_times(date(2022, 12, 21), 80.0, 15.0)
    assert polar.sunrise is None and polar.sunset is None


def test_slider_minutes_and_snapping() -> None:
    when = datetime(2026, 12, 22, 9, 34, 30, tzinfo=SEOUL)
    assert minute_of_day(when) == pytest.approx(9 * 60 + 34.5)
    assert snap(574.5) == 570  # 09:34:30 -> 09:30
    assert snap(575.1) == 580
    assert snap(-5) == 0
    assert snap(1438) == LAST_MINUTE  # 24:00 would be tomorrow: the day's last minute
    assert at_minute(date(2026, 12, 22), 570) == datetime(2026, 12, 22, 9, 30, tzinfo=SEOUL)
    assert at_minute(date(2026, 12, 22), 1e9).date() == date(2026, 12, 22)
    with pytest.raises(ValueError):
        snap(float("nan"))
    with pytest.raises(ValueError):
        snap(10, step=0)


def test_a_preset_keeps_the_time_of_day() -> None:
    when = datetime(2026, 5, 1, 15, 20, tzinfo=SEOUL)
    moved = on_date(when, date(2026, 12, 22))
    assert moved == datetime(2026, 12, 22, 15, 20, tzinfo=SEOUL)
