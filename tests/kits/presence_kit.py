"""Presence servers as real processes (``gwangju-twin serve``), a real nats-server, and a
small real websocket client for the presence tests."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from gwangju_twin.presence import messages as m


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """A ``gwangju-twin serve`` child and the port it printed."""

    proc: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=5) as r:
            return dict(json.loads(r.read()))

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_server(*flags: str) -> ServerProcess:
    """Start a presence server on a free port; returns once it listens."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "serve", "--port", "0", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "presence server on" not in line:
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        raise RuntimeError(f"server did not start: {line!r} {err[-2000:]}")
    port = int(line.split("ws://127.0.0.1:")[1].split("/")[0])
    return ServerProcess(proc, port)


@contextmanager
def server(*flags: str) -> Iterator[ServerProcess]:
    """A presence server for the length of a ``with``."""
    srv = start_server(*flags)
    try:
        yield srv
    finally:
        srv.stop()


@dataclass
class Nats:
    """A running nats-server: its URL, and a way to take it down mid-test."""

    url: str
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@contextmanager
def nats_server(folder: Path) -> Iterator[Nats]:
    """Debian's nats-server with JetStream on a free loopback port."""
    binary = shutil.which("nats-server")
    if binary is None:
        import pytest

        pytest.skip("nats-server is not installed (Debian: apt-get install nats-server; "
                    ".ci/run installs it)")
    port = free_port()
    proc = subprocess.Popen([binary, "-js", "-a", "127.0.0.1", "-p", str(port),
                             "-sd", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("nats-server did not start") from None
                time.sleep(0.05)
        yield Nats(f"nats://127.0.0.1:{port}", proc)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


@dataclass
class Client:
    """A presence client: hello, poses, and everything the server sent, decoded."""

    conn: ClientConnection
    welcome: m.Welcome | None = None
    inbox: list[m.ServerMessage] = field(default_factory=list)
    closed: bool = False
    reader: asyncio.Task[None] | None = None
    #: The latest detailed row of each visitor seen.
    seen: dict[str, m.Visitor] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)

    @classmethod
    async def join(cls, url: str, room: str = "sangmu", nickname_id: int = 0,
                   colour_id: int = 0, query: str = "", **hello: Any) -> Client:
        """Join ``room``; ``query`` (e.g. ``want=delta``) goes on the URL as a viewer's."""
        conn = await connect(f"{url}/{room}" + (f"?{query}" if query else ""),
                             max_size=m.MAX_SERVER_BYTES)
        client = cls(conn)
        await conn.send(m.encode(m.Hello(room=room, nickname_id=nickname_id,
                                         colour_id=colour_id, **hello)))
        first = m.decode_server(await asyncio.wait_for(conn.recv(), 5))
        client.inbox.append(first)
        if isinstance(first, m.Welcome):
            client.welcome = first
            client.reader = asyncio.create_task(client._read())
        return client

    @property
    def id(self) -> str:
        assert self.welcome is not None
        return self.welcome.id

    async def _read(self) -> None:
        try:
            async for raw in self.conn:
                msg = m.decode_server(raw)
                self.inbox.append(msg)
                if isinstance(msg, m.Snapshot):
                    # "gone" first: a visitor who left and came back is in near too.
                    for gid in msg.gone:
                        self.seen.pop(gid, None)
                        self.gone.add(gid)
                    for v in msg.near:
                        self.seen[v.id] = v
                        self.gone.discard(v.id)
                elif isinstance(msg, m.Delta):
                    for v in msg.near:  # who moved: never a "gone"
                        self.seen[v.id] = v
        except Exception:
            pass
        self.closed = True

    async def send(self, msg: m.Message | str | bytes) -> None:
        await self.conn.send(msg if isinstance(msg, (str, bytes)) else m.encode(msg))

    async def pose(self, x: float, y: float, z: float = 1.6, yaw: float = 0.0) -> None:
        await self.send(m.Pose(pos=(x, y, z), yaw=yaw, pitch=0.0))

    async def until(self, check: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``check()`` is truthy (polling; a bounded wait, not a timing claim)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = check()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"not seen within {timeout} s: {check}")
            await asyncio.sleep(0.02)

    def of(self, kind: type[Any]) -> list[Any]:
        return [x for x in self.inbox if isinstance(x, kind)]

    async def close(self) -> None:
        await self.conn.close()
        if self.reader is not None:
            await self.reader
