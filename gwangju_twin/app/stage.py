"""The stage: a ShowBase with a prepared scene attached (window, offscreen buffer or none).

The composition root's hub: every program (view, render, kiosk child, plugin dry run) builds
one. Only this package owns a ShowBase.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwangju_twin.expo.prepared import Loading, Prepared
from gwangju_twin.mesh import DistrictMesh
from gwangju_twin.scene import CameraPose
from gwangju_twin.scene.framing import lens_fov
from gwangju_twin.settings import Quality, QualityChoice, SettingsLoad
from gwangju_twin.sun.clock import SceneClock, default_moment

if TYPE_CHECKING:
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import NodePath

    from gwangju_twin.app.floor import ExpoFloor
    from gwangju_twin.booth.virtual import VirtualPointer
    from gwangju_twin.presence.client import Join
    from gwangju_twin.render.config import WindowType
    from gwangju_twin.render.streaming import CityStream
    from gwangju_twin.render.streetlights import StreetLights
    from gwangju_twin.render.sunlight import SunRig
    from gwangju_twin.touring import Touring

class Interface(Enum):
    """The visitor's interface on a stage."""

    NONE = "none"
    """The city and its demos only: pictures, plugin dry runs, tests."""
    DESKTOP = "desktop"
    """The touring interface: toolbar, minimap, panels, menus, search, tour."""
    KIOSK = "kiosk"
    """The touring interface in kiosk mode: locked, finger-sized, the booth on top."""


@dataclass(frozen=True)
class StageOptions:
    """How a stage starts (everything but the prepared scene, the window and its size)."""

    view: str = "start"
    """The start view (see ``Prepared.pose``): "start", "pavilions" or a pavilion id."""
    enter: str | None = None
    """A pavilion the visitor starts inside: its demo entered, the camera in front of it
    unless ``view`` says otherwise."""
    interface: Interface = Interface.NONE
    """The visitor's interface."""
    settings: SettingsLoad | None = None
    """The visitor's settings (with an interface); None means the defaults."""
    persist: bool = True
    """Whether the interface saves the settings the visitor changes."""
    fullscreen: bool = True
    """A kiosk window fills the screen (kiosk interface, on screen only)."""
    storage_folder: Path | None = None
    """Where plugins keep ``ctx.storage``; None: a temporary folder removed with the stage,
    so a picture or a test never depends on anyone's stored data."""
    join: Join | None = None
    """A shared room to join (with an interface): other visitors shown, this one seen."""
    time: datetime | None = None
    """The scene's moment at start (timezone-aware); None: the scene's ``[scene] time``,
    else ``sun.default_moment`` at the district's longitude."""
    quality: QualityChoice | None = None
    """Lighting and shadows (docs/daylight.md); None: the settings' choice, else "auto"."""

    @property
    def kiosk(self) -> bool:
        """Whether this is a kiosk booth's stage."""
        return self.interface is Interface.KIOSK


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


def open_base(window_type: WindowType, size: tuple[int, int], name: str, kiosk: bool = False,
              fullscreen: bool = True) -> ShowBase:
    """A ShowBase with its window (``onscreen``), buffer (``offscreen``) or none, for the
    scene called ``name``; the clear colour is the sky's, never black."""
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.render.config import configure
    from gwangju_twin.render.world import sky_clear_color

    configure(window_type, size, f"Gwangju Twin - {name}",
              locked=kiosk and window_type == "onscreen",
              fullscreen=kiosk and window_type == "onscreen" and fullscreen)
    base = ShowBase(windowType=window_type)
    if window_type == "onscreen" and base.win is not None and os.environ.get("DISPLAY"):
        # An X server ending under the window: one line and exit status 1, not a native
        # assertion from Panda3D's exit (app/display.py).
        from gwangju_twin.app.display import watch_display, watch_window

        watch_display()
        watch_window(base)
    base.disable_mouse()
    base.set_background_color(sky_clear_color())
    return base


class NoWindowError(RuntimeError):
    """The window could not be opened (no display, no driver)."""


