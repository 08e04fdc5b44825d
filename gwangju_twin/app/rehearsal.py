"""A booth rehearsed offscreen: the kiosk run frame by frame with a scripted pointer.

Tests, the soak script and the screenshot script drive a real booth this way: an offscreen
buffer, the real touring interface and plugins, a VirtualMouse feeding DirectGUI and the
"mouse1" events, and a frame clock fixed at ``fps`` so every quiet spell takes a known
number of frames. ``Rehearsal`` owns no ShowBase: the stage (app.programs.kiosk_stage) does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from panda3d.core import ClockObject, KeyboardButton, Point3

from gwangju_twin.app.programs import kiosk_stage
from gwangju_twin.booth.session import Booth
from gwangju_twin.kiosk.analytics import VisitLog
from gwangju_twin.kiosk.config import KioskConfig


class Rehearsal:
    """A booth on ``prepared`` (``app.Prepared``) with ``config``, offscreen at ``config.size``.

    ``wall_start`` is the wall-clock time the analytics see at frame 0 (simulated time then
    runs with the frames), so a rehearsal's visits land on a known day. ``catch_signals``
    lets the booth handle SIGTERM/SIGINT as a real booth does (off by default: a test
    process keeps its own Ctrl+C).
    """

    def __init__(self, prepared: Any, config: KioskConfig, fps: int = 30,
                 wall_start: float | None = None, safe: bool = False,
                 catch_signals: bool = False) -> None:
        self.stage = kiosk_stage(prepared, config, "offscreen")
        self.base = self.stage.base
        self.fps = fps
        self.clock = ClockObject.get_global_clock()
        self.clock.set_mode(ClockObject.M_non_real_time)
        self.clock.set_frame_rate(fps)
        self._t0 = self.clock.get_frame_time()
        self.wall_start = wall_start if wall_start is not None else 1_790_000_000.0
        self.stage.run_tasks()
        self.visits = VisitLog(config.database, clock=self.wall_time, booth=config.booth)
        self.booth = Booth(self.stage, config, self.visits, safe=safe,
                           catch_signals=catch_signals)
        pointer = self.stage.pointer
        if pointer is None:
            raise RuntimeError("the stage has no virtual pointer")
        self.pointer = pointer

    def wall_time(self) -> float:
        """The simulated wall clock (seconds since the epoch)."""
        return self.wall_start + self.clock.get_frame_time() - self._t0

    # -- time -------------------------------------------------------------------------------

    def frames(self, n: int) -> None:
        """Run ``n`` whole frames (input, tasks, drawing)."""
        for _ in range(n):
            self.base.task_mgr.step()

    def seconds(self, s: float) -> None:
        """Run ``s`` seconds of frames."""
        self.frames(round(s * self.fps))

    # -- input ------------------------------------------------------------------------------

    def tap(self, x: float, y: float) -> None:
        """A finger on window point (x, y) (normalised, -1..1, y up) and off again."""
        self.pointer.move(x, y)
        self.frames(1)
        self.pointer.press()
        self.frames(2)
        self.pointer.release()
        self.frames(2)

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
        """A finger pressed at ``start`` and slid to ``end`` over ``steps`` frames."""
        self.pointer.move(*start)
        self.frames(1)
        self.pointer.press()
        self.frames(1)
        for k in range(1, steps + 1):
            f = k / steps
            self.pointer.move(start[0] + (end[0] - start[0]) * f,
                              start[1] + (end[1] - start[1]) * f)
            self.frames(1)
        self.pointer.release()
        self.frames(2)

    def where(self, button: Any) -> tuple[float, float]:
        """The window point (normalised) at the centre of a DirectGUI button."""
        left, right, bottom, top = button["frameSize"]
        p = self.base.render2d.get_relative_point(
            button, Point3((left + right) / 2, 0, (bottom + top) / 2))
        return float(p.x), float(p.z)

    def tap_widget(self, button: Any) -> None:
        """Tap the middle of a DirectGUI button where it is drawn."""
        self.tap(*self.where(button))

    def chord(self) -> None:
        """Ctrl+Alt+Shift+K, the operator's key chord."""
        mouse = self.pointer.mouse
        mods = (KeyboardButton.shift(), KeyboardButton.control(), KeyboardButton.alt())
        for b in mods:
            mouse.press_button(b)
        self.pointer.key(KeyboardButton.ascii_key("k"))
        for b in mods:
            mouse.release_button(b)
        self.frames(2)

    def type_pin(self, pin: str) -> None:
        """Tap ``pin`` on the PIN pad, then OK, and run frames until the booth has applied
        the check's result (it runs in a worker thread)."""
        pad = self.booth.pinpad
        for digit in pin:
            self.tap_widget(pad.buttons[digit])
        self.tap_widget(pad.buttons["ok"])
        self.settle_pin()

    def settle_pin(self, timeout: float = 120.0) -> None:
        """Run frames until no PIN check is pending; RuntimeError after ``timeout`` real
        seconds (a bound for a broken check, not a measure of speed)."""
        deadline = time.monotonic() + timeout
        while self.booth.checking_pin:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the PIN check did not finish within {timeout:g} s")
            self.frames(1)
            time.sleep(0.001)  # frames are cheap offscreen; leave the worker the CPU

    def screenshot(self, out: Path) -> Path:
        """Write what the booth shows now to the PNG ``out``."""
        from gwangju_twin.render.snapshot import write_png

        self.base.graphicsEngine.render_frame()
        return write_png(self.base.win, out)

    def close(self) -> None:
        """End the booth and the stage; the frame clock runs in real time again."""
        self.booth.close()
        self.visits.close()
        self.stage.close()
        self.clock.set_mode(ClockObject.M_normal)
