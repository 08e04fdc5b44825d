"""The "pavilions" view: every pavilion on screen, visible (not hidden), and labelled."""

from __future__ import annotations

import numpy as np
import pytest
from panda3d.core import Point2, Point3
from render_helpers import screenshot

from gwangju_twin.app.stage import Stage, StageOptions
from gwangju_twin.expo.prepared import prepare
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene
from gwangju_twin.scene.sectors import SECTORS

pytestmark = pytest.mark.render
SIZE = (640, 360)


def frame(stage) -> np.ndarray:
    """The next rendered frame as an (h, w, 3) array, top row first."""
    return screenshot(stage.base).astype(np.int16)


def screen_box(stage, node) -> tuple[int, int, int, int] | None:
    """Pixel bounds (x0, y0, x1, y1) of ``node``'s bounding box corners that project into
    the view, or None if none does."""
    base = stage.base
    lo, hi = node.get_tight_bounds(base.cam)
    pts = []
    for x in (lo.x, hi.x):
        for y in (lo.y, hi.y):
            for z in (lo.z, hi.z):
                p2 = Point2()
                if base.camLens.project(Point3(x, y, z), p2):
                    pts.append(((p2.x + 1) / 2 * SIZE[0], (1 - p2.y) / 2 * SIZE[1]))
    if not pts:
        return None
    xs, ys = zip(*pts, strict=True)
    return int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1


def test_every_pavilion_is_on_screen_visible_and_labelled_in_the_pavilions_view():
    prepared = prepare(load_scene(default_scene_path()))
    stage = Stage(prepared, "offscreen", SIZE, StageOptions(view="pavilions"))
    try:
        full = frame(stage)
        assert len(stage.expo.nodes) == 7
        for pid, nodes in stage.expo.nodes.items():
            box = screen_box(stage, nodes.model)
            assert box is not None, f"{pid} is behind the camera"
            x0, y0, x1, y1 = box
            # The whole model projects inside the picture...
            assert x0 >= 0 and y0 >= 0 and x1 <= SIZE[0] and y1 <= SIZE[1], (pid, box)
            # ...and really shows: hiding it changes many of the pixels where it stands.
            nodes.model.hide()
            without = frame(stage)
            nodes.model.show()
            changed = np.abs(full - without).sum(axis=2) > 30
            region = changed[y0:y1, x0:x1]
            assert region.sum() > 0.15 * region.size, (pid, region.mean())
            # Its label stands above it and shows the sector's names.
            sec = next(s for s in SECTORS if s.id == stage.expo.pavilions[pid].info.sector)
            assert nodes.label.text()[:2] == [sec.name_ko, sec.name_en]
            label = screen_box(stage, nodes.label.node)
            assert label is not None and label[1] < y1, (pid, label, box)
    finally:
        stage.close()
