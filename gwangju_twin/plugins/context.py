"""PavilionContext: a plugin's whole world, handed to every hook."""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from gwangju_twin.plugins.api import DistrictData, PavilionInfo
from gwangju_twin.plugins.camera import DemoCamera
from gwangju_twin.plugins.clicks import ClickEvent, Clicks
from gwangju_twin.plugins.drawing import DrawingKit, DrawingServices
from gwangju_twin.plugins.manifest import Manifest
from gwangju_twin.plugins.panel import Panel
from gwangju_twin.plugins.room import Room
from gwangju_twin.plugins.storage import PluginStorage
from gwangju_twin.plugins.sunview import GWANGJU_LONLAT, SunView, default_clock
from gwangju_twin.sun import SceneClock

#: Default time an ``update`` call may take before it counts as an overrun (milliseconds).
FRAME_BUDGET_MS = 4.0


class StageServices(DrawingServices, Protocol):
    """What the viewer provides behind a context (implemented by the render room)."""

    def paint_buildings(self, parent: Any, indices: np.ndarray, rgba: np.ndarray) -> Any:
        """Draw buildings ``indices`` in ``rgba`` under ``parent``; returns the new node."""

    def make_box(self, parent: Any, size: tuple[float, float, float],
                 rgba: tuple[float, float, float, float]) -> Any:
        """A flat-shaded box under ``parent``, base at z = 0, centred on (0, 0)."""

    def load_model(self, parent: Any, path: Path) -> Any:
        """The model file ``path`` loaded under ``parent``."""


@dataclass(order=True)
class _Timer:
    due: float
    seq: int
    fn: Callable[[], None] = field(compare=False)
    every: float | None = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Timers:
    """One-shot and repeating callbacks on the viewer's clock.

    Callbacks run between frames, inside the plugin's fault isolation: one that raises
    disables the plugin like any hook. Timers run from ``load`` until the plugin is unloaded
    or disabled, whether or not a visitor is inside.
    """

    def __init__(self) -> None:
        self._now = 0.0
        self._heap: list[_Timer] = []
        self._seq = itertools.count()

    def after(self, seconds: float, fn: Callable[[], None]) -> object:
        """Call ``fn()`` once, ``seconds`` from now; returns a handle for ``cancel``."""
        return self._push(seconds, fn, None)

    def every(self, seconds: float, fn: Callable[[], None]) -> object:
        """Call ``fn()`` every ``seconds`` (at least one frame apart); returns a handle."""
        if seconds <= 0:
            raise ValueError("a repeating timer needs a positive interval")
        return self._push(seconds, fn, float(seconds))

    def cancel(self, handle: object) -> None:
        """Stop a timer; cancelling twice or after it ran is harmless."""
        if isinstance(handle, _Timer):
            handle.cancelled = True

    def cancel_all(self) -> None:
        """Stop every timer of this plugin."""
        for t in self._heap:
            t.cancelled = True
        self._heap.clear()

    def __len__(self) -> int:
        return sum(not t.cancelled for t in self._heap)

    def _push(self, seconds: float, fn: Callable[[], None], every: float | None) -> _Timer:
        if not callable(fn):
            raise TypeError("a timer callback must be callable with no arguments")
        timer = _Timer(self._now + max(0.0, float(seconds)), next(self._seq), fn, every)
        heapq.heappush(self._heap, timer)
        return timer

    def advance(self, dt: float) -> list[Callable[[], None]]:
        """Move the clock on by ``dt`` and return the callbacks now due (host use)."""
        self._now += dt
        due = []
        while self._heap and self._heap[0].due <= self._now:
            timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            due.append(timer.fn)
            if timer.every is not None:
                timer.due = max(timer.due + timer.every, self._now + 1e-9)
                heapq.heappush(self._heap, timer)
        return due


