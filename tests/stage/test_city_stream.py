"""A baked city streamed into the real renderer (render.streaming): levels by distance, the
far groups' hulls from afar, no holes while tiles load, the memory budget, and pictures
compared with the merged whole-city path.

The city is scripts/synthetic_city.py's at 15,000 buildings (a grid of 120 x 90 m blocks),
baked with tiles.cache.bake: more than FAR_BUILDINGS (6,000), so the quadtree has several
far groups (the bake's index says how many; nothing here assumes a number).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from render_helpers import REPO, read_png

pytestmark = pytest.mark.render

H_FOV = 50.0


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The baked synthetic city: (TileSet, its district)."""
    sys.path.insert(0, str(REPO / "scripts"))
    from synthetic_city import write_district

    from gwangju_twin.geo import load_geojson
    from gwangju_twin.tiles.cache import bake
    from gwangju_twin.tiles.tileset import TileSet

    folder = tmp_path_factory.mktemp("city")
    source = folder / "city.geojson"
    write_district(source, 15_000)
    district, report = load_geojson(source)
    cache = bake(district, report, folder / "tiles", "test")
    return TileSet(cache, district), district


@pytest.fixture
def stream(base: Any, city: Any) -> Iterator[Any]:
    """The city's tiled world under ``render``, the lens as the viewer sets it."""
    from gwangju_twin.render.streaming import build_tiled_world
    from gwangju_twin.scene.framing import lens_fov

    tiles, _ = city
    world, stream = build_tiled_world(tiles, None, 1500.0)
    world.reparent_to(base.render)
    w, h = base.win.get_x_size(), base.win.get_y_size()
    base.camLens.set_fov(*lens_fov(w / h, H_FOV))
    base.camLens.set_near_far(1.0, 60_000.0)
    yield stream
    stream.close()
    world.remove_node()


def look(base: Any, stream: Any, eye: tuple[float, float, float],
         at: tuple[float, float, float] = (0.0, 0.0, 0.0), settle: bool = True) -> None:
    base.camera.set_pos(*eye)
    base.camera.look_at(*at)
    stream.update(base.camera, base.camLens, base.win.get_y_size())
    if settle:
        stream.settle()


