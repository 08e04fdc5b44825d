"""TimeBar: the date and time of day the sun is drawn for, as a card at the bottom centre.

Three rows: the date with its sunrise and sunset and the day and play buttons; the four
presets (춘분, 하지, 추분, 동지: the equinoxes and solstices of the shown year); the time of
day and a 00:00-24:00 slider that snaps to ten minutes, with the sunrise and sunset marked
on its track. Play runs the day forward (an hour every two seconds) and starts it over at
midnight on the same date, so a played solstice stays the solstice.

The bar only sets and plays the scene's clock (``gwangju_twin.sun.clock.SceneClock``); it
never touches a light: the renderer listens to the clock. It follows the clock too, so a
time set elsewhere (a played day in the kiosk, a script) shows on it.

``touch=True`` is the kiosk's: the same card scaled to finger-sized buttons (KIOSK_BUTTON
high) and a thumb as big.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from direct.gui import DirectGuiGlobals
from direct.gui.DirectFrame import DirectFrame
from direct.gui.DirectSlider import DirectSlider
from panda3d.core import NodePath, Point3, TextFont, TextNode

from gwangju_twin.sun.calendar import (
    LAST_MINUTE,
    SEASONS,
    SNAP_MINUTES,
    DayTimes,
    at_minute,
    day_times,
    minute_of_day,
    on_date,
    season_date,
    season_of,
    snap,
)
from gwangju_twin.sun.clock import SceneClock
from gwangju_twin.ui.attract import KIOSK_BUTTON
from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.label import polygon_node, rounded_outline
from gwangju_twin.ui.reserve import reserve, reserved_rects
from gwangju_twin.ui.theme import (
    ACCENT,
    ASCENT,
    BODY_SCALE,
    BUTTON_FILL,
    BUTTON_HEIGHT,
    BUTTON_SCALE,
    DESCENT,
    GAP,
    HEADING_INK,
    MARGIN,
    MUTED_INK,
    ORDER_BAR,
    PAD,
    RULE,
    SMALL_SCALE,
    TITLE_INK,
    TITLE_SCALE,
    Widget,
    blocker,
    board,
    button,
    place_text,
    restyle,
    screen_extent,
    text_width,
)

#: The buttons besides the presets: a day back, a day on, play or pause.
NAMES: tuple[str, ...] = ("day_back", "day_on", "play")
#: How fast play runs: scene seconds per real second (an hour every two seconds, a day in
#: 48 s).
PLAY_RATE = 1800.0
#: The kiosk's buttons are this much bigger than the desktop's.
TOUCH_SCALE = KIOSK_BUTTON / BUTTON_HEIGHT

_SIDE_CLEARANCE = 0.7  # each side keeps this much of the screen free (the minimap, the HUD)
_MIN_WIDTH, _MAX_WIDTH = 1.4, 2.0
_SQUEEZED_WIDTH = 1.2  # the narrowest it gets between a docked panel and the minimap
_SMALL_BUTTON = 0.12  # the day buttons' width
_TIME_WIDTH = 0.24  # the time of day left of the slider
_TRACK = 0.022  # the slider track's thickness
_THUMB_W, _THUMB_H = 0.05, 0.09
_HOURS = (0, 6, 12, 18, 24)  # labelled under the track
_SUN_INK = (1.0, 0.78, 0.3, 1.0)  # the sunrise and sunset ticks, the sunlit part of the track
_LABEL_PAD = 0.02  # around a preset's label


def _thumb_faces() -> tuple[NodePath, ...]:
    """The slider thumb's faces (ready, pressed, hover, disabled): a rounded bar."""
    w, h = _THUMB_W / 2, _THUMB_H / 2
    return tuple(polygon_node("thumb", rounded_outline(-w, -h, w, h, w), color)
                 for color in (TITLE_INK, (0.8, 0.84, 0.9, 1.0), (1.0, 1.0, 1.0, 1.0),
                               (0.5, 0.5, 0.52, 1.0)))


