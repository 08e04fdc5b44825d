"""How long the bundled demos' heavy steps take on the Sangmu district.

    python scripts/bench_demos.py [--rounds 5]

Target: each step under 1 s (the solar pavilion's rooftop potential, the shuttle pavilion's
loop and the healthcare pavilion's coverage are computed while the visitor waits at the door).
This is a benchmark, not a test: the test suite checks what these steps compute, never how
fast (a busy machine must not fail it). Prints the median and the slowest of ``--rounds`` runs
of each step, and exits 1 when a median is over its target.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 1.0


def _steps() -> dict[str, Callable[[], object]]:
    """The timed steps, each a closure over the district loaded once beforehand."""
    from gwangju_twin.demos.shuttles.fleet import plan_loop
    from gwangju_twin.demos.solar import sun
    from gwangju_twin.geo import load_geojson
    from gwangju_twin.plugins.roads import build_road_graph
    from gwangju_twin.scene import load_scene

    scene = load_scene(REPO / "scenes" / "sangmu.toml")
    district, _ = load_geojson(scene.source, crs=scene.crs, origin=scene.origin,
                               level_height=scene.level_height)
    rows = district.select("buildings")
    footprints, heights = district.geometry[rows], district.height[rows]
    road_rows = district.select("roads")
    roads = build_road_graph(district.geometry[road_rows], district.width[road_rows])
    doors = []
    for p in scene.pavilions:  # the middle of each site's front edge, as the shuttles use
        x, y = (float(v) for v in district.frame.to_local(*p.at_lonlat))
        h = math.radians(p.heading)
        doors.append((x + p.size[1] / 2 * math.sin(h), y + p.size[1] / 2 * math.cos(h)))
    return {
        "solar rooftop potential": lambda: sun.rooftop_potential(
            footprints, heights, district.frame.lat),
        "shuttle loop plan": lambda: plan_loop(roads, doors, first=len(doors) - 1),
        "healthcare coverage": _healthcare_coverage(district),
    }


def _healthcare_coverage(district: Any) -> Callable[[], object]:
    """The healthcare demo's load: anchor every building and ER on the roads, one run."""
    import numpy as np

    from gwangju_twin.demos.healthcare.coverage import (
        CoverageModel,
        floor_areas,
        local_from_lonlat,
    )
    from gwangju_twin.demos.healthcare.sites import EMERGENCY_ROOMS
    from gwangju_twin.plugins.district import district_data

    data = district_data(district, [], (0.0, 0.0, 1.0, 1.0))
    b = data.buildings

    def step() -> object:
        model = CoverageModel(data.roads, data.road_kinds, b.centroids,
                              floor_areas(b.areas, b.levels, b.heights))
        ers = model.anchor(np.array([local_from_lonlat(data.to_lonlat, s.lon, s.lat)
                                     for s in EMERGENCY_ROOMS]))
        return model.coverage(ers)

    return step


def main(argv: list[str] | None = None) -> int:
    """Time each step ``--rounds`` times; 1 when a median is over the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    slow = False
    for name, step in _steps().items():
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            step()
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        slow |= median > TARGET_S
        print(f"{name}: median {median:.3f} s, slowest {max(times):.3f} s "
              f"(target {TARGET_S:g} s){'  OVER' if median > TARGET_S else ''}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
