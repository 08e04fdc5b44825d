"""The education demo's pure logic: the question bank and its checks, the places, the
questions the district answers, a round and the scores. No renderer and no plugin host."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from render_helpers import REPO, panda3d_loaded_by

from gwangju_twin.demos.education import bank as bank_module
from gwangju_twin.demos.education.bank import (
    MIN_QUESTIONS,
    TOPICS,
    BankError,
    Place,
    load_bank,
    parse_bank,
)
from gwangju_twin.demos.education.heights import (
    MAX_APART_M,
    MIN_RATIO,
    taller_questions,
    topic_particle,
)
from gwangju_twin.demos.education.places import (
    PlaceError,
    compass,
    inside,
    named_points,
    resolve,
)
from gwangju_twin.demos.education.walk import DISTRICT_QUESTIONS, Round, Scores, draw_round

BANK = REPO / "gwangju_twin" / "demos" / "education" / "questions.toml"
MUDEUNGSAN = (126.9889, 35.1342)


@pytest.fixture(scope="module")
def city() -> Any:
    """The plugins' view of the default scene: its district data, as the host builds it."""
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.plugins.district import district_data
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    prepared = prepare(load_scene(default_scene_path()))
    data = district_data(prepared.district, [p.info for p in prepared.pavilions],
                         prepared.mesh.bounds)
    return prepared, data


def _spots(data: Any) -> dict[str, Any]:
    """Every bank question's spot, resolved as the demo does."""
    b, f = data.buildings, data.features
    pavilions = {p.id: p.position for p in data.pavilions}
    return {q.id: resolve(q.place, data.to_local, data.bounds,
                          named_points(b.names, b.centroids), pavilions,
                          named_points(f.name, f.centroid)) for q in load_bank(BANK)}


def test_the_demo_logic_does_not_import_panda3d() -> None:
    code = ("import gwangju_twin.demos.education.bank, gwangju_twin.demos.education.places,"
            " gwangju_twin.demos.education.heights, gwangju_twin.demos.education.walk\n")
    assert panda3d_loaded_by(code) == []


def test_the_demo_is_found_through_its_entry_point_and_assigned_in_the_default_scene() -> None:
    from gwangju_twin.plugins.discovery import discover
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    found = {f.id: f for f in discover()}["gwangju.education"]
    assert found.ok and found.origin == "entry point", found.reason
    assert found.manifest is not None and found.manifest.sector == "education"
    scene = load_scene(default_scene_path())
    assert next(p for p in scene.pavilions if p.sector == "education").plugin == \
        "gwangju.education"


# --- the bank -------------------------------------------------------------------------------


def test_the_shipped_bank_is_valid_bilingual_and_covers_every_topic() -> None:
    questions = load_bank(BANK)
    assert len(questions) >= MIN_QUESTIONS == 20
    assert {q.topic for q in questions} == set(TOPICS) - {"district"}
    assert {q.answer for q in questions} == {"O", "X"}
    # Neither answer is a safe guess.
    assert 0.35 <= sum(q.answer == "O" for q in questions) / len(questions) <= 0.65
    for q in questions:
        assert any("가" <= c <= "힣" for c in q.ko + q.why_ko), q.id
        assert not any("가" <= c <= "힣" for c in q.en + q.why_en), q.id
    assert len({q.id for q in questions}) == len(questions)


def _doc() -> dict[str, Any]:
    return bank_module.tomllib.loads(BANK.read_text(encoding="utf-8"))


def _broken(change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_doc())
    change(doc)
    return doc


