"""Together in the touring interface, offscreen, with a scripted room (a presence client
whose network side is replaced, so every message is the test's): others become avatars and
minimap dots, reactions become markers, a ping is sent at the picked point, the visitor's
pose goes out, a guide's tour steps go to the room and a follower's tour follows them, and
a demo's ``ctx.room`` values travel both ways.

The probe runs in a subprocess (EGL, no display) and prints what it saw as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from render_helpers import REPO

pytestmark = pytest.mark.render

PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from gwangju_twin.app.stage import Interface, Stage, StageOptions
    from gwangju_twin.expo.prepared import prepare
    from gwangju_twin.presence import messages as m
    from gwangju_twin.presence.client import Far, Join, Other, PresenceClient, parse_join_url
    from gwangju_twin.presence.interpolation import State
    from gwangju_twin.resources import default_scene_path
    from gwangju_twin.scene import load_scene
    from gwangju_twin.settings import SettingsLoad
    from gwangju_twin.touring.together import Together

    ME, OTHER, FAR = "000000000001", "000000000002", "000000000003"

    class Room(PresenceClient):
        # The network side replaced: what the server "sent" is set by the probe.
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.sent, self.others, self.far_ones, self.inbox = [], [], [], []
            self.id, self.up = ME, True
        def start(self):
            return self
        @property
        def connected(self):
            return self.up
        def send(self, message):
            self.sent.append(message)
        def visitors(self, now=None):
            return list(self.others)
        def far(self):
            return list(self.far_ones)
        def drain(self):
            out, self.inbox = self.inbox, []
            return out
        def close(self, timeout=0):
            pass

    out = Path(sys.argv[1])
    prepared = prepare(load_scene(default_scene_path()))
    stage = Stage(prepared, "offscreen", (800, 450), StageOptions(
        interface=Interface.DESKTOP, settings=SettingsLoad.shared("en"), persist=False))
    touring = stage.touring
    join = Join(parse_join_url("ws://127.0.0.1:1/sangmu"))
    room = Room(join.url, nickname_id=5, colour_id=3)
    together = Together(join, base=stage.base, world=touring.world,
                        fonts=(stage.expo.font, stage.expo.bold_font), infos=touring.infos,
                        driver=touring.driver, presence=touring.presence,
                        selection=touring.selection, pointer=touring.pointer,
                        screen=touring.screen, guide=touring.guide, catalogue=touring.cat,
                        later=lambda f: f(), host=stage.expo.host, client=room)
    touring.together = together
    tx, ty, tz = stage.pose.target
    room.others = [Other(OTHER, 9, 1, m.Role.VISITOR, State(tx + 30, ty, tz, 45.0, 0.0),
                         prepared.pavilions[0].info.id)]
    room.far_ones = [Far(FAR, 17, 5, None, tx - 200, ty + 100)]
    step = lambda n=1: [together.update(1 / 30) for _ in range(n)]
    step()
    seen = {"avatars": sorted(together.avatars.avatars),
            "dots": sum(not d.is_hidden() for d in touring.minimap._others),
            "bar": together.bar.text()}
    pose = room._pose
    seen["pose"] = [pose.pos[0] - tx, pose.pos[1] - ty, pose.yaw, pose.pavilion]

    # Reactions from the room: a wave from the other, a ping at the target, my own like.
    room.inbox = [m.Reaction(m.ReactionKind.WAVE, sender=OTHER),
                  m.Reaction(m.ReactionKind.PING, at=(tx, ty, tz), sender=OTHER),
                  m.Reaction(m.ReactionKind.LIKE, sender=ME)]
    step(20)
    seen["markers"] = sorted(str(k.kind) for k in together.avatars.markers)
    stage.screenshot(out)
    step(200)  # past every reaction's life
    seen["markers_later"] = len(together.avatars.markers)

    # The bar's and the keys' actions: a wave is sent; a ping goes to the point picked
    # under the middle of the view.
    together.act("wave")
    point = together.ping((0.0, 0.0))
    seen["sent"] = [str(x.kind) for x in room.sent if isinstance(x, m.Reaction)]
    seen["ping_at"] = list(point) if point else None

    # Following a guide's tour: offered, followed, stepped, stopped.
    tour = touring.guide.tour
    room.inbox = [m.Tour(m.TourAction.START, "tour", 0, guide=OTHER)]
    step()
    seen["offered"] = together.offer is not None and not together.following
    together.act("follow")
    seen["follow_start"] = [tour.running, tour.index, together.following]
    room.inbox = [m.Tour(m.TourAction.STEP, "tour", 2, guide=OTHER)]
    step()
    seen["follow_step"] = [tour.running, tour.index]
    step(30 * 60)  # a minute: the follower's own dwell clock must not move the tour on
    seen["held"] = tour.index
    room.inbox = [m.Tour(m.TourAction.STOP, "tour", 0, guide=OTHER)]
    step()
    seen["follow_stop"] = [tour.running, together.following]

    # ctx.room: a running demo's value reaches the room; the room's reaches its subscriber
    # between frames (under the host's fault isolation, as a timer).
    slot = next(s for s in stage.expo.host.slots if s.running and s.context is not None)
    ctx = slot.context
    got = []
    ctx.room.subscribe(lambda key, value, sender: got.append([key, value, sender]))
    room.sent.clear()
    published = ctx.room.publish("pin", {"x": 1})
    room.inbox = [m.Share(ctx.manifest.id, "pin", [3, 4], sender=OTHER),
                  m.Share(ctx.manifest.id, "pin", "mine", sender=ME),
                  m.Share("someone.else", "pin", 5, sender=OTHER)]
    step()
    stage.expo.update(1 / 30)
    seen["shared"] = [published, [[x.demo_id == ctx.manifest.id, x.key, x.value]
                                  for x in room.sent if isinstance(x, m.Share)], list(got)]

    # The civic map's pins travel: one placed here goes to the room; one from the room is
    # pinned here (in this district, a known category); a malformed one is left out and the
    # demo keeps running.
    civic = next(s for s in stage.expo.host.slots if s.found.id == "gwangju.civic")
    board = civic.instance.board
    before = len(board.proposals())
    room.sent.clear()
    civic.instance.place = (tx, ty, 12.0)
    civic.instance._choose(civic.context, "green")
    room.inbox = [m.Share("gwangju.civic", "pin", {"x": tx + 5, "y": ty, "z": 8.0,
                                                   "category": "safety"}, sender=OTHER),
                  m.Share("gwangju.civic", "pin", {"x": "far", "category": "safety"},
                          sender=OTHER),
                  m.Share("gwangju.civic", "pin", {"x": 1e9, "y": 0, "z": 0,
                                                   "category": "safety"}, sender=OTHER)]
    step()
    stage.expo.update(1 / 30)
    seen["civic"] = [[x.value["category"] for x in room.sent if isinstance(x, m.Share)],
                     [p.category for p in board.proposals()[before:]], str(civic.state)]

    # Leading: as a guide, the visitor's own tour goes to the room as it changes.
    together.is_guide = True
    room.sent.clear()
    touring.guide.toggle()
    step()
    touring.guide.skip()
    step()
    touring.guide.toggle()
    step()
    seen["led"] = [[str(t.action), t.stop] for t in room.sent if isinstance(t, m.Tour)]

    # The room is lost: nobody is shown, the bar says it is rejoining.
    room.up, room.others, room.far_ones = False, [], []
    step()
    seen["lost"] = [len(together.avatars.avatars), together.bar.text()[-1]]
    stage.close()
    print(json.dumps(seen))
    """
)


