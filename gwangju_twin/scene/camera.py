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


def frame_bounds(
    bounds: tuple[float, float, float, float],
    max_height: float,
    fov_deg: float,
    heading: float = 20.0,
    pitch: float = 38.0,
    fill: float = 1.0,
) -> CameraPose:
    """A pose that shows the whole of ``bounds`` (local metres) from ``heading``/``pitch``.

    ``fill`` < 1 zooms in towards the centre (0.5 frames half the district's extent).
    """
    x0, y0, x1, y1 = bounds
    radius = 0.5 * math.hypot(x1 - x0, y1 - y0) * fill
    radius = max(radius, max_height, 50.0)
    distance = radius / math.sin(math.radians(fov_deg) / 2) * 0.95
    target = ((x0 + x1) / 2, (y0 + y1) / 2, 0.0)
    return CameraPose(target, heading, pitch, distance)
