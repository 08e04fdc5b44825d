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

from gwangju_twin.scene.sectors import SECTOR_IDS
from gwangju_twin.tomlfile import read_toml

#: The plugin API version this host implements; plugins declare the one they were written for.
API_VERSION = 1
#: Every API version this host can run.
SUPPORTED_API_VERSIONS: tuple[int, ...] = (1,)
#: The file name of a manifest in a plugin folder or package.
MANIFEST_NAME = "pavilion.toml"

# Always used with fullmatch: "$" alone also matches before a trailing newline, which let
# "acme.xray\n" pass as an id. (The kiosk's allow list repeats _ID and _VERSION verbatim.)
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_ENTRY = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_VERSION = re.compile(r"^\d+(\.\d+){0,3}([.-]?[A-Za-z0-9.+-]*)?$")
_KEYS = {
    "id": str, "sector": str, "version": str, "api_version": int, "entry": str,
    "title": dict, "description": dict, "assets": str, "author": str, "homepage": str,
}
_REQUIRED = ("id", "sector", "version", "api_version", "entry", "title")


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Manifest:
    """A validated plugin manifest.

    ``folder`` is the directory holding ``pavilion.toml``; the entry module is found there.
    """

    id: str
    sector: str
    version: str
    api_version: int
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
    for key, value in doc.items():
        expected = _KEYS.get(key)
        if expected is None:
            raise ManifestError(
                f"{path}: unknown key '{key}'; expected one of {', '.join(sorted(_KEYS))}"
            )
        if not isinstance(value, expected) or isinstance(value, bool):
            what = {str: "a string", int: "a whole number", dict: "a table"}[expected]
            raise ManifestError(f"{path}: '{key}' is {value!r}; expected {what}")
    for key in _REQUIRED:
        if key not in doc:
            raise ManifestError(f"{path}: missing key '{key}'")
    if not _ID.fullmatch(doc["id"]):
        raise ManifestError(
            f"{path}: 'id' is {doc['id']!r}; expected 2-64 characters of a-z, 0-9, '.', '_', "
            "'-', starting with a letter or digit (e.g. \"acme.robot-arm\")"
        )
    if doc["sector"] not in SECTOR_IDS:
        raise ManifestError(
            f"{path}: 'sector' is {doc['sector']!r}; expected one of {', '.join(SECTOR_IDS)}"
        )
    if not _VERSION.fullmatch(doc["version"]):
        raise ManifestError(f"{path}: 'version' is {doc['version']!r}; expected e.g. \"1.0.0\"")
    if doc["api_version"] < 1:
        raise ManifestError(f"{path}: 'api_version' is {doc['api_version']}; expected 1 or more")
    if not _ENTRY.fullmatch(doc["entry"]):
        raise ManifestError(
            f"{path}: 'entry' is {doc['entry']!r}; expected \"module:Attribute\", e.g. "
            "\"demo:Demo\" (the module lives beside pavilion.toml)"
        )
    title = _bilingual(doc, "title", path, required=True)
    description = _bilingual(doc, "description", path, required=False)
    assets = doc.get("assets", "assets")
    if (not assets.isprintable() or Path(assets).is_absolute()
            or ".." in Path(assets).parts):  # a NUL would break every later use of the path
        raise ManifestError(f"{path}: 'assets' is {assets!r}; expected a folder inside the plugin")
    return Manifest(
        id=doc["id"], sector=doc["sector"], version=doc["version"],
        api_version=doc["api_version"], entry=doc["entry"], title_ko=title[0], title_en=title[1],
        path=path.resolve(), description_ko=description[0], description_en=description[1],
        assets=assets, author=doc.get("author", ""),
    )


def _bilingual(doc: dict[str, Any], key: str, path: Path, required: bool) -> tuple[str, str]:
    table = doc.get(key, {})
    out = []
    for lang in ("ko", "en"):
        text = table.get(lang)
        if text is None and not required:
            text = ""
        if not isinstance(text, str) or (required and not text.strip()):
            raise ManifestError(f"{path}: '{key}.{lang}' is {text!r}; expected non-empty text")
        out.append(text.strip())
    extra = set(table) - {"ko", "en"}
    if extra:
        raise ManifestError(f"{path}: unknown key '{key}.{sorted(extra)[0]}'; expected ko and en")
    return out[0], out[1]
