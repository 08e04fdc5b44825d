"""The civic participation map: visitors pin proposals by category on buildings, agree with
other pins, and see them per dong and as a heat map over the district.

Pins and agreements persist in the plugin's own store. No free text (an unattended booth
must not carry abuse) and no personal data: a pin is a place, a category and a count. In a
shared room (``ctx.room``) a new pin is sent to the other viewers' civic maps, where it is
pinned too: the same place and category, nothing else.
"""

from __future__ import annotations

import numpy as np
import shapely
from panda3d.core import NodePath

from gwangju_twin.plugins import ClickEvent, PavilionContext, PavilionDemo

from .board import CATEGORIES, CATEGORY_STYLE, Board, Dongs, Proposal

#: A pin: a thin post with a head, tall enough to see over the low blocks.
PIN_SIZE = (6.0, 6.0, 28.0)
#: The dong outlines on the ground.
OUTLINE_WIDTH = 5.0
# A violet no road, roof or park has, as boundaries are drawn on civic maps.
OUTLINE_COLOR = (0.52, 0.20, 0.74, 1.0)
#: Heat below this share of the hottest cell leaves a building unpainted.
HEAT_FLOOR = 0.08


class CivicDemo(PavilionDemo):
    """Proposals on the map: tap a building, choose a category; tap a pin to agree."""

    def __init__(self) -> None:
        self.board: Board | None = None
        # The roof tapped (x, y, height), awaiting a category.
        self.place: tuple[float, float, float] | None = None
        self.pins: dict[int, object] = {}
        # Everything a visit draws (outlines, dong labels, pins), removed as it ends.
        self.show: NodePath | None = None
        self.facts: dict[str, tuple[int, float]] = {}  # dong -> (buildings, floor area m²)
        self.cut = False  # the dongs come from a boundary file, cut to the district

    def load(self, ctx: PavilionContext) -> None:
        """Find the dongs (in the scene's boundary file, else among the district's areas)
        and open the board in the store."""
        # A boundary file the scene names is the authority on dongs; a district without
        # one may carry its own (the default district's schematic dongs).
        f = ctx.district.boundaries
        rows = np.arange(len(f))
        self.cut = bool(len(f))
        if not self.cut:
            f = ctx.district.features
            rows = f.select("area")
        dongs = Dongs.from_areas([f.name[i] for i in rows], [f.geometry[i] for i in rows],
                                 [f.tags[i] for i in rows], [f.name_en[i] for i in rows])
        self.board = Board(ctx.storage.table("proposals"), dongs, ctx.district.bounds)
        # Facts per dong from the district's own buildings: how many, and their floor area
        # (footprint x floors; a building without a floor count by its height at 3 m a floor).
        b = ctx.district.buildings
        where = dongs.of(b.centroids[:, 0], b.centroids[:, 1])
        floors = np.where(np.isfinite(b.levels), b.levels, np.maximum(1.0, b.heights / 3.0))
        for name in dongs.names:
            inside = where == name
            self.facts[name] = (int(inside.sum()), float((b.areas * floors)[inside].sum()))
        # The overview shows the dongs (or the whole district when it has none).
        if dongs.names:
            ctx.camera.set_overview(tuple(shapely.total_bounds(dongs.polygons)))
        else:
            ctx.camera.set_overview(ctx.district.bounds)
        ctx.log.info("civic map: %d dongs, %d proposals kept", len(dongs.names),
                     len(self.board.proposals()))
        # Pins from the other viewers in a shared room (nothing arrives when alone).
        ctx.room.subscribe(lambda _key, value, _sender: self._shared_pin(ctx, value),
                           key="pin")

    def enter(self, ctx: PavilionContext) -> None:
        """Draw the dongs and the pins, paint the heat map, and listen for taps."""
        assert self.board is not None
        self.place = None
        self.pins = {}
        self.show = show = ctx.node.attach_new_node("civic-map")
        # A boundary file's dongs are cut to the district: the cut along its edge is no
        # boundary, so it is not drawn.
        edge = _edge(ctx.district.bounds) if self.cut else None
        for name, polygon in zip(self.board.dongs.names, self.board.dongs.polygons,
                                 strict=True):
            for line in _outlines(polygon, edge):
                ctx.make_line(line, OUTLINE_WIDTH, OUTLINE_COLOR, parent=show)
            x, y = shapely.get_coordinates(shapely.point_on_surface(polygon))[0]
            count, _ = self.facts.get(name, (0, 0.0))
            en = self.board.dongs.english(name)
            # Name and size only: a whole-district view holds three or more of these side
            # by side, and longer labels ran into each other in English.
            ctx.make_label(f"{name} · 건물 {count:,}동", f"{en} · {count:,} buildings",
                           (float(x), float(y), 40.0), parent=show)
        for proposal in self.board.proposals():
            self._pin(ctx, proposal)
        ctx.on_building_click(lambda row: self._tapped_building(ctx, row))
        ctx.camera.overview()
        self._refresh(ctx)

    def exit(self, ctx: PavilionContext) -> None:
        """Remove the outlines, the dong labels and the pins, and give the buildings their
        colours back; the proposals stay in the store for the next visit."""
        ctx.clear_paint()
        if self.show is not None and not self.show.is_empty():
            self.show.remove_node()
        self.show, self.pins, self.place = None, {}, None

    # -- taps -------------------------------------------------------------------------
    def _tapped_building(self, ctx: PavilionContext, row: int) -> None:
        b = ctx.district.buildings
        x, y = b.centroids[row]
        self.place = (float(x), float(y), float(b.heights[row]))
        self._refresh(ctx)

    def _choose(self, ctx: PavilionContext, category: str) -> None:
        assert self.board is not None
        if self.place is None:
            return
        proposal = self.board.propose(*self.place[:2], category, z=self.place[2])
        self.place = None
        self._pin(ctx, proposal)
        self._refresh(ctx)
        ctx.room.publish("pin", {"x": round(proposal.x, 2), "y": round(proposal.y, 2),
                                 "z": round(proposal.z, 2), "category": proposal.category})

    def _shared_pin(self, ctx: PavilionContext, value: object) -> None:
        """A pin another viewer placed: pinned here too when it is a place in this district
        and a known category; anything else (another version's shape) is left out."""
        assert self.board is not None
        if not isinstance(value, dict) or value.get("category") not in CATEGORIES:
            ctx.log.info("civic map: a shared pin of an unknown shape left out")
            return
        x, y, z = (_number(value.get(k)) for k in ("x", "y", "z"))
        if x is None or y is None or z is None:
            ctx.log.info("civic map: a shared pin without a place left out")
            return
        try:
            proposal = self.board.propose(x, y, value["category"], z=max(0.0, min(z, 1000.0)))
        except ValueError:  # outside this district
            ctx.log.info("civic map: a shared pin outside the district left out")
            return
        if ctx.inside:
            self._pin(ctx, proposal)
            self._refresh(ctx)

    def _agree(self, ctx: PavilionContext, proposal_id: int) -> None:
        assert self.board is not None
        self.board.agree(proposal_id)
        self._refresh(ctx)

    def _cancel(self, ctx: PavilionContext) -> None:
        self.place = None
        self._refresh(ctx)

    # -- drawing ----------------------------------------------------------------------
    def _pin(self, ctx: PavilionContext, proposal: Proposal) -> None:
        pin = ctx.make_box(PIN_SIZE, CATEGORY_STYLE[proposal.category][2], parent=self.show)
        pin.set_pos(proposal.x, proposal.y, proposal.z)  # on the roof it was pinned to
        self.pins[proposal.id] = pin

        def agree(_event: ClickEvent, proposal_id: int = proposal.id) -> None:
            self._agree(ctx, proposal_id)

        ctx.on_click(pin, agree)

    def _refresh(self, ctx: PavilionContext) -> None:
        assert self.board is not None
        panel = ctx.panel
        panel.clear()
        counts = self.board.by_category()
        total = sum(counts.values())
        if self.place is None:
            panel.set_line("how", "건물을 눌러 제안을 꽂고, 핀을 눌러 공감하세요",
                           "Tap a building to pin a proposal; tap a pin to agree")
        else:
            panel.set_line("how", "어떤 제안인가요? 분야를 고르세요",
                           "What is it about? Choose a category")
            for category in CATEGORIES:
                ko, en, _ = CATEGORY_STYLE[category]
                panel.add_button(category, ko, en,
                                 lambda c=category: self._choose(ctx, c))
            panel.add_button("cancel", "취소", "Cancel", lambda: self._cancel(ctx))
        panel.set_line("total", f"제안 {total}건", f"{total} proposals")
        panel.set_legend("categories", [
            (CATEGORY_STYLE[c][2], f"{CATEGORY_STYLE[c][0]} {counts[c]}",
             f"{CATEGORY_STYLE[c][1]} {counts[c]}") for c in CATEGORIES],
            "분야별 제안", "Proposals by category")
        per_dong = self.board.by_dong()
        if per_dong:
            names = list(per_dong)
            panel.set_chart("dongs", [sum(per_dong[d].values()) for d in names], names,
                            [self.board.dongs.english(d) for d in names], title_ko="동별 제안",
                            title_en="Proposals per dong")
        if self.facts:
            # Floor area (a population proxy) per dong: in the panel, not on the map's
            # labels, which hold only the name and building count.
            names = list(self.facts)
            panel.set_chart("floor-area", [self.facts[d][1] / 10_000.0 for d in names], names,
                            [self.board.dongs.english(d) for d in names],
                            title_ko="동별 건물 연면적", title_en="Floor area per dong",
                            unit="ha")
        self._paint_heat(ctx)

    def _paint_heat(self, ctx: PavilionContext) -> None:
        """Paint each building near proposals in the colour of the category that is
        hottest there, stronger where more (and more agreed) proposals gather."""
        assert self.board is not None
        grid, _ = self.board.heat()
        peak = float(grid.max())
        if peak <= 0.0:
            ctx.clear_paint()
            return
        b = ctx.district.buildings
        x0, y0, _, _ = self.board.bounds
        cell = 40.0
        i = np.clip(((b.centroids[:, 1] - y0) // cell).astype(int), 0, grid.shape[1] - 1)
        j = np.clip(((b.centroids[:, 0] - x0) // cell).astype(int), 0, grid.shape[2] - 1)
        at = grid[:, i, j]  # (categories, buildings)
        strength = at.max(axis=0) / peak
        rows = np.flatnonzero(strength >= HEAT_FLOOR)
        if len(rows) == 0:
            ctx.clear_paint()
            return
        palette = np.array([CATEGORY_STYLE[c][2][:3] for c in CATEGORIES])
        base = np.array([0.93, 0.93, 0.90])
        t = np.sqrt(strength[rows])[:, None]
        colours = base * (1 - t) + palette[at[:, rows].argmax(axis=0)] * t
        ctx.paint_buildings(rows, colours)


#: How close (metres) to the district's edge a cut dong's outline counts as the cut.
EDGE_TOLERANCE = 0.5


def _number(value: object) -> float | None:
    """``value`` as a finite float, or None (a shared value is another viewer's data)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def _edge(bounds: tuple[float, float, float, float]) -> shapely.Geometry:
    """The district's edge, as a thin band the cut of a dong lies in."""
    return shapely.buffer(shapely.box(*bounds).exterior, EDGE_TOLERANCE)


def _outlines(polygon: shapely.Geometry, edge: shapely.Geometry | None) -> list[np.ndarray]:
    """The outer rings of a polygon or multipolygon as (n, 2) arrays; with ``edge``, only
    the parts of its boundary (holes too) outside that band."""
    if edge is None:
        parts = shapely.get_parts(polygon)
        return [shapely.get_coordinates(shapely.get_exterior_ring(p)) for p in parts]
    lines = shapely.get_parts(shapely.line_merge(shapely.difference(
        shapely.boundary(polygon), edge)))
    return [shapely.get_coordinates(line) for line in lines
            if shapely.get_type_id(line) == 1 and shapely.length(line) > 0]

