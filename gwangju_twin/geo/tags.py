"""Reading OSM-style tags and the project's ``kind`` property: layer, sub-kind, heights, widths.

Keys are matched case-insensitively, so Korean building-register extracts (``HEIGHT``,
``GRND_FLR``) and OpenStreetMap exports (``height``, ``building:levels``) read the same way.
docs/data.md documents every key read here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # for annotations only: tags reads text and needs neither numpy nor pyproj
    from gwangju_twin.geo.model import HeightSource, Layer

#: The shape of a feature's drawn geometry: areas, lines or points.
GeomType = Literal["polygon", "line", "point"]

#: The project's own ``kind`` property: a layer name, singular or plural.
KIND_TO_LAYER: dict[str, Layer] = {
    "building": "buildings", "buildings": "buildings",
    "landmark": "landmarks", "landmarks": "landmarks",
    "road": "roads", "roads": "roads",
    "water": "water",
    "green": "green",
    "plaza": "plazas", "plazas": "plazas",
    "area": "area", "areas": "area",
}

#: Default building heights (metres) by building type, used when a building has neither a
#: height nor a floor count. Values follow typical Korean urban stock.
DEFAULT_HEIGHTS = {
    "apartments": 45.0, "residential": 12.0, "house": 6.0, "detached": 6.0,
    "commercial": 18.0, "retail": 9.0, "office": 30.0, "hotel": 30.0,
    "civic": 20.0, "public": 20.0, "government": 20.0, "convention": 25.0,
    "school": 15.0, "university": 18.0, "kindergarten": 6.0, "hospital": 25.0,
    "church": 12.0, "industrial": 10.0, "warehouse": 9.0, "garage": 3.0, "garages": 3.0,
    "shed": 3.0, "roof": 4.0, "parking": 12.0, "train_station": 15.0,
    # Types the building register's uses map to (schemas.toml), not covered above.
    "religious": 12.0, "dormitory": 15.0, "transportation": 15.0, "farm_auxiliary": 5.0,
}
FALLBACK_HEIGHT = 9.0
#: Values above these are typos or wrong units (the tallest building is 828 m); ignored, so a
#: stray 1e300 cannot overflow the float32 vertex buffers.
MAX_HEIGHT = 1000.0
MAX_LEVELS = 300.0
MAX_WIDTH = 1000.0
MAX_LANES = 50.0

#: Road ribbon widths (metres) by highway class when a road has neither width nor lanes.
ROAD_WIDTHS = {
    "motorway": 28.0, "trunk": 24.0, "primary": 20.0, "secondary": 14.0, "tertiary": 10.0,
    "unclassified": 7.0, "residential": 7.0, "living_street": 6.0, "service": 4.5,
    "pedestrian": 6.0, "footway": 2.5, "path": 2.0, "cycleway": 2.5, "steps": 2.0, "track": 3.0,
}
ROAD_FALLBACK_WIDTH = 6.0
LANE_WIDTH = 3.5

#: Waterway line widths (metres) when no width is given.
WATERWAY_WIDTHS = {"river": 40.0, "canal": 12.0, "stream": 6.0, "ditch": 2.0, "drain": 2.0}
WATERWAY_FALLBACK_WIDTH = 5.0

#: Polygons drawn green: parks, woods, lawns and farmland (a vineyard or a paddy field reads
#: as green from above, not as an administrative area).
GREEN_TAGS = {
    "leisure": {"park", "garden", "pitch", "playground", "golf_course", "nature_reserve",
                "recreation_ground", "common", "dog_park", "track", "miniature_golf"},
    "landuse": {"grass", "forest", "meadow", "recreation_ground", "village_green", "cemetery",
                "orchard", "vineyard", "farmland", "allotments", "greenfield", "flowerbed",
                "plant_nursery", "paddy", "conservation"},
    "natural": {"wood", "scrub", "grassland", "heath", "tree_row", "fell"},
}
#: Polygons drawn as water: lakes, ponds, reservoirs, basins and swimming pools.
WATER_TAGS = {
    "natural": {"water", "wetland", "bay", "spring"},
    "landuse": {"reservoir", "basin", "salt_pond"},
    "leisure": {"swimming_pool"},
    "water": None,  # any value
}
PLAZA_TAGS = {
    "place": {"square"},
    "amenity": {"parking", "marketplace"},
    "highway": {"pedestrian"},
    "area:highway": None,
}

#: Lines of the ``area`` layer get a kind by what they are, and the mesh a look per kind
#: (mesh/palette.py AREA_LINE_COLORS): a railway is not an administrative boundary.
#: Railway values are the tracks in use (OSM wiki, Key:railway); abandoned, disused and razed
#: lines have no rails and are plain lines.
RAILWAY_TRACKS = {"rail", "light_rail", "subway", "tram", "narrow_gauge", "monorail",
                  "funicular", "preserved", "miniature"}
#: power=* values of overhead and buried lines (OSM wiki, Key:power).
POWER_LINES = {"line", "minor_line", "cable"}
#: (key, values or None for any value, kind), tried in order for lines of the area layer.
AREA_LINE_KINDS: tuple[tuple[str, set[str] | None, str], ...] = (
    ("railway", RAILWAY_TRACKS, "railway"),
    ("power", POWER_LINES, "power_line"),
    ("barrier", None, "barrier"),
)
#: A line of the area layer with one of these keys (and none of the above, and no
#: ``boundary``) is some other mapped line (a cliff, a ski piste, a platform, a cable car):
#: kind "line", drawn plain, not in boundary purple. A line with none of them (an outline
#: from a boundary export, an untagged line) keeps the boundary look.
OTHER_LINE_KEYS = ("natural", "man_made", "railway", "power", "aerialway", "piste:type",
                   "public_transport", "leisure", "amenity", "landuse", "historic", "tourism",
                   "sport", "building", "building:part", "route", "place", "golf", "area")

LANDMARK_KEYS = ("tourism", "historic", "memorial", "landmark")
HEIGHT_KEYS = ("height", "building:height")
LEVEL_KEYS = ("building:levels", "levels", "floors", "grnd_flr")

#: An OSM-style value: a word, not a number (``ele=1785`` is counted as ``ele=*``).
_TAG_VALUE = re.compile(r"^(?=.*[a-z])[a-z0-9_:;.\-]{1,30}$")
_LENGTH = re.compile(
    r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(m|meter|meters|metre|metres|ft|feet|'|미터)?\s*$", re.I
)


def short_repr(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters: a report line must stay one short line
    whatever a property holds."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: Lower-cased key tuples by the key tuple they come from (``lower_keys``): the features of
#: a table-like source (a Shapefile, a GeoPackage, a register extract) all share one, so
#: each is lowered once instead of once per feature. Bounded, for sources whose every
#: feature has keys of its own (OpenStreetMap's tags).
_LOWERED: dict[tuple[Any, ...], tuple[str, ...]] = {}
_LOWERED_MAX = 1024


def lower_keys(props: dict[str, Any]) -> dict[str, Any]:
    """Properties with lower-case keys; the first spelling of a key wins."""
    keys = tuple(props)
    lowered = _LOWERED.get(keys)
    if lowered is not None:
        return dict(zip(lowered, props.values(), strict=True))
    out: dict[str, Any] = {}
    for key, value in props.items():
        out.setdefault(str(key).lower(), value)
    # Only text keys (1 and True would find each other's entry) that stay apart when
    # lowered: zipping them gives the same dict.
    if (len(out) == len(keys) and len(_LOWERED) < _LOWERED_MAX
            and all(type(k) is str for k in keys)):
        _LOWERED[keys] = tuple(out)
    return out


def parse_length(value: Any) -> float | None:
    """A length in metres from 12, 12.5, "12", "12 m", "12,5 m" or "40 ft"; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    match = _LENGTH.match(value)
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "m").lower()
    return number * 0.3048 if unit in ("ft", "feet", "'") else number


