"""Scene files: the default scene, and every kind of mistake named by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from scene_builders import good_scene as _good
from scene_builders import write_scene as _write

from gwangju_twin.errors import InputError
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene


def test_default_scene_is_valid() -> None:
    scene = load_scene(default_scene_path())
    assert scene.source.name == "sangmu.geojson" and scene.source.is_file()
    assert scene.origin is not None
    assert scene.camera.target_lonlat is not None
    # Every layer is drawn but the administrative dongs, which tile the whole district (a
    # wash over all of it would say nothing); the civic demo outlines them when entered.
    assert {k for k, on in scene.layers.items() if not on} == {"area"}


def test_a_full_scene_reads_every_key(tmp_path: Path) -> None:
    scene = load_scene(_write(tmp_path, _good()))
    assert scene.name == "test"
    assert scene.level_height == 2.9
    assert scene.origin == (126.85, 35.15)
    assert scene.camera.target_local == (100.0, -50.0)
    assert (scene.camera.heading, scene.camera.pitch, scene.camera.distance) == (90, 30, 1500)
    assert scene.layers["area"] is False and scene.layers["buildings"] is True


def test_relative_source_is_relative_to_the_scene_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.geojson").write_text('{"type": "Point", "coordinates": [126.8, 35.1]}')
    scene = load_scene(_write(tmp_path, '[district]\nsource = "data/d.geojson"\n'))
    assert scene.source == (tmp_path / "data" / "d.geojson").resolve()


BAD = {
    "unknown-section": ("[scene]\n", "[sceen]\n", "[sceen]"),
    "unknown-key": ("heading = 90", "headng = 90", "camera.headng"),
    "wrong-type": ("pitch = 30.0", 'pitch = "steep"', "camera.pitch"),
    "bool-is-not-a-number": ("heading = 90", "heading = true", "camera.heading"),
    "pitch-out-of-range": ("pitch = 30.0", "pitch = 95.0", "camera.pitch"),
    "distance-out-of-range": ("distance = 1500", "distance = 1", "camera.distance"),
    "level-height-out-of-range": ("level_height = 2.9", "level_height = 0.1",
                                  "district.level_height"),
    "layer-not-bool": ("area = false", "area = 0", "layers.area"),
    "unknown-layer": ("area = false", "areas = false", "layers.areas"),
    "origin-half-missing": ("lat = 35.15", "", "[origin]"),
    "origin-not-on-earth": ("lat = 35.15", "lat = 135.15", "origin"),
    "target-wrong-keys": ("{ x = 100.0, y = -50.0 }", "{ east = 1.0 }", "camera.target"),
    "source-missing": ("source = ", "# source = ", "district.source"),
    "not-toml": ("[scene]\n", "[scene\n", "not valid TOML"),
}


@pytest.mark.parametrize("case", BAD)
def test_mistakes_name_the_file_and_key(case: str, tmp_path: Path) -> None:
    old, new, key = BAD[case]
    text = _good()
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_scene(path)
    message = str(err.value)
    assert str(path) in message and key in message
    assert "\n" not in message


def test_source_that_is_not_a_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '[district]\nsource = "nowhere.geojson"\n')
    with pytest.raises(InputError, match=r"district\.source"):
        load_scene(path)


def test_missing_scene_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_scene(tmp_path / "absent.toml")


# --- The guided tour: [tour] with order or [[tour.stop]] -----------------------------------

PAVILIONS = """
[[pavilion]]
sector = "energy"
at = { x = 0.0, y = 0.0 }

[[pavilion]]
sector = "mobility"
at = { x = 300.0, y = 0.0 }
"""

TOUR = """
[tour]
dwell_seconds = 15

[[tour.stop]]
pavilion = "mobility"
ko = "전기 셔틀이 달립니다"
en = "Electric shuttles drive"
seconds = 25

[[tour.stop]]
pavilion = "energy"
ko = \"\"\"햇빛으로
  만드는   전기\"\"\"
