#!/usr/bin/env python
"""Render the kiosk's on-screen widgets offscreen, in Korean and English, to PNGs for
people to look at (fonts, sizes, overlaps, cut-off text).

    python scripts/kiosk_gallery.py /tmp/kiosk_gallery                 # 1920x1080
    python scripts/kiosk_gallery.py /tmp/kiosk_gallery --size 1024x700

Writes ``<lang>-<widget>[-<state>].png``: the attract prompt (with a caption), the
countdown at 10 and at 3, the PIN pad empty, with 3 digits, after a wrong PIN and locked,
the operator menu and the zoom pad, over a stand-in city backdrop. No network, no display.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from gwangju_twin.scene.sectors import SECTORS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs (made if missing)")
    parser.add_argument("--size", default="1920x1080", help="window size, WxH")
    args = parser.parse_args(argv)
    w, h = (int(n) for n in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)

    from widget_gallery import gallery_base

    base, font, bold, cat = gallery_base(w, h)

    from gwangju_twin.render.snapshot import write_png
    from gwangju_twin.ui.attract import AttractPrompt
    from gwangju_twin.ui.countdown import Countdown
    from gwangju_twin.ui.operator import OperatorMenu
    from gwangju_twin.ui.pinpad import PinPad
    from gwangju_twin.ui.toolbar import Toolbar
    from gwangju_twin.ui.zoompad import ZoomPad


    attract = AttractPrompt(base.aspect2d, font, bold, cat)
    countdown = Countdown(base.aspect2d, font, cat, "ko", print, bold_font=bold)
    pinpad = PinPad(base.aspect2d, font, cat, "ko", print, lambda: None, bold_font=bold)
    operator = OperatorMenu(base.aspect2d, font, cat, "ko", print, bold_font=bold)
    zoompad = ZoomPad(base.a2dBottomRight, font, cat, "ko", print)
    toolbar = Toolbar(base.a2dTopLeft, font, cat, "ko", print,
                      names=("menu", "tour", "map", "language", "home"))
    widgets = [attract, countdown, pinpad, operator, zoompad, toolbar]

    def shot(name: str) -> None:
        for _ in range(2):
            base.graphicsEngine.render_frame()
        print(write_png(base.win, args.out / f"{name}.png"))

    def only(*shown: object) -> None:
        for wdg in widgets:
            if wdg in shown:
                wdg.show()
            else:
                wdg.hide()

    pavilion = SECTORS[1]
    for lang in ("ko", "en"):
        for wdg in widgets:
            wdg.set_language(lang)
        only(attract)
        attract.set_caption("", "")
        shot(f"{lang}-attract")
        attract.set_caption(pavilion.name_ko, pavilion.name_en)
        attract.update(1.0)  # the pulse at its largest
        shot(f"{lang}-attract-caption")
        only(toolbar, zoompad, countdown)
        for n in (10, 3):
            countdown.set_seconds(n)
            shot(f"{lang}-countdown-{n}")
        only(pinpad)
        pinpad.clear()
        pinpad.set_message("")
        pinpad.set_locked(0)
        shot(f"{lang}-pinpad")
        for key in "407":
            pinpad.press(key)
        shot(f"{lang}-pinpad-3-digits")
        pinpad.clear()
        pinpad.set_message(cat.text("kiosk.pin.wrong", lang))
        shot(f"{lang}-pinpad-wrong")
        pinpad.set_locked(27.4)
        shot(f"{lang}-pinpad-locked")
        pinpad.set_locked(0)
        only(operator)
        operator.set_status([cat.text("kiosk.operator.safe_mode", lang),
                             cat.text("kiosk.operator.crashes", lang, count=2),
                             cat.text("kiosk.operator.version", lang, version="0.9.0")])
        shot(f"{lang}-operator")
        only(toolbar, zoompad)
        shot(f"{lang}-visit")
    base.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
