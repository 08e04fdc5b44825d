"""What the info panel says about a picked building or pavilion, as a plain ``Panel``.

Pure: no window. The words come from the text catalogue, the facts from the district
(``picking.building_facts``) or the pavilion's info; the viewer only draws the result and
wires the buttons.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from gwangju_twin.picking.facts import BuildingFacts
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.plugins.manifest import Manifest
from gwangju_twin.plugins.panel import Panel
from gwangju_twin.scene.sectors import sector
from gwangju_twin.sun.heatmap import legend as sunlight_legend
from gwangju_twin.sun.sunlight import SunlightResult
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue

#: The info panel's accent for buildings and landmarks (sector colours go to pavilions).
BUILDING_ACCENT = (0.42, 0.46, 0.52)
LANDMARK_ACCENT = (0.80, 0.52, 0.26)


def _line(panel: Panel, cat: Catalogue, key: str, label: str,
          values: tuple[str, str]) -> None:
    lab_ko, lab_en = cat.both(label)
    panel.set_line(key, f"{lab_ko}: {values[0]}", f"{lab_en}: {values[1]}")


def _use(cat: Catalogue, kind: str) -> tuple[str, str]:
    if not kind:
        return cat.both("use.unknown")
    key = f"use.{kind}"
    other_ko, other_en = cat.both("use.other", kind=kind)
    return cat.get(key, "ko", other_ko), cat.get(key, "en", other_en)


def lonlat_text(lon: float, lat: float) -> str:
    """``35.14813° N, 126.84312° E``: five decimals is about a metre."""
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.5f}° {ns}, {abs(lon):.5f}° {ew}"


def building_card(facts: BuildingFacts, cat: Catalogue,
                  on_close: Callable[[], None] | None = None,
                  on_sunlight: Callable[[], None] | None = None) -> Panel:
    """The info panel of a building or landmark: name, use, height and where it came from,
    floors, footprint area and position (and a Close button when ``on_close`` is given, a
    button for its winter-solstice sunlight check when ``on_sunlight`` is)."""
    unnamed_ko, unnamed_en = cat.both("info.unnamed")
    title_ko = facts.name or facts.name_en or unnamed_ko
    title_en = facts.name_en or facts.name or unnamed_en
    panel = Panel(title_ko, title_en)
    landmark = facts.layer == "landmarks"
    panel.accent = LANDMARK_ACCENT if landmark else BUILDING_ACCENT
    use = _use(cat, facts.kind)
    if landmark:
        lm_ko, lm_en = cat.both("info.landmark")
        use = (f"{use[0]} · {lm_ko}", f"{use[1]} · {lm_en}")
    _line(panel, cat, "use", "info.use", use)
    if math.isfinite(facts.height):
        source = facts.height_source or "marker"
        src = [cat.get(f"info.source.{source}", lang, source) for lang in LANGUAGES]
        metres = f"{facts.height:.1f}"
        _line(panel, cat, "height", "info.height", (
            cat.text("info.height_value", "ko", metres=metres, source=src[0]),
            cat.text("info.height_value", "en", metres=metres, source=src[1])))
    if facts.floors is not None:
        floors = f"{facts.floors:g}"
        _line(panel, cat, "floors", "info.floors", cat.both("info.floors_value", floors=floors))
    elif facts.floors_estimated is not None:
        _line(panel, cat, "floors", "info.floors",
              cat.both("info.floors_estimated", floors=facts.floors_estimated))
    if facts.footprint_m2 > 0:
        area = f"{facts.footprint_m2:,.0f}"
        _line(panel, cat, "area", "info.area", cat.both("info.area_value", area=area))
    where = lonlat_text(facts.lon, facts.lat)
    _line(panel, cat, "position", "info.position", (where, where))
    if on_sunlight is not None:
        panel.add_button("sunlight", *cat.both("sunlight.button"), on_click=on_sunlight)
    if on_close is not None:
        panel.add_button("close", *cat.both("info.close"), on_click=on_close)
    return panel


#: Facade directions in the order the sunlight card lists them: the sunny side first.
FACINGS = ("S", "SE", "SW", "E", "W", "NE", "NW", "N")


def sunlight_card(result: SunlightResult, building: int, title: tuple[str, str],
                  cat: Catalogue, on_back: Callable[[], None] | None = None,
                  on_close: Callable[[], None] | None = None) -> Panel:
    """The winter-solstice sunlight of ``building`` (a district row checked in ``result``):
    the day, the best wall facing each direction (hours in 08-16 and longest run in 09-15,
    and whether it meets the rule), the verdict, the heat map's colour scale; buttons back
    to the building's card and to close."""
    panel = Panel(cat.text("sunlight.title", "ko", name=title[0]),
                  cat.text("sunlight.title", "en", name=title[1]))
    panel.accent = (0.96, 0.72, 0.20)
    day = result.day.isoformat()
    panel.set_line("day", *cat.both("sunlight.day", day=day))
    best: dict[str, tuple[float, float, bool]] = {}
    for facade in result.facades_of(building):
        mine = (facade.hours_total, facade.hours_continuous, facade.passes)
        if facade.facing not in best or mine[:2] > best[facade.facing][:2]:
            best[facade.facing] = mine
    for facing in FACINGS:
        if facing not in best:
            continue
        total, run, ok = best[facing]
        side = cat.both(f"sunlight.facing.{facing}")
        mark = cat.both("sunlight.meets" if ok else "sunlight.short")
        panel.set_line(f"facing-{facing}", *(
            cat.text("sunlight.wall", lang, side=side[i], total=f"{total:.1f}",
                     run=f"{run:.1f}", mark=mark[i])
            for i, lang in enumerate(LANGUAGES)))
    verdict = cat.both("sunlight.pass" if result.passes.get(building, False)
                       else "sunlight.fail")
    panel.set_line("verdict", *verdict)
    panel.set_line("rule", *cat.both("sunlight.rule"))
    panel.set_legend("scale", sunlight_legend(), *cat.both("sunlight.scale"))
    if on_back is not None:
        panel.add_button("back", *cat.both("sunlight.back"), on_click=on_back)
    if on_close is not None:
        panel.add_button("close", *cat.both("info.close"), on_click=on_close)
    return panel


