"""The touring widgets on the window: toolbar, zoom pad, pavilion menu, search box, tour bar,
time bar, toast, HUD, help and minimap, the language they speak and whether they are shown.

``Screen`` builds them and keeps their small bits of shared state (which toolbar button is
lit, which card goes when another opens). What a button does is not its business: every
widget is handed the callable it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from panda3d.core import ClockObject, TextFont

from gwangju_twin.controls import CameraMode
from gwangju_twin.guide import Place
from gwangju_twin.mesh.topdown import draw_topdown
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.render.drawcalls import count_draw_calls
from gwangju_twin.scene.sectors import sector
from gwangju_twin.sun.clock import SceneClock
from gwangju_twin.touring.keys import pavilion_key
from gwangju_twin.ui.catalogue import Catalogue
from gwangju_twin.ui.help import HelpOverlay
from gwangju_twin.ui.hud import Hud
from gwangju_twin.ui.menu import MenuEntry, PavilionMenu
from gwangju_twin.ui.minimap import ZOOMS, Minimap
from gwangju_twin.ui.reserve import reserved_rects
from gwangju_twin.ui.searchbox import SearchBox
from gwangju_twin.ui.theme import GAP, MARGIN, Widget
from gwangju_twin.ui.timebar import TimeBar
from gwangju_twin.ui.toast import LIFT, Toast
from gwangju_twin.ui.toolbar import NAMES as TOOLBAR
from gwangju_twin.ui.toolbar import Toolbar
from gwangju_twin.ui.tourbar import TourBar
from gwangju_twin.ui.zoompad import ZoomPad

if TYPE_CHECKING:
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.expo.prepared import Prepared

HUD_PERIOD = 0.5
#: The minimap picture's side: sharp at the 4x zoom, drawn once in some 40 ms.
MAP_PIXELS = 512
#: The kiosk's toolbar: only what a single tap can use (no typing, no keyboard camera modes).
KIOSK_TOOLBAR = ("menu", "tour", "map", "time", "language", "home")


def menu_entries(infos: Sequence[PavilionInfo], order: Sequence[str], kiosk: bool
                 ) -> list[MenuEntry]:
    """The pavilion menu's entries: the pavilions in tour ``order`` (the rest after them),
    each with the number key that enters it (none on a kiosk, which has no keys)."""
    info_of = {i.id: i for i in infos}
    ordered = [info_of[i] for i in order] + [i for i in infos if i.id not in order]
    return [MenuEntry(i.id, i.name_ko, i.name_en, sector(i.sector).color, bool(i.plugin),
                      "" if kiosk else pavilion_key(order, i.id)) for i in ordered]


class Screen:
    """The touring interface's widgets over ``base``'s window, in ``language``.

    ``kiosk`` shows the kiosk's toolbar and the zoom pad; ``minimap`` and ``hud`` say
    whether those start shown. The callables are what the widgets do: ``on_toolbar(name)``
    and ``on_zoom(name)`` for their buttons, ``on_menu(pavilion_id)`` for a menu choice,
    ``places(query)`` and ``on_place(place)`` for the search box, ``on_tour(name)`` for the
    tour bar's buttons and ``on_map(x, y)`` for a click on the minimap. ``release_keys`` is
    called when the search box takes the keyboard. The time bar sets and plays ``clock``.
    """

    def __init__(self, base: ShowBase, font: TextFont, catalogue: Catalogue, language: str, *,
                 prepared: Prepared, entries: Sequence[MenuEntry], camera_mode: CameraMode,
                 kiosk: bool, minimap: bool, hud: bool,
                 on_toolbar: Callable[[str], None], on_zoom: Callable[[str], None],
                 on_menu: Callable[[str], None], places: Callable[[str], list[Place]],
                 on_place: Callable[[Place], None], on_tour: Callable[[str], None],
                 on_map: Callable[[float, float], None],
                 release_keys: Callable[[], None], clock: SceneClock) -> None:
        self._base = base
        self.cat = catalogue
        self.language = language
        #: False while the kiosk's attract reel owns the screen: no toasts, no widgets.
        self.shown = True
        self._release_keys = release_keys
        self._hud_clock = 0.0
        cat, lang = catalogue, language
        self.toolbar = Toolbar(base.a2dTopLeft, font, cat, lang, on_toolbar,
                               names=KIOSK_TOOLBAR if kiosk else TOOLBAR)
        self.zoompad = ZoomPad(base.a2dBottomRight, font, cat, lang,
                               on_zoom) if kiosk else None
        self.toolbar.set_camera_mode(camera_mode)
        self.menu = PavilionMenu(base.a2dTopLeft, font, cat, lang, entries, on_menu)
        self.search = SearchBox(base.a2dTopCenter, font, cat, lang, places, on_place)
        self.tourbar = TourBar(base.a2dBottomCenter, font, cat, lang, on_tour)
        self.timebar = TimeBar(base.a2dBottomCenter, font, cat, clock, lang, touch=kiosk)
        self.toast = Toast(base.a2dBottomCenter, font)
        self.hud = Hud(base.a2dBottomRight, font, cat, lang)
        self.help = HelpOverlay(base.aspect2d, font, cat, lang)
        image, self.map_frame = draw_topdown(
            prepared.district,
            [(p.shape.site, sector(p.info.sector).color) for p in prepared.pavilions],
            size=MAP_PIXELS)
        self.minimap = Minimap(
            base.a2dBottomLeft, image, self.map_frame,
            [(p.info.position, sector(p.info.sector).color) for p in prepared.pavilions],
            on_map, font=font, catalogue=cat, language=lang)
        if not minimap:
            self.minimap.hide()
        if hud:
            self.hud.show()
        self.toolbar.set_active("map", self.minimap.visible)

    @property
    def widgets(self) -> tuple[Widget, ...]:
        """The interface's widgets that speak a language (the toast only repeats text)."""
        widgets: tuple[Widget, ...] = (self.toolbar, self.menu, self.search, self.tourbar,
                                       self.timebar, self.hud, self.help, self.minimap)
        return widgets if self.zoompad is None else (*widgets, self.zoompad)

    def say(self, key: str, seconds: float = 3.0, **values: Any) -> None:
        """Toast catalogue text ``key`` in the interface's language."""
        self.toast.show(self.cat.text(key, self.language, **values), seconds)

    def set_language(self, language: str) -> None:
        """Every widget's text in ``language``."""
        self.language = language
        for widget in self.widgets:
            widget.set_language(language)

    # -- cards that open and close ----------------------------------------------------------

    def toggle_menu(self) -> None:
        """Show or hide the pavilion menu."""
        self.menu.toggle()
        self.toolbar.set_active("menu", self.menu.visible)

    def toggle_help(self) -> None:
        """Show or hide the controls overlay."""
        self.help.toggle()
        if self.help.visible and self.search.visible:
            # Both cards want the top centre; the help is what the visitor asked for last.
            self.close_search()
        self.toolbar.set_active("help", self.help.visible)

    def toggle_time(self) -> None:
        """Show or hide the time bar."""
        self.timebar.toggle()
        self.toolbar.set_active("time", self.timebar.visible)
        self.stack_bottom()

    def stack_bottom(self) -> None:
        """Stack the bottom centre: the tour bar on the margin, the time bar above it when
        both are shown, the toast above whatever is there."""
        top = MARGIN + self.tourbar.height + GAP if self.tourbar.visible else MARGIN
        self.timebar.set_lift(top)
        if self.timebar.visible:
            self.timebar.keep_clear()
            top = self.timebar.top + GAP
        self.toast.set_lift(max(LIFT, top))

    def open_search(self) -> None:
        """Open the search box (it takes the keyboard until closed)."""
        self._release_keys()
        self.search.open()
        self.mark_search()

    def close_search(self) -> None:
        """Close the search box and give the keyboard back to the viewer."""
        self.search.close()
        self.mark_search()

    def toggle_search(self) -> None:
        """The search key or toolbar button: open the box, or close it when open."""
        if self.search.visible:
            self.close_search()
        else:
            self.open_search()

    def mark_search(self) -> None:
        """Light the search button while the box is open (the kiosk's toolbar has none)."""
        if "search" in self.toolbar.buttons:
            self.toolbar.set_active("search", self.search.visible)

    def close_card(self) -> bool:
        """Escape: close the topmost open card (search, help, menu); False when none was."""
        if self.search.visible:
            self.close_search()
        elif self.help.visible:
            self.toggle_help()
        elif self.menu.visible:
            self.toggle_menu()
        elif self.timebar.visible:
            self.toggle_time()
        else:
            return False
        return True

    # -- every frame ------------------------------------------------------------------------

    def update(self, dt: float, visitor: tuple[float, float], heading: float,
               mode: CameraMode) -> None:
        """A frame of ``dt`` seconds: the map's marker at ``visitor`` looking along
        ``heading``, the toolbar fitted to the window, the toast's time, the HUD."""
        self.minimap.set_visitor(visitor[0], visitor[1], heading)
        self.toolbar.follow_window()
        if "menu" in self.toolbar.buttons:
            # However the menu closed (a number key's flight, a click in the city), its
            # button is lit only while it is open.
            self.toolbar.set_active("menu", self.menu.visible)
        self.stack_bottom()
        self.toast.update(dt)
        self._hud_clock += dt
        if self.hud.visible:
            overlay = self._base.aspect2d
            self.hud.keep_clear(reserved_rects(overlay, exclude=self.hud.node), overlay)
            if self._hud_clock >= HUD_PERIOD:
                self._hud_clock = 0.0
                self.update_hud(mode)

    def update_hud(self, mode: CameraMode) -> None:
        """Show the frame rate, the draw calls and camera ``mode`` on the HUD."""
        clock = ClockObject.get_global_clock()
        fps = clock.get_average_frame_rate()
        ms = 1000.0 / fps if fps > 0 else 0.0
        base = self._base
        draws = count_draw_calls(base.render, base.cam, base.render2d)
        self.hud.update(fps, ms, draws, self.cat.text(f"camera.{mode.value}", self.language))

    # -- the whole screen -------------------------------------------------------------------

    def hide_cards(self) -> None:
        """Hide every card and message (the attract reel takes the screen)."""
        for widget in (self.menu, self.search, self.help, self.toast, self.tourbar,
                       self.timebar):
            widget.hide()

    def show_bars(self, shown: bool, minimap: bool) -> None:
        """Show or hide the toolbar and zoom pad, and the minimap where ``minimap``."""
        for widget, on in ((self.toolbar, shown), (self.zoompad, shown),
                           (self.minimap, minimap)):
            if widget is not None:
                (widget.show if on else widget.hide)()

    def reset(self) -> None:
        """Close every card, the tour bar and the toast, and unlight their buttons."""
        self.close_search()
        for widget in (self.menu, self.help, self.tourbar, self.timebar, self.toast):
            widget.hide()
        for name in ("menu", "tour", "help", "search", "time"):
            if name in self.toolbar.buttons:
                self.toolbar.set_active(name, False)

    def reset_map(self, shown: bool) -> None:
        """The minimap back at its first zoom, shown or not."""
        self.minimap.step_zoom(-len(ZOOMS))
        (self.minimap.show if shown else self.minimap.hide)()
        self.toolbar.set_active("map", self.minimap.visible)

    def toggle_map(self) -> bool:
        """Show or hide the minimap; returns whether it is shown."""
        self.minimap.toggle()
        self.toolbar.set_active("map", self.minimap.visible)
        return self.minimap.visible

    def destroy(self) -> None:
        """Remove the widgets (the toast goes with the window)."""
        for widget in self.widgets:
            widget.destroy()
