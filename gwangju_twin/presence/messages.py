"""The presence protocol: a small, versioned JSON schema, validated field by field on arrival.

Every message is one JSON object in one WebSocket text frame, with its kind in ``"t"``.
docs/presence.md lists every message and field; this module is the schema as code, and both
ends use it: the server decodes what clients send (``decode_client``), the viewer decodes what
the server sends (``decode_server``). Anything that is not exactly a valid message (too big,
not JSON, a wrong type, a NaN, a number out of range, an unknown kind, key or enum member)
raises ``ProtocolError`` with a short ``reason`` the receiver counts; it never raises anything
else, so a receiver drops the message, counts it and carries on.

Nicknames and colours travel as indices into the lists of ``presence.nicknames``, never as
text a visitor typed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from gwangju_twin.identifiers import PAVILION_ID, PLUGIN_ID
from gwangju_twin.modes import Mode
from gwangju_twin.presence.nicknames import COLOUR_COUNT, NICKNAME_COUNT

#: The protocol's version, sent in ``hello`` and ``welcome``; a server refuses another.
PROTOCOL_VERSION = 1
#: Largest message a client may send (bytes of UTF-8): a pose is about 80 bytes, a share at
#: most MAX_SHARE_BYTES of value plus its envelope.
MAX_CLIENT_BYTES = 2048
#: Largest message a server may send: a snapshot of a full room (256 visitors in detail is
#: about 20 KiB); a viewer refuses anything bigger.
MAX_SERVER_BYTES = 256 * 1024
#: Largest encoded ``share.value`` (bytes of compact JSON).
MAX_SHARE_BYTES = 512
#: Deepest nesting of a ``share.value`` (a list in a dict in a list ...).
MAX_SHARE_DEPTH = 4
#: Largest coordinate (metres from the scene's origin) on the wire; the server clamps further
#: to its scene's extent.
MAX_COORD = 100_000.0
#: Highest tour stop index.
MAX_STOP = 255
#: Most visitors in one snapshot list.
MAX_VISITORS = 1024
#: Most rows in one ``delta`` (a room's cap of visitors: a delta carries near ones only).
MAX_DELTA_ROWS = 256
#: Largest ``delta`` (bytes of UTF-8): 256 rows of at most ~150 bytes each. A delta is the
#: fast path between snapshots and should be small; a bigger one is refused by a viewer.
MAX_DELTA_BYTES = 48 * 1024
#: Optional features a client may ask for in its URL's query (``?want=delta``): servers
#: route on the path alone, so one that predates a feature ignores the ask, and a server
#: sends a feature's messages only to a client that asked (an old client never sees them).
FEATURES = ("delta",)
#: Longest query a server reads (anything longer is ignored and counted).
MAX_QUERY = 256

#: A room: what follows ``ws://HOST:PORT/`` (a scene id).
ROOM_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
#: A visitor id (the server makes them: 12 lowercase hex digits).
VISITOR_ID = re.compile(r"[0-9a-f]{12}")
#: A room token and a resume key: printable ASCII without spaces or quotes.
SECRET = re.compile(r"[A-Za-z0-9._~+/=-]{1,128}")
#: A share key.
SHARE_KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: A tour id.
TOUR_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: Longest error detail.
MAX_DETAIL = 200

Vec3 = tuple[float, float, float]
Json = Any


class Role(Mode):
    """Who a visitor is: a guide may lead tours; a visitor may follow them."""

    VISITOR = "visitor"
    GUIDE = "guide"


class ReactionKind(Mode):
    """Reactions instead of chat: nothing anyone can type."""

    WAVE = "wave"
    LIKE = "like"
    PING = "ping"  # "look here", at a point


class TourAction(Mode):
    """A guide's tour: start it, go to a stop, stop it."""

    START = "start"
    STEP = "step"
    STOP = "stop"


class ErrorCode(Mode):
    """Why a server refused something (sent in ``error``)."""

    BAD_MESSAGE = "bad_message"
    OVERSIZED = "oversized"
    RATE_LIMITED = "rate_limited"
    TOKEN_REFUSED = "token_refused"
    VERSION = "version"
    ROOM_FULL = "room_full"
    SERVER_FULL = "server_full"
    BAD_ROOM = "bad_room"
    NOT_JOINED = "not_joined"
    NOT_GUIDE = "not_guide"
    TIMEOUT = "timeout"


