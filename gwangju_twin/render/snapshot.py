"""Writing what a window or offscreen buffer shows to a PNG."""

from __future__ import annotations

from pathlib import Path

from panda3d.core import GraphicsOutput, PNMImage, StringStream

#: How each picture format starts and ends; a file missing either was cut short.
_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"),
    ".jpg": (b"\xff\xd8\xff", b"\xff\xd9"),
    ".jpeg": (b"\xff\xd8\xff", b"\xff\xd9"),
}


def write_png(output: GraphicsOutput, path: Path) -> Path:
    """Save the last frame ``output`` rendered as an RGB PNG (or JPEG, by suffix) at ``path``.

    OSError when the renderer returns no image, or the file cannot be written or is not a
    complete picture afterwards: a full disk lets the writer "succeed" with a cut file.
    """
    image = PNMImage()
    if not output.get_screenshot(image):
        raise OSError("the renderer returned no image")
    image.remove_alpha()
    # Encoded in memory and written by Python, so a failed write is an OSError with its cause
    # (ENOSPC...), not a stream of native error lines and a cut file.
    stream = StringStream()
    if not image.write(stream, f"picture{path.suffix.lower() or '.png'}"):
        raise OSError(f"cannot encode the picture for {path}")
    try:
        path.write_bytes(stream.get_data())
    except OSError as exc:
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)  # never leave a cut picture behind
        raise OSError(f"cannot write {path} ({exc.strerror or exc})") from None
    check_picture(path)
    return path


def check_picture(path: Path) -> None:
    """Raise OSError unless ``path`` is a regular file holding a whole picture of its format
    (its signature at the start and its end marker at the end)."""
    head, tail = _SIGNATURES.get(path.suffix.lower(), _SIGNATURES[".png"])
    if not path.is_file():
        raise OSError(f"{path} is not a regular file after writing")
    try:
        with path.open("rb") as f:
            start = f.read(len(head))
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - len(tail)))
            end = f.read()
    except OSError as exc:
        raise OSError(f"cannot read back {path} ({exc.strerror or exc})") from None
    if size <= len(head) + len(tail) or start != head or end != tail:
        raise OSError(f"{path} was not written completely ({size} bytes)")
