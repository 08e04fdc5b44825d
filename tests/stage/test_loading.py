"""The loading screen: the window shows the product's name and the step being loaded, with
a bar, from its first frame, before the city is ready (real offscreen frames)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from render_helpers import REPO, read_png

from gwangju_twin.ui.loading import BACKGROUND, BAR, CITY_SHOWN, STEPS

pytestmark = pytest.mark.render

# Load the default scene as the viewer does (app.load_stage), saving each loading frame
# the moment it has been drawn, then the first frame of the ready city.
CAPTURE = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    os.environ.pop("DISPLAY", None)
    from gwangju_twin.app.stage import Interface, StageOptions, load_stage
    from gwangju_twin.expo.prepared import Loading
    from gwangju_twin.render.snapshot import write_png
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    out = Path(sys.argv[1])
    frames = []

    def on_frame(base, step):
        # The city is not built yet: the stage does not exist until load_stage returns.
        path = out / f"{len(frames)}-{step}.png"
        write_png(base.win, path)
        city = base.render.find_all_matches("**/district").get_num_paths()
        frames.append({"step": step, "png": str(path), "district_nodes": city,
                       "clear": list(base.get_background_color())})

    stage = load_stage(Loading(load_scene(default_scene_path())), "offscreen", (800, 450),
                       StageOptions(interface=Interface.DESKTOP), on_frame=on_frame)
    stage.screenshot(out / "ready.png")
    frames.append({"step": "ready", "clear": list(stage.base.get_background_color())})
    stage.close()
    print(json.dumps(frames))
    """
)


def _bar_end(image: np.ndarray) -> int:
    """The rightmost column holding the bar's colour."""
    target = np.array(BAR[:3]) * 255
    columns = np.nonzero(np.all(np.abs(image - target) <= 16, axis=2).any(axis=0))[0]
    return int(columns.max()) if len(columns) else -1


def _colour_share(image: np.ndarray, rgba: tuple[float, ...], tol: int = 10) -> float:
    target = np.array(rgba[:3]) * 255
    return float(np.all(np.abs(image - target) <= tol, axis=2).mean())


def test_the_window_shows_the_loading_screen_before_the_city(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", CAPTURE, str(tmp_path)], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    frames = json.loads(result.stdout.strip().splitlines()[-1])
    ready_clear = frames.pop()["clear"]
    # Every step was shown, in order; the default district is too small to be baked into
    # tiles, so no "baking". The city is in the scene graph from CITY_SHOWN on, not before.
    steps = [f["step"] for f in frames]
    assert steps == [s for s in STEPS if s != "baking"]
    shown = steps.index(CITY_SHOWN)
    assert all(f["district_nodes"] == 0 for f in frames[:shown])
    assert all(f["district_nodes"] > 0 for f in frames[shown:])
    images = [read_png(Path(f["png"])).astype(int) for f in frames]
    first = images[0]
    # The very first frame is the loading screen: not black, mostly its deep blue...
    assert first.mean() > 30
    assert _colour_share(first, BACKGROUND) > 0.8
    # ...with the title in white across the middle, and the step in both languages below.
    h, w = first.shape[:2]
    title_band = first[int(h * 0.38):int(h * 0.47), int(w * 0.25):int(w * 0.75)]
    assert (title_band.min(axis=2) > 200).mean() > 0.03
    step_band = first[int(h * 0.48):int(h * 0.57), int(w * 0.3):int(w * 0.7)]
    assert (step_band.min(axis=2) > 150).mean() > 0.01
    # The bar fills step by step: its right end moves right (it thins in the strip).
    ends = [_bar_end(im) for im in images]
    assert ends == sorted(ends) and len(set(ends)) == len(ends), ends
    # From CITY_SHOWN on the screen is a strip along the bottom: the city shows above it
    # (hardly any of the screen's blue left), the step's text is in the strip.
    for im in images[shown:]:
        above, strip = im[: int(h * 0.88)], im[int(h * 0.93):]
        assert _colour_share(above, BACKGROUND) < 0.05
        assert (strip.min(axis=2) > 150).mean() > 0.003
    # Once the city is ready the loading screen is gone.
    ready = read_png(tmp_path / "ready.png").astype(int)
    assert _colour_share(ready, BACKGROUND) < 0.05
    # The window itself clears to the screen's blue while the screen covers it (a frame
    # that reaches the screen without the card still looks like the loading screen), and
    # to the sky's colour again from the moment the city shows.
    def blue(rgba: list[float]) -> bool:
        return bool(np.allclose(rgba, BACKGROUND, atol=1e-4))

    assert all(blue(f["clear"]) for f in frames[:shown])
    assert not any(blue(f["clear"]) for f in frames[shown:]) and not blue(ready_clear)
