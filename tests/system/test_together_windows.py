"""Two viewers in real windows (Xvfb) joined to a real presence server see each other's
avatars; the server dies and comes back while both keep running, and they rejoin.

Both viewers open the same start view at the same size, so each one's visitor stands at
the middle of the other's picture. An avatar there is a patch of strongly
coloured pixels (the palette's colours are saturated; the city's greys, beiges and greens
are not): many more of them than the views have alone, or once the server is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from presence_kit import free_port
from xvfb_kit import NEEDS_X
from xvfb_kit import run_x as _x
from xvfb_kit import screenshot_root as _shot

pytestmark = NEEDS_X
#: Two 640x420 windows side by side (no window manager: a window's pixels start at its
#: position).
SCREEN = (1300, 440)
SIZE = (640, 420)
LEFT = (0, 650)


def _serve(port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "gwangju_twin", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert "presence server on" in proc.stdout.readline()
    return proc


def _viewer(display: str, home: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "DISPLAY": display, "XDG_CONFIG_HOME": str(home / "config")}
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "--size", f"{SIZE[0]}x{SIZE[1]}",
         "--join", f"ws://127.0.0.1:{port}/sangmu",
         # A fixed morning: `view` shows now, and the pawns are looked for in a daylit city.
         "--time", "2026-09-20T11:00"],
        cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until(test: Callable[[], bool], seconds: float = 180.0) -> bool:
    """Ask ``test`` every half second until it holds (a generous bound, not a timing
    claim)."""
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _window(shot: np.ndarray, k: int) -> np.ndarray:
    return shot[:SIZE[1], LEFT[k]:LEFT[k] + SIZE[0]]


def _middle(window: np.ndarray) -> np.ndarray:
    """Where the other's avatar stands: at the start view's target, a little left of and
    above the picture's centre; narrow enough to leave out the mobility pavilion's label
    just right of it (its accent strip is a strong blue too)."""
    h, w = window.shape[:2]
    return window[h // 2 - 50:h // 2 + 30, w // 2 - 60:w // 2 + 14]


def _saturated(patch: np.ndarray) -> np.ndarray:
    """Pixels of a strong colour: the spread between the largest and smallest channel. The
    palette's palest, reddish purple (204, 121, 167), spreads 83 (less where it is shaded);
    the city's greys and blue-greys around the target spread under 20 (measured)."""
    p = patch.astype(int)
    return (p.max(axis=2) - p.min(axis=2)) > 60


#: Strongly coloured pixels an avatar adds to the middle of a view (its body at the start
#: view's distance is about 20 x 40 px; measured on screenshots).
AVATAR = 100


def _count(shot: np.ndarray) -> tuple[int, int]:
    """Strongly coloured pixels in the middle of each window."""
    a, b = (int(_saturated(_middle(_window(shot, k))).sum()) for k in (0, 1))
    return a, b


def _is_city(window: np.ndarray) -> bool:
    return len(np.unique(window.reshape(-1, 3) // 8, axis=0)) > 150


def test_two_viewers_see_each_other_and_outlive_their_server(display: str,
                                                             tmp_path: Path) -> None:
    port = free_port()
    server = _serve(port)
    viewers: list[subprocess.Popen[str]] = []
    try:
        viewers.append(_viewer(display, tmp_path / "a", port))
        found = _x(display, "xdotool", "search", "--sync", "--name", "Gwangju Twin")
        assert found, "viewer A opened no window"
        shots: dict[str, np.ndarray] = {}

        def shot(name: str) -> np.ndarray:
            shots[name] = _shot(display, tmp_path / f"{name}.png")
            return shots[name]

        # A alone: its city, with nobody else in the room.
        assert _wait_until(lambda: _is_city(_window(shot("alone"), 0)))
        time.sleep(3)
        alone = _count(shot("alone"))[0]

        viewers.append(_viewer(display, tmp_path / "b", port))
        assert _wait_until(lambda: len(_x(display, "xdotool", "search", "--name",
                                           "Gwangju Twin").split()) == 2)
        a_id, b_id = _x(display, "xdotool", "search", "--name", "Gwangju Twin").split()[:2]

        def side_by_side() -> None:
            # Again on every look: a window that was still opening may have placed itself.
            _x(display, "xdotool", "windowmove", b_id, str(LEFT[1]), "0")
            _x(display, "xdotool", "windowmove", a_id, str(LEFT[0]), "0")

        # Each sees the other: a patch of strong colour in the middle of both views, far
        # more than A's view had alone.
        def both_see_each_other() -> bool:
            side_by_side()
            s = shot("together")
            return all(_is_city(_window(s, k)) for k in (0, 1)) and all(
                n > alone + AVATAR for n in _count(s))

        assert _wait_until(both_see_each_other), "an avatar did not appear in both views"
        together = _count(shots["together"])

        # The server dies: both viewers keep running, and the avatars go.
        server.send_signal(signal.SIGKILL)
        server.wait(10)

        def nobody() -> bool:
            return all(n < t - AVATAR for n, t in zip(_count(shot("server-gone")), together,
                                                      strict=True))

        assert _wait_until(nobody, 60), "avatars stayed after the server died"
        gone = _count(shots["server-gone"])
        assert all(v.poll() is None for v in viewers), "a viewer stopped with its server"

        # It comes back on the same port: they rejoin by themselves and see each other.
        server = _serve(port)

        def rejoined() -> bool:
            return all(n > g + AVATAR for n, g in zip(_count(shot("rejoined")), gone,
                                                      strict=True))

        assert _wait_until(rejoined, 120), "the viewers did not rejoin"
        assert all(v.poll() is None for v in viewers)
    finally:
        for v in viewers:
            if v.poll() is None:
                v.terminate()
                try:
                    v.wait(30)
                except subprocess.TimeoutExpired:
                    v.kill()
                    v.wait()
        if server.poll() is None:
            server.terminate()
            server.wait(10)
