"""CRS mistakes through the command line (issue 14): one line, exit status 2, no traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyproj import Transformer

SEOUL = (126.978, 37.566)  # Seoul's centre, from its Wikipedia article


def _seoul_in_5186(path: Path, member: str | None = None) -> Path:
    x, y = Transformer.from_crs(4326, 5186, always_xy=True).transform(*SEOUL)
    ring = [[x, y], [x + 20, y], [x + 20, y + 20], [x, y + 20], [x, y]]
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"building": "yes"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    if member:
        doc["crs"] = {"type": "name", "properties": {"name": member}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _one_line(result: Any) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return str(result.stderr)


def test_a_contradicting_crs_option_is_one_line(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = _seoul_in_5186(tmp_path / "x.geojson", member="EPSG:5186")
    line = _one_line(cli("inspect", str(path), "--crs", "EPSG:5179"))
    assert "--crs EPSG:5179 contradicts its 'crs' member (EPSG:5186)" in line
    ok = cli("inspect", "--json", str(path), "--crs", "EPSG:5186")
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize(("wrong", "words"), [
    ("EPSG:5179", "outside EPSG:5179's area of use"),  # the Taiwan Strait
    ("EPSG:5174", "off South Korea's land"),  # 100 km north, past the DMZ
])
def test_a_wrong_crs_option_is_one_line_naming_the_right_one(
    tmp_path: Path, cli: Callable[..., Any], wrong: str, words: str,
) -> None:
    line = _one_line(cli("inspect", str(_seoul_in_5186(tmp_path / "x.geojson")), "--crs", wrong))
    assert words in line and "EPSG:5186 (near Seoul)" in line


def test_override_wins_and_is_reported(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = _seoul_in_5186(tmp_path / "x.geojson", member="EPSG:5179")
    line = _one_line(cli("inspect", str(path)))
    assert "--crs-override" in line
    result = cli("inspect", str(path), "--crs", "EPSG:5186", "--crs-override")
    assert result.returncode == 0, result.stderr
    assert "CRS note" in result.stdout and "EPSG:5179" in result.stdout


def test_an_override_without_a_crs_is_one_line(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = _seoul_in_5186(tmp_path / "x.geojson", member="EPSG:5186")
    assert "--crs-override needs --crs" in _one_line(cli("inspect", str(path), "--crs-override"))
    scene = tmp_path / "s.toml"
    scene.write_text(f'[district]\nsource = "{path.as_posix()}"\ncrs_override = true\n',
                     encoding="utf-8")
    line = _one_line(cli("inspect", str(scene)))
    assert "'district.crs_override' is true but 'district.crs' is not set" in line
