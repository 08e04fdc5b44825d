"""Where the visitor's eye is and where it looks, as plain numbers (no Panda3D).

Local frame: x east, y north, z up, metres. ``heading`` is the compass direction of the view
(degrees clockwise from north) and ``pitch`` how far below the horizon it looks, the same
conventions as :class:`~gwangju_twin.scene.camera.CameraPose`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gwangju_twin.scene.camera import CameraPose, direction, panda_hpr

#: The eye never looks straight up or down: heading would become meaningless there.
MAX_PITCH = 89.0


def wrap_heading(heading: float) -> float:
    """``heading`` in [0, 360)."""
    h = float(heading) % 360.0
    # -1e-17 % 360 rounds to 360.0, which is outside the half-open range.
    return 0.0 if h >= 360.0 else h


def turn_between(start: float, end: float) -> float:
    """The signed turn from compass ``start`` to ``end`` the short way round, in [-180, 180)."""
    return (float(end) - float(start) + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class Eye:
    """A camera as the renderer needs it: a position and a view direction.

    Construction normalises: ``heading`` is wrapped into [0, 360), ``pitch`` clamped to
    [-89, 89] and the position made plain floats. Raises ValueError for non-finite numbers.
    """

    position: tuple[float, float, float]
    heading: float
    pitch: float

    def __post_init__(self) -> None:
        x, y, z = (float(v) for v in self.position)
        numbers = (x, y, z, float(self.heading), float(self.pitch))
        if not all(math.isfinite(v) for v in numbers):
            raise ValueError(f"eye needs finite numbers, got {self!r}")
        # Frozen dataclass: normalising in place is the documented way round the freeze.
        object.__setattr__(self, "position", (x, y, z))
        object.__setattr__(self, "heading", wrap_heading(self.heading))
        object.__setattr__(self, "pitch", min(max(float(self.pitch), -MAX_PITCH), MAX_PITCH))

    @property
    def panda_hpr(self) -> tuple[float, float, float]:
        """Panda3D heading/pitch/roll (heading counter-clockwise, pitch up positive)."""
        return panda_hpr(self.heading, self.pitch)

    @property
    def forward(self) -> tuple[float, float, float]:
        """The unit view direction."""
        return direction(self.heading, self.pitch)

    @classmethod
    def of_pose(cls, pose: CameraPose) -> Eye:
        """The eye of an orbit pose: at ``pose.position`` looking at ``pose.target``."""
        return cls(pose.position, pose.heading, pose.pitch)
