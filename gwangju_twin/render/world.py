"""The drawn world: district tiles, ground plane, sky dome, sun and fog under one NodePath."""

from __future__ import annotations

import math

import numpy as np
from panda3d.core import (
    AmbientLight,
    BitMask32,
    DirectionalLight,
    Fog,
    GeomNode,
    NodePath,
    TransparencyAttrib,
    Vec4,
)

from gwangju_twin.mesh import palette
from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.district import DistrictMesh
from gwangju_twin.render.geoms import make_geom_node

#: Flat layers are painted in the background bin in this order without writing depth, so
#: they can never z-fight however far away the camera is; buildings are depth-tested after.
SKY_ORDER = 0
#: The draw-mask bit of the sun's shadow camera (render/sunlight.py). Flat layers and the
#: ground, drawn without depth, cast nothing, so they are hidden from it: the shadow pass
#: then skips them (the ground plane alone covers the whole map). Cameras with other bits
#: (every ordinary camera has all of them) still draw them.
SHADOW_CAMERA = BitMask32.bit(20)
GROUND_PLANE_ORDER = 1
FIRST_LAYER_ORDER = 2


def _rgb(c: tuple[int, int, int, int]) -> Vec4:
    return Vec4(c[0] / 255, c[1] / 255, c[2] / 255, c[3] / 255)


#: The ground's xy extent (x0, y0, x1, y1) that matters, in local metres.
Extent = tuple[float, float, float, float]


def haze_size(mesh: DistrictMesh, view_distance: float = 0.0,
              focus: Extent | None = None) -> float:
    """The length (metres) the haze scales with: the diagonal of what the start view frames
    (``focus``, the district's bounds without it), or a start view farther out than that
    is wide (so a country-sized file is not lost in it).

    The focus, not the whole file: one 60 km river line would otherwise stretch the haze so
    far that the plain ground runs up to the horizon as a grey band under the sky."""
    x0, y0, x1, y1 = focus if focus is not None else mesh.bounds
    return max(math.hypot(x1 - x0, y1 - y0), 0.9 * view_distance, 1000.0)


def build_world(mesh: DistrictMesh, layers: dict[str, bool] | None = None,
                view_distance: float = 0.0, focus: Extent | None = None) -> NodePath:
    """A NodePath ``world`` with children ``district`` (one GeomNode per batch), ``ground``
    and ``lights``. It needs no window: attach it under ``render`` to see it.

    ``view_distance`` is the start view's distance, which the haze scales with (see
    ``add_fog``): the ground reaches far enough to melt into the horizon from there.
    ``focus`` is the xy extent the start view frames (``haze_size``); the ground keeps its
    own colour there and takes the horizon's away from it."""
    world = NodePath("world")
    add_batches(world.attach_new_node("district"), mesh, layers)
    ground = _ground_plane(focus if focus is not None else mesh.bounds,
                           haze_size(mesh, view_distance, focus))
    ground.reparent_to(world)
    _light(world)
    return world


def add_batches(parent: NodePath, mesh: DistrictMesh,
                layers: dict[str, bool] | None = None) -> None:
    """One GeomNode per batch of ``mesh`` the ``layers`` show, styled, under ``parent``."""
    for batch in mesh.shown(layers or {}):
        np_ = parent.attach_new_node(make_geom_node(batch))
        style_batch(np_, batch)


def style_batch(np_: NodePath, batch: MeshBatch) -> None:
    """Draw a flat layer's batch in the background bin by its draw order, without writing
    depth (overlays translucent and unlit, lines unlit and 1.6 px wide); solids as they are."""
    if batch.material == "solid":
        return
    np_.hide(SHADOW_CAMERA)
    np_.set_bin("background", FIRST_LAYER_ORDER + batch.draw_order)
    np_.set_depth_write(False)
    match batch.material:
        case "overlay":
            np_.set_transparency(TransparencyAttrib.M_alpha)
            np_.set_light_off(1)
        case "lines":
            np_.set_render_mode_thickness(1.6)
            np_.set_light_off(1)


