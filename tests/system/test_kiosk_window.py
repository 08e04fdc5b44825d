"""The supervised kiosk in a real window, as a booth operator and its visitors meet it.

Xvfb gives a 1280x720 screen, xdotool the visitors' and the operator's hands, imagemagick's
``import`` the eyes. One run of ``gwangju-twin kiosk --config kiosk.toml`` (the supervisor,
which starts the viewer as its child) goes through a whole booth day in a minute or two:
fullscreen window, attract loop, a visit, keys and a window-manager close request that must
not close it, the idle countdown and reset, a crash the watchdog restarts, the operator's
corner hold, PIN pad and menu, the exit, and the visits left in the analytics database.

.ci/run installs xvfb, xdotool and imagemagick from Debian when they are missing; a machine
without them skips this file and says why.

A busy machine makes all of this slow, never wrong: every wait is on what the screen, the log
or the database shows, bounded by a generous PATIENCE; the next tap waits until the last one
showed its effect (a frame can be longer than the gap between two fingers); and how long the
booth took for something (the idle countdown, the watchdog's restart) is read from its own
records (the analytics database, the supervisor's log), not from the test's clock.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from xvfb_kit import NEEDS_X
from xvfb_kit import run_x as _x
from xvfb_kit import screenshot_root as _shot

from gwangju_twin.app.display import load_xlib

pytestmark = NEEDS_X

W, H = 1280, 720
#: The private virtual screen the ``display`` fixture starts (tests/system/conftest.py).
SCREEN = (W, H)
#: The longest any wait may take before the test gives up (seconds). Generous on purpose:
#: nothing is asserted about how long a wait took.
PATIENCE = 120.0
#: The booth's timing in _write_config: long enough that the test's own steps between two
#: screens fit well inside them, and that a screen shown for only ATTRACT_AFTER (the welcome)
#: or COUNTDOWN seconds is seen, although a screenshot can take seconds on a loaded machine.
ATTRACT_AFTER, RESET_AFTER, COUNTDOWN = 15, 20, 15
PIN = "2468"
WRONG_PIN = "1357"
#: theme.ACCENT and theme.BUTTON_FILL in 8-bit RGB (the prompt pill, OK, "keep exploring"
#: and the active toolbar button; the dark toolbar and keypad buttons).
ACCENT_RGB = np.array([0.16, 0.50, 0.92]) * 255
FILL_RGB = np.array([0.21, 0.23, 0.28]) * 255

# Screen regions (rows, columns) at 1280x720, from the widgets' layout:
#: the attract prompt pill: bottom centre, 0.14 units (50 px) above the bottom edge.
PROMPT = (slice(540, 700), slice(400, 880))
#: the toolbar's first button (dark) and its "map" button (active: accent blue), top left.
TOOLBAR_FIRST = (slice(22, 50), slice(22, 120))
TOOLBAR_MAP = (slice(22, 50), slice(194, 248))
#: the countdown's "keep exploring" button, just under the centre.
KEEP = (slice(360, 440), slice(480, 800))


def _geometry(display: str, window: str) -> tuple[int, ...]:
    """The window's x, y, width and height on the screen."""
    got = dict(line.split("=", 1) for line in
               _x(display, "xdotool", "getwindowgeometry", "--shell", window).split())
    return tuple(int(got[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))


def _near(shot: np.ndarray, region: tuple[slice, slice], colour: np.ndarray,
          tolerance: float) -> int:
    """How many pixels of ``region`` are within ``tolerance`` of ``colour`` in every channel."""
    return int((np.abs(shot[region] - colour).max(axis=2) < tolerance).sum())


def _px(x: float, z: float) -> tuple[int, int]:
    """An aspect2d point (x in -16/9..16/9, z in -1..1) in pixels of the 1280x720 window."""
    return round(W / 2 + x * H / 2), round(H / 2 - z * H / 2)


def _pin_keys() -> dict[str, tuple[int, int]]:
    """Where the PIN pad draws each key's centre, in window pixels, from its layout constants
    (the literal gaps are PinPad.__init__'s own)."""
    from gwangju_twin.ui import pinpad
    from gwangju_twin.ui.attract import KIOSK_BUTTON, block_height
    from gwangju_twin.ui.theme import MARGIN, TITLE_SCALE

    pad, gap, key_w = pinpad._PAD, pinpad._KEY_GAP, pinpad._KEY_W
    grid_h = 4 * KIOSK_BUTTON + 3 * gap
    above_grid = (pad + block_height(TITLE_SCALE) + 0.025 + pinpad._FIELD_H + 0.018
                  + block_height(pinpad._MESSAGE_SCALE) + 0.025)
    height = above_grid + grid_h + 0.03 + pinpad._CANCEL_H + pad
    # fit_centred: the card only shrinks when the window is too short for it (not at 720p).
    scale = min(1.0, (2.0 - 2 * MARGIN) / height)
    top = height / 2 - above_grid
    keys = {}
    for r, row in enumerate(pinpad.KEYS):
        for c, key in enumerate(row):
            keys[key] = _px((c - 1) * (key_w + gap) * scale,
                            (top - r * (KIOSK_BUTTON + gap) - KIOSK_BUTTON / 2) * scale)
    keys["cancel"] = _px(0.0, (top - grid_h - 0.03 - pinpad._CANCEL_H / 2) * scale)
    message = top + 0.025 + block_height(pinpad._MESSAGE_SCALE) / 2
    keys["message"] = _px(0.0, message * scale)
    keys["field"] = _px(0.0, (message + block_height(pinpad._MESSAGE_SCALE) / 2 + 0.018
                              + pinpad._FIELD_H / 2) * scale)
    return keys


def _send_wm_delete(display: str, window: int) -> bool:
    """Send ``window`` the window manager's close request (a WM_PROTOCOLS ClientMessage
    carrying WM_DELETE_WINDOW, as a close button or Alt+F4 in a window manager does).
    False when libX11 cannot be loaded."""
    xlib = load_xlib()
    if xlib is None:
        return False

    class ClientMessage(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                    ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                    ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                    ("format", ctypes.c_int), ("l", ctypes.c_long * 5)]

    class XEvent(ctypes.Union):
        _fields_ = [("type", ctypes.c_int), ("xclient", ClientMessage),
                    ("pad", ctypes.c_long * 24)]

    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                                ctypes.POINTER(XEvent)]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = xlib.XOpenDisplay(display.encode())
    assert dpy, f"libX11 cannot open the display {display}"
    try:
        event = XEvent()
        event.xclient.type = 33  # ClientMessage
        event.xclient.window = window
        event.xclient.message_type = xlib.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.l[0] = xlib.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        event.xclient.l[1] = 0  # CurrentTime
        # No event mask: the event goes to the client that created the window.
        assert xlib.XSendEvent(dpy, window, 0, 0, ctypes.byref(event)), "XSendEvent failed"
        xlib.XFlush(dpy)
    finally:
        xlib.XCloseDisplay(dpy)
    return True


