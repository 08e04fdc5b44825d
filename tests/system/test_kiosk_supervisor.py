"""The kiosk watchdog against real child processes: kill -9, hangs, crash loops, rotation.

POSIX only (the supervisor is): children are Python scripts run with sys.executable.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from process_kit import gone, group
from render_helpers import REPO

from gwangju_twin.kiosk.supervisor import (
    EXIT_RESTART,
    HEARTBEAT_ENV,
    CrashRecord,
    Heartbeat,
    Supervisor,
    WatchdogRules,
    console_log,
    install_signal_handlers,
    rotating_log,
)

#: How long any wait may take before the test gives up: generous, because a busy machine makes
#: everything slow but must not make a test fail. Nothing is asserted about how long it took;
#: timing properties are read from the supervisor's own records (its log and CrashRecords).
PATIENCE = 60.0

# One child program, told what to do by its first argument; "--safe" marks a safe-mode start.
CHILD = f"""
import os, sys, time
mode = sys.argv[1]
safe = "--safe" in sys.argv
here = os.path.dirname(os.path.abspath(__file__))
if mode == "crash-unless-safe" and not safe:
    sys.exit(3)
if mode == "restart-once":
    marker = os.path.join(here, "restarted")
    if not os.path.exists(marker):
        open(marker, "w").close()
        sys.exit({EXIT_RESTART})
if mode == "nobeat":
    while True:
        time.sleep(0.05)
if mode == "spawn-then-crash":
    # What a plugin might do: start a helper process, then the viewer crashes.
    import subprocess
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.path.join(here, "helper-%d" % os.getpid()), "w") as f:
        f.write(str(helper.pid))
    sys.exit(3)
from gwangju_twin.kiosk.supervisor import Heartbeat
hb = Heartbeat.from_env(period=0.1)
assert hb is not None, "not supervised"
hb.beat()
# The test waits for this file before freezing the child, so the freeze is a real hang after
# the first heartbeat (not a slow start).
open(os.path.join(here, "ready-%d" % os.getpid()), "w").close()
print("child up: pid %d safe %s" % (os.getpid(), safe), flush=True)
if mode == "exit0":
    sys.exit(0)
if mode == "chatty":
    for i in range(400):
        print("chatter line %04d " % i + "x" * 40)
    print("chatter done", flush=True)
while hb.beat():
    time.sleep(0.05)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


@dataclass
class Harness:
    """A Supervisor running in a thread, with what its callbacks saw."""

    folder: Path
    supervisor: Supervisor
    thread: threading.Thread
    starts: list[tuple[float, int, bool]] = field(default_factory=list)
    crashes: list[tuple[float, CrashRecord]] = field(default_factory=list)
    result: list[int] = field(default_factory=list)

    @property
    def log_text(self) -> str:
        return (self.folder / "logs" / "kiosk.log").read_text(encoding="utf-8")

    def wait_starts(self, n: int, timeout: float = PATIENCE) -> tuple[float, int, bool]:
        _wait_for(lambda: len(self.starts) >= n, timeout, f"start #{n}")
        return self.starts[n - 1]

    def wait_ready(self, pid: int, timeout: float = PATIENCE) -> None:
        _wait_for(lambda: (self.folder / f"ready-{pid}").exists(), timeout, f"pid {pid} ready")


