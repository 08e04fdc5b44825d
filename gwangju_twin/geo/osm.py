"""OpenStreetMap files (.osm XML, .osm.pbf, gzip or bzip2 XML) -> raw parts, through pyosmium.

What becomes what (docs/data.md, "OpenStreetMap", says the same for users):

- a node with tags -> a point (every one: which points become pins is decided later, by the
  loader's points mode); untagged nodes are only positions of ways;
- a way that is not closed -> a line; a closed way -> an area or a line by its tags, after the
  Overpass turbo "Polygon Features" table (``AREA_KEYS``; the rules osmtogeojson, OSMnx and
  iD follow): ``area=no`` is a line, ``building=*`` or ``landuse=*`` an area, ``highway=*`` a
  line unless ``area=yes``, and so on. A closed way whose tags say both (``leisure=park`` with
  ``barrier=fence``) gives an area and a line;
- a relation of type ``multipolygon`` or ``boundary`` -> an area with holes, assembled by
  osmium's area assembler. Areas from closed ways come from the same assembler.

Ids are ``node/1``, ``way/2`` and ``relation/3``: an area keeps the id of the way or relation
it was built from. The properties are the OSM tags. Coordinates are WGS84 lon/lat.

A problem with one object (a way whose nodes lie outside the extract, a relation that does not
assemble, a node at an impossible position) is returned as a skipped Issue with the reason, or
as a note when part of it was kept; a file osmium cannot read raises InputError.

Speed: the objects come from osmium's C++ reader one by one (there is no vectorised
interface), but no Python touches single vertices: ways and areas come out as WKB, decoded by
one ``shapely.from_wkb`` call per kind and split into rings with ``shapely.to_ragged_array``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
import osmium
import shapely
from osmium.geom import WKBFactory

from gwangju_twin.errors import InputError
from gwangju_twin.geo.model import Issue
from gwangju_twin.geo.reader import RawCollection, RawFeature, check_data_file

#: Which tags make a closed way an area: key -> ("all", ()) for any value (except "no"),
#: ("passlist", values) for only those values, ("blocklist", values) for all values but
#: those. Source: https://wiki.openstreetmap.org/wiki/Overpass_turbo/Polygon_Features (its
#: JSON, as used by osmtogeojson and OSMnx). A closed way matching none is a line.
AREA_KEYS: dict[str, tuple[Literal["all", "passlist", "blocklist"], frozenset[str]]] = {
    "building": ("all", frozenset()),
    "highway": ("passlist", frozenset({"services", "rest_area", "escape", "elevator"})),
    "natural": ("blocklist", frozenset({"coastline", "cliff", "ridge", "arete", "tree_row"})),
    "landuse": ("all", frozenset()),
    "waterway": ("passlist", frozenset({"riverbank", "dock", "boatyard", "dam"})),
    "amenity": ("all", frozenset()),
    "leisure": ("all", frozenset()),
    "barrier": ("passlist", frozenset({
        "city_wall", "ditch", "hedge", "retaining_wall", "spikes"})),
    "railway": ("passlist", frozenset({"station", "turntable", "roundhouse", "platform"})),
    "area": ("all", frozenset()),
    "boundary": ("all", frozenset()),
    "man_made": ("blocklist", frozenset({"cutline", "embankment", "pipeline"})),
    "power": ("passlist", frozenset({"plant", "substation", "generator", "transformer"})),
    "place": ("all", frozenset()),
    "shop": ("all", frozenset()),
    "aeroway": ("blocklist", frozenset({"taxiway"})),
    "tourism": ("all", frozenset()),
    "historic": ("all", frozenset()),
    "public_transport": ("all", frozenset()),
    "office": ("all", frozenset()),
    "building:part": ("all", frozenset()),
    "military": ("all", frozenset()),
    "ruins": ("all", frozenset()),
    "area:highway": ("all", frozenset()),
    "craft": ("all", frozenset()),
    "golf": ("all", frozenset()),
    "indoor": ("all", frozenset()),
}

#: Tags that make a way a linear feature even when it is closed: a closed way that is an
#: area by ``AREA_KEYS`` and also carries one of these (without ``area=yes``) is drawn as
#: both, like a park fenced by its own outline. Key -> values (None: any value the table
#: does not make an area).
LINEAR_TAGS: dict[str, frozenset[str] | None] = {
    "highway": None, "barrier": None, "railway": None, "waterway": None, "aerialway": None,
    "power": frozenset({"line", "minor_line", "cable"}),
    "natural": frozenset({"coastline", "cliff", "ridge", "arete", "tree_row"}),
    "man_made": frozenset({"cutline", "embankment", "pipeline"}),
    "aeroway": frozenset({"taxiway"}),
}

#: Relation types osmium's area assembler turns into areas (libosmium's multipolygon manager).
AREA_RELATION_TYPES = frozenset({"multipolygon", "boundary"})

OsmFormat = Literal["pbf", "osm", "osm.gz", "osm.bz2"]

_FORMAT_NAMES: dict[str, str] = {
    "pbf": "OpenStreetMap PBF",
    "osm": "OpenStreetMap XML",
    "osm.gz": "OpenStreetMap XML (gzip)",
    "osm.bz2": "OpenStreetMap XML (bzip2)",
}


def way_shape(tags: Mapping[str, str], closed: bool) -> tuple[bool, bool]:
    """Whether a way with these tags is drawn as an area and whether as a line.

    An open way is a line. A closed way is an area when a tag of ``AREA_KEYS`` says so and
    ``area`` is not ``no``; it is also a line when another tag of the table names a linear
    feature (``barrier=fence`` on a park), unless ``area=yes`` says the whole way is an area.
    A closed way no tag makes an area stays a line.
    """
    if not closed:
        return False, True
    area_tag = tags.get("area")
    if area_tag == "no":
        return False, True
    area = linear = False
    for key, value in tags.items():
        rule = AREA_KEYS.get(key)
        if rule is None or value == "no":
            continue
        mode, values = rule
        if mode == "all" or (value in values) == (mode == "passlist"):
            area = True
        elif key in LINEAR_TAGS:
            lines = LINEAR_TAGS[key]
            linear = linear or lines is None or value in lines
    if not area:
        return False, True
    return True, linear and area_tag != "yes"


def sniff_format(path: Path) -> OsmFormat | None:
    """The OSM format of ``path`` by its first bytes, None when they are none of them.

    Content, not the name, decides: a PBF file saved as ``.osm`` is still read as PBF, and
    a text file named ``.osm`` that is not XML is named as such instead of as an XML error.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror})") from None
    if b"OSMHeader" in head[:32]:  # the first PBF BlobHeader names its blob type
        return "pbf"
    if head.startswith(b"\x1f\x8b"):
        return "osm.gz"
    if head.startswith(b"BZh"):
        return "osm.bz2"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "osm"
    return None


