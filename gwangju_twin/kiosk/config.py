"""The kiosk's configuration file (TOML): scene, display, timings, operator access, watchdog,
logs, analytics and which plugins may run.

Pure: no window. docs/kiosk.toml is the documented sample with every key. Every key is
validated and every mistake is an InputError naming the file, the ``[table] key`` and what was
expected: a booth left running for days must not start on a silent default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.pin import CORNERS, check_strength, parse_pin_hash
from gwangju_twin.kiosk.supervisor import MAX_RESTART_DELAY
from gwangju_twin.language import LANGUAGES
from gwangju_twin.tomlfile import read_toml
from gwangju_twin.tomlfile import show_value as _show

APP_NAME = "gwangju-twin"  # as gwangju_twin.settings; not imported, to keep this module light
#: The demo plugins shipped with the product (the package's demos and the default scene's
#: drop-in folder, plugins/); by default the kiosk runs these and no others.
BUILT_IN_DEMOS: tuple[str, ...] = ("gwangju.media-facade", "gwangju.shuttles", "gwangju.solar")

# The same patterns as gwangju_twin.plugins.manifest (a test keeps them equal); copied so that
# reading a kiosk config does not import the whole plugin host.
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_VERSION = re.compile(r"^\d+(\.\d+){0,3}([.-]?[A-Za-z0-9.+-]*)?$")
# A content-hash pin, as gwangju_twin.plugins.pinning writes it after the "@".
_PIN = re.compile(r"sha256:[0-9a-f]{64}")
# A booth id: a host-name-like word, so that reports and logs can print it as it is.
_BOOTH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SIZE = re.compile(r"\s*([0-9]{1,6})\s*[xX]\s*([0-9]{1,6})\s*")
_WIDTH = (320, 7680)
_HEIGHT = (240, 4320)


def default_log_folder() -> Path:
    """Where kiosk logs go unless [logs] folder says otherwise (the per-user log folder)."""
    return platformdirs.user_log_path(APP_NAME, appauthor=False) / "kiosk"


def default_database() -> Path:
    """The visit analytics database unless [analytics] database says otherwise."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "kiosk-visits.sqlite3"


@dataclass(frozen=True)
class AllowedPlugin:
    """One entry of [plugins] allow: a plugin id, pinned to an exact version or not, and to
    the content hash of its installed files or not (``gwangju-twin plugins hash ID``)."""

    id: str
    version: str | None = None  # the exact manifest version allowed; None: any version
    sha256: str | None = None  # the files' content hash (hex); None: any content

    def admits(self, plugin_id: str, version: str) -> bool:
        """Whether the plugin ``plugin_id`` at ``version`` is the one this entry allows
        (the content hash is checked against the installed files at start)."""
        return plugin_id == self.id and (self.version is None or version == self.version)

    def __str__(self) -> str:
        text = self.id if self.version is None else f"{self.id}=={self.version}"
        return text if self.sha256 is None else f"{text}@sha256:{self.sha256}"


@dataclass(frozen=True)
class KioskConfig:
    """A validated kiosk configuration; the defaults are a booth with no config file."""

    path: Path | None = None  # the file it came from; None: built-in defaults
    scene: Path | None = None  # None: the built-in Sangmu scene
    language: str = "ko"  # the language every visit starts in
    booth: str | None = None  # the id in analytics rows; None: this machine's host name
    size: tuple[int, int] = (1920, 1080)  # window width, height in pixels
    fullscreen: bool = True
    hide_cursor_after: float = 2.0  # seconds the pointer stays visible once still
    attract_after: float = 60.0  # seconds with no visitor before the attract loop
    reset_after: float = 90.0  # seconds without input in a visit before the countdown
    countdown: int = 10  # seconds of countdown before the reset
    attract_dwell: float = 12.0  # seconds the attract camera spends at each pavilion
    pin_hash: str | None = None  # from `gwangju-twin kiosk pin`; None: no operator PIN
    corner: str = "top-left"  # where the operator's hidden hold is
    hold_seconds: float = 3.0  # how long the operator holds that corner
    heartbeat_timeout: float = 10.0  # seconds without a heartbeat before a restart
    restart_delay: float = 1.0  # seconds between a crash and the restart
    max_crashes: int = 3  # crashes within crash_window_minutes before the safe scene
    crash_window_minutes: float = 10.0
    safe_scene: Path | None = None  # None: the kiosk scene with no plugins
    log_folder: Path = field(default_factory=default_log_folder)
    log_max_bytes: int = 1_000_000  # size at which a log file is rotated
    log_backups: int = 5  # rotated log files kept
    database: Path = field(default_factory=default_database)
    allow: tuple[AllowedPlugin, ...] = tuple(AllowedPlugin(i) for i in BUILT_IN_DEMOS)

    @property
    def crash_window(self) -> float:
        """The crash window in seconds."""
        return self.crash_window_minutes * 60.0

    def allows(self, plugin_id: str, version: str) -> bool:
        """Whether [plugins] allow lets the plugin ``plugin_id`` at ``version`` run."""
        return any(entry.admits(plugin_id, version) for entry in self.allow)

    @property
    def pins(self) -> dict[str, str]:
        """The content hashes [plugins] allow pins, by plugin id."""
        return {entry.id: entry.sha256 for entry in self.allow if entry.sha256 is not None}


