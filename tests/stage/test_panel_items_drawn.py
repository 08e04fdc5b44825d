"""The panel's items (plugin API 1.1) drawn by the real renderer offscreen (EGL) in this
process: legend swatches in their colours, bars in the order of their values, the gauge's
fill and mark where their numbers put them, an image with its aspect kept; Hangul glyphs,
both languages, and no text running into another.

One ShowBase at 1024x700 (the smallest window the viewer supports) serves the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_kit import no_missing_glyphs, pixel, screenshot

from gwangju_twin.plugins.panel import Panel
from gwangju_twin.ui.label import shade

pytestmark = pytest.mark.render

ACCENT = (0.1, 0.55, 0.3)
FILL = np.array(shade(ACCENT, 0.25)[:3]) * 255  # bars, line and gauge fill
SWATCHES = [(0.9, 0.1, 0.1), (0.95, 0.8, 0.1), (0.1, 0.3, 0.95), (0.6, 0.2, 0.8)]
VALUES = [138.0, 52.0, 152.0, 96.0, 120.0]
STATIONS_KO = ["차체", "도장", "의장", "검사", "출하"]
STATIONS_EN = ["Body", "Paint", "Assembly", "Inspection", "Shipping"]
# The picture: left half red, right half blue, twice as wide as tall.
PICTURE = (64, 32)


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from panda3d.core import Filename, PNMImage

    folder = tmp_path_factory.mktemp("assets")
    img = PNMImage(*PICTURE)
    img.fill(0.85, 0.1, 0.1)
    for x in range(PICTURE[0] // 2, PICTURE[0]):
        for y in range(PICTURE[1]):
            img.set_xel(x, y, 0.1, 0.2, 0.85)
    assert img.write(Filename.from_os_specific(str(folder / "halves.png")))
    tall = PNMImage(16, 64)
    tall.fill(0.2, 0.7, 0.3)
    assert tall.write(Filename.from_os_specific(str(folder / "tall.png")))
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    return folder


def _panel(assets: Path) -> Panel:
    panel = Panel("제조 생산라인", "Production line", assets=assets)
    panel.accent = ACCENT
    panel.set_line("takt", "택트 140초", "Takt 140 s")
    panel.set_legend("state", [(rgba, ko, en) for rgba, ko, en in zip(
        SWATCHES, ["가동", "대기", "고장", "정지"], ["running", "waiting", "broken", "stopped"],
        strict=True)], "공정 상태", "Station state")
    panel.set_chart("cycle", VALUES, STATIONS_KO, STATIONS_EN, title_ko="공정별 사이클 타임",
                    title_en="Cycle time per station", unit="s")
    panel.set_gauge("oee", 72.4, 0, 100, "설비종합효율", "OEE", mark=85, unit="%")
    return panel


@pytest.fixture
def view(base: Any, fonts: Any, assets: Path) -> Iterator[Any]:
    from gwangju_twin.ui.panel import PanelView

    made = PanelView(_panel(assets), base.aspect2d, fonts[0], bold_font=fonts[1])
    yield made
    made.destroy()


def _box(base: Any, node: Any) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) pixel columns and rows of ``node`` in the window."""
    lo, hi = node.get_tight_bounds(base.render2d)
    w, h = base.win.get_x_size(), base.win.get_y_size()
    return (round((lo.x + 1) / 2 * w), round((1 - hi.z) / 2 * h),
            round((hi.x + 1) / 2 * w), round((1 - lo.z) / 2 * h))


def _near(pixels: np.ndarray, rgb: Any, tolerance: float = 12) -> np.ndarray:
    return np.abs(pixels.astype(int) - np.asarray(rgb)).max(axis=-1) <= tolerance


def _text_boxes(node: Any, relative_to: Any) -> list[tuple[str, float, float, float, float]]:
    """Every non-empty text under ``node``: (text, left, right, bottom, top)."""
    out = []
    for path in node.find_all_matches("**/+TextNode"):
        if path.node().get_text().strip():
            lo, hi = path.get_tight_bounds(relative_to)
            out.append((path.node().get_text(), lo.x, hi.x, lo.z, hi.z))
    return out


