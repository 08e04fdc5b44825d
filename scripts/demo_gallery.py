#!/usr/bin/env python
"""Pictures of every pavilion's demo, entered, with the desktop interface, for people to
look at: one PNG per pavilion and language, and a contact sheet of them.

    python scripts/demo_gallery.py /tmp/demos                 # ko and en, 1280x720
    python scripts/demo_gallery.py /tmp/demos --language ko --sheet docs/demos.png

Runs the real command line (`gwangju-twin render --enter ID --ui`) offscreen; the sheet is
put together with ImageMagick's `montage` when it is installed. No display needed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

#: The seven pavilions of the default scene, in the order of the 5+2 sectors.
PAVILIONS = ("healthcare", "mobility", "energy", "culture", "manufacturing", "education",
             "administration")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs (created)")
    parser.add_argument("--language", choices=("ko", "en"), action="append",
                        help="interface language (repeatable; default both)")
    parser.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT (default 1280x720)")
    parser.add_argument("--seconds", default="4", help="demo time before each picture")
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet here")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    for language in args.language or ["ko", "en"]:
        for pavilion in PAVILIONS:
            out = args.out / f"{pavilion}-{language}.png"
            subprocess.run([sys.executable, "-m", "gwangju_twin", "render", "--enter", pavilion,
                            "--ui", "--language", language, "--size", args.size,
                            "--seconds", args.seconds, "--out", str(out)], check=True,
                           stdout=subprocess.DEVNULL)
            print(out)
            shots.append(out)
    if args.sheet is not None:
        if shutil.which("montage") is None:
            print("montage (ImageMagick) is not installed: no contact sheet", file=sys.stderr)
            return 1
        subprocess.run(["montage", *map(str, shots), "-tile", "4x", "-geometry",
                        "480x270+3+3", "-depth", "8", "-strip", str(args.sheet)], check=True)
        print(args.sheet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
