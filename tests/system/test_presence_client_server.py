"""The viewer's presence client against the real presence server (``gwangju-twin serve`` in
a child process): two viewers see each other move and react; the server is killed with
SIGKILL and started again on the same port, and both rejoin by themselves, as the same
visitors, while their frame loops go on.

Nothing is timed: each step polls for a condition with a generous bound, and the checks are
about what was seen and in what order.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Callable

from presence_kit import ServerProcess, free_port

from gwangju_twin.presence import messages as m
from gwangju_twin.presence.backoff import Backoff
from gwangju_twin.presence.client import PresenceClient, parse_join_url


def serve_on(port: int) -> ServerProcess:
    proc = subprocess.Popen([sys.executable, "-m", "gwangju_twin", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "presence server on" in line, (line, proc.stderr.read() if proc.stderr else "")
    return ServerProcess(proc, port)


def until(condition: Callable[[], bool], what: str, work: Callable[[], None] | None = None,
          limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        if work is not None:
            work()
        time.sleep(0.01)


def test_two_viewers_see_each_other_and_rejoin_after_the_server_dies() -> None:
    port = free_port()
    server = serve_on(port)
    url = parse_join_url(f"ws://127.0.0.1:{port}/sangmu")
    a = PresenceClient(url, nickname_id=1, colour_id=2,
                       backoff=Backoff(base=0.1, cap=0.5, rng=random.Random(1))).start()
    b = PresenceClient(url, nickname_id=3, colour_id=4,
                       backoff=Backoff(base=0.1, cap=0.5, rng=random.Random(2))).start()
    frames = 0
    got: list[object] = []  # what a's frame loop drained

    def frame() -> None:
        # Both viewers' frame loops: a walks east, b stands still looking north.
        nonlocal frames
        frames += 1
        a.set_pose(m.Pose((float(frames % 200), 0.0, 0.0), 90.0, 0.0))
        b.set_pose(m.Pose((10.0, 5.0, 0.0), 0.0, -5.0, "mobility"))
        a.visitors(), b.visitors(), b.drain()
        got.extend(a.drain())

    try:
        until(lambda: a.connected and b.connected, "both joined", frame)
        until(lambda: [o.id for o in a.visitors()] == [b.id], "a sees b", frame)
        until(lambda: [o.id for o in b.visitors()] == [a.id], "b sees a", frame)
        seen_b = a.visitors()[0]
        assert (seen_b.nickname_id, seen_b.colour_id, seen_b.pavilion) == (3, 4, "mobility")
        # a moves: b sees a's x change between samples (the interpolated state follows).
        xs: set[float] = set()

        def watch() -> None:
            frame()
            xs.update(round(o.state.x, 1) for o in b.visitors())

        until(lambda: len(xs) >= 5, "b sees a move", watch)

        # A wave from b reaches a, with b as its sender.
        b.send(m.Reaction(m.ReactionKind.WAVE))
        until(lambda: any(isinstance(e, m.Reaction) and e.sender == b.id for e in got),
              "a gets b's wave", frame)

        # The server dies: both notice, show nobody, and keep trying.
        server.kill9()
        until(lambda: not a.connected and not b.connected, "the drop noticed", frame)
        assert a.visitors() == [] and b.visitors() == []
        failures = a.stats.failures
        until(lambda: a.stats.failures >= failures + 2, "a retries", frame)

        # It comes back on the same port: both rejoin by themselves and see each other again
        # (a restarted server has forgotten them, so their ids may be new ones).
        server = serve_on(port)
        until(lambda: a.connected and b.connected, "both rejoined", frame)
        until(lambda: [o.id for o in a.visitors()] == [b.id], "a sees b again", frame)
        assert a.stats.joins == 2 and b.stats.joins == 2
        assert frames > a.stats.failures  # the frame loop ran on while the client waited
    finally:
        a.close()
        b.close()
        server.stop()
    assert sum(a.stats.malformed.values()) == 0  # the real server speaks the protocol