def _ground_plane(extent: Extent, haze: float, cells: int = 96) -> NodePath:
    """The ground as a grid: fixed-function fog is computed per vertex, so one huge quad
    would take the haze of its far corners everywhere.

    It reaches 6 haze lengths past ``extent`` (what the start view frames), where the haze
    has taken it entirely (the fog factor is under 1e-5 there), so its edge is never seen:
    the distant ground melts into the sky's horizon colour instead of ending in a grey band
    under the sky. Features farther out (a long river) are drawn there on no ground, hazed
    into the same colour."""
    x0, y0, x1, y1 = extent
    margin = max(x1 - x0, y1 - y0, 500.0, 6.0 * haze)
    xs = np.linspace(x0 - margin, x1 + margin, cells + 1, dtype=np.float32)
    ys = np.linspace(y0 - margin, y1 + margin, cells + 1, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    pos = np.column_stack([gx.ravel(), gy.ravel(), np.zeros(gx.size, np.float32)])
    i = (np.arange(cells)[:, None] * (cells + 1) + np.arange(cells)[None, :]).ravel()
    tris = np.concatenate(
        [
            np.column_stack([i, i + 1, i + cells + 2]),
            np.column_stack([i, i + cells + 2, i + cells + 1]),
        ]
    ).astype(np.uint32)
    n = len(pos)
    # Away from the district the ground takes the horizon's colour (fully half a haze length
    # out), so the haze over it is the sky's colour, not a grey band of hazy ground.
    out = np.hypot(np.maximum(np.maximum(x0 - gx, gx - x1), 0),
                   np.maximum(np.maximum(y0 - gy, gy - y1), 0)).ravel()
    w = np.clip(out / (0.5 * haze), 0.0, 1.0)[:, None] ** 0.7
    ground, horizon = np.array(palette.GROUND_COLOR, float), np.array(palette.SKY_HORIZON, float)
    rgba = np.rint(ground * (1 - w) + horizon * w).astype(np.uint8)
    batch = MeshBatch(
        "ground", pos.astype(np.float32), np.tile(np.array([0, 0, 1], np.float32), (n, 1)),
        rgba, tris, np.full(n, -1, np.int32),
    )
    np_ = NodePath(make_geom_node(batch, "ground-plane"))
    np_.hide(SHADOW_CAMERA)
    np_.set_bin("background", GROUND_PLANE_ORDER)
    np_.set_depth_write(False)
    return np_


def _light(world: NodePath) -> None:
    lights = world.attach_new_node("lights")
    sun = DirectionalLight("sun")
    sun.set_color(Vec4(0.82, 0.77, 0.66, 1))
    sun_np = lights.attach_new_node(sun)
    # Late-morning sun from the south-east: a view towards the north-east (the default) sees
    # lit south faces next to shaded west faces, which reads better than flat front light.
    sun_np.set_hpr(35, -52, 0)
    fill = DirectionalLight("sky-fill")
    fill.set_color(Vec4(0.20, 0.22, 0.27, 1))
    fill_np = lights.attach_new_node(fill)
    fill_np.set_hpr(-150, -30, 0)
    amb = AmbientLight("ambient")
    amb.set_color(Vec4(0.30, 0.32, 0.37, 1))
    amb_np = lights.attach_new_node(amb)
    for light in (sun_np, fill_np, amb_np):
        world.set_light(light)


def sky_gradient(elevation: np.ndarray, zenith: tuple[float, float, float] | None = None,
                 horizon: tuple[float, float, float] | None = None) -> np.ndarray:
    """The sky's colour (RGBA uint8) at ``elevation`` radians above the horizon: the pale
    horizon colour (the haze's) at and below the horizon, a clear blue towards the zenith
    (most of the change within the first 20 degrees, as a real sky's).

    ``zenith`` and ``horizon`` (0..1 RGB, the time of day's: render/daylight.py) replace the
    palette's day colours."""
    t = np.clip(np.sin(elevation), 0.0, 1.0) ** 0.45
    hz = np.array(palette.SKY_HORIZON, float) if horizon is None else np.array(
        [*(255.0 * c for c in horizon), 255.0])
    zn = np.array(palette.SKY_ZENITH, float) if zenith is None else np.array(
        [*(255.0 * c for c in zenith), 255.0])
    return np.rint(hz[None, :] * (1 - t[:, None]) + zn[None, :] * t[:, None]).astype(np.uint8)


def sky_dome(radius: float = 1000.0, segments: int = 32) -> NodePath:
    """A whole sphere coloured from horizon to zenith, drawn first and never lit or fogged.

    It is a sphere, not a hemisphere: whatever the view's pitch, height and the picture's
    shape, every pixel the ground does not cover shows sky (the horizon colour below the
    horizon), never the window's clear colour. The shell centres it on the camera each
    frame; its rings are dense near the horizon, where the gradient changes fastest.
    """
    el = np.concatenate([[-math.pi / 2, -0.3, -0.05], np.arcsin(np.linspace(0.0, 1.0, 13))])
    rings = len(el) - 1
    az = np.linspace(0, 2 * math.pi, segments + 1)
    a, e = np.meshgrid(az, el)
    pos = np.stack(
        [np.cos(a) * np.cos(e), np.sin(a) * np.cos(e), np.sin(e)], axis=-1
    ).reshape(-1, 3) * radius
    rgba = sky_gradient(e.reshape(-1))
    i = np.arange(rings)[:, None] * (segments + 1) + np.arange(segments)[None, :]
    i = i.reshape(-1)
    tris = np.concatenate(
        [np.column_stack([i, i + segments + 1, i + 1]),
         np.column_stack([i + 1, i + segments + 1, i + segments + 2])]
    ).astype(np.uint32)
    batch = MeshBatch(
        "sky", pos.astype(np.float32), -pos.astype(np.float32) / radius, rgba, tris,
        np.full(len(pos), -1, np.int32),
    )
    np_ = NodePath(make_geom_node(batch, "sky"))
    np_.set_bin("background", SKY_ORDER)
    np_.set_depth_write(False)
    np_.set_depth_test(False)
    np_.set_light_off(1)
    np_.set_fog_off(1)
    np_.set_two_sided(True)
    return np_


def recolor_sky(sky: NodePath, zenith: tuple[float, float, float],
                horizon: tuple[float, float, float]) -> None:
    """Paint ``sky`` (from ``sky_dome``) from ``horizon`` to ``zenith``: its vertices'
    colours rewritten in place, as one array (the dome keeps its node and geometry)."""
    from gwangju_twin.render.geoms import VERTEX_DTYPE

    node = sky.node()
    assert isinstance(node, GeomNode)
    vdata = node.modify_geom(0).modify_vertex_data()
    view = memoryview(vdata.modify_array(0)).cast("B")
    verts = np.frombuffer(view, VERTEX_DTYPE).copy()
    radius = float(np.abs(verts["pos"]).max()) or 1.0
    elevation = np.arcsin(np.clip(verts["pos"][:, 2] / radius, -1.0, 1.0))
    verts["rgba"] = sky_gradient(elevation, zenith, horizon)
    view[:] = verts.tobytes()


def add_fog(root: NodePath, mesh: DistrictMesh, view_distance: float = 0.0,
            focus: Extent | None = None) -> Fog:
    """Aerial perspective: distant blocks fade into the horizon colour.

    The haze scales with what the start view frames (``haze_size``)."""
    size = haze_size(mesh, view_distance, focus)
    fog = Fog("haze")
    fog.set_color(_rgb(palette.SKY_HORIZON))
    # Squared exponential: the district in front stays crisp, the far edge and the ground
    # beyond it melt into the horizon (about 60 % haze at 1.5 district diagonals).
    fog.set_mode(Fog.M_exponential_squared)
    fog.set_exp_density(0.63 / size)
    root.set_fog(fog)
    return fog


#: A camera this many times higher than the haze's length thins it (see ``thin_haze``).
HAZE_HEIGHT = 1.2


def thin_haze(fog: Fog, size: float, camera_z: float) -> None:
    """Keep ``fog`` (from ``add_fog``, scaled for ``size`` metres) thin enough for a camera
    ``camera_z`` metres up: a demo's whole-district overview stands farther out than any
    start view, and the district must not fade into the horizon there. Views lower than
    ``size`` / HAZE_HEIGHT keep the haze as it was."""
    fog.set_exp_density(0.63 / max(size, HAZE_HEIGHT * camera_z))


def sky_clear_color() -> Vec4:
    """The window's clear colour: the horizon's, so a frame drawn before the sky (or a
    pixel nothing covers) is never the default grey."""
    return _rgb(palette.SKY_HORIZON)