def parse_count(value: Any) -> float | None:
    """A floor or lane count from 5, 5.0 or "5"; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _tag(tags: dict[str, Any], key: str) -> str | None:
    value = tags.get(key)
    if value is None or isinstance(value, (list, dict)):
        return None
    text = str(value).strip().lower()
    return text if text and text != "no" else None


def _matches(tags: dict[str, Any], table: Mapping[str, set[str] | None]) -> str | None:
    for key, values in table.items():
        value = _tag(tags, key)
        if value is not None and (values is None or value in values):
            return value
    return None


def classify(tags: dict[str, Any], geom_type: GeomType) -> tuple[Layer, str, str | None]:
    """The layer, sub-kind and an optional warning for one feature.

    ``geom_type`` is "polygon", "line" or "point". The project's ``kind`` property wins
    when it fits the geometry; otherwise OSM-style tags decide; otherwise the geometry does.
    """
    warning = None
    kind = _tag(tags, "kind")
    if kind is not None:
        layer = KIND_TO_LAYER.get(kind)
        if layer is None:
            warning = f"unknown kind {short_repr(kind)}; classified by its tags"
        elif _fits(layer, geom_type):
            return layer, _subkind(tags, layer, geom_type), None
        else:
            warning = (f"kind {short_repr(kind)} does not fit a {geom_type} geometry; "
                       "classified by its tags")
    layer = _layer_from_tags(tags, geom_type)
    return layer, _subkind(tags, layer, geom_type), warning


def _fits(layer: Layer, geom_type: GeomType) -> bool:
    match geom_type:
        case "point":
            return layer == "landmarks"
        case "line":
            return layer in ("roads", "water", "area")
        case "polygon":
            return layer != "roads"


def _layer_from_tags(tags: dict[str, Any], geom_type: GeomType) -> Layer:
    if geom_type == "point":
        return "landmarks"
    landmark = any(_tag(tags, k) for k in LANDMARK_KEYS)
    if geom_type == "line":
        if _tag(tags, "highway"):
            return "roads"
        if _tag(tags, "waterway"):
            return "water"
        return "area"
    building = _tag(tags, "building") or _tag(tags, "building:part")
    if landmark and (building or _tag(tags, "name")):
        return "landmarks"
    if building:
        return "buildings"
    # Building-register extracts carry heights or floors but no building tag; the key being
    # present (even null) marks the schema.
    if any(key in tags for key in HEIGHT_KEYS + LEVEL_KEYS):
        return "buildings"
    if _matches(tags, WATER_TAGS) or _tag(tags, "waterway") in ("riverbank", "dock"):
        return "water"
    if _matches(tags, GREEN_TAGS):
        return "green"
    if _matches(tags, PLAZA_TAGS):
        return "plazas"
    return "area"


def _subkind(tags: dict[str, Any], layer: Layer, geom_type: GeomType) -> str:
    match layer:
        case "buildings" | "landmarks":
            building = _tag(tags, "building") or _tag(tags, "building:part")
            return building if building and building != "yes" else "yes"
        case "roads":
            return _tag(tags, "highway") or "road"
        case "water":
            return (_tag(tags, "waterway") or _tag(tags, "water")
                    or _matches(tags, WATER_TAGS) or _tag(tags, "natural") or "water")
        case "green":
            return _matches(tags, GREEN_TAGS) or "green"
        case "plazas":
            return _matches(tags, PLAZA_TAGS) or "plaza"
        case "area":
            if geom_type == "line":
                for key, values, line_kind in AREA_LINE_KINDS:
                    value = _tag(tags, key)
                    if value is not None and (values is None or value in values):
                        return line_kind
                if not _tag(tags, "boundary") and any(_tag(tags, k) for k in OTHER_LINE_KEYS):
                    return "line"
            return (_tag(tags, "boundary") or _tag(tags, "landuse") or _tag(tags, "amenity")
                    or "area")


def is_building(tags: dict[str, Any]) -> bool:
    """Whether the (lower-cased) tags mark a building: ``building=*``, ``building:part=*``
    or the project's ``kind`` building or landmark. A closed line with these tags is read
    as the building's outline (docs/data.md)."""
    return bool(_tag(tags, "building") or _tag(tags, "building:part")
                or _tag(tags, "kind") in ("building", "buildings", "landmark", "landmarks"))


