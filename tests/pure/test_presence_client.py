"""The viewer's presence client against a real websockets server on loopback: join, poses at
10 Hz, snapshots, reactions, a malformed message, the server killed and started again.

The server here is a small scripted one that speaks the protocol (presence.messages), so
the client is tested on its own. Nothing is timed: each step polls for a condition with a
generous deadline and the assertions are about order and counts.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from gwangju_twin.errors import InputError
from gwangju_twin.presence import messages as m
from gwangju_twin.presence.backoff import Backoff
from gwangju_twin.presence.client import PresenceClient, check_token, parse_join_url

ME = "0123456789ab"
OTHER = "fedcba987654"


class ScriptedServer:
    """A presence server of a few lines on its own thread: welcomes every hello as ``ME``,
    records what arrives, and sends a snapshot with one other visitor walking east every
    0.1 s (and one malformed message after the welcome)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.hellos: list[m.Hello] = []
        self.received: list[m.ClientMessage] = []
        self.connections: list[ServerConnection] = []
        self.paths: list[str] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = threading.Event()
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "the scripted server did not start"

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stop = asyncio.Event()
        async with serve(self._handle, "127.0.0.1", self.port):
            self.ready.set()
            await self.stop.wait()

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections.append(ws)
        assert ws.request is not None
        self.paths.append(ws.request.path)
        hello = m.decode_client(await ws.recv())
        assert isinstance(hello, m.Hello)
        self.hellos.append(hello)
        await ws.send(m.encode(m.Welcome(id=ME, room=hello.room, resume_key="key-1",
                                         snapshot_hz=10.0, max_bytes=2048, rate=30.0)))
        await ws.send('{"t": "snapshot", "ts": "not a time"')  # malformed: counted, dropped

        async def snapshots() -> None:
            seq = 0
            while True:
                seq += 1
                me = m.Visitor(ME, 1, 1, m.Role.VISITOR, (0.0, 0.0, 1.7), 0.0, 0.0, None)
                other = m.Visitor(OTHER, 37, 5, m.Role.GUIDE, (seq * 1.0, 10.0, 1.7), 90.0,
                                  -5.0, "mobility")
                await ws.send(m.encode(m.Snapshot(t=1000.0 + seq * 0.1, seq=seq,
                                                  near=(me, other))))
                await asyncio.sleep(0.1)

        task = asyncio.create_task(snapshots())
        try:
            async for data in ws:
                self.received.append(m.decode_client(data))
        finally:
            task.cancel()

    def say(self, message: m.ServerMessage) -> None:
        """Send ``message`` to every open connection."""
        assert self.loop is not None
        for ws in list(self.connections):
            asyncio.run_coroutine_threadsafe(ws.send(m.encode(message)), self.loop)

    def kill(self) -> None:
        """Stop serving and drop every connection (as a dying server does)."""
        assert self.loop is not None and self.stop is not None
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)
        assert not self.thread.is_alive()

    def poses(self) -> int:
        return sum(isinstance(x, m.Pose) for x in self.received)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(condition: Callable[[], bool], what: str, work: Callable[[], None] | None = None,
          limit: float = 20.0) -> int:
    """Poll ``condition`` (doing the frame loop's ``work`` each time) until it holds;
    returns how many polls it took. The limit only keeps a broken client from hanging the
    suite; nothing is asserted about time."""
    deadline = time.monotonic() + limit
    polls = 0
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        if work is not None:
            work()
        polls += 1
        time.sleep(0.005)
    return polls


@pytest.fixture
def port() -> int:
    return free_port()


