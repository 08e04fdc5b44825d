"""Camera rigs: pointer and key input in, an :class:`Eye` inside the :class:`Limits` out.

Pointer motion comes in normalised window units (-1..1 spans the window, y up, as Panda's
mouse watcher reports it): a full-width drag turns 240 degrees, a full-height drag tilts 120.
``sensitivity`` scales pointer input; ``invert_y`` flips the vertical look direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from gwangju_twin.controls import CameraMode
from gwangju_twin.navigation.eye import Eye
from gwangju_twin.navigation.limits import Limits
from gwangju_twin.navigation.obstacles import Obstacles
from gwangju_twin.scene.camera import CameraPose, direction

TURN_PER_WIDTH = 120.0  # degrees of heading per unit of pointer dx
TILT_PER_HEIGHT = 60.0  # degrees of pitch per unit of pointer dy


def _horizontal(heading: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The level forward and right unit vectors of compass ``heading``."""
    h = math.radians(heading)
    return (math.sin(h), math.cos(h)), (math.cos(h), -math.sin(h))


def _unit_capped(*parts: float) -> list[float]:
    """``parts`` scaled down to length 1 if longer, so diagonal keys are not faster."""
    n = math.sqrt(sum(v * v for v in parts))
    return [v / n for v in parts] if n > 1.0 else list(parts)


class _Pointer:
    """Shared pointer handling: heading and pitch change from pointer motion."""

    sensitivity: float
    invert_y: bool

    def _turned(self, heading: float, pitch: float, dx: float, dy: float,
                lo: float, hi: float) -> tuple[float, float]:
        s = self.sensitivity
        sign = -1.0 if self.invert_y else 1.0
        pitch = pitch - sign * dy * TILT_PER_HEIGHT * s
        return (heading + dx * TURN_PER_WIDTH * s) % 360.0, min(max(pitch, lo), hi)


