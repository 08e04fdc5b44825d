"""Vectorised validity checks and repairs of polygon parts (shapely 2)."""

from __future__ import annotations

import numpy as np
import shapely

#: Parts smaller than this (square metres) are slivers: dropped, and reported.
MIN_PART_AREA = 0.01


def repair_polygons(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Repair an array of Polygons in metric coordinates.

    Returns ``(polygons, owner, reasons)``: the repaired polygons (oriented counter-clockwise
    with clockwise holes, slivers dropped), for each the index of the input part it came
    from, and for each input part that needed ``make_valid`` the reason shapely gave.
    """
    valid = shapely.is_valid(parts)
    reasons: dict[int, str] = {}
    out_geoms = [parts]
    out_owner = [np.arange(len(parts))]
    if not valid.all():
        bad = np.flatnonzero(~valid)
        why = shapely.is_valid_reason(parts[bad])
        fixed = shapely.make_valid(parts[bad])
        pieces, which = shapely.get_parts(fixed, return_index=True)
        # make_valid may return lines and points next to polygons; only areas extrude.
        types = shapely.get_type_id(pieces)
        keep = (types == 3) | (types == 6)
        pieces, which = pieces[keep], which[keep]
        polys, sub = shapely.get_parts(pieces, return_index=True)
        out_geoms[0] = parts[valid]
        out_owner[0] = np.flatnonzero(valid)
        out_geoms.append(polys)
        out_owner.append(bad[which[sub]])
        reasons = {int(b): str(w) for b, w in zip(bad, why, strict=True)}
    geoms = np.concatenate(out_geoms) if len(out_geoms) > 1 else out_geoms[0]
    owner = np.concatenate(out_owner) if len(out_owner) > 1 else out_owner[0]
    big = shapely.area(geoms) >= MIN_PART_AREA
    geoms, owner = geoms[big], owner[big]
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    return geoms, owner, reasons


def clockwise_shells(parts: np.ndarray) -> np.ndarray:
    """True for each polygon whose outer ring runs clockwise (against RFC 7946)."""
    return ~shapely.is_ccw(shapely.get_exterior_ring(parts))
