"""Occlusion culling: which boxes are hidden from a camera behind nearer opaque polygons.

A street view in a dense city looks at a wall a few dozen metres away; the renderer would
still be sent every tile behind it, and on a software rasteriser shading their hidden
walls costs most of the frame. Here the walls of the nearest tiles are drawn into a small
depth buffer (``COLS`` x ``ROWS`` cells, 10 x 10 pixels of a 1280 x 720 picture) and each
tile's box is tested against it.

The buffer is **conservative**, so a box found hidden draws no pixel:

- a cell holds a polygon's depth only where the polygon covers the *whole* cell, and then
  the polygon's *farthest* depth over the cell (``z = h / (n . d)`` over a cell is largest
  at one of its corners: ``n . d`` is linear in the screen position);
- a cell is covered when its four corners lie inside the polygon (convex) by at least
  ``EDGE_MARGIN_PX`` pixels, and in front of the near plane and before the far one: the
  renderer draws a pixel whose centre lies inside, and a pixel's centre inside a covered
  cell is so as well;
- only front faces count (the renderer culls back faces), and only convex planar polygons;
- a box is hidden when its nearest corner lies farther than the farthest depth of every cell
  its projection can touch (from a max-depth pyramid: a box's cells are read as at most
  4 x 4 blocks of one level, a slightly larger area, never a smaller one), by a margin
  greater than the depth buffer's resolution there; a box reaching behind the near plane is
  never hidden.

Polygons are tested against the camera's edge planes (a plane through the eye and each
edge), not projected, so a wall reaching behind the camera needs no clipping: every test
is a linear inequality in screen coordinates, solved per row of cell corners for the span
of cells inside. All of it is whole numpy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gwangju_twin.tiles.select import View

#: The depth buffer's width and height in cells.
COLS = 128
ROWS = 72
#: How far inside a polygon (pixels) a covered cell's corners must lie: pixel centres lie at
#: least half a pixel inside a cell aligned with the pixels, and the rasteriser's own
#: rounding is finer than this, so a cell covered here is drawn whole there.
EDGE_MARGIN_PX = 0.25
#: The bits of the picture's depth buffer assumed when it is not known: its resolution sets
#: how much farther than an occluder a box must be to be sure to lose the depth test.
DEPTH_BITS = 16

#: Tiles are taken nearest first in batches, the first of this many, each next one twice
#: as large; each batch is tested against the occluders of the nearer batches.
FIRST_BATCH = 4
#: Only the occluders of this many nearest boxes found visible are drawn: farther walls are
#: small on the picture and rarely cover a cell the nearer ones left open.
LENDERS = 8

#: At most this many polygons are drawn per ``OcclusionBuffer.add``, the largest on the
#: picture: it bounds the test's cost when many walls are small (a view from above).
BUDGET = 1024

#: Corners of a box (x0, y0, z0, x1, y1, z1): which of its six numbers each corner takes.
_CORNERS = np.array([[x, y, z] for x in (0, 3) for y in (1, 4) for z in (2, 5)])


@dataclass(frozen=True)
class Occluders:
    """Opaque faces that hide what is behind them: convex planar polygons (k, 4, 3)
    float32, counter-clockwise seen from the front (a triangle repeats its last corner),
    with each one's centre (k, 3) and the radius of a sphere about it holding it (k,),
    largest first, so the polygons large enough to matter from a distance are a prefix."""

    polygons: np.ndarray
    centres: np.ndarray
    radii: np.ndarray

    @staticmethod
    def none() -> Occluders:
        """No occluders."""
        return Occluders(np.zeros((0, 4, 3), np.float32), np.zeros((0, 3), np.float32),
                         np.zeros(0, np.float32))

    @staticmethod
    def of(polygons: np.ndarray) -> Occluders:
        """Occluders from polygons (k, 4, 3), sorted largest first."""
        poly = np.asarray(polygons, dtype=np.float32).reshape(-1, 4, 3)
        centres = poly.mean(axis=1)
        radii = np.sqrt(((poly - centres[:, None, :]) ** 2).sum(axis=2).max(axis=1))
        order = np.argsort(-radii, kind="stable")
        return Occluders(poly[order], centres[order], radii[order])

    @staticmethod
    def join(parts: Sequence[Occluders]) -> Occluders:
        """All of ``parts`` as one set."""
        if not parts:
            return Occluders.none()
        if len(parts) == 1:
            return parts[0]
        radii = np.concatenate([p.radii for p in parts])
        order = np.argsort(-radii, kind="stable")
        return Occluders(np.concatenate([p.polygons for p in parts])[order],
                         np.concatenate([p.centres for p in parts])[order], radii[order])

    def __len__(self) -> int:
        return len(self.radii)

    @property
    def nbytes(self) -> int:
        """Memory its arrays hold."""
        return self.polygons.nbytes + self.centres.nbytes + self.radii.nbytes

    def at_least(self, radius: float) -> Occluders:
        """Those whose radius is ``radius`` or more."""
        n = int(np.searchsorted(-self.radii, -radius, side="right"))
        return self if n == len(self) else Occluders(self.polygons[:n], self.centres[:n],
                                                     self.radii[:n])


def occluders_of(positions: np.ndarray, indices: np.ndarray) -> Occluders:
    """The faces of a closed opaque triangle batch as occluders (``occluder_polygons``),
    but for those looking down (a prism's floor): the camera is above them, where they are
    back faces, and an occluder left out only hides less (a fifth fewer bytes to hold)."""
    poly = occluder_polygons(positions, indices)
    normal = np.cross(poly[:, 2] - poly[:, 0], poly[:, 3] - poly[:, 1])
    down = normal[:, 2] < -0.5 * np.linalg.norm(normal, axis=1)
    return Occluders.of(poly[~down])


def occluder_polygons(positions: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The convex planar polygons of a triangle batch as occluders, (k, 4, 3) float32 in
    the batch's frame, counter-clockwise seen from the front.

    Two triangles in a row ``(a, b, c), (a, c, d)`` that make a planar convex quad become
    ``(a, b, c, d)`` (a prism's wall is such a pair, and a wall split along its diagonal
    would cover no cell the diagonal crosses); every other triangle becomes ``(a, b, c, c)``,
    whose repeated corner adds an edge of length zero that constrains nothing. Degenerate
    triangles are dropped."""
    pos = np.asarray(positions, dtype=np.float64)
    tri = np.asarray(indices, dtype=np.int64).reshape(-1, 3)
    m = len(tri)
    if m == 0:
        return np.zeros((0, 4, 3), np.float32)
    # Candidate pairs (i, i + 1); of a run of candidates (a fan) every other one is taken.
    cand = np.zeros(m, bool)
    if m > 1:
        cand[:-1] = (tri[1:, 0] == tri[:-1, 0]) & (tri[1:, 1] == tri[:-1, 2])
    idx = np.arange(m)
    starts = np.where(cand & ~np.concatenate([[False], cand[:-1]]), idx, 0)
    run_start = np.maximum.accumulate(starts)
    take = cand & ((idx - run_start) % 2 == 0)
    first = np.flatnonzero(take)
    quads = np.column_stack([tri[first], tri[first + 1, 2]])
    q = pos[quads]
    ok = _convex_planar(q)
    first, q = first[ok], q[ok]
    single = np.ones(m, bool)
    single[first] = False
    single[first + 1] = False
    t = pos[tri[single]]
    area = np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1)
    t = t[area > 1e-9]
    tris = np.concatenate([t, t[:, 2:3]], axis=1)
    return np.concatenate([q, tris]).astype(np.float32)