@pytest.fixture
def supervise(tmp_path: Path) -> Iterator[Callable[..., Harness]]:
    """Start a Supervisor over the CHILD script in MODE; always stopped and joined after."""
    made: list[Harness] = []
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])

    def start(mode: str, *, max_bytes: int = 1_000_000, **rules: float) -> Harness:
        rules.setdefault("restart_delay", 0.2)
        rules.setdefault("startup_grace", PATIENCE)
        # A healthy child beats every 0.1 s; on a busy machine it may still miss a few seconds.
        rules.setdefault("heartbeat_timeout", 30.0)
        log = rotating_log(tmp_path / "logs", max_bytes, 2, name=f"test.kiosk.{tmp_path.name}")

        def command(safe: bool) -> list[str]:
            return [sys.executable, str(script), mode, *(["--safe"] if safe else [])]

        holder: list[Harness] = []
        sup = Supervisor(
            command, WatchdogRules(**rules), log,
            on_start=lambda pid, safe: holder[0].starts.append((time.monotonic(), pid, safe)),
            on_crash=lambda rec: holder[0].crashes.append((time.monotonic(), rec)),
            env=env,
        )
        thread = threading.Thread(target=lambda: h.result.append(sup.run()), daemon=True)
        h = Harness(tmp_path, sup, thread)
        holder.append(h)
        made.append(h)
        thread.start()
        return h

    yield start
    for h in made:
        h.supervisor.stop()
        h.thread.join(PATIENCE)
        if h.thread.is_alive() and h.supervisor.pid is not None:  # leave no child behind
            os.kill(h.supervisor.pid, signal.SIGKILL)
        assert not h.thread.is_alive(), "run() did not return after stop()"
        for handler in list(logging.getLogger(f"test.kiosk.{tmp_path.name}").handlers):
            handler.close()


def _logged_at(text: str, needle: str) -> datetime:
    """When the log line holding ``needle`` (the first one) was written: its own timestamp."""
    line = next(x for x in text.splitlines() if needle in x)
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")


def test_kill_9_restarts_after_the_restart_delay(supervise: Callable[..., Harness]) -> None:
    h = supervise("beat")
    _, pid, safe = h.wait_starts(1)
    assert not safe
    os.kill(pid, signal.SIGKILL)
    _, new_pid, safe = h.wait_starts(2)
    assert new_pid != pid and not safe
    # The restart within 5 s is the supervisor's decision, read from its log: it said when
    # it would restart (WatchdogRules keep that under 5 s), and the start came after it
    # waited so long. The test's own clock would measure the machine's load, not the product.
    text = h.log_text
    crashed = _logged_at(text, f"crash #1: killed by SIGKILL (pid {pid}); restarting in 0.2 s")
    restarted = _logged_at(text, f"start: pid {new_pid}")
    assert (restarted - crashed).total_seconds() >= 0.2 - 0.002  # the log keeps milliseconds
    (_, record), = h.crashes
    assert (record.kind, record.count, record.recent, record.safe) == ("crash", 1, 1, False)
    assert "SIGKILL" in record.detail
    assert h.supervisor.crashes == 1
    assert "crash #1: killed by SIGKILL" in h.log_text


def test_a_frozen_child_is_a_hang_and_restarts(supervise: Callable[..., Harness]) -> None:
    h = supervise("beat", heartbeat_timeout=3.0)  # long enough that load is no hang
    _, pid, _ = h.wait_starts(1)
    h.wait_ready(pid)
    os.kill(pid, signal.SIGSTOP)  # a real hang: it beats no more, and ignores SIGTERM
    _, new_pid, _ = h.wait_starts(2)
    assert new_pid != pid
    assert not _alive(pid)
    (_, record), = h.crashes
    assert (record.kind, record.count) == ("hang", 1)
    # Not before the timeout: the supervisor's own measure of the silence it acted on.
    assert _silence(record.detail) >= 3.0, record.detail
    assert "hang #1: no heartbeat for" in h.log_text
    assert f"killing pid {pid}" in h.log_text


def test_a_child_that_never_beats_is_a_hang_after_the_startup_grace(
    supervise: Callable[..., Harness],
) -> None:
    h = supervise("nobeat", startup_grace=1.0, heartbeat_timeout=0.5)
    _, pid, _ = h.wait_starts(1)
    h.wait_starts(2)
    assert not _alive(pid)
    record = h.crashes[0][1]
    assert record.kind == "hang" and "since the start" in record.detail
    # The grace, not the (shorter) heartbeat timeout, is what it waited for.
    assert _silence(record.detail) >= 1.0, record.detail


def _silence(detail: str) -> float:
    """The seconds in a hang's detail, "no heartbeat for 1.2 s[ since the start]"."""
    found = re.fullmatch(r"no heartbeat for (\d+\.\d) s( since the start)?", detail)
    assert found, detail
    return float(found[1])


