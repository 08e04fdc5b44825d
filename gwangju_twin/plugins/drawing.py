"""The drawing kit of the plugin context: floating bilingual labels and routes on the ground.

``DrawingKit`` is a part of ``PavilionContext`` (``ctx.make_label``, ``ctx.make_line``);
``DrawingServices`` is what it asks of the viewer, implemented by the render room
(gwangju_twin.render.paint) like the rest of ``StageServices``.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

#: A route's colour unless the plugin gives one: a strong red that reads on grey roads,
#: green parks and blue water alike.
LINE_COLOR = (0.86, 0.14, 0.16, 1.0)


class DrawingServices(Protocol):
    """What the viewer draws for the drawing kit (implemented by the render room)."""

    def make_label(self, parent: Any, text_ko: str, text_en: str,
                   pos: tuple[float, float, float], scale: float,
                   accent: tuple[float, float, float], language: str) -> Any:
        """A floating bilingual label under ``parent``, its tail's tip at ``pos``, with the
        line of ``language`` first; returns its node."""

    def set_label_language(self, label: Any, language: str) -> None:
        """Show ``label`` (made by ``make_label``) with the line of ``language`` first."""

    def make_line(self, parent: Any, points: np.ndarray, width: float,
                  rgba: tuple[float, float, float, float]) -> Any:
        """A ribbon ``width`` metres wide along ``points`` ((n, 2) metres) on the ground,
        painted over the roads; returns its node."""


class DrawingKit:
    """``ctx.make_label`` and ``ctx.make_line``, and the labels following ``ctx.language``."""

    node: Any
    panel: Any
    _services: DrawingServices
    _language: str = "ko"
    _labels: list[Any]

    @property
    def language(self) -> str:
        """The visitor's language, ``"ko"`` or ``"en"``; labels follow it."""
        return self._language

    @language.setter
    def language(self, language: str) -> None:
        self._language = language
        # Labels a plugin (or a failure) removed are forgotten rather than re-drawn.
        live = [lb for lb in getattr(self, "_labels", ()) if not lb.is_empty()
                and lb.has_parent()]
        for label in live:
            self._services.set_label_language(label, language)
        self._labels = live

    def make_label(self, text_ko: str, text_en: str, pos: Any, parent: Any = None,
                   scale: float = 1.0) -> Any:
        """A floating label naming a point: ``text_ko`` and ``text_en`` in the product's
        Hangul font, the visitor's language on top, the other one below it (either may be
        empty). Its tail's tip is at ``pos`` ((x, y) on the ground or (x, y, z), metres);
        it always faces the camera and is never hidden by buildings. ``scale`` 1 makes its
        main line 6 m tall. Under ``parent`` or ``node``; returns its node (``remove_node``
        deletes it)."""
        if not (text_ko or text_en):
            raise ValueError("a label needs a Korean or an English text")
        xyz = tuple(float(v) for v in np.asarray(pos, dtype=float).reshape(-1))
        if len(xyz) not in (2, 3) or not all(np.isfinite(xyz)):
            raise ValueError(f"pos must be finite (x, y) or (x, y, z) metres, got {pos!r}")
        if not (scale > 0 and np.isfinite(scale)):
            raise ValueError("a label's scale must be a positive number")
        at = (xyz[0], xyz[1], xyz[2] if len(xyz) == 3 else 0.0)
        label = self._services.make_label(
            self.node if parent is None else parent, str(text_ko), str(text_en), at,
            float(scale), tuple(self.panel.accent), self.language)
        self._labels = [*getattr(self, "_labels", ()), label]
        return label

    def make_line(self, points: Any, width: float = 3.0,
                  color: tuple[float, ...] = LINE_COLOR, parent: Any = None) -> Any:
        """A ribbon ``width`` metres wide on the ground along ``points`` ((n, 2) or (n, 3)
        metres; heights are ignored), in ``color`` (r, g, b[, a], 0..1): a route, an
        isochrone's edge. It is painted over the roads, under the buildings, and never
        flickers against the ground however far the camera is. Under ``parent`` or
        ``node``; returns its node."""
        xy = np.asarray(points, dtype=float)
        if xy.ndim != 2 or xy.shape[1] not in (2, 3) or len(xy) < 2:
            raise ValueError(f"points must have shape (n, 2) or (n, 3) with n >= 2, got "
                             f"{xy.shape}")
        if not np.isfinite(xy).all():
            raise ValueError("points must be finite")
        if not (width > 0 and np.isfinite(width)):
            raise ValueError("a line's width must be a positive number of metres")
        if len(color) not in (3, 4):
            raise ValueError("color must be (r, g, b) or (r, g, b, a)")
        rgba = tuple(min(1.0, max(0.0, float(c))) for c in color)
        rgba4 = (rgba[0], rgba[1], rgba[2], rgba[3] if len(rgba) == 4 else 1.0)
        return self._services.make_line(self.node if parent is None else parent,
                                        np.ascontiguousarray(xy[:, :2]), float(width), rgba4)
