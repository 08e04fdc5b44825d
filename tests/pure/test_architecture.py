"""The walls between the rooms: the room order of docs/architecture.md holds for every import,
there are no import cycles, and the pure core never imports Panda3D."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from render_helpers import REPO, modules_loaded_by, panda3d_loaded_by

PURE = ["gwangju_twin.geo", "gwangju_twin.mesh", "gwangju_twin.scene", "gwangju_twin.geo.report",
        "gwangju_twin.app.commands", "gwangju_twin.resources", "gwangju_twin.plugins",
        "gwangju_twin.plugins.discovery", "gwangju_twin.plugins.host",
        "gwangju_twin.plugins.scaffold", "gwangju_twin.expo.pavilions",
        "gwangju_twin.expo.prepared", "gwangju_twin.app.commands.plugins",
        "gwangju_twin.picking", "gwangju_twin.navigation", "gwangju_twin.guide",
        "gwangju_twin.settings", "gwangju_twin.ui.infocards", "gwangju_twin.controls",
        "gwangju_twin.ui.catalogue", "gwangju_twin.mesh.topdown", "gwangju_twin.scene.tour",
        "gwangju_twin.kiosk", "gwangju_twin.kiosk.config", "gwangju_twin.kiosk.pin",
        "gwangju_twin.kiosk.cycle", "gwangju_twin.kiosk.analytics",
        "gwangju_twin.kiosk.supervisor", "gwangju_twin.app.commands.kiosk",
        "gwangju_twin.language"]

PACKAGE = REPO / "gwangju_twin"


def room_table(text: str) -> dict[str, tuple[int, str]]:
    """The rooms of docs/architecture.md's table: module prefix -> (floor, room)."""
    rooms: dict[str, tuple[int, str]] = {}
    for floor, room, modules in re.findall(r"^\| (\d+) \| ([\w ]+?) \| (.+?) \|", text, re.M):
        for name in re.findall(r"`([\w.]+)`", modules):
            full = name if name == "gwangju_twin" else f"gwangju_twin.{name}"
            assert full not in rooms, f"{full} is listed twice"
            rooms[full] = (int(floor), room)
    return rooms


def room_of(module: str, rooms: dict[str, tuple[int, str]]) -> tuple[int, str]:
    """The floor and room of ``module``: those of the longest listed prefix."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in rooms:
            return rooms[prefix]
    raise AssertionError(f"{module} is in no room of docs/architecture.md")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(text: str, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """Every project module that module ``name`` (source ``text``) imports: at load time,
    inside functions and under TYPE_CHECKING alike, absolute or relative; ``from package
    import module`` counts as importing that module."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                       for a in node.names]
        for target in targets:
            while target not in modules and "." in target:
                target = target.rpartition(".")[0]
            if target in modules and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each module of the package -> the project modules it imports."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: imports_in(path.read_text(encoding="utf-8"), name, path.name == "__init__.py",
                             modules)
            for name, path in files.items()}


def upward_imports(graph: dict[str, set[str]], rooms: dict[str, tuple[int, str]]) -> list[str]:
    """Each import that runs to a room on the importer's own floor or above, as text."""
    bad = []
    for importer, targets in sorted(graph.items()):
        floor, room = room_of(importer, rooms)
        for target in sorted(targets):
            t_floor, t_room = room_of(target, rooms)
            if t_room != room and t_floor >= floor:
                bad.append(f"{importer} ({room}, floor {floor}) imports {target} "
                           f"({t_room}, floor {t_floor})")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_import_runs_down_the_house() -> None:
    rooms = room_table((REPO / "docs" / "architecture.md").read_text(encoding="utf-8"))
    assert len(rooms) >= 15
    graph = import_graph()
    assert sum(len(t) for t in graph.values()) > 300  # the reader sees the imports
    assert upward_imports(graph, rooms) == []


def test_the_room_check_sees_imports_in_functions_and_for_type_checking() -> None:
    """The reader finds imports wherever they are, and the order check names them."""
    code = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from gwangju_twin.ui.panel import PanelView\n"
        "def f():\n    from gwangju_twin.app import stage\n"
        "    import gwangju_twin.touring.camera\n"
        "from . import frame\n"
    )
    probe = "gwangju_twin.geo.probe_for_test"
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    found = imports_in(code, probe, False, modules)
    assert found == {"gwangju_twin.ui.panel", "gwangju_twin.app.stage",
                     "gwangju_twin.touring.camera", "gwangju_twin.geo.frame"}
    rooms = room_table((REPO / "docs" / "architecture.md").read_text(encoding="utf-8"))
    bad = upward_imports({probe: found}, rooms)
    assert len(bad) == 3 and all(b.startswith(f"{probe} (geo, floor 2)") for b in bad)


def test_there_are_no_import_cycles() -> None:
    graph = import_graph()
    assert cycles(graph) == []
    # ... and the search finds one where there is one.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


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
    assert owners == ["gwangju_twin/app/stage.py"]


def _gwangju_imports(path):
    """Every gwangju_twin module ``path`` imports (absolute imports only)."""
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
                    "assets", "language", "inside", "frame_budget", "storage"]
    for member in ctx_members:
        if member != "teardown":  # host use only
            assert f"ctx.{member}" in guide, member


def test_the_sector_table_loads_alone() -> None:
    """Importing a small part of a room does not read in the rest of it: the sector table
    needs neither the GeoJSON loader nor shapely and pyproj."""
    loaded = modules_loaded_by("import gwangju_twin.scene.sectors",
                               ("gwangju_twin", "shapely", "pyproj"))
    assert loaded == ["gwangju_twin", "gwangju_twin.errors", "gwangju_twin.lazy",
                      "gwangju_twin.scene", "gwangju_twin.scene.sectors"]
