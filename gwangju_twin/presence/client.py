"""The viewer's presence client: joins a room, sends the visitor's pose, keeps the others.

Pure (no window): the viewer's frame loop talks to a ``PresenceClient`` through plain,
thread-safe calls and never waits on the network. The client runs its own asyncio loop
with a ``websockets`` connection in a background thread:

- it says ``hello`` (the room from the URL, the room's token if any, a nickname and colour
  chosen at random by index from ``presence.nicknames``: never text a visitor typed);
- it sends the pose the frame loop last set, ``pose_hz`` times a second;
- it keeps the server's snapshots, and the deltas between them (asked for with
  ``?want=delta``: who near moved, within a flush), in a ``SnapshotBuffer``, so
  ``visitors()`` is the others interpolated ``DELAY`` behind the server at any frame rate;
- reactions, tour steps, shared demo state and errors wait in a queue the frame loop
  drains each frame (``drain()``);
- when the server is absent, refuses or drops, it tries again by itself after a
  ``Backoff`` (exponential, full jitter) and resumes as the same visitor.

Every malformed server message is counted (``stats.malformed``, by reason) and dropped.
``close()`` says bye and joins the thread within about a second whatever the network does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gwangju_twin.errors import InputError
from gwangju_twin.presence.backoff import Backoff
from gwangju_twin.presence.interpolation import ClockOffset, SnapshotBuffer, State
from gwangju_twin.presence.messages import (
    MAX_SERVER_BYTES,
    ROOM_ID,
    SECRET,
    Bye,
    Delta,
    Error,
    Hello,
    Pose,
    ProtocolError,
    Reaction,
    Role,
    Share,
    Snapshot,
    Tour,
    Visitor,
    Welcome,
    decode_server,
    encode,
)
from gwangju_twin.presence.nicknames import COLOUR_COUNT, NICKNAME_COUNT

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

log = logging.getLogger(__name__)

#: Poses sent a second (the server's snapshots are 10 Hz too).
POSE_HZ = 10.0
#: Longest wait for a connection and its ``welcome`` before it counts as a failure.
OPEN_TIMEOUT = 5.0
#: Longest ``close()`` waits for the thread (it is a daemon: a stuck socket never keeps the
#: viewer from quitting).
CLOSE_TIMEOUT = 2.0
#: Events kept for the frame loop at most; older ones go first (a viewer paused for minutes
#: must not come back to a queue of stale waves).
MAX_EVENTS = 256

Event = Reaction | Tour | Share | Error


@dataclass(frozen=True)
class JoinUrl:
    """Where to join: ``ws://HOST:PORT/ROOM`` split into what is dialled and the room."""

    uri: str
    room: str

    def __str__(self) -> str:
        return f"{self.uri}/{self.room}"