def test_a_crash_loop_falls_back_to_the_safe_scene(supervise: Callable[..., Harness]) -> None:
    # A window far longer than any slow start, so that the three crashes always fall in it.
    h = supervise("crash-unless-safe", max_crashes=3, crash_window=600.0)
    _, pid, safe = h.wait_starts(4)
    assert safe and h.supervisor.safe
    assert [s for _, _, s in h.starts] == [False, False, False, True]
    records = [r for _, r in h.crashes]
    assert [(r.count, r.recent, r.safe) for r in records] == [
        (1, 1, False), (2, 2, False), (3, 3, True)]
    assert all(r.kind == "crash" and r.detail == "exit status 3" for r in records)
    # The safe child stays up: no further crash or start.
    h.wait_ready(pid)
    time.sleep(0.5)
    assert len(h.starts) == 4 and len(h.crashes) == 3 and _alive(pid)
    text = h.log_text
    assert "3 crashes within 10 min: falling back to the safe scene without plugins" in text
    assert "in safe mode" in text


def test_exit_operator_ends_run_with_0(supervise: Callable[..., Harness]) -> None:
    h = supervise("exit0")
    h.thread.join(PATIENCE)
    assert h.result == [0]
    assert len(h.starts) == 1 and h.crashes == []
    assert "operator closed the kiosk" in h.log_text


def test_exit_restart_restarts_without_counting(supervise: Callable[..., Harness]) -> None:
    h = supervise("restart-once")
    _, pid, _ = h.wait_starts(2)
    h.wait_ready(pid)
    assert h.crashes == [] and h.supervisor.crashes == 0
    assert "operator asked for a restart" in h.log_text


def test_stop_terminates_the_child_promptly(supervise: Callable[..., Harness]) -> None:
    h = supervise("beat")
    _, pid, _ = h.wait_starts(1)
    h.wait_ready(pid)
    assert h.supervisor.pid == pid
    h.supervisor.stop()
    h.thread.join(PATIENCE)
    assert h.result == [0]
    assert not _alive(pid)
    assert h.supervisor.pid is None and h.crashes == []
    # Promptly: the child ended on SIGTERM, in its stop_grace, and needed no SIGKILL.
    text = h.log_text
    assert f"stopping: terminating pid {pid}" in text and "ignored SIGTERM" not in text, text
    assert text.index(f"stopping: terminating pid {pid}") < text.index("supervisor stopped")


def test_stop_kills_a_child_that_ignores_sigterm(supervise: Callable[..., Harness]) -> None:
    # SIGSTOPped, and then the SIGCONT makes it take the SIGTERM: either way it must be gone.
    h = supervise("beat", stop_grace=0.5)
    _, pid, _ = h.wait_starts(1)
    h.wait_ready(pid)
    os.kill(pid, signal.SIGSTOP)
    h.supervisor.stop()
    h.thread.join(PATIENCE)
    assert h.result == [0] and not _alive(pid)


def test_signal_handlers_stop_the_supervisor(supervise: Callable[..., Harness]) -> None:
    old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    h = supervise("beat")
    try:
        install_signal_handlers(h.supervisor)
        _, pid, _ = h.wait_starts(1)
        os.kill(os.getpid(), signal.SIGHUP)  # handled here, in the main thread
        h.thread.join(PATIENCE)
        assert h.result == [0] and not _alive(pid)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def test_logs_rotate_and_hold_the_child_output(supervise: Callable[..., Harness]) -> None:
    h = supervise("chatty", max_bytes=2000)
    logs = h.folder / "logs"
    def done() -> bool:
        # Between the rotation's rename and the new file's creation there is no kiosk.log.
        try:
            return "chatter done" in (logs / "kiosk.log").read_text(encoding="utf-8")
        except FileNotFoundError:
            return False

    _wait_for(done, PATIENCE, "the chatty child's last line")
    files = sorted(logs.glob("kiosk.log*"))
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    assert all(f.stat().st_size <= 2000 + 200 for f in files)
    assert "child: chatter line 0399" in h.log_text


