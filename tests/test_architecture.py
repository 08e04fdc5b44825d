"""The walls between the rooms: the pure core never imports Panda3D."""

from __future__ import annotations

from render_helpers import REPO, panda3d_loaded_by

PURE = ["gwangju_twin.geo", "gwangju_twin.mesh", "gwangju_twin.scene", "gwangju_twin.report",
        "gwangju_twin.cli", "gwangju_twin.resources", "gwangju_twin.plugins",
        "gwangju_twin.plugins.discovery", "gwangju_twin.plugins.host",
        "gwangju_twin.plugins.scaffold", "gwangju_twin.expo", "gwangju_twin.exhibitor",
        "gwangju_twin.picking", "gwangju_twin.navigation", "gwangju_twin.guide",
        "gwangju_twin.settings", "gwangju_twin.infocards", "gwangju_twin.controls",
        "gwangju_twin.ui.catalogue", "gwangju_twin.mesh.topdown", "gwangju_twin.scene.tour",
        "gwangju_twin.kiosk", "gwangju_twin.kiosk.config", "gwangju_twin.kiosk.pin",
        "gwangju_twin.kiosk.cycle", "gwangju_twin.kiosk.analytics",
        "gwangju_twin.kiosk.supervisor", "gwangju_twin.kiosk.command"]


def test_pure_rooms_do_not_import_panda3d() -> None:
    code = (
        "".join(f"import {m}\n" for m in PURE)
        + "from gwangju_twin.geo import load_geojson\n"
        + "from gwangju_twin.mesh import build_district_mesh\n"
        + "d, r = load_geojson('assets/sangmu.geojson')\n"
        + "build_district_mesh(d)\n"
    )
    assert panda3d_loaded_by(code) == []


def test_only_the_composition_root_makes_a_showbase() -> None:
    owners = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "gwangju_twin").rglob("*.py")
        if "ShowBase(" in p.read_text(encoding="utf-8")
    ]
    assert owners == ["gwangju_twin/app.py"]


def _gwangju_imports(path):
    """Every gwangju_twin module ``path`` imports (absolute imports only)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return [n for n in names if n.split(".")[0] == "gwangju_twin"]


def test_plugins_see_one_door() -> None:
    """The reference demos, the drop-in examples and the scaffold's demo import only
    gwangju_twin.plugins."""
    from gwangju_twin.plugins.scaffold import scaffold

    files = list((REPO / "gwangju_twin" / "demos").rglob("*.py"))
    files += list((REPO / "plugins").rglob("*.py"))  # the drop-in examples
    assert len(files) >= 7
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        root = scaffold("door-check", "education", Path(tmp))
        files += list((root / "src").rglob("*.py"))
        for path in files:
            bad = [m for m in _gwangju_imports(path) if m != "gwangju_twin.plugins"]
            assert bad == [], f"{path.name} imports {bad}"
        # The scaffold's test may also use the SDK's test helpers.
        test_imports = _gwangju_imports(root / "tests" / "test_demo.py")
        assert test_imports == ["gwangju_twin.plugins.testing"]


def test_the_plugin_api_is_documented() -> None:
    """Every public name of gwangju_twin.plugins has a docstring, and docs/plugins.md
    mentions every context member."""
    import inspect

    import gwangju_twin.plugins as api

    for name in api.__all__:
        obj = getattr(api, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
            for member, value in vars(obj).items():
                if not member.startswith("_") and callable(value):
                    assert inspect.getdoc(value), f"{name}.{member}"
    guide = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    ctx_members = [m for m in vars(api.PavilionContext) if not m.startswith("_")]
    ctx_members += ["manifest", "pavilion", "node", "panel", "district", "timers", "log",
                    "assets", "language", "inside", "frame_budget"]
    for member in ctx_members:
        if member != "teardown":  # host use only
            assert f"ctx.{member}" in guide, member
