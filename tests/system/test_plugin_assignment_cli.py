"""Putting a plugin into a pavilion without writing a scene file: ``--plugin ./folder``,
``plugins assign`` / ``unassign`` (per-user settings), and a copied scene that names the
built-in district and drop-ins as ``builtin:``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_builders import HEALTHY, write_plugin
from render_helpers import REPO, run_cli


def _cli(*args: str, home: Path, cwd: Path | None = None,
         site: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m gwangju_twin ARGS`` with no display and its own per-user folders (and the
    packages installed in ``site`` importable, as if installed in the environment)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env |= {"XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"), "PYTHONIOENCODING": "utf-8"}
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site),
                                                          env.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "gwangju_twin", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd or REPO, env=env, timeout=300)


def _render(tmp_path: Path, *args: str, cwd: Path | None = None,
            site: Path | None = None) -> subprocess.CompletedProcess:
    return _cli("render", *args, "--seconds", "0.5", "--size", "320x180",
                "--out", str(tmp_path / "out.png"), home=tmp_path, cwd=cwd, site=site)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second healthcare plugin, ``acme.clinic``: scaffolded with ``plugins new`` and
    pip-installed into a folder of its own (not this environment, which others share); the
    folder to put on PYTHONPATH."""
    root = tmp_path_factory.mktemp("clinic")
    out = run_cli("plugins", "new", "acme.clinic", "--sector", "healthcare", "--dir",
                  str(root))
    assert out.returncode == 0, out.stderr
    site = root / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    done = subprocess.run([*pip, "install", "--no-build-isolation", "--no-deps", "--target",
                           str(site), str(root / "acme.clinic")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return site


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


def test_assigning_a_pavilion_replaces_the_plugin_that_reached_it_by_its_sector(
        tmp_path: Path, clinic: Path) -> None:
    """One plugin per pavilion: an assignment stored as "" (its sector's pavilion) gives way
    to one naming that pavilion, and the other way round; the output says who gave way."""
    out = _cli("plugins", "assign", "gwangju.healthcare", home=tmp_path, site=clinic)
    assert out.returncode == 0, out.stderr
    out = _cli("plugins", "assign", "acme.clinic", "--pavilion", "healthcare", home=tmp_path,
               site=clinic)
    assert out.returncode == 0, out.stderr
    assert ("acme.clinic runs in pavilion healthcare from now on, replacing "
            "gwangju.healthcare assigned there before") in out.stdout, out.stdout
    listed = _cli("plugins", "list", "--json", home=tmp_path, site=clinic)
    assert json.loads(listed.stdout)["assigned"] == {"acme.clinic": "healthcare"}
    out = _render(tmp_path, "--enter", "healthcare", site=clinic)
    assert out.returncode == 0, out.stderr
    assert "pavilion healthcare: plugin acme.clinic loaded, visitor inside" in out.stdout
    assert "assigned both" not in out.stderr, out.stderr
    # Assigning by sector displaces the plugin named for that pavilion too.
    out = _cli("plugins", "assign", "gwangju.healthcare", home=tmp_path, site=clinic)
    assert out.returncode == 0, out.stderr
    assert "replacing acme.clinic assigned there before" in out.stdout, out.stdout
    listed = _cli("plugins", "list", "--json", home=tmp_path, site=clinic)
    assert json.loads(listed.stdout)["assigned"] == {"gwangju.healthcare": ""}


def test_list_shows_the_assigned_plugin_where_it_runs_not_the_scenes_choice(
        tmp_path: Path, clinic: Path) -> None:
    out = _cli("plugins", "assign", "acme.clinic", home=tmp_path, site=clinic)
    assert out.returncode == 0, out.stderr
    listed = _cli("plugins", "list", "--json", home=tmp_path, site=clinic)
    rows = {r["id"]: r for r in json.loads(listed.stdout)["plugins"]}
    assert rows["acme.clinic"]["pavilion"] == "healthcare"
    assert rows["gwangju.healthcare"]["pavilion"] is None
    assert rows["gwangju.healthcare"]["not_run"] == (
        "not run in pavilion healthcare: assigned acme.clinic replaces it (gwangju-twin "
        "plugins assign)")
    text = _cli("plugins", "list", home=tmp_path, site=clinic).stdout
    [line] = [line for line in text.splitlines() if line.startswith("  gwangju.healthcare ")]
    assert "-> pavilion" not in line, text
    line = next(line for line in text.splitlines() if line.startswith("  acme.clinic "))
    assert line.endswith("-> pavilion healthcare"), text


def test_list_does_not_put_a_plugin_in_a_pavilion_of_another_sector(tmp_path: Path) -> None:
    """A scene naming a manufacturing plugin for the healthcare pavilion: the viewer refuses
    to run it there, and list says so instead of "-> pavilion healthcare"."""
    text = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    text = text.replace('"../assets/sangmu.geojson"', '"builtin:sangmu"')
    text = text.replace('"../plugins"', '"builtin:plugins"')
    text = text.replace('plugin = "gwangju.manufacturing"', "")
    text = text.replace('plugin = "gwangju.healthcare"', 'plugin = "gwangju.manufacturing"')
    scene = tmp_path / "wrong.toml"
    scene.write_text(text, encoding="utf-8")
    listed = _cli("plugins", "list", "--scene", str(scene), "--json", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in json.loads(listed.stdout)["plugins"]}
    assert rows["gwangju.manufacturing"]["pavilion"] is None
    assert rows["gwangju.manufacturing"]["not_run"] == (
        "not run in pavilion healthcare: plugin 'gwangju.manufacturing' is for sector "
        "'manufacturing', but pavilion 'healthcare' is 'healthcare'")
    out = _cli("plugins", "list", "--scene", str(scene), home=tmp_path)
    assert "-> pavilion healthcare" not in out.stdout, out.stdout
    assert "      not run in pavilion healthcare: plugin 'gwangju.manufacturing'" in out.stdout
