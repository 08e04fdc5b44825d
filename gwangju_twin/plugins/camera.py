"""The demo camera (``ctx.camera``): the views a demo asks for, as camera poses.

A demo names what it wants to show (bounds, points, or a pose) and this computes the pose
that shows it in the window's shape (``gwangju_twin.scene.framing.fit_box``). The shell
carries the pose out through a ``CameraHand``: the touring interface flies there along its
eased arcs, a stage without an interface (a render, a test) puts the camera there at once.
Only the demo the visitor is inside moves the camera; and moving it never counts as
leaving the pavilion (gwangju_twin.guide.presence).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from gwangju_twin.scene.camera import CameraPose, direction
from gwangju_twin.scene.framing import MARGIN, Box, corners, fit_box, lens_fov, project

#: A demo's views look down at this pitch (degrees below the horizon) unless it says.
DEFAULT_PITCH = 50.0
#: How long a demo's flight takes unless it says (seconds).
DEFAULT_SECONDS = 1.5
#: A framed box is at least this wide and deep (metres), so one point still gets a view.
MIN_SPAN = 20.0

#: A part of the picture in normalised device coordinates: (x0, y0, x1, y1), x to the right
#: and y up, each from -1 to 1.
Window = tuple[float, float, float, float]
#: The whole picture.
WHOLE: Window = (-1.0, -1.0, 1.0, 1.0)
#: A covered rectangle overlapping the free window by less than this share of the picture
#: is ignored: a minimap in a corner or a toolbar along the top is not worth giving up a
#: whole strip of the view for (the minimap's column cost a demo a fifth of its width).
MIN_COVER = 0.08
#: A free window is never cut narrower or lower than this share of the picture: a demo's
#: view squeezed into a sliver would show nothing.
MIN_WINDOW = 0.35


class CameraHand(Protocol):
    """What the shell lends the demo camera: the window's shape, the view now, and a hand
    that moves the camera."""

    def aspect(self) -> float:
        """The picture's width over its height."""

    def current(self) -> CameraPose | None:
        """The camera's pose now (None: not known)."""

    def show(self, pose: CameraPose, seconds: float) -> None:
        """Move the camera to ``pose``: over ``seconds`` (0: at once)."""

    def window(self) -> Window:
        """The part of the picture the interface leaves free (``WHOLE``: all of it)."""


def free_window(covered: list[Window], window: Window = WHOLE) -> Window:
    """What is left of ``window`` once each of ``covered`` (rectangles of the interface,
    largest first) is cut away from the side that keeps the most picture; a cut that would
    leave less than ``MIN_WINDOW`` of either dimension is not made."""
    x0, y0, x1, y1 = window
    for c0, d0, c1, d1 in sorted(covered, key=lambda r: -(r[2] - r[0]) * (r[3] - r[1])):
        overlap = max(0.0, min(x1, c1) - max(x0, c0)) * max(0.0, min(y1, d1) - max(y0, d0))
        if overlap < MIN_COVER * 4.0:  # the whole picture is 2 x 2
            continue
        options = [(max(x0, c1), y0, x1, y1), (x0, y0, min(x1, c0), y1),
                   (x0, max(y0, d1), x1, y1), (x0, y0, x1, min(y1, d0))]
        options = [o for o in options
                   if o[2] - o[0] >= 2 * MIN_WINDOW and o[3] - o[1] >= 2 * MIN_WINDOW]
        if options:
            x0, y0, x1, y1 = max(options, key=lambda o: (o[2] - o[0]) * (o[3] - o[1]))
    return (x0, y0, x1, y1)


