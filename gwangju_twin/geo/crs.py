"""CRS checks: which CRS a file is read in, and whether it puts the data where it belongs.

Three mistakes put a whole district in the wrong place without any feature looking broken:
a ``--crs`` that contradicts the CRS the file declares, a CRS whose false origin differs from
the data's (Seoul's EPSG:5186 metres read as EPSG:5179 land in the Taiwan Strait, read as
EPSG:5174 north of the DMZ), and a CRS used far outside its area of use. ``choose_crs`` settles
the first; ``check_placement`` the other two, and on failure tries the CRSs Korean data comes in
(``CANDIDATES``) and names those that would put the data on land in South Korea.

Land is told from sea by a small table of boxes (``SOUTH_KOREA_LAND``), coarse on purpose: it
tells a city from open sea tens of kilometres off the coast, nothing finer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from gwangju_twin.errors import InputError
from gwangju_twin.geo.frame import WGS84, crs_label, parse_crs
from gwangju_twin.geo.model import CrsFrom

#: The CRSs Korean public data comes in, most common first (the order suggestions are listed
#: in when several fit): KGD2002 belts of 2010 (the building register since 2023: 5186), the
#: unified CS (UTM-K, national road and address data: 5179), the Korean 1985 (Bessel) belts of
#: older cadastral and building data (5174 and its neighbours), KGD2002 belts before 2010,
#: UTM 52N and plain lon/lat.
CANDIDATES: tuple[str, ...] = (
    "EPSG:5186", "EPSG:5179", "EPSG:5174", "EPSG:5181", "EPSG:5185", "EPSG:5187", "EPSG:5188",
    "EPSG:2097", "EPSG:5173", "EPSG:5176", "EPSG:5178", "EPSG:5175", "EPSG:5182",
    "EPSG:32652", "EPSG:4326",
)

#: Coarse boxes (west, south, east, north; degrees, WGS 84) around South Korea's land: the
#: mainland south of the Military Demarcation Line in twelve pieces, Jeju, Ulleungdo,
#: Baengnyeongdo and the Sinan/Jindo islands. Drawn by hand for this table from the
#: coastline of OpenStreetMap's standard map and the extreme points listed in Wikipedia's
#: "Extreme points of South Korea"; rounded to 0.05 degrees. They include bays and coastal
#: water (never open sea more than ~30 km off a coast) and leave out North Korea: every
#: Korean CRS's area of use is the Republic of Korea. tests/pure/test_crs_checks.py checks
#: them against the cities of ``PLACES`` (land) and points of open sea.
SOUTH_KOREA_LAND: tuple[tuple[float, float, float, float], ...] = (
    (126.35, 36.85, 127.00, 37.80),  # Incheon, Seoul, western Gyeonggi, Gimpo, Ganghwa
    (127.00, 36.85, 127.60, 38.15),  # eastern Gyeonggi up to Yeoncheon and Pocheon
    (127.60, 36.85, 128.40, 38.30),  # western Gangwon, Cheorwon to Wonju
    (128.40, 37.40, 128.95, 38.00),  # Gangneung, Pyeongchang
    (128.40, 38.00, 128.65, 38.60),  # Sokcho, Goseong
    (128.40, 36.85, 129.45, 37.40),  # Donghae, Samcheok, Taebaek, Uljin
    (126.10, 36.00, 127.60, 36.85),  # Chungcheong: Taean, Dangjin, Cheonan, Daejeon, Sejong
    (127.60, 35.70, 128.40, 36.85),  # Chungbuk south, Gimcheon, Gumi
    (128.40, 35.60, 129.60, 36.85),  # Gyeongbuk: Andong, Daegu, Pohang, Gyeongju
    (126.40, 35.30, 127.60, 36.00),  # Jeonbuk: Gunsan, Jeonju, Buan
    (126.30, 34.55, 127.60, 35.30),  # Jeonnam: Gwangju, Mokpo, Suncheon
    (126.30, 34.30, 127.50, 34.55),  # the south coast: Haenam, Gangjin, Goheung, Wando
    (127.60, 34.70, 128.40, 35.70),  # Gyeongnam west: Jinju, Namhae, Tongyeong, Yeosu
    (128.40, 34.70, 129.30, 35.60),  # Changwon, Geoje, Gimhae, Busan
    (129.00, 35.30, 129.45, 35.60),  # Ulsan
    (125.95, 34.30, 126.30, 35.00),  # Sinan islands, Jindo
    (126.15, 33.10, 126.97, 33.57),  # Jeju, down to Marado
    (130.78, 37.45, 130.93, 37.56),  # Ulleungdo
    (124.60, 37.85, 124.75, 38.00),  # Baengnyeongdo
)

#: How far (degrees) outside a land box a position still counts as on land: a coastline
#: district, a harbour or a pier.
LAND_MARGIN_DEG = 0.02

#: How far (degrees, ~150 km) data may lie outside its CRS's area of use. Transverse Mercator
#: belts stay usable well past their nominal 2 degrees (Busan is often published in the
#: central belt, EPSG:5186, 1.1 degrees east of its area), while the mistakes this catches
#: are hundreds or thousands of kilometres off.
AREA_MARGIN_DEG = 1.5

#: Places to name where a CRS would put the data: South Korea's special, metropolitan and
#: provincial capital cities and a few more, (name, lon, lat) of their centres to ~0.01
#: degrees, from the coordinates in each city's Wikipedia article.
PLACES: tuple[tuple[str, float, float], ...] = (
    ("Seoul", 126.978, 37.566), ("Busan", 129.076, 35.180), ("Incheon", 126.705, 37.456),
    ("Daegu", 128.601, 35.871), ("Daejeon", 127.385, 36.350), ("Gwangju", 126.853, 35.160),
    ("Ulsan", 129.311, 35.538), ("Sejong", 127.289, 36.480), ("Suwon", 127.029, 37.264),
    ("Chuncheon", 127.730, 37.881), ("Cheongju", 127.489, 36.642), ("Jeonju", 127.148, 35.824),
    ("Changwon", 128.681, 35.228), ("Andong", 128.729, 36.568), ("Jeju", 126.531, 33.500),
    ("Gangneung", 128.876, 37.752), ("Pohang", 129.344, 36.019), ("Mokpo", 126.392, 34.812),
    ("Gunsan", 126.737, 35.968), ("Yeosu", 127.662, 34.760), ("Wonju", 127.920, 37.342),
    ("Jinju", 128.108, 35.180), ("Gyeongju", 129.225, 35.856), ("Cheonan", 127.114, 36.815),
    ("Sokcho", 128.592, 38.207), ("Seogwipo", 126.560, 33.254),
)

#: A place is named when the data lies within this many kilometres of it.
NEAR_KM = 40.0

#: Positions sampled for the checks: enough for a robust median, cheap to transform with
#: every candidate.
SAMPLE = 2000

#: Two CRSs that put the file's positions within this many metres of each other are one CRS
#: for the contradiction check (an ESRI .prj and its EPSG code differ in names only).
SAME_PLACE_M = 1.0

#: Where in the world the Korean CRSs' areas of use lie: a CRS whose whole area of use is in
#: here is held to the land test.
_KOREA_REGION = (122.0, 28.0, 135.0, 41.0)


@dataclass(frozen=True)
class CrsChoice:
    """The CRS a file is read in, where it came from, and what the file itself declares."""

    crs: CRS
    source: CrsFrom
    named_by: str  # for messages: "the --crs option", "its .prj file", "GeoJSON's default"
    declared: str | None = None  # label of the CRS the file declares, None when silent
    declared_by: str | None = None  # "its 'crs' member", "its .prj file"
    warning: str | None = None  # set when --crs-override overrode the declaration


@dataclass(frozen=True)
class Fit:
    """A candidate CRS that puts the data on land: its name and where it puts it."""

    crs: str
    lon: float
    lat: float
    outside_deg: float  # how far outside the candidate's own area of use (0 when inside)

    def describe(self) -> str:
        """``EPSG:5186 (near Seoul)`` or ``EPSG:5186 (127.05E 34.28N)``."""
        place = nearest_place(self.lon, self.lat)
        return f"{self.crs} ({f'near {place}' if place else _degrees(self.lon, self.lat)})"


def choose_crs(
    path: object, given: str | None, declared: str | None, declared_by: str,
    given_by: str, override: bool, xy: np.ndarray,
) -> CrsChoice:
    """The CRS to read a file in: ``given`` (an option or a scene key, named ``given_by``),
    else what the file declares (``declared``, a name or WKT, in ``declared_by``), else WGS 84.

    A ``given`` CRS that contradicts the declaration is an InputError naming both, unless
    ``override``: then ``given`` wins and the choice carries a warning. ``xy`` (a sample of
    the file's coordinates) decides equivalence for CRSs pyproj cannot match by definition.
    """
    if declared is not None:
        declared_crs = parse_crs(declared, f"{path}: {declared_by}")
    if given is None:
        if declared is None:
            return CrsChoice(WGS84, "default", "GeoJSON's default, WGS 84 lon/lat")
        return CrsChoice(declared_crs, "file", declared_by, crs_label(declared_crs),
                         declared_by)
    given_crs = parse_crs(given, "--crs" if given_by == "the --crs option" else given_by)
    if declared is None:
        return CrsChoice(given_crs, "option", given_by)
    said = crs_label(declared_crs)
    if equivalent(given_crs, declared_crs, xy):
        return CrsChoice(given_crs, "option", given_by, said, declared_by)
    label = crs_label(given_crs)
    if not override:
        if given_by == "the --crs option":
            raise InputError(
                f"{path}: --crs {label} contradicts {declared_by} ({said}); drop --crs, or "
                "pass --crs-override if the file lies")
        raise InputError(
            f"{path}: {label} (from {given_by}) contradicts {declared_by} ({said}); drop "
            "the crs key, or set crs_override = true in [district] if the file lies")
    return CrsChoice(given_crs, "option", given_by, said, declared_by, (
        f"{label} (from {given_by}) overrides {said}, declared by {declared_by} "
        "(crs override)"))


def equivalent(a: CRS, b: CRS, xy: np.ndarray) -> bool:
    """Whether ``a`` and ``b`` are the same CRS for this data: equal up to axis order, or
    identified as the same authority code, or putting every sampled position ``xy`` within
    ``SAME_PLACE_M`` of each other (an ESRI .prj equal to EPSG:5186 but for its names)."""
    if a.equals(b, ignore_axis_order=True):
        return True
    code_a, code_b = a.to_authority(min_confidence=70), b.to_authority(min_confidence=70)
    if code_a is not None and code_a == code_b:
        return True
    xy = _finite(xy)
    if not len(xy):
        return False
    from pyproj import Geod

    with np.errstate(all="ignore"):
        lon_a, lat_a = _to_lonlat(a).transform(xy[:, 0], xy[:, 1], errcheck=False)
        lon_b, lat_b = _to_lonlat(b).transform(xy[:, 0], xy[:, 1], errcheck=False)
    ok = np.isfinite(lon_a) & np.isfinite(lat_a) & np.isfinite(lon_b) & np.isfinite(lat_b)
    if not ok.all() or (np.abs(lat_a) > 90).any() or (np.abs(lat_b) > 90).any():
        return False
    _, _, dist = Geod(ellps="WGS84").inv(lon_a, lat_a, lon_b, lat_b)
    return bool(np.max(dist) <= SAME_PLACE_M)


def check_placement(path: object, choice: CrsChoice, xy: np.ndarray, lonlat: np.ndarray,
                    flag: str = "--crs") -> None:
    """Refuse data that its CRS puts outside that CRS's area of use (by more than
    ``AREA_MARGIN_DEG``), or, for a CRS made for South Korea, off South Korea's land.

    ``xy`` are sampled source coordinates and ``lonlat`` the same positions in WGS 84. The
    message says where the data would land and which of ``CANDIDATES`` would fit instead.
    """
    ok = np.isfinite(lonlat).all(axis=1) & np.isfinite(xy).all(axis=1)
    xy, lonlat = xy[ok], lonlat[ok]
    if not len(lonlat):
        return
    lon, lat = (float(v) for v in np.median(lonlat, axis=0))
    crs, label = choice.crs, crs_label(choice.crs)
    area = crs.area_of_use
    problem = ""
    if area is not None and _outside(area.bounds, lon, lat) > AREA_MARGIN_DEG:
        w, s, e, n = area.bounds
        problem = (f"outside {label}'s area of use ({area.name.rstrip('.')}: "
                   f"lon {w:g}..{e:g}, lat {s:g}..{n:g})")
    elif made_for_korea(crs) and on_land_share(lonlat) < 0.5:
        problem = f"off South Korea's land, where {label} is meant for"
    if not problem:
        return
    fits = [f for f in suggest(xy) if f.crs != label]
    raise InputError(
        f"{path}: read as {label} (from {choice.named_by}), the data would lie "
        f"{where(lon, lat)}, {problem}; {_advice(fits, choice, flag)}"
    )


def suggest(xy: np.ndarray, limit: int = 3) -> list[Fit]:
    """The ``CANDIDATES`` that put the bulk of ``xy`` on land in South Korea and within
    their own area of use (give or take ``AREA_MARGIN_DEG``), best first: those nearest
    their area of use, then in ``CANDIDATES`` order. At most ``limit``."""
    xy = _finite(xy)
    if not len(xy):
        return []
    fits: list[tuple[float, int, Fit]] = []
    for rank, name in enumerate(CANDIDATES):
        crs = CRS.from_user_input(name)
        if crs.is_geographic:
            if (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
                continue
            ll = xy.copy()
        else:
            with np.errstate(all="ignore"):
                lon, lat = _to_lonlat(crs).transform(xy[:, 0], xy[:, 1], errcheck=False)
            ll = np.column_stack([lon, lat])
            if not np.isfinite(ll).all():
                continue
        if on_land_share(ll) < 0.5:
            continue
        mlon, mlat = (float(v) for v in np.median(ll, axis=0))
        area = crs.area_of_use
        outside = _outside(area.bounds, mlon, mlat) if area is not None else 0.0
        if outside > AREA_MARGIN_DEG:
            continue
        fits.append((round(outside, 1), rank, Fit(name, mlon, mlat, outside)))
    fits.sort(key=lambda t: (t[0], t[1]))
    return [f for _, _, f in fits[:limit]]


def made_for_korea(crs: CRS) -> bool:
    """Whether ``crs``'s whole area of use lies in and around the Korean peninsula (the
    Korean 1985 and KGD2002 CRSs), so that data in it belongs on South Korea's land."""
    area = crs.area_of_use
    if area is None:
        return False
    w, s, e, n = area.bounds
    rw, rs, re_, rn = _KOREA_REGION
    return rw <= w and rs <= s and e <= re_ and n <= rn


