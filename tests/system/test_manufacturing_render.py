"""`render --enter manufacturing --ui`: the demo's own stations and cars are in the picture,
close up (the demo frames its line), in Korean and in English."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import read_png, run_cli

pytestmark = pytest.mark.render


def demo_pixels(image: np.ndarray) -> dict[str, int]:
    """Pixels of the demo's colours in the 3D view (below the toolbar, left of the panel):
    teal stations, the magenta bottleneck and the yellow painted cars. The pavilions and
    the city around them have almost none (23, 0 and 48 of each in a render without it)."""
    h, w, _ = image.shape
    view = image[int(0.09 * h):, : int(0.72 * w)].astype(int)
    r, g, b = view[..., 0], view[..., 1], view[..., 2]
    return {
        "teal": int(((g > r + 60) & (b > r + 60) & (np.abs(g - b) < 50)).sum()),
        "magenta": int(((r > g + 80) & (b > g + 40)).sum()),
        "yellow": int(((r > 150) & (g > 120) & (b < g - 90) & (r - g < 70)).sum()),
    }


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_line_is_in_the_entered_view(tmp_path: Path, language: str) -> None:
    out = tmp_path / f"manufacturing-{language}.png"
    result = run_cli("render", "--enter", "manufacturing", "--ui", "--seconds", "20",
                     "--language", language, "--size", "1280x720", "--out", str(out))
    assert result.returncode == 0, result.stderr[-1500:]
    assert "gwangju.manufacturing loaded, visitor inside" in result.stdout + result.stderr
    counts = demo_pixels(read_png(out))
    # Measured at 1280x720, with the camera framing the line (API 1.1) in the part of the
    # picture left of the panel: about 5200 teal, 1180 magenta and 610 yellow pixels. From
    # the pavilion's door, as before the demo framed it, the line drew about 3400, 420 and
    # 380.
    assert counts["teal"] > 4500, counts
    assert counts["magenta"] > 800, counts
    assert counts["yellow"] > 500, counts
