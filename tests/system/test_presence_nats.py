"""Two presence servers sharing a room through a real nats-server (JetStream) on loopback:
a client on each sees the other; one server is killed with SIGKILL and its client
reconnects (with back-off) to the other and reappears as the same visitor."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from presence_kit import Client, Nats, nats_server, server

from gwangju_twin.presence import messages as m
from gwangju_twin.presence.backoff import Backoff


@pytest.fixture
def nats_proc(tmp_path: Path) -> Iterator[Nats]:
    with nats_server(tmp_path / "js") as running:
        yield running


@pytest.fixture
def nats(nats_proc: Nats) -> str:
    return nats_proc.url


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 40))


def test_clients_on_two_servers_see_each_other(nats: str) -> None:
    with server("--nats", nats) as one, server("--nats", nats) as two:
        async def go() -> None:
            a = await Client.join(one.url, nickname_id=1)
            b = await Client.join(two.url, nickname_id=2)
            await a.pose(3.0, 4.0)
            await b.pose(5.0, 6.0)
            await b.until(lambda: b.seen.get(a.id) and b.seen[a.id].pos[:2] == (3.0, 4.0))
            await a.until(lambda: a.seen.get(b.id) and a.seen[b.id].pos[:2] == (5.0, 6.0))
            assert b.seen[a.id].nickname_id == 1
            # Events cross too: a wave on one server reaches the other's visitor once.
            await a.send(m.Reaction(kind=m.ReactionKind.WAVE))
            await b.until(lambda: b.of(m.Reaction))
            await asyncio.sleep(0.3)
            assert [r.sender for r in b.of(m.Reaction)] == [a.id]
            # A bye on one server is a "gone" on the other.
            await a.send(m.Bye())
            await b.until(lambda: a.id in b.gone)

        run(go())
        assert two.stats()["counters"].get("bus.malformed", 0) == 0


def test_remote_poses_take_the_fast_path_too(nats: str) -> None:
    # One snapshot a second on each server: a pose from the other server reaching b in a
    # delta came through NATS and b's server's deltas, not a snapshot.
    with server("--nats", nats, "--hz", "1") as one, \
            server("--nats", nats, "--hz", "1") as two:
        async def go() -> None:
            a = await Client.join(one.url, nickname_id=1)
            b = await Client.join(two.url, nickname_id=2, query="want=delta")
            await a.pose(1.0, 0.0)
            await b.until(lambda: b.seen.get(a.id))
            for step in (2.0, 3.0, 4.0):
                await a.pose(step, 0.0)
                await b.until(lambda s=step: b.seen[a.id].pos[0] == s)
            moved = [v.pos[0] for d in b.of(m.Delta) for v in d.near if v.id == a.id]
            assert moved, "no delta carried the remote visitor"

        run(go())
        assert two.stats()["counters"].get("delta.sent", 0) >= 1


def test_a_killed_servers_visitor_reappears_through_the_other(nats: str) -> None:
    with server("--nats", nats) as one, server("--nats", nats) as two:
        async def go() -> None:
            a = await Client.join(one.url)
            b = await Client.join(two.url)
            await a.pose(1.0, 1.0)
            await b.until(lambda: a.id in b.seen)
            assert a.welcome is not None
            key = a.welcome.resume_key
            one.kill9()
            await a.until(lambda: a.closed)
            # B's server stops hearing of A and says so.
            await b.until(lambda: a.id in b.gone)
            # A's viewer reconnects with back-off, trying its servers in turn; the killed
            # one refuses, the other accepts, and the presence store vouches for A's key.
            backoff = Backoff(base=0.1, cap=1.0, rng=random.Random(7))
            loop = asyncio.get_running_loop()
            again = None
            for url in [one.url, two.url] * 5:
                try:
                    again = await Client.join(url, resume_id=a.id, resume_key=key)
                    break
                except OSError:
                    await asyncio.sleep(backoff.failed(loop.time()) - loop.time())
            assert again is not None and again.id == a.id
            assert backoff.failures >= 1  # the dead server was tried and refused
            await again.pose(2.0, 2.0)
            await b.until(lambda: b.seen.get(a.id) and b.seen[a.id].pos[:2] == (2.0, 2.0))

        run(go())
        assert two.stats()["counters"]["resume"] == 1


def test_a_room_goes_on_locally_when_nats_goes_away(nats_proc: Nats) -> None:
    with server("--nats", nats_proc.url) as one:
        async def go() -> None:
            a = await Client.join(one.url)
            b = await Client.join(one.url)
            await a.pose(1.0, 1.0)
            await b.until(lambda: a.id in b.seen)
            nats_proc.stop()
            await a.pose(2.0, 2.0)
            await b.until(lambda: b.seen[a.id].pos[:2] == (2.0, 2.0))
            c = await Client.join(one.url)  # joining works without NATS too
            await c.pose(3.0, 3.0)
            await b.until(lambda: c.id in b.seen)

        run(go())
        assert one.proc.poll() is None
