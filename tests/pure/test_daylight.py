"""The time of day's colours, the shadow camera's fit, the quality preset chosen for a
renderer and the --time / --tz options: all without a renderer."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from gwangju_twin.app.commands.options import moment
from gwangju_twin.errors import InputError
from gwangju_twin.render.daylight import daylight, luminance
from gwangju_twin.render.shadowfit import (
    MIN_FILM,
    SNAP_DIVISIONS,
    fit_shadow,
    footprint,
    ground_cover,
    sun_basis,
)
from gwangju_twin.render.sunlight import choose_quality
from gwangju_twin.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_the_day_brightens_from_night_to_noon() -> None:
    # Civil twilight ends 6 degrees under the horizon, astronomical at 18 (the usual
    # definitions): the light must grow monotonically through them to full day.
    elevations = [-30.0, -18.0, -6.0, 0.0, 5.0, 15.0, 30.0, 60.0]
    sky = [luminance(daylight(e).horizon) for e in elevations]
    sun = [luminance(daylight(e).sun) for e in elevations]
    ambient = [luminance(daylight(e).ambient) for e in elevations]
    assert sky == sorted(sky) and sky[0] < 0.1 < 0.5 < sky[-1]
    assert sun == sorted(sun) and sun[0] == 0.0 == sun[1] and sun[-1] > 0.7
    assert ambient == sorted(ambient)
    assert daylight(-30).night == 1.0 and daylight(30).night == 0.0
    assert [daylight(e).phase for e in (-30, -3, 4, 30)] == ["night", "dusk", "golden", "day"]


def test_the_golden_hour_is_warm() -> None:
    r, g, b = daylight(3.0).sun
    assert r > g > b  # a low sun is reddened by the long path through the air


def test_sun_basis_looks_along_the_sunlight() -> None:
    # The sun in the south-east, 30 degrees up: the light travels north-west and down.
    el, az = math.radians(30), math.radians(135)
    towards = (math.cos(el) * math.sin(az), math.cos(el) * math.cos(az), math.sin(el))
    r, f, u = (np.array(v) for v in sun_basis(towards))
    assert f == pytest.approx(-np.array(towards))
    assert np.dot(r, f) == pytest.approx(0, abs=1e-12) and np.dot(u, f) == pytest.approx(
        0, abs=1e-12)
    assert np.cross(r, f) == pytest.approx(u)  # right-handed, as Panda3D's x, y, z
    assert u[2] > 0  # the film's up leans to the sky
    # Straight overhead still gives a basis.
    r, f, u = (np.array(v) for v in sun_basis((0.0, 0.0, 1.0)))
    assert f == pytest.approx([0, 0, -1]) and abs(np.dot(r, u)) < 1e-12


def test_footprint_of_a_camera_looking_down() -> None:
    # 100 m up, rays 45 degrees off the vertical to the four sides: the ground 100 m away.
    s = math.sqrt(0.5)
    rays = np.array([[s, 0, -s], [-s, 0, -s], [0, s, -s], [0, -s, -s]])
    pts = footprint((10.0, 20.0, 100.0), rays, reach=1000.0)
    assert pts[:4] == pytest.approx(np.array([[110, 20], [-90, 20], [10, 120], [10, -80]]))
    # A ray over the horizon stops at the reach.
    pts = footprint((0.0, 0.0, 100.0), np.array([[1.0, 0, 0.1]] * 4), reach=500.0)
    assert np.hypot(*pts[0]) == pytest.approx(500.0 * math.cos(math.atan(0.1)))


def _fit(cx: float, cy: float, half: float = 150.0) -> object:
    pts = np.array([[cx - half, cy - half], [cx + half, cy + half]])
    towards = (0.5, -0.5, math.sqrt(0.5))  # 45 degrees up in the south-east
    return fit_shadow(pts, (-5000, -5000, 5000, 5000), 40.0, towards)


def test_fit_holds_the_view_and_snaps_to_texels() -> None:
    fit = _fit(0.0, 0.0)
    assert fit.film >= 300.0 and fit.film >= MIN_FILM  # type: ignore[attr-defined]
    # A move smaller than a snap step keeps the same fit: no new shadow map, no swimming.
    step = fit.film / SNAP_DIVISIONS  # type: ignore[attr-defined]
    assert _fit(0.2 * step, 0.1 * step) == fit
    # A long move gives another fit with the same film (texels keep their size in metres)
    # whose centre moved by whole texels of a 2048 map.
    moved = _fit(10 * step, 0.0)
    assert moved != fit and moved.film == fit.film  # type: ignore[attr-defined]
    shift = np.subtract(moved.origin, fit.origin)  # type: ignore[attr-defined]
    r, _, u = fit.basis  # type: ignore[attr-defined]
    texel = fit.film / 2048  # type: ignore[attr-defined]
    for axis in (r, u):
        k = float(np.dot(shift, axis)) / texel
        assert k == pytest.approx(round(k), abs=1e-6)


def test_fit_reaches_up_sun_for_tall_casters() -> None:
    low = fit_shadow(np.array([[0, 0], [100, 100]]), (-1e4, -1e4, 1e4, 1e4), 10.0,
                     (0.0, -0.9, math.sqrt(1 - 0.81)))
    tall = fit_shadow(np.array([[0, 0], [100, 100]]), (-1e4, -1e4, 1e4, 1e4), 100.0,
                      (0.0, -0.9, math.sqrt(1 - 0.81)))
    assert tall.depth > low.depth + 100.0


def test_fit_is_clipped_to_the_district() -> None:
    # The view sees 10 km of ground; the district (and its shadows) is 400 m across.
    pts = np.array([[-5000.0, -5000.0], [5000.0, 5000.0]])
    fit = fit_shadow(pts, (-200, -200, 200, 200), 20.0, (0.0, 0.0, 1.0))
    assert fit.film < 1000.0


def test_auto_quality_follows_the_renderer() -> None:
    assert choose_quality("auto", "llvmpipe (LLVM 15.0.6, 256 bits)") == "medium"
    assert choose_quality("auto", "softpipe") == "medium"
    assert choose_quality("auto", "NVIDIA GeForce RTX 3060/PCIe/SSE2") == "high"
    assert choose_quality("auto", "") == "low"  # nothing drawn
    assert choose_quality("low", "NVIDIA GeForce") == "low"
    # A whole city from tiles: no shadows on a software renderer unless asked for; on a
    # GPU as any scene.
    assert choose_quality("auto", "llvmpipe (LLVM 15.0.6, 256 bits)", whole_city=True) == "low"
    assert choose_quality("medium", "llvmpipe", whole_city=True) == "medium"
    assert choose_quality("auto", "NVIDIA GeForce RTX 3060", whole_city=True) == "high"
    assert Settings().quality == "auto"
    with pytest.raises(ValueError):
        Settings(quality="ultra")  # type: ignore[arg-type]


def test_time_options() -> None:
    when = moment("2026-12-22T09:00", None)
    assert when is not None and when.utcoffset() == timedelta(hours=9)  # Korean time
    utc = moment("2026-12-22T09:00", "UTC")
    assert utc is not None and utc.utcoffset() == timedelta(0)
    assert moment(None, None) is None
    own = moment("2026-12-22T09:00+01:00", None)
    assert own is not None and own.utcoffset() == timedelta(hours=1)
    for text, zone, words in (("2026-13-01", None, "--time '2026-13-01'"),
                              ("noon", None, "expected a date and time"),
                              ("2026-12-22T09:00", "Mars/Olympus", "--tz 'Mars/Olympus'"),
                              (None, "UTC", "needs --time"),
                              ("2026-12-22T09:00+01:00", "UTC", "its own offset")):
        with pytest.raises(InputError, match=words.replace("(", r"\(")):
            moment(text, zone)


def test_scene_time_key(tmp_path: Path) -> None:
    from gwangju_twin.scene.scenefile import parse_scene

    source = REPO / "assets" / "sangmu.geojson"
    path = tmp_path / "s.toml"
    doc = {"scene": {"time": "2026-12-22T09:00"}, "district": {"source": str(source)}}
    scene = parse_scene(doc, path)
    assert scene.time is not None and scene.time.utcoffset() == timedelta(hours=9)
    assert scene.time.hour == 9
    assert parse_scene({"district": {"source": str(source)}}, path).time is None
    with pytest.raises(InputError, match=r"scene\.time.*'noon'.*not a date and time"):
        parse_scene({"scene": {"time": "noon"}, "district": {"source": str(source)}}, path)


def test_kiosk_quality_key(tmp_path: Path) -> None:
    from gwangju_twin.app.programs import kiosk_options
    from gwangju_twin.kiosk.config import load_kiosk_config

    path = tmp_path / "kiosk.toml"
    assert load_kiosk_config(None).quality == "auto"
    path.write_text('[display]\nquality = "low"\n', encoding="utf-8")
    config = load_kiosk_config(path)
    assert config.quality == "low"
    assert kiosk_options(config).quality == "low"  # the booth's stage is lit as configured
    path.write_text('[display]\nquality = "ultra"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"\[display\] quality is \"ultra\"; expected one of"):
        load_kiosk_config(path)


def test_ground_cover_under_an_overhead_sun_is_the_film() -> None:
    # The sun straight up: the map's square lies flat, so the ground it covers is the film's
    # square around the camera's xy, whatever the heights.
    fit = fit_shadow(np.array([[-100.0, -100.0], [100.0, 100.0]]), (-1e4, -1e4, 1e4, 1e4),
                     30.0, (0.0, 0.0, 1.0))
    x0, y0, x1, y1 = ground_cover(fit, 30.0)
    half = fit.film / 2
    assert (x0, y0, x1, y1) == pytest.approx(
        (fit.origin[0] - half, fit.origin[1] - half, fit.origin[0] + half, fit.origin[1] + half))


def test_ground_cover_holds_every_point_the_map_covers() -> None:
    # Points drawn at random inside the map's prism (within the film across the sunlight,
    # between heights 0 and top) must lie in the box; a low sun in the south-east.
    top = 60.0
    towards = (0.6, -0.6, math.sqrt(1 - 0.72))
    fit = fit_shadow(np.array([[0.0, 0.0], [400.0, 300.0]]), (-1e4, -1e4, 1e4, 1e4), top,
                     towards)
    r, f, u = (np.asarray(v) for v in fit.basis)
    rng = np.random.default_rng(16)
    a, b = (rng.uniform(-fit.film / 2, fit.film / 2, 2000) for _ in range(2))
    z = rng.uniform(0.0, top, 2000)
    start = np.asarray(fit.origin) + a[:, None] * r + b[:, None] * u  # on the film's plane
    t = (z - start[:, 2]) / f[2]  # then along the sunlight down to height z
    pts = start + t[:, None] * f
    x0, y0, x1, y1 = ground_cover(fit, top)
    assert np.all((pts[:, 0] >= x0 - 1e-6) & (pts[:, 0] <= x1 + 1e-6))
    assert np.all((pts[:, 1] >= y0 - 1e-6) & (pts[:, 1] <= y1 + 1e-6))
    # And it is no bigger than needed: the random points reach near its edges.
    assert pts[:, 0].min() < x0 + 0.1 * (x1 - x0) and pts[:, 1].max() > y1 - 0.1 * (y1 - y0)
