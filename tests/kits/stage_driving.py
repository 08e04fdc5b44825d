"""Driving a stage or a rehearsed booth the way a visitor does: frames, events, clicks at a
district point, taps on a demo's panel buttons. Shared by the stage tier's viewer and demo
tests instead of a copy in each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def frames(stage: Any, n: int = 1) -> None:
    """Run ``n`` frames of the stage's task manager."""
    for _ in range(n):
        stage.base.task_mgr.step()


def send(stage: Any, *events: str) -> None:
    """Send Panda3D events (keys, mouse buttons) through the stage's messenger."""
    for event in events:
        stage.base.messenger.send(event)


def until(stage: Any, done: Callable[[], bool], limit: int = 400) -> int:
    """Run frames until ``done()``; returns how many it took (AssertionError after
    ``limit``)."""
    for n in range(limit):
        if done():
            return n
        frames(stage)
    raise AssertionError(f"not done after {limit} frames")


def screen_of(stage: Any, xyz: tuple[float, float, float]) -> tuple[float, float]:
    """Where a district point appears in the window (normalised -1..1 coordinates)."""
    from panda3d.core import Point2, Point3

    base = stage.base
    p = base.cam.get_relative_point(base.render, Point3(*xyz))
    out = Point2()
    assert base.camLens.project(p, out), f"{xyz} is not in view"
    return (out.x, out.y)


def click(stage: Any, at: tuple[float, float]) -> None:
    """A left click at ``at`` through the touring interface's pointer and mouse events."""
    stage.touring.pointer.move_to(*at)
    frames(stage)
    send(stage, "mouse1")
    frames(stage)
    send(stage, "mouse1-up")
    frames(stage, 2)


def tap_panel_button(kiosk: Any, pavilion: str, key: str) -> None:
    """A booth visitor's tap on button ``key`` of the entered pavilion's demo panel."""
    expo = kiosk.booth.touring.expo
    kiosk.frames(2)  # the panel view redraws the plugin's latest panel
    keys = [b.key for b in expo.panel(pavilion).buttons]
    view = expo.panel_view
    assert view is not None and key in keys, keys
    kiosk.tap_widget(view.buttons[keys.index(key)])


def building_spot(touring: Any) -> tuple[float, float]:
    """A window point (normalised) over a building, with the same building all around it:
    a finger a pixel off still lands on it, even in a whole-district view where buildings
    are a few pixels wide. StopIteration when the view shows none."""

    def solid(x: float, y: float) -> bool:
        hits = [touring.selection.pick((x + dx, y + dy))
                for dx in (-0.005, 0.0, 0.005) for dy in (-0.005, 0.0, 0.005)]
        return all(h is not None for h in hits) and len({h.feature for h in hits}) == 1

    return next((x / 20, y / 20) for y in range(-8, 8) for x in range(-6, 8)
                if solid(x / 20, y / 20))