def _set(key: str, value: Any, n: int = 2) -> Any:
    return lambda doc: doc["question"][n].__setitem__(key, value)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda doc: doc["question"][2].pop("answer"),
     "question 3 ('518-national-day'): key 'answer' is missing; expected \"O\" (true) or \"X\""),
    (_set("answer", "Y"), "key 'answer' is 'Y'; expected \"O\" (true) or \"X\" (false)"),
    (_set("answer", True), "key 'answer' is True; expected \"O\" (true) or \"X\" (false)"),
    (_set("topic", "history"), "key 'topic' is 'history'; expected one of 518, mudeungsan"),
    (_set("colour", "red"), "question 3 ('518-national-day'): unknown key 'colour'"),
    (_set("en", "x" * 121), "key 'en' has 121 characters; expected the question in English, "
                            "1-120 characters"),
    (_set("why_ko", "  "), "key 'why_ko' has 2 characters; expected the explanation in Korean"),
    (_set("id", "518 Day"), "key 'id' is '518 Day'; expected a unique id of a-z, 0-9 and -"),
    (_set("id", "518-may-1980"), "question 3: id '518-may-1980' is used twice; ids are unique"),
    (_set("place", {"lon": 35.155, "lat": 126.857}),
     "key 'place': (35.155, 126.857) is not in Gwangju; expected lon 126.6-127.1"),
    (_set("place", {"lon": "126.8", "lat": 35.1}), "key 'place': lon and lat must be numbers"),
    (_set("place", {"building": "시청", "pavilion": "energy"}),
     "expected { lon, lat }, { landmark = NAME }, { building = NAME } or { pavilion = ID }"),
    (_set("place", "City Hall"), "key 'place' is 'City Hall'; expected { lon, lat }"),
    (lambda doc: doc.__setitem__("title", "quiz"),
     "questions.toml: unknown key 'title'; expected only [[question]] tables"),
    (lambda doc: doc.__setitem__("question", doc["question"][:19]),
     "questions.toml: 19 questions; a bank needs at least 20"),
])
def test_each_kind_of_mistake_is_refused_with_a_clear_message(change: Any,
                                                              expected: str) -> None:
    with pytest.raises(BankError) as caught:
        parse_bank(_broken(change), "questions.toml")
    message = str(caught.value)
    assert expected in message
    assert message.startswith("questions.toml: ") and "\n" not in message


def test_a_bank_that_is_no_toml_names_its_file(tmp_path: Path) -> None:
    bad = tmp_path / "questions.toml"
    bad.write_text("[[question]\nid = 1\n", encoding="utf-8")
    with pytest.raises(BankError, match=r"questions\.toml: not valid TOML"):
        load_bank(bad)
    with pytest.raises(BankError, match="cannot read the question bank"):
        load_bank(tmp_path / "missing.toml")


def test_the_four_ways_to_give_a_place() -> None:
    rows = _doc()["question"]
    places = [bank_module._place(p, "here") for p in (
        {"lon": 126.85, "lat": 35.15}, {"landmark": "광주광역시청"},
        {"building": "상무 3단지 101동"}, {"pavilion": "energy"})]
    assert places == [Place(lonlat=(126.85, 35.15)), Place(landmark="광주광역시청"),
                      Place(building="상무 3단지 101동"), Place(pavilion="energy")]
    assert all("place" in r for r in rows)


# --- places ---------------------------------------------------------------------------------


def test_every_place_of_the_bank_resolves_inside_the_district(city: Any) -> None:
    prepared, data = city
    x0, y0, x1, y1 = data.bounds
    spots = _spots(data)
    assert len(spots) == len(load_bank(BANK))
    for qid, spot in spots.items():
        assert x0 <= spot.x <= x1 and y0 <= spot.y <= y1, qid
    # 5·18 Memorial Park is in the district: its marker stands on the park itself.
    park = next(i for i, n in enumerate(prepared.district.name) if n == "5·18기념공원")
    assert prepared.district.geometry[park].contains(
        __import__("shapely").Point(spots["518-park-seogu"].x, spots["518-park-seogu"].y))
    assert spots["518-park-seogu"].beyond_m == 0.0
    # A landmark's questions stand on the landmark the district draws.
    hall = prepared.district.geometry[list(prepared.district.name).index("광주광역시청")]
    spot = spots["plan-city-hall-floors"]
    assert hall.distance(__import__("shapely").Point(spot.x, spot.y)) < 1.0
    # A named building's place is that building.
    b = data.buildings
    row = b.names.index("상무 3단지 101동")
    to_building = resolve(Place(building="상무 3단지 101동"), data.to_local, data.bounds,
                          named_points(b.names, b.centroids), {})
    assert (to_building.x, to_building.y) == tuple(b.centroids[row])
    # A pavilion's questions stand at that pavilion.
    assert (spots["sectors-mobility"].x, spots["sectors-mobility"].y) == \
        data.pavilion("mobility").position


