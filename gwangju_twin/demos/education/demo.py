"""Education: an OX quiz walk about Gwangju, and about the district itself.

``load`` reads and checks the question bank (``bank.py``), resolves every question's place in
the district (``places.py``) and adds questions the district's own buildings answer
(``heights.py``). ``enter`` lays two big answer pads, O and X, on the plaza before the
pavilion (the OX quiz bridge of Gwangju's school metaverse, walked by tapping) and starts a
round (``walk.py``): the panel asks in Korean and English, a beacon stands at the place each
question is about and the camera flies there with the pads brought alongside; the visitor
taps O or X (a pad or the panel's button), the panel says right or wrong with the
explanation and a Next button. The finish card gives the score and charts it per topic.
Scores are counts only, kept in ``ctx.storage`` between runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from panda3d.core import NodePath

from gwangju_twin.plugins import ClickEvent, PavilionContext, PavilionDemo

from .bank import Answer, Question, Topic, load_bank
from .heights import PAIR_COLOURS, taller_questions
from .places import PlaceError, Spot, compass, named_points, resolve
from .walk import ROUND_LENGTH, Round, Scores, draw_round

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
#: A place this near the pads' home before the pavilion keeps them there (metres).
HOME_RADIUS = 150.0
#: Farther places take the pads along: this far from the beacon (clear of its 22 m ring),
#: towards the pavilion, so the view shows the question's place and the pads to tap.
PAD_FROM_BEACON = 48.0
#: Pads grow with the view they are shown in, 16 m in a view this wide (metres), so a
#: finger finds them in a view of the whole district too; at most this many times.
PAD_VIEW = 200.0
PAD_GROWTH = 4.0
#: Room around what a question's view shows (metres), and how steeply it looks down:
#: steeper than the camera's usual 50 degrees, so fewer towers stand in front of the pads.
FRAME_MARGIN = 45.0
VIEW_PITCH = 58.0
#: The beacon at a question's place: tall enough to see over apartment blocks from afar.
BEACON_HEIGHT = 90.0
#: The pads' labels (Korean, English), the words of the panel's buttons.
PAD_WORDS = {"O": ("O 맞다", "O True"), "X": ("X 아니다", "X False")}
#: Each pad's side along the pair's local x axis (O on the +x end).
PAD_SIDES: tuple[tuple[Answer, float], ...] = (("O", 1.0), ("X", -1.0))
#: Topic names short enough for a bar each under the finish card's chart (Korean, English).
CHART_NAMES: dict[Topic, tuple[str, str]] = {
    "518": ("5·18", "5·18"), "mudeungsan": ("무등산", "Mount"), "plan": ("AI 비전", "AI"),
    "sectors": ("5+2", "5+2"), "district": ("건물", "Tall"),
}
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
        self.pad_pair: NodePath | None = None  # both pads, moved together to each place
        self.pad_labels: dict[Answer, NodePath] = {}
        # Every roof the pads may have to float over: the buildings and the landmarks'
        # models (City Hall, the council), which are features, not buildings.
        self.roofs: tuple[np.ndarray, np.ndarray] = (np.empty(0, object), np.empty(0))
        self.pads_heading = 0.0  # the compass way from the beacon (or pavilion) to the pads
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
        marks = [k for k, layer in enumerate(d.features.layer) if layer == "landmarks"]
        self.roofs = (np.concatenate([b.footprints, d.features.geometry[marks]]),
                      np.concatenate([b.heights, [_height(d.features.tags[k]) for k in marks]]))
        ctx.camera.set_overview(self._overview_points(ctx))
        ctx.log.info("OX quiz: %d bank questions, %d from the district, in %.0f ms",
                     len(self.questions), len(self.generated),
                     (time.perf_counter() - started) * 1000)

    def enter(self, ctx: PavilionContext) -> None:
        """Lay the answer pads and start a round."""
        self.show = ctx.node.attach_new_node("ox-quiz")
        self._make_pads(ctx)
        self.beacon = self._make_beacon(ctx)
        # Click registrations end when the visitor leaves, so they are made on every entry.
        for choice, pad in self.pads.items():
            ctx.on_click(pad, self._tapped(ctx, choice))
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
        self.pad_pair, self.pad_labels = None, {}
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

    def _tapped(self, ctx: PavilionContext, choice: Answer) -> Callable[[ClickEvent], None]:
        """A pad's tap: the same answer as the panel's button of that letter."""
        return lambda _event: self._answer(ctx, choice)

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
        topics = list(self.round.by_topic().items())
        # Bars of the share right per topic, under short names: the chart drops every other
        # label that does not fit, and five topics with their counts do not.
        panel.set_chart("topics", [100.0 * r / n for _, (r, n) in topics],
                        [CHART_NAMES[t][0] for t, _ in topics],
                        [CHART_NAMES[t][1] for t, _ in topics],
                        kind="bar", title_ko="주제별 정답률", title_en="Right per topic",
                        unit="%")
        mean = self.scores.mean_share
        if mean is not None:
            panel.set_line("all", f"지금까지 {self.scores.rounds}번의 도전, 평균 정답률 {mean:.0%}",
                           f"{self.scores.rounds} round{'s' if self.scores.rounds != 1 else ''}"
                           f" so far, {mean:.0%} right on average")
        panel.add_button("again", "다시 하기", "Play again", lambda: self._again(ctx))
        self._light_pads(None, None)
        self._place_pads(ctx, None)
        # The overview is wide: the pads' words would crowd the pavilions' names there.
        for label in self.pad_labels.values():
            label.hide()
        ctx.camera.overview()

    def _again(self, ctx: PavilionContext) -> None:
        if self.beacon is not None:
            self.beacon.show()
        for label in self.pad_labels.values():
            label.show()
        self._start_round(ctx)

    def _save(self, ctx: PavilionContext) -> None:
        # After every answer: a kiosk may be switched off mid-round (storage survives kill -9).
        ctx.storage.set(SCORES_KEY, self.scores.to_json())

    # --- drawing --------------------------------------------------------------------------

    def _make_pads(self, ctx: PavilionContext) -> None:
        """Two answer pads before the entrance: a ring for O, a cross for X; O on the left of
        a visitor facing the pavilion, as the panel lists it first."""
        assert self.show is not None
        self.pad_pair = self.show.attach_new_node("pads")
        # The pair's local x runs from X to O: O lies left of a visitor facing the pavilion
        # (or the beacon), as the panel lists it first.
        for choice, side in PAD_SIDES:
            colour = O_BLUE if choice == "O" else X_RED
            pad = self.pad_pair.attach_new_node(f"pad-{choice}")
            pad.set_pos(side * PAD_APART / 2, 0.0, 0.0)
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
            self.pads[choice] = pad
            # Under the demo's node, not the pad: a label keeps its own size for the view.
            self.pad_labels[choice] = ctx.make_label(
                *PAD_WORDS[choice], (0.0, 0.0, 4.0), parent=self.show, scale=0.8)
        self._place_pads(ctx, None)

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
        # The beacon (its top too), the compared buildings' roofs and the pads brought along.
        points = [(spot.x, spot.y, 0.0), (spot.x, spot.y, BEACON_HEIGHT + 8.0)]
        points += [(float(b.centroids[r][0]), float(b.centroids[r][1]), float(b.heights[r]))
                   for r in q.rows]
        points += self._place_pads(ctx, spot, points, q.rows)
        # Looking from the pads towards the beacon: the pads side by side in front, O left.
        ctx.camera.frame(_with_margin(np.asarray(points, float), FRAME_MARGIN),
                         heading=(self.pads_heading + 180.0) % 360.0, pitch=VIEW_PITCH)

    def _home(self, ctx: PavilionContext) -> tuple[np.ndarray, float]:
        """The pads' home before the pavilion's entrance, and the heading they face there."""
        p = ctx.pavilion
        heading = math.radians(p.heading)
        ahead = np.array([math.sin(heading), math.cos(heading)])
        return np.asarray(p.entrance, float) + ahead * PAD_AHEAD, float(p.heading)

    def _place_pads(self, ctx: PavilionContext, spot: Spot | None,
                    shown: list[tuple[float, float, float]] | None = None,
                    rows: tuple[int, ...] = ()) -> list[tuple[float, float, float]]:
        """Put the pads where a visitor framing ``spot`` can tap them: at home before the
        pavilion for a place near it (or with no place), else beside the beacon, grown for
        a wide view, on the clearest side (lowest roofs, away from the compared buildings
        ``rows`` and their labels; towards the pavilion when all are clear) and lifted over
        any roof they would lie under. Returns points bounding the pads and their labels,
        for the camera to frame (``shown``: the points the view shows besides)."""
        home, heading = self._home(ctx)
        b = ctx.district.buildings
        centre, scale = home, 1.0
        if spot is not None and math.dist(home, (spot.x, spot.y)) > HOME_RADIUS:
            xy = np.asarray(shown or [(spot.x, spot.y, 0.0)], float)[:, :2]
            extent = float(np.ptp(xy, axis=0).max()) + 2 * (PAD_FROM_BEACON + PAD_SIZE)
            scale = float(np.clip(extent / PAD_VIEW, 1.0, PAD_GROWTH))
            home_way = math.atan2(*(home - (spot.x, spot.y)))
            best = math.inf
            for turn in (0, 45, -45, 90, -90, 135, -135, 180):
                way = home_way + math.radians(turn)
                ahead = np.array([math.sin(way), math.cos(way)])
                here = np.array([spot.x, spot.y]) + ahead * (PAD_FROM_BEACON + PAD_SIZE * scale)
                lift = _roof_under(*self.roofs, here, scale)
                near = any(math.dist(here, b.centroids[r]) < 60.0 * scale for r in rows)
                cost = lift + (1000.0 if near else 0.0)
                if cost < best:
                    best, centre, heading = cost, here, math.degrees(way)
        lift = _roof_under(*self.roofs, centre, scale)
        self.pads_heading = heading
        if self.pad_pair is not None and not self.pad_pair.is_empty():
            self.pad_pair.set_pos(float(centre[0]), float(centre[1]), lift)
            self.pad_pair.set_h(-heading)
            self.pad_pair.set_scale(scale)
        across = np.array([math.cos(math.radians(-heading)), math.sin(math.radians(-heading))])
        top = lift + 4.0 * scale
        out: list[tuple[float, float, float]] = []
        for choice, side in PAD_SIDES:
            x, y = centre + across * side * PAD_APART / 2 * scale
            # Each label over its pad's outer edge: a label keeps its size on screen, so
            # over the pads' centres the two would overlap in a wide view.
            lx, ly = centre + across * side * (PAD_APART + PAD_SIZE) / 2 * scale
            label = self.pad_labels.get(choice)
            if label is not None and not label.is_empty():
                label.set_pos(float(lx), float(ly), top)
            half = PAD_SIZE / 2 * scale
            out += [(float(x - half), float(y - half), lift), (float(x + half), float(y + half),
                                                               top)]
        return out

    def _overview_points(self, ctx: PavilionContext) -> np.ndarray:
        """The attract reel's view: the pavilion with its pads and the places near it (the
        plan's and the sectors' questions are about the pavilions around this one)."""
        home, _ = self._home(ctx)
        near = [(s.x, s.y) for s in self.spots.values()
                if math.dist(home, (s.x, s.y)) < 3 * HOME_RADIUS]
        return _with_margin(np.asarray([tuple(home), *near], float), 2 * FRAME_MARGIN)

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


def _roof_under(footprints: np.ndarray, heights: np.ndarray, centre: np.ndarray,
                scale: float) -> float:
    """How high the pads at ``centre`` must float to lie over every roof they cover
    (0 on open ground): any footprint over any part of them counts, not only centres."""
    reach = (PAD_APART + PAD_SIZE) / 2 * scale
    area = shapely.box(centre[0] - reach, centre[1] - reach, centre[0] + reach,
                       centre[1] + reach)
    under = shapely.intersects(footprints, area)
    return float(np.max(heights[under])) + 1.0 if np.any(under) else 0.0


def _height(tags: Mapping[str, Any]) -> float:
    """A landmark's roof height from its tags (metres): its height, else its floors."""
    try:
        return float(tags.get("height") or 3.5 * float(tags.get("building:levels") or 10))
    except (TypeError, ValueError):
        return 35.0  # a landmark of unknown height: as tall as a ten-floor block


def _with_margin(points: np.ndarray, margin: float) -> np.ndarray:
    """``points`` ((N, 2) or (N, 3) metres) and the corners ``margin`` beyond their extent
    on the ground, so a view of them leaves that much room around."""
    lo, hi = points[:, :2].min(axis=0) - margin, points[:, :2].max(axis=0) + margin
    corners = np.array([(lo[0], lo[1]), (hi[0], hi[1])])
    if points.shape[1] == 3:
        corners = np.column_stack([corners, np.zeros(2)])
    return np.vstack([points, corners])


def _praise(score: int, total: int) -> tuple[str, str]:
    share = score / total if total else 0.0
    if share >= 0.85:
        return "광주 박사님이시네요!", "A true Gwangju expert!"
    if share >= 0.5:
        return "잘했어요! 광주를 꽤 잘 아시네요.", "Well done: you know Gwangju well."
    return "다시 도전해 보세요. 다음엔 더 잘할 거예요!", "Try again: next time will be better!"

