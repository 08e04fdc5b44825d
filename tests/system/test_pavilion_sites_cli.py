"""Pavilion sites through ``gwangju-twin inspect``: the report lists the buildings a scene's
sites clear (tests/pure/test_pavilion_sites.py places the same sites in process)."""

from __future__ import annotations

import json
import shutil

from gwangju_twin.resources import default_scene_path


def test_inspect_lists_the_buildings_a_scene_clears(cli, tmp_path):
    shutil.copy(default_scene_path(), tmp_path / "s.toml")
    out = cli("inspect", str(default_scene_path()), "--json")
    assert out.returncode == 0, out.stderr
    cleared = json.loads(out.stdout)["cleared"]
    assert cleared and all("cleared for pavilion" in c["reason"] for c in cleared)
