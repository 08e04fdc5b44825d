"""The scene's clock: the moment the sun is drawn for, set by hand or played forward.

One clock per viewer. The interface sets it (time slider, presets, ``render --time``), the
kiosk plays a sped-up day on it, the renderer and plugins read it. Listeners hear of each
change of the sun's position, not of every tick: a paused clock costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from gwangju_twin.sun.position import SunPosition, sun_position

#: The scenes are in Korea; a time given without a zone is Korean Standard Time.
SEOUL = ZoneInfo("Asia/Seoul")

#: The moment a scene shows when neither ``--time`` nor the scene names one, in the viewer,
#: in pictures and for plugins alike: a September late morning (the sun 50 degrees up in the
#: south-east, as the viewer's fixed sun stood before time of day), so every default picture
#: is the same and in daylight.
DEFAULT_MOMENT = datetime(2026, 9, 20, 11, 0, tzinfo=SEOUL)

#: Gwangju's longitude, where DEFAULT_MOMENT is that late morning.
_HOME_LONGITUDE = 126.85


def default_moment(longitude: float) -> datetime:
    """``DEFAULT_MOMENT`` for a district at ``longitude`` (degrees east).

    Within half an hour-wide zone of Gwangju (all of Korea) it is ``DEFAULT_MOMENT`` itself;
    farther away, 11:00 on the same day in the whole-hour zone of the district's longitude
    (UTC+1 in Liechtenstein): the same late morning there, where 11:00 in Seoul would be
    03:00, a night picture for a default that promises daylight. The zone is the longitude's
    own, not the country's (nothing here knows countries' zones), so the clock may read an
    hour from what a local clock says; the sun stands where that hour puts it.
    """
    if round((longitude - _HOME_LONGITUDE) / 15.0) == 0:
        return DEFAULT_MOMENT
    hours = round(((longitude + 180.0) % 360.0 - 180.0) / 15.0)
    return DEFAULT_MOMENT.replace(tzinfo=timezone(timedelta(hours=hours)))

Listener = Callable[["SceneClock"], None]


class SceneClock:
    """The scene's current moment and the sun's position then (cached per moment).

    ``rate`` is scene seconds per real second while playing (60 plays an hour a minute).
    """

    def __init__(self, when: datetime, latitude: float, longitude: float) -> None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=SEOUL)
        self._when = when
        self.latitude = latitude
        self.longitude = longitude
        self._position: SunPosition | None = None
        self.rate = 0.0
        self._listeners: list[Listener] = []

    @property
    def when(self) -> datetime:
        """The scene's current moment (timezone-aware)."""
        return self._when

    @property
    def zone(self) -> tzinfo:
        """The zone the clock shows its time in."""
        zone = self._when.tzinfo
        assert zone is not None
        return zone

    @property
    def position(self) -> SunPosition:
        """The sun's position at the current moment."""
        if self._position is None:
            self._position = sun_position(self._when, self.latitude, self.longitude)
        return self._position

    @property
    def playing(self) -> bool:
        """Whether ``tick`` moves the clock."""
        return self.rate != 0.0

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (naive means the clock's zone) and tell the listeners."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.zone)
        if when == self._when:
            return
        self._when = when
        self._position = None
        for listener in list(self._listeners):
            listener(self)

    def play(self, rate: float) -> None:
        """Play at ``rate`` scene seconds per real second (0 pauses)."""
        self.rate = float(rate)

    def pause(self) -> None:
        """Stop playing; the moment stays."""
        self.rate = 0.0

    def tick(self, real_seconds: float) -> bool:
        """Advance by ``real_seconds`` of real time at the rate; True when the moment moved."""
        if not self.playing or real_seconds <= 0.0:
            return False
        self.set(self._when + timedelta(seconds=real_seconds * self.rate))
        return True

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(clock)`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe
