"""How far the visitor's eye may wander: a box around the district, above the ground."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The space the eye may be in.

    ``bounds`` is the district's (x0, y0, x1, y1) in local metres; the eye may go ``margin``
    metres outside it (to look back at the edge), no higher than ``ceiling`` (absolute z) and
    no lower than ``clearance`` above the ground. Raises ValueError for reversed bounds or
    negative sizes.
    """

    bounds: tuple[float, float, float, float]
    margin: float
    ceiling: float
    clearance: float = 1.0

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = (float(v) for v in self.bounds)
        numbers = (x0, y0, x1, y1, self.margin, self.ceiling, self.clearance)
        if not all(math.isfinite(v) for v in numbers):
            raise ValueError(f"limits need finite numbers, got {self!r}")
        if x1 < x0 or y1 < y0 or self.margin < 0 or self.clearance < 0:
            raise ValueError(f"limits need x0 <= x1, y0 <= y1 and sizes >= 0, got {self!r}")
        object.__setattr__(self, "bounds", (x0, y0, x1, y1))

    @classmethod
    def for_district(cls, bounds: tuple[float, float, float, float], max_height: float,
                     holding: tuple[float, float, float] | None = None) -> Limits:
        """Limits that scale with the district: a margin of a quarter diagonal (at least
        300 m) and a ceiling high enough to see it all (at least 1.5 km, 2.5 diagonals and
        four times the tallest building).

        ``holding`` is an eye position the limits must include, widened as needed: a
        district opened without a scene camera starts on an overview that may stand
        farther out than the usual margin, and the visitor must be able to get back there.
        """
        x0, y0, x1, y1 = bounds
        diagonal = math.hypot(x1 - x0, y1 - y0)
        margin = max(300.0, 0.25 * diagonal)
        ceiling = max(1500.0, 2.5 * diagonal, 4.0 * float(max_height))
        limits = cls((x0, y0, x1, y1), margin, ceiling)
        return limits if holding is None else limits.holding(holding)

    def holding(self, eye: tuple[float, float, float]) -> Limits:
        """These limits widened (never narrowed) so that ``eye`` is inside them: a view a
        demo asks for (a whole-district overview) is shown as asked, not pulled in."""
        x0, y0, x1, y1 = self.bounds
        x, y, z = eye
        outside = max(x0 - x, x - x1, y0 - y, y - y1, 0.0)
        return Limits(self.bounds, max(self.margin, outside * 1.05 + 1.0),
                      max(self.ceiling, z * 1.05 + 1.0), self.clearance)

    def clamp_eye_position(self, p: tuple[float, float, float],
                           ground: float = 0.0) -> tuple[float, float, float]:
        """``p`` moved into the box: within ``margin`` of the bounds, at least ``clearance``
        above ``ground`` (the ground height under ``p``) and no higher than ``ceiling``.

        Never under the ground wins over the ceiling should the two conflict.
        """
        x0, y0, x1, y1 = self.bounds
        m = self.margin
        x = min(max(float(p[0]), x0 - m), x1 + m)
        y = min(max(float(p[1]), y0 - m), y1 + m)
        z = max(min(float(p[2]), self.ceiling), ground + self.clearance)
        return (x, y, z)

    def clamp_target(self, p: tuple[float, float, float],
                     ground: float = 0.0) -> tuple[float, float, float]:
        """An orbit target ``p`` moved inside the bounds (no margin: the visitor always
        orbits something of the district), not under ``ground`` nor above the ceiling."""
        x0, y0, x1, y1 = self.bounds
        x = min(max(float(p[0]), x0), x1)
        y = min(max(float(p[1]), y0), y1)
        z = min(max(float(p[2]), ground), max(self.ceiling, ground))
        return (x, y, z)
