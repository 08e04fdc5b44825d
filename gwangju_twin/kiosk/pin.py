"""The operator PIN: stored only as a salted PBKDF2 hash, checked in constant time, guarded by
a back-off against guessing, and reached by a hidden corner hold on the touch screen.

Pure: no window. Time comes from an injectable clock, so the back-off and the hold are tested
without sleeping.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

#: The scheme name at the start of every stored PIN hash.
SCHEME = "pbkdf2_sha256"
#: PBKDF2 rounds for new hashes: slow enough that a stolen config is costly to brute-force.
DEFAULT_ITERATIONS = 200_000
#: Bytes of random salt in a new hash.
SALT_BYTES = 16
#: The shortest and longest PIN, in digits.
PIN_LENGTH = (4, 12)
#: A screen corner the operator's hidden hold can be in.
Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
#: The operator corners CornerHold understands (also the values of [operator] corner).
CORNERS: tuple[Corner, ...] = get_args(Corner)

# [0-9], not \d: \d also matches non-ASCII digits such as "٣", which a keypad never sends.
_PIN = re.compile(r"[0-9]{4,12}")  # PIN_LENGTH
_B64 = re.compile(r"[A-Za-z0-9_-]+")
_DIGEST_BYTES = hashlib.sha256().digest_size
# Bounds on a stored hash: a salt shorter than 8 bytes defeats its purpose, and an absurd
# iteration count would freeze the kiosk on every PIN attempt.
_SALT_RANGE = (8, 64)
_ITERATIONS_RANGE = (1, 10_000_000)
#: The PBKDF2 iteration counts a kiosk accepts in its config: fewer makes a stolen config
#: cheap to brute-force (a 4-digit PIN space falls in microseconds at 1 iteration); more makes
#: every attempt slow on a booth's modest CPU (10,000,000 took 2.7 s per try).
STRENGTH_RANGE = (100_000, 2_000_000)
#: Hashes that have appeared in the project's own docs or tests: their PIN is public, so a
#: kiosk refuses them. Add any hash that is ever published (a test greps docs/ and tests/).
PUBLISHED_HASHES: frozenset[str] = frozenset({
    # docs/kiosk.toml until issue 11: the PIN "2468".
    "pbkdf2_sha256$200000$ZlaXYKI1sM4pvA5iyJZamg$GCRkvc4LWhzXEc_26PLhhLJ9hDAgF70EK68bVhS2I_Q",
})


@dataclass(frozen=True)
class PinHash:
    """A parsed stored PIN hash: PBKDF2-HMAC-SHA256 ``iterations``, ``salt`` and ``digest``."""

    iterations: int
    salt: bytes
    digest: bytes

    def __str__(self) -> str:
        return f"{SCHEME}${self.iterations}${_b64(self.salt)}${_b64(self.digest)}"


@dataclass(frozen=True)
class Attempt:
    """What PinGate.attempt made of one PIN entry.

    ``ok``: the PIN was right. ``refused``: it was not checked at all (back-off running, or no
    PIN configured). ``wait``: seconds before another try is accepted (0 when one is now).
    ``failures``: consecutive wrong PINs so far.
    """

    ok: bool
    refused: bool
    wait: float
    failures: int


def check_pin(pin: str) -> str:
    """``pin`` if it is 4 to 12 ASCII digits; ValueError otherwise (the PIN is not echoed)."""
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        lo, hi = PIN_LENGTH
        raise ValueError(f"the PIN must be {lo} to {hi} digits (0-9)")
    return pin


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = DEFAULT_ITERATIONS) -> str:
    """The text to store for ``pin``: ``"pbkdf2_sha256$<iterations>$<salt>$<digest>"``, salt
    and digest in URL-safe base64 without padding.

    ``salt`` defaults to 16 fresh random bytes, so two hashes of one PIN differ. ValueError
    when the PIN is not 4 to 12 digits, or the salt or iteration count is out of range.
    """
    check_pin(pin)
    if salt is None:
        salt = os.urandom(SALT_BYTES)
    _check_bounds(len(salt), _SALT_RANGE, "salt length in bytes")
    _check_bounds(iterations, _ITERATIONS_RANGE, "iterations")
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return str(PinHash(iterations, salt, digest))


def parse_pin_hash(text: str) -> PinHash:
    """The parts of a stored PIN hash (as made by hash_pin); ValueError saying what is wrong.

    The message never repeats ``text``: a mistaken config may hold a plain PIN there.
    """
    if not isinstance(text, str):
        raise ValueError("a PIN hash is text")
    parts = text.split("$")
    if len(parts) != 4:
        raise ValueError(f"a PIN hash has four parts: {SCHEME}$<iterations>$<salt>$<digest>")
    scheme, iterations_text, salt_text, digest_text = parts
    if scheme != SCHEME:
        raise ValueError(f"a PIN hash starts with {SCHEME}$")
    if not iterations_text.isascii() or not iterations_text.isdigit():
        raise ValueError("the PIN hash's iteration count is not a whole number")
    iterations = int(iterations_text)
    _check_bounds(iterations, _ITERATIONS_RANGE, "PIN hash iterations")
    salt = _unb64(salt_text, "salt")
    _check_bounds(len(salt), _SALT_RANGE, "PIN hash salt length in bytes")
    digest = _unb64(digest_text, "digest")
    if len(digest) != _DIGEST_BYTES:
        raise ValueError(f"the PIN hash's digest is not {_DIGEST_BYTES} bytes")
    return PinHash(iterations, salt, digest)


def check_strength(stored: PinHash) -> None:
    """ValueError unless ``stored``'s iteration count is in STRENGTH_RANGE, or if the hash
    is one of PUBLISHED_HASHES (its PIN is known to anyone who read the docs)."""
    lo, hi = STRENGTH_RANGE
    if not lo <= stored.iterations <= hi:
        raise ValueError(f"the PIN hash has {stored.iterations} PBKDF2 iterations; expected "
                         f"{lo} to {hi}")
    if str(stored) in PUBLISHED_HASHES:
        raise ValueError("the PIN hash is a published sample (its PIN is public)")


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches the ``stored`` hash; the digests are compared in constant time.

    A PIN that is not 4 to 12 digits simply does not match; a malformed ``stored`` raises
    ValueError (the config loader rejects those first).
    """
    return _matches(pin, parse_pin_hash(stored))


