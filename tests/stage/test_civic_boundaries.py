"""The civic participation map beside a real boundary file: the scene's dongs (the
statistics office's, of all Gwangju) are the ones it outlines and sums proposals by, not the
schematic dongs in the default district's own data."""

from __future__ import annotations

from pathlib import Path

from scene_builders import default_scene_text

import gwangju_twin.demos.civic as civic
from gwangju_twin.plugins.testing import run_lifecycle

FOLDER = Path(civic.__file__).parent


def test_the_demo_prefers_the_scenes_boundary_file(shared_data: Path, tmp_path: Path) -> None:
    source = (shared_data / "gwangju_hangjeongdong_admdongkor.geojson").as_posix()
    scene = tmp_path / "scene.toml"
    scene.write_text(f'{default_scene_text()}\n[boundaries]\nsource = "{source}"\n', "utf-8")
    result = run_lifecycle(FOLDER, seconds=0.5, scene=scene)
    assert result.errors == [] and result.state == "unloaded"
    shown = " ".join(result.panel_ko)
    # 치평동 is in both; 유덕동 reaches into the district in the real boundaries (the file)
    # but is not one of the default district's three schematic dongs (its spec).
    assert "치평동" in shown and "유덕동" in shown