#: Tags that make a point a point of interest, a pin in the default ``--points poi`` mode
#: (None: any value). Values in STREET_FURNITURE are exceptions.
POI_TAGS: dict[str, set[str] | None] = {
    "amenity": None, "tourism": None, "historic": None, "memorial": None, "landmark": None,
    "shop": None, "office": None, "leisure": None, "craft": None, "healthcare": None,
    "public_transport": {"station"}, "railway": {"station", "halt"},
    "aeroway": {"aerodrome", "terminal"}, "aerialway": {"station"},
    "man_made": {"tower", "lighthouse", "windmill", "water_tower", "observatory"},
}
#: Points that are furniture of the street, not places to visit: left out in ``poi`` mode
#: even when named (a bus stop has a name, and there are hundreds of them), and counted by
#: ``key=value`` in the load report. None: any value. Tried in this order.
STREET_FURNITURE: dict[str, set[str] | None] = {
    "highway": None,  # crossings, bus stops, street lamps, traffic signals, stop signs...
    "natural": {"tree", "tree_stump", "shrub", "rock", "stone"},
    "barrier": None, "power": None, "entrance": None, "emergency": None,
    "traffic_calming": None, "traffic_sign": None, "crossing": None, "advertising": None,
    "noexit": None, "ford": None, "enforcement": None, "playground": None,
    "aerialway": None,  # pylons; a station is a point of interest
    "railway": None,  # level crossings, signals, switches, tram stops
    "public_transport": None,  # platforms and stop positions
    "man_made": None,  # street cabinets, surveillance cameras, manholes, poles, masts
    "amenity": {"bench", "waste_basket", "waste_disposal", "recycling", "bicycle_parking",
                "motorcycle_parking", "parking_entrance", "parking_space", "vending_machine",
                "post_box", "letter_box", "telephone", "drinking_water", "water_point",
                "clock", "shelter", "hunting_stand", "grit_bin", "bbq", "charging_station",
                "atm", "bicycle_repair_station", "compressed_air", "ticket_validator",
                "smoking_area", "loading_dock", "feeding_place", "watering_place", "parking",
                "car_sharing"},
    "tourism": {"information"},  # boards, guideposts and maps; an office is kept (below)
    "leisure": {"picnic_table", "fitness_station", "firepit", "bleachers", "outdoor_seating",
                "slipway"},
    "historic": {"boundary_stone", "milestone"},
}
#: Keys that say nothing about what a point is: a point with only these (and addresses) is
#: counted as "addr:* only" or "no tags".
_META_PREFIXES = ("addr:", "source", "note", "fixme", "check_date", "@")
_META_KEYS = {"id", "osm_id", "osm_type", "created_by"}
ADDRESS_ONLY = "addr:* only"
NO_TAGS = "no tags"


