"""Write drop-in plugin folders for tests: a manifest and a module, as an exhibitor would."""

from __future__ import annotations

import textwrap
from pathlib import Path

HEALTHY = '''
from gwangju_twin.plugins import PavilionDemo


class Demo(PavilionDemo):
    def load(self, ctx):
        self.frames = 0
        self.ticks = 0
        ctx.timers.every(0.1, self.tick)

    def tick(self):
        self.ticks += 1

    def enter(self, ctx):
        x, y = ctx.pavilion.entrance
        self.box = ctx.make_box((4, 4, 4), (1.0, 0.2, 0.2))
        self.box.set_pos(x, y, 0)
        ctx.panel.set_line("hello", "안녕하세요", "Hello")
        ctx.panel.add_button("more", "더", "More", self.more)

    def more(self):
        self.frames += 1000

    def update(self, ctx, dt):
        self.frames += 1
        ctx.panel.set_line("frames", f"프레임 {self.frames}", f"frames {self.frames}")

    def exit(self, ctx):
        self.box.remove_node()
        ctx.panel.clear()
'''


#: An API version no host runs yet, for the tests of refusing one.
NEXT_API = "2.0"


def manifest_text(pid: str, sector: str, entry: str = "demo:Demo",
                  api_version: int | str = 1, extra: str = "") -> str:
    """A pavilion.toml for plugin ``pid``; written for API 1 (a plugin from before 1.1)
    unless ``api_version`` says otherwise (text such as "1.1" is written quoted)."""
    if isinstance(api_version, str):
        api_version = f'"{api_version}"'
    return textwrap.dedent(f'''\
        id = "{pid}"
        sector = "{sector}"
        version = "1.0.0"
        api_version = {api_version}
        entry = "{entry}"
        {extra}
        [title]
        ko = "시험 {pid}"
        en = "Test {pid}"
        ''')


def write_plugin(root: Path, pid: str, sector: str = "healthcare", code: str = HEALTHY,
                 folder: str | None = None, **manifest: object) -> Path:
    """A drop-in plugin folder ``root/<folder or pid>`` with pavilion.toml and demo.py."""
    path = root / (folder or pid.replace(".", "-"))
    path.mkdir(parents=True)
    (path / "pavilion.toml").write_text(manifest_text(pid, sector, **manifest),  # type: ignore[arg-type]
                                        encoding="utf-8")
    (path / "demo.py").write_text(textwrap.dedent(code), encoding="utf-8")
    return path


def _override(method: str, body: str) -> str:
    return f"\n\nclass Demo(Demo):\n    def {method}:\n        {body}\n"


def failing(hook: str) -> str:
    """Plugin code whose ``hook`` raises (timer/button/import/init: those paths fail)."""
    boom = f"raise RuntimeError('boom in {hook}')"
    if hook == "import":
        return "raise RuntimeError('boom at import')\n" + HEALTHY
    if hook == "init":
        return HEALTHY + _override("__init__(self)", boom)
    if hook == "timer":
        return HEALTHY.replace("        self.ticks += 1", "        " + boom)
    if hook == "button":
        return HEALTHY.replace("        self.frames += 1000", "        " + boom)
    if hook == "exit-system":
        return HEALTHY + _override("exit(self, ctx)", "raise SystemExit(3)")
    return HEALTHY + _override(f"{hook}(self, ctx, *args)",
                               f"super().{hook}(ctx, *args)\n        {boom}")
