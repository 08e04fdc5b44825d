"""The quiz's question bank: bilingual OX questions read from TOML and checked on load.

Pure: no Panda3D. A plugin may import only ``gwangju_twin.plugins``, which offers no schema
walker, so the bank's keys are a small table of their own here (``FIELDS``) and one walk
checks every question against it; errors name the file, the question and the key.

A question is about a place, written one of three ways:

    place = { lon = 126.857049, lat = 35.155267 }    # a WGS84 point
    place = { landmark = "5·18기념공원" }              # a named feature (landmark, park, ...)
    place = { building = "상무 1단지 101동" }           # a named building of the district
    place = { pavilion = "administration" }           # an expo pavilion of the scene
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

#: The answer a visitor taps.
Answer = Literal["O", "X"]
ANSWERS: tuple[Answer, ...] = ("O", "X")

#: What a question is about; the finish card counts the visitor's score per topic.
Topic = Literal["518", "mudeungsan", "plan", "sectors", "district"]
TOPICS: tuple[Topic, ...] = ("518", "mudeungsan", "plan", "sectors", "district")

#: A bank smaller than this is refused: a round draws from it and should not repeat itself.
MIN_QUESTIONS = 20
#: The panel cuts text longer than 120 characters; a question must fit whole.
MAX_TEXT = 120
#: Places given by lon/lat must lie in Gwangju (the city's extent, with a margin): a point
#: beyond is a typo (swapped lon and lat, a missing digit), not a question about Gwangju.
GWANGJU_LON = (126.60, 127.10)
GWANGJU_LAT = (35.00, 35.30)
PLACE_KINDS = ("lon/lat", "landmark", "building", "pavilion")

#: The keys of one ``[[question]]``: name -> (Python type, required, what is expected).
FIELDS: dict[str, tuple[type, bool, str]] = {
    "id": (str, True, "a unique id of a-z, 0-9 and -"),
    "topic": (str, True, "one of " + ", ".join(TOPICS)),
    "ko": (str, True, f"the question in Korean, 1-{MAX_TEXT} characters"),
    "en": (str, True, f"the question in English, 1-{MAX_TEXT} characters"),
    "answer": (str, True, '"O" (true) or "X" (false)'),
    "why_ko": (str, True, f"the explanation in Korean, 1-{MAX_TEXT} characters"),
    "why_en": (str, True, f"the explanation in English, 1-{MAX_TEXT} characters"),
    "place": (dict, True, "{ lon, lat }, { landmark = NAME }, { building = NAME } or "
                          "{ pavilion = ID }"),
}


class BankError(ValueError):
    """A question bank that cannot be used; the message names the file, question and key."""


@dataclass(frozen=True)
class Place:
    """Where a question is about: a lon/lat point, a named feature of the city (a landmark,
    park, water or plaza: ``ctx.district.features``), a district building's name or a
    pavilion, or (for questions generated from the district, never in a bank file) a point
    ``xy`` in district metres. Exactly one is set.
    """

    lonlat: tuple[float, float] | None = None
    landmark: str | None = None
    building: str | None = None
    pavilion: str | None = None
    xy: tuple[float, float] | None = None


@dataclass(frozen=True)
class Question:
    """One OX question with its answer, explanation and place, in Korean and English."""

    id: str
    topic: Topic
    ko: str
    en: str
    answer: Answer
    why_ko: str
    why_en: str
    place: Place
    #: District rows the question compares (generated questions), marked beside the place.
    rows: tuple[int, ...] = ()


def load_bank(path: Path) -> tuple[Question, ...]:
    """The questions of the bank file ``path``, checked; raises ``BankError`` if any is wrong."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(f"{path}: cannot read the question bank ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{path}: not valid TOML ({exc})") from exc
    return parse_bank(doc, str(Path(path).name))


