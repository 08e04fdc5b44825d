"""Framing (pure): the camera pose that fits a 3D box into a picture of a given shape.

The start view has to show what matters whatever the window's shape: a 75 m tower must keep
its top in a wide picture, and a tall picture must not shrink the city to a strip. So the
box is fitted against both halves of the field of view, corner by corner, from the view's
heading and pitch: a small linear program in the camera's distance and a slide of its
target on the ground, solved exactly enough by nested ternary searches (the distance needed
is a convex, piecewise-linear function of the slide).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from gwangju_twin.scene.camera import CameraPose, direction

if TYPE_CHECKING:  # for annotations only: framing needs none of the geo room to run
    from gwangju_twin.geo.model import Layer

#: The lens's horizontal field of view (degrees) in every picture; the vertical one follows
#: from the picture's shape (``lens_fov``).
FOV_DEG = 50.0

#: Share of each half of the picture kept free around the framed box.
MARGIN = 0.06

#: Layers whose polygons are framed first: the city itself, not the roads and rivers that
#: run out of it or the administrative areas around it.
FOCUS_LAYERS: tuple[Layer, ...] = ("buildings", "landmarks", "green", "plazas", "water")

Box = tuple[float, float, float, float, float, float]  # x0, y0, z0, x1, y1, z1


def lens_fov(aspect: float, fov_h: float = FOV_DEG) -> tuple[float, float]:
    """Horizontal and vertical field of view (degrees) of a picture ``aspect`` = w / h wide
    whose horizontal field of view is ``fov_h`` (as Panda3D's lens derives it)."""
    if not math.isfinite(aspect) or aspect <= 0:
        raise ValueError(f"aspect {aspect!r}: expected a positive number")
    half = math.radians(fov_h) / 2
    return fov_h, math.degrees(2 * math.atan(math.tan(half) / aspect))


def _basis(heading: float, pitch: float) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                   np.ndarray]:
    """Forward, right, up and level-forward unit vectors of a view."""
    h = math.radians(heading)
    f = np.array(direction(heading, pitch))
    r = np.array([math.cos(h), -math.sin(h), 0.0])
    u = np.cross(r, f)
    g = np.array([math.sin(h), math.cos(h), 0.0])
    return f, r, u, g


def corners(box: Box) -> np.ndarray:
    """The eight corners of ``box`` as an (8, 3) array."""
    x0, y0, z0, x1, y1, z1 = box
    return np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)], float)


def project(pose: CameraPose, points: np.ndarray, aspect: float,
            fov_h: float = FOV_DEG) -> np.ndarray:
    """Points (n, 3) in the picture of ``pose``: columns x, y in [-1, 1] when inside the
    picture (x right, y up), and the depth in metres (negative behind the camera)."""
    fov_h, fov_v = lens_fov(aspect, fov_h)
    f, r, u, _ = _basis(pose.heading, pose.pitch)
    q = np.asarray(points, float) - np.array(pose.position)
    z = q @ f
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (q @ r) / (z * math.tan(math.radians(fov_h) / 2))
        y = (q @ u) / (z * math.tan(math.radians(fov_v) / 2))
    return np.column_stack([x, y, z])


def _ternary(fn: Callable[[float], float], lo: float, hi: float, steps: int = 60) -> float:
    """The argument in [lo, hi] where the convex ``fn`` is smallest."""
    for _ in range(steps):
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if fn(a) <= fn(b):
            hi = b
        else:
            lo = a
    return (lo + hi) / 2


