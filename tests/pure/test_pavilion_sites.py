"""Pavilion sites in scene files: validation, and placement that clears only buildings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from geojson_builders import CITY_HALL, collection, feature, ll, polygon, square
from render_helpers import REPO

from gwangju_twin.errors import InputError
from gwangju_twin.geo import load_geojson
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene
from gwangju_twin.scene.pavilions import place_pavilions, site_polygon
from gwangju_twin.scene.sectors import SECTOR_IDS, SECTORS

BASE = """
[district]
source = "{source}"

[origin]
lon = {lon}
lat = {lat}
"""


def load_district(scene):
    """The scene's district as the viewer loads it."""
    return load_geojson(scene.source, crs=scene.crs, origin=scene.origin,
                        level_height=scene.level_height)


def scene_file(tmp_path: Path, body: str, source: Path | None = None) -> Path:
    src = source or REPO / "assets" / "sangmu.geojson"
    path = tmp_path / "scene.toml"
    head = BASE.format(source=src.as_posix(), lon=CITY_HALL[0], lat=CITY_HALL[1])
    path.write_text(head + body, encoding="utf-8")
    return path


def pavilion(sector: str = "energy", at: str = "{ x = 0, y = 0 }", **extra: str) -> str:
    lines = [f'[[pavilion]]\nsector = "{sector}"\nat = {at}\n']
    lines += [f"{k} = {v}\n" for k, v in extra.items()]
    return "".join(lines)


def test_the_registry_holds_the_seven_sectors_once_each():
    assert SECTOR_IDS == ("healthcare", "mobility", "energy", "culture", "manufacturing",
                          "education", "administration")
    assert [s.name_ko for s in SECTORS] == ["의료헬스케어", "친환경자율주행", "친환경에너지",
                                            "문화콘텐츠", "제조", "교육", "행정"]
    assert sum(s.flagship for s in SECTORS) == 5
    colours = {s.color for s in SECTORS}
    assert len(colours) == 7 and all(0 <= c <= 1 for rgb in colours for c in rgb)
    assert all(s.description_ko and s.description_en for s in SECTORS)


def test_the_default_scene_has_all_seven_pavilions_and_a_tour():
    scene = load_scene(default_scene_path())
    assert sorted(p.sector for p in scene.pavilions) == sorted(SECTOR_IDS)
    assert sorted(scene.tour) == sorted(p.id for p in scene.pavilions)
    assert {p.plugin for p in scene.pavilions} >= {"gwangju.shuttles", "gwangju.solar"}


def test_default_pavilions_stand_around_the_expo_plaza_near_the_convention_center():
    scene = load_scene(default_scene_path())
    district, report = load_district(scene)
    district, sites = place_pavilions(district, report, scene.pavilions, scene.path)
    kdj = district.frame.to_local(126.8405, 35.1467)  # GWANGJU.md, +-150 m
    centres = np.array([s.center for s in sites])
    assert np.hypot(*(centres - np.array(kdj, float)).T).max() < 500
    plaza = next(district.geometry[i] for i in district.select("plazas")
                 if district.name_en[i] == "Expo Plaza")
    assert all(shapely.distance(plaza, s.polygon) < 200 for s in sites)
    # Nothing but the pavilions stands on a site any more; the cleared ones are reported.
    rows = district.select("buildings")
    for s in sites:
        assert not shapely.intersects(district.geometry[rows], s.polygon).any()
    for i in report.cleared:
        assert "cleared for pavilion" in i.reason


