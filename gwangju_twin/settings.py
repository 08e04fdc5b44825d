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
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from gwangju_twin.language import LANGUAGES
from gwangju_twin.tomlfile import MAX_DEPTH, longest_dotted_key
from gwangju_twin.tomlfile import show_value as _show

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

APP_NAME = "gwangju-twin"
SETTINGS_FILE = "settings.toml"
#: The folder under the platform's pictures folder that screenshots go to by default.
SCREENSHOT_SUBFOLDER = "Gwangju Twin"
SENSITIVITY_RANGE = (0.1, 5.0)
_HEADER = "# Gwangju Twin viewer settings (safe to edit: a bad value is reset to its default)\n"


@dataclass(frozen=True)
class Settings:
    """What a visitor can set; every instance holds valid values (ValueError otherwise)."""

    mouse_sensitivity: float = 1.0  # multiplies mouse look and orbit speed, 0.1 .. 5.0
    invert_y: bool = False
    language: str = "ko"  # one of gwangju_twin.ui.catalogue.LANGUAGES
    hud: bool = False  # FPS / draw-call overlay shown at start
    minimap: bool = True
    screenshot_folder: str = ""  # "" = the platform's pictures folder / "Gwangju Twin"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            expected = _invalid(f.name, value)
            if expected:
                raise ValueError(f"{f.name} is {_show(value)}; expected {expected}")
        # An int from TOML or the caller is a fine sensitivity, but the field is a float.
        object.__setattr__(self, "mouse_sensitivity", float(self.mouse_sensitivity))

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
        return cls(Settings(language=language), Path(os.devnull), ())


def _invalid(name: str, value: Any) -> str | None:
    """What ``name`` expects, when ``value`` is not acceptable for it; None when it is."""
    if name == "mouse_sensitivity":
        lo, hi = SENSITIVITY_RANGE
        # bool is an int subclass, but `mouse_sensitivity = true` is a mistake, not 1.0.
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if number and lo <= value <= hi else f"a number from {lo} to {hi}"
    if name == "language":
        ok = isinstance(value, str) and value in LANGUAGES
        return None if ok else " or ".join(json.dumps(lang) for lang in LANGUAGES)
    if name == "screenshot_folder":
        ok = isinstance(value, str) and "\0" not in value
        return None if ok else 'a folder path as text ("" for the pictures folder)'
    return None if isinstance(value, bool) else "true or false"


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
        text = raw.decode("utf-8")
        if longest_dotted_key(text) > MAX_DEPTH:  # the parser is quadratic in their length
            return SettingsLoad(Settings(), path, (_set_aside(
                path, f"has keys nested more than {MAX_DEPTH} levels deep"),))
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        return SettingsLoad(Settings(), path, (_set_aside(path, "not UTF-8 text"),))
    except tomllib.TOMLDecodeError as exc:
        return SettingsLoad(Settings(), path, (_set_aside(path, f"not valid TOML ({exc})"),))
    except RecursionError:
        return SettingsLoad(Settings(), path, (_set_aside(
            path, f"nested more than {MAX_DEPTH} levels deep"),))
    except ValueError:  # an integer of more than 4300 digits
        return SettingsLoad(Settings(), path, (_set_aside(
            path, "holds a number too long to read"),))

    defaults = Settings()
    values: dict[str, Any] = {}
    problems: list[str] = []
    names = [f.name for f in dataclasses.fields(Settings)]
    for key, value in doc.items():
        if key not in names:
            problems.append(f"{path}: unknown setting '{key}' dropped; expected one of "
                            + ", ".join(names))
            continue
        expected = _invalid(key, value)
        if expected:
            problems.append(f"{path}: '{key}' is {_show(value)}; expected {expected}, "
                            f"using {_show(getattr(defaults, key))}")
        else:
            values[key] = value
    settings = Settings(**values)
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

