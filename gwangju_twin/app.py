"""The composition root: the only module that owns a ShowBase.

It loads a scene through the pure rooms (geo -> mesh), hands the arrays to the renderer, and
either opens the interactive viewer or renders a PNG offscreen.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwangju_twin.errors import InputError
from gwangju_twin.expo import (
    Pavilion,
    build_pavilions,
    pavilion_pose,
    pavilions_pose,
    plugin_overrides,
    refuse_plugins,
)
from gwangju_twin.geo import District, LoadReport, load_geojson
from gwangju_twin.mesh import DistrictMesh, build_district_mesh
from gwangju_twin.plugins.discovery import FoundPlugin, discover
from gwangju_twin.scene import CameraPose, Scene, without_plugins
from gwangju_twin.scene.framing import FOV_DEG as FOV_DEG  # the lens, for the shells
from gwangju_twin.scene.framing import Box, fit_box, focus_box, grow, lens_fov
from gwangju_twin.scene.pavilions import place_pavilions
from gwangju_twin.settings import SettingsLoad

if TYPE_CHECKING:
    from gwangju_twin.booth.virtual import VirtualPointer
    from gwangju_twin.kiosk.config import KioskConfig
    from gwangju_twin.touring import Touring

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
        crs_named_by=named_by,
    )


@dataclass(frozen=True)
class Loading:
    """A scene to load behind the loading screen (``run_viewer``, ``run_kiosk``): the
    arguments of ``prepare``."""

    scene: Scene
    enter: str | None = None
    plugin: str | None = None
    admit: Callable[[str, str], bool] | None = None

    def steps(self) -> Generator[str, None, Prepared]:
        """``prepare_steps`` of this scene."""
        return prepare_steps(self.scene, self.enter, self.plugin, self.admit)


def prepare_steps(scene: Scene, enter: str | None = None, plugin: str | None = None,
                  admit: Callable[[str, str], bool] | None = None,
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
    wanted = plugin is not None or any(s.spec.plugin for s in sites)
    found = tuple(discover(scene.plugin_folders)) if wanted else ()
    overrides = plugin_overrides(sites, enter, plugin, found)
    if admit is not None:
        for pavilion_id, (plugin_id, why) in refuse_plugins(sites, found, admit,
                                                            overrides).items():
            log.warning("pavilion %s runs without plugin %s: %s", pavilion_id, plugin_id, why)
            overrides[pavilion_id] = None
    pavilions = build_pavilions(sites, overrides)
    yield "meshes"
    return Prepared(scene, district, report, build_district_mesh(district), pavilions, found)


def prepare(scene: Scene, enter: str | None = None, plugin: str | None = None,
            admit: Callable[[str, str], bool] | None = None) -> Prepared:
    """Load and mesh a scene, place its pavilions and find its plugins (no window involved).

    ``plugin`` puts that plugin id into pavilion ``enter`` (or its sector's pavilion) for
    this run, as ``--plugin`` does. ``admit(plugin_id, version)``, the kiosk's allow-list,
    keeps every plugin it refuses out (logged; the pavilion shows its sector's panel).
    """
    steps = prepare_steps(scene, enter, plugin, admit)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


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


def open_base(window_type: str, size: tuple[int, int], name: str, kiosk: bool = False,
              fullscreen: bool = True) -> Any:
    """A ShowBase with its window (``onscreen``), buffer (``offscreen``) or none, for the
    scene called ``name``; the clear colour is the sky's, never black."""
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.render.config import configure
    from gwangju_twin.render.world import sky_clear_color

    configure(window_type, size, f"Gwangju Twin - {name}",
              locked=kiosk and window_type == "onscreen",
              fullscreen=kiosk and window_type == "onscreen" and fullscreen)
    base = ShowBase(windowType=window_type)
    base.disable_mouse()
    base.set_background_color(sky_clear_color())
    return base


class NoWindowError(RuntimeError):
    """The window could not be opened (no display, no driver)."""


def load_stage(loading: Loading, window_type: str, size: tuple[int, int],
               on_frame: Callable[[Any, str], None] | None = None, **stage: Any) -> _Stage:
    """Open the window first, show the loading screen from its first frame, then load
    ``loading`` in steps with a frame drawn after each (so the window is never black or
    frozen while the city is read and built), and return the stage. ``stage`` are the
    other arguments of ``_Stage``; ``on_frame(base, step)`` runs after each loading frame
    is drawn (tests capture it).

    Raises NoWindowError when the window cannot open; any error while loading (bad input)
    closes the window and propagates.
    """
    from gwangju_twin.ui.loading import LoadingScreen

    base = open_base(window_type, size, loading.scene.name, stage.get("kiosk", False),
                     stage.get("fullscreen", True))
    if base.win is None:
        base.destroy()
        raise NoWindowError("no window could be opened")
    screen: LoadingScreen | None = None
    try:
        screen = LoadingScreen(base)

        def show(name: str) -> None:
            assert screen is not None
            screen.show(name)
            # Draw it now: nothing else will until the city is ready (two frames, so a
            # double-buffered window has flipped it to the front).
            for _ in range(2):
                base.graphicsEngine.render_frame()
            if on_frame is not None:
                on_frame(base, name)

        steps = loading.steps()
        while True:
            try:
                show(next(steps))
            except StopIteration as done:
                prepared: Prepared = done.value
                break
        result = _Stage(prepared, window_type, size, base=base, progress=show, **stage)
    except BaseException:
        base.destroy()
        raise
    screen.destroy()
    return result


class _Stage:
    """A ShowBase with the prepared world attached (window, offscreen buffer or none).

    ``view`` names the start view (see ``Prepared.pose``); ``enter`` a pavilion the visitor
    starts inside (its demo entered; the camera in front of it unless ``view`` says more).
    """

    def __init__(self, prepared: Prepared, window_type: str, size: tuple[int, int],
                 view: str = "start", enter: str | None = None, ui: bool = False,
                 settings: SettingsLoad | None = None, persist: bool = True,
                 kiosk: bool = False, fullscreen: bool = True, base: Any = None,
                 progress: Callable[[str], None] | None = None) -> None:
        from gwangju_twin.render.world import add_fog, build_world, sky_dome
        from gwangju_twin.visit import ExpoFloor

        # ``base``: a ShowBase already open (behind a loading screen, see load_stage);
        # ``progress(step)`` is told each step before it runs, to draw that screen.
        def step(name: str) -> None:
            if progress is not None:
                progress(name)

        self.base = base if base is not None else open_base(
            window_type, size, prepared.scene.name, kiosk, fullscreen)
        self.prepared = prepared
        w, h = size
        if enter is not None and view == "start":
            view = enter
        self.pose = prepared.pose(view, w / h)
        self.world = build_world(prepared.mesh, prepared.scene.layers, self.pose.distance)
        self.world.reparent_to(self.base.render)
        self.expo = ExpoFloor(
            self.world, self.base.aspect2d, self.base.loader, prepared.district,
            prepared.mesh.bounds, prepared.pavilions, prepared.found,
            prepared.scene.frame_budget_ms,
        )
        add_fog(self.base.render, prepared.mesh, self.pose.distance)
        if self.base.camera is not None:
            # The dome stays centred on the camera but keeps its own orientation, so the
            # horizon stays level; a CompassEffect was seen to cull it away here.
            self.sky = sky_dome()
            self.sky.reparent_to(self.base.render)
            lens = self.base.camLens
            lens.set_fov(*lens_fov(w / h))
            lens.set_near_far(*clip_range(prepared.mesh, self.pose))
            self.set_pose(self.pose)
        step("plugins")
        self.expo.load()
        if enter is not None:
            self.expo.enter(enter)
        self.touring: Touring | None = None
        self.pointer: VirtualPointer | None = None
        if ui:
            from gwangju_twin.touring import Touring

            step("interface")

            if kiosk and window_type == "offscreen":
                # An offscreen buffer has no mouse; the kiosk's scripted visitors need one.
                from gwangju_twin.booth.virtual import VirtualPointer

                self.pointer = VirtualPointer(self.base)
            self.touring = Touring(self, settings, persist=persist, kiosk=kiosk)
            if enter is not None:
                self.touring.presence.hold(enter)

    def set_pose(self, pose: CameraPose) -> None:
        self.base.camera.set_pos(*pose.position)
        self.base.camera.set_hpr(*pose.panda_hpr)
        self.follow_camera()

    def follow_camera(self, task: Any = None) -> Any:
        self.sky.set_pos(self.base.camera.get_pos(self.base.render))
        self.expo.follow(self.base.camera)
        return task.cont if task is not None else None

    def step(self, seconds: float, dt: float = 1 / 30) -> None:
        """Advance the demos by ``seconds`` of simulated time in ``dt`` frames (no drawing)."""
        for _ in range(round(seconds / dt)):
            self.expo.update(dt)

    def run_tasks(self) -> None:
        """Every frame from now on: the demos run (sort 40), then the sky and the labels
        follow the camera (sort 50), as in a live viewer."""
        self.base.task_mgr.add(self.expo_task, "expo", sort=40)
        self.base.task_mgr.add(self.follow_camera, "sky-follows-camera", sort=50)

    def expo_task(self, task: Any) -> Any:
        from panda3d.core import ClockObject

        self.expo.update(min(ClockObject.get_global_clock().get_dt(), 0.25))
        return task.cont

    def screenshot(self, out: Path) -> Path:
        from gwangju_twin.render.snapshot import write_png

        engine = self.base.graphicsEngine
        for _ in range(2):  # the first frame uploads geometry; the second is the picture
            engine.render_frame()
        return write_png(self.base.win, out)

    def close(self) -> None:
        if self.touring is not None:
            self.touring.close()
        self.expo.close()
        self.base.destroy()


def render_png(prepared: Prepared, out: Path, size: tuple[int, int], view: str = "start",
               enter: str | None = None, seconds: float = 0.0, ui: bool = False,
               language: str = "ko") -> list[dict[str, Any]]:
    """Render the scene offscreen (no display needed) to ``out``; returns the plugins' status
    (``PluginHost.status``) as it was when the picture was taken.

    ``enter`` starts the visitor inside that pavilion and runs its demo for ``seconds`` of
    simulated time before the picture is taken. ``ui`` draws the desktop interface in
    ``language`` with default settings (the user's own settings file is not read, so the
    picture is the same for everyone).
    """
    settings = SettingsLoad.shared(language) if ui else None
    stage = _Stage(prepared, "offscreen", size, view, enter, ui=ui, settings=settings,
                   persist=False)
    try:
        stage.step(seconds)
        if ui:
            for _ in range(3):  # the interface lays itself out in its frame task
                stage.base.task_mgr.step()
        stage.screenshot(out)
        return stage.expo.host.status()
    finally:
        stage.close()


def _open_stage(source: Prepared | Loading, window_type: str, size: tuple[int, int],
                **stage: Any) -> _Stage:
    """The stage of ``source``: behind a loading screen when it still has to be loaded."""
    if isinstance(source, Loading):
        return load_stage(source, window_type, size, **stage)
    opened = _Stage(source, window_type, size, **stage)
    if opened.base.win is None:
        opened.close()
        raise NoWindowError("no window could be opened")
    return opened


def run_viewer(source: Prepared | Loading, size: tuple[int, int], view: str = "start",
               enter: str | None = None) -> None:
    """Open the interactive viewer and run until the window closes or Ctrl+Q.

    Given a ``Loading``, the window opens first and shows the loading screen while the
    scene loads. Every control is listed in ``gwangju_twin.controls`` and in the F1 help
    overlay. Raises NoWindowError when no window can be opened.
    """
    from gwangju_twin.settings import load_settings

    stage = _open_stage(source, "onscreen", size, view=view, enter=enter, ui=True,
                        settings=load_settings())
    stage.run_tasks()
    try:
        stage.base.run()
    finally:
        stage.close()


def kiosk_stage(prepared: Prepared, config: KioskConfig, window_type: str) -> _Stage:
    """The kiosk booth's stage: the touring interface in kiosk mode at ``config.size``.

    The booth's visitors share one set of defaults in ``config.language``; nobody's settings
    file is read, and nothing a visitor changes is saved.
    """
    return _Stage(prepared, window_type, config.size, **_kiosk_args(config))


def _kiosk_args(config: KioskConfig) -> dict[str, Any]:
    return {"ui": True, "settings": SettingsLoad.shared(config.language), "persist": False,
            "kiosk": True, "fullscreen": config.fullscreen}


def run_kiosk(source: Prepared | Loading, config: KioskConfig, window_type: str = "onscreen",
              visits: Any = None, heartbeat: Any = None, safe: bool = False,
              snapshot: Path | None = None) -> int:
    """Run the kiosk booth until the operator closes or restarts it; returns the exit status
    for the supervisor (gwangju_twin.kiosk.supervisor: EXIT_OPERATOR or EXIT_RESTART).

    Given a ``Loading``, the booth's screen shows the loading screen while the scene loads.
    ``window_type`` "offscreen" runs a booth without a display (at most 30 frames a second),
    for tests and for trying a configuration on a machine without a screen; ``snapshot``
    is then where it keeps a PNG of what it shows (see ``booth.snapshot``).
    """
    from panda3d.core import ClockObject

    from gwangju_twin.booth.session import Booth

    stage = _open_stage(source, window_type, config.size, **_kiosk_args(config))
    base = stage.base
    if window_type == "offscreen":
        clock = ClockObject.get_global_clock()
        clock.set_mode(ClockObject.M_limited)
        clock.set_frame_rate(30)
    booth = Booth(stage, config, visits, heartbeat, safe, snapshot=snapshot)
    stage.run_tasks()
    try:
        base.run()
    finally:
        booth.close()
        stage.close()
    return booth.exit_code or 0


@dataclass
class LifecycleResult:
    """What a dry run of one plugin did (see ``exercise_plugin``)."""

    plugin: str
    pavilion: str
    state: str  # "unloaded" after a clean run, "disabled" after a failure
    errors: list[str]
    panel_ko: list[str]
    panel_en: list[str]
    frames: int
    nodes: int  # nodes the demo had under its node while the visitor was inside


def exercise_plugin(found: FoundPlugin, scene: Scene, seconds: float = 2.0,
                    dt: float = 1 / 30) -> LifecycleResult:
    """Run ``found`` through load, enter, update (``seconds`` of frames), exit and unload in
    the pavilion of its sector in ``scene``, headless (``window-type none``)."""
    if found.manifest is None:
        raise InputError(f"{found.source}: {found.reason}")
    sector_id = found.manifest.sector
    site = next((p for p in scene.pavilions if p.sector == sector_id), None)
    if site is None:
        raise InputError(f"{scene.path}: has no {sector_id} pavilion to run the plugin in")
    # Only the plugin under test runs: the scene's own plugins stay out of the way.
    prepared = prepare(without_plugins(scene))
    sites = [p.site for p in prepared.pavilions]
    prepared = dataclasses.replace(
        prepared, pavilions=build_pavilions(sites, {site.id: found.id}), found=(found,))
    stage = _Stage(prepared, "none", (640, 360))
    try:
        stage.expo.enter(site.id)
        frames = round(seconds / dt)
        stage.step(seconds, dt)
        slot = stage.expo.host.slot(site.id)
        assert slot is not None
        nodes = len(stage.expo.nodes[site.id].demo.find_all_matches("**"))
        panel = stage.expo.panel(site.id)
        panel_ko, panel_en = panel.text("ko"), panel.text("en")
        stage.expo.exit()
    finally:
        stage.close()
    errors = [f"{slot.hook}: {slot.reason}"] if slot.state == "disabled" else []
    if slot.error:
        errors.append(slot.error)
    return LifecycleResult(found.id, site.id, slot.state, errors, panel_ko, panel_en, frames,
                           nodes)
