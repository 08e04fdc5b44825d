"""Pavilion sites: parsed from a scene's ``[[pavilion]]`` tables and placed in the district.

A site is a rectangle (``size`` = width x depth, metres) centred at ``at`` whose front faces
``heading``. Placing the sites clears the district buildings they overlap (each listed in the
load report) and refuses sites that overlap each other, a road, water or a landmark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely

from gwangju_twin.errors import InputError
from gwangju_twin.geo.model import District, Issue, LoadReport
from gwangju_twin.identifiers import PAVILION_ID as _ID
from gwangju_twin.identifiers import PLUGIN_ID as _PLUGIN_ID
from gwangju_twin.scene.numbers import MAX_LOCAL, number
from gwangju_twin.scene.sectors import SECTOR_IDS, SectorId, sector
from gwangju_twin.scene.wording import NumbersAsRead
from gwangju_twin.schema import CheckError, Key, Spot, Table
from gwangju_twin.tomlfile import show_value

MIN_SIZE, MAX_SIZE = 20.0, 300.0
#: How a scene file gives a position: degrees of longitude and latitude, or local metres.
Frame = Literal["lonlat", "local"]
#: Buildings closer than this to a site are cleared too, so no wall touches a pavilion.
CLEARANCE = 2.0
#: How far outside the district's bounding box a site's centre may be (metres): room for an
#: expo ground at the district's edge, not a pavilion in another city or hemisphere.
SITE_MARGIN = 1000.0


@dataclass(frozen=True)
class PavilionSpec:
    """A pavilion as the scene file states it (position not yet in local metres)."""

    id: str
    sector: SectorId
    at_lonlat: tuple[float, float] | None
    at_local: tuple[float, float] | None
    heading: float
    size: tuple[float, float]
    plugin: str | None
    key: str  # where it is in the scene file, e.g. "pavilion[3]" (for error messages)


@dataclass(frozen=True)
class PavilionSite:
    """A placed pavilion: centre in local metres, heading, size and its site rectangle."""

    spec: PavilionSpec
    center: tuple[float, float]
    polygon: shapely.Polygon

    @property
    def id(self) -> str:
        """The pavilion's id."""
        return self.spec.id


def _id(value: str, spot: Spot) -> str:
    if not _ID.fullmatch(value):
        raise CheckError
    return value


def _at(value: Any, spot: Spot) -> tuple[Frame, tuple[float, float]]:
    """The site's centre: ("lonlat", (lon, lat)) or ("local", (x, y) metres)."""
    path, key = spot.path, spot.name
    if isinstance(value, dict) and set(value) == {"lon", "lat"}:
        lon, lat = _num(path, f"{key}.lon", value["lon"]), _num(path, f"{key}.lat", value["lat"])
        if not (-180 <= lon <= 180 and -85 <= lat <= 85):
            raise CheckError(message=f"'{key}' ({lon}, {lat}) is not lon/lat in degrees")
        return "lonlat", (lon, lat)
    if isinstance(value, dict) and set(value) == {"x", "y"}:
        return "local", (number(path, f"{key}.x", value["x"], -MAX_LOCAL, MAX_LOCAL, "metres"),
                         number(path, f"{key}.y", value["y"], -MAX_LOCAL, MAX_LOCAL, "metres"))
    raise CheckError(message=f"'{key}' must be {{lon = .., lat = ..}} or {{x = .., y = ..}} "
                             f"(metres), got {value!r}")


def _size(value: list[Any], spot: Spot) -> tuple[float, float]:
    if len(value) != 2:
        raise CheckError
    w, d = (_num(spot.path, spot.name, v) for v in value)
    if not (MIN_SIZE <= w <= MAX_SIZE and MIN_SIZE <= d <= MAX_SIZE):  # NaN fails too
        raise CheckError(f"width and depth between {MIN_SIZE:.0f} and {MAX_SIZE:.0f} metres")
    return w, d


def _plugin(value: str, spot: Spot) -> str:
    if not _PLUGIN_ID.fullmatch(value):
        raise CheckError
    return value


