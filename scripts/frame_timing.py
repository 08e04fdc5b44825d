"""Frame time of a scene against one pre-merged mesh of the same triangles (the benchmark's
frames worker), and the counts of Geoms and triangles under a node.

``worker_frames`` configures Panda3D itself (the viewer's PRC) before ShowBase is imported,
so everything Panda3D is imported inside the functions, not here.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

WIN_SIZE = (1280, 720)


def count_geoms(root: Any) -> int:
    """Geoms under ``root``: with one Geom per GeomNode and no culling, the draw calls."""
    return sum(p.node().get_num_geoms() for p in root.find_all_matches("**/+GeomNode"))


def geom_triangles(np_: Any) -> int:
    """Triangles in the Geoms of one GeomNode (line primitives are not counted)."""
    from panda3d.core import GeomTriangles

    node = np_.node()
    return sum(
        prim.get_num_primitives()
        for geom in node.get_geoms()
        for prim in geom.get_primitives()
        if isinstance(prim, GeomTriangles)
    )


def _merged_scene(world: Any) -> Any:
    """ONE GeomNode with every triangle ``world`` draws, lit by the same lights.

    The fairest lower bound for the frame: the vertex and index buffers of every Geom in the
    world (solid tiles, flat ground layers and the ground plane alike) are read back and
    concatenated byte for byte, so the vertex format and the triangles are exactly the
    world's, whatever build_world puts there. The one Geom is drawn with the world's root
    state and default per-node state (depth test and write on, no bins) in one call. Line
    primitives (outlines of administrative areas) are left out; the synthetic district has
    none.
    """
    from panda3d.core import (
        Geom,
        GeomEnums,
        GeomNode,
        GeomTriangles,
        GeomVertexData,
        NodePath,
    )

    flat = world.copy_to(NodePath("copy"))
    flat.flatten_light()  # bake node transforms into the vertices; merges nothing
    fmt, vbytes, ibytes, base = None, [], [], 0
    for np_ in flat.find_all_matches("**/+GeomNode"):
        for geom in np_.node().get_geoms():
            vdata = geom.get_vertex_data()
            if fmt is None:
                fmt = vdata.get_format()
            if vdata.get_format() != fmt or vdata.get_num_arrays() != 1:
                raise RuntimeError("build_world's Geoms no longer share one interleaved vertex "
                                   "format; update _merged_scene")
            for prim in geom.get_primitives():
                if not isinstance(prim, GeomTriangles):
                    continue
                if prim.is_indexed():
                    kind = np.uint16 if prim.get_index_type() == GeomEnums.NT_uint16 else np.uint32
                    idx = np.frombuffer(memoryview(prim.get_vertices()), kind).astype(np.uint32)
                else:
                    first = prim.get_first_vertex()
                    idx = np.arange(first, first + prim.get_num_vertices(), dtype=np.uint32)
                ibytes.append((idx + np.uint32(base)).tobytes())
            vbytes.append(bytes(memoryview(vdata.get_array(0))))
            base += vdata.get_num_rows()
    flat.remove_node()
    if fmt is None:
        raise RuntimeError("the world has no Geoms to merge")
    vdata = GeomVertexData("merged", fmt, Geom.UH_static)
    vdata.unclean_set_num_rows(base)
    memoryview(vdata.modify_array(0)).cast("B")[:] = b"".join(vbytes)
    prim = GeomTriangles(Geom.UH_static)
    prim.set_index_type(GeomEnums.NT_uint32)
    indices = b"".join(ibytes)
    handle = prim.modify_vertices()
    handle.unclean_set_num_rows(len(indices) // 4)
    memoryview(handle).cast("B")[:] = indices
    geom = Geom(vdata)
    geom.add_primitive(prim)
    node = GeomNode("merged")
    node.add_geom(geom)

    root = NodePath("merged-root")
    root.set_state(world.get_state())  # whatever build_world set on its root, minus lights
    root.clear_light()
    root.attach_new_node(node)
    lights = world.find("lights")
    if lights.is_empty():
        raise RuntimeError("build_world has no 'lights' child any more; update _merged_scene")
    for light in lights.copy_to(root).get_children():
        root.set_light(light)
    return root


def _throughput_ms(base: Any, frames: int) -> float:
    """Mean wall time per frame over ``frames`` back-to-back frames, in ms.

    ``render_frame()`` only queues GL commands for the offscreen buffer: llvmpipe rasterises
    asynchronously (measured: a bare loop of 30 frames can leave 200-500 ms of drawing
    queued). Reading the buffer back once at the end (``get_screenshot``) waits for every
    queued frame, so the total over all frames is the true time; that one 1280x720 readback
    costs about 8 ms, i.e. about 0.1 ms per frame, paid equally by both scenes. This is the
    frame rate a viewer without vsync gets, CPU work of one frame overlapping the
    rasterisation of the previous one.
    """
    from panda3d.core import PNMImage

    engine = base.graphicsEngine
    image = PNMImage()
    t0 = time.perf_counter()
    for _ in range(frames):
        engine.render_frame()
    base.win.get_screenshot(image)
    return (time.perf_counter() - t0) / frames * 1000.0


def _serial_ms(base: Any, frames: int) -> float:
    """Median time of one frame with ``gl-finish`` on (glFinish after every frame), in ms.

    Serialised, each frame's CPU work (cull, state changes, draw calls) adds to its
    rasterisation instead of hiding behind it, so draw-call overhead shows fully here; and a
    median of single frames shrugs off the spikes other processes cause on a shared machine.
    """
    from panda3d.core import ConfigVariableBool

    finish = ConfigVariableBool("gl-finish")
    finish.set_value(True)  # the GL back end reads it every frame, so it can be toggled
    try:
        engine = base.graphicsEngine
        engine.render_frame()  # drains what is queued from earlier frames
        times = []
        for _ in range(frames):
            t0 = time.perf_counter()
            engine.render_frame()
            times.append(time.perf_counter() - t0)
    finally:
        finish.set_value(False)
    return float(np.median(times)) * 1000.0


def worker_frames(
    path: Path, frames: int, warmup: int, rounds: int, screenshot: str | None
) -> dict[str, Any]:
    """Frame time of the pipeline's scene and of the pre-merged mesh, in one process.

    Both scenes stay in memory and are swapped by stashing, in alternating rounds, so drift
    from other work on the machine hits both about equally. The scene is build_world's
    world only (no sky dome or fog, which would cost both scenes the same).
    """
    from gwangju_twin.render.config import configure

    configure("offscreen", WIN_SIZE)  # the viewer's own PRC, including its 4x MSAA request
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.app.stage import clip_range
    from gwangju_twin.geo import load_geojson
    from gwangju_twin.mesh import build_district_mesh
    from gwangju_twin.render.world import build_world
    from gwangju_twin.scene.framing import fit_box, lens_fov

    base = ShowBase(windowType="offscreen")
    base.disable_mouse()
    district, _ = load_geojson(path)
    mesh = build_district_mesh(district)
    world = build_world(mesh)
    world.reparent_to(base.render)
    merged = _merged_scene(world)
    merged.reparent_to(base.render)
    # The viewer's lens: its field of view for this picture's shape, and the clip range it
    # gives this district seen from this pose.
    aspect = WIN_SIZE[0] / WIN_SIZE[1]
    x0, y0, x1, y1 = mesh.bounds
    pose = fit_box((x0, y0, 0.0, x1, y1, mesh.max_height), 20.0, 38.0, aspect)
    lens = base.camLens
    lens.set_fov(*lens_fov(aspect))
    lens.set_near_far(*clip_range(mesh, pose))
    base.camera.set_pos(*pose.position)
    base.camera.set_hpr(*pose.panda_hpr)

    scenes = {"pipeline": world, "merged": merged}
    times: dict[str, list[float]] = {name: [] for name in scenes}
    serial: dict[str, list[float]] = {name: [] for name in scenes}
    for rnd in range(rounds):
        order = list(scenes) if rnd % 2 == 0 else list(scenes)[::-1]
        for name in order:
            for other, node in scenes.items():
                (node.unstash if other == name else node.stash)()
            _throughput_ms(base, warmup)  # the first frames upload the geometry; not kept
            times[name].append(_throughput_ms(base, frames))
            serial[name].append(_serial_ms(base, frames))
            if screenshot and rnd == 0:
                from panda3d.core import Filename

                base.win.save_screenshot(Filename.from_os_specific(f"{screenshot}-{name}.png"))
    gsg = base.win.get_gsg()
    result = {
        "ms": times,
        "serial_ms": serial,
        "draws": {"pipeline": count_geoms(world), "merged": count_geoms(merged)},
        "triangles": {name: sum(geom_triangles(p) for p in
                                node.find_all_matches("**/+GeomNode"))
                      for name, node in scenes.items()},
        "renderer": f"{gsg.get_driver_renderer()} (GL {gsg.get_driver_version()})",
        "multisamples": base.win.get_fb_properties().get_multisamples(),
    }
    base.destroy()
    return result