def _centred(offsets: np.ndarray, depth: np.ndarray, lo: float, hi: float) -> float:
    """The shift s in [lo, hi] that puts the points ``(offsets - s) / depth`` (their picture
    coordinates, up to a scale) as far on one side of the centre as on the other."""
    if hi < lo:
        return (lo + hi) / 2
    for _ in range(60):  # the sum of the extremes falls as s grows: bisect it
        mid = (lo + hi) / 2
        w = (offsets - mid) / depth
        if float(w.max() + w.min()) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def fit_box(box: Box, heading: float, pitch: float, aspect: float, fov_h: float = FOV_DEG,
            margin: float = MARGIN, min_distance: float = 30.0) -> CameraPose:
    """The nearest pose looking from ``heading``/``pitch`` (degrees, pitch below level, in
    (0, 90)) that keeps every corner of ``box`` inside a picture ``aspect`` = w / h wide,
    ``margin`` of each half of the picture free, as large as it can be (it touches both
    sides of the limiting dimension). The target is where the view's centre meets the
    ground (z = 0), the distance is the camera's from there (at least ``min_distance``)."""
    if not 0.0 < pitch < 90.0:
        raise ValueError(f"pitch {pitch!r}: expected more than 0 and less than 90 degrees")
    fov_h, fov_v = lens_fov(aspect, fov_h)
    kx = math.tan(math.radians(fov_h) / 2) * (1 - margin)
    ky = math.tan(math.radians(fov_v) / 2) * (1 - margin)
    f, r, u, _ = _basis(heading, pitch)
    x0, y0, z0, x1, y1, z1 = box
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2])
    p = corners(box) - centre
    pr, pu, pf = p @ r, p @ u, p @ f
    # The camera at centre + a r + b u - d f sees corner p at x = p.r - a, y = p.u - b,
    # depth z = p.f + d. Every corner inside means |x| <= kx z and |y| <= ky z: the x rows
    # involve only a, the y rows only b, so the least d is two one-dimensional problems.
    span = float(np.max(np.abs(p))) * 2 + 1.0
    a = _ternary(lambda a: float(np.max(np.abs(pr - a) / kx - pf)), -span, span)
    b = _ternary(lambda b: float(np.max(np.abs(pu - b) / ky - pf)), -span, span)
    d = max(float(np.max(np.abs(pr - a) / kx - pf)), float(np.max(np.abs(pu - b) / ky - pf)),
            float(np.max(1.0 - pf)))
    # With d known, any a and b inside their feasible intervals fit: centre the box in the
    # picture, so the dimension with room to spare has as much above as below.
    z = pf + d
    a = _centred(pr, z, float(np.max(pr - kx * z)), float(np.min(pr + kx * z)))
    b = _centred(pu, z, float(np.max(pu - ky * z)), float(np.min(pu + ky * z)))
    eye = centre + a * r + b * u - d * f
    # The orbit pivots on the ground: the target is where the view's centre meets z = 0.
    # Stepping back from it along the view (to min_distance) keeps every corner inside.
    reach = float(eye[2]) / math.sin(math.radians(pitch))
    target = eye + reach * f
    return CameraPose((float(target[0]), float(target[1]), 0.0), heading, pitch,
                      max(reach, min_distance))


def focus_box(bounds: np.ndarray, heights: np.ndarray, layers: np.ndarray,
              areal: np.ndarray, trim: float = 0.02) -> Box:
    """The box worth framing of features with xy ``bounds`` (n, 4), top ``heights`` (NaN
    when flat), ``layers`` and ``areal`` (True for polygons): the buildings and the areas of
    the city (parks, plazas, water) if there are any, else every feature. Outliers (a stray
    far building, a river running out of the district) are left out: features whose centre
    is far outside the ``trim``..1-``trim`` quantiles of the centres."""
    bounds = np.asarray(bounds, float).reshape(-1, 4)
    heights = np.asarray(heights, float).reshape(-1)
    ok = np.all(np.isfinite(bounds), axis=1)
    focus = ok & np.isin(np.asarray(layers), FOCUS_LAYERS) & np.asarray(areal, bool)
    if not focus.any():
        focus = ok
    if not focus.any():
        return (-50.0, -50.0, 0.0, 50.0, 50.0, 0.0)
    b = bounds[focus]
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    qx = np.quantile(cx, [trim, 1 - trim])
    qy = np.quantile(cy, [trim, 1 - trim])
    spread = max(qx[1] - qx[0], qy[1] - qy[0])
    # A feature whose centre lies near the bulk is framed whole (a park along the edge);
    # one far from it is an outlier; and nothing reaches further out than half the spread.
    pad, reach = 0.25 * spread + 50.0, 0.5 * spread + 100.0
    inside = ((cx >= qx[0] - pad) & (cx <= qx[1] + pad) & (cy >= qy[0] - pad)
              & (cy <= qy[1] + pad))
    b = b[inside]
    x0 = max(float(b[:, 0].min()), qx[0] - reach)
    x1 = min(float(b[:, 2].max()), qx[1] + reach)
    y0 = max(float(b[:, 1].min()), qy[0] - reach)
    y1 = min(float(b[:, 3].max()), qy[1] + reach)
    h = heights[focus][inside]
    h = h[np.isfinite(h)]
    top = float(h.max()) if h.size else 0.0
    return (x0, y0, 0.0, x1, y1, max(top, 0.0))


def grow(box: Box, extra: Sequence[float]) -> Box:
    """``box`` grown to hold the box ``extra`` (x0, y0, z0, x1, y1, z1) as well."""
    return (min(box[0], extra[0]), min(box[1], extra[1]), min(box[2], extra[2]),
            max(box[3], extra[3]), max(box[4], extra[4]), max(box[5], extra[5]))
