"""Where the sun's shadow camera looks: fitted to what the view sees, snapped so it is stable.

Pure numpy (no Panda3D), so the fit is tested without a renderer. The shadow camera is an
orthographic camera looking along the sunlight; its film covers the footprint of the view
frustum on the city (clipped to the district's extent and to a reach), and reaches up-sun far
enough to hold every building that can cast a shadow into it.

Two rules keep shadows from swimming or flickering while the camera moves (the usual
"stable cascaded shadow maps" recipe):

* the film size only takes values on a fixed ladder (quarter octaves), so a texel's size in
  metres stays the same while the view moves a little;
* the film's centre moves in whole steps of a sixteenth of the film, which are whole texels
  (the map's size is a power of two), so every texel keeps covering the same patch of ground.
  The film is padded by two steps, so the snapped film still holds the whole footprint.

A fit only changes when the view has moved by a step, so the shadow map is re-rendered then
and not every frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Vec3 = tuple[float, float, float]
#: The xy extent (x0, y0, x1, y1) shadows are drawn within, in local metres.
Extent = tuple[float, float, float, float]

#: The smallest film (metres): a street view close to a wall still gets a sensible map.
MIN_FILM = 64.0
#: How far under the horizon the film's centre may move between snaps, as a share of the film.
SNAP_DIVISIONS = 16
#: The longest shadow the fit reaches for up-sun, in metres (a sun a few degrees over the
#: horizon would otherwise ask for kilometres of depth).
MAX_CASTER_REACH = 3000.0


@dataclass(frozen=True)
class ShadowFit:
    """The shadow camera's placement: a transform and an orthographic lens.

    ``basis`` holds the camera's right, forward (along the sunlight) and up axes in the local
    frame; ``origin`` is where it stands; the film is ``film`` metres square and the depth runs
    from 0 to ``depth`` metres along forward. Two fits are equal exactly when the shadow map
    they render is the same.
    """

    origin: Vec3
    basis: tuple[Vec3, Vec3, Vec3]
    film: float
    depth: float

    def texel(self, resolution: int) -> float:
        """The size of one shadow-map texel in metres for a map ``resolution`` texels wide."""
        return self.film / resolution


def sun_basis(towards_sun: Vec3) -> tuple[Vec3, Vec3, Vec3]:
    """Right, forward and up axes of a camera looking along the sunlight (forward points from
    the sun to the ground); ``towards_sun`` is the unit vector to the sun."""
    f = -np.asarray(towards_sun, float)
    f /= np.linalg.norm(f)
    hint = np.array([0.0, 1.0, 0.0]) if abs(f[2]) > 0.999 else np.array([0.0, 0.0, 1.0])
    r = np.cross(f, hint)
    r /= np.linalg.norm(r)
    u = np.cross(r, f)

    def t(v: np.ndarray) -> Vec3:
        return (float(v[0]), float(v[1]), float(v[2]))

    return t(r), t(f), t(u)


def footprint(eye: Vec3, rays: np.ndarray, reach: float) -> np.ndarray:
    """The xy points (k, 2) bounding what a camera at ``eye`` sees of the ground: where each
    corner ray of its frustum (``rays``, (4, 3) directions) meets the ground, no farther than
    ``reach`` metres from the eye (a ray at or over the horizon stops at the reach), and the
    ground under the eye."""
    e = np.asarray(eye, float)
    d = np.asarray(rays, float)
    d = d / np.linalg.norm(d, axis=1, keepdims=True)
    down = -d[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(down > 1e-6, e[2] / down, np.inf)
    t = np.minimum(np.maximum(t, 0.0), reach)
    pts = e[None, :2] + d[:, :2] * t[:, None]
    return np.vstack([pts, e[None, :2]])


def _ladder(size: float) -> float:
    """``size`` rounded up to the film-size ladder: quarter octaves from MIN_FILM."""
    steps = math.ceil(4.0 * math.log2(max(size, MIN_FILM) / MIN_FILM) - 1e-9)
    return MIN_FILM * 2.0 ** (steps / 4.0)


def fit_shadow(points: np.ndarray, extent: Extent, top: float, towards_sun: Vec3) -> ShadowFit:
    """The shadow camera for the ground ``points`` (xy, e.g. ``footprint``) clipped to
    ``extent``, holding buildings up to ``top`` metres tall, for the sun in ``towards_sun``.
    """
    r, f, u = (np.asarray(v) for v in sun_basis(towards_sun))
    # Shadows fall beyond the district's edge too: the extent grows by the longest shadow
    # (the tallest building's, no longer than five heights: the sun 11 degrees up).
    grow = max(top, 0.0) * min(math.hypot(f[0], f[1]) / max(-f[2], 1e-3), 5.0)
    x0, y0, x1, y1 = extent[0] - grow, extent[1] - grow, extent[2] + grow, extent[3] + grow
    p = np.asarray(points, float)
    lo = np.maximum(p.min(axis=0), (x0, y0))
    hi = np.minimum(p.max(axis=0), (x1, y1))
    # A view that sees none of the district: a small box at the nearest point of the extent.
    hi = np.maximum(hi, lo)
    xs, ys = [lo[0], hi[0]], [lo[1], hi[1]]
    corners = np.array([[x, y, z] for x in xs for y in ys for z in (0.0, max(top, 0.0))])
    cu, cv, cw = corners @ r, corners @ u, corners @ f
    size = max(float(np.ptp(cu)), float(np.ptp(cv)))
    film = _ladder(size * 1.05)
    while film < size + 2.0 * film / SNAP_DIVISIONS:
        film = _ladder(film * 1.01)
    step = film / SNAP_DIVISIONS
    mid_u = round(float(cu.min() + cu.max()) / 2.0 / step) * step
    mid_v = round(float(cv.min() + cv.max()) / 2.0 / step) * step
    # Up-sun far enough for the tallest building's shadow to reach the box's ground.
    sin_el = max(-f[2], 1e-3)
    reach = min(max(top, 0.0) / sin_el, MAX_CASTER_REACH) + step
    near = math.floor((float(cw.min()) - reach) / step) * step
    far = math.ceil(float(cw.max()) / step) * step + step
    origin = r * mid_u + u * mid_v + f * near

    def t(v: np.ndarray) -> Vec3:
        return (float(v[0]), float(v[1]), float(v[2]))

    return ShadowFit(t(origin), (t(r), t(f), t(u)), film, far - near)


def ground_cover(fit: ShadowFit, top: float) -> Extent:
    """The xy box (x0, y0, x1, y1) holding every point between heights 0 and ``top`` that
    the shadow map of ``fit`` covers: what lies outside it can take no shadow from the map.

    The map covers the film's square carried along the sunlight; a point at height z is in
    it where that prism meets the plane z. The prism's edges are straight lines, so its
    cross-sections at z = 0 and z = ``top`` bound all those in between."""
    r, f, u = (np.asarray(v, float) for v in fit.basis)
    o = np.asarray(fit.origin, float)
    half = fit.film / 2.0
    corners = np.array([o + r * a + u * b for a in (-half, half) for b in (-half, half)])
    if abs(f[2]) < 1e-6:  # a sun on the horizon: the prism runs level, along its depth
        pts = np.vstack([corners, corners + f * fit.depth])
        return (float(pts[:, 0].min()), float(pts[:, 1].min()),
                float(pts[:, 0].max()), float(pts[:, 1].max()))
    z = np.array([0.0, max(top, 0.0)])[:, None]
    t = (z - corners[None, :, 2]) / f[2]  # along the sunlight from each corner to height z
    xy = (corners[None, :, :2] + f[None, None, :2] * t[:, :, None]).reshape(-1, 2)
    return (float(xy[:, 0].min()), float(xy[:, 1].min()),
            float(xy[:, 0].max()), float(xy[:, 1].max()))
