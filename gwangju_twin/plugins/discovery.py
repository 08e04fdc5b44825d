"""Finding plugins: installed packages (entry points) and drop-in folders.

Listing reads manifests only; plugin code is imported later, by ``import_plugin``, and only
for plugins that passed every check (the npe2 pattern: a kiosk can refuse a broken plugin
before any of its code runs).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from gwangju_twin.modes import Mode
from gwangju_twin.plugins.api import HOOKS
from gwangju_twin.plugins.manifest import (
    MANIFEST_NAME,
    SUPPORTED_API_VERSIONS,
    Manifest,
    ManifestError,
    read_manifest,
)

#: The entry-point group installed plugins register under; the value names the package that
#: holds pavilion.toml and the file: ``"my_demo:pavilion.toml"``.
ENTRY_POINT_GROUP = "gwangju_twin.pavilions"
#: What plugin code may raise and the host contains: anything but Ctrl-C (SystemExit too).
PLUGIN_FAULTS = (Exception, SystemExit)
#: Where drop-in plugin modules are imported under (one sub-package per plugin).
DROPIN_PACKAGE = "gwangju_twin_dropins"


class PluginStatus(Mode):
    """Whether a plugin found by discovery may run, and if not, what kind of problem it has."""

    OK = "ok"
    ERROR = "error"  # no usable manifest or module
    UNSUPPORTED = "unsupported"  # written for a plugin API this host does not run
    DUPLICATE = "duplicate"  # its id is already taken by a plugin found before it


class PluginOrigin(Mode):
    """Where discovery found a plugin."""

    ENTRY_POINT = "entry point"  # an installed distribution's entry point
    FOLDER = "folder"  # a drop-in folder
    SCENE = "scene"  # only named by the scene: found nowhere (always an error)


@dataclass(frozen=True)
class FoundPlugin:
    """A plugin found by discovery, usable or not.

    ``status`` is a ``PluginStatus``; ``reason`` says why when it is not ``OK``. ``origin``
    is a ``PluginOrigin``; ``source`` names
    the distribution or folder it came from. ``package`` is the importable package holding
    the manifest (entry points) or None (drop-in folders).
    """

    name: str
    origin: PluginOrigin
    source: str
    status: PluginStatus
    reason: str = ""
    manifest: Manifest | None = None
    package: str | None = None
    #: The version of the installed distribution that holds this plugin and no other
    #: (None for drop-in folders and for distributions of several plugins): the manifest's
    #: ``version`` should repeat it.
    distribution_version: str | None = None

    @property
    def version_mismatch(self) -> str:
        """Why the manifest's version and the installed distribution's differ ("" when they
        agree or there is no distribution)."""
        if self.manifest is None or self.distribution_version is None:
            return ""
        if self.manifest.version == self.distribution_version:
            return ""
        return (f"version {self.manifest.version} in {MANIFEST_NAME} differs from the "
                f"installed distribution's {self.distribution_version} ({self.source}); "
                "give both the same version")

    @property
    def ok(self) -> bool:
        """True when the plugin may be imported and run."""
        return self.status == PluginStatus.OK

    @property
    def id(self) -> str:
        """The manifest id, or the entry-point/folder name when the manifest is unusable."""
        return self.manifest.id if self.manifest is not None else self.name


def discover(
    folders: Sequence[Path] = (),
    entry_points: Iterable[metadata.EntryPoint] | None = None,
) -> list[FoundPlugin]:
    """Every plugin installed (entry points) or dropped into ``folders``, manifests read.

    Entry points come first (sorted by name), then folders (sorted by folder name). When
    two plugins share an id, the first keeps it and the later one is marked "duplicate".
    """
    if entry_points is None:
        entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    found = [from_entry_point(ep) for ep in sorted(entry_points, key=lambda e: e.name)]
    for folder in folders:
        found += scan_folder(Path(folder))
    seen: dict[str, FoundPlugin] = {}
    out = []
    for plugin in found:
        if plugin.manifest is not None and plugin.ok:
            first = seen.get(plugin.id)
            if first is not None:
                plugin = replace(
                    plugin, status=PluginStatus.DUPLICATE,
                    reason=f"id {plugin.id!r} is already taken by the plugin from {first.source}",
                )
            else:
                seen[plugin.id] = plugin
        out.append(plugin)
    return out


def from_entry_point(ep: metadata.EntryPoint) -> FoundPlugin:
    """Read the manifest an entry point names, without importing the plugin's package."""
    dist = getattr(ep, "dist", None)
    source = f"{dist.metadata['Name']} {dist.version}" if dist is not None else ep.value
    module, _, resource = ep.value.partition(":")
    resource = resource.strip() or MANIFEST_NAME
    folder = package_folder(module.strip())
    if folder is None:
        return FoundPlugin(ep.name, PluginOrigin.ENTRY_POINT, source, PluginStatus.ERROR,
                           f"package {module.strip()!r} named by entry point {ep.name!r} "
                           "is not installed")
    found = found_plugin(ep.name, PluginOrigin.ENTRY_POINT, source, folder / resource,
                         module.strip())
    # A distribution that is one plugin releases it under one version, which the manifest
    # should repeat; one that ships several plugins (gwangju-twin's own demos) versions them
    # apart from itself.
    if dist is not None and len(dist.entry_points.select(group=ENTRY_POINT_GROUP)) == 1:
        return replace(found, distribution_version=dist.version)
    return found


