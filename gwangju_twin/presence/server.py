"""The presence server: asyncio and websockets, one room per scene, snapshots at 10 Hz.

A viewer connects to ``ws://HOST:PORT/ROOM``, says ``hello`` and sends its pose as it
moves; the server answers ``welcome`` and then, ``snapshot_hz`` times a second, a snapshot of
the room as that viewer should see it (``presence.zones``: the near in detail, the far
coarse and less often). Reactions, tour steps and demos' shared state are relayed to the
room as they come.

The server is authoritative for what it sends, and trusts a client for nothing but display:
positions are clamped to the scene's extent, zones come from the clamped position, tours
only from guides, every message is validated (``presence.messages``) and rate-limited (a
token bucket per connection); rooms and clients are capped. It keeps no personal data: no
IPs, no names (nicknames are indices); joins, leaves and drops are counters, readable at
``http://HOST:PORT/stats`` and logged once a minute.

With a ``bus`` (``presence.bus.NatsBus``) several servers share rooms: each publishes its
own visitors and relays the others', so clients on different servers see each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from gwangju_twin.presence import messages as m
from gwangju_twin.presence.interpolation import wrap180
from gwangju_twin.presence.limits import Counters, Extent, TokenBucket
from gwangju_twin.presence.zones import InterestMap, Zone

log = logging.getLogger("gwangju_twin.presence")

#: A connection whose unsent output exceeds this is skipped for a snapshot (a newer one
#: follows): a slow viewer must not grow the server's memory or delay the others.
SLOW_BYTES = 256 * 1024
#: Seconds between batches of moves published to the other servers (adds at most this
#: much to a remote visitor's latency).
BUS_FLUSH = 0.02


@dataclass(frozen=True)
class ServerConfig:
    """What a presence server allows; ``gwangju-twin serve`` fills it from its flags."""

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    #: The token a guide's hello carries (it also admits them to a room with a token).
    #: None: anyone may say they are a guide (a trusted or local setup).
    guide_token: str | None = None
    extent: Extent = field(default_factory=Extent)
    zones: tuple[Zone, ...] = ()
    near_radius: float = 40.0
    snapshot_hz: float = 10.0
    #: Deltas a second (the fast path between snapshots, to clients that asked for it):
    #: each flush sends each such client the near visitors that moved since the last
    #: flush or snapshot. 0: no deltas (snapshots only).
    delta_hz: float = 40.0
    #: Coarse rows go out on every n-th snapshot (2 Hz at 10 Hz).
    far_every: int = 5
    max_rooms: int = 64
    max_clients_per_room: int = 256
    max_clients: int = 1024
    #: Messages a second per connection on average, and at once.
    rate: float = 20.0
    burst: float = 40.0
    #: Malformed messages a connection may send before it is closed.
    max_malformed: int = 100
    hello_timeout: float = 5.0
    #: How long a dropped visitor can come back as themselves (seconds).
    resume_for: float = 30.0
    #: A visitor on another server not heard of for this long is gone (seconds).
    remote_timeout: float = 1.5
    #: Seconds between the counters' log lines.
    log_every: float = 60.0


@dataclass
class Member:
    """A visitor in a room: local (``conn`` set) or on another server."""

    id: str
    nickname_id: int
    colour_id: int
    role: m.Role
    pos: m.Vec3 = (0.0, 0.0, 0.0)
    yaw: float = 0.0
    pitch: float = 0.0
    pavilion: str | None = None
    conn: ServerConnection | None = None
    key_hash: str = ""
    seen: float = 0.0
    bucket: TokenBucket | None = None
    malformed: int = 0
    warned_at: float = -1e9
    #: Shown to others only once it has said where it is (not at the origin meanwhile).
    posed: bool = False
    #: Asked for deltas (``?want=delta`` in the URL): an older viewer never gets them.
    wants_delta: bool = False

    def move(self, pos: m.Vec3, yaw: float, pitch: float, pavilion: str | None) -> bool:
        """Take a new pose; True when it differs from the last one (or is the first). A
        viewer sends its pose ten times a second even standing still: only a change goes
        on the fast paths (deltas, the bus)."""
        changed = not self.posed or (pos, yaw, pitch, pavilion) != (
            self.pos, self.yaw, self.pitch, self.pavilion)
        self.pos, self.yaw, self.pitch, self.pavilion = pos, yaw, pitch, pavilion
        self.posed = True
        return changed

    def row(self) -> list[Any]:
        """This visitor as a snapshot's near row."""
        return m.near_row(m.Visitor(self.id, self.nickname_id, self.colour_id, self.role,
                                    self.pos, self.yaw, self.pitch, self.pavilion))


