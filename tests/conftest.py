"""What every tier of the tests shares, and the tiers themselves.

The tests live in three folders, each with a conftest.py of its own:

- ``pure/``: in this process, without the renderer (geo, mesh, scene, picking, navigation,
  guide, plugins, kiosk logic, catalogue, declutter, architecture). The fast loop.
- ``stage/``: the real Panda3D renderer, in this process or in a ``python -c`` child.
- ``system/``: the command line, the kiosk supervisor and its children, Xvfb windows, pip
  installs, and the README's promises.

Each test is marked with its folder's name (``pytest -m pure`` works like ``pytest
tests/pure``); a test file outside the three folders stops the run. Panda3D is imported only
by the fixtures that need it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from broken_geojson import BAD_FILES
from hypothesis import HealthCheck, settings
from render_helpers import REPO

if TYPE_CHECKING:
    from gwangju_twin.expo.prepared import Prepared

# Property tests check what is generated, never how fast: no per-example deadline and no
# "too slow" health check, which a busy machine (not the code) would trip. Settings given
# on a test add to these.
settings.register_profile("unhurried", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("unhurried")

# Tile caches go to a folder of this run, never the user's cache (a developer's baked city
# must not change what a test sees), and children started by tests inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="gwangju-twin-test-cache-")

#: The tiers, each a folder beside this file and a marker of the same name (pyproject.toml).
TIERS = ("pure", "stage", "system")
TESTS = Path(__file__).resolve().parent

#: Real-world GeoJSON kept outside the repository (see ../shared/data/README.md).
SHARED_DATA = REPO.parent / "shared" / "data"


# tryfirst: the markers must be on the items before ``-m`` deselects by them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its tier, the folder it lives in under tests/."""
    for item in items:
        path = item.path.resolve()
        parts = path.relative_to(TESTS).parts if path.is_relative_to(TESTS) else ()
        if len(parts) < 2 or parts[0] not in TIERS:
            raise pytest.UsageError(
                f"{path}: every test file belongs in tests/pure, tests/stage or tests/system "
                "(see tests/conftest.py for which)")
        item.add_marker(parts[0])


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


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder, or a clean skip when this checkout has none."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-world data folder {SHARED_DATA} is absent (a fresh clone has none)")
    return SHARED_DATA


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    """The default scene, prepared as the viewer prepares it (its own plugins, no kiosk)."""
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    return prepare(load_scene(default_scene_path()))