def _cursor_pixels(display: str) -> int | None:
    """How many visible pixels the pointer's cursor has now (XFixes); None when libX11 or
    libXfixes cannot be loaded."""
    names = ctypes.util.find_library("X11"), ctypes.util.find_library("Xfixes")
    if None in names:
        return None
    try:
        xlib, xfixes = (ctypes.CDLL(n) for n in names)
    except OSError:
        return None

    class CursorImage(ctypes.Structure):
        _fields_ = [("x", ctypes.c_short), ("y", ctypes.c_short),
                    ("width", ctypes.c_ushort), ("height", ctypes.c_ushort),
                    ("xhot", ctypes.c_ushort), ("yhot", ctypes.c_ushort),
                    ("cursor_serial", ctypes.c_ulong),
                    ("pixels", ctypes.POINTER(ctypes.c_ulong)),  # ARGB in each long
                    ("atom", ctypes.c_ulong), ("name", ctypes.c_char_p)]

    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XFree.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xfixes.XFixesGetCursorImage.restype = ctypes.POINTER(CursorImage)
    xfixes.XFixesGetCursorImage.argtypes = [ctypes.c_void_p]
    dpy = xlib.XOpenDisplay(display.encode())
    assert dpy, f"libX11 cannot open the display {display}"
    try:
        image = xfixes.XFixesGetCursorImage(dpy)
        assert image, "XFixesGetCursorImage failed"
        c = image.contents
        shown = sum(1 for i in range(c.width * c.height) if (c.pixels[i] >> 24) & 0xFF)
        xlib.XFree(image)
        return shown
    finally:
        xlib.XCloseDisplay(dpy)


