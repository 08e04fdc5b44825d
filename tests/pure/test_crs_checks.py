"""CRS checks (issue 14): control points for EPSG:5174's datum shift, a --crs that contradicts
the file's declared CRS, --crs-override, and data put outside its CRS's area of use or into
the sea. Synthetic data is made with pyproj from known lon/lat of Korean cities; expected
positions come from pyproj's own EPSG:5186 projection (GRS80, no datum shift), from the commonly
published 7-parameter shift for Korean Bessel, or from published coordinates (named below)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import CRS, Geod, Transformer

from gwangju_twin.errors import InputError
from gwangju_twin.geo import crs as crs_checks
from gwangju_twin.geo.frame import lonlat_transformer
from gwangju_twin.geo.load import load_geojson
from gwangju_twin.geo.report import format_report

GEOD = Geod(ellps="WGS84")
#: City centres (lon, lat), from the cities' Wikipedia articles.
SEOUL = (126.978, 37.566)
GWANGJU = (126.853, 35.160)
BUSAN = (129.076, 35.180)
#: The commonly published 7-parameter shift Korean Bessel (Korean 1985) -> WGS 84, e.g. in
#: the proj4 definitions Korean GIS guides give for EPSG:5174; independent of EPSG:5191,
#: the transformation pyproj picks.
TOWGS84 = "-115.80,474.99,674.11,1.16,-2.31,-1.63,6.43"
MODIFIED_CENTRAL_BELT = ("+proj=tmerc +lat_0=38 +lon_0=127.0028902777778 +k=1 +x_0=200000 "
                         "+y_0=500000 +ellps=bessel +units=m +no_defs")
#: SHARED data: the register-style Shapefile's .prj (ESRI WKT of KGD2002 Central Belt 2010).
PRJ = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "AL_D010_jamsil_sample.prj"


def _points(path: Path, lonlats: list[tuple[float, float]], crs: str | CRS,
            member: str | None = None) -> Path:
    """Named points at ``lonlats`` (WGS 84), written in ``crs`` coordinates."""
    tr = Transformer.from_crs(CRS.from_user_input(4326), CRS.from_user_input(crs),
                              always_xy=True)
    feats = [{"type": "Feature", "properties": {"name": f"p{i}", "amenity": "townhall"},
              "geometry": {"type": "Point", "coordinates": list(tr.transform(lo, la))}}
             for i, (lo, la) in enumerate(lonlats)]
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
    if member is not None:
        doc["crs"] = {"type": "name", "properties": {"name": member}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _lonlat(district: Any) -> np.ndarray:
    xy = np.array([[g.x, g.y] for g in district.geometry])
    lon, lat = district.frame.to_lonlat(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


CITY = [SEOUL, GWANGJU, BUSAN, (126.5, 33.4), (128.6, 35.87)]  # + Jeju, Daegu


def test_pyproj_picks_the_korean_1985_datum_shift_for_5174() -> None:
    # PROJ 9 picks EPSG:5191 "Korean 1985 to WGS 84 (1)" (Molodensky-Badekas, 1 m).
    description = lonlat_transformer(CRS.from_epsg(5174)).description
    assert "Korean 1985 to WGS 84" in description and "allpark" not in description


def test_the_same_points_in_5174_and_5186_land_within_a_metre(tmp_path: Path) -> None:
    """5174 metres made with the published 7-parameter shift (not the EPSG transformation the
    loader uses), 5186 metres with pyproj's projection: both must load to the same place.
    Measured: 4 to 7 cm apart; a missing datum shift would be 350-390 m."""
    bessel = CRS.from_proj4(f"{MODIFIED_CENTRAL_BELT} +towgs84={TOWGS84}")
    old = load_geojson(_points(tmp_path / "a.geojson", CITY, bessel), crs="EPSG:5174")[0]
    new = load_geojson(_points(tmp_path / "b.geojson", CITY, "EPSG:5186"), crs="EPSG:5186")[0]
    a, b = _lonlat(old), _lonlat(new)
    _, _, metres = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    assert np.max(metres) < 1.0, metres
    _, _, from_truth = GEOD.inv(b[:, 0], b[:, 1], *np.asarray(CITY).T)
    assert np.max(from_truth) < 0.01


def test_a_published_control_point_marado() -> None:
    """Marado's south tip, as published by the National Geographic Information Institute
    (press release of 2009-12-09 on the change to the world geodetic system, reprinted by
    timenews.co.kr): Tokyo (Bessel) datum 33°06'32"N 126°16'15"E, world geodetic system
    33°06'43"N 126°16'07"E; to whole seconds, so within 1" each way (about 30 m). Without a
    datum shift the error would be ~400 m (about 11" and 8")."""
    dms = lambda d, m, s: d + m / 60 + s / 3600  # noqa: E731
    bessel = (dms(126, 16, 15), dms(33, 6, 32))
    world = (dms(126, 16, 7), dms(33, 6, 43))
    x, y = Transformer.from_crs(4162, 5174, always_xy=True).transform(*bessel)  # a projection
    lon, lat = lonlat_transformer(CRS.from_epsg(5174)).transform(x, y)
    assert abs(lon - world[0]) * 3600 < 1.0 and abs(lat - world[1]) * 3600 < 1.0


def test_a_5174_proj_string_without_datum_gets_the_epsg_shift(tmp_path: Path) -> None:
    bare = CRS.from_proj4(MODIFIED_CENTRAL_BELT)
    plain = Transformer.from_crs(bare, 4326, always_xy=True)
    x, y = Transformer.from_crs(4326, 5174, always_xy=True).transform(*SEOUL)
    _, _, ballpark = GEOD.inv(*plain.transform(x, y), *SEOUL)
    assert ballpark > 300  # what pyproj alone does with it: the test can fail
    _, _, ours = GEOD.inv(*lonlat_transformer(bare).transform(x, y), *SEOUL)
    assert ours < 0.01


def test_a_crs_option_that_contradicts_the_member_is_refused(tmp_path: Path) -> None:
    path = _points(tmp_path / "x.geojson", [SEOUL], "EPSG:5186", member="EPSG:5186")
    with pytest.raises(InputError) as info:
        load_geojson(path, crs="EPSG:5179")
    message = str(info.value)
    assert "--crs EPSG:5179 contradicts its 'crs' member (EPSG:5186)" in message
    assert "--crs-override" in message and "\n" not in message


@pytest.mark.parametrize(("member", "option"), [
    ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"),  # axis order only
    ("EPSG:5186", "EPSG:5186"),
])
def test_equivalent_crss_are_no_contradiction(tmp_path: Path, member: str, option: str) -> None:
    crs = "EPSG:4326" if "84" in member else member
    path = _points(tmp_path / "x.geojson", [GWANGJU], crs, member=member)
    _, report = load_geojson(path, crs=option)
    assert report.crs_from == "option" and report.crs_warning is None


def test_a_prj_wkt_equal_to_5186_is_no_contradiction(tmp_path: Path) -> None:
    if not PRJ.is_file():
        pytest.skip("shared data absent")
    wkt = PRJ.read_text(encoding="ascii").strip()
    path = _points(tmp_path / "x.geojson", [GWANGJU], "EPSG:5186", member=wkt)
    _, report = load_geojson(path, crs="EPSG:5186")
    assert report.crs == "EPSG:5186" and report.crs_warning is None


def test_crs_override_lets_the_option_win_and_says_so(tmp_path: Path) -> None:
    path = _points(tmp_path / "x.geojson", [SEOUL], "EPSG:5186", member="EPSG:5179")
    district, report = load_geojson(path, crs="EPSG:5186", crs_override=True)
    assert (report.crs, report.crs_from, report.crs_declared) == ("EPSG:5186", "option",
                                                                  "EPSG:5179")
    assert report.crs_warning is not None and "EPSG:5179" in report.crs_warning
    text = format_report(report)
    assert "CRS note" in text and "EPSG:5179" in text
    assert report.as_dict()["crs_declared"] == {"crs": "EPSG:5179", "by": "its 'crs' member"}
    _, _, metres = GEOD.inv(*_lonlat(district)[0], *SEOUL)
    assert metres < 0.01


def test_seoul_in_5186_read_as_5179_is_outside_its_area_and_5186_is_suggested(
    tmp_path: Path,
) -> None:
    # 5179's false origin (1,000 km, 2,000 km) vs 5186's (200 km, 600 km): Seoul lands
    # near 119.6E 24.7N, the Taiwan Strait, outside 5179's area of use.
    path = _points(tmp_path / "x.geojson", [SEOUL], "EPSG:5186")
    with pytest.raises(InputError) as info:
        load_geojson(path, crs="EPSG:5179")
    message = str(info.value)
    assert "outside EPSG:5179's area of use" in message
    assert "EPSG:5186 (near Seoul)" in message and "pass --crs EPSG:5186" in message


@pytest.mark.parametrize(("city", "real", "wrong", "place"), [
    (SEOUL, "EPSG:5186", "EPSG:5174", "Seoul"),  # 100 km north: north of the DMZ
    (BUSAN, "EPSG:5174", "EPSG:5186", "Busan"),  # 100 km south: the Korea Strait
])
def test_a_wrong_false_northing_lands_off_the_land(
    tmp_path: Path, city: tuple[float, float], real: str, wrong: str, place: str,
) -> None:
    path = _points(tmp_path / "x.geojson", [city], real)
    with pytest.raises(InputError) as info:
        load_geojson(path, crs=wrong)
    message = str(info.value)
    assert "off South Korea's land" in message
    assert f"{real} (near {place})" in message


def test_a_lying_member_is_blamed_and_override_suggested(tmp_path: Path) -> None:
    path = _points(tmp_path / "x.geojson", [SEOUL], "EPSG:5186", member="EPSG:5179")
    with pytest.raises(InputError) as info:
        load_geojson(path)
    assert "its 'crs' member is likely wrong" in str(info.value)
    assert "--crs EPSG:5186 with --crs-override" in str(info.value)


def test_projected_metres_without_a_crs_get_the_fitting_crs_named(tmp_path: Path) -> None:
    path = _points(tmp_path / "x.geojson", [GWANGJU], "EPSG:5186")
    with pytest.raises(InputError) as info:
        load_geojson(path)
    assert "they fit EPSG:5186 (near Gwangju)" in str(info.value)
    assert "pass --crs EPSG:5186" in str(info.value)


@pytest.mark.parametrize("crs", ["EPSG:5186", "EPSG:5179", "EPSG:5174", "EPSG:32652",
                                 "EPSG:4326", "EPSG:5181"])
def test_right_crss_load_without_complaint(tmp_path: Path, crs: str) -> None:
    path = _points(tmp_path / "x.geojson", [GWANGJU, (126.9, 35.2)], crs)
    _, report = load_geojson(path, crs=crs)
    assert report.loaded == 2


def test_busan_in_the_central_belt_is_within_the_margin(tmp_path: Path) -> None:
    # 1.1 degrees east of 5186's area of use; common in practice.
    _, report = load_geojson(_points(tmp_path / "x.geojson", [BUSAN], "EPSG:5186"),
                             crs="EPSG:5186")
    assert report.loaded == 1


def test_data_far_from_korea_in_a_global_crs_is_not_held_to_korean_land(tmp_path: Path) -> None:
    helsinki = [(24.94, 60.17)]
    _, report = load_geojson(_points(tmp_path / "x.geojson", helsinki, "EPSG:4326"))
    assert report.loaded == 1


def test_the_land_boxes_hold_the_cities_and_not_the_sea() -> None:
    cities = np.array([p[1:] for p in crs_checks.PLACES])
    for row, name in zip(cities, (p[0] for p in crs_checks.PLACES), strict=True):
        assert crs_checks.on_land_share(row[None]) == 1.0, name
    # Open sea, read off any atlas: Yellow Sea, East Sea, Korea Strait, Taiwan Strait, and
    # Pyongyang (North Korea: no Korean CRS is made for it).
    sea = np.array([(124.5, 36.0), (130.0, 37.0), (129.0, 34.3), (119.6, 24.7),
                    (125.75, 39.03)])
    for row in sea:
        assert crs_checks.on_land_share(row[None]) == 0.0, row


def test_a_scene_key_that_contradicts_the_file_is_blamed_on_the_key(tmp_path: Path) -> None:
    path = _points(tmp_path / "x.geojson", [SEOUL], "EPSG:5186", member="EPSG:5186")
    with pytest.raises(InputError) as info:
        load_geojson(path, crs="EPSG:5179", crs_named_by="scene.toml: 'district.crs'")
    message = str(info.value)
    assert "EPSG:5179 (from scene.toml: 'district.crs') contradicts its 'crs' member" in message
    assert "crs_override = true" in message and "--crs" not in message


def test_a_wrong_scene_key_is_told_to_change_the_key(tmp_path: Path) -> None:
    path = _points(tmp_path / "x.geojson", [SEOUL], "EPSG:5186")
    with pytest.raises(InputError) as info:
        load_geojson(path, crs="EPSG:5179", crs_named_by="scene.toml: 'district.crs'")
    assert 'set crs = "EPSG:5186" in [district]' in str(info.value)
