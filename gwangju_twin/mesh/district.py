"""District -> DistrictMesh: every layer meshed at once and merged per material and tile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely

from gwangju_twin.geo.model import District, Layer
from gwangju_twin.mesh import glow, palette
from gwangju_twin.mesh.batch import MeshBatch, concat
from gwangju_twin.mesh.flat import flat_polygons, outlines, ribbons
from gwangju_twin.mesh.prism import extrude
from gwangju_twin.mesh.tiles import split_by_tile, tile_of

#: Ground layers are painted in this order (MeshBatch.draw_order), after the ground plane.
GROUND_ORDER = ("area", "green", "water", "plazas", "roads", "rails", "lines")
MARKER_RADIUS = 4.0
MARKER_HEIGHT = 24.0


@dataclass
class DistrictMesh:
    """All batches of a district plus what the renderer and camera need to know."""

    batches: list[MeshBatch]
    bounds: tuple[float, float, float, float]  # local x0, y0, x1, y1 of all features
    max_height: float

    @property
    def draw_calls(self) -> int:
        """Non-empty batches: each becomes one Geom, one draw call."""
        return sum(1 for b in self.batches if b.primitive_count)

    def shown(self, layers: Mapping[str, bool]) -> list[MeshBatch]:
        """The non-empty batches a scene with these ``layers`` switched on draws (a layer
        not named is on)."""
        return [b for b in self.batches
                if b.primitive_count and layers.get(layer_of(b), True)]

    @property
    def triangles(self) -> int:
        """Triangles over all batches."""
        return sum(b.primitive_count for b in self.batches if b.primitive == "triangles")


def layer_of(batch: MeshBatch) -> str:
    """The scene layer (``[layers]`` of a scene file) a batch belongs to."""
    # Railways and power lines are lines of the area layer (docs/data.md), shown with it.
    return {"solid": "buildings", "overlay": "area", "lines": "area", "rails": "area"}.get(
        batch.material, batch.material
    )


def build_district_mesh(
    district: District, solid_tiles: int = 4, ground_tiles: int = 2
) -> DistrictMesh:
    """Mesh a whole district.

    Buildings and landmarks become closed prisms merged into ``solid_tiles`` x
    ``solid_tiles`` tiles; flat layers into ``ground_tiles`` x ``ground_tiles`` tiles per
    layer. The draw-call count is bounded by the tile counts, never by the feature count.
    """
    geoms = district.geometry
    if len(geoms) == 0:
        return DistrictMesh([], (0.0, 0.0, 0.0, 0.0), 0.0)
    b = shapely.total_bounds(geoms)
    bounds = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    anchor = shapely.get_coordinates(shapely.point_on_surface(geoms))

    batches = split_by_tile(solids(district), tile_of(anchor, bounds, solid_tiles), solid_tiles)
    ground_tile = tile_of(anchor, bounds, ground_tiles)
    for layer, batch in ground(district):
        batch.draw_order = GROUND_ORDER.index(layer) + 1
        batches += split_by_tile(batch, ground_tile, ground_tiles)
    top = np.nanmax(district.height) if np.isfinite(district.height).any() else 0.0
    if (district.layer == "landmarks").any():
        top = max(top, MARKER_HEIGHT)
    return DistrictMesh(batches, bounds, float(top))


def _polygon_parts(district: District, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    geoms = district.geometry[rows]
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
    rows = rows[polygonal]
    parts, which = shapely.get_parts(district.geometry[rows], return_index=True)
    return parts, rows[which]


def solids(district: District, ids: np.ndarray | None = None) -> MeshBatch:
    """Buildings and landmarks as closed prisms, point landmarks as slim markers: one batch.

    ``ids`` (int, one per row) are the rows' ids in the whole city when ``district`` is a
    part of it (a tile): the batch's feature ids and each building's colour variation follow
    them, so a tile looks exactly like the same rows meshed with the whole city."""
    ids = np.arange(len(district), dtype=np.int64) if ids is None else ids
    rows = np.flatnonzero(np.isin(district.layer, ("buildings", "landmarks")))
    parts, owner = _polygon_parts(district, rows)
    is_landmark = district.layer[owner] == "landmarks"
    walls = palette.lookup(palette.BUILDING_COLORS, palette.BUILDING_DEFAULT, district.kind[owner])
    walls[is_landmark] = palette.LANDMARK_COLOR
    walls = palette.jitter(walls, ids[owner])
    # Lit windows at night: each building's schedule and share from its use and id.
    prisms = extrude(
        parts, ids[owner], district.min_height[owner], district.height[owner], walls,
        palette.roof_of(walls), wall_glow=glow.window_glow(district.kind[owner], ids[owner]),
    )
    # Point landmarks (and named points) become slim markers so they can be seen and picked.
    prow = rows_of_type(district, "landmarks", (0, 4))
    if len(prow):
        pts, powner = shapely.get_parts(district.geometry[prow], return_index=True)
        pins = shapely.buffer(pts, MARKER_RADIUS, quad_segs=2)
        pins = shapely.orient_polygons(pins, exterior_cw=False)
        owner2 = ids[prow[powner]]
        color = _uniform(palette.LANDMARK_COLOR, len(pins))
        markers = extrude(
            pins, owner2, np.zeros(len(pins)), np.full(len(pins), MARKER_HEIGHT), color,
            palette.roof_of(color),
        )
        prisms = concat("solid", [prisms, markers])
    return prisms


def rows_of_type(district: District, layer: Layer, type_ids: tuple[int, ...]) -> np.ndarray:
    """Rows of ``layer`` whose geometry has one of the shapely type ids."""
    rows = district.select(layer)
    return rows[np.isin(shapely.get_type_id(district.geometry[rows]), type_ids)]


def rails_rows(district: District) -> np.ndarray:
    """Rows of railway lines (area layer, kind ``railway``)."""
    rows = rows_of_type(district, "area", (1, 5))
    return rows[district.kind[rows] == "railway"]


def _uniform(rgba: palette.RGBA, n: int) -> np.ndarray:
    """One colour for ``n`` parts."""
    return np.tile(np.array(rgba, np.uint8), (n, 1))


def ground(district: District) -> list[tuple[str, MeshBatch]]:
    """The flat layers, each as (its name in GROUND_ORDER, its batch); feature ids are the
    rows of ``district``."""
    z = palette.GROUND_Z
    out: list[tuple[str, MeshBatch]] = []

    # Other areas (landuse, amenities...): a light translucent fill; administrative units
    # only get their outline (below).
    areas = district.select("area")
    areas = areas[~np.isin(district.kind[areas].astype(str),
                           list(palette.OUTLINE_ONLY_KINDS))]
    parts, owner = _polygon_parts(district, areas)
    fill = _uniform(palette.AREA_FILL, len(parts))
    out.append(("area", flat_polygons(parts, owner, z["area"], fill, "overlay")))

    parts, owner = _polygon_parts(district, district.select("green"))
    col = palette.lookup(palette.GREEN_COLORS, palette.GREEN_DEFAULT, district.kind[owner])
    out.append(("green", flat_polygons(parts, owner, z["green"], col, "green")))

    water_parts, water_owner = _polygon_parts(district, district.select("water"))
    wl = rows_of_type(district, "water", (1, 5))
    rib, rib_owner = ribbons(district.geometry[wl], district.width[wl])
    parts = np.concatenate([water_parts, rib])
    owner = np.concatenate([water_owner, wl[rib_owner]]).astype(np.int64)
    col = _uniform(palette.WATER_COLOR, len(parts))
    out.append(("water", flat_polygons(parts, owner, z["water"], col, "water")))

    parts, owner = _polygon_parts(district, district.select("plazas"))
    col = _uniform(palette.PLAZA_COLOR, len(parts))
    out.append(("plazas", flat_polygons(parts, owner, z["plazas"], col, "plazas")))

    rl = rows_of_type(district, "roads", (1, 5))
    rib, rib_owner = ribbons(district.geometry[rl], district.width[rl])
    owner = rl[rib_owner]
    kinds = district.kind[owner]
    rank = {k: i for i, k in enumerate(palette.ROAD_RANK)}
    level = np.array([rank.get(str(k), 5) for k in kinds], np.float64)
    # Sort by rank so that, painted in order, major roads cover minor ones at crossings.
    order = np.argsort(level, kind="stable")
    rib, owner, level, kinds = rib[order], owner[order], level[order], kinds[order]
    col = palette.lookup(palette.ROAD_COLORS, palette.ROAD_DEFAULT, kinds)
    road_z = z["roads"] + palette.ROAD_Z_STEP * level
    out.append(("roads", flat_polygons(rib, owner, road_z, col, "roads")))

    # Railways: a dark ribbon of track width under their line (drawn next).
    rails = rails_rows(district)
    rib, rib_owner = ribbons(district.geometry[rails],
                             np.full(len(rails), palette.RAILWAY_WIDTH))
    col = _uniform(palette.RAILWAY_COLOR, len(rib))
    out.append(("rails", flat_polygons(rib, rails[rib_owner], palette.RAILS_Z, col, "rails")))

    # Outlines of areas (administrative boundaries) and line features that are not ribbons,
    # coloured by kind: railways dark, power lines light, boundaries purple.
    rows = district.select("area")
    col = palette.lookup(palette.AREA_LINE_COLORS, palette.AREA_LINE, district.kind[rows])
    out.append(("lines", outlines(district.geometry[rows], rows, palette.LINES_Z, col)))
    return out