class Booth:
    """The supervised kiosk under test: its process, its log and the screen it draws on."""

    def __init__(self, display: str, folder: Path, process: subprocess.Popen) -> None:
        self.display, self.folder, self.process = display, folder, process
        self.log_path = folder / "logs" / "kiosk.log"

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines: int = 25) -> str:
        """The log's last lines (without the plugins' chatter), for failure messages."""
        kept = [s for s in self.log().splitlines() if "gwangju_twin.plugin." not in s]
        out = self.folder / "supervisor.out"
        said = out.read_text(errors="replace")[-600:] if out.exists() else ""
        return ("\n--- kiosk.log (tail) ---\n" + "\n".join(kept[-lines:])
                + f"\n--- supervisor output (tail) ---\n{said}")

    def starts(self) -> list[int]:
        """The pids of every child the supervisor started, in order."""
        return [int(p) for p in re.findall(r" start: pid (\d+)", self.log())]

    def windows(self) -> list[str]:
        return _x(self.display, "xdotool", "search", "--onlyvisible", "--name",
                  "Gwangju Twin").split()

    def alive(self) -> None:
        code = self.process.poll()
        assert code is None, f"the supervisor ended with status {code}{self.tail()}"

    def wait_log(self, pattern: str, seconds: float, count: int = 1) -> float:
        """Seconds until ``pattern`` (a regex) is in the log ``count`` times."""
        start = time.monotonic()
        while len(re.findall(pattern, self.log())) < count:
            assert time.monotonic() - start < seconds, \
                f"no {pattern!r} (x{count}) in the log within {seconds:g} s{self.tail()}"
            time.sleep(0.1)
        return time.monotonic() - start

    def wait_window(self, seconds: float) -> str:
        """The kiosk window's id, once one is on screen."""
        start = time.monotonic()
        while not (found := self.windows()):
            self.alive()
            assert time.monotonic() - start < seconds, \
                f"no 'Gwangju Twin' window within {seconds:g} s{self.tail()}"
            time.sleep(0.2)
        assert len(found) == 1, f"several kiosk windows: {found}{self.tail()}"
        return found[0]

    def wait_screen(self, name: str, shown: Callable[[np.ndarray], bool], seconds: float,
                    what: str) -> tuple[np.ndarray, float]:
        """Screenshots into ``name``.png until ``shown(shot)``; the shot and the seconds
        it took. The child may die meanwhile (the crash test's own kill aside, it must not)."""
        path = self.folder / f"{name}.png"
        start = time.monotonic()
        while True:
            shot = _shot(self.display, path)
            if shown(shot):
                return shot, time.monotonic() - start
            self.alive()
            assert time.monotonic() - start < seconds, \
                f"{what}: not on screen within {seconds:g} s (last screenshot: {path}){self.tail()}"
            time.sleep(0.15)

    def key(self, window: str, *keys: str) -> None:
        for key in keys:
            _x(self.display, "xdotool", "key", "--window", window, key)

    def tap(self, x: int, y: int) -> None:
        """A finger's tap: it lands, rests a moment and lifts, and the next tap comes a
        moment later. (xdotool can lift and press again within one frame, faster than any
        hand; Panda3D's GUI then misses the second press.)"""
        _x(self.display, "xdotool", "mousemove", str(x), str(y), "mousedown", "1",
           "sleep", "0.15", "mouseup", "1", "sleep", "0.15")


