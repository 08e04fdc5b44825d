"""Rooftop solar potential: the sun's path over a year, a clear-sky model and roof shading.

Pure numpy and shapely, so it can be tested (and reused) without the viewer. The model, in
the order ``rooftop_potential`` applies it:

1. The sun's position every 15 minutes on the mean day of each month (Klein 1977), from the
   solar declination and hour angle at the district's latitude (solar time).
2. Global horizontal irradiance from the Haurwitz clear-sky model, scaled so the year adds up
   to a measured total for the city: the scaling stands in for clouds and haze.
3. Shading: for a handful of sun positions standing for the year's sunshine, a ray from each
   roof towards the sun is tested against taller buildings nearby. A roof in shadow keeps
   only the diffuse part of the light.
4. Electricity: usable roof area x irradiation x module efficiency x performance ratio.

Roofs are treated as flat (the district has no roof shapes), and panels as laid flat on
them; tilting them towards the south would add roughly a tenth in Gwangju.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

#: Global horizontal irradiation in Gwangju, kWh/m² a year. Long-term records for the city
#: (the Korea Meteorological Administration's Gwangju station, and satellite-based data such
#: as the Global Solar Atlas) put it at roughly 1,300-1,400; we use the middle. A clear sky
#: every day would give about 2,200 at this latitude: the rest is cloud, haze and the
#: summer monsoon.
ANNUAL_GHI_KWH_M2 = 1350.0
#: Share of a roof that can carry panels, after stairwells, plant, parapets and access paths.
USABLE_ROOF_FRACTION = 0.6
#: A current mono-crystalline module converts about 21 % of the light that falls on it.
MODULE_EFFICIENCY = 0.21
#: Inverter, wiring, heat and soiling losses: a typical well-run rooftop system's ratio of
#: delivered to nominal energy.
PERFORMANCE_RATIO = 0.8
#: Share of the year's horizontal irradiation that is diffuse sky light rather than direct
#: sun; Korea's hazy, humid climate puts it near one half. Shade blocks only the direct part.
DIFFUSE_FRACTION = 0.45

#: The mean day of each month (day of the year), whose sun stands for the whole month.
MEAN_DAYS = (17, 47, 75, 105, 135, 162, 198, 228, 258, 288, 318, 344)
MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def declination(day_of_year: np.ndarray | float) -> np.ndarray:
    """The sun's declination in radians on ``day_of_year`` (1-365), after Cooper (1969)."""
    return np.radians(23.45) * np.sin(2 * np.pi * (284 + np.asarray(day_of_year)) / 365.0)


def sun_vectors(latitude_deg: float, day_of_year: np.ndarray | float,
                solar_hour: np.ndarray | float) -> np.ndarray:
    """Unit vectors (..., 3) towards the sun as (east, north, up) at ``latitude_deg``.

    ``solar_hour`` is local solar time (12 = solar noon); arguments broadcast together.
    Vectors with a negative ``up`` are below the horizon.
    """
    phi = np.radians(latitude_deg)
    delta = declination(day_of_year)
    omega = np.radians(15.0 * (np.asarray(solar_hour, np.float64) - 12.0))  # hour angle
    east = -np.cos(delta) * np.sin(omega)
    north = np.sin(delta) * np.cos(phi) - np.cos(delta) * np.cos(omega) * np.sin(phi)
    up = np.sin(delta) * np.sin(phi) + np.cos(delta) * np.cos(omega) * np.cos(phi)
    return np.stack(np.broadcast_arrays(east, north, up), axis=-1)


def haurwitz_ghi(cos_zenith: np.ndarray) -> np.ndarray:
    """Clear-sky global horizontal irradiance in W/m² (Haurwitz 1945); 0 at night."""
    c = np.asarray(cos_zenith, np.float64)
    safe = np.where(c > 0, c, 1.0)
    return np.where(c > 0, 1098.0 * safe * np.exp(-0.059 / safe), 0.0)


