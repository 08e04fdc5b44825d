"""Vectorised validity checks and repairs of polygon parts (shapely 2)."""

from __future__ import annotations

import numpy as np
import shapely
import shapely.errors

#: Parts smaller than this (square metres) are slivers: dropped, and reported.
MIN_PART_AREA = 0.01


#: A polygon whose edges cross each other more often than this is not repaired: GEOS's
#: make_valid grows with the square of the crossings (a 600-vertex scribble took minutes).
#: Real self-intersections are a handful of bow-ties.
MAX_CROSSINGS = 1000


def count_crossings(polygon: shapely.Polygon, limit: int = MAX_CROSSINGS) -> int:
    """How many pairs of non-adjacent edges of ``polygon`` touch or cross, counted up to
    just over ``limit`` (the count stops there, so a scribble costs no more than a bow-tie)."""
    rings = [polygon.exterior, *polygon.interiors]
    starts, ends, ring_of = [], [], []
    for k, r in enumerate(rings):
        xy = shapely.get_coordinates(r)
        starts.append(xy[:-1])
        ends.append(xy[1:])
        ring_of.append(np.full(len(xy) - 1, k))
    a, b, ring = np.concatenate(starts), np.concatenate(ends), np.concatenate(ring_of)
    n = len(a)
    if n < 4:
        return 0
    edges = shapely.linestrings(np.stack([a, b], axis=1))
    assert isinstance(edges, np.ndarray)  # many segments in, an array out
    tree = shapely.STRtree(edges)
    ring_len = np.bincount(ring)
    first = np.concatenate([[0], np.cumsum(ring_len)[:-1]])[ring]
    pos = np.arange(n) - first
    count = 0
    chunk = max(1, 1_000_000 // n)  # bounds the pairs held at once, whatever the tangle
    for lo in range(0, n, chunk):
        i, j = tree.query(edges[lo:lo + chunk], predicate="intersects")
        i = i + lo
        later = j > i
        i, j = i[later], j[later]
        same = ring[i] == ring[j]
        gap = pos[j] - pos[i]
        adjacent = same & ((gap == 1) | (gap == ring_len[ring[i]] - 1))
        count += int((~adjacent).sum())
        if count > limit:
            break
    return count


def repair_polygons(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Repair an array of Polygons in metric coordinates.

    Returns ``(polygons, owner, reasons)``: the repaired polygons (oriented counter-clockwise
    with clockwise holes, slivers dropped), for each the index of the input part it came
    from, and for each input part that needed ``make_valid`` the reason shapely gave. A part
    too tangled to repair (more than MAX_CROSSINGS crossings) is dropped, its reason
    starting with "too tangled".
    """
    valid = shapely.is_valid(parts)
    reasons: dict[int, str] = {}
    out_geoms = [parts]
    out_owner = [np.arange(len(parts))]
    if not valid.all():
        bad = np.flatnonzero(~valid)
        # Counted before make_valid, whose cost grows with the square of the crossings.
        crossings = np.array([count_crossings(p) for p in parts[bad]], dtype=np.int64)
        tangled = crossings > MAX_CROSSINGS
        for b in bad[tangled]:
            reasons[int(b)] = (
                f"too tangled to repair: more than {MAX_CROSSINGS} places where its edges "
                "cross; part dropped, check the data"
            )
        bad = bad[~tangled]
        why = shapely.is_valid_reason(parts[bad])
        fixed = _make_valid(parts[bad])
        pieces, which = shapely.get_parts(fixed, return_index=True)
        # make_valid may return lines and points next to polygons; only areas extrude.
        types = shapely.get_type_id(pieces)
        keep = (types == 3) | (types == 6)
        pieces, which = pieces[keep], which[keep]
        polys, sub = shapely.get_parts(pieces, return_index=True)
        out_geoms[0] = parts[valid]  # a tangled part is in neither list: dropped
        out_owner[0] = np.flatnonzero(valid)
        out_geoms.append(polys)
        out_owner.append(bad[which[sub]])
        reasons.update({int(b): str(w) for b, w in zip(bad, why, strict=True)})
    geoms = np.concatenate(out_geoms) if len(out_geoms) > 1 else out_geoms[0]
    owner = np.concatenate(out_owner) if len(out_owner) > 1 else out_owner[0]
    big = shapely.area(geoms) >= MIN_PART_AREA
    geoms, owner = geoms[big], owner[big]
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    return geoms, owner, reasons


def _make_valid(parts: np.ndarray) -> np.ndarray:
    """shapely.make_valid over an array; a part GEOS cannot repair becomes empty (and so
    ends up reported as a sliver) instead of failing the whole load."""
    try:
        return shapely.make_valid(parts)
    except shapely.errors.GEOSException:
        out = np.empty(len(parts), dtype=object)
        for i, part in enumerate(parts):
            try:
                out[i] = shapely.make_valid(part)
            except shapely.errors.GEOSException:
                out[i] = shapely.Polygon()
        return out


def clockwise_shells(parts: np.ndarray) -> np.ndarray:
    """True for each polygon whose outer ring runs clockwise (against RFC 7946)."""
    return ~shapely.is_ccw(shapely.get_exterior_ring(parts))


def merge_overlapping_parts(geoms: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """Make MultiPolygons whose (each valid) parts overlap or share edges valid.

    Their parts are united (make_valid's default method would cut overlaps out as holes) and
    slivers dropped. Returns the geometries, the valid ones untouched, and for each repaired
    index the reason shapely gave.
    """
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    if not len(bad):
        return geoms, {}
    why = shapely.is_valid_reason(geoms[bad])
    out = geoms.copy()
    for i in bad:
        pieces = shapely.get_parts(shapely.union_all(shapely.get_parts(geoms[i])))
        keep = (shapely.get_type_id(pieces) == 3) & (shapely.area(pieces) >= MIN_PART_AREA)
        pieces = pieces[keep]
        if len(pieces):  # the parts were valid and large, so their union cannot vanish
            pieces = shapely.orient_polygons(pieces, exterior_cw=False)
            out[i] = pieces[0] if len(pieces) == 1 else shapely.multipolygons(pieces)
    return out, {int(i): str(w) for i, w in zip(bad, why, strict=True)}