def test_rotating_log_does_not_stack_handlers(tmp_path: Path) -> None:
    name = f"test.kiosk.stack.{tmp_path.name}"
    first = rotating_log(tmp_path / "a", 1000, 1, name=name)
    second = rotating_log(tmp_path / "a", 1000, 1, name=name)
    assert first is second and len(second.handlers) == 1
    second.info("once")
    second.handlers[0].close()
    assert (tmp_path / "a" / "kiosk.log").read_text(encoding="utf-8").count("once") == 1
    with pytest.raises(ValueError):
        rotating_log(tmp_path / "b", 1000, 0, name=name)


def test_heartbeat_from_env_and_a_vanished_supervisor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HEARTBEAT_ENV, raising=False)
    assert Heartbeat.from_env() is None
    r, w = os.pipe()
    monkeypatch.setenv(HEARTBEAT_ENV, str(w))
    hb = Heartbeat.from_env(period=0.0)
    assert hb is not None
    assert HEARTBEAT_ENV not in os.environ  # claimed: the viewer's own children do not see it
    try:
        assert hb.beat() and os.read(r, 10) == b"."
        os.close(r)
        assert hb.beat() is False
        assert hb.beat() is False
    finally:
        hb.close()


def test_heartbeat_throttles_to_its_period() -> None:
    r, w = os.pipe()
    now = [0.0]
    hb = Heartbeat(w, period=0.5, clock=lambda: now[0])
    try:
        assert hb.beat() and hb.beat()
        now[0] = 0.6
        assert hb.beat()
        assert os.read(r, 10) == b".."
        hb.close()
        assert hb.beat() is False
    finally:
        os.close(r)


def test_rules_keep_the_restart_within_5_seconds() -> None:
    with pytest.raises(ValueError, match="restart_delay"):
        WatchdogRules(heartbeat_timeout=5.0, restart_delay=4.5)
    with pytest.raises(ValueError):
        WatchdogRules(heartbeat_timeout=0.0)
    assert WatchdogRules(heartbeat_timeout=5.0).restart_delay == 1.0


def test_a_command_that_cannot_start_counts_as_a_crash(tmp_path: Path) -> None:
    log = rotating_log(tmp_path / "logs", 100_000, 1, name=f"test.kiosk.nostart.{tmp_path.name}")
    records: list[CrashRecord] = []
    sup = Supervisor(lambda safe: [str(tmp_path / "missing")],
                     WatchdogRules(heartbeat_timeout=1.0, restart_delay=0.05, max_crashes=2),
                     log, on_crash=records.append)
    thread = threading.Thread(target=sup.run, daemon=True)
    thread.start()
    try:
        _wait_for(lambda: len(records) >= 3, PATIENCE, "three failed starts")
        assert records[0].detail.startswith("could not start")
        assert sup.safe  # and it keeps trying, never faster than restart_delay
    finally:
        sup.stop()
        thread.join(PATIENCE)
        for handler in list(log.handlers):
            handler.close()
    assert not thread.is_alive()


def test_child_lines_keep_the_level_the_viewer_logged_them_at() -> None:
    from gwangju_twin.kiosk.supervisor import _child_level

    assert _child_level("INFO gwangju_twin.kiosk: kiosk started", logging.WARNING) == (
        logging.INFO, "child: %s", "gwangju_twin.kiosk: kiosk started")
    assert _child_level("ERROR gwangju_twin.plugins: boom", logging.WARNING)[0] == logging.ERROR
    # A traceback line, or a word that is no level, keeps the stream's level.
    assert _child_level("Traceback (most recent call last):", logging.WARNING) == (
        logging.WARNING, "child: %s", "Traceback (most recent call last):")
    assert _child_level("INFO", logging.WARNING)[0] == logging.WARNING


