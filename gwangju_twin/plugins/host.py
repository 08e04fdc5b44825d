"""The plugin host: runs each pavilion's demo through its lifecycle, isolating faults.

Whatever a plugin raises, in any hook, timer or button, disables that plugin only: the
traceback is logged, everything under its node is removed, its timers stop, and its pavilion
says "demo unavailable". "Whatever" means any ``BaseException`` but ``KeyboardInterrupt``:
``SystemExit`` and ``GeneratorExit`` too. A hook that does not return within its limit
(``guard.HOOK_LIMITS``) is interrupted where Python allows it and its plugin disabled the
same way. While a hook runs, the process's running-hook record (``guard.HookRecord``) names
it, so that a native crash inside it can be pinned on the plugin at the next start. An
``update`` that keeps overrunning its frame budget is reported and called less often (with the
time it missed added to ``dt``). The host is plain Python: the viewer supplies nodes and
drawing through the contexts it creates.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from gwangju_twin.modes import Mode
from gwangju_twin.plugins import guard
from gwangju_twin.plugins.api import PavilionInfo
from gwangju_twin.plugins.context import PavilionContext
from gwangju_twin.plugins.discovery import FoundPlugin, PluginImportError, import_plugin
from gwangju_twin.plugins.guard import Hook, HookRecord, HookTimeout, HookWatchdog, limit_of

log = logging.getLogger("gwangju_twin.plugins")

#: Shown at a pavilion whose demo failed or could not start.
UNAVAILABLE_KO = "데모를 사용할 수 없습니다"
UNAVAILABLE_EN = "Demo unavailable"

#: Overrun policy: this many overruns within the last WINDOW update calls trigger throttling.
OVERRUNS_TO_THROTTLE = 10
WINDOW = 60
#: A throttled plugin earns back a step after this many calls within budget.
CALLS_TO_RECOVER = 120
MAX_THROTTLE = 8


class SlotState(Mode):
    """Where a pavilion's demo is in its life."""

    NEW = "new"  # not loaded yet
    LOADED = "loaded"  # imported and loaded: it runs
    DISABLED = "disabled"  # it failed (or was refused) and stays off
    UNLOADED = "unloaded"  # the viewer unloaded it as it closed (or before a reload)


@dataclass
class Slot:
    """One pavilion's demo: its plugin, context, state and health.

    ``state`` is a ``SlotState``: when it is ``DISABLED``, ``reason`` says why and ``hook``
    which hook failed ("" until then); ``inside`` is True between enter and exit.
    """

    pavilion: PavilionInfo
    found: FoundPlugin
    context: PavilionContext | None = None
    instance: Any = None
    state: SlotState = SlotState.NEW
    reason: str = ""
    hook: Hook | Literal[""] = ""
    error: str = ""  # the traceback of the failure, for logs and `plugins list`
    inside: bool = False
    throttle: int = 1  # update is called every `throttle` frames
    overruns: int = 0  # total update calls over budget
    calls: int = 0  # total update calls (fewer than frames while throttled)
    _recent: deque = field(default_factory=lambda: deque(maxlen=WINDOW))
    _skipped: int = 0
    _pending_dt: float = 0.0
    _good_streak: int = 0

    @property
    def plugin_id(self) -> str:
        """The id of the plugin in this slot."""
        return self.found.id

    @property
    def running(self) -> bool:
        """True while the plugin is loaded and not disabled."""
        return self.state == SlotState.LOADED


@dataclass(frozen=True)
class UpdateAccount:
    """How a plugin's ``update`` went over its run: logged as it is unloaded."""

    plugin: str
    calls: int  # update calls
    overruns: int  # calls over the frame budget
    throttle: int  # update ran every this many frames at the end
    budget: float  # the frame budget, milliseconds


