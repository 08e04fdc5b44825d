"""The server's guards as plain data: a token bucket per connection, the scene's extent
that positions are clamped to, and the counters an operator reads."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from gwangju_twin.presence.messages import Vec3


@dataclass
class TokenBucket:
    """At most ``burst`` messages at once and ``rate`` a second on average.

    A pose at 10 Hz plus the odd reaction fits well inside the default; a client that
    floods gets its surplus dropped (and counted), not queued.
    """

    rate: float
    burst: float
    tokens: float = -1.0
    last: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def take(self, now: float) -> bool:
        """Spend a token at time ``now`` if there is one."""
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class Extent:
    """The box (local metres) that visitors' positions are clamped to: the scene and a
    margin of sky. A client's position is only ever drawn, never trusted: clamping keeps a
    lying client from putting avatars a light year away (or at NaN, refused earlier)."""

    xmin: float = -5000.0
    ymin: float = -5000.0
    xmax: float = 5000.0
    ymax: float = 5000.0
    zmin: float = -50.0
    zmax: float = 2000.0

    def clamp(self, pos: Vec3) -> Vec3:
        """``pos`` moved into the box."""
        x, y, z = pos
        return (min(max(x, self.xmin), self.xmax), min(max(y, self.ymin), self.ymax),
                min(max(z, self.zmin), self.zmax))

    def __post_init__(self) -> None:
        values = (self.xmin, self.ymin, self.xmax, self.ymax, self.zmin, self.zmax)
        if not all(math.isfinite(v) for v in values) or self.xmin > self.xmax \
                or self.ymin > self.ymax or self.zmin > self.zmax:
            raise ValueError(f"not a box: {values}")


class Counters(Counter[str]):
    """What happened, by name (``join``, ``leave``, ``drop``, ``malformed.<reason>``,
    ``rate_limited``, ...): numbers only, never who or from where."""

    def as_dict(self) -> dict[str, int]:
        """The counters, sorted by name (for ``/stats`` and the log line)."""
        return dict(sorted(self.items()))
