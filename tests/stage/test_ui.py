"""On-screen text: the Hangul font, bilingual labels and the plugin panel view.

Scene-graph tests share one ShowBase with window-type none in this process
(``windowless_base``); the pixel tests render offscreen (EGL, no display) in a subprocess, as
tests/system/test_render.py does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from render_helpers import REPO, read_png

from gwangju_twin.errors import InputError
from gwangju_twin.plugins.panel import Panel, PanelLine
from gwangju_twin.scene.sectors import SECTORS

pytestmark = pytest.mark.render

NOTICE_KO, NOTICE_EN = "데모를 사용할 수 없습니다", "Demo unavailable"




@pytest.fixture(scope="module")
def windowless_fonts(windowless_base: Any) -> tuple[Any, Any]:
    """The regular and bold Hangul fonts, loaded through the windowless ShowBase's loader."""
    from gwangju_twin.ui import load_font

    return load_font(windowless_base.loader), load_font(windowless_base.loader, bold=True)


# -- fonts ---------------------------------------------------------------------------------


def test_shipped_font_is_kurinto_sans_kr() -> None:
    from gwangju_twin.ui import hangul_font_path

    assert hangul_font_path().name == "KurintoSansKR-Rg.ttf"
    assert hangul_font_path(bold=True).name == "KurintoSansKR-Bd.ttf"
    assert "weblate_fonts" in hangul_font_path().parts


def test_font_has_every_glyph_the_viewer_shows(windowless_fonts: tuple[Any, Any]) -> None:
    from gwangju_twin.ui import missing_glyphs

    text = "".join(s.name_ko + s.name_en for s in SECTORS) + NOTICE_KO + NOTICE_EN + "·…"
    for font in windowless_fonts:
        assert missing_glyphs(font, text) == ""


def test_missing_glyphs_reports_what_the_font_lacks(windowless_fonts: tuple[Any, Any]) -> None:
    from gwangju_twin.ui import missing_glyphs

    # A private-use code point and a Runic letter: no Korean font has either.
    assert missing_glyphs(windowless_fonts[0], "가\ue000A ᚠ가\ue000") == "\ue000ᚠ"


def test_load_font_is_cached_per_loader_and_weight(windowless_base: Any,
                                                   windowless_fonts: tuple[Any, Any]) -> None:
    from gwangju_twin.ui import load_font
    from gwangju_twin.ui.fonts import PIXELS_PER_UNIT

    regular, bold = windowless_fonts
    assert load_font(windowless_base.loader) is regular
    assert load_font(windowless_base.loader, bold=True) is bold
    assert regular is not bold
    assert regular.get_pixels_per_unit() == PIXELS_PER_UNIT


def test_a_second_loader_gets_the_same_working_font(windowless_base: Any,
                                                    windowless_fonts: tuple[Any, Any]) -> None:
    """Panda3D pools fonts per file: a second ShowBase in one process (tests, a restarted
    viewer) must not trip over the first one's font, which already has glyph pages."""
    from direct.showbase.Loader import Loader
    from panda3d.core import TextNode

    from gwangju_twin.ui import load_font, missing_glyphs

    TextNode("warm-up").set_font(windowless_fonts[0])
    _label(windowless_fonts).node.find("ko").node().generate()  # makes glyph pages
    assert windowless_fonts[0].get_num_pages() > 0
    other = Loader(windowless_base)
    try:
        again = load_font(other)
        assert again.get_num_pages() > 0
        assert missing_glyphs(again, NOTICE_KO) == ""
    finally:
        other.destroy()


def test_no_hangul_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from gwangju_twin.ui import fonts as fonts_module

    monkeypatch.setattr(fonts_module, "_candidates", lambda bold: [tmp_path / "none.ttf"])
    with pytest.raises(InputError, match="pip install weblate-fonts"):
        fonts_module.hangul_font_path()


# -- labels --------------------------------------------------------------------------------


def _label(fonts: tuple[Any, Any], height: float = 6.0) -> Any:
    from gwangju_twin.ui import BilingualLabel

    sec = SECTORS[0]
    return BilingualLabel(sec.name_ko, sec.name_en, fonts[0], sec.color, height=height,
                          bold_font=fonts[1])


