"""``gwangju-twin bake`` and the viewer's commands on a tile cache: fresh, stale, truncated,
damaged, each found and said in one line, and the cache baked again (never a traceback)."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest
from render_helpers import REPO, run_cli

sys.path.insert(0, str(REPO / "scripts"))
from synthetic_city import synthetic_district


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bake") / "city.geojson"
    path.write_text(json.dumps(synthetic_district(1200)))
    return path


def _inspect(source: Path, cache: Path) -> tuple[dict, str]:
    out = run_cli("inspect", str(source), "--tiles", "on", "--cache", str(cache), "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    return json.loads(out.stdout), out.stderr


def test_bake_writes_a_cache_that_inspect_reads_without_reading_the_source(
        source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = run_cli("bake", str(source), "--serial", "--out", str(cache))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "leaves" in out.stdout and "far groups" in out.stdout
    index = json.loads((cache / "index.json").read_text())
    assert {t["kind"] for t in index["tiles"]} == {"leaf", "far"}
    again = run_cli("bake", str(source), "--serial", "--out", str(cache))
    assert again.returncode == 0 and "fresh" in again.stdout
    report, err = _inspect(source, cache)
    assert "baking" not in err  # read from the cache
    # The same report as reading the source (tiles off).
    plain = run_cli("inspect", str(source), "--tiles", "off", "--json")
    assert plain.returncode == 0
    assert report == json.loads(plain.stdout)


def test_a_changed_source_makes_the_cache_stale_and_it_is_baked_again(
        source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    mine = tmp_path / "mine.geojson"
    doc = json.loads(source.read_text())
    mine.write_text(json.dumps(doc))
    before, _ = _inspect(mine, cache)
    doc["features"] = doc["features"][:-40]  # forty features fewer
    mine.write_text(json.dumps(doc))
    after, err = _inspect(mine, cache)
    lines = [line for line in err.splitlines() if "tile cache" in line]
    assert len(lines) == 1 and "is stale" in lines[0] and "baking it again" in lines[0]
    assert after["features"] == before["features"] - 40


def test_a_truncated_or_damaged_cache_is_named_in_one_line_and_rebuilt(
        source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    good, _ = _inspect(source, cache)
    tile = sorted((cache / "tiles").glob("*.npz"))[0]
    tile.write_bytes(tile.read_bytes()[:100])
    report, err = _inspect(source, cache)
    lines = [line for line in err.splitlines() if "tile cache" in line]
    assert len(lines) == 1 and "is truncated" in lines[0], err
    assert report == good
    (cache / "index.json").write_text("{not json")
    report, err = _inspect(source, cache)
    lines = [line for line in err.splitlines() if "tile cache" in line]
    assert len(lines) == 1 and "is damaged" in lines[0], err
    assert report == good
    # Baked again: the next run reads it quietly.
    _, err = _inspect(source, cache)
    assert "tile cache" not in err


@pytest.mark.parametrize(("args", "expected"), [
    (["--workers", "0"], "--workers '0'"),
    (["--scheduler", "localhost:8786"], "--scheduler 'localhost:8786'"),
    (["--serial", "--workers", "2"], "not allowed with"),
])
def test_bad_bake_options_are_one_line(source: Path, tmp_path: Path, args: list[str],
                                       expected: str) -> None:
    out = run_cli("bake", str(source), "--out", str(tmp_path / "c"), *args)
    assert out.returncode == 2
    assert expected in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) <= 2  # argparse's usage line and the error


def test_a_cache_folder_that_is_a_file_is_refused(source: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = run_cli("bake", str(source), "--out", str(blocker), "--serial")
    assert out.returncode == 2 and "is a file" in out.stderr
    out = run_cli("inspect", str(source), "--cache", str(blocker))
    assert out.returncode == 2 and "is a file" in out.stderr


def test_a_cache_that_cannot_be_written_costs_speed_not_the_city(source: Path,
                                                                 tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    inside = blocker / "cache"  # a folder under a file: it cannot be made
    out = run_cli("inspect", str(source), "--tiles", "on", "--cache", str(inside), "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [line for line in out.stderr.splitlines() if "tile cache" in line]
    assert len(lines) == 1 and "cannot be written" in lines[0]
    assert "Traceback" not in out.stderr
    assert json.loads(out.stdout)["layers"]["buildings"] > 0
    # Baking there on purpose is a one-line error, exit status 2.
    out = run_cli("bake", str(source), "--serial", "--out", str(inside))
    assert out.returncode == 2 and "cannot write the tile cache" in out.stderr
    assert "Traceback" not in out.stderr


def test_render_of_a_baked_city_says_it_drew_from_the_cache(source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = run_cli("render", str(source), "--tiles", "on", "--cache", str(cache), "--out",
                  str(tmp_path / "city.png"), "--size", "320x180")
    assert out.returncode == 0, out.stderr[-2000:]
    # Not "0 draw calls": the merged batches hold none of a baked city.
    assert f"from its tile cache {cache}" in out.stdout
    assert (tmp_path / "city.png").stat().st_size > 0


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bake_on_two_workers_writes_the_serial_bytes(source: Path, tmp_path: Path) -> None:
    # The command starts its cluster while it reads the source and closes it while it
    # writes the index (tests/system/test_bake_dask.py bakes on clusters without it): the
    # oracle is the serial bake of the same source.
    pytest.importorskip("distributed")
    for name, how in (("serial", ["--serial"]), ("dask", ["--workers", "2"])):
        out = run_cli("bake", str(source), "--out", str(tmp_path / name), *how)
        assert out.returncode == 0, out.stderr[-2000:]
        assert "Traceback" not in out.stderr
    serial, dask = _files(tmp_path / "serial"), _files(tmp_path / "dask")
    assert "index.json" in serial and len([n for n in serial if n.startswith("tiles/")]) > 2
    assert serial == dask


def test_a_bad_source_or_scheduler_while_the_cluster_starts_is_one_line(
        source: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    # The source fails while the local cluster starts: its error, one line, and no wait.
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    out = run_cli("bake", str(broken), "--out", str(tmp_path / "a"), "--workers", "2",
                  timeout=120)
    assert out.returncode == 2 and "broken.geojson" in out.stderr, out.stderr[-2000:]
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    # Nobody answers at the scheduler's address: said once the source is read.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    out = run_cli("bake", str(source), "--out", str(tmp_path / "b"), "--scheduler", address,
                  timeout=120)
    assert out.returncode == 2 and address in out.stderr, out.stderr[-2000:]
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b" / "index.json").exists()
