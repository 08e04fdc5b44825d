"""A visitor touring the default district, offscreen: events go through Panda3D's messenger
exactly as a window's keyboard and mouse deliver them, frames are rendered for real, and the
assertions look at the camera, the picks, the panels and the plugins.

The only stand-in is the pointer's position (an offscreen buffer has no mouse): tests place
it with ``Pointer.move_to``. tests/system/test_window.py clicks with a real mouse under Xvfb.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import shapely
from render_helpers import REPO, read_png
from stage_driving import click, frames, screen_of, send, until

from gwangju_twin.app.stage import Interface, Stage, StageOptions
from gwangju_twin.controls import CONTROLS
from gwangju_twin.expo.prepared import Prepared
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.settings import Settings, load_settings, save_settings

pytestmark = pytest.mark.render

SIZE = (800, 500)


@pytest.fixture(scope="module")
def stage(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    """One offscreen viewer with the full interface, on a fixed 30 fps clock so flights and
    dwell times take a known number of frames."""
    from panda3d.core import ClockObject

    folder = tmp_path_factory.mktemp("settings")
    shots = tmp_path_factory.mktemp("shots")
    save_settings(Settings(screenshot_folder=str(shots)), folder / "settings.toml")
    s = Stage(prepared, "offscreen", SIZE, StageOptions(
        interface=Interface.DESKTOP, settings=load_settings(folder / "settings.toml")))
    clock = ClockObject.get_global_clock()
    clock.set_mode(ClockObject.M_non_real_time)
    clock.set_frame_rate(30)
    try:
        yield s
    finally:
        clock.set_mode(ClockObject.M_normal)
        s.close()


@pytest.fixture
def visitor(stage: Stage) -> Iterator[Stage]:
    """The stage reset to a fresh visit: start view, orbit mode, nothing open, outside."""
    t = stage.touring
    assert t is not None
    if t.tour.running:
        t.toggle_tour()
    t.driver.cancel_flight()
    t.driver.release_all()
    t.driver.set_mode("orbit")
    t.driver.rig.set_pose(t.start_pose)
    t.driver.apply()
    t.leave()
    t.search.close()
    if t.help.visible:
        t.toggle_help()
    if t.menu.visible:
        t.toggle_menu()
    t.selection.close()
    if t.language != "ko":
        t.set_language("ko")
    frames(stage, 2)
    yield stage


def press_button(stage: Stage, button) -> None:
    from direct.gui.DirectGuiGlobals import B1CLICK

    stage.base.messenger.send(B1CLICK + button.guiId, [None])
    frames(stage, 2)


def look_at(stage: Stage, xyz: tuple[float, float, float], distance: float = 220.0,
            heading: float = 30.0, pitch: float = 40.0) -> None:
    t = stage.touring
    t.driver.set_mode("orbit")
    t.driver.rig.set_pose(CameraPose(xyz, heading, pitch, distance))
    t.driver.apply()
    frames(stage, 2)


# -- camera ----------------------------------------------------------------------------------

def test_left_drag_orbits_right_drag_pans_and_the_wheel_zooms(visitor: Stage) -> None:
    t = visitor.touring
    before = t.driver.rig.pose
    t.pointer.move_to(0.0, 0.0)
    frames(visitor)
    send(visitor, "mouse1")
    t.pointer.move_to(0.2, 0.0)
    frames(visitor, 2)
    send(visitor, "mouse1-up")
    frames(visitor)
    turned = t.driver.rig.pose
    assert (turned.heading - before.heading) % 360 == pytest.approx(
        0.2 * 120 * t.settings.mouse_sensitivity, abs=0.5)
    assert t.selection.panel is None, "a drag is not a click"

    send(visitor, "mouse3")
    t.pointer.move_to(0.2, 0.3)
    frames(visitor, 2)
    send(visitor, "mouse3-up")
    panned = t.driver.rig.pose
    assert panned.target != turned.target and panned.heading == turned.heading

    send(visitor, "wheel_up")
    frames(visitor)
    assert t.driver.rig.pose.distance == pytest.approx(panned.distance * 0.85, rel=1e-6)
    cam = visitor.base.camera.get_pos(visitor.base.render)
    assert tuple(cam) == pytest.approx(t.driver.rig.pose.position, abs=1e-3)


def test_fly_mode_moves_along_the_view_and_shift_is_faster(visitor: Stage) -> None:
    t = visitor.touring
    send(visitor, "c")
    frames(visitor)
    assert t.driver.mode == "fly"
    assert any(t.cat.text("camera.fly", "ko") in line for line in t.toolbar.text())

    def fly(fast: bool) -> float:
        start = np.array(visitor.base.camera.get_pos(visitor.base.render))
        if fast:
            send(visitor, "shift")
        send(visitor, "w")
        frames(visitor, 15)
        send(visitor, "w-up", "shift-up")
        frames(visitor)
        end = np.array(visitor.base.camera.get_pos(visitor.base.render))
        step = end - start
        forward = np.array(t.driver.eye.forward)
        assert np.dot(step, forward) > 0.95 * np.linalg.norm(step), "not along the view"
        return float(np.linalg.norm(step))

    slow, fast = fly(False), fly(True)
    assert slow > 5 and fast > 3 * slow


def test_walk_mode_keeps_eye_height_and_buildings_stop_the_visitor(
        visitor: Stage, prepared: Prepared) -> None:
    t = visitor.touring
    district = prepared.district
    rows = district.select("buildings")
    big = rows[np.argmax(shapely.area(district.geometry[rows]))]
    foot = district.geometry[big]
    cx, _ = shapely.get_coordinates(shapely.point_on_surface(foot))[0]
    miny = foot.bounds[1]
    # Stand about 35 m south of the building, looking north at it, and walk for 40 s.
    look_at(visitor, (cx, miny - 25.0, 0.0), distance=10.0, heading=0.0, pitch=10.0)
    send(visitor, "c", "c")
    frames(visitor)
    assert t.driver.mode == "walk"
    assert t.driver.eye.position[2] == pytest.approx(1.7, abs=1e-6)
    solids = district.geometry[np.isin(district.layer, ("buildings", "landmarks"))]
    solids = solids[np.isin(shapely.get_type_id(solids), (3, 6))]
    tree = shapely.STRtree(solids)
    send(visitor, "w")
    for _ in range(40):
        frames(visitor, 30)
        x, y, z = visitor.base.camera.get_pos(visitor.base.render)
        assert len(tree.query(shapely.Point(x, y), predicate="within")) == 0, \
            "walked into a building"
        assert z == pytest.approx(1.7, abs=1e-6)
    send(visitor, "w-up")
    x, y, _ = visitor.base.camera.get_pos(visitor.base.render)
    nearest = solids[tree.nearest(shapely.Point(x, y))]
    assert shapely.distance(nearest, shapely.Point(x, y)) < 1.0, "never reached a wall"


# -- picking and panels ----------------------------------------------------------------------

def _named_building(prepared: Prepared) -> int:
    d = prepared.district
    rows = [r for r in d.select("buildings") if d.name[r] and np.isfinite(d.levels[r])]
    return max(rows, key=lambda r: d.height[r])


def test_hover_highlights_and_a_click_shows_the_buildings_facts(visitor: Stage,
                                                               prepared: Prepared) -> None:
    t = visitor.touring
    d = prepared.district
    row = _named_building(prepared)
    rx, ry = shapely.get_coordinates(shapely.point_on_surface(d.geometry[row]))[0]
    top = float(d.height[row])
    look_at(visitor, (rx, ry, top), distance=180.0, pitch=60.0)
    at = screen_of(visitor, (rx, ry, top))
    t.pointer.move_to(*at)
    frames(visitor, 2)
    assert t.selection.hover.feature == row
    assert t.selection.hover.node is not None and not t.selection.hover.node.is_empty()

    click(visitor, at)
    assert t.selection.selected.feature == row
    text = "\n".join(t.selection.view.text())
    # The facts, computed here from the source file and shapely/pyproj, not from the viewer.
    source = json.loads((REPO / "assets" / "sangmu.geojson").read_text(encoding="utf-8"))
    props = source["features"][int(d.source_index[row])]["properties"]
    assert props["name"] in text
    assert f"{top:.1f} m" in text
    levels = props.get("building:levels") or props.get("levels")
    assert f"{float(levels):g}층" in text
    from pyproj import Geod

    geom = shapely.geometry.shape(source["features"][int(d.source_index[row])]["geometry"])
    area = abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0])
    shown = float(text.split("바닥 면적: ")[1].split(" m²")[0].replace(",", ""))
    assert shown == pytest.approx(area, rel=0.01)
    lon, lat = d.frame.to_lonlat(np.array([rx]), np.array([ry]))
    assert f"{float(lat[0]):.5f}° N, {float(lon[0]):.5f}° E" in text

    send(visitor, "escape")
    frames(visitor)
    assert t.selection.view is None and t.selection.selected.feature is None


def test_a_pavilion_click_offers_enter_and_leaving_it_exits_its_demo(visitor: Stage,
                                                                    prepared: Prepared) -> None:
    t = visitor.touring
    pav = next(p for p in prepared.pavilions if p.info.id == "mobility")
    x, y = pav.info.position
    look_at(visitor, (x, y, 0.0), distance=300.0, pitch=55.0)
    click(visitor, screen_of(visitor, (x, y, pav.info.height * 0.5)))
    panel = t.selection.panel
    assert panel is not None and t.selection.selected.feature == -(
        prepared.pavilions.index(pav) + 1)
    text = "\n".join(t.selection.view.text())
    assert pav.info.name_ko in text and "셔틀" in text  # the shuttles demo's Korean title
    enter = next(b for b, pb in zip(t.selection.view.buttons, panel.buttons, strict=True)
                 if pb.key == "enter")
    press_button(visitor, enter)
    until(visitor, lambda: not t.driver.flying and t.expo.inside == "mobility")
    slot = t.expo.host.slot("mobility")
    assert slot.inside and slot.state == "loaded"
    assert t.expo.panel_view is not None

    # Zooming far out no longer leaves (issue 13: leaving is explicit) ...
    for _ in range(12):
        send(visitor, "wheel_down")
        frames(visitor)
    assert t.expo.inside == "mobility" and slot.inside
    # ... the 0 key does, and the demo exits.
    send(visitor, "0")
    frames(visitor, 2)
    assert t.expo.inside is None and not slot.inside


def test_the_menu_lists_the_pavilions_and_choosing_one_flies_there_and_enters(
        visitor: Stage, prepared: Prepared) -> None:
    t = visitor.touring
    send(visitor, "p")
    frames(visitor)
    assert t.menu.visible and set(t.menu.buttons) == {p.info.id for p in prepared.pavilions}
    press_button(visitor, t.menu.buttons["energy"])
    assert t.driver.flying and not t.menu.visible
    until(visitor, lambda: t.expo.inside == "energy")
    assert t.expo.host.slot("energy").inside
    target = t.driver.rig.pose.target
    energy = next(p for p in prepared.pavilions if p.info.id == "energy")
    assert math.dist(target[:2], energy.info.position) < 1.0

    send(visitor, "p")
    frames(visitor)
    press_button(visitor, t.menu.buttons["mobility"])
    until(visitor, lambda: t.expo.inside == "mobility")
    assert not t.expo.host.slot("energy").inside
    assert t.expo.host.slot("mobility").inside


def test_the_guided_tour_narrates_pauses_resumes_and_skips(visitor: Stage,
                                                           prepared: Prepared) -> None:
    t = visitor.touring
    stops = prepared.scene.tour_stops
    send(visitor, "t")
    frames(visitor)
    assert t.tour.running and t.driver.flying
    until(visitor, lambda: t.tour.state == "dwelling")
    assert t.expo.inside == stops[0].pavilion
    shown = "\n".join(t.tourbar.text())
    assert stops[0].narration_ko[:20] in shown

    send(visitor, "space")
    frames(visitor)
    held = t.tour.remaining
    frames(visitor, 60)
    assert t.tour.paused and t.tour.remaining == held
    send(visitor, "space")
    frames(visitor, 30)
    assert not t.tour.paused and t.tour.remaining < held

    send(visitor, "n")
    frames(visitor)
    until(visitor, lambda: t.tour.state == "dwelling")
    assert t.tour.index == 1 and t.expo.inside == stops[1].pavilion
    first = t.expo.host.slot(stops[0].pavilion)
    assert first is None or not first.inside

    t.set_language("en")
    assert stops[1].narration_en[:20] in "\n".join(t.tourbar.text())
    send(visitor, "t")
    frames(visitor)
    assert not t.tour.running


def test_a_click_on_the_minimap_teleports(visitor: Stage, prepared: Prepared) -> None:
    t = visitor.touring
    assert t.minimap.visible
    t.minimap.click_uv(0.25, 0.75)
    frames(visitor)
    x, y = t.map_frame.to_world(0.25, 0.75)
    assert t.driver.rig.pose.target[:2] == pytest.approx((x, y), abs=1.0)


def test_the_minimap_zooms_around_the_visitor_and_clicks_through_the_zoom(
        visitor: Stage, prepared: Prepared) -> None:
    t = visitor.touring
    pav = prepared.pavilions[0].info
    look_at(visitor, (*pav.position, 0.0), distance=200.0)
    press_button(visitor, t.minimap.buttons["zoom_in"])
    press_button(visitor, t.minimap.buttons["zoom_in"])
    press_button(visitor, t.minimap.buttons["zoom_in"])  # already at the closest
    assert t.minimap.zoom == 4
    # The map is centred on the visitor: a click in the middle lands (almost) where they are.
    t.minimap.click_uv(0.5, 0.5)
    frames(visitor)
    assert math.dist(t.driver.rig.pose.target[:2], pav.position) < 20.0
    # A quarter of the card to the east is a sixteenth of the whole map at 4x.
    t.minimap.click_uv(0.75, 0.5)
    frames(visitor)
    x0, _, x1, _ = t.map_frame.bounds
    moved = t.driver.rig.pose.target[0] - pav.position[0]
    assert moved == pytest.approx((x1 - x0) / 16, rel=0.05)
    press_button(visitor, t.minimap.buttons["zoom_out"])
    press_button(visitor, t.minimap.buttons["zoom_out"])
    assert t.minimap.zoom == 1


def test_search_in_korean_or_english_flies_to_the_place(visitor: Stage,
                                                        prepared: Prepared) -> None:
    t = visitor.touring
    d = prepared.district
    lm = next(r for r in d.select("landmarks") if d.name[r] and d.name_en[r])
    send(visitor, "/")
    frames(visitor)
    assert t.search.visible and t.search.focused
    before = t.driver.eye
    send(visitor, "w")  # typing: the camera must not move
    frames(visitor, 5)
    send(visitor, "w-up")
    assert t.driver.eye == before
    for query in (d.name[lm][1:4], d.name_en[lm].split()[0].lower()):
        t.search.set_query(query)
        assert any(p.key == str(lm) for p in t.search.results), query
    t.search.set_query(d.name[lm])
    t.search.submit()
    frames(visitor, 2)
    assert not t.search.visible
    until(visitor, lambda: not t.driver.flying)
    assert t.selection.selected.feature == lm
    rx, ry = shapely.get_coordinates(shapely.point_on_surface(d.geometry[lm]))[0]
    assert math.dist(t.driver.rig.pose.target[:2], (rx, ry)) < 30


def test_the_language_key_switches_every_interface_text(visitor: Stage) -> None:
    t = visitor.touring
    widgets = [t.toolbar, t.menu, t.help, t.minimap]
    korean = [w.text() for w in widgets]
    send(visitor, "l")
    frames(visitor)
    assert t.language == "en" and t.expo.language == "en"
    # The help shows every control in both languages: its Korean lines stay, as the other
    # language's, under the English ones; everything else is English.
    bilingual = {t.cat.text(k, "ko") for k in t.cat.keys if k.startswith("help.")}
    english = [w.text() for w in widgets]
    english[widgets.index(t.help)] = [s for s in t.help.text() if s not in bilingual]
    assert len(english[widgets.index(t.help)]) > len(CONTROLS)  # the English lines remain
    for ko, en in zip(korean, english, strict=True):
        assert ko != en
        assert not any("\uac00" <= ch <= "\ud7a3" for line in en for ch in line
                       if "한국어" not in line), en  # the toggle names the other language
    assert load_settings(t.settings_path).settings.language == "en"
    send(visitor, "l")
    frames(visitor)
    assert t.language == "ko"


def test_the_hud_shows_fps_and_draw_calls(visitor: Stage) -> None:
    t = visitor.touring
    send(visitor, "f3")
    frames(visitor, 20)
    assert t.hud.visible
    text = " ".join(t.hud.text())
    assert "FPS" in text and "드로우 콜" in text
    draws = int(text.split("드로우 콜 ")[1].split()[0])
    assert 10 < draws < 400
    send(visitor, "f3")
    frames(visitor)
    assert not t.hud.visible


def test_the_screenshot_key_saves_a_timestamped_png(visitor: Stage) -> None:
    t = visitor.touring
    send(visitor, "f12")
    frames(visitor)
    shots = sorted(Path(t.settings.screenshot_folder).glob("gwangju-twin-*.png"))
    assert shots, "no screenshot written"
    image = read_png(shots[-1])
    assert image.shape[:2] == (SIZE[1], SIZE[0])
    assert len(np.unique(image.reshape(-1, 3) // 16, axis=0)) > 40


def test_sensitivity_and_invert_y_are_remembered(visitor: Stage) -> None:
    t = visitor.touring
    before = t.settings.mouse_sensitivity
    send(visitor, "]")
    send(visitor, "y")
    frames(visitor)
    saved = load_settings(t.settings_path).settings
    assert saved.mouse_sensitivity == pytest.approx(before * 1.25, abs=0.01)
    assert saved.invert_y is True and t.driver.invert_y is True
    # The rig honours it: dragging up now pitches the other way.
    pitch = t.driver.rig.pose.pitch
    t.pointer.move_to(0.0, 0.0)
    frames(visitor)
    send(visitor, "mouse1")
    t.pointer.move_to(0.0, 0.1)
    frames(visitor, 2)
    send(visitor, "mouse1-up")
    assert t.driver.rig.pose.pitch > pitch
    send(visitor, "[", "y")
    frames(visitor)
    assert load_settings(t.settings_path).settings.invert_y is False


def test_help_lists_every_control_and_every_control_is_bound(visitor: Stage) -> None:
    t = visitor.touring
    send(visitor, "f1")
    frames(visitor)
    assert t.help.visible
    shown = "\n".join(t.help.text())
    for c in CONTROLS:
        assert t.cat.text(f"help.{c.name}", "ko") in shown, c.name
        # Number keys go as far as the scene has pavilions (0 leaves).
        events = c.events[:len(t.order) + 1] if c.name == "pavilion_keys" else c.events
        for event in events:
            assert visitor.base.messenger.whoAccepts(event), f"{c.name}: {event} is not bound"
    send(visitor, "escape")
    frames(visitor)
    assert not t.help.visible


def test_the_time_key_opens_the_time_bar_and_a_preset_sets_the_clock(visitor: Stage) -> None:
    """K opens the time bar (the toolbar's Time button lights); a click on 하지 moves the
    scene's clock to the summer solstice at the same hour; Esc closes the bar; a reset puts
    the clock back where the viewer started."""
    from gwangju_twin.sun.calendar import season_date

    t = visitor.touring
    clock, bar = t.clock, t.timebar
    start = clock.when
    assert not bar.visible
    send(visitor, "k")
    frames(visitor)
    assert bar.visible and t.toolbar.is_active("time")
    press_button(visitor, bar.buttons["summer_solstice"])
    assert clock.when.date() == season_date(start.year, "summer_solstice")
    assert clock.when.time() == start.time()
    press_button(visitor, bar.buttons["play"])
    # The viewer's stage plays its clock in a frame task (Stage.run_tasks); this stage
    # runs only the interface's, so the clock's task is added for these frames.
    ticking = visitor.base.task_mgr.add(visitor.sun_task, "sun-clock", sort=45)
    try:
        frames(visitor, 30)  # one second of frames at 30 fps: half an hour of the day
    finally:
        visitor.base.task_mgr.remove(ticking)
    assert clock.playing and clock.when.time() != start.time()
    send(visitor, "escape")
    frames(visitor)
    assert not bar.visible and not t.toolbar.is_active("time")
    t.reset("ko", reload_plugins=False)
    assert clock.when == start and not clock.playing


def test_the_time_bar_stands_above_the_tour_bar(visitor: Stage) -> None:
    t = visitor.touring
    t.toggle_tour()
    send(visitor, "k")
    until(visitor, lambda: t.tourbar.visible and t.tourbar.height > 0)
    frames(visitor)
    assert t.timebar.visible
    tour_top = t.tourbar.node.get_z()  # the tour card's root is at its top edge
    bar_bottom = t.timebar.node.get_z() - t.timebar.height
    assert bar_bottom > tour_top
    send(visitor, "k")
    frames(visitor)


def test_the_time_bar_keeps_clear_of_an_entered_pavilions_panel(visitor: Stage) -> None:
    """With the tour bar under it, the time bar reaches the height of the panel docked at
    the top right (800x500 here): it moves and narrows so that neither covers the other,
    and the minimap at the bottom left stays uncovered too."""
    from gwangju_twin.ui.reserve import reserved_rects

    t = visitor.touring
    t.toggle_tour()  # the first stop is entered: its panel docks at the top right
    until(visitor, lambda: t.expo.inside is not None and t.expo.panel_view is not None)
    send(visitor, "k")
    frames(visitor, 3)
    overlay = visitor.base.aspect2d
    [bar] = [r for r in reserved_rects(overlay)
             if r not in reserved_rects(overlay, exclude=t.timebar.node)]
    others = reserved_rects(overlay, exclude=t.timebar.node)
    # Something shares the bar's height (else this would test nothing): the panel.
    assert any(z0 < bar[3] and bar[1] < z1 for _, z0, _, z1 in others)
    for x0, z0, x1, z1 in others:
        apart = bar[2] <= x0 + 1e-6 or x1 <= bar[0] + 1e-6 or bar[3] <= z0 or z1 <= bar[1]
        assert apart, (bar, (x0, z0, x1, z1))
    send(visitor, "k")
    frames(visitor)


def test_the_hud_keeps_clear_of_an_entered_pavilions_panel(visitor: Stage) -> None:
    """F3's card stands at the bottom right, where a tall panel of an entered pavilion ends
    (the civic map's, with its Leave button): it moves left of the panel instead of
    covering it."""
    from gwangju_twin.ui.reserve import reserved_rects

    t = visitor.touring
    send(visitor, "f3")
    frames(visitor, 3)
    overlay = visitor.base.aspect2d
    alone = t.hud.node.get_tight_bounds(overlay)
    t.go_to_pavilion("administration")
    until(visitor, lambda: t.expo.inside == "administration" and t.expo.panel_view is not None)
    frames(visitor, 3)
    lo, hi = t.hud.node.get_tight_bounds(overlay)
    rects = reserved_rects(overlay)
    # The panel reaches down to where the card stood (else this would test nothing).
    assert any(z0 < alone[1].z and alone[0].z < z1 and x0 < alone[1].x and alone[0].x < x1
               for x0, z0, x1, z1 in rects)
    for x0, z0, x1, z1 in rects:
        assert hi.x <= x0 + 1e-6 or x1 <= lo.x + 1e-6 or hi.z <= z0 or z1 <= lo.z, (
            (lo, hi), (x0, z0, x1, z1))
    t.leave()
    frames(visitor, 3)
    # Outside again, the card is back in its corner.
    assert t.hud.node.get_tight_bounds(overlay)[1].x == pytest.approx(alone[1].x)
    send(visitor, "f3")
    frames(visitor)


def test_the_wheel_zooms_towards_the_point_under_the_pointer(visitor: Stage,
                                                             prepared: Prepared) -> None:
    t = visitor.touring
    # A pavilion's foot, off the view's centre: the point a visitor zooms in on.
    pav = next(p for p in prepared.pavilions if p.info.id == "healthcare")
    x, y = pav.info.position
    foot = (x, y, t.driver.rig.pose.target[2])
    at = screen_of(visitor, foot)
    assert abs(at[0]) + abs(at[1]) > 0.2, "the pavilion is at the centre already"
    t.pointer.move_to(*at)
    frames(visitor)
    start = t.driver.rig.pose
    for n in range(3):
        send(visitor, "wheel_up")
        frames(visitor)
        # Closer each time, and the pavilion's foot stays under the pointer.
        assert t.driver.rig.pose.distance == pytest.approx(start.distance * 0.85 ** (n + 1))
        assert screen_of(visitor, foot) == pytest.approx(at, abs=2e-3)
    send(visitor, "wheel_down")
    frames(visitor)
    assert screen_of(visitor, foot) == pytest.approx(at, abs=2e-3)


def test_the_menu_shows_the_number_key_that_enters_each_pavilion(
        visitor: Stage, prepared: Prepared) -> None:
    t = visitor.touring
    shown = t.menu.text()
    for info in (p.info for p in prepared.pavilions):
        key = shown[shown.index(info.name_ko) - 1]
        assert key.isdigit(), info.id
        # The key the menu shows is the key that takes the visitor there.
        send(visitor, key)
        until(visitor, lambda info=info: not t.driver.flying and t.expo.inside == info.id)
        send(visitor, "0")
        until(visitor, lambda: not t.driver.flying and t.expo.inside is None)


def test_the_menu_button_unlights_when_a_number_key_closes_the_menu(visitor: Stage) -> None:
    t = visitor.touring
    send(visitor, "p")
    frames(visitor)
    assert t.menu.visible and t.toolbar.is_active("menu")
    send(visitor, "3")  # the third pavilion, from the keyboard: the menu closes
    frames(visitor, 2)
    assert not t.menu.visible
    assert not t.toolbar.is_active("menu")
    until(visitor, lambda: not t.driver.flying and t.expo.inside is not None)
    send(visitor, "0")
    until(visitor, lambda: not t.driver.flying and t.expo.inside is None)
