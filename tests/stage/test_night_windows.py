"""Lit windows on the real stage (offscreen, ``medium``, a child process): they come from the
mesh's emissive byte, not from the shader alone. With every emissive byte set to 0 the noon
picture is the same to the last pixel (by day the attribute changes nothing) and the night
picture loses its lit windows; an apartment block shows more lit windows at 22:00 than an
office block beside it, and fewer at 02:00 than at 22:00 (the schedules of mesh/glow.py, the
stage's clock handing the hour to the shader, in Korea's time whatever zone it was given in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from geojson_builders import feature, square
from render_helpers import REPO, write_fixture

pytestmark = pytest.mark.render

PROBE = textwrap.dedent(
    """
    import json, sys
    from datetime import datetime
    from pathlib import Path
    import numpy as np
    from panda3d.core import GeomNode
    from gwangju_twin.app.stage import Stage, StageOptions
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.scene import CameraPose, scene_for_geojson
    from gwangju_twin.sun.clock import SEOUL
    from render_helpers import read_png

    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    stage = Stage(prepare(scene_for_geojson(source)), "offscreen", (480, 320),
                  StageOptions(quality="medium",
                               time=datetime(2026, 12, 22, 12, 0, tzinfo=SEOUL)))
    # From the south, a little above the towers' feet: both south walls in view, the
    # apartments (west) on the left half of the picture, the offices (east) on the right.
    stage.set_pose(CameraPose((0.0, 0.0, 25.0), 0.0, 12.0, 260.0))

    def glow_arrays():
        for path in stage.world.find("district").find_all_matches("**/+GeomNode"):
            node = path.node()
            for i in range(node.get_num_geoms()):
                vdata = node.modify_geom(i).modify_vertex_data()
                assert vdata.get_num_arrays() == 2, vdata.get_num_arrays()
                yield vdata.modify_array(1)

    saved = [bytes(memoryview(a)) for a in glow_arrays()]

    def set_glow(value=None):
        for a, keep in zip(glow_arrays(), saved):
            view = memoryview(a).cast("B")
            view[:] = keep if value is None else bytes([value]) * len(keep)

    def shot(name):
        return read_png(stage.screenshot(out / f"{name}.png")).astype(int)

    def at(hour):
        day = 23 if hour < 12 else 22
        stage.clock.set(datetime(2026, 12, day, hour, 0, tzinfo=SEOUL))

    def lit(img, dark):
        # Pixels the windows brighten: left half (apartments), right half (offices).
        on = (img - dark).max(axis=2) > 20
        w = on.shape[1] // 2
        return [int(on[:, :w].sum()), int(on[:, w:].sum())]

    result = {"emissive_bytes": sum(len(s) for s in saved),
              "glowing": sum(sum(1 for b in s if b) for s in saved)}
    noon = shot("noon")
    result["noon_again"] = int(np.abs(shot("noon-again") - noon).max())
    set_glow(0)
    result["noon_dark"] = int(np.abs(shot("noon-no-glow") - noon).max())
    at(22)
    dark = shot("night-no-glow")
    set_glow()
    night = shot("night")
    result["night"] = lit(night, dark)
    # The same moment given in UTC: the windows keep Gwangju's hours, not UTC's 13:00.
    # (The clock ignores a moment equal to its own, so it goes to 02:00 first.)
    from datetime import timezone
    at(2)
    stage.clock.set(datetime(2026, 12, 22, 13, 0, tzinfo=timezone.utc))
    result["night_utc"] = int(np.abs(shot("night-utc") - night).max())
    at(2)
    set_glow(0)
    dark2 = shot("small-hours-no-glow")
    set_glow()
    result["small_hours"] = lit(shot("small-hours"), dark2)
    print(json.dumps(result))
    stage.close()
    """
)


def _probe(tmp_path: Path) -> dict[str, Any]:
    # Two 40 m towers 30 m square, 60 m apart: apartments to the west, offices to the east;
    # four 1 m sheds 300 m out give the district an extent around them.
    feats = [
        feature({"type": "Polygon", "coordinates": [square(-75, -15, 30)]},
                building="apartments", height=40),
        feature({"type": "Polygon", "coordinates": [square(45, -15, 30)]},
                building="office", height=40),
    ]
    for x, y in ((-300, -300), (300, -300), (300, 300), (-300, 300)):
        feats.append(feature({"type": "Polygon", "coordinates": [square(x, y, 2)]},
                             building="shed", height=1))
    source = write_fixture(tmp_path / "towers.geojson", feats)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(source), str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
        env={k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        | {"PYTHONPATH": str(REPO / "tests" / "kits")},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_windows_come_from_the_emissive_byte_and_the_hour(tmp_path: Path) -> None:
    result = _probe(tmp_path)
    # The towers' and sheds' walls carry bytes; roofs, floors and the ground do not.
    assert 0 < result["glowing"] < result["emissive_bytes"]
    # By day: the same picture twice, and the same again with every byte 0.
    assert result["noon_again"] == 0
    assert result["noon_dark"] == 0
    # At 22:00 the apartments' windows are lit (hundreds of pixels brighter than without
    # their bytes), and more of them than the offices', whose people have gone home.
    flats, offices = result["night"]
    assert flats > 200, result
    assert flats > 2 * offices, result
    # 22:00 in Gwangju typed as 13:00 UTC is the same picture.
    assert result["night_utc"] == 0, result
    # At 02:00 most homes are dark too.
    assert result["small_hours"][0] < 0.5 * flats, result
