"""The education demo in a real (headless) viewer: its whole lifecycle, and a round of the
OX quiz played by pressing the panel's buttons as a visitor's taps do."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from render_helpers import REPO

from gwangju_twin.app.stage import Stage, StageOptions
from gwangju_twin.demos.education.demo import CHART_NAMES
from gwangju_twin.expo.prepared import prepare
from gwangju_twin.plugins.testing import run_lifecycle
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

pytestmark = pytest.mark.render

DEMO = REPO / "gwangju_twin" / "demos" / "education"


def test_the_whole_lifecycle_runs_clean() -> None:
    result = run_lifecycle(DEMO, seconds=2.0)
    assert result.errors == [] and result.state == "unloaded"
    assert result.pavilion == "education"
    assert result.panel_ko[0] == "광주 OX 퀴즈 산책"
    assert result.panel_ko[1].startswith("문제 1 / 8 · 점수 0")
    assert result.panel_en[1].startswith("Question 1 of 8 · score 0")
    # The pads, their glyphs and the beacon: dozens of boxes under the demo's node.
    assert result.nodes >= 40


def test_a_broken_bank_disables_only_the_demo_and_says_where(tmp_path: Path) -> None:
    copy = tmp_path / "education"
    shutil.copytree(DEMO, copy, ignore=shutil.ignore_patterns("__pycache__"))
    bank = copy / "questions.toml"
    bank.write_text(bank.read_text(encoding="utf-8").replace('answer = "X"', 'answer = "maybe"',
                                                              1), encoding="utf-8")
    result = run_lifecycle(copy, seconds=0.5)
    assert result.state == "disabled"
    assert any("BankError: questions.toml: question 3 ('518-national-day'): key 'answer' is "
               "'maybe'; expected \"O\" (true) or \"X\" (false)" in e for e in result.errors), \
        result.errors
    assert "Demo unavailable" in " ".join(result.panel_en)


@pytest.fixture
def stage() -> Iterator[Stage]:
    """The default scene, whose education pavilion runs gwangju.education, headless."""
    prepared = prepare(load_scene(default_scene_path()))
    assert next(p for p in prepared.pavilions if p.info.id == "education").info.plugin == \
        "gwangju.education"
    stage = Stage(prepared, "none", (640, 360))
    try:
        stage.expo.enter("education")
        stage.step(0.2)
        yield stage
    finally:
        stage.close()


def press(stage: Stage, key: str) -> None:
    """Press the panel's button ``key`` as drawn on screen (what a tap or click runs)."""
    stage.step(0.1)  # the view redraws the panel's latest revision
    keys = [b.key for b in stage.expo.panel("education").buttons]
    view = stage.expo.panel_view
    assert view is not None and key in keys, keys
    view.buttons[keys.index(key)]["command"]()
    stage.step(0.1)


def drawn(stage: Stage) -> list[str]:
    view = stage.expo.panel_view
    assert view is not None
    return view.text()


