"""Interest zones: a visitor gets detailed updates only for visitors near them.

A room of 200 visitors moving at 10 Hz is 2000 updates a second; sending all of them to
everyone is 400 000 rows a second, most of them about people out of sight. Each pavilion's
site is a zone (a circle around its centre that holds the whole site, plus a margin). A
visitor sees in detail (every snapshot, to the centimetre) everyone in the same zone and
everyone within ``radius`` metres; the rest come coarse (to the metre, with their zone) and
less often. Zones are computed by the server from the position it clamped, never from the
pavilion a client claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gwangju_twin.scene.pavilions import PavilionSite

#: Everyone within this many metres is "near", zone or not (a street corner's width).
NEAR_RADIUS = 40.0
#: A zone reaches this far beyond its site (metres): the square in front of the door.
ZONE_MARGIN = 10.0


@dataclass(frozen=True)
class Zone:
    """A circle of interest around one pavilion."""

    id: str
    x: float
    y: float
    radius: float


def zones_from_sites(sites: Sequence[PavilionSite], margin: float = ZONE_MARGIN) -> list[Zone]:
    """One zone per pavilion site: the circle around its centre through its farthest corner,
    grown by ``margin``."""
    zones = []
    for site in sites:
        cx, cy = site.center
        ring = np.asarray(site.polygon.exterior.coords)
        reach = float(np.hypot(ring[:, 0] - cx, ring[:, 1] - cy).max())
        zones.append(Zone(site.spec.id, float(cx), float(cy), reach + margin))
    return zones


class InterestMap:
    """Which zone each visitor is in, and who is near whom (whole arrays at a time)."""

    def __init__(self, zones: Sequence[Zone], radius: float = NEAR_RADIUS) -> None:
        self.zones = list(zones)
        self.ids = [z.id for z in self.zones]
        self.centres = np.array([(z.x, z.y) for z in self.zones], float).reshape(-1, 2)
        self.radii = np.array([z.radius for z in self.zones], float)
        self.radius = radius

    def zone_of(self, xy: np.ndarray) -> np.ndarray:
        """For positions ``xy`` (n, 2): the index of the nearest zone that holds each, or -1.

        Overlapping zones: the one whose centre is nearest wins, so a visitor between two
        pavilions belongs to the one they are closer to.
        """
        xy = np.asarray(xy, float).reshape(-1, 2)
        if not self.zones or not len(xy):
            return np.full(len(xy), -1, dtype=np.int64)
        d = np.hypot(xy[:, None, 0] - self.centres[None, :, 0],
                     xy[:, None, 1] - self.centres[None, :, 1])
        d = np.where(d <= self.radii[None, :], d, np.inf)
        best = d.argmin(axis=1)
        return np.where(np.isfinite(d[np.arange(len(xy)), best]), best, -1)

    def near(self, xy: np.ndarray, zone: np.ndarray) -> np.ndarray:
        """(n, n) booleans: ``[i, j]`` when j is near i (same zone, or within ``radius``).

        Symmetric, and true on the diagonal. Two visitors outside every zone (-1) are not
        "in the same zone": the street is not a room.
        """
        xy = np.asarray(xy, float).reshape(-1, 2)
        zone = np.asarray(zone)
        dx = xy[:, None, 0] - xy[None, :, 0]
        dy = xy[:, None, 1] - xy[None, :, 1]
        close = dx * dx + dy * dy <= self.radius * self.radius
        same = (zone[:, None] == zone[None, :]) & (zone[:, None] >= 0)
        return close | same

    def zone_id(self, index: int) -> str | None:
        """The zone's id for an index from ``zone_of`` (None for -1)."""
        return None if index < 0 else self.ids[index]
