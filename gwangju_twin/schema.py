"""The keys of the project's TOML files as data, and the one walk that checks a document.

A file's schema is a ``Table`` of ``Key``s, each with its kind, unit, range, default, whether
it is required and a line of doc; the docs' key tables are tested against them. ``walk`` checks
a parsed document against a schema and gives its values (defaults filled in) or a one-line
error naming the file, the key and what was expected. Rules that are no key's kind or range
(a PIN hash, a lon/lat pair, a path relative to the file, ids unique across rows) are small
``check`` functions on a key or a table.

Each family of files words its errors in its own long-standing way (``'camera.pitch'`` in a
scene file, ``[display] size`` in a kiosk config): a ``Wording`` subclass says that, so the
walk is shared and the messages stay as users and docs know them.

Pure: no Panda3D, and nothing from the rooms.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gwangju_twin.errors import InputError

#: What a key holds. "number" is an int or a float (kept as a float), "path" is text naming a
#: file or folder, "choice" is text from ``Key.choices``, "table" a sub-table, "tables" an
#: array of tables (``[[name]]``), "any" whatever the key's ``check`` accepts.
Kind = Literal["bool", "int", "number", "str", "path", "choice", "list", "table", "tables",
               "any"]

#: The TOML values (as Python types) each kind accepts; bool is never a number.
_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,), "int": (int,), "number": (int, float), "str": (str,), "path": (str,),
    "choice": (str,), "list": (list,), "table": (dict,), "tables": (list,),
}


#: What a value of each kind is called in "expected ...".
_NOUNS = {"bool": "true or false", "int": "a whole number", "number": "a number",
          "str": "a string", "path": "a string", "choice": "a string", "list": "an array",
          "table": "a table", "tables": "an array of tables", "any": "a value"}


class CheckError(Exception):
    """Raised by a ``check``: the value breaks its key's own rule.

    With ``message`` that is the whole error (the file name is put before it); otherwise the
    error is the wording's usual "WHERE is VALUE; expected EXPECTED", ``expected`` defaulting
    to the key's.
    """

    def __init__(self, expected: str = "", *, message: str = "") -> None:
        super().__init__(message or expected)
        self.expected, self.message = expected, message


#: A key's own rule: given the value (already of the key's kind, in range) and where it is,
#: the value to keep; raises CheckError (or the reader's error) when the value is wrong.
Check = Callable[[Any, "Spot"], Any]


@dataclass(frozen=True)
class Key:
    """One key of a table: what it holds, its unit, range and default, and its rules."""

    name: str
    kind: Kind
    doc: str = ""
    default: Any = None  # taken when the key is absent; a sub-table's ({}) is checked too
    required: bool = False
    unit: str = ""  # e.g. "seconds", "metres"
    range: tuple[float, float | None] | None = None  # inclusive; None above: no upper bound
    choices: tuple[str, ...] = ()  # a "choice" key's values
    expected: str = ""  # what errors say was expected, when the wording's words do not fit
    missing: str = ""  # the error when a required key is absent; "{where}" names it
    check: Check | None = None
    table: Table | None = None  # the keys of a "table", or of each row of "tables"
    field: str = ""  # the name in the walk's result, when not ``name``


@dataclass(frozen=True)
class Table:
    """The keys of one table, and the rules that span them.

    ``first`` keys are checked before the others; ``title``, given their values (by name),
    names the row in messages about its other keys (``pavilion[0] (energy)``). ``check`` gets
    the table's values (by field) once every key is fine and returns what the table stands
    for; a rule it finds broken is a CheckError with a ``message``.
    """

    keys: tuple[Key, ...]
    first: tuple[str, ...] = ()
    title: Callable[[dict[str, Any]], str] | None = None
    check: Callable[[dict[str, Any], Spot], Any] | None = None
    wording: Wording | None = None  # None: the enclosing table's

    def __getitem__(self, name: str) -> Key:
        return next(k for k in self.keys if k.name == name)


@dataclass(frozen=True)
class Spot:
    """Where a value is: the file, the table (as messages name it), the key (None: the table
    itself) and the wording of the file's messages."""

    path: Path
    table: str
    key: Key | None
    wording: Wording

    @property
    def name(self) -> str:
        """The key's dotted name, e.g. ``camera.target`` or ``pavilion[0] (energy).at``."""
        return ".".join(p for p in (self.table, self.key.name if self.key else "") if p)

    @property
    def where(self) -> str:
        """The key as the file's messages name it."""
        return self.wording.where(self.table, self.key.name if self.key else "")


