"""What is under the pointer, and what the visitor clicked: highlights and the info panel.

Picking is a ray through the pointer against the pick index (numpy over the merged
meshes): no collision nodes, no node per building.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import Any

import numpy as np
import shapely
from panda3d.core import NodePath, Point2, Point3, TextFont

from gwangju_twin.expo.pavilions import Pavilion, pavilion_index
from gwangju_twin.geo.model import District
from gwangju_twin.picking import Hit, Picker, building_facts
from gwangju_twin.plugins.discovery import FoundPlugin
from gwangju_twin.plugins.panel import Panel
from gwangju_twin.render.highlight import HOVER_RGBA, SELECT_RGBA, Highlight
from gwangju_twin.render.sunmap import AreaBand, SunlightMap
from gwangju_twin.sun.sunlight import SunlightResult, district_sunlight, extruded
from gwangju_twin.ui.catalogue import Catalogue
from gwangju_twin.ui.infocards import (
    area_sunlight_card,
    building_card,
    pavilion_card,
    sunlight_card,
    sunlight_computing_card,
)
from gwangju_twin.ui.panel import PanelView

#: How far around a checked building its ground heat map reaches (metres): far enough to
#: see the shadow's reach to the north, which a 20 m margin hardly shows.
SUNLIGHT_MARGIN = 40.0


class Background:
    """One computation at a time on a worker thread, its result applied on the main thread
    by ``poll`` (call it every frame). A new ``start`` supersedes the one before: that one's
    result is dropped (a computation already running is not interrupted; one still queued
    never runs). Pure numpy and shapely work, which partly releases Python's lock, so the
    window keeps drawing meanwhile."""

    def __init__(self, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._future: Future[Any] | None = None
        self._apply: Callable[[Any], None] | None = None

    @property
    def busy(self) -> bool:
        """Whether a computation is asked for and its result not yet applied."""
        return self._future is not None

    def start(self, work: Callable[[], Any], apply: Callable[[Any], None]) -> None:
        """Run ``work()`` in the background; ``poll`` then calls ``apply`` with its result."""
        self.cancel()
        self._future = self._pool.submit(work)
        self._apply = apply

    def cancel(self) -> None:
        """Forget the computation asked for: its result will not be applied."""
        if self._future is not None:
            self._future.cancel()
        self._future = self._apply = None

    def poll(self) -> bool:
        """Apply the result if it is ready (main thread); True when it was. An error in the
        computation is raised here, as it would have been without the thread."""
        future, apply = self._future, self._apply
        if future is None or apply is None or not future.done():
            return False
        self._future = self._apply = None
        apply(future.result())
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Block until the computation asked for is done (for tests and scripts; ``poll``
        still applies it)."""
        if self._future is not None:
            futures_wait([self._future], timeout)

    def close(self) -> None:
        """Cancel, and let the worker thread end once it is idle."""
        self.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)