class PluginHost:
    """Loads, enters, updates, exits and unloads the pavilions' plugins.

    ``make_context(slot)`` builds each plugin's context (the viewer's job: it owns nodes);
    ``on_change(slot)`` is told when a slot is disabled or throttled so the viewer can show
    it; ``clock`` measures update time (seconds, monotonic). It stays readable and replaceable
    as the ``clock`` attribute, so a test on a busy machine can measure the plugin's own CPU
    time (``time.thread_time``) instead of wall time that includes other processes' turns.
    """

    def __init__(
        self,
        make_context: Callable[[Slot], PavilionContext],
        on_change: Callable[[Slot], None] = lambda slot: None,
        clock: Callable[[], float] = time.perf_counter,
        record: HookRecord | None = None,
    ) -> None:
        """``record`` is the running-hook record to keep (default: the process's, set by
        ``guard.install_record``)."""
        self.slots: list[Slot] = []
        self._make_context = make_context
        self._on_change = on_change
        self.clock = clock
        self._record = record
        self._watchdog = HookWatchdog()
        self.active: Slot | None = None

    def add(self, pavilion: PavilionInfo, found: FoundPlugin) -> Slot:
        """Give ``pavilion`` the plugin ``found`` (not loaded yet)."""
        slot = Slot(pavilion, found)
        self.slots.append(slot)
        return slot

    def slot(self, pavilion_id: str) -> Slot | None:
        """The slot of pavilion ``pavilion_id``, if it has a plugin."""
        return next((s for s in self.slots if s.pavilion.id == pavilion_id), None)

    def load_all(self) -> None:
        """Import and load every plugin; failures disable only the plugin concerned."""
        for slot in self.slots:
            self.load(slot)

    def load(self, slot: Slot) -> None:
        """Import the plugin of ``slot``, build its context and call ``load``."""
        if slot.state != SlotState.NEW:
            return
        if not slot.found.ok:
            self._disable(slot, Hook.DISCOVER, slot.found.reason)
            return
        manifest = slot.found.manifest
        assert manifest is not None
        # The same test `plugins list` applies (expo.pavilions.plugin_placements).
        mismatch = manifest.refuses(slot.pavilion.id, slot.pavilion.sector)
        if mismatch:
            self._disable(slot, Hook.DISCOVER, mismatch)
            return
        crashed = guard.quarantined(manifest.id)
        if crashed is not None:
            self._disable(slot, Hook.CRASH, crashed)
            return
        instance: list[Any] = []
        # Importing runs the plugin's module code: it is guarded like a hook.
        if not self._guarded(slot, Hook.IMPORT, lambda: instance.append(import_plugin(slot.found))):
            return
        slot.instance = instance[0]
        slot.context = self._make_context(slot)
        slot.state = SlotState.LOADED
        self._call(slot, Hook.LOAD)

    def enter(self, pavilion_id: str) -> Slot | None:
        """The visitor entered ``pavilion_id``: exit the previous demo, enter this one."""
        slot = self.slot(pavilion_id)
        if self.active is not None and self.active is not slot:
            self.exit()
        if slot is None or not slot.running or slot.inside:
            return slot
        slot.inside = True
        assert slot.context is not None
        slot.context.inside = True
        self.active = slot
        self._call(slot, Hook.ENTER)
        return slot

    def exit(self) -> None:
        """The visitor left the pavilion they were in (if any)."""
        slot, self.active = self.active, None
        if slot is None or not slot.inside:
            return
        slot.inside = False
        if slot.context is not None:
            slot.context.inside = False
        if slot.running:
            self._call(slot, Hook.EXIT)

    def update(self, dt: float) -> None:
        """One frame: run due timers and sun callbacks of every running plugin, ``update``
        the active one."""
        for slot in self.slots:
            if slot.running and slot.context is not None:
                for fn in slot.context.timers.advance(dt):
                    if not self.run(slot, fn, Hook.TIMER):
                        break
                for fn in slot.context.sun.due():  # the scene's clock moved (API 1.2)
                    if not self.run(slot, fn, Hook.CALLBACK):
                        break
        active = self.active
        if active is None or not active.running:
            return
        active._pending_dt += dt
        active._skipped += 1
        if active._skipped < active.throttle:
            return
        step, active._pending_dt, active._skipped = active._pending_dt, 0.0, 0
        active.calls += 1
        start = self.clock()
        ok = self._call(active, Hook.UPDATE, step)
        if ok:
            self._account(active, (self.clock() - start) * 1000.0)

    def unload_all(self) -> None:
        """Exit the active demo and unload every plugin (the viewer is closing)."""
        self.exit()
        for slot in self.slots:
            if slot.running and slot.context is not None:
                # The run's account, for `plugins check` (which reads it from the record's
                # ``update`` attribute) and a debugging log.
                log.debug("plugin %s: update called %d times, %d over its frame budget",
                          slot.plugin_id, slot.calls, slot.overruns,
                          extra={"update": UpdateAccount(
                              slot.plugin_id, slot.calls, slot.overruns, slot.throttle,
                              slot.context.frame_budget)})
            if slot.running and self._call(slot, Hook.UNLOAD):
                if slot.context is not None:
                    slot.context.teardown()
                slot.state = SlotState.UNLOADED

    def reload_all(self) -> None:
        """Unload every running plugin and load it again from scratch, as a kiosk does
        between visitors: each gets a new instance and a new context, so nothing one visitor
        did is left for the next. A disabled plugin stays disabled: it failed once already
        and would only fail again in front of the next visitor."""
        self.unload_all()
        for i, slot in enumerate(self.slots):
            if slot.state == SlotState.UNLOADED:
                fresh = Slot(slot.pavilion, slot.found)
                self.slots[i] = fresh
                self.load(fresh)

    def run(self, slot: Slot, fn: Callable[[], Any], what: Hook = Hook.CALLBACK) -> bool:
        """Call ``fn()`` for ``slot``'s plugin under fault isolation; False if it raised or
        ran past its time limit (the plugin is then disabled)."""
        if not slot.running:
            return False
        return self._guarded(slot, what, fn)

    def _guarded(self, slot: Slot, what: Hook, fn: Callable[[], Any]) -> bool:
        if self._watchdog.armed:
            # A hook calling back into the host (a plugin's timer run by hand): the outer
            # hook's limit and record already cover it.
            fn()
            return True
        record = self._record if self._record is not None else guard.installed_record()
        limit = limit_of(what)
        try:
            try:
                if record is not None:
                    record.enter(slot.plugin_id, what)
                self._watchdog.arm(limit)
                fn()
            finally:
                self._stop_watch()
                if record is not None:
                    record.leave()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # plugin faults: SystemExit, GeneratorExit, ... too
            if self._watchdog.fired:
                reason = (f"{what} did not return within its {limit:g} s limit and was "
                          "interrupted")
            elif isinstance(exc, PluginImportError):
                reason = str(exc)
            else:
                reason = f"{type(exc).__name__}: {exc}"
            self._disable(slot, what, reason, _trace(exc))
            return False
        if self._watchdog.fired:
            # The interruption landed as the hook returned: it still overran.
            self._disable(slot, what, f"{what} did not return within its {limit:g} s limit")
            return False
        return True

    def _stop_watch(self) -> None:
        # An interruption can land in disarm itself, as the hook returns; disarm again then
        # (the watchdog fires at most every 0.5 s, so the second call is not interrupted).
        for _ in range(3):
            try:
                self._watchdog.disarm()
                return
            except HookTimeout:
                continue

    def _call(self, slot: Slot, hook: Hook, *args: Any) -> bool:
        method = getattr(slot.instance, hook, None)
        if method is None:
            return True
        return self.run(slot, lambda: method(slot.context, *args), hook)

    def _account(self, slot: Slot, ms: float) -> None:
        assert slot.context is not None  # a running slot always has its context
        budget = slot.context.frame_budget
        over = ms > budget
        slot._recent.append(over)
        if over:
            slot.overruns += 1
            slot._good_streak = 0
            if sum(slot._recent) >= OVERRUNS_TO_THROTTLE and slot.throttle < MAX_THROTTLE:
                slot.throttle *= 2
                slot._recent.clear()
                log.warning(
                    "plugin %s keeps overrunning its %.1f ms frame budget (last %.1f ms); "
                    "its update now runs every %d frames", slot.plugin_id, budget, ms,
                    slot.throttle)
                self._on_change(slot)
        else:
            slot._good_streak += 1
            if slot.throttle > 1 and slot._good_streak >= CALLS_TO_RECOVER:
                slot.throttle //= 2
                slot._good_streak = 0
                log.info("plugin %s is back within budget; update every %d frames",
                         slot.plugin_id, slot.throttle)
                self._on_change(slot)

    def _disable(self, slot: Slot, hook: Hook, reason: str, trace: str = "") -> None:
        slot.state, slot.hook, slot.reason, slot.error = SlotState.DISABLED, hook, reason, trace
        if slot.context is not None:
            slot.context.teardown()
        if self.active is slot:
            self.active = None
            slot.inside = False
        where = "while discovering" if hook == Hook.DISCOVER else f"in {hook}"
        log.error("plugin %s of pavilion %s disabled %s: %s%s", slot.plugin_id,
                  slot.pavilion.id, where, reason, f"\n{trace}" if trace else "")
        self._on_change(slot)

    def status(self) -> list[dict[str, Any]]:
        """One dict per slot: pavilion, plugin, state, reason, throttle, overruns."""
        return [
            {"pavilion": s.pavilion.id, "plugin": s.plugin_id, "state": s.state,
             "hook": s.hook, "reason": s.reason, "throttle": s.throttle,
             "overruns": s.overruns, "inside": s.inside}
            for s in self.slots
        ]


def _trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
