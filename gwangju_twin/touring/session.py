"""A visitor touring the city on a desktop: the composition of camera, picking, menus,
tour, minimap, search, language, HUD, screenshots and settings.

``Touring`` is given a running ShowBase by the composition root (it never makes one), binds
the events of ``gwangju_twin.controls.CONTROLS`` and runs one task per frame. Decisions live
in the pure rooms (navigation, picking, guide, infocards, settings); this wires them to
widgets and to the expo floor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from panda3d.core import ClockObject

from gwangju_twin.controls import control
from gwangju_twin.guide import Gazetteer, GuidedTour, Presence
from gwangju_twin.mesh.topdown import draw_topdown
from gwangju_twin.navigation import Limits, Obstacles
from gwangju_twin.picking import PickIndex
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.sectors import sector
from gwangju_twin.scene.tour import sector_stops
from gwangju_twin.settings import (
    Settings,
    SettingsLoad,
)
from gwangju_twin.touring.camera import WHEEL_STEP, CameraDriver
from gwangju_twin.touring.pointer import Pointer
from gwangju_twin.touring.preferences import SENSITIVITY_STEP, Preferences
from gwangju_twin.touring.selection import Selection
from gwangju_twin.touring.visiting import Visiting
from gwangju_twin.ui.catalogue import Catalogue, load_catalogue
from gwangju_twin.ui.help import HelpOverlay
from gwangju_twin.ui.hud import Hud
from gwangju_twin.ui.menu import MenuEntry, PavilionMenu
from gwangju_twin.ui.minimap import ZOOMS, Minimap
from gwangju_twin.ui.searchbox import SearchBox, types_text
from gwangju_twin.ui.toast import Toast
from gwangju_twin.ui.toolbar import NAMES as TOOLBAR
from gwangju_twin.ui.toolbar import Toolbar
from gwangju_twin.ui.tourbar import TourBar
from gwangju_twin.ui.zoompad import ZoomPad

log = logging.getLogger("gwangju_twin.touring")

#: A press and release closer than this (normalised window units) is a click, not a drag.
CLICK_SLOP = 0.012
HUD_PERIOD = 0.5
#: Hover picks at most this often: a highlight that follows the pointer at 20 Hz looks
#: immediate, and a fast software-rendered frame then never pays for a pick.
HOVER_PERIOD = 0.05
#: The minimap picture's side: sharp at the 4x zoom, drawn once in some 40 ms.
MAP_PIXELS = 512
#: The kiosk's toolbar: only what a single tap can use (no typing, no keyboard camera modes).
KIOSK_TOOLBAR = ("menu", "tour", "map", "language", "home")
#: Toolbar buttons whose control (gwangju_twin.controls) goes by another name.
TOOLBAR_CONTROLS = {"map": "minimap", "camera": "camera_mode"}


class Touring(Visiting, Preferences):
    """The desktop visitor's interface on top of a stage (``gwangju_twin.app.stage.Stage``)."""

    def __init__(self, stage: Any, settings: SettingsLoad | None = None,
                 catalogue: Catalogue | None = None, persist: bool = True,
                 kiosk: bool = False) -> None:
        base, prepared = stage.base, stage.prepared
        self.base, self.prepared = base, prepared
        self.expo = stage.expo
        self.cat = catalogue or load_catalogue()
        self.persist = persist
        #: Kiosk mode: touch only (no keyboard bindings, a tap-sized zoom pad, no search).
        self.kiosk = kiosk
        #: False while the kiosk's attract reel owns the screen: no toasts, no widgets.
        self.interface_shown = True
        self.settings_path: Path | None = settings.path if settings else None
        self.settings: Settings = settings.settings if settings else Settings()
        self._first_settings = self.settings  # what a kiosk reset goes back to
        self.language = self.settings.language
        self.start_pose: CameraPose = stage.pose
        mesh, district = prepared.mesh, prepared.district
        self.infos = [p.info for p in prepared.pavilions]
        self.info_of = {i.id: i for i in self.infos}
        self.order = list(prepared.scene.tour) or [i.id for i in self.infos]

        limits = Limits.for_district(mesh.bounds, mesh.max_height, stage.pose.position)
        cores = [p.shape.core for p in prepared.pavilions]
        self.driver = CameraDriver(
            base.camera, stage.pose, limits, lambda: Obstacles.of_district(district, cores),
            self.settings.mouse_sensitivity, self.settings.invert_y, base.camLens)
        self.pointer = Pointer(base.mouseWatcherNode)
        index = PickIndex.build([*mesh.batches, *(p.shape.batch for p in prepared.pavilions)])
        fonts = (self.expo.font, self.expo.bold_font)
        self.selection = Selection(
            stage.world, base.cam, base.aspect2d, fonts, index, district,
            prepared.scene.level_height, prepared.pavilions, prepared.found, self.cat,
            self.language)
        self.selection.on_enter = self.go_to_pavilion
        self.selection.on_leave = self.leave
        self.selection.inside = lambda: self.expo.inside
        self.selection.on_closed = self._panel_closed
        self.selection.later = self._later
        self.gazetteer = Gazetteer.build(district, self.infos)
        scene = prepared.scene
        # A scene without a narrated tour still gets one, told by the sector descriptions.
        self.tour = GuidedTour(scene.tour_stops or sector_stops(scene.pavilions, self.order))
        self.presence = Presence(self.infos)
        self._build_widgets(fonts)
        self._pending: list[Callable[[], None]] = []
        self._press_at: tuple[float, float] | None = None
        self._press_button: str | None = None
        self._hovered_at: tuple[float, float] | None = None
        self._hover_clock = HOVER_PERIOD
        self._hud_clock = 0.0
        self._tourbar_left: float | None = None  # seconds until "tour over" is hidden
        self.problems = list(settings.problems) if settings else []
        for problem in self.problems:
            log.warning("%s", problem)
            self.toast.show(self.cat.text("toast.settings_problem", self.language,
                                          problem=problem), 6.0)
        self.expo.set_language(self.language)
        self._bind()
        base.task_mgr.add(self._frame, "touring", sort=30)

    # -- construction -----------------------------------------------------------------------

    def _build_widgets(self, fonts: tuple[Any, Any]) -> None:
        base, cat, lang, font = self.base, self.cat, self.language, fonts[0]
        self.toolbar = Toolbar(base.a2dTopLeft, font, cat, lang, self._toolbar,
                               names=KIOSK_TOOLBAR if self.kiosk else TOOLBAR)
        self.zoompad = ZoomPad(base.a2dBottomRight, font, cat, lang,
                               self._zoom_button) if self.kiosk else None
        self.toolbar.set_camera_mode(self.driver.mode)
        entries = [MenuEntry(i.id, i.name_ko, i.name_en, sector(i.sector).color,
                             bool(i.plugin), "" if self.kiosk else self._pavilion_key(i.id))
                   for i in self._ordered_infos()]
        self.menu = PavilionMenu(base.a2dTopLeft, font, cat, lang, entries, self._menu_choice)
        self.search = SearchBox(base.a2dTopCenter, font, cat, lang, self.gazetteer.search,
                                self.go_to_place)
        self.tourbar = TourBar(base.a2dBottomCenter, font, cat, lang, self._tour_button)
        self.toast = Toast(base.a2dBottomCenter, font)
        self.hud = Hud(base.a2dBottomRight, font, cat, lang)
        self.help = HelpOverlay(base.aspect2d, font, cat, lang)
        image, self.map_frame = draw_topdown(
            self.prepared.district,
            [(p.shape.site, sector(p.info.sector).color) for p in self.prepared.pavilions],
            size=MAP_PIXELS)
        self.minimap = Minimap(
            base.a2dBottomLeft, image, self.map_frame,
            [(i.position, sector(i.sector).color) for i in self.infos], self.teleport,
            font=font, catalogue=cat, language=lang)
        if not self.settings.minimap:
            self.minimap.hide()
        if self.settings.hud:
            self.hud.show()
        self.toolbar.set_active("map", self.minimap.visible)

    @property
    def widgets(self) -> tuple[Any, ...]:
        """The interface's widgets that speak a language (the toast only repeats text)."""
        widgets = (self.toolbar, self.menu, self.search, self.tourbar, self.hud, self.help,
                   self.minimap)
        return widgets if self.zoompad is None else (*widgets, self.zoompad)

    def _pavilion_key(self, pavilion_id: str) -> str:
        """The number key that enters ``pavilion_id`` (its place in the tour order, as
        ``_bind`` binds them), or "" when it has none."""
        keys = control("pavilion_keys").events
        n = self.order.index(pavilion_id) + 1 if pavilion_id in self.order else len(keys)
        return keys[n] if n < len(keys) else ""

    def _ordered_infos(self) -> list[Any]:
        return [self.info_of[i] for i in self.order] + [
            i for i in self.infos if i.id not in self.order]

    def _bind(self) -> None:
        for prefix in ("", "shift-"):
            self._accept(prefix + "mouse1", self._press, "mouse1")
            self._accept(prefix + "mouse3", self._press, "mouse3")
            self._accept(prefix + "wheel_up", self._wheel, WHEEL_STEP)
            self._accept(prefix + "wheel_down", self._wheel, 1 / WHEEL_STEP)
        self.base.accept("mouse1-up", self._release, ["mouse1"])
        self.base.accept("mouse3-up", self._release, ["mouse3"])
        if self.kiosk:
            return  # a booth has a touch screen: no key may do anything (Esc, Ctrl+Q...)
        for name, act in self._actions().items():
            for event in control(name).events:
                self._accept(event, act)
        lower, higher = control("sensitivity").events
        self._accept(lower, self.change_sensitivity, 1 / SENSITIVITY_STEP)
        self._accept(higher, self.change_sensitivity, SENSITIVITY_STEP)
        for n, event in enumerate(control("pavilion_keys").events):
            if n == 0:
                self._accept(event, self.leave)
            elif n <= len(self.order):
                self._accept(event, self.go_to_pavilion, self.order[n - 1])
        for key in (*control("move").events, *control("fly_updown").events):
            for prefix in ("", "shift-"):
                self._accept(prefix + key, self.driver.press, key)
                self.base.accept(prefix + key + "-up", self.driver.release, [key])
        self.base.accept("shift", self._fast, [True])
        self.base.accept("shift-up", self._fast, [False])

    def _actions(self) -> dict[str, Callable[..., None]]:
        """What each control that takes no argument does, by control name."""
        return {
            "camera_mode": self.cycle_mode, "home": self.home, "menu": self.toggle_menu,
            "tour": self.toggle_tour, "tour_pause": self.pause_tour, "tour_skip": self.skip_tour,
            "minimap": self.toggle_minimap, "search": self.toggle_search,
            "language": self.toggle_language, "hud": self.toggle_hud,
            "screenshot": self.screenshot, "invert_y": self.toggle_invert_y,
            "help": self.toggle_help, "close": self.close_top, "quit": self.base.userExit,
        }

    def _accept(self, event: str, act: Callable[..., None], *args: Any) -> None:
        # While the search box has the keys, typing must not also fly the camera; Esc, the
        # function keys and Ctrl combinations still work (the field does not use them).
        def handler() -> None:
            if self.search.focused and types_text(event):
                return
            act(*args)

        self.base.accept(event, handler)

    # -- every frame ------------------------------------------------------------------------

    def _frame(self, task: Any) -> Any:
        dt = min(ClockObject.get_global_clock().get_dt(), 0.25)
        pending, self._pending = self._pending, []
        for action in pending:
            action()
        at = self.pointer.position()
        if self.search.focused:
            self.driver.release_all()
        was_flying = self.driver.flying
        moved = self.driver.update(dt, at)
        if moved and not was_flying and self.tour.running and not self.tour.paused:
            self.pause_tour()  # the visitor took the controls
        self._hover_clock += dt
        self._hover(at, moved)
        if not self.driver.flying:
            self._follow_presence()
        for event in self.tour.tick(dt):
            self._tour_event(event)
        # The marker is where the visitor is (the orbit target, or the eye in fly and walk):
        # the same point a click on the map moves, so clicking the marker moves nothing.
        (vx, vy), _ = self.driver.visitor()
        self.minimap.set_visitor(vx, vy, self.driver.eye.heading)
        self.toolbar.follow_window()
        self.toast.update(dt)
        if self._tourbar_left is not None:
            self._tourbar_left -= dt
            if self._tourbar_left <= 0:
                self._tourbar_left = None
                if not self.tour.running:
                    self.tourbar.hide()
        self._hud_clock += dt
        if self.hud.visible and self._hud_clock >= HUD_PERIOD:
            self._hud_clock = 0.0
            self._update_hud()
        return task.cont

    def _later(self, action: Callable[[], None]) -> None:
        self._pending.append(action)

    def _hover(self, at: tuple[float, float] | None, moved: bool) -> None:
        if self.driver.drag is not None or self.driver.flying or not self.interface_shown:
            return
        if at is not None and self.pointer.over_interface():
            at = None
        # A pick costs a fraction of a millisecond, but a still pointer over a still city
        # needs none at all.
        if (at == self._hovered_at and not moved) or self._hover_clock < HOVER_PERIOD:
            return
        self._hover_clock = 0.0
        self._hovered_at = at
        self.selection.hover_at(at)

    def _follow_presence(self) -> None:
        point, range_m = self.driver.visitor()
        left, entered = self.presence.update(point, range_m)
        if left is not None and self.expo.inside == left:
            self._exit_pavilion()
        if entered is not None and self.expo.inside != entered:
            self._enter_pavilion(entered)

    # -- pointer ----------------------------------------------------------------------------

    def _press(self, button: str) -> None:
        at = self.pointer.position()
        if at is None or self.pointer.over_interface():
            return
        self._press_at, self._press_button = at, button
        self.driver.start_drag("rotate" if button == "mouse1" else "pan", at)

    def _release(self, button: str) -> None:
        self.driver.end_drag()
        at, start = self.pointer.position(), self._press_at
        self._press_at = None
        if button != "mouse1" or self._press_button != "mouse1" or at is None or start is None:
            return
        if abs(at[0] - start[0]) + abs(at[1] - start[1]) <= CLICK_SLOP:
            self.click(at)

    def _wheel(self, factor: float) -> None:
        # Towards the point under the pointer, as map viewers zoom; over a panel or the map
        # the city under it is hidden, so towards the view's centre.
        at = None if self.pointer.over_interface() else self.pointer.position()
        self.driver.zoom(factor, at)

    def click(self, at: tuple[float, float]) -> None:
        """A click at window point ``at``: select what is there (or close the panel)."""
        if self.menu.visible:
            self.menu.hide()
        hit = self.selection.select_at(at)
        if hit is not None:
            self._hide_expo_panel()

    # -- camera -----------------------------------------------------------------------------

    def cycle_mode(self) -> None:
        """Orbit → fly → walk → orbit."""
        mode = self.driver.cycle_mode()
        self.toolbar.set_camera_mode(mode)
        name = self.cat.text(f"camera.{mode}", self.language)
        self.toast.show(self.cat.text("toast.mode", self.language, mode=name))

    def home(self) -> None:
        """Fly back to the start view."""
        self.driver.fly_to(self.start_pose)

    def _fast(self, on: bool) -> None:
        self.driver.fast = on

    def close_top(self) -> None:
        """Escape: close the topmost open thing (search, help, menu, info panel)."""
        if self.search.visible:
            self.close_search()
        elif self.help.visible:
            self.toggle_help()
        elif self.menu.visible:
            self.toggle_menu()
        elif self.selection.open:
            self.selection.close()

    def _toolbar(self, name: str) -> None:
        self._later(self._actions()[TOOLBAR_CONTROLS.get(name, name)])

    def _zoom_button(self, name: str) -> None:
        factor = WHEEL_STEP ** 2 if name == "zoom_in" else 1 / WHEEL_STEP ** 2
        self._later(lambda: self.driver.zoom(factor))

    # -- kiosk ------------------------------------------------------------------------------

    def show_interface(self, shown: bool) -> None:
        """Show or hide every widget (the kiosk's attract reel hides them all)."""
        self.interface_shown = shown
        if not shown:
            self.selection.close()
            self.selection.hover_at(None)
            for widget in (self.menu, self.search, self.help, self.toast, self.tourbar):
                widget.hide()
            self._hide_expo_panel()
        for widget, on in ((self.toolbar, shown), (self.zoompad, shown),
                           (self.minimap, shown and self.settings.minimap)):
            if widget is not None:
                (widget.show if on else widget.hide)()
        if shown:
            self._panel_closed()

    def reset(self, language: str, reload_plugins: bool = True) -> None:
        """Start afresh for the next visitor: the tour ends, every panel, menu and overlay
        closes, the visitor leaves any pavilion, every plugin is unloaded and loaded anew,
        the camera goes back to the start view in orbit mode, the map to its first zoom and
        the interface to ``language``. ``reload_plugins`` False leaves the plugins loaded
        (a booth that has just started has nothing to clear)."""
        if self.tour.running:
            self.tour.stop()
        self._tourbar_left = None
        self._pending.clear()
        self.close_search()
        for widget in (self.menu, self.help, self.tourbar, self.toast):
            widget.hide()
        for name in ("menu", "tour", "help", "search"):
            if name in self.toolbar.buttons:
                self.toolbar.set_active(name, False)
        self.selection.close()
        self.selection.hover_at(None)
        self._hovered_at = None
        self.presence.release()
        self.menu.set_current(None)
        if reload_plugins:
            self.expo.reload()
        else:
            self.expo.exit()
        driver = self.driver
        driver.cancel_flight()
        driver.release_all()
        driver.set_mode("orbit")
        driver.rig.set_pose(self.start_pose)
        driver.apply()
        self.settings = self._first_settings
        self.minimap.step_zoom(-len(ZOOMS))
        (self.minimap.show if self.settings.minimap else self.minimap.hide)()
        self.toolbar.set_active("map", self.minimap.visible)
        if language != self.language:
            self.set_language(language)
        self.toast.hide()

    def close(self) -> None:
        """Remove the interface (the stage closes)."""
        self.base.task_mgr.remove("touring")
        self.selection.close()
        for widget in self.widgets:
            widget.destroy()
