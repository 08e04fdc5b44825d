"""The healthcare demo rendered offscreen through the command line: its band colours are on
the buildings in the frame, and they are not there without the demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import REPO, read_png, run_cli

from gwangju_twin.demos.healthcare.demo import BAND_COLOURS

pytestmark = pytest.mark.render

SIZE = (960, 540)
#: The 3D view left of the panel (the panel sits at the right edge).
VIEW_WIDTH = 0.7


def band_pixels(png: Path) -> int:
    """Pixels of the 3D view whose chromaticity is that of a band colour: lighting scales a
    painted face's colour but keeps its proportions."""
    rgb = read_png(png)[:, : int(SIZE[0] * VIEW_WIDTH)].astype(np.float64) / 255.0
    total = rgb.sum(axis=-1, keepdims=True)
    chroma = rgb / np.maximum(total, 1e-6)
    lit = total[..., 0] > 0.2
    found = np.zeros(lit.shape, bool)
    # The two slower bands' colours are close to the city's greys and sands, so only the
    # distinctive ones count (the pavilion's door view shows the nearest, fastest blocks).
    for colour in BAND_COLOURS[[0, 2, 3]]:
        found |= lit & (np.abs(chroma - colour / colour.sum()).max(axis=-1) < 0.012)
    return int(found.sum())


def render(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / f"{name}.png"
    result = run_cli("render", *args, "--enter", "healthcare", "--ui", "--size",
                     f"{SIZE[0]}x{SIZE[1]}", "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return out


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_band_colours_are_on_the_buildings(tmp_path: Path, language: str) -> None:
    shown = band_pixels(render(tmp_path, language, "--language", language))
    assert shown > 2000


def test_without_the_demo_there_are_no_band_colours(tmp_path: Path) -> None:
    """The same view from a copy of the scene with the healthcare pavilion left empty."""
    text = (REPO / "scenes" / "sangmu.toml").read_text("utf-8")
    assert 'plugin = "gwangju.healthcare"\n' in text
    plain = text.replace('plugin = "gwangju.healthcare"\n', "").replace(
        '"../assets/', f'"{(REPO / "assets").as_posix()}/').replace(
        '"../plugins"', f'"{(REPO / "plugins").as_posix()}"')
    scene = tmp_path / "plain.toml"
    scene.write_text(plain, "utf-8")
    assert band_pixels(render(tmp_path, "plain", str(scene))) < 200
