"""The viewer in a real window: Xvfb for a screen, xdotool for a visitor's hands.

.ci/run installs xvfb, xdotool and imagemagick from Debian when they are missing; a machine
without them skips this file and says why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from xvfb_kit import NEEDS_X
from xvfb_kit import run_x as _x
from xvfb_kit import screenshot_root as _shot

pytestmark = NEEDS_X
#: The private virtual screen the ``display`` fixture starts (tests/system/conftest.py).
SCREEN = (1024, 700)


#: The moment every viewer here shows. `view` shows now by default, and a run at night would
#: look for a daylit city's pixels in a dark one: the tests' pictures must not depend on the
#: hour CI happens to run at.
MORNING = ("--time", "2026-09-20T11:00")

def _env(display: str, home: Path) -> dict[str, str]:
    """The test's screen, and a private config folder so the visitor's settings file is
    the test's own."""
    return {**os.environ, "DISPLAY": display, "XDG_CONFIG_HOME": str(home / "config")}


def test_viewer_opens_a_window_orbits_and_quits(display: str, tmp_path: Path) -> None:
    env = _env(display, tmp_path)
    viewer = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "--size", "960x600", *MORNING],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        window = _x(display, "xdotool", "search", "--sync", "--name", "Gwangju Twin")
        assert window, "no viewer window appeared"
        # The window opens on the loading screen; wait for the city, however long it takes.
        before = _wait_for_city(display, tmp_path / "before.png")
        # A city is on screen: many distinct colours in the window, not a blank frame.
        assert len(np.unique(before.reshape(-1, 3) // 8, axis=0)) > 150

        # Drag with the left button: the view orbits, so the picture changes.
        _x(display, "xdotool", "mousemove", "480", "330", "mousedown", "1",
           "mousemove", "560", "320", "sleep", "0.2", "mousemove", "680", "300",
           "sleep", "0.2", "mouseup", "1")

        def changed() -> float:
            after = _shot(display, tmp_path / "after.png")
            return float(np.any(np.abs(after - before) > 24, axis=2).mean())

        assert _wait_until(lambda: changed() > 0.2), changed()

        # Escape only closes what is open; Ctrl+Q quits.
        _x(display, "xdotool", "key", "--window", window.splitlines()[0], "Escape")
        time.sleep(1.0)
        assert viewer.poll() is None
        _x(display, "xdotool", "key", "--window", window.splitlines()[0], "ctrl+q")
        assert viewer.wait(timeout=30) == 0
        assert not (tmp_path / "gwangju-twin-snapshot.png").exists()
    finally:
        if viewer.poll() is None:
            viewer.kill()
            viewer.wait()


def test_keys_enter_pavilions_and_a_failing_demo_leaves_the_viewer_running(
        display: str, tmp_path: Path) -> None:
    from plugin_builders import failing, write_plugin
    from render_helpers import REPO

    # The default scene, plus a drop-in plugin in the healthcare pavilion that raises in update.
    write_plugin(tmp_path / "plugins", "broken.demo", "healthcare", failing("update"))
    scene = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    scene = scene.replace('"../assets/', f'"{(REPO / "assets").as_posix()}/')
    scene = scene.replace('"../plugins"', '"plugins"')
    # The healthcare pavilion's own demo makes way for the test's plugin.
    scene = scene.replace('plugin = "gwangju.healthcare"\n', 'plugin = "broken.demo"\n')
    (tmp_path / "scene.toml").write_text(scene, encoding="utf-8")
    env = _env(display, tmp_path)
    viewer = subprocess.Popen(
        # At night the city itself would be as dark as the panel's card looked for.
        [sys.executable, "-m", "gwangju_twin", "scene.toml", "--size", "960x600", *MORNING],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        window = _x(display, "xdotool", "search", "--sync", "--name", "Gwangju Twin")
        assert window, "no viewer window appeared"
        wid = window.splitlines()[0]
        outside = _wait_for_city(display, tmp_path / "outside.png")
        panel = (slice(60, 220), slice(700, 990))  # the panel docks at the top right

        def card(shot: np.ndarray) -> int:  # the panel card's near-black pixels
            p = shot[panel]
            return int(((p.max(axis=2) < 45) & (np.ptp(p, axis=2) < 14)).sum())

        def notice_bar(shot: np.ndarray) -> int:  # dark red pixels in the panel
            p = shot[panel]
            return int(((p[..., 0] > 55) & (p[..., 0] > 1.8 * p[..., 1])).sum())

        shots: dict[str, np.ndarray] = {}

        def seen(name: str, test: Callable[[np.ndarray], bool]) -> bool:
            shots[name] = _shot(display, tmp_path / f"{name}.png")
            return test(shots[name])

        # The daylit city where the panel will dock has next to no near-black pixels.
        assert card(outside) < 2_000
        # Tour order: mobility, energy, manufacturing, healthcare, ...; key 2 enters energy.
        # The panel appears once the flight has landed: wait for its card itself (about 28,000
        # near-black pixels), not for a time nor for the view merely getting darker there (on a
        # slow run the flight's own view, shadows and all, once passed for the panel).
        _x(display, "xdotool", "key", "--window", wid, "2")
        assert _wait_until(lambda: seen("energy", lambda s: card(s) > 10_000)), \
            "no panel appeared"
        energy = shots["energy"]
        # Key 4: healthcare, whose demo raises on its first frame. The viewer carries on,
        # and the panel carries the red "데모를 사용할 수 없습니다" bar the energy panel lacks.
        _x(display, "xdotool", "key", "--window", wid, "4")
        assert _wait_until(lambda: seen("broken", lambda s: notice_bar(s) > 1500)), \
            "no notice bar"
        assert viewer.poll() is None, viewer.stderr.read()[-2000:] if viewer.stderr else ""
        assert notice_bar(energy) < 300
        # Key 0 leaves: the card goes (its pixels with it; the daylit city behind it has next
        # to none, whatever the camera shows after the flight).
        _x(display, "xdotool", "key", "--window", wid, "0")
        assert _wait_until(lambda: seen("left", lambda s: card(s) < 2_000)), "the panel stayed"
        _x(display, "xdotool", "key", "--window", wid, "ctrl+q")
        assert viewer.wait(timeout=30) == 0
        assert "broken.demo" in viewer.stderr.read()  # the failure was logged
    finally:
        if viewer.poll() is None:
            viewer.kill()
            viewer.wait()


def _viewer_window(display: str) -> tuple[str, int, int]:
    """The viewer's window id and its top-left corner on the screen, once it exists."""
    window = _x(display, "xdotool", "search", "--sync", "--name", "Gwangju Twin")
    assert window, "no viewer window appeared"
    wid = window.splitlines()[0]
    geometry = dict(line.split("=") for line in
                    _x(display, "xdotool", "getwindowgeometry", "--shell", wid).split())
    return wid, int(geometry["X"]), int(geometry["Y"])


def _wait_for_city(display: str, path: Path, seconds: float = 180.0) -> np.ndarray:
    """A screenshot once the viewer has drawn the city (many distinct colours on screen)
    and the picture has settled: the city shows while the demos and the interface still
    load (the loading strip, then the widgets and the view framed clear of them), so two
    shots half a second apart must agree.

    ``seconds`` only bounds the wait (a loaded machine takes long to load the district);
    a city that never comes fails here, instead of the test going on against the loading
    screen."""
    deadline = time.monotonic() + seconds
    last: np.ndarray | None = None
    while True:
        shot = _shot(display, path)
        if len(np.unique(shot.reshape(-1, 3) // 8, axis=0)) > 150:
            if last is not None and last.shape == shot.shape and np.any(
                    np.abs(shot.astype(int) - last.astype(int)) > 24, axis=2).mean() < 0.005:
                return shot
            last = shot
        assert time.monotonic() < deadline, f"no city on screen within {seconds:g} s ({path})"
        time.sleep(0.5)


def _window_pixel(scene_point: tuple[float, float, float],
                  size: tuple[int, int]) -> tuple[int, int]:
    """Where the viewer draws a district point in its "pavilions" view, in window pixels:
    the same pose and lens the viewer sets up, projected by Panda3D's own lens."""
    from panda3d.core import NodePath, PerspectiveLens, Point2, Point3

    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from gwangju_twin.scene.framing import FOV_DEG

    pose = prepare(load_scene(default_scene_path())).pose("pavilions", size[0] / size[1])
    lens = PerspectiveLens()
    lens.set_fov(FOV_DEG)
    lens.set_aspect_ratio(size[0] / size[1])
    root = NodePath("root")
    cam = root.attach_new_node("camera")
    cam.set_pos(*pose.position)
    cam.set_hpr(*pose.panda_hpr)
    out = Point2()
    assert lens.project(cam.get_relative_point(root, Point3(*scene_point)), out)
    return round((out.x + 1) / 2 * size[0]), round((1 - out.y) / 2 * size[1])


def test_a_click_on_a_pavilion_opens_its_panel(display: str, tmp_path: Path) -> None:
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from gwangju_twin.scene.sectors import sector

    size = (960, 600)
    pavilion = next(p for p in prepare(load_scene(default_scene_path())).pavilions
                    if p.info.id == "healthcare")
    x, y = pavilion.info.position
    px, py = _window_pixel((x, y, pavilion.info.height * 0.4), size)
    viewer = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "--size", f"{size[0]}x{size[1]}",
         "--view", "pavilions", *MORNING],
        cwd=tmp_path, env=_env(display, tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        wid, ox, oy = _viewer_window(display)
        before = _wait_for_city(display, tmp_path / "before-click.png")
        _x(display, "xdotool", "mousemove", str(ox + px), str(oy + py))
        time.sleep(0.8)
        _x(display, "xdotool", "click", "1")
        # The panel docks at the window's top right; its Enter button wears the sector's
        # colour, which the view there had none of before the click. A slow machine may
        # take a while to draw it: look again until it shows (bounded by _wait_until).
        panel = (slice(oy + 10, oy + 320), slice(ox + size[0] - 330, ox + size[0] - 5))
        colour = np.array(sector("healthcare").color) * 255

        def sector_pixels(shot: np.ndarray) -> int:
            return int((np.abs(shot[panel] - colour).max(axis=2) < 40).sum())

        shots: list[np.ndarray] = []
        _wait_until(lambda: sector_pixels(
            shots.append(_shot(display, tmp_path / "panel.png")) or shots[-1]) > 800)
        after = shots[-1]
        assert sector_pixels(after) > 800 and sector_pixels(before) < 100, (
            sector_pixels(before), sector_pixels(after))
        assert after[panel].mean() < before[panel].mean() - 30, "no dark panel appeared"
        _x(display, "xdotool", "key", "--window", wid, "ctrl+q")
        assert viewer.wait(timeout=30) == 0
    finally:
        if viewer.poll() is None:
            viewer.kill()
            viewer.wait()


def _widget_pixels(size: tuple[int, int], script: str) -> dict[str, tuple[int, int]]:
    """Window pixels of the widgets ``script`` builds, measured by Panda3D itself in an
    offscreen buffer of the viewer's ``size`` (a child process: a test process holds no
    ShowBase of its own). ``script`` sets ``nodes``, a dict of name -> NodePath, given
    ``base``, ``font`` and ``cat``."""
    prelude = (
        "import json, sys\n"
        "from direct.showbase.ShowBase import ShowBase\n"
        "from gwangju_twin.render.config import configure\n"
        "from gwangju_twin.ui.catalogue import load_catalogue\n"
        "from gwangju_twin.ui.fonts import load_font\n"
        f"configure('offscreen', {size!r})\n"
        "base = ShowBase(windowType='offscreen')\n"
        "font, cat = load_font(base.loader), load_catalogue()\n"
    )
    coda = (
        "\nfrom panda3d.core import Point3\n"
        "out = {}\n"
        "for name, node in nodes.items():\n"
        "    left, right, bottom, top = node.guiItem.get_frame()\n"
        "    mid = Point3((left + right) / 2, 0, (bottom + top) / 2)\n"
        "    p = base.render2d.get_relative_point(node, mid)\n"
        f"    out[name] = (round((p.x + 1) / 2 * {size[0]}), round((1 - p.z) / 2 * {size[1]}))\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", prelude + script + coda], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return {k: tuple(v) for k, v in json.loads(done.stdout.splitlines()[-1]).items()}


def _new_white(shot: np.ndarray, city: np.ndarray, ox: int, oy: int,
               width: int) -> tuple[np.ndarray, np.ndarray]:
    """The band at the window's top centre where the search field sits, and a mask of its
    near-white pixels that were not near-white in ``city`` (the same view with the box
    closed): the field's fill, not the white cards of labels that stand there."""
    rows, cols = slice(oy + 40, oy + 200), slice(ox + width // 2 - 250, ox + width // 2 + 250)
    band = shot[rows, cols]
    return band, (band.min(axis=2) > 238) & ~(city[rows, cols].min(axis=2) > 238)


def _field_pixels(shot: np.ndarray, city: np.ndarray, ox: int, oy: int, width: int) -> int:
    """Pixels of the search field's near-white fill (the sky, the city and the dark cards
    have none of that colour, and labels' white cards are there in ``city`` too)."""
    return int(_new_white(shot, city, ox, oy, width)[1].sum())


def _field_ink(shot: np.ndarray, city: np.ndarray, ox: int, oy: int, width: int) -> int:
    """Dark text pixels inside the search field (typed text is near-black; the hint is grey)."""
    band, white = _new_white(shot, city, ox, oy, width)
    ys, xs = np.nonzero(white)
    if len(ys) == 0:
        return 0
    inside = band[ys.min() + 2:ys.max() - 1, xs.min() + 2:xs.max() - 1]
    return int((inside.max(axis=2) < 70).sum())


def _wait_until(test: Callable[[], bool], seconds: float = 120.0) -> bool:
    """Ask ``test`` every half second until it holds, for up to ``seconds`` (a generous bound
    only: the test's outcome does not depend on how soon it holds)."""
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def test_the_search_box_takes_letters_but_not_esc_f1_ctrl_q_or_the_toolbar(
        display: str, tmp_path: Path) -> None:
    """Real key presses into a real window: letters go into the field only (``city`` holds
    C, T and Y, which change the camera mode, start the tour and invert the mouse outside
    the field); Esc closes the box, also after Enter found nothing; F1 opens the help; the
    toolbar's Search button opens and closes the box; Ctrl+Q quits from inside the field."""
    size = (960, 600)
    button = _widget_pixels(size, (
        "from gwangju_twin.ui.toolbar import Toolbar\n"
        "nodes = {'search': Toolbar(base.a2dTopLeft, font, cat).buttons['search']}\n"
    ))["search"]
    viewer = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "--size", f"{size[0]}x{size[1]}", *MORNING],
        cwd=tmp_path, env=_env(display, tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    shots = iter(range(1000))

    def shot() -> np.ndarray:
        return _shot(display, tmp_path / f"shot-{next(shots)}.png")

    try:
        wid, ox, oy = _viewer_window(display)
        before = _wait_for_city(display, tmp_path / "city.png")

        def box_open() -> bool:
            return _field_pixels(shot(), before, ox, oy, size[0]) > 3000

        assert not box_open()
        _x(display, "xdotool", "key", "--window", wid, "slash")
        assert _wait_until(box_open), "/ did not open the search box"
        _x(display, "xdotool", "type", "--window", wid, "--delay", "120", "city")
        # The text is in the field (more dark pixels than the cursor alone).
        assert _wait_until(lambda: _field_ink(shot(), before, ox, oy, size[0]) > 150), \
            "no text typed"
        _shot(display, tmp_path / "typed-city.png")
        _x(display, "xdotool", "key", "--window", wid, "Escape")
        assert _wait_until(lambda: not box_open()), "Esc did not close the search box"
        closed = _shot(display, tmp_path / "closed-by-esc.png")
        # The letters went into the field only: no tour flight, no mode change, no toast.
        changed = np.any(np.abs(closed - before) > 24, axis=2).mean()
        assert changed < 0.02, changed

        # Nothing found, Enter: the field keeps the keyboard, and Esc still closes the box.
        _x(display, "xdotool", "key", "--window", wid, "ctrl+f")
        assert _wait_until(box_open), "Ctrl+F did not open the search box"
        _x(display, "xdotool", "type", "--window", wid, "--delay", "120", "zzqx")
        _x(display, "xdotool", "key", "--window", wid, "Return")
        _x(display, "xdotool", "type", "--window", wid, "--delay", "120", "w")
        _x(display, "xdotool", "key", "--window", wid, "Escape")
        assert _wait_until(lambda: not box_open()), "Esc after Enter left the box open"

        # The toolbar's Search button opens the box and closes it again.
        _x(display, "xdotool", "mousemove", str(ox + button[0]), str(oy + button[1]),
           "click", "1")
        assert _wait_until(box_open), "the Search button did not open the box"
        _x(display, "xdotool", "click", "1")
        assert _wait_until(lambda: not box_open()), "the Search button did not close the box"

        # F1 from inside the field opens the help card (dark, over the window's centre) and
        # puts the search box away.
        _x(display, "xdotool", "mousemove", str(ox + size[0] // 2), str(oy + size[1] - 20))
        _x(display, "xdotool", "key", "--window", wid, "slash")
        assert _wait_until(box_open)
        _x(display, "xdotool", "type", "--window", wid, "--delay", "120", "ci")
        centre = (slice(oy + 250, oy + 400), slice(ox + 330, ox + 630))
        light = closed[centre].mean()
        _x(display, "xdotool", "key", "--window", wid, "F1")
        assert _wait_until(lambda: shot()[centre].mean() < light - 25), "F1 did not open help"
        assert not box_open()
        _x(display, "xdotool", "key", "--window", wid, "Escape")
        assert _wait_until(lambda: shot()[centre].mean() > light - 10), "Esc left the help"

        # Ctrl+Q quits from inside the field.
        _x(display, "xdotool", "key", "--window", wid, "slash")
        assert _wait_until(box_open)
        _x(display, "xdotool", "type", "--window", wid, "--delay", "120", "cw")
        _x(display, "xdotool", "key", "--window", wid, "ctrl+q")
        assert viewer.wait(timeout=60) == 0
        # "y" never reached the viewer's bindings: the mouse was not inverted and saved so.
        settings = list((tmp_path / "config").rglob("*.toml"))
        assert all("invert_y = true" not in f.read_text(encoding="utf-8") for f in settings)
    finally:
        if viewer.poll() is None:
            viewer.kill()
            viewer.wait()


def test_k_opens_the_time_bar_and_a_click_on_a_preset_sets_the_date(
        display: str, tmp_path: Path) -> None:
    """Real keys and clicks: K opens the time bar at the bottom centre (dark card), and a
    click on its 하지 button moves the scene's clock to the summer solstice, which lights
    that button in the accent colour (the bar lights the preset whose date the clock
    shows)."""
    size = (960, 600)
    # The bar as the viewer builds it: over a clock at noon today in Korea (touring's own
    # clock until the stage has one), measured by Panda3D in a child process.
    button = _widget_pixels(size, (
        "from datetime import datetime\n"
        "from gwangju_twin.sun.clock import SEOUL, SceneClock\n"
        "from gwangju_twin.ui.timebar import TimeBar\n"
        "noon = datetime.now(SEOUL).replace(hour=12, minute=0, second=0, microsecond=0)\n"
        "bar = TimeBar(base.a2dBottomCenter, font, cat, SceneClock(noon, 35.15, 126.85))\n"
        "bar.show()\n"
        "nodes = {'summer': bar.buttons['summer_solstice']}\n"
    ))["summer"]
    accent = np.array([0.16, 0.50, 0.92]) * 255  # theme.ACCENT

    viewer = subprocess.Popen(
        [sys.executable, "-m", "gwangju_twin", "--size", f"{size[0]}x{size[1]}", *MORNING],
        cwd=tmp_path, env=_env(display, tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    shots = iter(range(1000))

    def shot() -> np.ndarray:
        return _shot(display, tmp_path / f"time-{next(shots)}.png")

    try:
        wid, ox, oy = _viewer_window(display)
        city = _wait_for_city(display, tmp_path / "city.png")
        x, y = ox + button[0], oy + button[1]
        around = (slice(y - 8, y + 9), slice(x - 40, x + 41))  # inside the button's face

        def lit(s: np.ndarray) -> int:
            return int((np.abs(s[around] - accent).max(axis=2) < 40).sum())

        bottom = (slice(oy + size[1] - 200, oy + size[1] - 40),
                  slice(ox + size[0] // 2 - 200, ox + size[0] // 2 + 200))
        _x(display, "xdotool", "key", "--window", wid, "k")
        assert _wait_until(lambda: shot()[bottom].mean() < city[bottom].mean() - 40), \
            "K did not open the time bar"
        opened = shot()
        assert lit(opened) < 100  # 하지 is not today (unless it is: then this test can't tell)
        _x(display, "xdotool", "mousemove", str(x), str(y))
        time.sleep(0.5)
        _x(display, "xdotool", "click", "1")
        assert _wait_until(lambda: lit(shot()) > 800), "the 하지 button did not light"
        _x(display, "xdotool", "key", "--window", wid, "ctrl+q")
        assert viewer.wait(timeout=60) == 0
    finally:
        if viewer.poll() is None:
            viewer.kill()
            viewer.wait()
