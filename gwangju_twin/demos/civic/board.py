"""The civic participation board (pure): proposals pinned on the map by category, agreements,
the administrative dong of each pin, a per-dong summary and a heat map of proposals.

No free text and no personal data: a proposal is a place, a category and a count of
agreements. Rows live in the plugin's storage table, so they survive restarts and kills.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args

import numpy as np
import shapely

#: What a visitor can propose about.
Category = Literal["traffic", "safety", "green", "culture", "welfare"]
CATEGORIES: tuple[Category, ...] = get_args(Category)

#: Each category's Korean and English name and its colour on the map and in the legend.
CATEGORY_STYLE: dict[Category, tuple[str, str, tuple[float, float, float, float]]] = {
    "traffic": ("교통", "Traffic", (0.93, 0.55, 0.13, 1.0)),
    "safety": ("안전", "Safety", (0.86, 0.20, 0.22, 1.0)),
    "green": ("녹지", "Green", (0.25, 0.66, 0.32, 1.0)),
    "culture": ("문화", "Culture", (0.56, 0.35, 0.80, 1.0)),
    "welfare": ("복지", "Welfare", (0.16, 0.52, 0.85, 1.0)),
}


class Table(Protocol):
    """The part of a plugin storage table the board uses (``ctx.storage.table(name)``)."""

    def insert(self, row: dict[str, Any]) -> int: ...
    def rows(self) -> list[dict[str, Any]]: ...
    def get(self, row_id: int) -> dict[str, Any] | None: ...
    def update(self, row_id: int, **values: Any) -> None: ...


@dataclass(frozen=True)
class Proposal:
    """One pin: where (district metres; ``z`` the roof it stands on), what about, in which
    dong, how many agree."""

    id: int
    x: float
    y: float
    category: Category
    dong: str | None
    agrees: int
    z: float = 0.0


@dataclass(frozen=True)
class Dongs:
    """Administrative dongs as named polygons in district metres."""

    names: tuple[str, ...]
    polygons: np.ndarray
    names_en: tuple[str, ...] = ()
    """English names, where the data gives them (else the Korean name again)."""

    def english(self, name: str) -> str:
        """The English name of dong ``name`` (its own name when the data gives none)."""
        if name in self.names and self.names_en:
            return self.names_en[self.names.index(name)]
        return name

    @classmethod
    def from_areas(cls, names: Sequence[str | None], geometries: Sequence[Any],
                   tags: Sequence[Mapping[str, Any]],
                   names_en: Sequence[str | None] | None = None) -> Dongs:
        """The dongs among area features: the named polygons tagged as administrative
        boundaries (``boundary=administrative``, ``kind=dong``) or, in a file of boundaries
        that tags none (a statistics office's dong file), every named polygon. A dong is
        called by the last word of its name ("광주광역시 서구 치평동" -> "치평동"), and by
        the last two where two dongs share that word."""
        polygonal = [i for i in range(len(names))
                     if names[i] and shapely.get_type_id(geometries[i]) in (3, 6)]
        tagged = [i for i in polygonal
                  if tags[i].get("boundary") == "administrative" or tags[i].get("kind") == "dong"]
        keep = tagged or polygonal
        words = [str(names[i]).split() for i in keep]
        short = [w[-1] for w in words]
        # A dong name two districts share keeps its district: "서구 화정1동".
        shown = [" ".join(w[-2:]) if short.count(w[-1]) > 1 else w[-1] for w in words]
        english = tuple(str(names_en[i]) if names_en and names_en[i] else shown[k]
                        for k, i in enumerate(keep))
        return cls(tuple(shown), np.array([geometries[i] for i in keep], dtype=object), english)

    def of(self, x: Any, y: Any) -> np.ndarray:
        """The dong name of each point (``None`` outside every dong); the first dong wins
        where boundaries overlap along an edge."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        found = np.full(x.shape, None, dtype=object)
        for name, polygon in zip(self.names, self.polygons, strict=True):
            inside = shapely.contains_xy(polygon, x, y) & (found == None)  # noqa: E711
            found[inside] = name
        return found


class Board:
    """The proposals of one booth (or desktop), kept in ``table``."""

    def __init__(self, table: Table, dongs: Dongs,
                 bounds: tuple[float, float, float, float]) -> None:
        self._table = table
        self.dongs = dongs
        self.bounds = bounds

    def propose(self, x: float, y: float, category: str, z: float = 0.0) -> Proposal:
        """Pin a new proposal of ``category`` at (x, y), standing at height ``z`` (a roof);
        ValueError for an unknown category or a place outside the district."""
        if category not in CATEGORIES:
            raise ValueError(f"category {category!r}: expected one of {', '.join(CATEGORIES)}")
        x0, y0, x1, y1 = self.bounds
        if not (np.isfinite(x) and np.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
            raise ValueError(f"({x:.0f}, {y:.0f}) is outside the district")
        dong = self.dongs.of(x, y)[0]
        row = {"x": float(x), "y": float(y), "z": float(z), "category": category, "dong": dong,
               "agrees": 0}
        return _proposal({**row, "id": self._table.insert(row)})

    def agree(self, proposal_id: int) -> Proposal:
        """Count one more agreement with a proposal; KeyError when there is no such pin."""
        row = self._table.get(proposal_id)
        if row is None:
            raise KeyError(proposal_id)
        agrees = int(row["agrees"]) + 1
        self._table.update(proposal_id, agrees=agrees)
        return _proposal({**row, "agrees": agrees})

    def proposals(self) -> list[Proposal]:
        """Every proposal, oldest first (rows of unknown categories are skipped)."""
        return [_proposal(r) for r in self._table.rows() if r.get("category") in CATEGORIES]

    def by_category(self) -> dict[Category, int]:
        """How many proposals each category has (every category, zeros included)."""
        counts: dict[Category, int] = dict.fromkeys(CATEGORIES, 0)
        for p in self.proposals():
            counts[p.category] += 1
        return counts

    def by_dong(self) -> dict[str, dict[Category, int]]:
        """Per dong (in the dongs' order), the proposals of each category."""
        table = {name: dict.fromkeys(CATEGORIES, 0) for name in self.dongs.names}
        for p in self.proposals():
            if p.dong in table:
                table[p.dong][p.category] += 1
        return table

    def heat(self, cell: float = 40.0, spread: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
        """A heat map of proposals weighted by 1 + agreements, per category: an array of
        shape (categories, rows, columns) smoothed with a Gaussian of ``spread`` cells, and
        the (x, y) centres of the cells as an (rows, columns, 2) array."""
        x0, y0, x1, y1 = self.bounds
        nx = max(1, int(np.ceil((x1 - x0) / cell)))
        ny = max(1, int(np.ceil((y1 - y0) / cell)))
        grid = np.zeros((len(CATEGORIES), ny, nx))
        for p in self.proposals():
            i = min(ny - 1, int((p.y - y0) // cell))
            j = min(nx - 1, int((p.x - x0) // cell))
            grid[CATEGORIES.index(p.category), i, j] += 1 + p.agrees
        radius = max(1, int(np.ceil(3 * spread)))
        kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / spread) ** 2)
        kernel /= kernel.sum()
        # Separable blur: rows, then columns, keeping each category apart.
        grid = np.apply_along_axis(np.convolve, 2, grid, kernel, mode="same")
        grid = np.apply_along_axis(np.convolve, 1, grid, kernel, mode="same")
        xs = x0 + (np.arange(nx) + 0.5) * cell
        ys = y0 + (np.arange(ny) + 0.5) * cell
        centres = np.stack(np.meshgrid(xs, ys), axis=-1)
        return grid, centres


def _proposal(row: Mapping[str, Any]) -> Proposal:
    return Proposal(int(row["id"]), float(row["x"]), float(row["y"]), row["category"],
                    row.get("dong"), int(row.get("agrees", 0)), float(row.get("z", 0.0)))
