"""A booth running the kiosk all day: the visitor's cycle, the locked window, the operator.

``Booth`` sits on a stage whose touring interface runs in kiosk mode (touch only). Presses
and releases arrive as button events from the pointer's own device node (so a tap shorter
than a frame still counts); every frame it reads where the pointer is (a drag or a stir),
lets the pure ``IdleCycle`` decide what time and input mean, and shows it: the attract reel
and its prompt, the countdown, a full reset for the next visitor, the operator's PIN pad
(the PIN checked in a worker thread) and menu. It beats the watchdog's heartbeat and writes
each visit to the analytics database as it happens; SIGTERM or SIGINT ends the open visit
as "shutdown" before the booth stops.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from panda3d.core import (
    ButtonThrower,
    ClockObject,
    ModifierButtons,
    MouseButton,
    WindowProperties,
)

from gwangju_twin import __version__
from gwangju_twin.booth.reel import AttractReel
from gwangju_twin.booth.snapshot import PeriodicSnapshot
from gwangju_twin.errors import InputError
from gwangju_twin.kiosk.analytics import AnalyticsError, EndReason
from gwangju_twin.kiosk.config import KioskConfig
from gwangju_twin.kiosk.cycle import Change, ChangeKind, CycleState, IdleCycle, Timing
from gwangju_twin.kiosk.pin import CornerHold, PinGate
from gwangju_twin.kiosk.supervisor import EXIT_OPERATOR, EXIT_RESTART, Heartbeat
from gwangju_twin.ui.attract import AttractPrompt
from gwangju_twin.ui.countdown import Countdown
from gwangju_twin.ui.operator import OperatorChoice, OperatorMenu
from gwangju_twin.ui.pinpad import PinPad

log = logging.getLogger("gwangju_twin.kiosk")

#: The event a kiosk window raises instead of closing (close button, Alt+F4, the window
#: manager): the booth logs it and stays.
CLOSE_REQUEST = "kiosk-close-request"
#: Keys that close or leave a desktop program; a booth swallows them (and logs them).
LOCKED_KEYS = ("escape", "alt-f4", "control-q", "control-w", "alt-tab", "f11")
#: The operator's key chord (Panda3D names modifiers shift, control, alt in this order).
OPERATOR_CHORD = "shift-control-alt-k"
#: Pointer travel (normalised window units) that counts as movement, not sensor jitter.
STIR = 0.004
#: The prefix of the booth's own button events ("booth-mouse1", "booth-mouse1-up"), thrown
#: from the pointer's device node, before DirectGUI regions can swallow a press.
BUTTON_PREFIX = "booth-"
#: The signals that end the booth cleanly (the open visit closed as "shutdown"); the exit
#: status is then 128 + the signal's number, as a shell reports a death by that signal.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Booth:
    """Kiosk mode on ``stage`` (a ``gwangju_twin.app.stage.Stage`` with the kiosk interface).

    ``visits`` (a ``kiosk.analytics.VisitLog``) records the visits, ``heartbeat`` tells the
    supervisor the booth is alive; both are optional (tests, an unsupervised run).
    ``exit_code`` is set when the operator closes or restarts the booth, or a stop signal
    arrives; the booth then stops the task manager so ``base.run()`` returns. ``snapshot``
    (an offscreen booth's) is where a PNG of the screen is kept, renewed every few seconds.

    ``catch_signals`` (in the main thread only) installs handlers for STOP_SIGNALS until
    :meth:`close`: the next frame ends the visit as "shutdown" and stops the booth.
    """

    def __init__(self, stage: Any, config: KioskConfig, visits: Any = None,
                 heartbeat: Heartbeat | None = None, safe: bool = False,
                 clock: Callable[[], float] | None = None,
                 snapshot: Path | None = None, *,
                 catch_signals: bool = True) -> None:
        self.stage, self.base, self.config = stage, stage.base, config
        touring = stage.touring
        if touring is None or not touring.kiosk:
            raise ValueError("a booth needs a stage built with ui=True, kiosk=True")
        self.touring = touring
        self.visits = visits
        self.heartbeat = heartbeat
        self.safe = safe
        self._clock = clock or ClockObject.get_global_clock().get_frame_time
        now = self._clock()
        self.cycle = IdleCycle(Timing(config.attract_after, config.reset_after,
                                      config.countdown), now)
        self.gate = PinGate(config.pin_hash, clock=self._clock)
        self.corner = CornerHold(config.corner, config.hold_seconds)
        self.exit_code: int | None = None
        self.analytics_error: str | None = None  # why the analytics stopped, if they did
        self.ignored: Counter[str] = Counter()  # close requests and keys the lock swallowed
        self.counts: Counter[ChangeKind] = Counter()  # every Change applied, by kind
        cat, font, bold = touring.cat, touring.expo.font, touring.expo.bold_font
        lang = config.language
        # The overlays start hidden.
        self.prompt = AttractPrompt(self.base.aspect2d, font, bold, cat,
                                    on_touch=self._prompt_touched)
        self.countdown = Countdown(self.base.aspect2d, font, cat, lang, self._keep,
                                   bold_font=bold)
        self.pinpad = PinPad(self.base.aspect2d, font, cat, lang, self._pin, self._close_operator)
        self.menu = OperatorMenu(self.base.aspect2d, font, cat, lang, self._operator_choice)
        self.reel = AttractReel(touring, config.attract_dwell, self.prompt.set_caption)
        self._down = False
        self._in_corner = False  # the press going on began in the operator's corner
        self._at: tuple[float, float] | None = None
        self._still_for = 0.0
        self._cursor_hidden: bool | None = None
        self._inside: str | None = None  # the pavilion the analytics last heard of
        self._language = lang
        self.snapshot = (PeriodicSnapshot(self.base.win, snapshot)
                         if snapshot is not None and self.base.win is not None else None)
        # The slow PBKDF2 check runs here, off the frame loop; its result is applied by a frame.
        self._checker: ThreadPoolExecutor | None = None
        self._check: Future[bool] | None = None
        self._signalled: int | None = None  # a stop signal not yet acted on
        self._old_handlers: dict[int, Any] = {}
        if catch_signals and threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        self._buttons = self._throw_buttons()
        self._lock_window()
        touring.reset(lang, reload_plugins=False)
        self.base.task_mgr.add(self._frame, "booth", sort=35)
        log.info("kiosk started%s: attract after %g s, reset after %g s without input",
                 " in safe mode (no plugins)" if safe else "", config.attract_after,
                 config.reset_after)
        if not self.gate.configured:
            log.warning("no operator PIN is set ([operator] pin_hash): the kiosk can only be "
                        "stopped from outside (the supervisor's terminal or a signal)")

    # -- the locked window ------------------------------------------------------------------

    def _lock_window(self) -> None:
        win = self.base.win
        if win is not None and hasattr(win, "set_close_request_event"):
            # With a close-request event set, Panda3D raises it instead of closing the window
            # when the window manager asks (close button, Alt+F4).
            win.set_close_request_event(CLOSE_REQUEST)
        self.base.accept(CLOSE_REQUEST, self._ignore, [CLOSE_REQUEST])
        for key in LOCKED_KEYS:
            self.base.accept(key, self._ignore, [key])
        self.base.accept(OPERATOR_CHORD, self.operator_gesture)

    def _throw_buttons(self) -> Any:
        """A ButtonThrower on the pointer's device node (the MouseWatcher's parent), which
        sees every press and release of the left button as it happens, even both within
        one frame, and even over a DirectGUI button (which keeps them from the usual
        "mouse1" events). None when there is no pointer."""
        watcher_np = getattr(self.base, "mouseWatcher", None)
        if watcher_np is None or watcher_np.is_empty() or not watcher_np.has_parent():
            return None
        thrower = ButtonThrower("booth-buttons")
        thrower.set_prefix(BUTTON_PREFIX)
        thrower.set_throw_buttons_active(True)  # the left button only, with any modifiers
        thrower.add_throw_button(ModifierButtons(), MouseButton.one())
        # Sorted before the MouseWatcher, so its events are queued before the ones DirectGUI
        # raises for the same press: the booth hears a tap before a button it lands on acts
        # (a quick tap on the PIN pad's Cancel is the operator's, not a new visitor's).
        node = watcher_np.get_parent().attach_new_node(thrower, -100)
        self.base.accept(BUTTON_PREFIX + "mouse1", self._pressed)
        self.base.accept(BUTTON_PREFIX + "mouse1-up", self._released)
        return node

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # Only a flag: the handler may run in the middle of a database write, and the frame
        # task does the rest at a clean point.
        self._signalled = signum

    def _ignore(self, what: str) -> None:
        self.ignored[what] += 1
        log.info("kiosk lock: ignored %s", what)

    def _show_cursor(self, shown: bool) -> None:
        if shown == (self._cursor_hidden is False):
            return
        self._cursor_hidden = not shown
        win = self.base.win
        if win is not None and hasattr(win, "request_properties"):
            props = WindowProperties()
            props.set_cursor_hidden(not shown)
            win.request_properties(props)

    # -- every frame ------------------------------------------------------------------------

    def _frame(self, task: Any) -> Any:
        if self._signalled is not None:
            signum, self._signalled = self._signalled, None
            log.info("%s: ending the visit and closing the kiosk",
                     signal.Signals(signum).name)
            self.request_exit(128 + signum)
            return task.done
        now = self._clock()
        dt = min(ClockObject.get_global_clock().get_dt(), 0.25)
        self._read_pointer(now, dt)
        self._apply(self.cycle.tick(now))
        if self.cycle.state == CycleState.ATTRACT:
            self.prompt.update(dt)
            self.reel.update(dt)
        if self._check is not None and self._check.done():
            self._pin_checked(self._check)
        if self.pinpad.visible:
            self.pinpad.set_locked(self.gate.locked_for())
        self._record()
        if self.snapshot is not None:
            self.snapshot.update(now)
        if self.heartbeat is not None and not self.heartbeat.beat():
            log.warning("the supervisor is gone: closing the kiosk")
            self.request_exit(EXIT_OPERATOR)
        return task.cont

    def _read_pointer(self, now: float, dt: float) -> None:
        watcher = self.base.mouseWatcherNode
        if watcher is None or not watcher.has_mouse():
            return
        m = watcher.get_mouse()
        at = (float(m.x), float(m.y))
        moved = self._at is None or abs(at[0] - self._at[0]) + abs(at[1] - self._at[1]) > STIR
        if moved:
            self._at = at
            self._still_for = 0.0
            self.cycle.stir(now)
            if self._down:
                self.corner.move(*at, now)
        else:
            self._still_for += dt
        # The pointer shows while it moves (an operator with a mouse), and hides again soon
        # after: a touch screen's visitors never need to see it.
        self._show_cursor(self._still_for < self.config.hide_cursor_after)
        if self.corner.due(now):
            self._in_corner = False
            self.operator_gesture()

    def _pointer_at(self) -> tuple[float, float] | None:
        watcher = self.base.mouseWatcherNode
        if watcher is None or not watcher.has_mouse():
            return self._at
        m = watcher.get_mouse()
        return (float(m.x), float(m.y))

    def _pressed(self) -> None:
        """The left button (or a finger) went down: an event, so a press is never missed."""
        now = self._clock()
        self._down = True
        at = self._pointer_at()
        if at is None:
            self.touch()
            return
        self.corner.press(*at, now)
        # A press in the operator's corner may be the start of the hidden gesture: it counts
        # as a visitor's tap only if it lets go before the hold is complete, so opening the
        # operator menu never starts (or records) a visit.
        self._in_corner = self.corner.inside(*at)
        if not self._in_corner:
            self.touch()

    def _released(self) -> None:
        """The left button (or the finger) came up."""
        self._down = False
        self.corner.release(self._clock())
        if self._in_corner:
            self._in_corner = False
            self.touch()

    def touch(self) -> None:
        """A tap (or click) anywhere: the visitor is there."""
        self._apply(self.cycle.touch(self._clock()))

    def _prompt_touched(self) -> None:
        # The frame task's pointer reading sees the same press and knows whether it is the
        # operator's corner; this only covers a press it cannot see (no mouse watcher).
        watcher = self.base.mouseWatcherNode
        if watcher is None or not watcher.has_mouse():
            self.touch()

    def _keep(self) -> None:
        self._apply(self.cycle.keep_exploring(self._clock()))

    # -- what the cycle decided -------------------------------------------------------------

    def _apply(self, changes: list[Change]) -> None:
        for change in changes:
            self._apply_one(change)

    def _apply_one(self, change: Change) -> None:
        touring, kind = self.touring, change.kind
        self.counts[kind] += 1
        log.debug("kiosk: %s", change)
        match kind:
            case ChangeKind.ATTRACT:
                touring.show_interface(False)
                self.prompt.show()
                self.reel.start()
                if self.config.play_day:  # the visit's reset puts the clock back, paused
                    touring.clock.play(self.config.day_rate)
            case ChangeKind.VISIT:
                if self.reel.running:
                    self.reel.stop()
                    self.prompt.hide()
                    touring.reset(self.config.language)
                    touring.show_interface(True)
                self._language = touring.language
                if self.visits is not None:
                    self._write_visit("start_visit", touring.language)
                self._inside = None
            case ChangeKind.COUNTDOWN | ChangeKind.TICK:
                if kind == ChangeKind.COUNTDOWN:
                    self.countdown.set_language(touring.language)
                    self.countdown.show()
                self.countdown.set_seconds(change.seconds or 0)
            case ChangeKind.KEEP:
                self.countdown.hide()
            case ChangeKind.RESET:
                self.countdown.hide()
                self._end_visit("idle")
                touring.reset(self.config.language)
            case ChangeKind.OPERATOR:
                self._open_pinpad()
            case ChangeKind.OPERATOR_CLOSED:
                self.pinpad.hide()
                self.menu.hide()
                if change.reason:
                    log.info("operator overlay closed (%s)", change.reason)

    def _end_visit(self, reason: EndReason) -> None:
        if self.visits is not None and self.visits.visit_id is not None:
            self._record()
            self._write_visit("end_visit", reason)
        self._inside = None

    def _write_visit(self, method: str, *args: Any) -> None:
        """Call the analytics' ``method``; if the database fails (disk full, damaged), say
        so once and go on without analytics: a booth with visitors must not die of it."""
        if self.visits is None:
            return
        try:
            getattr(self.visits, method)(*args)
        except AnalyticsError as exc:
            log.error("visit analytics off for the rest of this run: %s", exc)
            self.analytics_error = str(exc)
            self.visits = None

    def _record(self) -> None:
        """Tell the analytics where the visitor is (only during a visit: the attract reel's
        pavilions are not visits)."""
        if self.visits is None or self.cycle.state not in (CycleState.VISIT,
                                                           CycleState.COUNTDOWN):
            return
        if self.touring.language != self._language:
            self._language = self.touring.language
            self._write_visit("note_language", self._language)
        inside = self.touring.expo.inside
        if inside == self._inside:
            return
        self._inside = inside
        if inside is None:
            self._write_visit("leave_pavilion")
            return
        self._write_visit("enter_pavilion", inside)
        slot = self.touring.expo.host.slot(inside)
        if slot is not None and slot.running and slot.inside:
            self._write_visit("demo_started", inside, slot.plugin_id)

    # -- the operator -----------------------------------------------------------------------

    def operator_gesture(self) -> None:
        """The hidden gesture (a held corner, or Ctrl+Alt+Shift+K): ask for the PIN."""
        self._apply(self.cycle.open_operator(self._clock()))

    def _open_pinpad(self) -> None:
        self.menu.hide()
        self.pinpad.set_language(self.touring.language)
        self.pinpad.clear()
        self.pinpad.set_message("" if self.gate.configured else
                                self.touring.cat.text("kiosk.no_pin", self.touring.language))
        self.pinpad.show()
        log.info("operator gesture: PIN pad shown")

    def _pin(self, pin: str) -> None:
        self.touch()  # the operator is there: the overlay's timeout starts over
        refused = self.gate.start(pin)
        if refused is not None:
            if refused.wait > 0:
                self.pinpad.set_locked(refused.wait)
            return
        # PBKDF2 takes a noticeable time by design: checked in a worker thread while the
        # frames go on, the pad saying "checking" and ignoring its keys; a frame applies it.
        self.pinpad.set_checking(True)
        if self._checker is None:
            self._checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pin-check")
        self._check = self._checker.submit(self.gate.check, pin)

    @property
    def checking_pin(self) -> bool:
        """Whether a PIN is being checked (its result not yet applied)."""
        return self._check is not None

    def _pin_checked(self, check: Future[bool]) -> None:
        self._check = None
        self.pinpad.set_checking(False)
        try:
            ok = check.result()
        except Exception:  # a bug in the check must not open the menu, nor kill the booth
            log.exception("the PIN check failed")
            ok = False
        attempt = self.gate.settle(ok)
        if self.cycle.state != CycleState.OPERATOR or not self.pinpad.visible:
            # Cancelled (or timed out) while checking: counted, but nothing opens.
            return
        lang = self.touring.language
        if attempt.ok:
            log.info("operator PIN accepted")
            self.pinpad.hide()
            self.menu.set_language(lang)
            self.menu.set_status(self._status_lines(lang))
            self.menu.show()
            return
        log.warning("wrong operator PIN (%d in a row)", attempt.failures)
        if attempt.wait > 0:
            self.pinpad.set_locked(attempt.wait)
        else:
            self.pinpad.set_message(self.touring.cat.text("kiosk.pin.wrong", lang))

    def _status_lines(self, lang: str) -> list[str]:
        cat, slots = self.touring.cat, self.touring.expo.host.slots
        running = sum(1 for s in slots if s.running)
        mode = "kiosk.operator.safe_mode" if self.safe else "kiosk.operator.normal_mode"
        return [cat.text(mode, lang),
                cat.text("kiosk.operator.plugins", lang, running=running, total=len(slots)),
                cat.text("kiosk.operator.crashes", lang, count=self._crashes_today()),
                *([cat.text("kiosk.operator.analytics_off", lang)]
                  if self._analytics_off() else []),
                cat.text("kiosk.operator.version", lang, version=__version__)]

    def _analytics_off(self) -> bool:
        """Whether visits are not being recorded because the database failed: before this run
        (see visits_guard) or during it (``analytics_error``)."""
        return self.analytics_error is not None or (
            self.visits is not None and getattr(self.visits, "off_reason", None) is not None)

    def _crashes_today(self) -> int:
        if self.visits is None or self._analytics_off():
            return 0
        from gwangju_twin.kiosk.analytics import day_reports

        today = date.today().isoformat()
        try:
            days = day_reports(self.visits.path)
        except (InputError, sqlite3.Error):
            return 0  # the operator menu must open even on a database that broke just now
        return sum(d.crashes + d.hangs for d in days if d.day == today)

    def _close_operator(self) -> None:
        self._apply(self.cycle.close_operator(self._clock()))

    def _operator_choice(self, name: OperatorChoice) -> None:
        match name:
            case OperatorChoice.RESUME:
                self._close_operator()
            case OperatorChoice.RESTART:
                log.info("operator restarts the viewer")
                self.request_exit(EXIT_RESTART)
            case OperatorChoice.EXIT:
                log.info("operator closes the kiosk")
                self.request_exit(EXIT_OPERATOR)

    def request_exit(self, code: int) -> None:
        """End the booth with exit status ``code`` (the supervisor reads it)."""
        if self.exit_code is not None:
            return
        self.exit_code = code
        self._end_visit("operator" if code in (EXIT_OPERATOR, EXIT_RESTART) else "shutdown")
        self.base.task_mgr.stop()

    def close(self) -> None:
        """Remove the booth's task, widgets and signal handlers (the stage closes)."""
        if self.exit_code is None and getattr(self.base.task_mgr, "fKeyboardInterrupt", False):
            # A SIGINT during a frame is taken by the task manager's own handler, which ends
            # base.run() instead of calling ours: the same stop, seen here.
            self.exit_code = 128 + signal.SIGINT
        self._end_visit("shutdown")
        self.base.task_mgr.remove("booth")
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        self._old_handlers.clear()
        if self._checker is not None:
            self._checker.shutdown(wait=True)
            self._checker = None
        for widget in (self.prompt, self.countdown, self.pinpad, self.menu):
            widget.destroy()
        if self._buttons is not None:
            self._buttons.remove_node()
        for event in (CLOSE_REQUEST, OPERATOR_CHORD, *LOCKED_KEYS, BUTTON_PREFIX + "mouse1",
                      BUTTON_PREFIX + "mouse1-up"):
            self.base.ignore(event)