def read_osm(path: Path, max_bytes: int | None = None) -> RawCollection:
    """Read an OpenStreetMap file (XML, PBF, gzip or bzip2 XML) into raw features.

    Tagged nodes become points, ways lines or areas (``way_shape``), multipolygon and
    boundary relations areas with holes (osmium's assembler). Objects that cannot be built
    are skipped with the reason; InputError (one line) when the file is not OSM data osmium
    can read, is larger than ``max_bytes`` or holds no tagged object.
    """
    path = Path(path)
    check_data_file(path, max_bytes)
    fmt = sniff_format(path)
    if fmt is None:
        if path.stat().st_size == 0:
            raise InputError(f"{path}: file is empty, expected OpenStreetMap XML or PBF")
        raise InputError(
            f"{path}: is neither OpenStreetMap XML (<osm ...>) nor PBF; expected an .osm or "
            ".osm.pbf file"
        )
    name = _FORMAT_NAMES[fmt]
    collector = _Collector()
    try:
        collector.run(osmium.io.File(str(path), fmt))
    except RuntimeError as exc:
        # osmium's reader reports broken input as RuntimeError ("PBF error: unexpected
        # EOF", "XML parsing error at line 1773, column 1: unclosed token"); per-object
        # problems are caught where they arise, so nothing else is taken for a bad file.
        detail = " ".join(str(exc).split())[:160]
        raise InputError(
            f"{path}: is not a readable {name} file ({detail}); expected a complete "
            f"{'.osm.pbf' if fmt == 'pbf' else '.osm'} file"
        ) from None
    raw = collector.collection(name)
    if not raw.features and not raw.skipped:
        raise InputError(
            f"{path}: holds no tagged node, way or relation; expected OpenStreetMap data "
            "with tags (an extract of a town or a district)"
        )
    return raw


