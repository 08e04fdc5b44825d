"""The viewer in a real window: Xvfb for a screen, xdotool for a visitor's hands.

.ci/run installs xvfb, xdotool and imagemagick from Debian when they are missing; a machine
without them skips this file and says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from render_helpers import read_png

TOOLS = ("Xvfb", "xdotool", "import")
pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS),
    reason="needs Xvfb, xdotool and imagemagick (apt-get install xvfb xdotool imagemagick)",
)


@pytest.fixture
def display() -> Iterator[str]:
    """A private virtual screen, gone after the test."""
    for number in range(91, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            break
    name = f":{number}"
    server = subprocess.Popen(
        ["Xvfb", name, "-screen", "0", "1024x700x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        yield name
    finally:
        server.terminate()
        server.wait(timeout=10)


def _x(display: str, *args: str) -> str:
    env = {**os.environ, "DISPLAY": display}
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    return out.stdout.strip()


def _shot(display: str, path: Path) -> np.ndarray:
    _x(display, "import", "-window", "root", str(path))
    return read_png(path).astype(int)


def test_viewer_opens_a_window_orbits_and_quits(display: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": display}
    viewer = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "--size", "960x600"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        window = _x(display, "xdotool", "search", "--sync", "--name", "Gwangju Twin")
        assert window, "no viewer window appeared"
        time.sleep(2.0)  # a few frames on the software renderer
        before = _shot(display, tmp_path / "before.png")
        # A city is on screen: many distinct colours in the window, not a blank frame.
        assert len(np.unique(before.reshape(-1, 3) // 8, axis=0)) > 150

        # Drag with the left button: the view orbits, so the picture changes.
        _x(display, "xdotool", "mousemove", "480", "330", "mousedown", "1",
           "mousemove", "560", "320", "sleep", "0.2", "mousemove", "680", "300",
           "sleep", "0.2", "mouseup", "1")
        time.sleep(1.0)
        after = _shot(display, tmp_path / "after.png")
        changed = np.any(np.abs(after - before) > 24, axis=2).mean()
        assert changed > 0.2

        _x(display, "xdotool", "key", "--window", window.splitlines()[0], "Escape")
        assert viewer.wait(timeout=30) == 0
        assert not (tmp_path / "gwangju-twin-snapshot.png").exists()
    finally:
        if viewer.poll() is None:
            viewer.kill()
            viewer.wait()
