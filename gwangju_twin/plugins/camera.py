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

from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.framing import Box, fit_box

#: A demo's views look down at this pitch (degrees below the horizon) unless it says.
DEFAULT_PITCH = 50.0
#: How long a demo's flight takes unless it says (seconds).
DEFAULT_SECONDS = 1.5
#: A framed box is at least this wide and deep (metres), so one point still gets a view.
MIN_SPAN = 20.0


class CameraHand(Protocol):
    """What the shell lends the demo camera: the window's shape, the view now, and a hand
    that moves the camera."""

    def aspect(self) -> float:
        """The picture's width over its height."""

    def current(self) -> CameraPose | None:
        """The camera's pose now (None: not known)."""

    def show(self, pose: CameraPose, seconds: float) -> None:
        """Move the camera to ``pose``: over ``seconds`` (0: at once)."""


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


def framed_pose(target: Any, heading: float, pitch: float, aspect: float) -> CameraPose:
    """The nearest pose from ``heading``/``pitch`` that shows all of ``target`` (see
    ``target_box``) in a picture ``aspect`` = w / h wide."""
    return fit_box(target_box(target), float(heading) % 360.0, _pitch(pitch), aspect)


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
        self._go(pose, seconds)
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
        self._go(pose, seconds)
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
        if pose is not None:
            self._go(pose, seconds)
        return pose

    def overview_pose(self) -> CameraPose | None:
        """The overview's pose for the window as it is now (None: the demo named none)."""
        if self._overview is None:
            return None
        target, heading, pitch = self._overview
        return self.framing(target, heading, pitch)

    def framing(self, target: Any, heading: float | None = None,
                pitch: float | None = None) -> CameraPose:
        """The pose ``frame`` would fly to, without moving."""
        hand = self._hand()
        aspect = hand.aspect() if hand is not None else 16 / 9
        if heading is None:
            now = hand.current() if hand is not None else None
            heading = now.heading if now is not None else 0.0
        return framed_pose(target, heading, DEFAULT_PITCH if pitch is None else pitch, aspect)

    def _go(self, pose: CameraPose, seconds: float) -> None:
        seconds = _seconds(seconds)
        hand = self._hand()
        if hand is None or not self._active():
            return
        self.last = pose
        hand.show(pose, seconds)