# -- what is on screen ----------------------------------------------------------------------

def _prompt(shot: np.ndarray) -> int:
    """Accent-blue pixels where the attract prompt's pill pulses (its alpha dips to 0.82)."""
    return _near(shot, PROMPT, ACCENT_RGB, 45)


def _toolbar(shot: np.ndarray) -> bool:
    """The visit's toolbar at the top left: a dark button and the active (blue) map button."""
    return (_near(shot, TOOLBAR_FIRST, FILL_RGB, 25) > 1500
            and _near(shot, TOOLBAR_MAP, ACCENT_RGB, 45) > 800)


def _pinpad(shot: np.ndarray, keys: dict[str, tuple[int, int]]) -> bool:
    """The PIN pad: the screen dimmed around a dark card, its OK key accent blue and its
    digit keys button-grey where the layout puts them."""
    ox, oy = keys["ok"]
    ok = _near(shot, (slice(oy - 18, oy + 18), slice(ox - 40, ox + 40)), ACCENT_RGB, 45)
    grey = 0
    for key in "0123456789":
        x, y = keys[key]  # a patch left of the digit, inside the key
        grey += _near(shot, (slice(y - 20, y + 20), slice(x - 44, x - 14)), FILL_RGB, 35) > 700
    return ok > 2000 and grey >= 9 and shot.mean() < 90


def _red_button(shot: np.ndarray) -> tuple[int, tuple[int, int]]:
    """The operator menu's red "exit" button: how many red pixels in the middle of the
    screen, and their centre (x, y)."""
    mid = shot[100:650, 380:900]
    red = (mid[..., 0] > 120) & (mid[..., 0] > 1.8 * mid[..., 1]) & \
        (mid[..., 0] > 1.8 * mid[..., 2])
    ys, xs = np.nonzero(red)
    if len(xs) == 0:
        return 0, (0, 0)
    return len(xs), (int(np.median(xs)) + 380, int(np.median(ys)) + 100)


def _write_config(folder: Path) -> Path:
    from gwangju_twin.kiosk.pin import hash_pin

    path = folder / "kiosk.toml"
    path.write_text(
        "[display]\n"
        'size = "1280x720"\n'
        "fullscreen = true\n"
        "[timing]\n"
        f"attract_after = {ATTRACT_AFTER}\n"
        f"reset_after = {RESET_AFTER}\n"
        f"countdown = {COUNTDOWN}\n"
        "[operator]\n"
        f'pin_hash = "{hash_pin(PIN, iterations=100_000)}"\n'
        'corner = "top-left"\n'
        "hold_seconds = 2\n"
        "[watchdog]\n"
        "heartbeat_timeout = 6\n"
        "restart_delay = 0.5\n"
        "[logs]\n"
        f'folder = "{(folder / "logs").as_posix()}"\n'
        "[analytics]\n"
        f'database = "{(folder / "visits.sqlite3").as_posix()}"\n',
        encoding="utf-8")
    return path


def _logged_at(text: str, needle: str) -> datetime:
    """When the first log line holding ``needle`` was written: the log's own timestamp."""
    line = next((x for x in text.splitlines() if needle in x), None)
    assert line is not None, f"no {needle!r} in the log"
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")


