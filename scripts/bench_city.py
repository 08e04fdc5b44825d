#!/usr/bin/env python
"""Benchmark: a whole city from its tile cache (levels of detail, streaming) against today's
path (everything meshed and merged at start-up, drawn at full detail), in the same run.

For synthetic register cities (scripts/register_city.py: AL_D010 columns, EPSG:5186, CP949)
of 10,000 and 185,000 buildings it prints:

- the cold bake: serial, and on a local Dask cluster of 1 and 2 workers (and whether the
  three caches are byte-identical);
- the warm start: seconds from process start to the first frame of the city in a 1280x720
  window (and to the loading screen's first frame, and to the desktop interface being ready:
  the city shows while the demos and the interface load);
- for an overview of the whole city, a district view and a street view (a walker's eye,
  1.7 m, on open ground near the centre, looking down the longest free sight line:
  ``street_pose``): frame time, frame rate and triangles in view (the street view also
  without occlusion culling, in the same process, and the culling test's own time per
  camera move);
- the viewer's resident memory (peak, with Mesa's rasteriser threads off, LP_NUM_THREADS=0,
  so Mesa's own per-thread memory is left out as the soak does);

and the same figures for today's path (``--tiles off``). Then it evaluates the issue's
targets. Every measurement runs in a fresh subprocess (this script with ``--worker``), so
start times and memory are each process's own.

    python scripts/bench_city.py                       # 10k and 185k
    python scripts/bench_city.py --sizes 10000         # 10k only
    python scripts/bench_city.py --keep /tmp/cities    # keep (and reuse) cities and caches
    python scripts/bench_city.py --only bake --repeats 3   # the cold bakes alone, 3 of each

A report, not a test: timings on a shared 2-core machine are noisy; it exits 0 unless
``--check`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_pipeline import data_dir  # beside this script: a kept or temporary folder

HERE = Path(__file__).resolve().parent
WIN = (1280, 720)
RESULT = "@@bench-result "
VIEWS = ("overview", "district", "street")

# -- the targets ---------------------------------------------------------------------
WARM_START_S = 1.5
OVERVIEW_RATIO = 4.0
OVERVIEW_FPS = 15.0
STREET_FPS = 30.0
MEMORY_MB = 1536.0
BAKE_SPEEDUP = 1.6
#: The cold bakes measured, and the ``gwangju-twin bake`` options of each.
BAKES = {"serial": ["--serial"], "dask1": ["--workers", "1"], "dask2": ["--workers", "2"]}


# -- workers (each in its own process) ---------------------------------------------------------

def _rss_mb() -> tuple[float, float]:
    """Resident memory now and at its peak (MB), from /proc."""
    now = peak = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return now, peak


#: The lighting preset both paths are drawn with (``--quality``, handed to the workers in
#: the environment): by default "low", what "auto" takes for a city from tiles on this
#: machine's software renderer (render/sunlight.py), so the two paths differ only in tiles.
QUALITY_ENV = "BENCH_CITY_QUALITY"


def _options(**kw: Any) -> Any:
    from gwangju_twin.app.stage import StageOptions

    return StageOptions(quality=os.environ.get(QUALITY_ENV, "low"), **kw)  # type: ignore[arg-type]


def _scene(source: Path, cache: Path, tiles: str) -> Any:
    import dataclasses

    from gwangju_twin.scene import scene_for_geojson

    return dataclasses.replace(scene_for_geojson(source), tiles=tiles, cache=cache)


def worker_start(source: Path, cache: Path, tiles: str, spawned: float) -> dict[str, Any]:
    """Seconds from process start to the loading screen's and the city's first frame."""
    from gwangju_twin.app.stage import Interface, load_stage
    from gwangju_twin.expo.prepared import Loading

    firsts: list[float] = []
    cities: list[float] = []

    def on_frame(base: Any, step: str) -> None:
        if not firsts:
            firsts.append(time.time() - spawned)
        # The loading screen uncovers the city (shrinking to a strip) once it is built:
        # that frame, drawn twice so it is on screen, is the visitor's first picture of it.
        if not cities and base.render.find_all_matches("**/district").get_num_paths():
            cities.append(time.time() - spawned)

    stage = load_stage(Loading(_scene(source, cache, tiles)), "offscreen", WIN,
                       _options(interface=Interface.DESKTOP, persist=False),
                       on_frame=on_frame)
    stage.base.graphicsEngine.render_frame()
    stage.base.graphicsEngine.render_frame()  # the second shows the first's picture
    ready = time.time() - spawned
    out = {"loading_screen_s": firsts[0] if firsts else None,
           "first_frame_s": cities[0] if cities else ready, "ready_s": ready}
    stage.close()
    return out


def _poses(stage: Any) -> dict[str, Any]:
    """The three views: the whole city, a 2 km district at its centre, a street there."""
    from gwangju_twin.scene.framing import fit_box

    x0, y0, x1, y1 = stage.prepared.mesh.bounds
    top = stage.prepared.mesh.max_height
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    aspect = WIN[0] / WIN[1]
    overview = fit_box((x0, y0, 0.0, x1, y1, top), 20.0, 50.0, aspect)
    district = fit_box((cx - 1000, cy - 1000, 0.0, cx + 1000, cy + 1000, 60.0), 20.0, 40.0,
                       aspect)
    street = street_pose(stage.prepared.district, cx, cy)
    return {"overview": overview, "district": district, "street": street}


#: The street view: a walker's eye (walk mode's height), looking a little down.
EYE_M, STREET_PITCH = 1.7, 2.0


def street_pose(district: Any, cx: float, cy: float) -> Any:
    """A walker on a street near (cx, cy), looking along it: the open ground nearest the
    centre at least 8 m from any building, facing the longest free sight line (of headings
    5 degrees apart, up to 1 km), so the view runs down a street as far as it goes rather
    than into the nearest wall. The same pose for both paths (it comes from the district's
    own footprints)."""
    import numpy as np
    import shapely

    from gwangju_twin.scene import CameraPose

    solid = np.isin(district.layer, ("buildings", "landmarks"))
    tree = shapely.STRtree(district.geometry[solid])
    grid = np.arange(-400.0, 401.0, 10.0)
    gx, gy = np.meshgrid(cx + grid, cy + grid)
    order = np.argsort(np.hypot(gx - cx, gy - cy), axis=None, kind="stable")
    points = shapely.points(gx.ravel()[order], gy.ravel()[order])
    _, gap = tree.query_nearest(points, return_distance=True, all_matches=False)
    free = np.flatnonzero(gap >= 8.0)
    eye = points[free[0]] if len(free) else points[0]
    x, y = shapely.get_x(eye), shapely.get_y(eye)
    reach = 1000.0
    best, best_free = 0.0, -1.0
    for heading in np.arange(0.0, 360.0, 5.0):
        dx, dy = np.sin(np.radians(heading)), np.cos(np.radians(heading))
        ray = shapely.linestrings([(x, y), (x + reach * dx, y + reach * dy)])
        hits = tree.geometries[tree.query(ray, predicate="intersects")]
        sight = (float(shapely.distance(eye, shapely.intersection(hits, ray)).min())
                 if len(hits) else reach)
        if sight > best_free:
            best, best_free = float(heading), sight
    distance = EYE_M / np.sin(np.radians(STREET_PITCH))
    ahead = distance * np.cos(np.radians(STREET_PITCH))
    rad = np.radians(best)
    target = (float(x + ahead * np.sin(rad)), float(y + ahead * np.cos(rad)), 0.0)
    return CameraPose(target, best, STREET_PITCH, float(distance))


def _triangles_in_view(stage: Any) -> int:
    """Triangles of the city's Geoms whose bounds meet the camera's view (what the renderer
    is sent after culling), for either path."""
    from panda3d.core import GeomTriangles

    lens_bounds = stage.base.camLens.make_bounds()
    lens_bounds.xform(stage.base.camera.get_mat(stage.base.render))
    mask = stage.base.cam.node().get_camera_mask()  # tiles behind walls: hidden from it
    total = 0
    for np_ in stage.world.find("district").find_all_matches("**/+GeomNode"):
        if np_.is_hidden(mask) or np_.is_stashed():
            continue
        bounds = np_.get_bounds().make_copy()  # in the parent's space
        bounds.xform(np_.get_parent().get_mat(stage.base.render))
        if not lens_bounds.contains(bounds):
            continue
        for geom in np_.node().get_geoms():
            for prim in geom.get_primitives():
                if isinstance(prim, GeomTriangles):
                    total += prim.get_num_primitives()
    return total


def _frame_ms(stage: Any, frames: int) -> tuple[float, float]:
    """Mean wall time and process CPU time per frame (ms) over back-to-back frames, the
    stream updating each frame as in the viewer; the buffer is read back at the end so
    queued rasterisation counts. On a shared machine the CPU time is the steadier figure,
    and with LP_NUM_THREADS=0 (Mesa rasterising in this thread) it is the whole frame's
    work."""
    from panda3d.core import PNMImage

    engine = stage.base.graphicsEngine
    image = PNMImage()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(frames):
        stage.follow_camera()
        engine.render_frame()
    stage.base.win.get_screenshot(image)
    return ((time.perf_counter() - t0) / frames * 1000.0,
            (time.process_time() - c0) / frames * 1000.0)


def _occlusion_cost(stage: Any, turns: int = 40) -> dict[str, float]:
    """The occlusion test's own CPU time per camera move (ms, mean and largest): the
    camera turns a fifth of a degree per update, so every update tests again (nothing
    drawn)."""
    camera = stage.base.camera
    h0 = camera.get_h()
    times = []
    for i in range(1, turns + 1):
        camera.set_h(h0 + 0.2 * i)
        stage.stream.update(camera, stage.base.camLens, stage.size[1])
        times.append(stage.stream.occlusion_s * 1000.0)
    camera.set_h(h0)
    stage.stream.update(camera, stage.base.camLens, stage.size[1])
    return {"mean_ms": sum(times) / len(times), "max_ms": max(times)}


def worker_frames(source: Path, cache: Path, tiles: str, frames: int,
                  shots: Path | None) -> dict[str, Any]:
    """Frame time and triangles in view of the three views, and memory; for the street
    view from tiles also without occlusion culling (the same stage, the same frames) and
    the culling test's own time."""
    from gwangju_twin.app.stage import Stage
    from gwangju_twin.expo.prepared import prepare

    stage = Stage(prepare(_scene(source, cache, tiles)), "offscreen", WIN, _options())
    out: dict[str, Any] = {}

    def measure_view(name: str) -> dict[str, Any]:
        stage.base.graphicsEngine.render_frame()
        stage.base.graphicsEngine.render_frame()
        # The process's CPU per frame as well: with LP_NUM_THREADS=0 the rasteriser runs
        # in this process's main thread, so it is the frame's cost however busy the
        # machine is.
        ms, cpu_ms = _frame_ms(stage, frames)
        view = {"ms": ms, "fps": 1000.0 / ms, "cpu_ms": cpu_ms,
                "triangles": _triangles_in_view(stage)}
        if stage.stream is not None:
            view["levels"] = {str(k): v for k, v in stage.stream.stats().drawn.items()}
        return view

    for name, pose in _poses(stage).items():
        stage.set_pose(pose)
        if stage.stream is not None:
            stage.stream.settle()
        out[name] = measure_view(name)
        if shots is not None:
            stage.screenshot(shots / f"{source.stem}-{tiles}-{name}.png")
        if name == "street" and stage.stream is not None:
            out[name]["occluded"] = stage.stream.stats().occluded
            out["occlusion_test"] = _occlusion_cost(stage)
            stage.stream.occlude_for(None)
            out["street_unculled"] = measure_view(name)
            stage.stream.occlude_for(stage.base.cam)
    out["rss_mb"], out["peak_mb"] = _rss_mb()
    stage.close()
    return out


