"""The desktop visitor's interface: camera driving, picking, menus, tour, map, search."""

from gwangju_twin.touring.session import Touring
from gwangju_twin.touring.stageview import Floor, StageView

__all__ = ["Floor", "StageView", "Touring"]