def test_what_a_crashed_child_started_dies_with_it(supervise: Callable[..., Harness]) -> None:
    # A plugin's helper process must not outlive the viewer that started it, nor pile up
    # over the restarts: the supervisor kills the child's whole process group after any exit.
    h = supervise("spawn-then-crash", max_crashes=100)
    _, pid, _ = h.wait_starts(1)
    marker = h.folder / f"helper-{pid}"
    _wait_for(marker.exists, PATIENCE, "the child's helper")
    _wait_for(lambda: marker.read_text() != "", PATIENCE, "the helper's pid")
    helper = int(marker.read_text())
    h.wait_starts(2)
    _wait_for(lambda: gone(helper), PATIENCE, f"the crashed child's helper {helper} to be gone")
    assert group(pid) == []
    assert h.crashes[0][1].detail == "exit status 3"


# A supervisor in a process of its own, so that the test can kill it with SIGKILL; its child
# does what the kiosk's viewer does first (die_with_supervisor), starts a helper as a plugin
# might, and then hangs in a loop without ever beating, as a plugin stuck in load() would.
DRIVER = """
import logging, sys
from gwangju_twin.kiosk.supervisor import Supervisor, WatchdogRules, rotating_log
folder, child = sys.argv[1], sys.argv[2]
log = rotating_log(folder, 100000, 1, name="driver")
sup = Supervisor(lambda safe: [sys.executable, child], WatchdogRules(
    heartbeat_timeout=300.0, startup_grace=300.0), log)
sup.run()
"""
HUNG_CHILD = """
import os, subprocess, sys, time
from gwangju_twin.kiosk.supervisor import die_with_supervisor
assert die_with_supervisor(), "not supervised"
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "pids.tmp"), "w") as f:
    f.write("%d %d" % (os.getpid(), helper.pid))
os.replace(os.path.join(here, "pids.tmp"), os.path.join(here, "pids"))
while True:  # hung: never beats, never returns
    time.sleep(0.05)
"""


def test_kill_9_of_the_supervisor_leaves_no_process_behind(tmp_path: Path) -> None:
    (tmp_path / "driver.py").write_text(DRIVER, encoding="utf-8")
    (tmp_path / "child.py").write_text(HUNG_CHILD, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    driver = subprocess.Popen([sys.executable, str(tmp_path / "driver.py"), str(tmp_path / "logs"),
                               str(tmp_path / "child.py")], env=env, start_new_session=True)
    pids: list[int] = []
    try:
        _wait_for(lambda: (tmp_path / "pids").exists(), 30, "the hung child and its helper")
        pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
        child, helper = pids
        assert group(child), "the child runs in a process group of its own"
        assert not gone(helper)
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
        _wait_for(lambda: gone(child) and gone(helper) and not group(child), 30,
                  "the orphaned child, its helper and its sentinel to die")
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_console_log_takes_warnings_only_and_owns_up_to_what_it_held_back(
        tmp_path: Path) -> None:
    name = f"test.kiosk.console.{tmp_path.name}"
    log = rotating_log(tmp_path / "logs", 1_000_000, 1, name=name)
    stream = io.StringIO()
    now = [0.0]
    console = console_log(log, stream, burst=5, per=10.0, clock=lambda: now[0])
    try:
        for i in range(50):
            log.info("routine %d", i)
            log.warning("chatty %d", i)
        assert "routine" not in stream.getvalue()  # info lines go to the file only
        shown = [line for line in stream.getvalue().splitlines() if "chatty" in line]
        assert shown == [f"gwangju-twin: kiosk: WARNING chatty {i}" for i in range(5)]
        now[0] += 2.0  # one more line's worth of budget (5 per 10 s)
        log.error("after the flood")
        lines = stream.getvalue().splitlines()
        assert lines[-2].startswith("gwangju-twin: kiosk: 45 warning/error lines were not "
                                    "shown here (rate limit); they are in ")
        assert lines[-1] == "gwangju-twin: kiosk: ERROR after the flood"
        for handler in log.handlers:
            handler.flush()
        text = (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")
        assert "routine 49" in text and "chatty 49" in text
        assert "45 warning/error lines were not shown here" in text
        assert log.propagate is False  # nothing reaches the root logger's stderr handler
    finally:
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
        console.close()
