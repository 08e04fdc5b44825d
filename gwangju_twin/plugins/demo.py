"""The base class of a pavilion demo: the hooks a plugin implements (names in ``api.HOOKS``).

Re-exported by ``gwangju_twin.plugins``; plugins import only that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gwangju_twin.plugins.context import PavilionContext


class PavilionDemo:
    """Base class of a pavilion demo; every hook is optional (the defaults do nothing).

    The host calls, for each plugin::

        load(ctx)              once, when the viewer starts (do heavy precomputation here)
        enter(ctx)             the visitor entered the pavilion: show things, fill ctx.panel
        update(ctx, dt)        every frame while the visitor is inside; dt in seconds
        exit(ctx)              the visitor left: hide and stop things
        unload(ctx)            the viewer closes

    ``enter``/``update``/``exit`` repeat for every visit. If any hook raises, the host logs the
    traceback, removes everything under ``ctx.node``, cancels the plugin's timers and shows
    "demo unavailable" at the pavilion; no further hook of that plugin is called. ``update``
    has a frame budget (``PavilionContext.frame_budget``, 4 ms by default): a plugin that
    keeps overrunning it is reported and called less often.
    """

    def load(self, ctx: PavilionContext) -> None:
        """Called once after the viewer has built the city; prepare data, build models."""

    def enter(self, ctx: PavilionContext) -> None:
        """The visitor entered the pavilion: show the demo and fill ``ctx.panel``."""

    def update(self, ctx: PavilionContext, dt: float) -> None:
        """Advance the demo by ``dt`` seconds; called every frame while the visitor is inside."""

    def exit(self, ctx: PavilionContext) -> None:
        """The visitor left the pavilion: stop and hide the demo."""

    def unload(self, ctx: PavilionContext) -> None:
        """The viewer is closing: release what ``load`` acquired."""
