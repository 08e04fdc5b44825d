"""The drawing kit (API 1.1) drawn offscreen through a real plugin context: a label's Hangul
on screen in the visitor's language, a line over the roads and under the buildings that
never z-fights, near or far."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from panda3d.core import Point2, Point3
from render_helpers import screenshot

from gwangju_twin.app.stage import Stage, StageOptions
from gwangju_twin.expo.prepared import prepare
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene
from gwangju_twin.scene.camera import CameraPose

pytestmark = pytest.mark.render
SIZE = (640, 360)
MAGENTA = (1.0, 0.0, 1.0, 1.0)


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    prepared = prepare(load_scene(default_scene_path()))
    # Low quality: the pictures here are compared before and after a label, and a shadow
    # map refitted between them (at most 4 a second) would change every pixel it darkens.
    opened = Stage(prepared, "offscreen", SIZE, StageOptions(quality="low"))
    yield opened
    opened.close()


@pytest.fixture
def ctx(stage: Stage) -> Iterator[Any]:
    """A running built-in demo's context (the real StageServices behind it); what a test
    draws with it is removed afterwards."""
    context = next(s.context for s in stage.expo.host.slots if s.context is not None)
    drawn = context.node.attach_new_node("test-drawing")
    context.language = "ko"
    yield context, drawn
    drawn.remove_node()
    context.language = "ko"


def look(stage: Stage, target: tuple[float, float], distance: float, pitch: float = 80.0
         ) -> np.ndarray:
    """The frame from ``distance`` metres above-ish ``target``, with the city's own labels
    hidden (they would cover what is measured)."""
    stage.set_pose(CameraPose((target[0], target[1], 0.0), 0.0, pitch, distance))
    for nodes in stage.expo.nodes.values():
        nodes.label.node.hide()
    for label in stage.expo.landmark_labels.values():
        label.node.hide()
    return screenshot(stage.base).astype(np.int16)


def pixel(stage: Stage, x: float, y: float, z: float) -> tuple[int, int] | None:
    """The pixel (column, row) where district point (x, y, z) is drawn, or None."""
    base = stage.base
    p2 = Point2()
    if not base.camLens.project(base.cam.get_relative_point(base.render, Point3(x, y, z)), p2):
        return None
    col, row = int((p2.x + 1) / 2 * SIZE[0]), int((1 - p2.y) / 2 * SIZE[1])
    return (col, row) if 0 <= col < SIZE[0] and 0 <= row < SIZE[1] else None


def magenta(rgb: np.ndarray) -> np.ndarray:
    """Pixels that are the test line's colour (haze may pale it, never turn it green)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (r - g > 50) & (b - g > 50)


def test_a_label_shows_its_hangul_and_follows_the_visitors_language(stage, ctx) -> None:
    context, drawn = ctx
    x, y = context.pavilion.position
    target = (x + 300.0, y + 300.0)
    before = look(stage, target, 700.0, pitch=60.0)
    label = context.make_label("구급차 출동", "Ambulance dispatched", (*target, 10.0),
                               parent=drawn, scale=2.0)
    with_ko = look(stage, target, 700.0, pitch=60.0)
    changed = np.abs(with_ko - before).sum(axis=2) > 60
    rows, cols = np.nonzero(changed)
    assert len(rows) > 2000, "the label does not show"
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    # The Korean line is drawn in dark ink on the white card: Hangul glyphs, not empty
    # boxes (a font without Hangul draws nothing for them).
    card = with_ko[box]
    ink = (card.max(axis=2) < 90) & changed[box]
    white = card.min(axis=2) > 235
    assert ink.sum() > 150 and white.sum() > 1000, (ink.sum(), white.sum())
    ko_card, en_card = (label.find(f"**/label-{lang}") for lang in ("ko", "en"))
    assert not ko_card.is_hidden() and en_card.is_hidden()

    context.language = "en"  # what the floor does when the visitor switches language
    with_en = look(stage, target, 700.0, pitch=60.0)
    assert ko_card.is_hidden() and not en_card.is_hidden()
    assert (np.abs(with_en - with_ko).sum(axis=2) > 60).sum() > 300
    label.remove_node()
    context.language = "ko"  # a removed label is forgotten, not redrawn
    assert all(not lb.is_empty() for lb in context._labels)


