#!/usr/bin/env python
"""Render every on-screen widget offscreen, in Korean and English, to PNGs for people to
look at (fonts, sizes, overlaps, cut-off text).

    python scripts/widget_gallery.py /tmp/gallery                 # 1280x720
    python scripts/widget_gallery.py /tmp/gallery --size 1024x700

Writes ``<lang>-<widget>.png`` for each widget alone and ``<lang>-all.png`` with the
widgets together as the viewer places them, over a stand-in city backdrop. Sample data
comes from the default scene (scenes/sangmu.toml) and the sectors; no network, no display.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gwangju_twin.errors import InputError  # noqa: E402
from gwangju_twin.render.config import configure  # noqa: E402
from gwangju_twin.scene.sectors import SECTORS, sector  # noqa: E402
from gwangju_twin.tomlfile import read_toml  # noqa: E402

LANDMARKS = (("김대중컨벤션센터", "Kimdaejung Convention Center"),
             ("5·18기념공원", "May 18th Memorial Park"),
             ("광주광역시청", "Gwangju City Hall"))


@dataclass(frozen=True)
class Place:
    """A stand-in for gwangju_twin.guide.search.Place."""

    kind: str
    name_ko: str
    name_en: str


@dataclass(frozen=True)
class SquareFrame:
    """A stand-in map frame: a 1000 m square centred on the origin."""

    half: float = 500.0

    def to_map(self, x: float, y: float) -> tuple[float, float]:
        return (x + self.half) / (2 * self.half), (y + self.half) / (2 * self.half)

    def to_world(self, u: float, v: float) -> tuple[float, float]:
        return u * 2 * self.half - self.half, v * 2 * self.half - self.half


def city_image(h: int = 256, w: int = 256, seed: int = 7) -> np.ndarray:
    """A top-down stand-in for the district: blocks of buildings, roads, a park, a river."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 4), np.uint8)
    img[...] = (226, 224, 218, 255)
    for _ in range(220):
        y, x = rng.integers(0, h - 8), rng.integers(0, w - 8)
        dy, dx = rng.integers(3, 9, size=2)
        shade = int(rng.integers(150, 200))
        img[y:y + dy, x:x + dx, :3] = (shade, shade - 4, shade - 10)
    img[h // 3 - 3:h // 3 + 3, :, :3] = (250, 250, 250)
    img[:, w // 2 - 3:w // 2 + 3, :3] = (250, 250, 250)
    img[int(h * 0.6):int(h * 0.8), int(w * 0.1):int(w * 0.35), :3] = (150, 196, 120)
    rows = np.arange(h)
    river = (w * 0.8 + 12 * np.sin(rows / 17)).astype(int)
    for r, c in zip(rows, river, strict=True):
        img[r, c - 6:c + 6, :3] = (120, 170, 220)
    return img


def sample_tour() -> list[dict]:
    """The default scene's tour stops (pavilion, ko, en), narration joined into one line."""
    try:
        doc = read_toml(REPO / "scenes" / "sangmu.toml", InputError, "scene file")
    except InputError:
        return []
    return [{k: " ".join(str(v).split()) for k, v in stop.items()}
            for stop in doc.get("tour", {}).get("stop", [])]


def gallery_base(w: int, h: int) -> tuple[Any, Any, Any, Any]:
    """An offscreen ShowBase of w x h over a stand-in city backdrop (to judge the widgets'
    contrast on a busy picture), with the regular and bold fonts and the text catalogue."""
    configure("offscreen", (w, h))
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import CardMaker

    from gwangju_twin.ui.catalogue import load_catalogue
    from gwangju_twin.ui.fonts import load_font
    from gwangju_twin.ui.minimap import image_texture

    base = ShowBase(windowType="offscreen")
    base.set_background_color(0.62, 0.75, 0.88, 1)
    cm = CardMaker("backdrop")
    cm.set_frame(-1, 1, -1, 1)
    backdrop = base.render2d.attach_new_node(cm.generate())
    backdrop.set_texture(image_texture(city_image(180, 320, seed=3)))
    backdrop.set_bin("background", 0)
    return base, load_font(base.loader), load_font(base.loader, bold=True), load_catalogue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs (made if missing)")
    parser.add_argument("--size", default="1280x720", help="window size, WxH")
    args = parser.parse_args(argv)
    w, h = (int(n) for n in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)

    base, font, bold, cat = gallery_base(w, h)
    from gwangju_twin.render.snapshot import write_png
    from gwangju_twin.ui.help import HelpOverlay
    from gwangju_twin.ui.hud import Hud
    from gwangju_twin.ui.menu import MenuEntry, PavilionMenu
    from gwangju_twin.ui.minimap import Minimap
    from gwangju_twin.ui.searchbox import SearchBox
    from gwangju_twin.ui.toast import Toast
    from gwangju_twin.ui.toolbar import Toolbar
    from gwangju_twin.ui.tourbar import TourBar


    demos = {"culture", "energy", "mobility"}
    entries = [MenuEntry(s.id, s.name_ko, s.name_en, s.color, s.id in demos) for s in SECTORS]
    places = [Place("pavilion", s.name_ko, s.name_en) for s in SECTORS[:3]]
    places += [Place("landmark", ko, en) for ko, en in LANDMARKS]
    places += [Place("building", "상무시민공원 관리동", "Sangmu Citizens' Park office")]
    stops = sample_tour() or [{"pavilion": "mobility", "ko": SECTORS[1].description_ko,
                               "en": SECTORS[1].description_en}]
    frame = SquareFrame()
    dots = [((-300.0 + 100 * i, 120.0 - 40 * (i % 3)), s.color) for i, s in enumerate(SECTORS)]

    toolbar = Toolbar(base.a2dTopLeft, font, cat, on_press=print)
    menu = PavilionMenu(base.a2dTopLeft, font, cat, entries=entries, on_choose=print,
                        bold_font=bold)
    search = SearchBox(base.a2dTopCenter, font, cat,
                       search=lambda q: [p for p in places if q.lower() in
                                         (p.name_ko + p.name_en).lower()] or
                       (places if q == "*" else []), on_choose=print)
    tour = TourBar(base.a2dBottomCenter, font, cat, on_press=print, bold_font=bold)
    minimap = Minimap(base.a2dBottomLeft, city_image(), frame, dots, print, font=font,
                      catalogue=cat)
    hud = Hud(base.a2dBottomRight, font, cat)
    toast = Toast(base.a2dBottomCenter, font)
    help_card = HelpOverlay(base.aspect2d, font, cat, bold_font=bold)
    widgets = {"toolbar": toolbar, "menu": menu, "search": search, "tourbar": tour,
               "minimap": minimap, "hud": hud, "toast": toast, "help": help_card}

    def shot(name: str) -> None:
        for _ in range(2):
            base.graphicsEngine.render_frame()
        print(write_png(base.win, args.out / f"{name}.png"))

    def only(*names: str) -> None:
        for n, wdg in widgets.items():
            if n not in names:
                wdg.hide()

    stop = stops[0]
    ko_name, en_name = sector(stop["pavilion"]).name_ko, sector(stop["pavilion"]).name_en
    for lang in ("ko", "en"):
        for wdg in widgets.values():
            if hasattr(wdg, "set_language"):
                wdg.set_language(lang)
        toolbar.set_active("tour", True)
        toolbar.set_camera_mode("walk")
        menu.set_current("energy")
        tour.show_stop(1, len(stops), ko_name, en_name, stop["ko"], stop["en"])
        minimap.set_visitor(-150.0, -250.0, 45.0)
        hud.update(58.7, 17.04, 312, "walk")
        message = cat.text("toast.screenshot", lang, path="~/Pictures/gwangju-twin-0001.png")

        only("toolbar")
        toolbar.show()
        shot(f"{lang}-toolbar")
        only("menu")
        menu.show()
        shot(f"{lang}-menu")
        only("search")
        search.open()
        shot(f"{lang}-search-empty")
        search.set_query("*")
        shot(f"{lang}-search")
        search.set_query("xyz")
        shot(f"{lang}-search-none")
        search.close()
        only("tourbar")
        tour.show()
        shot(f"{lang}-tourbar")
        tour.set_paused(True)
        tour.set_travelling(True)
        shot(f"{lang}-tourbar-travelling")
        tour.set_paused(False)
        tour.show_finished()
        shot(f"{lang}-tourbar-finished")
        only("minimap")
        minimap.show()
        shot(f"{lang}-minimap")
        only("help")
        help_card.show()
        shot(f"{lang}-help")
        only()
        toolbar.show()
        tour.show_stop(1, len(stops), ko_name, en_name, stop["ko"], stop["en"])
        minimap.show()
        hud.show()
        toast.show(message)
        toast.set_lift(0.05 + tour.height + 0.03)
        shot(f"{lang}-all")
    base.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
