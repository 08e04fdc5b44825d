"""A guide booth leads a follower through three stops (issue 17's "done when"): a real kiosk
booth, configured as a guide by its kiosk config file (``[presence] join``, ``token``,
``guide = true``), rehearsed offscreen with taps on its touch interface, and a follower's
desktop viewer, both in their own processes, joined to one real presence server that has a
room token and a guides' token.

The booth's visitor taps the tour button, then the tour bar's "skip" twice, then the tour
button again (holding each stop with "pause", so only the taps move the tour on however
slowly the frames come); the follower opts in and its own tour goes where the booth's goes.
What is checked is the order of the stops the follower saw and what the server relayed,
not when.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from presence_kit import server
from render_helpers import REPO
from tour_kit import VIEWER

ROOM_TOKEN = "expo-2026-booths"
GUIDE_TOKEN = "guide-booth-2026"

BOOTH = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from gwangju_twin.app.rehearsal import Rehearsal
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.kiosk.config import load_kiosk_config
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene

    config = load_kiosk_config(Path(sys.argv[1]))
    kiosk = Rehearsal(prepare(load_scene(default_scene_path()), admit=config.allows), config,
                      fps=15)
    touring = kiosk.booth.touring
    together = touring.together
    tour = touring.guide.tour
    deadline = time.monotonic() + 240  # only against a hang: the test checks order

    def frames(n=1):
        for _ in range(n):
            kiosk.frames(1)
            time.sleep(0.002)  # the presence thread and the follower need the CPU too
            assert time.monotonic() < deadline, "the booth ran out of time"

    def until(check):
        while not check():
            frames()

    def hold():
        # Pause at the stop reached, by the tour bar's own button, so the tour waits for
        # the next tap (the bar's buttons act on the next frame).
        frames(2)
        if not tour.paused:
            kiosk.tap_widget(touring.tourbar.buttons["pause"])
            frames(2)
        assert tour.paused

    assert together is not None and together.is_guide, "the config did not make a guide"
    # The bar says how many others are here, in the booth's language (Korean by default:
    # "함께 보는 방문객 1명"): the follower is.
    until(lambda: together.client.connected and " 1" in together.bar.text()[-1])
    stops = []
    kiosk.tap_widget(touring.toolbar.buttons["tour"])         # start: stop 0
    until(lambda: tour.running)
    hold()
    stops.append(tour.index)
    frames(60)
    for _ in range(2):
        kiosk.tap_widget(touring.tourbar.buttons["skip"])     # stops 1 and 2
        until(lambda n=len(stops): tour.index == n)
        hold()
        stops.append(tour.index)
        frames(60)
    kiosk.tap_widget(touring.toolbar.buttons["tour"])         # the end
    until(lambda: not tour.running)
    frames(30)
    print(json.dumps({"role": "booth", "stops": stops, "state": kiosk.booth.cycle.state}))
    kiosk.close()
    """
)

def _booth_config(tmp: Path, url: str) -> Path:
    # The keys an expo writes (docs/kiosk.toml); the idle timers far away so the booth
    # stays in its visit while the tour runs.
    path = tmp / "kiosk.toml"
    path.write_text(f"""
[kiosk]
booth = "hall-a-guide"
[display]
size = "640x360"
fullscreen = false
[timing]
attract_after = 3600
reset_after = 3600
[logs]
folder = {str(tmp / "logs")!r}
[analytics]
database = {str(tmp / "visits.sqlite3")!r}
[presence]
join = {url!r}
token = {GUIDE_TOKEN!r}
guide = true
""", encoding="utf-8")
    return path


def test_a_guide_booth_leads_a_follower_through_three_stops(tmp_path: Path) -> None:
    with server("--token", ROOM_TOKEN, "--guide-token", GUIDE_TOKEN) as srv:
        url = f"{srv.url}/sangmu"
        config = _booth_config(tmp_path, url)
        follower = subprocess.Popen([sys.executable, "-c", VIEWER, url, "visitor", ROOM_TOKEN],
                                    cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
        booth = subprocess.Popen([sys.executable, "-c", BOOTH, str(config)], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out_b, err_b = booth.communicate(timeout=300)
        out_f, err_f = follower.communicate(timeout=300)
        assert booth.returncode == 0, err_b[-3000:]
        assert follower.returncode == 0, err_f[-3000:]
        stats = srv.stats()
    booth_said = json.loads(out_b.strip().splitlines()[-1])
    seen = json.loads(out_f.strip().splitlines()[-1])["seen"]
    # The booth's own tour went through stops 0, 1 and 2 by its visitor's taps ...
    assert booth_said["stops"] == [0, 1, 2], booth_said
    # ... and the follower's went to the same stops, in order, and ended with it.
    assert seen == [0, 1, 2, "stopped"], seen
    # The server admitted the booth as a guide by the guides' token (it relayed its four
    # tour messages: start, two steps, stop) and the follower by the room's token.
    counters = stats["counters"]
    assert counters.get("relay.tour", 0) == 4, stats
    assert counters.get("join", 0) == 2 and not any(k.startswith("refused.")
                                                    for k in counters), stats
