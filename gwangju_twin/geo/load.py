"""GeoJSON file -> District + LoadReport: the geo room's one entry point."""

from __future__ import annotations

import dataclasses
import gc
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from gwangju_twin.errors import InputError
from gwangju_twin.geo import crs as crs_checks
from gwangju_twin.geo.frame import (
    LocalFrame,
    crs_label,
    source_to_lonlat,
)
from gwangju_twin.geo.kinds import (
    MIXED_LINES,
    MIXED_POLYGONS,
    Feature,
    Rules,
    Sorted,
    sort_features,
)
from gwangju_twin.geo.model import (
    CrsFrom,
    District,
    Issue,
    LoadReport,
    PointsMode,
    SchemaFrom,
)
from gwangju_twin.geo.reader import RawCollection, RawFeature
from gwangju_twin.geo.repair import (
    clockwise_shells,
    merge_overlapping_parts,
    repair_polygons,
)
from gwangju_twin.geo.schemas import AUTO, Schema, builtin_schemas, present_keys
from gwangju_twin.geo.sources import read_source
from gwangju_twin.geo.tags import GeomType, is_building, lower_keys

DEFAULT_LEVEL_HEIGHT = 3.0
#: Features with more vertices than this are skipped (and reported): checking and repairing
#: one polygon costs GEOS far more than linear time, and a million-vertex outline took more
#: than ten minutes. Real buildings have tens of vertices, detailed district outlines a few
#: thousand.
DEFAULT_MAX_VERTICES = 50_000
#: Positions further than this (great-circle degrees) from the frame's centre are refused:
#: a transverse Mercator stretches lengths by 3.5 % there, and breaks down entirely towards
#: 90 degrees.
MAX_FRAME_DEGREES = 15.0
#: Beyond this (degrees, about 280 km) lengths are stretched by more than 0.1 %: warned.
EXACT_FRAME_DEGREES = 2.5


def load_geojson(
    path: str | Path,
    crs: str | None = None,
    origin: tuple[float, float] | None = None,
    level_height: float = DEFAULT_LEVEL_HEIGHT,
    max_bytes: int | None = None,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    crs_named_by: str = "the --crs option",
    *,
    encoding: str | None = None,
    crs_override: bool = False,
    points: PointsMode = "poi",
    schema: str = AUTO,
) -> tuple[District, LoadReport]:
    """Load a GeoJSON file into the local metric frame.

    ``crs`` overrides the file's legacy ``crs`` member (default: WGS84 lon/lat);
    ``origin`` (lon, lat) is the centre of the local frame (default: the data's bbox centre);
    ``level_height`` turns floor counts into metres. Only a regular file of at most
    ``max_bytes`` is read (default 256 MB, ``DEFAULT_MAX_BYTES``); a feature with more than
    ``max_vertices`` vertices (default 50,000) is skipped. ``crs_named_by`` says where
    ``crs`` came from, for messages (a scene passes its file and key). Raises InputError
    for a broken file; broken features are repaired or skipped and listed in the report.

    ``encoding`` names the attributes' text encoding (overriding a ``.cpg`` file and
    detection); ``crs_override`` lets ``crs`` win over a CRS the file declares; ``points``
    "poi" keeps only points of interest as pins, "all" every point. ``schema`` names the
    source schema (geo/schemas.toml: "osm", "al_d010", "kr_roads", ...) whose keys give
    heights, floors, names, uses and widths; "auto" (default) detects it from the keys the
    features carry.

    Ctrl+C (SIGINT) ends the process at once while a load runs in the main thread with
    Python's default handler: GEOS does not return to Python inside one long repair.
    """
    path = Path(path)
    if schema != AUTO:
        builtin_schemas().get(schema)  # an unknown name fails before the file is read
    if not 0.5 <= level_height <= 20.0:
        raise InputError(f"level height {level_height} m: expected metres between 0.5 and 20")
    with _interruptible():
        return _load(path, crs, origin, level_height, max_bytes, max_vertices, crs_named_by,
                     _Reading(encoding, crs_override, points, schema))


@dataclass(frozen=True)
class _Reading:
    """The reading options of one load (see load_geojson)."""

    encoding: str | None = None
    crs_override: bool = False
    points: PointsMode = "poi"
    schema: str = AUTO


