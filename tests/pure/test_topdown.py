"""The minimap picture: its frame (north up, square), what lands on which pixel, and speed."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import shapely
from geojson_builders import CITY_HALL, collection, feature, ll, polygon, ring, square
from render_helpers import REPO

from gwangju_twin.geo import load_geojson
from gwangju_twin.geo.model import District
from gwangju_twin.mesh import palette
from gwangju_twin.mesh.topdown import BACKGROUND, BUILDING, MARGIN, MapFrame, draw_topdown
from gwangju_twin.scene.pavilions import subset

SIZE = 200


def rgb(colour: tuple[int, ...]) -> tuple[int, int, int]:
    return tuple(int(c) for c in colour[:3])  # type: ignore[return-value]


def pixel(image: np.ndarray, frame: MapFrame, x: float, y: float) -> tuple[int, int, int]:
    """The colour drawn at local point (x, y)."""
    u, v = frame.to_map(x, y)
    row = min(int((1 - v) * frame.size), frame.size - 1)
    col = min(int(u * frame.size), frame.size - 1)
    return rgb(tuple(image[row, col]))


def share(image: np.ndarray, colour: tuple[int, ...]) -> float:
    return float((image[..., :3] == rgb(colour)).all(axis=-1).mean())


def line(*xy: tuple[float, float]) -> dict:
    return {"type": "LineString", "coordinates": ring(*xy, close=False)}


@pytest.fixture
def town(write_geojson: Callable[..., Path]) -> District:
    """A 400 m square of town around City Hall: a building, a park with a hole, a lake, a
    road and a landmark pin."""
    doc = collection(
        # corners that fix the bounds to -200..200 in both directions
        feature(polygon(square(-200, -200, 1)), building="yes"),
        feature(polygon(square(199, 199, 1)), building="yes"),
        feature(polygon(square(60, 60, 40)), building="apartments"),
        feature(polygon(square(-160, -160, 100), square(-130, -130, 40)), leisure="park"),
        feature(polygon(square(60, -160, 80)), natural="water"),
        feature(line((-190, 0), (190, 0)), highway="primary", width=12),
        feature({"type": "Point", "coordinates": ll(-100, 100)}, name="Tower", tourism="yes"),
    )
    district, _ = load_geojson(write_geojson(doc), origin=CITY_HALL)
    return district


# -- the frame -------------------------------------------------------------------------------


def test_frame_round_trip_and_orientation() -> None:
    frame = MapFrame((-50.0, 10.0, 150.0, 210.0), 64)
    assert frame.to_map(-50, 10) == (0.0, 0.0)  # south-west corner
    assert frame.to_map(150, 210) == (1.0, 1.0)  # north-east corner: v = 1 is the top
    assert frame.to_map(50, 110) == (0.5, 0.5)
    u, v = frame.to_map(140, 20)  # east and south: right and low on the map
    assert u > 0.9 and v < 0.1
    for x, y in [(0.0, 0.0), (-50.0, 210.0), (123.4, 56.7), (300.0, -20.0)]:
        assert frame.to_world(*frame.to_map(x, y)) == pytest.approx((x, y))
    assert frame.metres_per_pixel == pytest.approx(200 / 64)


def test_frame_of_a_wide_district_is_square_and_centred(town: District) -> None:
    wide = town.geometry.copy()
    wide[0] = shapely.affinity.translate(wide[0], xoff=-400)  # stretch west to -600 m
    district = dataclasses.replace(town, geometry=wide)
    _, frame = draw_topdown(district, size=SIZE)
    x0, y0, x1, y1 = frame.bounds
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert x1 - x0 == pytest.approx(800 * (1 + 2 * MARGIN), rel=1e-3)
    assert (x0 + x1) / 2 == pytest.approx(-200, abs=0.5)
    assert (y0 + y1) / 2 == pytest.approx(0, abs=0.5)


# -- what is drawn where ---------------------------------------------------------------------


def test_layers_land_on_their_pixels(town: District) -> None:
    image, frame = draw_topdown(town, size=SIZE)
    assert image.shape == (SIZE, SIZE, 4) and image.dtype == np.uint8
    assert (image[..., 3] == 255).all()
    assert pixel(image, frame, 80, 80) == BUILDING
    assert pixel(image, frame, -150, -150) == rgb(palette.GREEN_COLORS["park"])
    assert pixel(image, frame, -110, -110) == BACKGROUND  # the park's hole
    assert pixel(image, frame, 100, -120) == rgb(palette.WATER_COLOR)
    assert pixel(image, frame, -50, 0) == rgb(palette.ROAD_COLORS["primary"])
    assert pixel(image, frame, -100, 100) == rgb(palette.LANDMARK_COLOR)
    assert pixel(image, frame, 0, 150) == BACKGROUND
    assert rgb(tuple(image[0, 0])) == BACKGROUND  # the margin


def test_north_is_up_and_east_is_right(town: District) -> None:
    image, _ = draw_topdown(town, size=SIZE)
    rows, cols = np.nonzero((image[..., :3] == BUILDING).all(axis=-1))
    big = (rows > 10) & (rows < SIZE - 10)  # leave out the 1 m corner buildings
    # The building at (60..100, 60..100) m is north-east of the centre: top right.
    assert rows[big].max() < SIZE / 2 and cols[big].min() > SIZE / 2


def test_building_pixels_match_its_area(town: District) -> None:
    image, frame = draw_topdown(town, size=SIZE)
    pixels = share(image, BUILDING) * SIZE**2
    assert pixels == pytest.approx(40 * 40 / frame.metres_per_pixel**2, rel=0.1)


def test_road_and_river_stay_visible_when_thinner_than_a_pixel(
    write_geojson: Callable[..., Path]
) -> None:
    # (line, its colour, the image axis to collapse so the rest runs along the line)
    lines = [
        (feature(line((-1000, -1000), (1000, 1000)), highway="footway", width=0.5),
         palette.ROAD_COLORS["footway"], 0),
        (feature(line((-1000, 30), (1000, 0)), waterway="stream", width=0.5),
         palette.WATER_COLOR, 0),
        (feature(line((0, -1000), (20, 1000)), highway="service", width=0.5),
         palette.ROAD_COLORS["service"], 1),
    ]
    for one, colour, axis in lines:
        district, _ = load_geojson(write_geojson(collection(one)), origin=CITY_HALL)
        image, frame = draw_topdown(district, size=SIZE)
        assert frame.metres_per_pixel > 10  # far thinner than a pixel
        hit = (image[..., :3] == rgb(colour)).all(axis=-1)
        # Unbroken: every column (row, for the north-south road) it spans holds some of it.
        covered = np.flatnonzero(hit.any(axis=axis))
        assert len(covered) > 0.85 * SIZE
        assert (np.diff(covered) == 1).all()


def test_pavilion_sites_take_their_colours(town: District) -> None:
    site = np.array([[-40.0, 120.0], [40.0, 120.0], [40.0, 170.0], [-40.0, 170.0]])
    outside = np.array([[300.0, 300.0], [340.0, 300.0], [320.0, 340.0]])  # widens the map
    image, frame = draw_topdown(town, [(site, (0.9, 0.1, 0.5)), (outside, (0.0, 1.0, 0.0))],
                                size=SIZE)
    assert pixel(image, frame, 0, 145) == (230, 26, 128)
    assert pixel(image, frame, 320, 310) == (0, 255, 0)
    assert frame.bounds[2] > 340 and frame.bounds[3] > 340
    # On top of everything else: a site over the road hides it.
    over_road = np.array([[-60.0, -20.0], [-20.0, -20.0], [-20.0, 20.0], [-60.0, 20.0]])
    image, frame = draw_topdown(town, [(over_road, (0.0, 0.0, 1.0))], size=SIZE)
    assert pixel(image, frame, -40, 0) == (0, 0, 255)


def test_default_district_building_share_matches_shapely_areas() -> None:
    district, _ = load_geojson(REPO / "assets" / "sangmu.geojson")
    draw_topdown(district)  # warm up imports and caches
    start = time.perf_counter()
    image, frame = draw_topdown(district, size=256)
    assert time.perf_counter() - start < 0.5
    buildings = shapely.union_all(district.geometry[district.select("buildings")])
    landmarks = shapely.union_all(district.geometry[district.select("landmarks")])
    expected = shapely.area(shapely.difference(buildings, landmarks)) / (
        frame.bounds[2] - frame.bounds[0]) ** 2
    assert 0.05 < expected < 0.5  # a sane city block density
    assert share(image, BUILDING) == pytest.approx(expected, rel=0.1)
    assert share(image, palette.LANDMARK_COLOR) > 0
    assert share(image, BACKGROUND) > 0.2  # the margin and open ground


def test_a_hundred_thousand_buildings_take_seconds_at_most(town: District) -> None:
    rng = np.random.default_rng(7)
    # A 317 x 317 grid of squares 4-20 m across, 30 m apart: no overlaps, so the expected
    # building area is a plain sum.
    grid = np.stack(np.meshgrid(np.arange(317), np.arange(317)), -1).reshape(-1, 2)[:100_000]
    n = len(grid)
    lo = grid * 30.0 + rng.uniform(0, 5, (n, 2))
    side = rng.uniform(4, 20, n)
    geoms = shapely.box(lo[:, 0], lo[:, 1], lo[:, 0] + side, lo[:, 1] + side)
    big = dataclasses.replace(
        town, geometry=geoms, layer=np.full(n, "buildings"), kind=np.full(n, "house"),
        width=np.full(n, np.nan),
    )
    start = time.perf_counter()
    image, frame = draw_topdown(big, size=256)
    assert time.perf_counter() - start < 5
    expected = (side**2).sum() / (frame.bounds[2] - frame.bounds[0]) ** 2
    assert share(image, BUILDING) == pytest.approx(expected, rel=0.05)


# -- degenerate districts --------------------------------------------------------------------


def test_empty_district_is_a_blank_map(town: District) -> None:
    empty = subset(town, np.zeros(len(town), bool))
    image, frame = draw_topdown(empty, size=32)
    assert image.shape == (32, 32, 4)
    assert share(image, BACKGROUND) == 1.0
    x0, y0, x1, y1 = frame.bounds
    assert x1 - x0 == y1 - y0 > 0
    assert frame.to_world(*frame.to_map(5.0, -5.0)) == pytest.approx((5.0, -5.0))


def test_single_point_district_is_drawn_around_it(write_geojson: Callable[..., Path]) -> None:
    doc = collection(feature({"type": "Point", "coordinates": ll(30, 40)}, name="Only"))
    district, _ = load_geojson(write_geojson(doc), origin=CITY_HALL)
    image, frame = draw_topdown(district, size=64)
    assert frame.to_map(30, 40) == pytest.approx((0.5, 0.5), abs=1e-3)
    assert pixel(image, frame, 30, 40) == rgb(palette.LANDMARK_COLOR)
    # A degenerate site (fewer than three corners) is skipped, not an error.
    draw_topdown(district, [(np.array([[0.0, 0.0], [1.0, 1.0]]), (1.0, 0.0, 0.0))], size=8)
    with pytest.raises(ValueError, match="minimap size 0"):
        draw_topdown(district, size=0)
