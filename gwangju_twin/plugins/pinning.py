"""Content hashes of installed plugins, so that a kiosk can pin exactly the files it vetted.

A pin is ``"id@sha256:HEX"`` in a kiosk's ``[plugins] allow``; ``gwangju-twin plugins hash ID``
prints it. The hash covers every file in the plugin's folder (the folder holding its
pavilion.toml: its code, manifest and assets), by relative path and content, except Python's
byte-code caches, which the interpreter rewrites on its own.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

#: The hash algorithm of a pin, as written after the "@".
PIN_ALGORITHM = "sha256"
#: ``id@sha256:`` followed by 64 lower-case hex digits.
PIN_PATTERN = re.compile(r"@sha256:([0-9a-f]{64})")
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
