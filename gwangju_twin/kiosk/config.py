"""The kiosk's configuration file (TOML): scene, display, timings, operator access, watchdog,
logs, analytics and which plugins may run.

Pure: no window. docs/kiosk.toml is the documented sample with every key. Every key is
validated and every mistake is an InputError naming the file, the ``[table] key`` and what was
expected: a booth left running for days must not start on a silent default.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from gwangju_twin import APP_NAME
from gwangju_twin.errors import InputError
from gwangju_twin.identifiers import JOIN_URL as _JOIN_URL
from gwangju_twin.identifiers import PAVILION_ID as _PAVILION
from gwangju_twin.identifiers import PLUGIN_ID as _ID
from gwangju_twin.identifiers import PLUGIN_VERSION as _VERSION
from gwangju_twin.identifiers import ROOM_TOKEN as _ROOM_TOKEN
from gwangju_twin.kiosk.pin import CORNERS, Corner, check_strength, parse_pin_hash
from gwangju_twin.kiosk.supervisor import MAX_RESTART_DELAY
from gwangju_twin.language import LANGUAGES, Language
from gwangju_twin.schema import CheckError, Key, Spot, Table, Wording, walk
from gwangju_twin.settings import QUALITY_CHOICES, QualityChoice
from gwangju_twin.tomlfile import read_toml, show_value

#: The demo plugins shipped with the product (the package's demos and the default scene's
#: drop-in folder, plugins/); by default the kiosk runs these and no others.
BUILT_IN_DEMOS: tuple[str, ...] = (
    "gwangju.civic", "gwangju.education", "gwangju.healthcare", "gwangju.manufacturing",
    "gwangju.media-facade", "gwangju.shuttles", "gwangju.solar",
)

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
    language: Language = "ko"  # the language every visit starts in
    booth: str | None = None  # the id in analytics rows; None: this machine's host name
    size: tuple[int, int] = (1920, 1080)  # window width, height in pixels
    fullscreen: bool = True
    quality: QualityChoice = "auto"  # lighting and shadows (docs/daylight.md)
    hide_cursor_after: float = 2.0  # seconds the pointer stays visible once still
    attract_after: float = 60.0  # seconds with no visitor before the attract loop
    reset_after: float = 90.0  # seconds without input in a visit before the countdown
    countdown: int = 10  # seconds of countdown before the reset
    attract_dwell: float = 12.0  # seconds the attract camera spends at each pavilion
    play_day: bool = False  # the attract loop plays a sped-up day on the scene's clock
    day_rate: float = 1800.0  # scene seconds per real second of that day (an hour every 2 s)
    pin_hash: str | None = None  # from `gwangju-twin kiosk pin`; None: no operator PIN
    corner: Corner = "top-left"  # where the operator's hidden hold is
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
    # plugin id -> pavilion id ("" = its sector's pavilion), over the scene's own plugins
    assign: dict[str, str] = field(default_factory=dict)
    join: str | None = None  # [presence] the shared room (ws://HOST:PORT/ROOM); None: alone
    room_token: str | None = None  # [presence] token: the room's token, if it needs one
    guide: bool = False  # [presence] guide: this booth leads the room's group tours

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


class _Says(Wording):
    """How a kiosk config words its errors: ``[display] size is "big"; expected ...``."""

    quote = staticmethod(json.dumps)

    def where(self, table: str, key: str) -> str:
        """``[table] key``; a table itself by its name."""
        return f"[{table}] {key}" if table else key

    def show(self, key: Key, value: Any) -> str:
        """As TOML writes it."""
        return show_value(value)

    def expected(self, key: Key, value: Any) -> str:
        """The same words whatever was wrong: its kind, its range, its choices."""
        if key.expected or key.kind == "choice":
            return super().expected(key, value)
        if key.kind == "table":
            return f"a table [{key.name}] (written once, with single brackets)"
        if key.kind == "path":
            return _PATH
        if key.range is None:
            return super().expected(key, value)
        low, high = key.range
        if key.kind == "int":
            return f"a whole number of {key.unit} from {low} to {high}"
        return f"{key.unit} from {low:g} to {high:g}"

    def unknown(self, spot: Spot, table: Table, name: str, value: Any) -> str:
        """Inside a table: its keys. Above them: the tables, or the table a key belongs in."""
        if spot.table:
            return (f"unknown key [{spot.table}] {name}; expected one of "
                    + ", ".join(k.name for k in table.keys))
        tables = ", ".join(f"[{k.name}]" for k in table.keys)
        if isinstance(value, dict):
            return f"unknown table [{name}]; expected one of {tables}"
        owners = [k.name for k in table.keys if k.table and any(n.name == name
                                                                for n in k.table.keys)]
        where = f"put it under [{owners[0]}]" if owners else f"keys go in the tables {tables}"
        return f"key {name} is outside any table; {where}"


_PATH = "a path as text"


def _path(text: str, spot: Spot) -> Path:
    """``text`` as a path: ``~`` expanded, relative to the config file's folder."""
    if not text.strip() or "\0" in text:
        raise CheckError
    try:
        return (spot.path.parent / Path(text).expanduser()).resolve()
    except (RuntimeError, OSError) as exc:  # an unknown ~user, a symlink loop
        raise CheckError(message=f"{spot.where} is {show_value(text)}, which cannot be used as "
                                 f"a path ({exc}); expected {_PATH}") from None


