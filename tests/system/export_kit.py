"""What the export's system tests share: the default district exported once per session
through the command line, and the tools of tools/validate (Node.js packages).

The tools are installed by .ci/run (``npm ci``), which also sets
GWANGJU_TWIN_EXPORT_TOOLS=required: there a missing tool fails the tests instead of skipping
them, so CI never passes a check it did not run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from render_helpers import REPO

TOOLS = REPO / "tools" / "validate"
SANGMU = REPO / "scenes" / "sangmu.toml"
GEOJSON = REPO / "assets" / "sangmu.geojson"


def need(what: str, present: bool) -> None:
    """Skip (on a developer's machine) or fail (in CI) when a tool is missing."""
    if present:
        return
    why = f"{what} is missing: run .ci/run, or `npm ci` in tools/validate"
    if os.environ.get("GWANGJU_TWIN_EXPORT_TOOLS") == "required":
        pytest.fail(why)
    pytest.skip(why)


def node() -> str:
    """The node executable, with the validator installed beside the repo."""
    exe = shutil.which("node")
    need("node", exe is not None)
    need("tools/validate/node_modules", (TOOLS / "node_modules" / "gltf-validator").is_dir())
    assert exe is not None
    return exe


def exported(tmp: Path) -> tuple[Path, Path]:
    """Paths of the default scene's GLB and tileset inside ``tmp``."""
    return tmp / "sangmu.glb", tmp / "sangmu-3dtiles"
