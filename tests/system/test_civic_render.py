"""The civic participation map rendered offscreen by the command line (`render --enter
administration --ui`), in Korean and English: its own drawing (the dongs' outlines on the
ground and their labels) is in the picture, not only its panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import read_png, run_cli
from scene_builders import default_scene_text

pytestmark = pytest.mark.render

SIZE = "960x540"  # outlines of a whole-district view are thin: enough pixels to count them


def _render(tmp_path: Path, name: str, *args: str) -> tuple[np.ndarray, str]:
    out = run_cli("render", *args, "--enter", "administration", "--ui", "--seconds", "1",
                  "--size", SIZE, "--out", str(tmp_path / f"{name}.png"))
    assert out.returncode == 0, out.stderr[-2000:]
    return read_png(tmp_path / f"{name}.png").astype(int), out.stdout


def _outline(img: np.ndarray) -> np.ndarray:
    """The dongs' outline colour (violet), which neither roads, roofs nor parks have."""
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return (b > 120) & (r > 80) & (b - g > 60) & (r - g > 30)


def _city(img: np.ndarray) -> np.ndarray:
    """The city outside the toolbar, the panel and the minimap: where the demo draws."""
    h, w, _ = img.shape
    city = np.ones((h, w), bool)
    city[: h // 8] = False
    city[: int(h * 0.65), int(w * 0.72):] = False
    city[int(h * 0.62):, : int(w * 0.2)] = False
    return city


def test_the_dongs_are_in_the_picture_in_korean_and_english(tmp_path: Path) -> None:
    # The same view without the demo: the default scene with its administration pavilion empty.
    scene = default_scene_text()
    assert 'plugin = "gwangju.civic"\n' in scene
    (tmp_path / "empty.toml").write_text(scene.replace('plugin = "gwangju.civic"\n', ""),
                                         encoding="utf-8")
    empty, _ = _render(tmp_path, "empty", str(tmp_path / "empty.toml"))
    ko, said = _render(tmp_path, "ko")
    en, _ = _render(tmp_path, "en", "--language", "en")
    assert "pavilion administration: plugin gwangju.civic loaded, visitor inside" in said
    h, w, _ = ko.shape
    city = _city(ko)
    assert _outline(empty[city]).sum() < 30
    for shown in (ko, en):
        assert _outline(shown[city]).sum() > 300  # ten times what the empty scene has
    panel = (slice(h // 12, int(h * 0.35)), slice(int(w * 0.74), w))
    assert np.any(np.abs(ko - en) > 12, axis=2)[panel].mean() > 0.02


def test_the_dongs_of_a_boundary_file_are_drawn_instead(shared_data: Path,
                                                        tmp_path: Path) -> None:
    """With the real Gwangju dongs beside the district, the outlines drawn are theirs: in
    the picture, and not where the schematic dongs' outlines are."""
    source = (shared_data / "gwangju_hangjeongdong_admdongkor.geojson").as_posix()
    (tmp_path / "real.toml").write_text(
        f'{default_scene_text()}\n[boundaries]\nsource = "{source}"\n', encoding="utf-8")
    schematic, _ = _render(tmp_path, "schematic")
    real, said = _render(tmp_path, "real", str(tmp_path / "real.toml"))
    assert "pavilion administration: plugin gwangju.civic loaded, visitor inside" in said
    city = _city(real)
    ours, theirs = _outline(real) & city, _outline(schematic) & city
    assert ours.sum() > 300
    # Real boundaries are not the schematic boxes: most of their outline pixels are new.
    assert (ours & ~theirs).sum() > 0.5 * ours.sum()