def test_a_round_played_through_the_panels_buttons(stage: Stage) -> None:
    slot = stage.expo.host.slot("education")
    assert slot is not None and slot.state == "loaded"
    demo: Any = slot.instance
    game = demo.round
    assert len(game.questions) == 8
    right = 0
    for n, q in enumerate(game.questions):
        assert f"문제 {n + 1} / 8 · 점수 {right}" in drawn(stage)
        assert q.ko in drawn(stage)
        # The beacon stands where the question is about.
        spot = demo.spots[q.id]
        pos = demo.beacon.get_pos()
        assert (pos.x, pos.y) == pytest.approx((spot.x, spot.y), abs=0.01)
        wrong = "X" if q.answer == "O" else "O"
        choice = q.answer if n % 2 == 0 else wrong  # every other answer right
        press(stage, choice)
        right += choice == q.answer
        text = drawn(stage)
        assert (f"정답입니다! ({q.answer})" if choice == q.answer
                else f"아쉬워요. 정답은 {q.answer}입니다.") in text
        assert q.why_ko in text
        assert "O  맞다" not in text and "X  아니다" not in text  # no second answer
        # The right answer's pad rises.
        assert demo.pads[q.answer].get_z() > demo.pads[wrong].get_z()
        press(stage, "next")
    assert game.stage == "finished"
    assert "끝! 8문제 중 4개를 맞혔어요" in drawn(stage)
    assert "지금까지 1번의 도전, 평균 정답률 50%" in drawn(stage)
    # The finish card's chart: the share right per topic, a bar for each topic asked.
    chart = next(i for i in slot.context.panel.items if i.key == "topics")
    by_topic = game.by_topic()
    assert sum(n for _, n in by_topic.values()) == 8
    assert list(chart.values) == pytest.approx([100 * r / n for r, n in by_topic.values()])
    assert chart.unit == "%" and chart.title_en == "Right per topic"
    assert chart.labels_ko == tuple(CHART_NAMES[t][0] for t in by_topic)
    assert chart.labels_en == tuple(CHART_NAMES[t][1] for t in by_topic)
    assert slot.context.panel.text("en")[1] == "Done! 4 of 8 right"
    scores = demo.scores
    assert (scores.rounds, scores.points, scores.possible) == (1, 4, 8)
    assert sum(scores.asked.values()) == 8 and sum(scores.right.values()) == 4
    # Play again: a new round of different questions starts at question 1.
    press(stage, "again")
    assert demo.round is not game and demo.round.stage == "asking"
    assert "문제 1 / 8 · 점수 0" in drawn(stage)
    assert [q.id for q in demo.round.questions] != [q.id for q in game.questions]
    assert slot.state == "loaded"  # nothing the visitor did disabled the demo


def test_the_district_questions_paint_the_two_buildings(stage: Stage) -> None:
    slot = stage.expo.host.slot("education")
    demo: Any = slot.instance
    game = demo.round
    for _ in range(8):
        q = game.current
        if q.rows:
            assert slot.context._paint is not None  # the pair is painted while asked
            break
        press(stage, q.answer)
        press(stage, "next")
    else:
        pytest.fail("no district question in the round")


def test_leaving_removes_everything_and_coming_back_starts_afresh(stage: Stage) -> None:
    demo: Any = stage.expo.host.slot("education").instance
    first = demo.round
    press(stage, first.current.answer)
    stage.expo.exit()
    nodes = stage.expo.nodes["education"].demo
    assert nodes.get_num_children() == 0 and demo.round is None
    stage.expo.enter("education")
    stage.step(0.2)
    assert demo.round.index == 0 and demo.round.stage == "asking"
    assert demo.scores.asked  # the counts of the first visit are kept