class Wording:
    """How a family of files words its errors. This base says them as scene files and plugin
    manifests do (``'camera.pitch' is 'steep'; expected a number``); a reader overrides what
    its files say differently."""

    #: How a choice is quoted in "expected ..." (kiosk configs quote them as TOML does).
    quote: Callable[[str], str] = str

    def where(self, table: str, key: str) -> str:
        """A key (or, with ``key`` empty, a table) as messages name it."""
        return "'" + ".".join(p for p in (table, key) if p) + "'"

    def show(self, key: Key, value: Any) -> str:
        """A wrong ``value`` of ``key`` as messages show it: as the file wrote it where
        Python's repr would not (``true``, not ``True``; a TOML date-time as such)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            return f"{value.isoformat()} (a TOML date-time, not text in quotes)"
        return repr(value)

    def expected(self, key: Key, value: Any) -> str:
        """What ``key`` expected instead of ``value``."""
        if key.expected:
            return key.expected
        if key.kind == "choice" and key.choices:
            names = [self.quote(c) for c in key.choices]
            return " or ".join(names) if len(names) == 2 else "one of " + ", ".join(names)
        if key.range is not None and fits(key, value):
            return self.range(key)
        return _NOUNS[key.kind]

    def range(self, key: Key) -> str:
        """``key``'s range in words, e.g. "5 to 89.9 degrees"."""
        assert key.range is not None
        low, high = key.range
        words = f"{low:g} or more" if high is None else f"{low:g} to {high:g}"
        return f"{words} {key.unit}".rstrip()

    def wrong(self, spot: Spot, value: Any, expected: str = "") -> str:
        """The error for a wrong ``value`` at ``spot`` (``expected``: the key's own words)."""
        assert spot.key is not None
        expected = expected or self.expected(spot.key, value)
        return f"{spot.where} is {self.show(spot.key, value)}; expected {expected}"

    def unknown(self, spot: Spot, table: Table, name: str, value: Any) -> str:
        """The error for the key ``name``, which ``table`` (at ``spot``) does not have."""
        names = ", ".join(sorted(k.name for k in table.keys))
        return f"unknown key {self.where(spot.table, name)}; expected one of {names}"

    def missing(self, spot: Spot) -> str:
        """The error for the required key at ``spot``, which is absent."""
        assert spot.key is not None
        if spot.key.missing:
            return spot.key.missing.format(where=spot.where)
        return f"missing key {spot.where}"


def fits(key: Key, value: Any) -> bool:
    """Whether ``value`` is of ``key``'s kind (range, choices and check aside)."""
    if key.kind == "any":
        return True
    if isinstance(value, bool):  # an int to Python, but `countdown = true` is a mistake
        return key.kind == "bool"
    if key.kind == "tables":
        return isinstance(value, list) and all(isinstance(row, dict) for row in value)
    return isinstance(value, _TYPES[key.kind])


def walk(doc: dict[str, Any], table: Table, path: Path, *, wording: Wording | None = None,
         error: type[Exception] = InputError, label: str = "",
         problems: list[str] | None = None) -> Any:
    """``doc`` (a parsed TOML table) checked against ``table``: its values by field, every
    absent key at its default (or what ``table.check`` makes of them).

    Unknown keys are reported first, then the ``first`` keys are checked, then missing
    required keys, then the rest in the file's order. The first problem raises ``error``, one
    line: ``path``, the key (inside ``label``, the table's own name in messages) and what was
    expected. With ``problems`` given, every problem is appended there instead and its key
    keeps its default (a table whose own check fails is None).
    """
    try:
        return _Walk(path, error, problems).table(doc, table, label, wording or Wording())
    except _Dropped:
        return None


