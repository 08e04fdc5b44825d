"""The command line with a plugin whose model would abort Panda3D's loader: ``plugins
check`` names the model in a FAIL line, and the viewer renders on with the demo disabled."""

from __future__ import annotations

from model_builders import EMPTY_SCENE, write_gltf
from plugin_builders import HEALTHY, write_plugin
from render_helpers import REPO, run_cli

LOADS_EMPTY = HEALTHY + '''

class Demo(Demo):
    def load(self, ctx):
        super().load(ctx)
        ctx.load_model("empty.gltf")
'''


def _plugin(root):
    folder = write_plugin(root, "bad.model", "healthcare", LOADS_EMPTY)
    (folder / "assets").mkdir()
    write_gltf(folder / "assets" / "empty.gltf", EMPTY_SCENE)
    return folder


def test_check_fails_the_model_by_name_without_crashing(tmp_path):
    out = run_cli("plugins", "check", str(_plugin(tmp_path)))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "FAIL models in" in out.stdout and "1 of 1 would not load" in out.stdout
    assert "empty.gltf: its scene shows no mesh" in out.stdout
    assert "crashed the process" not in out.stdout


def test_the_viewer_renders_on_with_the_demo_disabled(tmp_path):
    _plugin(tmp_path / "plugins")
    scene = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    scene = scene.replace('"../assets/', f'"{(REPO / "assets").as_posix()}/')
    scene = scene.replace('"../plugins"', '"plugins"')
    (tmp_path / "s.toml").write_text(scene, encoding="utf-8")
    png = tmp_path / "out.png"
    out = run_cli("render", str(tmp_path / "s.toml"), "--enter", "healthcare", "--plugin",
                  "bad.model", "--out", str(png), "--size", "320x180", "--seconds", "0.5")
    assert out.returncode == 0, out.stderr
    assert png.stat().st_size > 0
    assert "bad.model" in out.stderr and "empty.gltf: its scene shows no mesh" in out.stderr
