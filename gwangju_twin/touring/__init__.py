"""The desktop visitor's interface: camera driving, picking, menus, tour, map, search."""

from gwangju_twin.touring.session import Touring

__all__ = ["Touring"]
