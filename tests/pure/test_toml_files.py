"""Hostile TOML in every kind of file the project reads (scene, kiosk config, plugin
manifest): deep nesting and over-long integers end in one line naming the file, never a
RecursionError or a ValueError traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_helpers import run_cli

from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.config import load_kiosk_config
from gwangju_twin.plugins.manifest import ManifestError, read_manifest
from gwangju_twin.scene import load_scene
from gwangju_twin.tomlfile import MAX_DEPTH

#: Documents that break a naive reader: arrays and inline tables deep enough to overflow the
#: parser's stack, dotted keys and headers that parse into tables nested far deeper than any
#: file needs, and an integer longer than Python converts.
HOSTILE = {
    "deep-array": "x = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "deep-inline-table": "x = " + "{ a = " * 50_000 + "1" + " }" * 50_000 + "\n",
    # Python's TOML parser takes quadratic time on long dotted keys (50,000 parts: over a
    # minute), so these must be refused before parsing.
    "deep-header": "[" + ".".join(["a"] * 50_000) + "]\nb = 1\n",
    "deep-dotted-key": ".".join(["k"] * 50_000) + " = 1\n",
    "deep-quoted-key": '"k".' * 50_000 + '"k" = 1\n',
    # Each key short enough, the two together too deep: caught after parsing.
    "deep-header-and-key": "[" + ".".join(["a"] * 20) + "]\n" + ".".join(["b"] * 20) + " = 1\n",
    "long-integer": "x = " + "9" * 5000 + "\n",
}
WHY = {
    "deep-array": "nested too deeply",
    "deep-inline-table": "nested too deeply",
    "deep-header": "a dotted key or table header of 50000 parts",
    "deep-dotted-key": "a dotted key or table header of 50000 parts",
    "deep-quoted-key": "a dotted key or table header of 50001 parts",
    "deep-header-and-key": f"is nested more than {MAX_DEPTH} levels deep",
    "long-integer": "number is too long",
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_line(result, path: Path, why: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("gwangju-twin: error:") and str(path) in lines[0]
    assert why in lines[0]


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_toml_is_one_error_for_every_reader(case: str, tmp_path: Path) -> None:
    for reader, error, name in ((load_scene, InputError, "scene.toml"),
                                (load_kiosk_config, InputError, "kiosk.toml"),
                                (read_manifest, ManifestError, "pavilion.toml")):
        path = _write(tmp_path, name, HOSTILE[case])
        with pytest.raises(error) as err:
            reader(path)
        message = str(err.value)
        assert str(path) in message and WHY[case] in message, message
        assert "\n" not in message and len(message) < 400


def test_dots_in_strings_comments_and_numbers_are_not_keys(tmp_path: Path) -> None:
    """The scan before parsing skips strings and comments: long dotted text is fine."""
    q3 = "'" * 3
    text = ("# " + "." * 100 + "\n" + 'x = "' + "a." * 100 + '"\n' + "y = " + q3 + "b." * 100
            + q3 + "\n" + "z = [" + ", ".join(["1.5"] * 100) + "]\n")
    path = _write(tmp_path, "pavilion.toml", text)
    with pytest.raises(ManifestError, match="unknown key 'x'"):
        read_manifest(path)


def test_a_deep_scene_through_the_cli(tmp_path: Path) -> None:
    path = _write(tmp_path, "scene.toml", HOSTILE["deep-array"])
    _one_line(run_cli("render", str(path), "--out", str(tmp_path / "x.png")), path,
              "nested too deeply")
    assert not (tmp_path / "x.png").exists()


def test_a_deep_kiosk_config_through_the_cli(tmp_path: Path) -> None:
    path = _write(tmp_path, "kiosk.toml", HOSTILE["deep-inline-table"])
    _one_line(run_cli("kiosk", "report", "--config", str(path)), path, "nested too deeply")


def test_a_deep_manifest_through_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "deep-plugin"
    folder.mkdir()
    path = _write(folder, "pavilion.toml", HOSTILE["deep-array"])
    result = run_cli("plugins", "check", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    assert f"FAIL manifest: {path}" in result.stdout and "nested too deeply" in result.stdout


def test_keys_in_messages_stay_on_one_line(tmp_path: Path) -> None:
    """A quoted key may hold a line break; the message escapes it."""
    path = _write(tmp_path, "scene.toml",
                  "[" + '"a\\nb".' * 20 + "c]\n" + '"a\\nb".' * 20 + "c = 1\n")
    with pytest.raises(InputError) as err:
        load_scene(path)
    assert "\n" not in str(err.value) and "a\\x0ab" in str(err.value)


def test_nesting_the_project_needs_still_reads(tmp_path: Path) -> None:
    """MAX_DEPTH leaves room: a tour stop inside [tour] is three levels."""
    path = _write(tmp_path, "pavilion.toml", "x = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(ManifestError, match="unknown key 'x'"):
        read_manifest(path)