@dataclass(frozen=True, eq=False)
class SunPath:
    """The sun over a year, as daytime samples.

    Attributes:
        directions: (n, 3) unit vectors (east, north, up) towards the sun, all above the
            horizon.
        ghi: (n,) global horizontal irradiance at each sample, W/m².
        hours: (n,) hours of the year each sample stands for (the time step times the days
            of its month), so ``sum(ghi * hours)`` is the year's energy in Wh/m².
        month: (n,) month of each sample, 0 = January.
        scale: the factor applied to the clear-sky model to reach the measured annual total
            (1.0 for pure clear sky).
    """

    directions: np.ndarray
    ghi: np.ndarray
    hours: np.ndarray
    month: np.ndarray
    scale: float

    @property
    def energy(self) -> np.ndarray:
        """(n,) horizontal energy each sample brings over the year, kWh/m²."""
        return self.ghi * self.hours / 1000.0

    @property
    def annual_ghi(self) -> float:
        """The year's global horizontal irradiation, kWh/m²."""
        return float(self.energy.sum())

    @property
    def monthly_ghi(self) -> np.ndarray:
        """(12,) global horizontal irradiation of each month, kWh/m²."""
        return np.bincount(self.month, weights=self.energy, minlength=12)

    @property
    def elevation_deg(self) -> np.ndarray:
        """(n,) the sun's elevation above the horizon, degrees."""
        return np.degrees(np.arcsin(np.clip(self.directions[:, 2], -1.0, 1.0)))

    @property
    def azimuth_deg(self) -> np.ndarray:
        """(n,) the sun's compass direction, degrees clockwise from north."""
        return np.degrees(np.arctan2(self.directions[:, 0], self.directions[:, 1])) % 360.0


def sun_path(latitude_deg: float, step_hours: float = 0.25,
             annual_ghi: float | None = ANNUAL_GHI_KWH_M2) -> SunPath:
    """The sun's path over a year at ``latitude_deg``, sampled every ``step_hours`` on the mean
    day of each month, with clear-sky irradiance scaled to ``annual_ghi`` kWh/m² (``None``:
    pure clear sky, no scaling)."""
    if not -90.0 <= latitude_deg <= 90.0:
        raise ValueError(f"latitude {latitude_deg} is not between -90 and 90 degrees")
    hours = np.arange(step_hours / 2, 24.0, step_hours)  # mid-points of each time step
    days = np.asarray(MEAN_DAYS, np.float64)
    vectors = sun_vectors(latitude_deg, days[:, None], hours[None, :])  # (12, t, 3)
    month = np.broadcast_to(np.arange(12)[:, None], vectors.shape[:2])
    weight = np.broadcast_to(np.asarray(MONTH_LENGTHS, np.float64)[:, None] * step_hours,
                             vectors.shape[:2])
    day = vectors[..., 2] > 0
    directions, month, weight = vectors[day], month[day], weight[day]
    ghi = haurwitz_ghi(directions[:, 2])
    clear = float((ghi * weight).sum() / 1000.0)
    scale = 1.0 if annual_ghi is None or clear == 0 else float(annual_ghi) / clear
    return SunPath(directions, ghi * scale, weight.copy(), month.astype(np.int64), scale)