def worker_memory(source: Path, cache: Path, tiles: str) -> dict[str, Any]:
    """Peak resident memory of the viewer through the three views (LP_NUM_THREADS=0)."""
    from gwangju_twin.app.stage import Stage
    from gwangju_twin.expo.prepared import prepare

    stage = Stage(prepare(_scene(source, cache, tiles)), "offscreen", WIN, _options())
    for pose in _poses(stage).values():
        stage.set_pose(pose)
        if stage.stream is not None:
            stage.stream.settle()
        for _ in range(3):
            stage.follow_camera()
            stage.base.graphicsEngine.render_frame()
    rss, peak = _rss_mb()
    stage.close()
    return {"rss_mb": rss, "peak_mb": peak}


def run_worker(args: list[str], env: dict[str, str] | None = None,
               timeout: float = 3600) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    for line in done.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    raise RuntimeError(f"worker {args[0]} failed:\n{done.stderr[-3000:]}")


# -- the driver ----------------------------------------------------------------------------------

def ensure_city(folder: Path, n: int) -> Path:
    path = folder / f"city-{n}" / f"register_{n}.shp"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "register_city.py"), str(path),
                        "--buildings", str(n)], check=True, capture_output=True)
    return path


def bake(source: Path, out: Path, how: list[str]) -> tuple[float, float]:
    """Seconds of a cold ``gwangju-twin bake`` (a fresh process, the source read included):
    wall-clock, and CPU (user and system, of the process and its Dask workers)."""
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gwangju_twin", "bake", str(source), "--out",
                    str(out), *how], check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bake_speedup(r: dict[str, Any]) -> float:
    """Two workers against serial: the median of the ratios of each serial bake and the
    two-worker bake run right after it. This machine's speed drifts by a quarter within an
    hour (the same serial bake took 29.5 and 39.8 s of CPU ten minutes apart), and a bake
    compared with its neighbour meets the same drift; a ratio of the medians can pair a
    slow serial run with a quick two-worker one and pass by luck."""
    return statistics.median(a / b for a, b in zip(r["bake_serial_runs"], r["bake_dask2_runs"],
                                                   strict=True))