def _end(booth: Booth) -> None:
    """Leave nothing running: the supervisor's group, then every child it started (each
    in a session of its own), if it is still a kiosk child and not some reused pid."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(booth.process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        booth.process.wait(timeout=10)
    for pid in booth.starts():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gwangju_twin" in cmdline and b"--child" in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def test_a_kiosk_day_visit_lock_countdown_crash_and_operator_exit(
        display: str, tmp_path: Path) -> None:
    from gwangju_twin.kiosk.analytics import day_reports

    config = _write_config(tmp_path)
    env = {**os.environ, "DISPLAY": display, "PYTHONUNBUFFERED": "1",
           **{f"XDG_{k}_HOME": str(tmp_path / k.lower()) for k in ("CONFIG", "DATA", "STATE")}}
    keys = _pin_keys()
    with open(tmp_path / "supervisor.out", "w", encoding="utf-8") as out:
        booth = Booth(display, tmp_path, subprocess.Popen(
            [sys.executable, "-m", "gwangju_twin", "kiosk", "--config", str(config)],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True))
        try:
            _run_the_day(booth, keys)
        finally:
            _end(booth)

    # The visitor's visit is in the analytics database, and only it: the operator's corner
    # hold opens the PIN pad without starting a visit. The watchdog filed the crash, no hang.
    days = day_reports(tmp_path / "visits.sqlite3")
    assert sum(d.visits for d in days) == 1, days
    assert sum(d.interrupted for d in days) == 0, days  # the crash came between visits
    assert sum(d.crashes for d in days) == 1 and sum(d.hangs for d in days) == 0, days
    # The idle countdown neither came early nor was cut short: the visit the booth recorded
    # ended as "idle" no sooner than reset_after + countdown after it began (its own clock;
    # the lock's ignored keys may have pushed it later, never sooner). Less than a frame of
    # slack: the visit starts and ends on frames.
    with contextlib.closing(sqlite3.connect(tmp_path / "visits.sqlite3")) as db:
        (started, ended, reason), = db.execute("SELECT started, ended, end_reason FROM visits")
    assert reason == "idle"
    assert ended - started >= RESET_AFTER + COUNTDOWN - 0.5, (started, ended)


def _run_the_day(booth: Booth, keys: dict[str, tuple[int, int]]) -> None:
    display = booth.display

    # -- a fullscreen window over the whole screen -----------------------------------------
    window = booth.wait_window(PATIENCE)
    geometry = _geometry(display, window)
    assert geometry == (0, 0, W, H), \
        f"the kiosk window (x, y, width, height) {geometry} does not cover the screen"
    booth.wait_log(rf"kiosk started: attract after {ATTRACT_AFTER} s", PATIENCE)
    first = booth.starts()
    assert len(first) == 1, booth.tail()

    # -- nobody there: the attract loop and its big blue "touch the screen" pill ------------
    attract, _ = booth.wait_screen("attract", lambda s: _prompt(s) > 15000, PATIENCE,
                                   "the attract prompt")
    assert not _toolbar(attract), "the toolbar shows during the attract loop"
    assert len(np.unique(attract.reshape(-1, 3) // 8, axis=0)) > 150, "a blank city"

    # -- a visitor taps: the prompt goes, the visit's toolbar comes --------------------------
    booth.tap(W // 2, H // 2)
    visit, _ = booth.wait_screen("visit", lambda s: _prompt(s) < 2000 and _toolbar(s), PATIENCE,
                                 "the visit (no prompt, the toolbar)")

    # -- the lock: no key and no close request ends the kiosk --------------------------------
    booth.key(window, "Escape", "alt+F4", "ctrl+q", "ctrl+w", "alt+Tab", "F11")
    if _send_wm_delete(display, int(window)):
        booth.wait_log(r"kiosk lock: ignored kiosk-close-request", PATIENCE)
    else:
        warnings.warn("libX11 could not be loaded with ctypes: the WM_DELETE_WINDOW close "
                      "request was not sent", stacklevel=1)
    for key in ("escape", "alt-f4", "control-q", "control-w", "alt-tab", "f11"):
        booth.wait_log(rf"kiosk lock: ignored {key}\b", PATIENCE)
    # (A close would take a frame or two: the same checks again once the countdown is on
    # screen, many frames later, say that none came.)
    booth.alive()
    assert booth.starts() == first and "crash #" not in booth.log(), booth.tail()
    assert booth.windows() == [window], "the kiosk window went away"
    assert _geometry(display, window) == (0, 0, W, H), "F11 or Alt+Tab moved the window"
    # The pointer has been still since the tap: its cursor is hidden (after 2 s).
    cursor = _cursor_pixels(display)
    if cursor is None:
        warnings.warn("libXfixes could not be loaded with ctypes: the hidden cursor was not "
                      "checked", stacklevel=1)
    else:
        deadline = time.monotonic() + PATIENCE
        while (cursor := _cursor_pixels(display)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cursor == 0, f"the cursor still shows {cursor} pixels, long after the tap"

    # -- the visitor walks away: the countdown after reset_after, the reset after countdown --
    # (When they came is checked at the end, from the visit's record in the database.)
    countdown, _ = booth.wait_screen(
        "countdown", lambda s: s.mean() < 0.7 * visit.mean() and _near(
            s, KEEP, ACCENT_RGB, 45) > 8000, PATIENCE,
        "the countdown (the screen dimmed, the blue 'keep exploring' button)")
    # Dimmed all over (the veil), not just a card: the corners darken too.
    assert countdown[:150, :150].mean() < 0.75 * visit[:150, :150].mean()
    # Many frames after the lock's keys and close request: still the one window, no crash.
    booth.alive()
    assert booth.starts() == first and "crash #" not in booth.log(), booth.tail()
    assert booth.windows() == [window], "the kiosk window went away"
    booth.wait_screen(
        "welcome", lambda s: s.mean() > 0.85 * visit.mean() and _toolbar(s)
        and _near(s, KEEP, ACCENT_RGB, 45) < 2000, PATIENCE,
        "the welcome screen after the reset")
    booth.wait_screen("attract-again", lambda s: _prompt(s) > 15000 and not _toolbar(s),
                      PATIENCE, "the attract prompt after the reset")
    booth.alive()
    assert booth.starts() == first, booth.tail()

    # -- a crash: the watchdog starts a new viewer after its restart delay, in a new window --
    old = first[0]
    os.kill(old, signal.SIGKILL)
    booth.wait_log(r" start: pid \d+", PATIENCE, count=2)
    new = booth.starts()[-1]
    assert new != old
    # Within 5 s is the supervisor's rule (restart_delay <= 4 s); that it kept it, and in
    # this order, is in its log: the crash, "restarting in 0.5 s", and the start after that.
    text = booth.log()
    crashed = _logged_at(text, f"crash #1: killed by SIGKILL (pid {old}); restarting in 0.5 s")
    assert (_logged_at(text, f"start: pid {new}") - crashed).total_seconds() >= 0.5 - 0.002, \
        booth.tail()
    booth.wait_log(rf"kiosk started: attract after {ATTRACT_AFTER} s", PATIENCE, count=2)
    window = booth.wait_window(PATIENCE)
    pid = _x(display, "xdotool", "getwindowpid", window)
    if pid:  # Panda3D sets _NET_WM_PID: the window is the new child's
        assert int(pid) == new, (pid, new)

    # -- the operator: a held corner asks for the PIN; Cancel closes the pad -----------------
    # The clock starts before the press is sent: the press cannot come sooner, and the booth
    # shows the pad a 2 s hold after it; a slower machine only makes that later. (The slack
    # is for the frame that takes the press: its clock was read when it began.)
    pressing = time.monotonic()
    _x(display, "xdotool", "mousemove", "4", "4", "mousedown", "1")
    if cursor is not None:  # it moved: the operator with a mouse sees the pointer again
        deadline = time.monotonic() + PATIENCE
        while not (cursor := _cursor_pixels(display)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cursor, "the cursor stays hidden while the pointer moves"
    try:
        booth.wait_screen("corner-pin", lambda s: _pinpad(s, keys), PATIENCE,
                          "the PIN pad after a 2 s hold in the top-left corner")
        assert time.monotonic() - pressing >= 1.5, "the PIN pad came before the hold was over"
        booth.wait_log(r"operator gesture: PIN pad shown", PATIENCE)
    finally:
        _x(display, "xdotool", "mouseup", "1", "sleep", "0.3")
    booth.tap(*keys["cancel"])
    booth.wait_screen("cancelled", lambda s: not _pinpad(s, keys) and s.mean() > 90, PATIENCE,
                      "the kiosk again after Cancel")

    # -- the operator's key chord; a wrong PIN first, then the right one ---------------------
    booth.key(window, "ctrl+alt+shift+k")
    pin, _ = booth.wait_screen("pin", lambda s: _pinpad(s, keys), PATIENCE,
                               "the PIN pad after Ctrl+Alt+Shift+K")
    # The pad's layout (computed from pinpad.py's constants) is where the pixels are: the
    # blue OK key's centre is within a few pixels of where the taps will go.
    ys, xs = np.nonzero(np.abs(pin[380:560, 640:900] - ACCENT_RGB).max(axis=2) < 45)
    assert abs(np.median(xs) + 640 - keys["ok"][0]) < 6 and \
        abs(np.median(ys) + 380 - keys["ok"][1]) < 6, (np.median(xs), np.median(ys), keys)
    mx, my = keys["message"]

    def warning(shot: np.ndarray) -> int:
        """Orange pixels (pinpad._WARN_INK, "wrong PIN") on the message line; the hint
        there is light grey."""
        line = shot[my - 12:my + 12, mx - 150:mx + 150]
        return int(((line[..., 0] > 150) & (line[..., 0] - line[..., 2] > 70)).sum())

    assert warning(pin) < 20, "a warning before any PIN was typed"
    fx, fy = keys["field"]

    def dots(shot: np.ndarray) -> int:
        """White dots across the PIN field: one per digit typed, never the digits."""
        white = (shot[fy, fx - 150:fx + 150] > 215).all(axis=1).astype(int)
        return int((np.diff(np.r_[0, white, 0]) == 1).sum())

    def type_digits(pin: str, name: str) -> np.ndarray:
        """Tap each digit once its dot showed for the one before (two taps within one slow
        frame would land as one); the last screenshot."""
        shot = _shot(display, booth.folder / f"{name}-0.png")
        assert dots(shot) == 0, f"{dots(shot)} dots before any digit"
        for n, digit in enumerate(pin, 1):
            booth.tap(*keys[digit])
            shot, _ = booth.wait_screen(f"{name}-{n}", lambda s, n=n: dots(s) >= n, PATIENCE,
                                        f"{n} dots in the PIN field after {n} digits")
        return shot

    type_digits(WRONG_PIN, "wrong-typed")
    booth.tap(*keys["ok"])
    booth.wait_log(r"wrong operator PIN \(1 in a row\)", PATIENCE)
    booth.wait_screen("wrong-pin", lambda s: _pinpad(s, keys) and warning(s) > 120
                      and dots(s) == 0, PATIENCE, "the PIN pad saying the PIN was wrong")
    typed = type_digits(PIN, "pin-typed")
    assert dots(typed) == len(PIN), f"{dots(typed)} dots in the PIN field after {len(PIN)} digits"
    booth.tap(*keys["ok"])
    booth.wait_log(r"operator PIN accepted", PATIENCE)
    menu, _ = booth.wait_screen("menu", lambda s: _red_button(s)[0] > 8000, PATIENCE,
                                "the operator menu's red exit button")
    _, (ex, ey) = _red_button(menu)
    # Its blue "back to the kiosk" button is above the exit, as wide.
    assert _near(menu, (slice(100, ey - 60), slice(ex - 100, ex + 100)), ACCENT_RGB, 45) > 5000

    # -- exit: the child ends with status 0 and so does the supervisor -----------------------
    booth.tap(ex, ey)
    try:
        code = booth.process.wait(timeout=PATIENCE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the supervisor did not end within {PATIENCE:g} s of the exit{booth.tail()}")
    assert code == 0, booth.tail()
    log = booth.log()
    assert f"operator closed the kiosk (pid {new} exited 0)" in log, booth.tail()
    assert booth.starts() == [old, new] and "hang #" not in log, booth.tail()
    assert booth.windows() == [], "the kiosk window stayed after the exit"