class ProtocolError(ValueError):
    """A message that is not valid; ``reason`` is a short, countable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# ---------------------------------------------------------------- messages


@dataclass(frozen=True)
class Hello:
    """Client -> server, first: join ``room`` as this nickname and colour."""

    room: str
    nickname_id: int
    colour_id: int
    role: Role = Role.VISITOR
    token: str | None = None
    #: After a reconnect (to this or another server): the id and key a ``welcome`` gave, so
    #: the visitor keeps their id and reappears as themselves.
    resume_id: str | None = None
    resume_key: str | None = None
    v: int = PROTOCOL_VERSION


@dataclass(frozen=True)
class Welcome:
    """Server -> client, after a good hello: your id and the server's limits."""

    id: str
    room: str
    resume_key: str
    snapshot_hz: float
    max_bytes: int
    #: Messages per second the client may send on average (its token bucket's rate).
    rate: float
    v: int = PROTOCOL_VERSION


@dataclass(frozen=True)
class Pose:
    """Client -> server: where I am and look (metres in the scene's local frame, degrees)."""

    pos: Vec3
    yaw: float
    pitch: float
    pavilion: str | None = None


@dataclass(frozen=True)
class Reaction:
    """Both ways: a wave, a like, or a ping at a point; ``sender`` is set by the server."""

    kind: ReactionKind
    at: Vec3 | None = None
    sender: str | None = None


@dataclass(frozen=True)
class Tour:
    """Both ways: a guide starts, steps to stop ``stop`` of, or stops tour ``tour_id``;
    the server relays it to the room with ``guide`` set (followers opt in on their side)."""

    action: TourAction
    tour_id: str
    stop: int = 0
    guide: str | None = None


@dataclass(frozen=True)
class Share:
    """Both ways: a demo's small state for the same demo on other viewers in the room."""

    demo_id: str
    key: str
    value: Json
    sender: str | None = None


@dataclass(frozen=True)
class Visitor:
    """One visitor in detail (a snapshot's ``near`` row)."""

    id: str
    nickname_id: int
    colour_id: int
    role: Role
    pos: Vec3
    yaw: float
    pitch: float
    pavilion: str | None


@dataclass(frozen=True)
class Coarse:
    """One visitor far away (a snapshot's ``far`` row): where, roughly, and in which zone."""

    id: str
    nickname_id: int
    colour_id: int
    zone: str | None
    x: float
    y: float


@dataclass(frozen=True)
class Snapshot:
    """Server -> client at ``snapshot_hz``: visitors near you in detail, the others coarse
    (``far`` only on every few snapshots; empty between), and who left."""

    t: float
    seq: int
    near: tuple[Visitor, ...]
    far: tuple[Coarse, ...] = ()
    gone: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delta:
    """Server -> client between snapshots (only to a client that asked, ``?want=delta``):
    the near visitors whose pose changed since the last delta or snapshot, as ``near`` rows.
    The fast path: a pose reaches the others within a flush interval (25 ms by default)
    instead of waiting for the next snapshot. Applied like a snapshot's rows, but partial:
    a visitor not in it has not moved (it never means gone; ``gone`` is in snapshots)."""

    t: float
    seq: int
    near: tuple[Visitor, ...]


@dataclass(frozen=True)
class Error:
    """Server -> client: what was refused and why."""

    code: ErrorCode
    detail: str = ""


@dataclass(frozen=True)
class Bye:
    """Client -> server: leaving (the server also notices a closed connection)."""


ClientMessage = Hello | Pose | Reaction | Tour | Share | Bye
ServerMessage = Welcome | Snapshot | Delta | Reaction | Tour | Share | Error
Message = Hello | Welcome | Pose | Reaction | Tour | Share | Snapshot | Delta | Error | Bye


# ---------------------------------------------------------------- field checks


