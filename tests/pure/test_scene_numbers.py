"""Every number in a scene file is finite and in range where it is read; pavilion sites stay
near their district; a bad ``district.crs`` is blamed on the scene file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from scene_builders import one_pavilion_scene as _scene

from gwangju_twin.errors import InputError
from gwangju_twin.geo import load_geojson
from gwangju_twin.scene import load_scene
from gwangju_twin.scene.pavilions import SITE_MARGIN, place_pavilions

HUGE = "1" + "0" * 400  # an integer TOML reads, but no float can hold

BAD_NUMBERS = [
    ("heading = 40.0", "heading = nan", "camera.heading"),
    ("heading = 40.0", "heading = inf", "camera.heading"),
    ("heading = 40.0", "heading = -inf", "camera.heading"),
    ("heading = 40.0", "heading = 1e300", "camera.heading"),
    ("heading = 40.0", f"heading = {HUGE}", "camera.heading"),
    ("pitch = 30.0", "pitch = nan", "camera.pitch"),
    ("distance = 1800.0", "distance = inf", "camera.distance"),
    ("distance = 1800.0", f"distance = {HUGE}", "camera.distance"),
    ("{ x = 0.0, y = 0.0 }", "{ x = 1e300, y = 0.0 }", "camera.target.x"),
    ("{ x = 0.0, y = 0.0 }", "{ x = 0.0, y = nan }", "camera.target.y"),
    ("{ x = 0.0, y = 0.0 }", f"{{ x = {HUGE}, y = 0.0 }}", "camera.target.x"),
    ("{ x = 0.0, y = 0.0 }", "{ lon = inf, lat = 35.0 }", "camera.target.lon"),
    ("lon = 126.8500", "lon = nan", "origin.lon"),
    ("frame_budget_ms = 4.0", "frame_budget_ms = inf", "plugins.frame_budget_ms"),
    ("frame_budget_ms = 4.0", f"frame_budget_ms = {HUGE}", "plugins.frame_budget_ms"),
    ('source = "', 'level_height = nan\nsource = "', "district.level_height"),
    ("{ x = -300.0, y = -600.0 }", "{ x = 1e300, y = -600.0 }", "pavilion[0] (energy).at.x"),
    ("{ x = -300.0, y = -600.0 }", "{ x = -300.0, y = -inf }", "pavilion[0] (energy).at.y"),
    ("{ x = -300.0, y = -600.0 }", "{ lon = nan, lat = 35.15 }", "pavilion[0] (energy).at.lon"),
    ("{ x = -300.0, y = -600.0 }", f"{{ x = {HUGE}, y = 0 }}", "pavilion[0] (energy).at.x"),
    ("heading = 0.0", "heading = nan", "pavilion[0] (energy).heading"),
    ("heading = 0.0", "heading = 1e300", "pavilion[0] (energy).heading"),
    ('sector = "energy"', 'sector = "energy"\nsize = [nan, 60]', "pavilion[0] (energy).size"),
    ('sector = "energy"', f'sector = "energy"\nsize = [{HUGE}, 60]',
     "pavilion[0] (energy).size"),
    ("seconds = 20", "seconds = nan", "tour.stop[0].seconds"),
]


def test_the_base_scene_is_valid(tmp_path: Path) -> None:
    scene = load_scene(_scene(tmp_path))
    assert scene.camera.heading == 40.0 and scene.pavilions[0].at_local == (-300.0, -600.0)


@pytest.mark.parametrize(("old", "new", "key"), BAD_NUMBERS)
def test_non_finite_and_huge_numbers_name_the_file_and_key(tmp_path: Path, old: str,
                                                           new: str, key: str) -> None:
    path = _scene(tmp_path, old, new)
    with pytest.raises(InputError) as err:
        load_scene(path)
    message = str(err.value)
    assert message.startswith(f"{path}: '{key}' is "), message
    assert "expected" in message and "\n" not in message and len(message) < 300


def test_headings_wrap_and_stay_finite(tmp_path: Path) -> None:
    scene = load_scene(_scene(tmp_path, "heading = 40.0", "heading = -90"))
    assert scene.camera.heading == 270.0


def _placed(path: Path):
    scene = load_scene(path)
    district, report = load_geojson(scene.source, crs=scene.crs, origin=scene.origin,
                                    level_height=scene.level_height)
    return place_pavilions(district, report, scene.pavilions, scene.path)


@pytest.mark.parametrize("at", [
    "{ x = 40000.0, y = 0.0 }",            # 40 km east: another town
    "{ lon = -53.15, lat = -35.152 }",     # the antipode of Gwangju
    "{ lon = 126.85, lat = -35.152 }",     # the other hemisphere
])
def test_sites_far_outside_the_district_are_refused(tmp_path: Path, at: str) -> None:
    path = _scene(tmp_path, "{ x = -300.0, y = -600.0 }", at)
    load_scene(path)  # the district is not known yet when the file is read
    with pytest.raises(InputError) as err:
        _placed(path)
    message = str(err.value)
    assert message.startswith(f"{path}: 'pavilion[0] (energy).at' puts the site at ")
    assert f"within {SITE_MARGIN:.0f} m of the district" in message
    assert "\n" not in message


def test_a_site_just_outside_the_district_is_still_fine(tmp_path: Path) -> None:
    """An expo ground at the district's edge is allowed: the margin is SITE_MARGIN."""
    probe = _scene(tmp_path)
    scene = load_scene(probe)
    district, _report = load_geojson(scene.source, crs=scene.crs, origin=scene.origin)
    x1 = float(shapely.total_bounds(district.geometry)[2])
    path = _scene(tmp_path, "{ x = -300.0, y = -600.0 }",
                  f"{{ x = {x1 + SITE_MARGIN - 100:.1f}, y = 0.0 }}")
    _district, sites = _placed(path)
    assert sites[0].center == (round(x1 + SITE_MARGIN - 100, 1), 0.0)