def _texts(node: Any) -> list[str]:
    """The text of every TextNode under ``node``, in drawing (scene-graph) order."""
    from panda3d.core import TextNode

    out = [node.node().get_text()] if isinstance(node.node(), TextNode) else []
    for child in node.get_children():
        out += _texts(child)
    return out


def test_label_has_korean_over_english(windowless_fonts: tuple[Any, Any]) -> None:
    label = _label(windowless_fonts)
    ko, en = label.node.find("ko"), label.node.find("en")
    assert _texts(label.node) == [SECTORS[0].name_ko, SECTORS[0].name_en]
    assert label.text() == [SECTORS[0].name_ko, SECTORS[0].name_en]
    # Korean above and larger than English.
    assert ko.get_z(label.node) > en.get_z(label.node)
    assert ko.get_sz() > en.get_sz()
    assert ko.node().get_font() == windowless_fonts[1]  # the Korean name is bold


def test_label_faces_the_camera_and_stays_on_top(windowless_fonts: tuple[Any, Any]) -> None:
    from panda3d.core import NodePath, Vec3

    label = _label(windowless_fonts)
    node = label.node
    world = NodePath("world")
    camera = world.attach_new_node("camera")
    camera.set_pos(-300, -500, 200)
    camera.look_at(40, 60, 0)
    node.reparent_to(world)
    label.set_pos(100, 50, 20)  # off the camera's axis: still parallel to the picture
    label.face(camera)
    assert node.get_relative_vector(camera, Vec3(0, 0, 1)).normalized().almost_equal(
        Vec3(0, 0, 1), 1e-4)  # upright on screen
    assert node.get_relative_vector(camera, Vec3(0, 1, 0)).normalized().almost_equal(
        Vec3(0, 1, 0), 1e-4)  # its front (-Y) towards the camera
    assert node.get_bin_name() == "fixed"
    assert node.has_depth_test() and not node.get_depth_test()
    assert node.has_depth_write() and not node.get_depth_write()
    assert node.has_light_off() and node.has_fog_off()


def test_label_origin_is_bottom_centre_and_height_scales(windowless_fonts: tuple[Any, Any]) -> None:
    from panda3d.core import NodePath

    world = NodePath("world")
    small, big = _label(windowless_fonts, 6.0), _label(windowless_fonts, 12.0)
    small.reparent_to(world)
    big.reparent_to(world)
    small.set_pos(100, 50, 20)
    card_lo, card_hi = small.node.find("card").get_tight_bounds(world)
    # The card's tail ends at the label's position; the card is centred above it.
    assert card_lo.z == pytest.approx(20.0, abs=1e-3)
    assert (card_lo.x + card_hi.x) / 2 == pytest.approx(100.0, abs=1e-3)
    assert card_hi.z > 20.0 + 6.0 * 2
    # `height` is the Korean line's em in world units.
    assert small.node.find("ko").get_sz(world) == pytest.approx(6.0)
    assert big.node.find("ko").get_sz(world) == pytest.approx(12.0)
    big_lo, big_hi = big.node.find("card").get_tight_bounds(world)
    assert big_hi.z - big_lo.z == pytest.approx(2 * (card_hi.z - card_lo.z), rel=1e-3)


def test_label_notice_appears_and_disappears(windowless_fonts: tuple[Any, Any]) -> None:
    label = _label(windowless_fonts)
    plain = label.node.get_tight_bounds()
    label.set_notice(NOTICE_KO, NOTICE_EN)
    notice = label.node.find("notice")
    assert not notice.is_empty()
    assert NOTICE_KO in notice.node().get_text() and NOTICE_EN in notice.node().get_text()
    red, green, blue, _ = notice.node().get_text_color()
    assert red > 0.6 and green < 0.3 and blue < 0.3
    assert notice.get_z(label.node) < label.node.find("en").get_z(label.node)
    card_with_notice = label.node.get_tight_bounds()
    assert card_with_notice[1].z > plain[1].z  # the card grew to hold it
    label.clear_notice()
    assert label.node.find("notice").is_empty()
    assert len(_texts(label.node)) == 2
    assert label.node.get_tight_bounds()[1].z == pytest.approx(plain[1].z)


