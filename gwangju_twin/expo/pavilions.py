"""The expo as data: pavilion shapes and infos from placed sites, and which plugin goes where.

Pure: no window. The composition root (app.py) turns this into nodes and a plugin host.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from gwangju_twin.errors import InputError
from gwangju_twin.identifiers import PLUGIN_ID
from gwangju_twin.mesh.pavilion import PavilionShape, build_pavilion
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.plugins.discovery import FoundPlugin, PluginStatus, found_in_folder
from gwangju_twin.plugins.manifest import MANIFEST_NAME
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.framing import fit_box
from gwangju_twin.scene.pavilions import PavilionSite, PavilionSpec
from gwangju_twin.scene.sectors import sector

log = logging.getLogger("gwangju_twin.app")

#: The "pavilions" view looks from across the road to the north into the U of pavilions
#: around the plaza, whose entrances all face the plaza.
PAVILIONS_VIEW_HEADING = 200.0
PAVILIONS_VIEW_PITCH = 50.0


@dataclass(frozen=True)
class Pavilion:
    """A pavilion ready to draw: its info (as plugins see it) and its mesh."""

    info: PavilionInfo
    shape: PavilionShape
    site: PavilionSite


def pavilion_feature_id(k: int) -> int:
    """The feature id carried by pavilion ``k``'s vertices: negative, so it never collides
    with a district row (row ids are 0..n-1)."""
    return -(k + 1)


def pavilion_index(feature: int) -> int:
    """The pavilion ``k`` whose feature id is ``feature`` (the inverse of
    ``pavilion_feature_id``; negative for a district row)."""
    return -feature - 1


def build_pavilions(sites: Sequence[PavilionSite],
                    plugins: dict[str, str | None] | None = None) -> tuple[Pavilion, ...]:
    """Meshes and infos for ``sites``; ``plugins`` overrides which plugin id each gets."""
    out = []
    for k, site in enumerate(sites):
        spec = site.spec
        shape = build_pavilion(spec.sector, site.center, spec.heading, spec.size,
                               pavilion_feature_id(k))
        sec = sector(spec.sector)
        plugin = _plugin_of(site, plugins)
        info = PavilionInfo(
            id=spec.id, sector=spec.sector, name_ko=sec.name_ko, name_en=sec.name_en,
            position=site.center, heading=spec.heading, size=spec.size,
            entrance=(float(shape.entrance[0]), float(shape.entrance[1])),
            height=float(shape.height), plugin=plugin,
        )
        out.append(Pavilion(info, shape, site))
    return tuple(out)


def plugin_in_folder(path_text: str) -> FoundPlugin:
    """The plugin in folder ``path_text``: a plugin folder, its pavilion.toml, or a plugin
    project holding exactly one plugin folder in ``src/*/`` or ``*/`` (as ``plugins check``
    takes it). InputError when there is none, or more than one."""
    path = Path(path_text).expanduser()
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
    raise InputError(f"{path}: no such folder")


def names_a_folder(plugin: str) -> bool:
    """Whether ``--plugin`` text names a folder rather than a plugin id: anything that is
    not an id (``./robot-arm``, ``src/robot_arm``, ``~/demo``) is a path."""
    return PLUGIN_ID.fullmatch(plugin) is None


def with_plugin_option(plugin: str | None, found: Sequence[FoundPlugin]
                       ) -> tuple[str | None, tuple[FoundPlugin, ...]]:
    """``--plugin`` as an id: a folder's plugin joins ``found`` ahead of every other (an
    installed plugin of the same id steps aside as a duplicate for this run). Returns the
    plugin id and the plugins found."""
    if plugin is None or not names_a_folder(plugin):
        return plugin, tuple(found)
    given = plugin_in_folder(plugin)
    if given.manifest is None:
        raise InputError(f"--plugin {plugin}: its manifest is unusable: {given.reason}")
    others = tuple(
        replace(f, status=PluginStatus.DUPLICATE,
                reason=f"id {f.id!r} is taken by the --plugin folder {given.source}")
        if f.id == given.id and f.ok else f
        for f in found)
    return given.id, (given, *others)


def plugin_overrides(pavilions: Sequence[PavilionSite], enter: str | None,
                     plugin: str | None, found: Sequence[FoundPlugin]
                     ) -> dict[str, str | None]:
    """``--plugin ID``: put that plugin into the pavilion ``enter`` names, or else into the
    scene's pavilion of the plugin's sector."""
    if plugin is None:
        return {}
    match = next((f for f in found if f.id == plugin), None)
    if match is None:
        known = ", ".join(sorted({f.id for f in found})) or "none"
        folder = (f"; for the folder {plugin}, write ./{plugin}"
                  if Path(plugin, MANIFEST_NAME).is_file() else "")
        raise InputError(f"--plugin {plugin}: no plugin with that id was found (found: {known}; "
                         f"see gwangju-twin plugins list{folder})")
    if match.manifest is None:
        raise InputError(f"--plugin {plugin}: its manifest is unusable: {match.reason}")
    if enter is not None:
        site = next((s for s in pavilions if s.id == enter), None)
        if site is not None and site.spec.sector != match.manifest.sector:
            raise InputError(f"--plugin {plugin} is for the {match.manifest.sector} sector, but "
                             f"--enter {enter} is the {site.spec.sector} pavilion")
        return {enter: plugin}
    for site in pavilions:
        if site.spec.sector == match.manifest.sector:
            return {site.id: plugin}
    raise InputError(f"--plugin {plugin}: the scene has no {match.manifest.sector} pavilion")


def assigned_pavilion(pavilions: Sequence[tuple[str, str]], pavilion_id: str,
                      sector_id: str) -> str | None:
    """The pavilion an assignment lands on in a scene whose pavilions are ``pavilions``
    ((id, sector) pairs): ``pavilion_id`` if the scene has it, or for "" (an assignment
    without ``--pavilion``) the scene's first pavilion of the plugin's ``sector_id``; None
    when the scene has no such pavilion."""
    return next((pid for pid, sector_of in pavilions
                 if (pid == pavilion_id if pavilion_id else sector_of == sector_id)), None)


def assigned_overrides(pavilions: Sequence[PavilionSite | PavilionSpec],
                       assign: Mapping[str, str],
                       found: Sequence[FoundPlugin]) -> dict[str, str | None]:
    """``plugins assign`` (per-user settings) or a kiosk's ``[plugins] assign``: which pavilion
    each assigned plugin runs in, {pavilion id: plugin id}.

    ``assign`` maps a plugin id to a pavilion id, "" meaning the scene's pavilion of the
    plugin's sector. An assignment this scene cannot honour (the plugin is not found or
    unusable, no such pavilion) is logged and skipped: a setting never stops the viewer.
    A plugin given a pavilion of another sector is put there, and the host says why it
    cannot run, as for a scene file that does the same.
    """
    by_id = {f.id: f for f in found if f.ok}
    placed = [(p.id, _spec(p).sector) for p in pavilions]
    out: dict[str, str | None] = {}
    for plugin_id, pavilion_id in assign.items():
        match = by_id.get(plugin_id)
        if match is None or match.manifest is None:
            log.warning("plugin %s is assigned to a pavilion but is not installed or not "
                        "usable (see gwangju-twin plugins list)", plugin_id)
            continue
        sector_id = match.manifest.sector
        site = assigned_pavilion(placed, pavilion_id, sector_id)
        if site is None:
            where = f"pavilion {pavilion_id}" if pavilion_id else f"{sector_id} pavilion"
            log.warning("plugin %s is assigned to the %s, which this scene does not have",
                        plugin_id, where)
            continue
        if site in out:
            log.warning("pavilion %s is assigned both %s and %s; %s runs there", site,
                        out[site], plugin_id, plugin_id)
        out[site] = plugin_id
    return out


@dataclass(frozen=True)
class Placement:
    """A pavilion's plugin as the viewer resolves it (``plugin_placements``)."""

    pavilion: str
    plugin: str
    assigned: bool  # put there by an assignment, over the scene's choice
    refused: str  # why the viewer will not run it there; "" when it runs


