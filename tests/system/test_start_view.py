"""The start view in real offscreen renders: framing fits the picture's shape and the
buildings' heights, and every view has a blue sky above the horizon."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from geojson_builders import feature, polygon, ring, square
from render_helpers import read_png, run_cli, write_fixture

pytestmark = pytest.mark.render


def _city(tmp_path: Path, name: str, tower: str = "office", park: str = "grass") -> Path:
    """A user's own file: blocks of 18 m buildings, a 75 m tower of type ``tower`` at the
    far (north-east) corner and a green area of ``landuse`` ``park`` along the west side."""
    feats = [
        feature(polygon(square(i * 45.0, j * 45.0, 22.0)), building="residential", height=18)
        for i in range(9) for j in range(7)
        if (i, j) != (8, 6)
    ]
    feats.append(feature(polygon(square(8 * 45.0, 6 * 45.0, 22.0)), building=tower, height=75))
    feats.append(feature(polygon(ring((-170, 0), (-30, 0), (-30, 280), (-170, 280))),
                         landuse=park))
    return write_fixture(tmp_path / f"{name}.geojson", feats)


def _render(tmp_path: Path, source: Path | None, name: str, size: str) -> np.ndarray:
    out = tmp_path / f"{name}-{size}.png"
    args = [str(source)] if source is not None else []
    result = run_cli("render", *args, "--out", str(out), "--size", size)
    assert result.returncode == 0, result.stderr[-2000:]
    return read_png(out).astype(int)


def _extent(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(mask)
    assert rows.size > 30, "the feature is not in the picture at all"
    return int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())


@pytest.mark.parametrize("size", ["1280x720", "600x900"])
def test_a_users_file_is_framed_whole_in_wide_and_tall_pictures(tmp_path: Path,
                                                                size: str) -> None:
    """The same scene with only the tower's (then the park's) colour changed: the pixels
    that change are that feature's, and none of them touches the picture's edge."""
    base = _render(tmp_path, _city(tmp_path, "base"), "base", size)
    tower = _render(tmp_path, _city(tmp_path, "tower", tower="school"), "tower", size)
    park = _render(tmp_path, _city(tmp_path, "park", park="forest"), "park", size)
    h, w = base.shape[:2]
    t_top, _, _, t_right = _extent(np.abs(tower - base).max(axis=2) > 20)
    p_top, p_bottom, p_left, p_right = _extent(np.abs(park - base).max(axis=2) > 12)
    # Nothing is cut: the tower's top and the whole park are inside, off the edges.
    assert t_top > 2 and t_right < w - 3
    assert p_left > 2 and p_bottom < h - 3 and p_top > 2 and p_right < w - 3
    # And the city is not a strip in the middle: from the park's west edge to the tower's
    # east side it spans most of the picture's width (its limiting dimension here).
    assert (t_right - p_left) / w > 0.6 or (p_bottom - t_top) / h > 0.6


def _blueness(image: np.ndarray) -> np.ndarray:
    """Per row, the median of blue minus red: a clear sky's rows are well above 25, hazy
    grey-beige ground is near or under 0."""
    return np.median(image[:, :, 2] - image[:, :, 0], axis=1)


def test_a_portrait_of_the_default_scene_has_sky_at_the_top_not_a_grey_band(
        tmp_path: Path) -> None:
    """The top quarter of a 720x1280 picture is above the horizon: every row of it is blue
    sky. (It used to end in a band of grey hazy ground where the ground plane stopped.)"""
    image = _render(tmp_path, None, "portrait", "720x1280")
    blue = _blueness(image)
    top = image.shape[0] // 4
    assert np.all(blue[:top] > 25), blue[:top:20]
    assert blue[0] > 55  # a real blue at the top, not a washed-out white


def test_a_low_view_has_a_blue_sky_distinct_from_the_ground(tmp_path: Path) -> None:
    """Looking across the district (pitch 8, as an orbit or fly view near the horizon): the
    top of the picture is clearly blue, the bottom (ground) is not that blue."""
    scene = tmp_path / "low.toml"
    source = Path(__file__).resolve().parents[2] / "assets" / "sangmu.geojson"
    scene.write_text(f'[scene]\nname = "low"\n[district]\nsource = "{source.as_posix()}"\n'
                     "[camera]\nheading = 40.0\npitch = 8.0\n", encoding="utf-8")
    image = _render(tmp_path, scene, "low", "1280x720")
    blue = _blueness(image)
    assert blue[:40].min() > 55
    assert blue[-40:].max() < blue[:40].min() - 25