# -- the pass over the file ------------------------------------------------------------------


class _RelationMembers:
    """First-pass handler (osmium's area pass reads relations first): remembers the member
    ways of each area relation, so a relation that does not assemble can be told why."""

    def __init__(self) -> None:
        self.ways: dict[int, list[int]] = {}
        self.all_ways: set[int] = set()

    def relation(self, rel: osmium.osm.Relation) -> None:
        if rel.tags.get("type") in AREA_RELATION_TYPES:
            refs = [m.ref for m in rel.members if m.type == "w"]
            self.ways[rel.id] = refs
            self.all_ways.update(refs)


@dataclass
class _Slot:
    """One feature to be: an OSM object and the shape it is drawn as."""

    osm_type: Literal["node", "way", "relation"]
    osm_id: int
    tags: dict[str, str]
    shape: Literal["point", "line", "area"]
    notes: list[str] = field(default_factory=list)
    skip: str | None = None


@dataclass
class _WayGeometry:
    """What became of one way's node locations."""

    wkb: str | None  # the whole line, when every node has a location
    missing: int = 0  # nodes without a location (outside the extract)
    nodes: int = 0
    pieces: list[np.ndarray] = field(default_factory=list)  # located runs, when some missing
    error: str | None = None


class _Collector:
    """Reads the file once (plus osmium's relation pass) and keeps what features need."""

    def __init__(self) -> None:
        self.slots: list[_Slot] = []
        self.point_slot: list[int] = []
        self.lonlat: list[tuple[float, float]] = []
        self.way_geom: dict[int, _WayGeometry] = {}
        self.way_area_slot: dict[int, int] = {}  # way id -> its area slot
        self.way_line_slot: dict[int, int] = {}
        self.relation_slot: dict[int, int] = {}
        self.way_areas: dict[int, str | None] = {}  # osmium's areas (WKB) by way id
        self.relation_areas: dict[int, str | None] = {}
        self.member_seen: set[int] = set()  # member ways of area relations present
        self.member_broken: set[int] = set()  # ... of those, ways with nodes outside
        self.members = _RelationMembers()

    def run(self, source: osmium.io.File) -> None:
        factory = WKBFactory()
        tagged_nodes = osmium.filter.EmptyTagFilter()
        tagged_nodes.enable_for(osmium.osm.NODE)  # untagged nodes stay in C++
        processor = (osmium.FileProcessor(source).with_locations()
                     .with_areas(self.members).with_filter(tagged_nodes))
        members = self.members.all_ways
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                self._node(obj)
            elif isinstance(obj, osmium.osm.Way):
                wid = obj.id
                if wid in members:
                    self.member_seen.add(wid)
                if obj.tags:
                    self._way(obj, factory)
                elif wid in members:
                    try:
                        factory.create_linestring(obj)
                    except osmium.InvalidLocationError:
                        self.member_broken.add(wid)
                    except RuntimeError:
                        pass
            elif isinstance(obj, osmium.osm.Relation):
                if obj.tags.get("type") in AREA_RELATION_TYPES:
                    self._relation(obj)
            elif isinstance(obj, osmium.osm.Area):
                try:
                    wkb: str | None = factory.create_multipolygon(obj)
                except (RuntimeError, osmium.InvalidLocationError):
                    wkb = None
                if obj.from_way():
                    self.way_areas[obj.orig_id()] = wkb
                else:
                    self.relation_areas[obj.orig_id()] = wkb

    def _add(self, slot: _Slot) -> int:
        self.slots.append(slot)
        return len(self.slots) - 1

    def _relation(self, rel: osmium.osm.Relation) -> None:
        tags = dict(rel.tags)
        slot = _Slot("relation", rel.id, tags, "area")
        if not any(key != "type" for key in tags):
            # Nothing to classify it by: old-style multipolygons keep their tags on the
            # outer way, which is an area of its own.
            slot.skip = f"{tags['type']} relation has no tags besides 'type'"
        self.relation_slot[rel.id] = self._add(slot)

    def _node(self, node: osmium.osm.Node) -> None:
        slot = _Slot("node", node.id, dict(node.tags), "point")
        loc = node.location
        if not loc.valid():
            slot.skip = (
                "node has no valid position (latitude within -90..90 and longitude within "
                "-180..180 expected)"
            )
            self._add(slot)
            return
        self.point_slot.append(self._add(slot))
        self.lonlat.append((loc.lon, loc.lat))

    def _way(self, way: osmium.osm.Way, factory: WKBFactory) -> None:
        tags = dict(way.tags)
        nodes = way.nodes
        closed = len(nodes) > 1 and nodes[0].ref == nodes[-1].ref
        area, line = way_shape(tags, closed)
        geom = _WayGeometry(None, nodes=len(nodes))
        try:
            geom.wkb = factory.create_linestring(way)
        except osmium.InvalidLocationError:
            geom.pieces, geom.missing = _located_runs(way)
        except RuntimeError:
            geom.error = "way has fewer than 2 distinct nodes"
        self.way_geom[way.id] = geom
        if area:
            self.way_area_slot[way.id] = self._add(_Slot("way", way.id, tags, "area"))
        if line:
            self.way_line_slot[way.id] = self._add(_Slot("way", way.id, tags, "line"))

    # -- building the collection -------------------------------------------------------------

    def collection(self, format_name: str) -> RawCollection:
        points: dict[int, list[np.ndarray]] = {}
        if self.point_slot:
            xy = np.asarray(self.lonlat, dtype=np.float64)
            for k, row in enumerate(self.point_slot):
                points[row] = [xy[k:k + 1]]
        lines = self._lines()
        areas = self._areas()
        features: list[RawFeature] = []
        skipped: list[Issue] = []
        for index, slot in enumerate(self.slots):
            fid = f"{slot.osm_type}/{slot.osm_id}"
            if slot.skip is not None:
                skipped.append(Issue(index, fid, slot.skip))
                continue
            feat = RawFeature(index, fid, slot.tags, notes=slot.notes)
            if slot.shape == "point":
                feat.points = points[index]
            elif slot.shape == "line":
                feat.lines = lines[index]
            else:
                feat.polygons = areas[index]
            features.append(feat)
        # OSM coordinates are WGS84 lon/lat by definition: no CRS is declared.
        return RawCollection(features, skipped, len(self.slots), None, format=format_name,
                             encoding="utf-8")

    def _lines(self) -> dict[int, list[np.ndarray]]:
        """Line parts per slot: whole ways decoded from WKB at once; ways with nodes outside
        the extract keep their located runs."""
        out: dict[int, list[np.ndarray]] = {}
        rows: list[int] = []
        wkbs: list[str] = []
        for wid, row in self.way_line_slot.items():
            slot, geom = self.slots[row], self.way_geom[wid]
            if geom.wkb is not None:
                rows.append(row)
                wkbs.append(geom.wkb)
            elif geom.error is not None:
                slot.skip = geom.error
            elif geom.pieces:
                out[row] = geom.pieces
                slot.notes.append(
                    f"{_of(geom.missing, geom.nodes, 'node')} not in the file (outside the "
                    f"extract); {_pieces(len(geom.pieces))} with positions kept")
            else:
                slot.skip = (f"{_of(geom.missing, geom.nodes, 'node')} not in the file "
                             "(outside the extract); fewer than 2 positions are left")
        for row, part in zip(rows, _split_lines(wkbs), strict=True):
            out[row] = [part]
        return out

    def _areas(self) -> dict[int, list[list[np.ndarray]]]:
        """Polygons (rings, shell first) per slot from osmium's areas; closed ways osmium
        could not assemble but whose nodes are all there pass their ring on for repair."""
        rows: list[int] = []
        wkbs: list[str] = []
        ring_rows: list[int] = []
        ring_wkbs: list[str] = []
        for wid, row in self.way_area_slot.items():
            slot, geom = self.slots[row], self.way_geom[wid]
            wkb = self.way_areas.get(wid)
            if wkb is not None:
                rows.append(row)
                wkbs.append(wkb)
            elif geom.missing:
                slot.skip = (f"{_of(geom.missing, geom.nodes, 'node')} not in the file "
                             "(outside the extract); the area cannot be closed without them")
            elif geom.wkb is None or geom.nodes < 4:
                slot.skip = "closed way has fewer than 3 distinct nodes; it cannot be an area"
            else:
                # libosmium refuses rings that cross or touch themselves (osmium export drops
                # them); the loader repairs such rings with make_valid, as for GeoJSON.
                slot.notes.append("osmium could not assemble the closed way into an area "
                                  "(its ring crosses or touches itself)")
                ring_rows.append(row)
                ring_wkbs.append(geom.wkb)
        for rid, row in self.relation_slot.items():
            wkb = self.relation_areas.get(rid)
            if wkb is not None:
                rows.append(row)
                wkbs.append(wkb)
            elif self.slots[row].skip is None:
                self.slots[row].skip = self._relation_failure(rid)
        out = dict(zip(rows, _split_multipolygons(wkbs), strict=True))
        for row, ring in zip(ring_rows, _split_lines(ring_wkbs), strict=True):
            out[row] = [[ring]]
        return out

    def _relation_failure(self, rid: int) -> str:
        ways = self.members.ways.get(rid, [])
        absent = sum(1 for w in ways if w not in self.member_seen)
        if not ways:
            return "relation has no member ways; osmium could not assemble an area"
        if absent:
            return (f"{_of(absent, len(ways), 'member way')} not in the file (outside the "
                    "extract); osmium could not assemble an area")
        broken = sum(1 for w in ways if w in self.member_broken
                     or (w in self.way_geom and self.way_geom[w].missing))
        if broken:
            return (f"{_of(broken, len(ways), 'member way')} missing nodes (outside the "
                    "extract); osmium could not assemble an area")
        return ("osmium could not assemble an area from its member ways (rings that do not "
                "close, or that cross each other)")


