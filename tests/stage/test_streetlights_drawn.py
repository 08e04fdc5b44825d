"""Street lights in the picture: warm dots along the roads at night, none by day, fading
in at dusk (the real renderer offscreen, the stage's own clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from render_helpers import read_png

from gwangju_twin.app.stage import Stage, StageOptions
from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.render.streetlights import LAMP_RGB
from gwangju_twin.sun.clock import SEOUL

pytestmark = pytest.mark.render


@pytest.fixture(scope="module")
def stage(prepared: Prepared) -> Iterator[Stage]:
    s = Stage(prepared, "offscreen", (640, 400), StageOptions(
        quality="low", time=datetime(2026, 12, 22, 12, 0, tzinfo=SEOUL)))
    try:
        yield s
    finally:
        s.close()


def test_lamps_light_at_night_and_go_out_by_day(stage: Stage, tmp_path: Path) -> None:
    lights = stage.streetlights
    assert lights.count > 100  # the default district's roads hold hundreds of lamps
    assert lights.night == 0.0 and lights.node.is_hidden()  # noon

    stage.clock.set(datetime(2026, 12, 22, 22, 0, tzinfo=SEOUL))
    assert lights.night == 1.0 and not lights.node.is_hidden()
    lit = read_png(stage.screenshot(tmp_path / "night.png")).astype(int)
    lights.node.hide()
    dark = read_png(stage.screenshot(tmp_path / "night-without.png")).astype(int)
    lights.set_night(1.0)
    # The lamps are what differs: hundreds of pixels, brighter and warmer than the night
    # city under them (red over blue, as the lamps' colour).
    changed = np.abs(lit - dark)[..., :3].max(axis=2) > 30
    assert changed.sum() > 200, changed.sum()
    assert (lit[changed, 0] > dark[changed, 0]).mean() > 0.9
    assert (lit[changed, 0] > lit[changed, 2]).mean() > 0.9
    lamp = np.array(LAMP_RGB) * 255
    assert (np.abs(lit[changed, :3] - lamp).max(axis=1) <= 60).mean() > 0.5

    # Civil dusk (about 17:45 on the solstice): on, and fainter than at night.
    stage.clock.set(datetime(2026, 12, 22, 17, 45, tzinfo=SEOUL))
    assert 0.0 < lights.night <= 1.0
    stage.clock.set(datetime(2026, 12, 22, 12, 0, tzinfo=SEOUL))
    assert lights.node.is_hidden()
