"""Toolbar: the row of big buttons at the top-left of the screen.

Menu, tour, search, map, time (the sun's date and hour), camera mode, language and help
(the kiosk shows its own choice and order of them, e.g. with "home" for the starting
view). A button whose feature is on (the tour runs, the map is shown) is drawn in the
accent colour. The host parents it to ``base.a2dTopLeft``; the info panel docks at the
top-right, so the row stays left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from panda3d.core import NodePath, TextFont

from gwangju_twin.controls import CAMERA_MODES, CameraMode
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.reserve import reserve
from gwangju_twin.ui.theme import (
    ACCENT,
    BUTTON_FILL,
    BUTTON_HEIGHT,
    BUTTON_SCALE,
    GAP,
    MARGIN,
    TITLE_INK,
    Widget,
    button,
    restyle,
    screen_extent,
    text_width,
)

#: The buttons, left to right; each is labelled ``toolbar.<name>`` in the catalogue.
NAMES: tuple[str, ...] = ("menu", "tour", "search", "map", "time", "camera", "language",
                          "help")
#: Every button a toolbar can show: NAMES, and "home" (back to the starting view) for the kiosk.
KNOWN: tuple[str, ...] = (*NAMES, "home")

_LABEL_PAD = 0.035  # on each side of a label (eight buttons clear the info panel at 1024 px)
_MIN_WIDTH = 0.16


class Toolbar(Widget):
    """A row of buttons; pressing one calls ``on_press(name)`` with its name. ``names``
    chooses the buttons and their order, left to right (default NAMES; any of KNOWN)."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko", on_press: Callable[[str], None] = lambda name: None,
                 names: Sequence[str] = NAMES) -> None:
        names = tuple(names)
        unknown = [n for n in names if n not in KNOWN]
        if unknown or len(set(names)) != len(names) or not names:
            raise ValueError(f"toolbar names are {names!r}; expected distinct names of {KNOWN}")
        super().__init__(parent, "toolbar", catalogue, language)
        self._names = names
        self._font = font
        self._on_press = on_press
        self._mode = CameraMode.ORBIT
        self._active: set[str] = set()
        self._widths = self._measure()
        self._build()
        self._fitted_to: float | None = None
        self._fit()

    def _label(self, name: str, language: str | None = None) -> str:
        lang = language or self._language
        if name == "camera":
            mode = self._catalogue.text(f"camera.{self._mode.value}", lang)
            return self._catalogue.text("toolbar.camera", lang, mode=mode)
        return self._catalogue.text(f"toolbar.{name}", lang)

    def _measure(self) -> dict[str, float]:
        """Each button's width: wide enough for its label in either language (and the camera
        button for every mode), so the row does not jump when the language or mode changes."""
        widths: dict[str, float] = {}
        keep = self._mode
        for name in self._names:
            labels = []
            for lang in LANGUAGES:
                for mode in CAMERA_MODES if name == "camera" else (keep,):
                    self._mode = mode
                    labels.append(self._label(name, lang))
            widest = max(text_width(self._font, s, BUTTON_SCALE) for s in labels)
            widths[name] = max(_MIN_WIDTH, widest + 2 * _LABEL_PAD)
        self._mode = keep
        return widths

    def _build(self) -> None:
        x = MARGIN
        z = -MARGIN - BUTTON_HEIGHT / 2
        for name in self._names:
            w = self._widths[name]
            self.buttons[name] = button(self._root, self._label(name), self._font,
                                        partial(self._on_press, name), width=w, pos=(x + w / 2, z),
                                        order=self.raised)
            x += w + GAP
        for name in self._active:
            restyle(self.buttons[name], ACCENT)
        # Labels stay out of the row, and the info panel docks below it when they would meet.
        reserve(self._root, MARGIN, -MARGIN - BUTTON_HEIGHT, self._full_width, -MARGIN)

    def _fit(self) -> None:
        """Shrink the row to the window's width when it is too narrow for it (a portrait
        window), so no button runs off the right edge; full size otherwise."""
        half_width, _ = screen_extent(self._root.get_parent())
        if half_width == self._fitted_to:
            return
        self._fitted_to = half_width
        full = self._full_width
        room = 2 * half_width - MARGIN
        self._root.set_scale(min(1.0, room / full) if full > 0 else 1.0)

    def follow_window(self) -> None:
        """Refit the row after the window changed shape (cheap when it did not)."""
        self._fit()

    @property
    def _full_width(self) -> float:
        return MARGIN + sum(self._widths.values()) + GAP * (len(self._names) - 1)

    @property
    def width(self) -> float:
        """The row's width from the screen's left edge (aspect2d units), margin included, as
        shown (shrunk to a narrow window)."""
        return self._full_width * self._root.get_sx()

    @property
    def names(self) -> tuple[str, ...]:
        """The buttons shown, left to right."""
        return self._names

    @property
    def bottom(self) -> float:
        """The row's bottom edge below the top of the screen (a negative z), as shown."""
        return (-MARGIN - BUTTON_HEIGHT) * self._root.get_sz()

    def _relabel(self) -> None:
        for name in self._names:
            self.buttons[name]["text"] = self._label(name)

    def set_camera_mode(self, mode: CameraMode | str) -> None:
        """Show camera mode ``mode`` (a CameraMode, or its name) on the camera button (kept
        for later when the row has none)."""
        if mode not in CAMERA_MODES:
            names = tuple(m.value for m in CAMERA_MODES)
            raise ValueError(f"camera mode is {mode!r}; expected one of {names}")
        self._mode = CameraMode(mode)
        if "camera" in self.buttons:
            self.buttons["camera"]["text"] = self._label("camera")

    def set_active(self, name: str, active: bool) -> None:
        """Highlight button ``name`` while its feature is on (tour running, map shown)."""
        if name not in self.buttons:
            raise KeyError(name)
        if active == (name in self._active):
            return
        if active:
            self._active.add(name)
        else:
            self._active.discard(name)
        restyle(self.buttons[name], ACCENT if active else BUTTON_FILL, TITLE_INK)

    def is_active(self, name: str) -> bool:
        """Whether button ``name`` is highlighted."""
        return name in self._active

    def text(self) -> list[str]:
        """The button labels, left to right."""
        return [self.buttons[name]["text"] for name in self._names]
