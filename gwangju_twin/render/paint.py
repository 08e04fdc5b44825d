"""What the viewer draws on a plugin's behalf: building paint overlays and simple boxes.

The render room's side of ``gwangju_twin.plugins.context.StageServices``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from panda3d.core import Filename, Loader, LoaderOptions, NodePath

from gwangju_twin.geo.model import District
from gwangju_twin.mesh.prism import extrude
from gwangju_twin.render.geoms import make_geom_node

#: Paint sits this far above the roofs and is depth-offset, so it wins against the city's
#: own faces without z-fighting, yet stays hidden behind nearer buildings.
PAINT_LIFT = 0.08


class StageServices:
    """Paint and boxes for the plugins of one district."""

    def __init__(self, district: District, building_rows: np.ndarray) -> None:
        self.district = district
        self.building_rows = building_rows

    def paint_buildings(self, parent: NodePath, indices: np.ndarray, rgba: np.ndarray) -> NodePath:
        """Re-draw buildings ``indices`` (rows of the plugins' Buildings) in ``rgba`` (0..1)."""
        rows = self.building_rows[indices]
        geoms = self.district.geometry[rows]
        parts, which = shapely.get_parts(geoms, return_index=True)
        colours = np.round(np.asarray(rgba)[which] * 255).astype(np.uint8)
        top = self.district.height[rows][which] + PAINT_LIFT
        bottom = self.district.min_height[rows][which]
        batch = extrude(parts, np.asarray(indices)[which].astype(np.int32), bottom, top,
                        colours, colours, material="paint")
        node = parent.attach_new_node(make_geom_node(batch, "building-paint"))
        node.set_depth_offset(1)
        if (colours[:, 3] < 255).any():
            node.set_transparency(True)
        return node

    def load_model(self, parent: NodePath, path: Path) -> NodePath:
        """Load a model file (.bam, .egg; others through Panda3D's loader plugins)."""
        loaded = Loader.get_global_ptr().load_sync(Filename.from_os_specific(str(path)),
                                                   LoaderOptions(LoaderOptions.LF_no_cache))
        if loaded is None:
            raise OSError(f"{path}: Panda3D could not load this model")
        return parent.attach_new_node(loaded)

    def make_box(self, parent: NodePath, size: tuple[float, float, float],
                 rgba: tuple[float, float, float, float]) -> NodePath:
        """A closed flat-shaded box, base at z = 0, centred on (0, 0)."""
        sx, sy, sz = size
        square = shapely.box(-sx / 2, -sy / 2, sx / 2, sy / 2)
        colour = np.round(np.array([rgba]) * 255).astype(np.uint8)
        batch = extrude(np.array([square]), np.zeros(1, np.int32), np.zeros(1), np.array([sz]),
                        colour, colour, material="box")
        node = parent.attach_new_node(make_geom_node(batch, "box"))
        if rgba[3] < 1.0:
            node.set_transparency(True)
        return node
