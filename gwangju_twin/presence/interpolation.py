"""Smooth avatars at any frame rate: snapshots are shown ``delay`` seconds late, and the
viewer interpolates between the two that straddle the moment it shows.

The server sends snapshots at 10 Hz; a viewer draws at 30 to 144 frames a second. Drawing
each avatar where the newest snapshot put it would make it jump ten times a second, so the
viewer keeps a short buffer and renders the past: ``delay`` (100 ms, one snapshot interval)
behind the server's clock, where there is almost always a snapshot on each side (the
"entity interpolation" of Valve's Source engine networking, developer.valvesoftware.com,
"Source Multiplayer Networking"). Positions are lerped; the heading takes the short way
round (350° to 10° turns 20°, not 340°).

Between snapshots a server may send deltas (the fast path: only who moved, within 25 ms of
their pose), so each visitor keeps a track of their own states and is interpolated along it.
The delay stays one pose interval (viewers send 10 poses a second, so a visitor's next state
is up to 0.1 s away whatever the server's rate), but what is shown is now the pose of 0.1 s
plus at most a flush ago, not 0.1 s plus up to a whole snapshot interval.

The server's clock is not the viewer's: ``ClockOffset`` estimates the difference from the
snapshots' timestamps, keeping the smallest seen (the least delayed one).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass

#: How far behind the server the viewer shows (seconds): one interval of 10 Hz snapshots,
#: and of the 10 Hz poses that deltas bring.
DELAY = 0.1
#: States kept per visitor (and messages remembered): one second at 10 Hz and a little more.
KEEP = 16
#: A visitor's last state again within this many seconds adds nothing (a snapshot repeating
#: what a delta brought, or a pose re-sent unchanged); later, it says they stood still. A
#: moving visitor's poses come every 0.1 s, so a repeat within 0.15 s is not a stop.
REPEAT_GAP = 0.15
#: Seconds a visitor who left view is remembered (then their track goes).
FORGET_AFTER = 2.0


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


class _Track:
    """One visitor's recent states (server time, state), oldest first."""

    __slots__ = ("ended", "samples", "since")

    def __init__(self, since: float) -> None:
        #: Shown from this server time on (at its first state until that is reached): the
        #: message before the one it first came in, as a snapshot-by-snapshot picture had it.
        self.since = since
        self.samples: list[tuple[float, State]] = []
        #: Left view (absent from a full snapshot): hidden once its last state is past.
        self.ended = False


class SnapshotBuffer:
    """The last few seconds of every near visitor's states, and the interpolated picture at
    any moment between them.

    Snapshots (``push``) carry everyone near; deltas (``merge``, the server's fast path)
    carry only who moved. So each visitor has a track of their own, and is interpolated
    between their own two states around the moment shown: a delta's state counts exactly
    like a snapshot's, whichever brought it first.
    """

    def __init__(self, delay: float = DELAY, keep: int = KEEP, repeat_gap: float = REPEAT_GAP,
                 forget_after: float = FORGET_AFTER) -> None:
        self.delay = delay
        self.keep = keep
        self.repeat_gap = repeat_gap
        self.forget_after = forget_after
        #: Server times of the messages taken (snapshots and deltas), oldest first.
        self.times: list[float] = []
        self.tracks: dict[str, _Track] = {}

    def push(self, server_t: float, states: Mapping[str, State]) -> None:
        """Add a snapshot: everyone near. A visitor not in it has left view. Late or
        duplicate ones (not newer than the newest message) are dropped."""
        if not self._take(server_t):
            return
        for vid, track in self.tracks.items():
            if vid not in states:
                track.ended = True
        self._add(server_t, states)
        self._forget(server_t)

    def merge(self, server_t: float, states: Mapping[str, State]) -> None:
        """Add a delta: the visitors in it moved; the others are as they were (not gone).
        Late or duplicate ones are dropped like snapshots."""
        if self._take(server_t):
            self._add(server_t, states)

    def _take(self, server_t: float) -> bool:
        if not math.isfinite(server_t) or (self.times and server_t <= self.times[-1]):
            return False
        self.times.append(server_t)
        if len(self.times) > self.keep:
            del self.times[0]
        return True

    def _add(self, server_t: float, states: Mapping[str, State]) -> None:
        before = self.times[-2] if len(self.times) > 1 else -math.inf
        for vid, state in states.items():
            track = self.tracks.get(vid)
            if track is None or track.ended:
                # New, or back in view: it starts afresh where it is (no glide from where
                # it was last seen).
                track = self.tracks[vid] = _Track(before)
            samples = track.samples
            if samples and samples[-1][1] == state:
                if len(samples) > 1 and samples[-2][1] == state:
                    samples[-1] = (server_t, state)  # still standing: the hold goes on
                    continue
                if server_t - samples[-1][0] < self.repeat_gap:
                    # The same pose again soon (a snapshot re-sending what a delta brought):
                    # nothing new. Recording it would stop the avatar there until the next.
                    continue
            samples.append((server_t, state))
            if len(samples) > self.keep:
                del samples[0]

    def _forget(self, server_t: float) -> None:
        old = [vid for vid, tr in self.tracks.items()
               if tr.ended and server_t - tr.samples[-1][0] > self.forget_after]
        for vid in old:
            del self.tracks[vid]

    def sample(self, server_now: float) -> dict[str, State]:
        """Every visitor as they were at ``server_now - delay``.

        Each visitor is interpolated between their two states around that moment; before
        their first state they are shown at it (once the picture reaches the message before
        the one they came in); after their last, held there (not extrapolated: a guess that
        overshoots looks worse than a pause), unless they have left view, then they are gone.
        """
        t = server_now - self.delay
        out: dict[str, State] = {}
        for vid, track in self.tracks.items():
            samples = track.samples
            if not samples or t < track.since:
                continue
            last_t, last = samples[-1]
            if t >= last_t:
                if not track.ended:
                    out[vid] = last
                continue
            i = bisect.bisect_right(samples, t, key=lambda s: s[0])
            if i == 0:
                out[vid] = samples[0][1]
                continue
            (t0, a), (t1, b) = samples[i - 1], samples[i]
            out[vid] = lerp_state(a, b, (t - t0) / (t1 - t0))
        return out
