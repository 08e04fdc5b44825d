"""Per-user settings: where they live, round trips, and every way a settings file can be
broken (reported, set aside or repaired, never a crash)."""

from __future__ import annotations

import dataclasses
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from gwangju_twin.settings import (
    Settings,
    load_settings,
    save_settings,
    screenshot_folder,
    screenshot_path,
    settings_path,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CUSTOM = Settings(mouse_sensitivity=2.5, invert_y=True, language="en", hud=True, minimap=False,
                  screenshot_folder="/tmp/shots")
DEFAULTS = dataclasses.asdict(Settings())


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.toml"


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _read(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


# -- where and round trip ------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="XDG_CONFIG_HOME is the Linux convention; macOS and Windows differ")
def test_settings_path_honours_xdg_config_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert settings_path() == tmp_path / "xdg" / "gwangju-twin" / "settings.toml"


def test_default_path_is_used_when_none_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "xdg"))  # harmless off Windows
    written = save_settings(CUSTOM)
    assert written == settings_path()
    assert load_settings().settings == CUSTOM


def test_no_file_gives_defaults_and_writes_nothing(path: Path) -> None:
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.problems == ()
    assert loaded.path == path
    assert not path.parent.exists()


def test_round_trip_creates_the_folder_and_a_commented_file(path: Path) -> None:
    assert save_settings(CUSTOM, path) == path
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert _read(path)["mouse_sensitivity"] == 2.5
    loaded = load_settings(path)
    assert loaded.settings == CUSTOM
    assert loaded.problems == ()
    # No temporary file is left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]


def test_missing_keys_take_their_defaults_quietly(path: Path) -> None:
    _write(path, "invert_y = true\nmouse_sensitivity = 2\n")
    loaded = load_settings(path)
    assert loaded.settings == Settings(invert_y=True, mouse_sensitivity=2.0)
    assert isinstance(loaded.settings.mouse_sensitivity, float)  # an int is fine for a float
    assert loaded.problems == ()


def test_with_validates() -> None:
    s = Settings().with_(mouse_sensitivity=3, language="en")
    assert (s.mouse_sensitivity, s.language) == (3.0, "en")
    for bad in ({"mouse_sensitivity": 0.0}, {"mouse_sensitivity": 5.5},
                {"mouse_sensitivity": float("nan")}, {"mouse_sensitivity": True},
                {"language": "fr"}, {"invert_y": 1}, {"hud": "yes"}, {"screenshot_folder": 3}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            Settings().with_(**bad)
    with pytest.raises(TypeError):
        Settings().with_(colour="red")
    with pytest.raises(ValueError):
        Settings(mouse_sensitivity=9)


# -- unusable files: kept aside, defaults written ------------------------------------------


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage", "not UTF-8"),
        (b"mouse_sensitivity = 2.0\ninvert_y = tr", "not valid TOML"),  # half-written
        (b'mouse_sensitivity = 2.0\nlanguage = "en', "not valid TOML"),  # cut inside a string
        (b"[1, 2, 3]\n", "not valid TOML"),  # an array where the document's table should be
        (b"language = " + b"[" * 5000 + b"]" * 5000 + b"\n", "levels deep"),  # RecursionError
        (b"a" + b".a" * 5000 + b" = 1\n", "levels deep"),  # quadratic in the parser
        (b"mouse_sensitivity = " + b"9" * 5000 + b"\n", "number too long"),  # int digits
    ],
    ids=["binary", "half-written", "cut-string", "top-level-array", "nested-arrays",
         "dotted-key", "huge-integer"],
)
def test_unusable_file_is_kept_aside_and_replaced(path: Path, content: bytes, what: str) -> None:
    _write(path, content)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    [problem] = loaded.problems
    kept = path.with_name("settings.toml.corrupt")
    assert str(path) in problem and what in problem and str(kept) in problem
    assert "\n" not in problem
    assert kept.read_bytes() == content
    assert _read(path) == DEFAULTS
    assert load_settings(path).problems == ()  # the fresh file is fine


def test_second_corruption_does_not_overwrite_the_first_copy(path: Path) -> None:
    _write(path, b"first = \xff")
    load_settings(path)
    _write(path, b"second = [")
    [problem] = load_settings(path).problems
    assert path.with_name("settings.toml.corrupt").read_bytes() == b"first = \xff"
    assert path.with_name("settings.toml.corrupt-2").read_bytes() == b"second = ["
    assert "settings.toml.corrupt-2" in problem
    _write(path, b"third")
    load_settings(path)
    assert path.with_name("settings.toml.corrupt-3").read_bytes() == b"third"


def test_unreadable_file_is_kept_aside(path: Path) -> None:
    # A folder where the file should be cannot be read on any platform, even by root.
    (path / "inside").mkdir(parents=True)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    [problem] = loaded.problems
    assert "cannot be read" in problem and str(path) in problem
    assert (path.with_name("settings.toml.corrupt") / "inside").is_dir()
    assert _read(path) == DEFAULTS