def _overlaps(boxes: list[tuple[str, float, float, float, float]]) -> list[tuple[str, str]]:
    eps = 1e-4
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[1] < b[2] - eps and b[1] < a[2] - eps and a[3] < b[4] - eps
            and b[3] < a[4] - eps]


# -- what is drawn --------------------------------------------------------------------------


def test_every_item_is_drawn_after_the_lines(view: Any) -> None:
    for key in ("state", "cycle", "oee"):
        assert not view.node.find(f"**/item-{key}").is_empty(), key
    assert view.text() == view.panel.text("ko")
    assert view.text()[-1] == "설비종합효율: 72.4 % (0–100 %, 기준 85)"
    takt = view.node.find("**/line-takt").get_tight_bounds(view.node)[0].z
    legend = view.node.find("**/item-state").get_tight_bounds(view.node)[1].z
    chart = view.node.find("**/item-cycle").get_tight_bounds(view.node)[1].z
    assert takt > legend > chart  # lines first, then items in the order they were set


@pytest.mark.parametrize("language", ["ko", "en"])
def test_items_follow_the_language_with_no_text_overlapping(base: Any, view: Any,
                                                            fonts: Any, language: str
                                                            ) -> None:
    view.set_language(language)
    shown = [b[0] for b in _text_boxes(view.node, base.aspect2d)]
    mine, other = (STATIONS_EN, STATIONS_KO) if language == "en" else (STATIONS_KO,
                                                                       STATIONS_EN)
    assert set(mine) & set(shown) and not set(other) & set(shown)
    assert ("running" in shown) == (language == "en") and ("가동" in shown) == (language == "ko")
    no_missing_glyphs(fonts, shown)
    assert _overlaps(_text_boxes(view.node, base.aspect2d)) == []


@pytest.mark.parametrize("language", ["ko", "en"])
def test_crowded_charts_thin_their_labels_instead_of_overlapping(base: Any, fonts: Any,
                                                                 language: str) -> None:
    from gwangju_twin.ui.panel import PanelView

    panel = Panel("시간대별 출동", "Dispatches by hour")
    hours = range(24)
    panel.set_chart("day", [(h * 7) % 13 - 3 for h in hours], [f"{h}시" for h in hours],
                    [f"{h}:00" for h in hours], kind="line", unit="건")
    panel.set_chart("bars", [-1250.5, 3000, 17, 0, 2400.25, 999],
                    ["아주 긴 이름의 공정", "도장", "의장", "검사", "출하", "대기"],
                    ["A very long station name", "Paint", "Assembly", "Inspection",
                     "Shipping", "Queue"], title_ko="아주 긴 제목이 붙은 차트가 두 줄로 넘어갈 때",
                    title_en="A chart whose title is long enough to wrap onto a second row",
                    unit="kWh")
    panel.set_gauge("g", 99, 0, 100, "거의 다 찬 게이지", "An almost full gauge", mark=97,
                    unit="%")
    panel.set_gauge("h", 3, 0, 100, "기준이 맨 앞", "Mark at the start", mark=1)
    view = PanelView(panel, base.aspect2d, fonts[0], language=language, bold_font=fonts[1])
    try:
        boxes = _text_boxes(view.node, base.aspect2d)
        assert _overlaps(boxes) == []
        labels = [b[0] for b in boxes if b[0].endswith(("시", ":00"))]
        assert 4 <= len(labels) < 24  # thinned out, not dropped
        card_lo, card_hi = view.node.find("**/board").get_tight_bounds(base.aspect2d)
        for text, x0, x1, z0, _ in boxes:  # nothing sticks out of the card
            assert card_lo.x <= x0 and x1 <= card_hi.x and card_lo.z <= z0, text
        # Negative bars hang below the zero rule.
        bar = view.node.find("**/item-bars/bar-0").get_tight_bounds(base.aspect2d)
        zero = view.node.find("**/item-bars/rule-1").get_tight_bounds(base.aspect2d)
        assert bar[1].z == pytest.approx((zero[0].z + zero[1].z) / 2, abs=1e-3)
    finally:
        view.destroy()