def accepts(key: Key, value: Any) -> bool:
    """Whether ``value`` passes ``key``'s kind, range, choices and check."""
    problems: list[str] = []
    walk({key.name: value}, Table((key,)), Path(), problems=problems)
    return not problems


class _Dropped(Exception):  # noqa: N818 - control flow: a problem noted, not an error
    """A problem was recorded, not raised: what it is in keeps its default."""


@dataclass(frozen=True)
class _Walk:
    path: Path
    error: type[Exception]
    problems: list[str] | None

    def report(self, message: str) -> None:
        """Raise the error; or, collecting problems, record it and go on."""
        if self.problems is None:
            raise self.error(f"{self.path}: {message}")
        self.problems.append(f"{self.path}: {message}")

    def table(self, doc: dict[str, Any], table: Table, label: str, wording: Wording) -> Any:
        wording = table.wording or wording
        here = Spot(self.path, label, None, wording)
        keys = {k.name: k for k in table.keys}
        for name, value in doc.items():
            if name not in keys:
                self.report(wording.unknown(here, table, name, value))
        values: dict[str, Any] = {}
        for name in table.first:
            self.need(doc, [keys[name]], here)
            values[name] = self.key(doc, keys[name], here)
        if table.title is not None:
            here = Spot(self.path, f"{label} ({table.title(values)})", None, wording)
        rest = [k for k in table.keys if k.name not in table.first]
        self.need(doc, rest, here)
        written = [keys[n] for n in doc if n in keys and n not in table.first]
        for key in written + [k for k in rest if k.name not in doc]:
            values[key.name] = self.key(doc, key, here)
        out = {k.field or k.name: values[k.name] for k in table.keys}
        if table.check is None:
            return out
        try:
            return table.check(out, here)
        except CheckError as exc:
            self.report(exc.message)
            raise _Dropped from None

    def need(self, doc: dict[str, Any], keys: list[Key], here: Spot) -> None:
        """Report the required ``keys`` that ``doc`` lacks."""
        for key in keys:
            if key.required and key.name not in doc:
                self.report(here.wording.missing(_at(here, key)))

    def key(self, doc: dict[str, Any], key: Key, here: Spot) -> Any:
        """``key``'s value in ``doc``, checked; its default when absent (a sub-table's
        default is checked like a written one, so its required keys are reported)."""
        if key.name in doc:
            value = doc[key.name]
        elif key.kind in ("table", "tables") and key.default is not None:
            value = (dict if key.kind == "table" else list)(key.default)
        else:
            return key.default
        try:
            return self.value(value, _at(here, key))
        except _Dropped:
            return key.default

    def value(self, value: Any, spot: Spot) -> Any:
        key, says = spot.key, spot.wording
        assert key is not None
        try:
            if not fits(key, value) or (key.kind in ("int", "number")
                                        and not _within(key.range, value)):
                raise CheckError
            if key.kind == "choice" and value not in key.choices:
                raise CheckError
            if key.kind == "number":
                value = float(value)
            if key.table is not None and key.kind == "table":
                value = self.table(value, key.table, spot.name, says)
            elif key.table is not None and key.kind == "tables":
                value = [self.table(row, key.table, f"{spot.name}[{n}]", says)
                         for n, row in enumerate(value)]
            return value if key.check is None else key.check(value, spot)
        except CheckError as exc:
            self.report(exc.message or says.wrong(spot, value, exc.expected))
            raise _Dropped from None


def _at(here: Spot, key: Key) -> Spot:
    return Spot(here.path, here.table, key, here.wording)


def _within(bounds: tuple[float, float | None] | None, value: float) -> bool:
    # Comparisons between Python ints and floats are exact, and NaN fails both.
    if bounds is None:
        return True
    low, high = bounds
    return low <= value and (high is None or value <= high)
