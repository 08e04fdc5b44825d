"""``gwangju-twin plugins new``: a working plugin package to start from.

The package's inner folder (``src/<package>``) is also a valid drop-in plugin folder, so an
exhibitor can try it by copying that folder into a scene's plugins folder before packaging.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from gwangju_twin import __version__
from gwangju_twin.errors import InputError
from gwangju_twin.plugins.manifest import API_VERSION, MANIFEST_NAME
from gwangju_twin.scene.sectors import sector

#: A plugin id (the manifest's rule) that is also a distribution name and, with "." and "-"
#: made "_", a package name: words of a-z and 0-9 joined by "." or "-", starting with a
#: letter. Dotted ids (``acme.xray``) are what the manifest docs recommend.
_NAME = re.compile(r"[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*")
_MAX_NAME = 64


def package_name(name: str) -> str:
    """The import package of plugin ``name``: ``acme.robot-arm`` -> ``acme_robot_arm``."""
    return re.sub(r"[.-]", "_", name)


def scaffold(name: str, sector_id: str, parent: Path) -> Path:
    """Write a plugin project ``parent/name`` for ``sector_id``; returns its folder.

    ``name`` becomes the distribution name and the plugin id (dots allowed, e.g.
    ``acme.xray``); its package is ``name`` with ``.`` and ``-`` replaced by ``_``.
    ``parent`` is created when it does not exist.
    """
    if not (_NAME.fullmatch(name) and 2 <= len(name) <= _MAX_NAME):
        raise InputError(f"plugin name {name!r}: expected 2-{_MAX_NAME} characters: words of "
                         "a-z and 0-9 joined by '.' or '-', starting with a letter (e.g. "
                         "robot-arm or acme.robot-arm)")
    package = package_name(name)
    if keyword.iskeyword(package):
        raise InputError(f"plugin name {name!r}: {package!r} is a Python keyword and cannot "
                         "be a package name; choose another name")
    sec = sector(sector_id, "--sector")
    if parent.exists() and not parent.is_dir():
        raise InputError(f"--dir {parent}: not a folder; expected the folder to create the "
                         "plugin in")
    root = parent / name
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise InputError(f"{root} already exists and is not empty; choose another name or --dir")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--dir {parent}: cannot create {root} ({exc.strerror})") from None
    title = re.sub(r"[.-]", " ", name).title()
    values = {
        "name": name, "package": package, "title": title, "sector": sec.id,
        "sector_ko": sec.name_ko, "sector_en": sec.name_en, "api": API_VERSION,
        "host": __version__, "manifest": MANIFEST_NAME,
        "color": ", ".join(f"{c:.2f}" for c in sec.color),
    }
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        f"src/{package}/__init__.py": _INIT,
        f"src/{package}/{MANIFEST_NAME}": _MANIFEST,
        f"src/{package}/demo.py": _DEMO,
        f"src/{package}/assets/README.txt": _ASSETS,
        "tests/test_demo.py": _TEST,
    }
    for rel, template in files.items():
        path = root / rel
        text = template
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot write the plugin's files ({exc.strerror})") from None
    return root


_PYPROJECT = '''[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "{{name}}"
version = "0.1.0"
description = "A {{sector_en}} pavilion demo for Gwangju Twin"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["gwangju-twin>={{host}}"]

[project.optional-dependencies]
test = ["pytest>=7.4"]

# Gwangju Twin finds the plugin through this entry point: the name is the plugin id (the same
# as `id` in pavilion.toml), the value the package holding pavilion.toml and that file.
[project.entry-points."gwangju_twin.pavilions"]
"{{name}}" = "{{package}}:{{manifest}}"

[tool.hatch.build.targets.wheel]
packages = ["src/{{package}}"]
'''

_README = '''# {{title}}: a Gwangju Twin pavilion demo

A plugin for the {{sector_ko}} ({{sector_en}}) pavilion of Gwangju Twin (the
`gwangju-twin` package), made with `gwangju-twin plugins new`.

## Try it
```sh
pip install -e ".[test]"                  # registers the entry point; pytest for the tests
gwangju-twin plugins list                 # shows {{name}}, status ok
gwangju-twin plugins check .              # manifest, import, hooks and a dry run
gwangju-twin render --enter {{sector}} --plugin {{name}} --out demo.png
pytest                                    # tests/test_demo.py
```
`--plugin` puts this plugin in the {{sector}} pavilion of the default scene for one run; in
your own scene, write `plugin = "{{name}}"` in the pavilion's `[[pavilion]]` table.

Without packaging, copy `src/{{package}}` into a scene's plugins folder instead.

## Files
- `src/{{package}}/{{manifest}}`: the manifest (id, sector, titles, version, api_version, entry)
- `src/{{package}}/demo.py`: the hooks load, enter, update, exit, unload
- `src/{{package}}/assets/`: your models, textures and data (`ctx.assets`)
- `tests/test_demo.py`: runs the whole lifecycle offscreen (`pytest`)

The plugin API is documented in `docs/plugins.md` of Gwangju Twin's source (its
repository and its source distribution); `gwangju-twin plugins --help` lists the SDK
commands. Import only `gwangju_twin.plugins` from Gwangju Twin. This demo is written for
plugin API {{api}} (`api_version` in `{{manifest}}`): see "API 1.1" there for what it adds
(the demo camera, clicks, panel legends, charts and gauges, labels and lines, the whole
city and storage). `gwangju-twin plugins check . -v` also shows your `ctx.log.info` lines.

Keep `version` in `pyproject.toml` and in `{{manifest}}` the same: `gwangju-twin plugins
list` warns when they differ.
'''

_INIT = '''"""{{title}}: a {{sector_en}} pavilion demo for Gwangju Twin."""
'''

_MANIFEST = '''# The plugin's manifest: Gwangju Twin reads it without importing any code.
id = "{{name}}"
sector = "{{sector}}"            # {{sector_ko}} / {{sector_en}}
version = "0.1.0"
api_version = "{{api}}"            # the plugin API this code is written for ("major.minor")
entry = "demo:Demo"             # module (beside this file) : class

# The titles visitors see on the pavilion's panel: replace both with your demo's name.
[title]
ko = "{{sector_ko}} 데모"
en = "{{title}}"

[description]
ko = "{{sector_ko}} 파빌리온 데모"
en = "A {{sector_en}} pavilion demo"
'''

_DEMO = '''"""The demo's hooks. Gwangju Twin calls them; if one raises, only this demo stops."""

