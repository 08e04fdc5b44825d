"""Scene files and command lines through the command line: every mistake is one
``gwangju-twin: error:`` line naming the file and key, with exit status 2 and no picture
(tests/pure/test_scenefile.py reads the same files in process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_helpers import REPO
from scene_builders import good_scene as _good
from scene_builders import write_scene as _write


def test_bad_scene_through_the_cli(tmp_path: Path) -> None:
    from render_helpers import run_cli

    path = _write(tmp_path, _good().replace("pitch = 30.0", "pitch = 95.0"))
    result = run_cli("render", str(path), "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gwangju-twin: error:")
    assert "camera.pitch" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["render", "--out", "x.txt"], "--out"),
        (["render", "--out", "nowhere/x.png"], "does not exist"),
        (["render", "--out", "x.png", "--size", "big"], "--size"),
        (["render", "--out", "x.png", "--size", "10x10"], "--size"),
        (["render", "--out", "x.png", "--crs", "EPSG:5186"], "--crs"),
        (["render"], "--out"),
        (["inspect"], "source"),
        (["frobnicate.geojson"], "not found"),
    ],
)
def test_bad_command_lines_are_one_line_exit_2(args: list[str], words: str,
                                              tmp_path: Path) -> None:
    from render_helpers import run_cli

    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("body", "key", "why"), [
    ('[district]\nsource = "a\\u0000b.geojson"\n', "district.source", "NUL character"),
    ('[district]\nsource = "loop-a"\n', "district.source", "cannot be resolved"),
    ('[district]\nsource = "{source}"\n[plugins]\nfolder = "x\\u0000"\n', "plugins.folder",
     "NUL character"),
])
def test_paths_that_cannot_be_paths_name_the_file_and_key(tmp_path: Path, body: str, key: str,
                                                         why: str) -> None:
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    source = (REPO / "assets" / "sangmu.geojson").as_posix()
    path = _write(tmp_path, body.replace("{source}", source))
    from render_helpers import run_cli

    result = run_cli("render", str(path), "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"gwangju-twin: error: {path}: '{key}'")
    assert why in line
