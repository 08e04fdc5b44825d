"""The window test kit's own screen: each caller gets a private X server, even when several
start at the same moment (parallel test runs, other users' X servers)."""

from __future__ import annotations

import threading

from xvfb_kit import NEEDS_X, run_x, virtual_screen

pytestmark = NEEDS_X


def test_screens_started_at_the_same_moment_are_each_their_own() -> None:
    sizes = [(320 + 16 * n, 200 + 8 * n) for n in range(3)]
    gate = threading.Barrier(len(sizes))
    screens: dict[int, str] = {}
    problems: list[BaseException] = []
    done = threading.Event()
    ready = threading.Barrier(len(sizes) + 1)

    def start(n: int) -> None:
        screen = virtual_screen(*sizes[n])
        try:
            gate.wait(timeout=120)  # all ask for a free display together
            screens[n] = next(screen)
        except BaseException as exc:  # reported by the main thread
            problems.append(exc)
        ready.wait(timeout=120)
        done.wait(timeout=300)  # keep the screen until the main thread has looked
        screen.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(len(sizes))]
    for t in threads:
        t.start()
    try:
        ready.wait(timeout=300)
        assert problems == []
        # Distinct displays, each answering with its own size: no two callers share (or
        # lost) a server.
        assert len(set(screens.values())) == len(sizes), screens
        for n, name in screens.items():
            assert run_x(name, "xdotool", "getdisplaygeometry") == f"{sizes[n][0]} {sizes[n][1]}"
    finally:
        done.set()
        for t in threads:
            t.join(timeout=60)