def on_land_share(lonlat: np.ndarray) -> float:
    """The share of ``lonlat`` positions within ``LAND_MARGIN_DEG`` of a box of
    ``SOUTH_KOREA_LAND``."""
    if not len(lonlat):
        return 0.0
    boxes = np.asarray(SOUTH_KOREA_LAND)
    m = LAND_MARGIN_DEG
    lon, lat = lonlat[:, :1], lonlat[:, 1:2]
    inside = ((boxes[:, 0] - m <= lon) & (lon <= boxes[:, 2] + m)
              & (boxes[:, 1] - m <= lat) & (lat <= boxes[:, 3] + m))
    return float(inside.any(axis=1).mean())


def where(lon: float, lat: float) -> str:
    """``near Seoul (126.98E 37.57N)`` when a place of ``PLACES`` is within ``NEAR_KM``,
    else ``at 119.59E 24.73N``."""
    place = nearest_place(lon, lat)
    return f"near {place} ({_degrees(lon, lat)})" if place else f"at {_degrees(lon, lat)}"


def _degrees(lon: float, lat: float) -> str:
    return f"{abs(lon):.2f}{'E' if lon >= 0 else 'W'} {abs(lat):.2f}{'N' if lat >= 0 else 'S'}"


def nearest_place(lon: float, lat: float) -> str | None:
    """The place of ``PLACES`` within ``NEAR_KM`` of (lon, lat) nearest to it, or None."""
    names = [p[0] for p in PLACES]
    coords = np.radians(np.asarray([p[1:] for p in PLACES]))
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    h = (np.sin((coords[:, 1] - lat_r) / 2) ** 2
         + np.cos(lat_r) * np.cos(coords[:, 1]) * np.sin((coords[:, 0] - lon_r) / 2) ** 2)
    km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    best = int(np.argmin(km))
    return names[best] if km[best] <= NEAR_KM else None