# -- bad values: that key's default, the rest kept, the file repaired ----------------------


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("mouse_sensitivity = 9.0", "mouse_sensitivity",
         "'mouse_sensitivity' is 9.0; expected a number from 0.1 to 5.0, using 1.0"),
        ("mouse_sensitivity = 0", "mouse_sensitivity", "'mouse_sensitivity' is 0; expected"),
        ("mouse_sensitivity = nan", "mouse_sensitivity", "'mouse_sensitivity' is nan; expected"),
        ('mouse_sensitivity = "fast"', "mouse_sensitivity", "'mouse_sensitivity' is \"fast\""),
        ("mouse_sensitivity = true", "mouse_sensitivity", "'mouse_sensitivity' is true"),
        ('language = "fr"', "language", "'language' is \"fr\"; expected \"ko\" or \"en\", "
         "using \"ko\""),
        ("language = 1", "language", "'language' is 1"),
        ("invert_y = 1", "invert_y", "'invert_y' is 1; expected true or false, using false"),
        ('minimap = "yes"', "minimap", "'minimap' is \"yes\"; expected true or false, using true"),
        ("hud = [true]", "hud", "'hud' is an array; expected true or false"),
        ("screenshot_folder = 12", "screenshot_folder", "'screenshot_folder' is 12; expected"),
        ("screenshot_folder = { a = 1 }", "screenshot_folder", "'screenshot_folder' is a table"),
    ],
)
def test_bad_value_falls_back_to_its_default_and_is_repaired(
    path: Path, line: str, key: str, expected: str
) -> None:
    good = {"language": 'language = "en"', "invert_y": "invert_y = true",
            "mouse_sensitivity": "mouse_sensitivity = 3.5"}
    lines = [v for k, v in good.items() if k != key] + [line]
    _write(path, "\n".join(lines) + "\n")
    loaded = load_settings(path)
    [problem] = loaded.problems
    assert problem.startswith(f"{path}: ")
    assert expected in problem
    kept = {k: v for k, v in {"language": "en", "invert_y": True,
                              "mouse_sensitivity": 3.5}.items() if k != key}
    assert loaded.settings == Settings(**kept)
    assert getattr(loaded.settings, key) == getattr(Settings(), key)
    on_disk = _read(path)
    assert on_disk[key] == getattr(Settings(), key)
    assert load_settings(path) == loaded.__class__(loaded.settings, path, ())
    assert not path.with_name("settings.toml.corrupt").exists()


def test_unknown_keys_are_reported_and_dropped(path: Path) -> None:
    _write(path, 'invert_y = true\ncolour = "red"\n[viewer]\nfov = 60\n')
    loaded = load_settings(path)
    assert loaded.settings == Settings(invert_y=True)
    assert len(loaded.problems) == 2
    assert "unknown setting 'colour'" in loaded.problems[0]
    assert "unknown setting 'viewer'" in loaded.problems[1]
    assert all(p.startswith(str(path)) for p in loaded.problems)
    assert set(_read(path)) == set(DEFAULTS)


# -- when even writing fails -----------------------------------------------------------------


def test_a_file_where_the_folder_should_be_never_raises(tmp_path: Path) -> None:
    """The same failure as an unwritable folder, but one that root cannot write past either:
    the settings 'folder' is a file, so nothing can be created in it."""
    blocker = tmp_path / "config"
    blocker.write_text("not a folder")
    path = blocker / "settings.toml"
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    [problem] = loaded.problems
    assert problem.startswith(f"{path}: cannot be read") and "could not keep it aside" in problem
    assert blocker.read_text() == "not a folder"
    with pytest.raises(OSError):
        save_settings(Settings(), path)


def test_repair_that_cannot_be_written_is_reported(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gwangju_twin.settings as module

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    _write(path, "mouse_sensitivity = 99\n")
    monkeypatch.setattr(module.tempfile, "mkstemp", refuse)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert len(loaded.problems) == 2
    assert "could not write the repaired settings (Permission denied)" in loaded.problems[1]

    _write(path, b"\xff")
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    [problem] = loaded.problems
    assert "kept it as" in problem and "could not write a new settings file" in problem
    assert not path.exists()  # the bad one is aside; defaults are used in memory


def test_failed_save_leaves_the_old_file_and_no_temporary(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(CUSTOM, path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_settings(Settings(), path)
    monkeypatch.undo()
    assert load_settings(path).settings == CUSTOM
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]


# -- screenshots -----------------------------------------------------------------------------


def test_screenshot_folder_defaults_to_pictures() -> None:
    folder = screenshot_folder(Settings())
    assert folder.name == "Gwangju Twin"
    assert screenshot_folder(Settings(screenshot_folder="~/shots")) == Path.home() / "shots"


def test_screenshot_path_pattern_and_no_overwrite(tmp_path: Path) -> None:
    settings = Settings(screenshot_folder=str(tmp_path))
    now = datetime(2026, 3, 7, 9, 5, 2)
    first = screenshot_path(settings, now)
    assert first == tmp_path / "gwangju-twin-20260307-090502.png"
    first.write_bytes(b"png")
    second = screenshot_path(settings, now)
    assert second.name == "gwangju-twin-20260307-090502-2.png"
    second.write_bytes(b"png")
    assert screenshot_path(settings, now).name == "gwangju-twin-20260307-090502-3.png"
    assert first.read_bytes() == b"png"
    assert screenshot_path(settings, datetime(2026, 3, 7, 9, 5, 3)).name.endswith("0503.png")
