"""``gwangju-twin view`` (the default), ``render`` and ``inspect``."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwangju_twin.app.commands.options import (
    SECONDS,
    SNAPSHOT,
    check_out,
    daylight_options,
    display_available,
    expo_options,
    load_source,
    moment,
    presence_join,
    presence_options,
    size,
    source_options,
    tile_options,
    verbose_option,
)
from gwangju_twin.errors import InputError
from gwangju_twin.sun.clock import SEOUL
from gwangju_twin.terminal import json_text

if TYPE_CHECKING:
    from gwangju_twin.expo.prepared import Prepared
    from gwangju_twin.scene import Scene


def add_parsers(sub: Any) -> None:
    """Add ``view``, ``render`` and ``inspect`` to the command line's sub-commands."""
    view = sub.add_parser("view", help="open the viewer (the default command)")
    view.add_argument("source", nargs="?", help="scene .toml or GeoJSON (default: Sangmu)")
    source_options(view)
    tile_options(view)
    view.add_argument("--size", type=size, default=(1280, 720), help="window size WxH")
    view.add_argument("--out", type=Path, default=Path(SNAPSHOT),
                      help=f"snapshot written when there is no display (default {SNAPSHOT})")

    for p in (view,):
        expo_options(p)
        daylight_options(p, picture=False)
        verbose_option(p)
    presence_options(view)

    render = sub.add_parser("render", help="render a scene offscreen to a PNG")
    render.add_argument("source", nargs="?", help="scene .toml or GeoJSON (default: Sangmu)")
    render.add_argument("--out", type=Path, required=True, help="PNG file to write")
    render.add_argument("--size", type=size, default=(1280, 720), help="image size WxH")
    source_options(render)
    tile_options(render)
    expo_options(render)
    daylight_options(render, picture=True)
    verbose_option(render)
    render.add_argument("--seconds", type=SECONDS, default=3.0,
                        help="with --enter: seconds of demo time before the picture (default 3)")
    render.add_argument("--ui", action="store_true",
                        help="draw the desktop interface (toolbar, minimap, panels) too")
    render.add_argument("--language", choices=("ko", "en"), default="ko",
                        help="with --ui: the interface language (default ko)")

    inspect = sub.add_parser("inspect", help="print the load report of a GeoJSON file")
    inspect.add_argument("source", help="GeoJSON file (or a scene .toml: its district)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    source_options(inspect)
    tile_options(inspect)


def _snapshot(prepared: Prepared, args: argparse.Namespace, time: datetime | None = None,
              **options: Any) -> list[dict[str, Any]]:
    """``render_png`` at ``time`` (default: --time, else the fixed picture moment) with what
    can go wrong writing the picture (a full disk, a folder that vanished) as one line
    naming the file."""
    from gwangju_twin.app.programs import render_png

    try:
        return render_png(prepared, args.out, args.size, args.view, args.enter,
                          time=time or moment(args.time, args.tz), quality=args.quality,
                          **options)
    except OSError as exc:
        raise InputError(f"--out {args.out}: {exc}; check the disk has room and the folder "
                         "can be written") from None


def _assigned() -> dict[str, str]:
    """The plugins this user assigned to pavilions (``plugins assign``; per-user settings)."""
    from gwangju_twin.settings import load_settings

    return load_settings().settings.assign


def run_render(args: argparse.Namespace) -> int:
    """``gwangju-twin render``: the picture, then the plugins' status.

    A plugin that crashes the process natively (a segfault in its code or a library it
    calls) cannot be caught, nor the process carry on; Python's crash report then names
    where each thread was, the plugin's file, line and hook among them, instead of a
    silent exit (docs/plugins.md, "Native crashes"). The crash is not remembered: the next
    render runs the same plugins again, so a picture stays reproducible."""
    import faulthandler

    if not faulthandler.is_enabled():
        faulthandler.enable(all_threads=False)
    return _render(args)


def _render(args: argparse.Namespace) -> int:
    """The render itself."""
    from gwangju_twin.expo.prepared import prepare

    check_out(args.out)
    moment(args.time, args.tz)  # a bad --time fails before the scene is read
    scene = load_source(args.source, args)
    refuse_unsupported_plugin(args.plugin, scene)
    prepared = prepare(scene, args.enter, args.plugin, assign=_assigned())
    prepared.pose(args.view, args.size[0] / args.size[1])  # a bad --view fails before rendering
    status = _snapshot(prepared, args, seconds=args.seconds, ui=args.ui,
                       language=args.language)
    if prepared.tiles is None:
        draws = len(prepared.mesh.shown(prepared.scene.layers))  # the layers the scene shows
        drawn = f"{draws} draw calls"
    else:  # the tiles drawn depend on the view; the merged batches hold none of the city
        drawn = f"from its tile cache {prepared.tiles.cache.folder}"
    print(f"wrote {args.out} ({args.size[0]}x{args.size[1]}, {prepared.report.loaded} features, "
          f"{len(prepared.pavilions)} pavilions, {drawn})")
    for row in status:
        inside = ", visitor inside" if row["inside"] else ""
        why = f": {row['reason']}" if row["reason"] else ""
        if row["throttle"] > 1:
            why += (f" (update throttled to every {row['throttle']} frames after "
                    f"{row['overruns']} overruns of its frame budget)")
        print(f"  pavilion {row['pavilion']}: plugin {row['plugin']} {row['state']}"
              f"{inside}{why}")
    return 0


def refuse_unsupported_plugin(plugin: str | None, scene: Scene) -> None:
    """``--plugin`` names a plugin to run: one written for a plugin API this gwangju-twin
    does not run is an InputError (one line, exit 2) naming it, its version and the
    supported ones, as a bad manifest given the same way is, rather than a pavilion quietly
    without its demo. Installed plugins the scene or an assignment brings are still only
    disabled, with a warning: a broken exhibitor plugin must not stop the viewer."""
    if plugin is None:
        return
    from gwangju_twin.expo.pavilions import names_a_folder, plugin_in_folder
    from gwangju_twin.plugins.discovery import FoundPlugin, PluginStatus, discover

    found: FoundPlugin | None
    if names_a_folder(plugin):
        found = plugin_in_folder(plugin)
    else:
        # The first of that id, as prepare's --plugin takes it (expo.pavilions).
        found = next((f for f in discover(scene.plugin_folders) if f.id == plugin), None)
    if found is None or found.manifest is None or found.status != PluginStatus.UNSUPPORTED:
        return  # prepare says what else is wrong, as before
    raise InputError(f"--plugin {plugin}: plugin {found.id} ({found.manifest.path}) is "
                     f"{found.reason}")


def run_view(args: argparse.Namespace) -> int:
    """``gwangju-twin view``: the window, or a snapshot where there is no display."""
    from gwangju_twin.app.programs import run_viewer
    from gwangju_twin.app.stage import NoWindowError
    from gwangju_twin.expo.prepared import Loading, prepare
    from gwangju_twin.plugins.guard import desktop_record_folder, resume_after_crash
    from gwangju_twin.settings import load_settings

    settings = load_settings()
    join = presence_join(args, settings.settings.join, str(settings.path))
    when = moment(args.time, args.tz)
    scene = load_source(args.source, args)
    refuse_unsupported_plugin(args.plugin, scene)  # before a window opens
    # The viewer shows now unless told otherwise (a picture shows a fixed moment).
    when = when or scene.time or datetime.now(SEOUL).replace(microsecond=0)
    # A plugin the last viewer died in (segfault, abort) stays off this time, and says why.
    resume_after_crash(desktop_record_folder())
    ok, why = display_available()
    if ok:
        # The window opens first and shows a loading screen while the scene loads.
        try:
            run_viewer(Loading(scene, args.enter, args.plugin, assign=_assigned()), args.size,
                       args.view, args.enter, join=join, time=when,
                       quality=args.quality)
            return 0
        except NoWindowError:  # a window that cannot open is a missing display, not a bug
            why = f"no window could be opened on DISPLAY={os.environ.get('DISPLAY', '')}"
    prepared = prepare(scene, args.enter, args.plugin, assign=_assigned())
    prepared.pose(args.view, args.size[0] / args.size[1])
    check_out(args.out)
    _snapshot(prepared, args, time=when)
    print(f"gwangju-twin: no display ({why}); wrote a snapshot of {prepared.scene.name} "
          f"to {args.out} instead")
    return 0


def run_inspect(args: argparse.Namespace) -> int:
    """``gwangju-twin inspect``: the load report, as text or JSON."""
    from gwangju_twin.expo.prepared import load_district
    from gwangju_twin.geo.report import building_summary, format_report
    from gwangju_twin.scene.pavilions import place_pavilions

    # A scene file is reported on as the viewer loads its district, pavilion sites cleared.
    scene = load_source(args.source, args)
    district, report = load_district(scene)
    place_pavilions(district, report, scene.pavilions, scene.path or scene.source)
    buildings = building_summary(district)
    if args.json:
        print(json_text(json.dumps(report.as_dict() | buildings, ensure_ascii=False, indent=2)))
    else:
        print(format_report(report, buildings))
    return 0
