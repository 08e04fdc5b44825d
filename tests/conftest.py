"""Fixtures shared by the tests (Panda3D is imported only by the fixtures that need it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from broken_geojson import BAD_FILES
from hypothesis import HealthCheck, settings

# Property tests check what is generated, never how fast: no per-example deadline and no
# "too slow" health check, which a busy machine (not the code) would trip. Settings given
# on a test add to these.
settings.register_profile("unhurried", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("unhurried")

#: Real-world GeoJSON kept outside the repository (see ../shared/data/README.md).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def write_geojson(tmp_path: Path) -> Callable[..., Path]:
    """Write a GeoJSON document (a dict, or raw bytes) into tmp_path and return its path."""

    def write(doc: dict[str, Any] | bytes, name: str = "district.geojson") -> Path:
        path = tmp_path / name
        if isinstance(doc, bytes):
            path.write_bytes(doc)
        else:
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(params=sorted(BAD_FILES), ids=sorted(BAD_FILES))
def bad_file(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, tuple[str, ...]]:
    """Each broken GeoJSON file of the kit in turn, and the words its error must name."""
    make, words = BAD_FILES[request.param]
    path = tmp_path / "bad input.geojson"  # a space: the name must survive quoting
    path.write_bytes(make())
    return path, words


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


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder, or a clean skip when this checkout has none."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-world data folder {SHARED_DATA} is absent (a fresh clone has none)")
    return SHARED_DATA


@pytest.fixture(scope="module")
def base() -> Iterator[Any]:
    """A ShowBase without a window (scene graph, DirectGUI and the messenger all work).

    A process holds one ShowBase at a time: a module that finds another module's still
    open uses that one.
    """
    from direct.showbase import ShowBaseGlobal
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.render.config import configure

    existing = getattr(ShowBaseGlobal, "base", None)
    if existing is not None:
        yield existing
        return
    configure("none", (640, 360))
    showbase = ShowBase(windowType="none")
    yield showbase
    showbase.destroy()