@dataclass
class Room:
    """One scene's visitors: those on this server and those the bus tells of."""

    name: str
    local: dict[str, Member] = field(default_factory=dict)
    remote: dict[str, Member] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)
    seq: int = 0
    #: Local visitors who moved since the bus was last told.
    moved: set[str] = field(default_factory=set)
    #: Visitors (local or remote) who moved since the last delta flush or snapshot.
    changed: set[str] = field(default_factory=set)
    #: The last snapshot's view of the room, which deltas reuse until the next: the members
    #: in order, their index, and who was near whom.
    order: list[Member] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    near: np.ndarray | None = None


class Bus(Protocol):
    """What the server needs of a scale-out bus (``presence.bus.NatsBus``)."""

    async def publish_state(self, room: str, rows: list[list[Any]]) -> None: ...
    async def publish_event(self, room: str, kind: str, text: str) -> None: ...
    async def publish_gone(self, room: str, ids: list[str]) -> None: ...
    async def remember(self, room: str, member: Member) -> None: ...
    async def forget(self, room: str, member_id: str) -> None: ...
    async def recall(self, room: str, member_id: str) -> dict[str, Any] | None: ...
    async def close(self) -> None: ...


def key_hash(key: str) -> str:
    """What is stored of a resume key: its SHA-256 (a leaked store resumes no one)."""
    return hashlib.sha256(key.encode()).hexdigest()


