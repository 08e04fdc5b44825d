"""``gwangju-twin kiosk``, ``kiosk report`` and ``kiosk pin`` as an operator runs them.

The supervised run is the real thing: the supervisor process starts the real viewer as a
child (offscreen: no display here), and the test crashes it with kill -9 and hangs it with
SIGSTOP, reading the supervisor's log and the visits database to see what it did.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from render_helpers import REPO

from gwangju_twin.kiosk.analytics import VisitLog, day_reports
from gwangju_twin.kiosk.pin import verify_pin

START = re.compile(r"start: pid (\d+)")


def env_without_display(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONIOENCODING="utf-8", XDG_DATA_HOME=str(tmp / "data"),
               XDG_STATE_HOME=str(tmp / "state"), XDG_CONFIG_HOME=str(tmp / "config"))
    return env


def write_config(tmp: Path, extra: str = "") -> Path:
    path = tmp / "kiosk.toml"
    path.write_text(f"""
[display]
size = "480x270"
[timing]
attract_after = 5
reset_after = 10
countdown = 3
[watchdog]
heartbeat_timeout = 8
restart_delay = 0.5
max_crashes = 3
crash_window_minutes = 60
[logs]
folder = "logs"
max_bytes = 200000
backups = 2
[analytics]
database = "visits.sqlite3"
{extra}""", encoding="utf-8")
    return path


def test_a_bad_config_stops_the_kiosk_with_one_line(cli: Callable, tmp_path: Path) -> None:
    config = write_config(tmp_path, "[attract]\ndwell_seconds = \"long\"\n")
    out = cli("kiosk", "--config", str(config), "--offscreen")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "[attract] dwell_seconds" in out.stderr and "kiosk.toml" in out.stderr


def test_a_missing_scene_or_display_is_said_plainly(cli: Callable, tmp_path: Path) -> None:
    out = cli("kiosk", str(tmp_path / "nowhere.toml"), "--offscreen")
    assert out.returncode == 2 and "nowhere.toml" in out.stderr
    out = cli("kiosk", "--config", str(write_config(tmp_path)))
    assert out.returncode == 2
    assert "no display" in out.stderr and "--offscreen" in out.stderr


def test_pin_is_hashed_for_the_config(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "gwangju_twin", "kiosk", "pin"]
    out = subprocess.run(run, input="83917264\n83917264\n", capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    [line] = [s for s in out.stdout.splitlines() if s.startswith("pin_hash")]
    stored = line.split('"')[1]
    assert "83917264" not in out.stdout
    assert verify_pin("83917264", stored) and not verify_pin("83917265", stored)
    # The line pastes into a config that then loads.
    config = write_config(tmp_path, f"[operator]\n{line}\n")
    from gwangju_twin.kiosk.config import load_kiosk_config

    assert load_kiosk_config(config).pin_hash == stored
    for text, why in (("1234\n4321\n", "differ"), ("12\n12\n", "digits")):
        bad = subprocess.run(run, input=text, capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and why in bad.stderr and "Traceback" not in bad.stderr


def test_report_per_day_as_text_and_csv(cli: Callable, tmp_path: Path) -> None:
    db = tmp_path / "visits.sqlite3"
    assert cli("kiosk", "report", "--database", str(db)).returncode == 2
    now = [1_790_000_000.0]
    log = VisitLog(db, clock=lambda: now[0])
    for step, act in ((0, lambda: log.start_visit("ko")), (5, lambda: log.enter_pavilion("energy")),
                      (0, lambda: log.demo_started("energy", "gwangju.solar")),
                      (60, log.leave_pavilion), (5, lambda: log.enter_pavilion("culture")),
                      (30, lambda: log.end_visit("idle"))):
        now[0] += step
        act()
    log.close()
    text = cli("kiosk", "report", "--database", str(db))
    assert text.returncode == 0, text.stderr
    assert "energy" in text.stdout and "culture" in text.stdout
    rows = list(csv.DictReader(io.StringIO(cli("kiosk", "report", "--database", str(db),
                                                 "--csv").stdout)))
    energy = next(r for r in rows if r["pavilion"] == "energy")
    assert float(energy["dwell_seconds"]) == pytest.approx(60.0)
    assert energy["demo_starts"] == "1" and energy["day_visits"] == "1"


#: How long a wait may take before the test gives up: generous, because a busy machine makes
#: the viewer slow to start but must not fail the test. Timing properties of the watchdog are
#: read from its own log (what it measured and decided), never from the test's clock.
PATIENCE = 180.0


def _logged_at(text: str, needle: str) -> datetime:
    """When the first log line holding ``needle`` was written: the log's own timestamp."""
    line = next(x for x in text.splitlines() if needle in x)
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")


