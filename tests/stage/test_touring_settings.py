"""The viewer's settings file as the desktop interface meets it (a window of its own: one
ShowBase per test module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwangju_twin.app.stage import Interface, Stage, StageOptions
from gwangju_twin.expo.prepared import prepare
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene
from gwangju_twin.settings import Settings, load_settings

pytestmark = pytest.mark.render


def test_a_corrupt_settings_file_is_reported_and_replaced_by_defaults(
        tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\x00\xff mouse_sensitivity = = 3\n[[")
    prepared = prepare(load_scene(default_scene_path()))
    stage = Stage(prepared, "offscreen", (320, 200),
                  StageOptions(interface=Interface.DESKTOP, settings=load_settings(path)))
    try:
        t = stage.touring
        assert t.settings == Settings()
        assert t.problems and str(path) in t.problems[0]
        assert any(str(path) in line for line in t.toast.text())
        assert load_settings(path).problems == ()  # replaced by a good file
    finally:
        stage.close()
