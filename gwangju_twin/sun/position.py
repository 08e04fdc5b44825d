"""Where the sun stands for a moment and a place, through astral.

astral follows NOAA's equations; at Gwangju it agrees with NREL's SPA (pvlib) within
about 0.02 degrees, which the tests check against pvlib as an oracle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from astral import Observer
from astral.sun import azimuth, elevation


@dataclass(frozen=True)
class SunPosition:
    """The sun seen from the scene's origin.

    ``azimuth_deg`` is clockwise from true north (90 = east); ``elevation_deg`` is the
    apparent elevation above the horizon, refraction included (negative below it).
    """

    azimuth_deg: float
    elevation_deg: float

    @property
    def up(self) -> bool:
        """Whether the sun's centre is above the horizon."""
        return self.elevation_deg > 0.0

    @property
    def direction(self) -> tuple[float, float, float]:
        """Unit vector from the ground towards the sun, in the local frame (x east, y north, z up).

        The local frame's grid north and true north differ by well under a degree over a
        district, which is below what a shadow on screen shows.
        """
        az = math.radians(self.azimuth_deg)
        el = math.radians(self.elevation_deg)
        return (math.cos(el) * math.sin(az), math.cos(el) * math.cos(az), math.sin(el))


def sun_position(when: datetime, latitude: float, longitude: float) -> SunPosition:
    """The sun's position at ``when`` (timezone-aware) seen from ``latitude``/``longitude``.

    Raises ``ValueError`` for a naive ``when``: a clock without a zone is ambiguous by hours.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"sun_position needs a timezone-aware time, got {when.isoformat()}")
    observer = Observer(latitude=latitude, longitude=longitude)
    return SunPosition(
        azimuth_deg=float(azimuth(observer, when)),
        elevation_deg=float(elevation(observer, when, with_refraction=True)),
    )