def sample(xy: np.ndarray, n: int = SAMPLE) -> np.ndarray:
    """At most ``n`` rows of ``xy``, evenly spread over it."""
    if len(xy) <= n:
        return xy
    return xy[np.linspace(0, len(xy) - 1, n).astype(np.int64)]


def _advice(fits: list[Fit], choice: CrsChoice, flag: str) -> str:
    if not fits:
        return ("none of the common Korean CRSs puts it on land in South Korea either; "
                "check which CRS the data uses")
    fit = " or ".join(f.describe() for f in fits)
    best = fits[0].crs
    use = f"pass --crs {best}" if flag == "--crs" else f'set crs = "{best}" in [district]'
    if choice.source == "file":
        force = "--crs-override" if flag == "--crs" else "crs_override = true"
        return (f"the coordinates fit {fit}, so {choice.named_by} is likely wrong: {use} "
                f"with {force}")
    if choice.source == "default":
        return f"the coordinates fit {fit}: {use}"
    return f"the coordinates fit {fit}, so {best} is the likely CRS: {use} instead"


def _outside(bounds: tuple[float, float, float, float], lon: float, lat: float) -> float:
    """How many degrees (lon, lat) lies outside ``bounds`` (west, south, east, north); 0
    inside. An area crossing the antimeridian (west > east) is taken as inside."""
    w, s, e, n = bounds
    dlat = max(s - lat, lat - n, 0.0)
    if w > e:
        return dlat
    dlon = max(w - lon, lon - e, 0.0)
    return float(max(dlon, dlat))


def _finite(xy: np.ndarray) -> np.ndarray:
    return xy[np.isfinite(xy).all(axis=1)] if len(xy) else xy


def _to_lonlat(crs: CRS) -> Transformer:
    from gwangju_twin.geo.frame import lonlat_transformer

    return lonlat_transformer(crs)
