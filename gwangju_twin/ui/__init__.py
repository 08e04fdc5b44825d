"""On-screen text for the viewer: the Hangul font, pavilion labels and plugin panels.

Everything here draws with Panda3D but never owns a ShowBase: callers pass the loader and
the parent NodePaths (gwangju_twin.app is the composition root).
"""

from gwangju_twin.ui.fonts import hangul_font_path, load_font, missing_glyphs
from gwangju_twin.ui.label import BilingualLabel, stack_by_distance
from gwangju_twin.ui.panel import PanelView

__all__ = [
    "BilingualLabel",
    "PanelView",
    "hangul_font_path",
    "load_font",
    "missing_glyphs",
    "stack_by_distance",
]