def representative_suns(path: SunPath, azimuth_step: float = 30.0,
                        elevation_edges: tuple[float, ...] = (0.0, 15.0, 30.0, 50.0, 90.1),
                        ) -> tuple[np.ndarray, np.ndarray]:
    """A handful of sun directions standing for the whole year, for shading.

    The samples of ``path`` are grouped by compass sector (``azimuth_step`` degrees) and
    elevation band (``elevation_edges``); each group becomes its energy-weighted mean
    direction. Returns (k, 3) unit vectors and (k,) weights: each group's share of the
    year's energy (they add up to 1).
    """
    az = (path.azimuth_deg // azimuth_step).astype(np.int64)
    band = np.clip(np.searchsorted(elevation_edges, path.elevation_deg, side="right") - 1,
                   0, len(elevation_edges) - 2)
    group, which = np.unique(az * len(elevation_edges) + band, return_inverse=True)
    energy = path.energy
    summed = np.zeros((len(group), 3))
    np.add.at(summed, which, path.directions * energy[:, None])
    weights = np.bincount(which, weights=energy, minlength=len(group))
    directions = summed / np.linalg.norm(summed, axis=1, keepdims=True)
    return directions, weights / weights.sum()


def shaded_fractions(footprints: np.ndarray, heights: np.ndarray, directions: np.ndarray,
                     weights: np.ndarray, points: np.ndarray | None = None) -> np.ndarray:
    """(n,) share of the year's direct sunlight each roof loses to taller buildings, 0..1.

    For every sun direction a ray leaves each roof's point (``points``, (n, 2); by default
    ``shapely.point_on_surface`` of the footprint) at roof height and heads for the sun. A
    taller building ``j`` blocks it if the ray is over ``j``'s footprint while still below
    ``j``'s roof. The ray only needs testing as far as it takes to climb above the tallest
    building, so one STRtree query per direction finds all candidates. Each roof is judged at
    one point: a partly shaded roof counts as lit or dark as a whole, depending on that point.
    """
    footprints = np.asarray(footprints, object)
    heights = np.asarray(heights, np.float64)
    n = len(footprints)
    if points is None:
        points = shapely.get_coordinates(shapely.point_on_surface(footprints))
    points = np.asarray(points, np.float64).reshape(n, 2)
    lost = np.zeros(n)
    if n < 2:
        return lost
    tree = shapely.STRtree(footprints)
    bounds = shapely.bounds(footprints)  # (n, 4): x0, y0, x1, y1
    top = float(np.nanmax(heights))
    for sun, weight in zip(np.asarray(directions, np.float64), weights, strict=True):
        horizontal = float(np.hypot(sun[0], sun[1]))
        if sun[2] <= 0 or horizontal < 1e-9:
            continue  # below the horizon, or straight overhead: nothing casts a shadow
        toward = sun[:2] / horizontal  # compass direction of the sun on the ground
        tan_elevation = sun[2] / horizontal
        climb = (top - heights) / tan_elevation  # how far until the ray clears everything
        # Bounding boxes first (cheap); the exact test only for taller candidates, and only
        # along the stretch of ray that is still below the candidate's roof.
        roof, other = tree.query(_segments(points, toward, climb))
        taller = heights[other] > heights[roof]
        roof, other = roof[taller], other[taller]
        reach = (heights[other] - heights[roof]) / tan_elevation
        start = points[roof]
        end = start + reach[:, None] * toward
        box = bounds[other]
        near = ((np.minimum(start, end) <= box[:, 2:]) & (np.maximum(start, end) >= box[:, :2]))
        near = near.all(axis=1)
        roof, other = roof[near], other[near]
        blocked = shapely.intersects(_segments(start[near], toward, reach[near]),
                                     footprints[other])
        dark = np.zeros(n, bool)
        dark[roof[blocked]] = True
        lost += weight * dark
    return np.clip(lost, 0.0, 1.0)


def shaded_now(footprints: np.ndarray, heights: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """(n,) bool: which roofs are in a taller building's shadow with the sun towards
    ``direction`` (a unit vector east, north, up), judged at one point each as in
    :func:`shaded_fractions`. All False when the sun is down."""
    sun = np.asarray(direction, np.float64).reshape(1, 3)
    return shaded_fractions(footprints, heights, sun, np.ones(1)) > 0.5


def _segments(start: np.ndarray, direction: np.ndarray, length: np.ndarray) -> np.ndarray:
    end = start + np.maximum(length, 1e-6)[:, None] * direction
    segments = shapely.linestrings(np.stack([start, end], axis=1))
    assert isinstance(segments, np.ndarray)  # (n, 2, 3) coordinates in, n segments out
    return segments


@dataclass(frozen=True, eq=False)
class RooftopSolar:
    """Per-building rooftop solar potential (all arrays (n,), one value per building).

    Attributes:
        annual_kwh: electricity a rooftop system could deliver in a year, kWh.
        yield_kwh_m2: the same per square metre of roof (footprint) area, kWh/m².
        irradiation_kwh_m2: sunlight reaching the roof in a year after shading, kWh/m².
        shaded: share of the year's direct sunlight the roof loses to taller buildings.
        path: the sun's path the figures were computed from.
    """

    annual_kwh: np.ndarray
    yield_kwh_m2: np.ndarray
    irradiation_kwh_m2: np.ndarray
    shaded: np.ndarray
    path: SunPath

    @property
    def total_kwh(self) -> float:
        """The whole district's potential, kWh a year."""
        return float(self.annual_kwh.sum())


def rooftop_potential(
    footprints: np.ndarray,
    heights: np.ndarray,
    latitude_deg: float,
    *,
    areas: np.ndarray | None = None,
    annual_ghi: float = ANNUAL_GHI_KWH_M2,
    usable_fraction: float = USABLE_ROOF_FRACTION,
    efficiency: float = MODULE_EFFICIENCY,
    performance_ratio: float = PERFORMANCE_RATIO,
    diffuse_fraction: float = DIFFUSE_FRACTION,
    path: SunPath | None = None,
) -> RooftopSolar:
    """Rooftop solar potential of every building (footprints in metres, heights in metres).

    ``areas`` defaults to the footprints' areas. Pass ``path`` to reuse a computed sun path.
    """
    footprints = np.asarray(footprints, object)
    heights = np.asarray(heights, np.float64)
    areas = shapely.area(footprints) if areas is None else np.asarray(areas, np.float64)
    if path is None:
        path = sun_path(latitude_deg, annual_ghi=annual_ghi)
    directions, weights = representative_suns(path)
    shaded = shaded_fractions(footprints, heights, directions, weights)
    irradiation = path.annual_ghi * (1.0 - (1.0 - diffuse_fraction) * shaded)
    per_m2 = usable_fraction * irradiation * efficiency * performance_ratio
    return RooftopSolar(per_m2 * areas, per_m2, irradiation, shaded, path)
