"""The hover and selection highlight: one small Geom of the picked feature's own triangles.

The district is merged into a few big Geoms, so a building cannot be recoloured on its own
without rewriting a tile. Instead its triangles (from the pick index) are drawn again on
top, unlit and translucent, nudged towards the camera by a depth offset so they win the
depth test against the surfaces they copy.
"""

from __future__ import annotations

import numpy as np
from panda3d.core import NodePath, TransparencyAttrib

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.render.geoms import make_geom_node

HOVER_RGBA = (255, 214, 64, 110)
SELECT_RGBA = (255, 140, 0, 150)


class Highlight:
    """A highlight slot under ``parent``: ``show(feature, triangles)`` replaces its mesh."""

    def __init__(self, parent: NodePath, name: str, rgba: tuple[int, int, int, int]) -> None:
        self._parent = parent
        self._name = name
        self._rgba = np.array(rgba, np.uint8)
        self.feature: int | None = None
        self.node: NodePath | None = None

    def show(self, feature: int | None, triangles: np.ndarray) -> None:
        """Highlight ``feature`` drawn from ``triangles`` (float (k, 3, 3)); ``None`` or no
        triangles clears it. Cheap when the feature is already shown."""
        if feature == self.feature and self.node is not None:
            return
        self.clear()
        if feature is None or len(triangles) == 0:
            return
        self.feature = feature
        k = len(triangles)
        positions = np.ascontiguousarray(triangles, np.float32).reshape(-1, 3)
        batch = MeshBatch(
            material=self._name,
            positions=positions,
            normals=np.zeros_like(positions),
            colors=np.tile(self._rgba, (len(positions), 1)),
            indices=np.arange(3 * k, dtype=np.uint32).reshape(k, 3),
            feature_ids=np.full(len(positions), feature, np.int32),
        )
        node = self._parent.attach_new_node(make_geom_node(batch, self._name))
        node.set_light_off(1)
        node.set_fog_off(1)
        node.set_two_sided(True)
        node.set_transparency(TransparencyAttrib.M_alpha)
        node.set_depth_write(False)
        node.set_depth_offset(2)
        node.set_bin("transparent", 10)
        self.node = node

    def clear(self) -> None:
        """Remove the highlight."""
        if self.node is not None:
            self.node.remove_node()
        self.node = None
        self.feature = None