def fit_in_window(box: Box, heading: float, pitch: float, aspect: float,
                  window: Window = WHOLE) -> CameraPose:
    """The nearest pose from ``heading``/``pitch`` that shows all of ``box`` inside
    ``window`` of a picture ``aspect`` = w / h wide (``fit_box`` for a part of the picture:
    the rest is under the interface)."""
    x0, y0, x1, y1 = window
    if not (-1.0 <= x0 < x1 <= 1.0 and -1.0 <= y0 < y1 <= 1.0):
        raise ValueError(f"window {window!r}: expected x0 < x1 and y0 < y1 within -1..1")
    if window == WHOLE:
        return fit_box(box, heading, pitch, aspect)
    w, h = (x1 - x0) / 2, (y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    fov_h, fov_v = lens_fov(aspect)
    th, tv = math.tan(math.radians(fov_h) / 2), math.tan(math.radians(fov_v) / 2)
    # Fitted to a picture the window's size, then moved sideways so the box's centre sits
    # at the window's centre. Sideways moves are exact for the depth of the box's centre
    # only, so the result is checked and stepped back until every corner is inside.
    base = fit_box(box, heading, pitch, aspect * w / h,
                   fov_h=math.degrees(2 * math.atan(w * th)))
    points = corners(box)
    centre = points.mean(axis=0)
    f = np.array(direction(heading, pitch))
    hr = math.radians(heading)
    r = np.array([math.cos(hr), -math.sin(hr), 0.0])
    u = np.cross(r, f)
    # fit_box leaves MARGIN of the window's half-size free at its limiting sides; the check
    # lets the shifted view use half of that, so it stays clear of the interface's edge.
    half = np.array([w, h]) * (1 - MARGIN / 2)
    lo, hi = np.array([cx, cy]) - half, np.array([cx, cy]) + half
    pose = base
    for step in range(40):
        d = base.distance * 1.03 ** step
        eye = np.array(base.target) - f * d
        depth = float((centre - eye) @ f)
        eye = eye - r * (cx * th * depth) - u * (cy * tv * depth)
        reach = float(eye[2]) / math.sin(math.radians(pitch))
        target = eye + reach * f
        pose = CameraPose((float(target[0]), float(target[1]), 0.0), heading, pitch,
                          max(reach, 1.0))
        seen = project(pose, points, aspect)
        if (seen[:, 2] > 0).all() and (seen[:, :2] >= lo - 1e-6).all() and (
                seen[:, :2] <= hi + 1e-6).all():
            break
    return pose


def target_box(target: Any) -> Box:
    """The 3D box of a demo's ``target``: bounds ``(x0, y0, x1, y1)`` (on the ground) or an
    (N, 2) or (N, 3) array of points (N >= 1). ValueError for anything else."""
    try:
        arr = np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"camera target {target!r}: expected bounds (x0, y0, x1, y1) or "
                         "an (N, 2) or (N, 3) array of points") from err
    if not np.all(np.isfinite(arr)):
        raise ValueError("camera target: coordinates must be finite numbers")
    if arr.ndim == 1 and arr.shape == (4,):
        x0, y0, x1, y1 = (float(v) for v in arr)
        lo, hi = np.array([min(x0, x1), min(y0, y1), 0.0]), np.array([max(x0, x1),
                                                                      max(y0, y1), 0.0])
    elif arr.ndim == 2 and arr.shape[0] >= 1 and arr.shape[1] in (2, 3):
        pts = arr if arr.shape[1] == 3 else np.column_stack([arr, np.zeros(len(arr))])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        lo[2], hi[2] = min(lo[2], 0.0), max(hi[2], 0.0)  # the ground is in the picture too
    else:
        raise ValueError(f"camera target of shape {arr.shape}: expected bounds "
                         "(x0, y0, x1, y1) or an (N, 2) or (N, 3) array of points")
    # A single point or a line still gets a view of its surroundings.
    centre = (lo + hi) / 2
    half = np.maximum((hi - lo) / 2, [MIN_SPAN / 2, MIN_SPAN / 2, 0.0])
    lo, hi = centre - half, centre + half
    return (float(lo[0]), float(lo[1]), float(lo[2]), float(hi[0]), float(hi[1]),
            float(hi[2]))


def framed_pose(target: Any, heading: float, pitch: float, aspect: float,
                window: Window = WHOLE) -> CameraPose:
    """The nearest pose from ``heading``/``pitch`` that shows all of ``target`` (see
    ``target_box``) inside ``window`` of a picture ``aspect`` = w / h wide."""
    return fit_in_window(target_box(target), float(heading) % 360.0, _pitch(pitch), aspect,
                         window)


def _pitch(pitch: float) -> float:
    p = float(pitch)
    if not 0.0 < p < 90.0:
        raise ValueError(f"pitch {pitch!r}: expected more than 0 and less than 90 degrees")
    return p


def _seconds(seconds: float) -> float:
    s = float(seconds)
    if not math.isfinite(s) or s < 0:
        raise ValueError(f"seconds {seconds!r}: expected 0 or more")
    return s


