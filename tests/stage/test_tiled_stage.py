"""A baked city on the real stage: the start view's tiles are there in the first picture,
a street view draws full detail and looks like the merged city, the whole city seen from far
draws its far level with far fewer triangles, and the touring interface picks on full detail.

Each case runs in a child process (EGL, no display), one ShowBase per process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from render_helpers import REPO, read_png

pytestmark = pytest.mark.render

PROBE = textwrap.dedent(
    """
    import dataclasses, json, sys
    from pathlib import Path
    import numpy as np
    from gwangju_twin.app.stage import Interface, Stage, StageOptions
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.mesh import build_district_mesh
    from gwangju_twin.picking import PickIndex
    from gwangju_twin.scene import CameraPose, scene_for_geojson

    source, cache, tiles, out = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    scene = dataclasses.replace(scene_for_geojson(source), tiles=tiles, cache=cache)
    stage = Stage(prepare(scene), "offscreen", (640, 360),
                  StageOptions(interface=Interface.DESKTOP, persist=False,
                               # One preset for both paths ("auto" takes "low" for a city
                               # from tiles on a software renderer, "medium" without tiles):
                               # the pictures compared differ only in how the city is drawn.
                               quality="low"))
    result = {"tiled": stage.stream is not None}
    x0, y0, x1, y1 = stage.prepared.mesh.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    poses = {"street": CameraPose((cx, cy, 0.0), 30.0, 12.0, 180.0),
             # Far enough out that the far level's error (about 100 m) is under 16 px.
             "far": CameraPose((cx, cy, 0.0), 30.0, 50.0, 15000.0)}
    for name, pose in poses.items():
        stage.set_pose(pose)
        stage.screenshot(out / f"{tiles}-{name}.png")
        if stage.stream is not None:
            s = stage.stream.stats()
            result[name] = {"drawn": {str(k): v for k, v in s.drawn.items()},
                            "triangles": s.triangles, "pending": s.pending}
    # Picking through the interface's own index, against one index of the merged city.
    merged = PickIndex.build(build_district_mesh(stage.prepared.district).batches)
    index = stage.touring.selection.index
    rng = np.random.default_rng(3)
    same = total = 0
    import shapely
    district = stage.prepared.district
    rows = np.flatnonzero(district.layer == "buildings")
    inside = shapely.get_coordinates(shapely.point_on_surface(district.geometry[rows]))
    for _ in range(60):
        # Aimed at a building (another may stand in front: the indexes must agree on it).
        target = np.array([*inside[rng.integers(len(inside))], 2.0])
        origin = target + np.array([*rng.normal(0, 300, 2), 400.0])
        a, b = merged.pick(origin, target - origin), index.pick(origin, target - origin)
        total += a is not None
        same += (a is None and b is None) or (a is not None and b is not None
                                              and a.feature == b.feature)
    result["picks"] = {"same": same, "hits": total}
    stage.close()
    print("JSON" + json.dumps(result))
    """
)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("tiled")
    # A small sample of the Gwangju-sized register city (AL_D010 Shapefile, EPSG:5186,
    # CP949): 3,000 buildings are several leaves (300 buildings each at most) under one far
    # group.
    source = folder / "register.shp"
    subprocess.run([sys.executable, str(REPO / "scripts" / "register_city.py"), str(source),
                    "--buildings", "3000"], check=True, capture_output=True, timeout=300)
    return source, folder / "cache", folder


def _probe(city: tuple[Path, Path, Path], tiles: str) -> dict[str, Any]:
    source, cache, out = city
    proc = subprocess.run([sys.executable, "-c", PROBE, str(source), str(cache), tiles,
                           str(out)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("JSON"))
    return json.loads(line[4:])


def test_a_baked_city_draws_full_detail_near_and_its_far_level_far(
        city: tuple[Path, Path, Path]) -> None:
    on = _probe(city, "on")
    assert on["tiled"]
    # Near: leaves at full detail (level 0) or simplified (1; the register's rectangles have
    # nothing to simplify, so their level 1 is level 0), no far hulls in the picture.
    assert set(on["street"]["drawn"]) <= {"0", "1"} and sum(on["street"]["drawn"].values()) > 1
    assert on["street"]["pending"] == 0  # the picture waited for its tiles
    # Far: the far group stands for its leaves (at level 2, or its blocks at level 3), with
    # fewer triangles than the leaves have, and no leaf drawn.
    assert set(on["far"]["drawn"]) <= {"2", "3"} and sum(on["far"]["drawn"].values()) >= 1
    assert on["far"]["triangles"] < on["street"]["triangles"] * 4
    # Picking on the interface's index is the merged city's, hit for hit.
    assert on["picks"]["hits"] > 40
    assert on["picks"]["same"] == 60

    off = _probe(city, "off")
    assert not off["tiled"]
    _, _, out = city
    a = read_png(out / "on-street.png").astype(int)
    b = read_png(out / "off-street.png").astype(int)
    # The same street from tiles and from the merged mesh: level 0 is the same prisms, so
    # the pictures differ only where level 1 stands in for a far block (a few pixels).
    assert np.abs(a - b).max(axis=2).mean() < 3.0
    far = read_png(out / "on-far.png").astype(int)
    # From far, the city is there (not sky and ground only): buildings' roofs are lighter
    # than the ground around them in a good share of the picture.
    assert far.std() > 10
