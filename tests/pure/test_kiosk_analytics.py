"""Kiosk visit analytics: real SQLite files and a fake clock, in this process
(tests/system/test_kiosk_analytics_processes.py: kill -9, racing writers, a full disk)."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from clocks import NOON, FakeClock
from render_helpers import panda3d_loaded_by

from gwangju_twin.errors import InputError
from gwangju_twin.kiosk import analytics
from gwangju_twin.kiosk.analytics import (
    CSV_FIELDS,
    AnalyticsError,
    DayReport,
    PavilionDay,
    VisitLog,
    day_reports,
    format_report,
    report_csv,
)


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts).date().isoformat()


def _full_visit(log: VisitLog, clock: FakeClock) -> None:
    """start ko; +10 enter A; +20 demo in A; +20 leave; +5 enter B; +40 end (idle).

    A dwells 40 s, B 40 s, the visit lasts 95 s.
    """
    log.start_visit("ko")
    clock.tick(10)
    log.enter_pavilion("gwangju.solar")
    clock.tick(20)
    log.demo_started("gwangju.solar", "solar-demo")
    clock.tick(20)
    log.leave_pavilion()
    clock.tick(5)
    log.enter_pavilion("gwangju.shuttles")
    clock.tick(40)
    log.end_visit("idle")


def test_full_visit_with_two_pavilions(tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    path = tmp_path / "nested" / "visits.sqlite"
    with VisitLog(path, clock) as log:
        _full_visit(log, clock)
        assert log.visit_id is None
        clock.tick(100)
        # A second visit: 15 s in solar, a language switch, ended by the next visit starting.
        second = log.start_visit("en")
        assert log.visit_id == second
        log.enter_pavilion("gwangju.solar")
        clock.tick(15)
        log.note_language("ja")
        log.start_visit("ko")  # supersedes: the second visit lasted 15 s
        clock.tick(5)
        log.end_visit("operator")  # a third visit of 5 s with no pavilion
    [day] = day_reports(path)
    assert day.day == _day(NOON)
    assert day.visits == 3
    assert day.mean_visit_seconds == pytest.approx((95 + 15 + 5) / 3)
    assert day.interrupted == 0
    assert day.languages == {"ko": 2, "ja": 1}
    assert day.pavilions == (
        PavilionDay("gwangju.solar", stays=2, visits=2, dwell_seconds=55.0,
                    mean_dwell_seconds=27.5, demo_starts=1),
        PavilionDay("gwangju.shuttles", stays=1, visits=1, dwell_seconds=40.0,
                    mean_dwell_seconds=40.0, demo_starts=0),
    )
    assert day.demo_starts == 1
    assert (day.crashes, day.hangs, day.safe_fallbacks) == (0, 0, 0)
    with sqlite3.connect(path) as conn:
        reasons = conn.execute("SELECT end_reason FROM visits ORDER BY id").fetchall()
    assert reasons == [("idle",), ("superseded",), ("operator",)]


def test_calls_outside_a_visit_are_ignored(tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    path = tmp_path / "visits.sqlite"
    with VisitLog(path, clock) as log:
        log.enter_pavilion("gwangju.solar")
        log.demo_started("gwangju.solar", "solar-demo")
        log.leave_pavilion()
        log.note_language("en")
        log.end_visit("idle")
        assert log.visit_id is None
        log.record_crash("crash", "exit 1", 1, False)  # needs no visit
    [day] = day_reports(path)
    assert (day.visits, day.pavilions, day.demo_starts, day.crashes) == (0, (), 0, 1)


def test_close_ends_an_open_visit_as_shutdown(tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    path = tmp_path / "visits.sqlite"
    log = VisitLog(path, clock)
    log.start_visit("ko")
    log.enter_pavilion("gwangju.solar")
    clock.tick(30)
    log.close()
    log.close()  # twice is harmless
    [day] = day_reports(path)
    assert day.interrupted == 0
    assert day.pavilions[0].dwell_seconds == 30.0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT end_reason FROM visits").fetchall() == [("shutdown",)]


def test_visits_on_two_days_across_local_midnight(tmp_path: Path) -> None:
    before = datetime(2025, 9, 3, 23, 58).timestamp()
    clock = FakeClock(before)
    path = tmp_path / "visits.sqlite"
    with VisitLog(path, clock) as log:
        log.start_visit("ko")
        log.enter_pavilion("gwangju.solar")
        clock.tick(240)  # ends after midnight; still counted on the day it started
        log.end_visit("idle")
        clock.tick(60)
        after = clock.t
        log.start_visit("en")
        log.enter_pavilion("gwangju.shuttles")
        clock.tick(30)
        log.end_visit("idle")
    first, second = day_reports(path)
    assert first.day == _day(before)
    assert second.day == _day(after)
    assert first.day != second.day
    assert (first.visits, first.mean_visit_seconds) == (1, 240.0)
    assert [p.pavilion for p in first.pavilions] == ["gwangju.solar"]
    assert (second.visits, second.mean_visit_seconds) == (1, 30.0)
    assert [p.pavilion for p in second.pavilions] == ["gwangju.shuttles"]


def test_days_follow_the_given_time_zone(tmp_path: Path) -> None:
    kst = timezone(timedelta(hours=9))
    start = datetime(2025, 9, 3, 14, 30, tzinfo=kst).timestamp()
    clock = FakeClock(start)
    path = tmp_path / "visits.sqlite"
    with VisitLog(path, clock) as log:
        log.start_visit("ko")
        clock.tick(12 * 3600)  # 02:30 the next day in Seoul
        log.start_visit("ko")
        log.end_visit("idle")
    assert [r.day for r in day_reports(path, kst)] == ["2025-09-03", "2025-09-04"]
    assert [r.visits for r in day_reports(path, timezone.utc)] == [2]  # 05:30 and 17:30 UTC


def test_crashes_and_hangs_by_day_with_a_crash_only_day(tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    path = tmp_path / "visits.sqlite"
    with VisitLog(path, clock) as log:
        _full_visit(log, clock)
        log.record_crash("crash", "exit -11", 1, False)
        log.record_crash("crash", "exit -11", 2, False)
        log.record_crash("hang", "no heartbeat for 10 s", 3, True)
        clock.tick(2 * 86400)  # two days later: the viewer never got a visitor
        log.record_crash("crash", "exit 1", 1, True)
    first, second = day_reports(path)
    assert first.day == _day(NOON)
    assert (first.visits, first.crashes, first.hangs, first.safe_fallbacks) == (1, 2, 1, 1)
    assert second.day == _day(clock.t)
    assert (second.visits, second.crashes, second.hangs, second.safe_fallbacks) == (0, 1, 0, 1)
    assert second.pavilions == () and second.languages == {}
    assert second.mean_visit_seconds == 0.0


def test_csv_and_text_report(tmp_path: Path) -> None:
    clock = FakeClock(NOON)
    path = tmp_path / "visits.sqlite"
    with VisitLog(path, clock) as log:
        _full_visit(log, clock)
        clock.tick(10)
        log.start_visit("en")
        log.enter_pavilion("gwangju.solar")
        clock.tick(12.34)
        log.demo_started("gwangju.solar", "solar-demo")
        log.end_visit("idle")
        log.record_crash("hang", "no heartbeat", 1, False)
    days = day_reports(path)
    rows = list(csv.DictReader(io.StringIO(report_csv(days))))
    assert tuple(rows[0]) == CSV_FIELDS
    day = _day(NOON)
    by_pavilion = {r["pavilion"]: r for r in rows}
    assert [r["day"] for r in rows] == [day] * 3
    assert set(by_pavilion) == {"*", "gwangju.solar", "gwangju.shuttles"}
    total = by_pavilion["*"]
    assert total == {
        "day": day, "pavilion": "*", "visits": "2", "stays": "3", "dwell_seconds": "92.3",
        "mean_dwell_seconds": "30.8", "demo_starts": "2", "day_visits": "2",
        "mean_visit_seconds": "53.7", "crashes": "0", "hangs": "1",
    }
    solar = by_pavilion["gwangju.solar"]
    assert (solar["visits"], solar["stays"], solar["dwell_seconds"]) == ("2", "2", "52.3")
    assert (solar["mean_dwell_seconds"], solar["demo_starts"]) == ("26.2", "2")
    shuttles = by_pavilion["gwangju.shuttles"]
    assert (shuttles["dwell_seconds"], shuttles["demo_starts"], shuttles["day_visits"]) == (
        "40.0", "0", "2")
    text = format_report(days)
    assert day in text
    assert "gwangju.solar" in text and "gwangju.shuttles" in text
    assert "1 hangs" in text
    assert format_report([]) == "no kiosk visits recorded"
    assert report_csv([]).strip() == ",".join(CSV_FIELDS)


def test_day_report_shape() -> None:
    report = DayReport(day="2025-09-03", visits=0, mean_visit_seconds=0.0, interrupted=0,
                       languages={}, pavilions=(), demo_starts=0, crashes=1, hangs=0,
                       safe_fallbacks=0)
    assert "2025-09-03" in format_report([report])
    assert report_csv([report]).splitlines()[1] == "2025-09-03,*,0,0,0.0,0.0,0,0,0.0,1,0"


def test_missing_database_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.sqlite"
    with pytest.raises(InputError, match=r"no kiosk visits recorded yet at .*nowhere\.sqlite"):
        day_reports(path)
    assert not path.exists()


def test_a_file_that_is_not_sqlite_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("visitor notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.sqlite.*not an SQLite database"):
        day_reports(path)
    with pytest.raises(InputError, match=r"notes\.sqlite.*not an SQLite database"):
        VisitLog(path)


def test_a_folder_as_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        VisitLog(tmp_path)
    with pytest.raises(InputError, match="is a folder"):
        day_reports(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot create its folder"):
        VisitLog(blocker / "visits.sqlite")


def test_another_programs_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(InputError, match="another program"):
        VisitLog(path)
    with pytest.raises(InputError, match="another program"):
        day_reports(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()


def test_wal_journal_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "visits.sqlite"
    VisitLog(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (2,)  # 2: booth columns
    conn.close()
    VisitLog(path).close()  # reopening an existing log keeps it as it is


def test_the_module_imports_without_panda3d() -> None:
    code = "import gwangju_twin.kiosk.analytics\n"
    assert panda3d_loaded_by(code) == []


# -- issue 11: one error type, booth ids, monotonic durations, printable reports -----------


def _one_line(message: str, path: Path) -> None:
    assert "\n" not in message and message.startswith(f"{path}: ")


def test_a_device_as_database_is_one_analytics_error() -> None:
    # /dev/null used to end in sqlite3.OperationalError ("disk I/O error") with a traceback.
    path = Path("/dev/null")
    with pytest.raises(AnalyticsError) as caught:
        VisitLog(path)
    _one_line(str(caught.value), path)
    assert "not a regular file" in str(caught.value)
    assert isinstance(caught.value, InputError)  # the command line prints one line, exit 2


def test_a_database_missing_a_table_is_one_analytics_error(tmp_path: Path) -> None:
    path = tmp_path / "visits.sqlite"
    with VisitLog(path, FakeClock(NOON)) as log:
        log.start_visit("ko")
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE stays")
    conn.close()
    with pytest.raises(AnalyticsError) as caught:
        day_reports(path)
    _one_line(str(caught.value), path)
    assert "damaged" in str(caught.value) and "move the file aside" in str(caught.value)
    # A booth opening it (its recovery touches every table) gets the same error.
    with pytest.raises(AnalyticsError, match="damaged"):
        VisitLog(path, FakeClock(NOON))
    # A running booth whose table goes missing meets it on its next write, not sqlite3's.
    other = tmp_path / "other.sqlite"
    log = VisitLog(other, FakeClock(NOON))
    log.start_visit("en")
    with sqlite3.connect(other) as conn:
        conn.execute("DROP TABLE stays")
    conn.close()
    with pytest.raises(AnalyticsError, match="damaged"):
        log.enter_pavilion("gwangju.solar")
    log.close()  # the visits table is whole: the visit still ends as "shutdown"


def test_a_clock_stepped_back_does_not_shorten_a_stay(tmp_path: Path) -> None:
    wall, mono = FakeClock(NOON), FakeClock(1000.0)
    with VisitLog(tmp_path / "v.sqlite", wall, monotonic=mono) as log:
        log.start_visit("ko")
        mono.tick(5)
        wall.tick(5)
        log.enter_pavilion("gwangju.solar")
        mono.tick(18)
        wall.tick(18 - 3600)  # NTP steps the wall clock back an hour during the stay
        log.leave_pavilion()
        mono.tick(2)
        wall.tick(2)
        log.end_visit("idle")
    [day] = day_reports(tmp_path / "v.sqlite")
    assert day.mean_visit_seconds == pytest.approx(25.0)
    [solar] = day.pavilions
    assert solar.dwell_seconds == pytest.approx(18.0)


def test_a_booth_recovers_only_its_own_visits(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    clock = FakeClock(NOON)
    a = VisitLog(path, clock, booth="hall-a")
    a.start_visit("ko")
    a.enter_pavilion("gwangju.solar")
    clock.tick(30)
    # Booth B starts (or restarts) on the same file while A's visitor is still there.
    with VisitLog(path, clock, booth="hall-b") as b:
        b.start_visit("en")
        clock.tick(10)
        b.end_visit("idle")
    a.leave_pavilion()
    a.end_visit("idle")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT booth, end_reason, ended - started FROM visits "
                            "ORDER BY id").fetchall()
    conn.close()
    assert rows == [("hall-a", "idle", 40.0), ("hall-b", "idle", 10.0)]
    a._conn.close()  # A "killed" with a visit open: only A's next start closes it
    a._conn = None  # type: ignore[assignment]


def test_a_killed_booths_visit_is_closed_by_its_own_restart_only(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    clock = FakeClock(NOON)
    a = VisitLog(path, clock, booth="hall-a")
    a.start_visit("ko")
    clock.tick(12)
    a.enter_pavilion("gwangju.solar")
    a._conn.close()  # killed: nothing more is written
    clock.tick(100)
    VisitLog(path, clock, booth="hall-b").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT ended FROM visits").fetchall() == [(None,)]
    conn.close()
    VisitLog(path, clock, booth="hall-a").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT ended, end_reason FROM visits").fetchall() == [
            (NOON + 12, "interrupted")]
    conn.close()


def test_crash_rows_say_which_booth_wrote_them(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    clock = FakeClock(NOON)
    with VisitLog(path, clock, recover=False, booth="hall-a") as a:
        a.record_crash("crash", "exit 1", 1, False)
        a.record_crash("hang", "no heartbeat", 2, False)
    with VisitLog(path, clock, recover=False, booth="hall-b") as b:
        b.record_crash("crash", "killed by SIGSEGV", 1, False)
    [day] = day_reports(path)
    assert day.failures_by_booth == {"hall-a": 2, "hall-b": 1}
    assert "  by booth    hall-a 2, hall-b 1" in format_report([day]).splitlines()


def test_the_booth_id_defaults_to_the_host_name(tmp_path: Path) -> None:
    import socket

    with VisitLog(tmp_path / "v.sqlite", FakeClock(NOON)) as log:
        assert log.booth == socket.gethostname()
        log.start_visit("ko")
    with sqlite3.connect(tmp_path / "v.sqlite") as conn:
        assert conn.execute("SELECT booth FROM visits").fetchall() == [(socket.gethostname(),)]
    conn.close()


def test_a_version_1_file_gains_the_booth_column_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    old_schema = (analytics._SCHEMA.replace(",\n    booth TEXT NOT NULL DEFAULT ''", ""))
    assert "booth" not in old_schema
    conn.executescript(old_schema)
    conn.execute(f"PRAGMA application_id = {analytics.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO visits (started, ended, end_reason, language, last_event) "
                 f"VALUES ({NOON}, {NOON + 30}, 'idle', 'ko', {NOON + 30})")
    conn.execute(f"INSERT INTO crashes (at, kind, detail, count, safe) VALUES ({NOON}, "
                 "'crash', 'exit 1', 1, 0)")
    conn.close()
    [before] = day_reports(path)  # read as it is
    assert before.failures_by_booth == {"": 1} and before.visits == 1
    VisitLog(path, FakeClock(NOON + 60), booth="hall-a").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (analytics.SCHEMA_VERSION,)
        assert conn.execute("SELECT booth, end_reason FROM visits").fetchall() == [
            ("", "idle")]
    conn.close()
    [after] = day_reports(path)
    assert after.visits == 1 and after.failures_by_booth == {"": 1}
    assert "(unknown) 1" in format_report([after])


def test_report_text_escapes_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite"
    evil = "solar\x1b[2J\x1b[H\n2025-09-03  999 visits\u202e"
    with VisitLog(path, FakeClock(NOON), booth="hall\x1b]0;x\x07") as log:
        log.start_visit("ko\x1b[31m")
        log.enter_pavilion(evil)
        log.enter_pavilion("에너지")
        log.record_crash("crash", "exit 1", 1, False)
    days = day_reports(path)
    text = format_report(days)
    assert not any(ch in text for ch in "\x1b\x07\u202e")
    assert "999 visits" in text and not any(
        line.startswith("2025-09-03  999") for line in text.splitlines())
    assert "solar\\x1b[2J\\x1b[H\\x0a2025-09-03  999 visits\\u202e" in text
    assert "ko\\x1b[31m 1" in text and "hall\\x1b]0;x\\x07 1" in text
    assert "에너지" in text  # letters of any script are kept
    table = report_csv(days)
    assert "\x1b" not in table and "\u202e" not in table
    assert len(table.splitlines()) == 1 + 3  # header, the day, two pavilions: no forged row