def _matches(pin: str, stored: PinHash) -> bool:
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), stored.salt, stored.iterations)
    return hmac.compare_digest(digest, stored.digest)


class PinGate:
    """The operator PIN entry, with a back-off against guessing.

    The first ``free_tries`` consecutive wrong PINs cost nothing. Each further wrong PIN makes
    the next try wait ``first_wait * 2**k`` seconds (k = 0 for the first wrong PIN beyond the
    free ones, then 1, 2, ...), at most ``max_wait``. While that wait runs, attempts are
    refused unchecked, even the right PIN, so guessing cannot go faster than the back-off. A
    right PIN clears the count. With no PIN configured every attempt is refused.
    """

    def __init__(
        self,
        pin_hash: str | None,
        clock: Callable[[], float] = time.monotonic,
        free_tries: int = 3,
        first_wait: float = 5.0,
        max_wait: float = 300.0,
    ) -> None:
        """``pin_hash`` as made by hash_pin (ValueError if malformed), or None for "no PIN"."""
        if free_tries < 0 or first_wait < 0 or max_wait < first_wait:
            raise ValueError("expected free_tries >= 0 and 0 <= first_wait <= max_wait")
        self._stored = None if pin_hash is None else parse_pin_hash(pin_hash)
        self._clock = clock
        self._free_tries = free_tries
        self._first_wait = float(first_wait)
        self._max_wait = float(max_wait)
        self._failures = 0
        self._until = float("-inf")  # clock time from which another try is accepted
        self._checking = False  # a PIN was taken by start() and awaits settle()

    @property
    def configured(self) -> bool:
        """Whether a PIN is set (without one, the operator menu cannot be opened by PIN)."""
        return self._stored is not None

    @property
    def failures(self) -> int:
        """Consecutive wrong PINs since the last right one."""
        return self._failures

    def locked_for(self) -> float:
        """Seconds until another try is accepted (0 when one is now)."""
        return max(0.0, self._until - self._clock())

    @property
    def checking(self) -> bool:
        """Whether a PIN taken by :meth:`start` awaits its :meth:`settle`."""
        return self._checking

    def attempt(self, pin: str) -> Attempt:
        """Try ``pin``: checked unless the back-off is running or no PIN is configured.

        The same as :meth:`start`, :meth:`check` and :meth:`settle` in a row, in this thread.
        """
        refused = self.start(pin)
        if refused is not None:
            return refused
        return self.settle(self.check(pin))

    def start(self, pin: str) -> Attempt | None:
        """Take ``pin`` for checking: None when it is to be checked (call :meth:`check`,
        e.g. in a worker thread, then :meth:`settle`), or the refusal when it is not (no PIN
        configured, the back-off running, or another PIN still being checked)."""
        if self._stored is None:
            return Attempt(ok=False, refused=True, wait=0.0, failures=self._failures)
        wait = self.locked_for()
        if wait > 0 or self._checking:
            return Attempt(ok=False, refused=True, wait=wait, failures=self._failures)
        self._checking = True
        return None

    def check(self, pin: str) -> bool:
        """Whether ``pin`` matches the stored hash: the slow PBKDF2 part alone. It reads only
        the immutable stored hash, so it may run in another thread."""
        return self._stored is not None and _matches(pin, self._stored)

    def settle(self, ok: bool) -> Attempt:
        """Apply the result of :meth:`check` for the PIN :meth:`start` took: a right PIN
        clears the count, a wrong one counts and may start the back-off."""
        self._checking = False
        if ok:
            self._failures = 0
            self._until = float("-inf")
            return Attempt(ok=True, refused=False, wait=0.0, failures=0)
        self._failures += 1
        beyond = self._failures - self._free_tries - 1
        wait = 0.0
        if beyond >= 0:
            # The exponent is capped so a long siege cannot overflow the float.
            wait = min(self._max_wait, self._first_wait * 2.0 ** min(beyond, 60))
            self._until = self._clock() + wait
        return Attempt(ok=False, refused=False, wait=wait, failures=self._failures)


