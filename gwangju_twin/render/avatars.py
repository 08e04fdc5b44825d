"""Other visitors in the scene graph: friendly avatars, their names, and reactions.

One white body Geom and one look marker (``mesh.avatar``) are made once; each visitor is an
instance of them tinted with their colour (a colour scale), a bilingual label above with
their nickname and the pavilion they are in, and a marker turned to where they look. Each
frame ``show`` moves them to the interpolated states the presence client samples, so they
glide at any frame rate; an avatar far away grows so it still reads from an overview.

Reactions are short animated markers (``react``): a wave is a greeting card that rocks over
the avatar, a like a heart that rises and fades, a "look here" ping a beam and rings that
spread at the point, in the sender's colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from panda3d.core import (
    ColorBlendAttrib,
    GeomNode,
    NodePath,
    Point3,
    Quat,
    TextFont,
    TransparencyAttrib,
)

from gwangju_twin.mesh.avatar import (
    EYE_HEIGHT,
    avatar_body,
    heart_outline,
    look_marker,
    ring,
)
from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.shapes import frustums
from gwangju_twin.presence.client import Other
from gwangju_twin.presence.messages import ReactionKind, Role
from gwangju_twin.presence.nicknames import colour, nickname
from gwangju_twin.render.geoms import geom_of, pack
from gwangju_twin.render.pavilions import label_scale
from gwangju_twin.ui.label import BilingualLabel, polygon_node

#: Beyond this distance (m) from the camera an avatar grows with distance, so it stays about
#: as large on screen as it is here.
NEAR = 60.0
#: The world height (m) of an avatar label's Korean line at LABEL_FAR, as pavilions' labels
#: are sized (render.pavilions.label_scale), a little smaller than theirs.
LABEL_HEIGHT = 7.5
#: Seconds a reaction's marker lives.
LIFETIMES: Mapping[ReactionKind, float] = {
    ReactionKind.WAVE: 2.5, ReactionKind.LIKE: 2.0, ReactionKind.PING: 4.0}
#: The like's heart colour (a warm red, on every avatar colour).
HEART = (0.91, 0.22, 0.35, 1.0)

Vec3 = tuple[float, float, float]


def rgb(colour_id: int) -> tuple[float, float, float]:
    """A visitor's colour, 0..1."""
    r, g, b = colour(colour_id)
    return (r / 255.0, g / 255.0, b / 255.0)


def _node(name: str, batch: MeshBatch) -> NodePath:
    node = GeomNode(name)
    node.add_geom(geom_of(pack(batch)))
    return NodePath(node)


def grow(distance: float) -> float:
    """How much larger than life an avatar is drawn ``distance`` metres from the camera."""
    return max(1.0, distance / NEAR)


@dataclass
class _Avatar:
    root: NodePath
    look: NodePath
    label: BilingualLabel
    place: str | None
    colour_id: int
    fresh: bool = True  # not yet placed: it appears where it is, without gliding


@dataclass
class _Marker:
    kind: ReactionKind
    node: NodePath
    age: float
    life: float
    anchor: Callable[[], Vec3 | None]  # where it floats (the avatar moves), None: gone


