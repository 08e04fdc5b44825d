"""The stage tier: the real Panda3D renderer, in this process (a ShowBase with window-type
none or an offscreen window) or in a ``python -c`` child that renders offscreen (EGL, no
display). Booth rehearsals, the touring stage, widgets, labels and picture checks.

Never the command line (``python -m gwangju_twin``), a supervisor or an X screen: those are
tests/system. A process holds one ShowBase at a time, so each ShowBase fixture is
module-scoped and a module uses one kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_kit import H, W

from gwangju_twin.expo.prepared import Prepared, prepare
from gwangju_twin.kiosk.config import KioskConfig
from gwangju_twin.resources import default_scene_path
from gwangju_twin.scene import load_scene


@pytest.fixture(scope="module")
def windowless_base() -> Iterator[Any]:
    """A ShowBase without a window (scene graph, DirectGUI and the messenger all work).

    A module that finds another module's still open uses that one.
    """
    from direct.showbase import ShowBaseGlobal
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.render.config import configure

    existing = getattr(ShowBaseGlobal, "base", None)
    if existing is not None:
        yield existing
        return
    configure("none", (640, 360))
    showbase = ShowBase(windowType="none")
    yield showbase
    showbase.destroy()


@pytest.fixture(scope="module")
def base() -> Iterator[Any]:
    """The widget tests' window: an offscreen ShowBase at W x H (gui_kit), the smallest
    window the viewer supports; a module that finds another module's still open uses it."""
    from direct.showbase import ShowBaseGlobal
    from direct.showbase.ShowBase import ShowBase

    from gwangju_twin.render.config import configure

    existing = getattr(ShowBaseGlobal, "base", None)
    if existing is not None:  # a process holds one ShowBase at a time
        if existing.win is None:
            pytest.fail("another module's windowless ShowBase is still open")
        yield existing
        return
    configure("offscreen", (W, H))
    showbase = ShowBase(windowType="offscreen")
    showbase.set_background_color(0.62, 0.75, 0.88, 1)
    yield showbase
    showbase.destroy()


@pytest.fixture(scope="module")
def fonts(base: Any) -> tuple[Any, Any]:
    """The regular and bold Hangul fonts, loaded through the widget window's loader."""
    from gwangju_twin.ui.fonts import load_font

    return load_font(base.loader), load_font(base.loader, bold=True)


@pytest.fixture(scope="module")
def cat() -> Any:
    """The interface text catalogue."""
    from gwangju_twin.ui.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="module")
def mouse(base: Any) -> Iterator[Any]:
    """A VirtualMouse driving a MouseWatcher that aspect2d's PGTop listens to; what GUI
    regions do not swallow reaches the world as "world-mouse1"."""
    from panda3d.core import ButtonThrower, MouseWatcher, VirtualMouse

    vm = VirtualMouse("test-mouse")
    vm.set_window_size(base.win.get_x_size(), base.win.get_y_size())
    vm.set_mouse_on(True)
    vm_np = base.dataRoot.attach_new_node(vm)
    watcher = MouseWatcher("test-watcher")
    vm_np.attach_new_node(watcher).attach_new_node(ButtonThrower("test-world"))
    vm_np.find("**/test-world").node().set_prefix("world-")
    pgtop = base.aspect2d.node()
    old = pgtop.get_mouse_watcher()
    pgtop.set_mouse_watcher(watcher)
    yield vm
    # PGTop cannot go back to no watcher: an unconnected one hears nothing, the same thing.
    pgtop.set_mouse_watcher(old if old is not None else MouseWatcher("idle"))
    vm_np.remove_node()


@pytest.fixture(scope="module")
def booth_prepared() -> Prepared:
    """The default scene prepared as a booth admits its plugins (the default kiosk config)."""
    return prepare(load_scene(default_scene_path()), admit=KioskConfig().allows)


@pytest.fixture
def touch_booth(booth_prepared: Prepared, tmp_path: Path) -> Iterator[Any]:
    """A kiosk booth on the default scene, rehearsed offscreen at 800x450 and 15 frames a
    second with idle timers far away, for demos visited by touch alone."""
    import dataclasses

    from gwangju_twin.app.rehearsal import Rehearsal

    config = dataclasses.replace(KioskConfig(), size=(800, 450), attract_after=300.0,
                                 reset_after=300.0, log_folder=tmp_path / "logs",
                                 database=tmp_path / "visits.sqlite3")
    booth = Rehearsal(booth_prepared, config, fps=15)
    try:
        yield booth
    finally:
        booth.close()
