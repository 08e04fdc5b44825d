"""What the command line prints and writes, run as a user would: closed pipes, odd text in a
user's file, building types in ``inspect``, ``-V``, and pictures that cannot be written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from geojson_builders import feature, polygon, square
from render_helpers import REPO
from test_cli_inspect import small_district


def one_error_line(result: subprocess.CompletedProcess, *parts: str) -> str:
    """The single ``gwangju-twin: error:`` line on stderr, holding each of ``parts``."""
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gwangju-twin: error: "), lines[0]
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def test_short_version_flag(cli: Callable[..., Any]) -> None:
    long, short = cli("--version"), cli("-V")
    assert long.returncode == short.returncode == 0
    assert short.stdout == long.stdout
    assert short.stdout.startswith("gwangju-twin ")


def test_inspect_into_a_closed_pipe_ends_quietly(
    write_geojson: Callable[..., Path],
) -> None:
    # Thousands of skipped features make a report far larger than a pipe's buffer, so the
    # reader closing after one line really breaks the pipe under the writer.
    doc = {"type": "FeatureCollection",
           "features": [feature(polygon(square(0, 0, 20)), "real", building="yes")]
           + [feature(None, f"ghost-{i}", building="yes") for i in range(6000)]}
    path = write_geojson(doc)
    for extra in ((), ("--json",)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "gwangju_twin", "inspect", str(path), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read().decode("utf-8", "replace")
        status = proc.wait(timeout=120)
        assert first.strip()
        assert err == "", err
        assert status == 0


def test_inspect_breaks_buildings_down_by_type_and_names_the_tallest(
    write_geojson: Callable[..., Path], cli: Callable[..., Any],
) -> None:
    doc = small_district()
    # two more typed buildings, one of them named and the tallest of all
    doc["features"] += [
        feature(polygon(square(200, 0, 20)), "hq", building="office", height=90,
                name="광주 타워", **{"name:en": "Gwangju Tower"}),
        feature(polygon(square(250, 0, 20)), "flat", building="apartments", height=30),
    ]
    path = write_geojson(doc)
    report = json.loads(cli("inspect", "--json", str(path)).stdout)
    assert report["building_types"] == {"office": 2, "yes": 2, "apartments": 1}
    assert sum(report["building_types"].values()) == report["layers"]["buildings"]
    heights = [row["height_m"] for row in report["tallest"]]
    assert heights == sorted(heights, reverse=True)
    assert len(heights) == report["layers"]["buildings"]  # fewer than ten: all of them
    top = report["tallest"][0]
    assert (top["name"], top["name_en"], top["height_m"], top["id"]) == (
        "광주 타워", "Gwangju Tower", 90.0, "hq")
    assert top["height_from"] == "measured"  # its height key, not a default
    assert {row["height_from"] for row in report["tallest"]} <= {"measured", "levels",
                                                                 "default"}

    text = cli("inspect", str(path)).stdout.splitlines()
    types = next(ln for ln in text if ln.strip().startswith("types"))
    assert types.split(None, 1)[1] == "office 2, yes 2, apartments 1"
    tallest = text.index("  tallest")
    assert "광주 타워 / Gwangju Tower" in text[tallest + 1]
    assert "90.0 m  measured" in text[tallest + 1]


def test_inspect_shows_control_characters_and_never_obeys_them(
    write_geojson: Callable[..., Path], cli: Callable[..., Any],
) -> None:
    clear, forged = "\x1b[2J\x1b[H", "x\n    feature 99: forged line"
    doc = {"type": "FeatureCollection", "features": [
        feature(None, clear, building="yes"),  # skipped: its id is printed
        feature(None, forged, building="yes"),
        feature(None, "surrogate", building="yes"),
        feature(polygon(square(0, 0, 20)), "named", building="yes", height=10,
                name="evil\u202e\x9b2J"),
    ]}
    # a lone surrogate is valid JSON text but cannot be encoded as UTF-8
    raw = json.dumps(doc).replace('"surrogate"', '"\\udc80surrogate"').encode()
    path = write_geojson(raw)

    text = cli("inspect", str(path))
    assert text.returncode == 0, text.stderr
    assert "Traceback" not in text.stderr
    for bad in ("\x1b", "\x9b", "\u202e"):
        assert bad not in text.stdout
    assert "\\x1b[2J" in text.stdout
    assert "\\udc80surrogate" in text.stdout
    assert "evil\\u202e\\x9b2J" in text.stdout
    assert not any(ln.startswith("    feature 99") for ln in text.stdout.splitlines())

    js = cli("inspect", "--json", str(path))
    assert js.returncode == 0, js.stderr
    assert "\x1b" not in js.stdout and "\x9b" not in js.stdout
    report = json.loads(js.stdout)
    # the same text as in the file, escaped on the way
    assert [i["id"] for i in report["skipped"]] == [clear, forged, "\udc80surrogate"]
    assert report["tallest"][0]["name"] == "evil\u202e\x9b2J"


@pytest.mark.render
def test_render_onto_a_full_disk_fails_in_one_line(tmp_path: Path,
                                                   cli: Callable[..., Any]) -> None:
    out = tmp_path / "full.png"
    out.symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    result = cli("render", "--out", str(out), "--size", "160x100")
    one_error_line(result, str(out), "No space left on device")
    assert "wrote" not in result.stdout


@pytest.mark.render
def test_render_into_a_folder_that_cannot_be_written_fails_before_rendering(
    tmp_path: Path, cli: Callable[..., Any],
) -> None:
    if os.geteuid() == 0:
        folder = Path("/sys")  # sysfs refuses new files even to root
    else:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
    result = cli("render", "--out", str(folder / "x.png"), "--size", "160x100")
    one_error_line(result, str(folder / "x.png"), "cannot write into folder")
    assert not (folder / "x.png").exists()
    assert "Traceback" not in result.stderr


def test_check_picture_refuses_cut_files(tmp_path: Path) -> None:
    from gwangju_twin.render.snapshot import check_picture

    good = REPO / "docs" / "sangmu.png"
    check_picture(good)
    data = good.read_bytes()
    for name, content in (("cut.png", data[: len(data) // 2]), ("empty.png", b""),
                          ("zeros.png", bytes(len(data)))):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(OSError, match="not written completely"):
            check_picture(path)
