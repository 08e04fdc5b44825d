#!/usr/bin/env python3
"""Generate the schematic Sangmu district (assets/sangmu.geojson) from its TOML spec.

Usage: ``python scripts/make_district.py [--spec PATH] [--out PATH]``

The district is laid out in a local transverse-Mercator frame in metres, centred on the spec's
origin, and written as WGS84 lon/lat GeoJSON. The same spec always gives the same bytes: one
seeded numpy generator, a fixed order of work, coordinates rounded to 7 decimals and a fixed
key order. Buildings keep at least ``CLEARANCE`` metres from each other and from road ribbons, so
the rounding can never make them touch.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# The viewer's own local frame (the transverse Mercator it reads every district in), so the
# generator keeps no projection of its own that could drift from it.
from gwangju_twin.geo.frame import LocalFrame  # noqa: E402

DEFAULT_SPEC = HERE / "sangmu_district.toml"
DEFAULT_OUT = HERE.parent / "assets" / "sangmu.geojson"

SETBACK = 6.0  # sidewalk between a road ribbon and the blocks beside it, metres
CLEARANCE = 1.0  # least gap between two buildings, or a building and a road ribbon
SITE_GAP = 6.0  # ordinary buildings keep this far from parks, plazas, schools and landmarks
STREET_REACH = 10.0  # inner streets run this far past their block, into the road beside it
KINDS = ("landmark", "road", "water", "green", "plaza", "building")

#: Street-block uses: the class of their inner streets, and their lots as (frontage range,
#: lot depth, setback range, least building side), metres.
STREET_CLASS = {"commercial": "tertiary", "villas": "residential", "industrial": "residential"}
LOTS = {
    "commercial": ((20.0, 36.0), 34.0, (0.8, 3.0), 9.0),
    "villas": ((22.0, 30.0), 28.0, (1.2, 3.5), 8.0),
    "industrial": ((40.0, 70.0), 55.0, (4.0, 10.0), 18.0),
}
#: Shops, kindergartens and seniors' halls in apartment complexes.
LOW_RISE = {"building": ["retail", "civic"], "floors": [1, 3], "floor_height": 3.5}

Spec = dict[str, Any]
Props = dict[str, Any]
Box = tuple[float, float, float, float]


@dataclass
class Feature:
    """One output feature; ``geom`` is in the local metric frame until it is written."""

    fid: str
    kind: str
    props: Props
    geom: BaseGeometry


@dataclass
class Candidates:
    """Building footprints proposed by the block generators, before the global overlap filter."""

    geoms: list[BaseGeometry] = field(default_factory=list)
    props: list[Props] = field(default_factory=list)

    def add(self, geoms: np.ndarray | list[BaseGeometry], props: list[Props]) -> None:
        """Append footprints with their (per-footprint) properties."""
        self.geoms.extend(geoms)
        self.props.extend(props)


def unproject(frame: LocalFrame, geoms: np.ndarray) -> np.ndarray:
    """Metric geometries in ``frame`` back to lon/lat."""

    def inverse(c: np.ndarray) -> np.ndarray:
        return np.column_stack(frame.to_lonlat(c[:, 0], c[:, 1]))

    return shapely.transform(geoms, inverse)


def rect(cx: float, cy: float, w: float, h: float) -> Polygon:
    """An axis-aligned w x h rectangle centred on (cx, cy)."""
    return shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def parts(geom: BaseGeometry, min_size: float = 0.0) -> list[BaseGeometry]:
    """Split a geometry into its non-empty parts, keeping those above ``min_size`` (area/length)."""
    out = []
    for g in shapely.get_parts(geom):
        if g.is_empty:
            continue
        size = g.area if g.geom_type == "Polygon" else g.length
        if size > min_size:
            out.append(g)
    return out


def oriented_shapes(centres: np.ndarray, outline: np.ndarray, angle_deg: float) -> np.ndarray:
    """Copies of one outline (k, 2), rotated by ``angle_deg`` and moved to each centre (n, 2)."""
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    ring = outline @ rot.T
    return shapely.polygons(centres[:, None, :] + ring[None, :, :])


def box_outline(length: float, depth: float) -> np.ndarray:
    """Corners of a length x depth rectangle around the origin, counter-clockwise."""
    u, v = length / 2, depth / 2
    return np.array([[-u, -v], [u, -v], [u, v], [-u, v]])


def plus_outline(arm: float, half_width: float) -> np.ndarray:
    """A plus-shaped tower outline (arm: centre to tip), counter-clockwise."""
    a, b = arm, half_width
    return np.array(
        [
            [-b, -a],
            [b, -a],
            [b, -b],
            [a, -b],
            [a, b],
            [b, b],
            [b, a],
            [-b, a],
            [-b, b],
            [-a, b],
            [-a, -b],
            [-b, -b],
        ]
    )


def ellipse(cx: float, cy: float, w: float, h: float, n: int = 36) -> Polygon:
    """An ellipse of width w and height h as a polygon."""
    t = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    return Polygon(np.column_stack([cx + w / 2 * np.cos(t), cy + h / 2 * np.sin(t)]))


def lot_boxes(
    parcel: BaseGeometry,
    rng: np.random.Generator,
    frontage: tuple[float, float],
    depth: float,
    setback: tuple[float, float],
    min_side: float,
) -> np.ndarray:
    """Cut a parcel's bounding box into rows of lots fronting its long sides; return the
    building boxes (n, 4: xmin, ymin, xmax, ymax), each a lot shrunk by random setbacks."""
    x0, y0, x1, y1 = parcel.bounds
    flip = (y1 - y0) > (x1 - x0)
    length, breadth = (y1 - y0, x1 - x0) if flip else (x1 - x0, y1 - y0)
    rows = max(1, round(breadth / depth))
    row_edges = np.linspace(0.0, breadth, rows + 1)
    lots = []
    for r in range(rows):
        widths = rng.uniform(frontage[0], frontage[1], size=int(length // frontage[0]) + 2)
        edges = np.concatenate([[0.0], np.cumsum(widths)])
        edges = np.append(edges[edges < length - frontage[0] / 2], length)
        n = len(edges) - 1
        lots.append(
            np.column_stack(
                [edges[:-1], np.full(n, row_edges[r]), edges[1:], np.full(n, row_edges[r + 1])]
            )
        )
    u0, v0, u1, v1 = np.vstack(lots).T
    s = rng.uniform(setback[0], setback[1], size=(4, len(u0)))
    u0, v0, u1, v1 = u0 + s[0], v0 + s[1], u1 - s[2], v1 - s[3]
    keep = (u1 - u0 >= min_side) & (v1 - v0 >= min_side)
    u0, v0, u1, v1 = u0[keep], v0[keep], u1[keep], v1[keep]
    if flip:
        return np.column_stack([x0 + v0, y0 + u0, x0 + v1, y0 + u1])
    return np.column_stack([x0 + u0, y0 + v0, x0 + u1, y0 + v1])


def inside(region: BaseGeometry, geoms: np.ndarray) -> np.ndarray:
    """The geometries lying strictly inside ``region``."""
    geoms = np.asarray(geoms)
    if len(geoms) == 0:
        return geoms
    shapely.prepare(region)
    return geoms[shapely.contains_properly(region, geoms)]


class DistrictBuilder:
    """Lays out the district from a spec; call :meth:`build`, then :meth:`features`."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rng = np.random.default_rng(spec["seed"])
        self.frame = LocalFrame(*spec["origin"])
        lon0, lat0, lon1, lat1 = spec["bounds"]
        edge = np.linspace(0.0, 1.0, 41)
        ring = np.concatenate(
            [
                np.column_stack([lon0 + (lon1 - lon0) * edge, np.full(41, lat0)]),
                np.column_stack([np.full(41, lon1), lat0 + (lat1 - lat0) * edge]),
                np.column_stack([lon1 - (lon1 - lon0) * edge, np.full(41, lat1)]),
                np.column_stack([np.full(41, lon0), lat1 - (lat1 - lat0) * edge]),
            ]
        )
        # 1 m inside the lon/lat box, so rounding never pushes a coordinate out of it.
        self.area = Polygon(self.metres(ring)).buffer(-1.0, join_style="mitre")
        self.roads: list[tuple[LineString, Props]] = []
        self.other: list[Feature] = []  # landmarks, water, green, plaza, in output order
        self.reserved: list[BaseGeometry] = []  # kept free of ordinary buildings
        self.candidates = Candidates()
        self.blocks: list[tuple[Polygon, str]] = []
        self.complexes = 0
        # Filled in by place_sites():
        self.park_blocks: list[Polygon] = []
        self.school_sites: list[tuple[BaseGeometry, Spec]] = []
        self.reserved_all: BaseGeometry = Polygon()
        self.pond: BaseGeometry = Polygon()
        self.stream: BaseGeometry = LineString()
        self.stream_ribbon: BaseGeometry = Polygon()
        self.corridor: BaseGeometry = Polygon()

    def metres(self, lonlat: Any) -> np.ndarray:
        """[lon, lat] pairs (or one pair) as an (n, 2) array of metres in the district's frame."""
        a = np.asarray(lonlat, dtype=float).reshape(-1, 2)
        return np.column_stack(self.frame.to_local(a[:, 0], a[:, 1]))

    # ------------------------------------------------------------------ roads and blocks
    def add_road(self, line: BaseGeometry, highway: str, extra: Props | None = None) -> None:
        """Clip a road to the district and record it with its class defaults."""
        props: Props = {"kind": "road", "highway": highway}
        props.update(self.spec["road_class"][highway])
        props.update(extra or {})
        for piece in parts(line.intersection(self.area), min_size=12.0):
            self.roads.append((shapely.simplify(piece, 0.2), props))

    def ribbons(self, grow: float = 0.0) -> np.ndarray:
        """Every road buffered by half its width (plus ``grow``)."""
        lines = np.array([line for line, _ in self.roads], dtype=object)
        half = np.array([p["width"] / 2 + grow for _, p in self.roads])
        return shapely.buffer(lines, half)

    def lay_roads(self) -> None:
        """Arterials and the superblock grid from the spec."""
        for road in self.spec["road"]:
            extra = {"name": road["name"], "name:en": road["name_en"]}
            extra.update({k: road[k] for k in ("lanes", "width") if k in road})
            self.add_road(LineString(self.metres(road["path"])), road["class"], extra)
        for highway, paths in self.spec["grid"].items():
            for path in paths:
                self.add_road(LineString(self.metres(path)), highway)

    def cut_blocks(self) -> None:
        """Superblocks are what the roads and their sidewalks leave; each takes its map use."""
        cut = shapely.union_all(self.ribbons(SETBACK))
        grid = self.spec["blocks"]
        rows = [row.split() for row in grid["map"]]
        lon_splits, lat_splits = np.array(grid["lon"]), np.array(grid["lat"])
        found = []
        for block in parts(self.area.difference(cut), min_size=2000.0):
            rep = shapely.point_on_surface(block)
            lon, lat = unproject(self.frame, np.array([rep]))[0].coords[0]
            col = int(np.searchsorted(lon_splits, lon))
            row = int(np.sum(lat_splits > lat))
            use = grid["legend"][rows[row][col]]
            found.append((row, col, round(rep.x, 1), round(rep.y, 1), block, use))
        found.sort(key=lambda f: f[:4])
        self.blocks = [(shapely.normalize(f[4]), f[5]) for f in found]

    def block_at(self, x: float, y: float) -> Polygon:
        """The superblock containing a point."""
        pt = Point(x, y)
        for block, _ in self.blocks:
            if block.contains(pt):
                return block
        raise ValueError(f"no block contains the point ({x:.0f}, {y:.0f}) m; check the spec")

    # ------------------------------------------------------------------ sites
    def place_sites(self) -> None:
        """Landmarks, plazas, parks, schools, pond and brook: everything not on a lot."""
        self.park_blocks = [b for b, use in self.blocks if use == "park"]
        memorial = None
        for lm in self.spec["landmark"]:
            x, y = self.metres(lm["at"])[0]
            props: Props = {"name": lm["name"], "name:en": lm["name_en"]}
            if lm.get("footprint") == "block":
                memorial = self.block_at(x, y)
                props.update({"kind": "green", "leisure": "park"})
                self.other.append(Feature(lm["id"], "green", props, memorial))
                continue
            dx, dy = lm.get("offset", [0, 0])
            foot = rect(x + dx, y + dy, *lm["size"])
            props.update(
                {
                    "kind": "landmark",
                    "building": lm["building"],
                    "building:levels": lm["floors"],
                    "height": lm["height"],
                }
            )
            self.other.append(Feature(lm["id"], "landmark", props, foot))
            self.reserved.append(foot)
        for pl in self.spec["plaza"]:
            foot = rect(*self.metres(pl["at"])[0], *pl["size"])
            props = {
                "kind": "plaza",
                "place": "square",
                "name": pl["name"],
                "name:en": pl["name_en"],
            }
            self.other.append(Feature(pl["id"], "plaza", props, foot))
            self.reserved.append(foot)
        for i, block in enumerate(b for b in self.park_blocks if b is not memorial):
            props = {"kind": "green", "leisure": "park"}
            self.other.append(Feature(f"green-park-{i + 1:02d}", "green", props, block))
        self.reserved.extend(self.park_blocks)
        blocks = shapely.union_all([b for b, _ in self.blocks])
        for i, park in enumerate(self.spec.get("park", [])):
            site = rect(*self.metres(park["at"])[0], *park["size"]).intersection(blocks)
            site = site.buffer(-8).buffer(8)
            self.other.append(
                Feature(
                    f"green-nbhd-{i + 1:02d}", "green", {"kind": "green", "leisure": "park"}, site
                )
            )
            self.reserved.append(site)
        for school in self.spec.get("school", []):
            site = rect(*self.metres(school["at"])[0], *school["size"]).intersection(blocks)
            self.school_sites.append((site, school))
            self.reserved.append(site)
        pond_spec = self.spec["pond"]
        self.pond = ellipse(*self.metres(pond_spec["at"])[0], *pond_spec["size"])
        self.other.append(
            Feature(
                "water-pond",
                "water",
                {
                    "kind": "water",
                    "natural": "water",
                    "name": pond_spec["name"],
                    "name:en": pond_spec["name_en"],
                },
                self.pond,
            )
        )
        brook = self.spec["stream"]
        line = LineString(self.metres(brook["path"])).intersection(self.area)
        self.stream = shapely.simplify(line, 0.2)
        self.stream_ribbon = self.stream.buffer(brook["width"] / 2)
        self.other.append(
            Feature(
                "water-brook",
                "water",
                {
                    "kind": "water",
                    "waterway": "stream",
                    "width": brook["width"],
                    "name": brook["name"],
                    "name:en": brook["name_en"],
                },
                self.stream,
            )
        )
        self.corridor = self.stream.buffer(brook["green"]).intersection(self.area)
        self.reserved_all = shapely.union_all(self.reserved)
        if memorial is not None:
            self.memorial_paths(memorial)

    def memorial_paths(self, park: Polygon) -> None:
        """A loop path and two cross paths through the Memorial Park."""
        loop = park.buffer(-45).exterior
        self.add_road(LineString(loop.coords), "pedestrian")
        inner = Polygon(loop)
        c = park.centroid
        x0, y0, x1, y1 = park.bounds
        for line in (LineString([(c.x, y0), (c.x, y1)]), LineString([(x0, c.y), (x1, c.y)])):
            self.add_road(line.intersection(inner), "pedestrian")

    # ------------------------------------------------------------------ block generators
    def use(self, name: str) -> Spec:
        """The spec's table for a block use."""
        return self.spec["use"][name]

    def pick_types(self, use: Spec, n: int) -> list[str]:
        """``n`` building types drawn from a use's ``building`` entry (a name or a list)."""
        kinds = use["building"]
        if isinstance(kinds, str):
            return [kinds] * n
        return [kinds[i] for i in self.rng.integers(0, len(kinds), size=n)]

    def add_buildings(
        self,
        geoms: np.ndarray,
        use: Spec,
        floors: np.ndarray | None = None,
        types: list[str] | None = None,
        extra: list[Props] | None = None,
    ) -> None:
        """Propose footprints with floors drawn from the use's range unless given."""
        n = len(geoms)
        if n == 0:
            return
        lo, hi = use["floors"]
        if floors is None:
            floors = self.rng.integers(lo, hi + 1, size=n)
        types = types or self.pick_types(use, n)
        props = []
        for i in range(n):
            p: Props = {
                "building": types[i],
                "_floors": int(floors[i]),
                "_floor_height": use["floor_height"],
            }
            if extra:
                p.update(extra[i])
            props.append(p)
        self.candidates.add(list(geoms), props)

    def inner_streets(self, block: Polygon, spacing: tuple[float, float], highway: str) -> None:
        """A grid of streets across a superblock, stopping short of sites."""
        x0, y0, x1, y1 = block.bounds
        reach = block.buffer(STREET_REACH)
        avoid = self.reserved_all.buffer(4.0)
        lines = []
        nx = max(1, round((x1 - x0) / spacing[0]))
        ny = max(1, round((y1 - y0) / spacing[1]))
        for k in range(1, nx):
            x = x0 + (x1 - x0) * k / nx
            lines.append(LineString([(x, y0 - STREET_REACH), (x, y1 + STREET_REACH)]))
        for k in range(1, ny):
            y = y0 + (y1 - y0) * k / ny
            lines.append(LineString([(x0 - STREET_REACH, y), (x1 + STREET_REACH, y)]))
        for line in lines:
            for piece in parts(line.intersection(reach).difference(avoid), min_size=25.0):
                self.add_road(piece, highway)

    def parcels(self, block: Polygon, street_from: int) -> list[BaseGeometry]:
        """The pieces of a block between its inner streets, clear of sites and the brook."""
        streets = self.ribbons(2.0)[street_from:]
        cut = shapely.union_all(
            [*streets, self.reserved_all.buffer(SITE_GAP), self.corridor.buffer(4.0)]
        )
        return parts(block.difference(cut), min_size=150.0)

    def street_block(self, block: Polygon, use_name: str) -> None:
        """Commercial, villa and industrial blocks: streets, then lots along them."""
        use = self.use(use_name)
        first = len(self.roads)
        self.inner_streets(block, tuple(use["street_spacing"]), STREET_CLASS[use_name])
        for parcel in self.parcels(block, first):
            if use_name == "commercial" and self.rng.random() < use["courtyard_share"]:
                ring = self.courtyard_block(parcel)
                if ring is not None:
                    floors = self.rng.integers(6, 10, size=1)
                    self.add_buildings(np.array([ring]), use, floors, ["commercial"])
                    continue
            b = lot_boxes(parcel, self.rng, *LOTS[use_name])
            self.add_buildings(inside(parcel, shapely.box(*b.T)), use)

    def courtyard_block(self, parcel: BaseGeometry) -> Polygon | None:
        """A perimeter block with an inner courtyard filling a rectangular parcel, if it fits."""
        x0, y0, x1, y1 = parcel.bounds
        if x1 - x0 < 55 or y1 - y0 < 45 or parcel.area < 0.97 * (x1 - x0) * (y1 - y0):
            return None
        s = float(self.rng.uniform(1.5, 3.0))
        d = float(self.rng.uniform(12.0, 16.0))
        outer = shapely.box(x0 + s, y0 + s, x1 - s, y1 - s)
        court = shapely.box(x0 + s + d, y0 + s + d, x1 - s - d, y1 - s - d)
        ring = Polygon(outer.exterior.coords, [court.exterior.coords])
        return ring if parcel.contains_properly(ring) else None

    def campus(self, block: Polygon, use_name: str) -> None:
        """Civic and convention blocks: a few large buildings on big lots around the sites."""
        use = self.use(use_name)
        free = block.difference(self.reserved_all.buffer(SITE_GAP + 4))
        if use_name == "convention":
            # Lawns around the halls and the plaza keep the expo grounds open.
            here = [r for r in self.reserved if r.intersects(block)]
            lawn = shapely.union_all(here).buffer(45.0).intersection(block)
            for i, g in enumerate(parts(lawn.difference(self.reserved_all), min_size=500.0)):
                props = {"kind": "green", "landuse": "grass"}
                self.other.append(Feature(f"green-expo-{i + 1:02d}", "green", props, g))
            free = free.difference(lawn.buffer(SITE_GAP))
        for parcel in parts(free, min_size=1500.0):
            b = lot_boxes(parcel, self.rng, (55.0, 95.0), 70.0, (6.0, 14.0), 22.0)
            self.add_buildings(inside(parcel, shapely.box(*b.T)), use)

    def apartments(self, block: Polygon) -> None:
        """Apartment complexes: a service loop, its entrances, and parallel slabs or towers."""
        use = self.use("apartments")
        avoid = shapely.union_all([self.reserved_all.buffer(10.0), self.corridor.buffer(4.0)])
        for part in parts(block.difference(avoid), min_size=1500.0):
            x0, y0, x1, y1 = part.bounds
            if part.area < 14000 or min(x1 - x0, y1 - y0) < 95:
                # Too small for a complex: a row of low shops and community buildings.
                b = lot_boxes(part, self.rng, (24.0, 36.0), 30.0, (3.0, 6.0), 10.0)
                self.add_buildings(inside(part, shapely.box(*b.T)), LOW_RISE)
                continue
            self.complexes += 1
            self.service_loop(block, part)
            self.complex_buildings(part.buffer(-28.0), use, self.complexes)

    def service_loop(self, block: Polygon, part: BaseGeometry) -> None:
        """A service road 16 m inside the complex edge plus north and south entrances."""
        loop_area = max(parts(part.buffer(-16.0)), key=lambda g: g.area)
        ring = LineString(loop_area.exterior.coords)
        self.add_road(ring, "service")
        cx = loop_area.centroid.x
        _, y0, _, y1 = block.bounds
        spine = LineString([(cx, y0 - STREET_REACH), (cx, y1 + STREET_REACH)])
        stubs = spine.intersection(block.buffer(STREET_REACH)).difference(loop_area)
        avoid = shapely.union_all([self.reserved_all.buffer(3.0), self.stream_ribbon.buffer(3.0)])
        for stub in parts(stubs, min_size=5.0):
            if stub.distance(ring) < 0.5 and stub.length < 45 and not stub.intersects(avoid):
                self.add_road(stub, "service")

    def complex_buildings(self, buildable: BaseGeometry, use: Spec, number: int) -> None:
        """Slabs (facing south, sometimes turned) or plus-shaped towers on a best-fitting grid;
        narrow sites that take no slab get upright towers."""
        if buildable.is_empty:
            return
        rng = self.rng
        towers = rng.random() < 0.3
        angle = float(rng.choice([0.0, 0.0, 0.0, 12.0, -12.0, 25.0]))
        length = float(rng.choice([48.0, 60.0, 72.0, 84.0]))
        gap = float(rng.uniform(32.0, 40.0))
        side = float(rng.uniform(14.0, 24.0))
        if towers:
            best = self.fit_grid(buildable, plus_outline(13.0, 7.0), angle, 50.0, 42.0)
        else:
            outline = box_outline(length, 14.0)
            best = self.fit_grid(buildable, outline, angle, 14.0 + gap, length + side)
        if len(best) < 3:
            best = self.fit_grid(buildable, plus_outline(13.0, 7.0), 0.0, 50.0, 42.0)
        if len(best) == 0:
            return
        # Number the buildings row by row from the north-west, as complexes do.
        cents = shapely.get_coordinates(shapely.centroid(best))
        order = np.lexsort((np.round(cents[:, 0]), -np.round(cents[:, 1] / 10)))
        best = best[order]
        lo, hi = use["floors"]
        base = int(rng.integers(lo, hi + 1))
        floors = np.clip(base + rng.integers(-3, 4, size=len(best)), lo, hi)
        names = [
            {
                "name": f"상무 {number}단지 {101 + i}동",
                "name:en": f"Sangmu Complex {number}, Bldg {101 + i}",
            }
            for i in range(len(best))
        ]
        self.add_buildings(best, use, floors, extra=names)
        # One or two low buildings (shops, a kindergarten) in the gaps between the blocks.
        clear = buildable.difference(shapely.union_all(best).buffer(10.0))
        bx0, by0, bx1, by1 = buildable.bounds
        gx, gy = np.meshgrid(np.arange(bx0 + 20, bx1, 40.0), np.arange(by0 + 12, by1, 26.0))
        small = inside(
            clear, shapely.box(gx.ravel() - 16, gy.ravel() - 8, gx.ravel() + 16, gy.ravel() + 8)
        )
        if len(small):
            pick = np.sort(rng.choice(len(small), size=min(2, len(small)), replace=False))
            self.add_buildings(small[pick], LOW_RISE)

    def fit_grid(
        self,
        buildable: BaseGeometry,
        outline: np.ndarray,
        angle: float,
        row_pitch: float,
        col_pitch: float,
    ) -> np.ndarray:
        """Footprints on a (rotated, staggered) grid inside ``buildable``; of a few grid
        phases, the one that fits the most."""
        c = buildable.centroid
        x0, y0, x1, y1 = buildable.bounds
        reach = max(x1 - x0, y1 - y0) / 2 + 2 * col_pitch
        a = math.radians(angle)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        best = np.array([])
        for fu, fv in ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5), (0.25, 0.25)):
            v = np.arange(-reach, reach, row_pitch) + fv * row_pitch
            u = np.arange(-reach, reach, col_pitch) + fu * col_pitch
            uu, vv = np.meshgrid(u, v)
            uu = uu + (np.arange(len(v))[:, None] % 2) * col_pitch * 0.25
            local = np.column_stack([uu.ravel(), vv.ravel()])
            centres = local @ rot.T + np.array([c.x, c.y])
            kept = inside(buildable, oriented_shapes(centres, outline, angle))
            if len(kept) > len(best):
                best = kept
        return best

    def school(self, number: int, site: BaseGeometry, school: Spec) -> None:
        """A school: an L-shaped classroom wing, a gym, and a sports field."""
        use = self.use("school")
        x0, y0, x1, y1 = site.bounds
        w, h = x1 - x0, y1 - y0
        m = 10.0
        pitch_h = min(0.45 * h, 70.0)
        pitch = shapely.box(x0 + m + 4, y0 + m, x1 - m - 4, y0 + m + pitch_h)
        self.other.append(
            Feature(
                f"green-pitch-{number:02d}",
                "green",
                {"kind": "green", "leisure": "pitch", "sport": "soccer"},
                pitch,
            )
        )
        top = y1 - m
        wing_len = max(0.0, min(45.0, (top - 16) - (y0 + m + pitch_h + 10)))
        main_w = min(0.6 * w, 110.0)
        main = shapely.box(x0 + m, top - 16, x0 + m + main_w, top)
        if wing_len > 12:
            main = shapely.union(main, shapely.box(x0 + m, top - 16 - wing_len, x0 + m + 16, top))
        main = shapely.normalize(shapely.simplify(main, 0.01))
        gym = shapely.box(x1 - m - 38, top - 26, x1 - m, top)
        floors = int(self.rng.integers(use["floors"][0], use["floors"][1] + 1))
        names = {"name": school["name"], "name:en": school["name_en"]}
        self.add_buildings(
            np.array([main, gym]), use, np.array([floors, 2]), ["school", "school"], [names, {}]
        )

    def fill_blocks(self) -> None:
        """Run each block's generator, then the schools."""
        for block, use in self.blocks:
            if use in ("commercial", "villas", "industrial"):
                self.street_block(block, use)
            elif use in ("civic", "convention"):
                self.campus(block, use)
            elif use == "apartments":
                self.apartments(block)
        for i, (site, school) in enumerate(self.school_sites):
            self.school(i + 1, site, school)

    # ------------------------------------------------------------------ checks and finish
    def resolve_buildings(self) -> tuple[np.ndarray, list[Props]]:
        """Drop candidates on roads, water, greens or plazas, then any crowding an earlier one."""
        geoms = np.array(self.candidates.geoms, dtype=object)
        obstacles = [
            *self.ribbons(CLEARANCE),
            self.stream_ribbon.buffer(CLEARANCE),
            self.corridor,
            self.pond,
            *[f.geom.buffer(SITE_GAP / 2) for f in self.other if f.kind in ("landmark",)],
            *[f.geom for f in self.other if f.kind in ("green", "plaza")],
        ]
        tree = shapely.STRtree(obstacles)
        hit = np.unique(tree.query(geoms, predicate="intersects")[0])
        keep = np.ones(len(geoms), dtype=bool)
        keep[hit] = False
        keep &= shapely.contains_properly(self.area, geoms)
        idx = np.flatnonzero(keep)
        pairs = shapely.STRtree(geoms[idx]).query(
            geoms[idx], predicate="dwithin", distance=CLEARANCE
        )
        pairs = pairs[:, pairs[0] < pairs[1]]
        alive = np.ones(len(idx), dtype=bool)
        for i, j in sorted(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True)):
            if alive[i]:
                alive[j] = False
        idx = idx[alive]
        return geoms[idx], [self.candidates.props[i] for i in idx]

    def height_tags(self, props: list[Props]) -> list[Props]:
        """Mix the height sources: ~70% levels only, ~25% height (some as text), ~5% neither."""
        u = self.rng.random(len(props))
        as_text = self.rng.random(len(props)) < 0.3
        out = []
        for p, ui, text in zip(props, u, as_text, strict=True):
            q = {k: v for k, v in p.items() if not k.startswith("_")}
            floors, fh = p["_floors"], p["_floor_height"]
            if ui < 0.70:
                q["building:levels"] = floors
            elif ui < 0.95:
                metres = round(floors * fh + (1.5 if floors > 2 else 0.5), 1)
                q["height"] = f"{metres:.0f} m" if text else metres
            q["kind"] = "building"
            out.append(q)
        return out

    def build(self) -> None:
        """Run every step in its fixed order."""
        self.lay_roads()
        self.cut_blocks()
        self.place_sites()
        self.fill_blocks()
        self.check_landmarks()

    def check_landmarks(self) -> None:
        """Landmarks are placed by hand in the spec: fail loudly if one sits on a road."""
        rib = shapely.union_all(self.ribbons(CLEARANCE))
        for f in self.other:
            if f.kind == "landmark" and f.geom.intersects(rib):
                raise SystemExit(f"landmark {f.fid} overlaps a road; move it in the spec")

    def features(self) -> list[Feature]:
        """All features in output order: landmarks, roads, water, green, plaza, buildings."""
        out = [f for f in self.other if f.kind == "landmark"]
        for i, (line, props) in enumerate(self.roads):
            out.append(Feature(f"road-{i + 1:04d}", "road", props, line))
        out += [f for f in self.other if f.kind == "water"]
        greens = [f for f in self.other if f.kind == "green"]
        cut = shapely.union_all(
            [
                *self.ribbons(),
                self.stream_ribbon,
                *[g.geom for g in greens],
                self.reserved_all,
                self.pond,
            ]
        )
        strip = parts(self.corridor.difference(cut), min_size=200.0)
        greens += [
            Feature(f"green-brook-{i + 1:02d}", "green", {"kind": "green", "landuse": "grass"}, g)
            for i, g in enumerate(strip)
        ]
        out += greens
        out += [f for f in self.other if f.kind == "plaza"]
        geoms, props = self.resolve_buildings()
        for i, (g, p) in enumerate(zip(geoms, self.height_tags(props), strict=True)):
            out.append(Feature(f"bldg-{i + 1:05d}", "building", p, g))
        return out


