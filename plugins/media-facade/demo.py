"""A media-art light show at the culture pavilion: a pixel wall and a ring of light columns.

An example of a drop-in plugin (a folder with pavilion.toml and this module). It uses only
the context: boxes from ``ctx.make_box``, colours animated in ``update``, a panel with a
button, and it removes everything it made in ``exit``.
"""

from __future__ import annotations

import colorsys
import math

from gwangju_twin.plugins import PavilionContext, PavilionDemo

#: The pixel wall: columns x rows of 2 m cells, standing on the forecourt.
COLUMNS, ROWS, CELL = 10, 6, 2.0
#: Light columns around the site, and how tall they stand.
RING, RING_HEIGHT = 20, 14.0
PATTERNS = (("물결", "Wave"), ("무지개", "Rainbow"), ("숨결", "Breath"))


class MediaFacade(PavilionDemo):
    """Colour waves over a wall of light cells in front of the culture pavilion."""

    def load(self, ctx: PavilionContext) -> None:
        self.t = 0.0
        self.pattern = 0
        self.cells: list = []
        self.columns: list = []
        self.root = None

    def enter(self, ctx: PavilionContext) -> None:
        pav = ctx.pavilion
        self.root = ctx.node.attach_new_node("media-facade")
        self.root.set_light_off()  # light cells glow in their own colour, whatever the sun
        # Face the wall the way the pavilion faces: Panda3D turns counter-clockwise.
        wall = self.root.attach_new_node("pixel-wall")
        ex, ey = pav.entrance
        cx, cy = pav.position
        wall.set_pos(ex + (cx - ex) * 0.25, ey + (cy - ey) * 0.25, 1.0)
        wall.set_h(-pav.heading)
        self.cells = []
        for row in range(ROWS):
            for col in range(COLUMNS):
                cell = ctx.make_box((CELL * 0.9, 0.4, CELL * 0.9), (1, 1, 1), parent=wall)
                cell.set_pos((col - (COLUMNS - 1) / 2) * CELL, 0.0, row * CELL)
                self.cells.append((col, row, cell))
        half = max(pav.size) / 2 - 1.5
        self.columns = []
        for k in range(RING):
            a = 2 * math.pi * k / RING
            post = ctx.make_box((0.8, 0.8, RING_HEIGHT), (1, 1, 1), parent=self.root)
            post.set_pos(cx + half * math.cos(a), cy + half * math.sin(a), 0.3)
            self.columns.append((a, post))
        ctx.panel.set_line("city", "광주: 2014 유네스코 미디어아트 창의도시",
                           "Gwangju: UNESCO Creative City of Media Arts since 2014")
        ctx.panel.set_line("work", f"픽셀 {COLUMNS * ROWS}개 · 빛기둥 {RING}개",
                           f"{COLUMNS * ROWS} light cells, {RING} light columns")
        ctx.panel.add_button("pattern", "패턴 바꾸기", "Change pattern", self.next_pattern)
        self._show_pattern(ctx)
        self.ctx = ctx
        self.update(ctx, 0.0)

    def update(self, ctx: PavilionContext, dt: float) -> None:
        self.t += dt
        t = self.t
        for col, row, cell in self.cells:
            cell.set_color_scale(*self._colour(col / COLUMNS, row / ROWS, t), 1.0)
        for a, post in self.columns:
            hue = (a / (2 * math.pi) + t * 0.1) % 1.0
            post.set_color_scale(*colorsys.hsv_to_rgb(hue, 0.7, 1.0), 1.0)

    def exit(self, ctx: PavilionContext) -> None:
        if self.root is not None:
            self.root.remove_node()
        self.root, self.cells, self.columns = None, [], []

    def next_pattern(self) -> None:
        """Button: the next of wave, rainbow and breath."""
        self.pattern = (self.pattern + 1) % len(PATTERNS)
        self._show_pattern(self.ctx)

    def _show_pattern(self, ctx: PavilionContext) -> None:
        ko, en = PATTERNS[self.pattern]
        ctx.panel.set_line("pattern", f"지금 패턴: {ko}", f"Pattern: {en}")

    def _colour(self, u: float, v: float, t: float) -> tuple[float, float, float]:
        if self.pattern == 0:  # a purple-to-amber wave rolling across the wall
            w = 0.5 + 0.5 * math.sin(2 * math.pi * (u - 0.35 * t) + 3 * v)
            return colorsys.hsv_to_rgb(0.78 - 0.7 * w * 0.2, 0.8, 0.35 + 0.65 * w)
        if self.pattern == 1:  # rainbow diagonals
            return colorsys.hsv_to_rgb((u + v * 0.5 + 0.15 * t) % 1.0, 0.85, 1.0)
        level = 0.3 + 0.7 * (0.5 + 0.5 * math.sin(1.5 * t))  # the whole wall breathes
        return colorsys.hsv_to_rgb(0.83, 0.6, level)
