"""Which pavilion the visitor is in: enter and exit follow where the visitor goes.

The visitor is "in" a pavilion when the point they look at (orbit target) or stand over
(fly/walk eye) is on its site and they are close enough to see it. Entering and leaving use
different bounds (hysteresis), so hovering at an edge never makes a demo flicker on and off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from gwangju_twin.expo.pavilions import pavilion_pose
from gwangju_twin.plugins.api import PavilionInfo

#: Enter: the point within the site grown by this many metres ...
ENTER_MARGIN = 5.0
#: ... and the viewer within this many times the pavilion's reach (its entrance view).
ENTER_RANGE = 1.3
#: Exit: the point outside the site grown by this many metres, or the viewer further away
#: than this many times the reach.
EXIT_MARGIN = 30.0
EXIT_RANGE = 2.0


class Presence:
    """Tracks the pavilion the visitor is in (``inside``), with hysteresis.

    - Enter when the point is within the site square grown by ENTER_MARGIN (in the pavilion's
      own axes) and ``range_m`` <= ENTER_RANGE x reach, where reach is the distance of
      ``gwangju_twin.expo.pavilion_pose``. Of several that qualify, the nearest wins.
    - Exit when the point is outside the site grown by EXIT_MARGIN or ``range_m`` > EXIT_RANGE
      x reach.
    - Move straight from one pavilion to a neighbour when the point qualifies to enter the
      neighbour and no longer qualifies to enter the current one: the gap between the two
      enter bounds is the hysteresis, so the edge between close sites does not flicker.
    - ``hold`` (menu, key, tour) puts the visitor inside explicitly. The camera is usually
      still flying there, so the exit rule is armed only once the point has been within the
      exit bounds; from then on it applies as usual. ``release`` leaves explicitly, and that
      pavilion is not re-entered until the point no longer qualifies to enter it (so the
      visitor who pressed "leave" is not pulled straight back in).
    """

    def __init__(self, pavilions: Sequence[PavilionInfo]) -> None:
        self.pavilions: tuple[PavilionInfo, ...] = tuple(pavilions)
        self.inside: str | None = None
        self._index = {p.id: k for k, p in enumerate(self.pavilions)}
        self._reach = [pavilion_pose(p).distance for p in self.pavilions]
        self._held = False  # inside by hold() and not yet armed for the exit rule
        self._barred: str | None = None  # released and not to be re-entered yet

    def update(self, point: tuple[float, float],
               range_m: float) -> tuple[str | None, str | None]:
        """Follow the visitor to ``point`` (x, y metres) seen from ``range_m`` metres.

        Returns ``(left, entered)``: the pavilion id left and the one entered on this update,
        each None when there was no such change.
        """
        if self._barred is not None and not self._can_enter(self._index[self._barred], point,
                                                             range_m):
            self._barred = None
        current = self.inside
        if current is not None:
            k = self._index[current]
            if self._held:
                if self._must_exit(k, point, range_m):
                    return None, None  # still on the way there: the hold stands
                self._held = False
            if not self._must_exit(k, point, range_m):
                best = self._nearest(point, range_m)
                if best is None or best == current or self._can_enter(k, point, range_m):
                    return None, None
                self.inside = best
                return current, best
        entered = self._nearest(point, range_m)
        self.inside = entered
        return current, entered

    def hold(self, pavilion_id: str) -> None:
        """The visitor was taken inside ``pavilion_id`` explicitly (menu, key, tour); they
        count as inside until they move away. KeyError for an unknown id."""
        if pavilion_id not in self._index:
            raise KeyError(pavilion_id)
        self.inside = pavilion_id
        self._held = True
        self._barred = None

    def release(self) -> None:
        """The visitor left explicitly (a "leave" button or key)."""
        self._barred = self.inside
        self.inside = None
        self._held = False

    def _local(self, k: int, point: tuple[float, float]) -> tuple[float, float]:
        """``point`` in pavilion ``k``'s axes: x to the right of its front, y out of it."""
        p = self.pavilions[k]
        h = math.radians(p.heading)
        dx, dy = point[0] - p.position[0], point[1] - p.position[1]
        return dx * math.cos(h) - dy * math.sin(h), dx * math.sin(h) + dy * math.cos(h)

    def _within(self, k: int, point: tuple[float, float], margin: float) -> bool:
        x, y = self._local(k, point)
        w, d = self.pavilions[k].size
        return abs(x) <= w / 2 + margin and abs(y) <= d / 2 + margin

    def _can_enter(self, k: int, point: tuple[float, float], range_m: float) -> bool:
        return (range_m <= ENTER_RANGE * self._reach[k]
                and self._within(k, point, ENTER_MARGIN))

    def _must_exit(self, k: int, point: tuple[float, float], range_m: float) -> bool:
        return range_m > EXIT_RANGE * self._reach[k] or not self._within(k, point, EXIT_MARGIN)

    def _nearest(self, point: tuple[float, float], range_m: float) -> str | None:
        """The pavilion the point may enter that is nearest (to its site, then its centre)."""
        best: tuple[float, float] | None = None
        found = None
        for k, p in enumerate(self.pavilions):
            if p.id == self._barred or not self._can_enter(k, point, range_m):
                continue
            x, y = self._local(k, point)
            w, d = p.size
            key = (math.hypot(max(abs(x) - w / 2, 0.0), max(abs(y) - d / 2, 0.0)),
                   math.hypot(x, y))
            if best is None or key < best:
                best, found = key, p.id
        return found
