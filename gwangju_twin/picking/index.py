"""Ray picking on merged MeshBatches (pure numpy): one index for the whole city.

Triangles are binned into a uniform xy grid by their padded bounding boxes (CSR: cell ->
triangle ids). A pick walks the cells under the ray's ground projection in order, drops cells
whose height range the ray passes above or below, and runs a vectorised Möller–Trumbore test
on the candidates of a few cells at a time, stopping once the nearest hit lies before the end
of the cells tested so far. Chunks grow fourfold, so a long miss costs a handful of numpy
calls rather than one per cell.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch

#: Metres added around every triangle's box when binning, so a ray that passes a cell corner
#: within rounding error still meets the triangles there.
PAD = 1e-3
#: Hits this close (metres) count as one: coincident walls of touching buildings then resolve
#: to the lowest feature id, the same answer whichever cell found them first.
TIE = 1e-6
#: Aimed-for triangles per occupied cell when the cell size is chosen automatically.
PER_CELL = 8.0
MAX_CELLS = 1 << 22
FIRST_CHUNK = 256  # candidate triangles tested first; each further chunk is 4x larger


@dataclass(frozen=True)
class Hit:
    """The nearest surface a ray meets: its feature, the point (local metres), the distance."""

    feature: int  # district row (>= 0) or pavilion feature id (< 0)
    point: tuple[float, float, float]
    distance: float  # along the normalised ray, metres


class Picker(Protocol):
    """What picking offers the interface: a ``PickIndex`` over merged meshes, or a baked
    city's ``tiles.picking.TiledPicker``."""

    def pick(self, origin: Sequence[float], direction: Sequence[float],
             max_distance: float = math.inf) -> Hit | None:
        """The nearest surface a ray meets within ``max_distance``, or None."""
        ...

    def triangles_of(self, feature: int) -> np.ndarray:
        """``feature``'s triangles, float32 (k, 3, 3)."""
        ...


