"""The on-screen widgets (gwangju_twin.ui: toolbar, menu, tour bar, search, minimap, HUD,
toast, help), drawn by the real renderer offscreen (EGL) in this process.

One ShowBase at 1024x700 (the smallest window the viewer supports) serves the module.
Clicks go through DirectGUI's event names; the minimap's click and the search field's
erase key also go through a real MouseWatcher, fed by a VirtualMouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from gui_kit import (
    H,
    W,
    buttons_box,
    click,
    frames,
    no_missing_glyphs,
    pixel,
    screenshot,
)

from gwangju_twin.controls import CONTROLS, SECTIONS
from gwangju_twin.scene.sectors import SECTORS

pytestmark = pytest.mark.render

LANGS = ("ko", "en")
NARRATION_EN = (
    "Welcome to the tour of Gwangju, an AI-metaverse convergence city, whose seven pavilions "
    "show its 5+2 sectors. First comes eco-friendly autonomous driving: electric self-driving "
    "shuttles link the pavilions along the district's roads, and the panel counts the CO2 saved.")
NARRATION_KO = ("광주 AI-메타버스 융합도시 투어에 오신 것을 환영합니다. 일곱 전시관이 광주의 '5+2' "
                "분야를 하나씩 보여 드립니다. 첫 전시관은 친환경자율주행입니다.")


@dataclass(frozen=True)
class Place:
    kind: str
    name_ko: str
    name_en: str


PLACES = [Place("pavilion", "의료헬스케어", "Medical & healthcare"),
          Place("landmark", "김대중컨벤션센터", "Kimdaejung Convention Center"),
          Place("building", "상무시민공원 관리동", "Sangmu Citizens' Park office")]


@dataclass(frozen=True)
class SquareFrame:
    """A stand-in for gwangju_twin.mesh.topdown.MapFrame: x from -400 to 600 m, y from
    -200 to 800 m (so u and v differ from x and y)."""

    def to_map(self, x: float, y: float) -> tuple[float, float]:
        return (x + 400) / 1000, (y + 200) / 1000

    def to_world(self, u: float, v: float) -> tuple[float, float]:
        return u * 1000 - 400, v * 1000 - 200


def quadrants(size: int = 64) -> np.ndarray:
    """North-west red, north-east green, south-west blue, south-east yellow (row 0 north)."""
    img = np.zeros((size, size, 4), np.uint8)
    img[..., 3] = 255
    h = size // 2
    img[:h, :h, :3] = (220, 30, 30)
    img[:h, h:, :3] = (30, 200, 40)
    img[h:, :h, :3] = (30, 60, 220)
    img[h:, h:, :3] = (240, 220, 30)
    return img


# -- fixtures ------------------------------------------------------------------------------


def face_color(button: Any) -> tuple[float, ...]:
    """The colour of a theme button's ready-state face."""
    from panda3d.core import GeomVertexReader

    geom = button["geom"][0].node().get_geom(0)
    reader = GeomVertexReader(geom.get_vertex_data(), "color")
    return tuple(round(c, 3) for c in reader.get_data4())


def px_at_1080p(base: Any, button: Any) -> float:
    _, _, bottom, top = button["frameSize"]
    return (top - bottom) * button.get_sz(base.render2d) * 1080 / 2


def on_screen(base: Any, node: Any) -> bool:
    lo, hi = node.get_tight_bounds(base.render2d)
    return lo.x >= -1.0 and hi.x <= 1.0 and lo.z >= -1.0 and hi.z <= 1.0


# -- toolbar -------------------------------------------------------------------------------


