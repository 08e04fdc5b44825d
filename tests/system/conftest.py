"""The system tier: the product as people run it. The command line (``python -m
gwangju_twin`` and the scripts), the kiosk supervisor with its real children (kill -9,
hangs, crash loops), viewer windows on a private Xvfb screen, a scaffolded plugin really
pip-installed, and the promises of the README and CI.

Slow by nature: each test starts processes. Waits are on events (a line, a file, a window)
with generous bounds, never on the clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from xvfb_kit import virtual_screen


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """Run ``python -m gwangju_twin ARGS`` as a user would; text output, never raises."""

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env["PYTHONIOENCODING"] = "utf-8"
        return subprocess.run(
            [sys.executable, "-m", "gwangju_twin", *args],
            capture_output=True, text=True, encoding="utf-8", timeout=120, env=env,
        )

    return run


@pytest.fixture
def display(request: pytest.FixtureRequest) -> Iterator[str]:
    """A private virtual screen of the test module's ``SCREEN`` (width, height), gone after
    the test; its DISPLAY name."""
    width, height = request.module.SCREEN
    yield from virtual_screen(width, height)
