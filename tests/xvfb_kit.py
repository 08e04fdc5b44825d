"""A virtual X screen for the window tests: Xvfb for a screen, xdotool for hands,
imagemagick's ``import`` for eyes. .ci/run installs them from Debian when missing; without
them the window tests skip and say why (``NEEDS_X``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from render_helpers import read_png

TOOLS = ("Xvfb", "xdotool", "import")
NEEDS_X = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS),
    reason="needs Xvfb, xdotool and imagemagick (apt-get install xvfb xdotool imagemagick)",
)


def virtual_screen(width: int, height: int) -> Iterator[str]:
    """A private virtual screen of ``width`` x ``height`` (its DISPLAY name), gone after."""
    for number in range(91, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            break
    name = f":{number}"
    server = subprocess.Popen(
        ["Xvfb", name, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
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


def run_x(display: str, *args: str) -> str:
    """Run an X client (xdotool, import ...) on ``display``; its stdout, stripped."""
    env = {**os.environ, "DISPLAY": display}
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    return out.stdout.strip()


def screenshot_root(display: str, path: Path) -> np.ndarray:
    """The whole screen, saved to ``path`` and returned as an (h, w, 3) int array."""
    run_x(display, "import", "-window", "root", str(path))
    return read_png(path).astype(int)
