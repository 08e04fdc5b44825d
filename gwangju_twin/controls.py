"""Every control of the desktop viewer, as data: the help overlay lists this table and the
viewer binds its events from it, so the two cannot drift apart.

Pure: no window. Descriptions live in the text catalogue under ``help.<name>`` (what the
control does) and ``keys.<name>`` (how to use it), in Korean and English.
"""

from __future__ import annotations

from dataclasses import dataclass

from gwangju_twin.modes import Mode


class CameraMode(Mode):
    """How the visitor drives the camera. A mode equals its name as a string (``"fly"``),
    and formats as it, so catalogue keys like ``camera.fly`` are built from it."""

    ORBIT = "orbit"
    """Circle a target on the ground: drag to rotate, right-drag to pan, the wheel zooms."""
    FLY = "fly"
    """Fly freely along the view: drag to look, keys move, E and Q rise and sink."""
    WALK = "walk"
    """Walk at eye height: drag to look, keys walk, buildings stop the visitor."""


#: The camera modes, in the order the mode key cycles through them.
CAMERA_MODES: tuple[CameraMode, ...] = tuple(CameraMode)


@dataclass(frozen=True)
class Control:
    """One control: its catalogue name and the Panda3D events that trigger it (empty for
    pointer gestures the camera reads itself). Which camera modes it works in is part of its
    help text."""

    name: str
    events: tuple[str, ...] = ()
    section: str = "camera"  # help overlay grouping: camera, explore, interface


CONTROLS: tuple[Control, ...] = (
    # camera
    Control("orbit_rotate", ("mouse1",)),
    Control("orbit_pan", ("mouse3",)),
    Control("orbit_zoom", ("wheel_up", "wheel_down")),
    Control("look", ("mouse1",)),
    Control("move", ("w", "a", "s", "d", "arrow_up", "arrow_left", "arrow_down",
                     "arrow_right")),
    Control("fly_updown", ("e", "q")),
    Control("fast", ("shift",)),
    Control("camera_mode", ("c",)),
    Control("home", ("h",)),
    # explore
    Control("select", ("mouse1",), section="explore"),
    Control("pavilion_keys", tuple(str(n) for n in range(10)), section="explore"),
    Control("menu", ("p",), section="explore"),
    Control("tour", ("t",), section="explore"),
    Control("tour_pause", ("space",), section="explore"),
    Control("tour_skip", ("n",), section="explore"),
    Control("time", ("k",), section="explore"),
    Control("minimap", ("m",), section="explore"),
    Control("search", ("/", "control-f"), section="explore"),
    Control("sunlight_area", ("j",), section="explore"),
    # interface
    Control("language", ("l",), section="interface"),
    Control("hud", ("f3",), section="interface"),
    Control("screenshot", ("f12",), section="interface"),
    Control("sensitivity", ("[", "]"), section="interface"),
    Control("invert_y", ("y",), section="interface"),
    Control("help", ("f1",), section="interface"),
    Control("close", ("escape",), section="interface"),
    Control("quit", ("control-q",), section="interface"),
    # a shared room (docs/presence.md): reactions instead of chat; last in
    # the interface column, so the help lists them in this table's order
    Control("react", ("g", "b", "x"), section="interface"),  # wave, like, look here
    Control("follow", ("f",), section="interface"),
)

SECTIONS: tuple[str, ...] = ("camera", "explore", "interface")


def control(name: str) -> Control:
    """The control called ``name`` (KeyError if there is none)."""
    for c in CONTROLS:
        if c.name == name:
            return c
    raise KeyError(name)
