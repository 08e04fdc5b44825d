"""Occlusion culling (tiles.occlusion): boxes hidden behind nearer opaque polygons.

The reference is brute force, independent of the module's method: a ray through the centre
of every pixel of the picture (where the renderer samples), the nearest front face it meets
(exact ray-polygon intersection), and whether it meets a box before that. Whatever the
module calls hidden must be seen by no pixel, and whatever depth it stores for a cell must
be no nearer than what every pixel of that cell sees.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gwangju_twin.mesh.prism import extrude
from gwangju_twin.tiles.occlusion import (
    Occluders,
    OcclusionBuffer,
    occluded_in_turn,
    occluder_polygons,
    occluders_of,
)
from gwangju_twin.tiles.select import View

# A small picture (the renderer's pixels) and a buffer of 2 x 2 pixel cells over it.
W_PX, H_PX = 64, 36
COLS, ROWS = 32, 18
FOV_Y = 30.0
FOV_X = math.degrees(2 * math.atan(math.tan(math.radians(FOV_Y) / 2) * W_PX / H_PX))


def view_at(eye: tuple[float, float, float], target: tuple[float, float, float],
            near: float = 1.0) -> View:
    return View.looking_at(eye, target, FOV_X, FOV_Y, near, 5000.0, H_PX)


def wall(x0: float, x1: float, y: float, z0: float, z1: float) -> np.ndarray:
    """A wall across y = const facing -y (towards an eye south of it), counter-clockwise
    from the front: (x0, z0) -> (x1, z0) -> (x1, z1) -> (x0, z1) seen from the south."""
    return np.array([[x0, y, z0], [x1, y, z0], [x1, y, z1], [x0, y, z1]], float)


def buffer_with(view: View, *polygons: np.ndarray) -> OcclusionBuffer:
    buf = OcclusionBuffer(view, COLS, ROWS)
    buf.add(Occluders.of(np.array(polygons, float)))
    return buf


# -- brute force -------------------------------------------------------------------------------

def pixel_rays(view: View) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pixel centre (row 0 at the bottom): its ray (d . forward = 1) and its cell."""
    tx = math.tan(math.radians(view.fov_x) / 2)
    ty = math.tan(math.radians(view.fov_y) / 2)
    px, py = np.meshgrid(np.arange(W_PX) + 0.5, np.arange(H_PX) + 0.5)
    x = px.ravel() / W_PX * 2 - 1
    y = py.ravel() / H_PX * 2 - 1
    d = (view.forward[None, :] + x[:, None] * tx * view.right[None, :]
         + y[:, None] * ty * view.up[None, :])
    cell = (py.ravel() // (H_PX / ROWS)).astype(int) * COLS + (px.ravel() // (W_PX / COLS)
                                                                ).astype(int)
    return d, cell, np.column_stack([x, y])


def nearest_face(view: View, rays: np.ndarray, polygons: list[np.ndarray]) -> np.ndarray:
    """Per ray, the depth of the nearest front face it meets between the clip planes (inf:
    none): the renderer's depth buffer after drawing ``polygons``."""
    best = np.full(len(rays), np.inf)
    for poly in polygons:
        # As triangles (a, b, c) and (a, c, d): a ray meets the polygon where it meets either.
        for tri in (poly[[0, 1, 2]], poly[[0, 2, 3]]):
            a, b, c = tri - view.eye
            n = np.cross(b - a, c - a)
            if not np.linalg.norm(n) or n @ -a <= 0:  # degenerate or a back face (culled)
                continue
            denom = rays @ n
            with np.errstate(divide="ignore", invalid="ignore"):
                t = (a @ n) / denom
            p = t[:, None] * rays
            inside = np.ones(len(rays), bool)
            for u, v in ((a, b), (b, c), (c, a)):
                inside &= (np.cross(v - u, p - u) @ n) >= 0
            ok = inside & (t >= view.near) & (t <= view.far)
            best = np.where(ok, np.minimum(best, t), best)
    return best


