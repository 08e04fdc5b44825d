"""The guide room: the guided tour's state machine, place search and pavilion presence.

Pure: no Panda3D. Expectations are computed from the inputs (the default district's own
names, the stops' own dwell times, the presence constants), not copied from the output.
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from pathlib import Path

import pytest
import shapely
from geojson_builders import collection, feature, ll, polygon, square

from gwangju_twin.expo.pavilions import pavilion_pose
from gwangju_twin.geo import load_geojson
from gwangju_twin.guide import Gazetteer, GuidedTour, Place, Presence, TourEvent, TourStop
from gwangju_twin.guide.presence import ENTER_MARGIN, ENTER_RANGE
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.scene import load_scene
from gwangju_twin.scene.pavilions import site_polygon
from gwangju_twin.scene.sectors import SECTORS, sector

# --- The guided tour ----------------------------------------------------------------------

STOPS = (TourStop("a", "가 전시관", "Pavilion A", 5.0),
         TourStop("b", "나 전시관", "Pavilion B", 3.0),
         TourStop("c", "다 전시관", "Pavilion C", 4.5))
DT = 0.1


def _drive(tour: GuidedTour, flight: float = 1.2, limit: float = 300.0) -> list[tuple]:
    """Play the shell: a "go" starts a flight of ``flight`` seconds that ends in arrived();
    tick every frame. Returns (time, kind, pavilion) for every event until "finish"."""
    log: list[tuple] = []
    t, landing = 0.0, None
    pending = tour.start()
    while t < limit:
        for ev in pending:
            log.append((round(t, 6), ev.kind, ev.stop.pavilion if ev.stop else None))
            if ev.kind == "go":
                landing = t + flight
            if ev.kind == "finish":
                return log
        t += DT
        pending = []
        if landing is not None and t >= landing - 1e-9:
            landing = None
            pending += tour.arrived()
        pending += tour.tick(DT)
    raise AssertionError(f"the tour never finished: {log}")


def test_a_full_tour_goes_narrates_dwells_and_finishes() -> None:
    tour = GuidedTour(STOPS)
    assert (tour.state, tour.index, tour.current, tour.running) == ("idle", -1, None, False)
    log = _drive(tour)
    expected = [(k, s.pavilion) for s in STOPS for k in ("go", "narrate")] + [("finish", None)]
    assert [(kind, pid) for _, kind, pid in log] == expected
    # Each dwell runs from the narration to the next move, as long as the stop says.
    for n, stop in enumerate(STOPS):
        narrated, moved_on = log[2 * n + 1][0], log[2 * n + 2][0]
        assert moved_on - narrated == pytest.approx(stop.seconds, abs=DT + 1e-9)
    assert (tour.state, tour.index, tour.current, tour.running) == ("finished", -1, None, False)


def test_pause_holds_the_dwell_clock_and_resume_lets_it_run() -> None:
    tour = GuidedTour(STOPS)
    assert tour.start() == [TourEvent("go", STOPS[0])]
    assert tour.arrived() == [TourEvent("narrate", STOPS[0])]
    tour.tick(1.0)
    left = tour.remaining
    assert left == pytest.approx(STOPS[0].seconds - 1.0)
    tour.pause()
    assert tour.paused
    for _ in range(100):
        assert tour.tick(1.0) == []
    assert tour.remaining == left and tour.state == "dwelling"
    tour.toggle_pause()
    assert not tour.paused
    assert tour.tick(left - 0.5) == [] and tour.remaining == pytest.approx(0.5)
    assert tour.tick(0.5) == [TourEvent("go", STOPS[1])]


def test_pausing_while_travelling_holds_the_clock_from_the_arrival() -> None:
    tour = GuidedTour(STOPS)
    tour.start()
    tour.toggle_pause()
    assert tour.paused and tour.state == "travelling"
    assert tour.arrived() == [TourEvent("narrate", STOPS[0])]  # the narration still shows
    tour.tick(60.0)
    assert tour.state == "dwelling" and tour.remaining == STOPS[0].seconds
    tour.resume()
    assert tour.tick(STOPS[0].seconds) == [TourEvent("go", STOPS[1])]


def test_the_clock_ignores_time_before_the_arrival_and_negative_steps() -> None:
    tour = GuidedTour(STOPS)
    tour.start()
    assert tour.tick(100.0) == [] and tour.state == "travelling"
    tour.arrived()
    assert tour.tick(-50.0) == [] and tour.remaining == STOPS[0].seconds
    assert tour.arrived() == []  # a late second landing does not narrate again


def test_skip_in_every_state() -> None:
    tour = GuidedTour(STOPS)
    assert tour.skip() == [] and tour.state == "idle"  # nothing to skip
    tour.start()
    # Travelling to stop 0: skipping it flies on to stop 1.
    assert tour.skip() == [TourEvent("go", STOPS[1])] and tour.state == "travelling"
    assert tour.index == 1 and tour.current == STOPS[1]
    tour.arrived()
    tour.pause()
    # Dwelling and paused: skip moves on and un-pauses.
    assert tour.skip() == [TourEvent("go", STOPS[2])]
    assert not tour.paused and tour.remaining == STOPS[2].seconds
    tour.arrived()
    assert tour.skip() == [TourEvent("finish", None)]  # after the last stop
    assert tour.state == "finished" and tour.skip() == []


def test_stop_and_restart() -> None:
    tour = GuidedTour(STOPS)
    assert tour.stop() == [] and tour.state == "idle"
    tour.start()
    tour.arrived()
    tour.pause()
    assert tour.stop() == [TourEvent("finish", None)]
    assert (tour.state, tour.paused, tour.current) == ("idle", False, None)
    # Restart from the middle of a paused tour: back to stop 0, running.
    tour.start()
    tour.skip()
    tour.arrived()
    tour.pause()
    assert tour.start() == [TourEvent("go", STOPS[0])]
    assert (tour.state, tour.index, tour.paused) == ("travelling", 0, False)
    # And after a finished tour.
    assert _drive(tour)[-1][1] == "finish"
    assert tour.start() == [TourEvent("go", STOPS[0])]


def test_an_empty_tour_finishes_at_once() -> None:
    tour = GuidedTour([])
    assert tour.start() == [TourEvent("finish", None)] and tour.state == "finished"


def test_order_only_narrates_with_the_sector_descriptions(tmp_path: Path) -> None:
    source = (Path(__file__).resolve().parents[2] / "assets" / "sangmu.geojson").as_posix()
    path = tmp_path / "scene.toml"
    path.write_text(
        f'[district]\nsource = "{source}"\n'
        '[[pavilion]]\nsector = "culture"\nat = { x = 0, y = 0 }\n'
        '[[pavilion]]\nsector = "energy"\nid = "sun"\nat = { x = 300, y = 0 }\n'
        '[tour]\ndwell_seconds = 12\norder = ["sun", "culture"]\n', encoding="utf-8")
    scene = load_scene(path)
    assert scene.tour == ("sun", "culture")
    stops = scene.tour_stops
    assert [s.pavilion for s in stops] == ["sun", "culture"]
    for stop, sector_id in zip(stops, ["energy", "culture"], strict=True):
        assert stop.narration_ko == sector(sector_id).description_ko
        assert stop.narration_en == sector(sector_id).description_en
        assert stop.seconds == 12.0
    # The tour the shell gets from the scene runs with those stops.
    log = _drive(GuidedTour(stops))
    assert [pid for _, kind, pid in log if kind == "narrate"] == ["sun", "culture"]


# --- Search ---------------------------------------------------------------------------------

CONSONANTS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"  # compatibility jamo, in syllable order


def _initials(text: str) -> str:
    """Each Hangul syllable's initial consonant (as typed on a keyboard); others as they are."""
    return "".join(CONSONANTS[(ord(c) - 0xAC00) // 588] if "가" <= c <= "힣" else c
                   for c in text)


def _plain(text: str) -> str:
    """The test's own normalisation: NFKC, lower case, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


@pytest.fixture(scope="module")
def default_city(prepared):
    infos = [p.info for p in prepared.pavilions]
    return prepared.district, infos, Gazetteer.build(prepared.district, infos)


def test_the_gazetteer_holds_pavilions_landmarks_and_named_buildings(default_city) -> None:
    district, infos, gaz = default_city
    named = [i for i in range(len(district)) if district.name[i] or district.name_en[i]]
    expected = len(infos) + sum(district.layer[i] in ("landmarks", "buildings") for i in named)
    assert len(gaz) == expected and len(infos) == len(SECTORS)


def test_pavilions_by_korean_or_english_sector_name(default_city) -> None:
    _, infos, gaz = default_city
    for k, info in enumerate(infos):
        sec = sector(info.sector)
        for query in (sec.name_ko, sec.name_en, info.id):
            top = gaz.search(query)[0]
            assert (top.kind, top.key, top.feature) == ("pavilion", info.id, -(k + 1))
        # A part of each name still finds it.
        for part in (sec.name_ko[len(sec.name_ko) // 2:], sec.name_en.split()[-1]):
            assert info.id in [p.key for p in gaz.search(part, limit=50) if p.kind == "pavilion"]
        top = gaz.search(sec.name_en)[0]
        assert top.name_ko == sec.name_ko and top.name_en == sec.name_en
        assert top.position == (info.position[0], info.position[1], info.height)
        assert top.size == max(info.size)


def test_every_landmark_by_its_own_names(default_city) -> None:
    district, _, gaz = default_city
    rows = district.select("landmarks")
    assert len(rows) >= 3
    for r in rows:
        for name in filter(None, (district.name[r], district.name_en[r])):
            variants = {name, name.upper(), name.replace(" ", ""), name.replace("-", " "),
                        f"  {name.lower()} "}
            for query in variants:
                top = gaz.search(query)[0]
                assert (top.kind, top.feature, top.key) == ("landmark", r, str(r)), query
            top = gaz.search(name)[0]
            x, y, z = top.position
            geom = district.geometry[r]
            assert shapely.covers(geom, shapely.Point(x, y)) and z == district.height[r]


def test_kim_dae_jung_however_it_is_written(default_city) -> None:
    district, _, gaz = default_city
    kdj = [r for r in district.select("landmarks")
           if "kimdaejung" in _plain(district.name_en[r] or "")]
    assert kdj, "the default district names the Kim Dae-jung Convention Center"
    for query in ("kimdaejung", "Kim Dae-jung", "KIM DAE JUNG", "김대중", "김 대중"):
        found = [p.feature for p in gaz.search(query)]
        assert set(found[: len(kdj)]) == set(kdj), query


def test_initial_consonants_find_korean_names(default_city) -> None:
    district, _, gaz = default_city
    for r in district.select("landmarks"):
        name = district.name[r]
        # The first three syllables in a row (a name such as 상무119안전센터 has digits
        # between its words; a visitor types the initials of syllables that stand together).
        runs = re.findall("[가-힣]{3,}", name)
        if not runs:
            continue
        syllables = list(runs[0])
        query = _initials("".join(syllables[:3]))
        assert set(query) <= set(CONSONANTS)
        results = gaz.search(query, limit=100)
        assert r in [p.feature for p in results], (name, query)
        for p in results:  # every hit really has those initials in a row
            assert any(_plain(query) in _plain(_initials(n)) for n in (p.name_ko, p.name_en)), p
        # A syllable and consonants mixed, as while typing: the first syllable typed whole.
        mixed = syllables[0] + query[1:]
        assert r in [p.feature for p in gaz.search(mixed, limit=100)]


@pytest.mark.parametrize("query", ["상무", "101", "센터", "hall", "ㅅㅁ", "Complex 1"])
def test_search_finds_exactly_the_names_that_contain_the_query(default_city, query) -> None:
    district, infos, gaz = default_city
    q = _plain(query)

    def hit(name: str) -> bool:
        if set(query) <= set(CONSONANTS + " "):
            return q in _plain(_initials(name))
        return q in _plain(name)

    expected = {info.id for info in infos if hit(info.name_ko) or hit(info.name_en)
                or hit(info.id)}
    for r in range(len(district)):
        if district.layer[r] in ("landmarks", "buildings"):
            names = [n for n in (district.name[r], district.name_en[r]) if n]
            if any(hit(n) for n in names):
                expected.add(str(r))
    found = gaz.search(query, limit=10_000)
    assert {p.key for p in found} == expected and len(found) == len(expected)
    assert len(gaz.search(query)) == min(8, len(expected))
    assert len(gaz.search(query, limit=3)) == min(3, len(expected))


@pytest.mark.parametrize("query", ["", "   ", "-·-", "!?"])
def test_a_query_without_letters_finds_nothing(default_city, query) -> None:
    assert default_city[2].search(query) == []


def _small_city(tmp_path: Path):
    """Named buildings and landmarks chosen to exercise every rank."""
    def bldg(x: float, name: str | None = None, **props) -> dict:
        if name is not None:
            props["name"] = name
        return feature(polygon(square(x, 0, 20)), building="yes", height=12, **props)

    doc = collection(
        bldg(0, "Hall"), bldg(40, "Hall Annex"), bldg(80, "Hall B"), bldg(120, "Townhall"),
        bldg(280, "A Hall"),
        bldg(160, "Education"), bldg(200, None, **{"name:en": "Only English Tower"}),
        bldg(240),  # unnamed: not searchable
        feature(polygon(square(0, 100, 30)), tourism="attraction", name="Hall", building="yes"),
        feature(polygon(square(60, 100, 30)), tourism="attraction", name="Old Hall",
                building="yes"),
        feature({"type": "Point", "coordinates": ll(300, 300)}, name="Pin"),
    )
    path = tmp_path / "small.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    district, _ = load_geojson(path)
    edu = PavilionInfo("edu", "education", sector("education").name_ko, "Education",
                       (500.0, 500.0), 0.0, (60.0, 60.0), (500.0, 530.0), 20.0)
    return district, edu


def test_ranking_exact_prefix_word_prefix_substring_then_kind_then_length(tmp_path) -> None:
    district, edu = _small_city(tmp_path)
    gaz = Gazetteer.build(district, [edu])
    assert len(gaz) == 1 + 7 + 3  # the pavilion, the named buildings and the landmarks

    def describe(places: list[Place]) -> list[tuple[str, str]]:
        return [(p.kind, p.name_en) for p in places]

    assert describe(gaz.search("hall")) == [
        ("landmark", "Hall"), ("building", "Hall"),          # exact: landmarks first
        ("building", "Hall B"), ("building", "Hall Annex"),  # prefix: shorter first
        ("landmark", "Old Hall"), ("building", "A Hall"),    # a word's prefix: landmarks
        ("building", "Townhall"),                            # anywhere
    ]
    assert describe(gaz.search("education")) == [("pavilion", "Education"),
                                                 ("building", "Education")]
    assert describe(gaz.search("hall", limit=2)) == [("landmark", "Hall"), ("building", "Hall")]


def test_a_name_only_in_english_and_a_point_landmark(tmp_path) -> None:
    district, edu = _small_city(tmp_path)
    gaz = Gazetteer.build(district, [edu])
    (tower,) = gaz.search("english")
    assert tower.kind == "building" and tower.name_ko == tower.name_en == "Only English Tower"
    row = int(tower.key)
    assert tower.feature == row and district.name[row] is None
    assert shapely.covers(district.geometry[row], shapely.Point(tower.position[:2]))
    assert tower.position[2] == district.height[row]
    assert tower.size == pytest.approx(20.0, abs=0.5)
    (pin,) = gaz.search("pin")
    assert pin.kind == "landmark" and pin.size > 0
    assert shapely.Point(pin.position[:2]).distance(district.geometry[int(pin.key)]) < 1e-6


# --- Presence -------------------------------------------------------------------------------


def _info(pid: str, x: float, y: float, heading: float = 0.0,
          size: tuple[float, float] = (60.0, 60.0), height: float = 20.0) -> PavilionInfo:
    h = math.radians(heading)
    entrance = (x + size[1] / 2 * math.sin(h), y + size[1] / 2 * math.cos(h))
    return PavilionInfo(pid, "energy", "친환경에너지", "Eco-friendly energy", (x, y), heading,
                        size, entrance, height)


def _reach(info: PavilionInfo) -> float:
    return pavilion_pose(info).distance


def test_walking_in_enters_and_walking_away_does_not_leave() -> None:
    """Issue 13: leaving is explicit. Before it, walking past EXIT_MARGIN left the pavilion;
    now the visitor stays inside wherever the camera goes, until ``release``."""
    a = _info("a", 0.0, 0.0)
    presence = Presence([a])
    r = _reach(a)
    half = a.size[0] / 2
    # Walk in from the east, step 1 m: entered at the first x within the enter bounds.
    entered = [(x, presence.update((float(x), 0.0), r)) for x in range(200, -1, -1)]
    entered = [(x, e) for x, e in entered if e is not None]
    enter_x = next(x for x in range(200, -1, -1) if x <= half + ENTER_MARGIN)
    assert entered == [(enter_x, "a")]
    # Walking a kilometre away and zooming far out changes nothing.
    for x in range(0, 1000, 10):
        assert presence.update((float(x), 0.0), 50 * r) is None
    assert presence.inside == "a"


def test_how_far_the_viewer_is_decides_entering_only() -> None:
    a = _info("a", 0.0, 0.0)
    presence = Presence([a])
    r = _reach(a)
    assert presence.update((0.0, 0.0), ENTER_RANGE * r + 1) is None  # too far to enter
    assert presence.update((0.0, 0.0), ENTER_RANGE * r) == "a"
    assert presence.update((0.0, 0.0), 10 * ENTER_RANGE * r) is None  # zoomed out: inside
    assert presence.inside == "a"


def test_hold_stands_wherever_the_camera_goes() -> None:
    a, b = _info("a", 0.0, 0.0), _info("b", 85.0, 0.0)
    presence = Presence([a, b])
    r = _reach(a)
    presence.hold("a")
    # Far away, over b, back at a and far away again: the hold stands.
    for x, rng in ((2000.0, 5000.0), (85.0, r), (0.0, r), (0.0, 100 * r)):
        assert presence.update((x, 0.0), rng) is None
        assert presence.inside == "a"
    presence.hold("b")  # entering another pavilion is the way to go from a to b
    assert presence.inside == "b"
    with pytest.raises(KeyError):
        presence.hold("nowhere")


def test_release_is_not_undone_until_the_visitor_moves() -> None:
    a = _info("a", 0.0, 0.0)
    presence = Presence([a])
    r = _reach(a)
    presence.update((0.0, 0.0), r)
    presence.release()
    assert presence.inside is None
    assert presence.update((0.0, 0.0), r) is None  # standing still: stays out
    assert presence.update((0.0, 0.0), ENTER_RANGE * r + 1) is None  # zoomed out
    assert presence.update((0.0, 0.0), r) == "a"  # and back in: entered again


def test_the_nearest_pavilion_wins_and_walking_on_stays_in_the_first() -> None:
    # Two sites 5 m apart: their enter bounds overlap in the gap.
    a, b = _info("a", 0.0, 0.0), _info("b", 65.0, 0.0)
    r = _reach(a)
    assert Presence([a, b]).update((31.0, 0.0), r) == "a"  # 1 m from a, 4 m from b
    assert Presence([a, b]).update((34.0, 0.0), r) == "b"
    assert Presence([b, a]).update((31.0, 0.0), r) == "a"  # order does not matter
    # Walking from one site into the next no longer hands over (issue 13: only an explicit
    # action leaves); after a release, the next site is entered as the visitor reaches it.
    c = _info("c", 85.0, 0.0)
    presence = Presence([a, c])
    presence.update((0.0, 0.0), r)
    steps = [x / 2 for x in range(0, 171)]
    assert [presence.update((x, 0.0), r) for x in steps] == [None] * len(steps)
    assert presence.inside == "a"
    presence.release()
    # Standing on c's site when leaving a: the next update enters c, where the visitor is.
    assert presence.update((85.0, 0.0), r) == "c"


def test_a_rotated_pavilion_uses_its_own_axes() -> None:
    rng = random.Random(7)
    info = _info("r", 100.0, -50.0, heading=30.0, size=(120.0, 40.0))
    r = _reach(info)
    grown = site_polygon(info.position, info.heading, info.size).buffer(
        ENTER_MARGIN, join_style="mitre")
    inside = outside = 0
    for _ in range(400):
        p = (info.position[0] + rng.uniform(-90, 90), info.position[1] + rng.uniform(-90, 90))
        expected = grown.covers(shapely.Point(p))
        entered = Presence([info]).update(p, r)
        assert (entered == "r") == expected, p
        inside += expected
        outside += not expected
    assert inside > 50 and outside > 50  # both sides were really tried