def test_nearer_labels_draw_over_farther_ones(windowless_base: Any,
                                              windowless_fonts: tuple[Any, Any]) -> None:
    from panda3d.core import NodePath

    from gwangju_twin.ui import stack_by_distance

    camera = NodePath("camera")
    near, far = _label(windowless_fonts), _label(windowless_fonts)
    near.set_pos(0, 10, 0)
    far.set_pos(0, 100, 0)
    stack_by_distance([near, far], camera)
    assert near.node.get_bin_draw_order() > far.node.get_bin_draw_order()
    camera.set_pos(0, 200, 0)  # now `far` is the nearer one
    stack_by_distance([near, far], camera)
    assert far.node.get_bin_draw_order() > near.node.get_bin_draw_order()


# -- panel view ----------------------------------------------------------------------------


def _panel() -> Panel:
    panel = Panel("친환경자율주행 셔틀", "Autonomous shuttle")
    panel.accent = SECTORS[1].color
    panel.set_line("count", "운행 중인 셔틀: 12대", "Shuttles running: 12")
    panel.set_line("wait", "평균 대기 시간 3분", "Average wait 3 min")
    panel.add_button("start", "운행 시작", "Start service", lambda: None)
    panel.add_button("stop", "모두 정지", "Stop all", lambda: None)
    return panel


@pytest.fixture
def view(windowless_base: Any, windowless_fonts: tuple[Any, Any]) -> Iterator[Any]:
    from gwangju_twin.ui import PanelView

    made = PanelView(_panel(), windowless_base.aspect2d, windowless_fonts[0],
                     bold_font=windowless_fonts[1])
    yield made
    made.destroy()


def test_panel_view_draws_the_model(view: Any) -> None:
    panel = view.panel
    labels = [b.ko for b in panel.buttons]
    assert view.text() == panel.text("ko") + labels
    assert [b["text"] for b in view.buttons] == labels
    drawn = _texts(view.node)
    for text in panel.text("ko"):
        assert text in drawn
    assert view.node.find("**/title-accent").get_color() is not None


def test_panel_view_switches_language(view: Any) -> None:
    view.set_language("en")
    assert view.text() == [*view.panel.text("en"), "Start service", "Stop all"]
    assert "Shuttles running: 12" in _texts(view.node)
    assert "운행 중인 셔틀: 12대" not in _texts(view.node)
    view.set_language("ko")
    assert "운행 중인 셔틀: 12대" in _texts(view.node)
    with pytest.raises(ValueError, match="expected 'ko' or 'en'"):
        view.set_language("fr")


def test_refresh_redraws_only_after_a_change(view: Any) -> None:
    before, buttons = view.rebuilds, view.buttons
    for _ in range(5):
        view.refresh()
    assert view.rebuilds == before
    assert view.buttons == buttons  # the very same widgets
    view.panel.set_line("count", "운행 중인 셔틀: 13대", "Shuttles running: 13")
    view.refresh()
    assert view.rebuilds == before + 1
    assert "운행 중인 셔틀: 13대" in _texts(view.node)
    # The host sets the notice without a revision: it is noticed all the same.
    view.panel.notice = PanelLine("notice", NOTICE_KO, NOTICE_EN)
    view.refresh()
    assert view.text()[1] == NOTICE_KO
    assert not view.node.find("**/notice").is_empty()


def test_new_lines_keep_the_buttons_and_their_place_under_the_body(
        windowless_base: Any, view: Any) -> None:
    """A demo that updates its text every few seconds must not destroy the button a
    visitor is tapping: the same widgets stay, moved to where the new body ends, and run
    what the panel's button does now."""
    from direct.gui.DirectGuiGlobals import B1CLICK
    from panda3d.core import Point3

    buttons = view.buttons
    first_z = buttons[0].get_pos(view.node).z
    view.panel.set_line("more", "셋째 줄이 생겼습니다", "A third line appeared")
    view.refresh()
    assert view.buttons == buttons and not buttons[0].is_empty()
    assert buttons[0].get_pos(view.node).z < first_z  # moved down under the longer body
    # Where it is drawn is where it is hit: its frame moved with it.
    hit = windowless_base.render2d.get_relative_point(buttons[0], Point3(0, 0, 0))
    assert hit.z < windowless_base.render2d.get_relative_point(
        view.node, Point3(0, 0, first_z)).z
    clicked: list[str] = []
    view.panel.add_button("start", "운행 시작", "Start service", lambda: clicked.append("new"))
    view.refresh()
    assert view.buttons == buttons  # same key and label: kept
    windowless_base.messenger.send(B1CLICK + buttons[0].guiId, [None])
    assert clicked == ["new"]  # the callback the panel has now
    view.panel.add_button("start", "재시작", "Restart", lambda: None)
    view.refresh()
    assert view.buttons != buttons and buttons[0].is_empty()  # a new label: redrawn
    assert [b["text"] for b in view.buttons] == ["재시작", "모두 정지"]