def _located_runs(way: osmium.osm.Way) -> tuple[list[np.ndarray], int]:
    """The runs of consecutive nodes that have positions, as (n, 2) lon/lat arrays of at
    least two distinct points, and how many nodes have none. Per-node Python, but only for
    the few ways cut by the edge of an extract."""
    runs: list[np.ndarray] = []
    current: list[tuple[float, float]] = []
    missing = 0
    for node in way.nodes:
        loc = node.location
        if loc.valid():
            current.append((loc.lon, loc.lat))
            continue
        missing += 1
        runs.append(np.asarray(current, dtype=np.float64).reshape(-1, 2))
        current = []
    runs.append(np.asarray(current, dtype=np.float64).reshape(-1, 2))
    kept = []
    for run in runs:
        if len(run) >= 2 and np.any(run[1:] != run[:-1]):
            keep = np.ones(len(run), bool)
            keep[1:] = np.any(run[1:] != run[:-1], axis=1)
            kept.append(run[keep])
    return kept, missing


def _of(part: int, whole: int, noun: str) -> str:
    """'1 of its 5 nodes is', '2 of its 5 nodes are'."""
    return f"{part} of its {whole} {noun}s {'is' if part == 1 else 'are'}"


def _pieces(n: int) -> str:
    return "the piece" if n == 1 else f"{n} pieces"


def _split_lines(wkbs: list[str]) -> list[np.ndarray]:
    """WKB linestrings -> one (n, 2) coordinate array each, decoded in one call."""
    if not wkbs:
        return []
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object))
    _, coords, (offsets,) = shapely.to_ragged_array(geoms)
    return np.split(coords, offsets[1:-1])


def _split_multipolygons(wkbs: list[str]) -> list[list[list[np.ndarray]]]:
    """WKB multipolygons -> per geometry a list of polygons, each a list of rings (shell
    first), decoded in one call."""
    if not wkbs:
        return []
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object))
    _, coords, (ring_off, poly_off, multi_off) = shapely.to_ragged_array(geoms)
    rings = np.split(coords, ring_off[1:-1])
    polys = [rings[a:b] for a, b in pairwise(poly_off.tolist())]
    return [polys[a:b] for a, b in pairwise(multi_off.tolist())]