class PresenceServer:
    """Rooms, connections, snapshots; ``run`` serves until cancelled."""

    def __init__(self, config: ServerConfig, bus: Bus | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.bus = bus
        self.clock = clock
        self.rooms: dict[str, Room] = {}
        self.counters = Counters()
        self.interest = InterestMap(config.zones, radius=config.near_radius)
        self.resumable: dict[str, tuple[str, str, float]] = {}  # id -> (room, hash, until)
        self.server: Server | None = None
        self.pending: set[asyncio.Future[None]] = set()
        #: When the next snapshot tick is due (the clock's time): delta flushes keep to a grid
        #: from the ticks, and leave a tick's own slot to it.
        self.next_tick = clock()
        #: How late the last tick began (seconds): over half a tick interval means the
        #: machine cannot give the server its CPU, and deltas are shed until it can.
        self.tick_late = 0.0
        self.started = time.time()

    # ------------------------------------------------------------ connections

    def clients(self) -> int:
        """Visitors connected to this server."""
        return sum(len(r.local) for r in self.rooms.values())

    def stats(self) -> dict[str, Any]:
        """The counters and room sizes (no ids, no addresses)."""
        return {"rooms": len(self.rooms), "clients": self.clients(),
                "remote": sum(len(r.remote) for r in self.rooms.values()),
                "counters": self.counters.as_dict()}

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == "/stats":
            return conn.respond(200, json.dumps(self.stats()) + "\n")
        if not m.ROOM_ID.fullmatch(path[1:]):
            self.counters["refused.bad_room"] += 1
            return conn.respond(404, "no such room: expected ws://HOST:PORT/ROOM\n")
        return None

    async def _refuse(self, conn: ServerConnection, code: m.ErrorCode, detail: str) -> None:
        self.counters[f"refused.{code}"] += 1
        with contextlib.suppress(ConnectionClosed):
            await conn.send(m.encode(m.Error(code, detail)))
            await conn.close(1008, str(code))

    async def _hello(self, conn: ServerConnection, room_name: str) -> m.Hello | None:
        try:
            raw = await asyncio.wait_for(conn.recv(), self.config.hello_timeout)
        except asyncio.TimeoutError:
            await self._refuse(conn, m.ErrorCode.TIMEOUT, "no hello")
            return None
        try:
            msg = m.decode_client(raw)
        except m.ProtocolError as exc:
            self.counters[f"malformed.{exc.reason}"] += 1
            code = m.ErrorCode.VERSION if exc.reason == "version" else m.ErrorCode.BAD_MESSAGE
            await self._refuse(conn, code, str(exc)[:m.MAX_DETAIL])
            return None
        if not isinstance(msg, m.Hello):
            await self._refuse(conn, m.ErrorCode.NOT_JOINED, "say hello first")
            return None
        if msg.room != room_name:
            await self._refuse(conn, m.ErrorCode.BAD_ROOM, "hello.room is not the URL's room")
            return None
        given = (msg.token or "").encode()
        guide = self.config.guide_token
        is_guide = guide is not None and hmac.compare_digest(given, guide.encode())
        if msg.role is m.Role.GUIDE and guide is not None and not is_guide:
            await self._refuse(conn, m.ErrorCode.NOT_GUIDE, "a guide needs the guide token")
            return None
        token = self.config.token
        if token is not None and not is_guide and not hmac.compare_digest(
                given, token.encode()):
            await self._refuse(conn, m.ErrorCode.TOKEN_REFUSED, "this room needs its token")
            return None
        room = self.rooms.get(room_name)
        if self.clients() >= self.config.max_clients:
            await self._refuse(conn, m.ErrorCode.SERVER_FULL, "server full")
            return None
        if room is None and len(self.rooms) >= self.config.max_rooms:
            await self._refuse(conn, m.ErrorCode.SERVER_FULL, "too many rooms")
            return None
        if room is not None and len(room.local) + len(room.remote) \
                >= self.config.max_clients_per_room:
            await self._refuse(conn, m.ErrorCode.ROOM_FULL, "room full")
            return None
        return msg

    async def _identity(self, hello: m.Hello, room: Room) -> tuple[str, str, bool]:
        """(id, resume key, resumed): the old id when the resume key proves it."""
        if hello.resume_id and hello.resume_key:
            wanted = key_hash(hello.resume_key)
            known: str | None = None
            held = self.resumable.get(hello.resume_id)
            old = room.local.get(hello.resume_id)
            if old is not None:
                known = old.key_hash
            elif held is not None and held[0] == room.name and held[2] > self.clock():
                known = held[1]
            elif self.bus is not None:
                record = await self.bus.recall(room.name, hello.resume_id)
                if record is not None:
                    known = str(record.get("key_hash", ""))
            if known and hmac.compare_digest(known, wanted):
                return hello.resume_id, hello.resume_key, True
            self.counters["resume.refused"] += 1
        return secrets.token_hex(6), secrets.token_urlsafe(16), False

    async def handler(self, conn: ServerConnection) -> None:
        """One visitor's connection, from hello to goodbye."""
        assert conn.request is not None
        path, _, query = conn.request.path.partition("?")
        room_name = path[1:]
        wants, valid = m.parse_wants(query)
        if not valid:
            self.counters["malformed.query"] += 1
        hello = await self._hello(conn, room_name)
        if hello is None:
            return
        room = self.rooms.setdefault(room_name, Room(room_name))
        member_id, resume_key, resumed = await self._identity(hello, room)
        now = self.clock()
        member = Member(member_id, hello.nickname_id, hello.colour_id, hello.role, conn=conn,
                        key_hash=key_hash(resume_key), seen=now,
                        bucket=TokenBucket(self.config.rate, self.config.burst, last=now),
                        wants_delta="delta" in wants and self.config.delta_hz > 0)
        stale = room.local.get(member_id)
        room.local[member_id] = member
        if stale is not None and stale.conn is not None:
            # The same visitor from a new connection: the old one is stale. Closed after
            # the new one took its place, so its goodbye does not remove the visitor.
            await stale.conn.close(1000, "replaced")
        if member_id in room.gone:
            room.gone.remove(member_id)  # back before the next snapshot: never gone
        room.remote.pop(member_id, None)
        self.resumable.pop(member_id, None)
        self.counters["resume" if resumed else "join"] += 1
        log.info("join room=%s visitors=%d%s", room_name, len(room.local),
                 " (resumed)" if resumed else "")
        said_bye = False
        try:
            await conn.send(m.encode(m.Welcome(
                id=member_id, room=room_name, resume_key=resume_key,
                snapshot_hz=self.config.snapshot_hz, max_bytes=m.MAX_CLIENT_BYTES,
                rate=self.config.rate)))
            if self.bus is not None:
                self._background(self.bus.remember(room_name, member))
            async for raw in conn:
                if not await self._message(room, member, raw):
                    said_bye = True
                    break
        except ConnectionClosed:
            pass
        finally:
            await self._leave(room, member, said_bye)

    async def _leave(self, room: Room, member: Member, said_bye: bool) -> None:
        if room.local.get(member.id) is not member:
            return  # replaced by a newer connection of the same visitor
        del room.local[member.id]
        room.gone.append(member.id)
        self.counters["leave" if said_bye else "drop"] += 1
        log.info("%s room=%s visitors=%d", "leave" if said_bye else "drop", room.name,
                 len(room.local))
        if not said_bye:
            self.resumable[member.id] = (room.name, member.key_hash,
                                         self.clock() + self.config.resume_for)
        if self.bus is not None:
            await self._bus(self.bus.publish_gone(room.name, [member.id]))
            if said_bye:
                self._background(self.bus.forget(room.name, member.id))
        if said_bye and member.conn is not None:
            await member.conn.close(1000, "bye")

    async def _message(self, room: Room, member: Member, raw: str | bytes) -> bool:
        """Handle one message; False when the visitor said bye."""
        now = self.clock()
        self.counters["in"] += 1
        assert member.bucket is not None and member.conn is not None
        if not member.bucket.take(now):
            self.counters["rate_limited"] += 1
            if now - member.warned_at > 1.0:  # tell them, but not once per dropped message
                member.warned_at = now
                with contextlib.suppress(ConnectionClosed):
                    await member.conn.send(m.encode(m.Error(m.ErrorCode.RATE_LIMITED,
                                                            "too many messages")))
            return True
        try:
            msg = m.decode_client(raw)
        except m.ProtocolError as exc:
            self.counters[f"malformed.{exc.reason}"] += 1
            member.malformed += 1
            if member.malformed > self.config.max_malformed:
                self.counters["closed.malformed"] += 1
                await member.conn.close(1008, "too many malformed messages")
            return True
        match msg:
            case m.Pose():
                member.seen = now
                if member.move(self.config.extent.clamp(msg.pos), wrap180(msg.yaw),
                               msg.pitch, msg.pavilion):
                    room.changed.add(member.id)
                    if self.bus is not None:
                        room.moved.add(member.id)
            case m.Reaction():
                at = None if msg.at is None else self.config.extent.clamp(msg.at)
                await self._relay(room, m.Reaction(msg.kind, at, sender=member.id))
            case m.Tour():
                if member.role is not m.Role.GUIDE:
                    self.counters["refused.not_guide"] += 1
                    await member.conn.send(m.encode(m.Error(m.ErrorCode.NOT_GUIDE,
                                                            "only a guide leads a tour")))
                else:
                    await self._relay(room, m.Tour(msg.action, msg.tour_id, msg.stop,
                                                   guide=member.id))
            case m.Share():
                await self._relay(room, m.Share(msg.demo_id, msg.key, msg.value,
                                                sender=member.id))
            case m.Bye():
                return False
            case m.Hello():
                self.counters["malformed.hello_again"] += 1
        return True

    async def _relay(self, room: Room, msg: m.Reaction | m.Tour | m.Share) -> None:
        text = m.encode(msg)
        kind = m.to_dict(msg)["t"]
        self.counters[f"relay.{kind}"] += 1
        self.deliver(room, text)
        if self.bus is not None:
            await self._bus(self.bus.publish_event(room.name, kind, text))

    async def _bus(self, call: Awaitable[None]) -> None:
        """Await a bus call; a NATS outage is counted, never a visitor's problem (their
        room goes on locally)."""
        try:
            await call
        except Exception as exc:
            self.counters["bus.failed"] += 1
            log.debug("bus: %s: %s", type(exc).__name__, exc)

    def _background(self, call: Awaitable[None]) -> None:
        """A bus call that waits for NATS's answer (the key-value store) without holding
        up the visitor's messages: with NATS gone it would wait seconds for a timeout."""
        task = asyncio.ensure_future(self._bus(call))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    def deliver(self, room: Room, text: str) -> None:
        """Send ``text`` to every local visitor of ``room`` (without waiting on any)."""
        broadcast([x.conn for x in room.local.values() if x.conn is not None], text)

    # ------------------------------------------------------------ the bus's side

    def remote_state(self, room_name: str, rows: tuple[m.Visitor, ...]) -> None:
        """Visitors on another server, as it last published them."""
        room = self.rooms.get(room_name)
        if room is None:
            return  # nobody here to show them to
        now = self.clock()
        for v in rows:
            if v.id in room.local:
                continue  # resumed here: ours is the truth
            member = room.remote.get(v.id)
            if member is None:
                if len(room.local) + len(room.remote) >= self.config.max_clients_per_room:
                    self.counters["remote.over_cap"] += 1
                    continue
                member = room.remote[v.id] = Member(v.id, v.nickname_id, v.colour_id, v.role)
            member.seen = now
            # Every server repeats all its visitors twice a second: only a change is news.
            if member.move(self.config.extent.clamp(v.pos), v.yaw, v.pitch, v.pavilion):
                room.changed.add(v.id)

    def remote_gone(self, room_name: str, ids: tuple[str, ...]) -> None:
        """Visitors another server says have left."""
        room = self.rooms.get(room_name)
        if room is None:
            return
        for vid in ids:
            if room.remote.pop(vid, None) is not None:
                room.gone.append(vid)

    def remote_event(self, room_name: str, text: str) -> None:
        """A reaction, tour step or share from another server's visitor (validated there
        and again by the bus)."""
        room = self.rooms.get(room_name)
        if room is not None:
            self.deliver(room, text)

    # ------------------------------------------------------------ snapshots

    def _send(self, room: Room, texts: dict[str, str], kind: str) -> None:
        """Each local visitor's own ``texts`` (a snapshot or a delta), skipped for one whose
        connection is still behind on earlier ones (counted as ``KIND.skipped_slow``)."""
        for vid, text in texts.items():
            member = room.local.get(vid)
            conn = None if member is None else member.conn
            if conn is None:
                continue
            if conn.transport.get_write_buffer_size() > SLOW_BYTES:
                self.counters[f"{kind}.skipped_slow"] += 1
                continue
            broadcast([conn], text)
        self.counters[f"{kind}.sent"] += len(texts)

    def snapshot_texts(self, room: Room, now: float) -> dict[str, str]:
        """Each local visitor's snapshot text: the room as they should see it."""
        members = list(room.local.values()) + [
            r for r in room.remote.values() if r.id not in room.local]
        if not members:
            return {}
        # Local visitors who have not posed yet get snapshots but are in nobody's.
        shown = np.array([x.posed for x in members], bool)
        n = len(members)
        xy = np.array([(x.pos[0], x.pos[1]) for x in members], float).reshape(n, 2)
        zone = self.interest.zone_of(xy)
        near = self.interest.near(xy, zone)
        room.order, room.near = members, near
        room.index = {x.id: i for i, x in enumerate(members)}
        # Each row is encoded once and joined per viewer (json.dumps per viewer per row
        # would be n^2 encodes a tick).
        rows = [json.dumps(x.row(), separators=(",", ":")) for x in members]
        with_far = room.seq % self.config.far_every == 0
        far_rows: list[str] = []
        if with_far:
            far_rows = [json.dumps(m.far_row(m.Coarse(
                x.id, x.nickname_id, x.colour_id, self.interest.zone_id(int(zone[i])),
                x.pos[0], x.pos[1])), separators=(",", ":")) for i, x in enumerate(members)]
        gone = json.dumps(room.gone)
        head = f'{{"t":"snapshot","ts":{time.time():.3f},"seq":{room.seq},"near":['
        out: dict[str, str] = {}
        for i, x in enumerate(members):
            if x.conn is None:
                continue
            mask = near[i] & shown
            mask[i] = False
            near_text = ",".join(rows[j] for j in np.flatnonzero(mask))
            far_text = ""
            if with_far:
                far_mask = ~near[i] & shown
                far_text = ",".join(far_rows[j] for j in np.flatnonzero(far_mask))
            out[x.id] = f'{head}{near_text}],"far":[{far_text}],"gone":{gone}}}'
        return out

    async def tick(self) -> None:
        """One snapshot round: expire, send to every local visitor, publish to the bus."""
        now = self.clock()
        for name, room in list(self.rooms.items()):
            for vid, r in list(room.remote.items()):
                if now - r.seen > self.config.remote_timeout:
                    del room.remote[vid]
                    room.gone.append(vid)
            if not room.local:
                if not room.remote and not room.gone:
                    del self.rooms[name]
                room.gone.clear()
                continue
            texts = self.snapshot_texts(room, now)
            room.changed.clear()  # the snapshot carries every move so far
            self._send(room, texts, "snapshot")
            room.gone.clear()
            room.seq += 1
            if self.bus is not None and room.seq % self.config.far_every == 0:
                # Everyone, moving or not, now and then: the other servers forget a visitor
                # not heard of for remote_timeout.
                await self._bus(self.bus.publish_state(
                    name, [x.row() for x in room.local.values() if x.posed]))
        for vid, (_, _, until) in list(self.resumable.items()):
            if until < now:
                del self.resumable[vid]

    async def _ticks(self) -> None:
        period = 1.0 / self.config.snapshot_hz
        next_at = self.clock()
        last_log = next_at
        overdue = 0.0
        while True:
            scheduled = next_at
            next_at += period
            self.next_tick = next_at
            self.tick_late = self.clock() - scheduled + overdue
            try:
                await self.tick()
            except Exception:  # a bug in one tick must not end the server
                self.counters["tick.error"] += 1
                log.exception("snapshot tick failed")
            now = self.clock()
            if now - last_log >= self.config.log_every:
                last_log = now
                log.warning("stats %s", json.dumps(self.stats()))
            # Late ticks are not made up in a burst: start again from now.
            overdue = max(0.0, now - next_at)
            if next_at < now:
                next_at = now
            self.next_tick = next_at
            await asyncio.sleep(next_at - now)

    def delta_texts(self, room: Room) -> dict[str, str]:
        """Each delta-taking local visitor's delta: the near visitors (by the last
        snapshot's view) who moved since the last flush, as near rows. Empty ones are left
        out; the room's ``changed`` is emptied."""
        changed, room.changed = room.changed, set()
        if room.near is None or not changed:
            return {}
        members, index = room.order, room.index
        # Still in the room, and the same member as in that view (not a rejoin since).
        cols = [index[vid] for vid in changed if vid in index
                and (room.local.get(vid) or room.remote.get(vid)) is members[index[vid]]]
        viewers = [i for i, x in enumerate(members)
                   if x.wants_delta and x.conn is not None and room.local.get(x.id) is x]
        if not cols or not viewers:
            return {}
        # One encode per moved visitor, then joined per viewer (never one message per pose).
        rows = [json.dumps(members[j].row(), separators=(",", ":")) for j in cols]
        cols_a, viewers_a = np.asarray(cols), np.asarray(viewers)
        sub = room.near[np.ix_(viewers_a, cols_a)] & (viewers_a[:, None] != cols_a[None, :])
        head = f'{{"t":"delta","ts":{time.time():.3f},"seq":{max(0, room.seq - 1)},"near":['
        out: dict[str, str] = {}
        for k in np.flatnonzero(sub.any(axis=1)):
            picked = np.flatnonzero(sub[k])
            if len(picked) > m.MAX_DELTA_ROWS:
                self.counters["delta.skipped_big"] += 1  # the next snapshot has them
                continue
            out[members[viewers[k]].id] = head + ",".join(rows[j] for j in picked) + "]}"
        return out

    def next_flush(self, now: float) -> float:
        """When the next delta flush is due: on a grid of 1/delta_hz from the last tick's
        scheduled time (25, 50 and 75 ms after each tick at 10 and 40 Hz), skipping a slot
        within half a period of the next tick, which carries those moves itself. With a late
        tick (a busy machine) the grid runs on from it, never back to back."""
        period = 1.0 / self.config.delta_hz
        tick_period = 1.0 / self.config.snapshot_hz
        last_tick = self.next_tick - tick_period
        k = math.floor((now - last_tick) / period) + 1
        at = last_tick + k * period
        if at <= now:  # rounding put the slot at now: the next one
            at += period
        if abs(self.next_tick - at) < period / 2:
            self.counters["delta.left_to_tick"] += 1
            at = self.next_tick + period
        return at

    def shedding(self) -> bool:
        """Whether to skip delta flushes now: the ticks run over half an interval late, so
        the server is short of CPU (a busy machine), and the deltas' sends would take it
        from the snapshots and from reading poses. The room falls back to snapshots alone,
        as before deltas, until the ticks are on time again."""
        return self.tick_late > 0.5 / self.config.snapshot_hz

    async def _deltas(self) -> None:
        """The fast path: between ticks, each delta-taking visitor gets who near them moved,
        so a pose waits at most a flush (25 ms) rather than up to a whole snapshot interval
        (100 ms). Batched per viewer, not per pose: 200 visitors at 10 Hz are 2000 poses a
        second but only 30 small messages a second a viewer."""
        while True:
            now = self.clock()
            await asyncio.sleep(max(0.0, self.next_flush(now) - now))
            if self.shedding():
                self.counters["delta.shed"] += 1
                continue
            try:
                for room in list(self.rooms.values()):
                    texts = self.delta_texts(room)
                    self._send(room, texts, "delta")
                self.counters["delta.flush"] += 1
            except Exception:  # as a tick: a bug here must not end the server
                self.counters["delta.error"] += 1
                log.exception("delta flush failed")

    async def _flush_moves(self) -> None:
        """Tell the bus who moved, every BUS_FLUSH seconds: not at the 10 Hz tick, or a
        visitor on another server would wait for two ticks (this one's and that one's),
        and not one message per pose (2000 a second for a full room), but small batches."""
        while self.bus is not None:
            await asyncio.sleep(BUS_FLUSH)
            for room in list(self.rooms.values()):
                if not room.moved:
                    continue
                rows = [room.local[vid].row() for vid in room.moved if vid in room.local]
                room.moved.clear()
                if rows:
                    await self._bus(self.bus.publish_state(room.name, rows))

    async def _refresh(self) -> None:
        """Keep this server's visitors in the bus's store while they are here."""
        while self.bus is not None:
            await asyncio.sleep(2.0)
            for room in list(self.rooms.values()):
                for member in list(room.local.values()):
                    await self._bus(self.bus.remember(room.name, member))

    async def run(self, ready: Callable[[int], Awaitable[None] | None] | None = None) -> None:
        """Serve until cancelled; ``ready`` is called with the bound port."""
        async with serve(self.handler, self.config.host, self.config.port,
                         process_request=self._process_request,
                         # Frames up to 64 KiB are read and then refused by size (counted);
                         # beyond that websockets closes the connection (1009) itself.
                         max_size=64 * 1024, max_queue=64,
                         # No permessage-deflate: zlib on every 10 Hz snapshot costs more CPU
                         # than the bytes it saves (a full room is ~3 MB/s in all).
                         compression=None,
                         ping_interval=10, ping_timeout=10) as server:
            self.server = server
            port = next(iter(server.sockets)).getsockname()[1]
            if ready is not None:
                result = ready(port)
                if result is not None:
                    await result
            ticks = asyncio.create_task(self._ticks())
            refresh = asyncio.create_task(self._refresh())
            flush = asyncio.create_task(self._flush_moves())
            deltas = asyncio.create_task(self._deltas()) if self.config.delta_hz > 0 else None
            try:
                await asyncio.Future()
            finally:
                ticks.cancel()
                refresh.cancel()
                flush.cancel()
                if deltas is not None:
                    deltas.cancel()
                if self.bus is not None:
                    await self.bus.close()
