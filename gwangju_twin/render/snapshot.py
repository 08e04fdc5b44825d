"""Writing what a window or offscreen buffer shows to a PNG."""

from __future__ import annotations

from pathlib import Path

from panda3d.core import Filename, GraphicsOutput, PNMImage


def write_png(output: GraphicsOutput, path: Path) -> Path:
    """Save the last frame ``output`` rendered as an RGB PNG at ``path`` (OSError when the
    renderer returns no image or the file cannot be written)."""
    image = PNMImage()
    if not output.get_screenshot(image):
        raise OSError("the renderer returned no image")
    image.remove_alpha()
    if not image.write(Filename.from_os_specific(str(path))):
        raise OSError(f"cannot write {path}")
    return path
