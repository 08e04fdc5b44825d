"""The start view in real offscreen pictures, landscape and portrait: no band of plain grey
rows under the sky, and no building cut at the picture's edges (the south edge was cut at
16:9; one long river line left portrait pictures with a grey band at the top).

Each case renders in a child process (EGL, no display), one ShowBase per process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from geojson_builders import feature, ll, polygon, square
from render_helpers import REPO, read_png, write_fixture

pytestmark = pytest.mark.render

PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import numpy as np
    from panda3d.core import Point2, Point3
    from gwangju_twin.app.stage import Stage
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene, scene_for_geojson

    source, w, h, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    scene = scene_for_geojson(Path(source)) if source else load_scene(default_scene_path())
    stage = Stage(prepare(scene), "offscreen", (w, h))
    stage.screenshot(out)
    solid = stage.world.find_all_matches("**/solid-*")
    solid.hide()
    stage.screenshot(out.with_name(out.stem + "-nobuildings.png"))
    # Every building vertex through Panda's own lens (not the framing module's maths).
    pts = np.concatenate([b.positions for b in stage.prepared.mesh.batches
                          if b.material == "solid"])
    pts = pts[:: max(1, len(pts) // 4000)]
    film = []
    for x, y, z in pts:
        p = stage.base.cam.get_relative_point(stage.base.render, Point3(x, y, z))
        f = Point2()
        inside = stage.base.camLens.project(p, f)
        film.append([f.x, f.y, float(inside)])
    stage.close()
    print("JSON" + json.dumps(film))
    """
)


def _probe(tmp_path: Path, source: Path | None, size: tuple[int, int]) -> dict[str, Any]:
    out = tmp_path / f"{source.stem if source else 'default'}-{size[0]}x{size[1]}.png"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(source or ""), str(size[0]), str(size[1]), str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("JSON"))
    return {"film": np.array(json.loads(line[4:])), "full": read_png(out).astype(int),
            "bare": read_png(out.with_name(out.stem + "-nobuildings.png")).astype(int)}


def _river_city(tmp_path: Path) -> Path:
    """9 x 7 blocks of 18 m (400 x 300 m), a 75 m tower, and one river line 60 km long
    running south-west out of the district (measured in the kit's metric frame)."""
    feats = [feature(polygon(square(i * 45.0, j * 45.0, 22.0)), building="residential",
                     height=75 if (i, j) == (8, 6) else 18)
             for i in range(9) for j in range(7)]
    feats.append(feature({"type": "LineString",
                          "coordinates": [ll(200, -50), ll(-10_000, -20_000),
                                          ll(-30_000, -55_000)]},
                         waterway="river", name="Long River"))
    return write_fixture(tmp_path / "river-city.geojson", feats)


def _grey_band(image: np.ndarray, rows: int = 12) -> int | None:
    """The first row of a run of ``rows`` or more rows each of one plain grey (every pixel
    of the row alike, blue no more than red + 15: hazy ground, not sky), in the top half."""
    top = image[: image.shape[0] // 2]
    plain = top.std(axis=1).max(axis=1) < 2.0
    med = np.median(top, axis=1)
    grey = plain & (med[:, 2] - med[:, 0] < 15)
    run = 0
    for i, g in enumerate(grey):
        run = run + 1 if g else 0
        if run >= rows:
            return i - rows + 1
    return None


@pytest.mark.parametrize("size", [(720, 1280), (1280, 720)])
def test_a_city_with_a_long_river_has_no_grey_band_and_no_cut_building(
        tmp_path: Path, size: tuple[int, int]) -> None:
    got = _probe(tmp_path, _river_city(tmp_path), size)
    band = _grey_band(got["full"])
    assert band is None, f"a band of plain grey rows from row {band}"
    film = got["film"]
    assert film[:, 2].all(), "a building vertex falls outside the picture"
    assert np.abs(film[:, :2]).max() <= 1.0
    # The buildings fill the picture reasonably (more than half its tighter axis).
    assert max(np.ptp(film[:, 0]), np.ptp(film[:, 1])) > 1.0
    # The buildings' pixels (those that change when they are hidden) stay off the bottom
    # and side edges: nothing of them is cut.
    changed = np.abs(got["full"] - got["bare"]).max(axis=2) > 20
    assert changed.sum() > 1000
    assert not changed[-3:].any() and not changed[:, :3].any() and not changed[:, -3:].any()


@pytest.mark.parametrize("size", [(720, 1280), (1080, 1080), (1920, 1080)])
def test_the_default_scene_has_no_grey_band(tmp_path: Path, size: tuple[int, int]) -> None:
    got = _probe(tmp_path, None, size)
    band = _grey_band(got["full"])
    assert band is None, f"a band of plain grey rows from row {band}"
