"""Smooth avatars at any frame rate: snapshots are shown ``delay`` seconds late, and the
viewer interpolates between the two that straddle the moment it shows.

The server sends snapshots at 10 Hz; a viewer draws at 30 to 144 frames a second. Drawing
each avatar where the newest snapshot put it would make it jump ten times a second, so the
viewer keeps a short buffer and renders the past: ``delay`` (100 ms, one snapshot interval)
behind the server's clock, where there is almost always a snapshot on each side (the
"entity interpolation" of Valve's Source engine networking, developer.valvesoftware.com,
"Source Multiplayer Networking"). Positions are lerped; the heading takes the short way
round (350° to 10° turns 20°, not 340°).

The server's clock is not the viewer's: ``ClockOffset`` estimates the difference from the
snapshots' timestamps, keeping the smallest seen (the least delayed one).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass

#: How far behind the server the viewer shows (seconds): one interval of 10 Hz snapshots.
DELAY = 0.1
#: Snapshots kept: one second at 10 Hz and a little more.
KEEP = 16


@dataclass(frozen=True)
class State:
    """Where a visitor is and looks (the fields a viewer draws)."""

    x: float
    y: float
    z: float
    yaw: float
    pitch: float


def wrap180(angle: float) -> float:
    """``angle`` (degrees) in ``[-180, 180)``."""
    return (angle + 180.0) % 360.0 - 180.0


def lerp_angle(a: float, b: float, t: float) -> float:
    """From ``a`` towards ``b`` (degrees) by fraction ``t``, the short way round; result in
    ``[-180, 180)``."""
    return wrap180(a + wrap180(b - a) * t)


def lerp_state(a: State, b: State, t: float) -> State:
    """The state a fraction ``t`` (0..1) of the way from ``a`` to ``b``."""
    return State(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t,
                 lerp_angle(a.yaw, b.yaw, t), a.pitch + (b.pitch - a.pitch) * t)


class ClockOffset:
    """The server's clock minus the viewer's, from snapshots' timestamps.

    Each snapshot arrives some latency after its timestamp, so ``server_t - arrival`` is
    the true offset minus that latency; the largest value seen is the least delayed.
    It is forgotten slowly (``drift`` seconds per second) so a clock step is followed.
    """

    def __init__(self, drift: float = 0.01) -> None:
        self.offset: float | None = None
        self.seen_at = 0.0
        self.drift = drift

    def observe(self, server_t: float, arrival: float) -> None:
        """A snapshot stamped ``server_t`` arrived at local time ``arrival``."""
        sample = server_t - arrival
        if self.offset is None:
            self.offset = sample
        else:
            decayed = self.offset - self.drift * max(0.0, arrival - self.seen_at)
            self.offset = max(sample, decayed)
        self.seen_at = arrival

    def server_time(self, local: float) -> float:
        """The server's time now, at local time ``local``."""
        return local + (self.offset or 0.0)


class SnapshotBuffer:
    """The last few snapshots (server time -> visitor id -> state) and the interpolated
    picture at any moment between them."""

    def __init__(self, delay: float = DELAY, keep: int = KEEP) -> None:
        self.delay = delay
        self.keep = keep
        self.times: list[float] = []
        self.frames: list[Mapping[str, State]] = []

    def push(self, server_t: float, states: Mapping[str, State]) -> None:
        """Add a snapshot; late or duplicate ones (not newer than the newest) are dropped."""
        if not math.isfinite(server_t) or (self.times and server_t <= self.times[-1]):
            return
        self.times.append(server_t)
        self.frames.append(states)
        if len(self.times) > self.keep:
            del self.times[0], self.frames[0]

    def sample(self, server_now: float) -> dict[str, State]:
        """Every visitor as they were at ``server_now - delay``.

        Between two snapshots each visitor in both is interpolated; one only in the later
        snapshot (just arrived) appears where it first was; one only in the earlier (just
        left) is gone. Before the first snapshot: the first; after the last: the last (held,
        not extrapolated: a guess that overshoots looks worse than a pause).
        """
        if not self.times:
            return {}
        t = server_now - self.delay
        i = bisect.bisect_right(self.times, t)
        if i == 0:
            return dict(self.frames[0])
        if i == len(self.times):
            return dict(self.frames[-1])
        t0, t1 = self.times[i - 1], self.times[i]
        a, b = self.frames[i - 1], self.frames[i]
        f = (t - t0) / (t1 - t0)
        return {vid: (lerp_state(a[vid], sb, f) if vid in a else sb) for vid, sb in b.items()}
