"""Frame time with the visitor's interface on versus off, on the default district.

    python scripts/bench_touring.py [--frames 240] [--rounds 3] [--size 1280x720]

Target (issue 4): with the interface on, frame time stays within 15 % of the interface off.

"Off" is the viewer as the pavilion issue left it: district, pavilions, labels, sky, haze
and the plugins' frame task, no interface. "On" adds the whole desktop interface as a
visitor has it: toolbar, minimap (marker moving), HUD (updating twice a second, draw calls
counted), the touring task, and a pointer that moves every frame, so every frame hovers: a
pick through the pick index and a highlight rebuilt whenever the building under the pointer
changes. Both run the same scripted camera orbit, so they draw the same views.

Each measurement is its own subprocess (a process has one ShowBase); on and off alternate,
``--rounds`` times each, so drift on this shared machine hits both alike. A frame is one
``task_mgr.step()`` (tasks, cull, draw); the time is taken over all frames with one
readback at the end (llvmpipe draws asynchronously, the readback waits for all of it), and
as the median of single frames with ``gl-finish`` on.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from typing import Any

RESULT = "BENCH-RESULT "


def _worker(ui: bool, frames: int, size: tuple[int, int]) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    from panda3d.core import ConfigVariableBool, PNMImage

    from gwangju_twin.app.stage import Interface, Stage, StageOptions
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from gwangju_twin.scene.camera import CameraPose
    from gwangju_twin.settings import Settings, load_settings, save_settings

    prepared = prepare(load_scene(default_scene_path()))
    folder = Path(tempfile.mkdtemp())
    save_settings(Settings(hud=True, minimap=True), folder / "settings.toml")
    stage = Stage(prepared, "offscreen", size, StageOptions(
        interface=Interface.DESKTOP if ui else Interface.NONE,
        settings=load_settings(folder / "settings.toml"), persist=False))
    base = stage.base
    stage.run_tasks()
    start = stage.pose
    touring = stage.touring

    def place(i: int) -> None:
        # The same slow orbit in both runs (the interface's own camera driver is bypassed so
        # "off" and "on" see identical views), and a pointer sweeping the window.
        pose = CameraPose(start.target, (start.heading + 0.5 * i) % 360, start.pitch,
                          start.distance * (0.45 + 0.25 * math.sin(i / 40)))
        if touring is not None:
            touring.driver.rig.set_pose(pose)
            touring.driver.apply()
            touring.pointer.move_to(0.8 * math.sin(i / 17), 0.6 * math.cos(i / 23))
        else:
            stage.set_pose(pose)

    for i in range(30):  # uploads, font pages, first picks
        place(i)
        base.task_mgr.step()
    image = PNMImage()
    t0 = time.perf_counter()
    for i in range(frames):
        place(i)
        base.task_mgr.step()
    base.win.get_screenshot(image)
    throughput = (time.perf_counter() - t0) / frames * 1000.0

    finish = ConfigVariableBool("gl-finish")
    finish.set_value(True)
    single = []
    for i in range(frames):
        place(i)
        t = time.perf_counter()
        base.task_mgr.step()
        single.append((time.perf_counter() - t) * 1000.0)
    finish.set_value(False)
    result = {"throughput_ms": throughput, "serial_ms": statistics.median(single)}
    if touring is not None:
        result["hud"] = touring.hud.text()
    stage.close()
    return result


def _run(ui: bool, frames: int, size: str) -> dict[str, Any]:
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "on" if ui else "off",
           "--frames", str(frames), "--size", size]
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    raise SystemExit(f"worker failed ({proc.returncode}): {proc.stderr[-1500:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--worker", choices=("on", "off"))
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    if args.worker:
        result = _worker(args.worker == "on", args.frames, (w, h))
        print(RESULT + json.dumps(result))
        return 0

    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    for rnd in range(args.rounds):
        for name in (("off", "on") if rnd % 2 == 0 else ("on", "off")):
            runs[name].append(_run(name == "on", args.frames, args.size))
            r = runs[name][-1]
            print(f"  round {rnd + 1} interface {name:3}: {r['throughput_ms']:6.2f} ms/frame "
                  f"back-to-back, {r['serial_ms']:6.2f} ms median with gl-finish", flush=True)
    print(f"\nDefault district at {args.size}, {args.frames} frames per run, "
          f"{args.rounds} runs each (medians):")
    ratios = {}
    for key, label in (("throughput_ms", "back-to-back"), ("serial_ms", "gl-finish median")):
        off = statistics.median(r[key] for r in runs["off"])
        on = statistics.median(r[key] for r in runs["on"])
        ratios[key] = on / off
        print(f"  {label:17} interface off {off:6.2f} ms | on {on:6.2f} ms | "
              f"ratio {on / off:.3f}")
    print(f"  HUD as shown in the last run: {' | '.join(runs['on'][-1].get('hud', []))}")
    ok = ratios["throughput_ms"] <= 1.15
    print(f"Target: {'PASS' if ok else 'FAIL'} interface on within 15 % of off "
          f"({(ratios['throughput_ms'] - 1) * 100:+.1f} % back-to-back)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
