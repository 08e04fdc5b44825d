"""Inputs that used to crash, block, exhaust memory or hang the geo room (issue 11).

Huge integers are one feature's problem; pipes, devices, archives and symlink loops are named
in one line; files over the size limit are refused before reading; a feature over the vertex
cap or too tangled to repair is skipped; Ctrl+C ends a load at once; degrees read as metres,
data too wide for the frame and data across the antimeridian are named or centred.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from geojson_builders import collection, feature, ll, polygon, square

from gwangju_twin.errors import InputError
from gwangju_twin.geo import load_geojson

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and signals")


def _one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gwangju-twin: error: ")
    for word in words:
        assert word in lines[0].lower(), (word, lines[0])
    return lines[0]


def _good() -> dict[str, Any]:
    return feature(polygon(square(0, 0, 20)), "good", building="yes")


# -- item 19: huge integers -------------------------------------------------------------------

def _huge_doc(digits: int, where: str) -> str:
    """A document whose second feature holds an integer of ``digits`` digits."""
    big = "9" * digits
    good = json.dumps(_good())
    if where == "coordinate":
        bad = ('{"type": "Feature", "id": "huge", "properties": {}, "geometry": '
               f'{{"type": "Point", "coordinates": [{big}, 35.15]}}}}')
    else:
        shape = json.dumps(polygon(square(100, 0, 20)))
        bad = ('{"type": "Feature", "id": "huge", "properties": {"building": "yes", '
               f'"{where}": -{big}}}, "geometry": {shape}}}')
    return f'{{"type": "FeatureCollection", "features": [{good}, {bad}]}}'


@pytest.mark.parametrize("digits", [400, 5000])  # past float range; past Python's int limit
@pytest.mark.parametrize("where", ["coordinate", "height", "building:levels"])
def test_huge_integers_are_one_features_problem(
    digits: int, where: str, write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    path = write_geojson(_huge_doc(digits, where).encode())
    district, report = load_geojson(path)
    listed = report.skipped if where == "coordinate" else report.warnings
    assert [i.id for i in listed] == ["huge"]
    assert f"{digits} digits" in listed[0].reason
    assert len(listed[0].reason) < 200  # the number itself is never spelled out
    assert "good" in district.feature_id
    if where != "coordinate":  # the building loads, on its default height
        assert report.loaded == 2 and report.heights == {"measured": 0, "levels": 0, "default": 2}

    result = cli("inspect", "--json", str(path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["loaded"] == report.loaded
    assert f"{digits} digits" in json.dumps(out)


# -- item 22: regular files only, under a size limit -------------------------------------------

def test_fifo_is_refused_without_blocking(tmp_path: Path, cli: Callable[..., Any]) -> None:
    fifo = tmp_path / "live.geojson"
    os.mkfifo(fifo)  # nobody ever writes: opening it for reading used to block for good
    # Through the command line first: its bounded wait turns a regression into a failure,
    # where the call in this process would block the test run.
    for command in (("inspect", str(fifo)), ("render", str(fifo), "--out",
                                             str(tmp_path / "x.png"))):
        _one_line_error(cli(*command), "named pipe", "regular", str(fifo).lower())
    with pytest.raises(InputError, match="named pipe") as info:
        load_geojson(fifo)
    assert str(fifo) in str(info.value)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused(device: str, cli: Callable[..., Any]) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} is absent")
    _one_line_error(cli("inspect", device), "character device", device)
    with pytest.raises(InputError, match="character device"):
        load_geojson(device)


def test_size_limit_refuses_before_reading_and_can_be_raised(
    write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    doc = collection(*(feature(polygon(square(30 * k, 0, 20)), f"b{k}", building="yes")
                       for k in range(200)))
    path = write_geojson(doc)
    size = path.stat().st_size
    assert size > 20_000
    with pytest.raises(InputError, match="--max-size") as info:
        load_geojson(path, max_bytes=10_000)
    assert "limit of" in str(info.value)
    district, _ = load_geojson(path, max_bytes=size)  # exactly at the limit is fine
    assert len(district) == 200

    line = _one_line_error(cli("inspect", str(path), "--max-size", "0.01"), "--max-size")
    assert "larger than the limit" in line
    raised = cli("inspect", "--json", str(path), "--max-size", "1")
    assert raised.returncode == 0, raised.stderr
    assert json.loads(raised.stdout)["loaded"] == 200
    bad = cli("inspect", str(path), "--max-size", "lots")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "--max-size 'lots': expected MB" in bad.stderr


def test_symlink_loop_and_dangling_link_are_named(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    a, b = tmp_path / "a.geojson", tmp_path / "b.geojson"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(InputError, match="symbolic link loop"):
        load_geojson(a)
    line = _one_line_error(cli("inspect", str(a)), "symbolic link loop")
    assert "not found" not in line
    dangling = tmp_path / "gone.geojson"
    dangling.symlink_to(tmp_path / "moved-away.geojson")
    _one_line_error(cli("inspect", str(dangling)), "symbolic link", "moved-away.geojson")


def test_compressed_files_are_named_with_what_to_do(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    text = json.dumps(collection(_good())).encode()
    gz = tmp_path / "district.geojson.gz"
    gz.write_bytes(gzip.compress(text))
    zipped = tmp_path / "district.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("district.geojson", text)
    for path, what, todo in ((gz, "gzip", "unpack"), (zipped, "zip", "extract")):
        with pytest.raises(InputError) as info:
            load_geojson(path)
        assert what in str(info.value).lower() and "utf-16" not in str(info.value).lower()
        _one_line_error(cli("inspect", str(path)), what, todo)


# -- item 23: work per feature is bounded, and Ctrl+C works -----------------------------------

def _star(n: int, rng: np.random.Generator) -> list[list[float]]:
    """A valid ring of ``n`` vertices (a star around City Hall), closed."""
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = rng.uniform(50, 100, n)
    ring = [ll(x, y) for x, y in zip(r * np.cos(t), r * np.sin(t), strict=True)]
    return [*ring, ring[0]]


def _scribble(n: int, rng: np.random.Generator) -> list[list[float]]:
    """A ring of ``n`` vertices in random order: hundreds of thousands of crossings."""
    pts = [ll(x, y) for x, y in rng.uniform(0, 100, (n, 2))]
    return [*pts, pts[0]]


def test_million_vertex_polygon_is_skipped_not_hung(
    write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    rng = np.random.default_rng(7)
    t = np.linspace(0, 2 * np.pi, 1_000_000, endpoint=False)  # a fine circle, 1e6 vertices
    lon0, lat0 = ll(0, 0)
    ring = np.column_stack([lon0 + 0.001 * np.cos(t), lat0 + 0.001 * np.sin(t)]).tolist()
    doc = collection(_good(), feature(polygon([*ring, ring[0]]), "huge", building="yes"),
                     feature(polygon(_star(2000, rng)), "star", building="yes"))
    path = write_geojson(doc)
    # The cli fixture's bounded wait (120 s) ends a hang; before the cap the validity check
    # of this polygon ran for more than ten minutes.
    result = cli("inspect", "--json", str(path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [i["id"] for i in out["skipped"]] == ["huge"]
    assert "1,000,001 vertices" in out["skipped"][0]["reason"]
    assert "simplify" in out["skipped"][0]["reason"]
    assert out["loaded"] == 2


def test_tangled_polygon_is_skipped_and_a_bow_tie_still_repaired(
    write_geojson: Callable[..., Path],
) -> None:
    rng = np.random.default_rng(1)
    bow_tie = [ll(0, 0), ll(20, 20), ll(20, 0), ll(0, 20), ll(0, 0)]
    doc = collection(_good(), feature(polygon(_scribble(600, rng)), "scribble", building="yes"),
                     feature(polygon(bow_tie), "bow", building="yes"))
    district, report = load_geojson(write_geojson(doc))
    assert [i.id for i in report.skipped] == ["scribble"]
    assert "too tangled" in report.skipped[0].reason
    assert "sliver" not in report.skipped[0].reason
    assert {"good", "bow"} == set(district.feature_id)
    assert any(i.id == "bow" and "make_valid" in i.reason for i in report.repaired)


_CHILD = """
import signal
import sys
import gwangju_twin.geo.repair as repair
# As in a terminal's foreground: a suite started in the background (`pytest &`) hands its
# children SIGINT ignored, and Python then installs no handler of its own.
signal.signal(signal.SIGINT, signal.default_int_handler)
from gwangju_twin.app.commands import main
# Let the scribble through to make_valid, which then runs for minutes inside GEOS: the
# worst a feature under the limits can cost, and what Ctrl+C has to end.
repair.MAX_CROSSINGS = 10**9
make_valid = repair._make_valid
def announced(parts):
    print("repairing", flush=True)  # the parent signals only once the load is this deep
    return make_valid(parts)