def test_together_shows_the_room_and_follows_the_guide(tmp_path: Path) -> None:
    out = tmp_path / "together.png"
    run = subprocess.run([sys.executable, "-c", PROBE, str(out)], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    # The near one and the far one are both drawn, on the map too; the bar counts them.
    assert seen["avatars"] == ["000000000002", "000000000003"]
    assert seen["dots"] == 2
    assert seen["bar"][-1] == "2 others here"
    # The start view's target is where the visitor stands (orbit mode).
    dx, dy, _, _ = seen["pose"]
    assert abs(dx) < 1e-6 and abs(dy) < 1e-6
    assert seen["markers"] == ["like", "ping", "wave"]
    assert seen["markers_later"] == 0
    assert seen["sent"] == ["wave", "ping"]
    assert seen["ping_at"] is not None
    assert seen["offered"]
    assert seen["follow_start"] == [True, 0, True]
    assert seen["follow_step"] == [True, 2]
    assert seen["held"] == 2
    assert seen["follow_stop"] == [False, False]
    assert seen["led"] == [["start", 0], ["step", 1], ["stop", 0]]
    assert seen["lost"] == [0, "Connecting…"]
    # A demo's published value went to the room; only another viewer's value for the same
    # demo reached its subscriber (not its own echo, not another demo's).
    assert seen["civic"] == [["green"], ["green", "safety"], "loaded"]  # not disabled
    assert seen["shared"] == [True, [[True, "pin", {"x": 1}]], [["pin", [3, 4],
                                                                 "000000000002"]]]
