"""The visitor's interface preferences: help, HUD, language, mouse handling, screenshots,
and saving them to the per-user settings file.

A mixin of ``Touring`` (gwangju_twin.touring.session): the attributes it uses are set up
there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from panda3d.core import ClockObject

from gwangju_twin.render.drawcalls import count_draw_calls
from gwangju_twin.render.snapshot import write_png
from gwangju_twin.settings import SENSITIVITY_RANGE, Settings, save_settings, screenshot_path

log = logging.getLogger("gwangju_twin.touring")
SENSITIVITY_STEP = 1.25


class Preferences:
    """Toggles and settings of the interface, remembered per user."""

    settings: Settings
    base: Any
    search: Any
    close_search: Callable[[], None]

    # -- interface and settings -------------------------------------------------------------

    def toggle_help(self) -> None:
        """Show or hide the controls overlay."""
        self.help.toggle()
        if self.help.visible and self.search.visible:
            # Both cards want the top centre; the help is what the visitor asked for last.
            self.close_search()
        self.toolbar.set_active("help", self.help.visible)

    def toggle_hud(self) -> None:
        """Show or hide the FPS and draw-call overlay."""
        self.hud.toggle()
        if self.hud.visible:
            self._update_hud()
        self._save(self.settings.with_(hud=self.hud.visible))

    def toggle_language(self) -> None:
        """Switch every interface text between Korean and English."""
        self.set_language("en" if self.language == "ko" else "ko")

    def set_language(self, language: str) -> None:
        """Show the interface in ``language`` ("ko" or "en")."""
        self.language = language
        for widget in self.widgets:
            widget.set_language(language)
        self.selection.set_language(language)
        self.expo.set_language(language)
        self.toast.show(self.cat.text("toast.language", language))
        self._save(self.settings.with_(language=language))

    def change_sensitivity(self, factor: float) -> None:
        """Mouse sensitivity up (factor > 1) or down, remembered per user."""
        lo, hi = SENSITIVITY_RANGE
        value = round(min(max(self.settings.mouse_sensitivity * factor, lo), hi), 2)
        self._save(self.settings.with_(mouse_sensitivity=value))
        self.driver.set_handling(value, self.settings.invert_y)
        self.toast.show(self.cat.text("toast.sensitivity", self.language, value=f"{value:g}"))

    def toggle_invert_y(self) -> None:
        """Invert the mouse's up and down, remembered per user."""
        on = not self.settings.invert_y
        self._save(self.settings.with_(invert_y=on))
        self.driver.set_handling(self.settings.mouse_sensitivity, on)
        self.toast.show(self.cat.text("toast.invert_on" if on else "toast.invert_off",
                                      self.language))

    def _save(self, settings: Settings) -> None:
        self.settings = settings
        if not self.persist:
            return
        try:
            save_settings(settings, self.settings_path)
        except OSError as exc:
            log.warning("cannot save settings: %s", exc)
            self.toast.show(self.cat.text("toast.settings_unsaved", self.language,
                                          reason=exc.strerror or str(exc)))

    def screenshot(self) -> Path | None:
        """Save what the window shows as a timestamped PNG; returns its path."""
        try:
            path = screenshot_path(self.settings, datetime.now())
            path.parent.mkdir(parents=True, exist_ok=True)
            write_png(self.base.win, path)
        except OSError as exc:
            self.toast.show(self.cat.text("toast.screenshot_failed", self.language,
                                          reason=str(exc)))
            return None
        log.info("screenshot saved to %s", path)
        self.toast.show(self.cat.text("toast.screenshot", self.language, path=str(path)))
        return path

    def _update_hud(self) -> None:
        clock = ClockObject.get_global_clock()
        fps = clock.get_average_frame_rate()
        ms = 1000.0 / fps if fps > 0 else 0.0
        draws = count_draw_calls(self.base.render, self.base.cam, self.base.render2d)
        mode = self.cat.text(f"camera.{self.driver.mode}", self.language)
        self.hud.update(fps, ms, draws, mode)
