"""A scene's separate boundary file (``[boundaries]``): read in the district's frame, only the
polygons that overlap the district kept and cut to its extent, shown to plugins as
``ctx.district.boundaries``; and every bad file named by the scene file and key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from geojson_builders import CITY_HALL, collection, feature, ll, polygon, ring, square
from scene_builders import default_scene_text

from gwangju_twin.demos.civic.board import Dongs
from gwangju_twin.errors import InputError
from gwangju_twin.expo.prepared import load_district
from gwangju_twin.plugins.district import district_data
from gwangju_twin.scene import load_scene

# Two buildings: the district's data spans x 0 .. 400, y 0 .. 300 m from City Hall.
DISTRICT = collection(
    feature(polygon(square(0, 0, 100)), "b1", building="yes", height=10),
    feature(polygon(ring((300, 200), (400, 200), (400, 300), (300, 300))), "b2",
            building="yes", height=20),
)


def _box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return polygon(ring((x0, y0), (x1, y0), (x1, y1), (x0, y1)))


# A city's dongs: 가동 and 나동 each cover half of the district and reach out of it; 다동 is
# far away; 라동 only touches the district's east edge (x = 400).
CITY = collection(
    feature(_box(-100, -100, 200, 400), name="광주광역시 서구 가동", adm_cd="1"),
    feature(_box(200, -100, 600, 400), name="광주광역시 서구 나동", adm_cd="2"),
    feature(_box(5000, 5000, 6000, 6000), name="광주광역시 북구 다동", adm_cd="3"),
    feature(_box(400, 0, 500, 300), name="광주광역시 서구 라동", adm_cd="4"),
)


def _scene(tmp_path: Path, boundaries: dict[str, Any] | str | None,
           table: str = '[boundaries]\nsource = "b.geojson"\n') -> Path:
    (tmp_path / "d.geojson").write_text(json.dumps(DISTRICT), "utf-8")
    if boundaries is not None:
        text = boundaries if isinstance(boundaries, str) else json.dumps(boundaries)
        (tmp_path / "b.geojson").write_text(text, "utf-8")
    path = tmp_path / "scene.toml"
    path.write_text('[district]\nsource = "d.geojson"\n\n'
                    f"[origin]\nlon = {CITY_HALL[0]}\nlat = {CITY_HALL[1]}\n\n{table}", "utf-8")
    return path


def test_only_the_overlapping_boundaries_are_kept_cut_to_the_district(tmp_path: Path) -> None:
    plain, _ = load_district(load_scene(_scene(tmp_path, None, table="")))
    district, report = load_district(load_scene(_scene(tmp_path, CITY)))
    extent = shapely.total_bounds(plain.geometry)
    # The district's own rows come first, unchanged; its extent is unchanged too.
    n = len(plain)
    assert district.feature_id[:n] == plain.feature_id
    assert shapely.equals(district.geometry[:n], plain.geometry).all()
    np.testing.assert_allclose(shapely.total_bounds(district.geometry), extent)
    added = np.arange(n, len(district))
    assert [district.name[i] for i in added] == ["광주광역시 서구 가동", "광주광역시 서구 나동"]
    assert set(district.layer[added]) == {"area"} and set(district.kind[added]) == {"boundary"}
    assert [district.properties[i]["adm_cd"] for i in added] == ["1", "2"]
    # Each keeps its part inside the district's box (0 .. 400 x 0 .. 300 m, see DISTRICT):
    # 200 x 300 m each, by hand.
    areas = shapely.area(district.geometry[added])
    np.testing.assert_allclose(areas, [60_000.0, 60_000.0], rtol=1e-3)
    assert report.warnings == []


def test_plugins_see_the_boundaries_read_only_and_among_the_features(tmp_path: Path) -> None:
    district, _ = load_district(load_scene(_scene(tmp_path, CITY)))
    data = district_data(district, [], (0.0, 0.0, 400.0, 300.0))
    b = data.boundaries
    assert b.name == ("광주광역시 서구 가동", "광주광역시 서구 나동")
    assert list(b.layer) == ["area", "area"] and list(b.kind) == ["boundary", "boundary"]
    assert b.tags[0]["adm_cd"] == "1"
    with pytest.raises(ValueError):
        b.centroid[0, 0] = 1.0
    with pytest.raises(TypeError):
        b.tags[0]["adm_cd"] = "9"  # type: ignore[index]
    rows = [i for i in range(len(data.features)) if data.features.kind[i] == "boundary"]
    assert [data.features.name[i] for i in rows] == list(b.name)
    # The civic demo's dongs, by their last word.
    dongs = Dongs.from_areas(b.name, b.geometry, b.tags, b.name_en)
    assert dongs.names == ("가동", "나동")
    assert list(dongs.of([100.0, 350.0], [150.0, 250.0])) == ["가동", "나동"]


def test_a_district_without_a_boundary_file_gives_plugins_none(tmp_path: Path) -> None:
    district, _ = load_district(load_scene(_scene(tmp_path, None, table="")))
    data = district_data(district, [], (0.0, 0.0, 400.0, 300.0))
    assert len(data.boundaries) == 0 and data.boundaries.geometry.shape == (0,)


def test_name_key_names_the_boundaries_whatever_its_case(tmp_path: Path) -> None:
    city = collection(feature(_box(-100, -100, 600, 400), EMD_KOR_NM="치평동", name="x"),
                      feature(_box(0, 0, 50, 50), OTHER="y"))
    path = _scene(tmp_path, city, '[boundaries]\nsource = "b.geojson"\nname_key = "emd_kor_nm"\n')
    district, report = load_district(load_scene(path))
    rows = np.flatnonzero(district.kind == "boundary")
    assert [district.name[i] for i in rows] == ["치평동", None]
    # The nameless one is kept, and said.
    [warning] = report.warnings
    assert warning.index == 1 and "b.geojson" in warning.reason
    assert "without a name (no 'emd_kor_nm')" in warning.reason


def test_a_skipped_boundary_feature_is_a_warning_of_the_district(tmp_path: Path) -> None:
    broken = feature({"type": "Polygon", "coordinates": [[ll(0, 0), ll(10, 0)]]}, "bad")
    _, report = load_district(load_scene(_scene(tmp_path, collection(*CITY["features"],
                                                                       broken))))
    assert [w.id for w in report.warnings] == ["bad"]
    assert report.warnings[0].reason.startswith("boundary file b.geojson: ")


@pytest.mark.parametrize(("boundaries", "table", "message"), [
    (None, '[boundaries]\nsource = "gone.geojson"\n',
     "'boundaries.source' names 'gone.geojson', which is not a file"),
    (collection(feature({"type": "Point", "coordinates": ll(10, 10)}, name="a"),
                feature({"type": "LineString", "coordinates": [ll(0, 0), ll(50, 50)]})),
     None, "'boundaries.source' names b.geojson, which holds no polygons (2 other features)"),
    (collection(CITY["features"][2]), None,
     "'boundaries.source': none of the 1 polygons of b.geojson overlaps the district"),
    ("{not json", None, "'boundaries.source': "),
    (CITY, '[boundaries]\nsource = "b.geojson"\nname_key = "adm_nm"\n',
     "'boundaries.name_key' is 'adm_nm', which no polygon of b.geojson has; expected one of "
     "its properties (adm_cd, name)"),
    (CITY, '[boundaries]\nsource = "b.geojson"\nname_key = " "\n',
     "'boundaries.name_key' is ' '; expected the name of a property"),
    (CITY, '[boundaries]\nname_key = "adm_nm"\n', "missing key 'boundaries.source'"),
    (CITY, '[boundaries]\nsource = "b.geojson"\nsrc = 1\n', "unknown key 'boundaries.src'"),
])
def test_a_bad_boundary_file_is_one_line_naming_the_scene_file_and_key(
        tmp_path: Path, boundaries: Any, table: str | None, message: str) -> None:
    path = _scene(tmp_path, boundaries, table or '[boundaries]\nsource = "b.geojson"\n')
    with pytest.raises(InputError) as caught:
        load_district(load_scene(path))
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and "\n" not in text
    assert message in text


def test_the_real_gwangju_dongs_beside_the_default_district(shared_data: Path,
                                                            tmp_path: Path) -> None:
    """The statistics office's 96 dongs of all Gwangju (shared data README) beside the
    default Sangmu district: the dongs that reach into it, 치평동 among them."""
    source = (shared_data / "gwangju_hangjeongdong_admdongkor.geojson").as_posix()
    path = tmp_path / "scene.toml"
    path.write_text(f'{default_scene_text()}\n[boundaries]\nsource = "{source}"\n', "utf-8")
    district, _ = load_district(load_scene(path))
    rows = np.flatnonzero(district.kind == "boundary")
    b = district_data(district, [], tuple(shapely.total_bounds(district.geometry))).boundaries
    dongs = Dongs.from_areas(b.name, b.geometry, b.tags, b.name_en)
    # The district's dongs (issue 13, GWANGJU.md) are all there.
    assert {"치평동", "상무1동", "상무2동"} <= set(dongs.names)
    # City Hall (GWANGJU.md) stands in 치평동 of the real boundaries.
    x, y = district.frame.to_local(126.8515218, 35.1597705)
    assert list(dongs.of(x, y)) == ["치평동"]
    # Only a few of the city's 96: the Sangmu district lies in 서구 (GWANGJU.md), so every
    # dong that reaches into it is one of 서구's 18 (shared data README).
    assert 3 <= len(rows) <= 18
    assert {district.properties[i]["sggnm"] for i in rows} == {"서구"}
