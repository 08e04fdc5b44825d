"""On-screen text and widgets for the viewer: fonts, labels, panels, menus, the text catalogue.

The widgets draw with Panda3D but never own a ShowBase: callers pass the loader and the
parent NodePaths (gwangju_twin.app is the composition root). The catalogue is pure, so the
re-exports below are imported lazily: ``gwangju_twin.ui.catalogue`` must load without Panda3D.
"""

from __future__ import annotations

from gwangju_twin.lazy import lazy_names

_LAZY = {
    "hangul_font_path": "gwangju_twin.ui.fonts",
    "load_font": "gwangju_twin.ui.fonts",
    "missing_glyphs": "gwangju_twin.ui.fonts",
    "BilingualLabel": "gwangju_twin.ui.label",
    "stack_by_distance": "gwangju_twin.ui.label",
    "PanelView": "gwangju_twin.ui.panel",
}

__all__ = sorted(_LAZY)

__getattr__ = lazy_names(__name__, _LAZY)
