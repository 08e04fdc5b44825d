"""The pure tier: everything computed without a window, in this process (geo, mesh, scene,
picking, navigation, guide, plugin manifests and roads, kiosk config, cycle, PIN and
analytics, the catalogue, the declutter, the architecture). The fast loop: ``pytest
tests/pure``.

No renderer, no command line (``python -m gwangju_twin`` or a script), no process of its
own and no X screen. The one kind of child allowed is the import probe
(``render_helpers.panda3d_loaded_by``): which modules a fresh interpreter loads is a property
of the pure rooms that only a fresh process can show.
"""

from __future__ import annotations

from typing import Any

import pytest
from render_helpers import REPO


@pytest.fixture(scope="module")
def sangmu() -> tuple[Any, Any]:
    """The default scene file and its district as the loader reads it (no pavilions placed)."""
    from gwangju_twin.geo import load_geojson
    from gwangju_twin.scene import load_scene

    scene = load_scene(REPO / "scenes" / "sangmu.toml")
    district, _ = load_geojson(scene.source, crs=scene.crs, origin=scene.origin,
                               level_height=scene.level_height)
    return scene, district
