"""A visit to the expo: pavilions on screen, their plugins hosted, the visitor's panel.

``ExpoFloor`` wires the pure rooms (expo, plugins) to the scene graph the composition root
hands it. It never creates a ShowBase: it is given the nodes and loader it draws with.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np
from panda3d.core import BitMask32, Lens, NodePath, PandaNode

from gwangju_twin.expo.pavilions import Pavilion
from gwangju_twin.geo.model import District
from gwangju_twin.picking import Hit
from gwangju_twin.plugins.api import DistrictData
from gwangju_twin.plugins.camera import WHOLE, CameraHand, Window
from gwangju_twin.plugins.clicks import ClickEvent, ray_boxes
from gwangju_twin.plugins.context import PavilionContext
from gwangju_twin.plugins.discovery import FoundPlugin, PluginOrigin, PluginStatus
from gwangju_twin.plugins.district import building_rows, district_data
from gwangju_twin.plugins.guard import Hook
from gwangju_twin.plugins.host import (
    UNAVAILABLE_EN,
    UNAVAILABLE_KO,
    PluginHost,
    Slot,
    SlotState,
)
from gwangju_twin.plugins.panel import Panel, PanelButton, PanelLine
from gwangju_twin.plugins.sunview import default_clock
from gwangju_twin.render.paint import StageServices, plugin_labels
from gwangju_twin.render.pavilions import (
    LABEL_GAP,
    LABEL_HEIGHT,
    LANDMARK_LABEL_HEIGHT,
    LANDMARK_PRIORITY,
    PAVILION_PRIORITY,
    PavilionNodes,
    ScreenLabel,
    attach_landmarks,
    attach_pavilions,
    layout_labels,
    scale_labels,
)
from gwangju_twin.scene.camera import CameraPose
from gwangju_twin.scene.sectors import sector
from gwangju_twin.sun import SceneClock
from gwangju_twin.ui.declutter import LabelBox, Placement, declutter
from gwangju_twin.ui.fonts import load_font
from gwangju_twin.ui.label import BilingualLabel
from gwangju_twin.ui.panel import PanelView
from gwangju_twin.ui.reserve import reserved_rects

log = logging.getLogger("gwangju_twin.visit")


class LeavingPanel:
    """A pavilion's panel as the visitor sees it with an interface: its own lines and
    buttons, then a Leave button (leaving is explicit, so it is always at hand). Reads
    everything else through to the plugin's panel, which stays the plugin's alone."""

    def __init__(self, panel: Panel, leave: PanelButton) -> None:
        self._panel = panel
        self._leave = leave

    def __getattr__(self, name: str) -> Any:
        return getattr(self._panel, name)

    @property
    def buttons(self) -> tuple[PanelButton, ...]:
        """The plugin's buttons, then Leave."""
        return (*self._panel.buttons, self._leave)


class StillCamera:
    """The demo camera's hand on a stage without an interface (a render, a test): the
    camera goes to a demo's view at once; ``moved()`` runs after (the sky and labels)."""

    def __init__(self, camera: NodePath, lens: Lens, moved: Callable[[], object]) -> None:
        self._camera, self._lens, self._moved = camera, lens, moved
        self.pose: CameraPose | None = None

    def aspect(self) -> float:
        """The lens's width over height."""
        return float(self._lens.get_aspect_ratio())

    def current(self) -> CameraPose | None:
        """The last pose a demo set (None: the camera is where the stage put it)."""
        return self.pose

    def window(self) -> Window:
        """All of the picture: there is no interface over it."""
        return WHOLE

    def show(self, pose: CameraPose, seconds: float) -> None:
        """Put the camera at ``pose`` now (there is no one to watch a flight)."""
        self.pose = pose
        self._camera.set_pos(*pose.position)
        self._camera.set_hpr(*pose.panda_hpr)
        self._moved()


def _camera_type() -> type:
    from panda3d.core import Camera

    return Camera


