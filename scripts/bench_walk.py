"""How long one walk-mode step (collision against the district's footprints) takes.

    python scripts/bench_walk.py [--steps 2000]

Target: under 2 ms a step on average (a small part of a 30 fps frame). A benchmark, not a
test: tests/pure/test_navigation.py checks that the walker never ends inside a building, never
how fast it goes (a busy machine must not fail the suite). Exits 1 when over the target.
"""

from __future__ import annotations

import argparse
import sys
import time

TARGET_S = 2e-3


def main(argv: list[str] | None = None) -> int:
    """Random walk steps on the pavilion plaza of the default district; 1 when too slow."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args(argv)

    import numpy as np

    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.navigation import Eye, Limits, Obstacles, WalkRig
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    prepared = prepare(load_scene(default_scene_path()))
    obstacles = Obstacles.of_district(prepared.district, [p.shape.core for p in prepared.pavilions])
    limits = Limits.for_district(prepared.mesh.bounds, prepared.mesh.max_height)
    rig = WalkRig(Eye(prepared.pose("pavilions", 16 / 9).target, 0.0, 0.0), limits, obstacles)
    rng = np.random.default_rng(2024)  # the walk tests/pure/test_navigation.py takes
    spent = 0.0
    for _ in range(args.steps):
        if rng.random() < 0.1:
            rig.look(rng.uniform(-1.5, 1.5), 0.0)
        fwd, right, dt = rng.uniform(0.2, 1.0), rng.uniform(-1, 1), rng.uniform(0.02, 3.0)
        tic = time.perf_counter()
        rig.move(fwd, right, dt, fast=True)
        spent += time.perf_counter() - tic
    mean = spent / args.steps
    print(f"walk step: mean {mean * 1000:.3f} ms over {args.steps} steps "
          f"(target {TARGET_S * 1000:g} ms){'  OVER' if mean > TARGET_S else ''}")
    return 1 if mean > TARGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
