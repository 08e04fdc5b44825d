"""The interface text in Korean and English, read from one catalogue file (``text.toml``).

Pure: no window. Code names a text by key (``catalogue.text("menu.title", "en")``); the words
live in the catalogue, so translators edit one file and a test can check that every key the
code uses exists in both languages with the same placeholders.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from gwangju_twin.errors import InputError
from gwangju_twin.language import LANGUAGES as LANGUAGES  # re-exported for the widgets
from gwangju_twin.tomlfile import read_toml


def check_language(language: str) -> str:
    """``language`` if it is an interface language; ValueError otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language is {language!r}; expected 'ko' or 'en'")
    return language


def _fields(text: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in string.Formatter().parse(text) if f)


@dataclass(frozen=True)
class Catalogue:
    """Texts by dotted key, each in every language of LANGUAGES."""

    entries: dict[str, dict[str, str]]
    source: str = "catalogue"

    @property
    def keys(self) -> frozenset[str]:
        """Every key of the catalogue."""
        return frozenset(self.entries)

    def text(self, key: str, language: str, **values: Any) -> str:
        """The text ``key`` in ``language`` with ``{placeholders}`` filled from ``values``.

        A missing key is a bug in the code, not in the catalogue: it raises KeyError.
        """
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r}: expected one of {', '.join(LANGUAGES)}")
        template = self.entries[key][language]
        return template.format(**values) if values else template

    def both(self, key: str, **values: Any) -> tuple[str, str]:
        """The text ``key`` in Korean and in English."""
        return self.text(key, "ko", **values), self.text(key, "en", **values)

    def get(self, key: str, language: str, default: str, **values: Any) -> str:
        """Like ``text``, but ``default`` when the catalogue has no ``key`` (for open-ended
        keys such as building uses)."""
        return self.text(key, language, **values) if key in self.entries else default


def _flatten(doc: dict[str, Any], prefix: str, path: str, out: dict[str, dict[str, str]]) -> None:
    for name, value in doc.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            raise InputError(f"{path}: '{key}' is {value!r}; expected a table with "
                             + " and ".join(LANGUAGES) + " texts")
        texts = {k: v for k, v in value.items() if k in LANGUAGES}
        subtables = {k: v for k, v in value.items() if k not in LANGUAGES}
        if texts:
            _entry(key, texts, path, out)
        for k, v in subtables.items():
            if not isinstance(v, dict):
                raise InputError(f"{path}: '{key}.{k}' is not a language ("
                                 + ", ".join(LANGUAGES) + ") or a table of texts")
        _flatten(subtables, f"{key}.", path, out)


def _entry(key: str, texts: dict[str, Any], path: str, out: dict[str, dict[str, str]]) -> None:
    for lang in LANGUAGES:
        value = texts.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{path}: '{key}.{lang}' is {value!r}; expected non-empty text")
    try:
        fields = {lang: _fields(texts[lang]) for lang in LANGUAGES}
    except ValueError as exc:
        raise InputError(f"{path}: '{key}' has a broken placeholder ({exc})") from None
    if len(set(fields.values())) != 1:
        shown = "; ".join(f"{lang}: {sorted(f) or 'none'}" for lang, f in fields.items())
        raise InputError(f"{path}: '{key}' uses different placeholders per language ({shown}); "
                         "expected the same in each")
    out[key] = {lang: texts[lang] for lang in LANGUAGES}


def default_catalogue_path() -> Path:
    """The catalogue shipped with the package."""
    return Path(str(resources.files("gwangju_twin.ui"))) / "text.toml"


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate a catalogue (default: the shipped one); InputError names the file
    and the key of any problem."""
    path = path or default_catalogue_path()
    doc = read_toml(path, InputError, "text catalogue")
    entries: dict[str, dict[str, str]] = {}
    _flatten(doc, "", str(path), entries)
    return Catalogue(entries, str(path))
