"""The district's layout (metres, in the viewer's local frame around the spec's origin):
arterials and the superblock grid, the blocks they leave, the hand-placed sites, then each
block's streets and buildings by its use, and last the overlap checks.

One seeded numpy generator and a fixed order of work make a spec give the same district
every time; every step below draws from it in the order ``build`` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from gwangju_twin.geo.frame import LocalFrame

from .geojson import Feature, unproject
from .lots import courtyard_block, fit_grid, lot_boxes
from .shapes import box_outline, ellipse, inside, parts, plus_outline, rect
from .spec import Props, Spec

SETBACK = 6.0  # sidewalk between a road ribbon and the blocks beside it, metres
CLEARANCE = 1.0  # least gap between two buildings, or a building and a road ribbon
SITE_GAP = 6.0  # ordinary buildings keep this far from parks, plazas, schools and landmarks
STREET_REACH = 10.0  # inner streets run this far past their block, into the road beside it

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


@dataclass
class Candidates:
    """Building footprints proposed by the block generators, before the global overlap filter."""

    geoms: list[BaseGeometry] = field(default_factory=list)
    props: list[Props] = field(default_factory=list)

    def add(self, geoms: np.ndarray | list[BaseGeometry], props: list[Props]) -> None:
        """Append footprints with their (per-footprint) properties."""
        self.geoms.extend(geoms)
        self.props.extend(props)


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
            # Extra source tags (amenity, emergency, healthcare...) pass through unchanged.
            props.update(lm.get("tags", {}))
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
                ring = courtyard_block(parcel, self.rng)
                if ring is not None:
                    floors = self.rng.integers(6, 10, size=1)
                    self.add_buildings(np.array([ring]), use, floors, ["commercial"])
                    continue
            b = lot_boxes(parcel, self.rng, *LOTS[use_name])
            self.add_buildings(inside(parcel, shapely.box(*b.T)), use)

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
            best = fit_grid(buildable, plus_outline(13.0, 7.0), angle, 50.0, 42.0)
        else:
            outline = box_outline(length, 14.0)
            best = fit_grid(buildable, outline, angle, 14.0 + gap, length + side)
        if len(best) < 3:
            best = fit_grid(buildable, plus_outline(13.0, 7.0), 0.0, 50.0, 42.0)
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
        geoms, found = self.resolve_buildings()
        for i, (g, p) in enumerate(zip(geoms, self.height_tags(found), strict=True)):
            out.append(Feature(f"bldg-{i + 1:05d}", "building", p, g))
        return out + self.dongs()

    def dongs(self) -> list[Feature]:
        """The administrative dongs as areas: each spec box minus the dongs before it,
        clipped to the district's blocks."""
        extent = shapely.box(*shapely.total_bounds([b for b, _ in self.blocks]))
        taken = shapely.Polygon()
        out = []
        for dong in self.spec.get("dong", []):
            (x0, y0), (x1, y1) = self.metres([[dong["lon"][0], dong["lat"][0]],
                                              [dong["lon"][1], dong["lat"][1]]])
            area = shapely.box(x0, y0, x1, y1).intersection(extent).difference(taken)
            taken = taken.union(area)
            props: Props = {"kind": "dong", "boundary": "administrative", "admin_level": 8,
                            "name": dong["name"], "name:en": dong["name_en"]}
            out.append(Feature(dong["id"], "area", props, area))
        return out