def plugin_placements(pavilions: Sequence[PavilionSpec], assign: Mapping[str, str],
                      found: Sequence[FoundPlugin]) -> list[Placement]:
    """Which plugin each pavilion of a scene gets and whether it runs, for ``plugins list``:
    the resolution ``prepare`` makes (assignments over the scene's choice, through
    ``assigned_overrides``) and the test the host makes before loading (a usable plugin of
    the pavilion's sector, ``Manifest.refuses``). Pavilions without a plugin are left out."""
    overrides = assigned_overrides(pavilions, assign, found)
    usable = {f.id: f for f in found if f.ok}
    out = []
    for spec in pavilions:
        plugin_id = _plugin_of(spec, overrides)
        if plugin_id is None:
            continue
        match = usable.get(plugin_id)
        if match is None or match.manifest is None:
            refused = "no usable plugin has that id"
        else:
            refused = match.manifest.refuses(spec.id, spec.sector)
        out.append(Placement(spec.id, plugin_id, spec.id in overrides, refused))
    return out


def refuse_plugins(pavilions: Sequence[PavilionSite], found: Sequence[FoundPlugin],
                   admit: Callable[[str, str], bool], overrides: dict[str, str | None]
                   ) -> dict[str, tuple[str, str]]:
    """The kiosk's allow-list: which pavilions must run without their plugin.

    ``admit(plugin_id, version)`` says whether a plugin may run. Returns, for each pavilion
    whose plugin (from the scene or ``overrides``) is refused, the plugin id and why; a
    refused pavilion shows its sector's panel as a pavilion without a plugin does.
    """
    versions = {f.id: f.manifest.version for f in found if f.manifest is not None}
    refused = {}
    for site in pavilions:
        plugin_id = _plugin_of(site, overrides)
        if plugin_id is None:
            continue
        version = versions.get(plugin_id)
        if version is None:
            continue  # not installed: the host reports it as for any viewer
        if not admit(plugin_id, version):
            refused[site.id] = (plugin_id, f"plugin {plugin_id!r} {version} is not on the "
                                "kiosk's allow-list ([plugins] allow)")
    return refused


