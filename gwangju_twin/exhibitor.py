"""``gwangju-twin plugins``: the exhibitor SDK commands list, check and new."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from gwangju_twin.cli import SECONDS
from gwangju_twin.errors import InputError
from gwangju_twin.plugins.api import HOOKS
from gwangju_twin.plugins.discovery import (
    ENTRY_POINT_GROUP,
    FoundPlugin,
    PluginImportError,
    discover,
    found_in_folder,
    import_plugin,
)
from gwangju_twin.plugins.manifest import MANIFEST_NAME
from gwangju_twin.scene.sectors import SECTOR_IDS


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    """Add ``plugins list|check|new`` to the command line."""
    plugins = sub.add_parser("plugins", help="list, check and create pavilion plugins")
    cmds = plugins.add_subparsers(dest="plugins_command", parser_class=parser_class,
                                  required=True, metavar="{list,check,new}")
    ls = cmds.add_parser("list", help="plugins found (installed and in the scene's folder)")
    ls.add_argument("--scene", help="scene .toml whose plugins folder to search (default: "
                    "Sangmu)")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    check = cmds.add_parser("check", help="validate a plugin without starting the viewer")
    check.add_argument("path", help="plugin folder (with pavilion.toml), plugin project, or "
                       "the id of an installed plugin")
    check.add_argument("--seconds", type=SECONDS, default=2.0,
                       help="simulated seconds of the dry run (default 2)")
    new = cmds.add_parser("new", help="create a plugin package to start from")
    new.add_argument("name", help="plugin name: distribution name and id, e.g. robot-arm or "
                     "acme.robot-arm")
    new.add_argument("--sector", required=True, choices=SECTOR_IDS, metavar="ID",
                     help="sector of the pavilion: " + ", ".join(SECTOR_IDS))
    new.add_argument("--dir", type=Path, default=Path("."),
                     help="parent folder, created if missing (default .)")


def run(args: argparse.Namespace) -> int:
    """Run a ``plugins`` sub-command; returns the exit status."""
    if args.plugins_command == "list":
        return _list(args)
    if args.plugins_command == "check":
        return _check(args)
    return _new(args)


def _scene(name: str | None):
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    if name is not None and not name.lower().endswith(".toml"):
        raise InputError(f"--scene {name}: expected a scene .toml file")
    return load_scene(name or default_scene_path())


def _list(args: argparse.Namespace) -> int:
    scene = _scene(args.scene)
    found = discover(scene.plugin_folders)
    used = {p.plugin: p.id for p in scene.pavilions if p.plugin}
    rows = []
    for f in found:
        m = f.manifest
        rows.append({
            "id": f.id, "sector": m.sector if m else None, "version": m.version if m else None,
            "api_version": m.api_version if m else None, "status": f.status,
            "reason": f.reason, "origin": f.origin, "source": f.source,
            "pavilion": used.get(f.id) if f.ok else None,
            "distribution_version": f.distribution_version,
            "warning": f.version_mismatch,
        })
    missing = sorted(set(used) - {f.id for f in found if f.ok})
    if args.json:
        print(json.dumps({"scene": str(scene.path), "plugins": rows,
                          "missing": [{"plugin": m, "pavilion": used[m]} for m in missing]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"plugins for {scene.path} (entry-point group {ENTRY_POINT_GROUP}"
          + "".join(f", folder {p}" for p in scene.plugin_folders) + ")")
    if not rows:
        print("  none found")
    for r in rows:
        where = f"{r['origin']} {r['source']}"
        pav = f" -> pavilion {r['pavilion']}" if r["pavilion"] else ""
        head = f"  {r['id']:<24} {r['sector'] or '?':<15} {r['version'] or '?':<8} "
        print(f"{head}{r['status']:<11} {where}{pav}")
        if r["reason"]:
            print(f"      {r['reason']}")
        if r["warning"]:
            print(f"      warning: {r['warning']}")
    for m in missing:
        print(f"  {m:<24} missing: pavilion {used[m]} names it, but no usable plugin has "
              "that id")
    return 0


def _locate(path_text: str) -> FoundPlugin:
    path = Path(path_text)
    manifest = path if path.name == MANIFEST_NAME and path.is_file() else path / MANIFEST_NAME
    if manifest.is_file():
        return found_in_folder(manifest)
    if path.is_dir():
        inner = [*sorted(path.glob(f"src/*/{MANIFEST_NAME}")),
                 *sorted(path.glob(f"*/{MANIFEST_NAME}"))]
        if len(inner) == 1:
            return found_in_folder(inner[0])
        if len(inner) > 1:
            raise InputError(f"{path}: holds several {MANIFEST_NAME} files "
                             f"({', '.join(str(i) for i in inner)}); name one plugin folder")
        raise InputError(f"{path}: no {MANIFEST_NAME} here, in src/*/ or in */")
    if path.exists():
        raise InputError(f"{path}: expected a plugin folder or its {MANIFEST_NAME}")
    for f in discover():
        if path_text in (f.id, f.name, f.package):
            return f
    raise InputError(f"{path_text}: no such folder, and no installed plugin has that id "
                     "(see gwangju-twin plugins list)")


def _check(args: argparse.Namespace) -> int:
    found = _locate(args.path)
    print(f"checking plugin {found.id} ({found.origin} {found.source})")
    failed = 0
    for passed, what, details in _verdicts(found, args.seconds):
        print(f"  {'ok  ' if passed else 'FAIL'} {what}")
        if details:
            print("       " + details.replace("\n", "\n       "))
        failed += not passed
    if failed:
        print(f"gwangju-twin: error: plugin {found.id} failed {failed} check(s)",
              file=sys.stderr)
        return 2
    print(f"plugin {found.id} passed every check")
    return 0


def _verdicts(found: FoundPlugin, seconds: float) -> Iterator[tuple[bool, str, str]]:
    """Each check in turn as (passed, what, details); a failure ends the checks, since
    every check needs the ones before it."""
    from gwangju_twin.app import exercise_plugin
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    m = found.manifest
    if m is None:
        yield False, f"manifest: {found.reason}", ""
        return
    yield True, f"manifest {m.path}: id {m.id}, sector {m.sector}, version {m.version}", ""
    if found.status == "unsupported":
        yield False, f"api_version {m.api_version}: {found.reason}", ""
        return
    yield True, f"api_version {m.api_version}", ""
    if not found.ok:
        yield False, f"entry {m.entry}: {found.reason}", ""
        return
    yield True, f"entry {m.entry}", ""
    try:
        instance = import_plugin(found)
    except PluginImportError as exc:
        yield False, f"import: {exc}", ""
        return
    hooks = [h for h in HOOKS if callable(getattr(instance, h, None))]
    yield True, f"import {m.module}, {type(instance).__name__}() with hooks {', '.join(hooks)}", ""
    # The host logs a failure with its traceback; here the report prints it.
    host_log = logging.getLogger("gwangju_twin.plugins")
    host_log.disabled = True
    try:
        result = exercise_plugin(found, load_scene(default_scene_path()), seconds)
    finally:
        host_log.disabled = False
    where = f"dry run in pavilion {result.pavilion}"
    if result.state == "disabled":
        yield False, f"{where}: {result.errors[0]}", "\n".join(result.errors[1:])
    else:
        yield True, (f"{where}: load, enter, {result.frames} updates, exit, unload; "
                     f"{result.nodes} nodes, {len(result.panel_en) - 1} panel lines"), ""


def _new(args: argparse.Namespace) -> int:
    from gwangju_twin.plugins.scaffold import scaffold

    root = scaffold(args.name, args.sector, args.dir)
    print(f"created {root} (a {args.sector} pavilion plugin)")
    print("next:")
    # The test extra brings pytest, which the scaffold's own tests need.
    print(f"  cd {root} && pip install -e \".[test]\"    # its entry point, and pytest")
    print("  gwangju-twin plugins check .     # manifest, import, hooks, dry run")
    print(f"  gwangju-twin render --enter {args.sector} --plugin {args.name} --out demo.png")
    print("  pytest                           # the plugin's own tests")
    return 0