@contextmanager
def _interruptible() -> Iterator[None]:
    """Let SIGINT end the process even inside a GEOS call, which never returns to Python
    until done (so KeyboardInterrupt would wait for it). Only when nobody installed a
    handler of their own: a load changes no state outside the process, so dying by the
    signal is what an unhandled KeyboardInterrupt would do anyway, minus the wait."""
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _load(
    path: Path, crs: str | None, origin: tuple[float, float] | None, level_height: float,
    max_bytes: int | None, max_vertices: int, crs_named_by: str, reading: _Reading,
) -> tuple[District, LoadReport]:
    # A parse makes millions of small lists and dicts that all live until the end; the
    # cyclic garbage collector would rescan them over and over (the benchmark measured
    # loads of 100k buildings taking almost twice as long with it on). Nothing here makes
    # reference cycles, so it is paused for the load and restored afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        raw = read_source(path, max_bytes, reading.encoding)
        _skip_oversized(raw, max_vertices)
        # Settled before any projection: a --crs that contradicts the file's own
        # declaration is refused (geo/crs.py), not silently obeyed.
        choice = crs_checks.choose_crs(
            path, crs, raw.crs_member, raw.crs_declared_by, crs_named_by,
            reading.crs_override, _sample_positions(raw))
        if raw.crs_unreadable is not None:
            choice = _unreadable_crs(path, raw.crs_unreadable, choice)
        return _Loader(path, raw, choice, level_height, crs_named_by, reading).load(origin)
    finally:
        if collecting:
            gc.enable()


def _unreadable_crs(path: Path, declared: str, choice: crs_checks.CrsChoice
                    ) -> crs_checks.CrsChoice:
    """The CRS choice for a file whose declaration cannot be read: InputError unless the CRS
    was given, which is then read with a warning saying what was not (never lon/lat by
    default: that is what a garbled .prj would silently have meant)."""
    if choice.source != "option":
        raise InputError(f"{path}: {declared} is not a coordinate system GDAL can read; "
                         "mend it, or name the data's CRS with --crs (or the scene's crs "
                         "key), e.g. EPSG:5186 for the Korean building register")
    note = (f"{declared} could not be read; read in {crs_label(choice.crs)} "
            f"(from {choice.named_by})")
    return dataclasses.replace(choice, warning=choice.warning or note)


def _skip_oversized(raw: RawCollection, max_vertices: int) -> None:
    """Move features with more than ``max_vertices`` vertices to the skipped list, before
    any GEOS work on them."""
    keep: list[RawFeature] = []
    for feat in raw.features:
        # Plain loops: three generators a feature cost more than the counting itself.
        n = 0
        for poly in feat.polygons:
            for ring in poly:
                n += len(ring)
        for part in feat.lines:
            n += len(part)
        for part in feat.points:
            n += len(part)
        if n > max_vertices:
            raw.skipped.append(Issue(feat.index, feat.id, (
                f"{n:,} vertices, more than the {max_vertices:,} allowed per feature; "
                "simplify it first (e.g. mapshaper -simplify or ogr2ogr -simplify)")))
        else:
            keep.append(feat)
    raw.features = keep