def coverage(stream: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per leaf of the city: how many drawn tiles cover it (its own node, its group's
    hulls), and whether the last update saw it."""
    sel = stream.selector
    drawn = stream.drawn()
    state = stream.selection
    covers = np.array([int(k in drawn) + int(drawn.get(sel.group_keys[g]) in (2, 3))
                       for k, g in zip(sel.leaf_keys, sel.leaf_group, strict=True)])
    return covers, state.leaf_seen.copy()


def test_near_draws_full_leaves_far_draws_hulls(base: Any, stream: Any, city: Any) -> None:
    tiles, _ = city
    groups = [t for t in tiles.tiles.values() if t.kind == "far"]
    assert len(groups) > 1
    # Near: 120 m up at the city's centre, looking at a point 500 m ahead.
    look(base, stream, (0.0, -500.0, 120.0))
    near = stream.stats()
    drawn = stream.drawn()
    assert near.drawn.get(0, 0) > 0, near
    assert all(tiles.tiles[k].kind == "leaf" for k, lv in drawn.items() if lv in (0, 1))
    # The leaf under the camera's ground point is drawn itself at level 0.
    under = [k for k, t in tiles.tiles.items()
             if t.kind == "leaf" and t.box[0] <= 0 <= t.box[3] and t.box[1] <= -500 <= t.box[4]]
    assert under and all(drawn.get(k) == 0 for k in under), (under, drawn)
    # Far: 25 km out, the whole city a small patch: every far group's hulls (level 2 or,
    # coarser, 3) and nothing else in view.
    look(base, stream, (0.0, -20_000.0, 15_000.0))
    far = stream.stats()
    assert set(far.drawn) <= {2, 3} and sum(far.drawn.values()) == len(groups), far
    # The triangles drawn are the hulls' and their ground as the bake's index counts them.
    drawn = stream.drawn()
    assert far.triangles == sum(g.triangles[str(drawn[g.key])] + g.triangles["g2"]
                                for g in groups)
    # ... a fraction of the full city's (level 0 of every leaf, by the same index).
    full = sum(t.triangles["0"] + t.triangles["g"] for t in tiles.tiles.values()
               if t.kind == "leaf")
    assert far.triangles < 0.4 * full
    assert far.triangles < near.triangles
    # Twice as far (50 km, within the lens's 60 km), every group's error at level 3 is
    # under the band: the coarsest level everywhere, loaded and drawn in place of level 2.
    look(base, stream, (0.0, -40_000.0, 30_000.0))
    farthest = stream.stats()
    assert farthest.drawn == {3: len(groups)}, farthest
    assert farthest.triangles == sum(g.triangles["3"] + g.triangles["g2"] for g in groups)
    assert farthest.triangles <= far.triangles
    # ... as the errors the bake wrote say: under the band's 12 px from there.
    from gwangju_twin.tiles.select import BAND, THRESHOLD_PX, box_distance, sse_px

    sel = stream.selector
    px = sse_px(sel.group_errors3, box_distance(np.array([0.0, -40_000.0, 30_000.0]),
                                                sel.group_boxes),
                base.win.get_y_size(), base.camLens.get_fov()[1])
    assert (px <= BAND * THRESHOLD_PX).all()


PATH = [(0.0, -500.0, 120.0), (800.0, -300.0, 200.0), (0.0, -3500.0, 1500.0),
        (-2500.0, -2500.0, 600.0), (0.0, -20_000.0, 15_000.0), (600.0, 600.0, 80.0)]


def test_settled_views_leave_no_holes(base: Any, stream: Any) -> None:
    """After settle(), every leaf in view is drawn exactly once: by itself or by its
    group's hulls."""
    for eye in PATH:
        look(base, stream, eye)
        covers, seen = coverage(stream)
        assert seen.any()
        assert (covers[seen] == 1).all(), (eye, np.flatnonzero(seen & (covers != 1)))
        assert (covers <= 1).all()


def test_streaming_never_opens_a_hole(base: Any, stream: Any) -> None:
    """Flying between the views without ever waiting for the loader: a leaf in view that
    was drawn a frame before is still drawn (perhaps at its old level), never twice, however
    the loads and frames interleave."""
    look(base, stream, PATH[0])
    before, _ = coverage(stream)
    for a, b in itertools.pairwise(PATH):
        for t in np.linspace(0.0, 1.0, 12)[1:]:
            eye = tuple(np.array(a) * (1 - t) + np.array(b) * t)
            look(base, stream, eye, settle=False)
            base.graphicsEngine.render_frame()
            covers, seen = coverage(stream)
            assert (covers <= 1).all()
            lost = seen & (before == 1) & (covers == 0)
            assert not lost.any(), (eye, np.flatnonzero(lost))
            before = covers
    # Once the loader is done and its tiles are made, everything in view is drawn.
    assert stream.wait(60.0)
    covers, seen = coverage(stream)
    assert (covers[seen] == 1).all()


@pytest.mark.parametrize("budget", [1, 8 * 2**20])
def test_the_budget_evicts_yet_everything_is_drawn(base: Any, city: Any, budget: int) -> None:
    """A budget of 1 byte keeps only what the picture needs (every tile drawn in view);
    8 MB (a few dozen tiles of this city) keeps more but never more than 8 MB, unless the
    picture itself needs more."""
    from gwangju_twin.render.streaming import CityStream

    tiles, _ = city
    root = base.render.attach_new_node("budget")
    small = CityStream(root, tiles, budget_bytes=budget)
    try:
        for eye in PATH + PATH[::-1]:
            look(base, small, eye)
            covers, seen = coverage(small)
            assert (covers[seen] == 1).all()
            st = small.stats()
            needed = sum(st.drawn.values()) + _wanted_not_drawn(small)
            assert st.resident >= needed
            assert st.resident_bytes <= budget or st.resident == needed, st
        assert small.stats().evicted > 0
    finally:
        small.close()
        root.remove_node()
    assert not small._thread.is_alive()


def _wanted_not_drawn(stream: Any) -> int:
    drawn = stream.drawn()
    return sum(1 for k, lv in stream.wanted_items() if drawn.get(k) != lv)


def test_layers_switched_off_are_not_drawn(base: Any, city: Any) -> None:
    from gwangju_twin.render.streaming import build_tiled_world

    tiles, _ = city
    world, stream = build_tiled_world(tiles, {"buildings": False}, 1500.0)
    try:
        world.reparent_to(base.render)
        look(base, stream, PATH[0])
        assert stream.drawn()
        assert world.find_all_matches("**/solid-*").get_num_paths() == 0
        assert world.find_all_matches("**/roads-*").get_num_paths() > 0
        assert world.find("district").get_num_children() == len(stream.drawn())
    finally:
        stream.close()
        world.remove_node()


def _picture(base: Any, path: Path) -> np.ndarray:
    from panda3d.core import Filename

    for _ in range(2):
        base.graphicsEngine.render_frame()
    assert base.win.save_screenshot(Filename.from_os_specific(str(path)))
    return read_png(path).astype(int)


def _merged_picture(base: Any, city: Any, hide: Any, path: Path) -> np.ndarray:
    """The merged whole-city world (render.world.build_world) from the present camera,
    with ``hide`` (the tiled world) out of the scene meanwhile."""
    from gwangju_twin.mesh.district import build_district_mesh
    from gwangju_twin.render.world import build_world

    _, district = city
    merged = build_world(build_district_mesh(district), None, 1500.0)
    hide.detach_node()
    merged.reparent_to(base.render)
    try:
        return _picture(base, path)
    finally:
        merged.remove_node()
        hide.reparent_to(base.render)


def _differs(a: np.ndarray, b: np.ndarray) -> float:
    """The share of pixels whose colour differs by more than 24 levels in some channel."""
    return float((np.abs(a - b).max(axis=2) > 24).mean())


def _sky_share(img: np.ndarray) -> float:
    # The plain clear colour of the base fixture (0.62, 0.75, 0.88): nothing drawn there.
    return float((np.abs(img - [158, 191, 224]).max(axis=2) < 6).mean())


def test_level_zero_everywhere_is_the_merged_picture(base: Any, city: Any,
                                                    tmp_path: Path) -> None:
    """With no error allowed (threshold 1e-6 px) every leaf in view is drawn at level 0:
    the same prisms, colours and ground as the merged path, so the same picture but for
    stray pixels where coplanar ground layers of different tiles are drawn in another
    order."""
    from gwangju_twin.render.streaming import build_tiled_world

    tiles, _ = city
    world, exact = build_tiled_world(tiles, None, 1500.0, threshold_px=1e-6)
    world.reparent_to(base.render)
    try:
        look(base, exact, (-200.0, -700.0, 120.0))
        assert set(exact.stats().drawn) == {0}
        a = _picture(base, tmp_path / "tiled-level0.png")
        b = _merged_picture(base, city, world, tmp_path / "merged.png")
    finally:
        exact.close()
        world.remove_node()
    assert _sky_share(a) < 0.5  # the city fills the picture below the horizon
    assert _differs(a, b) < 0.01, _differs(a, b)


def test_near_picture_looks_like_the_merged_one(base: Any, stream: Any, city: Any,
                                               tmp_path: Path) -> None:
    """At the default 16 px, the near view mixes levels 0 and 1 (courtyards filled and
    outlines simplified farther off). Level 1 is drawn only where its error is under 16 px
    on the screen, so the picture stays close to the merged one (3 % of pixels allowed to
    differ); the view from afar, all hulls, still covers the city where the merged picture
    does."""
    look(base, stream, (-200.0, -700.0, 120.0))
    assert set(stream.stats().drawn) <= {0, 1}
    a = _picture(base, tmp_path / "tiled-near.png")
    b = _merged_picture(base, city, stream.parent.get_parent(), tmp_path / "merged-near.png")
    near_diff = _differs(a, b)
    assert near_diff < 0.03, near_diff
    look(base, stream, (0.0, -9000.0, 6000.0))
    assert set(stream.stats().drawn) == {2}
    a = _picture(base, tmp_path / "tiled-far.png")
    b = _merged_picture(base, city, stream.parent.get_parent(), tmp_path / "merged-far.png")
    # Where the merged city covers the ground, so do the hulls (the sky agrees).
    assert abs(_sky_share(a) - _sky_share(b)) < 0.01


def test_a_still_camera_costs_no_work_per_tile(base: Any, stream: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a view is settled, further frames from the same camera look at no far group
    again (the per-frame cost is the selector's arrays alone); moving the camera far out
    does look at them."""
    look(base, stream, PATH[1])
    assert stream.wait()  # loads begun before settle() took over are in
    calls: list[int] = []
    resolve = stream._resolve
    monkeypatch.setattr(stream, "_resolve", lambda g, *a: (calls.append(g), resolve(g, *a)))
    for _ in range(5):
        stream.update(base.camera, base.camLens, base.win.get_y_size())
    assert calls == []
    look(base, stream, PATH[4], settle=False)
    assert calls


def test_a_group_whose_building_was_cleared_is_never_drawn_far(base: Any, city: Any) -> None:
    """Pavilions clear buildings (TileSet's remap marks their rows -1): the far group that
    held one has no hulls to draw (they would stand on the site), so even from afar its
    leaves are drawn instead, and the cleared building's triangles are gone from them."""
    from gwangju_twin.render.streaming import CityStream
    from gwangju_twin.tiles.tileset import TileSet

    tiles, district = city
    row = int(np.flatnonzero(district.layer == "buildings")[0])
    remap = np.arange(len(district))
    remap[row] = -1
    remap[row + 1:] -= 1
    cleared = TileSet(tiles.cache, district, remap)
    assert len(cleared.capped) == 1
    (capped,) = cleared.capped
    root = base.render.attach_new_node("cleared")
    stream = CityStream(root, cleared)
    try:
        look(base, stream, PATH[4])
        drawn = stream.drawn()
        groups = [k for k, t in cleared.tiles.items() if t.kind == "far"]
        assert all(drawn.get(g) in (2, 3) for g in groups if g != capped)
        assert capped not in drawn
        covers, seen = coverage(stream)
        assert (covers[seen] == 1).all()
    finally:
        stream.close()
        root.remove_node()


def test_tiles_behind_walls_are_hidden_and_the_picture_is_the_same(
        base: Any, stream: Any, tmp_path: Path) -> None:
    """At eye level among the blocks, the nearest buildings hide most of the city: with
    occlusion culling (``occlude_for``) those tiles are hidden from the camera alone (the
    sun's shadow camera still draws them, their shadows may fall in view) and each picture
    is the very same, pixel for pixel, as without it. Which views hide something is not
    assumed: from 2 m up, looking level in four directions from three street corners, at
    least one must (a block's walls are 10 m and more high and fill half the picture)."""
    from gwangju_twin.render.streaming import MAIN_CAMERA
    from gwangju_twin.render.world import SHADOW_CAMERA

    mask = base.cam.node().get_camera_mask()
    hid = 0
    try:
        for x, y in ((12.0, 12.0), (-300.0, 250.0), (500.0, -400.0)):
            for dx, dy in ((1, 0), (0, 1), (-1, 0), (0, -1)):
                eye = (x, y, 2.0)
                look(base, stream, eye, (x + 100.0 * dx, y + 100.0 * dy, 2.0))
                stream.occlude_for(None)
                plain = _picture(base, tmp_path / "plain.png")
                assert stream.stats().occluded == 0
                stream.occlude_for(base.cam)
                stats = stream.stats()
                culled = _picture(base, tmp_path / "culled.png")
                diff = np.abs(plain - culled).max(axis=2)
                assert (diff == 0).all(), (eye, dx, dy, int((diff > 0).sum()))
                hidden = [stream._resident[item].root for item in stream._hidden]
                assert len(hidden) == stats.occluded
                for root in hidden:
                    assert root.is_hidden(MAIN_CAMERA)
                    assert not root.is_hidden(SHADOW_CAMERA)
                hid += stats.occluded
        assert hid > 0
        # Switched off, nothing stays hidden.
        stream.occlude_for(None)
        assert not stream._hidden
        assert all(not stream._resident[(k, lv)].root.is_hidden(MAIN_CAMERA)
                   for k, lv in stream.drawn().items())
    finally:
        stream.occlude_for(None)
        base.cam.node().set_camera_mask(mask)


def test_a_tile_coming_out_from_behind_a_wall_shows_in_that_frame(base: Any, stream: Any,
                                                                  tmp_path: Path) -> None:
    """Walking along a street with occlusion on, without settling: after every update the
    hidden tiles are exactly those the test finds hidden for that update's camera, so
    no frame is drawn with a tile hidden that the camera could see."""
    mask = base.cam.node().get_camera_mask()
    try:
        stream.occlude_for(base.cam)
        for t in np.linspace(0.0, 1.0, 15):
            eye = (12.0 + 600.0 * t, 12.0, 2.0)
            look(base, stream, eye, (eye[0] + 100.0, 40.0 * t, 2.0), settle=False)
            expected = stream.occluded_items(stream._view, stream.selection)
            assert stream._hidden == expected
            base.graphicsEngine.render_frame()
    finally:
        stream.occlude_for(None)
        base.cam.node().set_camera_mask(mask)
