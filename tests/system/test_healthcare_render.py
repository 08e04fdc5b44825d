"""The healthcare demo rendered offscreen through the command line: its band colours are on
the buildings in its view of the district, and they are not there without the demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import REPO, read_png, run_cli

pytestmark = pytest.mark.render

SIZE = (960, 540)
#: The 3D view left of the panel (the panel sits at the right edge).
VIEW_WIDTH = 0.7
#: Rows of the toolbar at the top of the picture (its active button is blue).
TOOLBAR = 60


def band_pixels(png: Path) -> int:
    """Pixels of the 3D view (below the toolbar, left of the panel) that are clearly blue,
    the colour of the fast bands. The demo shows the whole district from about 3 km, where
    the haze greys each band colour's exact shade, but a blue stays blue; the city itself has
    no blue buildings (its water and the toolbar's blue button are few pixels or cut off)."""
    rgb = read_png(png)[TOOLBAR:, : int(SIZE[0] * VIEW_WIDTH)].astype(np.float64) / 255.0
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((b - r > 0.3) & (b > g + 0.05)).sum())


def render(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / f"{name}.png"
    result = run_cli("render", *args, "--enter", "healthcare", "--ui", "--size",
                     f"{SIZE[0]}x{SIZE[1]}", "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return out


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_band_colours_are_on_the_buildings(tmp_path: Path, language: str) -> None:
    shown = band_pixels(render(tmp_path, language, "--language", language))
    assert shown > 20000, shown  # about 49,800 in both languages when written


def test_without_the_demo_there_are_no_band_colours(tmp_path: Path) -> None:
    """The same view from a copy of the scene with the healthcare pavilion left empty."""
    text = (REPO / "scenes" / "sangmu.toml").read_text("utf-8")
    assert 'plugin = "gwangju.healthcare"\n' in text
    plain = text.replace('plugin = "gwangju.healthcare"\n', "").replace(
        '"../assets/', f'"{(REPO / "assets").as_posix()}/').replace(
        '"../plugins"', f'"{(REPO / "plugins").as_posix()}"')
    scene = tmp_path / "plain.toml"
    scene.write_text(plain, "utf-8")
    assert band_pixels(render(tmp_path, "plain", str(scene))) < 500  # 108 when written
