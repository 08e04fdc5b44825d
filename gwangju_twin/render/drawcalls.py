"""An estimate of the draw calls of a frame, for the HUD, without PStats.

Panda3D 1.10 exposes no per-frame draw-call counter to Python short of a PStats server, so
this counts what the cull pass would send: the Geoms of visible GeomNodes whose bounds meet
the camera's frustum (3D) plus every visible Geom or text of the 2D overlay (never culled).
It runs a couple of times a second, not every frame.
"""

from __future__ import annotations

from panda3d.core import BoundingVolume, GeomNode, NodePath, TextNode


def _geoms(node_path: NodePath) -> int:
    node = node_path.node()
    if isinstance(node, GeomNode):
        return node.get_num_geoms()
    if isinstance(node, TextNode):
        return 1 if node.get_text() else 0
    return 0


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
        for found in (overlay.find_all_matches("**/+GeomNode")
                      + overlay.find_all_matches("**/+TextNode")):
            if not found.is_hidden():
                total += _geoms(found)
    return total
