"""A visitor touring the city on a desktop (or a kiosk's touch screen): the composition of
camera, gestures, selection, screen, visits, guided tour and preferences.

``Touring`` is handed a running stage by the composition root (it never makes a ShowBase),
builds its collaborators, binds the events of ``gwangju_twin.controls.CONTROLS`` and runs
one task per frame. Decisions live in the pure rooms (navigation, picking, guide,
infocards, settings) and in the collaborators; this only wires them together.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panda3d.core import ClockObject

from gwangju_twin.controls import control
from gwangju_twin.guide import Gazetteer, GuidedTour, Place, Presence
from gwangju_twin.navigation import Limits, Obstacles
from gwangju_twin.picking import Picker, PickIndex
from gwangju_twin.plugins.panel import PanelButton
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.tour import sector_stops
from gwangju_twin.settings import Settings, SettingsLoad
from gwangju_twin.tiles.picking import TiledPicker
from gwangju_twin.touring.camera import (
    WHEEL_STEP,
    CameraDriver,
    DriverHand,
    interface_window,
)
from gwangju_twin.touring.gestures import Gestures
from gwangju_twin.touring.keys import Keys
from gwangju_twin.touring.pointer import Pointer
from gwangju_twin.touring.preferences import Preferences
from gwangju_twin.touring.screen import Screen, menu_entries
from gwangju_twin.touring.selection import Selection
from gwangju_twin.touring.stageview import StageView
from gwangju_twin.touring.tourguide import TourGuide
from gwangju_twin.touring.visits import Visits
from gwangju_twin.ui.catalogue import Catalogue, load_catalogue
from gwangju_twin.ui.theme import Widget

if TYPE_CHECKING:
    from gwangju_twin.presence.client import Join
    from gwangju_twin.touring.together import Together

#: Toolbar buttons whose control (gwangju_twin.controls) goes by another name.
TOOLBAR_CONTROLS = {"map": "minimap", "camera": "camera_mode"}


class NextFrame:
    """Actions to run at the start of the next frame. A button that closes or replaces its
    own panel would destroy the DirectButton inside its own click handler, so such actions
    wait here."""

    def __init__(self) -> None:
        self._pending: list[Callable[[], object]] = []

    def __call__(self, action: Callable[[], object]) -> None:
        """Run ``action`` at the start of the next frame."""
        self._pending.append(action)

    def run(self) -> None:
        """Run what is due (actions queued meanwhile wait for the frame after)."""
        pending, self._pending = self._pending, []
        for action in pending:
            action()

    def clear(self) -> None:
        """Forget what is queued."""
        self._pending.clear()


class Touring:
    """The visitor's interface on ``stage`` (a ``gwangju_twin.app.stage.Stage``), with the
    visitor's ``settings`` (None: the defaults); ``persist`` False never saves them.
    ``kiosk``: touch only (no keyboard bindings, a tap-sized zoom pad, no search)."""

    _gazetteer: Gazetteer | None = None
    together: Together | None = None
    """The shared room, once joined (``join``); None: touring alone."""

    def __init__(self, stage: StageView, settings: SettingsLoad | None = None,
                 catalogue: Catalogue | None = None, persist: bool = True,
                 kiosk: bool = False) -> None:
        base, prepared, expo = stage.base, stage.prepared, stage.expo
        self.base, self.prepared, self.expo = base, prepared, expo
        self.world = stage.world
        self.cat = catalogue or load_catalogue()
        self.kiosk = kiosk
        start = settings.settings if settings else Settings()
        self.start_pose: CameraPose = stage.pose
        mesh, district, scene = prepared.mesh, prepared.district, prepared.scene
        self.infos = [p.info for p in prepared.pavilions]
        self.info_of = {i.id: i for i in self.infos}
        self.order = list(scene.tour) or [i.id for i in self.infos]
        self._later = NextFrame()
        #: The scene's clock: the time bar sets and plays it, the renderer draws its sun.
        self.clock = stage.clock
        self._clock_start = self.clock.when  # where a fresh visit starts

        limits = Limits.for_district(mesh.bounds, mesh.max_height, stage.pose.position)
        cores = [p.shape.core for p in prepared.pavilions]
        self.driver = CameraDriver(
            base.camera, stage.pose, limits, lambda: Obstacles.of_district(district, cores),
            start.mouse_sensitivity, start.invert_y, base.camLens)
        # The demos' views are flown to from now on; one the entered demo has already
        # asked for (``--enter``) is where the visitor starts (below, once the widgets it
        # must keep clear of are up).
        hand = DriverHand(self.driver,
                          lambda: interface_window(base.aspect2d, expo.inside is not None))
        expo.camera_hand = hand
        self.pointer = Pointer(base.mouseWatcherNode)
        merged = PickIndex.build([*mesh.batches, *(p.shape.batch for p in prepared.pavilions)])
        # A baked city is picked on its leaves' full-detail triangles, leaf by leaf.
        index: Picker = (merged if prepared.tiles is None
                         else TiledPicker(prepared.tiles, merged, district))
        fonts = (expo.font, expo.bold_font)
        # The selection's panels, the screen's widgets and the visits call one another; the
        # ones built first reach the later ones through these callables, looked up when
        # called.
        self.selection = Selection(
            stage.world, base.cam, base.aspect2d, fonts, index, district, scene.level_height,
            prepared.pavilions, prepared.found, self.cat, start.language,
            enter=self.go_to_pavilion, leave=self.leave, inside=lambda: expo.inside,
            closed=lambda: self.visits.show_expo_panel(), later=self._later)
        # The gazetteer is built at the first search, not at start: a whole city's names
        # take a while.
        # A scene without a narrated tour still gets one, told by the sector descriptions.
        tour = GuidedTour(scene.tour_stops or sector_stops(scene.pavilions, self.order))
        self.screen = Screen(
            base, fonts[0], self.cat, start.language, prepared=prepared,
            entries=menu_entries(self.infos, self.order, kiosk),
            camera_mode=self.driver.mode, kiosk=kiosk, minimap=start.minimap, hud=start.hud,
            on_toolbar=self._toolbar, on_zoom=self._zoom_button,
            on_menu=lambda pavilion_id: self.visits.choose(pavilion_id),
            places=self._search, on_place=lambda place: self.visits.go_to_place(place),
            on_tour=lambda name: self.guide.button(name), on_map=self.driver.teleport,
            release_keys=self.driver.release_all, clock=self.clock)
        screen = self.screen
        # Leaving is explicit, so the entered pavilion's panel always offers it (on the
        # next frame: the button is on the panel that leaving removes).
        expo.leave_button = PanelButton("leave", *self.cat.both("info.leave"),
                                        on_click=lambda: self._later(self.leave))
        self.preferences = Preferences(settings, persist, screen, self.driver, self.selection,
                                       expo, base)
        self.visits = Visits(expo, self.infos, self.driver, self.selection, screen,
                             self._later)
        self.guide = TourGuide(tour, self.info_of, screen.tourbar, screen.toolbar,
                               self.visits.go_to_pavilion, self._later)
        self.gestures = Gestures(self.pointer, self.driver, self.selection, screen.menu,
                                 lambda: screen.shown, self.visits.hide_expo_panel,
                                 demo_click=expo.click)
        # The widgets, as the booth, tests and scripts reach them (none is ever replaced).
        self.toolbar, self.zoompad, self.menu = screen.toolbar, screen.zoompad, screen.menu
        self.search, self.tourbar, self.toast = screen.search, screen.tourbar, screen.toast
        self.timebar = screen.timebar
        self.hud, self.help, self.minimap = screen.hud, screen.help, screen.minimap
        self.map_frame = screen.map_frame
        self.preferences.report_problems()
        expo.set_language(self.language)
        keys = Keys(base, screen.search)
        keys.bind_pointer(self.gestures)
        if not kiosk:  # a booth has a touch screen: no key may do anything (Esc, Ctrl+Q...)
            keys.bind_keyboard(self._actions(), self.preferences.change_sensitivity,
                               self.order, self.visits.go_to_pavilion, self.visits.leave,
                               self.driver)
            # The shared room's keys (G, B, X, F) do nothing until a room is joined.
            for event, name in zip(control("react").events, ("wave", "like", "ping"),
                                   strict=True):
                keys.accept(event, self._together, name)
            keys.accept(control("follow").events[0], self._together, "follow")
        # Framed again now that the widgets are up: the view keeps clear of them.
        demo_pose = expo.demo_pose
        if demo_pose is not None:
            hand.show(demo_pose, 0.0)
        base.task_mgr.add(self._frame, "touring", sort=30)

    # -- state --------------------------------------------------------------------------------

    def _search(self, query: str, limit: int = 8) -> list[Place]:
        return self.gazetteer.search(query, limit)

    @property
    def gazetteer(self) -> Gazetteer:
        """The search's index of places (pavilions and named features), built when first
        used."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.build(self.prepared.district, self.infos)
        return self._gazetteer

    @property
    def language(self) -> str:
        """The interface's language ("ko" or "en")."""
        return self.screen.language

    @property
    def interface_shown(self) -> bool:
        """False while the kiosk's attract reel owns the screen: no toasts, no widgets."""
        return self.screen.shown

    @property
    def settings(self) -> Settings:
        """The visitor's settings as they are now."""
        return self.preferences.settings

    @property
    def settings_path(self) -> Path | None:
        """The settings file (None: the settings are not from a file)."""
        return self.preferences.path

    @property
    def problems(self) -> list[str]:
        """What was wrong with the settings file when it was read."""
        return self.preferences.problems

    @property
    def tour(self) -> GuidedTour:
        """The guided tour's state."""
        return self.guide.tour

    @property
    def presence(self) -> Presence:
        """Which pavilion the visitor is in, by where they are."""
        return self.visits.presence

    @property
    def widgets(self) -> tuple[Widget, ...]:
        """The interface's widgets that speak a language (the toast only repeats text)."""
        return self.screen.widgets

    # -- actions ------------------------------------------------------------------------------

    def _actions(self) -> dict[str, Callable[[], object]]:
        """What each control that takes no argument does, by control name."""
        screen, guide, prefs = self.screen, self.guide, self.preferences
        return {
            "camera_mode": self.cycle_mode, "home": self.home, "menu": screen.toggle_menu,
            "tour": guide.toggle, "tour_pause": guide.pause, "tour_skip": guide.skip,
            "minimap": prefs.toggle_minimap, "search": screen.toggle_search,
            "time": screen.toggle_time,
            "language": prefs.toggle_language, "hud": prefs.toggle_hud,
            "screenshot": prefs.screenshot, "invert_y": prefs.toggle_invert_y,
            "help": screen.toggle_help, "close": self.close_top, "quit": self.base.userExit,
            "sunlight_area": self.check_area_sunlight,
        }

    def _toolbar(self, name: str) -> None:
        self._later(self._actions()[TOOLBAR_CONTROLS.get(name, name)])

    def _zoom_button(self, name: str) -> None:
        factor = WHEEL_STEP ** 2 if name == "zoom_in" else 1 / WHEEL_STEP ** 2
        self._later(lambda: self.driver.zoom(factor))

    def go_to_pavilion(self, pavilion_id: str, on_arrival: Callable[[], None] | None = None
                       ) -> None:
        """Fly to the pavilion and enter it (its demo starts when the flight lands)."""
        self.visits.go_to_pavilion(pavilion_id, on_arrival)

    def _together(self, name: str) -> None:
        if self.together is not None:
            self.together.act(name)

    def join(self, join: Join) -> Together:
        """Join a shared room: the other visitors shown, this one seen (docs/presence.md)."""
        from gwangju_twin.touring.together import Together

        if self.together is None:
            self.together = Together(
                join, base=self.base, world=self.world, fonts=(self.expo.font,
                                                                    self.expo.bold_font),
                infos=self.infos, driver=self.driver, presence=self.presence,
                selection=self.selection, pointer=self.pointer, screen=self.screen,
                guide=self.guide, catalogue=self.cat, later=self._later, host=self.expo.host)
        return self.together

    def leave(self) -> None:
        """Leave the pavilion the visitor is in (its demo exits)."""
        self.visits.leave()

    def set_language(self, language: str) -> None:
        """Show the interface in ``language`` ("ko" or "en"), remembered per user."""
        self.preferences.set_language(language)

    def toggle_menu(self) -> None:
        """Show or hide the pavilion menu."""
        self.screen.toggle_menu()

    def toggle_help(self) -> None:
        """Show or hide the controls overlay."""
        self.screen.toggle_help()

    def toggle_tour(self) -> None:
        """Start the guided tour, or end it when it runs."""
        self.guide.toggle()

    def cycle_mode(self) -> None:
        """Orbit → fly → walk → orbit."""
        mode = self.driver.cycle_mode()
        self.screen.toolbar.set_camera_mode(mode)
        self.screen.say("toast.mode", mode=self.cat.text(f"camera.{mode.value}", self.language))

    def home(self) -> None:
        """Fly back to the start view."""
        self.driver.fly_to(self.start_pose)

    def check_area_sunlight(self) -> None:
        """Arm the area sunlight check: the next left drag on the ground draws a box, whose
        buildings' winter-solstice sunlight is then checked (pressed again: cancel)."""
        if self.gestures.area_armed:
            self.gestures.disarm_area()
            self.screen.say("toast.sunlight_cancelled")
            return

        def done(box: tuple[float, float, float, float]) -> None:
            if not self.selection.show_area_sunlight(box):
                self.screen.say("toast.sunlight_none")
            else:
                self.visits.hide_expo_panel()

        self.gestures.arm_area(done)
        self.screen.say("toast.sunlight_area", seconds=6.0)

    def close_top(self) -> None:
        """Escape: cancel an armed area box, else close the topmost open thing (search,
        help, menu, info panel)."""
        if self.gestures.area_armed:
            self.gestures.disarm_area()
            self.screen.say("toast.sunlight_cancelled")
            return
        if not self.screen.close_card() and self.selection.open:
            self.selection.close()

    # -- every frame ------------------------------------------------------------------------

    def _frame(self, task: Any) -> Any:
        dt = min(ClockObject.get_global_clock().get_dt(), 0.25)
        self._later.run()
        self.selection.poll()  # a sunlight check finished in the background
        driver = self.driver
        at = self.pointer.position()
        if self.screen.search.focused:
            driver.release_all()
        was_flying = driver.flying
        moved = driver.update(dt, at)
        if moved and not was_flying:
            self.guide.visitor_steered()
        self.gestures.hover(at, moved, dt)
        if not driver.flying:
            self.visits.follow_presence()
        self.guide.tick(dt)
        # The marker is where the visitor is (the orbit target, or the eye in fly and walk):
        # the same point a click on the map moves, so clicking the marker moves nothing.
        visitor, _ = driver.visitor()
        self.screen.update(dt, visitor, driver.eye.heading, driver.mode)
        return task.cont

    # -- kiosk ------------------------------------------------------------------------------

    def show_interface(self, shown: bool) -> None:
        """Show or hide every widget (the kiosk's attract reel hides them all)."""
        self.screen.shown = shown
        if not shown:
            self.selection.close()
            self.selection.hover_at(None)
            self.screen.hide_cards()
            self.visits.hide_expo_panel()
        self.screen.show_bars(shown, minimap=shown and self.settings.minimap)
        if shown:
            self.visits.show_expo_panel()

    def reset(self, language: str, reload_plugins: bool = True) -> None:
        """Start afresh for the next visitor: the tour ends, every panel, menu and overlay
        closes, the visitor leaves any pavilion, every plugin is unloaded and loaded anew,
        the camera goes back to the start view in orbit mode, the map to its first zoom, the
        scene's clock to the moment it started at (paused) and the interface to
        ``language``. ``reload_plugins`` False leaves the plugins loaded (a booth that has
        just started has nothing to clear)."""
        self.guide.reset()
        self._later.clear()
        self.screen.reset()
        self.selection.close()
        self.selection.hover_at(None)
        self.gestures.forget()
        self.gestures.disarm_area()
        self.visits.reset(reload_plugins)
        self.driver.reset(self.start_pose)
        self.clock.pause()
        self.clock.set(self._clock_start)
        self.preferences.reset()
        if language != self.language:
            self.set_language(language)
        self.toast.hide()

    def close(self) -> None:
        """Remove the interface (the stage closes)."""
        self.base.task_mgr.remove("touring")
        if self.together is not None:
            self.together.close()
        self.selection.close()
        self.selection.sunlight_job.close()
        self.screen.destroy()
