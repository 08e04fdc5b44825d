"""The features' attributes as columns of an ``EXT_structural_metadata`` property table.

One class, ``feature``, for every row of the district an export draws (buildings, roads,
green, water, ...) and for the pavilions when they are exported. Strings are UTF-8 ("" where
a value is missing); numbers a feature does not have (the height of a road, unknown floors)
carry the class's ``noData`` value, -1.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Literal

import numpy as np
import shapely

from gwangju_twin.geo.model import District
from gwangju_twin.geo.uses import USE_KEYS, building_use
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.tiles.files import JsonRows

#: The class every exported feature belongs to.
CLASS = "feature"
#: What a missing number is written as (``noData`` of the class's numeric properties).
NO_DATA = -1.0
#: What a missing longitude or latitude is stored as (before the offset is added: the
#: ``noData`` of those properties; no degree less an offset comes near it).
RAW_NO_DATA = -1000.0

Kind = Literal["STRING", "ENUM", "FLOAT64", "FLOAT32", "INT32"]


@dataclass(frozen=True)
class Column:
    """One property of the class: its name, type and what it says."""

    name: str
    kind: Kind
    description: str
    optional_number: bool = False
    #: Written as FLOAT32 less the table's ``offset`` (the metadata spec's value transform),
    #: missing values as ``RAW_NO_DATA``: a degree near a city in a float32 is ~1 mm.
    offset: bool = False


#: The class's properties, in the order they are written.
COLUMNS: tuple[Column, ...] = (
    Column("row", "INT32", "the feature's row in gwangju-twin's district table (-1: a "
           "pavilion)"),
    Column("feature_id", "STRING", "the source's own id of the feature (OSM id, register "
           "key, ...)"),
    Column("source_index", "INT32", "the feature's position in the source file (-1: a "
           "pavilion)"),
    Column("layer", "ENUM", "buildings, roads, green, water, plazas, landmarks, rails, "
           "pavilion, ..."),
    Column("kind", "ENUM", "the sub-type within the layer (building type, road class, "
           "a pavilion's sector)"),
    Column("use", "ENUM", "a building's normalised use (residential, school, hospital, "
           "...); empty for other features"),
    Column("name", "STRING", "the name as the source gives it (Korean for Gwangju)"),
    Column("name_en", "STRING", "the English name, when the source has one"),
    Column("height", "FLOAT32", "top above ground, metres", optional_number=True),
    Column("min_height", "FLOAT32", "bottom above ground, metres", optional_number=True),
    Column("height_source", "ENUM", "where the height came from: measured, levels or "
           "default (docs/data.md); empty for features that are not extruded"),
    Column("floors", "FLOAT32", "floors above ground as tagged", optional_number=True),
    Column("lon", "FLOAT32", "longitude (WGS84) of a point on the feature", offset=True),
    Column("lat", "FLOAT32", "latitude (WGS84) of a point on the feature", offset=True),
)


#: The enum name an empty text is written as, declared the property's ``noData``: the
#: metadata spec wants every enum name non-empty.
NONE = "(none)"
#: The most names an enum column takes (UINT16 values); a column with more is written as
#: strings.
MAX_ENUM = 65536


def enum_names(values: list[str]) -> list[str] | None:
    """The names of an ``ENUM`` column's values (its enum's values are their positions;
    "" is written as ``NONE``), or None when the column must be written as strings: too
    many distinct values, or a value that is ``NONE`` itself (it would read back as "")."""
    names = sorted(set(values))
    if NONE in names or len(names) > MAX_ENUM:
        return None
    return [NONE if n == "" else n for n in names]


def schema(version: str, enums: dict[str, list[str]] | None = None,
           offsets: dict[str, float] | None = None,
           components: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``EXT_structural_metadata`` schema of the exports. ``enums``: the names of each
    ``ENUM`` column's values (enum_names); an ``ENUM`` column not in it is a ``STRING``.
    ``offsets``: the offset of each column written less one (Column.offset).
    ``components``: the component type of an ``INT32`` column written narrower."""
    enums = enums or {}
    offsets = offsets or {}
    components = components or {}
    props: dict[str, Any] = {}
    types: dict[str, Any] = {}
    for c in COLUMNS:
        p: dict[str, Any] = {"description": c.description}
        if c.kind == "ENUM" and c.name in enums:
            names = enums[c.name]
            p["type"] = "ENUM"
            p["enumType"] = c.name
            if NONE in names:
                p["noData"] = NONE
            types[c.name] = {"valueType": enum_type(len(names)), "values": [
                {"name": n, "value": i} for i, n in enumerate(names)]}
        elif c.kind in ("STRING", "ENUM"):
            p["type"] = "STRING"
        else:
            p["type"] = "SCALAR"
            p["componentType"] = components.get(c.name, c.kind)
        if c.optional_number:
            p["noData"] = NO_DATA
        if c.offset:
            p["offset"] = offsets.get(c.name, 0.0)
            p["noData"] = RAW_NO_DATA
        props[c.name] = p
    out: dict[str, Any] = {
        "id": "gwangju_twin", "name": "gwangju-twin features", "version": version,
        "classes": {CLASS: {"name": "Feature", "description": "a feature of the city "
                            "(a building, a road, a park, ...) or an expo pavilion",
                            "properties": props}}}
    if types:
        out["enums"] = types
    return out


