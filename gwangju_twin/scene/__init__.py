"""The scene room (pure): scene files, their validation, and camera poses."""

from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.scenefile import (
    CameraSpec,
    Scene,
    load_scene,
    scene_for_geojson,
    without_plugins,
)

__all__ = ["CameraPose", "CameraSpec", "Scene", "load_scene", "scene_for_geojson",
           "without_plugins"]