class OrbitRig(_Pointer):
    """Orbit a target on the ground: drag to rotate, grab-the-ground pan, wheel zoom, keys pan.

    The rig remembers the distance the visitor asked for; the pose it shows is pulled in
    when that would put the eye outside the limits (far zoom, tilting towards the horizon),
    and goes back out when the visitor turns back.
    """

    mode: ClassVar[CameraMode] = CameraMode.ORBIT
    MIN_PITCH = 5.0
    MAX_PITCH = 89.0
    MIN_DISTANCE = 15.0
    PAN_SPEED = 0.6  # keyboard pan, distances per second
    PAN_FAST = 3.0

    def __init__(self, pose: CameraPose, limits: Limits, sensitivity: float = 1.0,
                 invert_y: bool = False) -> None:
        self.limits = limits
        self.sensitivity = sensitivity
        self.invert_y = invert_y
        self.set_pose(pose)

    def set_pose(self, pose: CameraPose) -> None:
        """Jump to ``pose`` (its target moved inside the bounds, angles clamped)."""
        self._target = self.limits.clamp_target(pose.target)
        self._heading = pose.heading % 360.0
        self._pitch = min(max(float(pose.pitch), self.MIN_PITCH), self.MAX_PITCH)
        self._distance = max(float(pose.distance), self.MIN_DISTANCE)

    @property
    def pose(self) -> CameraPose:
        """The pose shown: the asked-for distance pulled in to stay inside the limits, and
        the pitch raised if the eye would otherwise be below the clearance."""
        pitch = self._pitch
        distance = min(self._distance, self._reach(pitch))
        floor = self.limits.clearance - self._target[2]
        if distance > 1e-9 and distance * math.sin(math.radians(pitch)) < floor:
            pitch = math.degrees(math.asin(min(floor / distance, 1.0)))
            pitch = min(pitch, self.MAX_PITCH)
            distance = min(distance, self._reach(pitch))
        return CameraPose(self._target, self._heading, pitch, distance)

    @property
    def eye(self) -> Eye:
        """The eye of :attr:`pose` (clamped once more against floating-point slips)."""
        pose = self.pose
        return Eye(self.limits.clamp_eye_position(pose.position), pose.heading, pose.pitch)

    def rotate(self, dx: float, dy: float) -> None:
        """Turn round the target: pointer right turns the view right, pointer up raises it
        towards the horizon (the other way with ``invert_y``)."""
        self._heading, self._pitch = self._turned(self._heading, self._pitch, dx, dy,
                                                  self.MIN_PITCH, self.MAX_PITCH)

    def pan(self, dx: float, dy: float) -> None:
        """Grab-the-ground pan: the ground under the pointer follows it, so the target moves
        against the pointer, by an amount that grows with the distance."""
        (fx, fy), (rx, ry) = _horizontal(self._heading)
        s = self.pose.distance * 0.8 * self.sensitivity
        tx, ty, tz = self._target
        self._target = self.limits.clamp_target(
            (tx - (rx * dx + fx * dy) * s, ty - (ry * dx + fy * dy) * s, tz))

    def move(self, forward: float, right: float, dt: float, fast: bool = False) -> None:
        """Keyboard pan of the target along the level view (``forward``/``right`` in -1..1)."""
        forward, right = _unit_capped(forward, right)
        (fx, fy), (rx, ry) = _horizontal(self._heading)
        step = self.PAN_SPEED * self.pose.distance * dt * (self.PAN_FAST if fast else 1.0)
        tx, ty, tz = self._target
        self._target = self.limits.clamp_target(
            (tx + (fx * forward + rx * right) * step, ty + (fy * forward + ry * right) * step,
             tz))

    def zoom(self, factor: float, toward: tuple[float, float, float] | None = None) -> None:
        """Multiply the distance by ``factor`` (< 1 goes closer), within [15 m, the limits].

        ``toward`` is the point under the pointer (on the target's level): the view is then
        scaled about that point, as map viewers zoom, so it stays under the pointer. Scaling
        the eye and the target alike about it keeps the heading and pitch, and with them the
        point's direction from the eye. Without it the view zooms towards its centre."""
        shown = self.pose.distance
        distance = min(max(shown * factor, self.MIN_DISTANCE), self._reach(self._pitch))
        if toward is not None and shown > 1e-9:
            # The factor the limits allowed, not the one asked for: at the closest or the
            # farthest distance the target stays put.
            k = distance / shown
            px, py, _ = toward
            tx, ty, tz = self._target
            self._target = self.limits.clamp_target((px + k * (tx - px), py + k * (ty - py), tz))
        self._distance = distance

    @classmethod
    def from_eye(cls, eye: Eye, limits: Limits, **kw: Any) -> OrbitRig:
        """An orbit rig whose eye is ``eye``: the target is where the view meets the ground.

        A view at or above the horizon (or within 5 degrees of it) is lowered to 5 degrees,
        which meets the ground a little ahead. A target outside the bounds is moved inside,
        and the view turned to it, so the eye itself does not jump.
        """
        x, y, z = eye.position
        pitch = max(eye.pitch, cls.MIN_PITCH)
        fx, fy, fz = direction(eye.heading, pitch)
        reach = max(z, 0.0) / -fz
        target = limits.clamp_target((x + fx * reach, y + fy * reach, 0.0))
        dx, dy, dz = target[0] - x, target[1] - y, target[2] - z
        level = math.hypot(dx, dy)
        distance = math.hypot(level, dz)
        if distance < 1e-6:
            return cls(CameraPose(target, eye.heading, pitch, cls.MIN_DISTANCE), limits, **kw)
        heading = math.degrees(math.atan2(dx, dy)) if level > 1e-9 else eye.heading
        return cls(CameraPose(target, heading, math.degrees(math.atan2(-dz, level)), distance),
                   limits, **kw)

    def _reach(self, pitch: float) -> float:
        """How far back from the target the eye can go at ``pitch`` before leaving the box
        of the limits (the ray from the target to the eye, against each face)."""
        x0, y0, x1, y1 = self.limits.bounds
        m = self.limits.margin
        bx, by, bz = (-v for v in direction(self._heading, pitch))
        tx, ty, tz = self._target
        reach = math.inf
        for t, b, lo, hi in ((tx, bx, x0 - m, x1 + m), (ty, by, y0 - m, y1 + m),
                             (tz, bz, -math.inf, self.limits.ceiling)):
            if b > 1e-12:
                reach = min(reach, (hi - t) / b)
            elif b < -1e-12:
                reach = min(reach, (lo - t) / b)
        return max(reach, 0.0)


