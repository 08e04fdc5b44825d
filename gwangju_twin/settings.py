"""Per-user viewer settings (mouse sensitivity, invert-Y, language, ...) in the platform's
config folder, and where screenshots go.

Pure: no window. A settings file is the user's to edit, so a broken one never stops the
viewer: it is reported in one line per problem, set aside or repaired, and defaults are used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import platformdirs
import tomli_w

from gwangju_twin import APP_NAME
from gwangju_twin.identifiers import JOIN_URL, PAVILION_ID, PLUGIN_ID
from gwangju_twin.language import LANGUAGES, Language
from gwangju_twin.schema import CheckError, Key, Spot, Table, Wording, accepts, walk
from gwangju_twin.tomlfile import MAX_DEPTH, Trouble, UnreadableError, parse_toml, show_value

SETTINGS_FILE = "settings.toml"

#: How the city is lit (docs/daylight.md): "low" the fixed-function look without shadows (a
#: software renderer's speed), "medium" one shadow map re-rendered only when the sun or the
#: view moves, "high" a bigger map with soft edges; "auto" chooses from the renderer found.
Quality = Literal["low", "medium", "high"]
QUALITIES: tuple[Quality, ...] = ("low", "medium", "high")
QualityChoice = Literal["auto", "low", "medium", "high"]
QUALITY_CHOICES: tuple[QualityChoice, ...] = ("auto", *QUALITIES)
#: The folder under the platform's pictures folder that screenshots go to by default.
SCREENSHOT_SUBFOLDER = "Gwangju Twin"
SENSITIVITY_RANGE = (0.1, 5.0)
_HEADER = "# Gwangju Twin viewer settings (safe to edit: a bad value is reset to its default)\n"


@dataclass(frozen=True)
class Settings:
    """What a visitor can set; every instance holds valid values (ValueError otherwise)."""

    mouse_sensitivity: float = 1.0  # multiplies mouse look and orbit speed, 0.1 .. 5.0
    invert_y: bool = False
    language: Language = "ko"
    hud: bool = False  # FPS / draw-call overlay shown at start
    minimap: bool = True
    screenshot_folder: str = ""  # "" = the platform's pictures folder / "Gwangju Twin"
    # ws://HOST:PORT/ROOM: the shared room the viewer joins at start ("" = alone; --join wins)
    join: str = ""
    quality: QualityChoice = "auto"  # lighting and shadows (docs/daylight.md)
    # plugin id -> pavilion id ("" = the pavilion of the plugin's sector): gwangju-twin plugins
    # assign / unassign; the viewer runs these plugins there without a scene file.
    assign: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in SETTINGS.keys:
            value = getattr(self, key.name)
            if not accepts(key, value):
                raise ValueError(f"{key.name} is {show_value(value)}; expected "
                                 f"{_SAYS.expected(key, value)}")
        # An int from TOML or the caller is a fine sensitivity, but the field is a float.
        object.__setattr__(self, "mouse_sensitivity", float(self.mouse_sensitivity))
        # A copy: the caller's dict changing later must not change frozen settings.
        object.__setattr__(self, "assign", dict(self.assign))

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied; ValueError on a bad value, TypeError on an
        unknown setting."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class SettingsLoad:
    """The outcome of load_settings: the settings to use, the file, and what was wrong."""

    settings: Settings
    path: Path
    problems: tuple[str, ...]  # one line each, naming the file and key; empty when all was fine

    @classmethod
    def shared(cls, language: str) -> SettingsLoad:
        """The defaults in ``language``, read from no one's settings file: what every kiosk
        visitor and every rendered picture share."""
        return cls(Settings().with_(language=language), Path(os.devnull), ())


class _Says(Wording):
    """A settings file's words: ``'language' is "fr"; expected "ko" or "en", using "ko"``."""

    quote = staticmethod(json.dumps)

    def where(self, table: str, key: str) -> str:
        """``'key'``, or ``'table.key'`` inside a table."""
        return "'" + ".".join(p for p in (table, key) if p) + "'"

    def show(self, key: Key, value: Any) -> str:
        """As TOML writes it."""
        return show_value(value)

    def expected(self, key: Key, value: Any) -> str:
        """A number's range, whatever was written instead."""
        if key.kind == "number" and key.range is not None:
            return f"a number from {key.range[0]} to {key.range[1]}"
        return super().expected(key, value)

    def wrong(self, spot: Spot, value: Any, expected: str = "") -> str:
        """... and the default used instead."""
        assert spot.key is not None
        wrong = super().wrong(spot, value, expected)
        return f"{wrong}, using {show_value(spot.key.default)}"

    def unknown(self, spot: Spot, table: Table, name: str, value: Any) -> str:
        """An unknown setting is dropped."""
        return (f"unknown setting '{name}' dropped; expected one of "
                + ", ".join(k.name for k in table.keys))


def _no_nul(text: str, spot: Spot) -> str:
    if "\0" in text:
        raise CheckError
    return text


def _assignments(table: dict[str, Any], spot: Spot) -> dict[str, str]:
    for plugin, pavilion in table.items():
        if not PLUGIN_ID.fullmatch(plugin):
            raise CheckError(message=f"{spot.where} names {json.dumps(plugin)}, which is not a "
                             'plugin id (e.g. "gwangju.solar"); using no assignments')
        if not isinstance(pavilion, str) or (pavilion and not PAVILION_ID.fullmatch(pavilion)):
            raise CheckError(message=f"{spot.where} gives {plugin} {show_value(pavilion)}; "
                             'expected a pavilion id ("" for its sector\'s pavilion), using no '
                             "assignments")
    return dict(table)


