"""``ctx.room``: a demo's small shared state, with its limits, on an explicit clock.

The limits are the presence protocol's (presence.messages), so a value ``publish`` accepts
is one the server accepts too; the test holds the two together.
"""

from __future__ import annotations

from typing import Any

import pytest

from gwangju_twin.plugins.context import Timers
from gwangju_twin.plugins.room import BURST, KEY, MAX_DEPTH, MAX_VALUE_BYTES, Room
from gwangju_twin.presence import messages as m


class Link:
    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.sent: list[tuple[str, str, Any]] = []

    def share(self, demo_id: str, key: str, value: Any) -> bool:
        if self.up:
            self.sent.append((demo_id, key, value))
        return self.up


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_limits_are_the_protocols() -> None:
    assert MAX_VALUE_BYTES == m.MAX_SHARE_BYTES
    assert MAX_DEPTH == m.MAX_SHARE_DEPTH
    assert KEY.pattern == m.SHARE_KEY.pattern


def test_alone_nothing_is_sent_and_nothing_breaks() -> None:
    room = Room("gwangju.civic", Timers())
    assert room.publish("pin", {"x": 1}) is False


def test_publish_sends_plain_json_through_the_link() -> None:
    room = Room("gwangju.civic", Timers())
    room.link = link = Link()
    assert room.publish("pin", {"at": (1.5, 2.0), "label": "벤치"}) is True
    # A tuple goes as a list: what the other viewers will get, not what this one had.
    assert link.sent == [("gwangju.civic", "pin", {"at": [1.5, 2.0], "label": "벤치"})]
    # The value the server would accept as a share message, byte for byte the same limits.
    assert m.decode_client(m.encode(m.Share("gwangju.civic", "pin", link.sent[0][2])))


def test_a_plugin_is_rate_limited_and_recovers_with_time() -> None:
    clock = Clock()
    room = Room("gwangju.civic", Timers(), clock=clock)
    room.link = link = Link()
    sent = [room.publish("n", k) for k in range(BURST + 3)]
    # A burst goes through, then the rest is dropped and counted.
    assert sent == [True] * BURST + [False] * 3 and room.dropped == 3
    clock.now += 0.5  # at 2 a second: one more token
    assert room.publish("n", "again") is True
    assert room.publish("n", "too soon") is False
    assert len(link.sent) == BURST + 1


def test_a_lost_room_costs_no_tokens() -> None:
    room = Room("gwangju.civic", Timers(), clock=Clock())
    room.link = Link(up=False)
    assert all(room.publish("n", k) is False for k in range(BURST + 2))
    assert room.dropped == 0


@pytest.mark.parametrize(("key", "value", "says"), [
    ("has space", 1, "key"),
    ("", 1, "key"),
    ("k" * 65, 1, "key"),
    ("ok", "x" * (MAX_VALUE_BYTES + 1), "bytes"),
    ("ok", [[[[[1]]]]], "nested"),
    ("ok", float("nan"), "not plain JSON"),
    ("ok", {1: "a"}, "keys must be text"),
    ("ok", {"a": object()}, "not plain JSON"),
])
def test_bad_keys_and_values_are_the_plugins_bug(key: str, value: Any, says: str) -> None:
    room = Room("gwangju.civic", Timers())
    room.link = Link()
    with pytest.raises(ValueError, match=says):
        room.publish(key, value)


def test_values_from_the_room_reach_subscribers_between_frames() -> None:
    timers = Timers()
    room = Room("gwangju.civic", timers)
    got: list[tuple[str, Any, str | None]] = []
    pins: list[Any] = []
    room.subscribe(lambda key, value, sender: got.append((key, value, sender)))
    room.subscribe(lambda key, value, sender: pins.append(value), key="pin")
    assert room.deliver("pin", [1, 2], "0123456789ab") == 2
    assert room.deliver("score", 3, None) == 1
    assert got == [] and pins == []  # nothing runs inside the network's delivery
    for fn in timers.advance(0.0):  # the host runs these under fault isolation
        fn()
    assert got == [("pin", [1, 2], "0123456789ab"), ("score", 3, None)]
    assert pins == [[1, 2]]
    room.clear()
    assert room.deliver("pin", 1, None) == 0
