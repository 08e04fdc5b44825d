"""Education: an OX quiz walk about Gwangju, and about the district itself.

``load`` reads and checks the question bank (``bank.py``), resolves every question's place in
the district (``places.py``) and adds questions the district's own buildings answer
(``heights.py``). ``enter`` lays two big answer pads, O and X, on the plaza before the
pavilion (the OX quiz bridge of Gwangju's school metaverse, walked by tapping) and starts a
round (``walk.py``): the panel asks in Korean and English, the visitor taps O or X, the panel
says right or wrong with the explanation and a Next button, and a beacon stands at the place
each question is about. The finish card gives the score. Scores are counts only, kept in
``ctx.storage`` between runs.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
from panda3d.core import NodePath

from gwangju_twin.plugins import PavilionContext, PavilionDemo

from .bank import Answer, Question, load_bank
from .heights import PAIR_COLOURS, taller_questions
from .places import PlaceError, Spot, compass, named_points, resolve
from .walk import ROUND_LENGTH, TOPIC_NAMES, Round, Scores, draw_round

#: The education sector's colour family: O in blue, X in red (as on Korean OX quiz shows).
O_BLUE = (0.16, 0.45, 0.85, 1.0)
X_RED = (0.86, 0.22, 0.20, 1.0)
PAD = (0.93, 0.93, 0.90, 1.0)
BEACON = (1.0, 0.78, 0.10, 1.0)
#: District questions drawn per load, so rounds can vary which buildings they compare.
DISTRICT_POOL = 12
#: The answer pads: their size and how far before the entrance they lie (metres).
PAD_SIZE = 16.0
PAD_AHEAD = 13.0
PAD_APART = 19.0
#: The beacon at a question's place: tall enough to see over apartment blocks from afar.
BEACON_HEIGHT = 90.0
#: The pads' labels (Korean, English), the words of the panel's buttons.
PAD_WORDS = {"O": ("O 맞다", "O True"), "X": ("X 아니다", "X False")}
#: Where ``ctx.storage`` keeps the counts, and the table of finished rounds' totals.
SCORES_KEY = "scores"
ROUNDS_TABLE = "rounds"


class EducationDemo(PavilionDemo):
    """The OX quiz walk: a round of questions, each at its place, answered by tapping."""

    def __init__(self) -> None:
        self.questions: list[Question] = []
        self.generated: list[Question] = []
        self.spots: dict[str, Spot] = {}
        self.round: Round | None = None
        self.rounds_played = 0
        self.seed: int | None = None  # rounds drawn at random unless set
        self.scores = Scores()
        self.show: NodePath | None = None
        self.pads: dict[Answer, NodePath] = {}
        self.beacon: NodePath | None = None
        self.marks: list[NodePath] = []  # this question's labels
        self.names_en: list[str | None] = []
        self.clock = 0.0

    # --- lifecycle ------------------------------------------------------------------------

    def load(self, ctx: PavilionContext) -> None:
        """Read the bank, place every question and add the district's own questions."""
        started = time.perf_counter()
        bank = load_bank(Path(__file__).with_name("questions.toml"))
        d = ctx.district
        b = d.buildings
        buildings = named_points(b.names, b.centroids)
        landmarks = named_points(d.features.name, d.features.centroid)
        pavilions = {p.id: p.position for p in d.pavilions}
        for q in bank:
            try:
                self.spots[q.id] = resolve(q.place, d.to_local, d.bounds, buildings, pavilions,
                                           landmarks)
            except PlaceError as exc:
                # Another scene may lack a named building: its question is left out, not fatal.
                ctx.log.warning("question %s left out: %s", q.id, exc)
                continue
            self.questions.append(q)
        self.names_en = [t.get("name:en") for t in b.tags]
        self.generated = list(taller_questions(b.names, b.heights, b.centroids, DISTRICT_POOL,
                                               seed=len(b), names_en=self.names_en))
        for q in self.generated:
            self.spots[q.id] = resolve(q.place, d.to_local, d.bounds, buildings, pavilions)
        self.scores = Scores.from_json(ctx.storage.get(SCORES_KEY))
        ctx.log.info("OX quiz: %d bank questions, %d from the district, in %.0f ms",
                     len(self.questions), len(self.generated),
                     (time.perf_counter() - started) * 1000)

    def enter(self, ctx: PavilionContext) -> None:
        """Lay the answer pads and start a round."""
        self.show = ctx.node.attach_new_node("ox-quiz")
        self._make_pads(ctx)
        self.beacon = self._make_beacon(ctx)
        self._start_round(ctx)

    def update(self, ctx: PavilionContext, dt: float) -> None:
        """Let the beacon turn slowly, so the eye finds it."""
        self.clock += dt
        if self.beacon is not None and not self.beacon.is_empty():
            self.beacon.set_h(self.clock * 30.0 % 360.0)

    def exit(self, ctx: PavilionContext) -> None:
        """Remove the pads, the beacon and the paint; an unfinished round is dropped."""
        ctx.clear_paint()
        if self.show is not None and not self.show.is_empty():
            self.show.remove_node()
        self.show, self.beacon, self.pads, self.round = None, None, {}, None
        self.marks = []

    # --- the round ------------------------------------------------------------------------

    def _start_round(self, ctx: PavilionContext) -> None:
        self.rounds_played += 1
        # A kiosk reset starts the plugin afresh, so a fixed seed would give every visitor
        # the same round: draw from the system's entropy unless a seed was set (tests).
        seed = None if self.seed is None else self.seed + self.rounds_played
        self.round = Round(draw_round(self.questions, self.generated, ROUND_LENGTH, seed=seed))
        self._ask(ctx)

    def _ask(self, ctx: PavilionContext) -> None:
        assert self.round is not None
        q = self.round.current
        if q is None:
            self._finish(ctx)
            return
        n, total = self.round.index + 1, len(self.round.questions)
        panel = ctx.panel
        panel.clear()
        panel.set_line("progress", f"문제 {n} / {total} · 점수 {self.round.score}",
                       f"Question {n} of {total} · score {self.round.score}")
        panel.set_line("question", q.ko, q.en)
        spot = self.spots[q.id]
        if spot.beyond_m > 0:
            ko, en = compass(spot.bearing)
            km = spot.beyond_m / 1000.0
            panel.set_line("where", f"노란 기둥 방향으로 {km:.0f} km ({ko}쪽)",
                           f"{km:.0f} km beyond the yellow beacon, to the {en}")
        panel.add_button("O", "O  맞다", "O  True", lambda: self._answer(ctx, "O"))
        panel.add_button("X", "X  아니다", "X  False", lambda: self._answer(ctx, "X"))
        self._mark(ctx, q, spot)
        self._light_pads(None, None)

    def _answer(self, ctx: PavilionContext, choice: Answer) -> None:
        if self.round is None or self.round.stage != "asking":
            return  # a late tap after the answer is on show
        q = self.round.current
        assert q is not None
        right = self.round.answer(choice)
        self.scores.record_answer(q, right)
        self._save(ctx)
        panel = ctx.panel
        panel.remove_button("O")
        panel.remove_button("X")
        if right:
            panel.set_line("verdict", f"정답입니다! ({q.answer})", f"Right! ({q.answer})")
        else:
            panel.set_line("verdict", f"아쉬워요. 정답은 {q.answer}입니다.",
                           f"Not quite: the answer is {q.answer}.")
        panel.set_line("why", q.why_ko, q.why_en)
        share = self.scores.share_right(q.id)
        if share is not None and self.scores.asked.get(q.id, 0) > 1:
            panel.set_line("others", f"지금까지 {share:.0%}가 맞혔어요",
                           f"{share:.0%} of answers so far were right")
        last = self.round.index + 1 >= len(self.round.questions)
        panel.add_button("next", "결과 보기" if last else "다음 문제 →",
                         "See the result" if last else "Next question →",
                         lambda: self._next(ctx))
        self._light_pads(choice, q.answer)

    def _next(self, ctx: PavilionContext) -> None:
        if self.round is None:
            return
        self.round.advance()
        self._ask(ctx)

    def _finish(self, ctx: PavilionContext) -> None:
        assert self.round is not None
        score, total = self.round.score, len(self.round.questions)
        self.scores.record_round(score, total)
        self._save(ctx)
        # One row per finished round: its totals only, so the booth's operator can chart them.
        ctx.storage.table(ROUNDS_TABLE).insert({"score": score, "questions": total})
        ctx.clear_paint()
        for mark in self.marks:
            if not mark.is_empty():
                mark.remove_node()
        self.marks = []
        if self.beacon is not None:
            self.beacon.hide()
        panel = ctx.panel
        panel.clear()
        panel.set_line("score", f"끝! {total}문제 중 {score}개를 맞혔어요",
                       f"Done! {score} of {total} right")
        panel.set_line("verdict", *_praise(score, total))
        topics = self.round.by_topic().items()
        panel.set_line("topics",
                       " · ".join(f"{TOPIC_NAMES[t][0]} {r}/{n}" for t, (r, n) in topics),
                       " · ".join(f"{TOPIC_NAMES[t][1]} {r}/{n}" for t, (r, n) in topics))
        mean = self.scores.mean_share
        if mean is not None:
            panel.set_line("all", f"지금까지 {self.scores.rounds}번의 도전, 평균 정답률 {mean:.0%}",
                           f"{self.scores.rounds} round{'s' if self.scores.rounds != 1 else ''}"
                           f" so far, {mean:.0%} right on average")
        panel.add_button("again", "다시 하기", "Play again", lambda: self._again(ctx))
        self._light_pads(None, None)

    def _again(self, ctx: PavilionContext) -> None:
        if self.beacon is not None:
            self.beacon.show()
        self._start_round(ctx)

    def _save(self, ctx: PavilionContext) -> None:
        # After every answer: a kiosk may be switched off mid-round (storage survives kill -9).
        ctx.storage.set(SCORES_KEY, self.scores.to_json())

    # --- drawing --------------------------------------------------------------------------

    def _make_pads(self, ctx: PavilionContext) -> None:
        """Two answer pads before the entrance: a ring for O, a cross for X; O on the left of
        a visitor facing the pavilion, as the panel lists it first."""
        assert self.show is not None
        p = ctx.pavilion
        heading = math.radians(p.heading)
        ahead = np.array([math.sin(heading), math.cos(heading)])
        left = np.array([-ahead[1], ahead[0]])
        centre = np.asarray(p.entrance, float) + ahead * PAD_AHEAD
        for choice, side, colour in (("O", -1.0, O_BLUE), ("X", 1.0, X_RED)):
            x, y = centre + left * side * PAD_APART / 2
            pad = self.show.attach_new_node(f"pad-{choice}")
            pad.set_pos(float(x), float(y), 0.0)
            pad.set_h(-p.heading)
            ctx.make_box((PAD_SIZE, PAD_SIZE, 0.4), colour, parent=pad)
            ctx.make_box((PAD_SIZE - 1.6, PAD_SIZE - 1.6, 0.5), PAD, parent=pad)
            glyph = pad.attach_new_node("glyph")
            if choice == "O":
                for k in range(16):  # a ring of short bars reads as an O from above
                    a = 2 * math.pi * k / 16
                    bar = ctx.make_box((1.9, 1.3, 2.4), colour, parent=glyph)
                    bar.set_pos(4.8 * math.cos(a), 4.8 * math.sin(a), 0.0)
                    bar.set_h(math.degrees(a))
            else:
                for h in (45.0, -45.0):
                    ctx.make_box((1.4, 13.0, 2.4), colour, parent=glyph).set_h(h)
            self.pads[choice] = pad  # type: ignore[index]
            ctx.make_label(*PAD_WORDS[choice], (float(x), float(y), 4.0), parent=self.show,
                           scale=0.8)

    def _make_beacon(self, ctx: PavilionContext) -> NodePath:
        """A tall yellow column with a ring at its foot: where the question is about."""
        assert self.show is not None
        beacon = self.show.attach_new_node("beacon")
        ctx.make_box((4.0, 4.0, BEACON_HEIGHT), BEACON, parent=beacon)
        ctx.make_box((12.0, 12.0, 6.0), BEACON, parent=beacon).set_z(BEACON_HEIGHT)
        for k in range(12):
            a = 2 * math.pi * k / 12
            ctx.make_box((6.0, 2.0, 1.5), BEACON, parent=beacon).set_pos(
                22.0 * math.cos(a), 22.0 * math.sin(a), 0.0)
        return beacon

    def _mark(self, ctx: PavilionContext, q: Question, spot: Spot) -> None:
        """Move the beacon to the question's place, paint compared buildings, fly there."""
        for mark in self.marks:
            if not mark.is_empty():
                mark.remove_node()
        self.marks = []
        if self.beacon is not None:
            self.beacon.set_pos(spot.x, spot.y, 0.0)
        if self.show is not None:
            n = self.round.index + 1 if self.round is not None else 1
            ko, en = f"문제 {n}", f"Question {n}"
            if spot.beyond_m > 0:
                way_ko, way_en = compass(spot.bearing)
                km = spot.beyond_m / 1000.0
                ko, en = f"{ko} · {way_ko}쪽 {km:.0f} km", f"{en} · {km:.0f} km {way_en}"
            self.marks.append(ctx.make_label(ko, en, (spot.x, spot.y, BEACON_HEIGHT + 8.0),
                                             parent=self.show))
        b = ctx.district.buildings
        if q.rows:
            ctx.paint_buildings(list(q.rows), [c[0] for c in PAIR_COLOURS[: len(q.rows)]])
            for row, (_, col_ko, col_en) in zip(q.rows, PAIR_COLOURS, strict=False):
                x, y = b.centroids[row]
                name_ko = b.names[row] or ""
                name_en = self.names_en[row] if row < len(self.names_en) else None
                self.marks.append(ctx.make_label(
                    f"{col_ko} · {name_ko}", f"{col_en} · {name_en or name_ko}",
                    (float(x), float(y), float(b.heights[row]) + 3.0), parent=self.show,
                    scale=0.8))
        else:
            ctx.clear_paint()
        camera = getattr(ctx, "camera", None)  # API 1.1; API 1 leaves the camera at the door
        if camera is not None:
            points = [(spot.x, spot.y)]
            points += [tuple(ctx.district.buildings.centroids[r]) for r in q.rows]
            xy = np.asarray(points, float)
            pad = 180.0
            camera.frame((float(xy[:, 0].min() - pad), float(xy[:, 1].min() - pad),
                          float(xy[:, 0].max() + pad), float(xy[:, 1].max() + pad)))

    def _light_pads(self, chosen: Answer | None, answer: Answer | None) -> None:
        """Raise the right answer's pad once answered; dim the other."""
        for choice, pad in self.pads.items():
            if pad.is_empty():
                continue
            if answer is None:
                pad.set_z(0.0)
                pad.clear_color_scale()
            elif choice == answer:
                pad.set_z(1.5)
                pad.set_color_scale(1.15, 1.15, 1.15, 1.0)
            else:
                pad.set_z(0.0)
                pad.set_color_scale(0.45, 0.45, 0.45, 1.0)


def _praise(score: int, total: int) -> tuple[str, str]:
    share = score / total if total else 0.0
    if share >= 0.85:
        return "광주 박사님이시네요!", "A true Gwangju expert!"
    if share >= 0.5:
        return "잘했어요! 광주를 꽤 잘 아시네요.", "Well done: you know Gwangju well."
    return "다시 도전해 보세요. 다음엔 더 잘할 거예요!", "Try again: next time will be better!"

