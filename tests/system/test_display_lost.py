"""The X server ending under a viewer's window (a kiosk's display restarting, a remote
session dropped): the viewer says so in one line and exits with status 1, instead of
Panda3D's native assertion (SIGABRT) as its exit ran against the dead display. Its window
destroyed under it (``xdotool windowclose``): the same, instead of drawing on into nothing
while a kiosk's screen stays black.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from xvfb_kit import NEEDS_X, run_x, screenshot_root, start_screen

pytestmark = NEEDS_X


def _start_viewer(display: str, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    """The viewer on ``display``, once it draws the city; and its window's id."""
    env = {**os.environ, "DISPLAY": display, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    viewer = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "--size", "640x480", "--time",
         "2026-09-20T11:00"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    window = run_x(display, "xdotool", "search", "--sync", "--name", "Gwangju Twin")
    assert window
    # The viewer is drawing the city (many colours on screen), not still starting up.
    deadline = time.monotonic() + 180.0
    while len(np.unique(screenshot_root(display, tmp_path / "city.png").reshape(-1, 3)
                        // 8, axis=0)) <= 150:
        assert viewer.poll() is None, viewer.communicate()
        assert time.monotonic() < deadline, "no city on screen"
        time.sleep(0.5)
    return viewer, window.split()[0]


def test_the_window_destroyed_under_the_viewer_ends_it_in_one_line(tmp_path: Path) -> None:
    server, display = start_screen(800, 600)
    viewer: subprocess.Popen[str] | None = None
    try:
        viewer, window = _start_viewer(display, tmp_path)
        # XDestroyWindow from another client: no close request the viewer could answer.
        run_x(display, "xdotool", "windowclose", window)
        _, err = viewer.communicate(timeout=120)
    finally:
        if viewer is not None and viewer.poll() is None:
            viewer.kill()
            viewer.wait()
        server.terminate()
        server.wait(timeout=10)
    assert viewer.returncode == 1, err
    assert err.strip().splitlines()[-1] == (
        "gwangju-twin: error: the viewer's window was destroyed under it (not closed by the "
        "window manager); the viewer stops")
    assert "Traceback" not in err


def test_the_display_going_away_ends_the_viewer_in_one_line(tmp_path: Path) -> None:
    server, display = start_screen(800, 600)
    viewer: subprocess.Popen[str] | None = None
    try:
        viewer, _ = _start_viewer(display, tmp_path)
        server.terminate()
        server.wait(timeout=30)
        _, err = viewer.communicate(timeout=120)
    finally:
        if viewer is not None and viewer.poll() is None:
            viewer.kill()
            viewer.wait()
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
    assert viewer.returncode == 1, err
    # Xlib may note a missing extension as the window opens; the end is our one line.
    assert err.strip().splitlines()[-1] == (
        f"gwangju-twin: error: the X display {display} went away (its server closed the "
        "connection); the viewer stops")
    assert "Assertion" not in err and "Traceback" not in err and "fatal" not in err
