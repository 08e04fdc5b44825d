"""The healthcare demo in the real plugin host (headless): its lifecycle, its buttons (close
and reopen an ER, dispatch the ambulance), clicks on its ER pillars and on buildings, its
view, its frame budget, and a fault in each hook."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import gwangju_twin.demos.healthcare as healthcare
from gwangju_twin.app.stage import Stage
from gwangju_twin.expo.pavilions import build_pavilions
from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.plugins.discovery import discover
from gwangju_twin.plugins.guard import Hook
from gwangju_twin.plugins.testing import run_lifecycle
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

FOLDER = Path(healthcare.__file__).parent
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    scene = dataclasses.replace(load_scene(default_scene_path()), plugin_folders=())
    return prepare(scene)


def stage_running(prepared: Prepared, folder: Path, plugin_id: str) -> Stage:
    """A headless stage whose healthcare pavilion runs ``plugin_id`` from ``folder``."""
    sites = [dataclasses.replace(p.site, spec=dataclasses.replace(p.site.spec, plugin=None))
             for p in prepared.pavilions]
    found = tuple(discover([folder], entry_points=[]))
    variant = dataclasses.replace(prepared, pavilions=build_pavilions(
        sites, {"healthcare": plugin_id}), found=found)
    stage = Stage(variant, "none", (640, 360))
    stage.expo.host.clock = time.thread_time  # CPU time: other processes' turns do not count
    return stage


def test_the_whole_lifecycle_runs_clean() -> None:
    result = run_lifecycle(FOLDER, seconds=1.0)
    assert result.errors == []
    assert result.state == "unloaded"
    assert result.nodes > 5  # ER beacons, the 119 centre, the ambulance, the paint
    assert any("0-4 min" in line for line in result.panel_en)
    assert any("4분 이내" in line for line in result.panel_ko)
    assert any("65%" in line for line in result.panel_en)
    # The bands are a legend and the building shares a chart (API 1.1 panel items).
    assert any("Ambulance minutes to roads and buildings" in line and "over 12 min" in line
               for line in result.panel_en)
    assert any("Share of buildings" in line and "74.7" in line for line in result.panel_en)


def test_closing_an_er_and_dispatching(prepared: Prepared) -> None:
    stage = stage_running(prepared, FOLDER.parent, "gwangju.healthcare")
    try:
        stage.expo.enter("healthcare")
        stage.step(0.3)
        host, slot = stage.expo.host, stage.expo.host.slot("healthcare")
        assert slot is not None and slot.running
        panel = stage.expo.panel("healthcare")
        buttons = {b.key: b for b in panel.buttons}
        assert set(buttons) == {"er0", "er1", "dispatch"}
        before = panel.text("en")
        host.run(slot, buttons["er0"].on_click, Hook.BUTTON)
        closed = panel.text("en")
        assert any("Sangmu Hospital (closed)" in line for line in closed)
        assert closed != before
        assert {b.key: b.en for b in panel.buttons}["er0"] == "Reopen Sangmu ER"
        demo: Any = slot.instance
        assert demo.result.building_share[0] < 0.5  # most of the district loses its 4 minutes
        host.run(slot, {b.key: b for b in panel.buttons}["er0"].on_click, Hook.BUTTON)
        assert panel.text("en") == before
        host.run(slot, buttons["er1"].on_click, Hook.BUTTON)
        stage.expo.exit()
        stage.expo.enter("healthcare")  # the next visitor finds every ER open again
        assert panel.text("en") == before
        assert demo.open.all()
        buttons = {b.key: b for b in panel.buttons}
        host.run(slot, buttons["dispatch"].on_click, Hook.BUTTON)
        assert any(line.startswith("Dispatch:") for line in panel.text("en"))
        van = stage.expo.nodes["healthcare"].demo.find("**/ambulance")
        start = van.get_pos()
        stage.step(2.0)
        assert (van.get_pos() - start).length() > 50.0  # it drives off along the route
        assert slot.running and slot.overruns == 0
        stage.expo.exit()
        assert slot.context is not None and slot.context._paint is None
    finally:
        stage.close()


def test_taps_on_a_pillar_and_on_a_building(prepared: Prepared) -> None:
    """A click on an ER's pillar closes the ER (and a second reopens it); a click on a
    building dispatches the ambulance there along a route drawn on the ground; the camera
    shows both ERs and the base."""
    stage = stage_running(prepared, FOLDER.parent, "gwangju.healthcare")
    try:
        stage.expo.enter("healthcare")
        stage.step(0.3)
        host, slot = stage.expo.host, stage.expo.host.slot("healthcare")
        assert slot is not None and slot.running and slot.context is not None
        demo: Any = slot.instance
        ctx = slot.context
        # The view asked for holds both ERs and the base, and the overview is the same.
        x0, y0, x1, y1 = demo.view
        for x, y in (*demo.er_xy, demo.base_xy):
            assert x0 < x < x1 and y0 < y < y1
        # (A stage without a window has no camera to move: the kiosk test sees the flight.)
        assert ctx.camera.overview_pose() == ctx.camera.framing(demo.view, heading=0.0)
        panel = stage.expo.panel("healthcare")
        x, y = demo.er_xy[0]
        down = (0.0, 0.0, -1.0)
        assert stage.expo.click((x, y, 1000.0), down, None)  # the pillar's top
        assert not demo.open[0] and demo.open[1]
        assert any("Sangmu Hospital (closed)" in line for line in panel.text("en"))
        assert demo.result.building_share[0] < 0.5
        assert not stage.expo.click((x + 300.0, y, 1000.0), down, None)  # beside it
        assert stage.expo.click((x, y, 1000.0), down, None)
        assert demo.open.all()
        # A building click: the row of ctx.district.buildings, as the pick index gives it.
        callbacks = ctx.clicks.building_callbacks
        assert len(callbacks) == 1
        row = int(demo.result.minutes.argmin())  # the nearest building to an ER
        van = stage.expo.nodes["healthcare"].demo.find("**/ambulance")
        start = van.get_pos()
        assert host.run(slot, partial(callbacks[0], row), Hook.CALLBACK)
        assert demo.trip_target == row
        assert demo.route_line is not None and not demo.route_line.is_empty()
        path = demo.trip.path
        tx, ty = ctx.district.buildings.centroids[row]
        assert math.dist(path[-1], (tx, ty)) < 200.0  # the route ends at its road
        assert any(line.startswith("Dispatch:") for line in panel.text("en"))
        stage.step(2.0)
        assert (van.get_pos() - start).length() > 20.0
        # A second dispatch replaces the route rather than adding one.
        first = demo.route_line
        host.run(slot, {b.key: b for b in panel.buttons}["dispatch"].on_click, Hook.BUTTON)
        assert demo.trip_target != row
        assert first.is_empty() and not demo.route_line.is_empty()
        assert slot.running
        stage.expo.exit()
        assert demo.route_line is None and ctx.clicks.building_callbacks == ()
    finally:
        stage.close()


FAULTY = """
from gwangju_twin.demos.healthcare.demo import HealthcareDemo


