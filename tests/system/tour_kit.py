"""A viewer taking part in a group tour, for the tests of tours over a real presence server
(test_group_tour.py, test_guide_booth.py): an offscreen stage in a process of its own with
the full touring interface, joined to a room.

``python -c VIEWER URL ROLE [TOKEN]``: as "guide" it starts the tour and steps it on twice,
holding each stop, then ends it; as "visitor" it opts in to the guide's tour and prints, as
its last line, the JSON ``{"role": ..., "seen": [...]}``: the stops its own tour went to, in
order, then "stopped" if the tour ended with the guide's. The viewers only pace themselves
by frames; what the tests check is order, not time.
"""

from __future__ import annotations

import textwrap

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
    token = sys.argv[3] if len(sys.argv) > 3 else None
    join = Join(parse_join_url(url), token,
                role=Role.GUIDE if role == "guide" else Role.VISITOR)
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