def _wait_for(what: Callable[[], object], seconds: float, log: Path) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    tail = log.read_text(encoding="utf-8")[-3000:] if log.exists() else "(no log)"
    raise AssertionError(f"timed out after {seconds} s; log tail:\n{tail}")


def test_supervised_kiosk_recovers_from_a_crash_and_a_hang_then_falls_back(
        tmp_path: Path) -> None:
    config = write_config(tmp_path)
    log = tmp_path / "logs" / "kiosk.log"
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "kiosk", "--offscreen", "--config", str(config)],
        cwd=tmp_path, env=env_without_display(tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)

    def starts() -> list[int]:
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        return [int(m) for m in START.findall(text)]

    def running(n: int) -> Callable[[], bool]:
        # The n-th child has started and its frame loop runs: it wrote its first snapshot
        # (said once per child, in the frame that then sends a heartbeat), so a SIGSTOP after
        # this is a hang of a beating viewer, not of one still loading.
        def ran() -> bool:
            text = log.read_text(encoding="utf-8") if log.exists() else ""
            return (len(starts()) >= n and text.count("kiosk started") >= n
                    and text.count("offscreen booth: a snapshot of the screen") >= n)
        return ran

    try:
        _wait_for(running(1), PATIENCE, log)
        first = starts()[0]
        os.kill(first, signal.SIGKILL)  # an injected crash
        _wait_for(lambda: len(starts()) >= 2, PATIENCE, log)
        # Back after the restart delay it announced (the rules keep that within 5 s): the
        # supervisor's own timestamps, in this order.
        text = log.read_text(encoding="utf-8")
        crashed = _logged_at(text, f"crash #1: killed by SIGKILL (pid {first}); restarting "
                                   "in 0.5 s")
        second = starts()[1]
        assert (_logged_at(text, f"start: pid {second}") - crashed).total_seconds() >= 0.5 - 0.002
        _wait_for(running(2), PATIENCE, log)
        os.kill(second, signal.SIGSTOP)  # an injected hang: no more heartbeats
        _wait_for(lambda: len(starts()) >= 3, PATIENCE, log)
        # Restarted once the 8 s heartbeat timeout ran out, not before: the silence the
        # supervisor measured and acted on, in its log before the third start.
        text = log.read_text(encoding="utf-8")
        # ("since the start" only if the stop fell between that frame's log line and its beat:
        # then the 90 s startup grace ran out instead, longer still.)
        hang = re.search(rf"hang #2: no heartbeat for (\d+\.\d) s( since the start)?; "
                         rf"killing pid {second}", text)
        assert hang and float(hang[1]) >= 8.0, text[-3000:]
        assert hang.start() < text.index(f"start: pid {starts()[2]}")
        _wait_for(running(3), PATIENCE, log)
        os.kill(starts()[2], signal.SIGKILL)  # the third crash within the crash window
        _wait_for(lambda: len(starts()) >= 4, PATIENCE, log)
        text = log.read_text(encoding="utf-8")
        assert "crash #3: killed by SIGKILL" in text
        assert "3 crashes within 60 min: falling back to the safe scene" in text
        last_start = text[text.rindex("start: pid"):].splitlines()[0]
        assert "--safe" in last_start
        _wait_for(running(4), PATIENCE, log)
        assert "kiosk started in safe mode" in log.read_text(encoding="utf-8")
        [day] = day_reports(tmp_path / "visits.sqlite3")
        assert (day.crashes, day.hangs, day.safe_fallbacks) == (2, 1, 1)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert "supervisor stopped" in log.read_text(encoding="utf-8")
        for pid in starts():
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
        for pid in starts():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_a_safe_restart_loads_only_the_safe_scene(tmp_path: Path) -> None:
    # The main scene broke after the supervisor checked it (an exhibitor's edit mid-day): the
    # viewer restarted in safe mode must still come up, on the safe scene.
    broken = tmp_path / "main.toml"
    broken.write_text("[scene\n", encoding="utf-8")
    safe = Path(__file__).resolve().parents[2] / "scenes" / "sangmu.toml"
    config = write_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[watchdog]\n", f"[watchdog]\nsafe_scene = {str(safe)!r}\n"), encoding="utf-8")
    child = [sys.executable, "-m", "gwangju_twin", "kiosk", str(broken), "--config", str(config),
             "--child", "--offscreen"]
    env = env_without_display(tmp_path)
    plain = subprocess.run(child, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=120)
    assert plain.returncode == 2 and "main.toml" in plain.stderr, plain.stderr
    viewer = subprocess.Popen([*child, "--safe"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in viewer.stderr:
            if "kiosk started in safe mode" in line:
                break
        else:
            raise AssertionError(f"the safe viewer ended first (exit {viewer.wait()})")
        assert viewer.poll() is None
    finally:
        viewer.kill()
        viewer.wait()
        viewer.stderr.close()


def test_kiosk_help_lists_its_sub_commands(cli: Callable) -> None:
    done = cli("kiosk", "--help")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    head = lines.index("sub-commands (each has its own --help):")
    listed = [line.split()[0] for line in lines[head + 1:] if line.startswith("  ")]
    assert listed == ["report", "pin", "sample-config"]
    usage = done.stdout[:done.stdout.index("\n\n")]
    for name in ("report", "pin", "sample-config"):
        assert f"gwangju-twin kiosk {name}" in usage
    # Each is a real command with help of its own.
    assert cli("kiosk", "sample-config", "--help").returncode == 0


def test_sample_config_prints_a_config_the_kiosk_accepts(cli: Callable, tmp_path: Path) -> None:
    from gwangju_twin.kiosk.config import load_kiosk_config

    done = cli("kiosk", "sample-config")
    assert done.returncode == 0, done.stderr
    sample = REPO / "docs" / "kiosk.toml"
    assert done.stdout == sample.read_text(encoding="utf-8")
    written = tmp_path / "kiosk.toml"
    written.write_text(done.stdout, encoding="utf-8")
    config = load_kiosk_config(written)
    assert config.size == (1920, 1080)


def test_an_installed_wheel_ships_the_sample_config(tmp_path: Path) -> None:
    # `pip install .` (not editable) from this checkout, into a folder of its own, run from
    # somewhere else: the sample must come from the package, not from a docs/ folder.
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    wheels = tmp_path / "wheels"
    built = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w",
                            str(wheels), str(REPO)], capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("gwangju_twin-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("gwangju_twin/_data/kiosk.toml") == (REPO / "docs" / "kiosk.toml"
                                                            ).read_bytes()
    site = tmp_path / "site"
    done = subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = env_without_display(tmp_path)
    env["PYTHONPATH"] = str(site)  # ahead of the editable install of this checkout
    where = subprocess.run([sys.executable, "-c", "import gwangju_twin; print(gwangju_twin"
                            ".__file__)"], cwd=away, env=env, capture_output=True, text=True,
                           timeout=120)
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    printed = subprocess.run([sys.executable, "-m", "gwangju_twin", "kiosk", "sample-config"],
                             cwd=away, env=env, capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    (away / "kiosk.toml").write_text(printed.stdout, encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-c", "import sys; from gwangju_twin.kiosk.config import "
         "load_kiosk_config; print(load_kiosk_config(sys.argv[1]).size)", "kiosk.toml"],
        cwd=away, env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0 and checked.stdout.strip() == "(1920, 1080)", checked.stderr
