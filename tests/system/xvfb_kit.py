"""A virtual X screen for the window tests: Xvfb for a screen, xdotool for hands,
imagemagick's ``import`` for eyes. .ci/run installs them from Debian when missing; without
them the window tests skip and say why (``NEEDS_X``).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
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
    server, name = start_screen(width, height)
    try:
        yield name
    finally:
        server.terminate()
        server.wait(timeout=10)


def start_screen(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """A private virtual screen of ``width`` x ``height``: its X server, once it listens,
    and its DISPLAY name; the caller ends the server.

    Xvfb picks the display number itself (``-displayfd``) and writes it to a pipe once it
    listens: looking for a free socket file first would race with other X servers starting
    at the same time (parallel test runs, other users)."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,),
    )
    os.close(write_end)
    try:
        # The number arrives once the server is ready; end of file means it died first.
        # A generous bound only guards against a wedged server; a busy machine is slow
        # but the answer still comes.
        with os.fdopen(read_end, "rb") as pipe:
            ready, _, _ = select.select([pipe], [], [], 120.0)
            number = pipe.readline().strip().decode("ascii") if ready else ""
        if not number.isdigit():
            raise RuntimeError(f"Xvfb did not start (exit status {server.wait(timeout=60)})")
    except BaseException:
        server.terminate()
        server.wait(timeout=10)
        raise
    return server, f":{number}"


def run_x(display: str, *args: str) -> str:
    """Run an X client (xdotool, import ...) on ``display``; its stdout, stripped."""
    env = {**os.environ, "DISPLAY": display}
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    return out.stdout.strip()


def screenshot_root(display: str, path: Path) -> np.ndarray:
    """The whole screen, saved to ``path`` and returned as an (h, w, 3) int array."""
    run_x(display, "import", "-window", "root", str(path))
    return read_png(path).astype(int)
