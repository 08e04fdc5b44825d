"""What each visitor's snapshot holds (PresenceServer.snapshot_texts, no network): the near in
detail, the far coarse on every 5th snapshot, nobody themselves, the unposed nobody's."""

from __future__ import annotations

import asyncio
import json

from gwangju_twin.presence import messages as m
from gwangju_twin.presence.server import Member, PresenceServer, Room, ServerConfig
from gwangju_twin.presence.zones import Zone


def _member(n: int, x: float, y: float, posed: bool = True) -> Member:
    # Any object stands for the connection: snapshot_texts only asks whether it is local.
    return Member(f"{n:012x}", n, n % 12, m.Role.VISITOR, pos=(x, y, 1.5),
                  conn=object(), posed=posed)  # type: ignore[arg-type]


def _room(*members: Member) -> Room:
    room = Room("r")
    for x in members:
        room.local[x.id] = x
    return room


def _decode(text: str) -> m.Snapshot:
    msg = m.decode_server(text)
    assert isinstance(msg, m.Snapshot)
    return msg


def test_near_is_same_zone_or_within_the_radius_and_far_comes_every_fifth() -> None:
    server = PresenceServer(ServerConfig(zones=(Zone("solar", 0.0, 0.0, 60.0),),
                                         near_radius=40.0, far_every=5))
    # a and b: same zone, 55 m apart (beyond the radius); c: on the street 30 m from b's
    # position but outside the zone; d: far from all; e: has not posed.
    a, b = _member(1, -50.0, 0.0), _member(2, 5.0, 0.0)
    c, d = _member(3, 5.0, 90.0), _member(4, 900.0, 900.0)
    e = _member(5, 0.0, 0.0, posed=False)
    room = _room(a, b, c, d, e)
    texts = server.snapshot_texts(room, 0.0)
    assert set(texts) == {x.id for x in (a, b, c, d, e)}  # the unposed still get theirs
    snaps = {vid: _decode(t) for vid, t in texts.items()}
    near = {vid: {v.id for v in s.near} for vid, s in snaps.items()}
    far = {vid: {v.id for v in s.far} for vid, s in snaps.items()}
    # c is 90 m from b: not near; the zone (60 m) does not hold c.
    assert near[a.id] == {b.id}
    assert near[b.id] == {a.id}
    assert near[c.id] == set()
    assert near[e.id] == {a.id, b.id}
    assert far[a.id] == {c.id, d.id}
    assert all(e.id not in near[v] | far[v] for v in near)
    zone_of = {v.id: v.zone for v in snaps[d.id].far}
    assert zone_of == {a.id: "solar", b.id: "solar", c.id: None}
    # seq 0 carried the far rows; the next four do not.
    for _ in range(4):
        room.seq += 1
        assert all(_decode(t).far == () for t in server.snapshot_texts(room, 0.0).values())
    room.seq += 1
    assert _decode(server.snapshot_texts(room, 0.0)[a.id]).far != ()


def test_rows_carry_the_visitors_state_rounded_for_the_wire() -> None:
    server = PresenceServer(ServerConfig())
    a, b = _member(1, 0.0, 0.0), _member(2, 1.234567, 2.0)
    b.yaw, b.pitch, b.pavilion = 123.456, -10.04, "solar"
    room = _room(a, b)
    room.gone.append("0000000000ff")
    snap = _decode(server.snapshot_texts(room, 0.0)[a.id])
    (row,) = snap.near
    assert (row.pos, row.yaw, row.pitch, row.pavilion) == ((1.23, 2.0, 1.5), 123.5, -10.0,
                                                           "solar")
    assert snap.gone == ("0000000000ff",)


def test_remote_visitors_are_shown_until_they_time_out() -> None:
    now = [0.0]
    server = PresenceServer(ServerConfig(remote_timeout=1.5), clock=lambda: now[0])
    a = _member(1, 0.0, 0.0)
    server.rooms["r"] = _room(a)
    far_away = m.Visitor("0000000000aa", 3, 4, m.Role.GUIDE, (1e9, 0.0, 0.0), 0.0, 0.0, None)
    server.remote_state("r", (far_away,))
    remote = server.rooms["r"].remote["0000000000aa"]
    assert remote.pos[0] == server.config.extent.xmax  # clamped like a local visitor's

    # 2 s later (over the 1.5 s timeout) a tick forgets them; nobody local is left, so it
    # sends nothing and needs no connection.
    now[0] = 2.0
    room = server.rooms["r"]
    room.local.clear()
    asyncio.run(server.tick())
    assert "0000000000aa" not in room.remote
    # Unknown rooms are ignored (nobody here to show them to).
    server.remote_state("nobody", (far_away,))
    assert "nobody" not in server.rooms
    json.dumps(server.stats())
