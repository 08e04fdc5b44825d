"""The camera as the visitor drives it: one of three rigs, held keys, drags and flights.

The rigs (gwangju_twin.navigation) do the arithmetic and keep the eye inside the district;
this class only turns input into rig calls and puts the rig's eye on the Panda3D camera.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from panda3d.core import Lens, NodePath, Point2, Point3

from gwangju_twin.controls import CAMERA_MODES, CameraMode
from gwangju_twin.navigation import Eye, Flight, FlyRig, Limits, Obstacles, OrbitRig, WalkRig
from gwangju_twin.plugins.camera import WHOLE, Window, free_window
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.ui.panel import MARGIN, WIDTH
from gwangju_twin.ui.reserve import reserved_rects

#: Movement keys and what they mean: (forward, right, up).
MOVES: dict[str, tuple[float, float, float]] = {
    "w": (1, 0, 0), "arrow_up": (1, 0, 0), "s": (-1, 0, 0), "arrow_down": (-1, 0, 0),
    "d": (0, 1, 0), "arrow_right": (0, 1, 0), "a": (0, -1, 0), "arrow_left": (0, -1, 0),
    "e": (0, 0, 1), "q": (0, 0, -1),
}
WHEEL_STEP = 0.85
#: What a drag does: the left button rotates (orbit) or looks, the right button pans.
Drag = Literal["rotate", "pan"]


class CameraDriver:
    """Drives ``camera`` from the visitor's input in one of the three camera modes."""

    def __init__(self, camera: NodePath, start: CameraPose, limits: Limits,
                 obstacles: Callable[[], Obstacles], sensitivity: float = 1.0,
                 invert_y: bool = False, lens: Lens | None = None) -> None:
        self.camera = camera
        #: The camera's lens, to find the ground under the pointer (None: zoom to the centre).
        self.lens = lens
        self.limits = limits
        self._obstacles_of = obstacles
        self._obstacles: Obstacles | None = None
        self.sensitivity = sensitivity
        self.invert_y = invert_y
        self.rig: OrbitRig | FlyRig | WalkRig = OrbitRig(start, limits, sensitivity, invert_y)
        self.held: set[str] = set()
        self.fast = False
        self.drag: Drag | None = None
        self._last: tuple[float, float] | None = None
        self.flight: Flight | None = None
        self._arrive: Callable[[], None] | None = None
        self._landing: CameraPose | None = None
        self.apply()

    # -- input ------------------------------------------------------------------------------

    def set_handling(self, sensitivity: float, invert_y: bool) -> None:
        """New mouse sensitivity and invert-Y for every rig from now on."""
        self.sensitivity, self.invert_y = sensitivity, invert_y
        self.rig.sensitivity, self.rig.invert_y = sensitivity, invert_y

    def press(self, key: str) -> None:
        """A movement key went down (it moves the camera until ``release``)."""
        if key in MOVES:
            self.held.add(key)

    def release(self, key: str) -> None:
        """A movement key went up."""
        self.held.discard(key)

    def release_all(self) -> None:
        """Forget held keys and drags (the window lost focus, a text box took the keys)."""
        self.held.clear()
        self.drag = None
        self.fast = False

    def set_fast(self, fast: bool) -> None:
        """Shift went down (True) or up: held keys move faster while it is down."""
        self.fast = fast

    def start_drag(self, kind: Drag, at: tuple[float, float] | None) -> None:
        """A drag began: "rotate" (left button) or "pan" (right button)."""
        self.drag, self._last = kind, at

    def end_drag(self) -> None:
        """The drag's button went up."""
        self.drag = None

    def zoom(self, factor: float, at: tuple[float, float] | None = None) -> None:
        """The wheel: closer (< 1) or farther (> 1) in orbit mode, towards the ground under
        window point ``at`` (the pointer; None: the view's centre); forward or back in fly."""
        self.cancel_flight()
        if isinstance(self.rig, OrbitRig):
            self.rig.zoom(factor, self.ground_at(at))
        elif isinstance(self.rig, FlyRig):
            self.rig.move(1.0 if factor < 1 else -1.0, 0.0, 0.0, 0.25)
        self.apply()

    def ground_at(self, at: tuple[float, float] | None) -> tuple[float, float, float] | None:
        """Where the ray through window point ``at`` (-1..1) meets the orbit target's level,
        or None when it does not (no pointer, no lens, at or above the horizon)."""
        if at is None or self.lens is None or not isinstance(self.rig, OrbitRig):
            return None
        near, far = Point3(), Point3()
        if not self.lens.extrude(Point2(*at), near, far):
            return None
        parent = self.camera.get_parent()
        a = parent.get_relative_point(self.camera, near)
        b = parent.get_relative_point(self.camera, far)
        level = self.rig.pose.target[2]
        if b.z >= a.z or a.z <= level:
            return None  # looking level or up: the ray never comes down to the ground
        t = (a.z - level) / (a.z - b.z)
        return (a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, level)

    @property
    def _handling(self) -> dict[str, Any]:
        # What every new rig inherits from the visitor's settings.
        return {"sensitivity": self.sensitivity, "invert_y": self.invert_y}

    @property
    def busy(self) -> bool:
        """Whether the visitor is steering right now (held keys or a drag)."""
        return bool(self.held) or self.drag is not None

    # -- modes and flights ------------------------------------------------------------------

    @property
    def eye(self) -> Eye:
        """Where the camera is and looks."""
        return self.rig.eye

    @property
    def mode(self) -> CameraMode:
        """The rig's camera mode; during a flight, the mode the flight set out from."""
        return self.rig.mode

    def set_mode(self, mode: CameraMode | str) -> None:
        """Switch rigs (``mode`` is a CameraMode or its name), keeping the eye where it is
        (walk drops it to eye height)."""
        if mode not in CAMERA_MODES:
            raise ValueError(f"camera mode {mode!r}: expected one of {', '.join(CAMERA_MODES)}")
        mode = CameraMode(mode)
        if mode == self.mode:
            return
        self.cancel_flight()
        eye = self.rig.eye
        if mode is CameraMode.WALK:
            # Looking level is how people walk; keep the heading.
            eye = Eye(eye.position, eye.heading, 0.0)
        self.rig = self._rig_for(mode, eye)
        self.apply()

    def _rig_for(self, mode: CameraMode, eye: Eye) -> OrbitRig | FlyRig | WalkRig:
        """A ``mode`` rig looking from ``eye``, with the visitor's handling."""
        match mode:
            case CameraMode.ORBIT:
                return OrbitRig.from_eye(eye, self.limits, **self._handling)
            case CameraMode.FLY:
                return FlyRig(eye, self.limits, **self._handling)
            case CameraMode.WALK:
                # Footprints are only needed once someone walks, and building them takes a
                # moment.
                if self._obstacles is None:
                    self._obstacles = self._obstacles_of()
                return WalkRig(eye, self.limits, self._obstacles, **self._handling)

    def cycle_mode(self) -> CameraMode:
        """The next camera mode in CAMERA_MODES order; returns it."""
        self.set_mode(CAMERA_MODES[(CAMERA_MODES.index(self.mode) + 1) % len(CAMERA_MODES)])
        return self.mode

    def fly_to(self, pose: CameraPose, on_arrival: Callable[[], None] | None = None,
               duration: float | None = None) -> None:
        """Fly smoothly to ``pose`` and land in orbit mode there; ``on_arrival`` runs when
        the flight ends (not when it is cancelled)."""
        self.flight = Flight.to_pose(self.rig.eye, pose, duration)
        self._landing = pose
        self._arrive = on_arrival

    def hold(self, eye: tuple[float, float, float]) -> None:
        """Widen the limits (this driver's and its rig's) so ``eye`` is inside them."""
        self.limits = self.limits.holding(eye)
        self.rig.limits = self.limits

    def show(self, pose: CameraPose, seconds: float) -> None:
        """Go to ``pose`` for a demo: a flight of ``seconds`` (0: at once, in orbit mode)."""
        if seconds > 0:
            self.fly_to(pose, duration=seconds)
            return
        self.cancel_flight()
        self.set_mode(CameraMode.ORBIT)
        assert isinstance(self.rig, OrbitRig)
        self.rig.set_pose(pose)
        self.apply()

    def reset(self, pose: CameraPose) -> None:
        """Back to ``pose`` in orbit mode at once: no flight, no held keys, no drag."""
        self.cancel_flight()
        self.release_all()
        self.set_mode(CameraMode.ORBIT)
        assert isinstance(self.rig, OrbitRig)
        self.rig.set_pose(pose)
        self.apply()

    def cancel_flight(self) -> None:
        """Stop a flight where it is (the visitor took the controls)."""
        if self.flight is None:
            return
        self._land(OrbitRig.from_eye(self.flight.advance(0.0), self.limits, **self._handling))

    def _land(self, rig: OrbitRig) -> Callable[[], None] | None:
        """End the flight with ``rig`` as the camera; returns the arrival callback, which
        only a flight that reached its pose runs."""
        arrive = self._arrive
        self.flight = None
        self._arrive = self._landing = None
        self.rig = rig
        return arrive

    @property
    def flying(self) -> bool:
        """Whether a fly-to is under way."""
        return self.flight is not None

    def teleport(self, x: float, y: float) -> None:
        """Jump to ground point (x, y), keeping the mode, height and heading."""
        self.cancel_flight()
        rig = self.rig
        if isinstance(rig, OrbitRig):
            p = rig.pose
            rig.set_pose(CameraPose((x, y, 0.0), p.heading, p.pitch, p.distance))
        else:
            eye = rig.eye
            self.rig = self._rig_for(self.mode, Eye((x, y, eye.position[2]), eye.heading,
                                                    eye.pitch))
        self.apply()

    # -- every frame ------------------------------------------------------------------------

    def update(self, dt: float, pointer: tuple[float, float] | None) -> bool:
        """Apply flights, drags and held keys for a frame of ``dt`` seconds; True when the
        camera moved."""
        if self.flight is not None:
            if self.busy:
                self.cancel_flight()
            else:
                return self._fly(dt)
        moved = False
        if self.drag and pointer is not None and self._last is not None:
            dx, dy = pointer[0] - self._last[0], pointer[1] - self._last[1]
            if dx or dy:
                moved = True
                rig = self.rig
                if isinstance(rig, OrbitRig):
                    (rig.rotate if self.drag == "rotate" else rig.pan)(dx, dy)
                else:
                    rig.look(dx, dy)
        self._last = pointer
        if self.held:
            f = sum(MOVES[k][0] for k in self.held)
            r = sum(MOVES[k][1] for k in self.held)
            u = sum(MOVES[k][2] for k in self.held)
            rig = self.rig
            if isinstance(rig, FlyRig):
                rig.move(f, r, u, dt, self.fast)
            else:
                rig.move(f, r, dt, self.fast)
            moved = moved or bool(f or r or u)
        if moved:
            self.apply()
        return moved

    def _fly(self, dt: float) -> bool:
        assert self.flight is not None
        eye = self.flight.advance(dt)
        self._put(eye)
        if self.flight.done:
            assert self._landing is not None
            arrive = self._land(OrbitRig(self._landing, self.limits, **self._handling))
            self.apply()
            if arrive is not None:
                arrive()
        return True

    def visitor(self) -> tuple[tuple[float, float], float]:
        """Where the visitor is for presence: the orbit target and distance, or the eye's
        ground point and height."""
        rig = self.rig
        if isinstance(rig, OrbitRig):
            t = rig.pose.target
            return (t[0], t[1]), rig.pose.distance
        x, y, z = rig.eye.position
        return (x, y), z

    def apply(self) -> None:
        """Put the rig's eye on the camera."""
        self._put(self.rig.eye)

    def _put(self, eye: Eye) -> None:
        self.camera.set_pos(*eye.position)
        self.camera.set_hpr(*eye.panda_hpr)