def test_a_line_lies_over_the_roads_and_under_the_buildings(stage, ctx) -> None:
    context, drawn = ctx
    roads = context.district.roads
    # The longest stretch of road between two junctions.
    path = roads.edge_path(int(np.argmax(roads.lengths)))
    mid = path[len(path) // 2] if len(path) > 2 else path.mean(axis=0)
    before = look(stage, tuple(mid), 600.0)
    context.make_line(path, width=6.0, color=MAGENTA, parent=drawn)
    after = look(stage, tuple(mid), 600.0)
    assert magenta(after).sum() > 500 and magenta(before).sum() == 0
    # The tallest building with a line straight across its footprint: its roof hides it.
    b = context.district.buildings
    tall = int(np.argmax(b.heights))
    cx, cy = b.centroids[tall]
    across = np.array([[cx - 120.0, cy], [cx + 120.0, cy]])
    context.make_line(across, width=4.0, color=MAGENTA, parent=drawn)
    frame = look(stage, (cx, cy), 900.0)
    roof = pixel(stage, cx, cy, float(b.heights[tall]))
    assert roof is not None
    assert not magenta(frame[roof[1] - 1: roof[1] + 2, roof[0] - 1: roof[0] + 2]).any()


@pytest.mark.parametrize("distance", [400.0, 6000.0])
def test_a_line_never_z_fights_near_or_far(stage, ctx, distance) -> None:
    import shapely

    context, drawn = ctx
    roads = context.district.roads
    path = roads.edge_path(int(np.argmax(roads.lengths)))
    line = shapely.linestrings(path)
    centre = shapely.line_interpolate_point(line, 0.5, normalized=True)
    context.make_line(path, width=12.0 if distance > 1000 else 6.0, color=MAGENTA,
                      parent=drawn)
    frame = look(stage, (centre.x, centre.y), distance)
    # Along the line, nearly every sample on screen shows the line's colour, not the road
    # under it nor a flicker between the two (a few may lie behind a tall building).
    hits = []
    for point in shapely.line_interpolate_point(line, np.linspace(0.02, 0.98, 60),
                                                normalized=True):
        at = pixel(stage, point.x, point.y, 0.5)
        if at is not None:
            hits.append(bool(magenta(frame[at[1], at[0]])))
    assert len(hits) >= 10
    assert np.mean(hits) > 0.9, hits


def test_a_label_stays_legible_far_away_and_is_not_huge_up_close(stage, ctx) -> None:
    from gwangju_twin.render.pavilions import MIN_CARD_HEIGHT

    context, drawn = ctx
    x, y = context.pavilion.position
    target = (x + 300.0, y + 300.0)
    heights = {}
    for distance in (150.0, 6000.0):
        before = look(stage, target, distance, pitch=60.0)
        label = context.make_label("응급실", "", (*target, 0.0), parent=drawn)
        after = look(stage, target, distance, pitch=60.0)
        label.remove_node()
        rows = np.flatnonzero((np.abs(after - before).sum(axis=2) > 60).any(axis=1))
        assert len(rows), distance
        heights[distance] = rows.max() - rows.min() + 1
    # Far away it is still at least the least card height the city's labels keep (the
    # picture is 2 units tall); up close it keeps the size it has at 500 m, a few dozen
    # pixels, not a wall across the picture.
    least = MIN_CARD_HEIGHT / 2.0 * SIZE[1]
    assert heights[6000.0] >= 0.9 * least, heights
    assert heights[150.0] < SIZE[1] / 4, heights


def test_the_citys_labels_make_way_for_a_demos_label(stage, ctx) -> None:
    """A demo's label is laid out before the city's: a landmark's label where the demo puts
    one is lifted, shrunk or hidden, never drawn over it."""
    from gwangju_twin.render.paint import plugin_label_rects
    from gwangju_twin.ui.declutter import overlaps

    context, drawn = ctx
    expo = stage.expo
    row, landmark = next(iter(expo.landmark_labels.items()))
    at = landmark.node.get_pos(stage.base.render)
    stage.set_pose(CameraPose((at.x, at.y, 0.0), 0.0, 50.0, 500.0))
    for _ in range(2):
        stage.base.task_mgr.step()
    alone = expo.label_layout[("landmark", row)]
    assert alone.visible and alone.lift == 0.0 and alone.rect is not None
    context.make_label("구급차 출동", "Ambulance dispatched", (at.x, at.y, at.z), parent=drawn,
                       scale=1.5)
    for _ in range(3):
        stage.base.task_mgr.step()
    demo_rects = plugin_label_rects(stage.base.render, stage.base.cam, stage.base.camLens)
    assert len(demo_rects) == 1 and overlaps(alone.rect, demo_rects[0])
    moved = expo.label_layout[("landmark", row)]
    assert not moved.visible or not overlaps(moved.rect, demo_rects[0])
    assert moved != alone


def test_a_demos_labels_never_cover_each_other(stage, ctx) -> None:
    """Two labels a demo puts side by side, closer than their width: one is shown, the
    other is hidden from the camera (not from the plugin: its own hide and show stay its
    own) until the view gives it room; a label the plugin hid itself is no part of it."""
    from gwangju_twin.render.paint import plugin_labels
    from gwangju_twin.ui.declutter import overlaps

    context, drawn = ctx
    _row, landmark = next(iter(stage.expo.landmark_labels.items()))
    at = landmark.node.get_pos(stage.base.render)
    stage.set_pose(CameraPose((at.x, at.y, 0.0), 0.0, 50.0, 500.0))
    made = [context.make_label(ko, en, (at.x + dx, at.y, at.z), parent=drawn)
            for ko, en, dx in (("왼쪽 표지", "Left label", -8.0),
                               ("오른쪽 표지", "Right label", 8.0))]
    for _ in range(3):
        stage.base.task_mgr.step()
    cam, lens = stage.base.cam, stage.base.camLens
    labels = plugin_labels(stage.base.render, cam, lens)
    assert len(labels) == 2 and overlaps(labels[0][1], labels[1][1])  # they would collide
    mask = cam.node().get_camera_mask()
    cards = [node.find("cards") for node in made]
    hidden = [c.is_hidden(mask) for c in cards]
    assert sorted(hidden) == [False, True]
    assert not any(node.is_hidden() for node in made)  # as the plugin left them
    # The plugin hides the one shown: the other is shown in its place.
    shown = made[hidden.index(False)]
    other = cards[hidden.index(True)]
    shown.hide()
    for _ in range(3):
        stage.base.task_mgr.step()
    assert not other.is_hidden(mask)
    for node in made:
        node.remove_node()