@pytest.fixture
def toolbar(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.toolbar import Toolbar

    pressed: list[str] = []
    made = Toolbar(base.a2dTopLeft, fonts[0], cat, on_press=pressed.append)
    made.pressed = pressed
    yield made
    made.destroy()


@pytest.mark.parametrize("aspect", [600 / 900, 720 / 1280, 16 / 9])
def test_toolbar_fits_a_narrow_window(base: Any, fonts: Any, cat: Any, aspect: float) -> None:
    """In a portrait window the row shrinks so every button stays on screen (the last two ran
    off the right edge at 600x900); in a wide one it keeps its full size."""
    from gwangju_twin.ui.toolbar import NAMES, Toolbar

    # aspect2d and its top-left corner as ShowBase lays them out for a window of ``aspect``
    screen = base.render2d.attach_new_node("screen")
    screen.set_scale(1 / aspect, 1, 1)
    corner = screen.attach_new_node("top-left")
    corner.set_pos(-aspect, 0, 1)
    made = Toolbar(corner, fonts[0], cat)
    try:
        assert list(made.buttons) == list(NAMES)
        left, right, bottom, top = buttons_box(made.buttons.values(), base.render2d)
        assert left >= -1.0 and right <= 1.0 and bottom >= -1.0 and top <= 1.0
        if aspect > 1.5:
            assert made.node.get_sx() == 1.0
        else:
            assert right > 0.8  # shrunk to the width, not to a sliver
    finally:
        made.destroy()
        screen.remove_node()


def test_toolbar_labels_follow_the_language(toolbar: Any, cat: Any, fonts: Any) -> None:
    from gwangju_twin.ui.toolbar import NAMES

    for lang in LANGS:
        toolbar.set_language(lang)
        mode = cat.text("camera.orbit", lang)
        expected = [cat.text("toolbar.camera", lang, mode=mode) if n == "camera"
                    else cat.text(f"toolbar.{n}", lang) for n in NAMES]
        assert toolbar.text() == expected
        no_missing_glyphs(fonts, toolbar.text())
    assert toolbar.text()[NAMES.index("language")] == "한국어"  # names the other language
    toolbar.set_language("ko")
    assert toolbar.text()[0] == "전시관"


def test_toolbar_buttons_call_back_with_their_names(base: Any, toolbar: Any) -> None:
    from gwangju_twin.ui.toolbar import NAMES

    assert list(toolbar.buttons) == list(NAMES)
    for name in NAMES:
        click(base, toolbar.buttons[name])
    assert toolbar.pressed == list(NAMES)


def test_toolbar_camera_mode_and_highlight(toolbar: Any, cat: Any) -> None:
    toolbar.set_camera_mode("fly")
    assert toolbar.buttons["camera"]["text"] == cat.text("toolbar.camera", "ko", mode="비행")
    with pytest.raises(ValueError, match="camera mode"):
        toolbar.set_camera_mode("swim")
    plain = face_color(toolbar.buttons["map"])
    toolbar.set_active("map", True)
    assert toolbar.is_active("map")
    lit = face_color(toolbar.buttons["map"])
    assert lit != plain and lit[2] > 0.8  # the blue accent
    toolbar.set_language("en")  # the highlight survives a language switch
    assert face_color(toolbar.buttons["map"]) == lit
    toolbar.set_active("map", False)
    assert face_color(toolbar.buttons["map"]) == plain


def test_toolbar_sits_top_left_with_big_buttons(base: Any, toolbar: Any) -> None:
    for b in toolbar.buttons.values():
        assert px_at_1080p(base, b) >= 48
    left, right, bottom, top = buttons_box(toolbar.buttons.values(), base.aspect2d)
    assert left > base.a2dLeft and top < 1.0 and bottom > 0.7
    # Clear of the info panel, which docks 0.95 units wide at the top-right.
    assert right < base.a2dRight - 0.95
    for lang in LANGS:  # buttons are sized for both languages: the row does not move
        toolbar.set_language(lang)
        assert buttons_box(toolbar.buttons.values(), base.aspect2d)[1] == pytest.approx(right)


# -- help ----------------------------------------------------------------------------------


@pytest.fixture
def help_card(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.help import HelpOverlay

    made = HelpOverlay(base.aspect2d, fonts[0], cat, bold_font=fonts[1])
    yield made
    made.destroy()


def test_help_lists_every_control_in_both_languages(help_card: Any, cat: Any, fonts: Any
                                                    ) -> None:
    assert len(CONTROLS) == 29  # with the time bar (K), the area sunlight check (J), and the
    # shared room's react (G, B, X) and follow (F)
    assert not help_card.visible  # hidden at start
    for lang in LANGS:
        help_card.set_language(lang)
        shown = help_card.text()
        assert shown[0] == cat.text("help.title", lang)
        assert shown[-1] == cat.text("help.footer", lang)
        for section in SECTIONS:
            assert cat.text(f"help.section.{section}", lang) in shown
        # Every control as a row: its key then its description, in the table's order.
        descriptions = [cat.text(f"help.{c.name}", lang) for c in CONTROLS]
        rows = [(shown[i - 1], s) for i, s in enumerate(shown) if s in descriptions]
        assert [d for _, d in rows] == descriptions
        assert [k for k, _ in rows] == [cat.text(f"keys.{c.name}", lang) for c in CONTROLS]
        no_missing_glyphs(fonts, shown)
    help_card.set_language("ko")
    assert "조작법" in help_card.text() and "Controls" not in help_card.text()


def _text_boxes(node: Any, relative_to: Any) -> list[tuple[str, float, float, float, float]]:
    """Every non-empty text under ``node``: (text, left, right, bottom, top)."""
    out = []
    for path in node.find_all_matches("**/+TextNode"):
        text = path.node().get_text()
        bounds = path.get_tight_bounds(relative_to) if text.strip() else None
        if bounds is not None:
            lo, hi = bounds
            out.append((text, lo.x, hi.x, lo.z, hi.z))
    return out


def _overlaps(boxes: list[tuple[str, float, float, float, float]]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes intersect (by more than a hair)."""
    eps = 1e-4
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[1] < b[2] - eps and b[1] < a[2] - eps and a[3] < b[4] - eps
            and b[3] < a[4] - eps]


def test_help_shows_both_languages_under_one_heading_each(base: Any, help_card: Any,
                                                          cat: Any) -> None:
    """The README promises the controls in Korean and English: every row carries both, and
    each section's heading appears once (no column repeats another's heading); no text
    runs into another (the card scales as a whole on other window sizes)."""
    for lang in LANGS:
        other = next(x for x in LANGS if x != lang)
        help_card.set_language(lang)
        shown = help_card.text()
        for c in CONTROLS:
            i = shown.index(cat.text(f"help.{c.name}", lang))
            assert shown[i + 1] == cat.text(f"help.{c.name}", other), c.name
        for section in SECTIONS:
            assert shown.count(cat.text(f"help.section.{section}", lang)) == 1
            assert shown.count(cat.text(f"help.section.{section}", other)) == 1
        help_card.show()
        assert _overlaps(_text_boxes(help_card.node, base.aspect2d)) == []
    help_card.hide()
    help_card.set_language("ko")


def test_help_fits_a_1024x700_window_below_the_toolbar(base: Any, help_card: Any) -> None:
    from gwangju_twin.ui.theme import TOOLBAR_CLEARANCE

    assert (base.win.get_x_size(), base.win.get_y_size()) == (W, H)
    for lang in LANGS:
        help_card.set_language(lang)
        help_card.show()
        assert help_card.visible
        lo, hi = help_card.node.get_tight_bounds(base.aspect2d)
        assert base.a2dLeft < lo.x and hi.x < base.a2dRight
        assert base.a2dBottom < lo.z and hi.z <= base.a2dTop - TOOLBAR_CLEARANCE + 1e-6
        # Readable: not shrunk much, if at all.
        assert help_card.node.get_sx() > 0.9
    help_card.hide()
    assert not help_card.visible


def test_help_card_covers_the_window_centre(base: Any, help_card: Any) -> None:
    # A wider patch than a line of text: the window's centre falls in the middle column,
    # among its rows' glyphs.
    before = screenshot(base)[H // 2 - 30:H // 2 + 30, W // 2 - 30:W // 2 + 30]
    help_card.show()
    after = screenshot(base)[H // 2 - 30:H // 2 + 30, W // 2 - 30:W // 2 + 30]
    assert before.mean() > 150  # the sky-blue background
    dark = after.max(axis=2) < 60
    assert dark.mean() > 0.7  # the dark card (glyphs cross the patch)


def test_rebuilding_the_help_leaks_no_gui_items(base: Any, help_card: Any) -> None:
    from direct.gui.DirectGuiBase import DirectGuiWidget

    start = len(DirectGuiWidget.guiDict), base.aspect2d.find_all_matches("**").get_num_paths()
    for lang in LANGS * 5:
        help_card.set_language(lang)
    help_card.set_language("ko")
    assert (len(DirectGuiWidget.guiDict),
            base.aspect2d.find_all_matches("**").get_num_paths()) == start


# -- pavilion menu -------------------------------------------------------------------------


@pytest.fixture
def menu(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.menu import MenuEntry, PavilionMenu

    entries = [MenuEntry(s.id, s.name_ko, s.name_en, s.color, s.id in ("energy", "culture"))
               for s in SECTORS]
    chosen: list[str] = []
    made = PavilionMenu(base.a2dTopLeft, fonts[0], cat, entries=entries,
                        on_choose=chosen.append, bold_font=fonts[1])
    made.chosen = chosen
    yield made
    made.destroy()


def test_menu_shows_each_pavilions_number_key(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.menu import MenuEntry, PavilionMenu

    entries = [MenuEntry(s.id, s.name_ko, s.name_en, s.color, s.id == "energy",
                         str(n + 1) if n < 6 else "") for n, s in enumerate(SECTORS)]
    made = PavilionMenu(base.a2dTopLeft, fonts[0], cat, entries=entries, bold_font=fonts[1])
    try:
        made.set_current("energy")
        for lang in LANGS:
            made.set_language(lang)
            shown = made.text()
            # Each key right before its pavilion's name; the last pavilion has none.
            for e in entries[:6]:
                assert shown[shown.index(e.name_en if lang == "en" else e.name_ko) - 1] == e.key
            assert "7" not in shown
            made.show()
            for e in entries:
                b = made.buttons[e.id]
                boxes = _text_boxes(b, base.aspect2d)
                assert _overlaps(boxes) == [], e.id
                keys = [x for x in boxes if x[0] == e.key]
                swatch = b.find("**/swatch").get_tight_bounds(base.aspect2d)
                # The label lives in the button's state (not under the button's node).
                label = b.component("text0")
                lo, _ = label.get_tight_bounds(b.stateNodePath[0])
                name_left = base.aspect2d.get_relative_point(b, lo).x
                assert swatch[1].x < name_left
                if e.key:  # key cap, then the swatch, then the name, left to right
                    assert keys[0][2] < swatch[0].x
                else:
                    assert not keys
        made.hide()
    finally:
        made.destroy()


def test_menu_lists_pavilions_with_demo_tags(menu: Any, cat: Any, fonts: Any) -> None:
    assert not menu.visible
    for lang in LANGS:
        menu.set_language(lang)
        shown = menu.text()
        assert shown[:2] == [cat.text("menu.title", lang), cat.text("menu.hint", lang)]
        names = [s.name_en if lang == "en" else s.name_ko for s in SECTORS]
        assert [s for s in shown if s in names] == names
        assert shown.count(cat.text("info.plugin", lang)) == 2
        i = shown.index(names[[s.id for s in SECTORS].index("energy")])
        assert shown[i + 1] == cat.text("info.plugin", lang)  # the tag follows its name
        assert [menu.buttons[s.id]["text"] for s in SECTORS] == names
        no_missing_glyphs(fonts, shown)


def test_menu_marks_where_the_visitor_is(menu: Any, cat: Any) -> None:
    here = cat.text("menu.here", "ko")
    assert here not in menu.text()
    menu.set_current("education")
    shown = menu.text()
    assert shown[shown.index("교육") + 1] == here and shown.count(here) == 1
    assert face_color(menu.buttons["education"]) != face_color(menu.buttons["energy"])
    menu.set_current(None)
    assert here not in menu.text() and menu.current is None
    with pytest.raises(KeyError):
        menu.set_current("casino")


def test_menu_buttons_choose_their_pavilion(base: Any, menu: Any) -> None:
    menu.show()
    click(base, menu.buttons["mobility"])
    click(base, menu.buttons["healthcare"])
    assert menu.chosen == ["mobility", "healthcare"]
    for b in menu.buttons.values():
        assert px_at_1080p(base, b) >= 48
    assert on_screen(base, menu.node)


def test_menu_click_through_a_real_mouse(base: Any, menu: Any, mouse: Any) -> None:
    """A press and release over a button, through a MouseWatcher: the card's click blocker
    under the buttons must not take the click from them."""
    from panda3d.core import MouseButton

    menu.show()
    frames(base)
    culture = menu.buttons["culture"]
    col, row = pixel(base, culture, 0, 0)
    mouse.set_mouse_pos(col, row)
    frames(base)
    watcher = base.aspect2d.node().get_mouse_watcher()
    assert watcher.get_over_region().get_name() == culture.guiItem.get_id()  # not the blocker
    mouse.press_button(MouseButton.one())
    frames(base)
    mouse.release_button(MouseButton.one())
    frames(base)
    assert menu.chosen == ["culture"]


def test_menu_card_keeps_clicks_from_the_world(base: Any, menu: Any, mouse: Any) -> None:
    """A click on the card (not on a button) must not also select a building behind it."""
    from direct.showbase.DirectObject import DirectObject
    from panda3d.core import MouseButton

    heard: list[str] = []
    listener = DirectObject()
    listener.accept("world-mouse1", lambda: heard.append("mouse1"))
    menu.show()
    try:
        title = menu.node.find("**/text")  # the card's title, above the buttons
        for where in (pixel(base, title, 0.1, 0.02), (W - 20, H // 2)):  # card, then sky
            mouse.set_mouse_pos(*where)
            frames(base)
            mouse.press_button(MouseButton.one())
            frames(base)
            mouse.release_button(MouseButton.one())
            frames(base)
            heard.append("|")
        assert heard == ["|", "mouse1", "|"]
        assert menu.chosen == []
    finally:
        listener.ignore_all()


# -- tour bar ------------------------------------------------------------------------------


@pytest.fixture
def tour(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.tourbar import TourBar

    pressed: list[str] = []
    made = TourBar(base.a2dBottomCenter, fonts[0], cat, on_press=pressed.append,
                   bold_font=fonts[1])
    made.pressed = pressed
    yield made
    made.destroy()


def test_tour_bar_shows_a_stop(tour: Any, cat: Any, fonts: Any) -> None:
    assert not tour.visible
    tour.show_stop(3, 7, "친환경자율주행", "Eco-friendly autonomous driving", NARRATION_KO,
                   NARRATION_EN)
    assert tour.visible
    assert tour.text() == ["가이드 투어", "3 / 7", "친환경자율주행", NARRATION_KO, "일시정지",
                           "다음", "투어 종료"]
    no_missing_glyphs(fonts, tour.text())
    tour.set_language("en")
    assert tour.text() == [cat.text("tour.title", "en"), "3 / 7",
                           "Eco-friendly autonomous driving", NARRATION_EN, "Pause", "Skip",
                           "End tour"]
    narration = tour.node.find("**/narration").node()
    assert 2 <= narration.get_num_rows() <= 4  # ~300 characters in at most four lines
    tour.set_language("ko")


def test_tour_bar_travelling_paused_finished(tour: Any, cat: Any) -> None:
    tour.show_stop(1, 7, "제조", "Manufacturing", NARRATION_KO, NARRATION_EN)
    tour.set_travelling(True)
    assert cat.text("tour.travelling", "ko") in tour.text()
    assert NARRATION_KO not in tour.text()
    tour.set_travelling(False)
    assert NARRATION_KO in tour.text()
    pause = tour.buttons["pause"]
    tour.set_paused(True)
    assert pause["text"] == cat.text("tour.resume", "ko") and tour.paused
    assert cat.text("tour.paused", "ko") in tour.text()
    assert tour.buttons["pause"] is pause  # one button whose label switches
    tour.set_paused(False)
    assert pause["text"] == cat.text("tour.pause", "ko")
    tour.show_finished()
    assert cat.text("tour.finished", "ko") in tour.text()
    assert tour.buttons["pause"].is_hidden() and not tour.buttons["end"].is_hidden()
    tour.hide()
    assert not tour.visible


def test_tour_bar_buttons_and_layout(base: Any, tour: Any) -> None:
    from gwangju_twin.ui.theme import MARGIN

    tour.show_stop(2, 7, "교육", "Education", NARRATION_KO, NARRATION_EN)
    for name in ("pause", "skip", "end"):
        click(base, tour.buttons[name])
        assert px_at_1080p(base, tour.buttons[name]) >= 48
    assert tour.pressed == ["pause", "skip", "end"]
    lo, hi = tour.node.get_tight_bounds(base.a2dBottomCenter)
    assert lo.z == pytest.approx(MARGIN, abs=1e-3)
    assert hi.z == pytest.approx(MARGIN + tour.height, abs=1e-3)
    # Beside the bottom-left minimap (0.55 units square, plus its frame).
    assert lo.x > base.a2dLeft + 0.65 and hi.x < base.a2dRight - 0.65


# -- search --------------------------------------------------------------------------------


@pytest.fixture
def search(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.searchbox import SearchBox

    queries: list[str] = []
    chosen: list[Any] = []

    def find(query: str) -> list[Place]:
        queries.append(query)
        q = query.lower()
        return [p for p in PLACES if q in p.name_ko.lower() or q in p.name_en.lower()]

    made = SearchBox(base.a2dTopCenter, fonts[0], cat, search=find, on_choose=chosen.append)
    made.queries, made.chosen = queries, chosen
    yield made
    made.destroy()


def test_search_shows_results_and_nothing_found(base: Any, search: Any, cat: Any, fonts: Any
                                                ) -> None:
    assert not search.visible
    search.open()
    assert search.visible and search.focused
    assert search.text() == [cat.text("search.placeholder", "ko")]
    search.set_query("센터")
    assert search.results == [PLACES[1]]
    assert search.text() == ["센터", "김대중컨벤션센터", "랜드마크"]
    search.set_query("e")  # Korean names are shown, whatever the query's language
    assert search.results == PLACES
    assert search.text()[1::2] == [p.name_ko for p in PLACES]
    assert search.text()[2::2] == ["전시관", "랜드마크", "건물"]
    assert [not search.buttons[f"result-{i}"].is_hidden() for i in range(4)] == [
        True, True, True, False]
    assert all(px_at_1080p(base, b) >= 48 for b in search.buttons.values())
    search.set_language("en")
    assert search.text()[1:] == ["Medical & healthcare", "Pavilion",
                                 "Kimdaejung Convention Center", "Landmark",
                                 "Sangmu Citizens' Park office", "Building"]
    search.set_query("zzz")
    assert search.results == []
    assert search.text() == ["zzz", cat.text("search.none", "en")]
    search.set_query("")
    assert search.text() == [cat.text("search.placeholder", "en")]
    no_missing_glyphs(fonts, [cat.text("search.placeholder", "ko"), "김대중컨벤션센터",
                              cat.text("search.none", "ko")])


LONG_PLACES = [
    Place("landmark", "김대중컨벤션센터 제1전시장 국제회의실 별관 주차장 입구",
          "Kim Dae-jung Convention Center, Exhibition Hall 1, International Conference annex"),
    Place("pavilion", "의료헬스케어", "Medical & healthcare"),
    Place("building", "광주광역시 서구 상무중앙로 아주 긴 이름의 오피스텔 건물",
          "A very long office-tel building name on Sangmu Jungang-ro, Seo-gu, Gwangju"),
]


def test_long_search_results_end_in_an_ellipsis_before_their_kind(
        base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.searchbox import SearchBox
    from gwangju_twin.ui.theme import ELLIPSIS

    box = SearchBox(base.a2dTopCenter, fonts[0], cat, search=lambda q: LONG_PLACES)
    try:
        box.open()
        box.set_query("c")
        for lang in LANGS:
            box.set_language(lang)
            shown = box.text()[1::2]
            for place, name in zip(LONG_PLACES, shown, strict=True):
                full = place.name_en if lang == "en" else place.name_ko
                if place.kind == "pavilion":
                    assert name == full  # a short name stays whole
                else:
                    assert name.endswith(ELLIPSIS) and full.startswith(name[:-1].rstrip())
                    assert len(name) > 10  # shortened to the room, not to nothing
            no_missing_glyphs(fonts, shown)
            for i in range(len(LONG_PLACES)):
                b = box.buttons[f"result-{i}"]
                # The label lives in the button's state (not under the button's node).
                _, hi = b.component("text0").get_tight_bounds(b.stateNodePath[0])
                name_right = base.aspect2d.get_relative_point(b, hi).x
                kind_left = b.find("kind").get_tight_bounds(base.aspect2d)[0].x
                assert name_right < kind_left, (lang, i)
    finally:
        box.destroy()


def test_search_submit_and_click_choose_a_place(base: Any, search: Any) -> None:
    search.open()
    search.set_query("e")
    search.submit()  # Enter
    assert search.chosen == [PLACES[0]]
    assert not search.visible and not search.focused and search.query == ""
    search.open()
    search.set_query("e")
    click(base, search.buttons["result-2"])
    assert search.chosen == [PLACES[0], PLACES[2]]
    assert not search.visible
    search.open()
    search.set_query("zzz")
    search.submit()  # nothing to choose: stays open
    assert search.visible and search.chosen == [PLACES[0], PLACES[2]]


def test_search_follows_typing(base: Any, search: Any, mouse: Any) -> None:
    """PGEntry throws type-<id> after a typed character and erase-<id> after a deletion;
    both re-run the search with the field's new text."""
    from direct.gui.DirectGuiGlobals import TYPE
    from panda3d.core import KeyboardButton

    search.open()
    search.entry.enterText("김대")  # text as the entry holds it after a keystroke...
    base.messenger.send(TYPE + search.entry.guiId, [None])  # ...and the event it throws
    assert search.queries[-1] == "김대" and search.results == [PLACES[1]]
    # A real backspace through the MouseWatcher: the focused entry erases and tells us.
    search.set_query("zzzan")
    assert search.results == []
    frames(base)
    for _ in range(3):
        mouse.press_button(KeyboardButton.backspace())
        frames(base)
        mouse.release_button(KeyboardButton.backspace())
        frames(base)
    assert search.query == "zz"
    assert search.queries[-3:] == ["zzza", "zzz", "zz"]
    search.close()


# -- minimap -------------------------------------------------------------------------------


@pytest.fixture
def minimap(base: Any, fonts: Any, cat: Any) -> Iterator[Any]:
    from gwangju_twin.ui.minimap import Minimap

    clicks: list[tuple[float, float]] = []
    made = Minimap(base.a2dBottomLeft, quadrants(), SquareFrame(),
                   [((100.0, 300.0), (1.0, 0.0, 1.0))], lambda x, y: clicks.append((x, y)),
                   font=fonts[0], catalogue=cat)
    made.clicks = clicks
    yield made
    made.destroy()


def test_minimap_click_uv_gives_world_coordinates(minimap: Any) -> None:
    assert minimap.click_uv(0.25, 0.75) == (-150.0, 550.0)
    assert minimap.clicks == [(-150.0, 550.0)]


def test_minimap_press_goes_through_the_click_frame(base: Any, minimap: Any, mouse: Any
                                                    ) -> None:
    from direct.gui.DirectGuiGlobals import B1PRESS
    from panda3d.core import MouseButton, Point2, Point3

    # A PGMouseWatcherParameter cannot be made in Python (no constructor, no setters), so
    # first a stand-in with its getMouse(), sent as DirectGUI's press event...
    class Param:
        def getMouse(self) -> Point2:  # noqa: N802 - Panda3D's method name
            p = base.render2d.get_relative_point(minimap.map_node, Point3(
                0.1 * minimap.map_size[0], 0, 0.9 * minimap.map_size[1]))
            return Point2(p.x, p.z)

    base.messenger.send(B1PRESS + minimap.click_frame.guiId, [Param()])
    assert minimap.clicks[-1] == pytest.approx((-300.0, 700.0), abs=1e-3)
    # ...then a real press at a window pixel, through a MouseWatcher.
    frames(base)
    col, row = pixel(base, minimap.map_node, 0.75 * minimap.map_size[0],
                     0.25 * minimap.map_size[1])
    mouse.set_mouse_pos(col, row)
    frames(base)
    mouse.press_button(MouseButton.one())
    frames(base)
    mouse.release_button(MouseButton.one())
    frames(base)
    assert len(minimap.clicks) == 2
    x, y = minimap.clicks[-1]
    step = 1000 / (minimap.map_size[1] / 2 * H)  # metres per window pixel
    assert x == pytest.approx(350.0, abs=2 * step) and y == pytest.approx(50.0, abs=2 * step)


def test_minimap_visitor_marker_moves_and_turns(base: Any, minimap: Any) -> None:
    from panda3d.core import Vec3

    assert minimap.marker.is_hidden()
    minimap.set_visitor(100.0, 300.0, 0.0)
    mw, mh = minimap.map_size
    pos = minimap.marker.get_pos(minimap.map_node)
    assert (pos.x, pos.z) == pytest.approx((0.5 * mw, 0.5 * mh))
    for heading, (dx, dz) in ((0, (0, 1)), (90, (1, 0)), (180, (0, -1)), (270, (-1, 0)),
                              (45, (0.7071, 0.7071))):
        minimap.set_visitor(-400.0, -200.0, heading)
        tip = base.aspect2d.get_relative_vector(minimap.marker, Vec3(0, 0, 1))
        tip.normalize()
        assert (tip.x, tip.z) == pytest.approx((dx, dz), abs=1e-3), heading
    assert minimap.marker.get_pos(minimap.map_node).x == pytest.approx(0.0)
    minimap.set_visitor(5000.0, 300.0, 0.0)  # off the map: waits at the east edge
    assert minimap.marker.get_pos(minimap.map_node).x == pytest.approx(mw)


def test_minimap_draws_the_image_north_up(base: Any, minimap: Any, cat: Any,
                                         fonts: Any) -> None:
    image = quadrants()
    shot = screenshot(base)
    mw, mh = minimap.map_size
    for u, v, row, colm in ((0.25, 0.75, 0, 0), (0.75, 0.75, 0, 63), (0.2, 0.2, 63, 0),
                            (0.8, 0.2, 63, 63)):
        col, r = pixel(base, minimap.map_node, u * mw, v * mh)
        got = shot[r - 2:r + 3, col - 2:col + 3].reshape(-1, 3).mean(axis=0)
        assert np.abs(got - image[row, colm, :3]).max() < 12, (u, v, got)
    assert on_screen(base, minimap.node)
    assert minimap.text() == [cat.text("minimap.title", "ko")]
    minimap.set_language("en")
    assert minimap.text() == ["Map"]
    no_missing_glyphs(fonts, [cat.text("minimap.title", "ko")])


def test_minimap_takes_the_real_map_frame(base: Any, fonts: Any, cat: Any) -> None:
    """gwangju_twin.mesh.topdown.MapFrame, the frame the viewer passes, fits the same slot."""
    from gwangju_twin.ui.minimap import Minimap

    topdown = pytest.importorskip("gwangju_twin.mesh.topdown")
    frame = topdown.MapFrame((-400.0, -200.0, 600.0, 800.0), 64)
    clicks: list[tuple[float, float]] = []
    made = Minimap(base.a2dBottomLeft, quadrants(), frame, [((100.0, 300.0), (1, 0, 0))],
                   lambda x, y: clicks.append((x, y)), font=fonts[0], catalogue=cat)
    try:
        made.click_uv(0.25, 0.75)
        assert clicks == [SquareFrame().to_world(0.25, 0.75)]
        made.set_visitor(100.0, 300.0, 30.0)
        pos = made.marker.get_pos(made.map_node)
        assert (pos.x, pos.z) == pytest.approx((made.map_size[0] / 2, made.map_size[1] / 2))
    finally:
        made.destroy()


def test_image_texture_rejects_a_wrong_array() -> None:
    from gwangju_twin.ui.minimap import image_texture

    with pytest.raises(ValueError, match=r"\(h, w, 4\) uint8"):
        image_texture(np.zeros((8, 8, 3), np.uint8))


# -- HUD and toast -------------------------------------------------------------------------


def test_hud_rewrites_only_on_change(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.hud import Hud

    hud = Hud(base.a2dBottomRight, fonts[0], cat)
    try:
        assert not hud.visible and hud.text() == []
        assert hud.update(59.6, 16.78, 120, "orbit")
        assert hud.text() == ["60 FPS · 16.8 ms", "드로우 콜 120", "시점 궤도"]
        assert not hud.update(60.2, 16.81, 120, "orbit")  # the same once rounded
        assert hud.rewrites == 1
        assert hud.update(60.2, 16.81, 121, "orbit")
        hud.set_language("en")
        assert hud.text() == ["60 FPS · 16.8 ms", "121 draw calls", "Orbit view"]
        no_missing_glyphs(fonts, hud.text())
        hud.show()
        lo, hi = hud.node.get_tight_bounds(base.aspect2d)
        assert hi.x < base.a2dRight and lo.z > base.a2dBottom and lo.x > 0.5
    finally:
        hud.destroy()


def test_toast_goes_away_by_itself(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.toast import Toast

    toast = Toast(base.a2dBottomCenter, fonts[0])
    try:
        assert toast.text() == [] and not toast.visible
        message = cat.text("toast.invert_on", "ko")
        toast.show(message, seconds=1.0)
        assert toast.text() == [message]
        no_missing_glyphs(fonts, toast.text())
        toast.update(0.5)
        assert toast.visible and toast.node.get_color_scale()[3] == 1.0
        toast.update(0.4)
        assert toast.visible and toast.node.get_color_scale()[3] < 1.0  # fading
        toast.update(0.2)
        assert not toast.visible and toast.text() == []
    finally:
        toast.destroy()


# -- all together --------------------------------------------------------------------------


def test_english_leaves_no_korean_behind(base: Any, fonts: Any, cat: Any) -> None:
    """set_language("en") rewrites every string: nothing Korean stays on screen but the
    names of the Korean language itself (the toggle and its help line)."""
    from gwangju_twin.ui.help import HelpOverlay
    from gwangju_twin.ui.hud import Hud
    from gwangju_twin.ui.menu import MenuEntry, PavilionMenu
    from gwangju_twin.ui.minimap import Minimap
    from gwangju_twin.ui.searchbox import SearchBox
    from gwangju_twin.ui.toolbar import Toolbar
    from gwangju_twin.ui.tourbar import TourBar

    tour = TourBar(base.a2dBottomCenter, fonts[0], cat)
    tour.show_stop(1, 7, "제조", "Manufacturing", NARRATION_KO, NARRATION_EN)
    tour.set_paused(True)
    search = SearchBox(base.a2dTopCenter, fonts[0], cat, search=lambda q: PLACES)
    search.set_query("광주")
    hud = Hud(base.a2dBottomRight, fonts[0], cat)
    hud.update(60, 16.7, 10, "fly")
    menu = PavilionMenu(base.a2dTopLeft, fonts[0], cat,
                        entries=[MenuEntry(s.id, s.name_ko, s.name_en, s.color, True)
                                 for s in SECTORS])
    menu.set_current("mobility")
    made = [Toolbar(base.a2dTopLeft, fonts[0], cat), menu, tour, search, hud,
            HelpOverlay(base.aspect2d, fonts[0], cat),
            Minimap(base.a2dBottomLeft, quadrants(), SquareFrame(), [], print,
                    font=fonts[0], catalogue=cat)]
    try:
        for widget in made:
            korean = widget.text()
            assert any(_hangul(s) for s in korean), type(widget).__name__
            widget.set_language("en")
            # The help shows every control in both languages (the README promises it): its
            # Korean lines stay, as the other language's, under the English ones.
            bilingual = ({cat.text(k, "ko") for k in cat.keys if k.startswith("help.")}
                         if isinstance(widget, HelpOverlay) else set())
            english = [s for s in widget.text()
                       if s not in ("광주",) and s not in bilingual]  # the typed query
            left = [s for s in english if _hangul(s.replace("한국어", ""))]
            assert left == [], type(widget).__name__
            assert widget.language == "en"
    finally:
        for widget in made:
            widget.destroy()


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_destroy_removes_every_gui_item(base: Any, fonts: Any, cat: Any) -> None:
    from direct.gui.DirectGuiBase import DirectGuiWidget

    from gwangju_twin.ui.help import HelpOverlay
    from gwangju_twin.ui.menu import MenuEntry, PavilionMenu
    from gwangju_twin.ui.minimap import Minimap
    from gwangju_twin.ui.searchbox import SearchBox
    from gwangju_twin.ui.toolbar import Toolbar
    from gwangju_twin.ui.tourbar import TourBar

    before = len(DirectGuiWidget.guiDict)
    made = [Toolbar(base.a2dTopLeft, fonts[0], cat),
            PavilionMenu(base.a2dTopLeft, fonts[0], cat,
                         entries=[MenuEntry("a", "가", "A", (1, 0, 0), False)]),
            TourBar(base.a2dBottomCenter, fonts[0], cat),
            SearchBox(base.a2dTopCenter, fonts[0], cat),
            HelpOverlay(base.aspect2d, fonts[0], cat),
            Minimap(base.a2dBottomLeft, quadrants(), SquareFrame(), [], print,
                    font=fonts[0], catalogue=cat)]
    assert len(DirectGuiWidget.guiDict) > before + 20
    for widget in made:
        widget.destroy()
        assert widget.node.is_empty()
    assert len(DirectGuiWidget.guiDict) == before


def test_unknown_language_is_refused(base: Any, fonts: Any, cat: Any) -> None:
    from gwangju_twin.ui.toolbar import Toolbar

    with pytest.raises(ValueError, match="expected 'ko' or 'en'"):
        Toolbar(base.a2dTopLeft, fonts[0], cat, language="fr")