class _Looker(_Pointer):
    """A first-person rig: the pointer turns the eye itself, never quite straight up or down."""

    MAX_PITCH = 85.0
    eye: Eye

    def _clamp_pitch(self, pitch: float) -> float:
        return min(max(pitch, -self.MAX_PITCH), self.MAX_PITCH)

    def look(self, dx: float, dy: float) -> None:
        """Turn the view: pointer right looks right, pointer up looks up (unless inverted)."""
        h, p = self._turned(self.eye.heading, self.eye.pitch, dx, dy,
                            -self.MAX_PITCH, self.MAX_PITCH)
        self.eye = Eye(self.eye.position, h, p)


class FlyRig(_Looker):
    """Free flight: look with the pointer, fly where you look with WASD (up/down on keys)."""

    mode: ClassVar[CameraMode] = CameraMode.FLY
    SPEED: float = 40.0
    FAST: float = 4.0

    def __init__(self, eye: Eye, limits: Limits, sensitivity: float = 1.0,
                 invert_y: bool = False) -> None:
        self.limits = limits
        self.sensitivity = sensitivity
        self.invert_y = invert_y
        self.eye = Eye(limits.clamp_eye_position(eye.position), eye.heading,
                       self._clamp_pitch(eye.pitch))

    def move(self, forward: float, right: float, up: float, dt: float,
             fast: bool = False) -> None:
        """Fly ``forward`` along the view (pitch included), ``right`` level and ``up``
        straight up, each in -1..1, at SPEED m/s (× FAST when ``fast``), kept in the limits."""
        forward, right, up = _unit_capped(forward, right, up)
        fx, fy, fz = self.eye.forward
        _, (rx, ry) = _horizontal(self.eye.heading)
        step = self.SPEED * dt * (self.FAST if fast else 1.0)
        x, y, z = self.eye.position
        moved = (x + (fx * forward + rx * right) * step, y + (fy * forward + ry * right) * step,
                 z + (fz * forward + up) * step)
        self.eye = Eye(self.limits.clamp_eye_position(moved), self.eye.heading, self.eye.pitch)


class WalkRig(_Looker):
    """Walk the streets at eye height: level moves, walls slide, the bounds are the edge."""

    mode: ClassVar[CameraMode] = CameraMode.WALK
    EYE_HEIGHT = 1.7
    SPEED = 1.4
    FAST = 3.0

    def __init__(self, eye: Eye, limits: Limits, obstacles: Obstacles | None = None,
                 ground: Callable[[float, float], float] = lambda x, y: 0.0,
                 sensitivity: float = 1.0, invert_y: bool = False) -> None:
        self.limits = limits
        self.obstacles = obstacles
        self.ground = ground
        self.sensitivity = sensitivity
        self.invert_y = invert_y
        x, y = self._inside(eye.position[0], eye.position[1])
        if obstacles is not None:
            x, y = obstacles.free_spot(x, y, self.limits.bounds)
        self.eye = self._stand(x, y, eye.heading, self._clamp_pitch(eye.pitch))

    def move(self, forward: float, right: float, dt: float, fast: bool = False) -> None:
        """Walk level (pitch ignored) at SPEED m/s (× FAST when ``fast``), sliding along
        walls and stopping at the district's bounds; the eye follows the ground."""
        forward, right = _unit_capped(forward, right)
        (fx, fy), (rx, ry) = _horizontal(self.eye.heading)
        step = self.SPEED * dt * (self.FAST if fast else 1.0)
        x, y, _ = self.eye.position
        # Clamping the goal first keeps every slide inside too: the bounds are convex.
        end = self._inside(x + (fx * forward + rx * right) * step,
                           y + (fy * forward + ry * right) * step)
        if self.obstacles is not None:
            nx, ny = self._inside(*self.obstacles.resolve((x, y), end))
            if self.obstacles.blocked(nx, ny) and not self.obstacles.blocked(x, y):
                nx, ny = x, y
        else:
            nx, ny = end
        self.eye = self._stand(nx, ny, self.eye.heading, self.eye.pitch)

    def _inside(self, x: float, y: float) -> tuple[float, float]:
        x0, y0, x1, y1 = self.limits.bounds
        return (min(max(float(x), x0), x1), min(max(float(y), y0), y1))

    def _stand(self, x: float, y: float, heading: float, pitch: float) -> Eye:
        g = float(self.ground(x, y))
        return Eye(self.limits.clamp_eye_position((x, y, g + self.EYE_HEIGHT), g), heading, pitch)