def test_a_place_beyond_the_district_stands_at_its_edge_in_its_direction(city: Any) -> None:
    _, data = city
    spot = _spots(data)["mudeung-height"]
    x0, y0, x1, y1 = data.bounds
    # Mudeungsan is about 13 km east of the district's origin: the beacon is on the east edge,
    # and the summit some 11 km beyond it.
    assert spot.x == pytest.approx(x1 - 80.0, abs=1.0)
    assert 60 <= spot.bearing <= 120 and compass(spot.bearing) == ("동", "east")
    assert 9_000 <= spot.beyond_m <= 13_000
    # Straight from the centre: the far place, the marker and the centre are on one line.
    mx, my = data.to_local(*MUDEUNGSAN)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    cross = (spot.x - cx) * (my - cy) - (spot.y - cy) * (mx - cx)
    assert abs(cross) / math.hypot(mx - cx, my - cy) < 1e-6 * math.hypot(mx - cx, my - cy) + 1


def test_inside_keeps_inner_points_and_unknown_names_are_a_place_error() -> None:
    bounds = (0.0, 0.0, 1000.0, 500.0)
    assert inside(10.0, 20.0, bounds).beyond_m == 0.0
    west = inside(-5000.0, 250.0, bounds)
    assert (west.x, west.y, west.bearing) == pytest.approx((80.0, 250.0, 270.0))
    with pytest.raises(PlaceError, match="no building named '없는 건물'"):
        resolve(Place(building="없는 건물"), lambda a, b: (a, b), bounds, {}, {})
    with pytest.raises(PlaceError, match="no landmark, park, water or plaza named '달'"):
        resolve(Place(landmark="달"), lambda a, b: (a, b), bounds, {}, {}, {})
    with pytest.raises(PlaceError, match="no pavilion 'moon'"):
        resolve(Place(pavilion="moon"), lambda a, b: (a, b), bounds, {}, {})


# --- questions the district answers ---------------------------------------------------------


def _height_tags() -> dict[str, float]:
    """Named buildings whose GeoJSON gives a plain numeric height: read straight from the
    file, not through the loader, as an independent check of the demo's answers."""
    features = json.loads((REPO / "assets" / "sangmu.geojson").read_text("utf-8"))["features"]
    return {f["properties"]["name"]: float(f["properties"]["height"]) for f in features
            if f["properties"].get("name") and isinstance(f["properties"].get("height"),
                                                          (int, float))}


def test_district_questions_are_right_by_the_data(city: Any) -> None:
    _, data = city
    b = data.buildings
    questions = taller_questions(b.names, b.heights, b.centroids, 200, seed=3)
    assert len(questions) >= 50
    tagged = _height_tags()
    checked_by_tags = 0
    used: list[int] = []
    for q in questions:
        a, c = q.rows
        used += [a, c]
        name_a, name_c = b.names[a], b.names[c]
        assert q.ko == f"보라색 {name_a}{topic_particle(name_a)} 주황색 {name_c}보다 높다."
        assert q.en == f"The purple building ({name_a}) is taller than the orange one ({name_c})."
        assert np.hypot(*(b.centroids[a] - b.centroids[c])) <= MAX_APART_M
        assert q.answer == ("O" if b.heights[a] > b.heights[c] else "X")
        hi, lo = max(b.heights[a], b.heights[c]), min(b.heights[a], b.heights[c])
        assert hi >= lo * MIN_RATIO
        assert f"{b.heights[a]:.0f} m" in q.why_ko and f"{b.heights[c]:.0f} m" in q.why_en
        if name_a in tagged and name_c in tagged:
            checked_by_tags += 1
            assert q.answer == ("O" if tagged[name_a] > tagged[name_c] else "X")
        assert q.place.xy == pytest.approx(tuple((b.centroids[a] + b.centroids[c]) / 2))
    assert checked_by_tags >= 3
    assert len(set(used)) == len(used)  # no building in two questions
    answers = [q.answer for q in questions]
    assert 0.3 <= answers.count("O") / len(answers) <= 0.7


