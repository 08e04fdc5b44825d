"""Find a place by part of its name, in Korean or English: pavilions, landmarks, buildings.

Names are normalised once (Unicode NFKC, case-folded, spaces and punctuation dropped), so
"kimdaejung", "Kim Dae-jung" and "김대중" all find the Kim Dae-jung Convention Center. As in
Korean map apps, a Hangul consonant in the query (ㄱ, ㄷ, ...) matches any syllable that starts
with it: "ㄱㄷㅈ" and "김ㄷㅈ" both find 김대중.

All names live in one array of code points (a separator between names), so a search is a few
numpy comparisons whatever the number of buildings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from gwangju_twin.expo.pavilions import pavilion_feature_id
from gwangju_twin.geo.model import District
from gwangju_twin.modes import Mode
from gwangju_twin.plugins.api import PavilionInfo


class PlaceKind(Mode):
    """What a search result is."""

    PAVILION = "pavilion"
    LANDMARK = "landmark"
    BUILDING = "building"


#: Kinds in the order they rank at equal match quality.
KINDS: tuple[PlaceKind, ...] = (PlaceKind.PAVILION, PlaceKind.LANDMARK, PlaceKind.BUILDING)
#: Match quality, best first.
EXACT, PREFIX, WORD_PREFIX, SUBSTRING = range(4)
#: A landmark given as a point still gets a camera distance that shows its surroundings.
MIN_SIZE = 10.0

_SYLLABLES = (0xAC00, 0xD7A3)  # precomposed Hangul syllables
_CHOSEONG = (0x1100, 0x1112)  # initial consonants; NFKC turns ㄱ (U+3131) into U+1100
_PER_INITIAL = 21 * 28  # syllables per initial consonant (vowels x finals)
_SEP = 0  # between names; never in a normalised query
# Fields of the composite sort key, low to high: place index, name length, rank and kind.
_PLACE_BITS, _LENGTH_BITS = 26, 12


@dataclass(frozen=True)
class Place:
    """A search result: what it is, its names and where the camera should look.

    ``kind`` is a ``PlaceKind``; ``key`` the pavilion id or the district
    row as a string; ``position`` the (x, y) of a point inside it and z its top (m);
    ``size`` its rough horizontal extent (m); ``feature`` the district row, or the pavilion's
    feature id -(k+1). ``name_en`` equals ``name_ko`` when there is only one name.
    """

    kind: PlaceKind
    key: str
    name_ko: str
    name_en: str
    position: tuple[float, float, float]
    size: float
    feature: int


def normalise(text: str) -> str:
    """``text`` as search compares it: NFKC, case-folded, letters and digits only."""
    return _fold(text)[0]


def _fold(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` and the offsets in it where a word of ``text`` begins."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    starts: list[int] = []
    inside = False
    for c in folded:
        alnum = c.isalnum()
        if alnum:
            if not inside:
                starts.append(len(kept))
            kept.append(c)
        inside = alnum
    return "".join(kept), starts


class Gazetteer:
    """Every searchable name of a district and its pavilions (build it with ``build``)."""

    def __init__(self, kinds: np.ndarray, keys: list[str], names: list[tuple[str, str]],
                 positions: np.ndarray, sizes: np.ndarray, features: np.ndarray,
                 search_names: list[list[str]]) -> None:
        self._kinds = kinds  # index into KINDS, per place
        self._keys = keys
        self._names = names
        self._positions = positions
        self._sizes = sizes
        self._features = features
        self._index(search_names)

    @classmethod
    def build(cls, district: District, pavilions: Sequence[PavilionInfo]) -> Gazetteer:
        """The pavilions (their sector names ko/en and their id), the named landmarks (any
        geometry) and the buildings with a name or an English name."""
        kinds: list[int] = []
        keys: list[str] = []
        names: list[tuple[str, str]] = []
        search: list[list[str]] = []
        positions: list[tuple[float, float, float]] = []
        sizes: list[float] = []
        features: list[int] = []
        for k, p in enumerate(pavilions):
            kinds.append(KINDS.index(PlaceKind.PAVILION))
            keys.append(p.id)
            names.append((p.name_ko, p.name_en))
            search.append([p.name_ko, p.name_en, p.id])
            positions.append((p.position[0], p.position[1], p.height))
            sizes.append(float(max(p.size)))
            features.append(pavilion_feature_id(k))
        n = len(district)
        named = np.array([bool(district.name[i] or district.name_en[i]) for i in range(n)], bool)
        for kind, layer in ((KINDS.index(PlaceKind.LANDMARK), "landmarks"),
                            (KINDS.index(PlaceKind.BUILDING), "buildings")):
            rows = np.flatnonzero(named & (district.layer == layer))
            geoms = district.geometry[rows]
            points = shapely.get_coordinates(shapely.point_on_surface(geoms))
            bounds = shapely.bounds(geoms)
            extent = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
            tops = np.nan_to_num(district.height[rows].astype(float), nan=0.0)
            for j, r in enumerate(rows):
                ko = district.name[r] or district.name_en[r]
                assert ko is not None  # only named rows are searched
                en = district.name_en[r] or ko
                kinds.append(kind)
                keys.append(str(r))
                names.append((ko, en))
                search.append([ko, en])
                positions.append((float(points[j, 0]), float(points[j, 1]), float(tops[j])))
                sizes.append(max(float(extent[j]), MIN_SIZE))
                features.append(int(r))
        return cls(np.array(kinds, np.int64), keys, names,
                   np.array(positions, float).reshape(-1, 3), np.array(sizes, float),
                   np.array(features, np.int64), search)

    def __len__(self) -> int:
        return len(self._keys)

    def search(self, query: str, limit: int = 8) -> list[Place]:
        """Up to ``limit`` places whose name contains ``query``, best first.

        Exact names rank before prefixes, then a word's prefix, then any part; at equal rank
        pavilions come before landmarks before buildings, then shorter names. A query with
        no letters or digits finds nothing.
        """
        q = np.array([ord(c) for c in normalise(query)], np.int64)
        if len(q) == 0 or limit <= 0 or len(q) > len(self._plain):
            return []
        initial = (q >= _CHOSEONG[0]) & (q <= _CHOSEONG[1])
        # Every position where the query matches, one query character at a time: a consonant
        # compares with the syllables' initials, anything else with the text itself.
        last = len(self._plain) - len(q) + 1  # the last position a whole match fits after
        hits = np.flatnonzero((self._initials if initial[0] else self._plain)[:last] == q[0])
        for j in range(1, len(q)):
            text = self._initials if initial[j] else self._plain
            hits = hits[text[hits + j] == q[j]]
        if len(hits) == 0:
            return []
        name = np.searchsorted(self._starts, hits, side="right") - 1
        at_start = hits == self._starts[name]
        rank = np.where(self._word_start[hits], WORD_PREFIX, SUBSTRING)
        rank[at_start] = PREFIX
        rank[at_start & (self._lengths[name] == len(q))] = EXACT
        place = self._name_place[name]
        length = np.minimum(self._lengths[name], (1 << _LENGTH_BITS) - 1)
        score = (((rank * len(KINDS) + self._kinds[place]) << _LENGTH_BITS) + length)
        score = (score << _PLACE_BITS) + place
        # A place's names are adjacent in the text and hits come in text order, so each
        # place's hits form one run: its best score is the run's minimum.
        runs = np.flatnonzero(np.diff(place, prepend=-1))
        best = np.minimum.reduceat(score, runs)
        if len(best) > limit:
            best = best[np.argpartition(best, limit - 1)[:limit]]
        best = np.sort(best) & ((1 << _PLACE_BITS) - 1)
        return [self._place(int(i)) for i in best]

    def _place(self, i: int) -> Place:
        ko, en = self._names[i]
        x, y, z = self._positions[i]
        return Place(KINDS[self._kinds[i]], self._keys[i], ko, en, (float(x), float(y), float(z)),
                     float(self._sizes[i]), int(self._features[i]))

    def _index(self, search_names: list[list[str]]) -> None:
        """Concatenate every normalised name (separated by _SEP) into one code-point array,
        with each name's start, length, place and the offsets where its words start."""
        if len(search_names) >= 1 << _PLACE_BITS:
            raise ValueError(f"too many places to search ({len(search_names)})")
        text: list[str] = []
        starts, lengths, owner, words = [], [], [], []
        offset = 0
        for place, names in enumerate(search_names):
            distinct: dict[str, list[int]] = {}
            for raw in names:
                if raw:
                    name, word_starts = _fold(raw)
                    distinct.setdefault(name, word_starts)  # "Sangmu" and "sangmu": once
            for name, word_starts in distinct.items():
                if not name:
                    continue
                starts.append(offset)
                lengths.append(len(name))
                owner.append(place)
                words += [offset + w for w in word_starts]
                text.append(name + chr(_SEP))
                offset += len(name) + 1
        joined = "".join(text)
        # int32 holds every code point and halves the memory of a city's worth of names.
        self._plain = np.frombuffer(joined.encode("utf-32-le"), np.uint32).astype(np.int32)
        syllable = (self._plain >= _SYLLABLES[0]) & (self._plain <= _SYLLABLES[1])
        self._initials = np.where(
            syllable, _CHOSEONG[0] + (self._plain - _SYLLABLES[0]) // _PER_INITIAL, self._plain)
        self._starts = np.array(starts, np.int64)
        self._lengths = np.array(lengths, np.int64)
        self._name_place = np.array(owner, np.int64)
        self._word_start = np.zeros(len(self._plain), bool)
        self._word_start[np.array(words, np.int64)] = True
