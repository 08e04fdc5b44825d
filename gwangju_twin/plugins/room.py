"""``ctx.room``: a demo shares small state with the same demo on the other viewers in the room.

When the viewer is in a shared room (docs/presence.md), ``ctx.room.publish(key, value)``
sends a small JSON value to every viewer in it, where the same plugin's
``ctx.room.subscribe`` callbacks get it, e.g. the civic map's new pins appearing for
everyone. Alone, ``publish`` sends nothing and returns False, so a demo never has to ask.

Limits (the presence server enforces the same): a key is 1-64 characters of letters,
digits and ``._:-``; a value is JSON of at most ``MAX_VALUE_BYTES`` (compact UTF-8) and
``MAX_DEPTH`` levels of nesting; a plugin publishes at most ``RATE`` values a second on
average (bursts of ``BURST``), and what is over that is dropped (``publish`` returns False).
A bad key or value is the plugin's bug: ``ValueError``, which the host turns into "demo
unavailable" like any fault. Callbacks run between frames under the host's fault isolation,
as timers do.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol


class Timers(Protocol):
    """What the room needs of the plugin's ``ctx.timers``: callbacks between frames."""

    def after(self, seconds: float, fn: Callable[[], None]) -> object:
        """Call ``fn`` once, ``seconds`` from now."""

#: The largest value, in bytes of compact UTF-8 JSON (presence.messages.MAX_SHARE_BYTES).
MAX_VALUE_BYTES = 512
#: The deepest nesting of a value (presence.messages.MAX_SHARE_DEPTH).
MAX_DEPTH = 4
#: Values a second a plugin may publish on average, and in a burst.
RATE, BURST = 2.0, 5
#: A key (presence.messages.SHARE_KEY).
KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")

Callback = Callable[[str, Any, "str | None"], None]


class RoomLink(Protocol):
    """What the viewer's shared room offers the plugins (implemented by the touring shell)."""

    def share(self, demo_id: str, key: str, value: Any) -> bool:
        """Send ``value`` under ``key`` for ``demo_id``; False when not in a room now."""


def check_value(value: Any) -> str:
    """``value`` as compact JSON if it is small and shallow enough; ValueError otherwise."""

    def depth(node: Any, level: int) -> None:
        if level > MAX_DEPTH:
            raise ValueError(f"ctx.room: value nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for k, item in node.items():
                if not isinstance(k, str):
                    raise ValueError("ctx.room: object keys must be text")
                depth(item, level + 1)
        elif isinstance(node, (list, tuple)):
            for item in node:
                depth(item, level + 1)

    depth(value, 0)
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"ctx.room: the value is not plain JSON ({exc})") from None
    size = len(text.encode("utf-8"))
    if size > MAX_VALUE_BYTES:
        raise ValueError(f"ctx.room: value of {size} bytes; at most {MAX_VALUE_BYTES}")
    return text


class Room:
    """A plugin's door to the shared room (``ctx.room``)."""

    def __init__(self, demo_id: str, timers: Timers,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.demo_id = demo_id
        #: The viewer's room, set by the shell while it is joined to one (host use).
        self.link: RoomLink | None = None
        self._timers = timers
        self._clock = clock
        self._subscribers: list[tuple[str | None, Callback]] = []
        self._tokens = float(BURST)
        self._filled_at = clock()
        self.dropped = 0  # publishes over the rate, counted

    def publish(self, key: str, value: Any) -> bool:
        """Send ``value`` under ``key`` to this demo on every other viewer in the room.

        Returns False (nothing sent) when the viewer is in no room or the plugin publishes
        faster than ``RATE`` a second; raises ValueError for a bad key or value.
        """
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise ValueError(f"ctx.room: key {key!r}; expected 1-64 letters, digits or ._:-")
        plain = json.loads(check_value(value))  # what the others will get, tuples as lists
        now = self._clock()
        self._tokens = min(float(BURST), self._tokens + (now - self._filled_at) * RATE)
        self._filled_at = now
        if self._tokens < 1.0:
            self.dropped += 1
            return False
        if self.link is None or not self.link.share(self.demo_id, key, plain):
            return False
        self._tokens -= 1.0
        return True

    def subscribe(self, fn: Callback, key: str | None = None) -> None:
        """Call ``fn(key, value, sender)`` for each value another viewer's copy of this demo
        publishes (only under ``key`` when given). ``sender`` is an anonymous visitor id."""
        self._subscribers.append((key, fn))

    def deliver(self, key: str, value: Any, sender: str | None) -> int:
        """A value from the room for this demo (shell use): the matching callbacks are
        queued to run between frames under fault isolation; returns how many."""
        due = [fn for wanted, fn in self._subscribers if wanted is None or wanted == key]
        for fn in due:
            self._timers.after(0.0, partial(fn, key, value, sender))
        return len(due)

    def clear(self) -> None:
        """Forget every subscription (the plugin is unloaded)."""
        self._subscribers.clear()
