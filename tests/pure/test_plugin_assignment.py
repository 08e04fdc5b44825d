"""Which plugin runs where without a scene file: ``plugins assign`` (per-user settings), a
kiosk's ``[plugins] assign``, ``--plugin ./folder``, and ``builtin:`` paths in scenes."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from plugin_builders import HEALTHY, write_plugin

from gwangju_twin.errors import InputError
from gwangju_twin.expo.pavilions import (
    assigned_overrides,
    assigned_pavilion,
    names_a_folder,
    plugin_overrides,
    plugin_placements,
    with_plugin_option,
)
from gwangju_twin.kiosk.config import parse_kiosk_config
from gwangju_twin.plugins.discovery import PluginStatus, found_in_folder
from gwangju_twin.resources import builtin_district, builtin_folder, data_dir
from gwangju_twin.scene import load_scene
from gwangju_twin.settings import Settings, load_settings, save_settings


def _sites(*pairs: tuple[str, str]) -> list[Any]:
    """Pavilion sites as the overrides read them: an id and the spec's sector."""
    return [SimpleNamespace(id=pid, spec=SimpleNamespace(sector=sector, plugin=None))
            for pid, sector in pairs]


SITES = _sites(("healthcare", "healthcare"), ("health-2", "healthcare"), ("energy", "energy"))


@pytest.fixture
def lamp(tmp_path: Path) -> Any:
    return found_in_folder(write_plugin(tmp_path, "acme.lamp", "healthcare", HEALTHY))


def test_an_assigned_plugin_goes_to_its_sectors_pavilion_or_the_one_named(lamp: Any) -> None:
    assert assigned_overrides(SITES, {"acme.lamp": ""}, [lamp]) == {"healthcare": "acme.lamp"}
    assert assigned_overrides(SITES, {"acme.lamp": "health-2"}, [lamp]) == {
        "health-2": "acme.lamp"}
    assert assigned_overrides(SITES, {}, [lamp]) == {}


