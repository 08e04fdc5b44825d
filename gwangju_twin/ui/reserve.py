"""Screen rectangles the interface keeps for itself (toolbar, minimap, panels).

A widget marks its root node with the rectangle its card covers, in the node's own units
(``reserve``); ``reserved_rects`` reads every shown one back in the overlay's units. The label
declutter keeps pavilion and landmark labels out of them, and the info panel docks below a
toolbar that would otherwise cover its title. Marks follow their nodes: a moved, rescaled or
hidden widget needs no update, only a widget whose card changes size marks it again.
"""

from __future__ import annotations

from panda3d.core import NodePath, Point3

from gwangju_twin.ui.declutter import Rect

#: The tag holding a node's reserved rectangle: "x0 z0 x1 z1" in the node's units.
RESERVE_TAG = "gt-reserve"


def reserve(node: NodePath, x0: float, z0: float, x1: float, z1: float) -> None:
    """Mark ``node`` as covering the rectangle (x0, z0)-(x1, z1) of its own XZ plane."""
    node.set_tag(RESERVE_TAG, f"{x0!r} {z0!r} {x1!r} {z1!r}")


def reserved_rects(overlay: NodePath, exclude: NodePath | None = None) -> list[Rect]:
    """The rectangles (x0, z0, x1, z1) in ``overlay``'s units of every shown node under it
    marked with ``reserve``, except ``exclude`` and its descendants."""
    out: list[Rect] = []
    for node in overlay.find_all_matches(f"**/={RESERVE_TAG}"):
        if node.is_hidden() or node.is_stashed():
            continue
        if exclude is not None and (node == exclude or exclude.is_ancestor_of(node)):
            continue
        x0, z0, x1, z1 = (float(v) for v in node.get_tag(RESERVE_TAG).split())
        a = overlay.get_relative_point(node, Point3(x0, 0.0, z0))
        b = overlay.get_relative_point(node, Point3(x1, 0.0, z1))
        out.append((min(a.x, b.x), min(a.z, b.z), max(a.x, b.x), max(a.z, b.z)))
    return out


__all__ = ["RESERVE_TAG", "reserve", "reserved_rects"]