def test_join_poses_snapshots_reactions_drop_and_rejoin(port: int) -> None:
    server = ScriptedServer(port)
    backoff = Backoff(base=0.05, cap=0.4, floor=0.01, rng=random.Random(7))
    client = PresenceClient(parse_join_url(f"ws://127.0.0.1:{port}/sangmu"), "expo-2026",
                            backoff=backoff, rng=random.Random(3)).start()
    try:
        client.set_pose(m.Pose((1.0, 2.0, 1.7), 45.0, -10.0, "mobility"))
        until(lambda: client.connected, "joined")
        hello = server.hellos[0]
        assert (hello.room, hello.token) == ("sangmu", "expo-2026")
        assert (hello.nickname_id, hello.colour_id) == (client.nickname_id, client.colour_id)
        assert hello.resume_id is None  # a first join
        # It asks for deltas in the URL's query, which a server before them ignores.
        assert server.paths[0] == "/sangmu?want=delta"
        # Poses keep coming while the frame loop only sets one now and then.
        until(lambda: server.poses() >= 10, "ten poses sent")
        assert server.received[0] == m.Pose((1.0, 2.0, 1.7), 45.0, -10.0, "mobility")

        # The other visitor appears (this visitor's own row is left out), with the
        # nickname, colour and pavilion the server gave.
        until(lambda: len(client.visitors()) == 1, "the other visitor seen")
        other = client.visitors()[0]
        assert (other.id, other.nickname_id, other.colour_id) == (OTHER, 37, 5)
        assert other.role is m.Role.GUIDE and other.pavilion == "mobility"
        assert other.state.y == pytest.approx(10.0) and other.state.yaw == pytest.approx(90.0)
        assert client.stats.malformed["not_json"] == 1  # counted and dropped, still joined
        assert client.connected

        # Reactions go both ways: the frame loop's one reaches the server, the server's one
        # waits in the queue until the frame loop drains it.
        client.send(m.Reaction(m.ReactionKind.PING, at=(5.0, 6.0, 0.0)))
        until(lambda: any(isinstance(x, m.Reaction) for x in server.received), "ping sent")
        server.say(m.Reaction(m.ReactionKind.WAVE, sender=OTHER))
        events: list[m.Reaction | m.Tour | m.Share | m.Error] = []
        until(lambda: bool(events), "wave received", work=lambda: events.extend(client.drain()))
        assert events == [m.Reaction(m.ReactionKind.WAVE, sender=OTHER)]

        # The server dies: the client notices, shows nobody, and keeps trying with a growing
        # back-off, while the frame loop's calls go on returning at once.
        server.kill()
        until(lambda: not client.connected, "drop noticed")
        assert client.visitors() == []
        frames = 0

        def frame() -> None:
            nonlocal frames
            frames += 1
            client.set_pose(m.Pose((float(frames), 0.0, 1.7), 0.0, 0.0))
            client.visitors()
            client.drain()

        until(lambda: client.stats.failures >= 4, "four failed attempts", work=frame)
        assert backoff.failures >= 3  # consecutive failures: the window has doubled twice
        # Every attempt waited for the frame loop's next frames, never the other way round:
        # many frames ran while the attempts failed.
        assert frames > client.stats.failures
        joins_before = client.stats.joins

        # The server comes back on the same port: the client rejoins by itself, as the
        # same visitor (the resume id and key from the first welcome).
        server = ScriptedServer(port)
        until(lambda: client.connected and bool(server.hellos), "rejoined", work=frame)
        assert client.stats.joins == joins_before + 1
        again = server.hellos[0]
        assert (again.resume_id, again.resume_key) == (ME, "key-1")
        assert backoff.failures == 0  # a success starts the back-off afresh
        until(lambda: len(client.visitors()) == 1, "the other visitor seen again", work=frame)
    finally:
        client.close()
        server.kill()
    assert client._thread is not None and not client._thread.is_alive()
    # The last connection said goodbye before the thread ended.
    assert any(isinstance(x, m.Bye) for x in server.received)


def test_no_server_never_blocks_and_close_ends_the_thread(port: int) -> None:
    # Nothing listens on the port: the client fails and waits, and close() ends it.
    client = PresenceClient(parse_join_url(f"ws://127.0.0.1:{port}/sangmu"),
                            backoff=Backoff(base=0.05, cap=0.2, floor=0.01)).start()
    until(lambda: client.stats.failures >= 2, "two failed attempts")
    client.send(m.Reaction(m.ReactionKind.LIKE))  # dropped: nobody to send it to
    assert client.visitors() == [] and client.drain() == [] and not client.connected
    client.close()
    assert client._thread is not None and not client._thread.is_alive()
    assert client.stats.joins == 0


def test_a_refusal_is_an_event_and_a_retry() -> None:
    """A server that refuses the token answers with an error: the viewer shows it once and
    tries again later (the operator may fix the room meanwhile)."""
    port = free_port()
    refusals: list[str] = []
    ready = threading.Event()
    stop_box: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    async def handle(ws: ServerConnection) -> None:
        m.decode_client(await ws.recv())
        refusals.append("x")
        await ws.send(m.encode(m.Error(m.ErrorCode.TOKEN_REFUSED, "wrong token")))
        await ws.close()

    async def main() -> None:
        stop = asyncio.Event()
        stop_box.append((asyncio.get_running_loop(), stop))
        async with serve(handle, "127.0.0.1", port):
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert ready.wait(10)
    client = PresenceClient(parse_join_url(f"ws://127.0.0.1:{port}/sangmu"), "wrong",
                            backoff=Backoff(base=0.05, cap=0.2, floor=0.01)).start()
    try:
        # Waited for on the client's side: the server counts a refusal before the client
        # has read it, so waiting on the server's count raced the client.
        until(lambda: client.stats.refused["token_refused"] >= 2, "refused twice")
        events = client.drain()
        assert m.Error(m.ErrorCode.TOKEN_REFUSED, "wrong token") in events
        assert len(refusals) >= 2 and client.stats.joins == 0
    finally:
        client.close()
        loop, stop = stop_box[0]
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)


@pytest.mark.parametrize(("text", "uri", "room"), [
    ("ws://localhost:8765/sangmu", "ws://localhost:8765", "sangmu"),
    ("wss://expo.example.org/gwangju-2026", "wss://expo.example.org", "gwangju-2026"),
    ("ws://[::1]:9000/a_b", "ws://[::1]:9000", "a_b"),
])
def test_join_urls_name_a_server_and_a_room(text: str, uri: str, room: str) -> None:
    url = parse_join_url(text)
    assert (url.uri, url.room) == (uri, room)


