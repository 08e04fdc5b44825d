"""The solstice sunlight heat map in the scene: the ground's grid and the walls' bands.

Drawn over the city like the highlights: unlit, unfogged, translucent where the ground
shows through, nudged towards the camera so it wins against the surfaces it lies on.
"""

from __future__ import annotations

from panda3d.core import LineSegs, NodePath, TransparencyAttrib

from gwangju_twin.render.geoms import make_geom_node
from gwangju_twin.sun.heatmap import facade_batch, ground_batch
from gwangju_twin.sun.sunlight import SunlightResult


class SunlightMap:
    """The heat map of one sunlight check under ``parent`` (``show`` replaces it)."""

    def __init__(self, parent: NodePath) -> None:
        self._parent = parent
        self.node: NodePath | None = None
        self.result: SunlightResult | None = None

    def show(self, result: SunlightResult) -> NodePath:
        """Draw ``result``'s ground map and wall bands; returns their node."""
        self.clear()
        root = self._parent.attach_new_node("sunlight-map")
        for batch in (ground_batch(result), facade_batch(result)):
            if batch.vertex_count:
                root.attach_new_node(make_geom_node(batch, batch.material))
        root.set_light_off(1)
        root.set_fog_off(1)
        root.set_two_sided(True)
        root.set_transparency(TransparencyAttrib.M_alpha)
        root.set_depth_write(False)
        root.set_depth_offset(2)
        root.set_bin("transparent", 5)
        self.node, self.result = root, result
        return root

    def clear(self) -> None:
        """Take the map away."""
        if self.node is not None:
            self.node.remove_node()
        self.node = None
        self.result = None


#: The box being dragged: a bright outline just above the ground layers.
BAND_RGBA = (1.0, 0.78, 0.20, 1.0)
BAND_Z = 0.6


class AreaBand:
    """The outline of the box a visitor drags on the ground for an area check."""

    def __init__(self, parent: NodePath) -> None:
        self._parent = parent
        self.node: NodePath | None = None
        self.box: tuple[float, float, float, float] | None = None

    def show(self, box: tuple[float, float, float, float]) -> None:
        """Outline ``box`` (x0, y0, x1, y1 in local metres), replacing any other."""
        self.clear()
        x0, y0, x1, y1 = box
        segs = LineSegs("area-band")
        segs.set_color(*BAND_RGBA)
        segs.set_thickness(2.5)
        segs.move_to(x0, y0, BAND_Z)
        for x, y in ((x1, y0), (x1, y1), (x0, y1), (x0, y0)):
            segs.draw_to(x, y, BAND_Z)
        node = self._parent.attach_new_node(segs.create())
        node.set_light_off(1)
        node.set_fog_off(1)
        node.set_bin("fixed", 10)
        node.set_depth_test(False)  # never hidden by the buildings it surrounds
        self.node, self.box = node, box

    def clear(self) -> None:
        """Take the outline away."""
        if self.node is not None:
            self.node.remove_node()
        self.node = None
        self.box = None
