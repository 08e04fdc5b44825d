"""Which pavilion the visitor is in: walking or flying into one enters it; leaving is explicit.

The visitor enters a pavilion when the point they look at (orbit target) or stand over
(fly/walk eye) is on its site and they are close enough to see it. Once inside, moving the
camera never takes them out: a demo may frame things far from its door, and the visitor may
zoom out to see them. They leave by an explicit action (the menu, the 0 key, a Leave button,
entering another pavilion, the kiosk's reset), which the touring interface tells ``release``
or ``hold``.
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


class Presence:
    """Tracks the pavilion the visitor is in (``inside``).

    - Outside every pavilion, the visitor enters one when the point is within the site
      square grown by ENTER_MARGIN (in the pavilion's own axes) and ``range_m`` <=
      ENTER_RANGE x reach, where reach is the distance of
      ``gwangju_twin.expo.pavilion_pose``. Of several that qualify, the nearest wins.
    - Inside, camera moves change nothing: neither zooming out nor passing over another
      pavilion leaves (a demo's own camera moves must not end the demo).
    - ``hold`` (menu, key, tour, Enter button, another pavilion) puts the visitor inside
      explicitly; ``release`` leaves explicitly, and that pavilion is not re-entered until
      the point no longer qualifies to enter it (so the visitor who pressed "leave" is not
      pulled straight back in).
    """

    def __init__(self, pavilions: Sequence[PavilionInfo]) -> None:
        self.pavilions: tuple[PavilionInfo, ...] = tuple(pavilions)
        self.inside: str | None = None
        self._index = {p.id: k for k, p in enumerate(self.pavilions)}
        self._reach = [pavilion_pose(p).distance for p in self.pavilions]
        self._barred: str | None = None  # released and not to be re-entered yet

    def update(self, point: tuple[float, float], range_m: float) -> str | None:
        """Follow the visitor to ``point`` (x, y metres) seen from ``range_m`` metres.

        Returns the pavilion id entered on this update, or None when there was none (always
        None while the visitor is inside one: only an explicit action leaves).
        """
        if self._barred is not None and not self._can_enter(self._index[self._barred], point,
                                                             range_m):
            self._barred = None
        if self.inside is not None:
            return None
        self.inside = self._nearest(point, range_m)
        return self.inside

    def hold(self, pavilion_id: str) -> None:
        """The visitor was taken inside ``pavilion_id`` explicitly (menu, key, tour, Enter);
        they stay inside until they leave explicitly. KeyError for an unknown id."""
        if pavilion_id not in self._index:
            raise KeyError(pavilion_id)
        self.inside = pavilion_id
        self._barred = None

    def release(self) -> None:
        """The visitor left explicitly (the menu, the 0 key, a Leave button, a reset)."""
        self._barred = self.inside
        self.inside = None

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
