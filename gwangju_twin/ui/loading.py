"""The loading screen: the product's name and the step being loaded, with a bar.

The window opens first and shows this from its first frame, so a visitor never stares at
a black window for the seconds the city takes to read and build (``app.load_stage``).
It is drawn over everything in render2d (not aspect2d: it covers the whole window
whatever its shape) and is opaque, so nothing being built behind it shows through.

From the step CITY_SHOWN on, the city is in the scene graph with the camera at its start
view: the screen shrinks to a strip along the bottom and the city shows above it while the
demos and the interface load, so a visitor sees the city a third of a second sooner.
"""

from __future__ import annotations

from typing import Any

from panda3d.core import CardMaker, NodePath, TextNode

from gwangju_twin.ui.catalogue import Catalogue, load_catalogue
from gwangju_twin.ui.fonts import load_font

#: The steps of a load, in order; their texts are ``loading.<step>`` in ui/text.toml.
STEPS = ("reading", "baking", "pavilions", "meshes", "plugins", "interface")
#: The first step with the city drawn behind the screen (the stage builds it before).
CITY_SHOWN = "plugins"

BACKGROUND = (0.10, 0.20, 0.36, 1.0)  # a deep sky blue: the city appears out of it
TRACK = (1.0, 1.0, 1.0, 0.22)
BAR = (0.55, 0.78, 1.0, 1.0)
INK = (1.0, 1.0, 1.0, 1.0)
MUTED = (0.80, 0.86, 0.94, 1.0)
STRIP = (0.10, 0.20, 0.36, 0.82)  # the background's blue, over the city's lower edge

_BAR_HALF_WIDTH = 0.5  # of render2d's width (2 units): the bar spans half the window
_BAR_Z, _BAR_HALF_HEIGHT = -0.18, 0.012
# The strip (render2d units, -1 at the bottom): step texts stacked, the bar above them.
_STRIP_TOP, _STRIP_BAR_Z, _STRIP_KO_Z, _STRIP_EN_Z = -0.80, -0.835, -0.895, -0.955


def _card(parent: NodePath, name: str, x0: float, x1: float, z0: float, z1: float,
          color: tuple[float, float, float, float]) -> NodePath:
    cm = CardMaker(name)
    cm.set_frame(x0, x1, z0, z1)
    card = parent.attach_new_node(cm.generate())
    card.set_color(*color)
    return card


class LoadingScreen:
    """The loading screen over ``base``'s window until ``destroy``.

    ``show(step)`` names the step now running (one of STEPS) in both languages and moves
    the bar to it; the caller draws a frame after each call.
    """

    def __init__(self, base: Any, catalogue: Catalogue | None = None) -> None:
        self.cat = catalogue or load_catalogue()
        self.root = base.render2d.attach_new_node("loading-screen")
        # Drawn last and over everything, with no depth: it is the whole picture.
        self.root.set_bin("fixed", 100)
        self.root.set_depth_test(False)
        self.root.set_depth_write(False)
        self.root.set_transparency(True)
        # The window cleared to the card's blue too while the card covers it: a first frame
        # once reached an X server (Xvfb) with the sky's colour round the title, as if the
        # card had not been drawn. The sky's colour comes back when the city is uncovered.
        self._base = base
        self._sky: Any = None
        if base.win is not None:
            self._sky = base.get_background_color()
            base.set_background_color(*BACKGROUND)
        self.background = _card(self.root, "loading-background", -1, 1, -1, 1, BACKGROUND)
        self.strip = _card(self.root, "loading-strip", -1, 1, -1, _STRIP_TOP, STRIP)
        self.strip.hide()
        self._aspect = base.get_aspect_ratio() if base.win is not None else 16 / 9
        bold, regular = load_font(base.loader, bold=True), load_font(base.loader)
        ko, en = self.cat.both("app.title")
        text = self._text
        self.title_np, self.title = text("loading-title", f"{ko} / {en}", bold, 0.11, 0.12, INK)
        self.step_ko_np, self.step_ko = text("loading-step-ko", "", regular, 0.055, -0.03, INK)
        self.step_en_np, self.step_en = text("loading-step-en", "", regular, 0.045, -0.10, MUTED)
        w = _BAR_HALF_WIDTH
        # Centred on z = 0 and moved there, so the strip can move and thin them in place.
        self.track = _card(self.root, "loading-track", -w, w, -_BAR_HALF_HEIGHT,
                           _BAR_HALF_HEIGHT, TRACK)
        self.bar = _card(self.root, "loading-bar", -w, w, -_BAR_HALF_HEIGHT,
                         _BAR_HALF_HEIGHT, BAR)
        for card in (self.track, self.bar):
            card.set_z(_BAR_Z)
        self.step = ""
        self.fraction = 0.0
        self.strip_shown = False
        self._set_fraction(0.0)

    def _text(self, name: str, text: str, font: Any, height: float, z: float,
              color: tuple[float, float, float, float]) -> tuple[NodePath, TextNode]:
        node = TextNode(name)
        node.set_font(font)
        node.set_align(TextNode.A_center)
        node.set_text_color(*color)
        node.set_text(text)
        np_ = self.root.attach_new_node(node)
        # render2d is 2 units each way whatever the window: undo the stretch so letters
        # keep their shape (height in units of the window's height).
        np_.set_scale(height / self._aspect, 1, height)
        np_.set_pos(0, 0, z)
        return np_, node

    def _set_fraction(self, fraction: float) -> None:
        self.fraction = max(0.0, min(1.0, fraction))
        w = _BAR_HALF_WIDTH
        # Scale the full-width bar about its left end.
        self.bar.set_sx(max(self.fraction, 1e-3))
        self.bar.set_x(-w + w * self.fraction)

    def show(self, step: str, within: float = 0.0) -> None:
        """Name ``step`` (one of STEPS) and move the bar to the share of steps done, plus
        ``within`` (0..1) of this step (a bake's tiles)."""
        if step not in STEPS:
            raise ValueError(f"loading step {step!r}: expected one of {', '.join(STEPS)}")
        self.step = step
        if not self.strip_shown and STEPS.index(step) >= STEPS.index(CITY_SHOWN):
            self._to_strip()
        ko, en = self.cat.both(f"loading.{step}")
        self.step_ko.set_text(ko)
        self.step_en.set_text(en)
        self._set_fraction((STEPS.index(step) + max(0.0, min(1.0, within))) / len(STEPS))

    def _to_strip(self) -> None:
        """Uncover the city: the step and the bar move to a strip along the bottom."""
        self.strip_shown = True
        self._uncover()
        self.background.hide()
        self.title_np.hide()
        self.strip.show()
        self.step_ko_np.set_z(_STRIP_KO_Z)
        self.step_ko_np.set_scale(0.042 / self._aspect, 1, 0.042)
        self.step_en_np.set_z(_STRIP_EN_Z)
        self.step_en_np.set_scale(0.036 / self._aspect, 1, 0.036)
        for card in (self.track, self.bar):
            card.set_z(_STRIP_BAR_Z)
            card.set_sz(0.6)

    def _uncover(self) -> None:
        """The window's own clear colour back, unless something (the sky following the sun)
        has set another meanwhile."""
        if self._sky is None:
            return
        now = self._base.get_background_color()
        if all(abs(now[i] - BACKGROUND[i]) < 1e-6 for i in range(4)):
            self._base.set_background_color(self._sky)
        self._sky = None

    def destroy(self) -> None:
        """Take the screen away (the city is ready)."""
        self._uncover()
        self.root.remove_node()