def test_each_place_is_framed_with_the_pads_beside_it(stage: Stage,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question asks the camera for a view of its place with the pads in it, so a
    visitor who taps the pads sees what the question is about."""
    slot = stage.expo.host.slot("education")
    demo: Any = slot.instance
    camera = slot.context.camera
    framed: list[np.ndarray] = []
    frame = camera.frame

    def recording(target: Any, *args: Any, **kwargs: Any) -> Any:
        framed.append(np.asarray(target, float))
        return frame(target, *args, **kwargs)

    monkeypatch.setattr(camera, "frame", recording)
    for _ in range(8):
        press(stage, demo.round.current.answer)
        press(stage, "next")
        q = demo.round.current
        if q is None:
            break
        spot = demo.spots[q.id]
        target = framed[-1]
        lo, hi = target[:, :2].min(axis=0), target[:, :2].max(axis=0)
        assert np.all(lo < (spot.x, spot.y)) and np.all((spot.x, spot.y) < hi)
        for pad in demo.pads.values():
            p = pad.get_pos(stage.expo.nodes["education"].demo)
            assert np.all(lo < (p.x, p.y)) and np.all((p.x, p.y) < hi), (q.id, p, lo, hi)
        # The pads lie on the ground or on a roof, never inside a building.
        pads = demo.pad_pair.get_pos()
        b = slot.context.district.buildings
        under = shapely.intersects(b.footprints, shapely.Point(pads.x, pads.y))
        assert not np.any(under) or pads.z > float(b.heights[under].max())
    assert len(framed) >= 7
    assert slot.state == "loaded"


def test_the_overview_shows_the_pavilion_and_its_pads(stage: Stage) -> None:
    slot = stage.expo.host.slot("education")
    demo: Any = slot.instance
    pose = slot.context.camera.overview_pose()
    assert pose is not None
    home, _ = demo._home(slot.context)  # the pads' place before the pavilion
    assert math.dist(pose.target[:2], home) < 400.0


def _down_on(stage: Stage, pad: Any) -> bool:
    """A click from straight above the middle of ``pad``, through the floor's click path."""
    p = pad.get_pos(stage.expo.nodes["education"].demo)
    return stage.expo.click((p.x, p.y, p.z + 300.0), (0.0, 0.0, -1.0), None)


def test_tapping_a_pad_answers_as_its_button_does(stage: Stage) -> None:
    slot = stage.expo.host.slot("education")
    demo: Any = slot.instance
    game = demo.round
    q = game.current
    wrong = "X" if q.answer == "O" else "O"
    assert _down_on(stage, demo.pads[wrong])
    stage.step(0.1)
    assert game.stage == "answered" and game.answers == [wrong]
    assert f"아쉬워요. 정답은 {q.answer}입니다." in drawn(stage)
    # A second tap while the answer is on show changes nothing.
    assert _down_on(stage, demo.pads[q.answer])
    assert game.answers == [wrong] and game.score == 0
    press(stage, "next")
    q = game.current
    assert _down_on(stage, demo.pads[q.answer])
    stage.step(0.1)
    assert game.answers[-1] == q.answer and game.score == 1
    assert f"정답입니다! ({q.answer})" in drawn(stage)
    # The pads answer only while the visitor is inside: leaving ends the registrations.
    stage.expo.exit()
    assert not stage.expo.click((0.0, 0.0, 300.0), (0.0, 0.0, -1.0), None)


def _play(folder: Path, rights: int) -> tuple[Any, Any]:
    """A stage keeping plugin storage in ``folder``: one round with ``rights`` right answers;
    returns the demo's scores and its rounds table, read before the stage closes."""
    stage = Stage(prepare(load_scene(default_scene_path())), "none", (640, 360),
                  StageOptions(storage_folder=folder))
    try:
        stage.expo.enter("education")
        stage.step(0.2)
        slot = stage.expo.host.slot("education")
        demo: Any = slot.instance
        for n in range(8):
            q = demo.round.current
            press(stage, q.answer if n < rights else ("X" if q.answer == "O" else "O"))
            press(stage, "next")
        assert demo.round.stage == "finished"
        return demo.scores, slot.context.storage.table("rounds").rows()
    finally:
        stage.close()


def test_scores_are_kept_in_the_plugins_storage_between_runs(tmp_path: Path) -> None:
    folder = tmp_path / "plugins-data"
    first, rounds = _play(folder, rights=6)
    assert (first.rounds, first.points, first.possible) == (1, 6, 8)
    assert [(r["score"], r["questions"]) for r in rounds] == [(6, 8)]
    second, rounds = _play(folder, rights=2)
    # The second run started from the first run's counts.
    assert (second.rounds, second.points, second.possible) == (2, 8, 16)
    assert sum(second.asked.values()) == 16
    assert [(r["score"], r["questions"]) for r in rounds] == [(6, 8), (2, 8)]
    # Counts only: nothing else is in a row.
    assert all(set(r) == {"id", "score", "questions"} for r in rounds)