def point_left_out(tags: dict[str, Any], named: bool) -> str | None:
    """Why a point is no pin in ``--points poi`` mode, as the tag it is counted under
    (``natural=tree``, ``highway=crossing``, ``addr:* only``, ``no tags``, or ``key=*`` for
    a key this table does not know), or None when it is a point of interest.

    In order: a point with the project's ``kind`` is kept (the data's author placed it); a
    POI tag keeps it (POI_TAGS, unless its value is street furniture); street furniture is
    left out even when named; any other named point is kept; the rest is left out.
    """
    if _tag(tags, "kind") is not None:
        return None
    for key, values in POI_TAGS.items():
        value = _tag(tags, key)
        if value is not None and (values is None or value in values) \
                and not _is_furniture(tags, key, value, any_value=False):
            return None
    for key in STREET_FURNITURE:
        value = _tag(tags, key)
        if value is not None and _is_furniture(tags, key, value, any_value=True):
            return _counted(key, value)
    if named:
        return None
    rest = [k for k in tags if _tag(tags, k) is not None
            and k not in _META_KEYS and not k.startswith(_META_PREFIXES)]
    if rest:
        return _counted(rest[0], _tag(tags, rest[0]) or "")
    return ADDRESS_ONLY if any(str(k).startswith("addr:") for k in tags) else NO_TAGS


def _counted(key: str, value: str) -> str:
    """``key=value`` for the report's counts. OSM-style values (``tree``, ``bus_stop``) are
    counted as they are; free text (a description, a code) by its key alone (``key=*``), or
    it would be one entry a point."""
    return f"{key[:30]}={value if _TAG_VALUE.match(value) else '*'}"


def _is_furniture(tags: dict[str, Any], key: str, value: str, any_value: bool) -> bool:
    """Whether ``key=value`` is street furniture; ``any_value`` lets a None row (any value
    of the key) count, which POI values (railway=station) must not."""
    if key not in STREET_FURNITURE:
        return False
    values = STREET_FURNITURE[key]
    if values is None:
        return any_value
    if key == "tourism" and _tag(tags, "information") in ("office", "visitor_centre"):
        return False
    return value in values


@dataclass(frozen=True)
class Height:
    """A building's vertical extent, where it came from, and notes on ignored values."""

    top: float
    bottom: float
    source: HeightSource
    levels: float  # NaN when unknown
    notes: tuple[str, ...] = ()
    #: The key that gave the height ("a16", "building:levels", ...); "" for a type default.
    key: str = ""


def _unknown_zero(value: Any) -> bool:
    """Whether ``value`` is the register's "not recorded" zero (0, 0.0, "0")."""
    number = parse_count(value)
    return number == 0.0