class Avatars:
    """The other visitors under ``parent`` (the world: district coordinates). ``places``
    names a pavilion by id as (Korean, English)."""

    def __init__(self, parent: NodePath, font: TextFont, bold_font: TextFont,
                 places: Mapping[str, tuple[str, str]]) -> None:
        self.root = parent.attach_new_node("avatars")
        self._font, self._bold = font, bold_font
        self._places = places
        # One body and one look marker for every avatar: each avatar instances them.
        self._body = _node("avatar-body", avatar_body())
        self._look = _node("avatar-look", look_marker())
        self._ring = _node("ping-ring", ring(0.82, 1.0))
        self._beam = _node("ping-beam", frustums(np.zeros((1, 2)), 0.0, 1.0, 0.5, 0.5, 10,
                                                 (255, 255, 255, 255)))
        self._heart = polygon_node("heart", [tuple(p) for p in heart_outline()], HEART,
                                   (0.0, 0.0))
        self.avatars: dict[str, _Avatar] = {}
        self.markers: list[_Marker] = []
        self._markers_root = self.root.attach_new_node("reactions")
        # Reactions float over the city and its labels (a priority of 1 wins over the
        # draw order each label card sets on itself): a reaction lasts seconds, so it may.
        self._markers_root.set_bin("fixed", 200, 1)
        self._markers_root.set_depth_test(False)
        self._markers_root.set_depth_write(False)
        self._markers_root.set_light_off(1)
        self._markers_root.set_fog_off(1)

    # -- avatars -------------------------------------------------------------------------------

    def show(self, others: Sequence[Other], camera: NodePath,
             coarse: Collection[str] = (), dt: float = 0.0) -> None:
        """Put the avatars where ``others`` are now (new ones appear, missing ones go), sized
        and labelled for ``camera``.

        The ids in ``coarse`` are far away (the server sends them to the metre, twice a
        second, without where they look): their avatars glide towards each new place over
        a few frames of ``dt`` seconds and show no look marker."""
        seen = set()
        for other in others:
            seen.add(other.id)
            avatar = self.avatars.get(other.id)
            if avatar is None or avatar.colour_id != other.colour_id:
                if avatar is not None:
                    avatar.root.remove_node()
                avatar = self._make(other)
                self.avatars[other.id] = avatar
            elif avatar.place != other.pavilion:
                self._relabel(avatar, other)
            self._place(avatar, other, camera, dt if other.id in coarse else None)
        for gone in [vid for vid in self.avatars if vid not in seen]:
            self.avatars.pop(gone).root.remove_node()

    def position(self, visitor_id: str) -> Vec3 | None:
        """Where the avatar of ``visitor_id`` stands now (its feet), or None."""
        avatar = self.avatars.get(visitor_id)
        if avatar is None:
            return None
        p = avatar.root.get_pos()
        return (p.x, p.y, p.z)

    def _make(self, other: Other) -> _Avatar:
        root = self.root.attach_new_node(f"avatar-{other.id}")
        body = root.attach_new_node("body")
        self._body.instance_to(body)
        look = body.attach_new_node("look")
        look.set_z(EYE_HEIGHT)
        self._look.instance_to(look)
        r, g, b = rgb(other.colour_id)
        body.set_color_scale(r, g, b, 1.0)
        avatar = _Avatar(root, look, self._label(other), other.pavilion, other.colour_id)
        avatar.label.reparent_to(root)
        return avatar

    def _label(self, other: Other) -> BilingualLabel:
        nick = nickname(other.nickname_id)
        ko, en = nick.ko, nick.en
        if other.role is Role.GUIDE:
            ko, en = f"가이드 {ko}", f"Guide {en}"
        place = self._places.get(other.pavilion or "")
        if place is not None:
            ko, en = f"{ko} · {place[0]}", f"{en} · {place[1]}"
        return BilingualLabel(ko, en, self._font, rgb(other.colour_id), bold_font=self._bold)

    def _relabel(self, avatar: _Avatar, other: Other) -> None:
        avatar.label.destroy()
        avatar.label = self._label(other)
        avatar.label.reparent_to(avatar.root)
        avatar.place = other.pavilion

    def _place(self, avatar: _Avatar, other: Other, camera: NodePath,
               glide: float | None) -> None:
        s = other.state
        if glide is None or avatar.fresh:
            avatar.root.set_pos(s.x, s.y, s.z)
        else:
            # Half way there in about 0.12 s: smooth at 2 Hz updates, never far behind.
            p = avatar.root.get_pos()
            f = 1.0 - math.exp(-glide * 6.0)
            avatar.root.set_pos(p.x + (s.x - p.x) * f, p.y + (s.y - p.y) * f,
                                p.z + (s.z - p.z) * f)
        avatar.fresh = False
        (avatar.look.hide if glide is not None else avatar.look.show)()
        # The state's yaw is a compass heading (clockwise from north); Panda3D's heading
        # turns counter-clockwise from +y.
        body = avatar.root.get_child(0)
        body.set_h(-s.yaw)
        avatar.look.set_p(s.pitch)
        distance = max(1.0, avatar.root.get_distance(camera))
        k = grow(distance)
        body.set_scale(k)
        label = avatar.label
        # The label's tail sits on the head; the body's own scale is not the label's.
        label.set_pos(0.0, 0.0, 3.6 * k)
        label.node.set_scale(label_scale(LABEL_HEIGHT, distance))
        label.face(camera)

    # -- reactions -----------------------------------------------------------------------------

    def react(self, kind: ReactionKind, colour_id: int, sender: str | None,
              at: Vec3 | None, camera: NodePath) -> None:
        """Show a reaction: a wave or like over ``sender``'s avatar (or at ``at``), a ping
        at ``at``; nothing when there is nowhere to show it."""
        if kind is ReactionKind.PING:
            if at is None:
                return
            point = at
            self._add(kind, self._ping_node(colour_id), lambda: point)
            return

        def anchor() -> Vec3 | None:
            where = self.position(sender) if sender is not None else None
            return where if where is not None else at

        if anchor() is None:
            return
        if kind is ReactionKind.WAVE:
            node = NodePath("wave")
            # Height 1: the marker's node gives it its size each frame.
            card = BilingualLabel("안녕하세요!", "Hello!", self._font, rgb(colour_id),
                                  height=1.0, bold_font=self._bold)
            card.reparent_to(node)
        else:
            node = NodePath("like")
            self._heart.instance_to(node)
        self._add(kind, node, anchor)
        self.update(0.0, camera)

    def _ping_node(self, colour_id: int) -> NodePath:
        node = NodePath("ping")
        r, g, b = rgb(colour_id)
        node.set_color_scale(r, g, b, 1.0)
        beam = node.attach_new_node("beam")
        self._beam.instance_to(beam)
        beam.set_scale(1.0, 1.0, 60.0)
        for n in range(3):  # three ripples, one after another
            ripple = node.attach_new_node(f"ripple-{n}")
            self._ring.instance_to(ripple)
        label = BilingualLabel("여기 보세요!", "Look here!", self._font, (r, g, b),
                               bold_font=self._bold)
        label.reparent_to(node)
        label.node.set_name("ping-label")
        node.set_transparency(TransparencyAttrib.M_alpha)
        node.set_attrib(ColorBlendAttrib.make_default())
        return node

    def _add(self, kind: ReactionKind, node: NodePath, anchor: Callable[[], Vec3 | None]
             ) -> None:
        node.reparent_to(self._markers_root)
        self.markers.append(_Marker(kind, node, 0.0, LIFETIMES[kind], anchor))

    def update(self, dt: float, camera: NodePath) -> None:
        """Age and animate the reactions' markers by ``dt`` seconds; the spent ones go."""
        alive = []
        for marker in self.markers:
            marker.age += dt
            where = marker.anchor()
            if marker.age >= marker.life or where is None:
                marker.node.remove_node()
                continue
            alive.append(marker)
            self._animate(marker, where, camera)
        self.markers = alive

    def _animate(self, marker: _Marker, where: Vec3, camera: NodePath) -> None:
        t = marker.age / marker.life  # 0 .. 1
        x, y, z = where
        distance = max(1.0, (camera.get_pos(self.root) - Point3(x, y, z)).length())
        k = grow(distance)
        node = marker.node
        fade = min(1.0, (1.0 - t) * 4.0)  # the last quarter fades out
        if marker.kind is ReactionKind.PING:
            node.set_pos(x, y, z)
            for n in range(3):
                ripple = node.find(f"ripple-{n}")
                phase = (t * 3.0 - n * 0.5) % 1.5
                ripple.set_scale(max(0.01, phase * 6.0 * k))
                ripple.set_alpha_scale(max(0.0, 1.0 - phase / 1.5) * fade)
            label = node.find("ping-label")
            label.set_pos(0.0, 0.0, 60.0 + 2.0 * k)
            label.set_scale(label_scale(LABEL_HEIGHT, distance))
            label.set_quat(camera, Quat.ident_quat())
            beam = node.find("beam")
            beam.set_scale(0.4 * k, 0.4 * k, 60.0)
            node.set_alpha_scale(fade)
            return
        # Waves and likes float up from above the avatar's label.
        rise = 3.6 * k + label_scale(LABEL_HEIGHT, distance) * (3.0 + 4.0 * t)
        node.set_pos(x, y, z + rise)
        node.set_quat(camera, Quat.ident_quat())
        scale = label_scale(LABEL_HEIGHT, distance)
        if marker.kind is ReactionKind.WAVE:
            node.set_scale(scale * 1.6)  # a greeting is meant to be noticed
            # The card rocks in the picture plane, as a waving hand does.
            node.get_child(0).set_r(18.0 * math.sin(t * 4 * math.pi))
        else:
            node.set_scale(scale * 5.0 * (0.8 + 0.4 * math.sin(min(1.0, t * 3) * math.pi)))
        node.set_alpha_scale(fade)

    def destroy(self) -> None:
        """Remove every avatar and marker."""
        self.root.remove_node()
        self.avatars.clear()
        self.markers.clear()

