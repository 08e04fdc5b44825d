"""The healthcare demo in the booth, by touch only (the rehearsal's virtual finger): the
visitor taps an ER's pillar in the demo's view of the district to close it, and a building
to send the ambulance there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gwangju_twin.expo.prepared import prepare
from gwangju_twin.kiosk.config import KioskConfig
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

pytestmark = pytest.mark.render

SIZE = (800, 450)


def screen_of(stage: Any, xyz: tuple[float, float, float]) -> tuple[float, float] | None:
    """The window point (normalised, -1..1) where ``xyz`` is drawn, None when out of view."""
    from panda3d.core import Point2, Point3

    p = stage.base.cam.get_relative_point(stage.base.render, Point3(*xyz))
    out = Point2()
    if not stage.base.camLens.project(p, out):
        return None
    return (out.x, out.y)


def test_a_visitor_closes_an_er_and_dispatches_by_touch(tmp_path: Path) -> None:
    from gwangju_twin.app.rehearsal import Rehearsal

    config = KioskConfig(size=SIZE, log_folder=tmp_path / "logs",
                         database=tmp_path / "visits.sqlite3")
    prepared = prepare(load_scene(default_scene_path()), admit=config.allows)
    kiosk = Rehearsal(prepared, config, fps=15)
    try:
        touring = kiosk.booth.touring
        kiosk.tap(0.0, 0.0)
        kiosk.tap_widget(touring.toolbar.buttons["menu"])
        kiosk.tap_widget(touring.menu.buttons["healthcare"])
        kiosk.seconds(6.0)  # the flight to the door, then the demo's flight to its view
        expo = touring.expo
        assert expo.inside == "healthcare" and not touring.driver.flying
        slot = expo.host.slot("healthcare")
        assert slot is not None and slot.running
        demo: Any = slot.instance
        # Both ERs' pillars are in the picture, left of the panel (x < 0.4).
        spots = [screen_of(kiosk.stage, (x, y, 150.0)) for x, y in demo.er_xy]
        assert all(s is not None and -1 < s[0] < 0.4 and -1 < s[1] < 1 for s in spots), spots
        panel = expo.panel("healthcare")
        kiosk.tap(*spots[0])
        assert not demo.open[0] and demo.open[1]
        assert any("상무병원 (폐쇄)" in line for line in panel.text())
        kiosk.tap(*spots[0])
        assert demo.open.all()
        # The tallest building in clear view (left of the panel, above the minimap, below
        # the toolbar): nothing in front of its roof can take the tap.
        b = expo.host.slot("healthcare").context.district.buildings
        best, where = -1, (0.0, 0.0)
        for row in np.argsort(b.heights)[::-1][:400]:
            x, y = b.centroids[row]
            s = screen_of(kiosk.stage, (float(x), float(y), float(b.heights[row])))
            if s is not None and -0.3 < s[0] < 0.35 and -0.2 < s[1] < 0.7:
                best, where = int(row), s
                break
        assert best >= 0
        van = demo.ambulance
        start = van.get_pos()
        kiosk.tap(*where)
        assert demo.trip_target == best
        assert demo.route_line is not None and not demo.route_line.is_empty()
        assert any(line.startswith("출동:") for line in panel.text())
        kiosk.seconds(2.0)
        assert (van.get_pos() - start).length() > 20.0  # the ambulance drives off
        assert expo.inside == "healthcare" and slot.running
    finally:
        kiosk.close()
