"""The colours of a moment of the day, from the sun's elevation alone (no Panda3D).

Day, golden hour, dusk and night are stops on one scale of elevation: the light between two
stops is interpolated, so a day played forward never jumps. The stops follow the usual
twilight boundaries (civil twilight ends at -6 degrees, astronomical at -18): the sky stays
blue-grey until the sun is 6 degrees under, then darkens to night.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gwangju_twin.mesh import palette

RGB = tuple[float, float, float]

#: Elevations (degrees) of the stops, lowest first.
_ELEVATION = np.array([-18.0, -6.0, -2.0, 2.0, 8.0, 20.0, 40.0])


def _rgb8(c: tuple[int, ...]) -> list[float]:
    return [c[0] / 255, c[1] / 255, c[2] / 255]


# One row per stop of _ELEVATION. Noon (40 degrees and up) keeps the viewer's look from before
# time of day existed: the same sun, fill, ambient and sky colours (render/world.py had them).
_SUN = np.array([
    [0.00, 0.00, 0.00],   # night: no sun
    [0.00, 0.00, 0.00],
    [0.10, 0.04, 0.02],
    [0.62, 0.36, 0.18],   # the sun on the horizon, red-orange
    [0.80, 0.58, 0.38],   # golden hour
    [0.84, 0.74, 0.58],
    [0.82, 0.77, 0.66],   # day
])
_AMBIENT = np.array([
    [0.13, 0.14, 0.20],   # night: city glow on a moonless night, enough to read the blocks
    [0.15, 0.16, 0.23],
    [0.20, 0.19, 0.25],
    [0.26, 0.25, 0.30],
    [0.28, 0.28, 0.33],
    [0.30, 0.32, 0.37],
    [0.30, 0.32, 0.37],
])
_FILL = np.array([
    [0.02, 0.03, 0.06],
    [0.05, 0.06, 0.11],
    [0.10, 0.10, 0.16],
    [0.16, 0.16, 0.22],
    [0.18, 0.20, 0.26],
    [0.20, 0.22, 0.27],
    [0.20, 0.22, 0.27],
])
_ZENITH = np.array([
    [0.02, 0.03, 0.08],
    [0.08, 0.12, 0.26],
    [0.18, 0.26, 0.46],
    [0.24, 0.38, 0.62],
    [0.28, 0.46, 0.74],
    _rgb8(palette.SKY_ZENITH),
    _rgb8(palette.SKY_ZENITH),
])
_HORIZON = np.array([
    [0.04, 0.05, 0.10],
    [0.22, 0.22, 0.32],
    [0.62, 0.46, 0.42],   # dusk's glow on the horizon
    [0.86, 0.66, 0.52],
    [0.84, 0.80, 0.78],
    _rgb8(palette.SKY_HORIZON),
    _rgb8(palette.SKY_HORIZON),
])
#: How much of the night's lights are on (lit windows, street lights): 1 at and after dusk.
_NIGHT = np.array([1.0, 1.0, 0.7, 0.15, 0.0, 0.0, 0.0])


@dataclass(frozen=True)
class Daylight:
    """The light and sky colours (linear 0..1 RGB) for one elevation of the sun."""

    elevation_deg: float
    sun: RGB
    """The directional sun's colour (black when it is under the horizon)."""
    ambient: RGB
    fill: RGB
    """The sky's fill light from the side away from the sun."""
    zenith: RGB
    horizon: RGB
    """The sky at the horizon, which is also the haze's colour."""
    night: float
    """0 by day, 1 at night: how much of the night's lights show."""

    @property
    def phase(self) -> str:
        """"day", "golden" (the sun under 8 degrees), "dusk" (under the horizon, above
        -6 degrees: civil twilight) or "night"."""
        if self.elevation_deg >= 8.0:
            return "day"
        if self.elevation_deg >= 0.0:
            return "golden"
        if self.elevation_deg >= -6.0:
            return "dusk"
        return "night"


def _at(table: np.ndarray, elevation: float) -> RGB:
    r, g, b = (float(np.interp(elevation, _ELEVATION, table[:, i])) for i in range(3))
    return (r, g, b)


def daylight(elevation_deg: float) -> Daylight:
    """The colours of a moment whose sun stands ``elevation_deg`` above the horizon."""
    e = float(elevation_deg)
    return Daylight(e, _at(_SUN, e), _at(_AMBIENT, e), _at(_FILL, e), _at(_ZENITH, e),
                    _at(_HORIZON, e), float(np.interp(e, _ELEVATION, _NIGHT)))


def luminance(c: RGB) -> float:
    """Relative luminance (Rec. 709 weights) of a linear colour."""
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
