"""A plugin that crashes the kiosk's viewer natively is kept off, not the whole booth dropped
into the safe scene (issue 11, item 24): the real supervisor, the real child, a real abort."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_builders import HEALTHY, write_plugin
from render_helpers import REPO
from test_kiosk_cli import START, _wait_for, env_without_display, write_config

ABORT_IN_LOAD = HEALTHY + '''

import os


class Demo(Demo):
    def load(self, ctx):
        os.abort()  # a native crash, as a broken extension module would cause
'''


SLEEP_IN_TIMER = HEALTHY + '''

import time


class Demo(Demo):
    def load(self, ctx):
        super().load(ctx)
        # Once the viewer is up and beating: a blocking call in C, which the hook watchdog
        # cannot interrupt; the supervisor's heartbeat watchdog has to kill the viewer.
        ctx.timers.after(3.0, lambda: time.sleep(10 ** 6))
'''


def _scene(tmp_path: Path, code: str = ABORT_IN_LOAD) -> Path:
    """The default scene with plugin acme.crashy in its healthcare pavilion."""
    text = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    text = text.replace('source = "../assets/sangmu.geojson"',
                        f"source = {str(REPO / 'assets' / 'sangmu.geojson')!r}")
    # The healthcare pavilion's own demo makes way for the test's plugin.
    text = text.replace('plugin = "gwangju.healthcare"\n', 'plugin = "acme.crashy"\n')
    text = text.replace('folder = "../plugins"', 'folder = "plugins"')
    write_plugin(tmp_path / "plugins", "acme.crashy", "healthcare", code)
    write_plugin(tmp_path / "plugins", "gwangju.media-facade", "culture", HEALTHY)
    scene = tmp_path / "crashy.toml"
    scene.write_text(text, encoding="utf-8")
    return scene


def test_a_plugin_that_aborts_the_viewer_is_disabled_and_the_booth_runs_on(tmp_path):
    config = write_config(tmp_path, '[plugins]\nallow = ["acme.crashy", '
                                    '"gwangju.media-facade", "gwangju.solar"]\n')
    log = tmp_path / "logs" / "kiosk.log"
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "kiosk", str(_scene(tmp_path)), "--offscreen",
         "--config", str(config)],
        cwd=tmp_path, env=env_without_display(tmp_path), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)

    def text() -> str:
        return log.read_text(encoding="utf-8") if log.exists() else ""

    try:
        _wait_for(lambda: "kiosk started" in text(), 180, log)
        logged = text()
        second = logged.split("start: pid")[2]
        assert "crash #1: killed by SIGABRT" in logged
        assert ("plugin acme.crashy is disabled from the next start on: the viewer died (a "
                "native crash, an abort, or killed as hung) while plugin 'acme.crashy' was in "
                "its load hook") in logged
        # The second child runs without that plugin only: not the safe scene.
        assert "--disable-plugin acme.crashy:load" in second.splitlines()[0]
        assert "--safe" not in second.splitlines()[0]
        assert "kiosk started in safe mode" not in logged
        assert "plugin acme.crashy of pavilion healthcare disabled in crash" in logged
        assert len(START.findall(logged)) == 2
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
        for pid in (int(p) for p in START.findall(text())):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_a_plugin_that_hangs_the_viewer_in_c_is_disabled_after_the_restart(tmp_path):
    config = write_config(tmp_path, '[plugins]\nallow = ["acme.crashy", '
                                    '"gwangju.media-facade", "gwangju.solar"]\n')
    log = tmp_path / "logs" / "kiosk.log"
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "kiosk", str(_scene(tmp_path, SLEEP_IN_TIMER)),
         "--offscreen", "--config", str(config)],
        cwd=tmp_path, env=env_without_display(tmp_path), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)

    def text() -> str:
        return log.read_text(encoding="utf-8") if log.exists() else ""

    try:
        _wait_for(lambda: text().count("kiosk started") >= 2, 240, log)
        logged = text()
        assert "hang #1: pid" in logged
        assert ("plugin acme.crashy is disabled from the next start on: the viewer died (a "
                "native crash, an abort, or killed as hung) while plugin 'acme.crashy' was in "
                "its timer hook") in logged
        second = logged.split("start: pid")[2].splitlines()[0]
        assert "--disable-plugin acme.crashy:timer" in second and "--safe" not in second
        # The second viewer never loaded it, so its timer cannot hang that one.
        assert "plugin acme.crashy of pavilion healthcare disabled in crash" in logged
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
        for pid in (int(p) for p in START.findall(text())):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


pytestmark = pytest.mark.render
