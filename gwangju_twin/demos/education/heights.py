"""Questions answered by the district itself: "A is taller than B: O or X?".

Pure: no Panda3D. Built from the buildings' names and heights the plugin is given, so the
answers are whatever the loaded data says, for any district with named buildings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .bank import Place, Question

#: Two heights closer than this (relative, and in metres) make no fair question: the visitor
#: should be able to see the answer once the camera is there.
MIN_RATIO = 1.15
MIN_DIFF_M = 6.0

#: The two buildings of a question stand this close at most, so one view shows both.
MAX_APART_M = 400.0
#: The compared buildings are painted in these colours, which the question names (RGB,
#: Korean, English): the first purple, the second orange, apart from the pads' blue and red.
PAIR_COLOURS = (((0.56, 0.27, 0.78), "보라색", "purple"), ((0.98, 0.55, 0.12), "주황색", "orange"))

#: How Korean reads the last digit aloud decides the topic particle after a number
#: (일 -> 은, 이 -> 는): True where the reading ends in a consonant.
_DIGIT_CODA = {"0": True, "1": True, "2": False, "3": True, "4": False, "5": False,
               "6": True, "7": True, "8": True, "9": False}


def topic_particle(word: str) -> str:
    """은 or 는 after ``word``: 은 after a final consonant (받침), 는 after a vowel."""
    last = word.rstrip()[-1:] or "가"
    if "가" <= last <= "힣":
        return "은" if (ord(last) - 0xAC00) % 28 else "는"
    if last in _DIGIT_CODA:
        return "은" if _DIGIT_CODA[last] else "는"
    # Latin letters: English letter names mostly end in a vowel sound ("B" is 비).
    return "은" if last.lower() in "lmnr" else "는"


def taller_questions(names: Sequence[str | None], heights: np.ndarray, centroids: np.ndarray,
                     count: int, seed: int = 0,
                     names_en: Sequence[str | None] | None = None) -> tuple[Question, ...]:
    """Up to ``count`` questions comparing the heights of two named buildings.

    Pairs are drawn with ``seed`` among named buildings of known height, at most
    ``MAX_APART_M`` apart, whose heights differ by at least ``MIN_RATIO`` and ``MIN_DIFF_M``;
    each building appears at most once, the first-named building is the taller one in about
    half of them (answer O), and the place is between the two. The question names the
    colours the demo paints the pair in (``PAIR_COLOURS``, in ``rows`` order). ``names_en``
    gives English names where known (else the Korean name).
    """
    h = np.asarray(heights, float)
    xy = np.asarray(centroids, float)
    named = [i for i, n in enumerate(names) if n and np.isfinite(h[i]) and h[i] > 0]
    rng = np.random.default_rng(seed)
    order = [named[k] for k in rng.permutation(len(named))]
    used: set[int] = set()
    out: list[Question] = []
    for a in order:
        if len(out) >= count:
            break
        if a in used:
            continue
        for b in order:
            if b == a or b in used or names[b] == names[a] \
                    or np.hypot(*(xy[a] - xy[b])) > MAX_APART_M:
                continue
            lo, hi = sorted((h[a], h[b]))
            if hi >= lo * MIN_RATIO and hi - lo >= MIN_DIFF_M:
                first, second = (a, b) if rng.random() < 0.5 else (b, a)
                out.append(_question(first, second, names, names_en, h, centroids))
                used.update((a, b))
                break
    return tuple(out)


def _question(a: int, b: int, names: Sequence[str | None],
              names_en: Sequence[str | None] | None, h: np.ndarray,
              centroids: np.ndarray) -> Question:
    ko_a, ko_b = str(names[a]), str(names[b])
    en_a = (names_en[a] if names_en is not None else None) or ko_a
    en_b = (names_en[b] if names_en is not None else None) or ko_b
    taller = h[a] > h[b]
    mid = (np.asarray(centroids[a], float) + np.asarray(centroids[b], float)) / 2
    verdict_ko = "더 높습니다" if taller else "더 낮습니다"
    verdict_en = "taller" if taller else "lower"
    (_, col_ko_a, col_en_a), (_, col_ko_b, col_en_b) = PAIR_COLOURS
    return Question(
        id=f"district-taller-{a}-{b}",
        topic="district",
        ko=f"{col_ko_a} {ko_a}{topic_particle(ko_a)} {col_ko_b} {ko_b}보다 높다.",
        en=f"The {col_en_a} building ({en_a}) is taller than the {col_en_b} one ({en_b}).",
        answer="O" if taller else "X",
        why_ko=f"{ko_a} {h[a]:.0f} m, {ko_b} {h[b]:.0f} m: {ko_a}{topic_particle(ko_a)} "
               f"{verdict_ko}.",
        why_en=f"{en_a}: {h[a]:.0f} m, {en_b}: {h[b]:.0f} m; the {col_en_a} one is "
               f"{verdict_en}.",
        place=Place(xy=(float(mid[0]), float(mid[1]))),
        rows=(a, b),
    )