class CornerHold:
    """The hidden operator gesture: press in one corner of the window and hold still there.

    Coordinates are normalised window coordinates, -1..1 with y up. ``zone`` is the fraction of
    the window's width and height counted as the corner (top-left is x <= -1 + 2*zone and
    y >= 1 - 2*zone). ``due`` turns True once per hold: after ``hold_seconds`` from a press
    that began in the corner and never left it; release or leaving the corner starts over.
    """

    def __init__(self, corner: str, hold_seconds: float, zone: float = 0.08) -> None:
        """ValueError for an unknown corner, a hold that is not positive or a zone outside
        (0, 0.5]."""
        if corner not in CORNERS:
            raise ValueError(f"corner is {corner!r}; expected one of {', '.join(CORNERS)}")
        if not hold_seconds > 0:
            raise ValueError(f"hold_seconds is {hold_seconds}; expected more than 0")
        if not 0 < zone <= 0.5:
            raise ValueError(f"zone is {zone}; expected more than 0 and at most 0.5")
        self.corner = corner
        self.hold_seconds = float(hold_seconds)
        self.zone = float(zone)
        self._since: float | None = None  # when the current in-corner press began
        self._fired = False

    def inside(self, x: float, y: float) -> bool:
        """Whether the point (x, y) lies in this hold's corner zone."""
        edge = 1.0 - 2.0 * self.zone
        vertical, horizontal = self.corner.split("-")
        in_x = x <= -edge if horizontal == "left" else x >= edge
        in_y = y >= edge if vertical == "top" else y <= -edge
        return in_x and in_y

    def press(self, x: float, y: float, now: float) -> None:
        """A press (touch or button down) at (x, y); starts a hold when inside the corner."""
        self._since = now if self.inside(x, y) else None
        self._fired = False

    def move(self, x: float, y: float, now: float) -> None:
        """The pointer moved to (x, y); leaving the corner during a hold cancels it."""
        if self._since is not None and not self.inside(x, y):
            self._since = None

    def release(self, now: float) -> None:
        """The press ended; the hold, if any, is over."""
        self._since = None

    def due(self, now: float) -> bool:
        """True once, the first time it is asked after the hold has lasted hold_seconds."""
        if self._since is None or self._fired or now - self._since < self.hold_seconds:
            return False
        self._fired = True
        return True


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    """Decode URL-safe base64 without padding; only the canonical spelling is accepted, so a
    stored hash has exactly one text."""
    problem = ValueError(f"the PIN hash's {what} is not URL-safe base64")
    if not _B64.fullmatch(text) or len(text) % 4 == 1:
        raise problem
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise problem from None
    if _b64(data) != text:
        raise problem
    return data


def _check_bounds(value: int, bounds: tuple[int, int], what: str) -> None:
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{what} is {value}; expected a whole number from {lo} to {hi}")
