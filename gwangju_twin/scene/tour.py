"""The guided tour as a scene file states it: the stops, their narration (ko and en) and dwell.

Two forms of ``[tour]`` (docs/scenes.md): ``order = [ids]``, whose narration falls back to
each pavilion's sector description, or ``[[tour.stop]]`` tables with their own narration.
Validation errors name the file and the key, like the rest of the scene file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwangju_twin.errors import InputError
from gwangju_twin.scene.pavilions import PavilionSpec
from gwangju_twin.scene.sectors import sector

#: Seconds the tour stays at a stop when neither the stop nor ``dwell_seconds`` says.
DEFAULT_DWELL = 20.0
#: The dwell range: long enough to read a line, short enough that a kiosk tour moves on.
MIN_DWELL, MAX_DWELL = 3.0, 600.0

_TOUR_KEYS = ("dwell_seconds", "order", "stop")
_STOP_KEYS = ("en", "ko", "pavilion", "seconds")
_LANGUAGE = {"ko": "Korean", "en": "English"}


@dataclass(frozen=True)
class TourStop:
    """One stop of the guided tour: the pavilion id, what the guide says there (Korean and
    English, one paragraph each) and how many seconds the tour stays."""

    pavilion: str
    narration_ko: str
    narration_en: str
    seconds: float


def sector_stops(pavilions: Sequence[PavilionSpec], order: Sequence[str] | None = None,
                 seconds: float = DEFAULT_DWELL) -> tuple[TourStop, ...]:
    """Stops narrated by each pavilion's sector description, in ``order`` (pavilion ids,
    all of which must be in ``pavilions``) or else in the scene's pavilion order.

    The shell can use this for a scene without a ``[tour]``.
    """
    by_id = {p.id: p for p in pavilions}
    ids = list(order) if order is not None else list(by_id)
    stops = []
    for pid in ids:
        sec = sector(by_id[pid].sector)
        stops.append(TourStop(pid, sec.description_ko, sec.description_en, seconds))
    return tuple(stops)


def parse_tour(path: Path, table: Any,
               pavilions: Sequence[PavilionSpec]) -> tuple[tuple[str, ...], tuple[TourStop, ...]]:
    """Validate a scene's ``[tour]`` table; returns the ordered pavilion ids and the stops.

    A table with neither ``order`` nor ``[[tour.stop]]`` is an empty tour (both empty).
    """
    if not isinstance(table, dict):
        raise InputError(f"{path}: 'tour' must be a table [tour]")
    for key in table:
        if key not in _TOUR_KEYS:
            raise InputError(f"{path}: unknown key 'tour.{key}'; expected one of "
                             + ", ".join(_TOUR_KEYS))
    ids = [p.id for p in pavilions]
    known = ", ".join(ids) or "the scene has no [[pavilion]]"
    dwell = (_seconds(path, "tour.dwell_seconds", table["dwell_seconds"])
             if "dwell_seconds" in table else DEFAULT_DWELL)
    if "order" in table and "stop" in table:
        raise InputError(f"{path}: 'tour.order' and [[tour.stop]] are both given; use one: "
                         "order for ids only, [[tour.stop]] for stops with narration")
    if "stop" in table:
        stops = _parse_stops(path, table["stop"], ids, known, dwell)
        return tuple(s.pavilion for s in stops), stops
    order = table.get("order", [])
    if not isinstance(order, list) or not all(isinstance(v, str) for v in order):
        raise InputError(f"{path}: 'tour.order' is {order!r}; expected an array of strings")
    for n, pid in enumerate(order):
        if pid not in ids:
            raise InputError(f"{path}: 'tour.order[{n}]' is {pid!r}; expected a pavilion id "
                             f"({known})")
    if len(set(order)) != len(order):
        raise InputError(f"{path}: 'tour.order' visits a pavilion twice; list each once")
    return tuple(order), sector_stops(pavilions, order, dwell)


def _parse_stops(path: Path, tables: Any, ids: list[str], known: str,
                 dwell: float) -> tuple[TourStop, ...]:
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError(f"{path}: 'tour.stop' must be an array of tables [[tour.stop]]")
    stops: list[TourStop] = []
    seen: dict[str, str] = {}
    for n, t in enumerate(tables):
        key = f"tour.stop[{n}]"
        for k in t:
            if k not in _STOP_KEYS:
                raise InputError(f"{path}: unknown key '{key}.{k}'; expected one of "
                                 + ", ".join(_STOP_KEYS))
        if "pavilion" not in t:
            raise InputError(f"{path}: '{key}' needs 'pavilion' (a pavilion id of this scene: "
                             f"{known})")
        pid = t["pavilion"]
        if pid not in ids:  # also catches a number or a list: ids are strings
            raise InputError(f"{path}: '{key}.pavilion' is {pid!r}; expected a pavilion id of "
                             f"this scene ({known})")
        if pid in seen:
            raise InputError(f"{path}: '{key}.pavilion' is {pid!r}, which '{seen[pid]}' visits "
                             "already; list each pavilion once")
        seen[pid] = key
        text = {lang: _narration(path, key, lang, t) for lang in _LANGUAGE}
        seconds = _seconds(path, f"{key}.seconds", t["seconds"]) if "seconds" in t else dwell
        stops.append(TourStop(pid, text["ko"], text["en"], seconds))
    return tuple(stops)


def _narration(path: Path, key: str, lang: str, table: dict[str, Any]) -> str:
    if lang not in table:
        raise InputError(f"{path}: '{key}' needs '{lang}' (the narration in {_LANGUAGE[lang]})")
    value = table[lang]
    if not isinstance(value, str):
        raise InputError(f"{path}: '{key}.{lang}' is {value!r}; expected a string (the "
                         f"narration in {_LANGUAGE[lang]})")
    # One paragraph, whatever line breaks a multi-line TOML string carried.
    text = " ".join(value.split())
    if not text:
        raise InputError(f"{path}: '{key}.{lang}' is empty; expected the narration in "
                         f"{_LANGUAGE[lang]}")
    return text


def _seconds(path: Path, key: str, value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not MIN_DWELL <= value <= MAX_DWELL:
        raise InputError(f"{path}: '{key}' is {value!r}; expected seconds between "
                         f"{MIN_DWELL:.0f} and {MAX_DWELL:.0f}")
    return float(value)