class _Loader:
    def __init__(
        self, path: Path, raw: RawCollection, choice: crs_checks.CrsChoice,
        level_height: float, crs_named_by: str = "the --crs option",
        reading: _Reading | None = None,
    ) -> None:
        self.path = path
        self.choice = choice
        self.reading = reading or _Reading()
        self.raw = raw
        self.src: CRS = choice.crs
        self.crs_from: CrsFrom = choice.source
        self.crs_named_by = crs_named_by
        self.level_height = level_height
        table = builtin_schemas()
        if self.reading.schema == AUTO:
            # Every feature's keys, not the first few: a register extract's first buildings
            # may lack a column that GeoJSON writers drop when null.
            self.schema: Schema = table.detect(present_keys(f.properties for f in raw.features))
            self.schema_from: SchemaFrom = (
                "detected" if self.schema is not table.default else "default")
        else:
            self.schema, self.schema_from = table.get(self.reading.schema), "option"
        # The schema's keys first, then the default (OSM) keys: an extract that mixes both
        # still reads, and the upper-case HEIGHT/GRND_FLR aliases keep working everywhere.
        default = table.default
        self.height_keys = tuple(dict.fromkeys(self.schema.height + default.height))
        self.level_keys = tuple(dict.fromkeys(self.schema.levels + default.levels))
        self.width_keys = tuple(dict.fromkeys(self.schema.width + default.width))
        self.name_keys = tuple(dict.fromkeys(self.schema.names + default.names))
        self.empty_reason: dict[int, str] = {}  # raw row -> why nothing of it was left

    # -- coordinates ---------------------------------------------------------------------
    def _close_building_lines(self) -> None:
        """Closed lines tagged as buildings become polygon shells: some exports (and CAD
        conversions) write every building outline as a LineString. They then take the
        polygon path like any other building (winding, repair, extrusion); the report lists
        each as repaired. An open line keeps its shape and is warned about later."""
        for feat in self.raw.features:
            if feat.polygons or not feat.lines or not is_building(lower_keys(feat.properties)):
                continue
            if all(len(a) >= 4 and bool((a[0] == a[-1]).all()) for a in feat.lines):
                feat.polygons = [[a] for a in feat.lines]
                feat.lines = []
                feat.notes.append("closed line tagged as a building read as its outline polygon")

    def _gather(self) -> None:
        """Flatten every coordinate of every part into one array, remembering the owners."""
        rings: list[np.ndarray] = []
        ring_counts: list[int] = []  # rings per polygon part
        poly_owner: list[int] = []  # raw feature row of each polygon part
        lines: list[np.ndarray] = []
        line_owner: list[int] = []
        points: list[np.ndarray] = []
        point_owner: list[int] = []
        for row, feat in enumerate(self.raw.features):
            if feat.polygons:
                for poly in feat.polygons:
                    rings.extend(poly)
                    ring_counts.append(len(poly))
                    poly_owner.append(row)
            elif feat.lines:
                lines.extend(feat.lines)
                line_owner.extend([row] * len(feat.lines))
            else:
                points.extend(feat.points)
                point_owner.extend([row] * len(feat.points))
        self.rings, self.ring_counts, self.poly_owner = rings, ring_counts, poly_owner
        self.lines, self.line_owner = lines, line_owner
        self.points, self.point_owner = points, point_owner

    def _project(self, arrays: list[np.ndarray], owners: np.ndarray) -> np.ndarray:
        """Source CRS -> WGS84 lon/lat, checked; ``owners`` gives the raw row per array."""
        if not arrays:
            return np.zeros((0, 2))
        xy = np.concatenate(arrays)
        row_of = np.repeat(owners, [len(a) for a in arrays])
        finite = np.isfinite(xy).all(axis=1)
        if not finite.all():
            first = int(np.flatnonzero(~finite)[0])
            name = _feature_name(self.raw.features[row_of[first]])
            raise InputError(
                f"{self.path}: {name}: coordinate ({xy[first, 0]}, {xy[first, 1]}) is not "
                "finite; NaN and infinity are not valid GeoJSON coordinates"
            )
        label = crs_label(self.src)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        degrees = (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
        if not self.src.is_geographic and degrees and (hi - lo).max() <= 2.0:
            # Metres this small are no district; degrees read as metres make every polygon
            # a sliver, which would otherwise be all the report says.
            where = {"option": self.crs_named_by, "file": "the file's 'crs' member"}
            raise InputError(
                f"{self.path}: coordinates such as ({xy[0, 0]:g}, {xy[0, 1]:g}) look like "
                f"longitude/latitude degrees, but are read as {label} metres (from "
                f"{where.get(self.crs_from, self.crs_from)}): the whole data would span "
                f"{(hi - lo).max():.2g} m; drop the CRS (GeoJSON is lon/lat by default) or "
                "name the one the file uses"
            )
        if self.src.is_geographic:
            bad = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
            fits = crs_checks.suggest(crs_checks.sample(xy[bad])) if bad.any() else []
            use = (f"pass --crs {fits[0].crs}" if self.crs_named_by == "the --crs option"
                   else f'set crs = "{fits[0].crs}" in [district]') if fits else ""
            hint = ("; they fit " + " or ".join(f.describe() for f in fits)
                    + f": {use}") if fits else (
                "; if the file is projected, pass --crs EPSG:5186 or the CRS it uses")
            self._fail_if(bad, xy, row_of, f"impossible for {label} (longitude within +-180, "
                          f"latitude within +-90){hint}")
        tr = source_to_lonlat(self.src)
        if tr is None:
            return xy
        with np.errstate(all="ignore"):
            lon, lat = tr.transform(xy[:, 0], xy[:, 1], errcheck=False)
        lonlat = np.column_stack([lon, lat])
        bad = ~np.isfinite(lonlat).all(axis=1) | (np.abs(lat) > 90)
        self._fail_if(bad, xy, row_of, f"impossible for {label}: they do not project to the "
                      "Earth; check the CRS (--crs)")
        return lonlat

    def _fail_if(self, bad: np.ndarray, xy: np.ndarray, row_of: np.ndarray, what: str) -> None:
        if not bad.any():
            return
        first = int(np.flatnonzero(bad)[0])
        name = _feature_name(self.raw.features[row_of[first]])
        raise InputError(
            f"{self.path}: {name}: coordinates ({xy[first, 0]:g}, {xy[first, 1]:g}) are {what} "
            f"[{int(bad.sum())} positions affected]"
        )

    def _drop_repeated_points(
        self, ring_xy: np.ndarray, poly_owner: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Remove repeated consecutive points from every ring at once.

        Returns the coordinates, points per ring, rings per polygon part and the owner of each
        part. A ring left with fewer than 3 distinct points is dropped: a hole quietly shrinks
        to nothing (noted), a shell takes its whole part with it (noted, and the feature is
        skipped if that was its only part).
        """
        ring_len = np.fromiter((len(r) for r in self.rings), np.int64, len(self.rings))
        ring_counts = np.asarray(self.ring_counts, dtype=np.int64)
        ring_id = np.repeat(np.arange(len(ring_len)), ring_len)
        repeat = np.zeros(len(ring_xy), bool)
        repeat[1:] = (ring_xy[1:] == ring_xy[:-1]).all(axis=1) & (ring_id[1:] == ring_id[:-1])
        if not repeat.any():
            return ring_xy, ring_len, ring_counts, poly_owner
        part_of_ring = np.repeat(np.arange(len(ring_counts)), ring_counts)
        for part in np.unique(part_of_ring[ring_id[repeat]]):
            self.raw.features[poly_owner[part]].notes.append(
                "repeated consecutive points removed from a ring"
            )
        ring_xy, ring_id = ring_xy[~repeat], ring_id[~repeat]
        ring_len = np.bincount(ring_id, minlength=len(ring_len))
        short = ring_len < 4
        if not short.any():
            return ring_xy, ring_len, ring_counts, poly_owner
        first_ring = np.concatenate([[0], np.cumsum(ring_counts)[:-1]])
        is_shell = np.zeros(len(ring_len), bool)
        is_shell[first_ring] = True
        dead_part = np.zeros(len(ring_counts), bool)
        dead_part[part_of_ring[short & is_shell]] = True
        for ring in np.flatnonzero(short & ~is_shell & ~dead_part[part_of_ring]):
            self.raw.features[poly_owner[part_of_ring[ring]]].notes.append(
                "degenerate hole dropped"
            )
        for part in np.flatnonzero(dead_part):
            row = poly_owner[part]
            self.empty_reason[row] = "polygon outer ring has fewer than 3 distinct points"
            self.raw.features[row].notes.append(
                "polygon part dropped: outer ring has fewer than 3 distinct points"
            )
        keep_ring = ~short & ~dead_part[part_of_ring]
        ring_xy = ring_xy[keep_ring[ring_id]]
        ring_counts = np.bincount(part_of_ring[keep_ring], minlength=len(ring_counts))
        keep_part = ~dead_part
        return ring_xy, ring_len[keep_ring], ring_counts[keep_part], poly_owner[keep_part]

    # -- the whole load ------------------------------------------------------------------
    def load(self, origin: tuple[float, float] | None) -> tuple[District, LoadReport]:
        if not self.raw.features:  # nothing parsed: no coordinates to centre a frame on
            first = self.raw.skipped[0]
            raise InputError(
                f"{self.path}: none of its {self.raw.total} features could be loaded "
                f"(first problem: feature {first.index}: {first.reason})"
            )
        self._close_building_lines()
        self._gather()
        poly_owner = np.asarray(self.poly_owner, dtype=np.int64)
        ring_owner = np.repeat(poly_owner, self.ring_counts)
        ring_ll = self._project(self.rings, ring_owner)
        line_ll = self._project(self.lines, np.asarray(self.line_owner, dtype=np.int64))
        point_ll = self._project(self.points, np.asarray(self.point_owner, dtype=np.int64))
        everything = np.concatenate([ring_ll, line_ll, point_ll])
        self._check_placement(everything)
        lo, hi = _lonlat_bounds(everything)
        if origin is None:
            centre = (lo[0] + hi[0]) / 2 if lo[0] <= hi[0] else (lo[0] + hi[0] + 360) / 2
            origin = (float((centre + 180) % 360 - 180), float((lo[1] + hi[1]) / 2))
        try:
            frame = LocalFrame(*origin)
        except InputError as exc:
            raise InputError(f"{self.path}: {exc}") from None
        report = LoadReport(
            source=str(self.path), crs=crs_label(self.src), crs_from=self.crs_from,
            origin=(frame.lon, frame.lat), features=self.raw.total,
            crs_declared=self.choice.declared, crs_declared_by=self.choice.declared_by,
            crs_warning=self.choice.warning,
            source_schema=self.schema.name, schema_from=self.schema_from,
            format=self.raw.format, encoding=self.raw.encoding,
        )
        report.skipped.extend(self.raw.skipped)
        self._check_spread(everything, (frame.lon, frame.lat), lo, hi, report)

        def local(ll: np.ndarray) -> np.ndarray:
            x, y = frame.to_local(ll[:, 0], ll[:, 1])
            far = ~(np.isfinite(x) & np.isfinite(y))
            if far.any():  # the transverse Mercator frame ends ~80 degrees off its centre
                lon, lat = ll[np.flatnonzero(far)[0]]
                raise InputError(self._too_far(lon, lat, frame.lon, frame.lat, lo, hi))
            return np.column_stack([x, y])

        n_raw = len(self.raw.features)
        geoms = np.full(n_raw, None, dtype=object)

        # Polygons: build every part at once, repair the invalid ones, regroup per feature.
        if self.rings:
            ring_ll, ring_len, ring_counts, poly_owner = self._drop_repeated_points(
                ring_ll, poly_owner
            )
        if len(poly_owner):  # some shells may have gone with their repeated points
            offsets = (
                np.concatenate([[0], np.cumsum(ring_len)]),
                np.concatenate([[0], np.cumsum(ring_counts)]),
            )
            parts = shapely.from_ragged_array(shapely.GeometryType.POLYGON, local(ring_ll), offsets)
            cw = clockwise_shells(parts)
            turned = np.unique(poly_owner[cw])
            report.reoriented = len(turned)
            for row in turned:
                self.raw.features[row].notes.append(
                    "clockwise outer ring reoriented to counter-clockwise (RFC 7946)"
                )
            fixed, part_of, reasons = repair_polygons(parts)
            owner = poly_owner[part_of]
            tangled = set()
            for part, reason in reasons.items():
                feat = self.raw.features[poly_owner[part]]
                if reason.startswith("too tangled"):
                    tangled.add(part)
                    self.empty_reason[poly_owner[part]] = f"polygon {reason}"
                    feat.notes.append(f"polygon part {reason}")
                else:
                    feat.notes.append(f"invalid polygon repaired with make_valid ({reason})")
            # The parts repair left nothing of (a mask: setdiff1d sorts every part's index).
            kept = np.zeros(len(parts), bool)
            kept[part_of] = True
            for part in np.flatnonzero(~kept).tolist():
                if part in tangled:
                    continue
                self.raw.features[poly_owner[part]].notes.append(
                    "zero-area polygon part (sliver) dropped"
                )
            rows, multi = _regroup(geoms, fixed, owner, shapely.multipolygons)
            # Parts valid one by one may still overlap each other: unite those.
            merged, overlaps = merge_overlapping_parts(multi)
            for k, reason in overlaps.items():
                self.raw.features[rows[k]].notes.append(
                    f"overlapping polygon parts merged with make_valid ({reason})"
                )
            geoms[rows] = merged
        if self.lines:
            lens = np.fromiter((len(a) for a in self.lines), np.int64, len(self.lines))
            lines = shapely.from_ragged_array(
                shapely.GeometryType.LINESTRING, local(line_ll),
                (np.concatenate([[0], np.cumsum(lens)]),),
            )
            owner = np.asarray(self.line_owner)
            rows, multi = _regroup(geoms, lines, owner, shapely.multilinestrings)
            geoms[rows] = multi
        if self.points:
            owner = np.repeat(np.asarray(self.point_owner), [len(p) for p in self.points])
            points = shapely.points(local(point_ll))
            assert isinstance(points, np.ndarray)  # many coordinates in, an array out
            rows, multi = _regroup(geoms, points, owner, shapely.multipoints)
            geoms[rows] = multi

        district = self._attributes(frame, geoms, report)
        if len(district) == 0 and report.skipped_points:
            left = sum(report.skipped_points.values())
            tags = ", ".join(f"{k} {n}" for k, n in list(report.points_left_out().items())[:5])
            raise InputError(
                f"{self.path}: none of its {self.raw.total} features could be loaded: "
                f"{left} are points that are no points of interest ({tags}); pass "
                "--points all to keep every point"
            )
        if len(district) == 0:
            raise InputError(
                f"{self.path}: none of its {self.raw.total} features could be loaded "
                f"(first problem: {report.skipped[0].reason if report.skipped else 'unknown'})"
            )
        report.loaded = len(district)
        tops = district.height[np.isfinite(district.height)]
        if len(tops):
            report.height_range = (float(tops.min()), float(tops.mean()), float(tops.max()))
        b = shapely.total_bounds(district.geometry)
        report.bbox_local = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        report.bbox_lonlat = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
        report.skipped.sort(key=lambda i: i.index)
        return district, report

    def _sorted(self, geoms: np.ndarray) -> list[Sorted]:
        """What each feature left with a geometry is (geo/kinds.py), in their order."""
        rules = Rules(self.schema, self.name_keys, self.height_keys, self.level_keys,
                      self.width_keys, self.level_height, self.reading.points)
        return sort_features(rules, [_sortable(feat) for feat, geom
                                     in zip(self.raw.features, geoms.tolist(), strict=True)
                                     if geom is not None])

    def _check_placement(self, lonlat: np.ndarray) -> None:
        """Refuse data its CRS puts outside that CRS's area of use or into the sea
        (geo/crs.py), checked on a sample of positions: source and projected alike."""
        if not len(lonlat):
            return
        arrays = [*self.rings, *self.lines, *self.points]  # the order of ``lonlat``
        lens = np.fromiter((len(a) for a in arrays), np.int64, len(arrays))
        ends = np.cumsum(lens)
        pick = np.unique(np.linspace(0, len(lonlat) - 1, min(len(lonlat), crs_checks.SAMPLE))
                         .astype(np.int64))
        which = np.searchsorted(ends, pick, side="right")
        at = pick - (ends - lens)[which]
        # A bounded sample (SAMPLE positions), so a loop is cheap here.
        xy = np.array([arrays[w][k] for w, k in zip(which, at, strict=True)], dtype=float)
        flag = "--crs" if self.crs_named_by == "the --crs option" else "district.crs"
        crs_checks.check_placement(self.path, self.choice, xy, lonlat[pick], flag)

    def _too_far(self, lon: float, lat: float, lon0: float, lat0: float,
                 lo: np.ndarray, hi: np.ndarray) -> str:
        w, s, e, n = *lo, *hi
        return (
            f"{self.path}: position ({lon:g}, {lat:g}) is too far from the centre "
            f"({lon0:g}, {lat0:g}) for a local metric frame; the data span "
            f"{(e - w) % 360 or 360:g} degrees of longitude and {n - s:g} of latitude, "
            "expected a district or a city"
        )

    def _check_spread(self, ll: np.ndarray, origin: tuple[float, float], lo: np.ndarray,
                      hi: np.ndarray, report: LoadReport) -> None:
        """Refuse positions too far from the centre for the frame; warn once (on the
        farthest feature) when lengths near the edge are stretched by more than 0.1 %."""
        if not len(ll):
            return
        far = _degrees_apart(ll, origin)
        worst = int(np.argmax(far))
        if far[worst] > MAX_FRAME_DEGREES:
            lon, lat = ll[worst]
            raise InputError(self._too_far(lon, lat, *origin, lo, hi))
        if far[worst] > EXACT_FRAME_DEGREES:
            owners = np.concatenate([
                np.repeat(np.repeat(np.asarray(self.poly_owner, np.int64), self.ring_counts),
                          [len(r) for r in self.rings]).astype(np.int64),
                np.repeat(np.asarray(self.line_owner, np.int64),
                          [len(a) for a in self.lines]).astype(np.int64),
                np.repeat(np.asarray(self.point_owner, np.int64),
                          [len(a) for a in self.points]).astype(np.int64),
            ])
            count = len(np.unique(owners[far > EXACT_FRAME_DEGREES]))
            feat = self.raw.features[owners[worst]]
            report.warnings.append(Issue(feat.index, feat.id, (
                f"lies {far[worst] * 111.2:.0f} km from the frame centre; {count} features "
                f"lie beyond {EXACT_FRAME_DEGREES * 111.2:.0f} km, where lengths in the local "
                "metric frame are stretched by more than 0.1 % (the frame suits a district "
                "or a city)")))

    def _attributes(self, frame: LocalFrame, geoms: np.ndarray, report: LoadReport) -> District:
        # One tuple a feature, columns made at the end, counts taken once: a register city
        # runs this loop 185,000 times, and thirteen appends and two counter updates a
        # feature were a fifth of its whole load.
        sorts = iter(self._sorted(geoms))  # one a feature with a geometry, in order
        rows: list[tuple[Any, ...]] = []
        first_with_id: dict[str, int] = {}
        height_keys: list[str] = []
        for row, feat in enumerate(self.raw.features):
            if feat.id is not None:
                first = first_with_id.setdefault(feat.id, feat.index)
                if first != feat.index:
                    # Picking, search and plugins tell features apart by id.
                    report.warnings.append(Issue(feat.index, feat.id, (
                        f"duplicate feature id {printable(feat.id)!r}, also used by feature "
                        f"{first}; ids should be unique")))
            geom = geoms[row]
            if geom is None:
                reason = self.empty_reason.get(row) or _why_empty(feat)
                report.skipped.append(Issue(feat.index, feat.id, reason))
                continue
            sorted_ = next(sorts)
            if isinstance(sorted_, str):  # a point that is no point of interest
                report.skipped_points[sorted_] = report.skipped_points.get(sorted_, 0) + 1
                continue
            (layer, kind, top, bottom, source, levels, width, name, name_en, warnings,
             height_key) = sorted_
            if height_key:
                height_keys.append(height_key)
            if feat.notes:
                for note in dict.fromkeys(feat.notes):
                    report.repaired.append(Issue(feat.index, feat.id, note))
            for note in warnings:
                report.warnings.append(Issue(feat.index, feat.id, note))
            rows.append((geom, layer, kind, top, bottom, source, levels, width, name, name_en,
                         feat.id, feat.index, feat.properties))
        cols = list(zip(*rows, strict=True)) if rows else [()] * 13
        (geoms_kept, layers, kinds, tops, bottoms, sources, levels_col, widths, names,
         names_en, ids, indexes, properties) = cols
        for layer_name, n in Counter(layers).items():
            report.layers[layer_name] += n
        for source_name, n in Counter(s for s in sources if s).items():
            report.heights[source_name] += n
        for key, n in Counter(height_keys).items():
            report.height_keys[key] = report.height_keys.get(key, 0) + n
        geometry = np.empty(len(rows), dtype=object)
        geometry[:] = geoms_kept
        return District(
            frame=frame,
            geometry=geometry,
            layer=np.asarray(layers, dtype=object),
            kind=np.asarray(kinds, dtype=object),
            height=np.asarray(tops, dtype=np.float64),
            min_height=np.asarray(bottoms, dtype=np.float64),
            height_source=np.asarray(sources, dtype=object),
            levels=np.asarray(levels_col, dtype=np.float64),
            width=np.asarray(widths, dtype=np.float64),
            name=list(names),
            name_en=list(names_en),
            feature_id=list(ids),
            source_index=np.asarray(indexes, dtype=np.int64),
            properties=list(properties),
        )

def _sortable(feat: RawFeature) -> Feature:
    """``feat`` as geo/kinds.py sorts it: its properties, geometry type and whether it was
    a geometry collection."""
    gtype: GeomType = "polygon" if feat.polygons else "line" if feat.lines else "point"
    mixed = (MIXED_POLYGONS if feat.polygons and (feat.lines or feat.points)
             else MIXED_LINES if feat.lines and feat.points else 0)
    return feat.properties, gtype, mixed


def _sample_positions(raw: RawCollection) -> np.ndarray:
    """Coordinates of up to ``crs_checks.SAMPLE`` features spread over the file (every
    vertex of each), for the CRS checks before projection."""
    feats = raw.features
    if not feats:
        return np.zeros((0, 2))
    rows = np.unique(np.linspace(0, len(feats) - 1, min(len(feats), crs_checks.SAMPLE))
                     .astype(np.int64))
    parts = [a for r in rows for a in (
        *(ring for poly in feats[r].polygons for ring in poly), *feats[r].lines,
        *feats[r].points)]
    xy = np.concatenate(parts) if parts else np.zeros((0, 2))
    return crs_checks.sample(np.asarray(xy, dtype=float).reshape(-1, 2))


def _feature_name(feat: RawFeature) -> str:
    return f"feature {feat.index}" + (f" (id {printable(feat.id)})" if feat.id else "")


def printable(text: str, limit: int = 60) -> str:
    """``text`` safe for a one-line message: control characters and lone surrogates
    escaped (an id must not move the cursor or break the encoder), long text shortened."""
    out = "".join(
        c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF
        else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in text[: limit + 1]
    )
    return out if len(text) <= limit else out[:limit] + "..."


def _lonlat_bounds(ll: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(west, south), (east, north) of lon/lat positions. Data that crosses the antimeridian
    gets west > east (as an RFC 7946 bbox), so that its centre is not on the antipode."""
    lo, hi = ll.min(axis=0), ll.max(axis=0)
    if hi[0] - lo[0] > 180:
        east_of = np.where(ll[:, 0] < 0, ll[:, 0] + 360, ll[:, 0])
        w, e = east_of.min(), east_of.max()
        if e - w < hi[0] - lo[0]:
            lo = np.array([(w + 180) % 360 - 180, lo[1]])
            hi = np.array([(e + 180) % 360 - 180, hi[1]])
    return lo, hi


def _degrees_apart(ll: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    """Great-circle distance (degrees) of every lon/lat position from ``origin``."""
    lon, lat = np.radians(ll[:, 0]), np.radians(ll[:, 1])
    lon0, lat0 = np.radians(origin[0]), np.radians(origin[1])
    h = (np.sin((lat - lat0) / 2) ** 2
         + np.cos(lat) * np.cos(lat0) * np.sin((lon - lon0) / 2) ** 2)
    return np.degrees(2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def _regroup(
    geoms: np.ndarray, parts: np.ndarray, owner: np.ndarray, collect: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Put single parts straight into ``geoms[owner]``; return the rows with several parts
    and their ``collect``-ed multi-geometries (shapely.multipolygons and friends)."""
    order = np.argsort(owner, kind="stable")
    parts, owner = parts[order], owner[order]
    rows, first, inverse, counts = np.unique(
        owner, return_index=True, return_inverse=True, return_counts=True
    )
    single = counts == 1
    geoms[rows[single]] = parts[first[single]]
    # The collect functions want dense indices: number the features 0..k-1.
    multi = collect(parts, indices=inverse)
    return rows[~single], multi[~single]


def _why_empty(feat: RawFeature) -> str:
    if feat.polygons:
        return "zero-area polygon (sliver): nothing left after repair"
    return "geometry is empty"
