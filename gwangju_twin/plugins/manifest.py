"""Plugin manifests (``pavilion.toml``): read and validated without importing plugin code.

A manifest says who a plugin is (id, sector, titles, version), which plugin API it was written
for, and where its code is (``entry = "module:Attribute"``, the module looked up in the folder
that holds the manifest). docs/plugins.md documents every key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwangju_twin.identifiers import PLUGIN_ID as _ID
from gwangju_twin.identifiers import PLUGIN_VERSION as _VERSION
from gwangju_twin.scene.sectors import SECTOR_IDS, SectorId
from gwangju_twin.schema import Check, CheckError, Key, Spot, Table, Wording, walk
from gwangju_twin.tomlfile import read_toml

#: The plugin API version this host implements; plugins declare the one they were written for.
#: Versions are "major.minor" text: a minor version only adds, so a host runs every earlier
#: minor version of its major one; ``api_version = 1`` in a manifest means "1.0".
API_VERSION = "1.2"
#: Every API version this host can run.
SUPPORTED_API_VERSIONS: tuple[str, ...] = ("1.0", "1.1", "1.2")
#: The file name of a manifest in a plugin folder or package.
MANIFEST_NAME = "pavilion.toml"

_ENTRY = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_API = re.compile(r"([1-9][0-9]{0,2})(?:\.([0-9]{1,3}))?")


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Manifest:
    """A validated plugin manifest.

    ``folder`` is the directory holding ``pavilion.toml``; the entry module is found there.
    """

    id: str
    sector: SectorId
    version: str
    api_version: str
    entry: str
    title_ko: str
    title_en: str
    path: Path
    description_ko: str = ""
    description_en: str = ""
    assets: str = "assets"
    author: str = ""

    @property
    def folder(self) -> Path:
        """The folder that holds the manifest and the plugin's modules."""
        return self.path.parent

    @property
    def module(self) -> str:
        """The entry module, relative to the plugin's folder (``"demo"`` in ``demo:Demo``)."""
        return self.entry.split(":", 1)[0]

    @property
    def attribute(self) -> str:
        """The entry attribute (``"Demo"`` in ``demo:Demo``): a class or a factory."""
        return self.entry.split(":", 1)[1]

    @property
    def assets_dir(self) -> Path:
        """The plugin's asset folder (it need not exist)."""
        return self.folder / self.assets

    @property
    def supported(self) -> bool:
        """Whether this host can run the plugin's ``api_version``."""
        return self.api_version in SUPPORTED_API_VERSIONS

    def refuses(self, pavilion_id: str, pavilion_sector: str) -> str:
        """Why this plugin cannot run in pavilion ``pavilion_id`` of sector
        ``pavilion_sector``, "" when it can: a plugin runs only in a pavilion of its sector."""
        if self.sector == pavilion_sector:
            return ""
        return (f"plugin {self.id!r} is for sector {self.sector!r}, but pavilion "
                f"{pavilion_id!r} is {pavilion_sector!r}")


def read_manifest(path: Path) -> Manifest:
    """Read and validate ``path`` (a ``pavilion.toml``, or a folder holding one).

    Raises ManifestError with a one-line message naming the file, the key and what was
    expected. An unsupported ``api_version`` is not an error here: see ``Manifest.supported``.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    return parse_manifest(read_toml(path, ManifestError, "plugin manifest"), path)


def parse_manifest(doc: dict[str, Any], path: Path) -> Manifest:
    """Validate a parsed manifest document (see read_manifest)."""
    v = walk(doc, MANIFEST, path, error=ManifestError)
    return Manifest(
        id=v["id"], sector=v["sector"], version=v["version"], api_version=v["api_version"],
        entry=v["entry"], title_ko=v["title"]["ko"], title_en=v["title"]["en"],
        path=path.resolve(), description_ko=v["description"]["ko"],
        description_en=v["description"]["en"], assets=v["assets"], author=v["author"],
    )


class _Says(Wording):
    """A manifest's words: ``'sector' is 5; expected a string``."""

    def expected(self, key: Key, value: Any) -> str:
        """A choice that is not text at all is first of all not a string."""
        if key.kind == "choice" and not isinstance(value, str):
            return "a string"
        return super().expected(key, value)


class _Bilingual(_Says):
    """``[title]`` and ``[description]``: ko and en, each non-empty text."""

    def missing(self, spot: Spot) -> str:
        """A missing language, as if it were an empty one."""
        return f"{spot.where} is None; expected non-empty text"

    def unknown(self, spot: Spot, table: Table, name: str, value: Any) -> str:
        """``unknown key 'title.fr'; expected ko and en``."""
        return (f"unknown key {self.where(spot.table, name)}; expected "
                + " and ".join(k.name for k in table.keys))


def _pattern(pattern: re.Pattern[str], expected: str) -> Check:
    """A check that the whole text matches ``pattern``."""
    def check(text: str, spot: Spot) -> str:
        if not pattern.fullmatch(text):
            raise CheckError(expected)
        return text

    return check


def _api_version(value: Any, spot: Spot) -> str:
    """``api_version`` as "major.minor": 1 and "1" are "1.0"; a float is refused, since
    TOML would read a later 1.10 as 1.1."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 999:
        return f"{value}.0"
    match = _API.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise CheckError('1, or "major.minor" text such as "1.1" (quoted: a number like '
                         "1.10 would read as 1.1)")
    return f"{int(match[1])}.{int(match[2] or 0)}"


def _filled(text: str, spot: Spot) -> str:
    if not text.strip():
        raise CheckError
    return text.strip()


def _assets(text: str, spot: Spot) -> str:
    # A NUL would break every later use of the path.
    if not text.isprintable() or Path(text).is_absolute() or ".." in Path(text).parts:
        raise CheckError("a folder inside the plugin")
    return text


def _languages(required: bool) -> Table:
    return Table(tuple(
        Key(lang, "str", f"in {name}", default=None if required else "", required=required,
            expected="non-empty text", check=_filled if required else lambda t, _: t.strip())
        for lang, name in (("ko", "Korean"), ("en", "English"))), wording=_Bilingual())


#: Every key of ``pavilion.toml`` (docs/plugins.md, "The manifest").
MANIFEST = Table(
    (
        Key("id", "str", "unique, 2-64 characters of a-z 0-9 . _ - (starting a-z 0-9)",
            required=True, check=_pattern(_ID, "2-64 characters of a-z, 0-9, '.', '_', '-', "
                                               'starting with a letter or digit (e.g. '
                                               '"acme.robot-arm")')),
        Key("sector", "choice", "one of the sector ids", required=True, choices=SECTOR_IDS),
        Key("version", "str", 'your release, e.g. "1.0.0"', required=True,
            check=_pattern(_VERSION, 'e.g. "1.0.0"')),
        Key("api_version", "any", 'the plugin API your code is written for: 1, or "1.1"',
            required=True, check=_api_version),
        Key("entry", "str", '"module:Attribute"; the module lives beside this file',
            required=True, check=_pattern(_ENTRY, '"module:Attribute", e.g. "demo:Demo" (the '
                                                  "module lives beside pavilion.toml)")),
        Key("title", "table", "shown as the panel's title", required=True,
            table=_languages(required=True)),
        Key("description", "table", "one line on the demo", default={},
            table=_languages(required=False)),
        Key("assets", "str", "your asset folder", default="assets", check=_assets),
        Key("author", "str", default=""),
        Key("homepage", "str"),
    ),
    wording=_Says(),
)
