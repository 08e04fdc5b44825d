"""The panel's items from a plugin's point of view, in a real (headless) viewer: a plugin's
legend, chart, gauge and asset image reach the panel on screen in both languages, and a bad
call disables only that plugin, with the ValueError's sentence as the reason."""

from __future__ import annotations

import dataclasses

import pytest
from plugin_builders import HEALTHY, write_plugin

from gwangju_twin.app.stage import Stage
from gwangju_twin.expo.pavilions import build_pavilions
from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.plugins.discovery import discover
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene

pytestmark = pytest.mark.render

ITEMS = '''
from gwangju_twin.plugins import PavilionDemo


class Demo(PavilionDemo):
    def enter(self, ctx):
        ctx.panel.set_line("about", "공정 현황", "Line status")
        ctx.panel.set_legend("state", [((0.2, 0.8, 0.3), "가동", "running"),
                                       ((0.9, 0.2, 0.2), "고장", "broken down")])
        ctx.panel.set_chart("cycle", [138, 131, 152], ["차체", "도장", "의장"],
                            ["Body", "Paint", "Assembly"], unit="s")
        ctx.panel.set_gauge("oee", 72.4, 0, 100, "설비종합효율", "OEE", mark=85, unit="%")
        ctx.panel.set_image("logo", "logo.png")
        ctx.panel.add_button("bad", "잘못된 차트", "Bad chart", self.bad)
        self.ctx = ctx

    def bad(self):
        self.ctx.panel.set_chart("cycle", [1, 2, 3], ["하나", "둘"])
'''


@pytest.fixture(scope="module")
def base_prepared() -> Prepared:
    scene = dataclasses.replace(load_scene(default_scene_path()), plugin_folders=())
    return prepare(scene)


def test_a_plugins_items_reach_the_panel_and_a_bad_call_disables_only_it(base_prepared,
                                                                        tmp_path):
    from panda3d.core import Filename, PNMImage

    folder = write_plugin(tmp_path, "items.demo", "manufacturing", ITEMS)
    (folder / "assets").mkdir()
    logo = PNMImage(8, 4)
    logo.fill(0.2, 0.4, 0.9)
    assert logo.write(Filename.from_os_specific(str(folder / "assets" / "logo.png")))
    write_plugin(tmp_path, "healthy.demo", "culture", HEALTHY)
    sites = [dataclasses.replace(s.site, spec=dataclasses.replace(s.site.spec, plugin=None))
             for s in base_prepared.pavilions]
    variant = dataclasses.replace(
        base_prepared, found=tuple(discover([tmp_path], entry_points=[])),
        pavilions=build_pavilions(sites, {"manufacturing": "items.demo",
                                          "culture": "healthy.demo"}))
    stage = Stage(variant, "none", (640, 360))
    try:
        stage.expo.enter("manufacturing")
        stage.step(0.2)
        view = stage.expo.panel_view
        assert view.text()[1:6] == ["공정 현황", "가동, 고장", "차체 138 s, 도장 131 s, 의장 152 s",
                                    "설비종합효율: 72.4 % (0–100 %, 기준 85)", "[이미지 logo.png]"]
        for key in ("state", "cycle", "oee", "logo"):
            assert not view.node.find(f"**/item-{key}").is_empty(), key
        assert not view.node.find("**/item-logo/image").is_empty()
        stage.expo.set_language("en")
        assert stage.expo.panel_view.text()[2] == "running, broken down"

        stage.expo.panel_view.buttons[0]["command"]()  # the bad chart
        stage.step(0.2)
        slot = stage.expo.host.slot("manufacturing")
        assert slot.state == "disabled"
        assert "one label per value: 3 values but 2 labels_ko" in slot.reason
        stage.expo.exit()
        stage.expo.enter("culture")
        stage.step(0.5)
        assert stage.expo.host.slot("culture").state != "disabled"
    finally:
        stage.close()
