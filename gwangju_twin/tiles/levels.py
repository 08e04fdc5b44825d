"""The levels of detail a tile is drawn at, meshed from a part of the district.

- Level 0, full: the prisms exactly as the whole-city mesh has them (holes, every part).
- Level 1, simplified: each building's outline simplified (``SIMPLIFY_M``), courtyards filled
  and small annexes (``ANNEX_M2``) left out. Douglas-Peucker keeps a subset of the outline's
  own vertices, so a simplified building is never wider than the full one, nor taller.
- Level 2, far: the buildings of a far group merged into block-level hulls, one per block
  and height class: footprints closed over gaps narrower than ``BLOCK_GAP_M`` (a street
  wider than that parts two blocks), simplified, and extruded to the mean height of their
  buildings. The hull's outline stays inside its buildings' bounding box, and its height is
  at most the tallest of them. Hulls lower than ``FAR_WALLS_M`` are roofs without walls.
  On the ground: major roads and road areas, large green, water and squares, railways.
- Level 3, the city from afar: the same far group's buildings merged as level 2's are, with
  the coarser ``CITY`` settings (blocks across side streets), on level 2's ground.

Each level carries its geometric error in metres: how far its surfaces may lie from the
full ones. Screen-space error (``tiles.select``) turns that into pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from gwangju_twin.geo.model import District
from gwangju_twin.mesh import palette
from gwangju_twin.mesh.batch import MeshBatch, concat
from gwangju_twin.mesh.district import GROUND_ORDER, ground, solids
from gwangju_twin.mesh.prism import extrude

SIMPLIFY_M = 1.5
ANNEX_M2 = 30.0
BLOCK_GAP_M = 26.0
HULL_SIMPLIFY_M = 8.0
#: A block hull straying farther than this from its buildings is not merged (metres).
FAR_GAP_M = 100.0
#: How closely a hull's largest empty circle is found (metres).
GAP_TOLERANCE_M = 2.0
#: Such a block is cut into hulls per grid cell this wide (metres).
FAR_CELL_M = 200.0
#: Height classes (metres) kept apart in the far hulls, so a tower does not melt into the
#: low houses of its block.
HEIGHT_CLASSES = (0.0, 30.0, 90.0)
#: Road classes the far level still draws.
FAR_ROADS = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary"})
#: Widest road the far level leaves out (metres): part of its error.
MINOR_ROAD_M = 10.0
#: Green and water areas smaller than this (square metres) are left out at the far level.
FAR_AREA_M2 = 2000.0
#: Block hulls lower than this (metres) are drawn at the far level as roofs without walls.
FAR_WALLS_M = 30.0
#: Tags naming the road class of a paved area (OSM's ``area:highway``; a register city's
#: road areas carry ``highway``): an area of a class not in FAR_ROADS is a minor road.
ROAD_AREA_KEYS = ("area:highway", "highway")
#: Paved areas of these classes are squares, not roads: the far level keeps them by size.
SQUARE_CLASSES = frozenset({"pedestrian"})
#: How closely the width of a road area left out is found (metres; counted at its largest).
WIDTH_TOLERANCE_M = 0.5

@dataclass(frozen=True)
class HullSettings:
    """How a far level merges buildings into hulls: the gap that joins two buildings of a
    class into a block, how far a hull's vertices are simplified, how far a hull may stray
    from its buildings before its block is cut into cells, and how wide those cells are
    (metres)."""

    block_gap: float
    simplify: float
    far_gap: float
    cell: float


#: Level 2: blocks as a street parts them.
FAR = HullSettings(BLOCK_GAP_M, HULL_SIMPLIFY_M, FAR_GAP_M, FAR_CELL_M)
#: Level 3, the whole city from afar: blocks across side streets and courtyards, about three
#: times fewer hulls than level 2 (a Gwangju-sized city's overview, 20 km away and more,
#: allows some 200 m of error at 16 px).
CITY = HullSettings(block_gap=60.0, simplify=16.0, far_gap=150.0, cell=300.0)

LEVELS = (0, 1, 2, 3)


@dataclass
class TileMeshes:
    """A tile's batches per part: ``"0"`` and ``"1"`` (a leaf's solids at levels 0 and 1),
    ``"g"`` (a leaf's ground, drawn with either), ``"2"``, ``"3"`` and ``"g2"`` (a far
    group's solids at levels 2 and 3, and the ground of both); and the geometric error of
    each level it has (metres)."""

    parts: dict[str, list[MeshBatch]] = field(default_factory=dict)
    errors: dict[int, float] = field(default_factory=dict)


def _mapped(batch: MeshBatch, ids: np.ndarray) -> MeshBatch:
    """``batch`` with its feature ids (rows of a part) turned into the whole city's."""
    batch.feature_ids = ids[batch.feature_ids].astype(np.int32)
    return batch


def _ground_parts(part: District, ids: np.ndarray) -> list[MeshBatch]:
    out = []
    for layer, batch in ground(part):
        if batch.primitive_count:
            batch.draw_order = GROUND_ORDER.index(layer) + 1
            out.append(_mapped(batch, ids))
    return out


def leaf_meshes(part: District, ids: np.ndarray) -> TileMeshes:
    """Levels 0 and 1 of a leaf whose features are ``part`` (rows ``ids`` of the city)."""
    full = solids(part, ids)
    simple, error = simplified(part)
    parts = {"0": [full], "g": _ground_parts(part, ids)}
    # Nothing to simplify (rectangles without courtyards or annexes): level 1 is level 0,
    # and the file holds it once (a reader draws part "0" for level 1, see tileset.PARTS).
    if error > 0:
        parts["1"] = [solids(simple, ids)]
    return TileMeshes(parts, {0: 0.0, 1: error})


def simplified(part: District) -> tuple[District, float]:
    """``part`` with every building's outline simplified, courtyards filled and annexes left
    out; and the largest distance (metres) any outline moved."""
    rows = np.flatnonzero(part.layer == "buildings")
    geoms = part.geometry.copy()
    if len(rows) == 0:
        return part, 0.0
    polygonal = rows[np.isin(shapely.get_type_id(geoms[rows]), (3, 6))]
    parts, owner = shapely.get_parts(geoms[polygonal], return_index=True)
    area = shapely.area(parts)
    # An annex is a small part beside a larger one of the same building; a building's
    # largest part always stays, however small.
    largest = np.zeros(len(polygonal))
    np.maximum.at(largest, owner, area)
    keep = (area >= ANNEX_M2) | (area >= largest[owner])
    shells = np.asarray(shapely.polygons(shapely.get_exterior_ring(parts)), dtype=object)
    simple = np.asarray(shapely.simplify(shells, SIMPLIFY_M, preserve_topology=True),
                        dtype=object)
    bad = shapely.is_empty(simple) | ~shapely.is_valid(simple)
    simple[bad] = shells[bad]
    # The error: how far the outline moved, how wide a filled courtyard or dropped annex was.
    moved = shapely.hausdorff_distance(shapely.get_exterior_ring(parts),
                                       shapely.get_exterior_ring(simple))
    holes = shapely.area(shells) - area
    error = np.maximum(moved, np.sqrt(np.maximum(holes, 0.0)))
    error[~keep] = np.maximum(error[~keep], np.sqrt(area[~keep]))
    kept = np.flatnonzero(keep)
    merged = shapely.multipolygons(simple[kept], indices=owner[kept])
    # Rows whose parts were all kept out cannot happen (the largest stays), so the
    # multipolygons line up with the polygonal rows in order.
    geoms[polygonal] = merged
    out = part.take(np.arange(len(part)))
    out.geometry = geoms
    return out, float(error.max(initial=0.0))


def far_meshes(part: District, ids: np.ndarray) -> TileMeshes:
    """Levels 2 and 3 of a far group whose features are ``part`` (rows ``ids`` of the
    city): parts ``"2"`` and ``"3"`` (solids), ``"g2"`` (the ground both draw). Level 3's
    error is never below level 2's, so the coarser level is chosen only farther away."""
    ground_part, ground_error = far_ground(part)
    keep = np.flatnonzero(ground_part)
    g2 = _ground_parts(part.take(keep), ids[keep])
    solid2, error2 = _far_solids(part, ids, FAR)
    solid3, error3 = _far_solids(part, ids, CITY)
    error2 = max(error2, ground_error)
    return TileMeshes({"2": solid2, "g2": g2, "3": solid3},
                      {2: error2, 3: max(error3, error2)})


def _far_solids(part: District, ids: np.ndarray,
                settings: HullSettings) -> tuple[list[MeshBatch], float]:
    """The solids of a far level: block hulls by ``settings`` and landmarks; and their
    error (metres)."""
    hulls, error = block_hulls(part, settings)
    walls = palette.lookup(palette.BUILDING_COLORS, palette.BUILDING_DEFAULT,
                           np.asarray(hulls.kind))
    walls = palette.jitter(walls, ids[hulls.owner])
    # Hulls lower than FAR_WALLS_M are roofs alone: their walls are most of the level's
    # vertices and a pixel or two tall where the level is drawn. A roof stays at its
    # height; the wall left out is the error, at most that height.
    low = hulls.height < FAR_WALLS_M
    error = max(error, float(hulls.height[low].max(initial=0.0)))
    zero = np.zeros(len(hulls.geometry))
    roofs = palette.roof_of(walls)
    batch = concat("solid", [
        extrude(hulls.geometry[sel], ids[hulls.owner[sel]], zero[sel], hulls.height[sel],
                walls[sel], roofs[sel], floors=False, walls=bool(with_walls))
        for sel, with_walls in ((~low, True), (low, False))])
    marks = np.flatnonzero(part.layer == "landmarks")
    solid = [batch]
    if len(marks):
        solid.append(solids(part.take(marks), ids[marks]))
    return solid, error


@dataclass
class Hulls:
    """Block-level hulls: polygons, their height, the row (of the part) each stands for
    (its tallest building) and that building's kind (its colour)."""

    geometry: np.ndarray
    height: np.ndarray
    owner: np.ndarray
    kind: list[str]


def block_hulls(part: District, settings: HullSettings = FAR) -> tuple[Hulls, float]:
    """The buildings of ``part`` merged into block hulls per height class; and the level's
    error (metres): the largest height any building lost or gained, and how far a point of
    a hull can lie from its nearest building (``hull_gap``).

    A block is the buildings of one class whose footprints come within
    ``settings.block_gap`` of each other; its hull is their convex hull, simplified (a
    subset of its vertices, so it stays inside the members' bounding box)."""
    rows = np.flatnonzero((part.layer == "buildings")
                          & np.isin(shapely.get_type_id(part.geometry), (3, 6)))
    empty = Hulls(np.zeros(0, object), np.zeros(0), np.zeros(0, np.int64), [])
    if len(rows) == 0:
        return empty, 0.0
    heights = np.nan_to_num(part.height[rows], nan=0.0)
    klass = np.searchsorted(HEIGHT_CLASSES, heights, side="right")
    geoms: list[object] = []
    hts: list[float] = []
    owners: list[int] = []
    kinds: list[str] = []
    error = 0.0
    for c in np.unique(klass):
        members = rows[klass == c]
        h = heights[klass == c]
        footprints = part.geometry[members]
        # Buildings closer than the gap are in one block (connected components of the
        # "within settings.block_gap" pairs).
        pairs = shapely.STRtree(footprints).query(footprints, predicate="dwithin",
                                                  distance=settings.block_gap)
        b_of = components(len(members), pairs[0], pairs[1])
        # Renumber the blocks in order of their first member, so the hulls come out in the
        # same order however GEOS ordered the union's parts.
        _, first, b_of = np.unique(b_of, return_index=True, return_inverse=True)
        rank = np.argsort(np.argsort(first))
        b_of = rank[b_of]
        nb = int(b_of.max()) + 1
        pieces, of = shapely.get_parts(footprints, return_index=True)
        sort = np.argsort(b_of[of], kind="stable")
        together = np.asarray(shapely.multipolygons(pieces[sort], indices=b_of[of][sort]),
                              dtype=object)
        hull = shapely.convex_hull(together)
        hull = np.asarray(shapely.simplify(hull, settings.simplify, preserve_topology=True),
                          dtype=object)
        count = np.bincount(b_of, minlength=nb)
        top = np.bincount(b_of, weights=h, minlength=nb) / np.maximum(count, 1)
        dev = np.zeros(nb)
        np.maximum.at(dev, b_of, np.abs(h - top[b_of]))
        gap = hull_gap(hull, together)
        order = np.lexsort((-h, b_of))  # per block, tallest first
        _, head = np.unique(b_of[order], return_index=True)
        tallest = members[order[head]]
        polygon = shapely.get_type_id(hull) == 3
        # A block whose hull strays far from its buildings (a neighbourhood wrapped around a
        # park) is not merged: each of its buildings gets its own hull instead, so one such
        # block does not hold the whole group's error up.
        loose = polygon & (gap > settings.far_gap)
        ok = polygon & ~loose
        error = max(error, float(dev[ok].max(initial=0.0)), float(gap[ok].max(initial=0.0)))
        geoms.extend(shapely.orient_polygons(hull[ok], exterior_cw=False))
        hts.extend(top[ok].tolist())
        owners.extend(tallest[ok].tolist())
        kinds.extend(str(k) for k in part.kind[tallest[ok]])
        alone = np.flatnonzero(loose[b_of])
        if len(alone):
            # Such a block is cut by a grid of cells instead, a hull per cell.
            xy = shapely.get_coordinates(shapely.point_on_surface(footprints[alone]))
            cell = np.floor(xy / settings.cell).astype(np.int64)
            _, sub = np.unique(np.column_stack([b_of[alone], cell]), axis=0,
                               return_inverse=True)
            sub = sub.reshape(-1)
            ns = int(sub.max()) + 1
            p2, of2 = shapely.get_parts(footprints[alone], return_index=True)
            sort2 = np.argsort(sub[of2], kind="stable")
            group = np.asarray(shapely.multipolygons(p2[sort2], indices=sub[of2][sort2]),
                               dtype=object)
            own = np.asarray(shapely.simplify(shapely.convex_hull(group), settings.simplify,
                                              preserve_topology=True), dtype=object)
            ha = h[alone]
            n2 = np.bincount(sub, minlength=ns)
            top2 = np.bincount(sub, weights=ha, minlength=ns) / np.maximum(n2, 1)
            dev2 = np.zeros(ns)
            np.maximum.at(dev2, sub, np.abs(ha - top2[sub]))
            order2 = np.lexsort((-ha, sub))
            _, head2 = np.unique(sub[order2], return_index=True)
            tall2 = members[alone][order2[head2]]
            fine = shapely.get_type_id(own) == 3
            error = max(error, float(dev2[fine].max(initial=0.0)),
                        float(hull_gap(own[fine], group[fine]).max(initial=0.0)))
            geoms.extend(shapely.orient_polygons(own[fine], exterior_cw=False))
            hts.extend(top2[fine].tolist())
            owners.extend(tall2[fine].tolist())
            kinds.extend(str(k) for k in part.kind[tall2[fine]])
    if not geoms:
        return empty, 0.0
    return Hulls(np.array(geoms, dtype=object), np.array(hts), np.array(owners, np.int64),
                 kinds), error


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes joined by the pairs (``a[k]``, ``b[k]``): each
    node's label is the smallest node of its component. Hooking and pointer jumping on
    whole arrays: a few rounds however long a row of touching houses is."""
    label = np.arange(n, dtype=np.int64)
    while True:
        la, lb = label[a], label[b]
        low = np.minimum(la, lb)
        new = label.copy()
        np.minimum.at(new, la, low)
        np.minimum.at(new, lb, low)
        while True:  # every node points straight at its root
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


def hull_gap(hull: np.ndarray, members: np.ndarray) -> np.ndarray:
    """How far (metres) a point of each hull can lie from the nearest of its members: the
    largest circle inside the hull that no member covers, and the hull's outline (densified)
    against the members. This is the hull's footprint error, however large its empty part:
    a complex of towers 25 m apart merged into one hull is 12.5 m off, not its width."""
    gap = np.zeros(len(hull))
    # A block's buildings may overlap (parts of one building, a bad survey): one valid
    # area of them first, as GEOS's difference needs.
    members = np.asarray(members, dtype=object).copy()
    bad = ~shapely.is_valid(members)
    if bad.any():
        members[bad] = shapely.make_valid(members[bad])
    # Degenerate hulls (a line of points) give NaN and numpy's warnings: counted 0 below.
    with np.errstate(all="ignore"):
        empty = shapely.difference(hull, members)
        some = ~shapely.is_empty(empty) & (shapely.area(empty) > 1.0)
        parts, of = shapely.get_parts(empty[some], return_index=True)
        polygon = shapely.get_type_id(parts) == 3
        parts, of = parts[polygon], of[polygon]
        if len(parts):
            # Found to within GAP_TOLERANCE_M, and counted at its largest.
            radius = shapely.length(shapely.maximum_inscribed_circle(
                parts, tolerance=GAP_TOLERANCE_M)) + GAP_TOLERANCE_M
            inner = np.zeros(int(some.sum()))
            np.maximum.at(inner, of, radius)
            gap[some] = inner
        rim = shapely.hausdorff_distance(shapely.get_exterior_ring(hull), members,
                                         densify=0.25)
    return np.maximum(gap, np.nan_to_num(rim, nan=0.0))


def far_ground(part: District) -> tuple[np.ndarray, float]:
    """Which features of ``part`` the far level draws on the ground (bool per row): major
    roads and road areas, large green and water areas and squares, water lines, railways;
    and the error of leaving the rest out (the widest road or road area left out)."""
    layer = part.layer
    kind = np.asarray(part.kind, dtype=str)
    polygonal = np.isin(shapely.get_type_id(part.geometry), (3, 6))
    big = shapely.area(part.geometry) >= FAR_AREA_M2
    keep = ((layer == "roads") & np.isin(kind, list(FAR_ROADS)))
    keep |= np.isin(layer, ("green", "water", "plazas")) & (~polygonal | big)
    keep |= (layer == "area") & (kind == "railway")
    # Road areas go as road lines do: a minor one is left out however large (a register
    # city's residential streets are long thin areas, thousands of sliver triangles under a
    # pixel wide from far away).
    minor_area = minor_road_areas(part) & polygonal
    keep &= ~minor_area
    left_out = (layer == "roads") & ~keep
    widths = np.nan_to_num(part.width[left_out], nan=MINOR_ROAD_M)
    error = float(widths.max(initial=0.0))
    if minor_area.any():
        # An area's width: the diameter of the largest circle inside it.
        radius = shapely.length(shapely.maximum_inscribed_circle(
            part.geometry[minor_area], tolerance=WIDTH_TOLERANCE_M)) + WIDTH_TOLERANCE_M
        error = max(error, float(2.0 * np.nan_to_num(radius, nan=0.0).max()))
    return keep, error


def minor_road_areas(part: District) -> np.ndarray:
    """Which rows of ``part`` are paved areas of a minor road (bool per row): the plazas
    layer, with a road class (``ROAD_AREA_KEYS``) that is neither in FAR_ROADS nor a
    square's."""
    out = np.zeros(len(part), dtype=bool)
    for row in np.flatnonzero(part.layer == "plazas").tolist():  # per feature: tags are a dict
        tags = part.properties[row] or {}
        klass = next((tags[k] for k in ROAD_AREA_KEYS if tags.get(k)), None)
        if klass is not None:
            out[row] = str(klass) not in FAR_ROADS and str(klass) not in SQUARE_CLASSES
    return out
