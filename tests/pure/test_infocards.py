"""The info panel's words, without a window: what a visitor reads about a building or a
pavilion, in both languages."""

from __future__ import annotations

from gwangju_twin.picking import building_facts
from gwangju_twin.scene.sectors import sector
from gwangju_twin.ui.catalogue import load_catalogue
from gwangju_twin.ui.infocards import building_card, lonlat_text, pavilion_card


def test_a_building_card_says_use_height_source_floors_area_and_place(prepared) -> None:
    cat = load_catalogue()
    d = prepared.district
    rows = d.select("buildings")
    sources = [s for s in ("levels", "measured", "default") if (d.height_source[rows] == s).any()]
    assert len(sources) >= 2  # the default district has more than one kind of height
    for source in sources:
        row = rows[d.height_source[rows] == source][0]
        facts = building_facts(d, int(row), prepared.scene.level_height)
        card = building_card(facts, cat, on_close=lambda: None)
        ko, en = "\n".join(card.text("ko")), "\n".join(card.text("en"))
        assert f"{facts.height:.1f} m ({cat.text(f'info.source.{source}', 'ko')})" in ko
        assert f"{facts.height:.1f} m ({cat.text(f'info.source.{source}', 'en')})" in en
        assert cat.text(f"use.{facts.kind}", "en") in en
        assert f"{facts.footprint_m2:,.0f} m²" in en
        assert lonlat_text(facts.lon, facts.lat) in en
        if facts.floors is None:
            assert f"about {round(facts.height / prepared.scene.level_height)}" in en
        else:
            assert f"Floors: {facts.floors:g}" in en
        assert [b.key for b in card.buttons] == ["close"]


def test_unnamed_buildings_and_unknown_uses_still_read_well() -> None:
    from gwangju_twin.picking.facts import BuildingFacts

    cat = load_catalogue()
    facts = BuildingFacts(row=3, layer="buildings", kind="barn", name=None, name_en=None,
                          height=7.5, height_source="default", floors=None,
                          floors_estimated=2, footprint_m2=0.0, lon=126.85, lat=-35.15,
                          feature_id=None)
    card = building_card(facts, cat)
    assert card.title_ko == cat.text("info.unnamed", "ko")
    assert card.title_en == cat.text("info.unnamed", "en")
    en = "\n".join(card.text("en"))
    assert "Other (barn)" in en and "35.15000° S, 126.85000° E" in en
    assert "Footprint" not in en  # a zero area is not shown as "0 m²"
    assert card.buttons == ()


def test_a_pavilion_card_offers_enter_outside_and_leave_inside(prepared) -> None:
    cat = load_catalogue()
    calls: list[str] = []
    manifests = {f.id: f.manifest for f in prepared.found if f.manifest is not None}
    for pav in prepared.pavilions:
        info = pav.info
        for inside in (False, True):
            card = pavilion_card(info, manifests.get(info.plugin or ""), cat, inside,
                                 on_enter=lambda: calls.append("enter"),
                                 on_leave=lambda: calls.append("leave"))
            sec = sector(info.sector)
            assert card.title_ko == sec.name_ko and card.accent == sec.color
            en = "\n".join(card.text("en"))
            demo = manifests[info.plugin].title_en if info.plugin else \
                cat.text("info.no_plugin", "en")
            assert f"Demo: {demo}" in en
            [button] = card.buttons
            assert button.key == ("leave" if inside else "enter")
            button.on_click()
    assert calls == ["enter", "leave"] * len(prepared.pavilions)
