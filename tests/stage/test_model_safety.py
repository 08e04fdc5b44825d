"""A model that aborts Panda3D's native loader: it really does (in a child process), and a
plugin that loads it through ``ctx.load_model`` is disabled while the viewer keeps running."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest
from model_builders import EMPTY_SCENE, box_gltf, write_gltf
from plugin_builders import HEALTHY, write_plugin

from gwangju_twin.app.stage import Stage
from gwangju_twin.expo.pavilions import build_pavilions
from gwangju_twin.expo.prepared import prepare
from gwangju_twin.plugins.discovery import discover
from gwangju_twin.plugins.host import UNAVAILABLE_EN, UNAVAILABLE_KO
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

pytestmark = pytest.mark.render

LOADS_MODEL = HEALTHY + '''

class Demo(Demo):
    def load(self, ctx):
        super().load(ctx)
        self.model = ctx.load_model("{model}")
'''


@pytest.mark.parametrize(("name", "doc", "chunk"), [
    ("empty.gltf", EMPTY_SCENE, True),
    ("uri.glb", box_gltf(), False),  # a .glb whose first buffer is not its binary chunk
])
def test_the_refused_models_abort_panda3d_s_loader_when_unchecked(tmp_path, name, doc, chunk):
    path = write_gltf(tmp_path / name, doc, chunk=chunk)
    code = textwrap.dedent(f"""
        from panda3d.core import Filename, Loader, LoaderOptions, load_prc_file_data
        load_prc_file_data("", "window-type none\\naudio-library-name null")
        Loader.get_global_ptr().load_sync(Filename.from_os_specific({str(path)!r}),
                                          LoaderOptions(LoaderOptions.LF_no_cache))
        print("survived")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    # If a Panda3D release stops aborting here, the check is still right but this proof of
    # need is stale: look for another file that aborts it.
    assert out.returncode != 0 and "survived" not in out.stdout, out.stdout + out.stderr
    assert "Assertion" in out.stderr


def _stage(tmp_path, model: str):
    code = LOADS_MODEL.replace("{model}", model)
    folder = write_plugin(tmp_path, "model.demo", "healthcare", code)
    (folder / "assets").mkdir()
    write_gltf(folder / "assets" / "empty.gltf", EMPTY_SCENE)
    write_gltf(folder / "assets" / "box.glb", box_gltf())
    scene = dataclasses.replace(load_scene(default_scene_path()), plugin_folders=())
    prepared = prepare(scene)
    sites = [dataclasses.replace(p.site, spec=dataclasses.replace(p.site.spec, plugin=None))
             for p in prepared.pavilions]
    found = tuple(discover([tmp_path], entry_points=[]))
    variant = dataclasses.replace(prepared, found=found,
                                  pavilions=build_pavilions(sites, {"healthcare": "model.demo"}))
    return Stage(variant, "none", (320, 180))


def test_a_plugin_loading_the_aborting_model_is_disabled_and_the_viewer_runs_on(tmp_path):
    stage = _stage(tmp_path, "empty.gltf")
    try:
        slot = stage.expo.host.slot("healthcare")
        assert slot.state == "disabled"
        assert "empty.gltf: its scene shows no mesh" in slot.reason
        assert stage.expo.nodes["healthcare"].label.notice == (UNAVAILABLE_KO, UNAVAILABLE_EN)
        stage.expo.enter("healthcare")
        stage.step(0.5)
        assert stage.expo.panel("healthcare").notice.en == UNAVAILABLE_EN
        assert stage.expo.nodes["healthcare"].demo.get_num_children() == 0
    finally:
        stage.close()


def test_a_good_glb_still_loads_through_the_checks(tmp_path):
    stage = _stage(tmp_path, "box.glb")
    try:
        slot = stage.expo.host.slot("healthcare")
        assert slot.state == "loaded", slot.reason
        model = slot.instance.model
        assert model.get_parent() == stage.expo.nodes["healthcare"].demo
        assert model.find_all_matches("**/+GeomNode").get_num_paths() >= 1
    finally:
        stage.close()