@pytest.mark.parametrize(("assign", "said"), [
    ({"acme.gone": ""}, "acme.gone is assigned to a pavilion but is not installed"),
    ({"acme.lamp": "moon"}, "assigned to the pavilion moon, which this scene does not have"),
])
def test_an_assignment_the_scene_cannot_honour_is_logged_and_skipped(
        lamp: Any, assign: dict[str, str], said: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert assigned_overrides(SITES, assign, [lamp]) == {}
    assert said in caplog.text


def test_a_scene_without_the_sector_skips_the_assignment(lamp: Any,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert assigned_overrides(_sites(("energy", "energy")), {"acme.lamp": ""}, [lamp]) == {}
    assert "healthcare pavilion, which this scene does not have" in caplog.text


def test_plugin_option_names_an_id_or_a_folder() -> None:
    assert not names_a_folder("gwangju.solar")
    assert not names_a_folder("robot-arm")
    for text in ("./robot-arm", "src/robot_arm", "~/demo", "/abs/demo", "Robot", "..", "a"):
        assert names_a_folder(text), text


def test_a_plugin_folder_wins_over_an_installed_plugin_of_its_id(tmp_path: Path) -> None:
    installed = found_in_folder(write_plugin(tmp_path / "a", "acme.lamp", "healthcare"))
    other = found_in_folder(write_plugin(tmp_path / "a", "acme.other", "energy"))
    folder = write_plugin(tmp_path / "b", "acme.lamp", "healthcare")
    plugin, found = with_plugin_option(f"{folder}/", [installed, other])
    assert plugin == "acme.lamp"
    assert found[0].source == str(folder) and found[0].ok
    assert found[1].status == PluginStatus.DUPLICATE and "--plugin folder" in found[1].reason
    assert found[2] is other
    assert plugin_overrides(SITES, None, plugin, found) == {"healthcare": "acme.lamp"}
    # A project folder holding one plugin, and an id, pass through too.
    assert with_plugin_option(str(tmp_path / "b"), [])[0] == "acme.lamp"
    assert with_plugin_option("acme.other", [other]) == ("acme.other", (other,))
    assert with_plugin_option(None, [other]) == (None, (other,))


@pytest.mark.parametrize(("make", "said"), [
    (lambda root: root / "nowhere", "no such folder"),
    (lambda root: root, "holds several pavilion.toml"),
    (lambda root: root / "empty", "no pavilion.toml here"),
])
def test_a_plugin_folder_that_is_not_one_is_an_input_error(tmp_path: Path, make: Any,
                                                           said: str) -> None:
    write_plugin(tmp_path, "acme.one")
    write_plugin(tmp_path, "acme.two")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=said):
        with_plugin_option(str(make(tmp_path)) + "/", [])


def test_assignments_are_kept_in_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    save_settings(Settings().with_(assign={"acme.lamp": "", "gwangju.solar": "energy"}), path)
    assert "[assign]" in path.read_text(encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.problems == ()
    assert loaded.settings.assign == {"acme.lamp": "", "gwangju.solar": "energy"}
    assert Settings().assign == {}


@pytest.mark.parametrize(("text", "said"), [
    ('[assign]\n"Not An Id" = ""\n', "'assign' names \"Not An Id\", which is not a plugin id"),
    ('[assign]\n"acme.lamp" = 3\n', "'assign' gives acme.lamp 3; expected a pavilion id"),
    ('[assign]\n"acme.lamp" = "Bad Pavilion"\n', "expected a pavilion id"),
    ('assign = 3\n', "'assign' is 3; expected a table"),
])
def test_a_bad_assignment_in_the_settings_is_reported_and_dropped(tmp_path: Path, text: str,
                                                                  said: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('language = "en"\n' + text, encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.assign == {} and loaded.settings.language == "en"
    assert len(loaded.problems) == 1 and said in loaded.problems[0], loaded.problems


def test_a_kiosk_takes_assignments_from_its_config(tmp_path: Path) -> None:
    config = parse_kiosk_config({"plugins": {"allow": ["acme.lamp", "gwangju.solar"],
                                             "assign": {"acme.lamp": "", "gwangju.solar":
                                                        "energy"}}}, tmp_path / "k.toml")
    assert config.assign == {"acme.lamp": "", "gwangju.solar": "energy"}
    assert parse_kiosk_config({}, tmp_path / "k.toml").assign == {}
    with pytest.raises(InputError, match=r"\[plugins\] assign names \"Bad\", which is not a"):
        parse_kiosk_config({"plugins": {"assign": {"Bad": ""}}}, tmp_path / "k.toml")
    with pytest.raises(InputError, match=r"\[plugins\] assign gives acme.lamp true"):
        parse_kiosk_config({"plugins": {"assign": {"acme.lamp": True}}}, tmp_path / "k.toml")


def test_builtin_names_find_the_shipped_district_and_plugins() -> None:
    assert builtin_district("sangmu") == builtin_district("sangmu.geojson")
    assert builtin_district("sangmu") == data_dir("assets") / "sangmu.geojson"
    assert builtin_folder("plugins") == data_dir("plugins")
    for bad in ("seoul", "../assets/sangmu", ""):
        with pytest.raises(KeyError):
            builtin_district(bad)
    with pytest.raises(KeyError):
        builtin_folder("assets")


def test_a_copied_scene_with_builtin_paths_loads_anywhere(tmp_path: Path) -> None:
    shipped = (data_dir("scenes") / "sangmu.toml").read_text(encoding="utf-8")
    text = shipped.replace('"../assets/sangmu.geojson"', '"builtin:sangmu"')
    text = text.replace('"../plugins"', '"builtin:plugins"')
    assert text.count("builtin:") == 2
    (tmp_path / "copy.toml").write_text(text, encoding="utf-8")
    scene = load_scene(tmp_path / "copy.toml")
    assert scene.source == data_dir("assets") / "sangmu.geojson"
    assert scene.plugin_folders == (data_dir("plugins"),)
    (tmp_path / "bad.toml").write_text(text.replace('"builtin:plugins"', '"builtin:assets"'),
                                       encoding="utf-8")
    with pytest.raises(InputError, match=r"'plugins.folder' names 'builtin:assets', which is "
                                         r'not built in \(built in: "builtin:plugins"\)'):
        load_scene(tmp_path / "bad.toml")


def _specs(*rows: tuple[str, str, str | None]) -> list[Any]:
    """Pavilions as a scene file states them: id, sector and the plugin it names."""
    return [SimpleNamespace(id=pid, sector=sector, plugin=plugin) for pid, sector, plugin in rows]


def test_placements_say_where_a_plugin_runs_as_the_viewer_resolves_it(tmp_path: Path) -> None:
    """``plugins list`` reads where plugins run from here: an assignment wins over the
    scene's choice, and a plugin of another sector is named but does not run."""
    lamp = found_in_folder(write_plugin(tmp_path, "acme.lamp", "healthcare"))
    drill = found_in_folder(write_plugin(tmp_path, "acme.drill", "manufacturing"))
    scene = _specs(("healthcare", "healthcare", "acme.drill"), ("energy", "energy", None))
    [place] = plugin_placements(scene, {}, [lamp, drill])
    assert (place.pavilion, place.plugin, place.assigned) == ("healthcare", "acme.drill", False)
    assert place.refused == ("plugin 'acme.drill' is for sector 'manufacturing', but pavilion "
                             "'healthcare' is 'healthcare'")
    [place] = plugin_placements(scene, {"acme.lamp": ""}, [lamp, drill])
    assert (place.pavilion, place.plugin, place.assigned, place.refused) == (
        "healthcare", "acme.lamp", True, "")
    [place] = plugin_placements(_specs(("healthcare", "healthcare", "acme.gone")), {}, [lamp])
    assert place.refused == "no usable plugin has that id"


def test_an_assignment_lands_on_the_pavilion_named_or_its_sectors_first() -> None:
    placed = [("healthcare", "healthcare"), ("health-2", "healthcare"), ("energy", "energy")]
    assert assigned_pavilion(placed, "", "healthcare") == "healthcare"
    assert assigned_pavilion(placed, "health-2", "healthcare") == "health-2"
    assert assigned_pavilion(placed, "moon", "healthcare") is None
    assert assigned_pavilion(placed, "", "culture") is None
