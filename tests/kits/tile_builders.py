"""Districts built by hand for the tile cache's tests: every column given, so a test knows
each feature's footprint, height and layer without running the loader."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from render_helpers import REPO

from gwangju_twin.geo.frame import LocalFrame
from gwangju_twin.geo.model import District, Issue, LoadReport

ORIGIN = (126.85, 35.15)


def district(geoms: Sequence[Any], layers: Sequence[str], heights: Sequence[float],
             kinds: Sequence[str] | None = None, widths: Sequence[float] | None = None,
             names: Sequence[str | None] | None = None,
             properties: Sequence[dict[str, Any]] | None = None) -> District:
    """A district of ``geoms`` (local metres) with the columns given, the rest neutral."""
    n = len(geoms)
    g = np.empty(n, object)
    g[:] = list(geoms)
    return District(
        frame=LocalFrame(*ORIGIN),
        geometry=g,
        layer=np.array(list(layers), object),
        kind=np.array(list(kinds) if kinds is not None else ["yes"] * n, object),
        height=np.array(list(heights), float),
        min_height=np.zeros(n),
        height_source=np.array(["measured" if la == "buildings" else "" for la in layers],
                               object),
        levels=np.full(n, np.nan),
        width=np.array(list(widths) if widths is not None else [np.nan] * n, float),
        name=list(names) if names is not None else [None] * n,
        name_en=[None] * n,
        feature_id=[f"f{i}" for i in range(n)],
        source_index=np.arange(n, dtype=np.int64),
        properties=[dict(p) for p in properties] if properties is not None
        else [{} for _ in range(n)],
    )


def town(blocks: int = 6, per_side: int = 6, seed: int = 0) -> District:
    """A small grid town: ``blocks`` x ``blocks`` blocks of ``per_side`` x ``per_side`` box
    buildings (12 x 9 m, 4 m apart, random heights 4-120 m), a road between every block row
    and a park in one corner: a few thousand features, enough for several far groups when
    the caller lowers the quadtree's limits."""
    rng = np.random.default_rng(seed)
    geoms: list[Any] = []
    layers: list[str] = []
    heights: list[float] = []
    kinds: list[str] = []
    widths: list[float] = []
    pitch = per_side * 16 + 40  # a block, then a 40 m street
    for bx in range(blocks):
        for by in range(blocks):
            for i in range(per_side):
                for j in range(per_side):
                    x = bx * pitch + i * 16
                    y = by * pitch + j * 13
                    geoms.append(shapely.box(x, y, x + 12, y + 9))
                    layers.append("buildings")
                    heights.append(float(rng.uniform(4, 120)))
                    kinds.append("apartments")
                    widths.append(np.nan)
    for by in range(blocks):
        y = by * pitch - 20
        geoms.append(shapely.LineString([(-20, y), (blocks * pitch, y)]))
        layers.append("roads")
        heights.append(np.nan)
        kinds.append("primary" if by % 2 else "residential")
        widths.append(12.0)
    geoms.append(shapely.box(-200, -200, -20, -20))
    layers.append("green")
    heights.append(np.nan)
    kinds.append("park")
    widths.append(np.nan)
    return district(geoms, layers, heights, kinds, widths)


def report(source: str = "town.geojson") -> LoadReport:
    """A load report with every field set away from its default."""
    return LoadReport(
        source=source, crs="EPSG:5186", crs_from="file", origin=ORIGIN, features=12,
        loaded=9, layers={"buildings": 7, "roads": 2}, heights={"measured": 5, "levels": 2},
        repaired=[Issue(3, "way/7", "self-intersection repaired")],
        skipped=[Issue(4, None, "no geometry"), Issue(5, "관리번호-1", "ring of 2 points")],
        warnings=[Issue(6, "x", "height 9999 m clipped")],
        cleared=[Issue(7, None, "under pavilion 'ai-hub'")],
        skipped_points={"natural=tree": 3}, reoriented=2,
        height_range=(3.0, 14.5, 99.0), bbox_lonlat=(126.8, 35.1, 126.9, 35.2),
        bbox_local=(-10.0, -20.0, 30.0, 40.0), crs_declared="EPSG:5186",
        crs_declared_by="its .prj file", crs_warning="override", source_schema="vworld",
        height_keys={"a16": 4}, schema_from="detected", format="ESRI Shapefile",
        encoding="cp949 (from its .cpg file)",
    )


def write_synthetic_city(path: Path, buildings: int) -> Path:
    """The synthetic city of the benchmarks (scripts/synthetic_city.py, a grid of blocks,
    streets and parks) with ``buildings`` buildings, written to ``path`` as GeoJSON."""
    spec = importlib.util.spec_from_file_location(
        "synthetic_city", REPO / "scripts" / "synthetic_city.py")
    assert spec is not None and spec.loader is not None
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    synthetic.write_district(path, buildings)
    return path
