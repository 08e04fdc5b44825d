"""Panda3D configuration for the three ways the app draws: window, offscreen, no window."""

from __future__ import annotations

from panda3d.core import loadPrcFileData

_BASE = """
audio-library-name null
sync-video false
framebuffer-srgb false
default-near 1.0
notify-level-device fatal
notify-level-display error
"""


def configure(window_type: str, size: tuple[int, int], title: str = "Gwangju Twin") -> None:
    """Load the PRC settings before ShowBase starts.

    ``window_type`` is ``onscreen``, ``offscreen`` (EGL, no display needed) or ``none``.
    ``gl-version 3 2`` keeps later shader use working under EGL on Mesa (ENVIRONMENT.md).
    """
    w, h = size
    loadPrcFileData(
        "gwangju-twin",
        _BASE
        + f"window-type {window_type}\nwin-size {w} {h}\nwindow-title {title}\n"
        + "gl-version 3 2\n"
        + "framebuffer-multisample 1\nmultisamples 4\n",
    )
