"""Bad numbers and a bad ``district.crs`` in a scene file, through the command line: one
``gwangju-twin: error:`` line naming the file and key, never a picture (tests/pure/
test_scene_numbers.py reads the same files in process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_helpers import run_cli
from scene_builders import one_pavilion_scene as _scene

from gwangju_twin.errors import InputError
from gwangju_twin.scene import load_scene


@pytest.mark.parametrize(("old", "new", "key"), [
    ("heading = 40.0", "heading = nan", "camera.heading"),
    ("{ x = -300.0, y = -600.0 }", "{ x = 1e300, y = -600.0 }", "pavilion[0] (energy).at.x"),
])
def test_non_finite_numbers_never_reach_the_renderer(tmp_path: Path, old: str, new: str,
                                                     key: str) -> None:
    path = _scene(tmp_path, old, new)
    png = tmp_path / "x.png"
    out = run_cli("render", str(path), "--size", "320x180", "--out", str(png))
    assert out.returncode == 2, out.stdout + out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gwangju-twin: error:"), out.stderr[-2000:]
    assert str(path) in lines[0] and f"'{key}'" in lines[0]
    assert not png.exists()


def test_a_far_site_through_the_cli(tmp_path: Path) -> None:
    path = _scene(tmp_path, "{ x = -300.0, y = -600.0 }", "{ lon = -53.15, lat = -35.152 }")
    out = run_cli("render", str(path), "--size", "320x180", "--out", str(tmp_path / "x.png"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1 and "'pavilion[0] (energy).at'" in out.stderr


@pytest.mark.parametrize("crs", ["EPSG:999999", "not a crs"])
def test_a_bad_district_crs_is_blamed_on_the_scene_file_and_key(tmp_path: Path,
                                                                 crs: str) -> None:
    path = _scene(tmp_path, 'source = "', f'crs = "{crs}"\nsource = "')
    with pytest.raises(InputError) as err:
        load_scene(path)
    message = str(err.value)
    assert message.startswith(f"{path}: 'district.crs': unknown coordinate reference system")
    assert "--crs" not in message
    out = run_cli("render", str(path), "--out", str(tmp_path / "x.png"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "'district.crs'" in out.stderr and "--crs" not in out.stderr


def test_a_district_crs_that_does_not_fit_the_data_is_blamed_on_the_scene(
    tmp_path: Path,
) -> None:
    """A valid CRS that is wrong for the data (lon/lat read as Korean metres) names the
    scene file and key, not the --crs option the user never gave."""
    path = _scene(tmp_path, 'source = "', 'crs = "EPSG:5186"\nsource = "')
    out = run_cli("inspect", str(path))
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert f"(from {path}: 'district.crs')" in out.stderr
    assert "--crs" not in out.stderr