def _convex_planar(q: np.ndarray) -> np.ndarray:
    """Whether each quad (k, 4, 3) is planar (to a millionth of its size) and strictly
    convex, counter-clockwise about its normal."""
    n = np.cross(q[:, 2] - q[:, 0], q[:, 3] - q[:, 1])
    size = np.linalg.norm(n, axis=1)
    nn = n / np.where(size > 0, size, 1.0)[:, None]
    scale = np.sqrt(size) + 1e-12
    flat = np.abs(((q - q[:, :1]) * nn[:, None, :]).sum(axis=2)).max(axis=1) <= 1e-6 * scale
    turns = np.cross(np.roll(q, -1, axis=1) - q, np.roll(q, -2, axis=1) - np.roll(q, -1, axis=1))
    convex = ((turns * nn[:, None, :]).sum(axis=2) > 1e-12 * size[:, None]).all(axis=1)
    return np.asarray((size > 1e-12) & flat & convex)


class OcclusionBuffer:
    """A conservative max-depth buffer of ``cols`` x ``rows`` cells for ``view`` (its
    ``height_px`` picture, as wide as its field of view makes it). ``add`` draws occluders
    into it; ``occluded`` tells which boxes are hidden behind them."""

    def __init__(self, view: View, cols: int = COLS, rows: int = ROWS,
                 depth_bits: int = DEPTH_BITS) -> None:
        if cols < 1 or rows < 1:
            raise ValueError(f"{cols}x{rows} cells: expected at least one")
        self.view = view
        self.cols, self.rows = int(cols), int(rows)
        self.tx = math.tan(math.radians(view.fov_x) / 2.0)
        self.ty = math.tan(math.radians(view.fov_y) / 2.0)
        self.height_px = float(view.height_px)
        self.width_px = self.height_px * self.tx / self.ty
        self.depth_bits = depth_bits
        #: Per cell (rows, cols; row 0 at the bottom): the farthest depth (metres along the
        #: view direction) of an occluder covering the whole cell; inf: none does.
        self.depth = np.full((self.rows, self.cols), np.inf)
        self._pyramid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.drawn = 0
        """How many occluders covered at least one cell."""

    # -- occluders -----------------------------------------------------------------------------

    def _screen(self, w: np.ndarray) -> np.ndarray:
        """For vectors ``w`` (..., 3), ``w . d(X, Y)`` as (const, X, Y) coefficients, where
        ``d(X, Y) = forward + X tan_x right + Y tan_y up`` is the ray through the point
        (X, Y) of the picture in normalised coordinates (-1..1)."""
        v = self.view
        return np.stack([w @ v.forward, self.tx * (w @ v.right), self.ty * (w @ v.up)], axis=-1)

    @property
    def reach(self) -> float:
        """A polygon whose radius is less than ``reach`` times its distance from the eye
        covers no cell: narrower than a cell seen anywhere on the picture (a cell's angular
        width is smallest in the picture's corners, by the square of the cosine there)."""
        cell = min(self.tx / self.cols, self.ty / self.rows) * 2.0
        return math.sin(cell / (1.0 + self.tx ** 2 + self.ty ** 2) / 2.0)

    def add(self, occluders: Occluders | Sequence[Occluders], chunk: int = 64,
            budget: int = BUDGET) -> int:
        """Draw ``occluders`` (one set or several) into the buffer: the ``budget`` largest
        on the picture, nearest first, ``chunk`` of them and then twice as many each time. A
        polygon behind what is drawn already, a back face, and a polygon too small or too
        far to cover a cell are left out (leaving one out only hides less). Returns how many
        covered a cell."""
        v = self.view
        parts = [occluders] if isinstance(occluders, Occluders) else list(occluders)
        eye32 = v.eye.astype(np.float32)
        polys, sizes = [], []
        for part in parts:  # the large enough ones of each part, before any copying
            if not len(part):
                continue
            dist = np.sqrt(((part.centres - eye32) ** 2).sum(axis=1))
            with np.errstate(divide="ignore"):
                angular = part.radii / dist  # the sine of half its angular size, at most
            big = np.flatnonzero(angular >= self.reach)
            polys.append(part.polygons[big])
            sizes.append(angular[big])
        if not polys:
            return 0
        poly = np.concatenate(polys)
        angular = np.concatenate(sizes)
        if len(poly) > budget:  # the largest on the picture: they cover the most
            poly = poly[np.argpartition(-angular, budget - 1)[:budget]]
        if not len(poly):
            return 0
        a = poly.astype(np.float64) - v.eye
        normal = np.cross(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1])
        # A front face has the eye on its normal's side: h = n . (eye - p) > 0.
        h = -(normal * a[:, 0]).sum(axis=1)
        front = np.flatnonzero(h > 1e-3 * np.linalg.norm(normal, axis=1))
        a, normal, h = a[front], normal[front], h[front]
        # The polygon's part in front of the near plane (convex: its corners in front and
        # where its edges cross the plane) bounds the rows and columns it can cover.
        z_v = a @ v.forward
        b = np.roll(a, -1, axis=1)
        z_b = np.roll(z_v, -1, axis=1)
        cross = (z_v - v.near) * (z_b - v.near) < 0
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(cross, (v.near - z_v) / (z_b - z_v), 0.0)
        pts = np.concatenate([a, a + w[:, :, None] * (b - a)], axis=1)  # (k, 8, 3)
        valid = np.concatenate([z_v >= v.near, cross], axis=1)
        pz = np.where(valid, pts @ v.forward, 1.0)
        px = (pts @ v.right) / (pz * self.tx)
        py = (pts @ v.up) / (pz * self.ty)
        # Clipped to just beyond the picture; a polygon wholly behind the near plane gets an
        # empty range.
        x_lo = np.clip(np.where(valid, px, 2.0).min(axis=1), -2.0, 2.0)
        x_hi = np.clip(np.where(valid, px, -2.0).max(axis=1), -2.0, 2.0)
        y_lo = np.clip(np.where(valid, py, 2.0).min(axis=1), -2.0, 2.0)
        y_hi = np.clip(np.where(valid, py, -2.0).max(axis=1), -2.0, 2.0)
        c, r = self.cols, self.rows
        # Corner rows and columns inside the polygon's reach.
        j0 = np.maximum(np.ceil((y_lo + 1.0) * r / 2.0), 0).astype(np.int64)
        j1 = np.minimum(np.floor((y_hi + 1.0) * r / 2.0), r).astype(np.int64)
        i0 = np.maximum(np.ceil((x_lo + 1.0) * c / 2.0), 0).astype(np.int64)
        i1 = np.minimum(np.floor((x_hi + 1.0) * c / 2.0), c).astype(np.int64)
        some = np.flatnonzero((j1 > j0) & (i1 > i0))
        near = np.where(valid, pz, np.inf).min(axis=1)
        order = some[np.argsort(near[some], kind="stable")]
        covered = 0
        at, size = 0, chunk
        while at < len(order):
            run = order[at:at + size]
            if at:  # behind everything drawn already over its cells: it adds nothing
                farthest = self._rect_max(i0[run], i1[run] - 1, j0[run], j1[run] - 1)
                run = run[~(near[run] > farthest)]
            if len(run):
                covered += self._raster(a[run], normal[run], h[run], j0[run], j1[run])
            at += size
            size *= 2
        self.drawn += covered
        return covered

    def _raster(self, a: np.ndarray, normal: np.ndarray, h: np.ndarray, j0: np.ndarray,
                j1: np.ndarray) -> int:
        """Draw front-facing polygons (corners ``a`` (k, 4, 3) from the eye, normals, and
        ``h``, the eye's height above each plane along its normal) over corner rows
        ``j0..j1``; how many covered a cell."""
        v = self.view
        c, r = self.cols, self.rows
        k = len(a)
        # Edge planes through the eye, turned so the polygon's inside is on their positive side.
        edges = np.cross(a, np.roll(a, -1, axis=1))
        inner = a.mean(axis=1)
        edges *= np.sign((edges * inner[:, None, :]).sum(axis=2))[:, :, None]
        cons = np.empty((k, 6, 3))
        cons[:, :4] = self._screen(edges)
        # The margin: EDGE_MARGIN_PX pixels, by each edge function's gradient in pixels.
        grad = np.hypot(cons[:, :4, 1] * 2.0 / self.width_px,
                        cons[:, :4, 2] * 2.0 / self.height_px)
        cons[:, :4, 0] -= EDGE_MARGIN_PX * grad
        # The ray eye + t d meets the plane at t = h / L with L = -n . d > 0, and t is the
        # depth (d . forward = 1): near <= h / L <= far is  h / near - L >= 0  and
        # L - h / far >= 0.
        lin = self._screen(-normal)
        near, far = v.near * 1.001, v.far * 0.999
        cons[:, 4] = -lin
        cons[:, 4, 0] += h / near
        cons[:, 5] = lin
        cons[:, 5, 0] -= h / far
        # Per polygon and row of corners, the span of X inside every constraint.
        rows_n = j1 - j0 + 1
        owner = np.repeat(np.arange(k), rows_n)
        first = np.cumsum(rows_n) - rows_n
        j = j0[owner] + (np.arange(owner.size) - first[owner])
        y = -1.0 + 2.0 * j / r
        cc = cons[owner]
        rest = cc[:, :, 0] + cc[:, :, 2] * y[:, None]  # inside: rest + q X >= 0
        q = cc[:, :, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = -rest / q
        lo = np.maximum(np.where(q > 0, bound, -np.inf).max(axis=1), -1.0)
        hi = np.minimum(np.where(q < 0, bound, np.inf).min(axis=1), 1.0)
        hi[((q == 0) & (rest < 0)).any(axis=1)] = -np.inf
        # Cells between a row of corners and the next one of the same polygon.
        pair = np.ones(owner.size, bool)
        pair[first + rows_n - 1] = False
        top = np.flatnonzero(pair)
        span_lo = np.maximum(lo[top], lo[top + 1])
        span_hi = np.maximum(np.minimum(hi[top], hi[top + 1]), -2.0)  # -inf: none
        ci0 = np.maximum(np.ceil((span_lo + 1.0) * c / 2.0), 0).astype(np.int64)
        ci1 = np.minimum(np.floor((span_hi + 1.0) * c / 2.0), c).astype(np.int64)
        count = np.maximum(ci1 - ci0, 0)
        live = np.flatnonzero(count)
        if not len(live):
            return 0
        top, ci0, count = top[live], ci0[live], count[live]
        span_owner = owner[top]
        # The farthest depth over a cell is h / (the least L over its corners); along a row
        # L = base + slope * column.
        ln = lin[span_owner]
        ylo = y[top]
        least_y = np.minimum(ln[:, 2] * ylo, ln[:, 2] * (ylo + 2.0 / r))
        slope = ln[:, 1] * 2.0 / c
        base = ln[:, 0] + least_y + np.minimum(0.0, slope) - ln[:, 1]
        total = int(count.sum())
        span = np.repeat(np.arange(len(top)), count)
        start = np.cumsum(count) - count
        column = np.arange(total) + (ci0 - start)[span]
        least = base[span] + slope[span] * column
        with np.errstate(divide="ignore"):
            z = np.where(least > 0, h[span_owner][span] / least, np.inf)
        np.minimum.at(self.depth.reshape(-1), j[top][span] * c + column, z)
        self._pyramid = None
        return int(np.count_nonzero(np.diff(span_owner)) + 1)  # owners come in order

    # -- tests ---------------------------------------------------------------------------------

    def _levels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The max-depth pyramid: every level's cells in one flat array, each level's first
        index and width. Cells beyond the picture (padding to a power of two) hold -inf:
        nothing there is seen."""
        if self._pyramid is None:
            side = 1 << max(self.cols - 1, self.rows - 1, 1).bit_length()
            level = np.full((side, side), -np.inf)
            level[:self.rows, :self.cols] = self.depth
            parts, starts, widths = [], [], []
            at = 0
            while True:
                parts.append(level.reshape(-1))
                starts.append(at)
                widths.append(level.shape[1])
                at += level.size
                if level.shape[0] == 1:
                    break
                level = np.maximum(np.maximum(level[0::2, 0::2], level[1::2, 0::2]),
                                   np.maximum(level[0::2, 1::2], level[1::2, 1::2]))
            self._pyramid = (np.concatenate(parts), np.array(starts), np.array(widths))
        return self._pyramid

    def margin(self, z: np.ndarray) -> np.ndarray:
        """How much farther (metres) than an occluder at depth ``z`` something must be to
        lose the depth test for certain: four steps of the depth buffer there (its step is
        ``z^2 / (near 2^bits)``), plus the rounding of float32 positions."""
        return 4.0 * z * z / (self.view.near * 2.0 ** self.depth_bits) + 1e-4 * z + 1e-3

    def occluded(self, boxes: np.ndarray) -> np.ndarray:
        """Which boxes (n, 6: x0, y0, z0, x1, y1, z1) are hidden (bool (n,)): wholly
        in front of the near plane, and behind the occluders wherever they reach on the
        picture. A box wholly beside the picture counts as hidden (it draws nothing)."""
        b = np.asarray(boxes, dtype=np.float64).reshape(-1, 6)
        out = np.zeros(len(b), bool)
        if not len(b):
            return out
        v = self.view
        corners = b[:, _CORNERS] - v.eye  # (n, 8, 3)
        z = corners @ v.forward
        zmin = z.min(axis=1)
        ahead = zmin >= v.near
        if not ahead.any():
            return out
        sel = np.flatnonzero(ahead)
        cz = z[sel]
        px = (corners[sel] @ v.right) / (cz * self.tx)
        py = (corners[sel] @ v.up) / (cz * self.ty)
        c, r = self.cols, self.rows
        i0 = np.floor((px.min(axis=1) + 1.0) * c / 2.0)
        i1 = np.ceil((px.max(axis=1) + 1.0) * c / 2.0) - 1
        j0 = np.floor((py.min(axis=1) + 1.0) * r / 2.0)
        j1 = np.ceil((py.max(axis=1) + 1.0) * r / 2.0) - 1
        beside = (i1 < 0) | (i0 > c - 1) | (j1 < 0) | (j0 > r - 1)
        i0 = np.clip(i0, 0, c - 1).astype(np.int64)
        i1 = np.clip(i1, 0, c - 1).astype(np.int64)
        j0 = np.clip(j0, 0, r - 1).astype(np.int64)
        j1 = np.clip(j1, 0, r - 1).astype(np.int64)
        farthest = self._rect_max(i0, i1, j0, j1)
        with np.errstate(invalid="ignore"):
            behind = zmin[sel] > farthest + self.margin(farthest)
        out[sel] = beside | (np.isfinite(farthest) & behind)
        return out

    def _rect_max(self, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray,
                  j1: np.ndarray) -> np.ndarray:
        """At least the largest depth over cells [i0..i1] x [j0..j1] (inclusive): the
        largest over the 4 x 4 blocks of the finest pyramid level holding them."""
        flat, starts, widths = self._levels()
        top = len(starts) - 1
        shift = np.zeros(len(i0), np.int64)
        for s in range(top, -1, -1):  # the finest level where 4 blocks a side suffice
            fits = ((i1 >> s) - (i0 >> s) <= 3) & ((j1 >> s) - (j0 >> s) <= 3)
            shift = np.where(fits, s, shift)
        bi0, bi1, bj0, bj1 = i0 >> shift, i1 >> shift, j0 >> shift, j1 >> shift
        d = np.arange(4)
        bi = np.minimum(bi0[:, None] + d[None, :], bi1[:, None])  # (n, 4)
        bj = np.minimum(bj0[:, None] + d[None, :], bj1[:, None])
        index = (starts[shift][:, None, None] + bj[:, :, None] * widths[shift][:, None, None]
                 + bi[:, None, :])
        return np.asarray(flat[index].reshape(len(i0), -1).max(axis=1))


def occluded_in_turn(view: View, boxes: np.ndarray, occluders: Sequence[Occluders],
                     first: int = FIRST_BATCH, lenders: int = LENDERS,
                     buffer: OcclusionBuffer | None = None,
                     depth_bits: int = DEPTH_BITS) -> np.ndarray:
    """Which of ``boxes`` (n, 6), each drawing ``occluders[i]`` (its opaque faces), the
    others hide from ``view`` (bool (n,)).

    Nearest first (by the distance from the eye to the box), in batches: a batch is tested
    against the occluders of the boxes found visible before it, then the occluders of its
    visible boxes are added (of the first ``lenders`` visible boxes only). A box found hidden
    lends nothing, as it will not be drawn; the first batch is never hidden. ``buffer``:
    the buffer to draw into (default: a new one of ``COLS`` x ``ROWS`` cells for a depth
    buffer of ``depth_bits``)."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 6)
    hidden = np.zeros(len(b), bool)
    if len(b) <= first:
        return hidden
    buf = buffer if buffer is not None else OcclusionBuffer(view, depth_bits=depth_bits)
    gap = np.maximum(np.maximum(b[:, :3] - view.eye, view.eye - b[:, 3:]), 0.0)
    dist = np.sqrt((gap * gap).sum(axis=1))
    order = np.argsort(dist, kind="stable")
    reach = buf.reach
    start, size, lent = 0, first, 0
    while start < len(order):
        batch = order[start:start + size]
        if start:
            hidden[batch] = buf.occluded(b[batch])
        shown = batch[~hidden[batch]][:max(lenders - lent, 0)]
        if len(shown):
            # A box's polygons are all at least its distance away: those smaller than that
            # allows are left out before any is looked at.
            buf.add([occluders[i].at_least(reach * dist[i]) for i in shown])
            lent += len(shown)
        start += size
        size *= 2
    return hidden
