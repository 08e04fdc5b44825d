"""The operator PIN: hashing, checking, the guessing back-off and the hidden corner hold."""

from __future__ import annotations

import pytest

from gwangju_twin.kiosk.pin import (
    CORNERS,
    DEFAULT_ITERATIONS,
    CornerHold,
    PinGate,
    PinHash,
    check_pin,
    hash_pin,
    parse_pin_hash,
    verify_pin,
)

FAST = 1_000  # iterations for tests that hash a lot


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hash_and_verify_round_trip() -> None:
    stored = hash_pin("2468")
    assert stored.startswith(f"pbkdf2_sha256${DEFAULT_ITERATIONS}$")
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not verify_pin("02468", stored)


def test_parsed_hash_has_its_parts_and_prints_back() -> None:
    stored = hash_pin("123456", salt=b"s" * 16, iterations=FAST)
    parsed = parse_pin_hash(stored)
    assert parsed == PinHash(FAST, b"s" * 16, parsed.digest)
    assert len(parsed.digest) == 32
    assert str(parsed) == stored
    # A fixed salt gives a fixed hash: the same inputs, the same text.
    assert hash_pin("123456", salt=b"s" * 16, iterations=FAST) == stored


def test_two_hashes_of_one_pin_differ_by_their_salt() -> None:
    first, second = hash_pin("2468", iterations=FAST), hash_pin("2468", iterations=FAST)
    assert first != second
    assert parse_pin_hash(first).salt != parse_pin_hash(second).salt
    assert len(parse_pin_hash(first).salt) == 16
    assert verify_pin("2468", first) and verify_pin("2468", second)


def test_the_stored_text_never_holds_the_pin() -> None:
    for _ in range(20):
        stored = hash_pin("83917264", iterations=FAST)
        assert "83917264" not in stored
        assert verify_pin("83917264", stored)


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", " 1234", "1234\n",
                                 "12 34", "١٢٣٤", "１２３４", "-123"])
def test_pins_must_be_4_to_12_ascii_digits(pin: str) -> None:
    with pytest.raises(ValueError, match="4 to 12 digits"):
        hash_pin(pin, iterations=FAST)
    with pytest.raises(ValueError, match="4 to 12 digits"):
        check_pin(pin)
    # Checking such a PIN is just "no", never an error.
    assert not verify_pin(pin, hash_pin("1234", iterations=FAST))


@pytest.mark.parametrize("pin", ["1234", "000000000000", "0042"])
def test_good_pins(pin: str) -> None:
    assert verify_pin(pin, hash_pin(pin, iterations=FAST))


@pytest.mark.parametrize("kwargs", [{"salt": b"short"}, {"iterations": 0},
                                    {"iterations": -5}, {"salt": b"x" * 65}])