class ExpoFloor:
    """The pavilions, their plugins and the visitor's panel in one viewer."""

    def __init__(
        self,
        world: NodePath,
        overlay: NodePath,
        loader: Any,
        district: District,
        bounds: tuple[float, float, float, float],
        pavilions: Sequence[Pavilion],
        found: Sequence[FoundPlugin],
        frame_budget_ms: float = 4.0,
        language: str = "ko",
        storage_folder: Path | None = None,
        clock: SceneClock | None = None,
    ) -> None:
        """``storage_folder`` is where plugins keep ``ctx.storage`` (None: a temporary
        folder made when the first plugin loads, removed on ``close``). ``clock`` is the
        scene's clock the plugins read as ``ctx.sun`` (None: a clock of its own at
        ``sun.default_moment`` over the district's origin)."""
        self._storage_folder = storage_folder
        #: The scene's clock the plugins see (read-only) as ``ctx.sun``.
        self.clock = clock if clock is not None else default_clock(district.frame.lon,
                                                                   district.frame.lat)
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.pavilions = {p.info.id: p for p in pavilions}
        self.language = language
        self.frame_budget_ms = frame_budget_ms
        self._overlay = overlay
        self.font = load_font(loader)
        self.bold_font = load_font(loader, bold=True)
        self.nodes: dict[str, PavilionNodes] = attach_pavilions(
            world, pavilions, self.font, self.bold_font)
        #: The named landmarks' labels by district row.
        self.landmark_labels: dict[int, BilingualLabel] = attach_landmarks(
            world, district, self.font, self.bold_font)
        self._screen_labels = [
            ScreenLabel(("pavilion", pid), n.label, PAVILION_PRIORITY, LABEL_HEIGHT)
            for pid, n in self.nodes.items()
        ] + [
            ScreenLabel(("landmark", row), label, LANDMARK_PRIORITY + rank,
                        LANDMARK_LABEL_HEIGHT)
            for rank, (row, label) in enumerate(self.landmark_labels.items())
        ]
        #: The last label layout by key (("pavilion", id) or ("landmark", row)).
        self.label_layout: dict[Any, Placement] = {}
        self.host = PluginHost(self._context, self._changed)
        self._info_panels: dict[str, Panel] = {}
        self._view: PanelView | None = None
        self.inside: str | None = None
        self._stale_panel = False
        self._camera: NodePath | None = None
        self._lens: Lens | None = None
        #: What the camera draws with: its demos' labels are hidden from this mask.
        self._camera_mask: BitMask32 | None = None
        self._layout_key: Any = None
        # The labels are laid out again whenever the camera, the window's shape or the
        # interface's reserved rectangles change; the composition root calls ``follow``
        # when the camera moves, and this task catches widgets that open, close or move
        # in frames where it does not (e.g. an offscreen snapshot's interface frames).
        from direct.task.TaskManagerGlobal import taskMgr

        self._task_name = f"expo-labels-{id(self)}"
        taskMgr.add(self._relayout_task, self._task_name, sort=55)
        self._data: DistrictData | None = None
        self._services: StageServices | None = None
        self._world = world
        #: The Leave button under an entered pavilion's panel (an interface sets it: the
        #: button's texts and what it does; None: no button, as in a render).
        self.leave_button: PanelButton | None = None
        #: The hand that moves the camera for the demos (the shell sets it: the stage's
        #: ``StillCamera``, then the touring interface's flights).
        self.camera_hand: CameraHand | None = None
        self._building_rows: np.ndarray | None = None
        by_id = {f.id: f for f in found if f.status != PluginStatus.DUPLICATE}
        slots = [(p, p.info.plugin) for p in pavilions if p.info.plugin]
        if slots:
            rows = building_rows(district)
            self._building_rows = rows
            self._services = StageServices(district, rows)
            self._data = district_data(district, [p.info for p in pavilions], bounds, rows)
        for pav, plugin_id in slots:
            assert plugin_id is not None
            plugin = by_id.get(plugin_id) or FoundPlugin(
                plugin_id, PluginOrigin.SCENE, "scene", PluginStatus.ERROR,
                f"no plugin with id {plugin_id!r} is installed or in the scene's plugins folder")
            self.host.add(pav.info, plugin)

    @property
    def storage_folder(self) -> Path:
        """Where this floor's plugins keep ``ctx.storage``."""
        if self._storage_folder is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="gwangju-twin-storage-")
            self._storage_folder = Path(self._scratch.name)
        return self._storage_folder

    # -- lifecycle -------------------------------------------------------------------------

    def load(self) -> None:
        """Load every pavilion's plugin (failures only disable the plugin concerned)."""
        self.host.load_all()

    def enter(self, pavilion_id: str) -> None:
        """The visitor enters ``pavilion_id``: its demo starts and its panel shows."""
        if pavilion_id not in self.pavilions:
            raise KeyError(pavilion_id)
        if self.inside == pavilion_id:
            return
        self.exit()
        self.inside = pavilion_id
        self.host.enter(pavilion_id)
        self._show_panel(pavilion_id)

    def exit(self) -> None:
        """The visitor leaves the pavilion they are in (its demo exits)."""
        if self.inside is None:
            return
        active = self.host.active
        self.host.exit()
        if active is not None and active.context is not None:
            # Clicks are a visit's, like the nodes they are on: a demo registers them in
            # ``enter`` and a second visit does not hear each click twice.
            active.context.clicks.clear()
        self.inside = None
        if self._view is not None:
            self._view.destroy()
            self._view = None

    def reload(self) -> None:
        """Every plugin exits and is loaded afresh (a kiosk's reset between visitors); the
        visitor ends up outside every pavilion."""
        self.exit()
        self.host.reload_all()
        self._stale_panel = False

    def update(self, dt: float) -> None:
        """One frame: plugins' timers and the active demo's update, then the panel."""
        self.host.update(dt)
        if self._stale_panel and self.inside is not None:
            self._stale_panel = False
            self._show_panel(self.inside)
        if self._view is not None:
            self._view.refresh()

    def follow(self, camera: NodePath) -> None:
        """Lay the labels out for ``camera``: each faces it at a size for its distance, and
        none covers another or the interface (toolbar, minimap, panel). Cheap when neither
        the camera, the window's shape nor the interface has changed since the last call."""
        if camera is not self._camera:
            self._camera = camera
            cam = camera if isinstance(camera.node(), _camera_type()) else camera.find(
                "**/+Camera")
            self._lens = cam.node().get_lens() if not cam.is_empty() else None
            # Without the overall bit, which hide() with no mask sets: a demo's label hidden
            # here still counts as shown for plugin_labels (NodePath.is_hidden asks that bit).
            self._camera_mask = (None if cam.is_empty() else cam.node().get_camera_mask()
                                 & ~PandaNode.get_overall_bit())
        self._relayout()

    def _relayout(self) -> None:
        camera, lens = self._camera, self._lens
        if camera is None or camera.is_empty():
            return
        if lens is None:  # no lens to project with: sizes only, as before the declutter
            scale_labels(self.nodes, camera)
            return
        interface = reserved_rects(self._overlay)
        demo = [entry for n in self.nodes.values()  # a demo draws under its pavilion's node
                for entry in plugin_labels(n.demo, camera, lens)]
        mat = camera.get_net_transform().get_mat()
        key = (tuple(mat.get_cell(i, j) for i in range(4) for j in range(4)),
               lens.get_aspect_ratio(),
               lens.get_fov()[0], tuple(interface), tuple(rect for _, rect, _ in demo))
        if key == self._layout_key:
            return
        self._layout_key = key
        # The demos' own labels are laid out first, the nearest first: one covering a
        # nearer one, the interface or the picture's edge is hidden from the camera until
        # the view changes (a demo places them where its data says, and may place two
        # side by side); then the city's labels make way for those shown.
        shown = self._demo_labels(demo, interface, lens)
        self.label_layout = layout_labels(self._screen_labels, camera, lens,
                                          interface + shown)

    def _demo_labels(self, demo: list[tuple[NodePath, tuple[float, float, float, float],
                                             float]],
                     interface: list[tuple[float, float, float, float]],
                     lens: Lens) -> list[tuple[float, float, float, float]]:
        """Show or hide the demos' labels (``render.paint.plugin_labels``) from the camera
        so that none covers another or the interface; the rectangles of those shown."""
        mask = self._camera_mask
        if mask is None:
            return [rect for _, rect, _ in demo]
        # Hidden from this camera only, so the plugin's own hide() and show() (which act on
        # every camera, on the label's root) stay the plugin's.
        aspect = lens.get_aspect_ratio()
        placed = declutter([LabelBox(i, rect, 0, depth) for i, (_, rect, depth) in
                            enumerate(demo)], interface, gap=LABEL_GAP, scales=(1.0,),
                           lifts=(0.0,), ceiling=1.0, sides=(-aspect, aspect))
        shown = []
        for i, (cards, rect, _) in enumerate(demo):
            if placed[i].visible:
                cards.show(mask)
                shown.append(rect)
            else:
                cards.hide(mask)
        return shown

    def _relayout_task(self, task: Any) -> Any:
        self._relayout()
        return task.cont

    def close(self) -> None:
        """Exit and unload every plugin (the viewer closes)."""
        from direct.task.TaskManagerGlobal import taskMgr

        taskMgr.remove(self._task_name)
        self.exit()
        self.host.unload_all()
        for slot in self.host.slots:  # a disabled plugin's store is still open
            if slot.context is not None:
                slot.context.storage.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    def set_language(self, language: str) -> None:
        """Show panels and plugin text in ``language`` ("ko" or "en")."""
        self.language = language
        for slot in self.host.slots:
            if slot.context is not None:
                slot.context.language = language
        if self._view is not None:
            self._view.set_language(language)

    # -- what the visitor sees -------------------------------------------------------------

    def panel(self, pavilion_id: str) -> Panel:
        """The panel shown inside ``pavilion_id``: its plugin's, or the sector's info panel."""
        slot = self.host.slot(pavilion_id)
        if slot is not None and slot.context is not None and slot.state != SlotState.DISABLED:
            return slot.context.panel
        panel = self._info_panels.get(pavilion_id)
        if panel is None:
            info = self.pavilions[pavilion_id].info
            sec = sector(info.sector)
            panel = Panel(sec.name_ko, sec.name_en)
            panel.accent = sec.color
            panel.set_line("about", sec.description_ko, sec.description_en)
            self._info_panels[pavilion_id] = panel
        if slot is not None and slot.state == SlotState.DISABLED:
            panel.notice = PanelLine("notice", UNAVAILABLE_KO, UNAVAILABLE_EN)
            panel.revision += 1
        return panel

    @property
    def panel_view(self) -> PanelView | None:
        """The panel on screen, if the visitor is inside a pavilion."""
        return self._view

    def _show_panel(self, pavilion_id: str) -> None:
        if self._view is not None:
            self._view.destroy()
        host, slot = self.host, self.host.slot(pavilion_id)

        leave = self.leave_button

        def run(fn: Callable[[], None]) -> None:
            # A plugin's buttons run under the host's fault isolation, like its hooks; Leave
            # is the viewer's own and works for a failed demo too.
            if slot is not None and (leave is None or fn is not leave.on_click):
                host.run(slot, fn, Hook.BUTTON)
            else:
                fn()

        panel = self.panel(pavilion_id)
        shown = panel if leave is None else cast(Panel, LeavingPanel(panel, leave))
        self._view = PanelView(shown, self._overlay, self.font,
                               language=self.language, run=run, bold_font=self.bold_font)

    # -- the demo camera and clicks --------------------------------------------------------

    @property
    def demo_pose(self) -> CameraPose | None:
        """The view the entered pavilion's demo last asked for (None: none, or outside)."""
        slot = self.host.active
        if slot is None or slot.context is None or not slot.running:
            return None
        # Framed again for the hand there is now: an interface that came up after the demo
        # asked (``--enter``) covers part of the picture the first framing used.
        return slot.context.camera.refit()

    def overview(self, pavilion_id: str) -> CameraPose | None:
        """The overview pose the demo of ``pavilion_id`` named (None: it named none)."""
        slot = self.host.slot(pavilion_id)
        if slot is None or slot.context is None or not slot.running:
            return None
        camera = slot.context.camera
        out: list[CameraPose | None] = []
        # The overview is framed by the demo's own target: keep a bad one in its plugin.
        self.host.run(slot, lambda: out.append(camera.overview_pose()), Hook.CALLBACK)
        return out[0] if out else None

    def click(self, origin: tuple[float, float, float],
              direction: tuple[float, float, float], hit: Hit | None) -> bool:
        """A click along the ray ``origin`` + t ``direction`` (unit, district metres) whose
        pick in the city is ``hit``: the entered demo's node or building callbacks get it
        if it is theirs. True when a demo took the click (nothing else should act on it)."""
        slot = self.host.active
        if slot is None or slot.context is None or not slot.running:
            return False
        clicks, host = slot.context.clicks, self.host
        nearest = hit.distance if hit is not None else math.inf
        nodes = clicks.nodes
        boxes = [(node, fn, node.get_tight_bounds(self._world)) for node, fn in nodes]
        boxes = [(node, fn, b) for node, fn, b in boxes if b]
        if boxes:
            lo = np.array([[b[0].x, b[0].y, b[0].z] for _, _, b in boxes])
            hi = np.array([[b[1].x, b[1].y, b[1].z] for _, _, b in boxes])
            t = ray_boxes(origin, direction, lo, hi)
            k = int(np.argmin(t))
            if t[k] < nearest:
                node, fn, _ = boxes[k]
                ox, oy, oz = origin
                dx, dy, dz = direction
                tk = float(t[k])
                event = ClickEvent((ox + tk * dx, oy + tk * dy, oz + tk * dz), node)
                host.run(slot, lambda: fn(event), Hook.CALLBACK)
                return True
        callbacks = clicks.building_callbacks
        if hit is None or hit.feature < 0 or not callbacks or self._building_rows is None:
            return False
        rows = self._building_rows
        k = int(np.searchsorted(rows, hit.feature))
        if k >= len(rows) or rows[k] != hit.feature:
            return False  # a district feature plugins do not see as a building
        for callback in callbacks:
            if not host.run(slot, partial(callback, k), Hook.CALLBACK):
                break
        return True

    # -- host callbacks --------------------------------------------------------------------

    def _context(self, slot: Slot) -> PavilionContext:
        assert slot.found.manifest is not None and self._data is not None
        assert self._services is not None
        ctx = PavilionContext(slot.found.manifest, slot.pavilion,
                              self.nodes[slot.pavilion.id].demo, self._data, self._services,
                              self.language, self.frame_budget_ms,
                              storage_folder=self.storage_folder, clock=self.clock)
        ctx.panel.accent = sector(slot.pavilion.sector).color
        ctx.camera.attach(lambda: self.camera_hand)
        return ctx

    def _changed(self, slot: Slot) -> None:
        nodes = self.nodes[slot.pavilion.id]
        if slot.state == SlotState.DISABLED:
            nodes.label.set_notice(UNAVAILABLE_KO, UNAVAILABLE_EN)
            self._layout_key = None  # the label grew a line: lay it out again
            # Rebuilt on the next update, not here: this may run inside the panel's own
            # button callback, which must not destroy its button under itself.
            self._stale_panel = self.inside == slot.pavilion.id
