"""Railways, power lines and administrative boundaries look different in the rendered city
(docs/data.md, "Layers"), where they all used to be boundary purple: the same three lines
are rendered once tagged and once untagged (all boundary purple), and the pictures compared
(real offscreen frames)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from geojson_builders import collection, feature, ll, polygon, ring
from render_helpers import REPO, read_png

pytestmark = pytest.mark.render

RENDER = textwrap.dedent(
    """
    import os, sys
    os.environ.pop("DISPLAY", None)
    from pathlib import Path
    from gwangju_twin.app.programs import render_png
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.scene import scene_for_geojson

    for source in sys.argv[1:]:
        render_png(prepare(scene_for_geojson(source)), Path(source).with_suffix(".png"),
                   (640, 360))
    """
)

LINES = [({"railway": "rail"}, 90), ({"power": "line"}, 150),
         ({"boundary": "administrative", "admin_level": "8"}, 210)]


def _doc(tagged: bool) -> dict:
    # A meadow under the lines: whatever the framing puts first (buildings, then areas), the
    # lines are in the picture.
    meadow = ring((-320, 60), (320, 60), (320, 240), (-320, 240))
    feats = [feature(polygon(meadow), "meadow", landuse="meadow")]
    for n, (tags, y) in enumerate(LINES):
        feats.append(feature({"type": "LineString", "coordinates": [ll(-300, y), ll(300, y)]},
                             f"l{n}", **(tags if tagged else {})))
    return collection(*feats)


def _shares(image: np.ndarray) -> dict[str, int]:
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return {
        "dark": int(((r < 100) & (g < 100) & (b < 100)).sum()),  # railway
        "light": int(((r > 205) & (g > 205) & (b > 205) & (abs(r - b) < 14)).sum()),  # power
        "purple": int(((b - g > 40) & (r - g > 10)).sum()),  # boundary
    }


def test_railway_power_and_boundary_lines_look_different(tmp_path: Path) -> None:
    paths = []
    for name, tagged in (("tagged", True), ("untagged", False)):
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps(_doc(tagged)), encoding="utf-8")
        paths.append(path)
    done = subprocess.run([sys.executable, "-c", RENDER, *map(str, paths)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    tagged, untagged = (_shares(read_png(p.with_suffix(".png"))) for p in paths)
    # Untagged, all three are boundary purple: no dark or light lines at all.
    assert untagged["purple"] > 300, untagged
    assert untagged["dark"] < 20 and untagged["light"] < 20, untagged
    # Tagged, the railway is dark and the power line light; the boundary stays purple but
    # is one line of three.
    assert tagged["dark"] > 150, tagged
    assert tagged["light"] > 150, tagged
    assert 0 < tagged["purple"] < 0.6 * untagged["purple"], (tagged, untagged)
