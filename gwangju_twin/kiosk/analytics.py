"""Kiosk visit analytics in SQLite: what a booth needs to know, and nothing about who.

Only timestamps (unix seconds), pavilion ids, plugin ids, language codes, end reasons, the
booth's id (its host name unless the config names it) and the supervisor's crash notes are
stored: no names, no faces, no free text typed by visitors.

Every call of :class:`VisitLog` commits at once (WAL journal), so a ``kill -9`` in the middle
of a visit loses at most that visit's unfinished stay; the next :class:`VisitLog` of the same
booth closes the visit as ``"interrupted"`` at its last recorded event (another booth sharing
the file keeps its live visit). Times inside a visit run on a monotonic clock from the
visit's wall-clock start, so a clock stepped back does not shrink a stay.
:func:`day_reports` summarises per day with a few ``GROUP BY`` queries, for
``gwangju-twin kiosk report [--csv]``. Every database problem is an :class:`AnalyticsError`:
one line naming the file and what to do.
"""

from __future__ import annotations

import csv
import io
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, NoReturn

from gwangju_twin.errors import InputError
from gwangju_twin.terminal import shown

#: Why a visit ended, as stored in ``visits.end_reason``: nobody touched the booth, the
#: operator closed or restarted it, the booth shut down, a new visit began with it still open,
#: or (set by the next VisitLog) the viewer died with the visit open.
EndReason = Literal["idle", "operator", "shutdown", "superseded", "interrupted"]
#: How the viewer failed, as stored in ``crashes.kind``: it died, or it stopped beating and
#: the supervisor killed it.
CrashKind = Literal["crash", "hang"]
#: A row of one of the report's GROUP BY queries.
_Row = tuple[Any, ...]

#: PRAGMA user_version of the schema below; bump it with a migration when the schema changes
#: (version 2 added the booth column to visits and crashes; see _MIGRATIONS).
SCHEMA_VERSION = 2
#: PRAGMA application_id ("GWKA"), so another program's SQLite file is not mistaken for ours.
APPLICATION_ID = 0x47574B41
#: How long a writer waits for the other process's transaction (the viewer and the
#: supervisor share the file); transactions here are single short statements.
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    ended REAL,
    end_reason TEXT,
    language TEXT NOT NULL,
    last_event REAL NOT NULL,
    booth TEXT NOT NULL DEFAULT ''
);
CREATE TABLE stays (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id),
    pavilion TEXT NOT NULL,
    entered REAL NOT NULL,
    left_at REAL
);
CREATE TABLE demo_starts (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id),
    pavilion TEXT NOT NULL,
    plugin TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE crashes (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    count INTEGER NOT NULL,
    safe INTEGER NOT NULL,
    booth TEXT NOT NULL DEFAULT ''
);
-- Partial indexes: only open rows are looked up by writers (closing a stay, recovering
-- after a kill), and they stay tiny however many closed rows a week of the expo adds.
CREATE INDEX visits_open ON visits(id) WHERE ended IS NULL;
CREATE INDEX stays_open ON stays(visit_id) WHERE left_at IS NULL;
"""
#: Statements that bring a file of version N (the key) to N + 1. Rows written before the
#: booth column existed get the booth "" (unknown).
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: ("ALTER TABLE visits ADD COLUMN booth TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE crashes ADD COLUMN booth TEXT NOT NULL DEFAULT ''"),
}


class AnalyticsError(InputError):
    """The visit database cannot be used (unwritable, full, damaged, not ours, locked).

    Its message is one line naming the file, what went wrong and what to do.
    """


def default_booth_id() -> str:
    """The booth id when the config names none: this machine's host name."""
    return socket.gethostname() or "booth"


