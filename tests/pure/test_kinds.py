"""What each feature is (geo/kinds.py): sorted from its properties, geometry type and the
read's rules alone, the properties left as they were."""

from __future__ import annotations

import math

from gwangju_twin.geo.kinds import (
    MIXED_LINES,
    MIXED_POLYGONS,
    Rules,
    sort_feature,
    sort_features,
)
from gwangju_twin.geo.schemas import builtin_schemas


def _rules(schema: str = "al_d010", points: str = "poi") -> Rules:
    table = builtin_schemas()
    chosen, default = table.get(schema), table.default
    return Rules(chosen,
                 tuple(dict.fromkeys(chosen.names + default.names)),
                 tuple(dict.fromkeys(chosen.height + default.height)),
                 tuple(dict.fromkeys(chosen.levels + default.levels)),
                 tuple(dict.fromkeys(chosen.width + default.width)),
                 3.0, points)  # type: ignore[arg-type]


def test_a_register_building_gets_its_type_height_and_name_and_keeps_its_properties() -> None:
    props = {"A24": "잠실아파트", "A9": "공동주택", "A16": 0, "A26": 15}
    sorted_ = sort_feature(_rules(), props, "polygon", 0)
    assert not isinstance(sorted_, str)
    layer, kind, top, bottom, source, levels, width, name, name_en, warnings, key = sorted_
    assert (layer, kind, name, name_en) == ("buildings", "apartments", "잠실아파트", None)
    # A16 = 0 means unknown in the register: the 15 floors give the height.
    assert (top, bottom, source, levels) == (45.0, 0.0, "levels", 15.0)
    assert math.isnan(width) and warnings == ()
    assert key == "a26"
    # The schema's building type was added to a copy, not to the feature's properties.
    assert props == {"A24": "잠실아파트", "A9": "공동주택", "A16": 0, "A26": 15}


def test_an_unknown_use_is_warned_about_and_the_building_kept() -> None:
    sorted_ = sort_feature(_rules(), {"A9": "우주정거장", "A16": 12.0}, "polygon", 0)
    assert not isinstance(sorted_, str)
    assert sorted_[0] == "buildings" and sorted_[2] == 12.0
    # The key as the register's lowered columns spell it.
    assert sorted_[9] == ("a9 '우주정거장' is not a use in the al_d010 schema table; building "
                          "type unknown",)


def test_a_point_of_no_interest_is_left_out_with_its_reason_unless_all_points_are_kept(
) -> None:
    plain = {"barrier": "bollard"}
    left_out = sort_feature(_rules("osm"), plain, "point", 0)
    assert isinstance(left_out, str) and "barrier" in left_out
    kept = sort_feature(_rules("osm", points="all"), plain, "point", 0)
    assert not isinstance(kept, str)


def test_a_geometry_collection_says_what_of_it_is_drawn() -> None:
    rules = _rules("osm")
    polygons = sort_feature(rules, {"building": "yes"}, "polygon", MIXED_POLYGONS)
    lines = sort_feature(rules, {"highway": "primary"}, "line", MIXED_LINES)
    plain = sort_feature(rules, {"building": "yes"}, "polygon", 0)
    assert not isinstance(polygons, str) and not isinstance(lines, str)
    assert not isinstance(plain, str)
    assert "GeometryCollection: only its polygons are drawn" in polygons[9]
    assert "GeometryCollection: only its lines are drawn" in lines[9]
    assert not any("GeometryCollection" in w for w in plain[9])


def test_features_are_sorted_in_their_order() -> None:
    rules = _rules("osm")
    features = [({"building": "house"}, "polygon", 0), ({"highway": "primary"}, "line", 0),
                ({"natural": "water"}, "polygon", 0)]
    layers = [s[0] for s in sort_features(rules, features)  # type: ignore[arg-type]
              if not isinstance(s, str)]
    assert layers == [sort_feature(rules, *f)[0] for f in features]  # type: ignore[arg-type]
    assert layers[:2] == ["buildings", "roads"]
