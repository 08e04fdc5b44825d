"""The civic participation board: proposals in a real plugin store, their dongs, the
per-dong summary and the heat map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from gwangju_twin.demos.civic.board import CATEGORIES, Board, Dongs
from gwangju_twin.plugins.storage import PluginStorage

BOUNDS = (0.0, 0.0, 1000.0, 600.0)


def _dongs() -> Dongs:
    names = ["치평동", "상무1동", None, "상무2동"]
    geoms = [shapely.box(0, 0, 500, 600), shapely.box(500, 300, 1000, 600),
             shapely.box(0, 0, 10, 10), shapely.box(500, 0, 1000, 300)]
    tags = [{"boundary": "administrative"}, {"kind": "dong"}, {"boundary": "administrative"},
            {"boundary": "administrative"}]
    return Dongs.from_areas(names, geoms, tags)


def _board(folder: Path) -> tuple[Board, PluginStorage]:
    storage = PluginStorage("gwangju.civic", folder)
    return Board(storage.table("proposals"), _dongs(), BOUNDS), storage


def test_dongs_are_the_named_administrative_areas() -> None:
    dongs = _dongs()
    assert dongs.names == ("치평동", "상무1동", "상무2동")
    assert list(dongs.of([100, 700, 700, 2000], [100, 500, 100, 100])) == [
        "치평동", "상무1동", "상무2동", None]


def test_a_proposal_is_pinned_in_its_dong_and_kept_across_a_restart(tmp_path: Path) -> None:
    board, storage = _board(tmp_path)
    first = board.propose(700.0, 450.0, "green")
    assert (first.dong, first.category, first.agrees) == ("상무1동", "green", 0)
    assert board.agree(first.id).agrees == 1
    storage.close()
    again, _ = _board(tmp_path)
    assert [(p.id, p.dong, p.agrees) for p in again.proposals()] == [(first.id, "상무1동", 1)]


def test_unknown_categories_places_and_pins_are_refused(tmp_path: Path) -> None:
    board, _ = _board(tmp_path)
    with pytest.raises(ValueError, match="category 'parking'"):
        board.propose(10.0, 10.0, "parking")
    with pytest.raises(ValueError, match="outside the district"):
        board.propose(-5.0, 10.0, "safety")
    with pytest.raises(KeyError):
        board.agree(99)
    assert board.proposals() == []


def test_the_summaries_count_every_category_and_dong(tmp_path: Path) -> None:
    board, _ = _board(tmp_path)
    for x, y, category in [(100, 100, "traffic"), (120, 90, "traffic"), (700, 500, "culture"),
                           (800, 100, "welfare"), (900, 150, "welfare")]:
        board.propose(float(x), float(y), category)
    assert board.by_category() == {"traffic": 2, "safety": 0, "green": 0, "culture": 1,
                                   "welfare": 2}
    summary = board.by_dong()
    assert list(summary) == ["치평동", "상무1동", "상무2동"]
    assert summary["치평동"]["traffic"] == 2 and summary["상무2동"]["welfare"] == 2
    assert sum(sum(c.values()) for c in summary.values()) == 5


def test_the_heat_map_peaks_where_the_agreed_proposals_are(tmp_path: Path) -> None:
    board, _ = _board(tmp_path)
    hot = board.propose(820.0, 140.0, "safety")
    for _ in range(4):
        board.agree(hot.id)
    board.propose(100.0, 500.0, "safety")
    grid, centres = board.heat(cell=40.0, spread=1.5)
    assert grid.shape == (len(CATEGORIES), 15, 25) and centres.shape == (15, 25, 2)
    safety = grid[CATEGORIES.index("safety")]
    i, j = np.unravel_index(np.argmax(safety), safety.shape)
    assert np.hypot(*(centres[i, j] - (820.0, 140.0))) < 40.0
    # The blur keeps the weight: five for the agreed pin, one for the other.
    assert safety.sum() == pytest.approx(6.0, rel=0.05)
    assert grid[CATEGORIES.index("green")].sum() == 0.0


def test_the_real_gwangju_dongs_are_found_and_city_hall_is_in_chipyeong(
        shared_data: Path, tmp_path: Path) -> None:
    """A statistics office's dong file tags no boundaries: its named polygons are the dongs,
    called by their own names."""
    from gwangju_twin.geo import load_geojson

    district, _ = load_geojson(shared_data / "gwangju_hangjeongdong_admdongkor.geojson")
    rows = district.select("area")
    dongs = Dongs.from_areas([district.name[i] for i in rows], district.geometry[rows],
                             [district.properties[i] for i in rows])
    assert len(dongs.names) == 96 and len(set(dongs.names)) == 96
    assert "치평동" in dongs.names and "상무1동" in dongs.names
    x, y = district.frame.to_local(126.8515218, 35.1597705)  # City Hall (GWANGJU.md)
    assert list(dongs.of(x, y)) == ["치평동"]
    board = Board(PluginStorage("gwangju.civic", tmp_path).table("proposals"), dongs,
                  tuple(shapely.total_bounds(dongs.polygons)))
    board.propose(float(x), float(y), "welfare")
    assert board.by_dong()["치평동"]["welfare"] == 1
