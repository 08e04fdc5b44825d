"""The civic participation map in the real plugin host, headless: its whole lifecycle
through the SDK's dry run, and a fault in any hook taking only this demo down."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import shapely

import gwangju_twin.demos.civic as civic
from gwangju_twin.app.stage import Stage
from gwangju_twin.expo.pavilions import build_pavilions
from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.plugins.discovery import discover
from gwangju_twin.plugins.testing import run_lifecycle

FOLDER = Path(civic.__file__).parent

FAULTY = """
from gwangju_twin.demos.civic.demo import CivicDemo


class Demo(CivicDemo):
    def {hook}(self, *args):
        super().{hook}(*args)
        raise RuntimeError("injected fault")
"""


def test_the_whole_lifecycle_runs_clean() -> None:
    result = run_lifecycle(FOLDER, seconds=1.0)
    assert result.errors == [] and result.state == "unloaded"
    assert result.nodes > 6  # the three dongs' outlines and their labels
    assert any("Tap a building" in line for line in result.panel_en)
    assert any("상무1동" in line for line in result.panel_ko)


@pytest.mark.parametrize("hook", ["load", "enter", "update", "exit"])
def test_a_fault_in_any_hook_takes_only_the_demo_down(prepared: Prepared, tmp_path: Path,
                                                       hook: str) -> None:
    folder = tmp_path / "faulty"
    folder.mkdir()
    (folder / "demo.py").write_text(FAULTY.format(hook=hook), "utf-8")
    manifest = (FOLDER / "pavilion.toml").read_text("utf-8")
    (folder / "pavilion.toml").write_text(
        manifest.replace('"gwangju.civic"', '"test.faulty-civic"')
        .replace('"demo:CivicDemo"', '"demo:Demo"'), "utf-8")
    sites = [dataclasses.replace(p.site, spec=dataclasses.replace(p.site.spec, plugin=None))
             for p in prepared.pavilions]
    found = tuple(discover([tmp_path], entry_points=[]))
    variant = dataclasses.replace(prepared, found=found, pavilions=build_pavilions(
        sites, {"administration": "test.faulty-civic"}))
    stage = Stage(variant, "none", (640, 360))
    try:
        stage.expo.enter("administration")
        stage.step(0.3)
        stage.expo.exit()
        stage.step(0.1)
        slot = stage.expo.host.slot("administration")
        assert slot is not None and slot.state == "disabled"
        assert "injected fault" in slot.reason
        assert stage.expo.nodes["administration"].demo.get_num_children() == 0
    finally:
        stage.close()



def test_each_dong_is_labelled_with_its_buildings_and_floor_area(prepared: Prepared) -> None:
    from panda3d.core import TextNode

    stage = Stage(prepared, "none", (640, 360))
    try:
        stage.expo.enter("administration")
        stage.step(0.1)
        demo = stage.expo.host.slot("administration").instance
        ctx = stage.expo.host.slot("administration").context
        assert sorted(demo.facts) == ["상무1동", "상무2동", "치평동"]
        # Each dong counts the buildings standing in it (a point of each inside), counted
        # here again from the geometry; none is counted twice.
        b = ctx.district.buildings
        for name, polygon in zip(demo.board.dongs.names, demo.board.dongs.polygons,
                                 strict=True):
            inside = shapely.contains_xy(polygon, b.centroids[:, 0], b.centroids[:, 1])
            assert demo.facts[name][0] == int(inside.sum()) > 100
        assert sum(n for n, _ in demo.facts.values()) <= len(b)
        assert all(area > 0 for _, area in demo.facts.values())
        texts = [n.node().get_text() for n in
                 stage.expo.nodes["administration"].demo.find_all_matches("**/+TextNode")
                 if isinstance(n.node(), TextNode)]
        for name, (count, _) in demo.facts.items():
            assert any(name in t and f"건물 {count:,}동" in t for t in texts), (name, texts)
    finally:
        stage.close()
