"""AttractPrompt: what an unattended kiosk shows over its attract loop, and the sizes and
pieces every kiosk widget shares.

While nobody uses the booth, the camera tours the pavilions and this prompt floats over
it, in Korean and English at once (the next visitor's language is unknown): the expo's
title at the top centre, the pavilion being shown under it, and a big pulsing "touch the
screen" pill near the bottom. There are no buttons: the whole window is the touch target
(a full-screen invisible frame that calls ``on_touch`` and keeps the tap from selecting a
building).

The kiosk widgets (attract.py, countdown.py, pinpad.py, operator.py, zoompad.py) are
drawn like the desktop ones (gwangju_twin.ui.theme) with bigger touch targets.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from direct.gui import DirectGuiGlobals
from direct.gui.DirectFrame import DirectFrame
from panda3d.core import NodePath, TextFont, TextNode, TransformState, TransparencyAttrib

from gwangju_twin.ui.catalogue import Catalogue
from gwangju_twin.ui.reserve import reserve
from gwangju_twin.ui.theme import (
    ACCENT,
    ASCENT,
    BOARD,
    DESCENT,
    LINE_INK,
    MARGIN,
    MUTED_INK,
    ORDER_HELP,
    PAD,
    TITLE_INK,
    Widget,
    board,
    place_text,
    screen_extent,
    text_width,
)

#: A kiosk button's height: 0.16 aspect2d units, 86 px at 1080p (the desktop's are 0.1).
KIOSK_BUTTON = 0.16
#: The label size on kiosk buttons.
KIOSK_BUTTON_SCALE = 0.06
#: The dark see-through veil behind the countdown and the operator's cards.
DIM: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.55)
#: Draw orders over the viewer's widgets (theme.ORDER_*): attract, then the countdown, then
#: the operator's PIN pad and menu on top of everything. Buttons take one more.
ORDER_ATTRACT = ORDER_HELP + 2
ORDER_COUNTDOWN = ORDER_HELP + 4
ORDER_OPERATOR = ORDER_HELP + 6

_PERIOD = 2.0  # seconds per pulse of the prompt
_PULSE_SCALE, _PULSE_ALPHA = 0.04, 0.18
_TITLE_KO, _TITLE_EN = 0.062, 0.042
_TOUCH_KO, _TOUCH_EN = 0.1, 0.058
_CAPTION_LABEL, _CAPTION = 0.036, 0.05
_PILL_PAD_X, _PILL_PAD_Z = 0.09, 0.045
_PROMPT_LIFT = 0.14  # the prompt pill's bottom above the screen's bottom edge


def cover_screen(node: NodePath) -> None:
    """Give ``node`` the transform that maps its square (-1..1, -1..1) onto the whole
    window (render2d); call again after the window changes shape."""
    node.set_transform(node.get_top(), TransformState.make_identity())


def screen_frame(parent: NodePath, on_press: Callable[[], None] | None = None) -> DirectFrame:
    """An invisible frame over the whole window under ``parent`` (a node ``cover_screen``
    places): taps on it stop there instead of selecting a building, and ``on_press()`` runs
    on each press when given."""
    frame = DirectFrame(parent=parent, relief=None, frameSize=(-1.0, 1.0, -1.0, 1.0),
                        state=DirectGuiGlobals.NORMAL, suppressMouse=1)
    if on_press is not None:
        frame.bind(DirectGuiGlobals.B1PRESS, lambda _param=None: on_press())
    return frame


def fit_centred(root: NodePath, width: float, height: float) -> None:
    """Shrink ``root`` (a card centred on its origin, ``width`` x ``height``) when the
    window is too small for it, keeping it centred."""
    if root.is_empty():
        return
    half_w, half_h = screen_extent(root.get_parent())
    scale = min(1.0, (2 * half_w - 2 * MARGIN) / width, (2 * half_h - 2 * MARGIN) / height)
    root.set_scale(scale)


def block_height(scale: float, rows: int = 1, line_height: float = 1.2) -> float:
    """The height of a text block of ``rows`` rows at ``scale`` (as place_text lays it)."""
    return (ASCENT + DESCENT + (rows - 1) * line_height) * scale


class AttractPrompt(Widget):
    """The attract loop's overlay (hidden at start): title, caption and "touch to start",
    in both languages. A press anywhere calls ``on_touch()`` (settable attribute).
    ``update(dt)`` pulses the prompt."""

    def __init__(self, parent: NodePath, font: TextFont, bold_font: TextFont,
                 catalogue: Catalogue, language: str = "ko", *,
                 on_touch: Callable[[], None] | None = None) -> None:
        super().__init__(parent, "kiosk-attract", catalogue, language, ORDER_ATTRACT)
        self._font, self._bold = font, bold_font or font
        self.on_touch: Callable[[], None] = on_touch or (lambda: None)
        self._clock = 0.0
        self._caption: tuple[str, str] = ("", "")
        self._drawn: list[str] = []
        # The whole window takes the tap; it sits under everything the prompt draws.
        self._screen = self._root.attach_new_node("screen")
        self._touch = screen_frame(self._screen, lambda: self.on_touch())
        self._frames.append(self._touch)
        self._top = self._root.attach_new_node("top")  # title and caption
        self._prompt = self._root.attach_new_node("prompt")  # origin at the pill's centre
        self._prompt.set_transparency(TransparencyAttrib.M_alpha)  # it fades as it pulses
        self._build()
        self.hide()

    @property
    def touch_frame(self) -> DirectFrame:
        """The invisible full-screen DirectFrame that takes the tap."""
        return self._touch

    @property
    def prompt_node(self) -> NodePath:
        """The pulsing "touch to start" pill."""
        return self._prompt

    def set_caption(self, name_ko: str, name_en: str) -> None:
        """Name the pavilion the camera shows now ("" and "": no caption)."""
        if (name_ko, name_en) != self._caption:
            self._caption = (name_ko, name_en)
            self._build()

    def update(self, dt: float) -> None:
        """Advance the pulse by ``dt`` seconds (a gentle swell, one every two seconds)."""
        self._clock = (self._clock + dt) % _PERIOD
        wave = 0.5 - 0.5 * math.cos(2 * math.pi * self._clock / _PERIOD)  # 0 -> 1 -> 0
        self._prompt.set_scale(1.0 + _PULSE_SCALE * wave)
        self._prompt.set_alpha_scale(1.0 - _PULSE_ALPHA * (1.0 - wave))

    def text(self) -> list[str]:
        """Title (ko, en), the caption's label and name when set, then the prompt (ko, en)."""
        return list(self._drawn)

    # -- drawing ---------------------------------------------------------------------------

    def _build(self) -> None:
        for part in (self._top, self._prompt):
            part.node().remove_all_children()
        cat = self._catalogue
        title_ko, title_en = cat.both("kiosk.attract.title")
        touch_ko, touch_en = cat.both("kiosk.attract.touch")
        self._drawn = [title_ko, title_en]

        # Title pill at the top centre (origin: the screen's top centre).
        width = max(text_width(self._bold, title_ko, _TITLE_KO),
                    text_width(self._font, title_en, _TITLE_EN)) + 2 * _PILL_PAD_X
        z = -MARGIN - PAD
        content = NodePath("content")
        _, z = place_text(content, title_ko, self._bold, _TITLE_KO, 0, z, TITLE_INK,
                          TextNode.A_center, name="title-ko")
        _, z = place_text(content, title_en, self._font, _TITLE_EN, 0, z - 0.01, LINE_INK,
                          TextNode.A_center, name="title-en")
        board(self._top, -width / 2, z - PAD, width / 2, -MARGIN, BOARD, 0.04, "title-board")
        content.reparent_to(self._top)
        z -= PAD
        top_half_width, top_bottom = width / 2, z

        name_ko, name_en = self._caption
        if name_ko or name_en:
            label = " · ".join(dict.fromkeys(cat.both("kiosk.attract.showing")))
            name = " · ".join(dict.fromkeys(n for n in (name_ko, name_en) if n))
            width = max(text_width(self._font, label, _CAPTION_LABEL),
                        text_width(self._bold, name, _CAPTION)) + 2 * _PILL_PAD_X
            top = z - 0.025
            content = NodePath("content")
            _, bottom = place_text(content, label, self._font, _CAPTION_LABEL, 0, top - 0.03,
                                   MUTED_INK, TextNode.A_center, name="caption-label")
            _, bottom = place_text(content, name, self._bold, _CAPTION, 0, bottom - 0.008,
                                   TITLE_INK, TextNode.A_center, name="caption")
            board(self._top, -width / 2, bottom - 0.03, width / 2, top, BOARD, 0.04,
                  "caption-board")
            content.reparent_to(self._top)
            self._drawn += [label, name]
            top_half_width, top_bottom = max(top_half_width, width / 2), bottom - 0.03
        # Pavilion labels are decluttered off the title, the caption and the prompt.
        reserve(self._top, -top_half_width, top_bottom, top_half_width, -MARGIN)

        # The prompt pill, built around its centre so it pulses in place.
        width = max(text_width(self._bold, touch_ko, _TOUCH_KO),
                    text_width(self._font, touch_en, _TOUCH_EN)) + 2 * _PILL_PAD_X * 1.4
        height = block_height(_TOUCH_KO) + 0.012 + block_height(_TOUCH_EN) + 2 * _PILL_PAD_Z
        content = NodePath("content")
        _, z = place_text(content, touch_ko, self._bold, _TOUCH_KO, 0,
                          height / 2 - _PILL_PAD_Z, TITLE_INK, TextNode.A_center,
                          name="touch-ko")
        place_text(content, touch_en, self._font, _TOUCH_EN, 0, z - 0.012, TITLE_INK,
                   TextNode.A_center, name="touch-en")
        halo = (*ACCENT[:3], 0.35)
        board(self._prompt, -width / 2 - 0.02, -height / 2 - 0.02, width / 2 + 0.02,
              height / 2 + 0.02, halo, height / 2 + 0.02, "halo")
        board(self._prompt, -width / 2, -height / 2, width / 2, height / 2, ACCENT, height / 2,
              "pill")
        content.reparent_to(self._prompt)
        reserve(self._prompt, -width / 2 - 0.02, -height / 2 - 0.02, width / 2 + 0.02,
                height / 2 + 0.02)
        self._prompt.set_python_tag("height", height)
        self._drawn += [touch_ko, touch_en]
        self._fit()

    def _fit(self) -> None:
        """Place the parts for the window's shape (the parent's origin at its centre)."""
        if self._root.is_empty():
            return
        cover_screen(self._screen)
        _, half_h = screen_extent(self._root)
        self._top.set_z(half_h)
        height = self._prompt.get_python_tag("height")
        self._prompt.set_z(-half_h + _PROMPT_LIFT + height / 2)
