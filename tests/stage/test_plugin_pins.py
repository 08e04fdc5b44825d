"""A kiosk pins allowed plugins to the content hash of their files (issue 11, item 30), and
keeps off a plugin an earlier viewer died in (item 24)."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gwangju_twin.app.commands.kiosk import _admission
from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.config import AllowedPlugin, load_kiosk_config
from gwangju_twin.plugins import guard
from gwangju_twin.plugins.discovery import discover
from gwangju_twin.plugins.pinning import content_hash
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

HASH = "ab" * 32


def _write(tmp_path: Path, allow: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[analytics]\ndatabase = "data/visits.sqlite3"\n[plugins]\nallow = {allow}\n',
                    encoding="utf-8")
    return path


def test_allow_entries_take_a_content_hash_pin(tmp_path: Path) -> None:
    config = load_kiosk_config(_write(
        tmp_path, f'["gwangju.solar@sha256:{HASH}", "gwangju.shuttles==1.0.0@sha256:{HASH}", '
                  '"gwangju.media-facade"]'))
    assert config.allow == (AllowedPlugin("gwangju.solar", None, HASH),
                            AllowedPlugin("gwangju.shuttles", "1.0.0", HASH),
                            AllowedPlugin("gwangju.media-facade"))
    assert config.pins == {"gwangju.solar": HASH, "gwangju.shuttles": HASH}
    assert str(config.allow[1]) == f"gwangju.shuttles==1.0.0@sha256:{HASH}"
    assert config.allows("gwangju.solar", "7.0")


@pytest.mark.parametrize("entry", [
    "gwangju.solar@sha256:abc", f"gwangju.solar@md5:{HASH}", f"gwangju.solar@sha256:{HASH.upper()}",
    "gwangju.solar@", f"gwangju.solar@sha256:{HASH}0",
])
def test_a_bad_content_hash_pin_is_one_line(tmp_path: Path, entry: str) -> None:
    path = _write(tmp_path, f'["{entry}"]')
    with pytest.raises(InputError) as err:
        load_kiosk_config(path)
    message = str(err.value)
    assert str(path) in message and "[plugins] allow entry" in message
    assert "pins the content hash" in message and "gwangju-twin plugins hash" in message


def _plugins(config_path: Path, disabled: tuple[str, ...] = ()) -> dict[str, str | None]:
    """The plugin each pavilion of the default scene gets in a kiosk child with this config."""
    from gwangju_twin.expo.prepared import prepare

    config = load_kiosk_config(config_path)
    scene = load_scene(default_scene_path())
    args = argparse.Namespace(disable_plugin=list(disabled))
    prepared = prepare(scene, admit=_admission(args, config, scene))
    return {p.info.id: p.info.plugin for p in prepared.pavilions}


@pytest.fixture(autouse=True)
def _fresh_guard(monkeypatch):
    """Quarantines are per process: each test starts with none."""
    monkeypatch.setattr(guard, "_quarantined", {})
    yield
    guard.install_record(None)


def test_a_plugin_whose_files_differ_from_its_pin_is_refused(tmp_path: Path, caplog) -> None:
    found = {f.id: f for f in discover(load_scene(default_scene_path()).plugin_folders)}
    solar = content_hash(found["gwangju.solar"].manifest.folder)
    config = _write(tmp_path, f'["gwangju.solar@sha256:{solar}", '
                              f'"gwangju.shuttles@sha256:{HASH}", "gwangju.media-facade"]')
    with caplog.at_level(logging.WARNING, logger="gwangju_twin"):
        plugins = _plugins(config)
    assert plugins["energy"] == "gwangju.solar"  # the files it pinned
    assert plugins["culture"] == "gwangju.media-facade"  # not pinned
    assert plugins["mobility"] is None  # files that differ from the pin
    assert any("plugin gwangju.shuttles is refused" in r.getMessage()
               and f"pins sha256:{HASH}" in r.getMessage() for r in caplog.records)


@pytest.mark.render
def test_a_plugin_the_last_viewer_died_in_is_kept_off(tmp_path: Path, caplog) -> None:
    from gwangju_twin.app.stage import Stage
    from gwangju_twin.expo.prepared import prepare

    config_path = _write(tmp_path, '["gwangju.solar", "gwangju.shuttles", '
                                   '"gwangju.media-facade"]')
    folder = tmp_path / "data"  # beside the kiosk's database
    died = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os
        from gwangju_twin.plugins.guard import install_record
        install_record({str(folder)!r}).enter("gwangju.solar", "update")
        os.abort()  # a native crash inside the solar demo's update
    """)], capture_output=True)
    assert died.returncode < 0
    config = load_kiosk_config(config_path)
    scene = load_scene(default_scene_path())
    # The supervisor names the plugin an earlier child died in; the record names the other.
    args = argparse.Namespace(disable_plugin=["gwangju.shuttles:enter"])
    with caplog.at_level(logging.ERROR, logger="gwangju_twin"):
        stage = Stage(prepare(scene, admit=_admission(args, config, scene)), "none",
                      (640, 360))
    try:
        host = stage.expo.host
        solar, shuttles = host.slot("energy"), host.slot("mobility")
        assert (solar.state, solar.hook) == ("disabled", "crash")
        assert "while plugin 'gwangju.solar' was in its update hook" in solar.reason
        assert (shuttles.state, shuttles.hook) == ("disabled", "crash")
        assert "in its enter hook" in shuttles.reason
        assert host.slot("culture").state == "loaded"  # the rest run, not the safe scene
        assert any("plugin gwangju.solar is disabled for this run" in r.getMessage()
                   for r in caplog.records)
        # Taken (it blames nobody twice); this viewer keeps its own record there now.
        assert [p.name for p in folder.glob("running-plugin-hook-*")] == [
            guard.record_path(folder, os.getpid()).name]
    finally:
        stage.close()
