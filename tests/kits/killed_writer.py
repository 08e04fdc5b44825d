"""A writer killed mid-writes: a child Python process that writes in a loop and prints a line
after each write returned, killed with SIGKILL while it writes on. What the kill -9 tests of
stores need (``ctx.storage`` itself, the civic board's proposals)."""

from __future__ import annotations

import signal
import subprocess
import sys


def said_before_kill(code: str, *args: str, lines: int = 300) -> list[str]:
    """Run ``code`` (``python -c``, with ``args`` as ``sys.argv[1:]``), read the first
    ``lines`` lines it prints, then kill it with SIGKILL while it keeps writing; the lines
    read. The writer must print each line (flushed) only after its write returned: what it
    said is what it was told was stored. Fails if it stopped before saying enough, or did not
    die by the signal."""
    child = subprocess.Popen([sys.executable, "-c", code, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said: list[str] = []
    try:
        assert child.stdout is not None and child.stderr is not None
        for line in child.stdout:
            said.append(line.rstrip("\n"))
            if len(said) >= lines:
                break
        else:
            raise AssertionError(f"the writer stopped early: {child.stderr.read()}")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return said
