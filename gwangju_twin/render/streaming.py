"""A baked city drawn tile by tile: levels of detail chosen each frame (``tiles.select``),
tiles read and turned into GeomNodes in the background, and dropped again beyond a memory
budget.

Each frame ``CityStream.update`` asks the selector what to draw. Only the far groups whose
choice changed, or one of whose tiles finished loading, are looked at again, so a still
camera costs a few numpy operations. What a group shows changes only when everything it
changes to is loaded: a far group's hulls stay until all its leaves in view are there, a
leaf's level 1 until its level 0 is, and leaves until their group's hulls are. The picture
never shows a hole where something was drawn before.

Tiles hidden behind nearer walls are not drawn (occlusion culling, ``tiles.occlusion``):
after every update, and only when the camera or what is drawn changed, the walls of the
nearest tiles are drawn into a small conservative depth buffer, front to back, and every
other tile's box is tested against it. A tile found hidden is hidden from the main camera
alone (``occlude_for``): the sun's shadow camera still draws it, since its shadow may fall
where the camera looks. It stays loaded and attached, so it shows in the very frame it
comes out from behind the wall; a hidden tile lends no walls to the buffer.

A loader thread reads tiles (``TileSet.batches``: the file, its checksum, the arrays) and
packs their vertices and indices into the bytes a Geom takes, with numpy alone; Panda3D
releases Python's lock while it renders a frame, so that work goes on while frames are
drawn. The main thread makes the Geoms and nodes from those bytes (a copy, and a few
objects per tile), at most ``ASSEMBLE_S`` of it per frame. Not in the loader: Geoms made in
a second thread while the main thread rendered crashed the renderer within a minute of
streaming (segmentation faults and aborts in ``render_frame``, with Panda3D's own threads
as with Python's), and never once the same work ran on the main thread.
"""

from __future__ import annotations

import itertools
import logging
import math
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from panda3d.core import BitMask32, Lens, NodePath, PandaNode, Vec3

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.district import DistrictMesh, layer_of
from gwangju_twin.render.geoms import Packed, make_geom_node, pack
from gwangju_twin.render.world import SHADOW_CAMERA, Extent, build_world, style_batch
from gwangju_twin.tiles.occlusion import (
    DEPTH_BITS,
    Occluders,
    occluded_in_turn,
    occluders_of,
)
from gwangju_twin.tiles.select import THRESHOLD_PX, Selection, Selector, View, box_distance
from gwangju_twin.tiles.tileset import TileSet

log = logging.getLogger("gwangju_twin.render")

#: The memory the stream's resident tiles may hold (their vertex and index arrays).
BUDGET_BYTES = 600 * 2**20
#: Bytes per vertex of the one vertex format (position, normal, RGBA8) and per index.
VERTEX_BYTES = 28
INDEX_BYTES = 4

#: Main-thread time (seconds) per frame spent making the nodes of loaded tiles; at least
#: one tile is made each frame whatever it costs.
ASSEMBLE_S = 0.004

#: A tile at a level: (tile key, level).
Item = tuple[str, int]

#: The camera bits a tile hidden behind nearer walls is hidden from: all but the shadow
#: camera's, which still draws it. The main camera takes exactly these (``occlude_for``):
#: a camera with every bit would still see a node that any one of its bits sees.
MAIN_CAMERA = PandaNode.get_all_camera_mask() & ~SHADOW_CAMERA


@dataclass
class _Loaded:
    """A tile at a level as the loader leaves it: per batch, its material and draw order
    (an empty batch: all ``style_batch`` reads) and its packed bytes."""

    key: str
    level: int
    parts: list[tuple[MeshBatch, Packed]]
    nbytes: int
    triangles: int
    #: The box of everything it draws (x0, y0, z0, x1, y1, z1; None: it draws nothing) and
    #: its solids' faces as occluders (``tiles.occlusion``).
    box: np.ndarray | None = None
    occluders: Occluders = field(default_factory=Occluders.none)


@dataclass
class _Node:
    """A tile's node at one level, loaded: its root (attached while drawn), the bytes its
    arrays hold and its triangles."""

    key: str
    level: int
    root: NodePath
    nbytes: int
    triangles: int
    box: np.ndarray | None = None
    occluders: Occluders = field(default_factory=Occluders.none)


