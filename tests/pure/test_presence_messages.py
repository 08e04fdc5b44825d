"""The presence protocol: every message round-trips, and anything malformed raises only
ProtocolError (never a crash) with a reason the server counts."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwangju_twin.presence import messages as m
from gwangju_twin.presence.nicknames import (
    ADJECTIVES,
    ANIMALS,
    COLOUR_COUNT,
    NICKNAME_COUNT,
    colour,
    nickname,
)

VID = "0123456789ab"


def _roundtrip_client(msg: m.ClientMessage) -> None:
    assert m.decode_client(m.encode(msg)) == msg


def _roundtrip_server(msg: m.ServerMessage) -> None:
    assert m.decode_server(m.encode(msg)) == msg


def test_every_client_message_round_trips() -> None:
    _roundtrip_client(m.Hello(room="sangmu", nickname_id=3, colour_id=2))
    _roundtrip_client(m.Hello(room="sangmu", nickname_id=NICKNAME_COUNT - 1, colour_id=0,
                              role=m.Role.GUIDE, token="s3cret", resume_id=VID,
                              resume_key="abc-DEF_1"))
    _roundtrip_client(m.Pose(pos=(1.5, -2.0, 30.0), yaw=-179.5, pitch=-10.0, pavilion="ai-hub"))
    _roundtrip_client(m.Pose(pos=(0.0, 0.0, 0.0), yaw=0.0, pitch=90.0))
    _roundtrip_client(m.Reaction(kind=m.ReactionKind.WAVE))
    _roundtrip_client(m.Reaction(kind=m.ReactionKind.PING, at=(10.0, 20.0, 0.0)))
    _roundtrip_client(m.Tour(action=m.TourAction.STEP, tour_id="expo-main", stop=2))
    _roundtrip_client(m.Share(demo_id="gwangju.civic", key="pin:3",
                              value={"x": 1.5, "label": "벤치", "ok": True}))
    _roundtrip_client(m.Bye())


def test_every_server_message_round_trips() -> None:
    _roundtrip_server(m.Welcome(id=VID, room="sangmu", resume_key="k", snapshot_hz=10.0,
                                max_bytes=2048, rate=30.0))
    near = m.Visitor(id=VID, nickname_id=5, colour_id=1, role=m.Role.GUIDE,
                     pos=(1.25, 2.5, 1.75), yaw=12.5, pitch=-3.0, pavilion=None)
    far = m.Coarse(id="ffffffffffff", nickname_id=0, colour_id=0, zone="solar", x=100.0, y=-3.0)
    _roundtrip_server(m.Snapshot(t=1234.5, seq=7, near=(near,), far=(far,), gone=(VID,)))
    _roundtrip_server(m.Reaction(kind=m.ReactionKind.LIKE, sender=VID))
    _roundtrip_server(m.Tour(action=m.TourAction.START, tour_id="t1", guide=VID))
    _roundtrip_server(m.Share(demo_id="gwangju.civic", key="k", value=[1, 2], sender=VID))
    _roundtrip_server(m.Error(code=m.ErrorCode.RATE_LIMITED, detail="slow down"))
    _roundtrip_server(m.Delta(t=1234.525, seq=7, near=(near,)))
    _roundtrip_server(m.Delta(t=1.0, seq=0, near=()))


# Each case: (raw message, the reason it must be refused with). Written by hand from the
# schema in docs/presence.md, not from the decoder's output.
BAD_CLIENT = [
    ("not json", "not_json"),
    (b"\xff\xfe", "not_json"),
    ("[1,2]", "not_object"),
    ('{"t":"teleport"}', "unknown_kind"),
    ('{"pos":[0,0,0]}', "unknown_kind"),
    ('{"t":"pose","pos":[0,0],"yaw":0,"pitch":0}', "bad_type"),
    ('{"t":"pose","pos":[0,0,NaN],"yaw":0,"pitch":0}', "not_finite"),
    ('{"t":"pose","pos":[0,0,Infinity],"yaw":0,"pitch":0}', "not_finite"),
    ('{"t":"pose","pos":[0,0,1e400],"yaw":0,"pitch":0}', "not_finite"),
    ('{"t":"pose","pos":[0,0,1e9],"yaw":0,"pitch":0}', "out_of_range"),
    ('{"t":"pose","pos":[0,0,0],"yaw":0,"pitch":91}', "out_of_range"),
    ('{"t":"pose","pos":[0,0,"1"],"yaw":0,"pitch":0}', "bad_type"),
    ('{"t":"pose","pos":[0,0,true],"yaw":0,"pitch":0}', "bad_type"),
    ('{"t":"pose","pos":[0,0,0],"yaw":0}', "missing_key"),
    ('{"t":"pose","pos":[0,0,0],"yaw":0,"pitch":0,"admin":true}', "unknown_key"),
    ('{"t":"pose","pos":[0,0,0],"yaw":0,"pitch":0,"pavilion":"../x"}', "bad_text"),
    ('{"t":"hello","v":2,"room":"a","nickname_id":0,"colour_id":0}', "version"),
    ('{"t":"hello","v":1,"room":"A B","nickname_id":0,"colour_id":0}', "bad_text"),
    ('{"t":"hello","v":1,"room":"a","nickname_id":-1,"colour_id":0}', "out_of_range"),
    (f'{{"t":"hello","v":1,"room":"a","nickname_id":{NICKNAME_COUNT},"colour_id":0}}',
     "out_of_range"),
    ('{"t":"hello","v":1,"room":"a","nickname_id":0,"colour_id":0,"role":"admin"}',
     "bad_enum"),
    ('{"t":"hello","v":1,"room":"a","nickname_id":0,"colour_id":0,"nickname":"x"}',
     "unknown_key"),
    ('{"t":"hello","v":1,"room":"a","nickname_id":0,"colour_id":0,"token":"a b"}', "bad_text"),
    ('{"t":"reaction","kind":"shout"}', "bad_enum"),
    ('{"t":"reaction","kind":"ping"}', "missing_key"),
    ('{"t":"reaction","kind":"wave","sender":"0123456789ab"}', "unknown_key"),
    ('{"t":"tour","action":"step","tour_id":"t","stop":256}', "out_of_range"),
    ('{"t":"tour","action":"step","tour_id":"t","guide":"0123456789ab"}', "unknown_key"),
    ('{"t":"share","demo_id":"gwangju.civic","key":"k","value":[[[[[1]]]]]}', "too_deep"),
    ('{"t":"share","demo_id":"gwangju.civic","key":"k","value":"' + "x" * 600 + '"}',
     "oversized"),
    ('{"t":"share","demo_id":"Bad Id","key":"k","value":1}', "bad_text"),
    ('{"t":"pose","pos":[0,0,0],"yaw":0,"pitch":0,"pavilion":"' + "a" * 3000 + '"}',
     "oversized"),
]


_ROW = '["0123456789ab",0,0,"visitor",1.5,2,3,10,0,null]'
# A delta as the schema in docs/presence.md has it, and ways it can be wrong; written by hand.
BAD_DELTA = [
    ('{"t":"delta","seq":1,"near":[]}', "missing_key"),
    ('{"t":"delta","ts":1,"seq":1}', "missing_key"),
    ('{"t":"delta","ts":1,"seq":1,"near":[],"gone":[]}', "unknown_key"),  # gone: snapshots
    ('{"t":"delta","ts":1,"seq":1,"near":[],"far":[]}', "unknown_key"),
    ('{"t":"delta","ts":-1,"seq":1,"near":[]}', "out_of_range"),
    ('{"t":"delta","ts":NaN,"seq":1,"near":[]}', "not_finite"),
    ('{"t":"delta","ts":1,"seq":1.5,"near":[]}', "bad_type"),
    ('{"t":"delta","ts":1,"seq":1,"near":{}}', "bad_type"),
    ('{"t":"delta","ts":1,"seq":1,"near":[["0123456789ab",0,0,"visitor",1,2,3,0,0]]}',
     "bad_type"),  # a row of 9
    ('{"t":"delta","ts":1,"seq":1,"near":[["0123456789ab",0,0,"admin",1,2,3,0,0,null]]}',
     "bad_enum"),
    ('{"t":"delta","ts":1,"seq":1,"near":[["0123456789ab",0,0,"visitor",1,2,3,0,0,"../x"]]}',
     "bad_text"),
    ('{"t":"delta","ts":1,"seq":1,"near":[["0123456789ab",0,0,"visitor",1,2,1e9,0,0,null]]}',
     "out_of_range"),
    # 257 rows: more than a room holds (MAX_DELTA_ROWS = 256), though under the byte limit.
    ('{"t":"delta","ts":1,"seq":1,"near":[' + ",".join([_ROW] * 257) + "]}", "out_of_range"),
    # Within a snapshot's 256 KiB but over a delta's 48 KiB: padding JSON ignores.
    ('{"t":"delta","ts":1,"seq":1,"near":[' + _ROW + "]" + " " * 49_200 + "}", "oversized"),
]


@pytest.mark.parametrize(("raw", "reason"), BAD_DELTA)
def test_malformed_deltas_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(m.ProtocolError) as caught:
        m.decode_server(raw)
    assert caught.value.reason == reason


def test_a_delta_of_the_limits_passes() -> None:
    rows = ",".join([_ROW] * m.MAX_DELTA_ROWS)
    raw = '{"t":"delta","ts":1,"seq":1,"near":[' + rows + "]}"
    raw = raw[:-1] + " " * (m.MAX_DELTA_BYTES - len(raw)) + "}"
    assert len(raw.encode()) == m.MAX_DELTA_BYTES
    delta = m.decode_server(raw)
    assert isinstance(delta, m.Delta) and len(delta.near) == m.MAX_DELTA_ROWS
    with pytest.raises(m.ProtocolError, match="oversized"):
        m.decode_server(raw[:-1] + " }")


def test_clients_never_send_deltas() -> None:
    with pytest.raises(m.ProtocolError, match="unknown_kind"):
        m.decode_client('{"t":"delta","ts":1,"seq":1,"near":[]}')


@pytest.mark.parametrize(("query", "wants", "valid"), [
    ("", set(), True),
    ("want=delta", {"delta"}, True),
    ("want=delta,teleport", {"delta"}, True),  # a newer client's feature: ignored
    ("want=teleport&want=delta", {"delta"}, True),
    ("lang=ko&want=", set(), True),
    ("want=Delta", set(), True),  # features are lowercase names, matched exactly
    ("want", set(), False),  # not key=value
    ("want=delta&", set(), False),
    ("want=del%74a", set(), False),  # no escapes: a feature name is plain
    ("want=" + "delta," * 60, set(), False),  # over MAX_QUERY (256)
])
def test_features_are_asked_for_in_the_query(query: str, wants: set[str], valid: bool) -> None:
    assert m.parse_wants(query) == (frozenset(wants), valid)


@pytest.mark.parametrize(("raw", "reason"), BAD_CLIENT)
def test_malformed_client_messages_are_refused_with_a_reason(raw: str | bytes,
                                                             reason: str) -> None:
    with pytest.raises(m.ProtocolError) as caught:
        m.decode_client(raw)
    assert caught.value.reason == reason


def test_a_message_of_the_limit_passes_and_one_byte_more_does_not() -> None:
    base = '{"t":"share","demo_id":"gwangju.civic","key":"k","value":{"a":"'
    # The share value's own limit (512) is smaller, so pad with spaces JSON ignores.
    body = base + "x" * 100 + '"}}'
    pad = m.MAX_CLIENT_BYTES - len(body)
    ok = body[:-1] + " " * pad + "}"
    assert len(ok.encode()) == m.MAX_CLIENT_BYTES
    assert isinstance(m.decode_client(ok), m.Share)
    with pytest.raises(m.ProtocolError, match="oversized"):
        m.decode_client(ok[:-1] + " }")


def test_deep_nesting_within_the_server_limit_is_refused_not_a_crash() -> None:
    # 100 000 brackets nest far deeper than Python's recursion limit (1000 by default).
    with pytest.raises(m.ProtocolError, match="not_json"):
        m.decode_server("[" * 100_000 + "]" * 100_000)


def test_the_size_limit_counts_utf8_bytes_not_characters() -> None:
    # 700 Hangul syllables are 2100 bytes of UTF-8 but only 700 characters.
    raw = '{"t":"bye","x":"' + "가" * 700 + '"}'
    with pytest.raises(m.ProtocolError, match="oversized"):
        m.decode_client(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                              max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["t", "pos", "yaw", "pitch", "kind", "room", "v",
                                        "nickname_id", "colour_id", "at", "value", "key",
                                        "demo_id", "action", "tour_id", "stop", "role",
                                        "ts", "seq", "near"]),
                       json_values, max_size=8),
       st.sampled_from(["hello", "pose", "reaction", "tour", "share", "bye", "snapshot",
                        "delta"]))
def test_arbitrary_objects_decode_or_raise_protocol_error_only(doc: dict[str, object],
                                                               kind: str) -> None:
    doc["t"] = kind
    raw = json.dumps(doc)  # NaN and Infinity included: json writes them
    for decode in (m.decode_client, m.decode_server):
        with contextlib.suppress(m.ProtocolError):
            decode(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_raise_protocol_error_only(raw: bytes) -> None:
    with contextlib.suppress(m.ProtocolError):
        m.decode_client(raw)


row_values = st.one_of(st.none(), st.booleans(), st.integers(-10, 300),
                       st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from(["0123456789ab", "visitor", "guide", "solar", "", "x" * 70]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(row_values, min_size=8, max_size=11), max_size=5),
       st.floats(allow_nan=True), st.integers(-5, 2**54))
def test_arbitrary_delta_rows_decode_or_raise_protocol_error_only(
        rows: list[list[object]], ts: float, seq: int) -> None:
    raw = json.dumps({"t": "delta", "ts": ts, "seq": seq, "near": rows})
    try:
        delta = m.decode_server(raw)
    except m.ProtocolError:
        return
    assert isinstance(delta, m.Delta) and len(delta.near) == len(rows)


def test_a_server_snapshot_row_with_a_bad_field_is_refused() -> None:
    good = m.encode(m.Snapshot(t=1.0, seq=1, near=()))
    doc = json.loads(good)
    doc["near"] = [["0123456789ab", 0, 0, "visitor", 0, 0, 0, 0, 0, "<script>"]]
    with pytest.raises(m.ProtocolError, match="bad_text"):
        m.decode_server(json.dumps(doc))


def test_nicknames_are_bilingual_distinct_and_indexed() -> None:
    names = [nickname(i) for i in range(NICKNAME_COUNT)]
    # 16 adjectives x 16 animals, counted in nicknames.py's two lists.
    assert NICKNAME_COUNT == len(ADJECTIVES) * len(ANIMALS) == 256
    assert len({n.en for n in names}) == NICKNAME_COUNT
    assert len({n.ko for n in names}) == NICKNAME_COUNT
    assert nickname(0) == ("용감한 호랑이", "Brave Tiger")
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in n.ko) for n in names)
    assert len(set(map(colour, range(COLOUR_COUNT)))) == COLOUR_COUNT
    with pytest.raises(ValueError):
        nickname(NICKNAME_COUNT)
