"""The visitor's preferences: language, HUD, minimap, mouse handling and screenshots, and
saving them to the per-user settings file."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gwangju_twin.render.snapshot import write_png
from gwangju_twin.settings import (
    SENSITIVITY_RANGE,
    Settings,
    SettingsLoad,
    save_settings,
    screenshot_path,
)
from gwangju_twin.touring.camera import CameraDriver
from gwangju_twin.touring.screen import Screen
from gwangju_twin.touring.selection import Selection
from gwangju_twin.touring.stageview import Floor

if TYPE_CHECKING:
    from direct.showbase.ShowBase import ShowBase

log = logging.getLogger("gwangju_twin.touring")


class Preferences:
    """The settings the visitor changes through ``screen``, remembered per user.

    ``loaded`` is the settings file as read (None: the defaults, never saved anywhere);
    ``persist`` False keeps every change in memory. A change of language reaches the
    widgets, ``selection``'s panel and the ``expo`` floor's labels; mouse handling reaches
    ``driver``; screenshots are taken of ``base``'s window.
    """

    def __init__(self, loaded: SettingsLoad | None, persist: bool, screen: Screen,
                 driver: CameraDriver, selection: Selection, expo: Floor,
                 base: ShowBase) -> None:
        self.path: Path | None = loaded.path if loaded else None
        self.settings: Settings = loaded.settings if loaded else Settings()
        #: What a kiosk reset goes back to.
        self.first = self.settings
        #: What was wrong with the settings file (each was replaced by its default).
        self.problems = list(loaded.problems) if loaded else []
        self.persist = persist
        self._screen = screen
        self._driver = driver
        self._selection = selection
        self._expo = expo
        self._base = base

    def report_problems(self) -> None:
        """Log and toast what was wrong with the settings file."""
        for problem in self.problems:
            log.warning("%s", problem)
            self._screen.say("toast.settings_problem", 6.0, problem=problem)

    # -- interface --------------------------------------------------------------------------

    def toggle_language(self) -> None:
        """Switch every interface text between Korean and English."""
        self.set_language("en" if self._screen.language == "ko" else "ko")

    def set_language(self, language: str) -> None:
        """Show the interface in ``language`` ("ko" or "en")."""
        self._screen.set_language(language)
        self._selection.set_language(language)
        self._expo.set_language(language)
        self._screen.say("toast.language")
        self._save(self.settings.with_(language=language))

    def toggle_hud(self) -> None:
        """Show or hide the FPS and draw-call overlay."""
        hud = self._screen.hud
        hud.toggle()
        if hud.visible:
            self._screen.update_hud(self._driver.mode)
        self._save(self.settings.with_(hud=hud.visible))

    def toggle_minimap(self) -> None:
        """Show or hide the minimap, remembered per user."""
        self._save(self.settings.with_(minimap=self._screen.toggle_map()))

    # -- mouse ------------------------------------------------------------------------------

    def change_sensitivity(self, factor: float) -> None:
        """Mouse sensitivity up (factor > 1) or down, remembered per user."""
        lo, hi = SENSITIVITY_RANGE
        value = round(min(max(self.settings.mouse_sensitivity * factor, lo), hi), 2)
        self._save(self.settings.with_(mouse_sensitivity=value))
        self._driver.set_handling(value, self.settings.invert_y)
        self._screen.say("toast.sensitivity", value=f"{value:g}")

    def toggle_invert_y(self) -> None:
        """Invert the mouse's up and down, remembered per user."""
        on = not self.settings.invert_y
        self._save(self.settings.with_(invert_y=on))
        self._driver.set_handling(self.settings.mouse_sensitivity, on)
        self._screen.say("toast.invert_on" if on else "toast.invert_off")

    # -- files ------------------------------------------------------------------------------

    def screenshot(self) -> Path | None:
        """Save what the window shows as a timestamped PNG; returns its path."""
        try:
            path = screenshot_path(self.settings, datetime.now())
            path.parent.mkdir(parents=True, exist_ok=True)
            write_png(self._base.win, path)
        except OSError as exc:
            self._screen.say("toast.screenshot_failed", reason=str(exc))
            return None
        log.info("screenshot saved to %s", path)
        self._screen.say("toast.screenshot", path=str(path))
        return path

    def reset(self) -> None:
        """Back to the settings the session started with (a kiosk's next visitor), the
        minimap too."""
        self.settings = self.first
        self._screen.reset_map(self.settings.minimap)

    def _save(self, settings: Settings) -> None:
        self.settings = settings
        if not self.persist:
            return
        try:
            save_settings(settings, self.path)
        except OSError as exc:
            log.warning("cannot save settings: %s", exc)
            self._screen.say("toast.settings_unsaved", reason=exc.strerror or str(exc))