def test_district_questions_name_buildings_in_english_from_their_tags(city: Any) -> None:
    _, data = city
    b = data.buildings
    names_en = [t.get("name:en") for t in b.tags]
    questions = taller_questions(b.names, b.heights, b.centroids, 20, names_en=names_en)
    assert len(questions) == 20
    for q in questions:
        a, c = q.rows
        assert names_en[a] and names_en[c]  # the Sangmu district's named blocks have both
        assert q.en == (f"The purple building ({names_en[a]}) is taller than the orange one "
                        f"({names_en[c]}).")
        assert not any("가" <= ch <= "힣" for ch in q.en + q.why_en)


def test_district_questions_use_english_names_when_given() -> None:
    names = ["가동", "나동", None]
    heights = np.array([10.0, 40.0, 99.0])
    cents = np.zeros((3, 2))
    (q,) = taller_questions(names, heights, cents, 5, names_en=["Block A", None, None])
    assert {q.rows} <= {(0, 1), (1, 0)}
    assert "Block A" in q.en and "나동" in q.en


@pytest.mark.parametrize(("word", "particle"), [
    ("상무 3단지 101동", "은"), ("김대중컨벤션센터", "는"), ("광주광역시청", "은"),
    ("상가 2", "는"), ("빌딩 7", "은"), ("Tower B", "는"), ("Hall", "은")])
def test_the_topic_particle_follows_the_last_sound(word: str, particle: str) -> None:
    assert topic_particle(word) == particle


# --- a round and the scores -----------------------------------------------------------------


def test_a_round_covers_the_topics_and_mixes_in_the_district(city: Any) -> None:
    _, data = city
    b = data.buildings
    bank = load_bank(BANK)
    generated = taller_questions(b.names, b.heights, b.centroids, 12)
    picked = draw_round(bank, generated, 8, seed=1)
    assert len(picked) == len({q.id for q in picked}) == 8
    assert sum(q.topic == "district" for q in picked) == DISTRICT_QUESTIONS
    assert {q.topic for q in picked} == set(TOPICS)
    assert draw_round(bank, generated, 8, seed=1) == picked  # seeded: repeatable
    assert draw_round(bank, generated, 8, seed=2) != picked
    assert all(q.topic != "district" for q in draw_round(bank, (), 8, seed=1))


def test_a_round_scores_taps_and_ignores_a_second_tap() -> None:
    questions = load_bank(BANK)[:3]
    game = Round(questions)
    assert game.current == questions[0] and game.stage == "asking"
    game.advance()  # "next" before answering does nothing
    assert game.index == 0
    assert game.answer(questions[0].answer) is True
    wrong = "X" if questions[0].answer == "O" else "O"
    assert game.answer(wrong) is True  # a late second tap keeps the first answer
    game.advance()
    assert game.answer("X" if questions[1].answer == "O" else "O") is False
    game.advance()
    game.answer(questions[2].answer)
    game.advance()
    assert game.stage == "finished" and game.current is None and game.score == 2
    topics = game.by_topic()
    assert sum(n for _, n in topics.values()) == 3 and sum(r for r, _ in topics.values()) == 2
    with pytest.raises(RuntimeError):
        game.answer("O")
    assert Round(()).stage == "finished"


def test_scores_count_without_personal_data_and_survive_json() -> None:
    questions = load_bank(BANK)
    scores = Scores()
    scores.record_answer(questions[0], True)
    scores.record_answer(questions[0], False)
    scores.record_answer(questions[1], True)
    scores.record_round(6, 8)
    scores.record_round(3, 8)
    assert scores.share_right(questions[0].id) == 0.5
    assert scores.share_right("never-asked") is None
    assert scores.mean_share == pytest.approx(9 / 16)
    stored = json.loads(json.dumps(scores.to_json()))
    assert set(stored) == {"asked", "right", "rounds", "points", "possible"}
    assert Scores.from_json(stored) == scores
    for junk in (None, "x", {"asked": 3}, {"asked": {"a": "b"}, "right": {}}):
        assert Scores.from_json(junk) == Scores()
