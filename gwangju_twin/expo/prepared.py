"""A scene made ready without a window: its district read, pavilions placed, plugins found
and meshes built (``prepare``), in steps a loading screen can follow (``prepare_steps``).

Pure: the composition root (gwangju_twin.app) hands the result to the renderer.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass

from gwangju_twin.errors import InputError
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
from gwangju_twin.mesh import DistrictMesh, build_district_mesh
from gwangju_twin.plugins.discovery import FoundPlugin, discover
from gwangju_twin.scene import CameraPose, Scene
from gwangju_twin.scene.framing import Box, fit_box, focus_box, grow
from gwangju_twin.scene.pavilions import place_pavilions

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


def load_district(scene: Scene) -> tuple[District, LoadReport]:
    """Load a scene's district with the scene's CRS, origin and level height."""
    # A scene file names its CRS in 'district.crs'; a bare GeoJSON gets it from --crs.
    named_by = f"{scene.path}: 'district.crs'" if scene.path else "the --crs option"
    return load_geojson(
        scene.source, crs=scene.crs, origin=scene.origin, level_height=scene.level_height,
        crs_named_by=named_by, encoding=scene.encoding, crs_override=scene.crs_override,
        points=scene.points, schema=scene.schema,
    )


@dataclass(frozen=True)
class Loading:
    """A scene to load behind the loading screen (``run_viewer``, ``run_kiosk``): the
    arguments of ``prepare``."""

    scene: Scene
    enter: str | None = None
    plugin: str | None = None
    admit: Callable[[str, str], bool] | None = None
    assign: Mapping[str, str] | None = None

    def steps(self) -> Generator[str, None, Prepared]:
        """``prepare_steps`` of this scene."""
        return prepare_steps(self.scene, self.enter, self.plugin, self.admit, self.assign)


def prepare_steps(scene: Scene, enter: str | None = None, plugin: str | None = None,
                  admit: Callable[[str, str], bool] | None = None,
                  assign: Mapping[str, str] | None = None,
                  ) -> Generator[str, None, Prepared]:
    """``prepare`` in steps: yields the name of each step (ui.loading.STEPS) before it runs,
    so a loading screen can say what is happening; returns the Prepared scene."""
    yield "reading"
    district, report = load_district(scene)
    district, sites = place_pavilions(district, report, scene.pavilions,
                                      scene.path or scene.source)
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
    return Prepared(scene, district, report, build_district_mesh(district), pavilions, found)


def prepare(scene: Scene, enter: str | None = None, plugin: str | None = None,
            admit: Callable[[str, str], bool] | None = None,
            assign: Mapping[str, str] | None = None) -> Prepared:
    """Load and mesh a scene, place its pavilions and find its plugins (no window involved).

    ``plugin`` puts that plugin id into pavilion ``enter`` (or its sector's pavilion) for
    this run, as ``--plugin`` does. ``admit(plugin_id, version)``, the kiosk's allow-list,
    keeps every plugin it refuses out (logged; the pavilion shows its sector's panel).
    ``assign`` ({plugin id: pavilion id or ""}) puts assigned plugins into their pavilions.
    """
    steps = prepare_steps(scene, enter, plugin, admit, assign)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