# -- pixels ---------------------------------------------------------------------------------


def test_legend_swatches_show_their_colours(base: Any, view: Any) -> None:
    image = screenshot(base)
    for i, rgb in enumerate(SWATCHES):
        c0, r0, c1, r1 = _box(base, view.node.find(f"**/swatch-{i}"))
        assert c1 - c0 >= 10 and r1 - r0 >= 10  # big enough to read the colour
        centre = image[r0 + 3:r1 - 3, c0 + 3:c1 - 3]
        assert _near(centre, np.array(rgb) * 255, 3).mean() > 0.95, (i, centre[0, 0])


def test_bars_rise_in_the_order_of_their_values(base: Any, view: Any) -> None:
    image = screenshot(base)
    _, top, _, bottom = _box(base, view.node.find("**/item-cycle"))
    heights = []
    for i in range(len(VALUES)):
        c0, _, c1, _ = _box(base, view.node.find(f"**/item-cycle/bar-{i}"))
        column = image[top:bottom, (c0 + c1) // 2]
        heights.append(int(_near(column, FILL).sum()))
    assert np.argsort(heights).tolist() == np.argsort(VALUES).tolist(), heights
    # Lengths in proportion to the values (the axis starts at zero).
    assert heights[2] / heights[1] == pytest.approx(VALUES[2] / VALUES[1], rel=0.08)


def test_gauge_fills_to_its_value_and_marks_its_mark(base: Any, view: Any) -> None:
    image = screenshot(base)
    c0, r0, c1, r1 = _box(base, view.node.find("**/gauge-track"))
    row = image[(r0 + r1) // 2, c0:c1]
    filled = np.nonzero(_near(row, FILL))[0]
    assert filled.min() <= 3
    assert (filled.max() + 1) / (c1 - c0) == pytest.approx(0.724, abs=0.015)
    white = np.nonzero(row.min(axis=1) > 235)[0]
    assert len(white) and white.mean() / (c1 - c0) == pytest.approx(0.85, abs=0.015)
    # The mark reaches past the bar, above and below it.
    mark = _box(base, view.node.find("**/gauge-mark"))
    assert mark[1] < r0 and mark[3] > r1
    # The mark's number steps aside (here to its left) so both ends of the range still show.
    for name in ("gauge-lo", "gauge-hi", "gauge-mark-value"):
        assert not view.node.find(f"**/{name}").is_empty(), name
    assert _box(base, view.node.find("**/gauge-mark-value"))[2] <= mark[0]


def test_image_keeps_its_aspect_and_orientation(base: Any, fonts: Any, assets: Path) -> None:
    from gwangju_twin.ui.panel import PanelView
    from gwangju_twin.ui.picture import MAX_HEIGHT

    panel = Panel("그림", "Picture", assets=assets)
    panel.set_image("halves", "halves.png")
    view = PanelView(panel, base.aspect2d, fonts[0], bold_font=fonts[1])
    try:
        image = screenshot(base)
        c0, r0, c1, r1 = _box(base, view.node.find("**/image"))
        assert (c1 - c0) / (r1 - r0) == pytest.approx(PICTURE[0] / PICTURE[1], rel=0.03)
        board = _box(base, view.node.find("**/board"))
        assert (c1 - c0) > 0.8 * (board[2] - board[0])  # as wide as the panel's text
        mid = (r0 + r1) // 2
        left, right = image[mid, c0 + 4:(c0 + c1) // 2 - 4], image[mid, (c0 + c1) // 2 + 4:c1 - 4]
        assert _near(left, (217, 26, 26), 6).mean() > 0.95
        assert _near(right, (26, 51, 217), 6).mean() > 0.95
        # A tall picture is narrowed, not stretched, to stay within MAX_HEIGHT.
        panel.set_image("halves", "tall.png")
        view.refresh()
        lo, hi = view.node.find("**/image").get_tight_bounds(view.node)
        assert hi.z - lo.z == pytest.approx(MAX_HEIGHT)
        assert hi.x - lo.x == pytest.approx(MAX_HEIGHT / 4)
    finally:
        view.destroy()


def test_an_unreadable_image_shows_a_notice_not_an_error(base: Any, fonts: Any,
                                                         assets: Path) -> None:
    from gwangju_twin.ui.panel import PanelView

    panel = Panel("그림", "Picture", assets=assets)
    panel.set_image("broken", "broken.png")  # the right first bytes, nothing after them
    view = PanelView(panel, base.aspect2d, fonts[0], language="en", bold_font=fonts[1])
    try:
        assert view.node.find("**/image").is_empty()
        assert "Image unavailable" in [b[0] for b in _text_boxes(view.node, base.aspect2d)]
    finally:
        view.destroy()


def test_hangul_labels_render_as_glyphs(base: Any, view: Any) -> None:
    """Each Korean station label under the bars leaves light ink on the dark board, and
    different syllables leave different ink (boxes for missing glyphs would all match)."""
    image = screenshot(base)
    inks = []
    for i in range(len(VALUES)):
        label = view.node.find(f"**/item-cycle/label-{i}")
        if label.is_empty():
            continue
        c0, r0, c1, r1 = _box(base, label)
        # 12 px glyphs at this window's size: antialiased strokes, seldom fully white.
        ink = image[r0:r1 + 1, c0:c1 + 1].min(axis=2) > 110
        assert ink.sum() > 20, STATIONS_KO[i]
        inks.append(ink)
    assert len(inks) >= 3
    shapes = {tuple(ink.sum(axis=0)) for ink in inks}
    assert len(shapes) == len(inks)


def test_changing_an_item_redraws_and_leaks_nothing(base: Any, view: Any) -> None:
    before = view.rebuilds
    view.refresh()
    assert view.rebuilds == before
    nodes = base.aspect2d.find_all_matches("**").get_num_paths()
    for value in (10.0, 50.0, 90.0):
        view.panel.set_gauge("oee", value, 0, 100, "설비종합효율", "OEE", mark=85, unit="%")
        view.refresh()
    assert view.rebuilds == before + 3
    assert base.aspect2d.find_all_matches("**").get_num_paths() == nodes
    view.panel.remove_item("oee")
    view.refresh()
    assert view.node.find("**/item-oee").is_empty()



# -- a panel taller than the window ---------------------------------------------------------


def _tall_panel() -> Panel:
    panel = Panel("아주 꽉 찬 패널", "A very full panel")
    panel.accent = ACCENT
    for i in range(12):
        panel.set_line(f"l{i}", f"{i + 1}번째 줄의 설명", f"Line number {i + 1}")
    for key in ("a", "b"):  # in colours other than the gauge's fill
        panel.set_legend(key, [(SWATCHES[i % 2 * 2], f"{i}번째 항목의 긴 설명",
                                f"The long description of entry {i}") for i in range(8)],
                         "범례", "Legend")
    panel.set_gauge("last", 50, 0, 100, "마지막 게이지", "Last gauge", mark=80)
    for key in ("go", "stop"):
        panel.add_button(key, "버튼", "Button", lambda: None)
    return panel


def test_a_very_full_panel_scrolls_instead_of_shrinking_its_buttons(base: Any, fonts: Any
                                                                    ) -> None:
    from gui_kit import click

    from gwangju_twin.ui.panel import MIN_SCALE, PanelView

    view = PanelView(_tall_panel(), base.aspect2d, fonts[0], bold_font=fonts[1])
    try:
        assert view.scrollable > 0
        assert view.node.get_sz() == pytest.approx(MIN_SCALE)
        for button in [*view.buttons, *view.scroll_buttons]:  # still touch-sized
            _, _, bottom, top = button["frameSize"]
            assert (top - bottom) * button.get_sz(base.render2d) * 1080 / 2 >= 48
        up, down = view.scroll_buttons
        assert (up.get_name(), down.get_name()) == ("scroll-up", "scroll-down")
        assert up["state"] == "disabled"  # at the top
        lo, hi = view.node.find("**/board").get_tight_bounds(base.render2d)
        assert lo.z >= -1.0 and hi.z <= 1.0  # the card stays on the screen

        def gauge_pixels() -> int:
            """The gauge's fill colour in the body's window, above the ▲ ▼ buttons."""
            c0, r0, c1, _ = _box(base, view.node.find("**/board"))
            up = view.scroll_buttons[0]
            r1 = pixel(base, up, 0.0, up["frameSize"][3])[1]
            return int(_near(screenshot(base)[r0:r1, c0:c1], FILL).sum())

        assert gauge_pixels() == 0  # the last item is below the fold, clipped
        for _ in range(10):
            click(base, down)
        assert gauge_pixels() > 200  # scrolled into view
        # The plugin updating its panel keeps the visitor's place.
        view.panel.set_gauge("last", 60, 0, 100, "마지막 게이지", "Last gauge", mark=80)
        view.refresh()
        assert gauge_pixels() > 200
        assert view.scroll_buttons[1]["state"] == "disabled"  # at the end
        # Updates rebuild the card, scroll row and wheel catcher without leaking GUI items.
        from direct.gui.DirectGuiBase import DirectGuiWidget

        def census() -> tuple[int, int, int]:
            hooks = sum(len(base.messenger.whoAccepts(e) or {})
                        for e in base.messenger.getEvents())
            return (base.aspect2d.find_all_matches("**").get_num_paths(),
                    len(DirectGuiWidget.guiDict), hooks)

        start = census()
        for i in range(10):
            view.panel.set_line("l0", f"줄 {i}", f"line {i}")
            view.refresh()
        assert census() == start
        view.scroll(-100)
        assert gauge_pixels() == 0
    finally:
        view.destroy()


def test_a_panel_that_fits_does_not_scroll(base: Any, view: Any) -> None:
    assert view.scrollable == 0
    assert view.node.find("**/scroll-down").is_empty()
    view.scroll(3)  # harmless
    assert view.node.find("**/body").get_z() == 0


@pytest.mark.parametrize(("lo", "hi", "ticks"), [
    (0, 152, [0, 50, 100, 150, 200]),
    (0, 13, [0, 5, 10, 15]),
    (-3, 7, [-5, 0, 5, 10]),
    (0, 0, [0, 0.25, 0.5, 0.75, 1]),
    (5, 5, [0, 2, 4, 6]),
    (0, 97, [0, 25, 50, 75, 100]),
    (-1250.5, 3000, [-2000, 0, 2000, 4000]),
])
def test_chart_axes_run_from_zero_in_round_steps(lo: float, hi: float, ticks: list[float]
                                                 ) -> None:
    from gwangju_twin.ui.chart import axis_ticks

    assert axis_ticks(lo, hi) == pytest.approx(ticks)


def test_the_wheel_over_a_scrolling_body_scrolls_it_not_the_camera(base: Any, fonts: Any,
                                                                   mouse: Any) -> None:
    """A real wheel turn (through a MouseWatcher) over the body scrolls it, and the world
    behind the card (the camera's zoom) does not hear it."""
    from direct.showbase.DirectObject import DirectObject
    from gui_kit import frames
    from panda3d.core import MouseButton

    from gwangju_twin.ui.panel import PanelView

    heard: list[str] = []
    listener = DirectObject()
    listener.accept("world-wheel_down", lambda: heard.append("wheel_down"))
    view = PanelView(_tall_panel(), base.aspect2d, fonts[0], bold_font=fonts[1])
    try:
        body = view.node.find("**/body")
        line = view.node.find("**/line-l3")
        mouse.set_mouse_pos(*pixel(base, line, 0.1, 0.0))
        frames(base)
        mouse.press_button(MouseButton.wheel_down())
        mouse.release_button(MouseButton.wheel_down())
        frames(base)
        assert body.get_z() > 0 and heard == []
        mouse.set_mouse_pos(40, 350)  # the sky, left of the card: the camera's wheel
        frames(base)
        mouse.press_button(MouseButton.wheel_down())
        mouse.release_button(MouseButton.wheel_down())
        frames(base)
        assert heard == ["wheel_down"]
    finally:
        listener.ignore_all()
        view.destroy()