def building_height(
    tags: dict[str, Any], subkind: str, level_height: float, *,
    height_keys: tuple[str, ...] = HEIGHT_KEYS, level_keys: tuple[str, ...] = LEVEL_KEYS,
    zero_is_unknown: bool = False,
) -> Height:
    """Height of a building from ``height``/``building:height``/``HEIGHT``, then from floors
    (``building:levels``/``levels``/``floors``/``GRND_FLR``) times ``level_height``, then a
    default for its type (DEFAULT_HEIGHTS).

    A source schema (geo/schemas.py) passes its own ``height_keys`` and ``level_keys``; with
    ``zero_is_unknown`` a 0 means "not recorded" (the building register's convention) and
    is passed over without a note."""
    notes: list[str] = []
    top = None
    top_key = level_key = ""
    for key in height_keys:
        if key in tags and tags[key] is not None:
            if zero_is_unknown and _unknown_zero(tags[key]):
                continue
            value = parse_length(tags[key])
            if value is not None and 0 < value <= MAX_HEIGHT:
                top, top_key = value, key
                break
            notes.append(f"{key} {short_repr(tags[key])} is not a positive length up to "
                         f"{MAX_HEIGHT:g} m; ignored")
    levels = None
    for key in level_keys:
        if key in tags and tags[key] is not None:
            if zero_is_unknown and _unknown_zero(tags[key]):
                continue
            value = parse_count(tags[key])
            if value is not None and 0 < value <= MAX_LEVELS:
                levels, level_key = value, key
                break
            notes.append(f"{key} {short_repr(tags[key])} is not a positive floor count up to "
                         f"{MAX_LEVELS:g}; ignored")
    source: HeightSource
    if top is not None:
        source, given_by = "measured", top_key
    elif levels is not None:
        source, top, given_by = "levels", levels * level_height, level_key
    else:
        source, top = "default", DEFAULT_HEIGHTS.get(subkind, FALLBACK_HEIGHT)
        given_by = ""

    bottom = 0.0
    for key in ("min_height", "building:min_height"):
        if key in tags and tags[key] is not None:
            value = parse_length(tags[key])
            if value is not None and 0 <= value <= MAX_HEIGHT:
                bottom = value
                break
            notes.append(f"{key} {short_repr(tags[key])} is not a length; ignored")
    else:
        min_level = parse_count(tags.get("building:min_level", tags.get("min_level")))
        if min_level is not None and 0 < min_level <= MAX_LEVELS:
            bottom = min_level * level_height
    if bottom >= top:
        notes.append(f"min_height {bottom:g} m is not below the height {top:g} m; set to 0")
        bottom = 0.0
    if levels is None and source == "measured":
        levels_out = float("nan")
    else:
        levels_out = levels if levels is not None else float("nan")
    return Height(top, bottom, source, levels_out, tuple(notes), given_by)


def line_width(
    tags: dict[str, Any], layer: Layer, subkind: str, *,
    width_keys: tuple[str, ...] = ("width",), zero_is_unknown: bool = False,
) -> tuple[float, str | None]:
    """Ribbon width of a road or waterway: ``width`` (or a source schema's ``width_keys``,
    such as ``도로폭``), else ``lanes`` x 3.5 m, else by class. With ``zero_is_unknown`` a 0
    width means "not recorded" and is passed over without a note."""
    note = None
    for key in width_keys:
        if key not in tags or tags[key] is None:
            continue
        if zero_is_unknown and _unknown_zero(tags[key]):
            continue
        value = parse_length(tags[key])
        if value is not None and 0 < value <= MAX_WIDTH:
            return value, note
        note = (f"{key} {short_repr(tags[key])} is not a positive length up to "
                f"{MAX_WIDTH:g} m; ignored")
        break
    if layer == "roads":
        lanes = parse_count(tags.get("lanes"))
        if lanes is not None and 0 < lanes <= MAX_LANES:
            return lanes * LANE_WIDTH, note
        if tags.get("lanes") is not None:
            lanes_note = (f"lanes {short_repr(tags['lanes'])} is not a positive lane count up "
                          f"to {MAX_LANES:g}; ignored")
            note = f"{note}; {lanes_note}" if note else lanes_note
        return ROAD_WIDTHS.get(subkind, ROAD_FALLBACK_WIDTH), note
    if layer == "water":
        return WATERWAY_WIDTHS.get(subkind, WATERWAY_FALLBACK_WIDTH), note
    return float("nan"), note


def text_value(tags: dict[str, Any], key: str) -> str | None:
    """A scalar tag as text, or None (lists and objects are kept in properties, not here)."""
    value = tags.get(key)
    if value is None or isinstance(value, (list, dict)):
        return None
    text = str(value).strip()
    return text or None
