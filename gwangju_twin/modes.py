"""Modes: the base of every closed set of named states and kinds (a booth's state, a plugin's
slot state, a hook, a tour event, ...), so each set is a type that mypy and ``match`` check."""

from __future__ import annotations

from enum import Enum


class Mode(str, Enum):
    """A member of a closed set of modes that is also its text.

    A member equals, hashes, prints, formats and JSON-encodes as its value
    (``str(CycleState.VISIT) == f"{CycleState.VISIT}" == "visit"``), so logs, reports and
    tests read exactly as they did when modes were plain strings. This is ``enum.StrEnum``,
    which Python 3.10 does not have yet.
    """

    # Enum's own __str__ and __format__ give "ClassName.MEMBER" (Python 3.11 and later): that
    # would leak into every message and file name a mode is written into.
    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(str(self), spec)