@pytest.mark.parametrize(("body", "expected"), [
    (pavilion(sector="space"), "'pavilion[0].sector' is 'space'; expected one of healthcare"),
    ('[[pavilion]]\nat = { x = 0, y = 0 }\n', "'pavilion[0]' needs 'sector'"),
    (pavilion(at='{ x = 0 }'), "'pavilion[0] (energy).at' must be {lon = .., lat = ..}"),
    (pavilion(at='{ lon = 500, lat = 35 }'), "is not lon/lat in degrees"),
    (pavilion(size="[10, 60]"), "'pavilion[0] (energy).size' is [10, 60]; expected width"),
    (pavilion(size="[60]"), "expected [width, depth] metres"),
    (pavilion(heading='"north"'), "'pavilion[0] (energy).heading' is 'north'; expected a number"),
    (pavilion(colour='"red"'), "unknown key 'pavilion[0].colour'"),
    (pavilion(id='"Big Hall"'), "'pavilion[0].id' is 'Big Hall'"),
    # Whole-value checks: a regex "$" alone also matches before a final newline.
    (pavilion(id='"energy\\n"'), "'pavilion[0].id' is 'energy\\n'"),
    (pavilion(plugin='"gwangju.solar\\n"'), "'pavilion[0] (energy).plugin' is "
                                            "'gwangju.solar\\n'; expected a plugin id"),
    (pavilion() + pavilion(at="{ x = 500, y = 0 }"), "'pavilion[1].id' 'energy' is used by"),
    (pavilion() + '[tour]\norder = ["energy", "moon"]\n', "'tour.order[1]' is 'moon'"),
    (pavilion() + '[tour]\norder = ["energy", "energy"]\n', "visits a pavilion twice"),
    (pavilion() + '[tour]\norder = "energy"\n', "'tour.order' is 'energy'; expected an array"),
    ('[plugins]\nfolder = "nowhere"\n', "'plugins.folder' names 'nowhere', which is not a "
                                       "folder"),
    ('[plugins]\nframe_budget_ms = 0\n', "'plugins.frame_budget_ms' is 0.0; expected 0.5"),
    ('[pavilion]\nsector = "energy"\n', "'pavilion' must be an array of tables"),
])
def test_bad_pavilion_tables_name_the_file_and_the_key(tmp_path, body, expected):
    path = scene_file(tmp_path, body)
    with pytest.raises(InputError) as err:
        load_scene(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def _tiny_district(tmp_path: Path) -> Path:
    """Two buildings, a road along y = 0 (12 m wide) and a pond, in metres around City Hall
    (the scene's origin)."""
    doc = collection(
        feature(polygon(square(-10, 70, 20)), "b-under-site", building="office", height=20),
        feature(polygon(square(290, 70, 20)), "b-elsewhere", building="office", height=20),
        feature({"type": "LineString", "coordinates": [ll(-400, 0), ll(400, 0)]}, "road",
                highway="primary", width=12, name="Test-ro"),
        feature(polygon(square(-320, 60, 40)), "pond", natural="water"),
    )
    path = tmp_path / "tiny.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_site_clears_the_buildings_it_overlaps_and_reports_them(tmp_path):
    src = _tiny_district(tmp_path)
    scene = load_scene(scene_file(tmp_path, pavilion(at="{ x = 0, y = 80 }", size="[50, 50]"),
                                  src))
    district, report = load_district(scene)
    before = len(district)
    district, _sites = place_pavilions(district, report, scene.pavilions, scene.path)
    assert len(district) == before - 1
    assert "b-under-site" not in district.feature_id and "b-elsewhere" in district.feature_id
    assert [(i.id, i.reason) for i in report.cleared] == [
        ("b-under-site", "cleared for pavilion 'energy' (Eco-friendly energy)")]
    assert report.as_dict()["cleared"][0]["id"] == "b-under-site"


@pytest.mark.parametrize(("at", "what"), [
    ("{ x = 100, y = 10 }", "overlaps road Test-ro"),
    ("{ x = -300, y = 80 }", "overlaps water"),
])
def test_a_site_on_a_road_or_water_is_refused(tmp_path, at, what):
    src = _tiny_district(tmp_path)
    scene = load_scene(scene_file(tmp_path, pavilion(at=at, size="[40, 40]"), src))
    district, report = load_district(scene)
    with pytest.raises(InputError) as err:
        place_pavilions(district, report, scene.pavilions, scene.path)
    assert str(scene.path) in str(err.value) and what in str(err.value)
    assert "pavilion[0] (energy)" in str(err.value)


def test_overlapping_sites_are_refused(tmp_path):
    src = _tiny_district(tmp_path)
    body = pavilion(at="{ x = 0, y = 80 }") + pavilion("culture", at="{ x = 30, y = 90 }")
    scene = load_scene(scene_file(tmp_path, body, src))
    district, report = load_district(scene)
    with pytest.raises(InputError, match=r"pavilion.0. .energy. and pavilion.1. "
                                         r".culture. overlap"):
        place_pavilions(district, report, scene.pavilions, scene.path)


def test_site_polygon_faces_its_heading():
    poly = site_polygon((10.0, 20.0), 90.0, (40.0, 20.0))  # front faces east
    x0, y0, x1, y1 = poly.bounds
    assert (x1 - x0, y1 - y0) == pytest.approx((20.0, 40.0))
    assert poly.exterior.is_ccw and poly.area == pytest.approx(800.0)
