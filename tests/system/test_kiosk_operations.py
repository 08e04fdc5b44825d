"""Running a booth as an operator does: the real supervisor process over the real viewer.

Each test starts ``gwangju-twin kiosk --offscreen`` (no display here) with its own config,
plugins and database, and reads what an operator reads: the supervisor's stderr, the rotated
log, the snapshot PNG, the process table. Waits are on events (a line in the log, a file, a
process gone) with generous bounds; nothing is timed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from process_kit import gone, group
from render_helpers import REPO

from gwangju_twin.kiosk.analytics import VisitLog

# A viewer on a busy machine takes a while to load the district; these bounds are generous.
START_BOUND = 180.0


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONIOENCODING="utf-8", XDG_DATA_HOME=str(tmp / "data"),
               XDG_STATE_HOME=str(tmp / "state"), XDG_CONFIG_HOME=str(tmp / "config"))
    return env


def _config(tmp: Path, *, database: str = "visits.sqlite3", logs: str = "logs",
            allow: str = "[]") -> Path:
    path = tmp / "kiosk.toml"
    path.write_text(f"""
[display]
size = "480x270"
[watchdog]
heartbeat_timeout = 30
restart_delay = 0.5
max_crashes = 3
crash_window_minutes = 5
[logs]
folder = {logs!r}
max_bytes = 2000000
backups = 2
[analytics]
database = {database!r}
[plugins]
allow = {allow}
""", encoding="utf-8")
    return path


PLUGIN_MANIFEST = """
id = "{pid}"
sector = "healthcare"
version = "1.0.0"
api_version = 1
entry = "demo:Demo"
[title]
ko = "시험"
en = "Test"
"""


def _scene_with_plugin(tmp: Path, pid: str, code: str) -> Path:
    """The default scene, with ``pid`` (``code`` as its demo.py) in the healthcare pavilion."""
    plugins = tmp / "plugins"
    folder = plugins / pid.replace(".", "-")
    folder.mkdir(parents=True)
    (folder / "pavilion.toml").write_text(PLUGIN_MANIFEST.format(pid=pid), encoding="utf-8")
    (folder / "demo.py").write_text(code, encoding="utf-8")
    text = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    text = text.replace('"../assets/', f'"{REPO / "assets"}/')
    text = text.replace('folder = "../plugins"', f'folder = "{plugins}"')
    # The healthcare pavilion's own demo makes way for the test's plugin.
    text = text.replace('plugin = "gwangju.healthcare"\n', f'plugin = "{pid}"\n')
    scene = tmp / "scene.toml"
    scene.write_text(text, encoding="utf-8")
    return scene


class Kiosk:
    """A supervised offscreen kiosk in a session of its own, its stderr in a file."""

    def __init__(self, tmp: Path, config: Path, *scene: str) -> None:
        self.tmp, self.log = tmp, tmp / "logs" / "kiosk.log"
        self.stderr_path = tmp / "stderr.txt"
        with self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gwangju_twin", "kiosk", *scene, "--offscreen",
                 "--config", str(config)],
                cwd=tmp, env=_env(tmp), stdout=subprocess.DEVNULL, stderr=err,
                start_new_session=True)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")

    def wait_for(self, what: Callable[[], object], seconds: float, name: str) -> object:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = what()
            if found:
                return found
            if self.proc.poll() is not None and not what():
                break
            time.sleep(0.1)
        raise AssertionError(f"{name}: not seen within {seconds} s (kiosk exit "
                             f"{self.proc.poll()}); stderr:\n{self.stderr[-2000:]}\n"
                             f"log tail:\n{self.log_text()[-3000:]}")

    def started(self) -> bool:
        return "kiosk started" in self.log_text()

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def start_kiosk(tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    """Start a supervised kiosk (a config, optionally a scene); every one is killed after."""
    made: list[Kiosk] = []

    def start(config: Path, *scene: str) -> Kiosk:
        k = Kiosk(tmp_path, config, *scene)
        made.append(k)
        return k

    yield start
    for k in made:
        k.kill()




# -- a broken analytics database (item 26) ------------------------------------------------------


def _lost_table(tmp: Path) -> str:
    path = tmp / "visits.sqlite3"
    VisitLog(path).close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE stays")
        conn.commit()
    return str(path)


@pytest.mark.parametrize("broken", ["lost-table", "dev-null"])
def test_a_broken_database_runs_the_booth_without_analytics(
        start_kiosk: Callable[..., Kiosk], tmp_path: Path, broken: str) -> None:
    database = _lost_table(tmp_path) if broken == "lost-table" else os.devnull
    k = start_kiosk(_config(tmp_path, database=database))
    k.wait_for(k.started, START_BOUND, "the viewer up")
    assert k.stop() == 0
    log = k.log_text()
    # One start, no crash loop; the child was told not to touch the database.
    assert log.count("start: pid") == 1 and "crash #" not in log
    assert "--no-analytics" in log[log.index("start: pid"):].splitlines()[0]
    assert log.count("analytics off:") == 1
    stderr = k.stderr
    assert "Traceback" not in stderr
    [line] = [s for s in stderr.splitlines() if "analytics off" in s]
    assert database in line and "the booth runs without analytics" in line
    assert ("table stays" in line) if broken == "lost-table" else ("regular file" in line)


def test_the_probe_names_each_database_fault(tmp_path: Path) -> None:
    from gwangju_twin.kiosk.visits_guard import probe_database

    fresh = tmp_path / "new" / "visits.sqlite3"
    assert probe_database(fresh) is None and fresh.is_file()  # created, as the booth would
    assert probe_database(fresh) is None  # and usable again
    lost = _lost_table(tmp_path)
    assert "table stays" in (probe_database(Path(lost)) or "")
    assert "not a regular file" in (probe_database(Path(os.devnull)) or "")
    assert "is a folder" in (probe_database(tmp_path) or "")
    other = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (text)")
        conn.commit()
    assert "another program" in (probe_database(other) or "")
    full = tmp_path / "full.sqlite3"
    full.symlink_to("/dev/full")  # every write fails with ENOSPC, as on a full disk
    problem = probe_database(full) or ""
    assert str(full) in problem and "booth runs without analytics" in problem


def test_a_database_that_breaks_while_the_booth_runs_turns_analytics_off(
        tmp_path: Path) -> None:
    pytest.importorskip("panda3d")
    import dataclasses
    import logging

    from gwangju_twin.app.rehearsal import Rehearsal
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.kiosk.config import KioskConfig
    from gwangju_twin.kiosk.pin import hash_pin
    from gwangju_twin.kiosk.visits_guard import GuardedVisits
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene, without_plugins

    config = dataclasses.replace(
        KioskConfig(), size=(480, 270), pin_hash=hash_pin("2580", iterations=1000),
        attract_after=60.0, reset_after=10.0, countdown=3,
        log_folder=tmp_path / "logs", database=tmp_path / "visits.sqlite3")
    prepared = prepare(without_plugins(load_scene(default_scene_path())))
    k = Rehearsal(prepared, config, fps=15)
    records: list[logging.LogRecord] = []
    log = logging.getLogger(f"test.visits.{tmp_path.name}")
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    log.addHandler(handler)
    try:
        guard = GuardedVisits(k.visits, config.database, log)
        k.booth.visits = guard
        k.tap(0.0, 0.0)  # a visitor: a visit row is written
        k.frames(2)
        assert guard.visit_id is not None
        with contextlib.closing(sqlite3.connect(config.database)) as conn:
            conn.execute("DROP TABLE visits")  # the file breaks under the running booth
            conn.commit()
        k.seconds(10.0 + 3 + 1)  # the idle reset ends the visit: that write fails ...
        k.tap(0.0, 0.0)  # ... and the booth goes on to the next visitor
        k.frames(5)
        assert guard.off_reason is not None and "visits" in guard.off_reason
        offs = [r for r in records if "analytics off" in r.getMessage()]
        assert len(offs) == 1  # said once, not per frame or per visit
        k.chord()
        k.type_pin("2580")
        assert k.booth.menu.visible
        assert any("Visit analytics off" in line or "방문 통계 꺼짐" in line
                   for line in k.booth.menu.text())
    finally:
        log.removeHandler(handler)
        k.close()


# -- logs (items 19 and 29) ---------------------------------------------------------------------

CHATTY = '''
import logging
from gwangju_twin.plugins import PavilionDemo

class Demo(PavilionDemo):
    def load(self, ctx):
        for i in range(300):
            print("chatter %04d" % i, flush=True)
        noisy = logging.getLogger("acme.chatty")
        for i in range(100):
            noisy.warning("noise %03d", i)
        print("chatter done", flush=True)
'''


def test_a_chatty_plugin_fills_the_rotated_log_not_stderr(
        start_kiosk: Callable[..., Kiosk], tmp_path: Path) -> None:
    scene = _scene_with_plugin(tmp_path, "acme.chatty", CHATTY)
    k = start_kiosk(_config(tmp_path, allow='["acme.chatty"]'), str(scene))
    k.wait_for(lambda: "chatter done" in k.log_text() and k.started(), START_BOUND,
               "the chatty plugin's last line")
    assert k.stop() == 0
    log, stderr = k.log_text(), k.stderr
    assert "child: chatter 0299" in log and "noise 099" in log  # the log has every line
    assert "chatter" not in stderr and "start: pid" not in stderr  # no info lines on stderr
    noise = [s for s in stderr.splitlines() if "noise" in s]
    # The burst (20) and what the budget refilled meanwhile, not the flood of 100: bounded by
    # count, not by how fast this machine pumped the lines through.
    assert 1 <= len(noise) < 50
    # ... and the operator is told that lines were held back, there and in the log.
    assert "warning/error lines were not shown here (rate limit)" in stderr
    assert "warning/error lines were not shown here (rate limit)" in log


def test_a_log_folder_that_cannot_be_made_is_one_line(cli: Callable, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    config = _config(tmp_path, logs="afile/logs")
    done = subprocess.run([sys.executable, "-m", "gwangju_twin", "kiosk", "--offscreen",
                           "--config", str(config)], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("gwangju-twin: error: ") and "afile" in line
    assert "cannot write the kiosk log" in line and "[logs] folder" in line


def test_a_full_disk_at_start_is_one_line(tmp_path: Path) -> None:
    # /dev/full fails every write with ENOSPC, as a full disk does.
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "kiosk.log").symlink_to("/dev/full")
    config = _config(tmp_path)
    done = subprocess.run([sys.executable, "-m", "gwangju_twin", "kiosk", "--offscreen",
                           "--config", str(config)], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("gwangju-twin: error: ") and "kiosk.log" in line
    assert "No space left on device" in line and "free disk space" in line


# -- processes (item 27) ------------------------------------------------------------------------

HOG = '''
import os, subprocess, sys, time
from gwangju_twin.plugins import PavilionDemo

class Demo(PavilionDemo):
    def load(self, ctx):
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        mark = os.path.join(os.environ["HOG_DIR"], "pids")
        with open(mark + ".tmp", "w") as f:
            f.write("%d %d" % (os.getpid(), helper.pid))
        os.replace(mark + ".tmp", mark)
        while True:  # stuck for good
            time.sleep(0.05)
'''


def test_kill_9_of_the_kiosk_leaves_no_viewer_and_no_plugin_process(
        start_kiosk: Callable[..., Kiosk], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scene = _scene_with_plugin(tmp_path, "acme.hog", HOG)
    monkeypatch.setenv("HOG_DIR", str(tmp_path))
    k = start_kiosk(_config(tmp_path, allow='["acme.hog"]'), str(scene))
    pids = tmp_path / "pids"
    k.wait_for(pids.exists, START_BOUND, "the hung plugin's pids")
    viewer, helper = (int(p) for p in pids.read_text().split())
    try:
        assert not gone(viewer) and not gone(helper)
        k.proc.send_signal(signal.SIGKILL)  # the supervisor alone, not its group
        k.proc.wait(timeout=30)
        deadline = time.monotonic() + 60
        while not (gone(viewer) and gone(helper) and not group(viewer)):
            assert time.monotonic() < deadline, (
                f"left behind: viewer {viewer} gone={gone(viewer)}, helper {helper} "
                f"gone={gone(helper)}, group {group(viewer)}")
            time.sleep(0.1)
    finally:
        for pid in (viewer, helper):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# -- the offscreen snapshot (item 14) -----------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert data.rstrip(b"\0").endswith(b"IEND\xaeB`\x82"), "a truncated PNG"
    return width, height


def test_an_offscreen_booth_keeps_a_fresh_snapshot(start_kiosk: Callable[..., Kiosk],
                                                    tmp_path: Path) -> None:
    k = start_kiosk(_config(tmp_path))
    shot = tmp_path / "logs" / "screen.png"
    k.wait_for(shot.exists, START_BOUND, "the first snapshot")
    assert _png_size(shot) == (480, 270)
    first = shot.stat()
    # Renewed by a rename: a new inode each time, never the old file rewritten in place.
    k.wait_for(lambda: shot.stat().st_ino != first.st_ino, 120, "the next snapshot")
    assert _png_size(shot) == (480, 270)
    assert "a snapshot of the screen every 10 s" in k.log_text()
    assert k.stop() == 0
    assert [p.name for p in shot.parent.iterdir() if p.name.endswith(".png")] == ["screen.png"]
