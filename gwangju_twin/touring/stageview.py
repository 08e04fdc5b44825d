"""What the touring interface needs of the stage it runs on, as protocols.

The stage (``gwangju_twin.app.stage.Stage``) and its expo floor live in the outer ring,
which touring may not import, not even for type checking. These protocols name the part of
them touring uses; the real classes satisfy them structurally, and mypy checks that where
the stage hands itself to ``Touring``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import NodePath, TextFont

    from gwangju_twin.expo.prepared import Prepared
    from gwangju_twin.picking import Hit
    from gwangju_twin.plugins.camera import CameraHand
    from gwangju_twin.plugins.host import PluginHost
    from gwangju_twin.plugins.panel import PanelButton
    from gwangju_twin.scene.camera import CameraPose
    from gwangju_twin.sun.clock import SceneClock
    from gwangju_twin.ui.panel import PanelView


class Floor(Protocol):
    """The expo floor: pavilions, their plugins' demos and the panel of the one entered."""

    @property
    def font(self) -> TextFont:
        """The interface's Hangul font."""

    @property
    def bold_font(self) -> TextFont:
        """Its bold face."""

    @property
    def inside(self) -> str | None:
        """The pavilion the visitor is in, if any."""

    @property
    def language(self) -> str:
        """The language of the pavilion labels and panels."""

    @property
    def host(self) -> PluginHost:
        """The plugin host (the booth reads its slots)."""

    @property
    def panel_view(self) -> PanelView | None:
        """The entered pavilion's panel on screen, if any."""

    camera_hand: CameraHand | None
    """What moves the camera for the demos (touring puts its flights there)."""

    leave_button: PanelButton | None
    """The Leave button under an entered pavilion's panel (touring sets it)."""

    @property
    def demo_pose(self) -> CameraPose | None:
        """The view the entered demo last asked for, if any."""

    def overview(self, pavilion_id: str) -> CameraPose | None:
        """The overview a pavilion's demo named, if any."""

    def click(self, origin: tuple[float, float, float],
              direction: tuple[float, float, float], hit: Hit | None) -> bool:
        """Give a click to the entered demo; True when the demo took it."""

    def enter(self, pavilion_id: str) -> None:
        """Go into a pavilion: its demo starts and its panel shows."""

    def exit(self) -> None:
        """Leave the pavilion the visitor is in."""

    def reload(self) -> None:
        """Leave, and load every plugin anew (the next visitor's fresh start)."""

    def set_language(self, language: str) -> None:
        """Show labels and panels in ``language``."""


class StageView(Protocol):
    """A stage as touring sees it: its ShowBase, the prepared world, the floor, the start
    pose and the world node the district hangs under."""

    @property
    def base(self) -> ShowBase:
        """The running ShowBase (window, camera, task manager, messenger)."""

    @property
    def prepared(self) -> Prepared:
        """The district, its mesh, the scene and its pavilions."""

    @property
    def expo(self) -> Floor:
        """The expo floor."""

    @property
    def pose(self) -> CameraPose:
        """The start pose."""

    @property
    def world(self) -> NodePath:
        """The district's root node (highlights are drawn under it)."""

    @property
    def clock(self) -> SceneClock:
        """The scene's moment (the time slider sets it and plays it; the sun follows)."""