def _join_url(text: str, spot: Spot) -> str:
    if text and not JOIN_URL.fullmatch(text):
        raise CheckError
    return text


_SAYS = _Says()
#: Every setting (docs/touring.md, "Settings"), in the order of Settings' fields.
SETTINGS = Table(
    (
        Key("mouse_sensitivity", "number", "multiplies mouse look and orbit speed", 1.0,
            range=SENSITIVITY_RANGE),
        Key("invert_y", "bool", "the mouse's up and down swapped", False),
        Key("language", "choice", "the interface language", "ko", choices=LANGUAGES),
        Key("hud", "bool", "the FPS / draw-call overlay shown at start", False),
        Key("minimap", "bool", "the minimap shown", True),
        Key("screenshot_folder", "path", "where screenshots go", "",
            expected='a folder path as text ("" for the pictures folder)', check=_no_nul),
        Key("join", "str", "the shared room joined at start", "",
            expected='"ws://HOST:PORT/ROOM" ("" to tour alone)', check=_join_url),
        Key("quality", "choice", "lighting and shadows: auto, low, medium or high", "auto",
            choices=QUALITY_CHOICES),
        Key("assign", "table", "which installed plugin runs in which pavilion", {},
            check=_assignments),
    ),
    wording=_SAYS,
)
#: How a settings file that cannot be read is described (see tomlfile.UnreadableError).
_UNREADABLE: dict[Trouble, str] = {
    "long key": f"has keys nested more than {MAX_DEPTH} levels deep",
    "syntax": "not valid TOML ({detail})",
    "nested": f"nested more than {MAX_DEPTH} levels deep",
    "long number": "holds a number too long to read",
    "deep": f"has keys nested more than {MAX_DEPTH} levels deep",
}


def settings_path() -> Path:
    """Where this user's settings live (on Linux under $XDG_CONFIG_HOME, default ~/.config)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / SETTINGS_FILE


def load_settings(path: Path | None = None) -> SettingsLoad:
    """The settings in ``path`` (default: settings_path()); never raises.

    No file gives the defaults. A file that cannot be read or parsed is kept aside as
    ``<name>.corrupt`` (``.corrupt-2``, ... if taken) and replaced by a defaults file. A bad
    or unknown key falls back to its default and the file is rewritten with the rest kept.
    """
    path = path or settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return SettingsLoad(Settings(), path, ())
    except OSError as exc:
        return SettingsLoad(Settings(), path, (_set_aside(path, f"cannot be read ({_why(exc)})"),))
    try:
        doc = parse_toml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return SettingsLoad(Settings(), path, (_set_aside(path, "not UTF-8 text"),))
    except UnreadableError as exc:
        what = _UNREADABLE[exc.trouble].format(detail=exc.detail)
        return SettingsLoad(Settings(), path, (_set_aside(path, what),))
    problems: list[str] = []
    settings = Settings(**walk(doc, SETTINGS, path, problems=problems))
    if problems:
        try:
            save_settings(settings, path)
        except OSError as exc:
            problems.append(f"{path}: could not write the repaired settings ({_why(exc)})")
    return SettingsLoad(settings, path, tuple(problems))


def _set_aside(path: Path, what: str) -> str:
    """Move the unusable file at ``path`` out of the way and write defaults in its place;
    the one-line problem saying so (or what failed)."""
    kept = path.with_name(path.name + ".corrupt")
    n = 2
    while kept.exists() or kept.is_symlink():
        kept = path.with_name(f"{path.name}.corrupt-{n}")
        n += 1
    try:
        os.rename(path, kept)
    except OSError as exc:
        # Writing defaults over it now would lose what the user had: leave it be.
        return (f"{path}: {what}; using defaults (could not keep it aside as {kept.name}: "
                f"{_why(exc)})")
    try:
        save_settings(Settings(), path)
    except OSError as exc:
        return (f"{path}: {what}; kept it as {kept}, using defaults (could not write a new "
                f"settings file: {_why(exc)})")
    return f"{path}: {what}; kept it as {kept} and wrote a new file with the defaults"


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` to ``path`` (default: settings_path()), creating its folder.

    Atomic (a temporary file in the same folder, then os.replace), so a crash mid-write
    leaves the old file whole. Raises OSError on failure; the caller reports it.
    """
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _HEADER + tomli_w.dumps(dataclasses.asdict(settings))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def screenshot_folder(settings: Settings) -> Path:
    """Where screenshots go: the user's folder, else the platform's pictures folder /
    "Gwangju Twin". Not created here."""
    if settings.screenshot_folder:
        return Path(settings.screenshot_folder).expanduser()
    return platformdirs.user_pictures_path() / SCREENSHOT_SUBFOLDER


def screenshot_path(settings: Settings, now: datetime) -> Path:
    """A new file name for a screenshot taken at ``now``:
    ``<folder>/gwangju-twin-YYYYMMDD-HHMMSS.png``, with ``-2``, ``-3``, ... when taken, so
    two shots in one second never overwrite each other. The caller creates the folder."""
    folder = screenshot_folder(settings)
    stem = f"gwangju-twin-{now:%Y%m%d-%H%M%S}"
    path = folder / f"{stem}.png"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.png"
        n += 1
    return path

