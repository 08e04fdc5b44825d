"""``gwangju-twin export`` from the command line: the default scene to GLB and 3D Tiles, every
GLB through the Khronos glTF-Validator with 0 errors, every tileset through the structural
check, the attributes compared with the source GeoJSON; and each bad input ending in one line
with exit status 2."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from export_kit import GEOJSON, SANGMU, TOOLS, exported, node
from render_helpers import run_cli

from gwangju_twin.export.check import check_tileset, read_glb


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("export")
    glb, tiles = exported(tmp)
    cache = tmp / "cache"
    for fmt, out in (("glb", glb), ("3dtiles", tiles)):
        done = run_cli("export", str(SANGMU), "--format", fmt, "--out", str(out), "--cache",
                       str(cache), "--pavilions")
        assert done.returncode == 0, done.stderr[-2000:]
        assert "triangles" in done.stdout and "Traceback" not in done.stderr
    return glb, tiles


def _validate(files: list[Path]) -> list[dict]:
    exe = node()
    done = subprocess.run([exe, str(TOOLS / "validate.mjs"), *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(reports) == len(files), done.stderr[-2000:]
    return reports


def test_every_glb_passes_the_khronos_validator(exports: tuple[Path, Path]) -> None:
    glb, tiles = exports
    files = [glb, *sorted((tiles / "tiles").glob("*.glb"))]
    assert len(files) > 10
    reports = _validate(files)
    for r in reports:
        assert r["errors"] == 0, r["messages"]
        assert r["warnings"] == 0, r["messages"]
        assert set(r["extensions"]) >= {"EXT_mesh_features", "EXT_structural_metadata"}


def test_float_positions_pass_too(tmp_path: Path) -> None:
    out = tmp_path / "float.glb"
    done = run_cli("export", str(SANGMU), "--format", "glb", "--out", str(out), "--cache",
                   str(tmp_path / "cache"), "--no-quantize")
    assert done.returncode == 0, done.stderr[-2000:]
    (report,) = _validate([out])
    assert report["errors"] == 0 and report["warnings"] == 0, report["messages"]
    assert "KHR_mesh_quantization" not in report["extensions"]


def test_the_validator_is_no_rubber_stamp(tmp_path: Path, exports: tuple[Path, Path]) -> None:
    # The same GLB with one index past the last vertex must fail.
    glb = read_glb(exports[0].read_bytes())
    data = bytearray(exports[0].read_bytes())
    acc = glb.json["accessors"][glb.json["meshes"][0]["primitives"][0]["indices"]]
    view = glb.json["bufferViews"][acc["bufferView"]]
    start = 12 + 8 + len(json.dumps(glb.json, ensure_ascii=False,
                                    separators=(",", ":")).encode())
    start += -start % 4
    at = start + 8 + view["byteOffset"]
    width = 2 if acc["componentType"] == 5123 else 4
    data[at:at + width] = b"\xff" * width
    bad = tmp_path / "bad.glb"
    bad.write_bytes(bytes(data))
    (report,) = _validate([bad])
    assert report["errors"] > 0


def test_the_tileset_passes_the_structural_check(exports: tuple[Path, Path]) -> None:
    assert check_tileset(exports[1] / "tileset.json") == []


def test_attributes_match_the_source_geojson(exports: tuple[Path, Path]) -> None:
    source = json.loads(GEOJSON.read_text("utf-8"))
    by_id = {f["id"]: f["properties"] for f in source["features"] if "id" in f}
    table = read_glb(exports[0].read_bytes()).property_table()
    checked = 0
    for fid, name, height, layer in zip(table["feature_id"], table["name"], table["height"],
                                        table["layer"], strict=True):
        props = by_id.get(fid)
        if props is None or layer != "buildings":
            continue
        assert name == props.get("name", "")
        # A plain number is the height as loaded (text such as "10 m" is parsed by the
        # loader's rules, docs/data.md, and not repeated here).
        if isinstance(props.get("height"), (int, float)):
            assert height == pytest.approx(float(props["height"]))
        checked += 1
    assert checked > 1000
    assert "광주광역시청" in table["name"]  # the city hall, by its Korean name
    pavilions = [n for n, layer in zip(table["name"], table["layer"], strict=True)
                 if layer == "pavilion"]
    assert len(pavilions) == 7  # the seven sectors' pavilions of scenes/sangmu.toml


@pytest.mark.parametrize(("args", "says"), [
    (["--format", "obj", "--out", "x.glb"], "--format 'obj': expected glb or 3dtiles"),
    (["--format", "glb", "--out", "x.glb", "--lod", "3"], "--lod '3': expected 0"),
    (["--format", "glb", "--out", "x.png"], "expected a file name ending in .glb"),
    (["--format", "glb", "--out", "no/such/folder/x.glb"], "does not exist"),
])
def test_bad_input_is_one_line_and_status_2(args: list[str], says: str,
                                            tmp_path: Path) -> None:
    out = [str(tmp_path / a) if a.endswith((".glb", ".png")) else a for a in args]
    # Each test bakes into its own cache: the run's shared one would make later tests of
    # the small default district draw it from tiles.
    done = run_cli("export", str(SANGMU), *out, "--cache", str(tmp_path / "cache"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], done.stderr


def test_an_out_that_is_a_file_or_unwritable_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "tileset"
    afile.write_text("not a folder")
    done = run_cli("export", str(SANGMU), "--format", "3dtiles", "--out", str(afile),
                   "--cache", str(tmp_path / "cache"))
    assert done.returncode == 2 and "is a file" in done.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        done = run_cli("export", str(SANGMU), "--format", "glb", "--out",
                       str(locked / "x.glb"), "--cache", str(tmp_path / "cache"))
        import os

        if os.geteuid() == 0:  # root writes anywhere: the folder check cannot refuse it
            assert done.returncode in (0, 2)
        else:
            assert done.returncode == 2 and "cannot write" in done.stderr
    finally:
        locked.chmod(0o700)
