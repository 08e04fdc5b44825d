"""A guide leads a follower through three stops over a real presence server: two viewers
(offscreen stages in two processes, the full touring interface) join one room; the guide
starts the tour and steps it on twice, the follower opts in and its own tour goes to each
stop the guide goes to, and stops when the guide ends it.

The viewers only pace themselves by frames; what is checked is the order of the stops the
follower saw, not when.
"""

from __future__ import annotations

import json
import subprocess
import sys

from presence_kit import server
from render_helpers import REPO
from tour_kit import VIEWER


def test_a_guide_leads_a_follower_through_three_stops() -> None:
    with server() as srv:
        url = f"{srv.url}/sangmu"
        follower = subprocess.Popen([sys.executable, "-c", VIEWER, url, "visitor"], cwd=REPO,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        guide = subprocess.Popen([sys.executable, "-c", VIEWER, url, "guide"], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, err_g = guide.communicate(timeout=300)
        out_f, err_f = follower.communicate(timeout=300)
        assert guide.returncode == 0, err_g[-3000:]
        assert follower.returncode == 0, err_f[-3000:]
        stats = srv.stats()
    seen = json.loads(out_f.strip().splitlines()[-1])["seen"]
    # The follower's own tour went where the guide's did, in order, and ended with it.
    assert seen == [0, 1, 2, "stopped"], seen
    # The server relayed the guide's four tour messages: start, two steps, stop.
    assert stats["counters"].get("relay.tour", 0) == 4, stats
