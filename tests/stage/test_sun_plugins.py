"""``ctx.sun`` (plugin API 1.2) in a real (headless) viewer: plugins hear the scene's clock
between frames, once a frame, and one whose sun callback raises is disabled alone."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from plugin_builders import write_plugin

from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene
from gwangju_twin.sun import SEOUL

pytestmark = pytest.mark.render

LISTENER = '''
from gwangju_twin.plugins import PavilionDemo


class Demo(PavilionDemo):
    def load(self, ctx):
        self.heard = []
        ctx.sun.subscribe(lambda sun: self.heard.append((sun.when, sun.position)))
'''

RAISING = '''
from gwangju_twin.plugins import PavilionDemo


class Demo(PavilionDemo):
    def load(self, ctx):
        ctx.sun.subscribe(self.boom)

    def boom(self, sun):
        raise RuntimeError("boom from the sun")
'''


@pytest.fixture(scope="module")
def base_prepared() -> Prepared:
    scene = dataclasses.replace(load_scene(default_scene_path()), plugin_folders=())
    return prepare(scene)


def test_sun_callbacks_run_between_frames_and_faults_stay_contained(
        base_prepared: Prepared, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from test_plugin_host import stage_with

    write_plugin(tmp_path, "sun.listener", "culture", LISTENER, api_version="1.2")
    write_plugin(tmp_path, "sun.raiser", "healthcare", RAISING, api_version="1.2")
    stage = stage_with(base_prepared, tmp_path,
                       {"culture": "sun.listener", "healthcare": "sun.raiser"})
    try:
        host = stage.expo.host
        listener, raiser = host.slot("culture"), host.slot("healthcare")
        assert listener.state == "loaded" and raiser.state == "loaded"
        clock = stage.expo.clock
        nine = datetime(2026, 12, 22, 9, 0, tzinfo=SEOUL)
        clock.set(datetime(2026, 12, 22, 8, 0, tzinfo=SEOUL))
        clock.set(nine)
        assert listener.instance.heard == []  # not from inside the setter
        stage.step(0.1)
        # Two moves before the frame: one call, with the latest moment.
        assert [when for when, _ in listener.instance.heard] == [nine]
        assert listener.instance.heard[0][1] == clock.position
        stage.step(0.1)
        assert len(listener.instance.heard) == 1  # nothing moved since
        assert raiser.state == "disabled" and raiser.hook == "callback"
        assert "boom from the sun" in raiser.reason
        assert listener.state == "loaded"
        with pytest.raises(AttributeError):
            listener.context.sun.when = nine
    finally:
        stage.close()