class PickIndex:
    """Triangles of pickable batches, sorted by feature and binned in an xy grid.

    Make one with ``PickIndex.build``; the constructor takes the prepared arrays.
    """

    def __init__(self, tri: np.ndarray, feat: np.ndarray, cell: float | None) -> None:
        self._tri = tri  # float32 (T, 3, 3), sorted by feature
        self._feat = feat  # int32 (T,)
        self._features, first = np.unique(feat, return_index=True)
        self._offsets = np.append(first, len(feat))
        for arr in (self._tri, self._feat, self._features):
            arr.flags.writeable = False
        self._cell = 0.0
        if len(tri):
            self._bin(cell)

    @classmethod
    def build(cls, batches: Sequence[MeshBatch], materials: Collection[str] = ("solid", "pavilion"),
              cell: float | None = None) -> PickIndex:
        """Index the triangles of the triangle batches whose material is in ``materials``.

        ``cell`` is the grid cell size in metres; None chooses one from the triangle density.
        """
        if cell is not None and not (math.isfinite(cell) and cell > 0):
            raise ValueError(f"cell size {cell!r}: expected a positive number of metres")
        if isinstance(materials, str):  # one name, not its letters
            materials = (materials,)
        tris, feats = [], []
        for b in batches:
            if b.material in materials and b.primitive == "triangles" and b.primitive_count:
                tris.append(np.asarray(b.positions, np.float32)[b.indices])
                feats.append(np.asarray(b.feature_ids, np.int32)[b.indices[:, 0]])
        if not tris:
            return cls(np.zeros((0, 3, 3), np.float32), np.zeros(0, np.int32), cell)
        feat = np.concatenate(feats)
        order = np.argsort(feat, kind="stable")
        return cls(np.concatenate(tris)[order], feat[order], cell)

    @property
    def triangle_count(self) -> int:
        """Number of indexed triangles."""
        return len(self._feat)

    @property
    def features(self) -> np.ndarray:
        """Sorted unique feature ids that have triangles in the index."""
        return self._features

    @property
    def cell(self) -> float:
        """The grid's cell size in metres (0 for an empty index)."""
        return self._cell

    def triangles_of(self, feature: int) -> np.ndarray:
        """float32 (k, 3, 3) read-only view of ``feature``'s triangles; (0, 3, 3) if unknown."""
        i = int(np.searchsorted(self._features, feature))
        if i == len(self._features) or self._features[i] != feature:
            return self._tri[:0]
        return self._tri[self._offsets[i]:self._offsets[i + 1]]

    def _bin(self, cell: float | None) -> None:
        lo = self._tri.min(axis=1).astype(np.float64) - PAD
        hi = self._tri.max(axis=1).astype(np.float64) + PAD
        self._lo, self._hi = lo.min(axis=0), hi.max(axis=0)
        span = np.maximum(self._hi[:2] - self._lo[:2], PAD)
        if cell is None:
            # Sized for the occupied area (cells holding triangles), not the bounding box, so
            # a sparse city with a far-off outlier still gets small cells where it is dense.
            cell = math.sqrt(span[0] * span[1] * PER_CELL / len(lo))
            share = _occupied_cells(lo, hi, self._lo, cell) / (span[0] * span[1] / cell**2)
            cell *= math.sqrt(min(1.0, share))
        cell = max(cell, math.sqrt(span[0] * span[1] / MAX_CELLS))
        nx, ny = (max(1, math.ceil(s / cell)) for s in span)
        self._cell, self._nx, self._ny = float(cell), nx, ny

        c0 = np.clip(((lo[:, :2] - self._lo[:2]) / cell).astype(np.int64), 0, [nx - 1, ny - 1])
        c1 = np.clip(((hi[:, :2] - self._lo[:2]) / cell).astype(np.int64), 0, [nx - 1, ny - 1])
        w = c1 - c0 + 1
        n = w[:, 0] * w[:, 1]
        tid = np.repeat(np.arange(len(n), dtype=np.int64), n)
        k = np.arange(len(tid), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        wx = w[tid, 0]
        cid = (c0[tid, 1] + k // wx) * nx + c0[tid, 0] + k % wx
        order = np.argsort(cid, kind="stable")
        self._entries = tid[order].astype(np.int32)
        self._count = np.bincount(cid, minlength=nx * ny)
        self._start = np.concatenate([[0], np.cumsum(self._count)[:-1]])
        filled = np.flatnonzero(self._count)
        self._zmin = np.full(nx * ny, np.inf)
        self._zmax = np.full(nx * ny, -np.inf)
        self._zmin[filled] = np.minimum.reduceat(lo[self._entries, 2], self._start[filled])
        self._zmax[filled] = np.maximum.reduceat(hi[self._entries, 2], self._start[filled])

    def pick(self, origin: Sequence[float], direction: Sequence[float],
             max_distance: float = math.inf) -> Hit | None:
        """The nearest triangle (either face) the ray meets within ``max_distance``, or None."""
        o = [float(v) for v in origin]
        d = [float(v) for v in direction]
        norm = math.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2)
        if not (math.isfinite(norm) and norm > 0 and all(map(math.isfinite, o))):
            raise ValueError(f"ray {tuple(origin)} -> {tuple(direction)}: expected a finite "
                             "origin and a non-zero direction")
        d = [v / norm for v in d]
        if not self.triangle_count:
            return None
        span = _clip_to_box(o, d, self._lo, self._hi, 0.0, max_distance)
        if span is None:
            return None
        cells, tout = self._walk(o, d, *span)
        if not len(cells):
            return None
        n = self._count[cells]
        ends = np.cumsum(n)
        best_t, best_f = math.inf, 0
        begin, budget, done = 0, FIRST_CHUNK, 0
        while begin < len(cells):
            end = min(int(np.searchsorted(ends, done + budget)) + 1, len(cells))
            cand = _ranges(self._start[cells[begin:end]], n[begin:end], self._entries)
            t = _intersect(self._tri[cand], o, d, max_distance)
            tmin = float(t.min())
            if tmin < best_t + TIE:
                f = int(self._feat[cand[t <= tmin + TIE]].min())
                best_f = f if tmin < best_t - TIE else min(f, best_f)
                best_t = min(best_t, tmin)
            if best_t <= tout[end - 1]:
                break
            begin, done, budget = end, int(ends[end - 1]), budget * 4
        if not math.isfinite(best_t):
            return None
        point = (o[0] + best_t * d[0], o[1] + best_t * d[1], o[2] + best_t * d[2])
        return Hit(best_f, point, best_t)

    def _walk(self, o: list[float], d: list[float], t0: float,
              t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Occupied cells the ray crosses between t0 and t1, in order, whose height range it
        meets; and the ray parameter where it leaves each."""
        cell, nx, ny = self._cell, self._nx, self._ny
        ix0, iy0 = self._cell_of(o, d, t0)
        ix1, iy1 = self._cell_of(o, d, t1)
        ts, sx, sy = [], [], []
        for axis, a0, a1 in ((0, ix0, ix1), (1, iy0, iy1)):
            if a0 == a1:
                continue
            ks = np.arange(a0 + 1, a1 + 1) if a1 > a0 else np.arange(a0, a1, -1)
            ts.append((self._lo[axis] + ks * cell - o[axis]) / d[axis])
            step = np.full(len(ks), 1 if a1 > a0 else -1)
            sx.append(step if axis == 0 else np.zeros_like(step))
            sy.append(step if axis == 1 else np.zeros_like(step))
        if ts:
            t = np.concatenate(ts)
            order = np.argsort(t, kind="stable")
            t = np.clip(t[order], t0, t1)
            ix = ix0 + np.concatenate([[0], np.cumsum(np.concatenate(sx)[order])])
            iy = iy0 + np.concatenate([[0], np.cumsum(np.concatenate(sy)[order])])
            cells = np.clip(iy, 0, ny - 1) * nx + np.clip(ix, 0, nx - 1)
            tin, tout = np.concatenate([[t0], t]), np.concatenate([t, [t1]])
        else:
            cells = np.array([iy0 * nx + ix0])
            tin, tout = np.array([t0]), np.array([t1])
        z_in, z_out = o[2] + tin * d[2], o[2] + tout * d[2]
        keep = ((self._count[cells] > 0) & (np.minimum(z_in, z_out) <= self._zmax[cells])
                & (np.maximum(z_in, z_out) >= self._zmin[cells]))
        return cells[keep], tout[keep]

    def _cell_of(self, o: list[float], d: list[float], t: float) -> tuple[int, int]:
        gx = (o[0] + t * d[0] - self._lo[0]) / self._cell
        gy = (o[1] + t * d[1] - self._lo[1]) / self._cell
        return (min(max(math.floor(gx), 0), self._nx - 1),
                min(max(math.floor(gy), 0), self._ny - 1))


def ground_point(origin: Sequence[float], direction: Sequence[float],
                 z: float = 0.0) -> tuple[float, float, float] | None:
    """Where the ray meets the horizontal plane at height ``z``; None if parallel or behind."""
    ox, oy, oz = (float(v) for v in origin)
    dx, dy, dz = (float(v) for v in direction)
    if dz == 0.0 or not math.isfinite(dz):
        return None
    t = (z - oz) / dz
    if t < 0:
        return None
    return (ox + t * dx, oy + t * dy, float(z))


def _occupied_cells(lo: np.ndarray, hi: np.ndarray, origin: np.ndarray, cell: float) -> int:
    """How many cells of size ``cell`` hold a triangle centre (a cheap occupancy estimate)."""
    c = (((lo[:, :2] + hi[:, :2]) / 2 - origin[:2]) // cell).astype(np.int64)
    return max(1, len(np.unique(c[:, 0] * (int(c[:, 1].max()) + 1) + c[:, 1])))


def _clip_to_box(o: list[float], d: list[float], lo: np.ndarray, hi: np.ndarray, t0: float,
                 t1: float) -> tuple[float, float] | None:
    """The ray's parameter interval inside the box (slab test), or None."""
    for a in range(3):
        if d[a] == 0.0:
            if not lo[a] <= o[a] <= hi[a]:
                return None
            continue
        ta, tb = (lo[a] - o[a]) / d[a], (hi[a] - o[a]) / d[a]
        t0, t1 = max(t0, min(ta, tb)), min(t1, max(ta, tb))
    return (float(t0), float(t1)) if t0 <= t1 else None


def _ranges(starts: np.ndarray, lens: np.ndarray, entries: np.ndarray) -> np.ndarray:
    """entries[starts[i] : starts[i] + lens[i]] for every i, concatenated."""
    shift = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    return entries[np.arange(len(shift)) + shift]


def _intersect(tri: np.ndarray, o: list[float], d: list[float], t_max: float) -> np.ndarray:
    """Möller–Trumbore for one ray against (k, 3, 3) triangles, both faces: the distance of
    each hit in [0, t_max], inf where the ray misses."""
    p0 = tri[:, 0].astype(np.float64)
    e1, e2 = tri[:, 1] - p0, tri[:, 2] - p0
    dv = np.array(d)
    pvec = np.cross(dv, e2)
    det = np.einsum("ij,ij->i", e1, pvec)
    ok = np.abs(det) > 1e-12
    inv = 1.0 / np.where(ok, det, 1.0)
    tvec = np.array(o) - p0
    u = np.einsum("ij,ij->i", tvec, pvec) * inv
    qvec = np.cross(tvec, e1)
    v = (qvec @ dv) * inv
    t = np.einsum("ij,ij->i", e2, qvec) * inv
    ok &= (u >= 0) & (v >= 0) & (u + v <= 1) & (t >= 0) & (t <= t_max)
    return np.where(ok, t, np.inf)