def seen_pixels(view: View, rays: np.ndarray, depth: np.ndarray, box: np.ndarray) -> int:
    """How many pixel rays reach into ``box`` nearer than ``depth`` and within the clip
    planes (anything inside the box could be drawn there)."""
    lo, hi = box[:3] - view.eye, box[3:] - view.eye
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = lo / rays, hi / rays
    t_in = np.nanmax(np.minimum(t1, t2), axis=1)
    t_out = np.nanmin(np.maximum(t1, t2), axis=1)
    start = np.maximum(t_in, view.near)
    end = np.minimum(np.minimum(t_out, view.far), depth)
    return int((start < end).sum())


# -- examples ------------------------------------------------------------------------------------

def test_a_box_behind_a_wall_filling_the_picture_is_hidden() -> None:
    view = view_at((0, 0, 2), (0, 100, 2))
    buf = buffer_with(view, wall(-500, 500, 20, -100, 400))
    assert np.isfinite(buf.depth).all()
    assert np.allclose(buf.depth, 20.0)  # a wall square to the view: 20 m everywhere
    behind = [0, 40, 0, 10, 60, 30]
    before = [-5, 10, 0, 5, 15, 10]
    through = [-5, 15, 0, 5, 40, 10]  # reaching from in front of the wall to behind it
    almost = [-5, 19, 0, 5, 30, 10]  # a metre in front of it
    just = [-5, 20.5, 0, 5, 30, 10]  # half a metre behind it
    assert buf.occluded(np.array([behind, before, through, almost, just], float)).tolist() == [
        True, False, False, False, True]


def test_a_box_beside_a_wall_or_above_it_is_not_hidden() -> None:
    view = view_at((0, 0, 2), (0, 100, 2))
    buf = buffer_with(view, wall(-10, 10, 20, 0, 5))
    beside = [30, 60, 0, 40, 70, 10]  # seen right of the wall
    above = [-3, 40, 0, 3, 45, 60]  # its top rises above the wall's
    small = [-1, 30, 0, 1, 32, 1]  # wholly behind it, low and narrow
    assert buf.occluded(np.array([beside, above, small], float)).tolist() == [
        False, False, True]


def test_a_back_face_hides_nothing() -> None:
    # The renderer culls back faces: a wall seen from behind draws nothing.
    view = view_at((0, 0, 2), (0, 100, 2))
    buf = buffer_with(view, wall(-500, 500, 20, -100, 400)[::-1])
    assert not np.isfinite(buf.depth).any()
    assert not buf.occluded(np.array([[0, 40, 0, 10, 60, 30]], float)).any()


def test_a_wall_reaching_behind_the_camera_still_hides() -> None:
    # A street wall running past the eye on its left: its near end is behind the camera.
    view = view_at((0, 0, 2), (0, 100, 2))
    side = np.array([[-4, -50, 0], [-4, 200, 0], [-4, 200, 30], [-4, -50, 30]], float)
    buf = buffer_with(view, side)
    assert np.isfinite(buf.depth).any()
    left_behind = [-60, 30, 0, -20, 40, 10]  # behind the wall, seen only through it
    assert buf.occluded(np.array([left_behind], float)).tolist() == [True]


def test_a_box_reaching_behind_the_near_plane_is_never_hidden() -> None:
    view = view_at((0, 0, 2), (0, 100, 2))
    buf = buffer_with(view, wall(-500, 500, 20, -100, 400))
    assert not buf.occluded(np.array([[-5, -5, 0, 5, 60, 10]], float)).any()


