"""The scene room (pure): scene files, their validation, and camera poses.

The names below load with their module on first use, so importing one part of the room
(the sector table, say) does not read in the GeoJSON loader with shapely and pyproj.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gwangju_twin.lazy import lazy_names

if TYPE_CHECKING:
    from gwangju_twin.scene.camera import CameraPose
    from gwangju_twin.scene.scenefile import (
        CameraSpec,
        Scene,
        load_scene,
        scene_for_geojson,
        without_plugins,
    )

_LAZY = {
    "CameraPose": "gwangju_twin.scene.camera",
    "CameraSpec": "gwangju_twin.scene.scenefile",
    "Scene": "gwangju_twin.scene.scenefile",
    "load_scene": "gwangju_twin.scene.scenefile",
    "scene_for_geojson": "gwangju_twin.scene.scenefile",
    "without_plugins": "gwangju_twin.scene.scenefile",
}

__all__ = [
    "CameraPose",
    "CameraSpec",
    "Scene",
    "load_scene",
    "scene_for_geojson",
    "without_plugins",
]

__getattr__ = lazy_names(__name__, _LAZY)