def test_hash_pin_rejects_bad_salt_or_iterations(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        hash_pin("2468", **kwargs)


GOOD = hash_pin("2468", salt=bytes(range(16)), iterations=FAST)
_, _ITER, _SALT, _DIGEST = GOOD.split("$")


@pytest.mark.parametrize("text", [
    "", "2468", "pbkdf2_sha256", GOOD + "$", GOOD.replace("$", "$$", 1),
    f"pbkdf2_sha1${_ITER}${_SALT}${_DIGEST}", f"PBKDF2_SHA256${_ITER}${_SALT}${_DIGEST}",
    f"pbkdf2_sha256$abc${_SALT}${_DIGEST}", f"pbkdf2_sha256$0${_SALT}${_DIGEST}",
    f"pbkdf2_sha256$-1${_SALT}${_DIGEST}", f"pbkdf2_sha256$1e3${_SALT}${_DIGEST}",
    f"pbkdf2_sha256$99999999999${_SALT}${_DIGEST}", f"pbkdf2_sha256$１０００${_SALT}${_DIGEST}",
    f"pbkdf2_sha256${_ITER}$${_DIGEST}", f"pbkdf2_sha256${_ITER}$AAAA${_DIGEST}",
    f"pbkdf2_sha256${_ITER}${_SALT}==${_DIGEST}", f"pbkdf2_sha256${_ITER}${_SALT}${_DIGEST}A",
    f"pbkdf2_sha256${_ITER}${_SALT}${_DIGEST[:-4]}", f"pbkdf2_sha256${_ITER}${_SALT}+/${_DIGEST}",
    f"pbkdf2_sha256${_ITER}${_SALT}$ {_DIGEST}", f"pbkdf2_sha256${_ITER}${_SALT}${_DIGEST}\n",
    f"pbkdf2_sha256${_ITER}${_SALT[:-1]}B${_DIGEST}",  # non-canonical trailing bits
])
def test_malformed_hashes_are_rejected(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_pin_hash(text)
    if text.isdigit():
        # The message never repeats what was there: a plain PIN must not reach a log.
        assert text not in str(caught.value)
    with pytest.raises(ValueError):
        verify_pin("2468", text)


def test_non_text_hash_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_pin_hash(2468)  # type: ignore[arg-type]


def test_the_good_hash_used_above_parses() -> None:
    assert parse_pin_hash(GOOD).iterations == FAST


# ---------------------------------------------------------------- PinGate


def gate(clock: FakeClock, **kwargs) -> PinGate:
    return PinGate(hash_pin("2468", iterations=FAST), clock=clock, **kwargs)


def test_right_pin_opens_the_gate() -> None:
    clock = FakeClock()
    g = gate(clock)
    assert g.configured
    result = g.attempt("2468")
    assert result.ok and not result.refused and result.wait == 0 and result.failures == 0


def test_free_tries_cost_nothing() -> None:
    clock = FakeClock()
    g = gate(clock)
    for n in (1, 2, 3):
        result = g.attempt("0000")
        assert not result.ok and not result.refused and result.wait == 0
        assert result.failures == n == g.failures
        assert g.locked_for() == 0


def test_waits_double_after_the_free_tries_and_are_capped() -> None:
    clock = FakeClock()
    g = gate(clock, free_tries=3, first_wait=5.0, max_wait=300.0)
    for _ in range(3):
        g.attempt("0000")
    waits = []
    for _ in range(9):
        result = g.attempt("0000")
        assert not result.refused and not result.ok
        assert g.locked_for() == result.wait
        waits.append(result.wait)
        clock.now += result.wait  # wait it out exactly: then a try is accepted
        assert g.locked_for() == 0
    assert waits == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert g.failures == 12


def test_a_long_siege_does_not_overflow() -> None:
    clock = FakeClock()
    g = gate(clock, free_tries=0, first_wait=1.0, max_wait=60.0)
    for _ in range(1100):
        result = g.attempt("0000")
        clock.now += result.wait
    assert result.wait == 60.0


def test_while_locked_even_the_right_pin_is_refused_unchecked() -> None:
    clock = FakeClock()
    g = gate(clock)
    for _ in range(4):
        g.attempt("0000")
    assert g.locked_for() == 5.0
    clock.now += 2.0
    result = g.attempt("2468")
    assert result.refused and not result.ok
    assert result.wait == pytest.approx(3.0)
    assert result.failures == 4 == g.failures  # a refused try is not counted
    wrong = g.attempt("1111")
    assert wrong.refused and wrong.failures == 4
    clock.now += 3.0
    assert g.locked_for() == 0
    assert g.attempt("2468").ok


def test_a_right_pin_resets_the_count() -> None:
    clock = FakeClock()
    g = gate(clock)
    for _ in range(5):
        clock.now += g.attempt("0000").wait
    assert g.failures == 5
    assert g.attempt("2468").ok
    assert g.failures == 0
    for n in (1, 2, 3):
        assert g.attempt("0000").wait == 0 and g.failures == n
    assert g.attempt("0000").wait == 5.0  # the back-off starts over from first_wait


def test_malformed_pin_entries_count_as_wrong() -> None:
    clock = FakeClock()
    g = gate(clock)
    result = g.attempt("12")
    assert not result.ok and not result.refused and result.failures == 1


def test_no_pin_configured_refuses_everything() -> None:
    g = PinGate(None, clock=FakeClock())
    assert not g.configured
    for pin in ("2468", "0000", ""):
        result = g.attempt(pin)
        assert result.refused and not result.ok
    assert g.locked_for() == 0


def test_gate_rejects_a_malformed_hash_and_bad_settings() -> None:
    with pytest.raises(ValueError):
        PinGate("2468")
    good = hash_pin("2468", iterations=FAST)
    for kwargs in ({"free_tries": -1}, {"first_wait": -1.0}, {"first_wait": 10.0, "max_wait": 5}):
        with pytest.raises(ValueError):
            PinGate(good, **kwargs)


def test_gate_uses_the_monotonic_clock_by_default() -> None:
    g = PinGate(hash_pin("2468", iterations=FAST), free_tries=0, first_wait=100.0)
    assert g.attempt("0000").wait == 100.0
    assert 99.0 < g.locked_for() <= 100.0


# ---------------------------------------------------------------- CornerHold

#: A point well inside each corner zone (zone 0.08: within 0.16 of both edges).
INSIDE = {"top-left": (-0.95, 0.95), "top-right": (0.95, 0.95),
          "bottom-left": (-0.95, -0.95), "bottom-right": (0.95, -0.95)}


@pytest.mark.parametrize("corner", CORNERS)
def test_hold_fires_after_hold_seconds_not_before(corner: str) -> None:
    hold = CornerHold(corner, 3.0)
    x, y = INSIDE[corner]
    hold.press(x, y, 10.0)
    assert not hold.due(10.0)
    assert not hold.due(12.99)
    assert hold.due(13.0)


@pytest.mark.parametrize("corner", CORNERS)
def test_hold_fires_once_per_hold(corner: str) -> None:
    hold = CornerHold(corner, 3.0)
    x, y = INSIDE[corner]
    hold.press(x, y, 0.0)
    assert hold.due(5.0)
    assert not hold.due(6.0)
    assert not hold.due(60.0)
    hold.release(61.0)
    assert not hold.due(70.0)
    hold.press(x, y, 100.0)  # a new hold fires again
    assert not hold.due(101.0)
    assert hold.due(103.5)


@pytest.mark.parametrize("corner", CORNERS)
def test_moving_out_of_the_corner_cancels(corner: str) -> None:
    hold = CornerHold(corner, 3.0)
    x, y = INSIDE[corner]
    hold.press(x, y, 0.0)
    hold.move(x * 0.9, y * 0.9, 1.0)  # still inside: fine
    hold.move(0.0, 0.0, 2.0)
    hold.move(x, y, 2.5)  # coming back does not resume the hold
    assert not hold.due(10.0)


@pytest.mark.parametrize("corner", CORNERS)
def test_release_before_the_time_cancels(corner: str) -> None:
    hold = CornerHold(corner, 3.0)
    hold.press(*INSIDE[corner], 0.0)
    hold.release(2.0)
    assert not hold.due(5.0)


@pytest.mark.parametrize("corner", CORNERS)
def test_presses_outside_the_zone_never_fire(corner: str) -> None:
    hold = CornerHold(corner, 1.0)
    x, y = INSIDE[corner]
    for px, py in ((0.0, 0.0), (x, 0.0), (0.0, y), (-x, y), (x, -y), (x * 0.8, y * 0.8)):
        hold.press(px, py, 0.0)
        hold.move(x, y, 0.5)  # sliding into the corner is not a press in it
        assert not hold.due(10.0)
        hold.release(10.0)


@pytest.mark.parametrize("corner", CORNERS)
def test_the_zone_edge_counts_as_inside(corner: str) -> None:
    hold = CornerHold(corner, 1.0, zone=0.1)
    sx, sy = (1 if v > 0 else -1 for v in INSIDE[corner])
    assert hold.inside(sx * 0.8, sy * 0.8)
    assert hold.inside(sx * 1.0, sy * 1.0)
    assert not hold.inside(sx * 0.79, sy * 0.8)
    assert not hold.inside(sx * 0.8, sy * 0.79)


def test_top_left_zone_is_as_documented() -> None:
    hold = CornerHold("top-left", 1.0, zone=0.08)
    assert hold.inside(-1 + 0.16, 1 - 0.16)
    assert not hold.inside(-1 + 0.17, 1.0)
    assert not hold.inside(-1.0, 1 - 0.17)
    assert not hold.inside(-1.0, -1.0)


def test_hold_rejects_bad_arguments() -> None:
    for args in (("middle", 3.0), ("top-left", 0.0), ("top-left", -1.0)):
        with pytest.raises(ValueError):
            CornerHold(*args)
    for zone in (0.0, -0.1, 0.6):
        with pytest.raises(ValueError):
            CornerHold("top-left", 3.0, zone=zone)


def test_a_gate_takes_one_pin_at_a_time_and_settles_it() -> None:
    # The booth checks a PIN in a worker thread: start() takes it, check() is the slow
    # part, settle() applies it; another PIN meanwhile is refused unchecked.
    gate = PinGate(hash_pin("2468", iterations=FAST), clock=lambda: 0.0)
    assert gate.start("1111") is None and gate.checking
    refused = gate.start("2468")
    assert refused is not None and refused.refused and not refused.ok
    assert not gate.check("1111") and gate.check("2468")
    wrong = gate.settle(False)
    assert not wrong.ok and not wrong.refused and wrong.failures == 1 and not gate.checking
    assert gate.start("2468") is None
    assert gate.settle(gate.check("2468")).ok and gate.failures == 0


def test_a_gate_without_a_pin_refuses_start() -> None:
    gate = PinGate(None)
    attempt = gate.start("2468")
    assert attempt is not None and attempt.refused and not gate.checking


def test_strength_and_published_hashes() -> None:
    from gwangju_twin.kiosk.pin import PUBLISHED_HASHES, STRENGTH_RANGE, check_strength

    lo, hi = STRENGTH_RANGE
    check_strength(PinHash(lo, b"s" * 16, b"d" * 32))
    check_strength(PinHash(hi, b"s" * 16, b"d" * 32))
    for n in (1, lo - 1, hi + 1, 10_000_000):
        with pytest.raises(ValueError, match=f"{n} PBKDF2 iterations"):
            check_strength(PinHash(n, b"s" * 16, b"d" * 32))
    for text in PUBLISHED_HASHES:
        with pytest.raises(ValueError, match="published"):
            check_strength(parse_pin_hash(text))
    # The old sample's hash: its PIN, 2468, was printed next to it.
    assert any(verify_pin("2468", h) for h in PUBLISHED_HASHES)