def load_stage(loading: Loading, window_type: WindowType, size: tuple[int, int],
               options: StageOptions | None = None,
               on_frame: Callable[[ShowBase, str], None] | None = None) -> Stage:
    """Open the window first, show the loading screen from its first frame, then load
    ``loading`` in steps with a frame drawn after each (so the window is never black or
    frozen while the city is read and built), and return the stage with ``options``;
    ``on_frame(base, step)`` runs after each loading frame is drawn (tests capture it).

    Raises NoWindowError when the window cannot open; any error while loading (bad input)
    closes the window and propagates.
    """
    from gwangju_twin.ui.loading import LoadingScreen

    options = options or StageOptions()
    base = open_base(window_type, size, loading.scene.name, options.kiosk, options.fullscreen)
    if base.win is None:
        base.destroy()
        raise NoWindowError("no window could be opened")
    screen: LoadingScreen | None = None
    try:
        screen = LoadingScreen(base)

        drawn: list[str] = []

        def show(name: str) -> None:
            assert screen is not None
            uncovered = screen.strip_shown
            screen.show(name, loading.meter.fraction if name == "baking" else 0.0)
            # Draw it now: nothing else will until the city is ready. The first time two
            # frames, so a double-buffered window has flipped it to the front, and again
            # when the city is first uncovered (the visitor's first picture of it); else
            # one (each frame flips the one before): a frame of the loading screen costs
            # about 40 ms on a software renderer, a tenth of a whole city's warm start.
            first = not drawn or (screen.strip_shown and not uncovered)
            for _ in range(2 if first else 1):
                base.graphicsEngine.render_frame()
            drawn.append(name)
            if on_frame is not None:
                on_frame(base, name)

        steps = loading.steps()
        while True:
            try:
                show(next(steps))
            except StopIteration as done:
                prepared: Prepared = done.value
                break
        result = Stage(prepared, window_type, size, options, base=base, progress=show)
    except BaseException:
        base.destroy()
        raise
    screen.destroy()
    return result


