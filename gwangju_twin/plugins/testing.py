"""Test helpers for plugin authors: run a plugin's whole lifecycle without a window.

    from gwangju_twin.plugins.testing import run_lifecycle

    def test_demo_runs():
        result = run_lifecycle("src/my_demo", seconds=2.0)
        assert result.errors == []
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

# found_in_folder is also part of this module's API, for plugin authors' tests.
from gwangju_twin.plugins.discovery import found_in_folder

if TYPE_CHECKING:
    from gwangju_twin.app.programs import LifecycleResult


def run_lifecycle(plugin: str | Path, seconds: float = 2.0, scene: str | Path | None = None,
                  dt: float = 1 / 30) -> LifecycleResult:
    """Load, enter, update for ``seconds``, exit and unload the plugin in folder ``plugin``.

    The plugin runs in the pavilion of its sector in ``scene`` (default: the Sangmu scene),
    headless. The result has ``state`` ("unloaded" when all went well), ``errors`` (the
    failing hook, reason and traceback), the panel's text in Korean and English
    (``panel_ko``/``panel_en``, as it was just before exit), ``frames`` and ``nodes``.
    """
    from gwangju_twin.app.programs import exercise_plugin
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    found = found_in_folder(Path(plugin))
    return exercise_plugin(found, load_scene(scene or default_scene_path()), seconds, dt)