class Selection:
    """Hover highlight, selection highlight and the info panel of the selected feature.

    A pavilion's panel offers to enter or leave it: its buttons call ``enter(pavilion_id)``
    and ``leave()``, and ``inside()`` says which pavilion the visitor is in. ``closed()``
    runs when the panel closes. Panel buttons must not destroy the panel under their own
    click handler, so their actions go through ``later``, which runs them on the next frame.
    """

    def __init__(self, world: NodePath, camera: NodePath, overlay: NodePath,
                 fonts: tuple[TextFont, TextFont], index: Picker, district: District,
                 level_height: float, pavilions: Sequence[Pavilion],
                 found: Sequence[FoundPlugin], catalogue: Catalogue, language: str, *,
                 enter: Callable[[str], None], leave: Callable[[], None],
                 inside: Callable[[], str | None], closed: Callable[[], None],
                 later: Callable[[Callable[[], None]], None]) -> None:
        self.index = index
        self._camera = camera
        self._overlay = overlay
        self._font, self._bold = fonts
        self._district = district
        self._level_height = level_height
        self._pavilions = list(pavilions)
        self._manifests = {f.id: f.manifest for f in found if f.manifest is not None}
        self.cat = catalogue
        self.language = language
        self.hover = Highlight(world, "hover", HOVER_RGBA)
        self.selected = Highlight(world, "selected", SELECT_RGBA)
        self.sunmap = SunlightMap(world)
        self.band = AreaBand(world)
        self._sunlit: frozenset[int] | None = None  # rows the sunlight check can take
        self._spots: np.ndarray | None = None  # a point on each such building's footprint
        self.sunlight_job = Background("sunlight")
        """The sunlight check being computed (about a second for a block on a slow machine:
        the window must not freeze meanwhile)."""
        self.view: PanelView | None = None
        self.panel: Panel | None = None
        self._enter, self._leave, self._inside = enter, leave, inside
        self._closed, self._later = closed, later

    # -- rays -------------------------------------------------------------------------------

    def ray(self, at: tuple[float, float]) -> tuple[Point3, Point3] | None:
        """The ray from the camera through window point ``at`` (normalised -1..1), as origin
        and unit direction in district coordinates."""
        lens = self._camera.node().get_lens()
        near, far = Point3(), Point3()
        if not lens.extrude(Point2(*at), near, far):
            return None
        parent = self._camera.get_top()
        origin = parent.get_relative_point(self._camera, near)
        target = parent.get_relative_point(self._camera, far)
        direction = target - origin
        direction.normalize()
        return origin, direction

    def pick(self, at: tuple[float, float]) -> Hit | None:
        """The building or pavilion under window point ``at``, or None."""
        ray = self.ray(at)
        if ray is None:
            return None
        origin, direction = ray
        return self.index.pick(tuple(origin), tuple(direction))

    def hover_at(self, at: tuple[float, float] | None) -> Hit | None:
        """Highlight what is under ``at`` (None clears the hover)."""
        hit = self.pick(at) if at is not None else None
        feature = hit.feature if hit is not None else None
        if feature is not None and feature == self.selected.feature:
            feature = None  # the selection's own colour says enough
        if feature is None:
            self.hover.clear()
        else:
            self.hover.show(feature, self.index.triangles_of(feature))
        return hit

    # -- selection and its panel ------------------------------------------------------------

    def select_at(self, at: tuple[float, float]) -> Hit | None:
        """A click at ``at``: select what is there and open its panel, or close it."""
        hit = self.pick(at)
        if hit is None:
            self.close()
        else:
            self.select(hit.feature)
        return hit

    def select(self, feature: int) -> None:
        """Select ``feature`` (a district row, or a pavilion's negative id)."""
        self.sunlight_job.cancel()  # a check still computing would reopen its card later
        self.selected.show(feature, self.index.triangles_of(feature))
        self.hover.clear()
        self.sunmap.clear()
        self._open(self._card(feature))

    def can_check_sunlight(self, feature: int) -> bool:
        """Whether ``feature`` is a building the sunlight check takes (a footprint with a
        height: not a pavilion, a pin or a ground area)."""
        if self._sunlit is None:
            self._sunlit = frozenset(int(r) for r in extruded(self._district))
        return feature in self._sunlit

    def show_sunlight(self, feature: int) -> None:
        """Check building ``feature``'s winter-solstice sunlight: a "computing" card at once,
        then, when the check is done (in the background), its heat map on the ground and
        walls and its card (back to the building's card, or close)."""
        facts = building_facts(self._district, feature, self._level_height)
        unnamed = self.cat.both("info.unnamed")
        title = (facts.name or facts.name_en or unnamed[0],
                 facts.name_en or facts.name or unnamed[1])
        self.sunmap.clear()
        self.hover.clear()

        def back() -> None:
            self._later(lambda: self.select(feature))

        def close() -> None:
            self._later(self.close)

        def show(result: SunlightResult) -> None:
            # The map marks the building; the selection's orange would hide its walls' bands.
            self.selected.clear()
            self.hover.clear()
            self.sunmap.show(result)
            self._open(sunlight_card(result, feature, title, self.cat, on_back=back,
                                     on_close=close))

        district = self._district
        heading = (self.cat.text("sunlight.title", "ko", name=title[0]),
                   self.cat.text("sunlight.title", "en", name=title[1]))
        self._open(sunlight_computing_card(heading, self.cat, on_back=back, on_close=close))
        self.sunlight_job.start(
            lambda: district_sunlight(district, feature, margin=SUNLIGHT_MARGIN), show)

    def show_area_sunlight(self, box: tuple[float, float, float, float]) -> bool:
        """Check the winter-solstice sunlight of every building standing in ``box`` (x0, y0,
        x1, y1, local metres): a "computing" card at once, then (computed in the background)
        the heat map over the box and the area's card. False when no building stands in it
        (nothing changes)."""
        x0, y0, x1, y1 = box
        spots = self._building_spots()
        if not (x1 > x0 and y1 > y0) or not np.any(
                (spots[:, 0] >= x0) & (spots[:, 0] <= x1)
                & (spots[:, 1] >= y0) & (spots[:, 1] <= y1)):
            return False
        self.selected.clear()
        self.hover.clear()
        self.sunmap.clear()
        size = (x1 - x0, y1 - y0)
        unnamed = self.cat.both("info.unnamed")

        def close() -> None:
            self._later(self.close)

        def show(result: SunlightResult) -> None:
            self.sunmap.show(result)
            names = {b: (self._district.name[b] or self._district.name_en[b] or unnamed[0],
                         self._district.name_en[b] or self._district.name[b] or unnamed[1])
                     for b in result.buildings}
            self._open(area_sunlight_card(result, size, names, self.cat, on_close=close))

        district = self._district
        w, d = (f"{v:.0f}" for v in size)
        self._open(sunlight_computing_card(
            self.cat.both("sunlight.area_title", width=w, depth=d), self.cat, on_close=close))
        self.sunlight_job.start(lambda: district_sunlight(district, box), show)
        return True

    def _building_spots(self) -> np.ndarray:
        """A point on each footprint the sunlight check takes: an area check takes the
        buildings whose point is in its box (the rule ``district_sunlight`` applies), so
        an empty box is known at once, without the background."""
        if self._spots is None:
            feet = self._district.geometry[extruded(self._district)]
            self._spots = shapely.get_coordinates(shapely.point_on_surface(feet))
        return self._spots

    def poll(self) -> None:
        """Apply a finished sunlight check (every frame, main thread)."""
        self.sunlight_job.poll()

    def ground_at(self, at: tuple[float, float]) -> tuple[float, float] | None:
        """Where the ray through window point ``at`` meets the ground (z = 0), or None when
        it points at the sky."""
        ray = self.ray(at)
        if ray is None:
            return None
        origin, direction = ray
        if direction.z >= -1e-6:
            return None
        t = -origin.z / direction.z
        return (origin.x + t * direction.x, origin.y + t * direction.y)

    def pavilion_of(self, feature: int) -> Pavilion | None:
        """The pavilion a negative feature id stands for."""
        k = pavilion_index(feature)
        return self._pavilions[k] if 0 <= k < len(self._pavilions) else None

    def _card(self, feature: int) -> Panel:
        if feature >= 0:
            facts = building_facts(self._district, feature, self._level_height)
            sunlight = (
                (lambda: self._later(lambda: self.show_sunlight(feature)))
                if self.can_check_sunlight(feature) else None)
            return building_card(facts, self.cat, on_close=lambda: self._later(self.close),
                                 on_sunlight=sunlight)
        pav = self.pavilion_of(feature)
        assert pav is not None, feature
        info = pav.info
        return pavilion_card(
            info, self._manifests.get(info.plugin or ""), self.cat,
            inside=self._inside() == info.id,
            on_enter=lambda: self._later(lambda: self._enter(info.id)),
            on_leave=lambda: self._later(self._leave),
            on_close=lambda: self._later(self.close))

    def refresh(self) -> None:
        """Rebuild the open panel (e.g. Enter became Leave)."""
        if self.selected.feature is not None and self.view is not None:
            self._open(self._card(self.selected.feature))

    def _open(self, panel: Panel) -> None:
        if self.view is not None:
            self.view.destroy()
        self.panel = panel
        self.view = PanelView(panel, self._overlay, self._font, language=self.language,
                              bold_font=self._bold)

    @property
    def open(self) -> bool:
        """Whether an info panel is shown."""
        return self.view is not None

    def close(self) -> None:
        """Close the info panel and clear the selection (and any sunlight map, or a sunlight
        check still computing)."""
        self.sunlight_job.cancel()
        self.selected.clear()
        self.sunmap.clear()
        if self.view is not None:
            self.view.destroy()
            self.view = None
            self.panel = None
            self._closed()

    def set_language(self, language: str) -> None:
        """Show the panel in ``language``."""
        self.language = language
        if self.view is not None:
            self.view.set_language(language)