def sunlight_computing_card(title: tuple[str, str], cat: Catalogue,
                            on_back: Callable[[], None] | None = None,
                            on_close: Callable[[], None] | None = None) -> Panel:
    """The sunlight card while its check is computed in the background: ``title`` (Korean,
    English) and "computing"; buttons back and close as the finished card has them."""
    panel = Panel(*title)
    panel.accent = (0.96, 0.72, 0.20)
    panel.set_line("computing", *cat.both("sunlight.computing"))
    if on_back is not None:
        panel.add_button("back", *cat.both("sunlight.back"), on_click=on_back)
    if on_close is not None:
        panel.add_button("close", *cat.both("info.close"), on_click=on_close)
    return panel


def pavilion_card(info: PavilionInfo, manifest: Manifest | None, cat: Catalogue,
                  inside: bool, on_enter: Callable[[], None],
                  on_leave: Callable[[], None],
                  on_close: Callable[[], None] | None = None) -> Panel:
    """The info panel of a pavilion seen from outside: its sector, its demo and an Enter
    button (Leave when the visitor is already inside)."""
    sec = sector(info.sector)
    panel = Panel(sec.name_ko, sec.name_en)
    panel.accent = sec.color
    _line(panel, cat, "sector", "info.sector", (sec.name_ko, sec.name_en))
    panel.set_line("about", sec.description_ko, sec.description_en)
    if manifest is not None:
        demo = (manifest.title_ko, manifest.title_en)
    elif info.plugin:
        demo = (info.plugin, info.plugin)
    else:
        demo = cat.both("info.no_plugin")
    _line(panel, cat, "plugin", "info.plugin", demo)
    if inside:
        panel.add_button("leave", *cat.both("info.leave"), on_click=on_leave)
    else:
        panel.add_button("enter", *cat.both("info.enter"), on_click=on_enter)
    if on_close is not None:
        panel.add_button("close", *cat.both("info.close"), on_click=on_close)
    return panel


#: The area card names at most this many of the buildings that fall short.
AREA_NAMES = 4


def area_sunlight_card(result: SunlightResult, size: tuple[float, float],
                       names: Mapping[int, tuple[str, str]], cat: Catalogue,
                       on_close: Callable[[], None] | None = None) -> Panel:
    """The winter-solstice sunlight of the buildings in a ``size`` (width, depth in metres)
    box: how many meet the rule and how many fall short, the first few of those by name
    (``names``: Korean and English per district row), the verdict and the colour scale."""
    width, depth = (f"{v:.0f}" for v in size)
    panel = Panel(*cat.both("sunlight.area_title", width=width, depth=depth))
    panel.accent = (0.96, 0.72, 0.20)
    panel.set_line("day", *cat.both("sunlight.day", day=result.day.isoformat()))
    short = [b for b in result.buildings if not result.passes.get(b, False)]
    ok = len(result.buildings) - len(short)
    panel.set_line("counts", *cat.both("sunlight.area_counts", count=len(result.buildings),
                                       ok=ok, short=len(short)))
    if short:
        listed = [names.get(b, cat.both("info.unnamed")) for b in short[:AREA_NAMES]]
        more = len(short) - len(listed)
        texts = []
        for i, lang in enumerate(LANGUAGES):
            named = ", ".join(n[i] for n in listed)
            if more:
                named += " " + cat.text("sunlight.area_more", lang, more=more)
            texts.append(cat.text("sunlight.area_short", lang, names=named))
        panel.set_line("short", *texts)
    panel.set_line("verdict", *cat.both("sunlight.area_pass" if not short
                                        else "sunlight.area_fail"))
    panel.set_line("rule", *cat.both("sunlight.rule"))
    panel.set_legend("scale", sunlight_legend(), *cat.both("sunlight.scale"))
    if on_close is not None:
        panel.add_button("close", *cat.both("info.close"), on_click=on_close)
    return panel
