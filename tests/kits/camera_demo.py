"""A test demo that shows something far from its door: a box on an empty lot across the
district, framed with ``ctx.camera`` and clickable with ``ctx.on_click``, and a listener
for building clicks. Used by the stage tests of the demo camera and clicks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import shapely
from plugin_builders import write_plugin

from gwangju_twin.expo.pavilions import build_pavilions
from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.plugins.discovery import discover

PLUGIN_ID = "camera.demo"
PAVILION = "healthcare"
#: The box's size (metres) and colour (a blue no district material has).
BOX = (40.0, 40.0, 30.0)
BOX_RGBA = (0.05, 0.25, 1.0, 1.0)

CODE = '''
from gwangju_twin.plugins import PavilionDemo

SPOT = ({x:.3f}, {y:.3f})
HALF = 70.0


class Demo(PavilionDemo):
    def load(self, ctx):
        self.clicks = []
        self.rows = []
        x, y = SPOT
        ctx.camera.set_overview((x - 150, y - 150, x + 150, y + 150), heading=45.0)

    def enter(self, ctx):
        x, y = SPOT
        self.box = ctx.make_box({box}, {rgba})
        self.box.set_pos(x, y, 0)
        ctx.on_click(self.box, self.clicked)
        ctx.on_building_click(self.rows.append)
        self.pose = ctx.camera.frame((x - HALF, y - HALF, x + HALF, y + HALF), pitch=45.0)
        self.ctx = ctx

    def clicked(self, event):
        self.clicks.append((event.point, event.node))
        self.ctx.panel.set_line("clicks", f"눌림 {{len(self.clicks)}}",
                                f"clicks {{len(self.clicks)}}")

    def exit(self, ctx):
        self.box.remove_node()
'''


def far_spot(prepared: Prepared, pavilion_id: str = PAVILION) -> tuple[float, float]:
    """An empty lot (no building within 60 m, no pavilion within 150 m) as far from
    ``pavilion_id`` as the district allows, inside its bounds."""
    d = prepared.district
    x0, y0, x1, y1 = prepared.mesh.bounds
    gx, gy = np.meshgrid(np.linspace(x0 + 0.15 * (x1 - x0), x1 - 0.15 * (x1 - x0), 60),
                         np.linspace(y0 + 0.15 * (y1 - y0), y1 - 0.15 * (y1 - y0), 60))
    pts = shapely.points(gx.ravel(), gy.ravel())
    buildings = d.geometry[d.select("buildings")]
    _, gap = shapely.STRtree(buildings).query_nearest(pts, return_distance=True,
                                                      all_matches=False)
    sites = np.array([p.info.position for p in prepared.pavilions])
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    to_sites = np.linalg.norm(xy[:, None, :] - sites[None, :, :], axis=2).min(axis=1)
    home = next(p.info.position for p in prepared.pavilions if p.info.id == pavilion_id)
    far = np.linalg.norm(xy - np.array(home), axis=1)
    ok = (gap > 60.0) & (to_sites > 150.0)
    assert ok.any(), "no empty lot in the district"
    k = int(np.argmax(np.where(ok, far, -1.0)))
    return float(xy[k, 0]), float(xy[k, 1])


def with_camera_demo(prepared: Prepared, folder: Path) -> tuple[Prepared, tuple[float, float]]:
    """``prepared`` with the camera demo in the healthcare pavilion (the other pavilions
    keep their plugins); returns it and the box's spot."""
    spot = far_spot(prepared)
    write_plugin(folder, PLUGIN_ID, "healthcare",
                 CODE.format(x=spot[0], y=spot[1], box=BOX, rgba=BOX_RGBA))
    plugins: dict[str, str | None] = {p.info.id: p.info.plugin for p in prepared.pavilions}
    plugins[PAVILION] = PLUGIN_ID
    found = (*prepared.found, *discover([folder], entry_points=[]))
    variant = dataclasses.replace(
        prepared, pavilions=build_pavilions([p.site for p in prepared.pavilions], plugins),
        found=found)
    return variant, spot
