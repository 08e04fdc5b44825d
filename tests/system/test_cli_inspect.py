"""``gwangju-twin inspect``: the text report, ``--json`` and ``--crs``, run as a user would."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from geojson_builders import (
    LONLAT_TO_5186,
    collection,
    feature,
    ll,
    polygon,
    square,
)


def small_district() -> dict[str, Any]:
    """Six features; what inspect must say about each is noted next to it."""
    return {
        "type": "FeatureCollection",
        "features": [
            # 0: building, measured height
            feature(polygon(square(0, 0, 30)), "tall", building="office", height="42 m"),
            # 1: building, height from floors
            feature(polygon(square(50, 0, 20)), "floors", building="yes", GRND_FLR=5),
            # 2: park, clockwise ring -> repaired (reoriented)
            feature(polygon(square(0, 60, 80)[::-1]), "park", leisure="park"),
            # 3: road line
            feature({"type": "LineString", "coordinates": [ll(-40, -20), ll(150, -20)]},
                    "road", highway="secondary"),
            # 4: building, default height, unclosed ring -> repaired
            feature(polygon(square(100, 0, 25)[:-1]), "open", building="yes"),
            # 5: no geometry -> skipped
            feature(None, "ghost", building="yes"),
        ],
    }


def all_positions(doc: dict[str, Any]) -> list[list[float]]:
    out: list[list[float]] = []

    def walk(v: Any) -> None:
        if isinstance(v, list) and v and isinstance(v[0], float):
            out.append(v)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    for f in doc["features"]:
        if f["geometry"] is not None:
            walk(f["geometry"]["coordinates"])
    return out


def test_inspect_text(write_geojson: Callable[..., Path], cli: Callable[..., Any]) -> None:
    path = write_geojson(small_district())
    result = cli("inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == str(path)
    text = "\n".join(line.strip() for line in lines)
    assert "CRS        EPSG:4326 (from default)" in text
    assert "features   6 in file, 5 loaded, 1 skipped" in text
    layers = next(line for line in lines if line.strip().startswith("layers"))
    assert sorted(layers.split(None, 1)[1].split(", ")) == ["buildings 3", "green 1", "roads 1"]
    assert "heights    measured 1, levels 1, default 1" in text
    assert "winding    1 features had clockwise outer rings" in text
    # Each list: a count line, then one line per issue naming index and id.
    i = lines.index("  repaired   2")
    repaired = lines[i + 1:i + 3]
    assert any(r.startswith("    feature 2 id park: ") and "clockwise" in r for r in repaired)
    assert any(r.startswith("    feature 4 id open: ") and "unclosed" in r for r in repaired)
    i = lines.index("  skipped    1")
    assert lines[i + 1].startswith("    feature 5 id ghost: ")
    assert "geometry" in lines[i + 1]
    assert "  warnings   0" in lines


def test_inspect_json(write_geojson: Callable[..., Path], cli: Callable[..., Any]) -> None:
    doc = small_district()
    path = write_geojson(doc)
    result = cli("inspect", "--json", str(path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # exactly one JSON object, nothing else
    assert isinstance(report, dict)
    assert {"features", "loaded", "layers", "heights", "repaired", "skipped", "warnings", "crs",
            "crs_from", "bbox", "origin", "reoriented", "source", "schema"} <= set(report)
    assert report["schema"] == "gwangju-twin/load-report/1"
    assert report["source"] == str(path)
    assert (report["features"], report["loaded"]) == (6, 5)
    assert report["layers"] == {"area": 0, "green": 1, "water": 0, "plazas": 0, "roads": 1,
                                "buildings": 3, "landmarks": 0}
    assert report["heights"] == {"measured": 1, "levels": 1, "default": 1}
    assert sorted((r["index"], r["id"]) for r in report["repaired"]) == [(2, "park"),
                                                                         (4, "open")]
    assert all(set(r) == {"index", "id", "reason"} for r in report["repaired"])
    assert report["skipped"] == [
        {"index": 5, "id": "ghost", "reason": report["skipped"][0]["reason"]}
    ]
    assert report["warnings"] == []
    assert (report["crs"], report["crs_from"], report["reoriented"]) == ("EPSG:4326", "default", 1)

    lon = [p[0] for p in all_positions(doc)]
    lat = [p[1] for p in all_positions(doc)]
    assert report["bbox"]["lonlat"] == pytest.approx([min(lon), min(lat), max(lon), max(lat)],
                                                     abs=1e-7)
    # The frame is centred on the bbox, so the local box is about symmetric, ~190 m x 160 m.
    x0, y0, x1, y1 = report["bbox"]["local"]
    assert x1 - x0 == pytest.approx(190.0, abs=0.1)  # road from x=-40 to x=150
    assert y1 - y0 == pytest.approx(160.0, abs=0.1)  # road at y=-20 to park top at y=140
    assert x0 == pytest.approx(-x1, abs=0.1) and y0 == pytest.approx(-y1, abs=0.1)
    assert report["origin"] == pytest.approx([(min(lon) + max(lon)) / 2,
                                              (min(lat) + max(lat)) / 2], abs=1e-7)


def test_inspect_json_keeps_korean_text_unescaped(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    folder = tmp_path / "광주 상무지구"
    folder.mkdir()
    path = folder / "district.geojson"
    path.write_text(json.dumps(small_district()), encoding="utf-8")
    result = cli("inspect", "--json", str(path))
    assert result.returncode == 0, result.stderr
    assert "광주 상무지구" in result.stdout
    assert json.loads(result.stdout)["source"] == str(path)


def test_inspect_lists_at_most_50_issues_in_text_but_all_in_json(
    write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    ghosts = [feature(None, f"g{i}") for i in range(60)]
    doc = {"type": "FeatureCollection",
           "features": [*ghosts, feature(polygon(square(0, 0, 10)), "real")]}
    path = write_geojson(doc)
    text = cli("inspect", str(path)).stdout.splitlines()
    i = text.index("  skipped    60")
    assert [line.split(":")[0] for line in text[i + 1:i + 51]] == [
        f"    feature {n} id g{n}" for n in range(50)
    ]
    assert "10 more" in text[i + 51]
    report = json.loads(cli("inspect", "--json", str(path)).stdout)
    assert [s["id"] for s in report["skipped"]] == [f"g{n}" for n in range(60)]
    assert report["loaded"] == 1


def _projected(doc: dict[str, Any]) -> dict[str, Any]:
    def walk(v: Any) -> Any:
        if isinstance(v, list) and v and isinstance(v[0], float):
            return list(LONLAT_TO_5186.transform(v[0], v[1]))
        if isinstance(v, list):
            return [walk(item) for item in v]
        return v

    out = json.loads(json.dumps(doc))
    for f in out["features"]:
        if f["geometry"] is not None:
            f["geometry"]["coordinates"] = walk(f["geometry"]["coordinates"])
    return out


def test_inspect_crs_option(write_geojson: Callable[..., Path], cli: Callable[..., Any]) -> None:
    doc = small_district()
    lonlat = json.loads(cli("inspect", "--json", str(write_geojson(doc, "ll.geojson"))).stdout)
    path = write_geojson(_projected(doc), "korea2000.geojson")

    # Metres read as lon/lat: a whole-file error that points at --crs.
    plain = cli("inspect", str(path))
    assert plain.returncode == 2
    assert plain.stderr.startswith("gwangju-twin: error: ")
    assert "--crs" in plain.stderr and plain.stderr.count("\n") == 1

    result = cli("inspect", str(path), "--json", "--crs", "EPSG:5186")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["crs"], report["crs_from"]) == ("EPSG:5186", "option")
    assert report["bbox"]["lonlat"] == pytest.approx(lonlat["bbox"]["lonlat"], abs=1e-7)
    assert report["bbox"]["local"] == pytest.approx(lonlat["bbox"]["local"], abs=0.011)
    for key in ("features", "loaded", "layers", "heights", "reoriented"):
        assert report[key] == lonlat[key]

    text = cli("inspect", str(path), "--crs", "EPSG:5186").stdout
    assert "CRS        EPSG:5186 (from option)" in text


def test_inspect_crs_option_overrides_the_member(
    write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    doc = small_district()
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = write_geojson(doc)
    member = json.loads(cli("inspect", "--json", str(path)).stdout)
    assert (member["crs"], member["crs_from"]) == ("OGC:CRS84", "file")
    # A --crs that contradicts the member is refused, naming both (issue 14) ...
    given = cli("inspect", "--json", "--crs", "EPSG:5186", str(path))
    assert given.returncode == 2 and given.stdout == ""
    assert given.stderr.count("\n") == 1, given.stderr
    assert "--crs EPSG:5186 contradicts its 'crs' member (OGC:CRS84)" in given.stderr
    assert "--crs-override" in given.stderr
    # ... and when forced, claiming the lon/lat numbers are Korean metres would put a few
    # centimetres of slivers at EPSG:5186's false origin: the mismatch is named (issue 11).
    forced = cli("inspect", "--json", "--crs", "EPSG:5186", "--crs-override", str(path))
    assert forced.returncode == 2 and forced.stdout == ""
    assert forced.stderr.count("\n") == 1, forced.stderr
    assert "EPSG:5186" in forced.stderr and "--crs" in forced.stderr
    assert "longitude/latitude degrees" in forced.stderr


def test_inspect_bad_crs_option(
    write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    path = write_geojson(small_district())
    result = cli("inspect", str(path), "--crs", "EPSG:0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("gwangju-twin: error: --crs")
    assert "Traceback" not in result.stderr


def test_inspect_a_scene_reports_its_district(cli: Callable[..., Any]) -> None:
    from render_helpers import REPO

    result = cli("inspect", str(REPO / "scenes" / "sangmu.toml"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"].endswith("sangmu.geojson")
    assert report["crs_from"] == "option"  # the scene's district.crs
    assert report["layers"]["buildings"] >= 2000
    assert report["origin"] == [126.85, 35.152]  # the scene's [origin], not the bbox centre


def test_level_height_option(write_geojson: Callable[..., Path], cli: Callable[..., Any]) -> None:
    """Floors become metres with the given level height; the report still says 'levels'."""
    from gwangju_twin.geo import load_geojson

    doc = collection(feature(polygon(square(0, 0, 20)), "b", building="yes",
                             **{"building:levels": 10}))
    path = write_geojson(doc)
    ok = cli("inspect", str(path), "--json", "--level-height", "2.8")
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["heights"]["levels"] == 1
    assert report["height_m"] == {"min": 28.0, "mean": 28.0, "max": 28.0}
    district, _ = load_geojson(path, level_height=2.8)
    assert district.height[0] == pytest.approx(28.0)

    bad = cli("inspect", str(path), "--level-height", "0")
    assert bad.returncode == 2 and "--level-height" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
