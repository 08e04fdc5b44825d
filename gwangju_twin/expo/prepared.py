"""A scene made ready without a window: its district read, pavilions placed, plugins found
and meshes built (``prepare``), in steps a loading screen can follow (``prepare_steps``).

Pure: the composition root (gwangju_twin.app) hands the result to the renderer.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwangju_twin.errors import InputError
from gwangju_twin.expo.city import BakeMeter, city_steps, finished, load_city
from gwangju_twin.expo.pavilions import (
    Pavilion,
    assigned_overrides,
    build_pavilions,
    pavilion_pose,
    pavilions_pose,
    plugin_overrides,
    refuse_plugins,
    with_plugin_option,
)
from gwangju_twin.geo import District, LoadReport, load_geojson
from gwangju_twin.geo.model import Issue
from gwangju_twin.mesh import DistrictMesh, build_district_mesh
from gwangju_twin.plugins.discovery import FoundPlugin, discover
from gwangju_twin.scene import CameraPose, Scene
from gwangju_twin.scene.framing import Box, fit_box, focus_box, grow
from gwangju_twin.scene.pavilions import clear_sites, subset
from gwangju_twin.scene.scenefile import BOUNDARY_KIND, BoundarySpec
from gwangju_twin.tiles.tileset import TileSet

log = logging.getLogger("gwangju_twin.app")


@dataclass
class Prepared:
    """Everything computed without a window: the district, its report, mesh and start view."""

    scene: Scene
    district: District
    report: LoadReport
    mesh: DistrictMesh
    pavilions: tuple[Pavilion, ...] = ()
    found: tuple[FoundPlugin, ...] = ()
    tiles: TileSet | None = None
    """The baked city's tiles when it is drawn from its tile cache; ``mesh`` then holds
    only what the cache does not (a boundary file's outlines) and the city's extent."""
    _focus: tuple[District, tuple[Pavilion, ...], Box] | None = field(
        default=None, init=False, repr=False, compare=False)

    def pose(self, view: str, aspect: float) -> CameraPose:
        """The named view: "start" (the scene's camera), "pavilions" (all of them) or a
        pavilion id (in front of its entrance)."""
        if view == "start":
            return self.start_pose(aspect)
        if view == "pavilions":
            if not self.pavilions:
                raise InputError(f"{self.scene.path or self.scene.source}: the scene has no "
                                 "pavilions to view")
            return pavilions_pose(self.pavilions, aspect)
        for pav in self.pavilions:
            if pav.info.id == view:
                return pavilion_pose(pav.info)
        raise InputError(f"view {view!r}: expected start, pavilions or a pavilion id ("
                         + (", ".join(p.info.id for p in self.pavilions) or "none in this scene")
                         + ")")

    def start_pose(self, aspect: float) -> CameraPose:
        """The scene's start camera: its own target and distance where it gives them, else
        a view that fits what matters (``focus``) into a picture ``aspect`` = w / h wide."""
        cam = self.scene.camera
        pose = fit_box(self.focus(), cam.heading, cam.pitch, aspect)
        target = pose.target
        distance = pose.distance
        if cam.target_lonlat is not None or cam.target_local is not None:
            if cam.target_lonlat is not None:
                x, y = self.district.frame.to_local(*cam.target_lonlat)
                target = (float(x), float(y), 0.0)
            else:
                assert cam.target_local is not None
                target = (*cam.target_local, 0.0)
            # Looking at another point, step back by how far it is from the fitted one, so
            # the box stays in view.
            distance += math.hypot(target[0] - pose.target[0], target[1] - pose.target[1])
        if cam.distance is not None:
            distance = cam.distance
        return CameraPose(target, cam.heading, cam.pitch, distance)

    def focus(self) -> Box:
        """The 3D box the start view frames: the buildings (trimmed of outliers, with their
        heights) or, without buildings, every feature; and the pavilions."""
        # Asked for by the start view, the sun's fit and the stage while a city loads: each
        # asking went through every feature's bounds (some 0.05 s for a 185k city's start).
        cached = self._focus
        if cached is not None and cached[0] is self.district and cached[1] is self.pavilions:
            return cached[2]
        box = self._focus_box()
        self._focus = (self.district, self.pavilions, box)
        return box

    def _focus_box(self) -> Box:
        import numpy as np
        import shapely

        geoms = self.district.geometry
        areal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
        box = focus_box(shapely.bounds(geoms), self.district.height, self.district.layer,
                        areal)
        for pav in self.pavilions:
            xs = [c[0] for c in pav.shape.site]
            ys = [c[1] for c in pav.shape.site]
            box = grow(box, (min(xs), min(ys), 0.0, max(xs), max(ys), pav.info.height))
        return box


def load_district(scene: Scene, meter: BakeMeter | None = None
                  ) -> tuple[District, LoadReport]:
    """Load a scene's district with the scene's CRS, origin and level height (from its tile
    cache when it is drawn from tiles, see ``expo.city``), and the boundaries of its
    ``[boundaries]`` file (``with_boundaries``) when it names one."""
    city = load_city(scene, meter)
    district, report = city.district, city.report
    if scene.boundaries is not None:
        district = with_boundaries(district, report, scene.boundaries, scene.path)
    return district, report


#: A boundary overlapping the district's extent by less than this (square metres) only
#: touches it: an edge drawn along the extent, or numerical dust of the cut.
MIN_OVERLAP_M2 = 1.0


def with_boundaries(district: District, report: LoadReport, spec: BoundarySpec,
                    scene_path: Path | None) -> District:
    """``district`` with the polygons of the boundary file ``spec`` added as rows of the
    "area" layer and kind ``BOUNDARY_KIND``: read by the same loader in the district's frame
    (the CRS the file declares, or ``spec.crs``), only those that overlap the district's
    extent (its bounding box: a whole-city dong file beside one district gives the dongs
    that touch it) and cut to that extent, so the district's bounds stay its own.

    The file's skipped features, and polygons without a name, are added to ``report``'s
    warnings. A file that cannot be read, holds no polygons or overlaps nothing is an
    InputError naming the scene file and key."""
    import numpy as np
    import shapely

    where = f"{scene_path}: 'boundaries.source'"
    origin = (district.frame.lon, district.frame.lat)
    try:
        found, found_report = load_geojson(
            spec.source, crs=spec.crs, origin=origin,
            crs_named_by=f"{scene_path}: 'boundaries.crs'", encoding=spec.encoding)
    except InputError as exc:
        # The loader names the file; the scene file and key say where it was asked for.
        text = str(exc)
        raise InputError(text if text.startswith(str(scene_path)) else f"{where}: {text}"
                         ) from None
    label = spec.source.name
    for issue in found_report.skipped:
        report.warnings.append(dataclasses.replace(
            issue, reason=f"boundary file {label}: {issue.reason}"))
    polygonal = np.flatnonzero(np.isin(shapely.get_type_id(found.geometry), (3, 6)))
    if len(polygonal) == 0:
        skipped = found_report.skipped
        why = (f", {len(skipped)} skipped, e.g. {skipped[0].reason}" if skipped else "")
        raise InputError(f"{where} names {label}, which holds no polygons ({len(found)} "
                         f"other features{why}); expected a file of boundary polygons (dongs)")
    names = _boundary_names(found, polygonal, spec.name_key, scene_path, label)
    geoms = found.geometry[polygonal]
    if len(district):
        extent = shapely.total_bounds(district.geometry)
        cut = _polygonal(shapely.intersection(geoms, shapely.box(*extent)))
        touch = shapely.area(cut) >= MIN_OVERLAP_M2
    else:
        extent, cut, touch = np.zeros(4), geoms, np.zeros(len(geoms), bool)
    if not touch.any():
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
        d0, e0, d1, e1 = (float(v) for v in extent)
        raise InputError(
            f"{where}: none of the {len(geoms)} polygons of {label} overlaps the district "
            f"(they span x {x0:.0f} .. {x1:.0f}, y {y0:.0f} .. {y1:.0f} m; the district x "
            f"{d0:.0f} .. {d1:.0f}, y {e0:.0f} .. {e1:.0f} m); expected boundaries of the same "
            "place (is its CRS right? 'boundaries.crs')")
    for k in np.flatnonzero(touch):
        if names[k] is None:
            row = polygonal[k]
            report.warnings.append(Issue(
                int(found.source_index[row]), found.feature_id[row],
                f"boundary file {label}: a boundary without a name"
                + (f" (no '{spec.name_key}')" if spec.name_key else "")))
    rows = polygonal[touch]
    n = len(rows)
    log.info("%s: %d of %d boundary polygons overlap the district", label, n, len(geoms))
    added = District(
        frame=district.frame,
        geometry=cut[touch],
        layer=np.full(n, "area", dtype=object),
        kind=np.full(n, BOUNDARY_KIND, dtype=object),
        height=np.full(n, np.nan),
        min_height=np.full(n, np.nan),
        height_source=np.full(n, "", dtype=object),
        levels=np.full(n, np.nan),
        width=np.full(n, np.nan),
        name=[names[k] for k in np.flatnonzero(touch)],
        name_en=[found.name_en[i] for i in rows],
        feature_id=[found.feature_id[i] for i in rows],
        source_index=found.source_index[rows],
        properties=[found.properties[i] for i in rows],
    )
    return _joined(district, added)


def _boundary_names(found: District, rows: Any, name_key: str | None,
                    scene_path: Path | None, label: str) -> list[str | None]:
    """Each boundary's name: the loader's (name, name:ko, adm_nm), or the ``name_key``
    property (matched exactly, else ignoring case: shapefile columns are often capitals)."""
    if name_key is None:
        return [found.name[i] for i in rows]
    names: list[str | None] = []
    for i in rows:
        props = found.properties[i]
        key = name_key if name_key in props else next(
            (k for k in props if k.lower() == name_key.lower()), name_key)
        value = props.get(key)
        text = None if value is None or isinstance(value, (list, dict)) else str(value).strip()
        names.append(text or None)
    if not any(names):
        seen = sorted({k for i in rows for k in found.properties[i]})
        raise InputError(
            f"{scene_path}: 'boundaries.name_key' is {name_key!r}, which no polygon of {label} "
            f"has; expected one of its properties ({', '.join(seen[:12]) or 'it has none'})")
    return names


def _polygonal(geoms: Any) -> Any:
    """``geoms`` with only their polygonal parts: a cut that also touches the extent along
    an edge or at a point comes back as a collection."""
    import numpy as np
    import shapely

    out = np.array(geoms, dtype=object)
    for i in np.flatnonzero(shapely.get_type_id(out) == 7):  # GeometryCollection
        parts = shapely.get_parts(out[i])
        polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return out


def _joined(a: District, b: District) -> District:
    """The rows of ``a`` then those of ``b`` (same frame)."""
    import numpy as np

    cols: dict[str, Any] = {}
    for name, value in vars(a).items():
        other = getattr(b, name)
        if name == "frame":
            cols[name] = value
        elif isinstance(value, np.ndarray):
            cols[name] = np.concatenate([value, np.asarray(other, dtype=value.dtype)])
        else:
            cols[name] = [*value, *other]
    return District(**cols)


@dataclass(frozen=True)
class Loading:
    """A scene to load behind the loading screen (``run_viewer``, ``run_kiosk``): the
    arguments of ``prepare``."""

    scene: Scene
    enter: str | None = None
    plugin: str | None = None
    admit: Callable[[str, str], bool] | None = None
    assign: Mapping[str, str] | None = None
    meter: BakeMeter = dataclasses.field(default_factory=BakeMeter)
    """How far a bake of the city's tiles is, while the step is "baking"."""

    def steps(self) -> Generator[str, None, Prepared]:
        """``prepare_steps`` of this scene."""
        return prepare_steps(self.scene, self.enter, self.plugin, self.admit, self.assign,
                             self.meter)


def prepare_steps(scene: Scene, enter: str | None = None, plugin: str | None = None,
                  admit: Callable[[str, str], bool] | None = None,
                  assign: Mapping[str, str] | None = None,
                  meter: BakeMeter | None = None,
                  ) -> Generator[str, None, Prepared]:
    """``prepare`` in steps: yields the name of each step (ui.loading.STEPS) before it runs,
    so a loading screen can say what is happening ("baking" again and again while the
    city's tiles are baked, ``meter`` saying how far); returns the Prepared scene."""
    yield "reading"
    city = yield from city_steps(scene, meter)
    district, report = city.district, city.report
    baked = len(district)
    if scene.boundaries is not None:
        district = with_boundaries(district, report, scene.boundaries, scene.path)
    clear, sites = clear_sites(district, report, scene.pavilions, scene.path or scene.source)
    if clear.any():
        district = subset(district, ~clear)
    if enter is not None and enter not in {s.id for s in sites}:
        raise InputError(f"--enter {enter}: expected a pavilion id of the scene ("
                         + (", ".join(s.id for s in sites) or "it has none") + ")")
    yield "pavilions"
    wanted = plugin is not None or bool(assign) or any(s.spec.plugin for s in sites)
    found = tuple(discover(scene.plugin_folders)) if wanted else ()
    plugin, found = with_plugin_option(plugin, found)  # --plugin ./folder
    # Assignments (plugins assign, a kiosk's [plugins] assign) override the scene's plugins;
    # --plugin overrides both for its run.
    overrides = assigned_overrides(sites, assign or {}, found)
    overrides |= plugin_overrides(sites, enter, plugin, found)
    if admit is not None:
        for pavilion_id, (plugin_id, why) in refuse_plugins(sites, found, admit,
                                                            overrides).items():
            log.warning("pavilion %s runs without plugin %s: %s", pavilion_id, plugin_id, why)
            overrides[pavilion_id] = None
    pavilions = build_pavilions(sites, overrides)
    yield "meshes"
    if city.cache is None:
        return Prepared(scene, district, report, build_district_mesh(district), pavilions,
                        found)
    import numpy as np

    keep = ~clear[:baked]
    remap = np.where(keep, np.cumsum(keep) - 1, -1) if not keep.all() else None
    tiles = TileSet(city.cache, city.district, remap)
    mesh = _extras_mesh(district, np.arange(int(keep.sum()), len(district)), tiles)
    return Prepared(scene, district, report, mesh, pavilions, found, tiles)


def _extras_mesh(district: District, rows: Any, tiles: TileSet) -> DistrictMesh:
    """The mesh of the rows a tile cache does not hold (a boundary file's), spanning the
    whole city's extent and height (the camera's limits and clip planes follow them)."""
    extra = build_district_mesh(district.take(rows))
    for b in extra.batches:
        b.feature_ids = rows[b.feature_ids].astype("int32")
    x0, y0, x1, y1 = tiles.bounds
    if extra.batches:
        e0, f0, e1, f1 = extra.bounds
        x0, y0, x1, y1 = min(x0, e0), min(y0, f0), max(x1, e1), max(y1, f1)
    return DistrictMesh(extra.batches, (x0, y0, x1, y1),
                        max(tiles.max_height, extra.max_height))


def prepare(scene: Scene, enter: str | None = None, plugin: str | None = None,
            admit: Callable[[str, str], bool] | None = None,
            assign: Mapping[str, str] | None = None) -> Prepared:
    """Load and mesh a scene, place its pavilions and find its plugins (no window involved).

    ``plugin`` puts that plugin id into pavilion ``enter`` (or its sector's pavilion) for
    this run, as ``--plugin`` does. ``admit(plugin_id, version)``, the kiosk's allow-list,
    keeps every plugin it refuses out (logged; the pavilion shows its sector's panel).
    ``assign`` ({plugin id: pavilion id or ""}) puts assigned plugins into their pavilions.
    """
    return finished(prepare_steps(scene, enter, plugin, admit, assign))