def _scene_file(text: str, spot: Spot) -> Path:
    path = _path(text, spot)
    if not path.is_file():
        raise CheckError(message=f"{spot.where} names {path}, which is not a file; expected an "
                                 "existing scene file")
    return path


def _log_folder(text: str, spot: Spot) -> Path:
    folder = _path(text, spot)
    if folder.exists() and not folder.is_dir():
        raise CheckError(message=f"{spot.where} names {folder}, which is a file; expected a "
                                 "folder (it is created if missing)")
    return folder


def _database(text: str, spot: Spot) -> Path:
    database = _path(text, spot)
    if database.is_dir():
        raise CheckError(message=f"{spot.where} names {database}, which is a folder; expected a "
                                 "database file (it is created if missing)")
    return database


def _booth(text: str, spot: Spot) -> str:
    if not _BOOTH.fullmatch(text):
        raise CheckError
    return text


def _size(text: str, spot: Spot) -> tuple[int, int]:
    match = _SIZE.fullmatch(text)
    if match is None:
        raise CheckError
    width, height = int(match[1]), int(match[2])
    if not (_WIDTH[0] <= width <= _WIDTH[1] and _HEIGHT[0] <= height <= _HEIGHT[1]):
        raise CheckError
    return width, height


def _pin_hash(value: Any, spot: Spot) -> str:
    """``value`` if it is a stored PIN hash; the error never shows ``value``, which may be
    the PIN itself."""
    plain = isinstance(value, int) and not isinstance(value, bool)
    if plain or (isinstance(value, str) and value.strip().isdigit()):
        raise CheckError(message=f"{spot.where} looks like a plain PIN; the PIN must be stored "
                                 "hashed: run `gwangju-twin kiosk pin` and paste the pin_hash it "
                                 "prints")
    if not isinstance(value, str):
        raise CheckError(message=f"{spot.where} is {_show_kind(value)}; expected the pin_hash "
                                 "text printed by `gwangju-twin kiosk pin`")
    try:
        stored = parse_pin_hash(value)
    except ValueError as exc:
        raise CheckError(message=f"{spot.where} is not a PIN hash ({exc}); expected the "
                                 "pin_hash text printed by `gwangju-twin kiosk pin`") from None
    try:
        check_strength(stored)
    except ValueError as exc:
        raise CheckError(message=f"{spot.where} is refused ({exc}); expected a hash of your own "
                                 "PIN: run `gwangju-twin kiosk pin` and paste the pin_hash it "
                                 "prints") from None
    return value


