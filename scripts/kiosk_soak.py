#!/usr/bin/env python
"""Soak a kiosk booth: thousands of offscreen frames of random visitors, memory watched.

    python scripts/kiosk_soak.py --frames 5000 --database /tmp/soak.sqlite3
    gwangju-twin kiosk report --database /tmp/soak.sqlite3

Random visitors tap the city, drag it, press toolbar, menu, zoom and panel buttons, answer
or ignore the countdown and walk away for long enough to let the booth reset and run its
attract reel. Quiet spells are short (attract after 5 s, countdown after 10 s, 3 s long) so
a few minutes of simulated time hold many visits. The booth runs on the default district
with its plugins, offscreen, on a fixed 30 fps clock.

Prints what happened and the resident memory; exits 1 if memory grew by more than
``--max-growth-mb`` after warm-up or a plugin was disabled, and an exception ends it with a
traceback (exit 1) as it would end a booth.

Memory is the booth's own: Mesa's software rasterizer (llvmpipe) keeps binning memory per
rasterizer thread that grows with the busiest frame it has drawn until it levels off (seen
here: some 2.7 GB at 1280x720 after about 800 frames of a turning camera), which would
drown the booth's own growth. The soak therefore runs llvmpipe single-threaded
(``LP_NUM_THREADS=0``, which has no such pool) unless ``--threaded-rasterizer`` is given.
A booth with a GPU has neither.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gwangju_twin.expo.prepared import prepare  # noqa: E402
from gwangju_twin.kiosk.config import KioskConfig  # noqa: E402
from gwangju_twin.resources import default_scene_path  # noqa: E402
from gwangju_twin.scene import load_scene  # noqa: E402

#: Frames before memory is first measured: fonts, textures and caches fill up first.
WARM_UP = 400


def rss_mb() -> float:
    """This process's resident memory in MB (Linux /proc)."""
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class Visitors:
    """Random people at the booth (``rng`` decides everything, so a seed replays a run)."""

    def __init__(self, rehearsal: Any, rng: random.Random) -> None:
        self.k = rehearsal
        self.rng = rng
        self.actions = 0

    def act(self) -> None:
        k, rng = self.k, self.rng
        booth = k.booth
        touring = booth.touring
        self.actions += 1
        if booth.countdown.visible and rng.random() < 0.5:
            k.tap_widget(booth.countdown.buttons["keep"])
            return
        roll = rng.random()
        if roll < 0.26:
            k.tap(rng.uniform(-0.95, 0.95), rng.uniform(-0.95, 0.95))
        elif roll < 0.42:
            start = (rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8))
            end = (start[0] + rng.uniform(-0.5, 0.5), start[1] + rng.uniform(-0.4, 0.4))
            k.drag(start, end, rng.randint(3, 12))
        elif roll < 0.6:
            if touring.toolbar.visible:
                name = rng.choice(list(touring.toolbar.buttons))
                k.tap_widget(touring.toolbar.buttons[name])
        elif roll < 0.72:
            if touring.menu.visible:
                k.tap_widget(rng.choice(list(touring.menu.buttons.values())))
            elif touring.toolbar.visible:
                k.tap_widget(touring.toolbar.buttons["menu"])
        elif roll < 0.8:
            pad = touring.zoompad
            if pad is not None and pad.visible:
                k.tap_widget(rng.choice(list(pad.buttons.values())))
        elif roll < 0.86:
            views = [v for v in (touring.selection.view, touring.expo.panel_view) if v]
            buttons = [b for v in views for b in v.buttons]
            if buttons:
                k.tap_widget(rng.choice(buttons))
        else:
            # Someone looks away for a moment, comes back during the countdown (and may keep
            # exploring), or walks off for good: the booth resets and runs its reel.
            # (The last tap was up to a second or two ago; the countdown runs from 10 to 13 s.)
            k.seconds(rng.choice((rng.uniform(1.0, 6.0), rng.uniform(9.2, 10.8),
                                  rng.uniform(14.0, 22.0))))
            return
        k.frames(rng.randint(3, 40))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=5000, help="frames to run (default 5000)")
    parser.add_argument("--database", type=Path, required=True, help="visits database to write")
    parser.add_argument("--size", default="480x270", help="offscreen size (default 480x270)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--max-growth-mb", type=float, default=50.0,
                        help="fail when memory grows more than this after warm-up (default 50)")
    parser.add_argument("--threaded-rasterizer", action="store_true",
                        help="keep Mesa llvmpipe's rasterizer threads (see above)")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    if not args.threaded_rasterizer:
        os.environ["LP_NUM_THREADS"] = "0"  # read by Mesa when the GL context is made

    from gwangju_twin.app.rehearsal import Rehearsal

    config = dataclasses.replace(
        KioskConfig(), size=(w, h), attract_after=5.0, reset_after=10.0, countdown=3,
        attract_dwell=4.0, log_folder=args.database.parent, database=args.database)
    prepared = prepare(load_scene(default_scene_path()), admit=config.allows)
    k = Rehearsal(prepared, config, wall_start=time.time())
    visitors = Visitors(k, random.Random(args.seed))
    started = time.perf_counter()
    frame0 = k.clock.get_frame_count()
    baseline = peak = rss_mb()
    measured = False
    try:
        while (done := k.clock.get_frame_count() - frame0) < args.frames:
            visitors.act()
            if not measured and done >= WARM_UP:
                baseline = peak = rss_mb()
                measured = True
            peak = max(peak, rss_mb())
        frames = k.clock.get_frame_count() - frame0
        final = rss_mb()
        counts = k.booth.counts
        slots = k.booth.touring.expo.host.slots
        disabled = [f"{s.plugin_id}: {s.reason}" for s in slots if s.state == "disabled"]
        simulated = frames / k.fps
    finally:
        k.close()
    growth = final - baseline
    print(f"frames {frames} ({simulated:.0f} s simulated) in {time.perf_counter() - started:.0f} s")
    print(f"visitor actions {visitors.actions}")
    print(f"visits {counts['visit']}, attract {counts['attract']}, countdowns "
          f"{counts['countdown']}, kept {counts['keep']}, resets {counts['reset']}")
    print(f"memory after warm-up {baseline:.1f} MB, peak {peak:.1f} MB, end {final:.1f} MB, "
          f"growth {growth:+.1f} MB (limit {args.max_growth_mb:g} MB)")
    print(f"disabled plugins: {', '.join(disabled) or 'none'}")
    ok = growth <= args.max_growth_mb and not disabled
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
