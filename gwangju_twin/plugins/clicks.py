"""Clicks for demos (``ctx.on_click``, ``ctx.on_building_click``): who is told what.

The touring interface picks with one ray per click (gwangju_twin.picking; no collision
nodes). A demo's own nodes are not in that index: they are tested here against their boxes
in district coordinates, all at once with numpy, and the nearer of the two hits wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ClickEvent:
    """A click (or tap) on one of the demo's nodes.

    Attributes:
        point: where the ray met the node's box, district metres (x, y, z).
        node: the node the demo registered with ``ctx.on_click``.
    """

    point: tuple[float, float, float]
    node: Any


class Clicks:
    """A demo's click callbacks: per node, and for buildings."""

    def __init__(self) -> None:
        self._nodes: list[tuple[Any, Callable[[ClickEvent], None]]] = []
        self._buildings: list[Callable[[int], None]] = []

    def on_click(self, node: Any, fn: Callable[[ClickEvent], None]) -> None:
        """Call ``fn(event)`` when the visitor clicks ``node`` (or anything under it)."""
        if not callable(fn):
            raise TypeError("a click callback must be callable with one argument (the event)")
        if node is None or not hasattr(node, "get_tight_bounds"):
            raise TypeError("on_click needs one of the demo's nodes (a NodePath)")
        self._nodes = [(n, f) for n, f in self._nodes if n is not node] + [(node, fn)]

    def on_building_click(self, fn: Callable[[int], None]) -> None:
        """Call ``fn(row)`` when the visitor clicks a building (``row`` indexes
        ``ctx.district.buildings``)."""
        if not callable(fn):
            raise TypeError("a building click callback must be callable with one argument")
        self._buildings.append(fn)

    @property
    def nodes(self) -> list[tuple[Any, Callable[[ClickEvent], None]]]:
        """The registered nodes that still exist, with their callbacks (host use)."""
        self._nodes = [(n, f) for n, f in self._nodes if not n.is_empty()]
        return list(self._nodes)

    @property
    def building_callbacks(self) -> tuple[Callable[[int], None], ...]:
        """The building-click callbacks, in the order they were added (host use)."""
        return tuple(self._buildings)

    def clear(self) -> None:
        """Forget every callback (host use: the plugin is torn down)."""
        self._nodes.clear()
        self._buildings.clear()


def ray_boxes(origin: Sequence[float], direction: Sequence[float], lo: np.ndarray,
              hi: np.ndarray) -> np.ndarray:
    """Where the ray ``origin`` + t ``direction`` (t >= 0) first meets each axis-aligned box
    ``lo[i]``..``hi[i]`` (arrays (N, 3)): the t of each, inf where it misses (slab test)."""
    o = np.asarray(origin, np.float64)
    d = np.asarray(direction, np.float64)
    lo = np.asarray(lo, np.float64).reshape(-1, 3)
    hi = np.asarray(hi, np.float64).reshape(-1, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / d
        t0, t1 = (lo - o) * inv, (hi - o) * inv
    tmin, tmax = np.minimum(t0, t1), np.maximum(t0, t1)
    # An axis the ray runs parallel to: inside that slab it never leaves it, outside it
    # never enters.
    parallel = d == 0
    inside = (o >= lo) & (o <= hi)
    tmin = np.where(parallel, np.where(inside, -np.inf, np.inf), tmin)
    tmax = np.where(parallel, np.where(inside, np.inf, -np.inf), tmax)
    near, far = tmin.max(axis=1), tmax.min(axis=1)
    hit = (near <= far) & (far >= 0)
    return np.where(hit, np.maximum(near, 0.0), np.inf)