# ---------------------------------------------------------------------- GeoJSON output
def ring_coords(coords: np.ndarray) -> list[list[float]]:
    """Lon/lat coordinates rounded to 7 decimals."""
    return np.round(np.asarray(coords)[:, :2], 7).tolist()


def geometry_json(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry; polygons oriented per RFC 7946 (outer CCW, holes CW)."""
    if geom.geom_type == "LineString":
        return {"type": "LineString", "coordinates": ring_coords(geom.coords)}
    if geom.geom_type == "Polygon":
        rings = [geom.exterior, *geom.interiors]
        return {"type": "Polygon", "coordinates": [ring_coords(r.coords) for r in rings]}
    raise TypeError(f"unexpected geometry {geom.geom_type}")


def write_geojson(name: str, features: list[Feature], frame: LocalFrame, out: Path) -> None:
    """Write one feature per line, keys in a fixed order, UTF-8, no ``crs`` member."""
    metric = np.array([f.geom for f in features], dtype=object)
    # Normalised polygons start at a canonical vertex, whatever the overlay that made them;
    # lines keep their direction (a stream's is its flow).
    oriented = np.array(
        [orient(shapely.normalize(g), 1.0) if g.geom_type == "Polygon" else g for g in metric],
        dtype=object,
    )
    lonlat = unproject(frame, oriented)
    lines = []
    for f, g in zip(features, lonlat, strict=True):
        props = dict(sorted(f.props.items()))
        feat = {"type": "Feature", "id": f.fid, "properties": props, "geometry": geometry_json(g)}
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(
        {"type": "FeatureCollection", "name": name}, ensure_ascii=False, separators=(",", ":")
    )[:-1]
    text = head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(text.encode("utf-8"))


def load_spec(path: Path) -> Spec:
    """Read the district spec (TOML)."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="district spec (TOML)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="GeoJSON to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    spec = load_spec(args.spec)
    builder = DistrictBuilder(spec)
    builder.build()
    features = builder.features()
    write_geojson(spec["name"], features, builder.frame, args.out)
    counts = Counter(f.kind for f in features)
    summary = ", ".join(f"{counts[k]} {k}" for k in KINDS)
    print(f"{args.out.name}: {summary} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
