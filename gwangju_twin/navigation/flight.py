"""Fly-to: a smooth camera move from one eye to another, as map apps do.

Position and pitch ease in and out; the heading turns the short way round; a long flight
rises in an arc on the way (peak extra height grows with the distance, capped), so the
visitor sees where they are going instead of skimming the roofs.
"""

from __future__ import annotations

import math

from gwangju_twin.navigation.eye import Eye, turn_between
from gwangju_twin.scene.camera import CameraPose

SHORT = 0.8  # seconds for a hop on the spot
LONG = 3.5  # seconds for a flight of ACROSS metres or more
ACROSS = 5000.0
ARC = 0.25  # extra height at the peak per metre flown beyond ARC_FROM
ARC_FROM = 100.0  # hops shorter than this stay level
ARC_CAP = 800.0


def _ease(u: float) -> float:
    """Smoothstep: zero speed at both ends."""
    return u * u * (3.0 - 2.0 * u)


class Flight:
    """A flight from ``start`` to ``end`` lasting ``duration`` seconds (None: from the
    distance, about 0.8 s for a short hop up to 3.5 s across a district). Raises ValueError
    for a negative or non-finite duration."""

    def __init__(self, start: Eye, end: Eye, duration: float | None = None) -> None:
        (x0, y0, z0), (x1, y1, z1) = start.position, end.position
        level = math.hypot(x1 - x0, y1 - y0)
        if duration is None:
            span = math.hypot(level, z1 - z0)
            # Square root: short hops still take a noticeable moment, long ones not forever.
            duration = SHORT + (LONG - SHORT) * math.sqrt(min(span / ACROSS, 1.0))
        if not (duration >= 0 and math.isfinite(duration)):
            raise ValueError(f"flight duration must be >= 0 seconds, got {duration!r}")
        self.start = start
        self.end = end
        self.duration = float(duration)
        self.rise = min(ARC * max(level - ARC_FROM, 0.0), ARC_CAP)
        self._turn = turn_between(start.heading, end.heading)
        self._elapsed = 0.0

    @property
    def progress(self) -> float:
        """How much of the flight's time has passed, 0..1."""
        if self.duration <= 0:
            return 1.0
        return min(self._elapsed / self.duration, 1.0)

    @property
    def done(self) -> bool:
        """Whether the flight has arrived."""
        return self.progress >= 1.0

    @property
    def eye(self) -> Eye:
        """The eye now: exactly ``end`` once done."""
        if self.done:
            return self.end
        e = _ease(self.progress)
        a, b = self.start.position, self.end.position
        x, y, z = (p + (q - p) * e for p, q in zip(a, b, strict=True))
        z += 4.0 * e * (1.0 - e) * self.rise  # a parabola peaking halfway
        return Eye((x, y, z), self.start.heading + self._turn * e,
                   self.start.pitch + (self.end.pitch - self.start.pitch) * e)

    def advance(self, dt: float) -> Eye:
        """The eye after ``dt`` more seconds (negative ``dt`` counts as none)."""
        self._elapsed += max(float(dt), 0.0)
        return self.eye

    @classmethod
    def to_pose(cls, start: Eye, pose: CameraPose, duration: float | None = None) -> Flight:
        """A flight from ``start`` to the eye of orbit ``pose``."""
        return cls(start, Eye.of_pose(pose), duration)
