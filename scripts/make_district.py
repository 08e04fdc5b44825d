#!/usr/bin/env python3
"""Generate the schematic Sangmu district (assets/sangmu.geojson) from its TOML spec.

Usage: ``python scripts/make_district.py [--spec PATH] [--out PATH]``

The district is laid out in the viewer's local transverse-Mercator frame in metres, centred on
the spec's origin, and written as WGS84 lon/lat GeoJSON. The same spec always gives the same
bytes: one seeded numpy generator, a fixed order of work, coordinates rounded to 7 decimals and
a fixed key order. Buildings keep at least ``CLEARANCE`` metres (district/builder.py) from each
other and from road ribbons, so the rounding can never make them touch.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # gwangju_twin from this checkout, installed or not

from district.builder import DistrictBuilder  # noqa: E402
from district.geojson import write_geojson  # noqa: E402
from district.spec import load_spec  # noqa: E402

from gwangju_twin.errors import InputError  # noqa: E402

DEFAULT_SPEC = HERE / "sangmu_district.toml"
DEFAULT_OUT = HERE.parent / "assets" / "sangmu.geojson"
KINDS = ("landmark", "road", "water", "green", "plaza", "building")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="district spec (TOML)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="GeoJSON to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        spec = load_spec(args.spec)
    except InputError as exc:
        print(f"make_district: error: {exc}", file=sys.stderr)
        return 2
    builder = DistrictBuilder(spec)
    builder.build()
    features = builder.features()
    write_geojson(spec["name"], features, builder.frame, args.out)
    counts = Counter(f.kind for f in features)
    summary = ", ".join(f"{counts[k]} {k}" for k in KINDS)
    print(f"{args.out.name}: {summary} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
