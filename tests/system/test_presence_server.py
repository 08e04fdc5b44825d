"""The presence server as people run it (``gwangju-twin serve``), with real websocket
clients on loopback: join, move, leave, drop and rejoin, malformed and oversized messages,
the room token, the rate limit, tours only from guides, positions clamped.

Waits are bounded polls for what a client received, never claims about time.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest
from presence_kit import Client, server
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from gwangju_twin.presence import messages as m


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_join_move_and_leave() -> None:
    with server() as srv:
        async def go() -> None:
            a = await Client.join(srv.url, nickname_id=17, colour_id=3)
            b = await Client.join(srv.url)
            assert a.id != b.id
            await a.pose(10.0, 20.0, 1.5, yaw=370.0)
            row = await b.until(lambda: b.seen.get(a.id))
            await b.until(lambda: b.seen[a.id].pos == (10.0, 20.0, 1.5))
            assert (row.nickname_id, row.colour_id, row.role) == (17, 3, m.Role.VISITOR)
            assert b.seen[a.id].yaw == pytest.approx(10.0)  # 370° wrapped by the server
            assert a.id not in a.seen  # nobody is sent themselves
            await a.send(m.Bye())
            await b.until(lambda: a.id in b.gone)
            await b.close()

        run(go())
        counters = srv.stats()["counters"]
        assert counters["join"] == 2 and counters["leave"] == 1


def test_drop_and_rejoin_as_the_same_visitor() -> None:
    with server() as srv:
        async def go() -> None:
            a = await Client.join(srv.url)
            b = await Client.join(srv.url)
            await a.pose(1.0, 2.0)
            await b.until(lambda: a.id in b.seen)
            assert a.welcome is not None
            # No bye, no close handshake: the connection just dies.
            a.conn.transport.abort()
            await b.until(lambda: a.id in b.gone)
            again = await Client.join(srv.url, resume_id=a.id,
                                      resume_key=a.welcome.resume_key)
            assert again.id == a.id
            # A wrong key gets a new id: a resume id alone proves nothing.
            other = await Client.join(srv.url, resume_id=b.id, resume_key="guessed")
            assert other.id not in (a.id, b.id)
            await again.pose(3.0, 4.0)
            await b.until(lambda: b.seen.get(a.id) and b.seen[a.id].pos[:2] == (3.0, 4.0))

        run(go())
        counters = srv.stats()["counters"]
        assert counters["drop"] >= 1 and counters["resume"] == 1
        assert counters["resume.refused"] == 1


def test_resuming_while_the_old_connection_lives_replaces_it() -> None:
    with server() as srv:
        async def go() -> None:
            a = await Client.join(srv.url)
            b = await Client.join(srv.url)
            await a.pose(1.0, 1.0)
            await b.until(lambda: a.id in b.seen)
            assert a.welcome is not None
            twin = await Client.join(srv.url, resume_id=a.id, resume_key=a.welcome.resume_key)
            assert twin.id == a.id
            await a.until(lambda: a.closed)  # the old connection is closed by the server
            await twin.pose(9.0, 9.0)
            await b.until(lambda: b.seen.get(a.id) and b.seen[a.id].pos[:2] == (9.0, 9.0))
            assert a.id not in b.gone

        run(go())
        counters = srv.stats()["counters"]
        assert counters["join"] == 2 and counters["resume"] == 1


def test_malformed_and_oversized_messages_are_dropped_and_counted() -> None:
    with server() as srv:
        async def go() -> None:
            a = await Client.join(srv.url)
            b = await Client.join(srv.url)
            for bad in ("garbage", '{"t":"pose","pos":[0,0,NaN],"yaw":0,"pitch":0}',
                        '{"t":"pose","pos":[1,2],"yaw":0,"pitch":0}',
                        '{"t":"teleport"}', "x" * 3000, b"\x00\xff binary"):
                await a.send(bad)
            # After all that the connection is still good and the pose goes through.
            await a.pose(5.0, 6.0)
            await b.until(lambda: b.seen.get(a.id) and b.seen[a.id].pos[:2] == (5.0, 6.0))
            # A frame beyond the transport's limit (64 KiB) closes that connection only.
            c = await Client.join(srv.url)
            await c.send("y" * 70_000)
            await c.until(lambda: c.closed)
            await a.pose(7.0, 8.0)
            await b.until(lambda: b.seen[a.id].pos[:2] == (7.0, 8.0))

        run(go())
        counters = srv.stats()["counters"]
        # One of each, sent above: 2 not JSON (text and binary), a NaN, a short vector, an
        # unknown kind and the 3000-byte message.
        assert counters["malformed.not_json"] == 2
        assert counters["malformed.not_finite"] == 1
        assert counters["malformed.bad_type"] == 1
        assert counters["malformed.unknown_kind"] == 1
        assert counters["malformed.oversized"] == 1
        assert srv.proc.poll() is None


def test_deltas_go_to_viewers_that_ask_and_never_to_older_ones() -> None:
    with server("--hz", "1") as srv:  # one snapshot a second: deltas between them show
        async def go() -> None:
            new = await Client.join(srv.url, query="want=delta")
            old = await Client.join(srv.url)  # a viewer from before deltas
            odd = await Client.join(srv.url, query="want=teleport,delta&lang=ko")
            bad = await Client.join(srv.url, query="want")  # not key=value: no features
            walker = await Client.join(srv.url)
            for step in range(1, 6):
                await walker.pose(float(step), 0.0)
                await new.until(lambda s=step: new.seen.get(walker.id)
                                and new.seen[walker.id].pos[0] == s)
            await odd.until(lambda: odd.of(m.Delta))
            # The older viewer still sees the walker, by snapshots alone.
            await old.until(lambda: old.seen.get(walker.id)
                            and old.seen[walker.id].pos[0] == 5.0)
            deltas = new.of(m.Delta)
            assert deltas and all({v.id for v in d.near} == {walker.id} for d in deltas)
            assert old.of(m.Delta) == [] and bad.of(m.Delta) == []
            # Standing still (the same pose again) is no news: no delta for it.
            count = len(new.of(m.Delta))
            await walker.pose(5.0, 0.0)
            await walker.pose(5.0, 0.0)
            await new.until(lambda: len(new.of(m.Snapshot)) >= 3, timeout=10)
            assert len(new.of(m.Delta)) == count

        run(go())
        counters = srv.stats()["counters"]
        assert counters["malformed.query"] == 1
        assert counters["delta.sent"] >= 5


def test_without_deltas_the_server_sends_snapshots_only() -> None:
    with server("--delta-hz", "0") as srv:
        async def go() -> None:
            a = await Client.join(srv.url, query="want=delta")
            b = await Client.join(srv.url)
            await b.pose(3.0, 4.0)
            await a.until(lambda: a.seen.get(b.id))
            await a.until(lambda: len(a.of(m.Snapshot)) >= 5)
            assert a.of(m.Delta) == []

        run(go())


def test_a_room_with_a_token_refuses_visitors_without_it() -> None:
    with server("--token", "expo-2026-booths") as srv:
        async def go() -> None:
            no = await Client.join(srv.url)
            assert no.welcome is None
            assert isinstance(no.inbox[0], m.Error)
            assert no.inbox[0].code is m.ErrorCode.TOKEN_REFUSED
            wrong = await Client.join(srv.url, token="expo-2026-booth")
            assert wrong.welcome is None
            yes = await Client.join(srv.url, token="expo-2026-booths")
            assert yes.welcome is not None

        run(go())
        assert srv.stats()["counters"]["refused.token_refused"] == 2


def test_a_guide_needs_the_guide_token_when_the_server_has_one() -> None:
    with server("--token", "expo-2026-booths", "--guide-token", "guide-2026-lead") as srv:
        async def go() -> None:
            claimed = await Client.join(srv.url, role=m.Role.GUIDE, token="expo-2026-booths")
            assert claimed.welcome is None
            assert claimed.inbox[0].code is m.ErrorCode.NOT_GUIDE
            guide = await Client.join(srv.url, role=m.Role.GUIDE, token="guide-2026-lead")
            visitor = await Client.join(srv.url, token="expo-2026-booths")
            assert guide.welcome is not None and visitor.welcome is not None
            await guide.send(m.Tour(action=m.TourAction.START, tour_id="expo"))
            await visitor.until(lambda: visitor.of(m.Tour))

        run(go())


def test_a_flood_is_rate_limited_and_the_connection_survives() -> None:
    with server() as srv:
        async def go() -> None:
            a = await Client.join(srv.url)
            b = await Client.join(srv.url)
            # 300 poses at once: far more than the bucket's burst (40).
            for i in range(300):
                await a.pose(float(i), 0.0)
            await a.until(lambda: any(e.code is m.ErrorCode.RATE_LIMITED
                                      for e in a.of(m.Error)))
            await asyncio.sleep(0.5)  # the bucket refills (20 a second)
            await a.pose(-1.0, -1.0)
            await b.until(lambda: b.seen.get(a.id) and b.seen[a.id].pos[:2] == (-1.0, -1.0))

        run(go())
        counters = srv.stats()["counters"]
        assert counters["rate_limited"] >= 300 - 40 - 20  # burst + what refilled meanwhile
        assert counters["rate_limited"] < 300


def test_tours_only_from_guides_reactions_relayed_positions_clamped() -> None:
    with server() as srv:
        async def go() -> None:
            guide = await Client.join(srv.url, role=m.Role.GUIDE)
            visitor = await Client.join(srv.url)
            await visitor.send(m.Tour(action=m.TourAction.START, tour_id="expo"))
            await visitor.until(lambda: any(e.code is m.ErrorCode.NOT_GUIDE
                                            for e in visitor.of(m.Error)))
            for stop in range(3):
                await guide.send(m.Tour(action=m.TourAction.STEP, tour_id="expo", stop=stop))
            await visitor.until(lambda: len(visitor.of(m.Tour)) == 3)
            assert [t.stop for t in visitor.of(m.Tour)] == [0, 1, 2]
            assert all(t.guide == guide.id for t in visitor.of(m.Tour))
            await visitor.send(m.Reaction(kind=m.ReactionKind.PING, at=(1.0, 2.0, 0.0)))
            await guide.until(lambda: guide.of(m.Reaction))
            assert guide.of(m.Reaction)[0].sender == visitor.id
            await guide.send(m.Share(demo_id="gwangju.civic", key="pin", value={"n": 1}))
            await visitor.until(lambda: visitor.of(m.Share))
            # The default extent is +-5 km and up to 2 km high (presence.limits.Extent).
            # Both end in the same corner, so they are near each other (a detailed row).
            await guide.pose(6_000.0, -6_000.0, 0.0)
            await visitor.pose(99_999.0, -99_999.0, 9_999.0)
            await guide.until(lambda: guide.seen.get(visitor.id)
                              and guide.seen[visitor.id].pos == (5000.0, -5000.0, 2000.0))

        run(go())


def test_bad_room_paths_and_hellos_are_refused() -> None:
    with server() as srv:
        async def go() -> None:
            with pytest.raises(InvalidStatus):
                await connect(f"{srv.url}/Not%20A%20Room")
            with pytest.raises(InvalidStatus):
                await connect(f"{srv.url}/UPPER")
            # hello naming another room than the URL
            c = await Client.join(srv.url, room="a")
            await c.conn.close()
            conn = await connect(f"{srv.url}/a")
            await conn.send(m.encode(m.Hello(room="b", nickname_id=0, colour_id=0)))
            reply = m.decode_server(await conn.recv())
            assert isinstance(reply, m.Error) and reply.code is m.ErrorCode.BAD_ROOM
            conn = await connect(f"{srv.url}/a")
            await conn.send(m.encode(m.Pose(pos=(0, 0, 0), yaw=0, pitch=0)))
            reply = m.decode_server(await conn.recv())
            assert isinstance(reply, m.Error) and reply.code is m.ErrorCode.NOT_JOINED

        run(go())
        stats = srv.stats()
        assert json.dumps(stats).count("127.0.0.1") == 0  # no addresses in the stats


def test_bad_flags_are_one_line_and_status_2() -> None:
    for flags in (["--port", "70000"], ["--nats", "http://x"], ["--token", "short"],
                  ["--token", "same-token-1", "--guide-token", "same-token-1"],
                  ["--host", "a b"], ["--scene", "missing.toml"]):
        out = subprocess.run([sys.executable, "-m", "gwangju_twin", "serve", *flags],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 2, (flags, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert "Traceback" not in out.stderr


def test_a_scenes_pavilions_are_interest_zones_and_its_district_the_extent() -> None:
    from gwangju_twin.expo.prepared import load_district
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from gwangju_twin.scene.pavilions import place_pavilions

    scene = load_scene(default_scene_path())
    district, report = load_district(scene)
    _, sites = place_pavilions(district, report, scene.pavilions, scene.path or scene.source)
    site = sites[0]
    others = [s.center for s in sites[1:]]
    cx, cy = site.center
    # 25 m either side of the centre: 50 m apart (beyond the 40 m radius) but both nearer
    # this pavilion's centre than any other's (the shipped sites are 80 m or more apart).
    assert min(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 for x, y in others) >= 50.0
    with server("--scene", str(default_scene_path())) as srv:
        async def go() -> None:
            a = await Client.join(srv.url)
            b = await Client.join(srv.url)
            far = await Client.join(srv.url)
            await a.pose(cx, cy - 25.0)
            await b.pose(cx, cy + 25.0)
            await far.pose(1e5, 1e5, 1e4)  # far beyond the district: clamped
            await a.until(lambda: b.id in a.seen)
            await a.until(lambda: any(s.far for s in a.of(m.Snapshot)))
            rows = {c.id: c for s in a.of(m.Snapshot) for c in s.far}
            assert far.id in rows and rows[far.id].zone is None
            # The district's east and north edges plus the 500 m margin, well inside the
            # default box of 5 km: the scene's extent was used.
            assert 0 < rows[far.id].x < 5000 and 0 < rows[far.id].y < 5000
            # The one far away sees both as coarse rows in the pavilion's zone.
            def zones() -> dict[str, str | None]:
                return {c.id: c.zone for s in far.of(m.Snapshot) for c in s.far}

            await far.until(lambda: a.id in zones() and b.id in zones())
            assert zones()[a.id] == zones()[b.id] == site.id

        run(go())
