"""One round of the quiz walk, and the scores kept across rounds.

Pure: no Panda3D. The demo turns taps into ``answer``/``advance`` and draws what ``stage``
says; the scores are counts only (per question and per round), never who played.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .bank import TOPICS, Answer, Question, Topic

#: Questions in a round: long enough to visit each topic, short enough for a booth visit.
ROUND_LENGTH = 8
#: Of them, questions the district answers itself (when it has named buildings).
DISTRICT_QUESTIONS = 2

#: What the finish card calls each topic (Korean, English).
TOPIC_NAMES: dict[Topic, tuple[str, str]] = {
    "518": ("5·18", "5·18"), "mudeungsan": ("무등산", "Mudeungsan"),
    "plan": ("AI-메타버스 비전", "AI-metaverse plan"), "sectors": ("5+2 분야", "5+2 sectors"),
    "district": ("건물 높이", "building heights"),
}

#: Where a round is: a question waiting for its answer, an answer on show, or the finish.
Stage = Literal["asking", "answered", "finished"]


def draw_round(bank: Sequence[Question], generated: Sequence[Question],
               length: int = ROUND_LENGTH, seed: int | None = None) -> tuple[Question, ...]:
    """``length`` questions: up to ``DISTRICT_QUESTIONS`` generated ones and the rest from
    ``bank``, taking the topics in turn so a round covers each before it repeats one."""
    rng = np.random.default_rng(seed)
    n_gen = min(DISTRICT_QUESTIONS, len(generated), length)
    picked = [generated[i] for i in rng.choice(len(generated), n_gen, replace=False)] \
        if n_gen else []
    by_topic = {t: [q for q in bank if q.topic == t] for t in TOPICS}
    for qs in by_topic.values():
        rng.shuffle(qs)
    while len(picked) < length and any(by_topic.values()):
        for topic in TOPICS:
            if by_topic[topic] and len(picked) < length:
                picked.append(by_topic[topic].pop())
    order = rng.permutation(len(picked))
    return tuple(picked[i] for i in order)


@dataclass
class Round:
    """A round's progress: which question is up, what was answered, the score."""

    questions: tuple[Question, ...]
    index: int = 0
    stage: Stage = "asking"
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.questions:
            self.stage = "finished"

    @property
    def current(self) -> Question | None:
        """The question on show (None once the round is finished)."""
        return None if self.stage == "finished" else self.questions[self.index]

    @property
    def score(self) -> int:
        """Right answers so far."""
        asked = self.questions[: len(self.answers)]
        return sum(a == q.answer for a, q in zip(self.answers, asked, strict=True))

    def by_topic(self) -> dict[Topic, tuple[int, int]]:
        """(right, answered) per topic so far, topics in ``TOPICS`` order."""
        out: dict[Topic, tuple[int, int]] = {}
        for topic in TOPICS:
            done = [(a, q) for a, q in zip(self.answers, self.questions, strict=False)
                    if q.topic == topic]
            if done:
                out[topic] = (sum(a == q.answer for a, q in done), len(done))
        return out

    def answer(self, choice: Answer) -> bool:
        """Record the visitor's ``choice`` for the current question; True when right.

        A second tap on the same question is ignored (returns whether the first was right).
        """
        q = self.current
        if q is None:
            raise RuntimeError("the round is finished")
        if self.stage == "asking":
            self.answers.append(choice)
            self.stage = "answered"
        return self.answers[self.index] == q.answer

    def advance(self) -> None:
        """On to the next question, or to the finish after the last."""
        if self.stage != "answered":
            return  # "next" before answering, or after the finish, does nothing
        self.index += 1
        self.stage = "finished" if self.index >= len(self.questions) else "asking"


@dataclass
class Scores:
    """Counts kept across rounds: per question asked and answered right, and round totals.

    ``to_json``/``from_json`` give the plain dict the plugin stores; nothing in it says who
    played.
    """

    asked: dict[str, int] = field(default_factory=dict)
    right: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    points: int = 0
    possible: int = 0

    def record_answer(self, question: Question, correct: bool) -> None:
        """Count one answer to ``question``."""
        self.asked[question.id] = self.asked.get(question.id, 0) + 1
        self.right[question.id] = self.right.get(question.id, 0) + int(correct)

    def record_round(self, score: int, length: int) -> None:
        """Count one finished round of ``length`` questions with ``score`` right."""
        self.rounds += 1
        self.points += score
        self.possible += length

    def share_right(self, question_id: str) -> float | None:
        """The share of visitors who answered ``question_id`` right (None if never asked)."""
        asked = self.asked.get(question_id, 0)
        return self.right.get(question_id, 0) / asked if asked else None

    @property
    def mean_share(self) -> float | None:
        """The share of right answers over every finished round (None before the first)."""
        return self.points / self.possible if self.possible else None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return {"asked": dict(self.asked), "right": dict(self.right), "rounds": self.rounds,
                "points": self.points, "possible": self.possible}

    @classmethod
    def from_json(cls, value: Any) -> Scores:
        """Scores from ``to_json``'s dict; anything unreadable starts afresh (counts only:
        losing them costs a statistic, never a visitor's work)."""
        try:
            counts = {k: int(v) for k, v in value.items() if k in ("rounds", "points",
                                                                 "possible")}
            return cls(asked={str(k): int(v) for k, v in value["asked"].items()},
                       right={str(k): int(v) for k, v in value["right"].items()}, **counts)
        except (AttributeError, KeyError, TypeError, ValueError):
            return cls()
