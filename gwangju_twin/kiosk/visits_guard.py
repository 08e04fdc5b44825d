"""Keeping a booth up when its analytics database is not: a probe and a guard.

Visit statistics are worth having, but never worth a blank booth. :func:`probe_database` is
what the supervisor runs before it starts any viewer: it opens the database the booth will
use, checks that every table is there and that a write reaches the disk, and says in one
sentence what is wrong. :class:`GuardedVisits` is what the viewer (and the supervisor, for
its crash rows) write through: the first failure of the database (a table dropped, the disk
full, the file gone) is logged once and turns analytics off for the rest of the run, instead
of an exception in the frame loop that kills the viewer and loops the booth.

Pure standard library plus :mod:`gwangju_twin.kiosk.analytics`; no Panda3D.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.analytics import SCHEMA_VERSION, CrashKind, EndReason, VisitLog

__all__ = ["GuardedVisits", "probe_database"]

# The columns each table must have for the booth and ``kiosk report`` to work (a subset check:
# a later schema may add columns).
_TABLES: dict[str, tuple[str, ...]] = {
    "visits": ("id", "started", "ended", "end_reason", "language", "last_event"),
    "stays": ("id", "visit_id", "pavilion", "entered", "left_at"),
    "demo_starts": ("id", "visit_id", "pavilion", "plugin", "at"),
    "crashes": ("id", "at", "kind", "detail", "count", "safe"),
}
# What the operator can do about a database fault, at the end of every message about one.
_FIX = ("Fix or remove the file, or set another [analytics] database; the booth runs "
        "without analytics until then")
# The failures a database can raise at the booth: SQLite's own, the file system's, and the
# analytics module's user-facing ones (a folder, another program's file).
_FAULTS = (sqlite3.Error, OSError, InputError)


def _why(path: Path, exc: BaseException) -> str:
    text = str(exc)
    # InputError texts already start with the path.
    return text if text.startswith(str(path)) else f"{path}: {text}"


def probe_database(path: Path) -> str | None:
    """None when the visit database at ``path`` can be used, else one sentence saying why not.

    The file is created (with the schema) if missing, as the booth would. A path that exists
    but is not a regular file (``/dev/null``, a FIFO) is refused before SQLite touches it.
    The write test commits a change that changes nothing (the schema version, set to itself),
    so a full disk or a read-only file shows here and not in the middle of a visit.
    """
    path = Path(path)
    if path.is_dir():
        return f"{path}: is a folder; expected a kiosk visit database file. {_FIX}"
    if path.exists() and not path.is_file():
        return f"{path}: is not a regular file; expected a kiosk visit database file. {_FIX}"
    try:
        VisitLog(path, recover=False).close()
    except _FAULTS as exc:
        return f"{_why(path, exc)}. {_FIX}"
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
    except sqlite3.Error as exc:
        return f"{_why(path, exc)}. {_FIX}"
    try:
        for table, columns in _TABLES.items():
            try:
                conn.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 0").fetchall()
            except sqlite3.OperationalError as exc:
                return (f"{path}: the kiosk visit database is damaged (table {table}: {exc}). "
                        f"{_FIX}")
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            return f"{path}: cannot write the kiosk visit database ({exc}). {_FIX}"
    finally:
        conn.close()
    return None


class GuardedVisits:
    """A :class:`~gwangju_twin.kiosk.analytics.VisitLog` that cannot take the booth down.

    Make it with :meth:`open` (or with ``None`` and a reason, when analytics are off from the
    start). Every method of VisitLog the booth calls is here; while analytics are on they go
    to the log, and the first database fault turns them off: logged once on ``log`` (with the
    file and what to do), the log closed, :attr:`off_reason` set, and every later call a no-op.
    """

    def __init__(self, visits: VisitLog | None, path: Path, log: logging.Logger,
                 off_reason: str | None = None) -> None:
        """Guard ``visits`` (None: analytics off for ``off_reason``) for the file ``path``."""
        self._visits = visits
        self._path = Path(path)
        self._log = log
        self.off_reason: str | None = (
            None if visits is not None else off_reason or "analytics off")

    @classmethod
    def open(cls, path: Path, log: logging.Logger, *, recover: bool = True,
             booth: str | None = None) -> GuardedVisits:
        """Open the visit log at ``path`` as ``booth`` (default: this host's name); a fault
        there gives a guard with analytics off."""
        path = Path(path)
        try:
            if path.exists() and not path.is_file():
                raise InputError(f"{path}: is not a regular file; expected a kiosk visit "
                                 "database file")
            visits = VisitLog(path, recover=recover, booth=booth)
        except _FAULTS as exc:
            guard = cls(None, path, log)
            guard._fail(exc)
            return guard
        return cls(visits, path, log)

    @property
    def on(self) -> bool:
        """Whether visits are still being recorded."""
        return self._visits is not None

    @property
    def path(self) -> Path:
        """The database file (also while analytics are off)."""
        return self._path

    @property
    def visit_id(self) -> int | None:
        """The visit in progress, or None (always None while analytics are off)."""
        return None if self._visits is None else self._visits.visit_id

    def _fail(self, exc: BaseException) -> None:
        reason = _why(self._path, exc)
        self.off_reason = reason
        visits, self._visits = self._visits, None
        if visits is not None:
            # Closing writes the open visit's end: on a broken file that fails too, and that
            # failure is the same fault, already being reported.
            with contextlib.suppress(*_FAULTS):
                visits.close()
        self._log.error("analytics off: %s. %s", reason, _FIX)

    def _call(self, name: str, *args: object) -> object:
        if self._visits is None:
            return None
        try:
            return getattr(self._visits, name)(*args)
        except _FAULTS as exc:
            self._fail(exc)
            return None

    def start_visit(self, language: str) -> int | None:
        """VisitLog.start_visit; None while analytics are off."""
        result = self._call("start_visit", language)
        return result if isinstance(result, int) else None

    def enter_pavilion(self, pavilion_id: str) -> None:
        """VisitLog.enter_pavilion."""
        self._call("enter_pavilion", pavilion_id)

    def leave_pavilion(self) -> None:
        """VisitLog.leave_pavilion."""
        self._call("leave_pavilion")

    def demo_started(self, pavilion_id: str, plugin_id: str) -> None:
        """VisitLog.demo_started."""
        self._call("demo_started", pavilion_id, plugin_id)

    def note_language(self, language: str) -> None:
        """VisitLog.note_language."""
        self._call("note_language", language)

    def end_visit(self, reason: EndReason) -> None:
        """VisitLog.end_visit."""
        self._call("end_visit", reason)

    def record_crash(self, kind: CrashKind, detail: str, count: int, safe: bool) -> None:
        """VisitLog.record_crash."""
        self._call("record_crash", kind, detail, count, safe)

    def close(self) -> None:
        """Close the log (ending an open visit as "shutdown"); safe to call twice."""
        self._call("close")
        if self._visits is not None:
            self._visits = None
            self.off_reason = "closed"