def test_prism_walls_become_quads() -> None:
    """A 10 x 6 m block 8 m high (mesh.prism): its four walls each come out as one quad (a
    wall split on its diagonal would cover no cell the diagonal crosses)."""
    parts = np.array([shapely.orient_polygons(shapely.box(0, 0, 10, 6))])
    batch = extrude(parts, np.array([0]), np.array([0.0]), np.array([8.0]),
                    np.array([[200, 200, 200, 255]], np.uint8),
                    np.array([[150, 150, 150, 255]], np.uint8))
    polys = occluder_polygons(batch.positions, batch.indices)
    quads = polys[~np.isclose(polys[:, 2], polys[:, 3]).all(axis=1)]
    walls = quads[np.ptp(quads[:, :, 2], axis=1) > 0]
    # One per edge of the outline, each spanning the full height.
    assert len(walls) == 4
    assert np.allclose(np.sort(walls[:, :, 2], axis=1), [[0, 0, 8, 8]] * 4)
    spans = sorted(round(float(np.ptp(w[:, 0]) + np.ptp(w[:, 1])), 3) for w in walls)
    assert spans == [6, 6, 10, 10]
    # Every triangle is in some polygon: as many triangle areas as the batch's.
    area = np.linalg.norm(np.cross(polys[:, 1] - polys[:, 0], polys[:, 2] - polys[:, 0]),
                          axis=1) / 2 + np.linalg.norm(
        np.cross(polys[:, 2] - polys[:, 0], polys[:, 3] - polys[:, 0]), axis=1) / 2
    p = batch.positions[batch.indices]
    tri_area = np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1) / 2
    assert math.isclose(area.sum(), tri_area.sum(), rel_tol=1e-6)


def test_occluders_sort_largest_first_and_cut_by_radius() -> None:
    small = wall(0, 1, 10, 0, 1)
    large = wall(0, 20, 10, 0, 20)
    occ = Occluders.of(np.array([small, large]))
    assert occ.radii[0] > occ.radii[1]
    assert len(occ.at_least(occ.radii[1] * 2)) == 1
    assert len(occ.at_least(0.0)) == 2
    assert len(Occluders.join([occ, Occluders.none(), occ])) == 4


# -- properties against brute force ------------------------------------------------------------

