"""Hostile TOML in every kind of file the project reads (scene, kiosk config, plugin
manifest): deep nesting and over-long integers end in one line naming the file, never a
RecursionError or a ValueError traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_toml import HOSTILE, WHY
from hostile_toml import write_toml as _write

from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.config import load_kiosk_config
from gwangju_twin.plugins.manifest import ManifestError, read_manifest
from gwangju_twin.scene import load_scene
from gwangju_twin.tomlfile import MAX_DEPTH


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
