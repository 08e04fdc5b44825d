"""Hud: frame rate, frame time, draw calls and camera mode, small at the bottom-right.

For people tuning the viewer (F3). ``update`` runs every frame but rewrites the text only
when a shown value changes: the numbers are rounded as displayed first.
"""

from __future__ import annotations

from collections.abc import Sequence

from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.theme import (
    ASCENT,
    DESCENT,
    LINE_INK,
    MARGIN,
    ORDER_BAR,
    SMALL_SCALE,
    Widget,
    board,
    place_text,
    text_width,
)

_PAD = 0.025
_LINE = (ASCENT + DESCENT) * SMALL_SCALE + 0.008
_LINES = 3


class Hud(Widget):
    """Three lines of numbers in a small dark card (hidden at start)."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko") -> None:
        super().__init__(parent, "hud", catalogue, language, ORDER_BAR)
        self._font = font
        self._values: tuple[str, str, int, str] | None = None
        self._shown: tuple[str, ...] = ()
        self.rewrites = 0  # how often the text changed (for tests and profiling)
        self._lines = [place_text(self._root, "", font, SMALL_SCALE, 0, 0, LINE_INK,
                                  TextNode.A_right, name=f"line-{i}")[0] for i in range(_LINES)]
        self._layout()
        self.hide()

    def update(self, fps: float, frame_ms: float, draw_calls: int, mode: str) -> bool:
        """Show these figures; returns whether the text changed (values are compared as
        displayed: a whole fps, a tenth of a millisecond)."""
        values = (f"{fps:.0f}", f"{frame_ms:.1f}", int(draw_calls), mode)
        if values == self._values:
            return False
        self._values = values
        self._write()
        return True

    def keep_clear(self, rects: Sequence[tuple[float, float, float, float]],
                   overlay: NodePath) -> None:
        """Move the card left of any of ``rects`` (x0, z0, x1, z1 in ``overlay``'s units:
        the interface's reserved rectangles, an entered pavilion's panel among them) it
        would cover at the bottom-right corner, where it stands otherwise: it covered the
        panel's Leave button."""
        self._root.set_x(0.0)
        for _ in range(len(rects) + 1):
            lo, hi = self._card.get_tight_bounds(overlay)
            blocking = [r for r in rects if r[0] < hi.x and lo.x < r[2] and r[1] < hi.z
                        and lo.z < r[3]]
            if not blocking:
                return
            left = min(r[0] for r in blocking)
            self._root.set_x(self._root.get_x() - (hi.x - left) - MARGIN)

    def _relabel(self) -> None:
        self._layout()
        self._write()

    def text(self) -> list[str]:
        """The lines shown, top to bottom (empty before the first ``update``)."""
        return list(self._shown)

    def _strings(self, language: str, values: tuple[str, str, int, str]) -> tuple[str, ...]:
        fps, ms, draws, mode = values
        c = self._catalogue
        mode_name = c.get(f"camera.{mode}", language, mode)
        return (c.text("hud.fps", language, fps=fps, ms=ms),
                c.text("hud.draws", language, n=draws),
                c.text("hud.mode", language, mode=mode_name))

    def _write(self) -> None:
        if self._values is None:
            return
        self._shown = self._strings(self._language, self._values)
        for np_, line in zip(self._lines, self._shown, strict=True):
            np_.node().set_text(line)
        self.rewrites += 1

    def _layout(self) -> None:
        """A card wide enough for large figures in either language, so it never jitters."""
        sample = ("999", "99.9", 99999, "orbit")
        width = max(text_width(self._font, s, SMALL_SCALE)
                    for lang in LANGUAGES for s in self._strings(lang, sample)) + 2 * _PAD
        height = _LINES * _LINE + 2 * _PAD - 0.008
        old = self._root.find("board")
        if not old.is_empty():
            old.remove_node()
        card = board(self._root, -MARGIN - width, MARGIN, -MARGIN, MARGIN + height, radius=0.02)
        card.reparent_to(self._root, -1)  # first: drawn under the text (fixed bin)
        self._card = card
        for i, np_ in enumerate(self._lines):
            np_.set_pos(-MARGIN - _PAD, 0, MARGIN + height - _PAD - ASCENT * SMALL_SCALE
                        - i * _LINE)
