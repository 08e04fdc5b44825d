"""What each feature of a read is: its layer and kind, height or width, names and warnings.

A feature's kind depends on its own properties and geometry type and on the read's rules
(the source schema and its keys), nothing else: the loader (geo/load.py) hands each
feature here and keeps the geometry, its repairs and the report to itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from gwangju_twin.geo.model import HeightSource, PointsMode
from gwangju_twin.geo.schemas import Schema
from gwangju_twin.geo.tags import (
    GeomType,
    building_height,
    classify,
    is_building,
    line_width,
    lower_keys,
    point_left_out,
    short_repr,
    text_value,
)

#: A feature as it is sorted: its properties, its geometry type, and whether it was a
#: geometry collection (``MIXED_POLYGONS``: polygons with lines or points; ``MIXED_LINES``:
#: lines with points; 0: neither).
Feature = tuple[dict[str, Any], GeomType, int]
MIXED_POLYGONS = 1
MIXED_LINES = 2

#: A sorted feature: either the reason a point is left out (not a point of interest), or
#: (layer, kind, top, bottom, height source, levels, width, name, English name, warnings,
#: the key its height came from). Plain tuples: a register city makes 185,000 of them.
Sorted = str | tuple[str, str, float, float, HeightSource | Literal[""], float, float,
                     str | None, str | None, tuple[str, ...], str | None]

_NAN = float("nan")


@dataclass(frozen=True)
class Rules:
    """What a read's features are sorted by: its source schema and the keys it reads, the
    height of a floor, and which points are kept."""

    schema: Schema
    name_keys: tuple[str, ...]
    height_keys: tuple[str, ...]
    level_keys: tuple[str, ...]
    width_keys: tuple[str, ...]
    level_height: float
    points: PointsMode


def sort_features(rules: Rules, features: Sequence[Feature]) -> list[Sorted]:
    """Each of ``features`` sorted by ``rules`` (see ``Sorted``)."""
    return [sort_feature(rules, props, gtype, mixed) for props, gtype, mixed in features]


def sort_feature(rules: Rules, props: dict[str, Any], gtype: GeomType, mixed: int) -> Sorted:
    """One feature sorted by ``rules``: ``props`` are its properties (left as they are),
    ``gtype`` what its geometry is, ``mixed`` whether it was a geometry collection."""
    tags = lower_keys(props)
    warnings = _schema_tags(rules.schema, tags, gtype)
    name = None
    for key in rules.name_keys:
        name = text_value(tags, key)
        if name:
            break
    name_en = text_value(tags, "name:en") or text_value(tags, "name_eng")
    if gtype == "point" and rules.points == "poi":
        left_out = point_left_out(tags, bool(name or name_en))
        if left_out is not None:
            return left_out
    layer, kind, warning = classify(tags, gtype)
    if warning:
        warnings.append(warning)
    if mixed == MIXED_POLYGONS:
        warnings.append("GeometryCollection: only its polygons are drawn")
    elif mixed == MIXED_LINES:
        warnings.append("GeometryCollection: only its lines are drawn")
    if gtype == "line" and layer == "area" and is_building(tags):
        warnings.append("tagged as a building but its line is not closed: drawn as a "
                        "line, not extruded")
    top = bottom = levels = width = _NAN
    source: HeightSource | Literal[""] = ""
    height_key = None
    if gtype == "polygon" and layer in ("buildings", "landmarks"):
        h = building_height(tags, kind, rules.level_height, height_keys=rules.height_keys,
                            level_keys=rules.level_keys,
                            zero_is_unknown=rules.schema.zero_is_unknown)
        top, bottom, source, levels = h.top, h.bottom, h.source, h.levels
        warnings.extend(h.notes)
        height_key = h.key or None
    elif gtype == "line" and layer in ("roads", "water"):
        width, note = line_width(tags, layer, kind, width_keys=rules.width_keys,
                                 zero_is_unknown=rules.schema.zero_is_unknown)
        if note:
            warnings.append(note)
    return (layer, kind, top, bottom, source, levels, width, name, name_en, tuple(warnings),
            height_key)


def _schema_tags(schema: Schema, tags: dict[str, Any], gtype: GeomType) -> list[str]:
    """Add to ``tags`` what the source schema says and the tags do not: the building type
    from its use column (``building``), and that its lines are roads (``highway``).
    Returns warnings."""
    warnings: list[str] = []
    if schema.layer == "buildings" and gtype == "polygon" and not (
            tags.get("building") or tags.get("kind")):
        kind = None
        for key in schema.use:
            value = text_value(tags, key)
            if value is None:
                continue
            kind = schema.building_type(value)
            if kind is None:
                warnings.append(f"{key} {short_repr(value)} is not a use in the "
                                f"{schema.name} schema table; building type unknown")
            break
        tags["building"] = kind or "yes"
    elif schema.layer == "roads" and gtype == "line" and not (
            tags.get("highway") or tags.get("kind")):
        tags["highway"] = "road"
    return warnings