def _spec(row: dict[str, Any], spot: Spot) -> PavilionSpec:
    form, at = row["at"]
    return PavilionSpec(_name(row), row["sector"], at if form == "lonlat" else None,
                        at if form == "local" else None, row["heading"] % 360.0, row["size"],
                        row["plugin"], spot.table)


def _name(row: dict[str, Any]) -> str:
    """The pavilion's id: its own, or its sector's."""
    return row["id"] if row["id"] is not None else row["sector"]


def _unique(rows: list[PavilionSpec], spot: Spot) -> tuple[PavilionSpec, ...]:
    seen: set[str] = set()
    for n, row in enumerate(rows):
        if row.id in seen:
            raise CheckError(message=f"'{spot.name}[{n}].id' {row.id!r} is used by another "
                                     "pavilion; ids must be unique")
        seen.add(row.id)
    return tuple(rows)


#: The keys of one ``[[pavilion]]`` (docs/scenes.md). Its sector and id are checked first;
#: messages about its other keys name it, as in ``pavilion[3] (energy).at``.
PAVILION = Table(
    (
        Key("sector", "choice", "one of " + ", ".join(SECTOR_IDS), required=True,
            choices=SECTOR_IDS),
        Key("id", "str", "a unique id (default: the sector id)",
            expected="lower-case letters, digits, '.', '_' or '-'", check=_id),
        Key("at", "any", "the site's centre: {lon = .., lat = ..} or {x = .., y = ..} metres",
            required=True, check=_at,
            missing="{where} must be {{lon = .., lat = ..}} or {{x = .., y = ..}} (metres), "
                    "got None"),
        Key("heading", "number", "compass degrees the entrance faces", default=0.0,
            unit="compass degrees", range=(-360.0, 360.0)),
        Key("size", "list", "[width, depth] of the site", default=(60.0, 60.0), unit="metres",
            range=(MIN_SIZE, MAX_SIZE), expected="[width, depth] metres", check=_size),
        Key("plugin", "str", "the id of the plugin that runs inside",
            expected="a plugin id (2-64 characters of a-z, 0-9, '.', '_', '-')",
            check=_plugin),
    ),
    first=("sector", "id"),
    title=_name,
    check=_spec,
    wording=NumbersAsRead(),
)
#: The scene's ``[[pavilion]]`` array.
PAVILIONS = Key("pavilion", "tables", "one table per pavilion", default=(), table=PAVILION,
                check=_unique)


def site_polygon(center: tuple[float, float], heading: float,
                 size: tuple[float, float]) -> shapely.Polygon:
    """The site rectangle (CCW) centred on ``center`` whose front faces compass ``heading``."""
    h = math.radians(heading)
    w, d = size[0] / 2, size[1] / 2
    local = np.array([[-w, -d], [w, -d], [w, d], [-w, d]])
    # Local +y is the front; heading is clockwise from north.
    x = center[0] + local[:, 0] * math.cos(h) + local[:, 1] * math.sin(h)
    y = center[1] - local[:, 0] * math.sin(h) + local[:, 1] * math.cos(h)
    return shapely.Polygon(np.column_stack([x, y]))


def place_pavilions(
    district: District, report: LoadReport, specs: tuple[PavilionSpec, ...], scene_path: Path
) -> tuple[District, tuple[PavilionSite, ...]]:
    """Turn specs into sites and clear the buildings under them.

    Returns the district without the cleared buildings (each one added to
    ``report.cleared``) and the sites. Sites that overlap each other, a road, water or a
    landmark are an InputError naming the scene file and the pavilion.
    """
    clear, sites = clear_sites(district, report, specs, scene_path)
    if clear.any():
        district = subset(district, ~clear)
    return district, sites