def _connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), or InputError."""
    if path.is_dir():
        raise AnalyticsError(f"{path}: is a folder; expected a kiosk visit database file")
    if path.exists() and not path.is_file():
        # /dev/null, a FIFO, a device: SQLite cannot keep a database (or its WAL) there.
        raise AnalyticsError(f"{path}: is not a regular file; expected a kiosk visit database "
                             "file (set [analytics] database to a file path)")
    try:
        # isolation_level=None: the module's own BEGIN IMMEDIATE decides where transactions
        # start, instead of sqlite3's implicit deferred BEGIN. timeout is the busy_timeout.
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        _raise_for(path, exc)
    try:
        # The first real read: a file that is not SQLite fails here, not later.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        conn.close()
        _raise_for(path, exc)
    return conn


def _raise_for(path: Path, exc: sqlite3.Error) -> NoReturn:
    """Raise the one-line AnalyticsError for an SQLite error: what went wrong, what to do."""
    text = str(exc).replace("\n", " ")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        if "full" in text:  # SQLITE_FULL is reported as a plain DatabaseError by some calls
            raise AnalyticsError(f"{path}: the disk is full ({text}); expected free space for "
                                 "the kiosk visit database: free some, or set [analytics] "
                                 "database to another disk") from exc
        raise AnalyticsError(f"{path}: not an SQLite database ({text}); "
                             "expected a kiosk visit database") from exc
    if "full" in text:
        raise AnalyticsError(f"{path}: the disk is full ({text}); expected free space for "
                             "the kiosk visit database: free some, or set [analytics] "
                             "database to another disk") from exc
    if "unable to open" in text or "readonly" in text:
        raise AnalyticsError(f"{path}: cannot open for writing ({text}); "
                             "expected a writable kiosk visit database") from exc
    if "no such table" in text or "no such column" in text:
        raise AnalyticsError(f"{path}: the kiosk visit database is damaged ({text}); move "
                             "the file aside and the kiosk starts a new one") from exc
    if "locked" in text or "busy" in text:
        raise AnalyticsError(f"{path}: the kiosk visit database is locked by another process "
                             f"({text}); expected it free within {BUSY_TIMEOUT_MS // 1000} s: "
                             "try again, or stop what holds it") from exc
    raise AnalyticsError(f"{path}: cannot use the kiosk visit database ({text}); expected a "
                         "writable file on a working disk with free space: check the disk, "
                         "or set [analytics] database to another file") from exc


def _check_schema(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version the file holds, 0 if it is empty; InputError for anything else."""
    # One statement, so one snapshot: read one by one, another process's schema commit can
    # land between them and show tables without our application id.
    app_id, version, tables = conn.execute(
        "SELECT (SELECT application_id FROM pragma_application_id), "
        "(SELECT user_version FROM pragma_user_version), "
        "(SELECT count(*) FROM sqlite_master)"
    ).fetchone()
    if app_id == 0 and version == 0 and tables == 0:
        return 0
    if app_id != APPLICATION_ID:
        raise AnalyticsError(f"{path}: an SQLite database of another program; "
                             "expected a kiosk visit database")
    if version > SCHEMA_VERSION:
        raise AnalyticsError(f"{path}: kiosk visit database version {version} is newer than "
                             f"this gwangju-twin reads (version {SCHEMA_VERSION}); expected an "
                             "upgrade")
    if version < 1:
        raise AnalyticsError(f"{path}: a kiosk visit database without a schema version; "
                             "expected one made by gwangju-twin: move it aside")
    return int(version)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to the WAL journal (stored in the file: a no-op once done)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            # The switch needs the file to itself and SQLite does not wait for that (no busy
            # handler), so two processes opening a fresh file at once can meet here.
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class VisitLog:
    """Writes visits as they happen; every call commits at once.

    WAL journal with ``synchronous=NORMAL``: a committed call survives the process being
    killed (only a power cut may lose the last few). ``busy_timeout`` lets the supervisor
    process and the viewer process both write to the same file.

    The viewer opens it with ``recover=True`` (the default), which closes visits a killed
    process of the same ``booth`` left open: ``ended`` = their last recorded event time,
    ``end_reason = "interrupted"``, and their open pavilion stays end at that same time.
    Another booth's visits are its own (it may be running). The supervisor, which only calls
    :meth:`record_crash`, passes ``recover=False`` so that opening the log never closes the
    live viewer's visit.

    ``clock`` gives the wall-clock timestamps; ``monotonic`` measures time inside a visit
    (every event of a visit is its start plus monotonic seconds since). It defaults to
    ``time.monotonic`` with the default clock and to ``clock`` itself with any other (a
    test's or a rehearsal's simulated time). ``booth`` (default: the host name) tags the
    visits and crashes this log writes. Every database failure raises AnalyticsError.
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time, *,
                 recover: bool = True, monotonic: Callable[[], float] | None = None,
                 booth: str | None = None) -> None:
        """Open (creating parent folders and the schema if needed) the database at ``path``."""
        self._path = Path(path)
        self._clock = clock
        if monotonic is None:
            monotonic = time.monotonic if clock is time.time else clock
        self._monotonic = monotonic
        self._booth = booth or default_booth_id()
        self._visit: int | None = None
        self._stay: int | None = None
        # (wall-clock start, monotonic start) of the visit in progress.
        self._anchor: tuple[float, float] | None = None
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{self._path}: cannot create its folder ({exc.strerror}); "
                             "expected a writable folder for the kiosk visit database") from exc
        self._conn = _connect(self._path)
        try:
            self._setup(recover)
        except sqlite3.Error as exc:
            self._conn.close()
            _raise_for(self._path, exc)
        except BaseException:
            self._conn.close()
            raise

    def _setup(self, recover: bool) -> None:
        # Refuse another program's database before switching its journal mode.
        _check_schema(self._conn, self._path)
        _use_wal(self._conn)
        # Per connection: in WAL mode a commit survives a killed process without an fsync each.
        self._conn.execute("PRAGMA synchronous = NORMAL")
        with self._write():
            # Checked inside the write lock so two processes opening a fresh file at once
            # do not both create the schema.
            version = _check_schema(self._conn, self._path)
            if not version:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version < SCHEMA_VERSION:
                for step in range(version, SCHEMA_VERSION):
                    for statement in _MIGRATIONS[step]:
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if recover:
                self._recover()

    def _recover(self) -> None:
        # Only this booth's open visits ("" : written before booths were recorded): another
        # booth sharing the file may be in the middle of its visit.
        mine = "(SELECT id FROM visits WHERE ended IS NULL AND booth IN (?, ''))"
        # A stay cannot end before it began, even if the wall clock stepped back.
        self._conn.execute(
            "UPDATE stays SET left_at = max(entered, "
            "(SELECT last_event FROM visits v WHERE v.id = stays.visit_id)) "
            f"WHERE left_at IS NULL AND visit_id IN {mine}", (self._booth,),
        )
        self._conn.execute(
            "UPDATE visits SET ended = last_event, end_reason = 'interrupted' "
            f"WHERE id IN {mine}", (self._booth,),
        )

    @contextmanager
    def _write(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, where busy_timeout applies; a deferred
        # transaction upgrading from read to write in WAL mode fails at once with "locked".
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            _raise_for(self._path, exc)
        try:
            yield
        except BaseException as exc:
            # SQLite may have rolled back already (a full disk does).
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                _raise_for(self._path, exc)
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            _raise_for(self._path, exc)

    def _now(self) -> float:
        """The time of an event: inside a visit its wall-clock start plus the monotonic
        seconds since (never less than the start); outside one the wall clock."""
        if self._anchor is None:
            return self._clock()
        wall, mono = self._anchor
        return wall + max(0.0, self._monotonic() - mono)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def booth(self) -> str:
        """The booth id this log writes into its rows."""
        return self._booth

    @property
    def visit_id(self) -> int | None:
        """The id of the visit in progress, or None between visits."""
        return self._visit

    def start_visit(self, language: str) -> int:
        """Begin a visit in ``language`` (ending an open one as ``"superseded"``); its id."""
        before = self._now()
        now, mono = self._clock(), self._monotonic()
        with self._write():
            if self._visit is not None:
                self._end(before, "superseded")
            cur = self._conn.execute(
                "INSERT INTO visits (started, language, last_event, booth) VALUES (?, ?, ?, ?)",
                (now, language, now, self._booth),
            )
        # In-memory state changes only after the commit, so a failed call leaves it matching
        # the file.
        visit = cur.lastrowid
        assert visit is not None  # sqlite3 sets it after every INSERT of a row
        self._visit, self._stay, self._anchor = visit, None, (now, mono)
        return visit

    def enter_pavilion(self, pavilion_id: str) -> None:
        """The visitor entered ``pavilion_id`` (closing the open stay); ignored outside a visit."""
        if self._visit is None:
            return
        now = self._now()
        with self._write():
            self._close_stay(now)
            cur = self._conn.execute(
                "INSERT INTO stays (visit_id, pavilion, entered) VALUES (?, ?, ?)",
                (self._visit, pavilion_id, now),
            )
            self._touch(now)
        self._stay = cur.lastrowid

    def leave_pavilion(self) -> None:
        """The visitor left the pavilion: its dwell is now minus entered. Ignored if none."""
        if self._stay is None:
            return
        now = self._now()
        with self._write():
            self._close_stay(now)
            self._touch(now)
        self._stay = None

    def demo_started(self, pavilion_id: str, plugin_id: str) -> None:
        """A pavilion's demo (``plugin_id``) started; ignored outside a visit."""
        if self._visit is None:
            return
        now = self._now()
        with self._write():
            self._conn.execute(
                "INSERT INTO demo_starts (visit_id, pavilion, plugin, at) VALUES (?, ?, ?, ?)",
                (self._visit, pavilion_id, plugin_id, now),
            )
            self._touch(now)

    def note_language(self, language: str) -> None:
        """The visitor switched language; a visit counts under its last one. Ignored outside."""
        if self._visit is None:
            return
        now = self._now()
        with self._write():
            self._conn.execute("UPDATE visits SET language = ? WHERE id = ?",
                               (language, self._visit))
            self._touch(now)

    def end_visit(self, reason: EndReason) -> None:
        """End the visit (``"idle"``, ``"operator"``, ``"shutdown"``...); ignored if none."""
        if self._visit is None:
            return
        now = self._now()
        with self._write():
            self._end(now, reason)
        self._visit = self._stay = self._anchor = None

    def record_crash(self, kind: CrashKind, detail: str, count: int, safe: bool) -> None:
        """The supervisor saw the viewer ``kind`` ("crash" or "hang"); no visit needed.

        ``detail`` is the supervisor's short note (exit code, signal), ``count`` its count of
        failures in a row, ``safe`` whether it restarted the viewer in safe mode.
        """
        now = self._clock()
        with self._write():
            self._conn.execute(
                "INSERT INTO crashes (at, kind, detail, count, safe, booth) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (now, kind, detail, int(count), int(bool(safe)), self._booth),
            )

    def close(self) -> None:
        """End an open visit as ``"shutdown"`` and close the database (AnalyticsError when
        that last write fails; the database is closed all the same)."""
        if self._conn is None:
            return
        try:
            self.end_visit("shutdown")
        finally:
            self._conn.close()
            self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> VisitLog:
        """The log itself; :meth:`close` runs on leaving the block."""
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Close the log."""
        self.close()

    def _touch(self, now: float) -> None:
        # last_event is where recovery ends a visit whose process was killed.
        self._conn.execute("UPDATE visits SET last_event = max(last_event, ?) WHERE id = ?",
                           (now, self._visit))

    def _close_stay(self, now: float) -> None:
        if self._stay is None:
            return
        self._conn.execute("UPDATE stays SET left_at = max(entered, ?) WHERE id = ?",
                           (now, self._stay))

    def _end(self, now: float, reason: EndReason) -> None:
        self._close_stay(now)
        self._conn.execute(
            "UPDATE visits SET ended = max(started, ?), end_reason = ?, "
            "last_event = max(last_event, ?) WHERE id = ?",
            (now, reason, now, self._visit),
        )


@dataclass(frozen=True)
class PavilionDay:
    """One pavilion on one day: stays, the distinct visits that entered it, dwell, demos."""

    pavilion: str
    stays: int
    visits: int
    dwell_seconds: float
    mean_dwell_seconds: float
    demo_starts: int


@dataclass(frozen=True)
class DayReport:
    """One day (local date of each visit's start; of each crash) of kiosk use."""

    day: str
    visits: int
    mean_visit_seconds: float
    interrupted: int
    languages: dict[str, int]
    pavilions: tuple[PavilionDay, ...]
    demo_starts: int
    crashes: int
    hangs: int
    safe_fallbacks: int
    #: Crashes and hangs per booth id ("" for rows written before booths were recorded).
    failures_by_booth: dict[str, int] = field(default_factory=dict)


# A visit still open (live, or killed and not yet recovered) counts up to its last event,
# the same end recovery would give it, so a report reads the same before and after recovery.
_VISIT_END = "coalesce(v.ended, v.last_event)"
_STAY_END = f"coalesce(s.left_at, max(s.entered, {_VISIT_END}))"

_VISITS_SQL = f"""
SELECT day(v.started) AS d, count(*), avg({_VISIT_END} - v.started),
       sum(v.end_reason = 'interrupted')
FROM visits v GROUP BY d
"""
_LANGUAGES_SQL = "SELECT day(v.started) AS d, v.language, count(*) FROM visits v GROUP BY d, 2"
_STAYS_SQL = f"""
SELECT day(v.started) AS d, s.pavilion, count(*), count(DISTINCT s.visit_id),
       sum({_STAY_END} - s.entered)
FROM stays s JOIN visits v ON v.id = s.visit_id GROUP BY d, s.pavilion
"""
_DEMOS_SQL = """
SELECT day(v.started) AS d, ds.pavilion, count(*)
FROM demo_starts ds JOIN visits v ON v.id = ds.visit_id GROUP BY d, ds.pavilion
"""
_CRASHES_SQL = """
SELECT day(at) AS d, sum(kind = 'crash'), sum(kind = 'hang'), sum(safe)
FROM crashes GROUP BY d
"""
_CRASH_BOOTHS_SQL = "SELECT day(at) AS d, booth, count(*) FROM crashes GROUP BY d, booth"


def day_reports(path: Path, tz: tzinfo | None = None) -> list[DayReport]:
    """Per-day summaries of the visit database at ``path``, oldest day first.

    Days are dates in ``tz`` (None: this machine's local time). A missing file, a folder,
    or a file that is not a kiosk visit database raises InputError (a damaged or unreadable
    one AnalyticsError).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"no kiosk visits recorded yet at {path}")
    conn = _connect(path)
    try:
        version = _check_schema(conn, path)
        if not version:
            raise AnalyticsError(f"{path}: an empty SQLite database; expected a kiosk visit "
                                 "database")

        def day(ts: float) -> str:
            return datetime.fromtimestamp(ts, tz).date().isoformat()

        # Grouping on a Python function keeps the local-date rule (DST, any tz) in one place;
        # SQLite still does the grouping, calling it once per row.
        conn.create_function("day", 1, day, deterministic=True)
        visits = conn.execute(_VISITS_SQL).fetchall()
        languages = conn.execute(_LANGUAGES_SQL).fetchall()
        stays = conn.execute(_STAYS_SQL).fetchall()
        demos = conn.execute(_DEMOS_SQL).fetchall()
        crashes = conn.execute(_CRASHES_SQL).fetchall()
        # A version-1 file (not yet opened by a newer kiosk) has no booth column.
        booths = (conn.execute(_CRASH_BOOTHS_SQL).fetchall() if version >= 2 else
                  conn.execute(_CRASH_BOOTHS_SQL.replace("booth", "''")).fetchall())
    except sqlite3.Error as exc:
        _raise_for(path, exc)
    finally:
        conn.close()
    return _assemble(visits, languages, stays, demos, crashes, booths)


def _assemble(visits: Sequence[_Row], languages: Sequence[_Row], stays: Sequence[_Row],
              demos: Sequence[_Row], crashes: Sequence[_Row],
              booths: Sequence[_Row] = ()) -> list[DayReport]:
    """DayReports from the grouped rows (a handful per day and pavilion, not per visit)."""
    langs: dict[str, dict[str, int]] = {}
    for d, lang, n in languages:
        langs.setdefault(d, {})[lang] = n
    pav: dict[str, dict[str, list]] = {}
    for d, name, n_stays, n_visits, dwell in stays:
        pav.setdefault(d, {})[name] = [n_stays, n_visits, float(dwell or 0.0), 0]
    for d, name, n in demos:
        # A demo can be started from a menu without entering the pavilion.
        pav.setdefault(d, {}).setdefault(name, [0, 0, 0.0, 0])[3] = n
    per_visit = {d: (n, float(mean or 0.0), int(intr or 0)) for d, n, mean, intr in visits}
    per_crash = {d: (int(c or 0), int(h or 0), int(s or 0)) for d, c, h, s in crashes}
    per_booth: dict[str, dict[str, int]] = {}
    for d, booth, n in booths:
        per_booth.setdefault(d, {})[str(booth)] = int(n)
    reports = []
    for d in sorted(per_visit.keys() | per_crash.keys()):
        n, mean, interrupted = per_visit.get(d, (0, 0.0, 0))
        pavilions = tuple(sorted(
            (PavilionDay(name, s, v, dwell, dwell / s if s else 0.0, demo)
             for name, (s, v, dwell, demo) in pav.get(d, {}).items()),
            key=lambda p: (-p.dwell_seconds, p.pavilion),
        ))
        lang = dict(sorted(langs.get(d, {}).items(), key=lambda kv: (-kv[1], kv[0])))
        c, h, s = per_crash.get(d, (0, 0, 0))
        reports.append(DayReport(
            day=d, visits=n, mean_visit_seconds=mean, interrupted=interrupted, languages=lang,
            pavilions=pavilions, demo_starts=sum(p.demo_starts for p in pavilions),
            crashes=c, hangs=h, safe_fallbacks=s,
            failures_by_booth=dict(sorted(per_booth.get(d, {}).items())),
        ))
    return reports


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def format_report(days: Sequence[DayReport]) -> str:
    """A plain-text report, one block per day, as ``gwangju-twin kiosk report`` prints it."""
    if not days:
        return "no kiosk visits recorded"
    blocks = []
    for r in days:
        lines = [
            f"{r.day}  {r.visits} visits, mean {_duration(r.mean_visit_seconds)}, "
            f"{r.interrupted} interrupted",
            "  languages   " + (", ".join(f"{shown(k)} {v}" for k, v in r.languages.items())
                                 or "none"),
            f"  demos       {r.demo_starts} started",
            f"  failures    {r.crashes} crashes, {r.hangs} hangs, "
            f"{r.safe_fallbacks} safe-mode restarts",
        ]
        if r.failures_by_booth:
            lines.append("  by booth    " + ", ".join(
                f"{shown(b) or '(unknown)'} {n}" for b, n in r.failures_by_booth.items()))
        if r.pavilions:
            names = {p.pavilion: shown(p.pavilion) for p in r.pavilions}
            width = max(8, *(len(n) for n in names.values()))
            lines.append(f"  {'pavilion':<{width}}  {'visits':>6}  {'stays':>6}  "
                         f"{'dwell':>9}  {'mean':>8}  {'demos':>5}")
            lines.extend(
                f"  {names[p.pavilion]:<{width}}  {p.visits:>6}  {p.stays:>6}  "
                f"{_duration(p.dwell_seconds):>9}  {_duration(p.mean_dwell_seconds):>8}  "
                f"{p.demo_starts:>5}"
                for p in r.pavilions
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


#: The columns of report_csv, in order.
CSV_FIELDS = ("day", "pavilion", "visits", "stays", "dwell_seconds", "mean_dwell_seconds",
              "demo_starts", "day_visits", "mean_visit_seconds", "crashes", "hangs")


def report_csv(days: Sequence[DayReport]) -> str:
    """CSV of ``days``: per day a ``*`` row with the day's totals, then one row per pavilion.

    The day columns (``day_visits``, ``mean_visit_seconds``, ``crashes``, ``hangs``) repeat on
    every row of the day so any row can be filtered on its own. Seconds are rounded to 0.1.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for r in days:
        day_cols = [r.visits, round(r.mean_visit_seconds, 1), r.crashes, r.hangs]
        stays = sum(p.stays for p in r.pavilions)
        dwell = float(sum(p.dwell_seconds for p in r.pavilions))
        writer.writerow([r.day, "*", r.visits, stays, round(dwell, 1),
                         round(dwell / stays, 1) if stays else 0.0, r.demo_starts, *day_cols])
        for p in r.pavilions:
            writer.writerow([r.day, shown(p.pavilion), p.visits, p.stays,
                             round(p.dwell_seconds, 1), round(p.mean_dwell_seconds, 1),
                             p.demo_starts, *day_cols])
    return out.getvalue()