@st.composite
def scenes(draw: st.DrawFn) -> tuple[View, list[np.ndarray], np.ndarray]:
    """A camera a few metres up and random walls and boxes ahead of it, some walls turned
    away, some reaching behind the camera, some tilted; boxes anywhere around."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    heading = rng.uniform(0, 2 * math.pi)
    eye = (rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(0.5, 30))
    pitch = rng.uniform(-0.5, 0.3)
    target = (eye[0] + math.cos(heading) * 100, eye[1] + math.sin(heading) * 100,
              eye[2] + math.tan(pitch) * 100)
    view = view_at(eye, target, near=rng.uniform(0.5, 2.0))
    polygons = []
    for _ in range(int(rng.integers(1, 12))):
        centre = np.array(eye) + rng.normal(0, 40, 3) + 40 * np.array(
            [math.cos(heading), math.sin(heading), 0.0])
        u = rng.normal(0, 1, 3)
        u /= np.linalg.norm(u)
        v = np.cross(u, rng.normal(0, 1, 3))
        v /= np.linalg.norm(v)
        a, b = rng.uniform(1, 80, 2)
        corners = [centre - a * u - b * v, centre + a * u - b * v, centre + a * u + b * v,
                   centre - a * u + b * v]
        if rng.random() < 0.3:  # a triangle
            corners = [*corners[:3], corners[2]]
        polygons.append(np.array(corners))
    boxes = []
    for _ in range(int(rng.integers(1, 25))):
        lo = np.array(eye) + rng.normal(0, 60, 3) + 60 * np.array(
            [math.cos(heading), math.sin(heading), 0.0])
        boxes.append(np.concatenate([lo, lo + rng.uniform(0.2, 30, 3)]))
    return view, polygons, np.array(boxes)


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_never_hides_a_box_any_pixel_sees(scene: tuple[View, list[np.ndarray], np.ndarray]
                                          ) -> None:
    view, polygons, boxes = scene
    buf = OcclusionBuffer(view, COLS, ROWS)
    buf.add(Occluders.of(np.array(polygons)))
    rays, cell, _ = pixel_rays(view)
    depth = nearest_face(view, rays, polygons)
    # The buffer is conservative cell by cell: never nearer than what a pixel there sees.
    stored = buf.depth.ravel()[cell]
    assert (stored >= depth * (1 - 1e-9)).all()
    # A hidden box is seen by no pixel.
    for box, hidden in zip(boxes, buf.occluded(boxes), strict=True):
        if hidden:
            assert seen_pixels(view, rays, depth, box) == 0, box


@settings(max_examples=60, deadline=None)
@given(scenes())
def test_in_turn_hides_only_what_the_drawn_boxes_hide(
        scene: tuple[View, list[np.ndarray], np.ndarray]) -> None:
    """Each box draws one of the walls (or nothing): the boxes found hidden are seen by no
    pixel of the picture the others draw, and lend nothing to it."""
    view, polygons, boxes = scene
    own = [Occluders.of(polygons[i][None]) if i < len(polygons) else Occluders.none()
           for i in range(len(boxes))]
    # Each box holds its wall: grown to the wall's corners.
    grown = boxes.copy()
    for i in range(min(len(boxes), len(polygons))):
        grown[i, :3] = np.minimum(grown[i, :3], polygons[i].min(axis=0))
        grown[i, 3:] = np.maximum(grown[i, 3:], polygons[i].max(axis=0))
    hidden = occluded_in_turn(view, grown, own, first=2,
                              buffer=OcclusionBuffer(view, COLS, ROWS))
    drawn = [polygons[i] for i in range(min(len(boxes), len(polygons))) if not hidden[i]]
    rays, _, _ = pixel_rays(view)
    depth = nearest_face(view, rays, drawn)
    for box in grown[hidden]:
        assert seen_pixels(view, rays, depth, box) == 0, box


def test_in_turn_hides_the_boxes_behind_the_nearest_ones_wall() -> None:
    """The nearest box holds a wall filling the picture: every box behind it is hidden,
    the ones nearer than the wall are not, and the first batch never is."""
    view = view_at((0, 0, 2), (0, 100, 2))
    front = wall(-500, 500, 20, -100, 400)
    boxes = np.array([[-500, 19, -100, 500, 21, 400],  # the wall's own box
                      [-5, 5, 0, 5, 10, 5],  # nearer than the wall
                      [-20, 40, 0, 20, 60, 30], [100, 200, 0, 150, 260, 80],
                      [-300, 500, 0, -200, 600, 100], [0, 25, 0, 1, 26, 1]], float)
    own = [occluders_of(front, np.array([[0, 1, 2], [0, 2, 3]]))] + [Occluders.none()] * 5
    hidden = occluded_in_turn(view, boxes, own, first=2,
                              buffer=OcclusionBuffer(view, COLS, ROWS))
    assert hidden.tolist() == [False, False, True, True, True, True]


def test_floors_lend_nothing_walls_and_roofs_do() -> None:
    """occluders_of leaves out the faces looking down (a floor is a back face to any camera
    above it): of a 10 x 6 m block, the four walls and the 60 m² roof remain."""
    parts = np.array([shapely.orient_polygons(shapely.box(0, 0, 10, 6))])
    grey = np.array([[200, 200, 200, 255]], np.uint8)
    batch = extrude(parts, np.array([0]), np.array([0.0]), np.array([8.0]), grey, grey)
    occ = occluders_of(batch.positions, batch.indices)
    poly = occ.polygons.astype(float)
    normal = np.cross(poly[:, 2] - poly[:, 0], poly[:, 3] - poly[:, 1])
    assert (normal[:, 2] >= 0).all()
    roof = poly[np.isclose(poly[:, :, 2], 8.0).all(axis=1)]
    roof_area = sum(0.5 * abs(float(np.cross(p[2] - p[0], p[3] - p[1])[2])) for p in roof)
    assert math.isclose(roof_area, 60.0)
    assert (np.ptp(poly[:, :, 2], axis=1) > 0).sum() == 4