def interface_window(overlay: NodePath, panel: bool = True) -> Window:
    """The part of the picture a demo's view may use: not under the pavilion's panel when
    ``panel`` (the visitor is inside; docked at the right edge, whether it is drawn yet or
    not: a demo frames its view on entering, before its panel is up), nor under any other
    shown widget of the interface that reserves its rectangle (toolbar, minimap)."""
    top = overlay.get_top()

    def ndc(x: float, z: float) -> tuple[float, float]:
        p = top.get_relative_point(overlay, Point3(x, 0.0, z))
        return float(p.x), float(p.z)

    right = overlay.get_relative_point(top, Point3(1.0, 0.0, 1.0)).x
    panel_left, _ = ndc(right - 2 * MARGIN - WIDTH, 0.0)
    covered: list[Window] = [(panel_left, -1.0, 1.0, 1.0)] if panel else []
    for x0, z0, x1, z1 in reserved_rects(overlay):
        (a, b), (c, d) = ndc(x0, z0), ndc(x1, z1)
        covered.append((min(a, c), min(b, d), max(a, c), max(b, d)))
    return free_window(covered)


class DriverHand:
    """The demo camera's hand in the touring interface (``plugins.camera.CameraHand``):
    a demo's views are flown to by ``driver``, like the visitor's own flights, inside the
    part of the picture ``window()`` says the interface leaves free."""

    def __init__(self, driver: CameraDriver, window: Callable[[], Window] = lambda: WHOLE
                 ) -> None:
        self._driver = driver
        self._window = window

    def window(self) -> Window:
        """The part of the picture the interface leaves free."""
        return self._window()

    def aspect(self) -> float:
        """The lens's width over height (16:9 without a lens)."""
        lens = self._driver.lens
        return float(lens.get_aspect_ratio()) if lens is not None else 16 / 9

    def current(self) -> CameraPose | None:
        """The orbit pose now, or the eye's heading and pitch in fly and walk."""
        rig = self._driver.rig
        if isinstance(rig, OrbitRig):
            return rig.pose
        eye = rig.eye
        return CameraPose(eye.position, eye.heading, max(eye.pitch, 1.0), 1.0)

    def show(self, pose: CameraPose, seconds: float) -> None:
        """Fly to ``pose`` over ``seconds`` (0: at once). The limits widen to hold it: a
        wide view a demo asks for is not shortened by the visitor's zoom ceiling."""
        self._driver.hold(pose.position)
        self._driver.show(pose, seconds)
