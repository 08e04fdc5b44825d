"""What an offscreen booth shows, as a PNG an operator can look at over SSH.

``gwangju-twin kiosk --offscreen`` has no screen to look at; :class:`PeriodicSnapshot` writes
the booth's last frame to ``[logs] folder``/:data:`SNAPSHOT_NAME` every
:data:`SNAPSHOT_PERIOD` seconds (the first one as soon as a frame is drawn). Each snapshot is
written to a temporary file in the same folder and renamed over the old one, so a reader (scp,
an image viewer polling the file) never sees a half-written picture.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from panda3d.core import GraphicsOutput

from gwangju_twin.render.snapshot import write_png

log = logging.getLogger("gwangju_twin.kiosk")

#: The snapshot's file name, in the kiosk's log folder.
SNAPSHOT_NAME = "screen.png"
#: Seconds between two snapshots.
SNAPSHOT_PERIOD = 10.0
# Frames drawn before the first snapshot: the very first frame may still be the clear colour.
_WARMUP_FRAMES = 3


class PeriodicSnapshot:
    """Writes ``output``'s last frame to ``path`` every ``period`` seconds, atomically."""

    def __init__(self, output: GraphicsOutput, path: Path,
                 period: float = SNAPSHOT_PERIOD) -> None:
        """Snapshot ``output`` to ``path`` (its folder is created) every ``period`` s."""
        self.output, self.path, self.period = output, Path(path), period
        # The temporary name keeps the .png suffix: Panda3D picks the format by the suffix.
        self._tmp = self.path.with_name(f".{self.path.stem}.tmp{os.getpid()}{self.path.suffix}")
        self._frames = 0
        self._last: float | None = None
        self.written = 0
        self._failed = False

    def update(self, now: float) -> bool:
        """Call once a frame with the frame clock; True when a snapshot was written now."""
        self._frames += 1
        if self._frames <= _WARMUP_FRAMES:
            return False
        if self._last is not None and now - self._last < self.period:
            return False
        self._last = now
        try:
            # Unsupervised (--no-supervisor), nobody has made the log folder yet.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_png(self.output, self._tmp)
            os.replace(self._tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
            if not self._failed:  # said once: a full disk must not flood the log
                log.warning("cannot write the booth snapshot %s: %s", self.path, exc)
            self._failed = True
            return False
        if self.written == 0:
            log.info("offscreen booth: a snapshot of the screen every %g s in %s",
                     self.period, self.path)
        self._failed = False
        self.written += 1
        return True
