"""The healthcare demo's bands on the roads, drawn offscreen: every band the model puts on
the roads shows in its legend colour along those roads, as one node of ribbons."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import shapely
from panda3d.core import Filename, Point2, Point3
from render_helpers import screenshot

from gwangju_twin.app.stage import Stage, StageOptions
from gwangju_twin.demos.healthcare.demo import BAND_COLOURS
from gwangju_twin.expo.prepared import prepare
from gwangju_twin.plugins.guard import Hook
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene
from gwangju_twin.scene.camera import CameraPose

pytestmark = pytest.mark.render
SIZE = (800, 450)
#: The share of the picture's width left of the demo's panel (at the right edge).
VIEW_WIDTH = 0.72


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    opened = Stage(prepare(load_scene(default_scene_path())), "offscreen", SIZE,
                   StageOptions())
    opened.expo.enter("healthcare")
    opened.step(0.3)
    yield opened
    opened.close()


def frame(stage: Stage, target: tuple[float, float], distance: float) -> np.ndarray:
    """The picture looking straight down at ``target`` from ``distance`` metres, the
    labels hidden (they would cover roads)."""
    stage.set_pose(CameraPose((target[0], target[1], 0.0), 0.0, 89.0, distance))
    for nodes in stage.expo.nodes.values():
        nodes.label.node.hide()
    for label in stage.expo.landmark_labels.values():
        label.node.hide()
    for label in stage.expo.nodes["healthcare"].demo.find_all_matches("**/plugin-label"):
        label.hide()
    return screenshot(stage.base).astype(np.int16)


def pixel(stage: Stage, x: float, y: float) -> tuple[int, int] | None:
    """The pixel (column, row) where ground point (x, y) is drawn, or None (also where the
    panel covers it)."""
    base = stage.base
    p2 = Point2()
    if not base.camLens.project(base.cam.get_relative_point(base.render, Point3(x, y, 0.3)),
                                p2):
        return None
    col, row = int((p2.x + 1) / 2 * SIZE[0]), int((1 - p2.y) / 2 * SIZE[1])
    inside = 2 <= col < SIZE[0] * VIEW_WIDTH and 2 <= row < SIZE[1] - 2
    return (col, row) if inside else None


def nearest_band(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The band colour nearest each pixel, and how far from it (0..441 in 8-bit RGB)."""
    colours = np.round(BAND_COLOURS * 255).astype(np.int16)
    gaps = np.linalg.norm(rgb[..., None, :] - colours, axis=-1)
    return gaps.argmin(axis=-1), gaps.min(axis=-1)


def test_the_roads_show_their_bands_in_the_legend_colours(stage: Stage) -> None:
    host, slot = stage.expo.host, stage.expo.host.slot("healthcare")
    assert slot is not None and slot.running
    demo: Any = slot.instance
    # With one ER closed the roads fall in three bands (the pure tests check where).
    buttons = {b.key: b for b in stage.expo.panel("healthcare").buttons}
    assert host.run(slot, buttons["er0"].on_click, Hook.BUTTON)
    pieces = demo.model.band_pieces(demo.model.subset(demo.ers, demo.open))
    # All the ribbons are one node of geometry, not a node per stretch of road.
    assert len(demo.band_lines.find_all_matches("**/+GeomNode")) == 1

    stage.step(0.1)
    # Two pictures from above: the demo's own view (the first two bands) and the district's
    # far west round the stretches of the third band, which lie outside that view.
    x0, y0, x1, y1 = demo.view
    far = shapely.bounds(shapely.multilinestrings(pieces.lines[pieces.band == 2]))
    targets = [((x0 + x1) / 2 - 300.0, (y0 + y1) / 2),
               ((far[0] + far[2]) / 2, (far[1] + far[3]) / 2)]
    drawn = np.zeros(4, np.int64)
    hits = []
    for k, target in enumerate(targets):
        shown = frame(stage, target, 2600.0)
        if os.environ.get("GT_DEBUG_PNG"):  # to look at what is measured
            stage.base.win.get_screenshot().write(Filename.from_os_specific(
                f"{os.environ['GT_DEBUG_PNG']}-{k}.png"))
        demo.band_lines.hide()
        bare = frame(stage, target, 2600.0)
        demo.band_lines.show()
        # Pixels the ribbons changed, each counted under the band colour it is nearest
        # to. The ribbons are unlit, in the legend's colours (BAND_COLOURS); the haze at
        # this distance shifts them a little, never onto another band's colour.
        changed = np.abs(shown - bare).sum(axis=2) > 30
        band, gap = nearest_band(shown)
        drawn += np.bincount(band[changed & (gap < 40)], minlength=4)
        # Under the middle of each stretch in the picture lies a ribbon of its own band's
        # colour (a few may lie under a building).
        for line, b in zip(pieces.lines, pieces.band.tolist(), strict=True):
            if shapely.length(line) < 40.0:
                continue
            mid = shapely.line_interpolate_point(line, 0.5, normalized=True)
            at = pixel(stage, mid.x, mid.y)
            if at is not None:
                got, off = nearest_band(shown[at[1], at[0]])
                hits.append(bool(got == b and off < 40))
    # With an ER closed the roads fall in three bands (where: the pure tests), and each
    # shows in the pictures.
    assert (drawn[:3] > 300).all(), drawn
    assert len(hits) > 100
    assert np.mean(hits) > 0.9, np.mean(hits)
