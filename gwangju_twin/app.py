"""The composition root: the only module that owns a ShowBase.

It loads a scene through the pure rooms (geo -> mesh), hands the arrays to the renderer, and
either opens the interactive viewer or renders a PNG offscreen.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwangju_twin.geo import District, LoadReport, load_geojson
from gwangju_twin.mesh import DistrictMesh, build_district_mesh
from gwangju_twin.scene import CameraPose, Scene, frame_bounds

FOV_DEG = 50.0


@dataclass
class Prepared:
    """Everything computed without a window: the district, its report, mesh and start view."""

    scene: Scene
    district: District
    report: LoadReport
    mesh: DistrictMesh

    def start_pose(self, aspect: float) -> CameraPose:
        """The scene's start camera, or a view that frames the whole district."""
        cam = self.scene.camera
        fov = FOV_DEG if aspect >= 1 else FOV_DEG * aspect
        pose = frame_bounds(self.mesh.bounds, self.mesh.max_height, fov, cam.heading, cam.pitch)
        target = pose.target
        if cam.target_lonlat is not None:
            x, y = self.district.frame.to_local(*cam.target_lonlat)
            target = (float(x), float(y), 0.0)
        elif cam.target_local is not None:
            target = (*cam.target_local, 0.0)
        distance = cam.distance if cam.distance is not None else pose.distance
        return CameraPose(target, cam.heading, cam.pitch, distance)


def load_district(scene: Scene) -> tuple[District, LoadReport]:
    """Load a scene's district with the scene's CRS, origin and level height."""
    return load_geojson(
        scene.source, crs=scene.crs, origin=scene.origin, level_height=scene.level_height
    )


def prepare(scene: Scene) -> Prepared:
    """Load and mesh a scene (pure: no Panda3D window involved)."""
    district, report = load_district(scene)
    return Prepared(scene, district, report, build_district_mesh(district))


def clip_range(mesh: DistrictMesh, pose: CameraPose) -> tuple[float, float]:
    """Near and far clip distances that hold the whole district from ``pose`` and from
    anywhere the orbit camera can go (up to 2.5 district diagonals plus a kilometre away).

    Flat layers are painted in order, so depth precision only matters between buildings;
    the near plane still grows with distance so a country-sized file keeps it.
    """
    x0, y0, x1, y1 = mesh.bounds
    diagonal = math.hypot(x1 - x0, y1 - y0)
    far = max(60_000.0, 4.0 * (diagonal + pose.distance) + 1000.0)
    near = max(1.0, min(pose.distance, far) * 1e-4)
    return near, far


def display_available() -> tuple[bool, str]:
    """Whether an on-screen window can be opened, and if not, why (one phrase)."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False, "DISPLAY is not set"
    return True, ""


class _Stage:
    """A ShowBase with the prepared world attached (window, offscreen buffer or none)."""

    def __init__(self, prepared: Prepared, window_type: str, size: tuple[int, int]) -> None:
        from direct.showbase.ShowBase import ShowBase

        from gwangju_twin.render.config import configure
        from gwangju_twin.render.world import add_fog, build_world, sky_dome

        configure(window_type, size, f"Gwangju Twin - {prepared.scene.name}")
        self.base = ShowBase(windowType=window_type)
        self.base.disable_mouse()
        self.prepared = prepared
        self.world = build_world(prepared.mesh, prepared.scene.layers)
        self.world.reparent_to(self.base.render)
        w, h = size
        self.pose = prepared.start_pose(w / h)
        add_fog(self.base.render, prepared.mesh, self.pose.distance)
        if self.base.camera is not None:
            # The dome stays centred on the camera but keeps its own orientation, so the
            # horizon stays level; a CompassEffect was seen to cull it away here.
            self.sky = sky_dome()
            self.sky.reparent_to(self.base.render)
            lens = self.base.camLens
            lens.set_fov(FOV_DEG)
            lens.set_aspect_ratio(w / h)
            lens.set_near_far(*clip_range(prepared.mesh, self.pose))
            self.set_pose(self.pose)

    def set_pose(self, pose: CameraPose) -> None:
        self.base.camera.set_pos(*pose.position)
        self.base.camera.set_hpr(*pose.panda_hpr)
        self.follow_camera()

    def follow_camera(self, task: Any = None) -> Any:
        self.sky.set_pos(self.base.camera.get_pos(self.base.render))
        return task.cont if task is not None else None

    def screenshot(self, out: Path) -> Path:
        from panda3d.core import Filename, PNMImage

        engine = self.base.graphicsEngine
        for _ in range(2):  # the first frame uploads geometry; the second is the picture
            engine.render_frame()
        image = PNMImage()
        if not self.base.win.get_screenshot(image):
            raise RuntimeError("the renderer returned no image")
        image.remove_alpha()
        if not image.write(Filename.from_os_specific(str(out))):
            raise OSError(f"cannot write {out}")
        return out

    def close(self) -> None:
        self.base.destroy()


def render_png(prepared: Prepared, out: Path, size: tuple[int, int]) -> Path:
    """Render the scene offscreen (no display needed) to ``out``."""
    stage = _Stage(prepared, "offscreen", size)
    try:
        return stage.screenshot(out)
    finally:
        stage.close()


def run_viewer(prepared: Prepared, size: tuple[int, int]) -> None:
    """Open the interactive viewer and run until the window closes."""
    from gwangju_twin.render.orbit import OrbitControl

    stage = _Stage(prepared, "onscreen", size)
    base = stage.base
    if base.win is None:
        raise RuntimeError("no window could be opened")
    orbit = OrbitControl(base.camera, stage.pose, prepared.mesh.bounds)
    orbit.attach(base)
    base.task_mgr.add(stage.follow_camera, "sky-follows-camera", sort=50)
    base.accept("escape", base.userExit)
    base.run()