def enum_type(count: int) -> str:
    """The value type of an enum of ``count`` names."""
    return "UINT8" if count <= 256 else "UINT16"


@dataclass
class FeatureTable:
    """The property table's columns, one entry per feature: numbers as numpy arrays, strings
    as lists of ``str``."""

    columns: dict[str, np.ndarray | list[str]]

    def __len__(self) -> int:
        return len(self.columns["row"])

    def take(self, index: np.ndarray) -> FeatureTable:
        """The entries ``index`` (positions in this table), in that order."""
        idx = np.asarray(index, np.int64)
        return FeatureTable({name: (col[idx] if isinstance(col, np.ndarray)
                                    else [col[i] for i in idx.tolist()])
                             for name, col in self.columns.items()})

    def extended(self, other: FeatureTable) -> FeatureTable:
        """This table's entries, then ``other``'s."""
        out: dict[str, np.ndarray | list[str]] = {}
        for name, col in self.columns.items():
            more = other.columns[name]
            out[name] = (list(col) + list(more) if isinstance(col, list)
                         else np.concatenate([col, np.asarray(more, col.dtype)]))
        return FeatureTable(out)


def _texts(values: Sequence[Any]) -> list[str]:
    # Most columns are all text already: seen by the set of their values' types (made at C
    # speed, a fifth of a test per value in Python) and copied as they are.
    types = set(map(type, values))
    if types <= {str}:
        return list(values)
    if types <= {str, type(None)}:
        return [v or "" for v in values]  # text and missing values (most names)
    # Most values are already text: they pass on the first test.
    # (A str subclass, such as numpy's, goes through str().)
    return [v if type(v) is str else
            "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            for v in values]


def _numbers(values: np.ndarray) -> np.ndarray:
    a = np.asarray(values, np.float64)
    return np.where(np.isfinite(a), a, NO_DATA)


_USE_TAGS = frozenset(key for key, _ in USE_KEYS)
_USE_ORDER = tuple(key for key, _ in USE_KEYS)


def _decoded(d: District, rows: np.ndarray) -> list[dict[str, Any]]:
    """The properties of district ``rows``, to be read, not changed. A tile cache's rows
    (tiles.files.JsonRows) are decoded with one ``json.loads`` over all of them (a row at a
    time, a 185,000-building city spent 3.6 s of its 12 s export in the decoder's per-call
    overhead), and rows of the same text once, sharing their dict: most of a city's rows
    repeat another's (Sangmu's 2,960 buildings: 748 texts), and decoding was a third of
    its table's time."""
    props = d.properties
    data, offsets = getattr(props, "_data", None), getattr(props, "_offsets", None)
    if (not isinstance(props, JsonRows) or not isinstance(data, bytes)
            or not isinstance(offsets, np.ndarray) or len(rows) < 64):
        return [props[r] for r in rows.tolist()]
    bounds = zip(offsets[rows].tolist(), offsets[rows + 1].tolist(), strict=True)
    texts = [data[a:b] for a, b in bounds]
    distinct = list(dict.fromkeys(texts))
    try:
        # As JsonRows reads a row: UTF-8 with lone surrogates passed through.
        out = json.loads("[" + b",".join(distinct).decode("utf-8", "surrogatepass") + "]")
    except ValueError:
        out = None
    # (json.loads makes exact dicts: their types are compared at C speed.)
    if (not isinstance(out, list) or len(out) != len(distinct)
            or not set(map(type, out)) <= {dict}):
        # A damaged row: read one by one, so the error names it (CorruptFileError).
        return [props[r] for r in rows.tolist()]
    return list(map(dict(zip(distinct, out, strict=True)).__getitem__, texts))


#: A quoted use key in a row's JSON, in lower case (the rows are lowered first: keys match
#: case-insensitively). json.dumps, which wrote the rows, never escapes an ASCII letter. Not
#: ``kind``: the district's kind column stands in for that tag (building_use).
_USE_KEY = re.compile(rb'"(?:' + b"|".join(re.escape(k.encode())
                                           for k in sorted(_USE_TAGS - {"kind"}))
                      + rb')"\s*:')


def _may_name_use(d: District, rows: np.ndarray) -> np.ndarray | None:
    """Which of ``rows`` may hold a use key among their tags (a false alarm only costs a
    decode), found by one search over their JSON; None when the properties are no tile
    cache's rows, or when the first 64 all hold one (then most do and the search would only
    cost: an OSM district's buildings all have a ``building`` key)."""
    props = d.properties
    data, offsets = getattr(props, "_data", None), getattr(props, "_offsets", None)
    if not isinstance(props, JsonRows) or not isinstance(data, bytes) or not isinstance(
            offsets, np.ndarray) or len(rows) < 64:
        return None
    starts, ends = offsets[rows], offsets[rows + 1]
    if all(_USE_KEY.search(data[a:b].lower()) for a, b in zip(
            starts[:64].tolist(), ends[:64].tolist(), strict=True)):
        return None  # the first rows all name one: most do (OSM), decode them all
    joined = b"\n".join([data[a:b] for a, b in zip(starts.tolist(), ends.tolist(),
                                                       strict=True)]).lower()
    # Where each row starts in the joined text (one separator byte between rows).
    at = np.zeros(len(rows), np.int64)
    np.cumsum(ends[:-1] - starts[:-1] + 1, out=at[1:])
    hits = np.fromiter((m.start() for m in _USE_KEY.finditer(joined)), np.int64)
    out = np.zeros(len(rows), bool)
    out[np.searchsorted(at, hits, side="right") - 1] = True
    return out


def _plain(value: Any) -> str | int | float | bool | None:
    # Lists and objects count as absent in building_use, so here too (and are unhashable).
    return value if isinstance(value, (str, int, float, bool)) else None


def _uses(d: District, rows: np.ndarray, layer: np.ndarray, kind: list[str]) -> list[str]:
    """Each building's normalised use (geo.uses.building_use), "" for other features.

    building_use reads only a few tags, so it is asked once per distinct combination of
    those tags and the kind: a city's buildings share a handful (a register city's 185,000
    rows, a few dozen), and the per-row work is picking the tags out, a column at a time.
    """
    out = [""] * len(rows)
    building = np.flatnonzero(layer == "buildings")
    if not len(building):
        return out
    memo: dict[tuple[Any, ...], str] = {}
    tagged = _may_name_use(d, rows[building])
    if tagged is not None:
        # A building whose tags hold no use key at all has the use of its kind alone: no
        # need to decode its tags (a register city's 185,000 rows have none).
        for i in building[~tagged].tolist():
            use = memo.get((kind[i],))
            if use is None:
                use = memo[(kind[i],)] = building_use({}, kind[i])
            out[i] = use
        building = building[tagged]
        if not len(building):
            return out
    tags = _decoded(d, rows[building])
    kinds = [kind[i] for i in building.tolist()]
    keys: set[str] = set().union(*tags)
    if all(str(k).lower() not in _USE_TAGS or str(k).lower() == k for k in keys):
        # Every use key is written in lower case (the usual case): a column per key, the
        # rows' values as they are (a list or an object is unhashable: the slow way below).
        # A key no row has is a column of None made at once (most of the use keys, in most
        # cities: a third of a small district's export went to asking every row for them).
        columns = [list(map(dict.get, tags, repeat(key))) if key in keys
                   else [None] * len(tags) for key in _USE_ORDER]
        try:
            for i, mk in zip(building.tolist(), zip(kinds, *columns, strict=True),
                             strict=True):
                use = memo.get(mk)
                if use is None:
                    use = memo[mk] = building_use(
                        {key: _plain(v) for key, v in zip(_USE_ORDER, mk[1:], strict=True)},
                        mk[0])
                out[i] = use
            return out
        except TypeError:
            memo.clear()
    for i, k, t in zip(building.tolist(), kinds, tags, strict=True):
        # In the tags' order, so a later key that differs only in case wins, as it does in
        # building_use.
        picked = tuple((low, _plain(v)) for key, v in t.items()
                       if (low := str(key).lower()) in _USE_TAGS)
        use = memo.get((k, picked))
        if use is None:
            use = memo[(k, picked)] = building_use(dict(picked), k)
        out[i] = use
    return out


def feature_table(district: District, rows: np.ndarray,
                  pavilions: Sequence[PavilionInfo] = ()) -> FeatureTable:
    """The attributes of district ``rows`` (ascending), then of ``pavilions``."""
    rows = np.asarray(rows, np.int64)
    d = district
    geoms = d.geometry[rows]
    xy = np.full((len(rows), 2), np.nan)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if present.any():
        # The point the tiles anchor a feature by: on a polygon's surface, a line's middle.
        kinds = shapely.get_type_id(geoms[present])
        lines = np.isin(kinds, (1, 2, 5))
        pts = np.empty((int(present.sum()), 2))
        g = geoms[present]
        if lines.any():
            pts[lines] = shapely.get_coordinates(
                shapely.line_interpolate_point(g[lines], 0.5, normalized=True))
        if (~lines).any():
            pts[~lines] = shapely.get_coordinates(shapely.point_on_surface(g[~lines]))
        xy[present] = pts
    lon, lat = d.frame.to_lonlat(xy[:, 0], xy[:, 1])
    layer = d.layer[rows]
    kind = _texts(d.kind[rows].tolist())
    uses = _uses(d, rows, layer, kind)
    at = rows.tolist()  # Python ints index the list columns twice as fast as numpy's
    # Every row in order (a whole district's table, the usual case): the lists as they are.
    every = len(at) == len(d) and np.array_equal(rows, np.arange(len(d)))

    def picked(values: list[str | None]) -> Sequence[str | None]:
        return values if every else [values[r] for r in at]

    cols: dict[str, np.ndarray | list[str]] = {
        "row": rows.astype(np.int32),
        "feature_id": _texts(picked(d.feature_id)),
        "source_index": d.source_index[rows].astype(np.int32),
        "layer": _texts(layer.tolist()),
        "kind": kind,
        "use": uses,
        "name": _texts(picked(d.name)),
        "name_en": _texts(picked(d.name_en)),
        "height": _numbers(d.height[rows]),
        "min_height": _numbers(d.min_height[rows]),
        "height_source": _texts(d.height_source[rows].tolist()),
        "floors": _numbers(d.levels[rows]),
        "lon": np.where(np.isfinite(lon), lon, NO_DATA),
        "lat": np.where(np.isfinite(lat), lat, NO_DATA),
    }
    if pavilions:
        px = np.array([p.position[0] for p in pavilions])
        py = np.array([p.position[1] for p in pavilions])
        plon, plat = d.frame.to_lonlat(px, py)
        n = len(pavilions)
        extra: dict[str, np.ndarray | list[str]] = {
            "row": np.full(n, -1, np.int32), "feature_id": [p.id for p in pavilions],
            "source_index": np.full(n, -1, np.int32), "layer": ["pavilion"] * n,
            "kind": [p.sector for p in pavilions], "use": [""] * n,
            "name": [p.name_ko for p in pavilions], "name_en": [p.name_en for p in pavilions],
            "height": np.array([p.height for p in pavilions]), "min_height": np.zeros(n),
            "height_source": [""] * n, "floors": np.full(n, NO_DATA),
            "lon": np.asarray(plon, float), "lat": np.asarray(plat, float),
        }
        return FeatureTable(cols).extended(FeatureTable(extra))
    return FeatureTable(cols)
