"""The sun over the scene: its position for a date, time and place, and the sunlight it gives.

Pure: no window. The renderer turns a :class:`SunPosition` into light and shadows; the
solstice sunlight check (일조) casts shadow prisms along its direction.
"""

from gwangju_twin.sun.clock import DEFAULT_MOMENT, SEOUL, SceneClock, default_moment
from gwangju_twin.sun.position import SunPosition, sun_position

__all__ = ["DEFAULT_MOMENT", "SEOUL", "SceneClock", "SunPosition", "default_moment",
           "sun_position"]