class Stage:
    """A ShowBase with the prepared world attached (window, offscreen buffer or none): the
    district, the expo floor with its pavilions and plugins, the sky, the camera at its
    start pose and, with an interface, the visitor's touring interface.

    Every program builds one (``gwangju_twin.app.programs``); shells (touring, booth) are
    handed it. ``base`` is an already open ShowBase (behind a loading screen, see
    ``load_stage``); ``progress(step)`` is told each loading step before it runs.
    """

    base: ShowBase
    prepared: Prepared
    options: StageOptions
    pose: CameraPose
    """The start pose."""
    world: NodePath
    expo: ExpoFloor
    sky: NodePath
    clock: SceneClock
    """The scene's moment: the interface sets it, a played day moves it each frame, the
    sun's light, sky and shadows follow it."""
    sunlight: SunRig
    streetlights: StreetLights
    """The lamps along the roads, lit at night."""
    """The sun's lights, sky colours and shadows (``render.sunlight``)."""
    quality: Quality
    """The quality preset in use ("auto" resolved for the renderer found)."""
    touring: Touring | None
    """The touring interface (with ``Interface.DESKTOP`` or ``KIOSK``)."""
    pointer: VirtualPointer | None
    """The scripted pointer of a kiosk booth drawn offscreen (it has no mouse)."""

    def __init__(self, prepared: Prepared, window_type: WindowType, size: tuple[int, int],
                 options: StageOptions | None = None, *, base: ShowBase | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        from gwangju_twin.app.floor import ExpoFloor
        from gwangju_twin.render.world import add_fog, build_world, haze_size, sky_dome

        def step(name: str) -> None:
            if progress is not None:
                progress(name)

        options = options or StageOptions()
        self.options = options
        self.window_type = window_type
        self.size = size
        self.base = base if base is not None else open_base(
            window_type, size, prepared.scene.name, options.kiosk, options.fullscreen)
        self.prepared = prepared
        w, h = size
        view = options.view
        if options.enter is not None and view == "start":
            view = options.enter
        self.pose = prepared.pose(view, w / h)
        # The haze and the ground's colour follow what the start view frames, not a long
        # river or power line that runs kilometres out of the district.
        x0, y0, _, x1, y1, _ = prepared.focus()
        focus = (x0, y0, x1, y1)
        self.stream: CityStream | None = None
        self._tasks: list[Any] = []  # run_tasks's frame tasks, removed on close
        if prepared.tiles is None:
            self.world = build_world(prepared.mesh, prepared.scene.layers, self.pose.distance,
                                     focus)
        else:
            # A baked city: its tiles stream in at the level of detail the view needs; what
            # the cache does not hold (a boundary file's outlines) is drawn as usual.
            from gwangju_twin.render.streaming import build_tiled_world
            from gwangju_twin.render.world import add_batches

            self.world, self.stream = build_tiled_world(
                prepared.tiles, prepared.scene.layers, self.pose.distance, focus)
            # Opaque tiles nearest first: the rasteriser's early depth test then skips the
            # hidden walls of the blocks behind (a street view 55 -> 49 ms on llvmpipe); the
            # merged city, a few big Geoms, gains nothing from it.
            from panda3d.core import CullBinEnums, CullBinManager

            bins = CullBinManager.get_global_ptr()
            bins.set_bin_type(bins.find_bin("opaque"), CullBinEnums.BT_front_to_back)
            add_batches(self.world.find("district"), prepared.mesh, prepared.scene.layers)
        self.world.reparent_to(self.base.render)
        frame = prepared.district.frame
        # One clock for the scene: the sun's rig, the time bar and the plugins (ctx.sun).
        self.clock = SceneClock(options.time or prepared.scene.time
                                or default_moment(frame.lon), frame.lat, frame.lon)
        self.expo = ExpoFloor(
            self.world, self.base.aspect2d, self.base.loader, prepared.district,
            prepared.mesh.bounds, prepared.pavilions, prepared.found,
            prepared.scene.frame_budget_ms, storage_folder=options.storage_folder,
            clock=self.clock,
        )
        self.haze = add_fog(self.base.render, prepared.mesh, self.pose.distance, focus)
        self._haze_size = haze_size(prepared.mesh, self.pose.distance, focus)
        self._start_sun(prepared, options)
        if self.base.camera is not None:
            # The dome stays centred on the camera but keeps its own orientation, so the
            # horizon stays level; a CompassEffect was seen to cull it away here.
            self.sky = sky_dome()
            self.sky.reparent_to(self.base.render)
            lens = self.base.camLens
            lens.set_fov(*lens_fov(w / h))
            lens.set_near_far(*clip_range(prepared.mesh, self.pose))
            if self.stream is not None:
                self.stream.occlude_for(self.base.cam)  # tiles behind nearer walls: not drawn
            self.set_pose(self.pose)
            if self.stream is not None:
                # The first picture is whole: the start view's tiles, loaded now (the far
                # city's are small), the rest streams in while the visitor looks around.
                self.stream.settle()
            from gwangju_twin.app.floor import StillCamera

            # Demos' views are shown at once until an interface flies to them instead.
            self.expo.camera_hand = StillCamera(self.base.camera, lens, self.follow_camera)
        self._sun_moved(self.clock)
        step("plugins")
        self.expo.load()
        if options.enter is not None:
            self.expo.enter(options.enter)
        self.touring = None
        self.pointer = None
        if options.interface is not Interface.NONE:
            from gwangju_twin.touring import Touring

            step("interface")

            if options.kiosk and window_type == "offscreen":
                # An offscreen buffer has no mouse; the kiosk's scripted visitors need one.
                from gwangju_twin.booth.virtual import VirtualPointer

                self.pointer = VirtualPointer(self.base)
            self.touring = Touring(self, options.settings, persist=options.persist,
                                   kiosk=options.kiosk)
            if options.enter is not None:
                self.touring.presence.hold(options.enter)
            if options.join is not None:
                self.touring.join(options.join)

    def _start_sun(self, prepared: Prepared, options: StageOptions) -> None:
        """The sun's rig, following the scene's clock."""
        from gwangju_twin.mesh.streetlights import street_lamps
        from gwangju_twin.render.streetlights import StreetLights
        from gwangju_twin.render.sunlight import SunRig, choose_quality

        choice = options.quality
        if choice is None:
            choice = options.settings.settings.quality if options.settings else "auto"
        gsg = self.base.win.get_gsg() if self.base.win is not None else None
        self.quality = choose_quality(choice, gsg.get_driver_renderer() if gsg else "",
                                      whole_city=self.stream is not None)
        x0, y0, x1, y1 = prepared.mesh.bounds
        top = max(prepared.focus()[5], 30.0)
        self.sunlight = SunRig(self.world, self.quality, self.haze, (x0, y0, x1, y1), top)
        self.streetlights = StreetLights(self.world, *street_lamps(prepared.district))
        self.clock.subscribe(self._sun_moved)  # the first call once the sky is made

    def _sun_moved(self, clock: SceneClock) -> None:
        """Light, sky and haze for the clock's new moment (shadows follow in ``_follow_sun``)."""
        from gwangju_twin.render.world import recolor_sky

        light = self.sunlight.set_sun(clock.position, clock.when)
        self.streetlights.set_night(light.night)
        if self.base.camera is not None:
            recolor_sky(self.sky, light.zenith, light.horizon)
        self.base.set_background_color(*light.horizon, 1.0)

    def _follow_sun(self, force: bool = False) -> bool:
        """Fit the shadows to the camera's view; True when the shadow map is re-rendered."""
        from panda3d.core import ClockObject

        from gwangju_twin.render.sunlight import frustum_rays

        if not self.sunlight.shadows or self.base.camera is None or self.base.win is None:
            return False
        self.sunlight.attach(self.base.win.get_gsg())
        eye = self.base.camera.get_pos(self.base.render)
        rays = frustum_rays(self.base.camera, self.base.camLens, self.base.render)
        now = ClockObject.get_global_clock().get_real_time()
        return self.sunlight.update((eye.x, eye.y, eye.z), rays, now, force)

    def sun_task(self, task: Any) -> Any:
        """Play the clock by the frame's real time (a frame task, sort 45)."""
        from panda3d.core import ClockObject

        self.clock.tick(min(ClockObject.get_global_clock().get_dt(), 0.25))
        return task.cont

    def set_pose(self, pose: CameraPose) -> None:
        """Put the camera at ``pose`` (the sky and labels follow)."""
        self.base.camera.set_pos(*pose.position)
        self.base.camera.set_hpr(*pose.panda_hpr)
        self.follow_camera()

    def follow_camera(self, task: Any = None) -> Any:
        """Centre the sky on the camera and lay out the labels (a frame task, sort 49)."""
        from gwangju_twin.render.world import thin_haze

        eye = self.base.camera.get_pos(self.base.render)
        if self.stream is not None:
            self.stream.update(self.base.camera, self.base.camLens, self.size[1])
        self.sky.set_pos(eye)
        thin_haze(self.haze, self._haze_size, eye.z)
        self._follow_sun()
        self.expo.follow(self.base.camera)
        return task.cont if task is not None else None

    def step(self, seconds: float, dt: float = 1 / 30) -> None:
        """Advance the demos by ``seconds`` of simulated time in ``dt`` frames (no drawing)."""
        for _ in range(round(seconds / dt)):
            self.expo.update(dt)

    def run_tasks(self) -> None:
        """Every frame from now on: the demos run (sort 40), a played clock moves (sort 45),
        then the sky, the shadows, the labels and the city's tiles follow the camera (sort
        49), as in a live viewer: before the frame is drawn (ShowBase's igLoop, sort 50,
        runs before a task of its own sort added later), so the tiles drawn and those
        hidden behind walls are this frame's camera's, not the last one's."""
        add = self.base.task_mgr.add
        self._tasks = [add(self.expo_task, "expo", sort=40),
                       add(self.sun_task, "sun-clock", sort=45),
                       add(self.follow_camera, "sky-follows-camera", sort=49)]

    def expo_task(self, task: Any) -> Any:
        """Run the demos by the frame's time (a frame task, sort 40)."""
        from panda3d.core import ClockObject

        self.expo.update(min(ClockObject.get_global_clock().get_dt(), 0.25))
        return task.cont

    def screenshot(self, out: Path) -> Path:
        """Draw two frames and write the second to ``out`` (PNG); returns ``out``."""
        from gwangju_twin.render.snapshot import write_png

        engine = self.base.graphicsEngine
        if self.stream is not None:
            self.stream.update(self.base.camera, self.base.camLens, self.size[1])
            self.stream.settle()  # a picture shows the view's tiles, not a half-loaded city
        for _ in range(2):  # the first frame uploads geometry; the second is the picture
            self._follow_sun(force=True)  # the picture's shadows fitted to its view
            engine.render_frame()
        return write_png(self.base.win, out)

    def close(self) -> None:
        """Close the interface and the demos, then the ShowBase and its window."""
        # The task manager outlives the ShowBase: a later stage in this process (a booth
        # restarted, the next test) must not run this one's frame tasks on a closed window.
        for task in self._tasks:
            self.base.task_mgr.remove(task)
        if self.touring is not None:
            self.touring.close()
        self.expo.close()
        if self.stream is not None:
            self.stream.close()
        self.base.destroy()
