"""Soak: a kiosk booth through thousands of offscreen frames of random visitors, then the
operator's report on what they did.

scripts/kiosk_soak.py does the soaking in a process of its own, so its resident memory is
the booth's alone; this test runs it as CI would and reads the visits back with
``gwangju-twin kiosk report``.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from render_helpers import REPO

pytestmark = pytest.mark.render

FRAMES = 5000


def test_five_thousand_frames_of_random_visitors(tmp_path: Path) -> None:
    db = tmp_path / "visits.sqlite3"
    out = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "kiosk_soak.py"), "--frames", str(FRAMES),
         "--database", str(db)],
        capture_output=True, text=True, timeout=900)
    report = out.stdout
    assert out.returncode == 0, report + out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    frames = int(re.search(r"^frames (\d+)", report, re.M).group(1))
    assert frames >= FRAMES
    growth = float(re.search(r"growth ([+-][\d.]+) MB", report).group(1))
    assert growth <= 50.0
    counts = dict(re.findall(r"(visits|attract|countdowns|kept|resets) (\d+)", report))
    visits = int(counts["visits"])
    # Visitors came and went: visits, countdowns some of them answered, resets after they
    # left, the attract reel between.
    assert visits >= 3 and int(counts["resets"]) >= 2 and int(counts["attract"]) >= 1
    assert int(counts["kept"]) >= 1
    assert "disabled plugins: none" in report

    # The operator's report shows those visits.
    text = subprocess.run([sys.executable, "-m", "gwangju_twin", "kiosk", "report",
                           "--database", str(db)], capture_output=True, text=True, timeout=60)
    assert text.returncode == 0, text.stderr
    table = subprocess.run([sys.executable, "-m", "gwangju_twin", "kiosk", "report", "--csv",
                            "--database", str(db)], capture_output=True, text=True, timeout=60)
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    totals = [r for r in rows if r["pavilion"] == "*"]
    assert sum(int(r["day_visits"]) for r in totals) == visits
    assert f"{visits} visits" in text.stdout
    pavilions = [r for r in rows if r["pavilion"] != "*"]
    assert pavilions and all(float(r["dwell_seconds"]) >= 0 for r in pavilions)