repair._make_valid = announced
sys.exit(main(["inspect", sys.argv[1]]))
"""


def test_ctrl_c_ends_a_load_stuck_inside_geos(write_geojson: Callable[..., Path]) -> None:
    rng = np.random.default_rng(1)
    doc = collection(_good(), feature(polygon(_scribble(800, rng)), "scribble"))
    path = write_geojson(doc)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "repairing"
        # make_valid on the scribble takes minutes from here, inside one GEOS call.
        child.send_signal(signal.SIGINT)
        # A generous bound only to end a hang: before the fix, Python deferred the
        # KeyboardInterrupt until GEOS returned, many minutes later.
        try:
            _, stderr = child.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail("SIGINT did not end the load")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # Death by the signal, as an unhandled KeyboardInterrupt ends (the shell shows 130).
    assert child.returncode == -signal.SIGINT, (child.returncode, stderr)
    assert "Traceback" not in stderr


# -- item 31: the real cause instead of "sliver" ----------------------------------------------

def test_world_sized_polygon_is_too_wide_not_a_sliver(
    write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    world = polygon([[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]])
    path = write_geojson(collection(feature(world, "world")))
    with pytest.raises(InputError, match="local metric frame") as info:
        load_geojson(path)
    assert "sliver" not in str(info.value)
    _one_line_error(cli("inspect", str(path)), "too far", "local metric frame")


def test_degrees_read_as_metres_are_named(
    write_geojson: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    path = write_geojson(collection(_good()))
    with pytest.raises(InputError, match="look like longitude/latitude degrees"):
        load_geojson(path, crs="EPSG:5186")
    line = _one_line_error(cli("inspect", str(path), "--crs", "EPSG:5186"), "--crs",
                           "epsg:5186", "longitude/latitude")
    assert "sliver" not in line


def test_implausible_lanes_and_duplicate_ids_are_warned(
    write_geojson: Callable[..., Path],
) -> None:
    road = {"type": "LineString", "coordinates": [ll(0, 0), ll(100, 0)]}
    doc = collection(
        feature(road, "r1", highway="primary", lanes=1e6),
        feature(road, "r2", highway="primary", lanes="many"),
        feature(road, "r1", highway="primary", lanes=4),
    )
    district, report = load_geojson(write_geojson(doc))
    warned = {(i.index, i.reason.split(" ")[0]) for i in report.warnings}
    assert warned == {(0, "lanes"), (1, "lanes"), (2, "duplicate")}, report.warnings
    dup = next(i for i in report.warnings if i.index == 2)
    assert "'r1'" in dup.reason and "feature 0" in dup.reason
    assert list(district.width) == [20.0, 20.0, 14.0]  # class default, class default, 4 lanes


def test_control_characters_in_ids_stay_out_of_messages(
    write_geojson: Callable[..., Path],
) -> None:
    fid = "evil\x1b[2J\ud800\n"
    nan_ring = [ll(0, 0), [float("nan"), 35.0], ll(10, 10), ll(0, 0)]
    text = json.dumps(collection(_good(), feature(polygon(nan_ring), fid)))
    with pytest.raises(InputError) as info:
        load_geojson(write_geojson(text.encode()))
    message = str(info.value)
    assert "\x1b" not in message and "\n" not in message
    message.encode("utf-8")  # no lone surrogate left to break printing


# -- item 32: antimeridian and hemisphere-wide data --------------------------------------------

def _box(lon: float, lat: float, d: float = 0.0002) -> dict[str, Any]:
    return polygon([[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]])


def test_data_across_the_antimeridian_is_centred_on_it(
    write_geojson: Callable[..., Path],
) -> None:
    doc = collection(feature(_box(179.99, -17.8), "west", building="yes"),
                     feature(_box(-179.999, -17.8), "east", building="yes"))
    _, report = load_geojson(write_geojson(doc))
    assert abs(abs(report.origin[0]) - 179.9956) < 1e-3  # on the antimeridian, not at 0
    x0, _, x1, _ = report.bbox_local
    assert 1000 < x1 - x0 < 1400  # 0.0112 degrees of longitude at 17.8 S, not the globe
    west, _, east, _ = report.bbox_lonlat
    assert west > east  # an RFC 7946 bbox across the antimeridian
    assert not report.warnings


def test_hemisphere_wide_data_is_refused_and_country_wide_warned(
    write_geojson: Callable[..., Path], shared_data: Path
) -> None:
    hemi = collection(*(feature(_box(lon, lat), f"b{k}", building="yes")
                        for k, (lon, lat) in enumerate([(0, 0), (60, 40), (-60, -40)])))
    with pytest.raises(InputError, match="too far from the centre"):
        load_geojson(write_geojson(hemi))
    # All of South Korea: loads, with one warning that the frame stretches at its edges.
    _, report = load_geojson(shared_data / "kostat2013_skorea_submunicipalities_geo_simple.json")
    assert report.loaded == 3482
    assert len(report.warnings) == 1
    assert "0.1 %" in report.warnings[0].reason