def cache_bytecode() -> None:
    """Compile the package's bytecode, as any first run leaves it: a warm start does not
    compile Python. (An environment with PYTHONDONTWRITEBYTECODE set, as this machine's,
    would otherwise make every start compile some 140 modules, about 0.2 s.)"""
    import gwangju_twin

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    str(Path(gwangju_twin.__file__).parent)], check=True, env=env,
                   capture_output=True)


def same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(
        filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def measure(folder: Path, n: int, frames: int, shots: Path | None, repeats: int = 1,
            only_bake: bool = False) -> dict[str, Any]:
    source = ensure_city(folder, n)
    out: dict[str, Any] = {"buildings": n, "load_before": os.getloadavg()[0]}
    caches = {how: folder / f"cache-{n}-{how}" for how in BAKES}
    # Interleaved (serial, 1 worker, 2 workers, serial, ...): a machine whose load changes
    # during the run weighs on each way alike. The median of the repeats is reported.
    for _ in range(repeats):
        for how, options in BAKES.items():
            wall, cpu = bake(source, caches[how], options)
            out.setdefault(f"bake_{how}_runs", []).append(wall)
            out.setdefault(f"bake_{how}_cpu", []).append(cpu)
    for how in BAKES:
        out[f"bake_{how}_s"] = statistics.median(out[f"bake_{how}_runs"])
    out["load_after"] = os.getloadavg()[0]
    out["bake_identical"] = (same_tree(caches["serial"], caches["dask1"])
                             and same_tree(caches["serial"], caches["dask2"]))
    if only_bake:
        return out
    cache = caches["serial"]
    shot_arg = [str(shots)] if shots is not None else []
    cache_bytecode()
    for tiles in ("on", "off"):
        runs = [run_worker(["start", str(source), str(cache), tiles, repr(time.time())])
                for _ in range(2)]
        out[f"start_{tiles}"] = min(runs, key=lambda r: r["first_frame_s"])
        out[f"frames_{tiles}"] = run_worker(["frames", str(source), str(cache), tiles,
                                             str(frames), *shot_arg])
        out[f"memory_{tiles}"] = run_worker(["memory", str(source), str(cache), tiles],
                                            env={"LP_NUM_THREADS": "0"})
    return out


def report(results: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    for r in results:
        n = r["buildings"]
        print(f"\n== {n:,} buildings ==")
        s, d1, d2 = r["bake_serial_s"], r["bake_dask1_s"], r["bake_dask2_s"]
        speedup = bake_speedup(r)
        print(f"cold bake        serial {s:6.1f} s   dask 1 worker {d1:6.1f} s   dask 2 workers "
              f"{d2:6.1f} s   2 workers vs serial {speedup:4.2f}x   byte-identical: "
              f"{'yes' if r['bake_identical'] else 'NO'}")
        if len(r["bake_serial_runs"]) > 1:
            print(f"  (medians of {len(r['bake_serial_runs'])} interleaved runs; 2 workers vs "
                  "serial per run: " + ", ".join(
                      f"{a / b:4.2f}x" for a, b in zip(r["bake_serial_runs"],
                                                        r["bake_dask2_runs"], strict=True))
                  + f", the ratio given is their median; load average {r['load_before']:.1f} "
                  f"before, {r['load_after']:.1f} after)")
            print("  CPU seconds per run: " + "; ".join(
                f"{how} " + ", ".join(f"{c:.1f}" for c in r[f"bake_{how}_cpu"])
                for how in BAKES))
        if "start_on" not in r:
            if n >= 185_000:
                checks += [(f"bake on 2 workers >= {BAKE_SPEEDUP}x serial",
                            speedup >= BAKE_SPEEDUP),
                           ("parallel bake byte-identical to serial", bool(r["bake_identical"]))]
            continue
        on, off = r["start_on"], r["start_off"]
        print(f"start to frame   tiles {on['first_frame_s']:5.2f} s (loading screen "
              f"{on['loading_screen_s']:.2f} s)   today's path {off['first_frame_s']:5.2f} s "
              f"(loading screen {off['loading_screen_s']:.2f} s)   ratio "
              f"{off['first_frame_s'] / on['first_frame_s']:4.1f}x")
        print(f"interface ready  tiles {on['ready_s']:5.2f} s   today's path "
              f"{off['ready_s']:5.2f} s   (the city shows while the demos and the interface load)")
        print(f"{'view':10s} {'tiles ms':>9s} {'fps':>6s} {'triangles':>10s}   "
              f"{'today ms':>9s} {'fps':>6s} {'triangles':>10s}   fps ratio")
        for view in VIEWS:
            a, b = r["frames_on"][view], r["frames_off"][view]
            print(f"{view:10s} {a['ms']:9.1f} {a['fps']:6.1f} {a['triangles']:10,d}   "
                  f"{b['ms']:9.1f} {b['fps']:6.1f} {b['triangles']:10,d}   "
                  f"{a['fps'] / b['fps']:5.1f}x")
        if "street_unculled" in r["frames_on"]:
            a, test = r["frames_on"]["street_unculled"], r["frames_on"]["occlusion_test"]
            street = r["frames_on"]["street"]
            print(f"{'  unculled':10s} {a['ms']:9.1f} {a['fps']:6.1f} {a['triangles']:10,d}"
                  f"   (the street view without occlusion culling; with it "
                  f"{street['occluded']} tiles are hidden)")
            print(f"{'':10s} CPU per frame {street['cpu_ms']:.1f} ms culled, "
                  f"{a['cpu_ms']:.1f} ms unculled; the culling test {test['mean_ms']:.1f} ms "
                  f"of CPU per camera move, at most {test['max_ms']:.1f}")
        mon, moff = r["memory_on"], r["memory_off"]
        print(f"memory (peak, LP_NUM_THREADS=0)   tiles {mon['peak_mb']:6.0f} MB   today's path "
              f"{moff['peak_mb']:6.0f} MB")
        if n >= 185_000:
            ov_on, ov_off = r["frames_on"]["overview"], r["frames_off"]["overview"]
            checks += [
                (f"warm start to first frame <= {WARM_START_S} s", on["first_frame_s"]
                 <= WARM_START_S),
                (f"overview >= {OVERVIEW_RATIO}x today's frame rate",
                 ov_on["fps"] >= OVERVIEW_RATIO * ov_off["fps"]),
                (f"overview >= {OVERVIEW_FPS} fps", ov_on["fps"] >= OVERVIEW_FPS),
                (f"street view >= {STREET_FPS} fps", r["frames_on"]["street"]["fps"]
                 >= STREET_FPS),
                (f"viewer memory <= {MEMORY_MB:.0f} MB", mon["peak_mb"] <= MEMORY_MB),
                (f"bake on 2 workers >= {BAKE_SPEEDUP}x serial", speedup >= BAKE_SPEEDUP),
                ("parallel bake byte-identical to serial", bool(r["bake_identical"])),
            ]
    if checks:
        print("\ntargets (185k city, this machine):")
        for text, ok in checks:
            print(f"  {'PASS' if ok else 'MISS'}  {text}")
    return checks


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--worker":
        kind, rest = argv[1], argv[2:]
        source, cache, tiles = Path(rest[0]), Path(rest[1]), rest[2]
        if kind == "start":
            result = worker_start(source, cache, tiles, float(rest[3]))
        elif kind == "frames":
            result = worker_frames(source, cache, tiles, int(rest[3]),
                                   Path(rest[4]) if len(rest) > 4 else None)
        else:
            result = worker_memory(source, cache, tiles)
        print(RESULT + json.dumps(result), flush=True)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,185000",
                        help="building counts, comma-separated (default 10000,185000)")
    parser.add_argument("--frames", type=int, default=30, help="frames timed per view")
    parser.add_argument("--keep", help="a folder for the cities and caches (reused)")
    parser.add_argument("--shots", type=Path, help="write each view's picture into this folder")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--quality", choices=("low", "medium", "high"), default="low",
                        help="the lighting preset of both paths (default low: what auto takes "
                        "for a city from tiles on a software renderer)")
    parser.add_argument("--only", choices=["bake"], help="measure only the cold bakes")
    parser.add_argument("--repeats", type=int, default=1,
                        help="cold bakes of each kind, interleaved (the median is reported)")
    args = parser.parse_args(argv)
    os.environ[QUALITY_ENV] = args.quality  # the workers inherit it
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    results = []
    with data_dir(args.keep) as folder:
        for n in sizes:
            print(f"measuring {n:,} buildings...", file=sys.stderr, flush=True)
            results.append(measure(folder, n, args.frames, args.shots, args.repeats,
                                   args.only == "bake"))
    checks = report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if args.check and not all(ok for _, ok in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
