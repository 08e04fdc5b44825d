"""Content hashes of installed plugins, so that a kiosk can pin exactly the files it vetted.

A pin is ``"id@sha256:HEX"`` in a kiosk's ``[plugins] allow``; ``gwangju-twin plugins hash ID``
prints it. The hash covers every file in the plugin's folder (the folder holding its
pavilion.toml: its code, manifest and assets), by relative path and content, except Python's
byte-code caches, which the interpreter rewrites on its own.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gwangju_twin.plugins.discovery import FoundPlugin

log = logging.getLogger("gwangju_twin.plugins")

#: The hash algorithm of a pin, as written after the "@".
PIN_ALGORITHM = "sha256"
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = (".pyc", ".pyo")


def content_hash(folder: Path) -> str:
    """The sha256 (hex) of the plugin files under ``folder``: each file's relative path and
    the sha256 of its content, in path order. Raises OSError if a file cannot be read."""
    entries = []
    root = Path(folder)
    for here, dirs, files in os.walk(root, onerror=_raise):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in files:
            if name.endswith(_SKIP_SUFFIXES):
                continue
            path = Path(here) / name
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            entries.append((path.relative_to(root).as_posix(), digest.hexdigest()))
    total = hashlib.sha256()
    for rel, digest_hex in sorted(entries):
        total.update(rel.encode("utf-8", "surrogateescape") + b"\0" + digest_hex.encode() + b"\n")
    return total.hexdigest()


def pin_text(plugin_id: str, folder: Path) -> str:
    """The allow-list entry that pins ``plugin_id`` to the files now in ``folder``."""
    return f"{plugin_id}@{PIN_ALGORITHM}:{content_hash(folder)}"


def _raise(error: OSError) -> None:
    raise error


def pinned_admit(
    admit: Callable[[str, str], bool],
    pins: Mapping[str, str],
    found: Sequence[FoundPlugin],
) -> Callable[[str, str], bool]:
    """``admit(plugin_id, version)`` that also refuses a plugin whose installed files do not
    hash to its pin in ``pins`` (plugin id -> sha256 hex), saying why in the log.

    ``found`` is what discovery found; a pinned plugin's files are hashed when it is first
    asked about, once.
    """
    folders = {f.id: f.manifest.folder for f in found if f.ok and f.manifest is not None}
    verdicts: dict[str, bool] = {}

    def check(plugin_id: str, version: str) -> bool:
        if not admit(plugin_id, version):
            return False
        want = pins.get(plugin_id)
        if want is None:
            return True
        if plugin_id not in verdicts:
            verdicts[plugin_id] = _matches(plugin_id, folders.get(plugin_id), want)
        return verdicts[plugin_id]

    return check


def _matches(plugin_id: str, folder: Path | None, want: str) -> bool:
    if folder is None:
        return False
    try:
        have = content_hash(folder)
    except OSError as exc:
        log.warning("plugin %s is refused: its files in %s cannot be read to check the "
                    "kiosk's content-hash pin (%s)", plugin_id, folder, exc)
        return False
    if have != want:
        log.warning("plugin %s is refused: its files in %s hash to sha256:%s, but the kiosk's "
                    "[plugins] allow pins sha256:%s; install the vetted release again, or pin "
                    "these files (gwangju-twin plugins hash %s)", plugin_id, folder, have, want,
                    plugin_id)
        return False
    return True