def scan_folder(folder: Path) -> list[FoundPlugin]:
    """Drop-in plugins: every sub-folder of ``folder`` that holds a pavilion.toml."""
    if not folder.is_dir():
        return [FoundPlugin(folder.name, PluginOrigin.FOLDER, str(folder), PluginStatus.ERROR,
                            f"plugins folder {folder} does not exist")]
    try:
        subs = sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError as exc:
        return [FoundPlugin(folder.name, PluginOrigin.FOLDER, str(folder), PluginStatus.ERROR,
                            f"cannot list plugins folder {folder} ({exc.strerror})")]
    out = []
    for sub in subs:
        if (sub / MANIFEST_NAME).is_file():
            out.append(found_in_folder(sub / MANIFEST_NAME))
        elif not sub.name.startswith((".", "_")):
            out.append(FoundPlugin(sub.name, PluginOrigin.FOLDER, str(sub), PluginStatus.ERROR,
                                   f"no {MANIFEST_NAME} in {sub}"))
    return out


def found_in_folder(folder: Path) -> FoundPlugin:
    """A plugin folder (holding pavilion.toml; a path to that file means its folder) as
    discovery would find it in a plugins folder."""
    folder = folder.parent if folder.name == MANIFEST_NAME else folder
    return found_plugin(folder.name, PluginOrigin.FOLDER, str(folder), folder / MANIFEST_NAME, None)


def found_plugin(name: str, origin: PluginOrigin, source: str, manifest_path: Path,
                 package: str | None) -> FoundPlugin:
    """Check the plugin whose manifest is ``manifest_path`` as discovery does (no import)."""
    try:
        manifest = read_manifest(manifest_path)
    except ManifestError as exc:
        return FoundPlugin(name, origin, source, PluginStatus.ERROR, str(exc), None, package)
    except Exception as exc:
        # read_manifest turns every problem it knows into a ManifestError; anything else
        # must still stay this plugin's error, never end the listing or the viewer.
        return FoundPlugin(name, origin, source, PluginStatus.ERROR,
                           f"{manifest_path}: cannot read the manifest "
                           f"({type(exc).__name__}: {exc})", None, package)
    if not manifest.supported:
        supported = ", ".join(str(v) for v in SUPPORTED_API_VERSIONS)
        return FoundPlugin(
            name, origin, source, PluginStatus.UNSUPPORTED,
            f"written for plugin API {manifest.api_version}; this gwangju-twin runs API "
            f"{supported} (update gwangju-twin or ask the exhibitor for a matching release)",
            manifest, package)
    if origin == PluginOrigin.ENTRY_POINT and name != manifest.id:
        return FoundPlugin(name, origin, source, PluginStatus.ERROR,
                           f"entry point is named {name!r} but {manifest_path} says id "
                           f"{manifest.id!r}; make them the same", manifest, package)
    module_file = _module_file(manifest.folder, manifest.module)
    if module_file is None:
        return FoundPlugin(name, origin, source, PluginStatus.ERROR,
                           f"{manifest_path}: 'entry' names module {manifest.module!r}, but "
                           f"there is no {manifest.module.replace('.', '/')}.py in "
                           f"{manifest.folder}", manifest, package)
    return FoundPlugin(name, origin, source, PluginStatus.OK, "", manifest, package)


