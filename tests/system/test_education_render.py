"""The education demo rendered offscreen by the command line (`render --enter education
--ui`), in Korean and English: its own pixels (the O and X answer pads) are in the picture,
not only its panel. The first question flies the camera to its place, with the pads beside
it; a round is drawn at random, so each picture may show another place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import REPO, read_png, run_cli
from scene_builders import default_scene_text

pytestmark = pytest.mark.render

#: Large enough that the pads show in a view of a place far from the pavilion.
SIZE = "960x540"


def _render(tmp_path: Path, name: str, *args: str) -> tuple[np.ndarray, str]:
    out = run_cli("render", *args, "--enter", "education", "--ui", "--seconds", "1",
                  "--size", SIZE, "--out", str(tmp_path / f"{name}.png"))
    assert out.returncode == 0, out.stderr[-2000:]
    return read_png(tmp_path / f"{name}.png").astype(int), out.stdout


def _o_blue(img: np.ndarray) -> np.ndarray:
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return (b > 150) & (b - r > 80) & (b - g > 30)


def _x_red(img: np.ndarray) -> np.ndarray:
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return (r > 150) & (r - g > 80) & (r - b > 80)


def test_the_quiz_is_in_the_picture_in_korean_and_english(tmp_path: Path) -> None:
    # The same view without the demo: the default scene with its education pavilion empty.
    scene = default_scene_text()
    assert 'plugin = "gwangju.education"\n' in scene
    (tmp_path / "empty.toml").write_text(scene.replace('plugin = "gwangju.education"\n', ""),
                                         encoding="utf-8")
    empty, _ = _render(tmp_path, "empty", str(tmp_path / "empty.toml"))
    ko, said = _render(tmp_path, "ko")
    en, _ = _render(tmp_path, "en", "--language", "en")
    assert "pavilion education: plugin gwangju.education loaded, visitor inside" in said
    h, w, _ = ko.shape
    # The city outside the toolbar, the panel and the minimap: where the demo draws.
    city = np.ones((h, w), bool)
    city[: h // 8] = False
    city[: int(h * 0.4), int(w * 0.72):] = False
    city[int(h * 0.62):, : int(w * 0.2)] = False
    for shown in (ko, en):
        changed = np.any(np.abs(shown - empty) > 12, axis=2)[city]
        assert changed.mean() > 0.02, changed.mean()
        # The O pad is blue and the X pad red, wherever the question took the camera;
        # without the demo there are (almost) none. (Over 250 of each in 16 renders of
        # random first questions; a pad seen at the pavilion's door gives thousands.)
        assert _o_blue(shown[city]).sum() > _o_blue(empty[city]).sum() + 150
        assert _x_red(shown[city]).sum() > _x_red(empty[city]).sum() + 150
    panel = (slice(h // 12, int(h * 0.35)), slice(int(w * 0.74), w))
    assert np.any(np.abs(ko - en) > 12, axis=2)[panel].mean() > 0.02


def test_plugins_check_passes_the_education_demo() -> None:
    out = run_cli("plugins", "check", str(REPO / "gwangju_twin" / "demos" / "education"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "passed every check" in out.stdout and "FAIL" not in out.stdout
    assert "dry run in pavilion education" in out.stdout
