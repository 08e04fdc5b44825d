"""The minimap picture: the district drawn from straight above into an RGBA image.

Pure numpy + shapely. Polygons are filled by a vectorised scanline (even-odd, sampled at
pixel centres), so the cost grows with the number of polygon edges and covered pixels, not
with features x pixels: the default district draws in a few milliseconds at 256 px.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from gwangju_twin.geo.model import District, Layer
from gwangju_twin.mesh import palette
from gwangju_twin.mesh.district import MARKER_RADIUS, rails_rows, rows_of_type

RGB = tuple[int, int, int]

#: Share of the map's side left empty on each side of the district.
MARGIN = 0.04
#: Side (metres) of the map of an empty or single-point district, so the frame is never 0.
MIN_SIDE = 100.0
#: The map's own colours; the layers reuse the 3D view's palette so the two look alike.
BACKGROUND: RGB = (218, 224, 208)  # light grey-green ground
BUILDING: RGB = (150, 142, 134)  # darker warm grey, one colour: the map shows where, not what
#: Thinnest ribbon and smallest marker, in pixels: thinner ones would fall between pixel
#: centres and vanish (or break up into dots).
MIN_RIBBON_PX = 1.25
MIN_MARKER_PX = 1.5


@dataclass(frozen=True)
class MapFrame:
    """How the minimap image sits on the district: the square ``bounds`` (x0, y0, x1, y1 in
    local metres) it shows, drawn ``size`` pixels per side, north up."""

    bounds: tuple[float, float, float, float]
    size: int

    @property
    def metres_per_pixel(self) -> float:
        """Side of one pixel, metres."""
        return (self.bounds[2] - self.bounds[0]) / self.size

    def to_map(self, x: float, y: float) -> tuple[float, float]:
        """Map coordinates (u, v) of the local point (x, y): u grows east, v north, both in
        [0, 1] inside the bounds (v = 1 is the top edge). Not clamped, so a camera outside the
        map can be told apart."""
        x0, y0, x1, y1 = self.bounds
        return (x - x0) / (x1 - x0), (y - y0) / (y1 - y0)

    def to_world(self, u: float, v: float) -> tuple[float, float]:
        """The local point (x, y) at map coordinates (u, v); the inverse of to_map."""
        x0, y0, x1, y1 = self.bounds
        return x0 + u * (x1 - x0), y0 + v * (y1 - y0)


def map_frame(
    district: District, size: int = 256, extra: Sequence[np.ndarray] = ()
) -> MapFrame:
    """The frame of the district's minimap: its bounds (and any ``extra`` (n, 2) point
    arrays, e.g. pavilion sites) made square around their centre, plus MARGIN per side."""
    if size < 1:
        raise ValueError(f"minimap size {size}: expected at least 1 pixel")
    boxes = [shapely.total_bounds(district.geometry)] if len(district) else []
    boxes += [np.r_[p.min(axis=0), p.max(axis=0)] for p in map(_points, extra) if len(p)]
    boxes = [b for b in boxes if np.isfinite(b).all()]  # total_bounds of empties is NaN
    if boxes:
        b = np.array(boxes)
        lo, hi = b[:, :2].min(axis=0), b[:, 2:].max(axis=0)
    else:
        lo = hi = np.zeros(2)
    centre = (lo + hi) / 2
    half = max(float((hi - lo).max()), MIN_SIDE) * (1 + 2 * MARGIN) / 2
    return MapFrame((float(centre[0] - half), float(centre[1] - half),
                     float(centre[0] + half), float(centre[1] + half)), int(size))


def draw_topdown(
    district: District,
    pavilion_sites: Sequence[tuple[np.ndarray, tuple[float, float, float]]] = (),
    size: int = 256,
) -> tuple[np.ndarray, MapFrame]:
    """The minimap of ``district``: an opaque RGBA uint8 image (size, size, 4) whose row 0
    is the north edge (as in a PNG), and its frame.

    Painted bottom-up like the 3D view: background, areas (faint), green, water, plazas,
    roads (ribbons of their width, at least ~1 px), buildings, landmarks, then each pavilion
    site polygon ((n, 2) local metres) in its rgb colour (floats 0..1).
    """
    frame = map_frame(district, size, [site for site, _ in pavilion_sites])
    image = np.empty((frame.size, frame.size, 4), np.uint8)
    image[...] = (*BACKGROUND, 255)
    for parts, colours in _layers(district, frame):
        _paint(image, frame, parts, colours)
    sites = [_points(p) for p, _ in pavilion_sites]
    ok = [i for i, p in enumerate(sites) if len(p) >= 3]
    if ok:
        polys = np.array([shapely.Polygon(sites[i]) for i in ok], dtype=object)
        rgb = np.array([pavilion_sites[i][1] for i in ok], np.float64).reshape(-1, 3)
        _paint(image, frame, polys, np.round(np.clip(rgb, 0.0, 1.0) * 255).astype(np.uint8))
    return image, frame


def _points(site: np.ndarray) -> np.ndarray:
    return np.asarray(site, np.float64).reshape(-1, 2)


def _layers(district: District, frame: MapFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """(polygon parts, rgb per part) per layer, in painting order."""
    px = frame.metres_per_pixel
    out = []

    def polys(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
        rows = rows_of_type(district, layer, (3, 6))
        rows = rows[_fills_a_pixel(shapely.bounds(district.geometry[rows]), frame)]
        parts, which = shapely.get_parts(district.geometry[rows], return_index=True)
        return parts, rows[which]

    def ribbons(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
        rows = rows_of_type(district, layer, (1, 5))
        width = np.fmax(np.nan_to_num(district.width[rows], nan=0.0), MIN_RIBBON_PX * px)
        # Few segments per bend: a bend is a pixel or two on the map.
        areas = shapely.buffer(district.geometry[rows], width / 2, quad_segs=1,
                               cap_style="flat", join_style="round")
        parts, which = shapely.get_parts(areas, return_index=True)
        return parts, rows[which]

    def rgb(colour: tuple[int, ...], n: int) -> np.ndarray:
        return np.tile(np.array(colour[:3], np.uint8), (n, 1))

    # Areas are a translucent wash in 3D; here the same wash pre-blended over the ground.
    parts, _ = polys("area")
    alpha = palette.AREA_FILL[3] / 255
    wash = tuple(round(alpha * a + (1 - alpha) * b) for a, b in
                 zip(palette.AREA_FILL[:3], BACKGROUND, strict=True))
    out.append((parts, rgb(wash, len(parts))))

    parts, owner = polys("green")
    green = palette.lookup(palette.GREEN_COLORS, palette.GREEN_DEFAULT, district.kind[owner])
    out.append((parts, green[:, :3]))

    pa, _ = polys("water")
    pb, _ = ribbons("water")
    parts = np.concatenate([pa, pb])
    out.append((parts, rgb(palette.WATER_COLOR, len(parts))))

    parts, _ = polys("plazas")
    out.append((parts, rgb(palette.PLAZA_COLOR, len(parts))))

    # Roads are lines (the loader never makes road polygons): minor classes first, so the
    # major road ends on top at a crossing, as in 3D.
    parts, owner = ribbons("roads")
    rank = {k: i for i, k in enumerate(palette.ROAD_RANK)}
    order = np.argsort([rank.get(str(k), 5) for k in district.kind[owner]], kind="stable")
    parts, owner = parts[order], owner[order]
    road = palette.lookup(palette.ROAD_COLORS, palette.ROAD_DEFAULT, district.kind[owner])
    out.append((parts, road[:, :3]))

    # Railways as dark ribbons over the roads (bridges and level crossings alike).
    rails = rails_rows(district)
    width = np.fmax(palette.RAILWAY_WIDTH, MIN_RIBBON_PX * px)
    parts = shapely.get_parts(shapely.buffer(district.geometry[rails], width / 2, quad_segs=1,
                                             cap_style="flat", join_style="round"))
    out.append((parts, rgb(palette.RAILWAY_COLOR, len(parts))))

    parts, _ = polys("buildings")
    out.append((parts, rgb(BUILDING, len(parts))))

    pa, _ = polys("landmarks")
    # Point landmarks are pins in 3D; a dot at least a pixel or so across here.
    pins = shapely.get_parts(district.geometry[rows_of_type(district, "landmarks", (0, 4))])
    pb = shapely.buffer(pins, max(MARKER_RADIUS, MIN_MARKER_PX * px), quad_segs=3)
    parts = np.concatenate([pa, pb])
    out.append((parts, rgb(palette.LANDMARK_COLOR, len(parts))))
    return out


def _paint(image: np.ndarray, frame: MapFrame, parts: np.ndarray, rgb: np.ndarray) -> None:
    """Fill polygon ``parts`` (holes kept) into ``image``, part i in ``rgb[i]``; where parts
    overlap, the later one wins."""
    rows, c0, c1, part = _spans(frame, parts)
    if len(rows) == 0:
        return
    n = c1 - c0
    start = np.repeat(rows * frame.size + c0 - np.cumsum(n) + n, n)
    flat = start + np.arange(int(n.sum()))
    owner = np.repeat(part, n)
    # Fancy assignment with repeated indices does not promise which value stays: keep the
    # last part per pixel explicitly, so overlaps paint in order.
    order = np.argsort(flat, kind="stable")
    flat, owner = flat[order], owner[order]
    last = np.r_[flat[1:] != flat[:-1], True]
    image.reshape(-1, 4)[flat[last], :3] = rgb[owner[last]]


def _fills_a_pixel(bounds: np.ndarray, frame: MapFrame) -> np.ndarray:
    """Whether each box (x0, y0, x1, y1 rows, local metres) holds a pixel centre between its
    edges in both directions: a polygon inside a box that holds none fills no pixel."""
    x0, _, _, y1 = frame.bounds
    scale = 1.0 / frame.metres_per_pixel
    bx0, bx1 = (bounds[:, 0] - x0) * scale, (bounds[:, 2] - x0) * scale
    by0, by1 = (y1 - bounds[:, 3]) * scale, (y1 - bounds[:, 1]) * scale
    with np.errstate(invalid="ignore"):
        return ((np.ceil(bx1 - 0.5) > np.ceil(bx0 - 0.5))
                & (np.ceil(by1 - 0.5) > np.ceil(by0 - 0.5)))


def _spans(
    frame: MapFrame, parts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal pixel runs inside ``parts``: (row, first column, end column, part) per
    run, sampled at pixel centres with the even-odd rule over all rings of a part."""
    empty = np.zeros(0, np.int64)
    if len(parts) == 0:
        return empty, empty, empty, empty
    x0, _, _, y1 = frame.bounds
    scale = 1.0 / frame.metres_per_pixel
    # A part whose box holds no pixel centre cannot fill a pixel: left out before its rings
    # are walked (a whole city's houses at 80 m a pixel are nearly all such), the same
    # picture for a fraction of the work.
    kept = np.flatnonzero(_fills_a_pixel(shapely.bounds(parts), frame))
    if len(kept) == 0:
        return empty, empty, empty, empty
    rings, ring_part = shapely.get_rings(parts[kept], return_index=True)
    ring_part = kept[ring_part]
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    if len(xy) < 2:
        return empty, empty, empty, empty
    px = (xy[:, 0] - x0) * scale
    py = (y1 - xy[:, 1]) * scale  # pixel rows run north to south
    e = np.flatnonzero(ring_of[1:] == ring_of[:-1])  # edge e joins vertex e and e + 1
    ax, ay, bx, by = px[e], py[e], px[e + 1], py[e + 1]
    # Rows whose centre (r + 0.5) lies in [min y, max y): half-open, so a vertex on a centre
    # line counts once and every row crosses a closed ring an even number of times.
    lo = np.clip(np.ceil(np.minimum(ay, by) - 0.5), 0, frame.size).astype(np.int64)
    hi = np.clip(np.ceil(np.maximum(ay, by) - 0.5), 0, frame.size).astype(np.int64)
    count = hi - lo
    edge = np.repeat(np.arange(len(e)), count)
    row = np.repeat(lo, count) + np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count)
    t = (row + 0.5 - ay[edge]) / (by[edge] - ay[edge])
    x = ax[edge] + t * (bx[edge] - ax[edge])
    part = ring_part[ring_of[e[edge]]]
    key = part * frame.size + row
    order = np.lexsort((x, key))
    key, x = key[order], x[order]
    xa, xb = x[0::2], x[1::2]  # crossings pair up within each (part, row), sorted by x
    c0 = np.clip(np.ceil(xa - 0.5), 0, frame.size).astype(np.int64)
    c1 = np.clip(np.ceil(xb - 0.5), 0, frame.size).astype(np.int64)
    keep = c1 > c0
    k = key[0::2][keep]
    return k % frame.size, c0[keep], c1[keep], k // frame.size
