"""An estimate of the draw calls of a frame, for the HUD, without PStats.

Panda3D 1.10 exposes no per-frame draw-call counter to Python short of a PStats server, so
this counts what the cull pass would send: the Geoms of visible GeomNodes whose bounds meet
the camera's frustum (3D) plus every visible Geom or text of the 2D overlay (never culled).
It runs a couple of times a second, not every frame.
"""

from __future__ import annotations

from panda3d.core import BoundingVolume, GeomNode, NodePath, PGItem, TextNode


def _geoms(node_path: NodePath) -> int:
    node = node_path.node()
    if isinstance(node, GeomNode):
        return node.get_num_geoms()
    if isinstance(node, TextNode):
        return 1 if node.get_text() else 0
    return 0


def _drawn_in(root: NodePath) -> int:
    """Geoms and texts under ``root`` that are not hidden, including what DirectGUI items
    draw from their current state (kept outside the ordinary scene graph)."""
    total = 0
    for found in root.find_all_matches("**/+GeomNode") + root.find_all_matches("**/+TextNode"):
        if not found.is_hidden():
            total += _geoms(found)
    for found in root.find_all_matches("**/+PGItem"):
        item = found.node()
        if found.is_hidden() or not isinstance(item, PGItem):
            continue
        shown = item.get_state_def(item.get_state())
        total += _drawn_in(shown) + _geoms(shown)
    return total


def count_draw_calls(scene: NodePath, camera: NodePath, overlay: NodePath | None = None) -> int:
    """Geoms of ``scene`` in ``camera``'s view plus those shown in ``overlay``."""
    lens = camera.node().get_lens()
    frustum = lens.make_bounds()
    total = 0
    for found in scene.find_all_matches("**/+GeomNode") + scene.find_all_matches("**/+TextNode"):
        if found.is_hidden():
            continue
        bounds = found.get_bounds().make_copy()
        bounds.xform(found.get_mat(camera))
        if frustum.contains(bounds) != BoundingVolume.IF_no_intersection:
            total += _geoms(found)
    if overlay is not None:
        total += _drawn_in(overlay)
    return total
