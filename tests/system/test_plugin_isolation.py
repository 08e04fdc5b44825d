"""Plugin isolation (issue 11, items 24 and 30): hooks that never return, BaseExceptions,
the running-hook record, and district data a plugin cannot change for anyone else."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
from geojson_builders import collection, feature, ll, polygon, square
from plugin_builders import HEALTHY, write_plugin
from render_helpers import run_cli

from gwangju_twin.geo.load import load_geojson
from gwangju_twin.plugins.district import district_data
from gwangju_twin.plugins.guard import (
    HookTimeout,
    HookWatchdog,
    install_record,
    read_record,
    record_path,
    take_records,
)

# -- district data ---------------------------------------------------------------------------


def _district(write_geojson):
    road = {"type": "LineString", "coordinates": [ll(0, 0), ll(200, 0), ll(200, 150)]}
    doc = collection(
        feature(polygon(square(10, 10, 20)), "b1", building="office", height=30),
        feature(polygon(square(60, 10, 15)), "b2", building="apartments", height=45),
        feature(road, "r1", highway="primary"),
    )
    district, _ = load_geojson(write_geojson(doc))
    return district


def _arrays(data):
    b = data.buildings
    yield from (("buildings." + name, getattr(b, name)) for name in
                ("footprints", "heights", "areas", "centroids", "levels", "kinds"))
    yield from (("roads." + name, getattr(data.roads, name)) for name in
                ("nodes", "edges", "lengths"))


def test_district_arrays_are_sealed_copies_a_plugin_cannot_write_back(write_geojson):
    district = _district(write_geojson)
    data = district_data(district, [], (0.0, 0.0, 300.0, 300.0))
    assert len(data.buildings) == 2 and len(data.roads.edges) >= 1
    for name, array in _arrays(data):
        with pytest.raises(ValueError):
            array[...] = array  # a plain write is refused
        # Nothing along the .base chain is an array the plugin could make writable and
        # write through: either a sealed buffer that refuses the flag, or no base at all.
        link = array
        while isinstance(link, np.ndarray):
            if not array.dtype.hasobject:
                with pytest.raises(ValueError):
                    link.flags.writeable = True
            link = link.base
        assert link is None or isinstance(link, bytes), (name, type(link))
    # An object array (immutable shapely geometries) is a copy of its own, not a view: a
    # plugin forcing it writable changes only that copy, never the district's column.
    footprints = data.buildings.footprints
    assert footprints.base is None
    footprints.flags.writeable = True
    footprints[0] = None
    assert district.geometry[district.select("buildings")][0] is not None


# -- the watchdog and the record --------------------------------------------------------------


def test_the_watchdog_interrupts_a_python_loop_and_nothing_after_it():
    watchdog = HookWatchdog()
    spins = 0
    watchdog.arm(0.2)
    with pytest.raises(HookTimeout):
        try:
            while True:
                spins += 1
        finally:
            watchdog.disarm()
    assert watchdog.fired and spins > 0
    # A hook that returns in time is never interrupted, and nothing is left pending for the
    # code that runs after it.
    watchdog.arm(60.0)
    total = sum(range(1000))
    watchdog.disarm()
    assert not watchdog.fired and total == 499500
    done = threading.Event()
    threading.Timer(0.5, done.set).start()
    while not done.is_set():  # well past the first limit: no stray HookTimeout arrives
        pass


def test_the_record_names_the_running_hook_until_it_is_cleared(tmp_path):
    folder = tmp_path / "state"
    record = install_record(folder)
    try:
        path = record_path(folder, os.getpid())
        assert record is not None and record.path == path
        assert read_record(path) is None
        record.enter("acme.xray", "update")
        running = read_record(path)
        assert running is not None and (running.plugin, running.hook) == ("acme.xray", "update")
        assert running.pid == os.getpid()
        record.leave()
        assert read_record(path) is None
    finally:
        install_record(None)  # ends normally: the file goes
    assert not path.exists()


def _viewer(folder, plugin: str, hook: str, then: str) -> str:
    """A process that records ``plugin``'s ``hook`` as running in ``folder``, then ``then``."""
    return textwrap.dedent(f"""
        import os, sys
        from gwangju_twin.plugins.guard import install_record
        install_record({str(folder)!r}).enter({plugin!r}, {hook!r})
    """) + textwrap.dedent(then)