def test_rebuilding_leaks_no_nodes_or_widgets(windowless_base: Any, view: Any) -> None:
    from direct.gui.DirectGuiBase import DirectGuiWidget

    def census() -> tuple[int, int, int]:
        hooks = sum(len(windowless_base.messenger.whoAccepts(e) or {})
                    for e in windowless_base.messenger.getEvents())
        return (windowless_base.aspect2d.find_all_matches("**").get_num_paths(),
                len(DirectGuiWidget.guiDict), hooks)

    start = census()
    for i in range(40):
        view.panel.set_line("count", f"운행 중인 셔틀: {i}대", f"Shuttles running: {i}")
        view.refresh()
    view.panel.set_line("count", "운행 중인 셔틀: 12대", "Shuttles running: 12")
    view.refresh()
    assert view.rebuilds >= 41
    assert census() == start


def test_clicking_a_button_goes_through_run(windowless_base: Any,
                                            windowless_fonts: tuple[Any, Any]) -> None:
    from direct.gui.DirectGuiGlobals import B1CLICK

    from gwangju_twin.ui import PanelView

    clicked: list[str] = []
    ran: list[Any] = []

    def run(fn: Any) -> None:
        ran.append(fn)
        fn()

    panel = _panel()
    panel.add_button("stop", "모두 정지", "Stop all", lambda: clicked.append("stop"))
    view = PanelView(panel, windowless_base.aspect2d, windowless_fonts[0], run=run)
    try:
        stop = view.buttons[1]
        # The event a mouse click on the button raises (DirectButton binds its command to it).
        windowless_base.messenger.send(B1CLICK + stop.guiId, [None])
        assert clicked == ["stop"]
        assert ran == [panel.buttons[1].on_click]
        stop["command"]()  # the command itself also goes through run
        assert clicked == ["stop", "stop"] and len(ran) == 2
    finally:
        view.destroy()


def test_panel_is_docked_right_and_has_big_buttons(windowless_base: Any, view: Any) -> None:
    from panda3d.core import Point3

    def right_edge() -> float:
        return windowless_base.render2d.get_relative_point(view.node, Point3(0, 0, 0)).x

    assert 0.9 < right_edge() < 1.0
    old = windowless_base.aspect2d.get_sx()
    try:
        windowless_base.aspect2d.set_sx(1 / 2.4)  # the window became very wide
        view.refresh()
        assert 0.9 < right_edge() < 1.0
        assert view.node.get_pos().x == pytest.approx(2.4 - 0.05)
    finally:
        windowless_base.aspect2d.set_sx(old)
        view.refresh()
    for button in view.buttons:
        frame = button.guiItem.get_frame()  # left, right, bottom, top
        px_at_1080p = (frame[3] - frame[2]) * button.get_sz(windowless_base.render2d) * 1080 / 2
        assert px_at_1080p >= 48


def test_hide_show_and_destroy(windowless_base: Any, view: Any) -> None:
    from direct.gui.DirectGuiBase import DirectGuiWidget

    view.hide()
    assert view.is_hidden()
    view.show()
    assert not view.is_hidden()
    ids = [b.guiId for b in view.buttons]
    view.destroy()
    assert view.node.is_empty()
    assert not set(ids) & set(DirectGuiWidget.guiDict)
    view.refresh()  # harmless after destroy


# -- pixels --------------------------------------------------------------------------------

