"""The programs that build a stage: render a picture, the desktop viewer, the kiosk booth's
child, and a plugin's dry run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwangju_twin.app.stage import (
    Interface,
    NoWindowError,
    Stage,
    StageOptions,
    load_stage,
)
from gwangju_twin.errors import InputError
from gwangju_twin.expo.pavilions import build_pavilions
from gwangju_twin.expo.prepared import Loading, Prepared, prepare
from gwangju_twin.plugins.discovery import FoundPlugin
from gwangju_twin.plugins.host import SlotState
from gwangju_twin.scene import Scene, without_plugins
from gwangju_twin.settings import QualityChoice, SettingsLoad

if TYPE_CHECKING:
    from gwangju_twin.kiosk.config import KioskConfig
    from gwangju_twin.presence.client import Join
    from gwangju_twin.render.config import WindowType


def render_png(prepared: Prepared, out: Path, size: tuple[int, int], view: str = "start",
               enter: str | None = None, seconds: float = 0.0, ui: bool = False,
               language: str = "ko", time: datetime | None = None,
               quality: QualityChoice | None = None) -> list[dict[str, Any]]:
    """Render the scene offscreen (no display needed) to ``out``; returns the plugins' status
    (``PluginHost.status``) as it was when the picture was taken.

    ``enter`` starts the visitor inside that pavilion and runs its demo for ``seconds`` of
    simulated time before the picture is taken. ``ui`` draws the desktop interface in
    ``language`` with default settings (the user's own settings file is not read, so the
    picture is the same for everyone). ``time`` is the scene's moment (default: the stage's
    ``sun.default_moment`` at the district), ``quality`` the lighting preset (default: "auto").
    """
    options = StageOptions(view, enter, Interface.DESKTOP if ui else Interface.NONE,
                           SettingsLoad.shared(language) if ui else None, persist=False,
                           time=time, quality=quality)
    stage = Stage(prepared, "offscreen", size, options)
    try:
        stage.step(seconds)
        if ui:
            for _ in range(3):  # the interface lays itself out in its frame task
                stage.base.task_mgr.step()
            stage.follow_camera()  # the sky and haze, where the interface put the camera
        stage.screenshot(out)
        return stage.expo.host.status()
    finally:
        stage.close()


def _open_stage(source: Prepared | Loading, window_type: WindowType, size: tuple[int, int],
                options: StageOptions) -> Stage:
    """The stage of ``source``: behind a loading screen when it still has to be loaded."""
    if isinstance(source, Loading):
        return load_stage(source, window_type, size, options)
    opened = Stage(source, window_type, size, options)
    if opened.base.win is None:
        opened.close()
        raise NoWindowError("no window could be opened")
    return opened


def run_viewer(source: Prepared | Loading, size: tuple[int, int], view: str = "start",
               enter: str | None = None, join: Join | None = None,
               time: datetime | None = None,
               quality: QualityChoice | None = None) -> None:
    """Open the interactive viewer and run until the window closes or Ctrl+Q.

    Given a ``Loading``, the window opens first and shows the loading screen while the
    scene loads. Every control is listed in ``gwangju_twin.controls`` and in the F1 help
    overlay. ``join`` shares a room with other visitors (docs/presence.md). ``time`` is
    the scene's moment at start; ``quality`` the lighting preset (default: the user's
    settings). Raises NoWindowError when no window can be opened.
    """
    from gwangju_twin.plugins.storage import desktop_storage_folder
    from gwangju_twin.settings import load_settings

    stage = _open_stage(source, "onscreen", size,
                        StageOptions(view, enter, Interface.DESKTOP, load_settings(),
                                     storage_folder=desktop_storage_folder(), join=join,
                                     time=time, quality=quality))
    stage.run_tasks()
    try:
        stage.base.run()
    finally:
        stage.close()


def kiosk_stage(prepared: Prepared, config: KioskConfig, window_type: WindowType) -> Stage:
    """The kiosk booth's stage: the touring interface in kiosk mode at ``config.size``.

    The booth's visitors share one set of defaults in ``config.language``; nobody's settings
    file is read, and nothing a visitor changes is saved.
    """
    return Stage(prepared, window_type, config.size, kiosk_options(config))


def kiosk_options(config: KioskConfig) -> StageOptions:
    """The stage options of a kiosk booth run with ``config``: plugins keep their stores
    in the kiosk's data folder, beside its visit database."""
    from gwangju_twin.plugins.storage import STORAGE_SUBFOLDER

    return StageOptions(interface=Interface.KIOSK,
                        settings=SettingsLoad.shared(config.language), persist=False,
                        fullscreen=config.fullscreen,
                        storage_folder=config.database.parent / STORAGE_SUBFOLDER,
                        join=kiosk_join(config), quality=config.quality)


def kiosk_join(config: KioskConfig) -> Join | None:
    """The shared room of a booth's ``[presence]`` table, or None."""
    if config.join is None:
        return None
    from gwangju_twin.presence.client import Join, parse_join_url
    from gwangju_twin.presence.messages import Role

    url = parse_join_url(config.join, f"{config.path}: [presence] join")
    return Join(url, config.room_token, Role.GUIDE if config.guide else Role.VISITOR)


def run_kiosk(source: Prepared | Loading, config: KioskConfig,
              window_type: WindowType = "onscreen",
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

    stage = _open_stage(source, window_type, config.size, kiosk_options(config))
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
    state: SlotState  # UNLOADED after a clean run, DISABLED after a failure
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
    stage = Stage(prepared, "none", (640, 360))
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
    errors = [f"{slot.hook}: {slot.reason}"] if slot.state == SlotState.DISABLED else []
    if slot.error:
        errors.append(slot.error)
    return LifecycleResult(found.id, site.id, slot.state, errors, panel_ko, panel_en, frames,
                           nodes)
