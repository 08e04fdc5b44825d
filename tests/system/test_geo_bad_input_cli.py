"""Broken input through the command line: a bad FILE is exactly one ``gwangju-twin: error:``
line with exit status 2 (tests/pure/test_geo_bad_input.py reads the same files in process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gwangju_twin.errors import InputError
from gwangju_twin.geo import load_geojson


def test_bad_file_through_cli_is_one_line_exit_2(
    bad_file: tuple[Path, tuple[str, ...]], cli: Callable[..., Any]
) -> None:
    path, words = bad_file
    result = cli("inspect", str(path))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gwangju-twin: error: "), lines[0]
    assert str(path) in lines[0]
    assert all(word in lines[0].lower() for word in words), lines[0]
    assert result.stdout == ""


def test_missing_file_and_directory(tmp_path: Path, cli: Callable[..., Any]) -> None:
    for path, word in ((tmp_path / "nowhere.geojson", "not found"), (tmp_path, "directory")):
        with pytest.raises(InputError, match=word) as info:
            load_geojson(path)
        assert str(path) in str(info.value)
        result = cli("inspect", str(path))
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("gwangju-twin: error:")
        assert "Traceback" not in result.stderr
