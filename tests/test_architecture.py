"""The walls between the rooms: the pure core never imports Panda3D."""

from __future__ import annotations

import subprocess
import sys

from render_helpers import REPO

PURE = ["gwangju_twin.geo", "gwangju_twin.mesh", "gwangju_twin.scene", "gwangju_twin.report",
        "gwangju_twin.cli", "gwangju_twin.resources"]


def test_pure_rooms_do_not_import_panda3d() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE)
        + "from gwangju_twin.geo import load_geojson\n"
        + "from gwangju_twin.mesh import build_district_mesh\n"
        + "d, r = load_geojson('assets/sangmu.geojson')\n"
        + "build_district_mesh(d)\n"
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('panda3d', 'direct')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_only_the_composition_root_makes_a_showbase() -> None:
    owners = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "gwangju_twin").rglob("*.py")
        if "ShowBase(" in p.read_text(encoding="utf-8")
    ]
    assert owners == ["gwangju_twin/app.py"]
