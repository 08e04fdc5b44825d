"""-v/--verbose: a plugin's ctx.log.info reaches stderr with it, and without it never."""

from __future__ import annotations

import pytest
from plugin_builders import HEALTHY, write_plugin
from render_helpers import REPO, run_cli

SAYS_HELLO = HEALTHY + '''

class Demo(Demo):
    def load(self, ctx):
        super().load(ctx)
        ctx.log.info("hello from load")
'''
LINE = "gwangju_twin.plugin.chatty.demo: hello from load"


@pytest.fixture
def scene(tmp_path):
    write_plugin(tmp_path / "plugins", "chatty.demo", "healthcare", SAYS_HELLO)
    text = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    text = text.replace('"../assets/', f'"{(REPO / "assets").as_posix()}/')
    text = text.replace('"../plugins"', '"plugins"')
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    return tmp_path / "s.toml"


@pytest.mark.parametrize("flag", ["-v", "--verbose", None])
def test_render_shows_plugin_info_logs_only_when_verbose(scene, tmp_path, flag):
    out = run_cli("render", str(scene), "--enter", "healthcare", "--plugin", "chatty.demo",
                  "--out", str(tmp_path / "x.png"), "--size", "160x90", "--seconds", "0.2",
                  *([flag] if flag else []))
    assert out.returncode == 0, out.stderr
    assert (LINE in out.stderr) == (flag is not None), out.stderr


@pytest.mark.parametrize("verbose", [True, False])
def test_plugins_check_passes_verbose_to_its_child(scene, verbose):
    folder = scene.parent / "plugins" / "chatty-demo"
    out = run_cli("plugins", "check", str(folder), "--seconds", "0.2",
                  *(["-v"] if verbose else []))
    assert out.returncode == 0, out.stdout + out.stderr
    assert (LINE in out.stderr) == verbose, out.stderr


def test_view_takes_the_flag_too():
    out = run_cli("view", "--help")
    assert "-v, --verbose" in out.stdout
