"""The attract reel: while nobody is at the booth, the camera tours the pavilions by itself.

It flies from pavilion to pavilion in the tour's order along the touring camera's eased
arcs, enters each one so its demo runs, flies on to the demo's overview when the demo named
one (``ctx.camera.set_overview``), and circles slowly for ``dwell`` seconds before moving
on, forever, until a visitor taps the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gwangju_twin.scene.camera import CameraPose

#: How fast the camera circles a pavilion: a full turn in two minutes reads as calm.
ORBIT_DEG_PER_S = 3.0


class AttractReel:
    """Drives ``touring`` (gwangju_twin.touring.Touring) through the pavilions.

    ``on_caption(name_ko, name_en)`` is told which pavilion is on screen.
    """

    def __init__(self, touring: Any, dwell: float,
                 on_caption: Callable[[str, str], None] = lambda ko, en: None) -> None:
        self.touring = touring
        self.dwell = dwell
        self.on_caption = on_caption
        self.order: list[str] = list(touring.order)
        self.index = -1
        self.running = False
        self._left: float | None = None  # seconds still to circle the current pavilion
        self.visited: list[str] = []  # every pavilion the reel reached (for tests and logs)

    def start(self) -> None:
        """Begin with the first pavilion."""
        self.running = True
        self.index = -1
        self._next()

    def stop(self) -> None:
        """Stop where the camera is (the visitor takes over)."""
        self.running = False
        self._left = None
        self.touring.driver.cancel_flight()

    def update(self, dt: float) -> None:
        """One frame: circle the pavilion, or go on to the next when its time is up."""
        if not self.running or self._left is None:
            return
        driver = self.touring.driver
        if not driver.flying and driver.mode == "orbit":
            p = driver.rig.pose
            driver.rig.set_pose(CameraPose(p.target, p.heading + ORBIT_DEG_PER_S * dt,
                                           p.pitch, p.distance))
            driver.apply()
        self._left -= dt
        if self._left <= 0:
            self._left = None
            self._next()

    def _next(self) -> None:
        if not self.order:
            return
        self.index = (self.index + 1) % len(self.order)
        pavilion_id = self.order[self.index]
        info = self.touring.info_of[pavilion_id]
        self.on_caption(info.name_ko, info.name_en)
        self.touring.go_to_pavilion(pavilion_id, self._arrived)

    def _arrived(self) -> None:
        if not self.running:
            return
        pavilion_id = self.order[self.index]
        self.visited.append(pavilion_id)
        overview = self.touring.expo.overview(pavilion_id)
        if overview is not None:  # the demo's whole picture, not only its door
            self.touring.driver.hold(overview.position)  # shown as framed, not pulled in
            self.touring.driver.fly_to(overview)
        self._left = self.dwell