def _reject_constant(name: str) -> Any:
    raise ProtocolError("not_finite", f"{name} is not a number JSON allows")


def _utf8_size(data: str | bytes, limit: int) -> int:
    """``data``'s size in bytes of UTF-8, or a lower bound of it when that is within
    ``limit`` (a str is at most 4 bytes a character: the common small case is not encoded)."""
    if isinstance(data, bytes) or len(data) * 4 <= limit:
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))


def _load(data: str | bytes, limit: int) -> dict[str, Any]:
    size = _utf8_size(data, limit)
    if size > limit:
        raise ProtocolError("oversized", f"{size} bytes, at most {limit}")
    try:
        doc = json.loads(data, parse_constant=_reject_constant)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ProtocolError("not_json", type(exc).__name__) from None
    if not isinstance(doc, dict):
        raise ProtocolError("not_object", type(doc).__name__)
    return doc


def _keys(doc: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    missing = [k for k in required if k not in doc]
    if missing:
        raise ProtocolError("missing_key", f"{doc.get('t')}: {missing[0]}")
    allowed = set(required) | set(optional) | {"t"}
    extra = [k for k in doc if k not in allowed]
    if extra:
        raise ProtocolError("unknown_key", f"{doc.get('t')}: {str(extra[0])[:40]}")


def _int(value: Any, name: str, lo: int, hi: int) -> int:
    # bool is an int in Python but not a number on the wire.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError("bad_type", f"{name}: expected a whole number")
    if not lo <= value <= hi:
        raise ProtocolError("out_of_range", f"{name}: {value} outside {lo}..{hi}")
    return value


def _float(value: Any, name: str, lo: float, hi: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ProtocolError("bad_type", f"{name}: expected a number")
    out = float(value)
    if not math.isfinite(out):  # huge ints become inf
        raise ProtocolError("not_finite", name)
    if not lo <= out <= hi:
        raise ProtocolError("out_of_range", f"{name}: {out:g} outside {lo:g}..{hi:g}")
    return out


def _str(value: Any, name: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str):
        raise ProtocolError("bad_type", f"{name}: expected text")
    if not pattern.fullmatch(value):
        raise ProtocolError("bad_text", f"{name}: does not match {pattern.pattern}")
    return value


def _opt_str(value: Any, name: str, pattern: re.Pattern[str]) -> str | None:
    return None if value is None else _str(value, name, pattern)


def _vec3(value: Any, name: str) -> Vec3:
    if not isinstance(value, list) or len(value) != 3:
        raise ProtocolError("bad_type", f"{name}: expected [x, y, z]")
    x, y, z = (_float(c, name, -MAX_COORD, MAX_COORD) for c in value)
    return (x, y, z)


def _enum(value: Any, name: str, mode: type[Mode]) -> Any:
    if not isinstance(value, str):
        raise ProtocolError("bad_type", f"{name}: expected text")
    try:
        return mode(value)
    except ValueError:
        raise ProtocolError("bad_enum", f"{name}: {value[:40]!r}") from None


def _version(value: Any) -> int:
    v = _int(value, "v", 0, 1_000_000)
    if v != PROTOCOL_VERSION:
        raise ProtocolError("version", f"v {v}, this end speaks {PROTOCOL_VERSION}")
    return v


def _share_value(value: Any) -> Json:
    def depth(node: Any, level: int) -> None:
        if level > MAX_SHARE_DEPTH:
            raise ProtocolError("too_deep", f"value nested deeper than {MAX_SHARE_DEPTH}")
        if isinstance(node, dict):
            for item in node.values():
                depth(item, level + 1)
        elif isinstance(node, list):
            for item in node:
                depth(item, level + 1)

    depth(value, 0)
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_SHARE_BYTES:
        raise ProtocolError("oversized", f"share value {size} bytes, at most {MAX_SHARE_BYTES}")
    return value


# ---------------------------------------------------------------- decoding


def _hello(d: dict[str, Any]) -> Hello:
    _keys(d, ("v", "room", "nickname_id", "colour_id"),
          ("role", "token", "resume_id", "resume_key"))
    return Hello(
        v=_version(d["v"]),
        room=_str(d["room"], "room", ROOM_ID),
        nickname_id=_int(d["nickname_id"], "nickname_id", 0, NICKNAME_COUNT - 1),
        colour_id=_int(d["colour_id"], "colour_id", 0, COLOUR_COUNT - 1),
        role=_enum(d.get("role", "visitor"), "role", Role),
        token=_opt_str(d.get("token"), "token", SECRET),
        resume_id=_opt_str(d.get("resume_id"), "resume_id", VISITOR_ID),
        resume_key=_opt_str(d.get("resume_key"), "resume_key", SECRET),
    )


def _pose(d: dict[str, Any]) -> Pose:
    _keys(d, ("pos", "yaw", "pitch"), ("pavilion",))
    return Pose(
        pos=_vec3(d["pos"], "pos"),
        # Any finite heading is fine on the wire; the receiver wraps it.
        yaw=_float(d["yaw"], "yaw", -3600.0, 3600.0),
        pitch=_float(d["pitch"], "pitch", -90.0, 90.0),
        pavilion=_opt_str(d.get("pavilion"), "pavilion", PAVILION_ID),
    )


def _reaction(d: dict[str, Any], from_server: bool) -> Reaction:
    _keys(d, ("kind",), ("at", "sender") if from_server else ("at",))
    kind = _enum(d["kind"], "kind", ReactionKind)
    at = None if d.get("at") is None else _vec3(d["at"], "at")
    if kind is ReactionKind.PING and at is None:
        raise ProtocolError("missing_key", "reaction: a ping needs at")
    sender = _opt_str(d.get("sender"), "sender", VISITOR_ID) if from_server else None
    return Reaction(kind=kind, at=at, sender=sender)


def _tour(d: dict[str, Any], from_server: bool) -> Tour:
    _keys(d, ("action", "tour_id"), ("stop", "guide") if from_server else ("stop",))
    return Tour(
        action=_enum(d["action"], "action", TourAction),
        tour_id=_str(d["tour_id"], "tour_id", TOUR_ID),
        stop=_int(d.get("stop", 0), "stop", 0, MAX_STOP),
        guide=_opt_str(d.get("guide"), "guide", VISITOR_ID) if from_server else None,
    )


def _share(d: dict[str, Any], from_server: bool) -> Share:
    _keys(d, ("demo_id", "key", "value"), ("sender",) if from_server else ())
    return Share(
        demo_id=_str(d["demo_id"], "demo_id", PLUGIN_ID),
        key=_str(d["key"], "key", SHARE_KEY),
        value=_share_value(d["value"]),
        sender=_opt_str(d.get("sender"), "sender", VISITOR_ID) if from_server else None,
    )


def _welcome(d: dict[str, Any]) -> Welcome:
    _keys(d, ("v", "id", "room", "resume_key", "snapshot_hz", "max_bytes", "rate"), ())
    return Welcome(
        v=_version(d["v"]),
        id=_str(d["id"], "id", VISITOR_ID),
        room=_str(d["room"], "room", ROOM_ID),
        resume_key=_str(d["resume_key"], "resume_key", SECRET),
        snapshot_hz=_float(d["snapshot_hz"], "snapshot_hz", 0.1, 120.0),
        max_bytes=_int(d["max_bytes"], "max_bytes", 64, MAX_SERVER_BYTES),
        rate=_float(d["rate"], "rate", 0.1, 1000.0),
    )


def _rows(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProtocolError("bad_type", f"{name}: expected a list")
    if len(value) > MAX_VISITORS:
        raise ProtocolError("out_of_range", f"{name}: more than {MAX_VISITORS} rows")
    return value


def _near_row(row: Any) -> Visitor:
    if not isinstance(row, list) or len(row) != 10:
        raise ProtocolError("bad_type", "near: expected rows of 10 values")
    return Visitor(
        id=_str(row[0], "near.id", VISITOR_ID),
        nickname_id=_int(row[1], "near.nickname_id", 0, NICKNAME_COUNT - 1),
        colour_id=_int(row[2], "near.colour_id", 0, COLOUR_COUNT - 1),
        role=_enum(row[3], "near.role", Role),
        pos=_vec3(row[4:7], "near.pos"),
        yaw=_float(row[7], "near.yaw", -3600.0, 3600.0),
        pitch=_float(row[8], "near.pitch", -90.0, 90.0),
        pavilion=_opt_str(row[9], "near.pavilion", PAVILION_ID),
    )


def _far_row(row: Any) -> Coarse:
    if not isinstance(row, list) or len(row) != 6:
        raise ProtocolError("bad_type", "far: expected rows of 6 values")
    return Coarse(
        id=_str(row[0], "far.id", VISITOR_ID),
        nickname_id=_int(row[1], "far.nickname_id", 0, NICKNAME_COUNT - 1),
        colour_id=_int(row[2], "far.colour_id", 0, COLOUR_COUNT - 1),
        zone=_opt_str(row[3], "far.zone", PAVILION_ID),
        x=_float(row[4], "far.x", -MAX_COORD, MAX_COORD),
        y=_float(row[5], "far.y", -MAX_COORD, MAX_COORD),
    )


def _snapshot(d: dict[str, Any]) -> Snapshot:
    _keys(d, ("ts", "seq", "near"), ("far", "gone"))
    return Snapshot(
        t=_float(d["ts"], "ts", 0.0, 1e12),
        seq=_int(d["seq"], "seq", 0, 2**53),
        near=tuple(_near_row(r) for r in _rows(d["near"], "near")),
        far=tuple(_far_row(r) for r in _rows(d.get("far", []), "far")),
        gone=tuple(_str(g, "gone", VISITOR_ID) for g in _rows(d.get("gone", []), "gone")),
    )


def _delta(d: dict[str, Any], size: int) -> Delta:
    if size > MAX_DELTA_BYTES:
        raise ProtocolError("oversized", f"delta of {size} bytes, at most {MAX_DELTA_BYTES}")
    _keys(d, ("ts", "seq", "near"), ())
    rows = _rows(d["near"], "near")
    if len(rows) > MAX_DELTA_ROWS:
        raise ProtocolError("out_of_range", f"delta.near: more than {MAX_DELTA_ROWS} rows")
    return Delta(
        t=_float(d["ts"], "ts", 0.0, 1e12),
        seq=_int(d["seq"], "seq", 0, 2**53),
        near=tuple(_near_row(r) for r in rows),
    )


def _error(d: dict[str, Any]) -> Error:
    _keys(d, ("code",), ("detail",))
    detail = d.get("detail", "")
    if not isinstance(detail, str) or len(detail) > MAX_DETAIL:
        raise ProtocolError("bad_text", f"detail: expected text of at most {MAX_DETAIL}")
    # Shown to a person: no control characters from a server either.
    return Error(code=_enum(d["code"], "code", ErrorCode),
                 detail="".join(c for c in detail if c.isprintable()))


def _bye(d: dict[str, Any]) -> Bye:
    _keys(d, (), ())
    return Bye()


def decode_client(data: str | bytes) -> ClientMessage:
    """A message from a client, validated; raises ``ProtocolError`` (only) when invalid."""
    d = _load(data, MAX_CLIENT_BYTES)
    match d.get("t"):
        case "hello":
            return _hello(d)
        case "pose":
            return _pose(d)
        case "reaction":
            return _reaction(d, from_server=False)
        case "tour":
            return _tour(d, from_server=False)
        case "share":
            return _share(d, from_server=False)
        case "bye":
            return _bye(d)
        case other:
            raise ProtocolError("unknown_kind", str(other)[:40])


def decode_server(data: str | bytes) -> ServerMessage:
    """A message from a server, validated; raises ``ProtocolError`` (only) when invalid."""
    d = _load(data, MAX_SERVER_BYTES)
    match d.get("t"):
        case "welcome":
            return _welcome(d)
        case "snapshot":
            return _snapshot(d)
        case "delta":
            return _delta(d, _utf8_size(data, MAX_DELTA_BYTES))
        case "reaction":
            return _reaction(d, from_server=True)
        case "tour":
            return _tour(d, from_server=True)
        case "share":
            return _share(d, from_server=True)
        case "error":
            return _error(d)
        case other:
            raise ProtocolError("unknown_kind", str(other)[:40])


def parse_wants(query: str) -> tuple[frozenset[str], bool]:
    """The features a connection's URL query asks for, and whether the query was valid.

    ``want=delta`` (several: ``want=a,b`` or ``want=a&want=b``) asks for a feature; a
    feature this end does not know is ignored (a newer client talking to an older server),
    and so are other keys. A query that is too long or not ``key=value`` pairs of printable
    ASCII asks for nothing and is reported invalid (the server counts it).
    """
    if not query:
        return frozenset(), True
    if len(query) > MAX_QUERY or not _QUERY.fullmatch(query):
        return frozenset(), False
    wants: set[str] = set()
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key == "want":
            wants.update(f for f in value.split(",") if f in FEATURES)
    return frozenset(wants), True


_QUERY = re.compile(r"[A-Za-z0-9_.-]+=[A-Za-z0-9_.,-]*(?:&[A-Za-z0-9_.-]+=[A-Za-z0-9_.,-]*)*")


# ---------------------------------------------------------------- encoding


def _r(x: float, digits: int) -> float:
    return round(x, digits)


def near_row(v: Visitor) -> list[Any]:
    """A visitor as a snapshot's ``near`` row (positions to the centimetre, angles to 0.1°)."""
    return [v.id, v.nickname_id, v.colour_id, str(v.role), _r(v.pos[0], 2), _r(v.pos[1], 2),
            _r(v.pos[2], 2), _r(v.yaw, 1), _r(v.pitch, 1), v.pavilion]


def far_row(c: Coarse) -> list[Any]:
    """A visitor as a snapshot's ``far`` row (positions to the metre: it is coarse)."""
    return [c.id, c.nickname_id, c.colour_id, c.zone, round(c.x), round(c.y)]


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def to_dict(msg: Message) -> dict[str, Any]:
    """The JSON object of a message."""
    match msg:
        case Hello():
            return _drop_none({"t": "hello", "v": msg.v, "room": msg.room,
                               "nickname_id": msg.nickname_id, "colour_id": msg.colour_id,
                               "role": str(msg.role), "token": msg.token,
                               "resume_id": msg.resume_id, "resume_key": msg.resume_key})
        case Welcome():
            return {"t": "welcome", "v": msg.v, "id": msg.id, "room": msg.room,
                    "resume_key": msg.resume_key, "snapshot_hz": msg.snapshot_hz,
                    "max_bytes": msg.max_bytes, "rate": msg.rate}
        case Pose():
            return _drop_none({"t": "pose", "pos": list(msg.pos), "yaw": msg.yaw,
                               "pitch": msg.pitch, "pavilion": msg.pavilion})
        case Reaction():
            return _drop_none({"t": "reaction", "kind": str(msg.kind),
                               "at": None if msg.at is None else list(msg.at),
                               "sender": msg.sender})
        case Tour():
            return _drop_none({"t": "tour", "action": str(msg.action), "tour_id": msg.tour_id,
                               "stop": msg.stop, "guide": msg.guide})
        case Share():
            return _drop_none({"t": "share", "demo_id": msg.demo_id, "key": msg.key,
                               "value": msg.value, "sender": msg.sender})
        case Snapshot():
            return {"t": "snapshot", "ts": msg.t, "seq": msg.seq,
                    "near": [near_row(v) for v in msg.near],
                    "far": [far_row(c) for c in msg.far], "gone": list(msg.gone)}
        case Delta():
            return {"t": "delta", "ts": msg.t, "seq": msg.seq,
                    "near": [near_row(v) for v in msg.near]}
        case Error():
            return {"t": "error", "code": str(msg.code), "detail": msg.detail[:MAX_DETAIL]}
        case Bye():
            return {"t": "bye"}
    raise TypeError(f"not a presence message: {type(msg).__name__}")  # pragma: no cover


def encode(msg: Message) -> str:
    """A message as compact JSON text (one WebSocket text frame)."""
    return json.dumps(to_dict(msg), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
