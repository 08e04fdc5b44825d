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
import textwrap

from presence_kit import server
from render_helpers import REPO

VIEWER = textwrap.dedent(
    """
    import json, sys, time
    from gwangju_twin.app.stage import Interface, Stage, StageOptions
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.presence.client import Join, parse_join_url
    from gwangju_twin.presence.messages import Role
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from gwangju_twin.settings import SettingsLoad

    url, role = sys.argv[1], sys.argv[2]
    join = Join(parse_join_url(url), role=Role.GUIDE if role == "guide" else Role.VISITOR)
    stage = Stage(prepare(load_scene(default_scene_path())), "offscreen", (480, 270),
                  StageOptions(interface=Interface.DESKTOP, settings=SettingsLoad.shared("en"),
                               persist=False, join=join))
    stage.run_tasks()
    touring = stage.touring
    together = touring.together
    tour = touring.guide.tour
    deadline = time.monotonic() + 240  # only against a hang: the test checks order
    def frames(n=1):
        for _ in range(n):
            stage.base.task_mgr.step()
            assert time.monotonic() < deadline, "the viewer ran out of time"
    def until(check):
        while not check():
            frames()
    until(lambda: together.client.connected and together.bar.text()[-1].startswith("1"))
    seen = []
    if role == "guide":
        # Held at each stop (paused) so only the guide's own steps move the tour on, however
        # slowly the frames come.
        touring.guide.toggle()          # stop 0
        tour.pause()
        frames(90)
        touring.guide.skip()            # stop 1
        tour.pause()
        frames(90)
        touring.guide.skip()            # stop 2
        tour.pause()
        frames(90)
        touring.guide.toggle()          # the end
        frames(30)
    else:
        until(lambda: together.offer is not None)
        together.act("follow")
        last = None
        while together.following:
            if tour.running and tour.index != last:
                last = tour.index
                seen.append(last)
            frames()
        seen.append("stopped" if not tour.running else "still running")
    print(json.dumps({"role": role, "seen": seen}))
    stage.close()
    """
)


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
