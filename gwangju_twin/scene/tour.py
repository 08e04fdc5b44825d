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
from gwangju_twin.scene.wording import TourWording
from gwangju_twin.schema import CheckError, Key, Spot, Table, walk

#: Seconds the tour stays at a stop when neither the stop nor ``dwell_seconds`` says.
DEFAULT_DWELL = 20.0
#: The dwell range: long enough to read a line, short enough that a kiosk tour moves on.
MIN_DWELL, MAX_DWELL = 3.0, 600.0

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
    tour: tuple[tuple[str, ...], tuple[TourStop, ...]]
    tour = walk(table, tour_table(pavilions), path, label="tour")
    return tour


def tour_table(pavilions: Sequence[PavilionSpec]) -> Table:
    """The keys of ``[tour]`` and of its ``[[tour.stop]]`` rows, for a scene with these
    ``pavilions`` (docs/scenes.md); the table's check gives the ids in order and the stops."""
    return _Tour(tuple(pavilions)).table()


@dataclass(frozen=True)
class _Tour:
    """The tour's keys and rules, which need the scene's pavilions."""

    pavilions: tuple[PavilionSpec, ...]

    @property
    def known(self) -> str:
        """The pavilion ids, for messages."""
        return ", ".join(p.id for p in self.pavilions) or "the scene has no [[pavilion]]"

    def table(self) -> Table:
        ids = tuple(p.id for p in self.pavilions)
        stop = Table((
            Key("pavilion", "choice", f"a pavilion id of this scene: {self.known}",
                required=True, choices=ids,
                expected=f"a pavilion id of this scene ({self.known})"),
            *(Key(lang, "str", f"the narration in {name}", required=True,
                  field=f"narration_{lang}", expected=f"a string (the narration in {name})",
                  check=_narration)
              for lang, name in _LANGUAGE.items()),
            Key("seconds", "number", "this stop's dwell (default: the tour's dwell_seconds)",
                unit="seconds", range=(MIN_DWELL, MAX_DWELL)),
        ))
        return Table((
            Key("dwell_seconds", "number", "seconds at each stop", default=DEFAULT_DWELL,
                unit="seconds", range=(MIN_DWELL, MAX_DWELL)),
            Key("order", "list", "the pavilion ids in tour order, narrated by their sectors",
                expected="an array of strings", check=self.order),
            Key("stop", "tables", "one table per stop, in tour order", table=stop,
                check=self.once),
        ), check=self.tour, wording=TourWording())

    def order(self, value: list[Any], spot: Spot) -> list[str]:
        """``order``: pavilion ids of this scene, each once."""
        if not all(isinstance(v, str) for v in value):
            raise CheckError
        ids = [p.id for p in self.pavilions]
        for n, pid in enumerate(value):
            if pid not in ids:
                raise CheckError(message=f"'{spot.name}[{n}]' is {pid!r}; expected a pavilion "
                                         f"id ({self.known})")
        if len(set(value)) != len(value):
            raise CheckError(message=f"{spot.where} visits a pavilion twice; list each once")
        return value

    def once(self, rows: list[dict[str, Any]], spot: Spot) -> list[dict[str, Any]]:
        """``[[tour.stop]]``: no pavilion visited twice."""
        seen: dict[str, str] = {}
        for n, row in enumerate(rows):
            key, pid = f"{spot.name}[{n}]", row["pavilion"]
            if pid in seen:
                raise CheckError(message=f"'{key}.pavilion' is {pid!r}, which '{seen[pid]}' "
                                         "visits already; list each pavilion once")
            seen[pid] = key
        return rows

    def tour(self, values: dict[str, Any],
             spot: Spot) -> tuple[tuple[str, ...], tuple[TourStop, ...]]:
        """The ids in tour order and the stops, from ``order`` or ``[[tour.stop]]``."""
        if values["order"] is not None and values["stop"] is not None:
            raise CheckError(message=f"'{spot.table}.order' and [[tour.stop]] are both given; "
                                     "use one: order for ids only, [[tour.stop]] for stops "
                                     "with narration")
        dwell = values["dwell_seconds"]
        if values["stop"] is None:
            order = tuple(values["order"] or ())
            return order, sector_stops(self.pavilions, order, dwell)
        stops = tuple(TourStop(**{**row, "seconds": dwell if row["seconds"] is None
                                  else row["seconds"]}) for row in values["stop"])
        return tuple(s.pavilion for s in stops), stops


def _narration(value: str, spot: Spot) -> str:
    # One paragraph, whatever line breaks a multi-line TOML string carried.
    text = " ".join(value.split())
    if not text:
        assert spot.key is not None
        raise CheckError(message=f"{spot.where} is empty; expected {spot.key.doc}")
    return text