RENDER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from gwangju_twin.render.config import configure
    configure("offscreen", (640, 360))
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import CardMaker, Filename, PNMImage, Point2, Point3
    from gwangju_twin.plugins.panel import Panel
    from gwangju_twin.ui import BilingualLabel, PanelView, load_font

    out_dir = Path(sys.argv[1])
    base = ShowBase(windowType="offscreen")
    base.disable_mouse()
    base.set_background_color(0.62, 0.75, 0.88, 1)
    base.camLens.set_fov(50)
    base.camLens.set_near_far(0.5, 1000)
    base.camera.set_pos(0, -10, 1.5)
    base.camera.look_at(0, 0, 1.5)
    font, bold = load_font(base.loader), load_font(base.loader, bold=True)

    def pixel_box(np_):
        lo, hi = np_.get_tight_bounds(base.render)
        xs, ys = [], []
        for x in (lo.x, hi.x):
            for z in (lo.z, hi.z):
                p = base.cam.get_relative_point(base.render, Point3(x, lo.y, z))
                f = Point2()
                assert base.camLens.project(p, f)
                xs.append((f.x + 1) / 2 * 640)
                ys.append((1 - f.y) / 2 * 360)
        return [round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))]

    def pixel_box_of(np_, x0, x1):
        # the pixel columns of text-space x0..x1 on the baseline of np_
        xs = []
        for x in (x0, x1):
            p = base.cam.get_relative_point(np_, Point3(x, 0, 0))
            f = Point2()
            assert base.camLens.project(p, f)
            xs.append(round((f.x + 1) / 2 * 640))
        return xs

    def box2d(lo, hi):
        return [round((lo.x + 1) / 2 * 640), round((1 - hi.z) / 2 * 360),
                round((hi.x + 1) / 2 * 640), round((1 - lo.z) / 2 * 360)]

    def shot(name):
        for _ in range(2):
            base.graphicsEngine.render_frame()
        image = PNMImage()
        assert base.win.get_screenshot(image)
        image.remove_alpha()
        path = out_dir / f"{name}.png"
        assert image.write(Filename.from_os_specific(str(path)))
        return str(path)

    info = {}
    # An opaque red wall between the camera and the label: the label must stay on top.
    cm = CardMaker("wall")
    cm.set_frame(-1.5, 1.5, 0.3, 2.0)
    wall = base.render.attach_new_node(cm.generate())
    wall.set_y(-3)
    wall.set_color(0.8, 0.1, 0.1, 1)
    for name, ko in (("hangul", "한국어"), ("missing", "\\ue000\\ue001\\ue002")):
        label = BilingualLabel(ko, "Korean", font, (0.12, 0.53, 0.9), height=1.0,
                               bold_font=bold)
        label.reparent_to(base.render)
        ko_np = label.node.find("ko")
        cells, x = [], -ko_np.node().get_width() / 2  # the line is centred
        for ch in ko:
            advance = ko_np.node().calc_width(ch)
            left = pixel_box_of(ko_np, x, x + advance)
            cells.append(left)
            x += advance
        info[name] = {"png": shot(name), "ko": pixel_box(ko_np), "cells": cells,
                      "en": pixel_box(label.node.find("en")),
                      "card": pixel_box(label.node.find("card"))}
        label.destroy()
    wall.remove_node()

    # A label lifted over another (the declutter stacks labels so): its leader line, from
    # its anchor below, runs up behind the other label's card, not across its text.
    front = BilingualLabel("앞", "Front", font, (0.12, 0.53, 0.9), height=1.0, bold_font=bold)
    front.reparent_to(base.render)
    info["leader_alone"] = {"png": shot("leader_alone"), "ko": pixel_box(front.node.find("ko")),
                            "card": pixel_box(front.node.find("card"))}
    lifted = BilingualLabel("뒤", "Behind", font, (0.9, 0.4, 0.1), height=1.0, bold_font=bold)
    lifted.reparent_to(base.render)  # after the front label: drawn after it, but for the bin
    lifted.set_pos(0, 0, -0.8)
    lifted.set_lift(6.0)
    info["leader_behind"] = {"png": shot("leader_behind")}
    front.destroy()
    lifted.destroy()

    panel = Panel("의료헬스케어 관", "Healthcare")
    panel.accent = (0.88, 0.32, 0.39)
    panel.set_line("a", "원격 진료 대기 인원: 7명", "Waiting for remote care: 7")
    panel.set_line("b", "AI 진단 정확도 97%", "AI diagnosis accuracy 97%")
    panel.add_button("go", "진단 시작", "Start", lambda: None)
    panel.add_button("stop", "멈춤", "Stop", lambda: None)
    view = PanelView(panel, base.aspect2d, font, bold_font=bold)
    buttons = []
    for b in view.buttons:
        left, right, bottom, top = b.guiItem.get_frame()
        buttons.append(box2d(base.render2d.get_relative_point(b, Point3(left, 0, bottom)),
                             base.render2d.get_relative_point(b, Point3(right, 0, top))))
    info["panel"] = {"png": shot("panel"), "box": box2d(*view.node.get_tight_bounds(
        base.render2d)), "buttons": buttons}
    print(json.dumps(info))
    base.destroy()
    """
)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out_dir = tmp_path_factory.mktemp("ui-shots")
    result = subprocess.run(
        [sys.executable, "-c", RENDER, str(out_dir)], capture_output=True, text=True,
        cwd=REPO, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _crop(shot: dict[str, Any], key: str) -> np.ndarray:
    x0, y0, x1, y1 = shot[key]
    return read_png(Path(shot["png"]))[y0:y1, x0:x1].astype(int)


def _glyph_cells(shot: dict[str, Any]) -> list[np.ndarray]:
    """Each character's ink (dark pixels on the white card), cropped to the ink and
    resampled to 16x16, so glyphs of one shape compare equal wherever they sit."""
    _, y0, _, y1 = shot["ko"]
    image = read_png(Path(shot["png"]))[y0:y1].astype(int)
    ink = image.max(axis=2) < 110
    cells = []
    for i, (x0, x1) in enumerate(shot["cells"]):
        cell = ink[:, x0:x1]
        ys, xs = np.nonzero(cell)
        assert len(xs), f"cell {i} has no ink"
        cell = cell[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        rows = (np.arange(16) * cell.shape[0] / 16).astype(int)
        cols = (np.arange(16) * cell.shape[1] / 16).astype(int)
        cells.append(cell[np.ix_(rows, cols)])
    return cells


def _overlaps(cells: list[np.ndarray]) -> list[float]:
    return [float((a & b).sum() / max(1, (a | b).sum()))
            for i, a in enumerate(cells) for b in cells[i + 1 :]]


def test_label_renders_hangul_glyphs_not_boxes(shots: dict[str, Any]) -> None:
    hangul = _crop(shots["hangul"], "ko").max(axis=2) < 110  # dark text ink on white
    missing = _crop(shots["missing"], "ko").max(axis=2) < 110
    assert hangul.sum() > 1500
    # Three different syllables (한, 국, 어) have three different shapes...
    assert max(_overlaps(_glyph_cells(shots["hangul"]))) < 0.6
    # ...while characters the font lacks come out as three identical empty boxes with far
    # less ink: the check above would fail on them.
    assert min(_overlaps(_glyph_cells(shots["missing"]))) > 0.9
    assert missing.sum() * 3 < hangul.sum()


def test_label_is_drawn_over_a_wall_in_front_of_it(shots: dict[str, Any]) -> None:
    shot = shots["hangul"]
    image = read_png(Path(shot["png"])).astype(int)
    red = (image[:, :, 0] > 150) & (image[:, :, 1] < 60)
    card_x0, _, card_x1, _ = shot["card"]
    _, y0, _, y1 = shot["en"]
    # The wall is behind the English line on both sides of the card...
    assert red[y0:y1, card_x0 - 8 : card_x0 - 2].mean() > 0.9
    assert red[y0:y1, card_x1 + 6 : card_x1 + 10].mean() > 0.9
    # ...but not on the card, which the wall stands in front of.
    assert red[y0:y1, card_x0 + 8 : card_x1 - 8].mean() < 0.01


def test_panel_renders_text_and_buttons(shots: dict[str, Any]) -> None:
    shot = shots["panel"]
    image = read_png(Path(shot["png"])).astype(int)
    x0, y0, x1, y1 = shot["box"]
    board = image[y0:y1, x0:x1]
    assert board.shape[1] > 100
    assert (board.max(axis=2) < 60).mean() > 0.4  # a dark card...
    first_button_top = shot["buttons"][0][1]
    text_area = image[y0:first_button_top, x0:x1]
    assert (text_area.min(axis=2) > 170).sum() > 150  # ...with light text on it
    for bx0, by0, bx1, by1 in shot["buttons"]:
        assert (by1 - by0) * 1080 / 360 >= 48  # 48 px or more at 1080p
        face = image[by0 + 2 : by1 - 2, bx0 + 6 : bx1 - 6]
        accent = (face[:, :, 0] > 150) & (face[:, :, 1] < 120)  # the accent's red
        light = face.min(axis=2) > 200  # the button's label
        assert accent.mean() > 0.5
        assert light.sum() > 20


@pytest.mark.parametrize("aspect", [4 / 3, 16 / 9])
def test_panel_title_is_clear_of_the_toolbar(windowless_base: Any,
                                             windowless_fonts: tuple[Any, Any],
                                             aspect: float) -> None:
    """At 800x600 (4:3) the toolbar reaches under the panel's column: the panel docks below
    the row instead of under its Help button; at 16:9 it keeps the top-right corner."""
    from gui_kit import buttons_box

    from gwangju_twin.ui import PanelView
    from gwangju_twin.ui.catalogue import load_catalogue
    from gwangju_twin.ui.panel import MARGIN
    from gwangju_twin.ui.toolbar import Toolbar

    old = windowless_base.getAspectRatio()
    windowless_base.adjustWindowAspectRatio(aspect)
    toolbar = Toolbar(windowless_base.a2dTopLeft, windowless_fonts[0], load_catalogue(), "en")
    view = PanelView(_panel(), windowless_base.aspect2d, windowless_fonts[0],
                     bold_font=windowless_fonts[1])
    try:
        view.refresh()
        _, right, bottom, _ = buttons_box(toolbar.buttons.values(), windowless_base.aspect2d)
        lo, hi = view.node.find("**/title").get_tight_bounds(windowless_base.aspect2d)
        card_lo, card_hi = view.node.get_tight_bounds(windowless_base.aspect2d)
        beside = right < card_lo.x  # the row ends before the panel's column starts
        assert beside == (aspect > 1.5)
        if beside:
            assert card_hi.z == pytest.approx(1.0 - MARGIN, abs=0.01)
        else:
            assert card_hi.z < bottom and hi.z < bottom  # the title below the Help button
        assert lo.z > -1.0 and card_lo.z >= -1.0 + MARGIN / 2  # still on screen
    finally:
        view.destroy()
        toolbar.destroy()
        windowless_base.adjustWindowAspectRatio(old)


def test_a_card_opened_under_a_column_filling_panel_covers_it(
        windowless_base: Any, windowless_fonts: tuple[Any, Any]) -> None:
    """A building's card opened while a demo's tall panel fills the right-hand column (the
    solar demo's, in an 800x450 kiosk) has no room below that panel: it docks at the top,
    over the panel, at a usable scale, instead of shrinking to a negative (mirrored) one."""
    from gwangju_twin.ui import PanelView
    from gwangju_twin.ui.panel import _MIN_ROOM, MARGIN, MIN_SCALE

    tall = Panel("지붕 태양광 잠재량", "Rooftop solar potential")
    for i in range(12):
        tall.set_line(f"l{i}", f"{i}번째 줄: 아주 긴 설명이 두 줄로 넘어갑니다 {i}",
                      f"Line {i}: a long description that wraps onto a second line {i}")
    tall.set_legend("scale", [((i / 5, 0.5, 1 - i / 5), f"{i}", f"{i}") for i in range(6)],
                    "눈금", "Scale")
    tall.add_button("mode", "m²당 발전량 보기", "Show yield per m²", lambda: None)
    demo = PanelView(tall, windowless_base.aspect2d, windowless_fonts[0],
                     bold_font=windowless_fonts[1])
    card = None
    try:
        demo.refresh()
        lo, _ = demo.node.get_tight_bounds(windowless_base.aspect2d)
        assert lo.z - MARGIN - (-1.0) - MARGIN < _MIN_ROOM  # no room left below it
        card = PanelView(_panel(), windowless_base.aspect2d, windowless_fonts[0],
                         bold_font=windowless_fonts[1])
        card.refresh()
        scale = card.node.get_sz(windowless_base.aspect2d)
        assert scale >= MIN_SCALE - 1e-6
        card_lo, card_hi = card.node.get_tight_bounds(windowless_base.aspect2d)
        assert card_hi.z == pytest.approx(1.0 - MARGIN, abs=0.01)
        assert card_lo.z > -1.0
    finally:
        if card is not None:
            card.destroy()
        demo.destroy()


def test_panel_board_is_opaque(shots: dict[str, Any]) -> None:
    """The card hides what is behind it (the light sky here): its commonest pixel is the
    board colour itself, not the board blended with the background."""
    from gwangju_twin.ui.panel import BOARD

    shot = shots["panel"]
    x0, y0, x1, y1 = shot["box"]
    board = read_png(Path(shot["png"]))[y0:y1, x0:x1].reshape(-1, 3)
    colours, counts = np.unique(board, axis=0, return_counts=True)
    commonest = colours[counts.argmax()].astype(int)
    expected = np.round(np.array(BOARD[:3]) * 255).astype(int)
    assert np.abs(commonest - expected).max() <= 1, (commonest, expected)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_lonlat_line_never_leaves_a_lone_letter(windowless_base: Any,
                                                windowless_fonts: tuple[Any, Any],
                                                language: str) -> None:
    """The info panel's position line wraps between the two coordinates, not before the
    hemisphere's letter ("...126.84312°" / "E")."""
    from gwangju_twin.picking.facts import BuildingFacts
    from gwangju_twin.ui import PanelView
    from gwangju_twin.ui.catalogue import load_catalogue
    from gwangju_twin.ui.infocards import building_card

    facts = BuildingFacts(row=3, layer="buildings", kind="office", name="광주광역시청",
                          name_en="Gwangju City Hall", height=80.0, height_source="measured",
                          floors=None, floors_estimated=None, footprint_m2=3599.0,
                          lon=126.84312, lat=35.14813, feature_id=None)
    view = PanelView(building_card(facts, load_catalogue()), windowless_base.aspect2d,
                     windowless_fonts[0], language=language, bold_font=windowless_fonts[1])
    try:
        node = view.node.find("**/line-position").node()
        rows = node.get_wordwrapped_text().split("\n")
        assert all(len(row.strip()) > 1 for row in rows), rows
        assert rows[-1].replace("\u00a0", " ").endswith("126.84312° E")
        # What the panel reports as drawn is the plain text, spaces as written.
        assert any(t.endswith("35.14813° N, 126.84312° E") for t in view.text())
    finally:
        view.destroy()


def test_a_leader_line_runs_behind_other_labels(shots: dict[str, Any]) -> None:
    alone = read_png(Path(shots["leader_alone"]["png"])).astype(int)
    behind = read_png(Path(shots["leader_behind"]["png"])).astype(int)
    x0, _, x1, bottom = shots["leader_alone"]["card"]
    _, top, _, base = shots["leader_alone"]["ko"]
    # The front label's Korean line, across the card's width, is untouched by the leader
    # rising behind it.
    assert np.array_equal(alone[top:base, x0:x1], behind[top:base, x0:x1])
    # The leader is there: between its anchor and the front label's tail, the rows differ.
    below = slice(bottom + 2, bottom + 20)
    assert (np.abs(alone[below, x0:x1] - behind[below, x0:x1]).max(axis=2) > 60).any()


def test_a_long_button_label_stays_inside_its_button(windowless_base: Any,
                                                     windowless_fonts: tuple[Any, Any]) -> None:
    from gwangju_twin.ui import PanelView
    from gwangju_twin.ui.theme import ELLIPSIS, text_width

    long_en = "A very long button label number 0, longer than any button is wide"
    panel = Panel("교육", "Education")
    panel.add_button("long", "아주 긴 버튼", long_en, lambda: None)
    panel.add_button("start", "시작", "Start", lambda: None)
    made = PanelView(panel, windowless_base.aspect2d, windowless_fonts[0], language="en",
                     bold_font=windowless_fonts[1])
    try:
        for b in made.buttons:
            left, right, _, _ = b["frameSize"]
            scale = b["text_scale"]
            scale = scale[0] if isinstance(scale, tuple) else scale
            # The label, as drawn, fits between the button's edges (it ran out of both).
            assert text_width(windowless_fonts[1], b["text"], scale) <= right - left
        long_button, start = made.buttons
        assert long_button["text"].endswith(ELLIPSIS)
        assert long_en.startswith(long_button["text"][:-1].rstrip())
        assert start["text"] == "Start"  # a label that fits is left as it is
    finally:
        made.destroy()
