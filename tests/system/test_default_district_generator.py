"""The district generator (scripts/make_district.py) run as a maintainer runs it: the same
bytes twice, and the committed assets/sangmu.geojson is what it makes (tests/pure/
test_default_district.py checks that district itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import shapely
from render_helpers import REPO as ROOT

SCRIPT = ROOT / "scripts" / "make_district.py"
ASSET = ROOT / "assets" / "sangmu.geojson"


def test_generator_is_deterministic_and_matches_the_committed_asset(tmp_path: Path) -> None:
    outs = []
    for name in ("a.geojson", "b.geojson"):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, str(SCRIPT), "--out", str(out)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        outs.append(out)
    # Two runs on one machine give the same bytes.
    assert outs[0].read_bytes() == outs[1].read_bytes()
    # Against the committed asset, compare meaning rather than bytes: another GEOS release
    # may place a buffered vertex differently without changing the district.
    fresh = json.loads(outs[0].read_text(encoding="utf-8"))["features"]
    committed = json.loads(ASSET.read_text(encoding="utf-8"))["features"]
    stale = "assets/sangmu.geojson is stale: run `python scripts/make_district.py` and commit it"
    assert [f["id"] for f in fresh] == [f["id"] for f in committed], stale
    assert [f["properties"] for f in fresh] == [f["properties"] for f in committed], stale
    a = np.array([shapely.geometry.shape(f["geometry"]) for f in fresh])
    b = np.array([shapely.geometry.shape(f["geometry"]) for f in committed])
    assert (shapely.get_type_id(a) == shapely.get_type_id(b)).all(), stale
    poly = np.isin(shapely.get_type_id(a), (3, 6))
    diff = shapely.area(shapely.symmetric_difference(a[poly], b[poly]))
    assert (diff <= 1e-3 * shapely.area(b[poly]) + 1e-12).all(), stale
    assert (shapely.hausdorff_distance(a[~poly], b[~poly]) < 1e-6).all(), stale
