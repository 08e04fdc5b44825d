"""Together: the touring interface in a shared room (docs/presence.md).

``Together`` is built by ``Touring.join`` when the viewer is given a room (``--join``, the
settings' ``join`` or a kiosk's ``[presence]``). It owns the presence client (a background
thread: the frame never waits on the network) and, each frame:

- tells the client where the visitor is and looks (the same point the minimap marks) and
  which pavilion they are in;
- draws the others as avatars (``render.avatars``) where the client's interpolation puts
  them, and as dots on the minimap;
- shows the reactions that arrived (wave, like, "look here") and sends the visitor's own
  (keys G, B, X and the reaction bar);
- runs group tours: a guide's tour steps go to the room, and a visitor who opted in
  (key F or the bar's follow button) is taken along, stop by stop, by their own tour guide;
- links the demos' ``ctx.room`` to the room, so a demo's shared state reaches the same
  demo on the other viewers;
- says in a toast when the room is joined, lost (it is rejoined by itself) or refused.

Without a room none of this exists and the viewer is exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from panda3d.core import NodePath, Plane, Point3, TextFont, Vec3

from gwangju_twin.controls import CameraMode
from gwangju_twin.guide import Presence
from gwangju_twin.navigation.rigs import OrbitRig, WalkRig
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.plugins.host import PluginHost
from gwangju_twin.presence.client import Join, Other, PresenceClient
from gwangju_twin.presence.interpolation import State
from gwangju_twin.presence.messages import (
    Error,
    Pose,
    Reaction,
    ReactionKind,
    Role,
    Share,
    Tour,
    TourAction,
)
from gwangju_twin.presence.nicknames import nickname
from gwangju_twin.render.avatars import Avatars, rgb
from gwangju_twin.touring.camera import CameraDriver
from gwangju_twin.touring.pointer import Pointer
from gwangju_twin.touring.screen import Screen
from gwangju_twin.touring.selection import Selection
from gwangju_twin.touring.tourguide import TourGuide
from gwangju_twin.ui.catalogue import Catalogue
from gwangju_twin.ui.reactions import ReactionBar

#: The id a guide's tour goes by in the room (one scene, one tour).
TOUR_ID = "tour"


class Together:
    """A visitor in a shared room; see the module's docstring. ``client`` is made from
    ``join`` unless given (tests hand in their own)."""

    def __init__(self, join: Join, *, base: Any, world: NodePath, fonts: tuple[TextFont, TextFont],
                 infos: Sequence[PavilionInfo], driver: CameraDriver, presence: Presence,
                 selection: Selection, pointer: Pointer, screen: Screen, guide: TourGuide,
                 catalogue: Catalogue, later: Callable[[Callable[[], object]], None],
                 host: PluginHost | None = None, client: PresenceClient | None = None
                 ) -> None:
        self.base, self.world = base, world
        self.driver, self.presence, self.selection = driver, presence, selection
        self.pointer, self.screen, self.guide, self.cat = pointer, screen, guide, catalogue
        self.host = host
        self.client = client or PresenceClient(join.url, join.token, role=join.role)
        self.is_guide = join.role is Role.GUIDE
        places = {i.id: (i.name_ko, i.name_en) for i in infos}
        self.avatars = Avatars(world, fonts[0], fonts[1], places)
        self.bar = ReactionBar(base.a2dRightCenter, fonts[0], catalogue, screen.language,
                               on_press=lambda name: later(lambda: self.act(name)))
        self._joined = False
        self._refused: str | None = None
        # Group tours: what a guide last told the room; whom a follower follows.
        self._sent: tuple[bool, int] = (False, -1)
        self.offer: Tour | None = None  # the last tour a guide started, while it runs
        self.following = False
        self.client.start()
        base.task_mgr.add(self._frame, "together", sort=31)

    # -- actions ---------------------------------------------------------------------------

    def act(self, name: str) -> None:
        """A reaction bar button or key: "wave", "like", "ping" or "follow"."""
        if name == "follow":
            self.toggle_follow()
        elif name == "ping":
            self.ping()
        else:
            self.client.send(Reaction(ReactionKind(name)))

    def ping(self, at: tuple[float, float] | None = None) -> tuple[float, float, float] | None:
        """"Look here" at what is under window point ``at`` (default: the pointer, else the
        middle of the view): the building or pavilion hit, else the ground. Returns the
        point sent, or None when the ray meets nothing."""
        at = at or self.pointer.position() or (0.0, 0.0)
        hit = self.selection.pick(at)
        point: tuple[float, float, float] | None
        if hit is not None:
            point = hit.point
        else:
            ray = self.selection.ray(at)
            point = None
            if ray is not None:
                ground = Point3()
                origin, direction = ray
                if Plane(Vec3(0, 0, 1), Point3(0, 0, 0)).intersects_line(
                        ground, origin, origin + direction):
                    point = (ground.x, ground.y, ground.z)
        if point is not None:
            self.client.send(Reaction(ReactionKind.PING, at=point))
        return point

    def toggle_follow(self) -> None:
        """Follow the room's guided tour (when one runs), or stop following it."""
        if self.following:
            self.following = False
            if self.guide.tour.running:
                self.guide.toggle()
            return
        if self.offer is None:
            self.screen.say("toast.together_no_tour")
            return
        self.following = True
        self.screen.say("toast.together_following")
        self._go_to_stop(self.offer.stop)

    # -- every frame -------------------------------------------------------------------------

    def _frame(self, task: Any) -> Any:
        from panda3d.core import ClockObject

        dt = min(ClockObject.get_global_clock().get_dt(), 0.25)
        self.update(dt)
        return task.cont

    def update(self, dt: float) -> None:
        """A frame of ``dt`` seconds (the frame task; tests call it)."""
        client = self.client
        client.set_pose(self._pose())
        others = client.visitors()
        far = client.far()
        camera = self.base.camera
        # The far ones too: in a city overview a visitor in another pavilion is still worth
        # seeing; they come coarse (metres, 2 Hz, on the ground, no look direction).
        coarse = [Other(f.id, f.nickname_id, f.colour_id, Role.VISITOR,
                        State(f.x, f.y, 0.0, 0.0, 0.0), f.zone) for f in far]
        self.avatars.show([*others, *coarse], camera, {f.id for f in far}, dt)
        self.avatars.update(dt, camera)
        self.screen.minimap.set_others(
            [(o.state.x, o.state.y, rgb(o.colour_id)) for o in (*others, *coarse)])
        self._link_plugins()
        for event in client.drain():
            self._event(event)
        self._status(len(others) + len(far))
        if self.is_guide:
            self._lead()
        elif self.following and not self.guide.tour.running:
            self.following = False  # the visitor ended the tour themselves: they left it
        self.bar.set_following(self.following)
        if self.screen.shown != self.bar.visible:
            (self.bar.show if self.screen.shown else self.bar.hide)()
        if self.bar.language != self.screen.language:
            self.bar.set_language(self.screen.language)

    def _pose(self) -> Pose:
        driver = self.driver
        eye = driver.eye
        if driver.mode is CameraMode.ORBIT and not driver.flying:
            (x, y), _ = driver.visitor()
            z = driver.rig.pose.target[2] if isinstance(driver.rig, OrbitRig) else 0.0
        else:
            x, y, z = eye.position
            if isinstance(driver.rig, WalkRig):
                z -= WalkRig.EYE_HEIGHT  # the avatar's feet, not its eyes
        # On the wire pitch is up-positive (Panda3D's); the eye's counts down from level.
        return Pose((x, y, z), eye.heading, -eye.pitch, self.presence.inside)

    def _status(self, count: int) -> None:
        joined = self.client.connected
        if joined != self._joined:
            self._joined = joined
            if joined:
                self._refused = None
                nick = nickname(self.client.nickname_id)
                self.screen.say("toast.together_joined", nickname=nick.ko if
                                self.screen.language == "ko" else nick.en)
            else:
                self.screen.say("toast.together_lost")
                self.offer = None
        self.bar.set_room(count if joined else None)

    def _event(self, event: Reaction | Tour | Any) -> None:
        me = self.client.id
        if isinstance(event, Reaction):
            colour_id = self.client.colour_id
            at = event.at
            if event.sender == me:
                sender = None
                if at is None:  # my own wave or like: over where I am
                    x, y, z = self._pose().pos
                    at = (x, y, z)
            else:
                sender = event.sender
                colour_id = self._colour_of(sender)
            self.avatars.react(event.kind, colour_id, sender, at, self.base.camera)
        elif isinstance(event, Tour):
            if event.guide == me:
                return
            self._tour(event)
        elif isinstance(event, Share):
            if event.sender != me:
                self._deliver(event)
        elif isinstance(event, Error):
            reason = f"{event.code}" + (f" ({event.detail})" if event.detail else "")
            if reason != self._refused:
                self._refused = reason
                self.screen.say("toast.together_refused", reason=reason)

    def _colour_of(self, visitor_id: str | None) -> int:
        colours = {o.id: o.colour_id for o in self.client.visitors()}
        colours.update((f.id, f.colour_id) for f in self.client.far())
        return colours.get(visitor_id or "", self.client.colour_id)

    # -- plugins: ctx.room -------------------------------------------------------------------

    def share(self, demo_id: str, key: str, value: Any) -> bool:
        """A demo's ``ctx.room.publish`` (the plugins' RoomLink): sent when joined."""
        if not self.client.connected:
            return False
        self.client.send(Share(demo_id, key, value))
        return True

    def _link_plugins(self) -> None:
        # Every frame: a plugin loaded anew (a kiosk's reset) has a new context to link.
        if self.host is None:
            return
        for slot in self.host.slots:
            context = slot.context
            if context is not None and context.room.link is not self:
                context.room.link = self

    def _deliver(self, share: Share) -> None:
        if self.host is None:
            return
        for slot in self.host.slots:
            context = slot.context
            if slot.running and context is not None and context.manifest.id == share.demo_id:
                context.room.deliver(share.key, share.value, share.sender)

    # -- group tours -------------------------------------------------------------------------

    def _lead(self) -> None:
        """A guide's tour, told to the room as it changes (start, each stop, the end)."""
        tour = self.guide.tour
        now = (tour.running, tour.index)
        if now == self._sent or not self.client.connected:
            return
        running, index = now
        if running and not self._sent[0]:
            self.client.send(Tour(TourAction.START, TOUR_ID, max(0, index)))
        elif running:
            self.client.send(Tour(TourAction.STEP, TOUR_ID, max(0, index)))
        else:
            self.client.send(Tour(TourAction.STOP, TOUR_ID))
        self._sent = now

    def _tour(self, event: Tour) -> None:
        if event.action is TourAction.STOP:
            self.offer = None
            if self.following:
                self.following = False
                if self.guide.tour.running:
                    self.guide.toggle()  # "the tour is over", as at its own end
            return
        if event.action is TourAction.START and not self.following:
            self.screen.say("toast.together_tour_offered", seconds=6.0)
        self.offer = event
        if self.following:
            self._go_to_stop(event.stop)

    def _go_to_stop(self, stop: int) -> None:
        """Take this visitor's own tour to stop ``stop`` (its narration and flight), held
        there: the guide, not the dwell clock, moves the group on."""
        guide, tour = self.guide, self.guide.tour
        if not 0 <= stop < len(tour.stops):
            return
        if tour.running and tour.index > stop:
            guide.toggle()  # back to the start, then forward: the tour only steps on
        if not tour.running:
            guide.toggle()
        while tour.running and tour.index < stop:
            guide.skip()
        tour.pause()

    def close(self) -> None:
        """Leave the room; remove the avatars and the bar."""
        self.base.task_mgr.remove("together")
        for slot in self.host.slots if self.host is not None else ():
            if slot.context is not None and slot.context.room.link is self:
                slot.context.room.link = None
        self.client.close()
        self.avatars.destroy()
        self.bar.destroy()
        self.screen.minimap.set_others([])
