"""scripts/register_city.py: the synthetic register city (issue 15) is deterministic, laid
out like the building register, and reads through our loader as buildings, road areas and
green with Hangul names.

Small cities (2,000 and 8,000 buildings) keep this fast; the 185,000-building default is the
benchmark's business. Expected counts are taken from the written files with pyogrio (an
independent read of the .dbf), never from the generator's own summary.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pyogrio
import pytest
from pyogrio.raw import read
from pyproj import CRS
from render_helpers import REPO

from gwangju_twin.geo.load import load_geojson
from gwangju_twin.geo.schemas import builtin_schemas

SCRIPT = REPO / "scripts" / "register_city.py"
PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SMALL = 2000
#: The shared register sample's README: 1,357 buildings, 645 with a height, so 712 (0.525)
#: with A16 = 0. The generator aims at the same share.
ZERO_SHARE = (1357 - 645) / 1357
#: Binomial spread of that share over SMALL buildings is sqrt(0.525 * 0.475 / 2000) = 0.011;
#: 0.05 is over four of those, so only a generator that misses "about half" fails.
ZERO_TOLERANCE = 0.05
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def script() -> ModuleType:
    """The script as a module (it is no package module; scripts are run as files)."""
    spec = importlib.util.spec_from_file_location("register_city", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["register_city"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_city(script: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city") / "city.shp"
    assert script.main([str(out), "--buildings", str(SMALL), "--seed", "7"]) == 0
    return out


def test_same_arguments_give_the_same_bytes(script: ModuleType, small_city: Path,
                                            tmp_path: Path) -> None:
    again = tmp_path / "again.shp"
    assert script.main([str(again), "--buildings", str(SMALL), "--seed", "7"]) == 0
    for ext in PARTS:
        assert small_city.with_suffix(ext).read_bytes() == again.with_suffix(ext).read_bytes(), ext
    other = tmp_path / "other.shp"
    assert script.main([str(other), "--buildings", str(SMALL), "--seed", "8"]) == 0
    assert other.read_bytes() != again.read_bytes()  # the seed is used


def test_dbf_header_holds_the_fixed_date_not_today(script: ModuleType, small_city: Path) -> None:
    # dBase header bytes 1-3: year - 1900, month, day of the last update. GDAL writes today's
    # date unless told, which would make two runs on different days differ.
    head = small_city.with_suffix(".dbf").read_bytes()[:4]
    year, month, day = (int(x) for x in script.DBF_DATE.split("-"))
    assert (head[1], head[2], head[3]) == (year - 1900, month, day)


def test_layout_of_the_register_sample(small_city: Path) -> None:
    """Columns, CRS and encoding as the shared AL_D010 sample (its README, and pyogrio's
    read_info of it: A0, A24, A9 strings, A16 Real, A26 Integer; EPSG:5186; .cpg CP949)."""
    info = pyogrio.read_info(small_city)
    fields = list(info["fields"])
    assert fields[:5] == ["A0", "A24", "A9", "A16", "A26"]
    assert info["ogr_types"][:5] == ["OFTString", "OFTString", "OFTString", "OFTReal",
                                     "OFTInteger"]
    assert info["geometry_type"] == "Polygon"
    assert CRS.from_wkt(small_city.with_suffix(".prj").read_text()).to_epsg() == 5186
    assert small_city.with_suffix(".cpg").read_text().strip().upper() in ("CP949", "949")


def test_loader_reads_buildings_roads_and_green(small_city: Path) -> None:
    _, _, _, cols = read(small_city, encoding="cp949")
    names = list(pyogrio.read_info(small_city)["fields"])
    col = dict(zip(names, cols, strict=True))
    kind = np.asarray([k or "" for k in col["kind"]], dtype=object)
    building = kind == ""
    a16 = col["A16"][building]
    a26 = col["A26"][building]

    district, report = load_geojson(small_city)
    assert report.format == "ESRI Shapefile" and report.source_schema == "al_d010"
    assert report.crs == "EPSG:5186" and report.encoding.startswith("cp949")
    assert report.skipped == [] and report.warnings == []  # every A9 value is a known use
    assert report.layers["buildings"] == int(building.sum()) == SMALL
    assert report.layers["plazas"] == int((kind == "plaza").sum()) > 0  # road areas
    assert report.layers["green"] == int((kind == "green").sum()) > 0
    assert sum(report.layers.values()) == len(kind)

    zero = float((a16 == 0).mean())
    assert abs(zero - ZERO_SHARE) <= ZERO_TOLERANCE, zero
    assert report.heights["measured"] == int((a16 > 0).sum())
    assert report.heights["levels"] == int(((a16 == 0) & (a26 > 0)).sum()) > 0
    assert report.heights["default"] == int(((a16 == 0) & (a26 == 0)).sum()) > 0

    uses = builtin_schemas().get("al_d010").uses
    assert {u for u in col["A9"][building] if u} <= set(uses)

    # CP949 names come through the loader as the same Hangul pyogrio decodes.
    rows = district.select("buildings")
    loaded = {district.name[i] for i in rows} - {None}
    written = {n for n in col["A24"][building] if n}
    assert loaded == written
    assert any("아파트" in n and n.endswith("동") for n in loaded)
    assert sum(bool(HANGUL.search(n)) for n in written) == len(written)
    named = int(sum(1 for n in col["A24"][building] if n))
    assert 0.2 * SMALL < named < 0.8 * SMALL  # a good part named, most houses not


@pytest.mark.parametrize("count", [SMALL, 4 * SMALL])
def test_extent_scales_with_the_square_root_of_the_count(script: ModuleType, tmp_path: Path,
                                                         count: int) -> None:
    """About 20 x 15 km for 185,000 buildings (the issue), the same density for fewer: the
    sides scale with sqrt(count / 185,000). Superblocks are whole (800 x 600 m), so a side is
    that length rounded to whole superblocks, within 40 %."""
    out = tmp_path / "c.shp"
    assert script.main([str(out), "--buildings", str(count)]) == 0
    w, s, e, n = pyogrio.read_info(out)["total_bounds"]
    scale = (count / 185_000) ** 0.5
    assert 0.75 < (e - w) / (20_000 * scale) < 1.4
    assert 0.75 < (n - s) / (15_000 * scale) < 1.4
    _, report = load_geojson(out)
    assert report.layers["buildings"] == count
    assert report.bbox_lonlat is not None
    lon0, lat0 = (report.bbox_lonlat[0] + report.bbox_lonlat[2]) / 2, (
        report.bbox_lonlat[1] + report.bbox_lonlat[3]) / 2
    assert abs(lon0 - 126.85) < 0.01 and abs(lat0 - 35.15) < 0.01  # centred near Gwangju