class TimeBar(Widget):
    """The time bar over ``clock`` (hidden at start). Give it ``base.a2dBottomCenter`` as
    parent; ``set_lift`` moves its bottom up (above the tour bar when that is shown)."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 clock: SceneClock, language: str = "ko", *, touch: bool = False,
                 bold_font: TextFont | None = None,
                 on_change: Callable[[], None] = lambda: None) -> None:
        super().__init__(parent, "time-bar", catalogue, language, ORDER_BAR)
        self._font, self._bold = font, bold_font or font
        self.clock = clock
        self.touch = touch
        self._on_change = on_change
        self._scale = TOUCH_SCALE if touch else 1.0
        self._root.set_scale(self._scale)
        self._lift = MARGIN
        self._cap: float | None = None  # the width keep_clear leaves it (on screen)
        self._day = clock.when.date()
        self._times: DayTimes | None = None
        self._shown_minute = -1.0  # the slider's value as the clock last put it
        # The values the clock put on the slider lately: PGSliderBar tells of each change a
        # frame later, by when a played clock has moved on, so its echo is not the latest.
        self._echoes: list[float] = []
        self._drawn: dict[str, str] = {}
        self._width = 0.0
        self._height = 0.0
        self._blocker: DirectFrame = blocker(self._root, 0, 0, 0, 0)
        self._frames.append(self._blocker)
        self._card = self._root.attach_new_node("card")
        for name in NAMES:
            widest = max(text_width(font, catalogue.text(k, lang), BUTTON_SCALE)
                         for k in self._keys(name) for lang in LANGUAGES)
            width = max(_SMALL_BUTTON if name != "play" else 0.2, widest + 0.09)
            self.buttons[name] = button(self._root, "", font, partial(self.press, name),
                                        width=width, order=self.raised)
        for season in SEASONS:
            self.buttons[season] = button(self._root, "", font, partial(self.press, season),
                                          width=0.3, order=self.raised)
        self.slider = DirectSlider(
            parent=self._root, range=(0, LAST_MINUTE), value=0, pageSize=60,
            scrollSize=SNAP_MINUTES, orientation=DirectGuiGlobals.HORIZONTAL, relief=None,
            frameSize=(-0.5, 0.5, -_THUMB_H / 2, _THUMB_H / 2),
            thumb_relief=None, thumb_geom=_thumb_faces(),
            thumb_frameSize=(-_THUMB_W / 2, _THUMB_W / 2, -_THUMB_H / 2, _THUMB_H / 2),
            thumb_clickSound=None, thumb_rolloverSound=None, command=self._slid)
        self.slider.set_bin("fixed", self.raised)
        self._frames.append(self.slider)
        self._build()
        self._unsubscribe = clock.subscribe(self._clock_changed)
        self.hide()

    # -- state ------------------------------------------------------------------------------

    @property
    def shown_buttons(self) -> tuple[str, ...]:
        """The buttons of NAMES the bar shows: the kiosk's has no day steps (a visitor at a
        booth picks a preset), the desktop's has all."""
        return ("play",) if self.touch else NAMES

    @property
    def day(self) -> date:
        """The date shown (a played day starts over on it at midnight)."""
        return self._day

    @property
    def height(self) -> float:
        """The card's height on screen (aspect2d units, the touch scale included)."""
        return self._height * self._scale

    @property
    def width(self) -> float:
        """The card's width on screen (aspect2d units, the touch scale included)."""
        return self._width * self._scale

    @property
    def top(self) -> float:
        """The card's top above the parent's origin (the screen's bottom edge)."""
        return self._lift + self.height

    def set_lift(self, lift: float) -> None:
        """Stand the card ``lift`` units above the screen's bottom edge."""
        if lift != self._lift:
            self._lift = lift
            self._root.set_z(lift + self.height)

    def keep_clear(self) -> None:
        """Move the card sideways off what the interface has reserved beside it at its height
        (an entered pavilion's panel docked at the right, the minimap at the left): centred
        when it fits between them, else clear of the panel (over the minimap) as far as the
        screen allows."""
        if not self.visible:
            return
        parent = self._root.get_parent()
        # The other widgets hang under other corners of the overlay (aspect2d): compare in
        # its units, in which the bottom centre's x is the same.
        overlay = parent
        while overlay.get_name() != "aspect2d" and not overlay.get_parent().is_empty():
            overlay = overlay.get_parent()
        half_w, _ = screen_extent(parent)
        lo, hi = -half_w + MARGIN, half_w - MARGIN
        bottom = overlay.get_relative_point(parent, Point3(0, 0, self._lift)).z
        top = overlay.get_relative_point(parent, Point3(0, 0, self.top)).z
        for x0, z0, x1, z1 in reserved_rects(overlay, exclude=self._root):
            if z1 <= bottom or z0 >= top:
                continue  # above or below the card
            if x0 + x1 > 0:
                hi = min(hi, x0 - GAP)
            else:
                lo = max(lo, x1 + GAP)
        room = hi - lo
        if self._cap is None or abs(room - self._cap) > 1e-3:
            # Narrower (down to _SQUEEZED_WIDTH) between obstacles, the usual width without.
            self._cap = room
            self._build()
        half = self.width / 2
        x = max(0.0, lo + half)  # right of the left-hand obstacle
        x = min(x, hi - half)  # left of the right-hand one: the panel's buttons come first
        x = max(x, -half_w + MARGIN + half)  # and never off the screen
        if abs(self._root.get_x() - x) > 1e-6:
            self._root.set_x(x)

    def slider_minute(self) -> float:
        """The slider's value: minutes into the day."""
        return float(self.slider["value"])

    def minute_x(self, minute: float) -> float:
        """Where on the card (its own units, origin at the top centre) the thumb's centre is
        at ``minute``: PGSliderBar moves it over the frame less a thumb's width."""
        left, right, _, _ = self.slider["frameSize"]
        run = (right - left) - _THUMB_W
        return self.slider.get_x() + left + _THUMB_W / 2 + run * minute / LAST_MINUTE

    # -- what the visitor does --------------------------------------------------------------

    def press(self, name: str) -> None:
        """A button: "day_back", "day_on", "play" (or pause), or a season of SEASONS."""
        clock = self.clock
        if name == "play":
            if clock.playing:
                clock.pause()
            else:
                clock.play(PLAY_RATE)
            self._build()
        elif name in ("day_back", "day_on"):
            self._go_to_day(self._day + timedelta(days=-1 if name == "day_back" else 1))
        elif name in SEASONS:
            self._go_to_day(season_date(self._day.year, name, clock.zone))
        else:
            raise KeyError(name)
        self._on_change()

    def set_minute(self, minute: float) -> None:
        """Set the clock to ``minute`` into the shown day, snapped to ten minutes (what a
        drag of the slider does)."""
        self.clock.set(at_minute(self._day, snap(minute), self.clock.zone))
        self._on_change()

    def _go_to_day(self, day: date) -> None:
        self._day = day
        self.clock.set(on_date(self.clock.when, day))
        self._build()

    def _slid(self) -> None:
        value = self.slider_minute()
        # PGSliderBar keeps single-precision floats: an echo comes back within 1e-4 minutes.
        if any(abs(value - echo) < 0.01 for echo in self._echoes):
            return  # the echo of the clock's own move, not the visitor's drag
        self.set_minute(value)

    def _clock_changed(self, clock: SceneClock) -> None:
        when = clock.when
        if clock.playing and when.date() != self._day:
            # A played day starts over on its own date: the solstice stays the solstice.
            clock.set(at_minute(self._day, minute_of_day(when), clock.zone))
            return
        if when.date() != self._day:
            self._day = when.date()
            self._build()
        else:
            self._follow()

    # -- drawing ----------------------------------------------------------------------------

    def _keys(self, name: str) -> tuple[str, ...]:
        if name == "play":
            return ("time.play", "time.pause")
        return (f"time.{name}",)

    def _relabel(self) -> None:
        self._build()

    def _fit(self) -> None:
        self._build()

    def text(self) -> list[str]:
        """The date line, the sun's times, the buttons' labels and the time shown."""
        return list(self._drawn.values())

    def _date_text(self) -> str:
        day = self._day
        text = self._t("time.date", year=day.year, month=self._t(f"time.month.{day.month}"),
                       day=day.day, weekday=self._t(f"time.weekday.{day.weekday()}"))
        season = season_of(day, self.clock.zone)
        if season is not None:
            text += " · " + self._t(f"season.{season}")
        return text

    def _sun_text(self) -> str:
        times = self._times
        if times is None or times.sunrise is None or times.sunset is None:
            return self._t("time.no_sunrise")
        return self._t("time.sun", rise=f"{times.sunrise:%H:%M}", set=f"{times.sunset:%H:%M}")

    def _build(self) -> None:
        self._card.node().remove_all_children()
        clock = self.clock
        self._times = day_times(self._day, clock.latitude, clock.longitude, clock.zone)
        half_w, _ = screen_extent(self._root.get_parent())
        room = 2 * (half_w - _SIDE_CLEARANCE) / self._scale
        width = max(_MIN_WIDTH, min(_MAX_WIDTH, room))
        if self._cap is not None:  # squeezed between other widgets (keep_clear)
            width = max(_SQUEEZED_WIDTH, min(width, self._cap / self._scale))
        inner = width - 2 * PAD
        x0, x1 = -width / 2 + PAD, width / 2 - PAD
        content = NodePath("content")  # origin at the card's top centre
        drawn: dict[str, str] = {}

        # Row 1: the date and the sun's times left; a day back, a day on and play right.
        z = -PAD - BUTTON_HEIGHT / 2
        self._time_node = NodePath("time")
        self.buttons["play"]["text"] = self._t("time.pause" if clock.playing else "time.play")
        restyle(self.buttons["play"], ACCENT if clock.playing else BUTTON_FILL)
        right = x1
        for name in reversed(NAMES):
            b = self.buttons[name]
            if name not in self.shown_buttons:
                b.hide()
                continue
            left, r, _, _ = b["frameSize"]
            b.set_pos(right - r, 0, z)
            right -= (r - left) + GAP
        self.buttons["day_back"]["text"] = self._t("time.day_back")
        self.buttons["day_on"]["text"] = self._t("time.day_on")
        drawn["date"] = self._date_text()
        drawn["sun"] = self._sun_text()
        # The date keeps clear of the buttons: smaller when it would reach them, and on a
        # row of its own under them (with the sun's times) when it would get too small.
        scale = min(TITLE_SCALE, (right - GAP - x0) / text_width(self._bold, drawn["date"], 1))
        if scale >= BODY_SCALE:
            node, _ = place_text(content, drawn["date"], self._bold, scale, x0,
                                 z + (ASCENT + DESCENT) / 2 * scale, TITLE_INK, name="date")
            x, top = x0 + node.node().get_width() * scale + 0.04, None
        else:
            scale = min(BODY_SCALE, inner / text_width(self._bold, drawn["date"], 1))
            top = z - BUTTON_HEIGHT / 2 - 0.01
            node, bottom = place_text(content, drawn["date"], self._bold, scale, x0, top,
                                      TITLE_INK, name="date")
            x = x0 + node.node().get_width() * scale + 0.04
            z = bottom + BUTTON_HEIGHT / 2 - 0.005  # as if row 1 ended at the date's bottom
        line_end = right - GAP if top is None else x1
        if x + text_width(self._font, drawn["sun"], SMALL_SCALE) > line_end:
            # No room beside the date (English, a narrow window): a row of its own under it.
            _, bottom = place_text(content, drawn["sun"], self._font, SMALL_SCALE, x0,
                                   z - BUTTON_HEIGHT / 2 - 0.005, MUTED_INK, name="sun")
            z = bottom + BUTTON_HEIGHT / 2 - 0.005  # as if row 1 ended at the text's bottom
        else:
            mid = z if top is None else top - (ASCENT + DESCENT) / 2 * scale
            place_text(content, drawn["sun"], self._font, SMALL_SCALE, x,
                       mid + (ASCENT + DESCENT) / 2 * SMALL_SCALE, MUTED_INK, name="sun")

        # Row 2: the presets, side by side over the whole width.
        z -= BUTTON_HEIGHT + GAP
        wide = (inner - 3 * GAP) / 4
        for i, season in enumerate(SEASONS):
            b = self.buttons[season]
            label = self._t(f"season.{season}")
            b["frameSize"] = (-wide / 2, wide / 2, -BUTTON_HEIGHT / 2, BUTTON_HEIGHT / 2)
            lit = season_of(self._day, clock.zone) == season
            restyle(b, ACCENT if lit else BUTTON_FILL)  # faces for the new width
            fit = min(BUTTON_SCALE, (wide - 2 * _LABEL_PAD) / max(
                text_width(self._font, label, 1.0), 1e-6))
            b["text_scale"] = fit
            b["text_pos"] = (0, -(ASCENT - DESCENT) / 2 * fit)
            b["text"] = label
            b.set_pos(x0 + wide / 2 + i * (wide + GAP), 0, z)
            drawn[season] = label

        # Row 3: the time of day, then the slider with the day's light on its track.
        z -= BUTTON_HEIGHT / 2 + GAP + _THUMB_H / 2
        track_left = x0 + _TIME_WIDTH
        track = x1 - track_left
        self.slider["frameSize"] = (-track / 2, track / 2, -_THUMB_H / 2, _THUMB_H / 2)
        self.slider.set_pos(track_left + track / 2, 0, z)
        self._time_node.reparent_to(content)
        self._time_z = z + (ASCENT + DESCENT) / 2 * TITLE_SCALE  # centred on the track
        self._track(content, z)
        z -= _THUMB_H / 2 + 0.008
        for hour in _HOURS:
            hx = self.minute_x(min(hour * 60, LAST_MINUTE))
            place_text(content, f"{hour:02d}", self._font, SMALL_SCALE, hx, z, MUTED_INK,
                       TextNode.A_center, name=f"hour-{hour}")
        z -= (ASCENT + DESCENT) * SMALL_SCALE
        self._height = -(z - PAD)
        self._width = width
        board(self._card, -width / 2, -self._height, width / 2, 0)
        content.reparent_to(self._card)
        self._blocker["frameSize"] = (-width / 2, width / 2, -self._height, 0)
        self._root.set_z(self._lift + self.height)
        reserve(self._root, -width / 2, -self._height, width / 2, 0)  # labels keep clear
        self._drawn = drawn
        for name in self.shown_buttons:
            drawn[name] = self.buttons[name]["text"]
        self._shown_minute = -1.0
        self._follow()

    def _track(self, parent: NodePath, z: float) -> None:
        """The slider's track: the night dark, the daylight between sunrise and sunset in
        the sun's colour, a tick at each."""
        a, b = self.minute_x(0), self.minute_x(LAST_MINUTE)
        board(parent, a - _TRACK / 2, z - _TRACK / 2, b + _TRACK / 2, z + _TRACK / 2, RULE,
              _TRACK / 2, "track")
        times = self._times
        if times is None or times.sunrise is None or times.sunset is None:
            return
        rise, set_ = (self.minute_x(minute_of_day(t)) for t in (times.sunrise, times.sunset))
        board(parent, rise, z - _TRACK / 2, set_, z + _TRACK / 2, (*_SUN_INK[:3], 0.55),
              _TRACK / 2, "daylight")
        for name, x in (("sunrise", rise), ("sunset", set_)):
            board(parent, x - 0.005, z - _THUMB_H / 2 + 0.01, x + 0.005,
                  z + _THUMB_H / 2 - 0.01, _SUN_INK, 0.004, name)

    def _follow(self) -> None:
        """Show the clock's moment: the slider's thumb and the time of day."""
        when: datetime = self.clock.when
        minute = min(minute_of_day(when), float(LAST_MINUTE))
        if minute != self._shown_minute:
            self._shown_minute = minute
            self._echoes = [*self._echoes[-15:], minute]
            self.slider["value"] = minute
        shown = f"{when:%H:%M}"
        if self._drawn.get("time") != shown:
            self._drawn["time"] = shown
            self._time_node.node().remove_all_children()
            place_text(self._time_node, shown, self._bold, TITLE_SCALE,
                       -self._width / 2 + PAD, self._time_z, HEADING_INK, name="time")

    def destroy(self) -> None:
        """Remove the bar and stop following the clock."""
        self._unsubscribe()
        super().destroy()