class DemoCamera:
    """``ctx.camera``: the views a demo asks for. Coordinates are district metres (x east,
    y north, z up); ``heading`` is the compass direction the camera looks towards (degrees
    clockwise from north, None: the heading it has now), ``pitch`` how far it looks down
    (degrees, more than 0 and less than 90; None: 50).

    The camera moves only while the visitor is inside this demo's pavilion; each call
    returns the pose it computed either way. Moving the camera, by the demo or by the
    visitor, never makes the visitor leave the pavilion.
    """

    def __init__(self, hand: Callable[[], CameraHand | None] = lambda: None,
                 active: Callable[[], bool] = lambda: True) -> None:
        self._hand = hand
        self._active = active
        self._overview: tuple[Any, float | None, float | None] | None = None
        #: The last view asked for by what it shows (None: none, or a fly_to pose).
        self._asked: tuple[np.ndarray, float, float] | None = None
        #: The last pose this demo asked for (None: none yet).
        self.last: CameraPose | None = None

    def attach(self, hand: Callable[[], CameraHand | None]) -> None:
        """Host use: ``hand()`` is the shell's camera hand now (None: none)."""
        self._hand = hand

    def frame(self, target: Any, heading: float | None = None, pitch: float | None = None,
              seconds: float = DEFAULT_SECONDS) -> CameraPose:
        """Fly to the nearest view that shows all of ``target``: bounds ``(x0, y0, x1, y1)``
        on the ground, or an (N, 2) or (N, 3) array of points. Returns the pose."""
        pose = self.framing(target, heading, pitch)
        if self._go(pose, seconds):
            self._asked = (np.array(target, dtype=np.float64), pose.heading, pose.pitch)
        return pose

    def fly_to(self, target_xyz: tuple[float, float, float], heading: float, pitch: float,
               distance: float, seconds: float = DEFAULT_SECONDS) -> CameraPose:
        """Fly to look at ``target_xyz`` from ``distance`` metres, at ``heading`` and
        ``pitch``. Returns the pose."""
        x, y, z = (float(v) for v in target_xyz)
        d = float(distance)
        if not all(map(math.isfinite, (x, y, z, float(heading)))) or not (
                math.isfinite(d) and d > 0):
            raise ValueError("fly_to: expected a finite target and heading and a positive "
                             "distance")
        pose = CameraPose((x, y, z), float(heading) % 360.0, _pitch(pitch), d)
        if self._go(pose, seconds):
            self._asked = None
        return pose

    def set_overview(self, target: Any, heading: float | None = None,
                     pitch: float | None = None) -> None:
        """Name the demo's "overview": the view of ``target`` (as for ``frame``) that shows
        the whole demo. ``overview()`` flies there, and the kiosk's attract reel shows it."""
        target_box(target)  # a bad target fails here, in the demo's own call
        self._overview = (np.array(target, dtype=np.float64), heading, pitch)

    def overview(self, seconds: float = DEFAULT_SECONDS) -> CameraPose | None:
        """Fly to the overview (None, and no move, when the demo named none)."""
        pose = self.overview_pose()
        if pose is not None and self._go(pose, seconds) and self._overview is not None:
            self._asked = (self._overview[0], pose.heading, pose.pitch)
        return pose

    def overview_pose(self) -> CameraPose | None:
        """The overview's pose for the window as it is now (None: the demo named none)."""
        if self._overview is None:
            return None
        target, heading, pitch = self._overview
        return self.framing(target, heading, pitch)

    def framing(self, target: Any, heading: float | None = None,
                pitch: float | None = None) -> CameraPose:
        """The pose ``frame`` would fly to, without moving: it keeps ``target`` inside the
        part of the picture the interface leaves free (the panel, the toolbar)."""
        hand = self._hand()
        aspect = hand.aspect() if hand is not None else 16 / 9
        window = hand.window() if hand is not None else WHOLE
        if heading is None:
            now = hand.current() if hand is not None else None
            heading = now.heading if now is not None else 0.0
        return framed_pose(target, heading, DEFAULT_PITCH if pitch is None else pitch, aspect,
                           window)

    def refit(self) -> CameraPose | None:
        """Host use: the last view this demo asked for, framed again for the hand it has
        now (another window shape, an interface that came up since); ``last`` as it was
        for a ``fly_to`` pose; None when it asked for none."""
        if self._asked is None:
            return self.last
        target, heading, pitch = self._asked
        self.last = self.framing(target, heading, pitch)
        return self.last

    def _go(self, pose: CameraPose, seconds: float) -> bool:
        """Show ``pose`` if this demo may move the camera now; whether it did."""
        seconds = _seconds(seconds)
        hand = self._hand()
        if hand is None or not self._active():
            return False
        self.last = pose
        hand.show(pose, seconds)
        return True
