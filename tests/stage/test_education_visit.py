"""The education demo in a real (headless) viewer: its whole lifecycle, and a round of the
OX quiz played by pressing the panel's buttons as a visitor's taps do."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from render_helpers import REPO

from gwangju_twin.app.stage import Stage, StageOptions
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
    assert any(line.startswith("5·18 ") and "/" in line for line in drawn(stage))
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


class _Camera:
    """API 1.1's ctx.camera, recording what it was asked to frame."""

    def __init__(self) -> None:
        self.framed: list[tuple[float, float, float, float]] = []

    def frame(self, target: Any, heading: Any = None, pitch: Any = None,
              seconds: float = 1.5) -> None:
        self.framed.append(tuple(target))


def test_with_a_camera_each_place_is_framed(stage: Stage) -> None:
    """ctx.camera (API 1.1, not in the viewer yet) as the demo will meet it."""
    slot = stage.expo.host.slot("education")
    demo: Any = slot.instance
    camera = _Camera()
    slot.context.camera = camera
    press(stage, demo.round.current.answer)
    press(stage, "next")
    spot = demo.spots[demo.round.current.id]
    x0, y0, x1, y1 = camera.framed[-1]
    assert x0 < spot.x < x1 and y0 < spot.y < y1


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
