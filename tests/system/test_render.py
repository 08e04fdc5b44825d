"""The Panda3D adapter: scene graph under window-type none, and real offscreen renders."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from render_helpers import REPO, read_png, run_cli
from scene_builders import default_scene_text

pytestmark = pytest.mark.render

SCENE_GRAPH_CHECK = textwrap.dedent(
    """
    import json, sys
    from gwangju_twin.app.stage import Stage
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from panda3d.core import GeomEnums

    prepared = prepare(load_scene(default_scene_path()))
    stage = Stage(prepared, "none", (320, 240))
    assert stage.base.win is None
    district = stage.base.render.find("**/district")
    nodes = district.find_all_matches("**/+GeomNode")
    tris = 0
    index_types = set()
    for np_ in nodes:
        for geom in np_.node().get_geoms():
            for prim in geom.get_primitives():
                index_types.add(int(prim.get_index_type()))
                if prim.get_num_vertices_per_primitive() == 3:
                    tris += prim.get_num_primitives()
    x0, y0, x1, y1 = prepared.mesh.bounds
    solid_share = []
    for np_ in nodes:
        if np_.get_name().startswith("solid"):
            lo, hi = np_.get_tight_bounds()
            solid_share.append((hi.x - lo.x) * (hi.y - lo.y) / ((x1 - x0) * (y1 - y0)))
    print(json.dumps({
        "solid_share": solid_share,
        "geom_nodes": nodes.get_num_paths(),
        "draw_calls": len(prepared.mesh.shown(prepared.scene.layers)),
        "triangles": tris,
        "mesh_triangles": sum(b.primitive_count for b in prepared.mesh.shown(
            prepared.scene.layers) if b.primitive == "triangles"),
        "uint32_only": index_types == {int(GeomEnums.NT_uint32)},
        "names": sorted({n.get_name().rsplit("-", 2)[0] for n in nodes}),
        "buildings": int((prepared.district.layer == "buildings").sum()),
        "has_lights": stage.base.render.find("**/sun").is_empty() is False,
    }))
    stage.close()
    """
)


def test_scene_graph_under_window_type_none() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCENE_GRAPH_CHECK], capture_output=True, text=True, cwd=REPO,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["buildings"] >= 2000
    # One GeomNode per batch: a few dozen draw calls for thousands of buildings.
    assert info["geom_nodes"] == info["draw_calls"]
    assert info["draw_calls"] <= 64
    assert info["triangles"] == info["mesh_triangles"]
    assert info["uint32_only"]
    assert {"solid", "roads", "green", "water"} <= set(info["names"])
    assert info["has_lights"]
    # Building tiles are compact pieces of the district, so the renderer can cull the ones
    # outside the view: each covers well under half of the district's footprint.
    assert len(info["solid_share"]) >= 4
    assert max(info["solid_share"]) < 0.4


def _render(tmp_path: Path, name: str, *args: str) -> np.ndarray:
    out = tmp_path / f"{name}.png"
    result = run_cli("render", *args, "--out", str(out), "--size", "480x270")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert out.is_file()
    return read_png(out)


def test_offscreen_render_shows_a_city(tmp_path: Path) -> None:
    city = _render(tmp_path, "city")
    assert city.shape == (270, 480, 3)
    # The same view with buildings and landmarks switched off in a copy of the scene.
    scene = default_scene_text()
    scene = scene.replace("buildings = true", "buildings = false")
    scene = scene.replace("landmarks = true", "landmarks = false")
    bare_scene = tmp_path / "bare.toml"
    bare_scene.write_text(scene, encoding="utf-8")
    bare = _render(tmp_path, "bare", str(bare_scene))
    changed = np.any(np.abs(city.astype(int) - bare.astype(int)) > 12, axis=2)
    # Buildings cover a good share of the picture, not a few stray pixels.
    assert changed.mean() > 0.15
    # And the picture is varied (lit walls, roofs, roads), not one flat colour.
    colours = np.unique(city.reshape(-1, 3) // 8, axis=0)
    assert len(colours) > 200


def test_render_of_a_bare_geojson(tmp_path: Path) -> None:
    import json

    feats = []
    for i in range(40):
        x = 126.85 + (i % 8) * 4e-4
        y = 35.15 + (i // 8) * 4e-4
        ring = [[x, y], [x + 2e-4, y], [x + 2e-4, y + 2e-4], [x, y + 2e-4], [x, y]]
        feats.append({"type": "Feature", "properties": {"building": "yes", "height": 20 + i},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    src = tmp_path / "blocks.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    image = _render(tmp_path, "blocks", str(src))
    # Something other than ground and sky is in the middle of the picture.
    centre = image[90:180, 160:320].reshape(-1, 3).astype(int)
    spread = centre.max(axis=0) - centre.min(axis=0)
    assert spread.max() > 40


def test_view_without_display_writes_snapshot(tmp_path: Path) -> None:
    result = run_cli("--size", "320x180", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no display" in lines[0]
    # ...and nothing else: no renderer chatter about displays it could not open.
    assert result.stderr.strip() == ""
    snapshot = tmp_path / "gwangju-twin-snapshot.png"
    assert snapshot.is_file()
    assert read_png(snapshot).shape == (180, 320, 3)


def test_render_of_a_country_sized_file(tmp_path: Path) -> None:
    """A start view hundreds of kilometres out still sees the data (clip range and haze
    scale with the scene)."""
    import json

    feats = []
    for i in range(6):
        for j in range(6):
            x, y = 125.0 + i * 0.7, 34.0 + j * 0.7
            ring = [[x, y], [x + 0.6, y], [x + 0.6, y + 0.6], [x, y + 0.6], [x, y]]
            feats.append({"type": "Feature", "properties": {"name": f"region {i}-{j}"},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})
    src = tmp_path / "regions.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    image = _render(tmp_path, "regions", str(src)).astype(int)
    # Boundary lines are drawn in a saturated purple; count pixels where blue stands out.
    purple = (image[:, :, 2] - image[:, :, 1]) > 25
    assert purple.mean() > 0.01


def test_render_with_the_interface_draws_toolbar_and_minimap(tmp_path: Path) -> None:
    """``render --ui`` shows what a visitor sees: the toolbar's dark buttons along the top
    left and the minimap's light map at the bottom left, over the same city."""
    plain, ui = tmp_path / "plain.png", tmp_path / "ui.png"
    for out, extra in ((plain, ()), (ui, ("--ui", "--language", "en"))):
        result = run_cli("render", "--out", str(out), "--size", "640x360", *extra)
        assert result.returncode == 0, result.stderr[-1500:]
    a, b = read_png(plain).astype(int), read_png(ui).astype(int)
    toolbar = (slice(8, 24), slice(10, 300))
    minimap = (slice(250, 350), slice(15, 110))
    assert b[toolbar].mean() < a[toolbar].mean() - 40  # dark buttons appeared
    assert np.abs(b[minimap] - a[minimap]).mean() > 20  # the map covers the city there
    elsewhere = (slice(120, 240), slice(200, 440))
    assert np.abs(b[elsewhere] - a[elsewhere]).mean() < 3  # the city itself is unchanged
