"""Data formats through the command line: a format the viewer does not read is one
``gwangju-twin: error:`` line with exit status 2 naming its conversion; the shared
register-style Shapefile is inspected directly (counts from ../shared/data/README.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize(("name", "data", "words"), [
    ("overpass.json", b'{"version": 0.6, "elements": []}', ("overpass",)),
    ("a.kml", b'<?xml version="1.0"?><kml xmlns="x"/>', ("kml", "ogr2ogr -f geojson")),
    ("a.dxf", b"0\nSECTION\n2\nHEADER\n", ("dxf", "ogr2ogr")),
    ("a.geojson", "{\"name\": \"東京タワー\"}".encode("shift_jis"), ("shift_jis", "--encoding")),
])
def test_unsupported_is_one_line_exit_2(tmp_path: Path, cli: Callable[..., Any], name: str,
                                        data: bytes, words: tuple[str, ...]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("inspect", str(path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gwangju-twin: error: "), result.stderr
    assert all(w in lines[0].lower() for w in words), lines[0]


def test_inspect_shared_shapefile(shared_data: Path, cli: Callable[..., Any]) -> None:
    result = cli("inspect", "--json", str(shared_data / "AL_D010_jamsil_sample.shp"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["loaded"] == 1357  # README.md: 1,357 buildings
    assert report["crs"] == "EPSG:5186" and report["crs_from"] == "file"
    assert report["format"] == "ESRI Shapefile"
    assert report["encoding"] == "cp949 (from its .cpg file)"
