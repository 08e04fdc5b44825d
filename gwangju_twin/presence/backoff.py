"""Reconnecting without a storm: exponential back-off with full jitter, capped, on an
explicit clock.

When a presence server dies, every viewer it served tries again. Waiting ``base x 2^n``
spreads nothing (they all died at the same moment); "full jitter" (a uniform draw in
``[0, min(cap, base x 2^n)]``, AWS Architecture Blog, "Exponential Backoff And Jitter", 2015)
spreads the retries over the whole window. The clock is passed in, so tests run on a fake
one and a viewer's frame loop asks ``due(now)`` without ever sleeping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """When to try again after ``failures`` failed attempts in a row.

    ``delay()`` is a uniform draw in ``[floor, min(cap, base x factor^(failures-1))]``; the
    floor keeps a tight loop from hammering a server that refuses at once.
    """

    base: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    floor: float = 0.05
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0
    next_at: float = 0.0

    def __post_init__(self) -> None:
        if not (0 < self.floor <= self.base <= self.cap and self.factor >= 1.0):
            raise ValueError("expected 0 < floor <= base <= cap and factor >= 1")

    def ceiling(self) -> float:
        """The largest delay the next draw may give."""
        if self.failures == 0:
            return 0.0
        # Cap the exponent too, so a day of failures does not overflow a float.
        exponent = min(self.failures - 1, 64)
        return float(min(self.cap, self.base * self.factor ** exponent))

    def failed(self, now: float) -> float:
        """One more failure at ``now``; returns the time of the next attempt."""
        self.failures += 1
        top = self.ceiling()
        self.next_at = now + self.rng.uniform(min(self.floor, top), top)
        return self.next_at

    def succeeded(self) -> None:
        """Connected: the next failure starts from ``base`` again."""
        self.failures = 0
        self.next_at = 0.0

    def due(self, now: float) -> bool:
        """Whether an attempt may start at ``now``."""
        return now >= self.next_at