class PavilionContext(DrawingKit):
    """Everything a plugin may use; it is handed to every hook.

    Attributes:
        manifest: the plugin's validated manifest (id, sector, titles, version, api_version).
        pavilion: where the plugin's pavilion stands (``PavilionInfo``).
        node: the plugin's own Panda3D ``NodePath``, in district coordinates (metres; x east,
            y north, z up, ground at 0). Put everything the demo shows under it: the host
            removes it if the plugin fails.
        panel: the plugin's ``Panel`` of text and buttons, shown while the visitor is inside.
        district: read-only ``DistrictData`` (buildings, road graph, pavilions).
        timers: ``Timers`` for delayed and repeating callbacks.
        log: a ``logging.Logger`` named after the plugin.
        assets: the plugin's asset folder (``assets`` beside pavilion.toml unless the manifest
            names another).
        language: the visitor's language, ``"ko"`` or ``"en"``.
        frame_budget: milliseconds ``update`` may take per frame.
        storage: the plugin's own ``PluginStorage`` of JSON values and tables, kept between
            runs in one SQLite file per plugin (in memory when the viewer gives no folder).
        camera: the demo camera (``DemoCamera``): ``frame``, ``fly_to``, ``set_overview``,
            ``overview``; it moves only while the visitor is inside, and never makes them
            leave.
        room: ``Room``: ``publish``/``subscribe`` small JSON values shared with this demo on
            the other viewers of a shared room (docs/presence.md); sends nothing alone.
        sun: the scene's clock and sun, read-only (``SunView``, API 1.2): ``when``,
            ``position`` and ``subscribe(callback)``.
    """

    def __init__(
        self,
        manifest: Manifest,
        pavilion: PavilionInfo,
        node: Any,
        district: DistrictData,
        services: StageServices,
        language: str = "ko",
        frame_budget: float = FRAME_BUDGET_MS,
        storage_folder: Path | None = None,
        clock: SceneClock | None = None,
    ) -> None:
        """``clock`` is the scene's clock (None: one at ``sun.default_moment`` over the
        district's origin)."""
        self.manifest = manifest
        self.pavilion = pavilion
        self.node = node
        self.district = district
        self.panel = Panel(manifest.title_ko, manifest.title_en, assets=manifest.assets_dir)
        self.timers = Timers()
        self.log = logging.getLogger(f"gwangju_twin.plugin.{manifest.id}")
        self.assets: Path = manifest.assets_dir
        self.language = language
        self.frame_budget = frame_budget
        self.inside = False
        self._services: StageServices = services
        self._paint: Any = None
        self.storage = PluginStorage(manifest.id, storage_folder, self.log)
        # API 1.1: the demo camera and clicks (the shell attaches the camera's hand).
        self.camera = DemoCamera(active=lambda: self.inside)
        self.clicks = Clicks()
        self.room = Room(manifest.id, self.timers)  # the shell links it to a shared room
        # API 1.2: the scene's clock, read-only.
        if clock is None:
            # A context built without a district (a unit test's) still gets a sun.
            clock = default_clock(*getattr(district, "origin_lonlat", GWANGJU_LONLAT))
        self.sun = SunView(clock)

    def on_click(self, node: Any, fn: Callable[[ClickEvent], None]) -> None:
        """Call ``fn(event)`` when the visitor clicks or taps ``node`` (one of the demo's
        nodes, or anything under it) while inside the pavilion; ``event.point`` is where
        (x, y, z) and ``event.node`` is ``node``. Registering a node again replaces its
        callback. Registrations last until the visitor leaves: make them in ``enter``."""
        self.clicks.on_click(node, fn)

    def on_building_click(self, fn: Callable[[int], None]) -> None:
        """Call ``fn(row)`` when the visitor clicks or taps a building while inside the
        pavilion; ``row`` indexes ``district.buildings``. While a demo listens, a building
        click is the demo's (no info card opens). Registrations last until the visitor
        leaves: make them in ``enter``."""
        self.clicks.on_building_click(fn)

    def paint_buildings(self, indices: Any, colors: Any) -> None:
        """Show district buildings ``indices`` in ``colors`` (k x 3 or k x 4, 0..1).

        Rows index ``district.buildings``. Replaces this plugin's previous paint; the
        buildings themselves are unchanged, and ``clear_paint`` (or the plugin failing)
        restores the city's own colours.
        """
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        rgba = np.asarray(colors, dtype=np.float64)
        if rgba.ndim == 1:
            rgba = np.broadcast_to(rgba, (len(idx), len(rgba)))
        if rgba.ndim != 2 or rgba.shape[0] != len(idx) or rgba.shape[1] not in (3, 4):
            raise ValueError(
                f"colors must have shape ({len(idx)}, 3) or ({len(idx)}, 4), got {rgba.shape}"
            )
        n = len(self.district.buildings)
        if len(idx) and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"building indices must lie in 0..{n - 1}")
        if rgba.shape[1] == 3:
            rgba = np.concatenate([rgba, np.ones((len(idx), 1))], axis=1)
        self.clear_paint()
        self._paint = self._services.paint_buildings(self.node, idx, np.clip(rgba, 0.0, 1.0))

    def clear_paint(self) -> None:
        """Remove this plugin's building paint."""
        # The paint may already be gone with the plugin's node.
        if self._paint is not None and not self._paint.is_empty():
            self._paint.remove_node()
        self._paint = None

    def make_box(
        self,
        size: tuple[float, float, float],
        color: tuple[float, ...],
        parent: Any = None,
    ) -> Any:
        """A flat-shaded box (width x, depth y, height z in metres), base at z = 0 and
        centred on (0, 0), parented to ``parent`` or ``node``; move it with ``set_pos``."""
        rgba = (*tuple(float(c) for c in color[:3]), float(color[3]) if len(color) > 3 else 1.0)
        sx, sy, sz = (float(s) for s in size)
        if min(sx, sy, sz) <= 0:
            raise ValueError("box sizes must be positive")
        return self._services.make_box(
            self.node if parent is None else parent, (sx, sy, sz), rgba  # type: ignore[arg-type]
        )

    def load_model(self, path: str | Path, parent: Any = None) -> Any:
        """Load a model from the plugin's asset folder (``path`` relative to ``assets``;
        .glb, .gltf, .bam or .egg), parented to ``parent`` or ``node``. Raises
        FileNotFoundError if it is not there, ValueError if it fails the model checks."""
        root = self.assets.resolve()
        full = (root / path).resolve()
        if root not in full.parents:
            raise ValueError(f"{path}: models must come from the plugin's asset folder")
        if not full.is_file():
            raise FileNotFoundError(f"{full}: no such model file")
        return self._services.load_model(self.node if parent is None else parent, full)

    def teardown(self) -> None:
        """Host use: remove everything the plugin made (its node's children, paint, timers)."""
        self.timers.cancel_all()
        self.room.clear()
        self.sun.close()
        self.clicks.clear()
        self.clear_paint()
        self.storage.close()
        # A plugin may have removed its own node; there is nothing left to clear then.
        if self.node is not None and not self.node.is_empty():
            self.node.get_children().detach()
