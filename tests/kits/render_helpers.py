"""Shared helpers for tests that run the real renderer in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run ``python -m gwangju_twin`` with no display, as CI and a headless newcomer do."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "gwangju_twin", *args],
        capture_output=True, text=True, cwd=cwd or REPO, env=env, timeout=timeout,
    )


def modules_loaded_by(code: str, roots: tuple[str, ...]) -> list[str]:
    """Run ``code`` in a fresh interpreter (from the repo root) and return the modules under
    the top-level packages ``roots`` it loaded, sorted."""
    probe = ("\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules "
             f"if m.split('.')[0] in {roots!r})))\n")
    out = subprocess.run([sys.executable, "-c", code + probe], capture_output=True, text=True,
                         cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def panda3d_loaded_by(code: str) -> list[str]:
    """The Panda3D modules (``panda3d.*``, ``direct.*``) ``code`` loads in a fresh
    interpreter: the pure rooms must load none."""
    return modules_loaded_by(code, ("panda3d", "direct"))


def read_png(path: Path) -> np.ndarray:
    """An (h, w, 3) uint8 array of a PNG, read with Panda3D's own image library."""
    from panda3d.core import Filename, Texture, loadPrcFileData

    loadPrcFileData("read_png", "textures-power-2 none")  # keep the image's own size
    tex = Texture()
    assert tex.read(Filename.from_os_specific(str(path))), f"cannot read {path}"
    w, h = tex.get_x_size(), tex.get_y_size()
    data = np.frombuffer(bytes(tex.get_ram_image_as("RGB")), np.uint8).reshape(h, w, 3)
    return data[::-1].copy()  # textures store the bottom row first


def screenshot(base: Any) -> np.ndarray:
    """The window (or offscreen buffer) of ``base`` after two rendered frames, as an
    (h, w, 3) uint8 array, top row first."""
    for _ in range(2):
        base.graphicsEngine.render_frame()
    tex = base.win.get_screenshot()
    w, h = tex.get_x_size(), tex.get_y_size()
    rgb = np.frombuffer(bytes(tex.get_ram_image_as("RGB")), np.uint8).reshape(h, w, 3)
    return rgb[::-1]


def write_fixture(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path
