"""The civic participation map in a kiosk booth, by touch alone (the rehearsal's virtual
finger)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from stage_driving import screen_of

from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.scene.camera import CameraPose

pytestmark = pytest.mark.render

SIZE = (800, 500)
PAVILION = "administration"


def test_a_booth_visitor_pins_a_proposal_by_touch_alone(prepared: Prepared,
                                                        tmp_path: Path) -> None:
    """In the kiosk, through the rehearsal's virtual finger: the menu, a tap on a building,
    a tap on a category; the proposal lands in the store beside the booth's database."""
    from gwangju_twin.app.rehearsal import Rehearsal
    from gwangju_twin.kiosk.config import KioskConfig
    from gwangju_twin.kiosk.pin import hash_pin

    config = KioskConfig(size=SIZE, attract_after=30.0, reset_after=60.0, countdown=3,
                         attract_dwell=3.0, pin_hash=hash_pin("2468", iterations=1000),
                         log_folder=tmp_path / "logs", database=tmp_path / "visits.sqlite3")
    kiosk = Rehearsal(prepared, config, fps=15)
    try:
        touring = kiosk.booth.touring
        kiosk.tap_widget(touring.toolbar.buttons["menu"])
        kiosk.tap_widget(touring.menu.buttons[PAVILION])
        kiosk.seconds(6.0)
        assert touring.expo.inside == PAVILION and not touring.driver.flying
        ctx = touring.expo.host.slot(PAVILION).context
        b = ctx.district.buildings
        row = int(np.argmax(b.heights))
        cx, cy = (float(v) for v in b.centroids[row])
        touring.driver.show(CameraPose((cx, cy, 0.0), 0.0, 85.0, 400.0), 0.0)
        kiosk.seconds(0.2)
        kiosk.tap(*screen_of(kiosk.stage, (cx, cy, float(b.heights[row]))))
        kiosk.seconds(0.3)
        keys = [k.key for k in ctx.panel.buttons]
        assert keys[:5] == ["traffic", "safety", "green", "culture", "welfare"]
        view = touring.expo.panel_view
        assert view is not None
        kiosk.tap_widget(view.buttons[keys.index("safety")])
        rows = ctx.storage.table("proposals").rows()
        assert [r["category"] for r in rows] == ["safety"]
        assert ctx.storage.path is not None
        assert ctx.storage.path.parent == tmp_path / "plugins"
    finally:
        kiosk.close()
