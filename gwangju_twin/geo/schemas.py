"""Source schemas: which attribute keys of a data source say a feature's height, floors,
name, use and width, read from a TOML table (``schemas.toml``, shipped in this package).

The Korean building register (layer AL_D010: ``A16`` height, ``A26`` floors, ``A24`` name,
``A9`` use in Korean) and Korean road-name data (``도로명``, ``도로폭``) are rows of that
table, not branches in code: another province's or country's schema is a new table entry.
docs/data.md ("Source schemas") documents the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from gwangju_twin.errors import InputError
from gwangju_twin.tomlfile import read_toml

#: The table shipped with the package.
SCHEMAS_PATH = Path(__file__).with_name("schemas.toml")

#: What a schema says its polygons or lines are when their own tags do not say.
SchemaLayer = Literal["buildings", "roads"]

#: The schema override that means "detect it from the file's keys".
AUTO = "auto"

_KEY_LISTS = ("height", "levels", "name", "use", "width")
_TYPE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Schema:
    """One source schema (see schemas.toml for the meaning of each field). Keys are lower
    case, as ``tags.lower_keys`` gives them."""

    name: str
    description: str = ""
    detect: tuple[tuple[str, ...], ...] = ()
    layer: SchemaLayer | None = None
    height: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    use: tuple[str, ...] = ()
    width: tuple[str, ...] = ()
    zero_is_unknown: bool = False
    uses: Mapping[str, str] = field(default_factory=dict)

    def matches(self, keys: set[str]) -> bool:
        """Whether one of the detect groups has all its keys in ``keys``."""
        return any(group and all(k in keys for k in group) for group in self.detect)

    def building_type(self, value: Any) -> str | None:
        """The building type the use ``value`` maps to (spaces ignored: the register writes
        both "문화 및 집회시설" and "문화및집회시설"), or None when the table has no row."""
        if value is None or isinstance(value, (list, dict)):
            return None
        return self.uses.get(_squeeze(str(value)))


@dataclass(frozen=True)
class Schemas:
    """The whole table: schemas by name, and the order detection tries them in (the last
    is the default)."""

    by_name: Mapping[str, Schema]
    order: tuple[str, ...]

    @property
    def default(self) -> Schema:
        return self.by_name[self.order[-1]]

    def get(self, name: str, named_by: str = "the --schema option") -> Schema:
        """The schema called ``name``; InputError naming the choices otherwise."""
        try:
            return self.by_name[name]
        except KeyError:
            raise InputError(
                f"{named_by}: unknown source schema {name!r}; expected {AUTO!r} or one of "
                + ", ".join(self.order)) from None

    def detect(self, keys: set[str]) -> Schema:
        """The first schema (in ``order``) whose detect keys are all among ``keys`` (lower
        case); the default when none is."""
        for name in self.order:
            if self.by_name[name].matches(keys):
                return self.by_name[name]
        return self.default


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _fail(path: Path, where: str, expected: str) -> InputError:
    return InputError(f"{path}: {where}: expected {expected}")


def _keys(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
        raise _fail(path, where, "a list of non-empty key strings")
    return tuple(k.strip().lower() for k in value)


def parse_schemas(doc: Mapping[str, Any], path: Path) -> Schemas:
    """The schemas of a parsed table, validated; InputError naming ``path`` and the key."""
    table = doc.get("schemas")
    if not isinstance(table, dict) or not table:
        raise _fail(path, "'schemas'", "a table of source schemas ([schemas.NAME])")
    order = doc.get("order")
    if (not isinstance(order, list) or not order
            or not all(isinstance(n, str) for n in order)):
        raise _fail(path, "'order'", "a non-empty list of schema names")
    for name in order:
        if name not in table:
            raise _fail(path, f"'order' names {name!r}", "a schema defined under [schemas]")
    if set(table) - set(order):
        extra = sorted(set(table) - set(order))[0]
        raise _fail(path, f"schema {extra!r}", "its name listed in 'order'")
    by_name: dict[str, Schema] = {}
    for name, entry in table.items():
        where = f"schemas.{name}"
        if not isinstance(entry, dict):
            raise _fail(path, where, "a table")
        known = {"description", "detect", "layer", "zero_is_unknown", "uses", *_KEY_LISTS}
        unknown = sorted(set(entry) - known)
        if unknown:
            raise _fail(path, f"{where}.{unknown[0]}", "one of the keys " + ", ".join(
                sorted(known)))
        detect = entry.get("detect", [])
        if not isinstance(detect, list) or not all(isinstance(g, list) for g in detect):
            raise _fail(path, f"{where}.detect", "a list of key lists")
        groups = tuple(_keys(path, f"{where}.detect", g) for g in detect)
        if not groups and name != order[-1]:
            raise _fail(path, f"{where}.detect", "at least one key group (only the last "
                        "schema in 'order', the default, may have none)")
        layer = entry.get("layer")
        if layer not in (None, "buildings", "roads"):
            raise _fail(path, f"{where}.layer", "\"buildings\" or \"roads\"")
        zero = entry.get("zero_is_unknown", False)
        if not isinstance(zero, bool):
            raise _fail(path, f"{where}.zero_is_unknown", "true or false")
        uses = entry.get("uses", {})
        if not isinstance(uses, dict):
            raise _fail(path, f"{where}.uses", "a table of use value = building type")
        for value, kind in uses.items():
            if not isinstance(kind, str) or not _TYPE.match(kind):
                raise _fail(path, f"{where}.uses.{value}",
                            "a building type in lower-case letters, digits and _ "
                            "(a building=* value such as \"apartments\")")
        lists = {k: _keys(path, f"{where}.{k}", entry.get(k, [])) for k in _KEY_LISTS}
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise _fail(path, f"{where}.description", "text")
        by_name[name] = Schema(
            name=name, description=description, detect=groups, layer=layer,
            height=lists["height"], levels=lists["levels"], names=lists["name"],
            use=lists["use"], width=lists["width"], zero_is_unknown=zero,
            uses={_squeeze(k): v for k, v in uses.items()},
        )
    return Schemas(by_name, tuple(order))


def read_schemas(path: Path) -> Schemas:
    """The schemas of the table at ``path`` (InputError for a broken one)."""
    return parse_schemas(read_toml(path, InputError, "source schema table"), path)


@lru_cache(maxsize=1)
def builtin_schemas() -> Schemas:
    """The table shipped with the package (read once)."""
    return read_schemas(SCHEMAS_PATH)


def present_keys(properties: Iterable[Mapping[str, Any]]) -> set[str]:
    """The lower-case keys present in any of ``properties``."""
    keys: set[str] = set()
    for props in properties:
        keys.update(props)
    return {str(k).lower() for k in keys}