@dataclass
class StreamStats:
    """What the stream draws and holds now. ``drawn`` counts the tiles drawn in view per
    level and ``triangles`` their triangles, but for the ``occluded`` ones (in view but
    hidden behind nearer walls); ``attached`` also counts tiles kept in the scene out of
    view (Panda3D culls them). ``pending`` loads are asked for or under way."""

    drawn: dict[int, int] = field(default_factory=dict)
    triangles: int = 0
    occluded: int = 0
    attached: int = 0
    resident: int = 0
    resident_bytes: int = 0
    pending: int = 0
    loaded: int = 0
    evicted: int = 0
    failed: int = 0


class CityStream:
    """The tiles of ``tiles`` drawn under ``parent`` at the levels the camera needs, holding
    at most ``budget_bytes`` of tiles not needed for the present picture. ``layers`` filters
    batches as ``DistrictMesh.shown`` does (a layer not named is on); ``threshold_px`` is the
    screen-space error allowed. Call ``update`` every frame and ``close`` at the end."""

    def __init__(self, parent: NodePath, tiles: TileSet, budget_bytes: int = BUDGET_BYTES,
                 layers: Mapping[str, bool] | None = None,
                 threshold_px: float = THRESHOLD_PX) -> None:
        if budget_bytes < 0:
            raise ValueError(f"budget {budget_bytes!r} bytes: expected 0 or more")
        self.parent = parent
        self.tiles = tiles
        self.budget = int(budget_bytes)
        self.layers = dict(layers or {})
        self.selector = Selector.for_tiles(tiles, threshold_px)
        sel = self.selector
        self._group_index = {k: i for i, k in enumerate(sel.group_keys)}
        self._leaf_index = {k: i for i, k in enumerate(sel.leaf_keys)}
        order = np.argsort(sel.leaf_group, kind="stable")
        starts = np.searchsorted(sel.leaf_group[order], np.arange(len(sel.group_keys) + 1))
        self._leaves_of = [order[a:b] for a, b in itertools.pairwise(starts)]
        # The last frame each tile was in view: what is evicted first is what was seen last
        # longest ago.
        self._group_seen_at = np.full(len(sel.group_keys), -1, np.int64)
        self._leaf_seen_at = np.full(len(sel.leaf_keys), -1, np.int64)
        self.frame = 0
        self._view: View | None = None
        self._sel: Selection | None = None
        self._resident: dict[Item, _Node] = {}
        self._bytes = 0
        self._drawn: dict[str, int] = {}
        self._failed: set[Item] = set()
        # Occlusion: the bits hidden tiles are hidden from (None: off), the tiles hidden,
        # what the last test saw (view and drawn tiles) and what it cost.
        self._occlusion: BitMask32 | None = None
        self._hidden: set[Item] = set()
        self._depth_bits = DEPTH_BITS
        self._drawn_version = 0
        self._occluded_for: tuple[object, ...] | None = None
        self.occlusion_s = 0.0
        """CPU seconds (this thread's) the last occlusion test took, 0 when nothing had
        changed: its own cost, whatever else the machine runs."""
        self._loaded = 0
        self._evicted = 0
        # Loads: asked for (in the queue), being built (taken by the loader), delivered.
        self._lock = threading.Lock()
        self._asked: set[Item] = set()
        self._building: set[Item] = set()
        self._delivered: set[Item] = set()  # built, not yet taken in by the main thread
        self._asked_by_group: dict[int, set[Item]] = {}
        self._requests: queue.PriorityQueue[tuple[float, int, str, int]] = queue.PriorityQueue()
        self._results: queue.Queue[tuple[Item, _Loaded | None]] = queue.Queue()
        self._seq = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="city-stream", daemon=True)
        self._thread.start()

    # -- the loader --------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            _, _, key, level = self._requests.get()
            if not key:
                return
            item = (key, level)
            with self._lock:
                if item not in self._asked:  # no longer wanted
                    continue
                self._asked.discard(item)
                self._building.add(item)
            loaded: _Loaded | None
            try:
                loaded = self.load(key, level)
            except Exception:  # a tile that cannot be read must not stop the others
                log.exception("tile %s at level %d could not be loaded", key, level)
                loaded = None
            with self._lock:
                self._building.discard(item)
                self._delivered.add(item)
                self._results.put((item, loaded))

    def load(self, key: str, level: int) -> _Loaded:
        """Tile ``key`` at ``level`` read and packed, the batches of layers switched off
        left out. Numpy only: the loader thread's part."""
        parts = []
        nbytes = triangles = 0
        lows, highs, occluders = [], [], []
        for batch in self.tiles.batches(key, level):
            if not self.layers.get(layer_of(batch), True):
                continue
            style = MeshBatch.empty(batch.material)
            style.draw_order = batch.draw_order
            parts.append((style, pack(batch)))
            nbytes += batch.vertex_count * VERTEX_BYTES + batch.indices.size * INDEX_BYTES
            if batch.primitive == "triangles":
                triangles += batch.primitive_count
            if batch.vertex_count:
                lows.append(batch.positions.min(axis=0))
                highs.append(batch.positions.max(axis=0))
            # Only solids hide what is behind them: flat layers are drawn without depth.
            if batch.material == "solid" and batch.primitive == "triangles":
                occluders.append(occluders_of(batch.positions, batch.indices))
        box = (np.concatenate([np.min(lows, axis=0), np.max(highs, axis=0)]).astype(float)
               if lows else None)
        faces = Occluders.join(occluders)
        nbytes += faces.nbytes
        return _Loaded(key, level, parts, nbytes, triangles, box, faces)

    @staticmethod
    def assemble(loaded: _Loaded) -> _Node:
        """The detached node of a loaded tile: one GeomNode per batch, named and styled as
        ``build_world`` does. Main thread only."""
        key, level = loaded.key, loaded.level
        root = NodePath(f"tile-{key}-{level}")
        for style, packed in loaded.parts:
            np_ = root.attach_new_node(
                make_geom_node(style, f"{style.material}-{key}-{level}", packed))
            style_batch(np_, style)
        return _Node(key, level, root, loaded.nbytes, loaded.triangles, loaded.box,
                     loaded.occluders)

    def _ask(self, group: int, items: set[Item], view: View) -> None:
        """Ask the loader for ``items`` (the group's loads now wanted), nearest first; the
        group's other loads not yet begun are dropped."""
        with self._lock:
            before = self._asked_by_group.get(group, set())
            for item in before - items:
                self._asked.discard(item)
            new = [i for i in items if i not in self._asked and i not in self._building
                   and i not in self._delivered and i not in self._failed]
            self._asked.update(new)
            self._asked_by_group[group] = {i for i in items if i in self._asked}
        for key, level in new:
            self._requests.put((self._distance(key, view), next(self._seq), key, level))

    def _distance(self, key: str, view: View) -> float:
        sel = self.selector
        if key in self._leaf_index:
            box = sel.leaf_boxes[self._leaf_index[key]]
        else:
            box = sel.group_boxes[self._group_index[key]]
        return float(box_distance(view.eye, box[None, :])[0])

    def _receive(self, seconds: float = math.inf) -> set[int]:
        """Make the nodes of what the loader finished, for about ``seconds`` (at least one
        tile); the groups that changes."""
        dirty: set[int] = set()
        end = time.perf_counter() + seconds
        first = True
        while first or time.perf_counter() < end:
            first = False
            try:
                item, loaded = self._results.get_nowait()
            except queue.Empty:
                break
            dirty.add(self._group_of(item[0]))
            if loaded is None:
                self._failed.add(item)
            elif item not in self._resident and (self._wanted(item) or self._gap(item[0])):
                # What the camera has left behind meanwhile is not worth the main thread's
                # time: dropped, read again if it is wanted again.
                self._keep(self.assemble(loaded))
            with self._lock:
                self._delivered.discard(item)
        return dirty

    def _keep(self, node: _Node) -> None:
        item = (node.key, node.level)
        self._resident[item] = node
        self._bytes += node.nbytes
        self._loaded += 1

    def _group_of(self, key: str) -> int:
        if key in self._leaf_index:
            return int(self.selector.leaf_group[self._leaf_index[key]])
        return self._group_index[key]

    # -- each frame --------------------------------------------------------------------------

    def view_of(self, camera_np: NodePath, lens: Lens, viewport_h: float) -> View:
        """The ``View`` of a camera node and its lens, in the parent's frame."""
        eye = camera_np.get_pos(self.parent)
        axes = [self.parent.get_relative_vector(camera_np, Vec3(*a))
                for a in ((0, 1, 0), (0, 0, 1), (1, 0, 0))]
        f, u, r = (np.array([a.x, a.y, a.z], float) / max(a.length(), 1e-12) for a in axes)
        fov = lens.get_fov()
        return View(np.array([eye.x, eye.y, eye.z], float), f, u, r, float(fov[0]),
                    float(fov[1]), float(lens.get_near()), float(lens.get_far()),
                    float(viewport_h))

    def update(self, camera_np: NodePath, lens: Lens, viewport_h: float) -> None:
        """One frame: choose the tiles for this camera (``viewport_h`` pixels high), ask for
        what is missing, swap in what has loaded and evict beyond the budget."""
        self.update_view(self.view_of(camera_np, lens, viewport_h))

    def update_view(self, view: View) -> None:
        """``update`` for a ``View`` already made."""
        sel = self.selector.select(view)
        prev = self._sel
        self.frame += 1
        self._group_seen_at[sel.group_seen] = self.frame
        self._leaf_seen_at[sel.leaf_seen] = self.frame
        if prev is None:
            dirty = set(range(len(self.selector.group_keys)))
        else:
            groups = np.flatnonzero((sel.group_wanted != prev.group_wanted)
                                    | (sel.group_seen != prev.group_seen)
                                    | (sel.group_wanted & (sel.group_level != prev.group_level)))
            leaves = np.flatnonzero((sel.leaf_wanted != prev.leaf_wanted)
                                    | (sel.leaf_wanted & (sel.leaf_level != prev.leaf_level)))
            dirty = set(groups.tolist()) | set(self.selector.leaf_group[leaves].tolist())
        self._view, self._sel = view, sel
        dirty |= self._receive(ASSEMBLE_S)
        for g in sorted(dirty):
            self._resolve(g, sel, view)
        if dirty and self._bytes > self.budget:
            self._evict(sel)
        self._occlude()  # before the frame is drawn: a tile coming into sight shows at once

    def _resolve(self, g: int, sel: Selection, view: View) -> None:
        """Bring far group ``g`` to what ``sel`` wants of it, as far as what is loaded
        allows without leaving a hole."""
        sel_ = self.selector
        gkey = sel_.group_keys[g]
        if not sel.group_seen[g]:
            # Out of view: whatever is drawn there stays (Panda3D culls it) until evicted.
            self._ask(g, set(), view)
            return
        leaves = self._leaves_of[g]
        want: set[Item] = set()
        if sel.group_wanted[g]:
            far = int(sel.group_level[g])
            if (gkey, far) in self._resident:
                self._attach(gkey, far)
                for li in leaves:
                    self._detach(sel_.leaf_keys[li])
            else:
                want.add((gkey, far))
                # Until the hulls come, the other far level or the leaves in view keep (or
                # take) what they have.
                if gkey not in self._drawn:
                    for li in leaves[sel.leaf_seen[leaves]]:
                        key = sel_.leaf_keys[li]
                        if key not in self._drawn:
                            for level in (1, 0):
                                if (key, level) in self._resident:
                                    self._attach(key, level)
                                    break
            self._ask(g, want, view)
            return
        choice: list[Item] = []
        missing = False
        for li in leaves[sel.leaf_wanted[leaves]]:
            key = sel_.leaf_keys[li]
            level = int(sel.leaf_level[li])
            if (key, level) in self._resident:
                choice.append((key, level))
                continue
            want.add((key, level))
            # Meanwhile the level drawn now, or the other one if it is loaded.
            other = 1 - level
            if key in self._drawn:
                choice.append((key, self._drawn[key]))
            elif (key, other) in self._resident:
                choice.append((key, other))
            else:
                missing = True
        if missing and gkey in self._drawn:
            pass  # the hulls stay until every leaf in view can take their place
        else:
            for key, level in choice:
                self._attach(key, level)
            self._detach(gkey)
        self._ask(g, want, view)

    def _attach(self, key: str, level: int) -> None:
        drawn = self._drawn.get(key)
        if drawn == level:
            return
        if drawn is not None:
            self._unhide((key, drawn))
            self._resident[(key, drawn)].root.detach_node()
        self._resident[(key, level)].root.reparent_to(self.parent)
        self._drawn[key] = level
        self._drawn_version += 1

    def _detach(self, key: str) -> None:
        level = self._drawn.pop(key, None)
        if level is not None:
            self._unhide((key, level))
            self._resident[(key, level)].root.detach_node()
            self._drawn_version += 1

    def _unhide(self, item: Item) -> None:
        if item in self._hidden:
            self._hidden.discard(item)
            if self._occlusion is not None:
                self._resident[item].root.show(self._occlusion)

    # -- occlusion -----------------------------------------------------------------------------

    def occlude_for(self, camera: NodePath | None) -> None:
        """Hide tiles behind nearer walls from ``camera`` (a NodePath of a Camera: the one
        whose ``update`` views are given), from now on; None turns it off. The camera's
        mask becomes ``MAIN_CAMERA``, so the shadow camera alone still draws hidden tiles."""
        for item in list(self._hidden):
            self._unhide(item)
        self._occluded_for = None
        if camera is None:
            self._occlusion = None
            return
        camera.node().set_camera_mask(MAIN_CAMERA)
        self._occlusion = MAIN_CAMERA
        # The depth buffer's precision: a 32-bit one (llvmpipe's) holds floats, as fine as
        # 24 bits where it matters; unknown, 16 (the margins grow, nothing more is hidden).
        bits = 0
        if camera.node().get_num_display_regions():
            window = camera.node().get_display_region(0).get_window()
            if window is not None:
                bits = window.get_fb_properties().get_depth_bits()
        self._depth_bits = min(bits, 24) if bits >= 16 else DEPTH_BITS
        self._occlude()

    def _occlude(self) -> None:
        """Hide the drawn tiles in view that the nearer ones hide, show the others: again
        only when the view or what is drawn changed since the last time."""
        view, sel, mask = self._view, self._sel, self._occlusion
        if view is None or sel is None or mask is None:
            return
        state = (tuple(view.eye), tuple(view.forward), tuple(view.up), view.fov_x, view.fov_y,
                 view.near, view.far, view.height_px, self._drawn_version)
        if state == self._occluded_for:
            self.occlusion_s = 0.0
            return
        t0 = time.thread_time()
        self._occluded_for = state
        hidden = self.occluded_items(view, sel)
        for item in self._hidden - hidden:
            self._unhide(item)
        for item in hidden - self._hidden:
            self._resident[item].root.hide(mask)
        self._hidden = hidden
        self.occlusion_s = time.thread_time() - t0

    def occluded_items(self, view: View, sel: Selection) -> set[Item]:
        """The drawn tiles in view that nearer drawn tiles hide from ``view``
        (``tiles.occlusion.occluded_in_turn``: a hidden tile lends no walls)."""
        items, boxes = [], []
        for key, level in self._drawn.items():
            li = self._leaf_index.get(key)
            seen = bool(sel.leaf_seen[li] if li is not None
                        else sel.group_seen[self._group_index[key]])
            node = self._resident[(key, level)]
            if seen and node.box is not None:
                items.append((key, level))
                boxes.append(node.box)
        hide = occluded_in_turn(view, np.array(boxes, float).reshape(-1, 6),
                                [self._resident[i].occluders for i in items],
                                depth_bits=self._depth_bits)
        hidden = {item for item, h in zip(items, hide, strict=True) if h}
        return hidden

    def _wanted(self, item: Item) -> bool:
        """Whether the last ``update`` wants ``item`` drawn."""
        sel = self._sel
        if sel is None:
            return False
        key, level = item
        li = self._leaf_index.get(key)
        if li is not None:
            return bool(sel.leaf_wanted[li]) and int(sel.leaf_level[li]) == level
        gi = self._group_index[key]
        return bool(sel.group_wanted[gi]) and level == int(sel.group_level[gi])

    def _gap(self, key: str) -> bool:
        """Whether ``key`` is a leaf in view with nothing drawn there (any level fills it)."""
        li = self._leaf_index.get(key)
        if li is None or self._sel is None or not self._sel.leaf_seen[li]:
            return False
        group = self.selector.group_keys[self.selector.leaf_group[li]]
        return key not in self._drawn and group not in self._drawn

    def _needed(self, item: Item, sel: Selection) -> bool:
        """Whether a resident tile is part of the present picture: wanted, or drawn in view
        (standing in for what is still loading)."""
        key, level = item
        li = self._leaf_index.get(key)
        seen = bool(sel.leaf_seen[li] if li is not None
                    else sel.group_seen[self._group_index[key]])
        return self._wanted(item) or (seen and self._drawn.get(key) == level)

    def _seen_at(self, key: str) -> int:
        li = self._leaf_index.get(key)
        if li is not None:
            return int(self._leaf_seen_at[li])
        return int(self._group_seen_at[self._group_index[key]])

    def _evict(self, sel: Selection) -> None:
        """Drop the tiles seen longest ago (not drawn before drawn, larger before smaller)
        until the budget holds; never one the present picture needs."""
        spare = [item for item in self._resident if not self._needed(item, sel)]
        spare.sort(key=lambda i: (self._seen_at(i[0]), self._drawn.get(i[0]) == i[1],
                                  -self._resident[i].nbytes))
        for item in spare:
            if self._bytes <= self.budget:
                break
            if self._drawn.get(item[0]) == item[1]:
                self._detach(item[0])
            node = self._resident.pop(item)
            node.root.remove_node()
            self._bytes -= node.nbytes
            self._evicted += 1

    def settle(self) -> None:
        """Load everything the last ``update`` wants, here and now, and draw it: for
        pictures and the first frame."""
        view, sel = self._view, self._sel
        if view is None or sel is None:
            raise RuntimeError("settle() needs an update() first: it loads what that chose")
        self._receive()
        with self._lock:  # built here instead: the loader skips what it has not begun
            self._asked.clear()
            self._asked_by_group.clear()
        for item in self.wanted_items():
            if item not in self._resident and item not in self._failed:
                try:
                    self._keep(self.assemble(self.load(*item)))
                except Exception:
                    log.exception("tile %s at level %d could not be loaded", *item)
                    self._failed.add(item)
        for g in range(len(self.selector.group_keys)):
            self._resolve(g, sel, view)
        if self._bytes > self.budget:
            self._evict(sel)
        self._occlude()

    @property
    def selection(self) -> Selection | None:
        """The last ``update``'s choice (None before the first)."""
        return self._sel

    def wanted_items(self) -> list[Item]:
        """The (tile, level) pairs the last ``update`` wants drawn."""
        if self._sel is None:
            return []
        return sorted(self.selector.wanted(self._sel).items())

    def drawn(self) -> dict[str, int]:
        """The tiles attached to the scene now, {tile key: level} (also those out of view)."""
        return dict(self._drawn)

    def stats(self) -> StreamStats:
        """What is drawn, held and loading now."""
        out = StreamStats(resident=len(self._resident), resident_bytes=self._bytes,
                          loaded=self._loaded, evicted=self._evicted, failed=len(self._failed),
                          attached=len(self._drawn))
        with self._lock:
            out.pending = len(self._asked) + len(self._building) + len(self._delivered)
        sel = self._sel
        for key, level in self._drawn.items():
            li = self._leaf_index.get(key)
            seen = (sel is not None
                    and bool(sel.leaf_seen[li] if li is not None
                             else sel.group_seen[self._group_index[key]]))
            if seen:
                out.drawn[level] = out.drawn.get(level, 0) + 1
                if (key, level) in self._hidden:
                    out.occluded += 1
                else:
                    out.triangles += self._resident[(key, level)].triangles
        return out

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until the loader has read everything asked for, then draw it all (tests,
        benchmarks); False if it had not after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while True:
            with self._lock:
                busy = bool(self._asked or self._building)
            if not busy or time.monotonic() > end:
                break
            time.sleep(0.005)
        dirty = self._receive()
        if self._sel is not None and self._view is not None:
            for g in sorted(dirty):
                self._resolve(g, self._sel, self._view)
            if self._bytes > self.budget:
                self._evict(self._sel)
            self._occlude()
        return not busy

    def close(self) -> None:
        """Stop the loader thread and drop every tile."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            self._asked.clear()
        self._requests.put((-math.inf, -1, "", 0))
        self._thread.join()
        for node in self._resident.values():
            node.root.remove_node()
        self._resident.clear()
        self._drawn.clear()
        self._hidden.clear()
        self._bytes = 0


def build_tiled_world(tiles: TileSet, layers: dict[str, bool] | None = None,
                      view_distance: float = 0.0, focus: Extent | None = None,
                      budget_bytes: int = BUDGET_BYTES,
                      threshold_px: float = THRESHOLD_PX) -> tuple[NodePath, CityStream]:
    """``render.world.build_world`` for a baked city: the same ``world`` with its
    ``district``, ground plane and lights, the district's tiles streamed into ``district``
    by the returned ``CityStream`` (call its ``update`` each frame)."""
    # An empty mesh with the city's extent: the ground, haze and lights come out exactly
    # as for the whole-city mesh of the same bounds.
    outline = DistrictMesh([], tiles.bounds, tiles.max_height)
    world = build_world(outline, layers, view_distance, focus)
    stream = CityStream(world.find("district"), tiles, budget_bytes, layers, threshold_px)
    return world, stream
