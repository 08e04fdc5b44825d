"""Putting a plugin into a pavilion without writing a scene file: ``--plugin ./folder``,
``plugins assign`` / ``unassign`` (per-user settings), and a copied scene that names the
built-in district and drop-ins as ``builtin:``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from plugin_builders import HEALTHY, write_plugin
from render_helpers import REPO


def _cli(*args: str, home: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m gwangju_twin ARGS`` with no display and its own per-user folders."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env |= {"XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "gwangju_twin", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd or REPO, env=env, timeout=300)


def _render(tmp_path: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return _cli("render", *args, "--seconds", "0.5", "--size", "320x180",
                "--out", str(tmp_path / "out.png"), home=tmp_path, cwd=cwd)


def test_plugin_option_takes_a_folder(tmp_path: Path) -> None:
    write_plugin(tmp_path / "work", "acme.lamp", "healthcare", HEALTHY, folder="lamp")
    out = _render(tmp_path, "--enter", "healthcare", "--plugin", "./lamp", cwd=tmp_path / "work")
    assert out.returncode == 0, out.stderr
    assert "pavilion healthcare: plugin acme.lamp loaded, visitor inside" in out.stdout
    # Without --enter it goes to its sector's pavilion; a path to pavilion.toml works too.
    out = _render(tmp_path, "--plugin", str(tmp_path / "work" / "lamp" / "pavilion.toml"))
    assert out.returncode == 0, out.stderr
    assert "pavilion healthcare: plugin acme.lamp loaded" in out.stdout


def test_plugin_option_folder_errors_are_one_line(tmp_path: Path) -> None:
    out = _render(tmp_path, "--plugin", "./nowhere")
    assert out.returncode == 2 and "nowhere: no such folder" in out.stderr, out.stderr
    assert out.stderr.count("\n") == 1
    write_plugin(tmp_path / "work", "acme.lamp", "healthcare", HEALTHY, folder="lamp")
    # A bare name is an id; the error points at the folder of that name.
    out = _render(tmp_path, "--plugin", "lamp", cwd=tmp_path / "work")
    assert out.returncode == 2 and "for the folder lamp, write ./lamp" in out.stderr, out.stderr


def _copied_scene(tmp_path: Path) -> Path:
    """The default scene saved elsewhere with builtin: paths, its energy pavilion empty."""
    text = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    text = text.replace('"../assets/sangmu.geojson"', '"builtin:sangmu"')
    text = text.replace('"../plugins"', '"builtin:plugins"')
    text = text.replace('plugin = "gwangju.solar"', "")
    assert text.count("builtin:") == 2
    path = tmp_path / "elsewhere" / "mine.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def test_a_copied_scene_with_builtin_paths_renders_with_its_drop_ins(tmp_path: Path) -> None:
    scene = _copied_scene(tmp_path)
    out = _render(tmp_path, str(scene), "--enter", "culture", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "pavilion culture: plugin gwangju.media-facade loaded, visitor inside" in out.stdout
    assert "pavilion energy" not in out.stdout
    assert (tmp_path / "out.png").stat().st_size > 5_000


def test_assign_puts_an_installed_plugin_into_its_pavilion_until_unassigned(
        tmp_path: Path) -> None:
    scene = str(_copied_scene(tmp_path))
    out = _cli("plugins", "assign", "gwangju.solar", home=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "gwangju.solar runs in the energy pavilion from now on" in out.stdout
    settings = (tmp_path / "config" / "gwangju-twin" / "settings.toml").read_text("utf-8")
    assert '[assign]\n"gwangju.solar" = ""' in settings
    listed = _cli("plugins", "list", "--json", home=tmp_path)
    assert json.loads(listed.stdout)["assigned"] == {"gwangju.solar": ""}
    out = _render(tmp_path, scene, "--enter", "energy")
    assert out.returncode == 0, out.stderr
    assert "pavilion energy: plugin gwangju.solar loaded, visitor inside" in out.stdout
    # --pavilion names another pavilion of the sector; one of another sector is refused.
    out = _cli("plugins", "assign", "gwangju.solar", "--pavilion", "mobility", home=tmp_path)
    assert out.returncode == 2
    assert "--pavilion mobility is the mobility pavilion, but gwangju.solar is for the energy" \
        in out.stderr
    out = _cli("plugins", "unassign", "gwangju.solar", home=tmp_path)
    assert out.returncode == 0 and "no longer assigned" in out.stdout, out.stderr
    out = _render(tmp_path, scene, "--enter", "energy")
    assert out.returncode == 0, out.stderr
    assert "pavilion energy" not in out.stdout
    out = _cli("plugins", "assign", "acme.not-installed", home=tmp_path)
    assert out.returncode == 2 and "no usable installed plugin has that id" in out.stderr