en = "Power from the sun"
"""


def _tour_scene(tmp_path: Path, tour: str) -> Path:
    return _write(tmp_path, _good() + PAVILIONS + tour)


def test_tour_stops_with_narration(tmp_path: Path) -> None:
    from gwangju_twin.scene.tour import TourStop

    scene = load_scene(_tour_scene(tmp_path, TOUR))
    assert scene.tour == ("mobility", "energy")
    assert scene.tour_stops == (
        TourStop("mobility", "전기 셔틀이 달립니다", "Electric shuttles drive", 25.0),
        TourStop("energy", "햇빛으로 만드는 전기", "Power from the sun", 15.0),  # one paragraph
    )


def test_tour_order_still_works_with_sector_narration(tmp_path: Path) -> None:
    from gwangju_twin.scene.sectors import sector
    from gwangju_twin.scene.tour import DEFAULT_DWELL

    scene = load_scene(_tour_scene(tmp_path, '[tour]\norder = ["energy", "mobility"]\n'))
    assert scene.tour == ("energy", "mobility")
    assert [s.pavilion for s in scene.tour_stops] == list(scene.tour)
    for stop in scene.tour_stops:
        assert stop.narration_ko == sector(stop.pavilion).description_ko
        assert stop.narration_en == sector(stop.pavilion).description_en
        assert stop.seconds == DEFAULT_DWELL
    for text in ("", "[tour]\n", "[tour]\ndwell_seconds = 9\n"):
        scene = load_scene(_tour_scene(tmp_path, text))
        assert scene.tour == () and scene.tour_stops == ()


IDS = "expected a pavilion id of this scene (energy, mobility)"
TOUR_BAD = {
    "unknown-key": ("dwell_seconds = 15", "dwell = 15", "unknown key 'tour.dwell'"),
    "dwell-too-short": ("dwell_seconds = 15", "dwell_seconds = 1",
                        "'tour.dwell_seconds' is 1; expected seconds between 3 and 600"),
    "dwell-not-a-number": ("dwell_seconds = 15", 'dwell_seconds = "long"',
                           "'tour.dwell_seconds' is 'long'"),
    "order-and-stops": ("dwell_seconds = 15", 'order = ["energy"]',
                        "'tour.order' and [[tour.stop]] are both given"),
    "unknown-stop-key": ("seconds = 25", "secs = 25", "unknown key 'tour.stop[0].secs'"),
    "unknown-pavilion": ('pavilion = "energy"', 'pavilion = "foo"',
                         f"'tour.stop[1].pavilion' is 'foo'; {IDS}"),
    "pavilion-not-a-string": ('pavilion = "energy"', "pavilion = 7",
                              f"'tour.stop[1].pavilion' is 7; {IDS}"),
    "pavilion-twice": ('pavilion = "energy"', 'pavilion = "mobility"',
                       "'tour.stop[1].pavilion' is 'mobility', which 'tour.stop[0]' visits"),
    "pavilion-missing": ('pavilion = "energy"\n', "", "'tour.stop[1]' needs 'pavilion'"),
    "ko-missing": ('ko = "전기 셔틀이 달립니다"\n', "", "'tour.stop[0]' needs 'ko'"),
    "en-missing": ('en = "Power from the sun"\n', "", "'tour.stop[1]' needs 'en'"),
    "en-empty": ('en = "Electric shuttles drive"', 'en = "  "', "'tour.stop[0].en' is empty"),
    "ko-not-text": ('ko = "전기 셔틀이 달립니다"', "ko = 3", "'tour.stop[0].ko' is 3"),
    "seconds-too-short": ("seconds = 25", "seconds = 2", "'tour.stop[0].seconds' is 2;"),
    "seconds-too-long": ("seconds = 25", "seconds = 601", "'tour.stop[0].seconds' is 601;"),
    "seconds-bool": ("seconds = 25", "seconds = true", "'tour.stop[0].seconds' is true;"),
    "misspelt-stop": ("[[tour.stop]]", '[[tour.stopp]]', "unknown key 'tour.stopp'"),
}


@pytest.mark.parametrize("case", TOUR_BAD)
def test_tour_mistakes_name_the_file_and_key(case: str, tmp_path: Path) -> None:
    old, new, expected = TOUR_BAD[case]
    assert old in TOUR
    path = _tour_scene(tmp_path, TOUR.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_scene(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and expected in message
    assert "\n" not in message


@pytest.mark.parametrize(("tour", "expected"), [
    ('[tour]\nstop = ["mobility"]\n', "'tour.stop' must be an array of tables [[tour.stop]]"),
    ('[tour]\norder = ["energy", "moon"]\n', "'tour.order[1]' is 'moon'; expected a pavilion id"),
    ('[tour]\norder = ["energy", "energy"]\n', "'tour.order' visits a pavilion twice"),
    ('[tour]\norder = [1]\n', "'tour.order' is [1]; expected an array of strings"),
    ("tour = 3\n", "'tour' must be a table [tour]"),
])
def test_other_tour_mistakes(tour: str, expected: str, tmp_path: Path) -> None:
    text = _good() + PAVILIONS
    path = _write(tmp_path, tour + text if tour.startswith("tour =") else text + tour)
    with pytest.raises(InputError) as err:
        load_scene(path)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)


def test_the_default_scene_narrates_seven_stops_in_korean_and_english() -> None:
    scene = load_scene(default_scene_path())
    stops = scene.tour_stops
    assert len(stops) == 7 and tuple(s.pavilion for s in stops) == scene.tour
    assert sorted(scene.tour) == sorted(p.id for p in scene.pavilions)
    for stop in stops:
        assert any("가" <= c <= "힣" for c in stop.narration_ko), stop.pavilion
        assert stop.narration_en.isascii() and len(stop.narration_en.split()) >= 15
        # Written for the tour, not the sector's one-liner; the UI font has no "₂".
        assert stop.narration_ko.count(".") >= 2 and stop.narration_en.count(".") >= 2
        assert "₂" not in stop.narration_ko + stop.narration_en
        assert 3 <= stop.seconds <= 600


@pytest.mark.parametrize(("text", "expected"), [
    # TOML's own values as TOML writes them, not as Python's repr.
    ('[district]\nsource = "d.geojson"\ntiles = true\n', "'district.tiles' is true; expected"),
    ('[district]\nsource = "d.geojson"\n[scene]\ntime = 2026-12-22T09:00:00\n',
     "'scene.time' is 2026-12-22T09:00:00 (a TOML date-time, not text in quotes); expected"),
    # A key above every section header is a key out of place, not an unknown section.
    ('source = "d.geojson"\n[district]\nsource = "d.geojson"\n',
     "key 'source' stands outside any section; write it under its section (one of [scene], "
     "[district]"),
    ('[district]\nsource = "data"\n', "'district.source' names 'data', which is a folder"),
    ("[district]\n", "missing key 'district.source' (the path of a data file: GeoJSON, "
     "Shapefile"),
])
def test_mistakes_worded_as_the_file_has_them(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "d.geojson").write_text('{"type": "Point", "coordinates": [126.8, 35.1]}')
    with pytest.raises(InputError) as err:
        load_scene(_write(tmp_path, text))
    assert expected in str(err.value)
    assert "datetime.datetime" not in str(err.value) and "True" not in str(err.value)
