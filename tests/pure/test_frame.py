"""The local metric frame: round trips and distances against pyproj's geodesic."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod, Transformer

from gwangju_twin.errors import InputError
from gwangju_twin.geo import LocalFrame

CITY_HALL = (126.8515218, 35.1597705)
GEOD = Geod(ellps="WGS84")


def _points_within(km: float, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random lon/lat points in a square of side ``km`` around City Hall."""
    rng = np.random.default_rng(seed)
    az = rng.uniform(0, 360, n)
    dist = rng.uniform(0, km * 1000 / 2 * np.sqrt(2), n)
    lon, lat, _ = GEOD.fwd(np.full(n, CITY_HALL[0]), np.full(n, CITY_HALL[1]), az, dist)
    return lon, lat


def test_round_trip_within_a_centimetre_over_20_km() -> None:
    frame = LocalFrame(*CITY_HALL)
    lon, lat = _points_within(20, 5000, seed=1)
    x, y = frame.to_local(lon, lat)
    lon2, lat2 = frame.to_lonlat(x, y)
    _, _, err = GEOD.inv(lon, lat, lon2, lat2)
    assert np.max(err) < 0.01
    assert np.max(np.hypot(x, y)) > 9000  # the sample really spans the area


def test_local_distances_match_geodesic_within_0_1_percent() -> None:
    frame = LocalFrame(*CITY_HALL)
    lon, lat = _points_within(20, 4000, seed=2)
    x, y = frame.to_local(lon, lat)
    a, b = slice(0, 2000), slice(2000, 4000)
    local = np.hypot(x[a] - x[b], y[a] - y[b])
    _, _, geodesic = GEOD.inv(lon[a], lat[a], lon[b], lat[b])
    keep = geodesic > 100  # relative error is meaningless for near-coincident pairs
    rel = np.abs(local[keep] - geodesic[keep]) / geodesic[keep]
    assert rel.max() < 0.001


def test_axes_point_east_and_north() -> None:
    frame = LocalFrame(*CITY_HALL)
    x0, y0 = frame.to_local(np.array([CITY_HALL[0]]), np.array([CITY_HALL[1]]))
    assert abs(x0[0]) < 1e-6 and abs(y0[0]) < 1e-6
    xe, ye = frame.to_local(np.array([CITY_HALL[0] + 0.01]), np.array([CITY_HALL[1]]))
    xn, yn = frame.to_local(np.array([CITY_HALL[0]]), np.array([CITY_HALL[1] + 0.01]))
    assert xe[0] > 900 and abs(ye[0]) < 10
    assert yn[0] > 1100 and abs(xn[0]) < 1e-6


@pytest.mark.parametrize("epsg", ["EPSG:5186", "EPSG:5179", "EPSG:32652"])
def test_projected_input_matches_lonlat_input(epsg: str, tmp_path) -> None:
    """The same buildings given in a Korean projected CRS land on the same local metres."""
    import json

    from gwangju_twin.geo import load_geojson

    lon, lat = _points_within(5, 30, seed=3)
    to_proj = Transformer.from_crs("EPSG:4326", epsg, always_xy=True)
    feats_ll, feats_pr = [], []
    for i, (lo, la) in enumerate(zip(lon, lat, strict=True)):
        ring = [(lo, la), (lo + 2e-4, la), (lo + 2e-4, la + 2e-4), (lo, la + 2e-4), (lo, la)]
        px, py = to_proj.transform([p[0] for p in ring], [p[1] for p in ring])
        props = {"building": "yes", "height": 10 + i}
        feats_ll.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
        feats_pr.append({"type": "Feature", "properties": props, "geometry": {
            "type": "Polygon", "coordinates": [list(zip(px, py, strict=True))]}})
    ll = tmp_path / "ll.geojson"
    pr = tmp_path / "pr.geojson"
    ll.write_text(json.dumps({"type": "FeatureCollection", "features": feats_ll}))
    pr.write_text(json.dumps({"type": "FeatureCollection", "features": feats_pr}))
    d1, _ = load_geojson(ll, origin=CITY_HALL)
    d2, r2 = load_geojson(pr, crs=epsg, origin=CITY_HALL)
    assert r2.crs == epsg
    import shapely

    c1 = shapely.get_coordinates(d1.geometry)
    c2 = shapely.get_coordinates(d2.geometry)
    assert c1.shape == c2.shape
    assert np.max(np.abs(c1 - c2)) < 0.01


def test_bad_origin_is_refused() -> None:
    with pytest.raises(InputError):
        LocalFrame(200.0, 35.0)
