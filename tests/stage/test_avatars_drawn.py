"""Other visitors drawn: two avatars from a scripted snapshot, rendered offscreen over the
default scene, show their own colours where the real lens projects them, and nowhere else
that colour was before.

The expected colours are the palette's (presence.nicknames.COLOURS, Okabe-Ito); the
expected places come from Panda3D's lens projecting the avatars' positions, not from the
avatar code. Each picture renders in a subprocess (EGL, no display).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from render_helpers import REPO, read_png

from gwangju_twin.presence.nicknames import COLOURS

pytestmark = pytest.mark.render

PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from panda3d.core import Point2, Point3
    from gwangju_twin.app.stage import Stage
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.presence.client import Other
    from gwangju_twin.presence.interpolation import State
    from gwangju_twin.presence.messages import Role
    from gwangju_twin.render.avatars import Avatars, grow
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    out, draw = Path(sys.argv[1]), sys.argv[2] == "1"
    prepared = prepare(load_scene(default_scene_path()))
    stage = Stage(prepared, "offscreen", (800, 450))
    base = stage.base
    tx, ty, tz = stage.pose.target
    # Two visitors either side of the start view's target, one facing the other.
    others = [
        Other("aaaaaaaaaaaa", 3, 0, Role.VISITOR, State(tx - 60, ty, tz, 90.0, 0.0), None),
        Other("bbbbbbbbbbbb", 20, 1, Role.GUIDE, State(tx + 60, ty, tz, 270.0, -10.0),
              prepared.pavilions[0].info.id),
    ]
    places = {p.info.id: (p.info.name_ko, p.info.name_en) for p in prepared.pavilions}
    avatars = Avatars(stage.world, stage.expo.font, stage.expo.bold_font, places)
    if draw:
        avatars.show(others, base.camera)
    stage.screenshot(out)
    lens, (w, h) = base.camLens, (base.win.get_x_size(), base.win.get_y_size())
    spots = []
    for o in others:
        # The middle of the body: its feet plus half its drawn height (3.4 m, grown with
        # distance as the viewer draws it).
        k = grow((base.camera.get_pos(stage.world) - Point3(o.state.x, o.state.y,
                                                           o.state.z)).length())
        p = base.cam.get_relative_point(stage.world, Point3(o.state.x, o.state.y,
                                                             o.state.z + 1.2 * k))
        f = Point2()
        assert lens.project(p, f), "the avatar is out of view"
        spots.append([(f.x + 1) / 2 * w, (1 - f.y) / 2 * h, o.colour_id])
    labels = [a.label.text() for a in avatars.avatars.values()]
    print(json.dumps({"spots": spots, "labels": labels}))
    """
)


def _render(tmp_path: Path, draw: bool) -> tuple[np.ndarray, dict]:
    out = tmp_path / ("with.png" if draw else "without.png")
    run = subprocess.run([sys.executable, "-c", PROBE, str(out), "1" if draw else "0"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return read_png(out), json.loads(run.stdout.strip().splitlines()[-1])


def _matches(image: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    """Pixels of the same chromaticity as ``rgb`` (the sun and shade change brightness, not
    the hue much), and not dark."""
    px = image.astype(np.float64)
    total = px.sum(axis=2, keepdims=True) + 1e-9
    chroma = px / total
    want = np.asarray(rgb, np.float64) / sum(rgb)
    close = np.abs(chroma - want).max(axis=2) < 0.04
    return close & (total[..., 0] > 0.35 * sum(rgb))


def test_two_avatars_show_their_colours_where_they_stand(tmp_path: Path) -> None:
    without, _ = _render(tmp_path, draw=False)
    with_, probe = _render(tmp_path, draw=True)
    assert len(probe["spots"]) == 2
    for x, y, colour_id in probe["spots"]:
        rgb = COLOURS[int(colour_id)]
        r = 8  # pixels around the projected middle of the body
        x0, y0 = max(0, round(x) - r), max(0, round(y) - r)
        window = (slice(y0, round(y) + r + 1), slice(x0, round(x) + r + 1))
        found = int(_matches(with_, rgb)[window].sum())
        before = int(_matches(without, rgb)[window].sum())
        assert found >= 20, (colour_id, x, y, found)
        assert before == 0, (colour_id, before)  # the colour is the avatar's, not the city's
    # The labels name them in both languages, the guide as a guide, with the pavilion.
    texts = [" ".join(t) for t in probe["labels"]]
    assert any("Guide" in t and "가이드" in t and "·" in t for t in texts), texts
    assert any("Guide" not in t for t in texts), texts
