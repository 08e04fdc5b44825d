"""``ctx.sun`` (plugin API 1.2): the scene's clock and sun, read-only for plugins.

A plugin reads the moment the viewer shows (``when``), where the sun stands then
(``position``: azimuth, elevation, direction) and may ``subscribe`` to hear when it moves.
It cannot set the clock: the interface, the kiosk and ``render --time`` own it.

Callbacks are not called from inside whatever moved the clock (a slider, a kiosk's played
day): a change marks the view, and the host calls each callback once between frames, under
the plugin's fault isolation like a timer (one that raises disables the plugin, not the
viewer). A day played fast calls them at most once a frame.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from gwangju_twin.sun import SceneClock, SunPosition, default_moment

#: Where a clock stands when nothing says where: Gwangju (lon, lat), the facts' 35.16 N.
GWANGJU_LONLAT = (126.85, 35.16)

SunListener = Callable[["SunView"], None]


def default_clock(longitude: float, latitude: float) -> SceneClock:
    """A clock at the viewer's default moment there (``sun.default_moment``) over
    ``longitude``/``latitude`` (a scene's origin)."""
    return SceneClock(default_moment(longitude), latitude, longitude)


class SunView:
    """A read-only view of the scene's clock for one plugin (``ctx.sun``).

    Attributes:
        when: the moment the scene shows (timezone-aware ``datetime``).
        position: the sun then (``SunPosition``: ``azimuth_deg`` clockwise from north,
            ``elevation_deg`` above the horizon, ``direction`` a unit vector towards the sun
            in the district's frame, ``up`` whether it is above the horizon).
        latitude, longitude: where the sun is computed for (the scene's origin).
    """

    def __init__(self, clock: SceneClock) -> None:
        self._clock = clock
        self._listeners: list[SunListener] = []
        self._moved = False
        self._unhook: Callable[[], None] | None = clock.subscribe(self._heard)

    @property
    def when(self) -> datetime:
        """The scene's current moment (timezone-aware)."""
        return self._clock.when

    @property
    def position(self) -> SunPosition:
        """The sun's position at the current moment."""
        return self._clock.position

    @property
    def latitude(self) -> float:
        """Latitude the sun is computed for (degrees north)."""
        return self._clock.latitude

    @property
    def longitude(self) -> float:
        """Longitude the sun is computed for (degrees east)."""
        return self._clock.longitude

    def subscribe(self, callback: SunListener) -> Callable[[], None]:
        """Call ``callback(sun)`` between frames after the moment changes; returns a function
        that unsubscribes. Subscriptions end when the plugin is unloaded."""
        if not callable(callback):
            raise TypeError("a sun callback must be callable with one argument (ctx.sun)")
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def due(self) -> list[Callable[[], None]]:
        """Host use: the callbacks to run now (one each), if the moment changed since."""
        if not self._moved:
            return []
        self._moved = False
        return [lambda fn=fn: fn(self) for fn in list(self._listeners)]  # type: ignore[misc]

    def close(self) -> None:
        """Host use: stop listening to the clock and drop every subscription."""
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        self._listeners.clear()
        self._moved = False

    def _heard(self, clock: SceneClock) -> None:
        self._moved = True