@pytest.mark.parametrize(("text", "says"), [
    ("http://localhost:8765/sangmu", "scheme"),
    ("ws:///sangmu", "no host"),
    ("ws://localhost:8765/", "room ''"),
    ("ws://localhost:8765/Sangmu", "room 'Sangmu'"),
    ("ws://localhost:8765/a/b", "room 'a/b'"),
    ("ws://localhost:99999/sangmu", "expected ws://"),
    ("ws://localhost:8765/sangmu?x=1", "no query"),
    ("sangmu", "scheme"),
])
def test_bad_join_urls_are_one_line_errors(text: str, says: str) -> None:
    with pytest.raises(InputError) as err:
        parse_join_url(text)
    message = str(err.value)
    assert "--join" in message and says in message and "\n" not in message


def test_tokens_are_checked() -> None:
    assert check_token("expo-2026") == "expo-2026"
    with pytest.raises(InputError, match="--token"):
        check_token("has space")


def _args(join: str | None = None, token: str | None = None, guide: bool = False) -> Any:
    import argparse

    return argparse.Namespace(join=join, token=token, guide=guide)


def test_the_room_comes_from_the_flag_else_the_settings() -> None:
    from gwangju_twin.app.commands.options import presence_join

    assert presence_join(_args()) is None  # alone: nothing changes
    flag = presence_join(_args("ws://a:1/sangmu", "t0k", guide=True), "ws://b:2/other")
    assert flag is not None and str(flag.url) == "ws://a:1/sangmu"  # --join wins
    assert (flag.token, flag.role) == ("t0k", m.Role.GUIDE)
    settings = presence_join(_args(), "ws://b:2/other")
    assert settings is not None and settings.url.room == "other"
    assert settings.role is m.Role.VISITOR and settings.token is None
    # A bad URL in the settings names the settings file and key.
    with pytest.raises(InputError, match=r"settings\.toml: 'join'"):
        presence_join(_args(), "ws://b:99999/other", "settings.toml")
    with pytest.raises(InputError, match="need a room"):
        presence_join(_args(token="t0k"))


def test_close_ends_the_thread_while_a_handshake_hangs() -> None:
    """A server that takes the connection and never answers (a wedged proxy, a half-dead
    host): the attempt waits for its open timeout, but close() does not wait for it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    taker = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    taker.start()
    client = PresenceClient(parse_join_url(f"ws://127.0.0.1:{port}/sangmu")).start()
    try:
        until(lambda: bool(accepted) and client.stats.attempts == 1, "connection taken")
        assert not client.connected
    finally:
        client.close()
        listener.close()
        for conn in accepted:
            conn.close()
    assert client._thread is not None and not client._thread.is_alive()
    assert client.stats.joins == 0


def test_deltas_move_the_visitors_between_snapshots() -> None:
    """The client's side of the fast path, without a network: a delta's rows count like a
    snapshot's, move only who is in them, and introduce a newcomer with their identity."""
    clock = [0.0]
    client = PresenceClient(parse_join_url("ws://127.0.0.1:1/sangmu"), clock=lambda: clock[0])
    client.id = ME
    walker = m.Visitor(OTHER, 37, 5, m.Role.VISITOR, (0.0, 0.0, 1.7), 90.0, 0.0, None)
    still = m.Visitor("00000000000a", 2, 3, m.Role.VISITOR, (50.0, 0.0, 1.7), 0.0, 0.0, None)
    me = m.Visitor(ME, 1, 1, m.Role.VISITOR, (9.0, 9.0, 1.7), 0.0, 0.0, None)
    # Server time 100.0 arrives at local 0.0: the server is 100 s ahead.
    client._snapshot(m.Snapshot(t=100.0, seq=1, near=(walker, still, me)))
    clock[0] = 0.05
    newcomer = m.Visitor("00000000000b", 4, 6, m.Role.GUIDE, (7.0, 0.0, 1.7), 0.0, 0.0, "solar")
    moved = m.Visitor(OTHER, 37, 5, m.Role.VISITOR, (2.0, 0.0, 1.7), 90.0, 0.0, None)
    client._delta(m.Delta(t=100.05, seq=1, near=(moved, newcomer, me)))
    assert client.stats.deltas == 1
    # Local 0.125 is server 100.125, shown 0.1 behind: 100.025, halfway from 0 to 2.
    seen = {o.id: o for o in client.visitors(now=0.125)}
    assert seen[OTHER].state.x == pytest.approx(1.0)
    assert seen["00000000000a"].state.x == 50.0  # not in the delta: still there
    new = seen["00000000000b"]
    assert (new.nickname_id, new.colour_id, new.role, new.pavilion) == (4, 6, m.Role.GUIDE,
                                                                      "solar")
    assert ME not in seen  # never yourself
