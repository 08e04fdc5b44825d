"""A small orbit camera for the viewer: drag to rotate, right-drag to pan, wheel to zoom.

The pose arithmetic lives in CameraPose; this only turns mouse motion into pose changes.
"""

from __future__ import annotations

import math
from typing import Any

from panda3d.core import NodePath

from gwangju_twin.scene.camera import CameraPose


class OrbitControl:
    """Keeps a CameraPose and applies it to ``camera`` every frame."""

    def __init__(
        self, camera: NodePath, pose: CameraPose, bounds: tuple[float, float, float, float]
    ) -> None:
        self.camera = camera
        self.pose = pose
        self.bounds = bounds
        self._drag: str | None = None
        self._last: tuple[float, float] | None = None

    def attach(self, base: Any) -> None:
        """Wire mouse events of a ShowBase (passed in; this class never creates one)."""
        self._watcher = base.mouseWatcherNode
        base.accept("mouse1", self._start, ["rotate"])
        base.accept("mouse3", self._start, ["pan"])
        base.accept("mouse1-up", self._stop)
        base.accept("mouse3-up", self._stop)
        base.accept("wheel_up", self.zoom, [0.85])
        base.accept("wheel_down", self.zoom, [1 / 0.85])
        base.task_mgr.add(self._task, "orbit-camera")
        self.apply()

    def _start(self, mode: str) -> None:
        self._drag = mode
        self._last = self._mouse()

    def _stop(self) -> None:
        self._drag = None

    def _mouse(self) -> tuple[float, float] | None:
        if self._watcher.has_mouse():
            m = self._watcher.get_mouse()
            return (m.x, m.y)
        return None

    def zoom(self, factor: float) -> None:
        """Move towards (factor < 1) or away from the target, within the district's reach."""
        x0, y0, x1, y1 = self.bounds
        far = 2.5 * math.hypot(x1 - x0, y1 - y0) + 1000
        p = self.pose
        self.pose = CameraPose(p.target, p.heading, p.pitch, min(max(p.distance * factor, 30), far))
        self.apply()

    def _task(self, task: Any) -> Any:
        pos = self._mouse()
        if self._drag and pos and self._last:
            dx, dy = pos[0] - self._last[0], pos[1] - self._last[1]
            p = self.pose
            if self._drag == "rotate":
                pitch = min(max(p.pitch - dy * 60, 8.0), 89.0)
                self.pose = CameraPose(p.target, (p.heading + dx * 120) % 360, pitch, p.distance)
            else:
                h = math.radians(p.heading)
                s = p.distance * 0.8
                # Grab-the-ground panning: the target moves against the pointer along the
                # screen's right (cos h, -sin h) and forward (sin h, cos h) directions.
                tx = p.target[0] - (math.cos(h) * dx + math.sin(h) * dy) * s
                ty = p.target[1] - (-math.sin(h) * dx + math.cos(h) * dy) * s
                x0, y0, x1, y1 = self.bounds
                tx, ty = min(max(tx, x0), x1), min(max(ty, y0), y1)
                self.pose = CameraPose((tx, ty, p.target[2]), p.heading, p.pitch, p.distance)
            self.apply()
        self._last = pos
        return task.cont

    def apply(self) -> None:
        """Put the camera where the pose says."""
        self.camera.set_pos(*self.pose.position)
        self.camera.set_hpr(*self.pose.panda_hpr)

    def set_pose(self, pose: CameraPose) -> None:
        """Jump to ``pose`` (e.g. in front of a pavilion)."""
        self.pose = pose
        self.apply()
