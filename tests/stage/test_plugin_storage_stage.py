"""``ctx.storage`` in a real (headless) viewer: kept where the stage says, between runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from plugin_builders import write_plugin

from gwangju_twin.app.stage import Stage, StageOptions
from gwangju_twin.expo.pavilions import build_pavilions
from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.plugins.discovery import discover
from gwangju_twin.plugins.storage import storage_file
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

pytestmark = pytest.mark.render

COUNTER = '''
from gwangju_twin.plugins import PavilionDemo


class Demo(PavilionDemo):
    def load(self, ctx):
        self.runs = ctx.storage.get("runs", 0) + 1
        ctx.storage.set("runs", self.runs)
        ctx.storage.table("visits").insert({"run": self.runs})
'''


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    scene = dataclasses.replace(load_scene(default_scene_path()), plugin_folders=())
    return prepare(scene)


def _run(prepared: Prepared, plugins: Path, storage: Path | None) -> tuple[int, Path]:
    found = tuple(discover([plugins], entry_points=[]))
    sites = [dataclasses.replace(p.site, spec=dataclasses.replace(p.site.spec, plugin=None))
             for p in prepared.pavilions]
    variant = dataclasses.replace(prepared, found=found,
                                  pavilions=build_pavilions(sites, {"culture": "acme.counter"}))
    stage = Stage(variant, "none", (320, 180), StageOptions(storage_folder=storage))
    try:
        slot = stage.expo.host.slot("culture")
        assert slot is not None and slot.state == "loaded", slot and slot.reason
        return slot.instance.runs, stage.expo.storage_folder
    finally:
        stage.close()


def test_a_plugin_finds_what_it_stored_in_the_last_run(prepared: Prepared,
                                                       tmp_path: Path) -> None:
    write_plugin(tmp_path / "plugins", "acme.counter", "culture", COUNTER)
    folder = tmp_path / "data" / "plugins"
    assert _run(prepared, tmp_path / "plugins", folder) == (1, folder)
    assert _run(prepared, tmp_path / "plugins", folder) == (2, folder)
    assert storage_file(folder, "acme.counter").is_file()


def test_without_a_folder_each_stage_starts_empty_and_leaves_nothing(prepared: Prepared,
                                                                     tmp_path: Path) -> None:
    write_plugin(tmp_path / "plugins", "acme.counter", "culture", COUNTER)
    runs, scratch = _run(prepared, tmp_path / "plugins", None)
    assert runs == 1
    assert _run(prepared, tmp_path / "plugins", None)[0] == 1
    assert not scratch.exists()


def test_a_kiosk_keeps_plugin_storage_beside_its_visit_database(tmp_path: Path) -> None:
    from gwangju_twin.app.programs import kiosk_options
    from gwangju_twin.kiosk.config import KioskConfig

    config = KioskConfig(database=tmp_path / "booth" / "visits.sqlite3")
    assert kiosk_options(config).storage_folder == tmp_path / "booth" / "plugins"
