"""Broken input: a bad FILE stops with one line; a bad FEATURE never stops the load.

Whole-file problems raise InputError naming the file and the problem, and through the command
line print exactly one ``gwangju-twin: error:`` line with exit status 2. Feature problems are
repaired or skipped, listed in the report by index and id, and the good features still load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from geojson_builders import (
    collection,
    feature,
    geodesic_area,
    ll,
    polygon,
    ring,
    square,
)

from gwangju_twin.errors import InputError
from gwangju_twin.geo import load_geojson

# --------------------------------------------------------------------------------------------
# Whole-file problems: InputError naming the file; the CLI prints one line and exits with 2.
# --------------------------------------------------------------------------------------------


def test_bad_file_raises_one_line_input_error(bad_file: tuple[Path, tuple[str, ...]]) -> None:
    path, words = bad_file
    with pytest.raises(InputError) as info:
        load_geojson(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    for word in words:
        assert word in message.lower(), f"{word!r} missing from: {message}"


def test_bad_crs_option_names_the_option(write_geojson: Callable[..., Path]) -> None:
    path = write_geojson(collection(feature(polygon(square(0, 0, 10)))))
    with pytest.raises(InputError, match="--crs") as info:
        load_geojson(path, crs="EPSG:not-a-code")
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------------------------
# Feature problems: repaired or skipped, listed by index and id; the rest loads.
# --------------------------------------------------------------------------------------------

_A = ll(0, 0)


#: id -> (the bad feature, the list it must appear in, words its reason must contain)
BAD_FEATURES: dict[str, tuple[dict[str, Any], str, tuple[str, ...]]] = {
    "null-geometry": (feature(None, "bad"), "skipped", ("geometry", "null")),
    "null-geometry-without-id": (feature(None), "skipped", ("geometry", "null")),
    "unknown-geometry-type": (
        feature({"type": "Circle", "coordinates": _A, "radius": 10}, "bad"),
        "skipped", ("unknown geometry type", "circle"),
    ),
    "geometry-without-coordinates": (feature({"type": "Polygon"}, "bad"), "skipped",
                                     ("coordinates",)),
    "coordinates-are-words": (
        feature(polygon([["east", "north"], ["a", "b"], ["c", "d"], ["east", "north"]]), "bad"),
        "skipped", ("coordinates", "numbers"),
    ),
    "coordinates-are-numeric-strings": (
        feature(polygon([[str(v) for v in p] for p in square(0, 0, 10)]), "bad"),
        "skipped", ("coordinates", "numbers"),
    ),
    "coordinate-is-null": (
        feature(polygon([_A, [None, _A[1]], ll(10, 10), _A]), "bad"),
        "skipped", ("coordinates",),
    ),
    "coordinates-nested-too-shallow": (
        feature({"type": "Polygon", "coordinates": square(0, 0, 10)}, "bad"),
        "skipped", ("coordinates", "positions"),
    ),
    "coordinates-nested-too-deep": (
        feature({"type": "Point", "coordinates": [_A]}, "bad"), "skipped", ("coordinates",),
    ),
    "coordinates-not-a-list": (
        feature({"type": "LineString", "coordinates": "126.85 35.15, 126.86 35.16"}, "bad"),
        "skipped", ("coordinates",),
    ),
    "polygon-with-two-points": (
        feature(polygon([_A, ll(10, 0), _A]), "bad"), "skipped", ("fewer than 3",),
    ),
    "zero-area-sliver": (
        feature(polygon(ring((0, 0), (10, 0), (20, 0))), "bad"), "skipped", ("zero-area",),
    ),
    "properties-not-an-object": (
        {"type": "Feature", "id": "bad", "properties": [1, 2],
         "geometry": polygon(square(0, 0, 5))},
        "skipped", ("properties",),
    ),
    "not-a-feature": (
        {"type": "Polygon", "id": "bad", "coordinates": [square(0, 0, 5)]}, "skipped",
        ("not a geojson feature",),
    ),
    "bow-tie": (
        feature(polygon(ring((0, 0), (20, 20), (20, 0), (0, 20))), "bad"), "repaired",
        ("make_valid", "self-intersection"),
    ),
    "unclosed-ring": (
        feature(polygon(ring((0, 0), (20, 0), (20, 20), (0, 20), close=False)), "bad"),
        "repaired", ("unclosed",),
    ),
    "duplicate-consecutive-points": (
        feature(polygon(ring((0, 0), (20, 0), (20, 0), (20, 20), (20, 20), (0, 20))), "bad"),
        "repaired", ("repeated",),
    ),
    "hole-outside-shell": (
        feature(polygon(square(0, 0, 20), square(40, 40, 5)[::-1]), "bad"), "repaired",
        ("make_valid", "hole", "outside"),
    ),
    "clockwise-outer-ring": (
        feature(polygon(square(0, 0, 20)[::-1]), "bad"), "repaired", ("clockwise",),
    ),
    "overlapping-multipolygon-parts": (
        feature({"type": "MultiPolygon",
                 "coordinates": [[square(0, 0, 20)], [square(10, 10, 20)]]}, "bad"),
        "repaired", ("overlapping",),
    ),
}


def _load_between_good(
    write_geojson: Callable[..., Path], bad: dict[str, Any]
) -> tuple[Any, Any]:
    """Load [good, bad, good]: the bad feature sits at index 1."""
    doc = collection(
        feature(polygon(square(-300, 0, 20)), "good-0", building="yes"),
        bad,
        feature(polygon(square(300, 0, 20)), "good-2", building="yes"),
    )
    return load_geojson(write_geojson(doc))


@pytest.mark.parametrize("case", sorted(BAD_FEATURES))
def test_bad_feature_is_listed_and_the_rest_loads(
    case: str, write_geojson: Callable[..., Path]
) -> None:
    bad, list_name, words = BAD_FEATURES[case]
    district, report = _load_between_good(write_geojson, bad)
    expected_id = bad.get("id")

    listed = [i for i in getattr(report, list_name) if i.index == 1]
    assert listed, f"feature 1 missing from report.{list_name}: {report.as_dict()}"
    assert all(i.id == expected_id for i in listed)
    reasons = " | ".join(i.reason.lower() for i in listed)
    for word in words:
        assert word in reasons, f"{word!r} not in {reasons!r}"

    # The good neighbours load untouched and are not listed anywhere.
    assert report.features == 3
    assert {"good-0", "good-2"} <= set(district.feature_id)
    for issues in (report.repaired, report.skipped, report.warnings):
        assert all(i.index == 1 for i in issues), issues
    if list_name == "skipped":
        assert report.loaded == len(district) == 2
        assert 1 not in district.source_index
        assert not [i for i in report.repaired if i.index == 1]
    else:
        assert report.loaded == len(district) == 3
        assert list(district.source_index) == [0, 1, 2]
        assert not report.skipped
        assert shapely.is_valid(district.geometry).all()


def _bad_geometry(district: Any) -> shapely.Geometry:
    row = int(np.flatnonzero(district.source_index == 1)[0])
    return district.geometry[row]


def test_bow_tie_becomes_two_triangles_with_the_same_area(
    write_geojson: Callable[..., Path],
) -> None:
    bad, _, _ = BAD_FEATURES["bow-tie"]
    district, _ = _load_between_good(write_geojson, bad)
    geom = _bad_geometry(district)
    parts = shapely.get_parts(geom)
    assert len(parts) == 2
    assert all(len(p.exterior.coords) == 4 and not p.interiors for p in parts)  # triangles
    # The two lobes of (0,0)-(20,20)-(20,0)-(0,20): triangles meeting at the crossing (10,10).
    lobes = [ring((10, 10), (20, 20), (20, 0)), ring((10, 10), (0, 20), (0, 0))]
    expected = sum(geodesic_area(lobe) for lobe in lobes)
    assert expected == pytest.approx(200.0, rel=1e-3)  # 2 x (20 x 10 / 2) m²
    assert geom.area == pytest.approx(expected, rel=1e-3)
    for part in parts:
        assert part.area == pytest.approx(expected / 2, rel=1e-3)


@pytest.mark.parametrize("case", ["unclosed-ring", "duplicate-consecutive-points",
                                  "clockwise-outer-ring"])
def test_simple_repairs_keep_the_square(case: str, write_geojson: Callable[..., Path]) -> None:
    bad, _, _ = BAD_FEATURES[case]
    district, report = _load_between_good(write_geojson, bad)
    geom = _bad_geometry(district)
    assert geom.geom_type == "Polygon"
    assert len(geom.exterior.coords) == 5  # four distinct corners, closed, no repeats
    assert geom.exterior.is_ccw
    assert geom.area == pytest.approx(geodesic_area(square(0, 0, 20)), rel=1e-4)
    assert report.reoriented == (1 if case == "clockwise-outer-ring" else 0)


def test_hole_outside_shell_keeps_the_whole_shell(write_geojson: Callable[..., Path]) -> None:
    bad, _, _ = BAD_FEATURES["hole-outside-shell"]
    district, _ = _load_between_good(write_geojson, bad)
    geom = _bad_geometry(district)
    assert geom.is_valid
    shell_area = geodesic_area(square(0, 0, 20))
    # Nothing of the shell is lost (make_valid turns the stray ring into its own area).
    assert geom.area >= shell_area * (1 - 1e-4)
    assert geom.area <= shell_area + geodesic_area(square(40, 40, 5)) * (1 + 1e-4)


def test_overlapping_parts_are_united_not_cut(write_geojson: Callable[..., Path]) -> None:
    bad, _, _ = BAD_FEATURES["overlapping-multipolygon-parts"]
    district, _ = _load_between_good(write_geojson, bad)
    geom = _bad_geometry(district)
    assert geom.is_valid
    # Two 20 m squares overlapping by 10 m x 10 m: the union, overlap counted once.
    overlap = geodesic_area(square(10, 10, 10))
    expected = 2 * geodesic_area(square(0, 0, 20)) - overlap
    assert expected == pytest.approx(700.0, rel=1e-3)
    assert geom.area == pytest.approx(expected, rel=1e-4)


def test_hole_inside_shell_is_kept_not_repaired(write_geojson: Callable[..., Path]) -> None:
    doc = feature(polygon(square(0, 0, 20), square(5, 5, 10)[::-1]), "courtyard")
    district, report = load_geojson(write_geojson(doc))
    geom = district.geometry[0]
    assert len(geom.interiors) == 1
    expected = geodesic_area(square(0, 0, 20)) - geodesic_area(square(5, 5, 10))
    assert geom.area == pytest.approx(expected, rel=1e-4)
    assert not report.repaired and not report.skipped


def test_sliver_part_of_a_multipolygon_is_dropped_and_noted(
    write_geojson: Callable[..., Path],
) -> None:
    tiny = square(50, 50, 0.05)  # 0.0025 m², under the 0.01 m² sliver threshold
    doc = feature({"type": "MultiPolygon", "coordinates": [[square(0, 0, 20)], [tiny]]}, "two")
    district, report = load_geojson(write_geojson(doc))
    assert len(district) == 1
    assert district.geometry[0].geom_type == "Polygon"
    assert [(i.index, i.id) for i in report.repaired] == [(0, "two")]
    assert "sliver" in report.repaired[0].reason


def test_many_bad_features_are_each_listed_once(write_geojson: Callable[..., Path]) -> None:
    """All skip cases in one file: each listed once, in file order, and the good one loads."""
    skips = [case for case, (_, where, _) in sorted(BAD_FEATURES.items()) if where == "skipped"]
    feats = [BAD_FEATURES[c][0] for c in skips]
    feats.append(feature(polygon(square(0, 0, 10)), "good", building="yes"))
    district, report = load_geojson(write_geojson(collection(*feats)))
    assert [i.index for i in report.skipped] == list(range(len(skips)))
    assert list(district.feature_id) == ["good"]
    assert report.loaded == 1
    assert report.features == len(skips) + 1
