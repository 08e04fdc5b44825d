"""What each visitor's snapshot holds (PresenceServer.snapshot_texts, no network): the near in
detail, the far coarse on every 5th snapshot, nobody themselves, the unposed nobody's."""

from __future__ import annotations

import asyncio
import json

import pytest

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


def _delta(text: str) -> m.Delta:
    msg = m.decode_server(text)
    assert isinstance(msg, m.Delta)
    return msg


def test_a_delta_carries_who_near_moved_to_those_who_asked() -> None:
    server = PresenceServer(ServerConfig(zones=(Zone("solar", 0.0, 0.0, 60.0),),
                                         near_radius=40.0))
    # a, b, c near each other (one zone); d far away; c is an older viewer (no deltas).
    a, b, c = _member(1, 0.0, 0.0), _member(2, 10.0, 0.0), _member(3, -10.0, 0.0)
    d = _member(4, 900.0, 900.0)
    for x in (a, b, d):
        x.wants_delta = True
    room = _room(a, b, c, d)
    server.snapshot_texts(room, 0.0)  # the view deltas go by until the next snapshot
    assert server.delta_texts(room) == {}  # nobody moved yet
    # b moves, c moves, d moves; a re-sends the pose it had (a viewer sends ten a second).
    assert b.move((11.0, 1.0, 1.5), 45.0, -5.0, "solar")
    assert c.move((-9.0, 0.0, 1.5), 0.0, 0.0, None)
    assert d.move((901.0, 900.0, 1.5), 0.0, 0.0, None)
    assert not a.move(a.pos, a.yaw, a.pitch, a.pavilion)
    room.changed |= {b.id, c.id, d.id}
    texts = server.delta_texts(room)
    # c asked for none; d has nobody near who moved (its own move is not sent to itself).
    assert set(texts) == {a.id, b.id}
    got = {vid: {v.id: v for v in _delta(t).near} for vid, t in texts.items()}
    assert set(got[a.id]) == {b.id, c.id}  # d is far: it stays on the coarse path
    assert set(got[b.id]) == {c.id}
    row = got[a.id][b.id]
    assert (row.pos, row.yaw, row.pitch, row.pavilion) == ((11.0, 1.0, 1.5), 45.0, -5.0,
                                                           "solar")
    assert room.changed == set()  # sent: the next flush has only newer moves
    assert server.delta_texts(room) == {}


def test_remote_visitors_go_in_deltas_only_when_they_moved() -> None:
    server = PresenceServer(ServerConfig())
    a = _member(1, 0.0, 0.0)
    a.wants_delta = True
    server.rooms["r"] = room = _room(a)
    there = m.Visitor("0000000000aa", 3, 4, m.Role.VISITOR, (5.0, 0.0, 1.5), 0.0, 0.0, None)
    server.remote_state("r", (there,))
    assert room.changed == {"0000000000aa"}  # new: news
    server.snapshot_texts(room, 0.0)
    room.changed.clear()
    server.remote_state("r", (there,))  # its server's twice-a-second "still here"
    assert room.changed == set()
    moved = m.Visitor("0000000000aa", 3, 4, m.Role.VISITOR, (6.0, 0.0, 1.5), 0.0, 0.0, None)
    server.remote_state("r", (moved,))
    (row,) = _delta(server.delta_texts(room)[a.id]).near
    assert row.id == "0000000000aa" and row.pos == (6.0, 0.0, 1.5)


def test_deltas_skip_a_visitor_who_left_or_came_back_since_the_snapshot() -> None:
    server = PresenceServer(ServerConfig())
    a, b = _member(1, 0.0, 0.0), _member(2, 5.0, 0.0)
    a.wants_delta = True
    room = _room(a, b)
    server.snapshot_texts(room, 0.0)
    del room.local[b.id]  # left
    room.changed.add(b.id)
    assert server.delta_texts(room) == {}
    again = _member(2, 5.0, 0.0)  # the same id on a new connection: a new member
    room.local[again.id] = again
    room.changed.add(again.id)
    assert server.delta_texts(room) == {}  # not in the snapshot's view: the next one has it


def test_delta_flushes_keep_to_a_grid_between_ticks() -> None:
    # 10 ticks and 40 flushes a second: flushes 25, 50 and 75 ms after each tick; the
    # fourth slot is the tick's own (it carries those moves), so the next flush is 25 ms
    # after it. Worked by hand from the two periods (0.1 s and 0.025 s).
    server = PresenceServer(ServerConfig(snapshot_hz=10.0, delta_hz=40.0), clock=lambda: 0.0)
    server.next_tick = 1.0  # the last tick was due at 0.9
    assert server.next_flush(0.901) == pytest.approx(0.925)
    assert server.next_flush(0.925) == pytest.approx(0.95)
    assert server.next_flush(0.96) == pytest.approx(0.975)
    assert server.next_flush(0.976) == pytest.approx(1.025)  # not 1.0: the tick's slot
    assert server.counters["delta.left_to_tick"] == 1
    # A tick running late (next_tick already past): the grid goes on from it, ahead of now.
    assert server.next_flush(1.031) == pytest.approx(1.05)


def test_deltas_are_shed_while_the_ticks_run_late() -> None:
    server = PresenceServer(ServerConfig(snapshot_hz=10.0))
    assert not server.shedding()
    server.tick_late = 0.03  # 30 ms late: within half a 100 ms interval
    assert not server.shedding()
    server.tick_late = 0.06  # over half: short of CPU, snapshots only
    assert server.shedding()
