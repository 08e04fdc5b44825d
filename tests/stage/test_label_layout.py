"""The start view's labels, rendered offscreen: no label card covers another, the minimap,
the toolbar or an open info panel, and the named landmarks have labels.

The rectangles are measured from the scene graph as drawn (each visible card's bounds in the
camera's space, projected through the real lens), not taken from the declutter's answer.
Each case renders in a subprocess (EGL, no display), as tests/system/test_render.py does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from render_helpers import REPO, read_png

pytestmark = pytest.mark.render

PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from panda3d.core import Point2, Point3
    from gwangju_twin.app.stage import Interface, Stage, StageOptions
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from gwangju_twin.settings import SettingsLoad

    w, h, language, enter, out = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                  sys.argv[4] or None, Path(sys.argv[5]))
    prepared = prepare(load_scene(default_scene_path()))
    stage = Stage(prepared, "offscreen", (w, h), StageOptions(
        enter=enter, interface=Interface.DESKTOP, settings=SettingsLoad.shared(language),
        persist=False))
    for _ in range(3):  # the interface lays itself out in its frame tasks, as `render --ui`
        stage.base.task_mgr.step()
    stage.screenshot(out)
    base = stage.base
    lens, aspect = base.camLens, base.camLens.get_aspect_ratio()

    def card_rect(label):
        lo, hi = label.node.find("card").get_tight_bounds(base.cam)
        xs, zs, depths = [], [], []
        for x in (lo.x, hi.x):
            for y in (lo.y, hi.y):
                for z in (lo.z, hi.z):
                    f = Point2()
                    lens.project(Point3(x, y, z), f)
                    xs.append(f.x * aspect)
                    zs.append(f.y)
        return [min(xs), min(zs), max(xs), max(zs)], hi.y - lo.y

    def overlay_rect(np_):
        lo, hi = np_.get_tight_bounds(base.aspect2d)
        return [lo.x, lo.z, hi.x, hi.z]

    def buttons_rect(buttons):
        # DirectButtons (PGItems) report no tight bounds: their frames, in aspect2d units.
        xs, zs = [], []
        for b in buttons:
            l, r, bottom, top = b.getBounds()
            for x, z in ((l, bottom), (r, top)):
                p = base.aspect2d.get_relative_point(b, Point3(x, 0, z))
                xs.append(p.x)
                zs.append(p.z)
        return [min(xs), min(zs), max(xs), max(zs)]

    labels = [(f"pavilion:{pid}", n.label) for pid, n in stage.expo.nodes.items()]
    labels += [(f"landmark:{row}", lb)
               for row, lb in getattr(stage.expo, "landmark_labels", {}).items()]
    shown = {}
    for key, label in labels:
        if not label.node.is_hidden():
            rect, thickness = card_rect(label)
            shown[key] = {"rect": rect, "thickness": thickness, "text": label.text(),
                          "lift": getattr(label, "lift", 0.0)}
    touring = stage.touring
    panel = stage.expo.panel_view
    info = {
        "shown": shown,
        "labels": [key for key, _ in labels],
        "minimap": overlay_rect(touring.minimap.node) if touring.minimap.visible else None,
        "toolbar": buttons_rect(touring.toolbar.buttons.values()),
        "panel": overlay_rect(panel.node) if panel is not None else None,
        "screen": [-aspect, -1.0, aspect, 1.0],
    }
    stage.close()
    print("JSON" + json.dumps(info))
    """
)


def _probe(tmp_path: Path, size: tuple[int, int], language: str = "ko",
           enter: str = "") -> dict[str, Any]:
    out = tmp_path / f"view-{size[0]}x{size[1]}-{language}-{enter or 'start'}.png"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(size[0]), str(size[1]), language, enter, str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("JSON"))
    info = json.loads(line[4:])
    info["png"] = out
    return info


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _assert_apart(info: dict[str, Any]) -> None:
    from gwangju_twin.render.pavilions import MIN_SHRUNK_HEIGHT

    shown = info["shown"]
    keys = sorted(shown)
    for i, a in enumerate(keys):
        _, z0, _, z1 = shown[a]["rect"]
        assert z1 - z0 >= MIN_SHRUNK_HEIGHT * 0.99, (a, shown[a])  # legible, not a speck
        # Cards are flat and parallel to the picture, so their rectangle is exact.
        assert shown[a]["thickness"] < 1e-3, a
        for b in keys[i + 1:]:
            assert not _overlap(shown[a]["rect"], shown[b]["rect"]), (a, b, shown[a], shown[b])
        for name in ("minimap", "toolbar", "panel"):
            if info[name] is not None:
                assert not _overlap(shown[a]["rect"], info[name]), (a, name, shown[a])


@pytest.mark.parametrize("size, language", [((1280, 720), "ko"), ((800, 600), "en")])
def test_start_view_labels_cover_nothing(tmp_path: Path, size: tuple[int, int],
                                         language: str) -> None:
    info = _probe(tmp_path, size, language)
    assert info["minimap"] is not None  # the case the issue names: the map is shown
    _assert_apart(info)
    # The start view frames the expo: all seven pavilions keep a label.
    pavilions = [k for k in info["shown"] if k.startswith("pavilion:")]
    assert len(pavilions) == 7, sorted(info["shown"])
    # Named landmarks are labelled, Korean name first, English under it.
    texts = [v["text"] for k, v in info["shown"].items() if k.startswith("landmark:")]
    assert ["김대중컨벤션센터", "Kim Dae-jung Convention Center"] in texts
    assert read_png(info["png"]).shape == (size[1], size[0], 3)


def test_labels_stay_out_of_an_open_info_panel(tmp_path: Path) -> None:
    info = _probe(tmp_path, (1280, 720), "ko", enter="mobility")
    assert info["panel"] is not None
    _assert_apart(info)


def test_landmarks_are_ranked_by_footprint_and_capped() -> None:
    """City Hall outranks the smaller council hall beside it; a file with many named
    landmarks labels only the largest."""
    from gwangju_twin.geo import load_geojson
    from gwangju_twin.render.pavilions import landmark_rows

    district, _ = load_geojson(REPO / "assets" / "sangmu.geojson")
    names = [district.name_en[i] for i in landmark_rows(district)]
    assert names[0] == "Kim Dae-jung Convention Center"
    assert names.index("Gwangju City Hall") < names.index("Gwangju Metropolitan Council")
    assert len(landmark_rows(district, limit=2)) == 2


def test_a_place_mapped_twice_is_labelled_once(tmp_path: Path) -> None:
    """OpenStreetMap often maps a castle as an outline and again as a point on it: one
    label, not two stacked copies; the same name far away is another place."""

    from gwangju_twin.geo import load_geojson
    from gwangju_twin.render.pavilions import landmark_rows

    def square(lon: float, lat: float) -> dict:
        d = 0.0004
        ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
        return {"type": "Polygon", "coordinates": [ring]}

    tags = {"historic": "castle", "name": "Schloss Gutenberg"}
    features = [
        {"type": "Feature", "properties": tags, "geometry": square(9.50, 47.06)},
        {"type": "Feature", "properties": tags,
         "geometry": {"type": "Point", "coordinates": [9.5002, 47.0602]}},
        {"type": "Feature", "properties": tags, "geometry": square(9.53, 47.06)},  # 2 km east
    ]
    path = tmp_path / "castles.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    district, _ = load_geojson(path)
    rows = landmark_rows(district)
    assert len(rows) == 2
    assert district.source_index[rows].tolist() == [0, 2]
