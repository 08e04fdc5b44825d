#!/usr/bin/env python
"""Screenshots of a kiosk booth on the default district, rehearsed offscreen, for people to
look at: the attract prompt, a visit, the countdown, the PIN pad and the operator menu.

    python scripts/kiosk_screens.py /tmp/kiosk-screens                  # 1280x720
    python scripts/kiosk_screens.py /tmp/kiosk-screens --size 1920x1080

Writes ``01-welcome.png`` to ``08-operator-menu.png``. The booth runs on a fixed 30 fps
clock with short quiet spells (attract after 5 s, countdown after 10 s) so the whole day
takes a minute; taps go through a virtual pointer into the real interface. No display.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gwangju_twin.expo.prepared import prepare  # noqa: E402
from gwangju_twin.kiosk.config import KioskConfig  # noqa: E402
from gwangju_twin.kiosk.pin import hash_pin  # noqa: E402
from gwangju_twin.resources import default_scene_path  # noqa: E402
from gwangju_twin.scene import load_scene  # noqa: E402

PIN = "2468"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs (created)")
    parser.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT (default 1280x720)")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)

    from gwangju_twin.app.rehearsal import Rehearsal

    with tempfile.TemporaryDirectory() as tmp:
        config = dataclasses.replace(
            KioskConfig(), size=(w, h), attract_after=5.0, reset_after=10.0, countdown=10,
            attract_dwell=6.0, pin_hash=hash_pin(PIN, iterations=1000),
            log_folder=Path(tmp), database=Path(tmp) / "visits.sqlite3")
        prepared = prepare(load_scene(default_scene_path()), admit=config.allows)
        k = Rehearsal(prepared, config)
        booth, touring = k.booth, k.booth.touring
        shots: list[Path] = []

        def shot(name: str) -> None:
            shots.append(k.screenshot(args.out / f"{name}.png"))

        try:
            k.frames(3)
            shot("01-welcome")
            k.seconds(5.5 + 3.0 + 4.0)  # the reel flies to its first pavilion and circles it
            shot("02-attract")
            k.tap(0.0, 0.0)
            k.tap_widget(touring.toolbar.buttons["menu"])
            k.tap_widget(touring.menu.buttons["energy"])
            k.seconds(5.0)
            shot("03-visit")
            k.seconds(10.2)
            shot("04-countdown-ko")
            k.tap_widget(booth.countdown.buttons["keep"])
            k.tap_widget(touring.toolbar.buttons["language"])
            k.seconds(13.5)
            shot("05-countdown-en")
            k.tap_widget(booth.countdown.buttons["keep"])
            k.chord()
            for digit in PIN[:3]:
                k.tap_widget(booth.pinpad.buttons[digit])
            shot("06-pin-entry")
            k.tap_widget(booth.pinpad.buttons["ok"])
            for _ in range(4):
                k.type_pin("1111")
            k.frames(2)
            shot("07-pin-locked")
            k.seconds(booth.gate.locked_for() + 0.5)
            k.type_pin(PIN)
            shot("08-operator-menu")
        finally:
            k.close()
    for path in shots:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
