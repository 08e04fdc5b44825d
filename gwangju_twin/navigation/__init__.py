"""The visitor's camera as pure logic (no Panda3D): eyes, limits, rigs, fly-to, collisions.

The window shell turns pointer and key events into rig calls and puts ``rig.eye`` on the
camera each frame; everything here is testable without a window.
"""

from gwangju_twin.navigation.eye import Eye
from gwangju_twin.navigation.flight import Flight
from gwangju_twin.navigation.limits import Limits
from gwangju_twin.navigation.obstacles import Obstacles
from gwangju_twin.navigation.rigs import FlyRig, OrbitRig, WalkRig

__all__ = ["Eye", "Flight", "FlyRig", "Limits", "Obstacles", "OrbitRig", "WalkRig"]