def package_folder(dotted: str) -> Path | None:
    """The folder of package ``dotted`` found without running any of its code."""
    top, *rest = dotted.split(".")
    try:
        spec = importlib.util.find_spec(top)  # a top-level find_spec imports nothing
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location).joinpath(*rest)
        if folder.is_dir():
            return folder
    return None


def _module_file(folder: Path, module: str) -> Path | None:
    base = folder.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


class PluginImportError(Exception):
    """Importing or instantiating a plugin failed; the message says how."""


def import_plugin(found: FoundPlugin) -> Any:
    """Import a found plugin's entry module and return a new instance of its entry.

    Raises PluginImportError (with the original exception chained) on any failure: a missing
    module, an exception at import time, a missing attribute, or hooks that are not callable.
    """
    manifest = found.manifest
    if manifest is None or not found.ok:
        raise PluginImportError(f"plugin {found.id!r} is not usable: {found.reason}")
    if found.package is not None:
        module_name = f"{found.package}.{manifest.module}"
    else:
        module_name = f"{_dropin_package(manifest)}.{manifest.module}"
    try:
        module = importlib.import_module(module_name)
    except PLUGIN_FAULTS as exc:
        raise PluginImportError(
            f"importing {manifest.module!r} of plugin {manifest.id!r} failed: "
            f"{type(exc).__name__}: {exc}") from exc
    target: Any = module
    for part in manifest.attribute.split("."):
        if not hasattr(target, part):
            raise PluginImportError(
                f"plugin {manifest.id!r}: module {manifest.module!r} has no {manifest.attribute!r} "
                f"(its manifest's 'entry')")
        target = getattr(target, part)
    if not callable(target):
        raise PluginImportError(f"plugin {manifest.id!r}: {manifest.entry!r} is not callable")
    try:
        instance = target()
    except PLUGIN_FAULTS as exc:
        raise PluginImportError(
            f"plugin {manifest.id!r}: creating {manifest.entry!r} failed: "
            f"{type(exc).__name__}: {exc}") from exc
    bad = [h for h in HOOKS if hasattr(instance, h) and not callable(getattr(instance, h))]
    if bad:
        raise PluginImportError(f"plugin {manifest.id!r}: {', '.join(bad)} must be methods")
    if not any(hasattr(instance, h) for h in HOOKS):
        raise PluginImportError(
            f"plugin {manifest.id!r}: {manifest.entry!r} has none of the hooks "
            f"{', '.join(HOOKS)} (subclass gwangju_twin.plugins.PavilionDemo)")
    return instance


def _dropin_package(manifest: Manifest) -> str:
    """Register a package for a drop-in folder, so its modules import each other normally
    (``from . import helpers``) without clashing with another plugin's module names."""
    if DROPIN_PACKAGE not in sys.modules:
        root = types.ModuleType(DROPIN_PACKAGE)
        root.__path__ = []
        sys.modules[DROPIN_PACKAGE] = root
    # The folder's path is part of the name: two folders may hold plugins with the same
    # module names (or, when one is refused as a duplicate, the same id).
    digest = hashlib.sha1(str(manifest.folder).encode("utf-8")).hexdigest()[:10]
    name = f"{DROPIN_PACKAGE}.{re.sub(r'[^0-9a-zA-Z_]', '_', manifest.id)}_{digest}"
    if name not in sys.modules:
        init = manifest.folder / "__init__.py"
        if not init.is_file():
            module = types.ModuleType(name)
            module.__path__ = [str(manifest.folder)]
            module.__package__ = name
            sys.modules[name] = module
            return name
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(manifest.folder)]
        )
        if spec is None or spec.loader is None:  # pragma: no cover - unloadable location
            raise PluginImportError(f"cannot import from {manifest.folder}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except PLUGIN_FAULTS as exc:
            del sys.modules[name]
            raise PluginImportError(
                f"importing the package of plugin {manifest.id!r} failed: "
                f"{type(exc).__name__}: {exc}") from exc
    return name