def test_records_of_dead_processes_are_taken_once_and_live_ones_are_left(tmp_path):
    folder = tmp_path / "state"
    for plugin, hook in (("acme.crashy", "enter"), ("acme.aborty", "load")):
        child = subprocess.run([sys.executable, "-c", _viewer(folder, plugin, hook,
                                                               "os.abort()")])
        assert child.returncode < 0  # died by SIGABRT, inside the "hook"
    # A viewer still running (another window on the same folder) keeps its record.
    live = subprocess.Popen([sys.executable, "-c", _viewer(folder, "acme.busy", "update", """
        print("ready", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert live.stdout.readline().strip() == "ready"
        taken = take_records(folder)
        assert sorted((r.plugin, r.hook) for r in taken) == [("acme.aborty", "load"),
                                                             ("acme.crashy", "enter")]
        assert take_records(folder) == []  # taken: the next start does not blame them again
        busy = read_record(record_path(folder, live.pid))
        assert busy is not None and busy.plugin == "acme.busy"
    finally:
        live.communicate("", timeout=60)
    assert live.returncode == 0
    assert list(folder.iterdir()) == []  # it ended normally: its record went with it


# -- plugins check runs the plugin in a child process -----------------------------------------

SEGFAULT_IN_ENTER = HEALTHY + '''

import ctypes


class Demo(Demo):
    def enter(self, ctx):
        ctypes.string_at(0)  # reads address 0: SIGSEGV
'''
ABORT_AT_IMPORT = "import os\nos.abort()\n" + HEALTHY
# time.sleep blocks in C: there is no Python for the watchdog to interrupt.
SLEEP_AT_IMPORT = "import time\ntime.sleep(10 ** 6)\n" + HEALTHY
LOOP_IN_UPDATE = HEALTHY + '''

class Demo(Demo):
    def update(self, ctx, dt):
        while True:
            pass
'''
THREAD_IN_LOAD = HEALTHY + '''

import threading


class Demo(Demo):
    def load(self, ctx):
        super().load(ctx)
        threading.Thread(target=threading.Event().wait, name="forever").start()
'''


def _check(tmp_path, code: str, *extra: str):
    folder = write_plugin(tmp_path, "wild.demo", "healthcare", code)
    out = run_cli("plugins", "check", str(folder), *extra)
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines[-1] == "gwangju-twin: error: plugin wild.demo failed 1 check(s)", out.stderr
    assert "Traceback" not in out.stderr
    return out.stdout


def test_check_reports_a_segfault_in_a_hook_as_a_fail_line(tmp_path):
    stdout = _check(tmp_path, SEGFAULT_IN_ENTER)
    assert "  ok   import demo" in stdout  # the checks before the crash are reported
    assert ("FAIL the plugin crashed the process in its enter hook: SIGSEGV (a segmentation "
            "fault") in stdout, stdout
    # The child's own crash report shows the exhibitor where it happened.
    assert "Fatal Python error: Segmentation fault" in stdout
    assert 'demo.py", line' in stdout


def test_check_reports_an_abort_at_import_as_a_fail_line(tmp_path):
    stdout = _check(tmp_path, ABORT_AT_IMPORT)
    assert "FAIL the plugin crashed the process in its import hook: SIGABRT" in stdout, stdout


def test_check_reports_a_plugin_that_blocks_forever_as_hung(tmp_path):
    stdout = _check(tmp_path, SLEEP_AT_IMPORT, "--timeout", "60")
    assert "FAIL no answer within 60 s: the plugin hangs in its import hook" in stdout, stdout


def test_check_interrupts_an_endless_loop_in_a_hook(tmp_path):
    stdout = _check(tmp_path, LOOP_IN_UPDATE)
    assert ("FAIL dry run in pavilion healthcare: update: update did not return within its "
            "5 s limit and was interrupted") in stdout, stdout


def test_check_finishes_and_fails_a_plugin_that_leaves_a_non_daemon_thread(tmp_path):
    stdout = _check(tmp_path, THREAD_IN_LOAD)
    assert "  ok   dry run in pavilion healthcare" in stdout
    assert "FAIL threads: the plugin leaves non-daemon thread(s) forever running" in stdout


def test_plugins_hash_prints_a_pin_that_follows_the_files(tmp_path):
    folder = write_plugin(tmp_path, "pinned.demo", "healthcare", HEALTHY)
    first = run_cli("plugins", "hash", str(folder))
    assert first.returncode == 0, first.stderr
    pin = first.stdout.strip()
    assert pin.startswith("pinned.demo@sha256:") and len(pin.split(":")[1]) == 64
    # Byte-code caches do not change it; any change to code, manifest or assets does.
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "demo.cpython-312.pyc").write_bytes(b"cache")
    assert run_cli("plugins", "hash", str(folder)).stdout.strip() == pin
    (folder / "assets").mkdir()
    (folder / "assets" / "logo.egg").write_text("<Group> {}", encoding="utf-8")
    changed = run_cli("plugins", "hash", str(folder)).stdout.strip()
    assert changed != pin and changed.startswith("pinned.demo@sha256:")


# -- the heartbeat pipe is the frame loop's alone ---------------------------------------------

HEARTBEAT_CHILD = """
import json, os, subprocess, sys
from gwangju_twin.kiosk.supervisor import Heartbeat

out = sys.argv[1]
hb = Heartbeat.from_env()
beat = hb._fd
pipe = os.fstat(beat).st_ino
# Every descriptor of this process on the heartbeat pipe (the supervisor's read end must not
# be among them), and what a process it starts gets, even one asking to keep descriptors.
def on_pipe(fd):
    path = f"/proc/self/fd/{fd}"
    return os.path.exists(path) and os.stat(path).st_ino == pipe
mine = sorted(int(fd) for fd in os.listdir("/proc/self/fd") if on_pipe(fd))
probe = ("import os, sys; ino = int(sys.argv[1]); print(sorted(int(fd) for fd in "
         "os.listdir('/proc/self/fd') if os.path.exists(f'/proc/self/fd/{fd}') and "
         "os.stat(f'/proc/self/fd/{fd}').st_ino == ino))")
theirs = subprocess.run([sys.executable, "-c", probe, str(pipe)], close_fds=False,
                        capture_output=True, text=True, check=True).stdout.strip()
with open(out, "w") as f:
    json.dump({"beat": beat, "mine": mine, "theirs": theirs,
               "env": os.environ.get("GWANGJU_TWIN_HEARTBEAT_FD")}, f)
sys.exit(0)
"""


def test_only_the_viewer_holds_the_heartbeat_pipe_not_what_it_starts(tmp_path):
    import json
    import logging as logging_

    from gwangju_twin.kiosk.supervisor import Supervisor, WatchdogRules

    script, out = tmp_path / "child.py", tmp_path / "fds.json"
    script.write_text(HEARTBEAT_CHILD, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                         env.get("PYTHONPATH", "")])
    supervisor = Supervisor(lambda safe: [sys.executable, str(script), str(out)],
                            WatchdogRules(heartbeat_timeout=60.0, startup_grace=120.0),
                            logging_.getLogger("test.heartbeat.fds"), env=env)
    assert supervisor.run() == 0  # the child exits 0: the operator closed the kiosk
    seen = json.loads(out.read_text(encoding="utf-8"))
    assert seen["mine"] == [seen["beat"]]  # the write end only: no read end came along
    assert seen["theirs"] == "[]"  # nothing the viewer starts holds the pipe
    assert seen["env"] is None  # nor finds its number


@pytest.mark.render
def test_the_next_desktop_start_disables_the_plugin_the_last_viewer_died_in(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_STATE_HOME=str(tmp_path / "state"), PYTHONIOENCODING="utf-8")
    folder = tmp_path / "state" / "gwangju-twin"  # the per-user state folder
    died = subprocess.run([sys.executable, "-c", _viewer(folder, "gwangju.solar", "update",
                                                          "os.abort()")], env=env)
    assert died.returncode < 0
    out = tmp_path / "start.png"
    viewer = subprocess.run([sys.executable, "-m", "gwangju_twin", "--out", str(out)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert viewer.returncode == 0, viewer.stderr
    assert ("plugin gwangju.solar is disabled for this run: the viewer died (a native crash, "
            "an abort, or killed as hung) while plugin 'gwangju.solar' was in its update "
            "hook") in viewer.stderr
    assert "plugin gwangju.solar of pavilion energy disabled in crash" in viewer.stderr
    assert "gwangju.shuttles" not in viewer.stderr  # the other plugins ran
    again = subprocess.run([sys.executable, "-m", "gwangju_twin", "--out", str(out)],
                           env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "disabled" not in again.stderr  # blamed once