@dataclass(frozen=True)
class _Key:
    """How one key is checked: ``parse(value)`` gives the stored value or None when the value
    is unacceptable, in which case the error says ``expected``."""

    name: str  # the KioskConfig field it sets
    expected: str
    parse: Callable[[Any], Any]


def _number(lo: float, hi: float) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        # bool is an int subclass, but `attract_after = true` is a mistake, not 1 second.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value) if lo <= value <= hi else None

    return parse


def _whole(lo: int, hi: int) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
        return value if ok else None

    return parse


def _choice(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    return lambda value: value if isinstance(value, str) and value in options else None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() and "\0" not in value else None


def _booth(value: Any) -> str | None:
    return value if isinstance(value, str) and _BOOTH.fullmatch(value) else None


def _size(value: Any) -> tuple[int, int] | None:
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    width, height = int(match[1]), int(match[2])
    ok = _WIDTH[0] <= width <= _WIDTH[1] and _HEIGHT[0] <= height <= _HEIGHT[1]
    return (width, height) if ok else None


def _show_range(lo: float, hi: float) -> str:
    return f"from {lo:g} to {hi:g}"


def _seconds(name: str, lo: float, hi: float) -> _Key:
    return _Key(name, f"seconds {_show_range(lo, hi)}", _number(lo, hi))


_PATH = "a path as text"
_TABLES: dict[str, dict[str, _Key]] = {
    "kiosk": {
        "scene": _Key("scene", _PATH, _text),
        "language": _Key("language", " or ".join(json.dumps(x) for x in LANGUAGES),
                         _choice(LANGUAGES)),
        "booth": _Key("booth", "a booth id of 1-64 characters: letters, digits, '.', '_', "
                      "'-', starting with a letter or digit (e.g. \"hall-a-1\")", _booth),
    },
    "display": {
        "size": _Key("size", 'a size "WIDTHxHEIGHT" in pixels, width '
                     f'{_show_range(*_WIDTH)} and height {_show_range(*_HEIGHT)}, '
                     'e.g. "1920x1080"', _size),
        "fullscreen": _Key("fullscreen", "true or false", _boolean),
        "hide_cursor_after": _seconds("hide_cursor_after", 0.5, 60),
    },
    "timing": {
        "attract_after": _seconds("attract_after", 5, 3600),
        "reset_after": _seconds("reset_after", 10, 3600),
        "countdown": _Key("countdown", "a whole number of seconds from 3 to 60", _whole(3, 60)),
    },
    "attract": {
        "dwell_seconds": _seconds("attract_dwell", 3, 120),
    },
    "operator": {
        # Checked by _check_pin_hash afterwards, which never echoes the value.
        "pin_hash": _Key("pin_hash", "", lambda v: v),
        "corner": _Key("corner", "one of " + ", ".join(json.dumps(c) for c in CORNERS),
                       _choice(CORNERS)),
        "hold_seconds": _seconds("hold_seconds", 1, 10),
    },
    "watchdog": {
        "heartbeat_timeout": _seconds("heartbeat_timeout", 2, 300),
        # The watchdog's own bound, so that with the time to notice, a restart comes within 5 s.
        "restart_delay": _seconds("restart_delay", 0, MAX_RESTART_DELAY),
        "max_crashes": _Key("max_crashes", "a whole number of crashes from 1 to 100",
                            _whole(1, 100)),
        "crash_window_minutes": _Key("crash_window_minutes", "minutes from 1 to 1440",
                                     _number(1, 1440)),
        "safe_scene": _Key("safe_scene", _PATH, _text),
    },
    "logs": {
        "folder": _Key("log_folder", _PATH, _text),
        "max_bytes": _Key("log_max_bytes", "a whole number of bytes from 10000 to 100000000",
                          _whole(10_000, 100_000_000)),
        "backups": _Key("log_backups", "a whole number of files from 1 to 50", _whole(1, 50)),
    },
    "analytics": {
        "database": _Key("database", _PATH, _text),
    },
    "plugins": {
        # Each entry is checked by _allow_list afterwards; here only the outer shape.
        "allow": _Key("allow", 'an array of plugin ids, each "id", "id==version" or either '
                      'with "@sha256:HASH" (e.g. ["gwangju.solar==1.0.0"]; [] for no plugins)',
                      lambda v: v if isinstance(v, list) else None),
    },
}
#: The path-valued fields and where they are written ([table] key).
_PATH_FIELDS = {spec.name: (table, key) for table, keys in _TABLES.items()
                for key, spec in keys.items() if spec.expected == _PATH}


def load_kiosk_config(path: Path | None) -> KioskConfig:
    """The kiosk configuration in ``path``; None gives the built-in defaults.

    Raises InputError (one line naming the file, the key and what was expected) on any
    problem. Relative paths in the file are relative to the file's folder.
    """
    if path is None:
        return KioskConfig()
    path = Path(path)
    return parse_kiosk_config(read_toml(path, InputError, "kiosk config"), path)


def parse_kiosk_config(doc: dict[str, Any], path: Path) -> KioskConfig:
    """Validate a parsed kiosk config document (see load_kiosk_config)."""
    values: dict[str, Any] = {}
    for table, content in doc.items():
        keys = _tables_check(path, table, content)
        for key, value in content.items():
            spec = keys.get(key)
            if spec is None:
                raise InputError(f"{path}: unknown key [{table}] {key}; expected one of "
                                 + ", ".join(keys))
            parsed = spec.parse(value)
            if parsed is None:
                raise InputError(f"{path}: [{table}] {key} is {_show(value)}; expected "
                                 f"{spec.expected}")
            values[spec.name] = parsed

    if "pin_hash" in values:
        _check_pin_hash(path, values["pin_hash"])
    if "allow" in values:
        values["allow"] = _allow_list(path, values["allow"])
    for name, (table, key) in _PATH_FIELDS.items():
        if name in values:
            values[name] = _resolve(path, table, key, values[name])
    for name in ("scene", "safe_scene"):
        table, key = _PATH_FIELDS[name]
        if name in values and not values[name].is_file():
            raise InputError(f"{path}: [{table}] {key} names {values[name]}, which is not a "
                             "file; expected an existing scene file")
    folder = values.get("log_folder")
    if folder is not None and folder.exists() and not folder.is_dir():
        raise InputError(f"{path}: [logs] folder names {folder}, which is a file; expected a "
                         "folder (it is created if missing)")
    database = values.get("database")
    if database is not None and database.is_dir():
        raise InputError(f"{path}: [analytics] database names {database}, which is a folder; "
                         "expected a database file (it is created if missing)")
    return KioskConfig(path=path, **values)


def _tables_check(path: Path, table: str, content: Any) -> dict[str, _Key]:
    """The keys of ``table``, after checking that it is a known table."""
    keys = _TABLES.get(table)
    if keys is not None and isinstance(content, dict):
        return keys
    names = ", ".join(f"[{t}]" for t in _TABLES)
    if keys is not None:
        raise InputError(f"{path}: {table} is {_show(content)}; expected a table [{table}] "
                         "(written once, with single brackets)")
    if isinstance(content, dict):
        raise InputError(f"{path}: unknown table [{table}]; expected one of {names}")
    # A key above every table header: say which table it belongs in, when one has it.
    owners = [t for t, k in _TABLES.items() if table in k]
    where = f"put it under [{owners[0]}]" if owners else f"keys go in the tables {names}"
    raise InputError(f"{path}: key {table} is outside any table; {where}")


def _check_pin_hash(path: Path, value: Any) -> None:
    """InputError unless ``value`` is a stored PIN hash; the message never shows ``value``,
    which may be the PIN itself."""
    plain = isinstance(value, int) and not isinstance(value, bool)
    if plain or (isinstance(value, str) and value.strip().isdigit()):
        raise InputError(f"{path}: [operator] pin_hash looks like a plain PIN; the PIN must be "
                         "stored hashed: run `gwangju-twin kiosk pin` and paste the pin_hash "
                         "it prints")
    if not isinstance(value, str):
        raise InputError(f"{path}: [operator] pin_hash is {_show_kind(value)}; expected the "
                         "pin_hash text printed by `gwangju-twin kiosk pin`")
    try:
        stored = parse_pin_hash(value)
    except ValueError as exc:
        raise InputError(f"{path}: [operator] pin_hash is not a PIN hash ({exc}); expected the "
                         "pin_hash text printed by `gwangju-twin kiosk pin`") from None
    try:
        check_strength(stored)
    except ValueError as exc:
        raise InputError(f"{path}: [operator] pin_hash is refused ({exc}); expected a hash of "
                         "your own PIN: run `gwangju-twin kiosk pin` and paste the pin_hash it "
                         "prints") from None


def _allow_list(path: Path, entries: list[Any]) -> tuple[AllowedPlugin, ...]:
    allowed: list[AllowedPlugin] = []
    seen: set[str] = set()
    for entry in entries:
        where = f"{path}: [plugins] allow entry {_show(entry)}"
        if not isinstance(entry, str):
            raise InputError(f"{where} is not text; expected a plugin id such as "
                             '"gwangju.solar" or "gwangju.solar==1.0.0"')
        text, hashed, digest = (part.strip() for part in entry.partition("@"))
        if hashed and not _PIN.fullmatch(digest):
            raise InputError(f'{where} pins the content hash {_show(digest)}; expected '
                             '"sha256:" and 64 hex digits, as `gwangju-twin plugins hash ID` '
                             'prints them')
        plugin_id, pinned, version = (part.strip() for part in text.partition("=="))
        if not pinned and any(op in text for op in ("<", ">", "~=", "!=")):
            raise InputError(f'{where} is a version range; expected "id" for any version or '
                             '"id==version" for one exact version')
        if not _ID.fullmatch(plugin_id):
            raise InputError(f"{where} is not a plugin id; expected 2-64 characters of a-z, "
                             "0-9, '.', '_', '-' (e.g. \"gwangju.solar\"), optionally "
                             '"==" and an exact version')
        if pinned and not _VERSION.fullmatch(version):
            raise InputError(f'{where} pins the version {_show(version)}; expected an exact '
                             'version such as "1.0.0" after "=="')
        if plugin_id in seen:
            raise InputError(f"{path}: [plugins] allow lists {_show(plugin_id)} more than "
                             "once; expected each plugin id once")
        seen.add(plugin_id)
        allowed.append(AllowedPlugin(plugin_id, version if pinned else None,
                                     digest.removeprefix("sha256:") if hashed else None))
    return tuple(allowed)


def _resolve(path: Path, table: str, key: str, text: str) -> Path:
    """``text`` as a path: ``~`` expanded, relative to the config file's folder."""
    try:
        return (path.parent / Path(text).expanduser()).resolve()
    except (RuntimeError, OSError) as exc:  # an unknown ~user, a symlink loop
        raise InputError(f"{path}: [{table}] {key} is {_show(text)}, which cannot be used as "
                         f"a path ({exc}); expected {_PATH}") from None


def _show_kind(value: Any) -> str:
    """What sort of TOML value ``value`` is, without showing it."""
    kinds = ((bool, "true or false"), (int, "a number"), (float, "a number"), (dict, "a table"),
             (list, "an array"), (str, "text"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "a date or time")


