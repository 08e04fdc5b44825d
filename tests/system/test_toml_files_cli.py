"""Hostile TOML through the command line, in a scene, a kiosk config and a plugin manifest:
one line naming the file, never a traceback (tests/pure/test_toml_files.py reads the same
documents in process)."""

from __future__ import annotations

from pathlib import Path

from hostile_toml import HOSTILE
from hostile_toml import write_toml as _write
from render_helpers import run_cli


def _one_line(result, path: Path, why: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("gwangju-twin: error:") and str(path) in lines[0]
    assert why in lines[0]


def test_a_deep_scene_through_the_cli(tmp_path: Path) -> None:
    path = _write(tmp_path, "scene.toml", HOSTILE["deep-array"])
    _one_line(run_cli("render", str(path), "--out", str(tmp_path / "x.png")), path,
              "nested too deeply")
    assert not (tmp_path / "x.png").exists()


def test_a_deep_kiosk_config_through_the_cli(tmp_path: Path) -> None:
    path = _write(tmp_path, "kiosk.toml", HOSTILE["deep-inline-table"])
    _one_line(run_cli("kiosk", "report", "--config", str(path)), path, "nested too deeply")


def test_a_deep_manifest_through_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "deep-plugin"
    folder.mkdir()
    path = _write(folder, "pavilion.toml", HOSTILE["deep-array"])
    result = run_cli("plugins", "check", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    assert f"FAIL manifest: {path}" in result.stdout and "nested too deeply" in result.stdout