def _allow_list(entries: list[Any], spot: Spot) -> tuple[AllowedPlugin, ...]:
    allowed: list[AllowedPlugin] = []
    seen: set[str] = set()
    for entry in entries:
        where = f"{spot.where} entry {show_value(entry)}"
        if not isinstance(entry, str):
            raise CheckError(message=f"{where} is not text; expected a plugin id such as "
                                     '"gwangju.solar" or "gwangju.solar==1.0.0"')
        text, hashed, digest = (part.strip() for part in entry.partition("@"))
        if hashed and not _PIN.fullmatch(digest):
            raise CheckError(message=f'{where} pins the content hash {show_value(digest)}; '
                                     'expected "sha256:" and 64 hex digits, as `gwangju-twin '
                                     'plugins hash ID` prints them')
        plugin_id, pinned, version = (part.strip() for part in text.partition("=="))
        if not pinned and any(op in text for op in ("<", ">", "~=", "!=")):
            raise CheckError(message=f'{where} is a version range; expected "id" for any '
                                     'version or "id==version" for one exact version')
        if not _ID.fullmatch(plugin_id):
            raise CheckError(message=f"{where} is not a plugin id; expected 2-64 characters of "
                                     "a-z, 0-9, '.', '_', '-' (e.g. \"gwangju.solar\"), "
                                     'optionally "==" and an exact version')
        if pinned and not _VERSION.fullmatch(version):
            raise CheckError(message=f'{where} pins the version {show_value(version)}; expected '
                                     'an exact version such as "1.0.0" after "=="')
        if plugin_id in seen:
            raise CheckError(message=f"{spot.where} lists {show_value(plugin_id)} more than "
                                     "once; expected each plugin id once")
        seen.add(plugin_id)
        allowed.append(AllowedPlugin(plugin_id, version if pinned else None,
                                     digest.removeprefix("sha256:") if hashed else None))
    return tuple(allowed)


def _assign_table(table: dict[str, Any], spot: Spot) -> dict[str, str]:
    for plugin_id, pavilion in table.items():
        if not _ID.fullmatch(plugin_id):
            raise CheckError(message=f"{spot.where} names {show_value(plugin_id)}, which is not a "
                                     'plugin id; expected plugin ids as keys (e.g. '
                                     '"gwangju.solar" = "energy")')
        if not isinstance(pavilion, str) or (pavilion and not _PAVILION.fullmatch(pavilion)):
            raise CheckError(message=f"{spot.where} gives {plugin_id} {show_value(pavilion)}; "
                                     'expected a pavilion id of the scene, or "" for the '
                                     "pavilion of the plugin's sector")
    return dict(table)


def _join(text: str, spot: Spot) -> str:
    if not _JOIN_URL.fullmatch(text):
        raise CheckError
    return text


def _room_token(value: str, spot: Spot) -> str:
    """``value`` if it is a room token; the error never shows it (it is a secret)."""
    if not _ROOM_TOKEN.fullmatch(value):
        raise CheckError(message=f"{spot.where} is not a room token; expected 1 to 128 "
                                 "letters, digits or ._~+/=- as the presence server's operator "
                                 "gave it")
    return value