def parse_join_url(text: str, source: str = "--join") -> JoinUrl:
    """``text`` as a join URL (``ws://HOST:PORT/ROOM`` or ``wss://``); InputError naming
    ``source`` (the flag or the file and key it came from) when it is not one."""
    expected = "expected ws://HOST:PORT/ROOM (e.g. ws://localhost:8765/sangmu)"
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise InputError(f"{source} {text!r}: {expected}") from None
    if parts.scheme not in ("ws", "wss"):
        raise InputError(f"{source} {text!r}: the scheme must be ws or wss; {expected}")
    if not parts.hostname:
        raise InputError(f"{source} {text!r}: no host; {expected}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError(f"{source} {text!r}: no query, fragment or user allowed; {expected}")
    room = parts.path.removeprefix("/")
    if not ROOM_ID.fullmatch(room):
        raise InputError(f"{source} {text!r}: the room {room!r} must be a scene id (lowercase "
                         f"letters, digits, - and _); {expected}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port is None else f"{host}:{port}"
    return JoinUrl(f"{parts.scheme}://{netloc}", room)


def check_token(text: str, source: str = "--token") -> str:
    """``text`` as a room token; InputError naming ``source`` when it is not one."""
    if not SECRET.fullmatch(text):
        raise InputError(f"{source}: expected 1 to 128 letters, digits or ._~+/=- "
                         "(the room's token, as the expo gave it)")
    return text


@dataclass(frozen=True)
class Join:
    """What a viewer joins with: the room's URL, its token (if the room needs one) and the
    role asked for (a guide booth, or a desktop guide, leads group tours)."""

    url: JoinUrl
    token: str | None = None
    role: Role = Role.VISITOR


@dataclass(frozen=True)
class Other:
    """Another visitor as the viewer draws them this frame."""

    id: str
    nickname_id: int
    colour_id: int
    role: Role
    state: State
    pavilion: str | None


@dataclass(frozen=True)
class Far:
    """A visitor far away (in another zone): a dot on the minimap."""

    id: str
    nickname_id: int
    colour_id: int
    zone: str | None
    x: float
    y: float


@dataclass
class ClientStats:
    """What the client has done so far (read from any thread: counters only grow)."""

    attempts: int = 0
    joins: int = 0
    failures: int = 0
    poses_sent: int = 0
    snapshots: int = 0
    deltas: int = 0
    events: int = 0
    malformed: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)


class PresenceClient:
    """A visitor in a shared room, on a background thread; see the module's docstring.

    ``clock`` is the local monotonic clock the frame loop's ``visitors()`` and the back-off
    share; ``rng`` picks the nickname and colour (and the back-off's jitter) when they are
    not given.
    """

    def __init__(self, url: JoinUrl, token: str | None = None, *,
                 nickname_id: int | None = None, colour_id: int | None = None,
                 role: Role = Role.VISITOR, pose_hz: float = POSE_HZ,
                 backoff: Backoff | None = None, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        rng = rng or random.Random()
        self.url = url
        self.token = token
        self.nickname_id = rng.randrange(NICKNAME_COUNT) if nickname_id is None else nickname_id
        self.colour_id = rng.randrange(COLOUR_COUNT) if colour_id is None else colour_id
        self.role = role
        self.pose_hz = pose_hz
        self.backoff = backoff or Backoff(rng=rng)
        self.clock = clock
        self.stats = ClientStats()
        self.id: str | None = None  # from the last welcome
        self._resume_key: str | None = None
        self._lock = threading.Lock()
        self._pose: Pose | None = None
        self._outbox: queue.SimpleQueue[Reaction | Tour | Share] = queue.SimpleQueue()
        self._events: queue.Queue[Event] = queue.Queue(MAX_EVENTS)
        self._buffer = SnapshotBuffer()
        self._offset = ClockOffset()
        self._who: dict[str, tuple[int, int, Role, str | None]] = {}
        self._far: dict[str, Far] = {}
        self._connected = False
        self._closing = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    # -- the frame loop's side (any thread, never blocks) -------------------------------------

    def start(self) -> PresenceClient:
        """Start the background thread (once); returns the client."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="presence", daemon=True)
            self._thread.start()
        return self

    @property
    def connected(self) -> bool:
        """Whether the client is in the room now (welcomed, connection open)."""
        return self._connected

    def set_pose(self, pose: Pose) -> None:
        """Where the visitor is and looks now; sent with the next tick."""
        with self._lock:
            self._pose = pose

    def send(self, message: Reaction | Tour | Share) -> None:
        """Send a reaction, a tour step or a demo's shared state when connected (dropped
        otherwise: a wave to an empty room means nothing later)."""
        if self._connected:
            self._outbox.put(message)

    def drain(self) -> list[Event]:
        """The reactions, tours, shares and errors received since the last call, in order."""
        out: list[Event] = []
        with contextlib.suppress(queue.Empty):
            while True:
                out.append(self._events.get_nowait())
        return out

    def visitors(self, now: float | None = None) -> list[Other]:
        """The other visitors near this one, interpolated for local time ``now`` (default:
        the clock now)."""
        now = self.clock() if now is None else now
        with self._lock:
            states = self._buffer.sample(self._offset.server_time(now))
            who = dict(self._who)
        out = []
        for vid, state in states.items():
            info = who.get(vid)
            if info is not None:
                out.append(Other(vid, info[0], info[1], info[2], state, info[3]))
        return out

    def far(self) -> list[Far]:
        """The visitors in other zones, as the last coarse snapshot had them."""
        with self._lock:
            return list(self._far.values())

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Leave the room (a ``bye`` if connected) and stop the thread."""
        self._closing.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the background thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:  # never let the thread die loudly: presence is optional
            log.exception("presence client stopped")
        finally:
            self._set_connected(False)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._closing.is_set():
            return
        while not self._closing.is_set():
            wait = self.backoff.next_at - self.clock()
            if wait > 0 and await self._stopped_within(wait):
                return
            self.stats.attempts += 1
            try:
                await self._session_or_stop()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network, handshake, refusal: all mean "try again"
                log.info("presence: %s (%s); trying again", type(exc).__name__, exc)
            self._set_connected(False)
            if self._closing.is_set():
                return
            self.stats.failures += 1
            self.backoff.failed(self.clock())

    async def _session_or_stop(self) -> None:
        # A connection attempt may hang for OPEN_TIMEOUT; a close must not wait for it. A
        # joined session sees the stop itself (and says bye), so it gets a moment first.
        assert self._stop is not None
        session = asyncio.create_task(self._session())
        stopper = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({session, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if not session.done():
                await asyncio.wait({session}, timeout=0.7)
        finally:
            stopper.cancel()
            if not session.done():
                session.cancel()
                await asyncio.gather(session, return_exceptions=True)
        error = None if session.cancelled() else session.exception()
        if error is not None:
            raise error

    async def _stopped_within(self, seconds: float) -> bool:
        assert self._stop is not None
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _session(self) -> None:
        from websockets.asyncio.client import connect

        assert self._stop is not None
        # proxy=None: a presence server is on the expo's own network; an HTTP proxy in the
        # environment must not swallow the connection (websockets >= 15 uses it by default).
        options: dict[str, object] = {"proxy": None} if _has_proxy_option() else {}
        # ?want=delta: the fast path between snapshots. A server that predates it routes on
        # the path alone and ignores the query (docs/presence.md, "Versions").
        async with connect(f"{self.url.uri}/{self.url.room}?want=delta",
                           open_timeout=OPEN_TIMEOUT,
                           close_timeout=0.5, max_size=MAX_SERVER_BYTES,
                           compression=None, **options) as ws:  # type: ignore[arg-type]
            await ws.send(encode(Hello(self.url.room, self.nickname_id, self.colour_id,
                                       self.role, self.token, self.id, self._resume_key)))
            welcome = await asyncio.wait_for(self._welcome(ws), OPEN_TIMEOUT)
            self.id, self._resume_key = welcome.id, welcome.resume_key
            self._reset_room()
            self.backoff.succeeded()
            self.stats.joins += 1
            self._set_connected(True)
            tasks = [asyncio.create_task(self._send_loop(ws)),
                     asyncio.create_task(self._receive_loop(ws)),
                     asyncio.create_task(self._stop.wait())]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            if self._closing.is_set():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ws.send(encode(Bye())), 0.5)
                return
            for task in done:  # the connection's end, as the task that saw it raised it
                exc = task.exception()
                if exc is not None:
                    raise exc
            raise ConnectionError("the server closed the connection")

    async def _welcome(self, ws: ClientConnection) -> Welcome:
        async for data in ws:
            message = self._decode(data)
            if isinstance(message, Welcome):
                return message
            if isinstance(message, Error):
                self.stats.refused[str(message.code)] += 1
                self._event(message)
                raise ConnectionError(f"refused: {message.code} {message.detail}")
        raise ConnectionError("closed before welcome")

    async def _send_loop(self, ws: ClientConnection) -> None:
        period = 1.0 / self.pose_hz
        next_tick = self.clock()
        while True:
            with contextlib.suppress(queue.Empty):
                while True:
                    await ws.send(encode(self._outbox.get_nowait()))
            with self._lock:
                pose = self._pose
            if pose is not None:
                await ws.send(encode(pose))
                self.stats.poses_sent += 1
            # Ticks keep to a grid, so a slow send does not slow the rate down.
            next_tick = max(next_tick + period, self.clock())
            await asyncio.sleep(max(0.0, next_tick - self.clock()))

    async def _receive_loop(self, ws: ClientConnection) -> None:
        async for data in ws:
            message = self._decode(data)
            if isinstance(message, Snapshot):
                self._snapshot(message)
            elif isinstance(message, Delta):
                self._delta(message)
            elif isinstance(message, (Reaction, Tour, Share, Error)):
                if isinstance(message, Error):
                    self.stats.refused[str(message.code)] += 1
                self._event(message)

    def _decode(self, data: str | bytes) -> object:
        try:
            return decode_server(data)
        except ProtocolError as exc:
            self.stats.malformed[exc.reason] += 1
            return None

    def _event(self, message: Event) -> None:
        self.stats.events += 1
        while True:
            try:
                self._events.put_nowait(message)
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self._events.get_nowait()

    def _near(self, t: float, near: Sequence[Visitor], whole: bool) -> dict[str, State]:
        """Take a snapshot's (``whole``) or a delta's near rows into the buffer and the
        visitors known; call with the lock held. Returns their states by id."""
        states = {v.id: State(*v.pos, v.yaw, v.pitch) for v in near if v.id != self.id}
        (self._buffer.push if whole else self._buffer.merge)(t, states)
        for v in near:
            if v.id != self.id:
                self._who[v.id] = (v.nickname_id, v.colour_id, v.role, v.pavilion)
                self._far.pop(v.id, None)
        return states

    def _snapshot(self, snap: Snapshot) -> None:
        arrival = self.clock()
        with self._lock:
            self._offset.observe(snap.t, arrival)
            states = self._near(snap.t, snap.near, whole=True)
            if snap.far:
                self._far = {c.id: Far(c.id, c.nickname_id, c.colour_id, c.zone, c.x, c.y)
                             for c in snap.far if c.id != self.id and c.id not in states}
            for gone in snap.gone:
                self._far.pop(gone, None)
                self._who.pop(gone, None)
        self.stats.snapshots += 1

    def _delta(self, delta: Delta) -> None:
        arrival = self.clock()
        with self._lock:
            self._offset.observe(delta.t, arrival)
            self._near(delta.t, delta.near, whole=False)
        self.stats.deltas += 1

    def _reset_room(self) -> None:
        # Another server (or the same one restarted) has another clock and another room.
        with self._lock:
            self._buffer = SnapshotBuffer()
            self._offset = ClockOffset()
            self._who.clear()
            self._far.clear()

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected
        if not connected:
            # Nobody is shown while the room is out of reach: stale avatars would stand still.
            self._reset_room()


def _has_proxy_option() -> bool:
    import inspect

    from websockets.asyncio.client import connect

    return "proxy" in inspect.signature(connect.__init__).parameters
