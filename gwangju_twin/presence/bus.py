"""Scale-out through NATS: stateless presence servers sharing rooms.

Each server publishes, on NATS core subjects,

- ``gwangju.room.<room>.state.<server>``: its own visitors of the room, 10 times a second
  (a snapshot message whose ``near`` rows are those visitors);
- ``gwangju.room.<room>.gone.<server>``: visitors that left it (a snapshot with ``gone``);
- ``gwangju.room.<room>.<reaction|tour|share>.<server>``: relayed events, as sent to
  clients;

and subscribes to ``gwangju.room.*.*.*``, ignoring its own. Everything read from the bus is
validated like a client's message (``decode_server``): a bad peer cannot crash a server.

Presence itself (who is in which room, and the hash of their resume key) is kept in the
JetStream key-value bucket ``gwangju_presence``, key ``<room>.<visitor id>``, refreshed every
2 s by the server that holds the visitor. The bucket's ``max_age`` (``KV_TTL``) makes each
key expire that long after its last write: on NATS 2.9 (Debian 12's) that is the per-key time
to live there is (a per-message TTL needs NATS 2.11). When a server dies its keys stop being
refreshed and vanish; until then a client that reconnects to another server with its resume
key proves it is the same visitor and reappears with the same id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from gwangju_twin.presence import messages as m

if TYPE_CHECKING:
    from gwangju_twin.presence.server import Member, PresenceServer

log = logging.getLogger("gwangju_twin.presence.bus")

BUCKET = "gwangju_presence"
#: Seconds a presence key outlives its last refresh.
KV_TTL = 10.0
PREFIX = "gwangju.room"
EVENTS = ("reaction", "tour", "share")
#: Seconds the first connection to NATS may take (with JetStream's bucket set up).
CONNECT_WITHIN = 8.0
#: Seconds a presence record may take to read.
RECALL_WITHIN = 1.0


class BusError(RuntimeError):
    """NATS could not be reached or set up."""


class NatsBus:
    """The ``Bus`` of ``presence.server`` on a NATS server with JetStream."""

    def __init__(self, url: str, server_id: str | None = None) -> None:
        self.url = url
        self.server_id = server_id or uuid.uuid4().hex[:12]
        self.nc: Any = None
        self.kv: Any = None
        self.presence: PresenceServer | None = None
        self.bad = 0

    async def start(self, presence: PresenceServer) -> None:
        """Connect, create (or open) the bucket and subscribe; raises BusError."""
        try:
            import nats
            from nats.js.api import KeyValueConfig
        except ImportError as exc:
            raise BusError("--nats needs nats-py: pip install 'gwangju-twin[serve]'") from exc
        self.presence = presence
        async def error(exc: Exception) -> None:
            # One line, no traceback: a NATS server restarting is not a bug here.
            presence.counters["bus.error"] += 1
            log.debug("nats: %s: %s", type(exc).__name__, exc)

        async def disconnected() -> None:
            log.warning("lost NATS at %s; reconnecting (rooms are local meanwhile)", self.url)

        async def reconnected() -> None:
            log.warning("NATS at %s is back", self.url)

        try:
            # Once connected, reconnect for ever (the NATS server may restart); but the
            # first connection gets CONNECT_WITHIN seconds: nats-py would retry it for ever.
            self.nc = await asyncio.wait_for(nats.connect(
                self.url, name=f"gwangju-presence-{self.server_id}", connect_timeout=2,
                max_reconnect_attempts=-1, reconnect_time_wait=1, allow_reconnect=True,
                error_cb=error, disconnected_cb=disconnected, reconnected_cb=reconnected),
                CONNECT_WITHIN)
            js = self.nc.jetstream()
            self.kv = await js.create_key_value(KeyValueConfig(
                bucket=BUCKET, ttl=KV_TTL, history=1,
                description="gwangju-twin presence: room.visitor -> server, key hash"))
            await self.nc.subscribe(f"{PREFIX}.*.*.*", cb=self._on_message)
        except BusError:
            raise
        except asyncio.TimeoutError:
            raise BusError(f"no NATS server answered at {self.url} within "
                           f"{CONNECT_WITHIN:g} s") from None
        except Exception as exc:
            raise BusError(f"NATS at {self.url}: {type(exc).__name__}: {exc}") from exc

    async def _on_message(self, msg: Any) -> None:
        parts = msg.subject.split(".")
        if len(parts) != 5 or parts[4] == self.server_id or self.presence is None:
            return
        room, kind = parts[2], parts[3]
        if not m.ROOM_ID.fullmatch(room):
            self.bad += 1
            return
        try:
            decoded = m.decode_server(msg.data)
        except m.ProtocolError:
            self.bad += 1
            self.presence.counters["bus.malformed"] += 1
            return
        if kind == "state" and isinstance(decoded, m.Snapshot):
            self.presence.remote_state(room, decoded.near)
        elif kind == "gone" and isinstance(decoded, m.Snapshot):
            self.presence.remote_gone(room, decoded.gone)
        elif kind in EVENTS and m.to_dict(decoded)["t"] == kind:
            self.presence.remote_event(room, msg.data.decode())
        else:
            self.presence.counters["bus.malformed"] += 1

    def _subject(self, room: str, kind: str) -> str:
        return f"{PREFIX}.{room}.{kind}.{self.server_id}"

    async def publish_state(self, room: str, rows: list[list[Any]]) -> None:
        """This server's visitors of ``room``, as rows."""
        text = json.dumps({"t": "snapshot", "ts": 0.0, "seq": 0, "near": rows},
                          separators=(",", ":"))
        await self.nc.publish(self._subject(room, "state"), text.encode())

    async def publish_gone(self, room: str, ids: list[str]) -> None:
        """Visitors that left this server."""
        text = json.dumps({"t": "snapshot", "ts": 0.0, "seq": 0, "near": [], "gone": ids})
        await self.nc.publish(self._subject(room, "gone"), text.encode())

    async def publish_event(self, room: str, kind: str, text: str) -> None:
        """A relayed reaction, tour step or share."""
        await self.nc.publish(self._subject(room, kind), text.encode())

    async def remember(self, room: str, member: Member) -> None:
        """Put (refresh) a visitor's presence record."""
        record = {"server": self.server_id, "key_hash": member.key_hash,
                  "nickname_id": member.nickname_id, "colour_id": member.colour_id,
                  "role": str(member.role)}
        await self.kv.put(f"{room}.{member.id}", json.dumps(record).encode())

    async def forget(self, room: str, member_id: str) -> None:
        """A visitor said bye: their record goes now rather than at its expiry."""
        try:
            await self.kv.delete(f"{room}.{member_id}")
        except Exception as exc:  # the record may already have expired
            log.debug("forget: %s", exc)

    async def recall(self, room: str, member_id: str) -> dict[str, Any] | None:
        """A visitor's presence record, if it has not expired."""
        try:
            # A visitor is waiting for their welcome: with NATS away, a new id soon is
            # better than the old one late.
            entry = await asyncio.wait_for(self.kv.get(f"{room}.{member_id}"), RECALL_WITHIN)
        except Exception:  # KeyNotFoundError, or a deleted/expired key
            return None
        try:
            record = json.loads(entry.value)
        except (TypeError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    async def close(self) -> None:
        """Drain and close the connection."""
        if self.nc is not None:
            try:
                await self.nc.drain()
            except Exception as exc:
                log.debug("close: %s", exc)