from __future__ import annotations

from gwangju_twin.plugins import PavilionContext, PavilionDemo

SECTOR_COLOR = ({{color}})


class Demo(PavilionDemo):
    """A sector-coloured beacon that turns in front of the pavilion while a visitor is in."""

    def load(self, ctx: PavilionContext) -> None:
        self.seconds = 0.0
        self.speed = 45.0  # degrees per second
        self.beacon = None
        ctx.log.info("loaded for pavilion %s", ctx.pavilion.id)

    def enter(self, ctx: PavilionContext) -> None:
        # Plugin API {{api}} also shows legends, charts and gauges (ctx.panel) and draws
        # labels and lines (ctx.make_label, ctx.make_line): docs/plugins.md, "API 1.1".
        x, y = ctx.pavilion.entrance
        self.beacon = ctx.make_box((6.0, 6.0, 6.0), SECTOR_COLOR)
        self.beacon.set_pos(x, y, 12.0)
        self.seconds = 0.0
        ctx.camera.frame((x - 40.0, y - 40.0, x + 40.0, y + 40.0))  # the beacon, close up
        ctx.on_click(self.beacon, lambda event: self.faster())  # a tap speeds it up
        visits = ctx.storage.get("visits", 0) + 1  # kept between runs, per plugin
        ctx.storage.set("visits", visits)
        ctx.panel.set_line("hello", "안녕하세요! 데모에 오신 것을 환영합니다",
                           "Hello! Welcome to the demo")
        ctx.panel.set_line("visits", f"{visits}번째 방문", f"Visit number {visits}")
        ctx.panel.add_button("faster", "더 빠르게", "Faster", self.faster)

    def update(self, ctx: PavilionContext, dt: float) -> None:
        self.seconds += dt
        if self.beacon is not None:
            self.beacon.set_h(self.beacon.get_h() + self.speed * dt)
        ctx.panel.set_line("time", f"머문 시간 {self.seconds:.0f}초",
                           f"Time inside {self.seconds:.0f} s")

    def exit(self, ctx: PavilionContext) -> None:
        if self.beacon is not None:
            self.beacon.remove_node()
            self.beacon = None
        ctx.panel.clear()

    def faster(self) -> None:
        self.speed *= 2.0
'''

_ASSETS = '''Put the demo's models, textures and data here.
The demo finds this folder as ctx.assets.
'''

_TEST = '''"""Runs the whole lifecycle offscreen in the default scene, as Gwangju Twin would."""

from pathlib import Path

from gwangju_twin.plugins.testing import run_lifecycle

PLUGIN = Path(__file__).resolve().parents[1] / "src" / "{{package}}"


def test_lifecycle_runs_without_errors():
    result = run_lifecycle(PLUGIN, seconds=2.0)
    assert result.errors == [], result.errors
    assert result.state == "unloaded"


def test_panel_greets_the_visitor():
    result = run_lifecycle(PLUGIN, seconds=2.0)
    assert any("Welcome" in line for line in result.panel_en), result.panel_en
'''
