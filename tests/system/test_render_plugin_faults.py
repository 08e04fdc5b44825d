"""``render`` and a plugin that faults (the exhibitor audit): a native crash in a hook is
reported with the plugin's line and hook (it was silent), an unsupported plugin named with
--plugin is refused, and a hook cut off by its time limit says where it was looping. The
real command, real plugin folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from plugin_builders import HEALTHY, NEXT_API, write_plugin

REPO = Path(__file__).resolve().parents[2]

SEGFAULT_IN_ENTER = HEALTHY + '''

import ctypes


class Demo(Demo):
    def enter(self, ctx):
        ctypes.string_at(0)  # reads address 0: SIGSEGV
'''
LOOP_IN_UPDATE = HEALTHY + '''

class Demo(Demo):
    def update(self, ctx, dt):
        n = 0
        while True:
            n += 1  # the looping line
'''


def _gwangju_twin(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``gwangju-twin ARGS`` with no display and its own per-user folders, as CI runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONIOENCODING="utf-8", XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run([sys.executable, "-m", "gwangju_twin", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=REPO, env=env, timeout=300)


def _line(source: Path, needle: str) -> int:
    return next(i for i, text in enumerate(source.read_text().splitlines(), 1) if needle in text)


def test_a_segfault_in_a_hook_names_the_plugins_line_and_hook_every_time(tmp_path):
    folder = write_plugin(tmp_path, "wild.crash", "education", SEGFAULT_IN_ENTER)
    out = tmp_path / "x.png"
    crash_line = _line(folder / "demo.py", "ctypes.string_at(0)")
    # Twice: render keeps no plugin off after a crash, so the same command gives the same
    # result (a CI picture must not depend on what the last run did).
    for _ in range(2):
        run = _gwangju_twin(tmp_path, "render", "--enter", "education", "--plugin",
                            str(folder), "--size", "160x90", "--out", str(out))
        assert run.returncode == -11, run.stdout + run.stderr  # SIGSEGV, as it happened
        # Python's crash report (it was silent): the signal, and the plugin's own frame.
        assert "Fatal Python error: Segmentation fault" in run.stderr, run.stderr
        assert f'File "{folder / "demo.py"}", line {crash_line} in enter' in run.stderr, (
            run.stderr)
        assert not out.exists()
    # Nor does it leave a record behind for the desktop viewer to act on.
    assert not list((tmp_path / "state").rglob("running-plugin-hook-*"))


def test_an_unsupported_api_version_given_with_plugin_is_one_line_exit_2(tmp_path):
    folder = write_plugin(tmp_path, "future.demo", "education", HEALTHY, api_version=NEXT_API)
    for command in ("render", "view"):  # view falls back to a snapshot without a display
        run = _gwangju_twin(tmp_path, command, "--enter", "education", "--plugin",
                            str(folder), "--size", "160x90", "--out", str(tmp_path / "x.png"))
        assert run.returncode == 2, run.stdout + run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, run.stderr
        assert lines[0].startswith(f"gwangju-twin: error: --plugin {folder}: plugin "
                                   "future.demo"), lines[0]
        assert (f"written for plugin API {NEXT_API}; this gwangju-twin runs API 1.0, 1.1, "
                "1.2") in lines[0]
        assert "Traceback" not in run.stderr and not (tmp_path / "x.png").exists()


def test_a_hook_cut_off_by_its_limit_says_where_it_was_looping(tmp_path):
    folder = write_plugin(tmp_path, "wild.loop", "education", LOOP_IN_UPDATE)
    run = _gwangju_twin(tmp_path, "render", "--enter", "education", "--plugin", str(folder),
                        "--size", "160x90", "--seconds", "0.5",
                        "--out", str(tmp_path / "x.png"))
    assert run.returncode == 0, run.stderr  # the plugin is disabled, the picture taken
    assert ("plugin wild.loop of pavilion education disabled in update: update did not "
            "return within its 5 s limit and was interrupted") in run.stderr, run.stderr
    body = _line(folder / "demo.py", "the looping line")
    report = next(line for line in run.stderr.splitlines() if "HookTimeout" in line)
    # Cut off on the loop's test or its body, whichever was running.
    assert report in {f"gwangju_twin.plugins.guard.HookTimeout: cut off after 5 s at "
                      f"{folder / 'demo.py'}, line {line}, in update"
                      for line in (body - 1, body)}, run.stderr
