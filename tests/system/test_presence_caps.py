"""The presence server's caps on rooms and visitors, and the hello deadline, with the
server in this process (small caps need no flags) and real websocket clients on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from presence_kit import Client
from websockets.asyncio.client import connect

from gwangju_twin.presence import messages as m
from gwangju_twin.presence.server import PresenceServer, ServerConfig


async def with_server(config: ServerConfig,
                      body: Callable[[str, PresenceServer], Awaitable[Any]]) -> None:
    server = PresenceServer(config)
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(server.run(bound.set_result))
    try:
        port = await asyncio.wait_for(bound, 10)
        await asyncio.wait_for(body(f"ws://127.0.0.1:{port}", server), 20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_caps_on_rooms_and_visitors() -> None:
    config = ServerConfig(port=0, max_rooms=2, max_clients_per_room=2, max_clients=3)

    async def body(url: str, server: PresenceServer) -> None:
        a1 = await Client.join(url, room="a")
        a2 = await Client.join(url, room="a")
        a3 = await Client.join(url, room="a")
        assert a1.welcome and a2.welcome and a3.welcome is None
        assert a3.inbox[0].code is m.ErrorCode.ROOM_FULL
        b1 = await Client.join(url, room="b")
        assert b1.welcome is not None
        c1 = await Client.join(url, room="c")  # a third room, and a fourth client
        assert c1.welcome is None and c1.inbox[0].code is m.ErrorCode.SERVER_FULL
        await b1.close()
        await a1.until(lambda: server.clients() == 2)
        c2 = await Client.join(url, room="c")
        # Room b is empty but lives until the next tick forgets it: then c fits.
        if c2.welcome is None:
            await a1.until(lambda: "b" not in server.rooms)
            c2 = await Client.join(url, room="c")
        assert c2.welcome is not None
        counters = server.counters
        assert counters["refused.room_full"] == 1 and counters["refused.server_full"] >= 1

    asyncio.run(with_server(config, body))


def test_a_silent_connection_is_closed_after_the_hello_deadline() -> None:
    config = ServerConfig(port=0, hello_timeout=0.5)

    async def body(url: str, server: PresenceServer) -> None:
        conn = await connect(f"{url}/a")
        reply = m.decode_server(await conn.recv())
        assert isinstance(reply, m.Error) and reply.code is m.ErrorCode.TIMEOUT
        await conn.wait_closed()
        assert server.counters["refused.timeout"] == 1

    asyncio.run(with_server(config, body))
