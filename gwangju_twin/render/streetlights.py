"""Street lights at night: one Geom of points, warm dots along the roads.

Drawn unlit and the same few pixels wide at any distance, so a city seen from afar at night
shows its street grid as lines of light. They fade in with the night (the daylight scale's
``night``: 0 by day, 1 after dusk) and are hidden by day and from the sun's shadow camera.

How bright each lamp is comes from its emissive byte (mesh/streetlights.py, by its road's
class), carried as the alpha of its vertex colour: the fixed-function pipeline draws it at
every preset, and the night's fade scales it (``set_alpha_scale``) with no per-lamp work.
"""

from __future__ import annotations

import numpy as np
from panda3d.core import (
    Geom,
    GeomEnums,
    GeomNode,
    GeomPoints,
    GeomVertexData,
    GeomVertexFormat,
    NodePath,
    TransparencyAttrib,
)

from gwangju_twin.render.world import SHADOW_CAMERA

#: Sodium-and-LED warm white.
LAMP_RGB = (1.0, 0.86, 0.58)
#: A lamp's dot, in pixels.
LAMP_PIXELS = 3.0
#: One lamp's vertex: position and colour (RGB the lamp's, alpha its emissive byte).
_LAMP = np.dtype([("pos", np.float32, 3), ("rgba", np.uint8, 4)])
#: Below this much night the lamps are off (and not drawn at all).
OFF_BELOW = 0.02


class StreetLights:
    """The lamps at ``positions`` (float (n, 3), local metres) under ``parent``, each as
    bright as its ``emissive`` byte (uint8 (n,); None: all at full brightness)."""

    def __init__(self, parent: NodePath, positions: np.ndarray,
                 emissive: np.ndarray | None = None) -> None:
        pts = np.asarray(positions, np.float32).reshape(-1, 3)
        self.count = len(pts)
        verts = np.empty(self.count, _LAMP)
        verts["pos"] = pts
        verts["rgba"][:, :3] = np.round(np.array(LAMP_RGB) * 255)
        verts["rgba"][:, 3] = 255 if emissive is None else np.asarray(emissive, np.uint8)
        vdata = GeomVertexData("street-lights", GeomVertexFormat.get_v3c4(),
                               GeomEnums.UH_static)
        assert vdata.get_format().get_array(0).get_stride() == _LAMP.itemsize
        vdata.unclean_set_num_rows(self.count)
        if self.count:
            memoryview(vdata.modify_array(0)).cast("B")[:] = verts.tobytes()
        prim = GeomPoints(GeomEnums.UH_static)
        prim.add_next_vertices(self.count)
        geom = Geom(vdata)
        geom.add_primitive(prim)
        node = GeomNode("street-lights")
        node.add_geom(geom)
        self.node = parent.attach_new_node(node)
        self.node.set_light_off(1)
        self.node.set_shader_off(1)
        self.node.set_render_mode_thickness(LAMP_PIXELS)
        self.node.set_render_mode_perspective(False)
        self.node.set_transparency(TransparencyAttrib.M_alpha)
        self.node.hide(SHADOW_CAMERA)
        self.night = 0.0
        self.node.hide()

    def set_night(self, night: float) -> None:
        """Light the lamps for ``night`` (0 by day .. 1 at night): faded in at dusk."""
        self.night = max(0.0, min(1.0, float(night)))
        if self.night < OFF_BELOW or self.count == 0:
            self.node.hide()
            return
        self.node.show()
        self.node.hide(SHADOW_CAMERA)
        self.node.set_alpha_scale(self.night)
