"""Time the tests set by hand: a clock they move, and a day's noon to start it at."""

from __future__ import annotations

from datetime import datetime

#: Local noon, so a few minutes either way never cross midnight.
NOON = datetime(2025, 9, 3, 12, 0).timestamp()


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def tick(self, seconds: float) -> None:
        self.t += seconds
