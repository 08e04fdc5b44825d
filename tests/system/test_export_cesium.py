"""The default scene's 3D Tiles in CesiumJS (npm ``cesium``) in headless Debian chromium, from
a loopback HTTP server: the tiles load, the city covers a good part of the picture (pixels
compared with the tileset hidden), it stands where Gwangju is, and a building picked on the
screen carries its attributes, checked against the source GeoJSON.

The screenshot is kept as ``cesium.png`` in the test's temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cesium_kit import CESIUM, chromium, run_page
from export_kit import GEOJSON, SANGMU, need
from render_helpers import run_cli


def test_cesium_loads_the_tileset_draws_the_city_and_picks_a_building(tmp_path: Path) -> None:
    need("chromium", chromium() is not None)
    need("tools/validate/node_modules (cesium)", (CESIUM / "Cesium.js").is_file())
    pytest.importorskip("websockets")
    out = tmp_path / "tiles"
    done = run_cli("export", str(SANGMU), "--format", "3dtiles", "--out", str(out), "--cache",
                   str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr[-2000:]
    result, png = run_page(out / "tileset.json")
    (tmp_path / "cesium.png").write_bytes(png)
    assert png.startswith(b"\x89PNG")
    assert "error" not in result, result
    assert result["tilesLoaded"] is True
    # The city changes over a tenth of the picture (the buildings and streets in view).
    assert result["changed"] > result["total"] / 10, result
    # The tileset's centre lies in the Sangmu district (the scene's origin 126.85 E 35.152 N).
    lon, lat, _ = result["centre"]
    assert abs(lon - 126.85) < 0.03 and abs(lat - 35.152) < 0.03
    picked = result["picked"]
    assert picked is not None, result
    props = picked["props"]
    assert props["layer"] == "buildings"
    source = json.loads(GEOJSON.read_text("utf-8"))
    feature = next(f for f in source["features"] if f.get("id") == props["feature_id"])
    assert props["name"] == feature["properties"].get("name", "")
    if isinstance(feature["properties"].get("height"), (int, float)):
        assert props["height"] == pytest.approx(feature["properties"]["height"])
    # The picked point's longitude and latitude are those of its feature (within ~200 m).
    ring = feature["geometry"]["coordinates"][0]
    if feature["geometry"]["type"] == "MultiPolygon":
        ring = ring[0]
    assert abs(props["lon"] - ring[0][0]) < 0.002 and abs(props["lat"] - ring[0][1]) < 0.002