class Demo(HealthcareDemo):
    def {hook}(self, *args):
        super().{hook}(*args)
        raise RuntimeError("injected fault")
"""


@pytest.mark.parametrize("hook", ["load", "enter", "update", "exit"])
def test_a_fault_in_any_hook_takes_only_the_demo_down(prepared: Prepared, tmp_path: Path,
                                                       hook: str) -> None:
    folder = tmp_path / "faulty"
    folder.mkdir()
    (folder / "demo.py").write_text(FAULTY.format(hook=hook), "utf-8")
    manifest = (FOLDER / "pavilion.toml").read_text("utf-8")
    (folder / "pavilion.toml").write_text(
        manifest.replace('"gwangju.healthcare"', '"test.faulty-healthcare"')
        .replace('"demo:HealthcareDemo"', '"demo:Demo"'), "utf-8")
    stage = stage_running(prepared, tmp_path, "test.faulty-healthcare")
    try:
        stage.expo.enter("healthcare")
        stage.step(0.3)
        stage.expo.exit()
        stage.step(0.1)
        slot = stage.expo.host.slot("healthcare")
        assert slot is not None and slot.state == "disabled"
        assert "injected fault" in slot.reason
        assert stage.expo.nodes["healthcare"].demo.get_num_children() == 0
    finally:
        stage.close()


def test_a_district_without_ers_says_it_uses_the_demos_list(tmp_path: Path) -> None:
    """The default district with its ER and ambulance-station tags removed: the demo falls
    back to its own list of the Sangmu ERs and says so in both languages."""
    from scene_builders import default_scene_text

    data = json.loads((REPO / "assets" / "sangmu.geojson").read_text("utf-8"))
    for feature in data["features"]:
        feature["properties"].pop("emergency", None)
    (tmp_path / "plain.geojson").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    text = default_scene_text().replace(f'"{(REPO / "assets" / "sangmu.geojson").as_posix()}"',
                                        f'"{(tmp_path / "plain.geojson").as_posix()}"')
    assert "plain.geojson" in text
    scene = tmp_path / "scene.toml"
    scene.write_text(text, "utf-8")
    result = run_lifecycle(FOLDER, seconds=0.2, scene=scene)
    assert result.errors == []
    assert any("names no ER" in line for line in result.panel_en)
    assert any("응급실이 없어" in line for line in result.panel_ko)
    # The same two ERs as the district's own, so the same shares (the pure tests check
    # that both lists put them in the same places).
    assert any("Share of buildings" in line and "74.7" in line for line in result.panel_en)
    # With the district's own ERs the panel has no such line.
    assert not any("names no ER" in line for line in run_lifecycle(FOLDER, seconds=0.2).panel_en)