def parse_bank(doc: Mapping[str, Any], where: str = "questions.toml") -> tuple[Question, ...]:
    """Check a parsed bank document (``[[question]]`` tables) and return its questions."""
    extra = sorted(set(doc) - {"question"})
    if extra:
        raise BankError(f"{where}: unknown key {extra[0]!r}; expected only [[question]] tables")
    rows = doc.get("question")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise BankError(f"{where}: expected [[question]] tables")
    if len(rows) < MIN_QUESTIONS:
        raise BankError(f"{where}: {len(rows)} questions; a bank needs at least "
                        f"{MIN_QUESTIONS} so a round does not repeat itself")
    questions: list[Question] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        q = _question(row, f"{where}: question {n}" + (
            f" ({row['id']!r})" if isinstance(row.get("id"), str) else ""))
        if q.id in seen:
            raise BankError(f"{where}: question {n}: id {q.id!r} is used twice; ids are unique")
        seen.add(q.id)
        questions.append(q)
    return tuple(questions)


def _question(row: Mapping[str, Any], where: str) -> Question:
    for key in row:
        if key not in FIELDS:
            raise BankError(f"{where}: unknown key {key!r}; expected one of "
                            + ", ".join(FIELDS))
    for key, (kind, required, expected) in FIELDS.items():
        if key not in row:
            if required:
                raise BankError(f"{where}: key {key!r} is missing; expected {expected}")
            continue
        value = row[key]
        if not isinstance(value, kind):
            raise BankError(f"{where}: key {key!r} is {value!r}; expected {expected}")
        if isinstance(value, str) and key not in ("id", "topic", "answer") \
                and not (value.strip() and len(value) <= MAX_TEXT):
            raise BankError(f"{where}: key {key!r} has {len(value)} characters; "
                            f"expected {expected}")
    qid = row["id"]
    if not qid or not all(c.isascii() and (c.isalnum() or c == "-") for c in qid) \
            or qid != qid.lower():
        raise BankError(f"{where}: key 'id' is {qid!r}; expected {FIELDS['id'][2]}")
    if row["topic"] not in TOPICS:
        raise BankError(f"{where}: key 'topic' is {row['topic']!r}; "
                        f"expected {FIELDS['topic'][2]}")
    if row["answer"] not in ANSWERS:
        raise BankError(f"{where}: key 'answer' is {row['answer']!r}; "
                        f"expected {FIELDS['answer'][2]}")
    return Question(id=qid, topic=row["topic"], ko=row["ko"], en=row["en"],
                    answer=row["answer"], why_ko=row["why_ko"], why_en=row["why_en"],
                    place=_place(row["place"], f"{where}: key 'place'"))


def _place(value: Mapping[str, Any], where: str) -> Place:
    keys = set(value)
    if keys == {"lon", "lat"}:
        lon, lat = value["lon"], value["lat"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lon, lat)):
            raise BankError(f"{where}: lon and lat must be numbers (degrees)")
        if not (GWANGJU_LON[0] <= lon <= GWANGJU_LON[1]
                and GWANGJU_LAT[0] <= lat <= GWANGJU_LAT[1]):
            raise BankError(
                f"{where}: ({lon}, {lat}) is not in Gwangju; expected lon "
                f"{GWANGJU_LON[0]}-{GWANGJU_LON[1]} and lat {GWANGJU_LAT[0]}-{GWANGJU_LAT[1]}")
        return Place(lonlat=(float(lon), float(lat)))
    if keys == {"landmark"} and isinstance(value["landmark"], str) and value["landmark"]:
        return Place(landmark=value["landmark"])
    if keys == {"building"} and isinstance(value["building"], str) and value["building"]:
        return Place(building=value["building"])
    if keys == {"pavilion"} and isinstance(value["pavilion"], str) and value["pavilion"]:
        return Place(pavilion=value["pavilion"])
    raise BankError(f"{where} is {dict(value)!r}; expected {FIELDS['place'][2]}")
