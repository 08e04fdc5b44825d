"""Pavilion sites: parsed from a scene's ``[[pavilion]]`` tables and placed in the district.

A site is a rectangle (``size`` = width x depth, metres) centred at ``at`` whose front faces
``heading``. Placing the sites clears the district buildings they overlap (each listed in the
load report) and refuses sites that overlap each other, a road, water or a landmark.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from gwangju_twin.errors import InputError
from gwangju_twin.geo.model import District, Issue, LoadReport
from gwangju_twin.scene.numbers import MAX_LOCAL, number, shown
from gwangju_twin.scene.sectors import SECTOR_IDS, sector

# Used with fullmatch: "$" alone also matches before a trailing newline.
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: A plugin id as manifests write it (gwangju_twin/plugins/manifest.py).
_PLUGIN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_KEYS = {"id", "sector", "at", "heading", "size", "plugin"}
MIN_SIZE, MAX_SIZE = 20.0, 300.0
#: Buildings closer than this to a site are cleared too, so no wall touches a pavilion.
CLEARANCE = 2.0
#: How far outside the district's bounding box a site's centre may be (metres): room for an
#: expo ground at the district's edge, not a pavilion in another city or hemisphere.
SITE_MARGIN = 1000.0


@dataclass(frozen=True)
class PavilionSpec:
    """A pavilion as the scene file states it (position not yet in local metres)."""

    id: str
    sector: str
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


def parse_pavilions(path: Path, tables: Any) -> tuple[PavilionSpec, ...]:
    """Validate the scene's ``[[pavilion]]`` array of tables."""
    if not isinstance(tables, list):
        raise InputError(f"{path}: 'pavilion' must be an array of tables [[pavilion]]")
    specs: list[PavilionSpec] = []
    for n, t in enumerate(tables):
        key = f"pavilion[{n}]"
        if not isinstance(t, dict):
            raise InputError(f"{path}: '{key}' must be a table [[pavilion]]")
        unknown = set(t) - _KEYS
        if unknown:
            raise InputError(f"{path}: unknown key '{key}.{sorted(unknown)[0]}'; expected one "
                             f"of {', '.join(sorted(_KEYS))}")
        if "sector" not in t:
            raise InputError(f"{path}: '{key}' needs 'sector' (one of {', '.join(SECTOR_IDS)})")
        sec = sector(t["sector"], f"{path}: '{key}.sector'").id
        pid = t.get("id", sec)
        if not isinstance(pid, str) or not _ID.fullmatch(pid):
            raise InputError(f"{path}: '{key}.id' is {pid!r}; expected lower-case letters, "
                             "digits, '.', '_' or '-'")
        if pid in {s.id for s in specs}:
            raise InputError(f"{path}: '{key}.id' {pid!r} is used by another pavilion; ids "
                             "must be unique")
        key = f"pavilion[{n}] ({pid})"
        at = t.get("at")
        at_lonlat = at_local = None
        if isinstance(at, dict) and set(at) == {"lon", "lat"}:
            lon = _num(path, f"{key}.at.lon", at["lon"])
            lat = _num(path, f"{key}.at.lat", at["lat"])
            if not (-180 <= lon <= 180 and -85 <= lat <= 85):
                raise InputError(f"{path}: '{key}.at' ({lon}, {lat}) is not lon/lat in degrees")
            at_lonlat = (lon, lat)
        elif isinstance(at, dict) and set(at) == {"x", "y"}:
            at_local = (number(path, f"{key}.at.x", at["x"], -MAX_LOCAL, MAX_LOCAL, "metres"),
                        number(path, f"{key}.at.y", at["y"], -MAX_LOCAL, MAX_LOCAL, "metres"))
        else:
            raise InputError(f"{path}: '{key}.at' must be {{lon = .., lat = ..}} or "
                             f"{{x = .., y = ..}} (metres), got {at!r}")
        heading = number(path, f"{key}.heading", t.get("heading", 0.0), -360.0, 360.0,
                         "compass degrees") % 360.0
        size = t.get("size", [60.0, 60.0])
        if not (isinstance(size, list) and len(size) == 2):
            raise InputError(f"{path}: '{key}.size' is {size!r}; expected [width, depth] metres")
        w, d = (_num(path, f"{key}.size", v) for v in size)
        if not (MIN_SIZE <= w <= MAX_SIZE and MIN_SIZE <= d <= MAX_SIZE):  # NaN fails too
            raise InputError(f"{path}: '{key}.size' is {size!r}; expected width and depth "
                             f"between {MIN_SIZE:.0f} and {MAX_SIZE:.0f} metres")
        plugin = t.get("plugin")
        if plugin is not None and (not isinstance(plugin, str)
                                   or not _PLUGIN_ID.fullmatch(plugin)):
            raise InputError(f"{path}: '{key}.plugin' is {plugin!r}; expected a plugin id "
                             "(2-64 characters of a-z, 0-9, '.', '_', '-')")
        specs.append(PavilionSpec(pid, sec, at_lonlat, at_local, heading, (w, d), plugin,
                                  key))
    return tuple(specs)


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
        return district, ()

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
    if clear.any():
        district = subset(district, ~clear)
    return district, tuple(sites)


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
    rows = np.flatnonzero(keep)
    cols = {}
    for name, value in vars(district).items():
        if name == "frame":
            cols[name] = value
        elif isinstance(value, np.ndarray):
            cols[name] = value[rows]
        else:
            cols[name] = [value[i] for i in rows]
    return District(**cols)


def _num(path: Path, key: str, value: Any) -> float:
    """A finite number (range checks follow); huge integers are refused before converting."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            -1e300 <= value <= 1e300):  # NaN and infinities fail too
        raise InputError(f"{path}: '{key}' is {shown(value)}; expected a number")
    return float(value)
