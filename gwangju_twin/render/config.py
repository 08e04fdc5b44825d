"""Panda3D configuration for the three ways the app draws: window, offscreen, no window."""

from __future__ import annotations

import os
import sys
from typing import Literal

from panda3d.core import loadPrcFileData

#: Where the app draws: a window on the screen, an offscreen buffer (pictures, tests, a booth
#: without a display; EGL, no display needed) or nothing at all (plugin dry runs). The value
#: is Panda3D's own ``window-type`` setting, written into its configuration as is.
WindowType = Literal["onscreen", "offscreen", "none"]

# No "gl-version 3 2" here: it asks for a core-profile context, which has no fixed-function
# pipeline (the "low" preset and the interface use it) and, with Panda3D 1.10 on this Mesa,
# no shader generator either (surfaces were drawn unlit). The sun's shadows use a GLSL
# shader of our own in the default context instead (render/sunlight.py, docs/daylight.md).
_BASE = """
audio-library-name null
print-pipe-types false
sync-video false
framebuffer-srgb false
default-near 1.0
notify-level-device fatal
notify-level-display error
"""


def configure(window_type: WindowType, size: tuple[int, int], title: str = "Gwangju Twin",
              locked: bool = False, fullscreen: bool = False) -> None:
    """Load the PRC settings before ShowBase starts.

    ``window_type`` is ``onscreen``, ``offscreen`` (EGL, no display needed) or ``none``.
    ``locked`` opens the window as a kiosk's: without decorations (no close button) and
    with the pointer hidden until it moves; ``fullscreen`` takes the whole screen at ``size``.
    """
    w, h = size
    headless = ""
    if window_type != "onscreen" and sys.platform.startswith("linux") and not os.environ.get(
        "DISPLAY"
    ):
        # Go straight to EGL: asking X11 first only prints "Could not open display" noise.
        headless = "load-display p3headlessgl\naux-display\n"
    loadPrcFileData(
        "gwangju-twin",
        _BASE
        + f"window-type {window_type}\nwin-size {w} {h}\nwindow-title {title}\n"
        + "framebuffer-multisample 1\nmultisamples 4\n"
        + headless
        + ("undecorated #t\ncursor-hidden #t\n" if locked else "")
        + ("fullscreen #t\n" if fullscreen else ""),
    )
