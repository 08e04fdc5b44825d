"""Model files checked in Python before Panda3D's native loader sees them.

Panda3D's loaders trust their input: a glTF whose scene is empty, whose indices point past
its vertices or whose nodes form a cycle fails an assertion inside assimp and aborts the whole
process (exit 134, or a segfault); a truncated .bam makes the loader wait forever and a
corrupt one aborts it. So ``check_model`` reads the file first, refuses what would take the
viewer down or show nothing with a ValueError that says what is wrong, and only then may the
render room hand it to the loader (``render/paint.py``); ``gwangju-twin plugins check`` runs
the same checks over a plugin's asset folder.

glTF is checked in ``gwangju_twin.plugins.gltf``. A .bam is Panda3D's own serialisation:
its header, version and datagram framing are checked, not the objects inside. An .egg is
text the loader parses with errors it reports (no abort): it is checked for size and for
being text.
"""

from __future__ import annotations

import struct
from pathlib import Path

from gwangju_twin.modes import Mode
from gwangju_twin.plugins.gltf import check_gltf

#: The largest model the viewer loads: the file plus the buffers and images it names.
MAX_MODEL_BYTES = 64 * 1024 * 1024


class ModelFormat(Mode):
    """The model formats the viewer loads, by file suffix."""

    GLTF = ".gltf"
    GLB = ".glb"
    BAM = ".bam"
    EGG = ".egg"


_BAM_MAGIC = b"pbj\x00\n\r"
_BAM_MAJOR = 6
_BAM_OLDEST_MINOR = 14  # the oldest .bam Panda3D 1.10 still reads


def model_format(path: Path) -> ModelFormat:
    """The format of model ``path`` by its suffix; ValueError for one the viewer does not load."""
    try:
        return ModelFormat(path.suffix.lower())
    except ValueError:
        known = ", ".join(f.value for f in ModelFormat)
        raise ValueError(f"{path.name}: models must be {known} files; convert it to .glb "
                         "(e.g. with Blender's glTF exporter)") from None


def is_model(path: Path) -> bool:
    """Whether ``path`` has the suffix of a model the viewer loads."""
    return path.suffix.lower() in {f.value for f in ModelFormat}


def check_model(path: Path) -> ModelFormat:
    """Refuse model ``path`` unless the native loader can load it safely and it shows
    something; returns its format.

    Raises ValueError naming the file and what is wrong: a missing or over-large file, an
    unknown format, a glTF that is broken or has nothing to draw, a .bam that is truncated or
    of another Panda3D, an .egg that is not text.
    """
    path = Path(path)
    fmt = model_format(path)
    if not path.is_file():
        raise ValueError(f"{path.name}: no such model file")
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"{path.name}: the model file is empty")
    if size > MAX_MODEL_BYTES:
        raise ValueError(f"{path.name}: {size / 2**20:.0f} MiB is more than the "
                         f"{MAX_MODEL_BYTES // 2**20} MiB a model may have; simplify it")
    if fmt in (ModelFormat.GLTF, ModelFormat.GLB):
        check_gltf(path, size, MAX_MODEL_BYTES)
    elif fmt == ModelFormat.BAM:
        _check_bam(path)
    else:
        _check_egg(path)
    return fmt


def check_assets(folder: Path) -> tuple[int, list[str]]:
    """Check every model file under ``folder`` (a plugin's assets); returns how many there
    are and what is wrong with each bad one (``plugins check`` reports them)."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0, []
    found = sorted(p for p in folder.rglob("*") if is_model(p) and p.is_file())
    faults = []
    for path in found:
        try:
            check_model(path)
        except ValueError as exc:
            where = path.parent.relative_to(folder).as_posix()
            faults.append(str(exc) if where == "." else f"{where}/{exc}")
    return len(found), faults


def _check_bam(path: Path) -> None:
    data = path.read_bytes()
    if not data.startswith(_BAM_MAGIC):
        raise ValueError(f"{path.name}: not a Panda3D .bam file (its header is wrong)")
    datagrams = []
    at = len(_BAM_MAGIC)
    # Every datagram is length-prefixed; a file that stops inside one makes the loader wait
    # for the rest forever.
    while at < len(data):
        if at + 4 > len(data):
            raise ValueError(f"{path.name}: the .bam file is truncated")
        (length,) = struct.unpack_from("<I", data, at)
        at += 4
        if length == 0xFFFFFFFF:
            if at + 8 > len(data):
                raise ValueError(f"{path.name}: the .bam file is truncated")
            (length,) = struct.unpack_from("<Q", data, at)
            at += 8
        if at + length > len(data):
            raise ValueError(f"{path.name}: the .bam file is truncated (it ends inside a "
                             "record); write it again")
        datagrams.append((at, length))
        at += length
    if len(datagrams) < 2 or datagrams[0][1] < 4:
        raise ValueError(f"{path.name}: the .bam file holds no model")
    major, minor = struct.unpack_from("<HH", data, datagrams[0][0])
    if major != _BAM_MAJOR or minor < _BAM_OLDEST_MINOR:
        raise ValueError(f"{path.name}: a .bam of version {major}.{minor}, which this Panda3D "
                         f"cannot read; write it with Panda3D 1.10 (version {_BAM_MAJOR}.x)")


def _check_egg(path: Path) -> None:
    data = path.read_bytes()
    if b"\x00" in data:
        raise ValueError(f"{path.name}: not an .egg file (an .egg is text)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: not an .egg file (not UTF-8 text at byte "
                         f"{exc.start})") from None