def _show_kind(value: Any) -> str:
    """What sort of TOML value ``value`` is, without showing it."""
    kinds = ((bool, "true or false"), (int, "a number"), (float, "a number"), (dict, "a table"),
             (list, "an array"), (str, "text"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "a date or time")


def _table(name: str, *keys: Key) -> Key:
    return Key(name, "table", default={}, table=Table(keys))


def _seconds(name: str, low: float, high: float, default: float, doc: str,
             field: str = "") -> Key:
    return Key(name, "number", doc, default, unit="seconds", range=(low, high), field=field)


#: Every table and key of a kiosk config, with its unit, range and default; docs/kiosk.toml
#: is the documented sample (tests/test_schema.py holds the two together).
KIOSK = Table(
    (
        _table(
            "kiosk",
            Key("scene", "path", "the scene file the booth shows (default: Sangmu)",
                check=_scene_file),
            Key("language", "choice", "the language every visit starts in", "ko",
                choices=LANGUAGES),
            Key("booth", "str", "the booth's id in the visit database (default: host name)",
                expected="a booth id of 1-64 characters: letters, digits, '.', '_', '-', "
                         'starting with a letter or digit (e.g. "hall-a-1")', check=_booth),
        ),
        _table(
            "display",
            Key("size", "str", "window size in pixels", (1920, 1080),
                expected='a size "WIDTHxHEIGHT" in pixels, width from '
                         f'{_WIDTH[0]} to {_WIDTH[1]} and height from {_HEIGHT[0]} to '
                         f'{_HEIGHT[1]}, e.g. "1920x1080"', check=_size),
            Key("fullscreen", "bool", "fill the whole screen, with no window frame", True),
            Key("quality", "choice", "lighting and shadows: auto (chosen for the renderer), "
                "low, medium or high (docs/daylight.md)", "auto", choices=QUALITY_CHOICES),
            _seconds("hide_cursor_after", 0.5, 60, 2.0, "the pointer hides once still this long"),
        ),
        _table(
            "timing",
            _seconds("attract_after", 5, 3600, 60.0, "no visitor this long: the attract loop"),
            _seconds("reset_after", 10, 3600, 90.0, "no input this long: the countdown"),
            Key("countdown", "int", "the countdown before the reset", 10, unit="seconds",
                range=(3, 60)),
        ),
        _table(
            "attract",
            _seconds("dwell_seconds", 3, 120, 12.0, "the attract camera's time per pavilion",
                     field="attract_dwell"),
            Key("play_day", "bool", "play a sped-up day (sun and shadows) during the loop",
                False),
            Key("day_rate", "number", "how fast that day plays: 1800 is an hour every 2 s",
                1800.0, unit="scene seconds per second", range=(60, 86400)),
        ),
        _table(
            "operator",
            Key("pin_hash", "any", "from `gwangju-twin kiosk pin` (default: no operator PIN)",
                check=_pin_hash),
            Key("corner", "choice", "where the operator's hidden hold is", "top-left",
                choices=CORNERS),
            _seconds("hold_seconds", 1, 10, 3.0, "how long the operator holds that corner"),
        ),
        _table(
            "watchdog",
            _seconds("heartbeat_timeout", 2, 300, 10.0, "no heartbeat this long: a restart"),
            # The watchdog's own bound: with the time to notice, a restart comes within 5 s.
            _seconds("restart_delay", 0, MAX_RESTART_DELAY, 1.0,
                     "between a crash and the restart"),
            Key("max_crashes", "int", "crashes in the window before the safe scene", 3,
                unit="crashes", range=(1, 100)),
            Key("crash_window_minutes", "number", "the window max_crashes are counted in", 10.0,
                unit="minutes", range=(1, 1440)),
            Key("safe_scene", "path", "the safe fallback (default: the scene with no plugins)",
                check=_scene_file),
        ),
        _table(
            "logs",
            Key("folder", "path", "the kiosk's log folder (default: the per-user one)",
                check=_log_folder, field="log_folder"),
            Key("max_bytes", "int", "size at which a log file is rotated", 1_000_000,
                unit="bytes", range=(10_000, 100_000_000), field="log_max_bytes"),
            Key("backups", "int", "rotated log files kept", 5, unit="files", range=(1, 50),
                field="log_backups"),
        ),
        _table(
            "analytics",
            Key("database", "path", "the visit statistics (default: the per-user one)",
                check=_database),
        ),
        _table(
            "plugins",
            Key("allow", "list", "the plugins allowed to run", KioskConfig.allow,
                expected='an array of plugin ids, each "id", "id==version" or either with '
                         '"@sha256:HASH" (e.g. ["gwangju.solar==1.0.0"]; [] for no plugins)',
                check=_allow_list),
            Key("assign", "table", "which plugin runs in which pavilion, over the scene's", {},
                expected='a table of plugin id = pavilion id (e.g. { "acme.xray" = "" })',
                check=_assign_table),
        ),
        _table(
            "presence",
            Key("join", "str", "the shared room the booth joins (default: none, alone)",
                expected='a room URL "ws://HOST:PORT/ROOM" (e.g. "ws://10.0.0.2:8765/sangmu")',
                check=_join),
            Key("token", "str", "the room's token, when the room needs one",
                check=_room_token, field="room_token"),
            Key("guide", "bool", "this booth leads the room's group tours", False),
        ),
    ),
    wording=_Says(),
)


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
    tables = walk(doc, KIOSK, path)
    # None is "not set": the place-like defaults (log folder, database) are the config's own.
    values = {k: v for table in tables.values() for k, v in table.items() if v is not None}
    config = KioskConfig(path=path, **values)
    allowed = {entry.id for entry in config.allow}
    for plugin_id in config.assign:
        # The booth would start and leave that pavilion to its sector's panel, with only a
        # log line to say why: an operator's slip, caught where the operator looks.
        if plugin_id not in allowed:
            raise InputError(f"{path}: [plugins] assign names {plugin_id}, which [plugins] "
                             f"allow does not list; an assigned plugin must be on the allow "
                             f"list: add {show_value(plugin_id)} there, or drop the assignment")
    return config
