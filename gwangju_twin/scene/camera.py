"""Camera poses as plain numbers: where the default view stands and where it looks."""

from __future__ import annotations

import math
from dataclasses import dataclass


def direction(heading: float, pitch: float) -> tuple[float, float, float]:
    """The unit vector of a view towards compass ``heading``, ``pitch`` degrees below level."""
    h, p = math.radians(heading), math.radians(pitch)
    return (math.sin(h) * math.cos(p), math.cos(h) * math.cos(p), -math.sin(p))


def panda_hpr(heading: float, pitch: float) -> tuple[float, float, float]:
    """Panda3D heading/pitch/roll of a compass ``heading`` and a ``pitch`` below level
    (Panda turns heading counter-clockwise and counts pitch up as positive)."""
    return (-heading, -pitch, 0.0)


@dataclass(frozen=True)
class CameraPose:
    """A view of the district: a target point, compass heading, pitch and distance.

    ``heading`` is the compass direction the camera looks towards (degrees clockwise from
    north); ``pitch`` is how far below the horizon it looks (degrees); ``distance`` is metres
    from the target.
    """

    target: tuple[float, float, float]
    heading: float
    pitch: float
    distance: float

    @property
    def position(self) -> tuple[float, float, float]:
        """Where the camera stands, in local metres."""
        fx, fy, fz = direction(self.heading, self.pitch)
        tx, ty, tz = self.target
        d = self.distance
        return (tx - fx * d, ty - fy * d, tz - fz * d)

    @property
    def panda_hpr(self) -> tuple[float, float, float]:
        """Panda3D heading/pitch/roll (heading counter-clockwise, pitch up positive)."""
        return panda_hpr(self.heading, self.pitch)