def clear_sites(
    district: District, report: LoadReport, specs: tuple[PavilionSpec, ...], scene_path: Path
) -> tuple[np.ndarray, tuple[PavilionSite, ...]]:
    """``place_pavilions`` without the cut: which rows the sites clear (bool per row, each
    one added to ``report.cleared``) and the sites. A baked city keeps its rows' numbers
    and cuts the cleared buildings out of its tiles instead (``tiles.tileset``)."""
    sites = []
    for spec in specs:
        if spec.at_lonlat is not None:
            x, y = district.frame.to_local(*spec.at_lonlat)
            center = (float(x), float(y))
        else:
            assert spec.at_local is not None
            center = spec.at_local
        _near_district(district, spec, center, scene_path)
        sites.append(PavilionSite(spec, center, site_polygon(center, spec.heading, spec.size)))
    if not sites:
        return np.zeros(len(district), bool), ()

    polys = np.array([s.polygon for s in sites], dtype=object)
    for i, a in enumerate(sites):
        hits = np.flatnonzero(shapely.intersects(a.polygon, polys[i + 1 :]))
        if len(hits):
            b = sites[i + 1 + hits[0]]
            raise InputError(f"{scene_path}: {a.spec.key} and {b.spec.key} overlap; move one or "
                             "make them smaller")

    tree = shapely.STRtree(district.geometry)
    site_idx, rows = tree.query(polys, predicate="dwithin", distance=CLEARANCE)
    blocking = {"roads": "road", "water": "water", "landmarks": "landmark"}
    clear = np.zeros(len(district), bool)
    by_row: dict[int, list[PavilionSite]] = {}
    for s, r in zip(site_idx, rows, strict=True):
        layer = district.layer[r]
        if layer in blocking:
            geom = district.geometry[r]
            if layer in ("roads", "water") and np.isfinite(district.width[r]):
                geom = shapely.buffer(geom, district.width[r] / 2, cap_style="flat")
            if layer != "landmarks" and not shapely.intersects(geom, polys[s]):
                continue  # near a road is fine; on it is not
            name = district.name[r] or district.feature_id[r] or f"#{district.source_index[r]}"
            if district.name_en[r] and district.name_en[r] != name:
                name = f"{name} ({district.name_en[r]})"
            site = sites[s]
            raise InputError(
                f"{scene_path}: {site.spec.key} at ({site.center[0]:.0f}, "
                f"{site.center[1]:.0f}) m overlaps {blocking[layer]} {name}; pavilions may "
                "only clear buildings: move it or make it smaller")
        if layer == "buildings":
            clear[r] = True
            by_row.setdefault(int(r), []).append(sites[s])
    for r, under in sorted(by_row.items()):
        names = " and ".join(f"{s.id!r} ({sector(s.spec.sector).name_en})" for s in under)
        report.cleared.append(Issue(int(district.source_index[r]), district.feature_id[r],
                                    f"cleared for pavilion {names}"))
    report.cleared.sort(key=lambda i: i.index)
    return clear, tuple(sites)


def _near_district(district: District, spec: PavilionSpec, center: tuple[float, float],
                   scene_path: Path) -> None:
    """Refuse a site whose centre is more than SITE_MARGIN outside the district's bounding
    box (or not a finite position at all: lon/lat on the far side of the Earth)."""
    if len(district):
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(district.geometry))
    else:  # an empty district: the local frame's origin is all there is
        x0 = y0 = x1 = y1 = 0.0
    x, y = center
    off = math.hypot(max(x0 - x, 0.0, x - x1), max(y0 - y, 0.0, y - y1))
    if math.isfinite(off) and off <= SITE_MARGIN:
        return
    raise InputError(
        f"{scene_path}: '{spec.key}.at' puts the site at ({x:.0f}, {y:.0f}) m, "
        + (f"{off:.0f} m" if math.isfinite(off) else "infinitely far")
        + f" outside the district (x {x0:.0f} .. {x1:.0f}, y {y0:.0f} .. {y1:.0f} m); expected "
        f"a site within {SITE_MARGIN:.0f} m of the district")


def subset(district: District, keep: np.ndarray) -> District:
    """The district with only the rows where ``keep`` is True."""
    return district.take(np.flatnonzero(keep))


def _num(path: Path, key: str, value: Any) -> float:
    """A finite number (range checks follow); huge integers are refused before converting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            -1e300 <= value <= 1e300):  # NaN and infinities fail too
        raise InputError(f"{path}: '{key}' is {show_value(value, 'scene')}; expected a number")
    return float(value)