def _plugin_of(site: PavilionSite | PavilionSpec, overrides: dict[str, str | None] | None
               ) -> str | None:
    """The plugin id ``site`` gets: its override if there is one, else the scene's."""
    return (overrides or {}).get(site.id, _spec(site).plugin)


def _spec(site: PavilionSite | PavilionSpec) -> PavilionSpec:
    """The scene file's words on a pavilion: a placed site's spec, or the spec itself (what
    ``plugins list`` has, without loading the district to place the sites)."""
    # Duck-typed: anything with a ``spec`` is a site (the tests' stand-ins too).
    return cast(PavilionSpec, getattr(site, "spec", site))


def pavilion_pose(info: PavilionInfo) -> CameraPose:
    """A three-quarter view of a pavilion from in front of its entrance."""
    look = (info.heading + 180.0 + 25.0) % 360.0  # the camera faces the entrance, a bit aside
    reach = max(info.size) * 1.9 + info.height * 1.2
    return CameraPose((info.position[0], info.position[1], info.height * 0.35), look, 26.0,
                      reach)


def pavilions_pose(pavilions: Sequence[Pavilion], aspect: float) -> CameraPose:
    """A view that holds every pavilion in a picture ``aspect`` = w / h wide, looking from
    PAVILIONS_VIEW_HEADING's opposite."""
    xs = [c[0] for p in pavilions for c in p.shape.site]
    ys = [c[1] for p in pavilions for c in p.shape.site]
    top = max(p.info.height for p in pavilions)
    return fit_box((min(xs), min(ys), 0.0, max(xs), max(ys), top), PAVILIONS_VIEW_HEADING,
                   PAVILIONS_VIEW_PITCH, aspect, margin=0.12)
