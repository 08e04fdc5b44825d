"""The sunlight check drawn as data: the colour scale, the heat map's quads and the card."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gwangju_twin.sun.heatmap import (
    BAND_HEIGHT,
    GROUND_Z,
    STOPS_H,
    STOPS_RGB,
    facade_batch,
    ground_batch,
    hours_rgba,
)
from gwangju_twin.sun.sunlight import check_sunlight
from gwangju_twin.ui.catalogue import load_catalogue
from gwangju_twin.ui.infocards import sunlight_card

GWANGJU = (35.16, 126.85)


def test_the_scale_hits_its_stops_and_clears_nan() -> None:
    rgba = hours_rgba(np.r_[STOPS_H, np.nan, 9.0, -1.0])
    assert (rgba[: len(STOPS_H), :3] == STOPS_RGB).all()
    assert (rgba[: len(STOPS_H), 3] == 255).all()
    assert rgba[len(STOPS_H), 3] == 0  # inside a building: nothing drawn
    # Beyond the ends the scale holds its end colours.
    assert (rgba[-2, :3] == STOPS_RGB[-1]).all() and (rgba[-1, :3] == STOPS_RGB[0]).all()
    # Halfway between two stops is halfway between their colours.
    mid = hours_rgba(np.array([(STOPS_H[1] + STOPS_H[2]) / 2]))[0, :3]
    assert np.allclose(mid, (STOPS_RGB[1] + STOPS_RGB[2]) / 2, atol=0.51)


@pytest.fixture(scope="module")
def block() -> tuple[object, int]:
    """A 20 x 10 m, 15 m tall block alone on open ground, checked on its own."""
    feet = np.array([shapely.box(0, 0, 20, 10)], dtype=object)
    result = check_sunlight(feet, np.array([15.0]), [0], *GWANGJU, cell=2.0, margin=10.0)
    return result, 0


def test_ground_quads_cover_the_cells_outside_the_building(block) -> None:
    result, _ = block
    batch = ground_batch(result)
    outside = int(np.count_nonzero(~np.isnan(result.ground_hours)))
    assert outside > 0 and batch.primitive_count == 2 * outside
    assert batch.vertex_count == 4 * outside
    assert np.allclose(batch.positions[:, 2], GROUND_Z)
    # No quad lies inside the footprint: every quad's centre is off the building.
    centres = batch.positions.reshape(-1, 4, 3).mean(axis=1)[:, :2]
    inside = shapely.contains_xy(shapely.box(0.5, 0.5, 19.5, 9.5), centres[:, 0], centres[:, 1])
    assert not inside.any()


def test_wall_bands_stand_on_each_sample_off_the_wall(block) -> None:
    result, _ = block
    batch = facade_batch(result)
    n = len(result.sample_xy)
    assert n > 0 and batch.vertex_count == 4 * n and batch.primitive_count == 2 * n
    z = batch.positions[:, 2].reshape(-1, 4)
    assert np.allclose(z.min(axis=1), 0.0) and np.allclose(z.max(axis=1), BAND_HEIGHT)
    # Each band lies outside the footprint (off the wall, on the sample's side).
    centres = batch.positions.reshape(-1, 4, 3).mean(axis=1)[:, :2]
    assert not shapely.contains_xy(shapely.box(0, 0, 20, 10), centres[:, 0], centres[:, 1]).any()
    # The bands along the south wall together are as long as the wall.
    south = [i for i, f in enumerate(result.facades) if f.facing == "S"]
    assert len(south) == 1
    rows = np.flatnonzero(np.asarray(result.sample_facade) == south[0])
    quads = batch.positions.reshape(-1, 4, 3)[rows]
    widths = np.linalg.norm(quads[:, 1, :2] - quads[:, 0, :2], axis=1)
    assert widths.sum() == pytest.approx(20.0, rel=1e-6)


def test_the_card_lists_each_side_and_the_checks_verdict(block) -> None:
    result, row = block
    panel = sunlight_card(result, row, ("블록", "Block"), load_catalogue())
    lines = panel.text("en")
    walls = [line for line in lines if " wall: " in line]
    # A rectangle has four walls, facing S, E, W and N: one line each, sunny side first.
    assert [w.split(" wall")[0].split()[-1] for w in walls] == ["South", "East", "West", "North"]
    verdict = "meets" if result.passes[row] else "falls short"
    assert any(line.startswith(f"Verdict: {verdict}") for line in lines), lines
    # On open ground the south wall gets the whole 8 h window (sun from 08:00 to 16:00 at
    # Gwangju on the solstice: sunrise is about 07:40, sunset about 17:20), the north none.
    assert walls[0].startswith("South wall: 8.0 h") and "· meets" in walls[0]
    assert walls[-1].startswith("North wall: 0.0 h") and "· short" in walls[-1]
