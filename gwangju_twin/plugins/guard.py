"""Guards around plugin code: a time limit per hook and a record of the hook that is running.

Plugins are trusted code in the viewer's process (docs/plugins.md, "Trust model"), so these
guards catch accidents, not attacks:

* :class:`HookWatchdog` interrupts a hook that runs past its limit (:data:`HOOK_LIMITS`) by
  raising :class:`HookTimeout` in the thread running it, through CPython's
  ``PyThreadState_SetAsyncExc``. The exception arrives at the next Python bytecode the hook
  runs, so it breaks a loop in Python but not a blocking call in C (``time.sleep``, a socket
  read, a native library): those are left to the kiosk's heartbeat watchdog.
* :class:`HookRecord` keeps a small file naming the plugin hook that is running, written
  before the hook and cleared after it. A native crash (a segfault, an abort) leaves it
  behind, so the next start (or the kiosk's supervisor) knows which plugin to disable.

Pure standard library: the supervisor reads the record without importing the plugin host.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import logging
import os
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from gwangju_twin.modes import Mode


class Hook(Mode):
    """Where a plugin's code runs (or failed before it could): the host's name for it in
    time limits, logs, the running-hook record and a disabled slot's ``hook``."""

    IMPORT = "import"  # importing the plugin's module and creating its entry object
    LOAD = "load"
    ENTER = "enter"
    UPDATE = "update"
    EXIT = "exit"
    UNLOAD = "unload"
    TIMER = "timer"  # a timer the plugin set on its context
    BUTTON = "button"  # a button of its panel
    CALLBACK = "callback"  # anything else the viewer calls back
    DISCOVER = "discover"  # refused before any code ran: manifest, sector, api_version
    CRASH = "crash"  # kept off after the process died inside one of its hooks

#: Seconds each hook may run before it is interrupted and its plugin disabled. ``load`` may do
#: heavy precomputation; the per-frame hooks must return well inside the kiosk's 10 s heartbeat
#: timeout. "import" covers importing the plugin's module and creating its entry object.
HOOK_LIMITS: dict[Hook, float] = {
    Hook.IMPORT: 20.0, Hook.LOAD: 20.0, Hook.UNLOAD: 10.0,
    Hook.ENTER: 5.0, Hook.UPDATE: 5.0, Hook.EXIT: 5.0, Hook.TIMER: 5.0, Hook.CALLBACK: 5.0,
}
#: The limit of a hook not named in HOOK_LIMITS.
DEFAULT_LIMIT = 5.0
#: Once a hook has been interrupted, how often it is interrupted again if it swallowed the
#: exception (a bare ``except:`` in a loop), and how many times before giving up on it.
_RETRY_EVERY = 0.5
_MAX_TRIES = 20
# With no hook running, the watchdog thread looks every _POLL seconds (less than any limit),
# and ends after _IDLE_EXIT seconds without a hook.
_POLL = 1.0
_IDLE_EXIT = 30.0
#: Running-hook records are files ``running-plugin-hook-PID.json`` in the state (or kiosk
#: data) folder: one per process, so that viewers sharing the folder never overwrite each
#: other's.
RECORD_PREFIX = "running-plugin-hook-"
# The record is rewritten in place at a fixed size, so that writing it is one pwrite() and a
# reader never sees a half-old, half-new record.
_RECORD_SIZE = 512


class HookTimeout(BaseException):
    """Raised inside a plugin hook that ran past its time limit.

    A ``BaseException``, so that a plugin's own ``except Exception`` does not swallow it.
    Its message says where the hook was when the watchdog cut it off ("cut off after 5 s
    at .../demo.py, line 6, in update"), so the logged report names the looping line even
    when the exception itself surfaces elsewhere (after a C call, in the host's frame).
    """

    def __init__(self, *args: object) -> None:
        """``args`` as for any exception; with none (the watchdog raises the class, and
        CPython makes the instance in the interrupted thread), the place the watchdog saw
        the thread at becomes the message."""
        if not args:
            where = _cut_off_at.pop(threading.get_ident(), "")
            args = (where,) if where else ()
        super().__init__(*args)


# Where each interrupted thread was when the watchdog fired, by thread id: written by the
# watchdog just before it schedules HookTimeout, taken by HookTimeout() in that thread.
# PyThreadState_SetAsyncExc takes a class, not an instance, so this is how the place rides
# along with the exception.
_cut_off_at: dict[int, str] = {}
# Frames of these files are the host's machinery, not the plugin's code.
_HOST_FILES = frozenset(str(Path(__file__).with_name(name)) for name in
                        ("guard.py", "host.py", "discovery.py"))
# The standard library's folders: a plugin looping over Event.wait or queue.get was "in"
# its own line that called them, not in threading.py. Packages installed beside the
# standard library (site-packages inside it, without a venv) are not the standard library:
# an installed plugin lives there.
_PATHS = sysconfig.get_paths()
_STDLIB = tuple({_PATHS["stdlib"], _PATHS["platstdlib"]})
_INSTALLED = tuple({_PATHS["purelib"], _PATHS["platlib"]})


# Gwangju Twin's own modules (a plugin calling ctx.panel.set_line is in its own line, not in
# the panel's), but for the reference demos, which are plugins like any other.
_PACKAGE = str(Path(__file__).resolve().parents[1]) + os.sep
_DEMOS = f"{_PACKAGE}demos{os.sep}"


def _not_the_plugins(filename: str) -> bool:
    """Whether ``filename`` is a module of the standard library (or frozen importlib) or of
    Gwangju Twin itself, rather than of the plugin (or a library it brought)."""
    if filename.startswith("<frozen "):
        return True
    if filename.startswith(_PACKAGE) and not filename.startswith(_DEMOS):
        return True
    return filename.startswith(_STDLIB) and not filename.startswith(_INSTALLED)


def where_cut_off(thread_id: int, limit: float) -> str:
    """Where thread ``thread_id`` is now, as a phrase for the HookTimeout it is about to
    get: the innermost frame of the plugin's own code (not Gwangju Twin's, not the standard
    library's), e.g. "cut off after 5 s at /p/demo.py, line 6, in update"; "" when the
    thread has no such frame."""
    frame: FrameType | None = sys._current_frames().get(thread_id)
    innermost = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename in _HOST_FILES:
            break  # the host called the hook here: the plugin's frames are all inside it
        if innermost is None and not _not_the_plugins(filename):
            innermost = frame
        frame = frame.f_back
    if innermost is None:
        return ""
    return (f"cut off after {limit:g} s at {innermost.f_code.co_filename}, line "
            f"{innermost.f_lineno}, in {innermost.f_code.co_name}")


def limit_of(hook: Hook) -> float:
    """The time limit of ``hook`` in seconds (:data:`HOOK_LIMITS`)."""
    return HOOK_LIMITS.get(hook, DEFAULT_LIMIT)


def _async_raise(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule ``exc`` in thread ``thread_id`` (None clears a scheduled one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None)


class HookWatchdog:
    """Interrupts plugin hooks that run too long, from one daemon thread.

    The host calls ``arm(limit)`` before a hook and ``disarm()`` after it, both inside its
    ``try``; if the hook is still running ``limit`` seconds after ``arm``,
    :class:`HookTimeout` is raised inside it (again every 0.5 s if the hook swallows it).
    An interruption may land just as the hook returns, in ``disarm`` itself: the host then
    calls ``disarm`` again, and ``fired`` tells it the hook overran either way.
    """

    def __init__(self) -> None:
        # A plain lock (its acquire and release are C calls, so an interruption cannot land
        # between them and leave it held) and an event to wake the watchdog thread.
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._deadline: float | None = None
        self._limit = 0.0  # the running hook's limit, for the HookTimeout's message
        self._thread_id = 0
        self._tries = 0
        self.fired = False
        self._wakes_at = float("inf")  # when the thread looks next (inf: when woken)
        self._last_arm = 0.0
        self._thread: threading.Thread | None = None

    @property
    def armed(self) -> bool:
        """True between ``arm`` and ``disarm`` (a hook is running)."""
        return self._deadline is not None

    def arm(self, limit: float) -> None:
        """Start timing a hook run by the calling thread; it may take ``limit`` seconds."""
        with self._lock:
            self._last_arm = time.monotonic()
            self._deadline = self._last_arm + limit
            self._limit = limit
            self._thread_id = threading.get_ident()
            self._tries = 0
            self.fired = False
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="plugin-hook-watchdog")
                self._thread.start()
            # Wake the thread only when it would look too late. Otherwise it wakes at an
            # earlier hook's deadline and looks again: hooks every frame must not cost a
            # thread switch each.
            wake = self._deadline < self._wakes_at
            if wake:
                self._wakes_at = self._deadline
        if wake:
            self._wake.set()

    def disarm(self) -> None:
        """The hook returned: stop timing it and cancel an interruption not yet delivered
        (so that it cannot go off later in the viewer's own code)."""
        with self._lock:
            self._deadline = None
            if self.fired:
                _async_raise(self._thread_id, None)
                # An interruption cancelled before it landed leaves its place unclaimed.
                _cut_off_at.pop(self._thread_id, None)

    def _run(self) -> None:
        while True:
            # Cleared before looking, so that an arm() after the look still wakes the wait.
            self._wake.clear()
            with self._lock:
                now = time.monotonic()
                deadline = self._deadline
                if deadline is not None and now >= deadline:
                    if self._tries < _MAX_TRIES:
                        # Under the lock: the hook cannot be disarmed (and its thread move on
                        # to the viewer's code) between this check and the scheduling.
                        self.fired = True
                        self._tries += 1
                        _cut_off_at[self._thread_id] = where_cut_off(self._thread_id,
                                                                     self._limit)
                        _async_raise(self._thread_id, HookTimeout)
                    self._deadline = deadline = now + _RETRY_EVERY
                if deadline is None and now - self._last_arm > _IDLE_EXIT:
                    # No hook for a while: end, so that hosts no longer used leave no threads
                    # behind; the next arm() starts a new one.
                    self._thread = None
                    self._wakes_at = float("inf")
                    return
                # With no hook running, look again in a while rather than wait to be woken:
                # a wake-up per hook (many a frame) would cost a thread switch each.
                self._wakes_at = now + _POLL if deadline is None else deadline
                wait = self._wakes_at - now
            self._wake.wait(max(0.0, wait))


@dataclass(frozen=True)
class RunningHook:
    """What a record says was running: a plugin's hook, in which process."""

    plugin: str
    hook: str  # as the file says: a Hook's value when this version wrote it
    pid: int

    def describe(self) -> str:
        """A phrase for logs: which plugin, in which hook."""
        return f"plugin {self.plugin!r} was in its {self.hook} hook"


class HookRecord:
    """The running-hook file: ``enter`` writes it before a hook, ``leave`` clears it after.

    Writes go to an open descriptor with one ``pwrite`` each, without fsync: a crash of this
    process (not of the machine) keeps what was written, which is all the record is for.
    Failing to write (a full disk) never stops a hook; the record is then just missing.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._encoded: dict[tuple[str, Hook], bytes] = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            os.ftruncate(self._fd, _RECORD_SIZE)
            self._write(b"")
        except OSError:
            self.close()

    def enter(self, plugin: str, hook: Hook) -> None:
        """``plugin``'s ``hook`` is about to run."""
        # Encoded once per plugin and hook: this runs for every hook, many times a frame.
        text = self._encoded.get((plugin, hook))
        if text is None:
            text = json.dumps({"plugin": plugin, "hook": hook, "pid": os.getpid()},
                              ensure_ascii=True).encode("ascii")[:_RECORD_SIZE]
            self._encoded[(plugin, hook)] = text
        self._write(text)

    def leave(self) -> None:
        """The hook returned (or was contained)."""
        self._write(b"")

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            return
        # The record is a diagnosis aid: a full disk must not stop the demo.
        with contextlib.suppress(OSError):
            if hasattr(os, "pwrite"):
                os.pwrite(self._fd, data.ljust(_RECORD_SIZE, b" "), 0)
            else:  # Windows: no pwrite
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.write(self._fd, data.ljust(_RECORD_SIZE, b" "))

    def close(self, remove: bool = False) -> None:
        """Clear and close the record, and delete its file if ``remove`` (the viewer ends
        normally)."""
        if self._fd is not None:
            self._write(b"")
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()


def record_path(folder: Path, pid: int) -> Path:
    """The running-hook record of process ``pid`` in ``folder``."""
    return Path(folder) / f"{RECORD_PREFIX}{pid}.json"


def read_record(path: Path) -> RunningHook | None:
    """The hook a record names (a process died inside it), or None when it is clear, missing
    or unreadable."""
    try:
        data = json.loads(Path(path).read_bytes().strip() or b"null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    plugin, hook, pid = data.get("plugin"), data.get("hook"), data.get("pid")
    if not isinstance(plugin, str) or not isinstance(hook, str) or not isinstance(pid, int):
        return None
    return RunningHook(plugin, hook, pid)


def take_records(folder: Path) -> list[RunningHook]:
    """The hooks that processes which ended died in, from their records in ``folder``; every
    record of an ended process is deleted (blank ones too), so none is blamed twice. Records
    of running processes (other viewers sharing the folder) are left alone."""
    found = []
    try:
        paths = sorted(Path(folder).glob(f"{RECORD_PREFIX}*.json"))
    except OSError:
        return []
    for path in paths:
        try:
            pid = int(path.name[len(RECORD_PREFIX):-len(".json")])
        except ValueError:
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        running = read_record(path)
        with contextlib.suppress(OSError):
            path.unlink()
        if running is not None:
            found.append(running)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


# -- what this process does about crashed plugins --------------------------------------------
# Process-wide, as the crash it answers was: set once at start-up by the viewer or kiosk child,
# read by every PluginHost the process makes.
_record: HookRecord | None = None
_quarantined: dict[str, str] = {}


def install_record(folder: Path | None) -> HookRecord | None:
    """Keep this process's running-hook record in ``folder`` (None: keep none); the file is
    removed when the process ends normally."""
    global _record
    if _record is not None:
        _record.close(remove=True)
        _record = None
    if folder is not None:
        _record = HookRecord(record_path(folder, os.getpid()))
        atexit.register(_record.close, True)
    return _record


def installed_record() -> HookRecord | None:
    """The running-hook record of this process, if ``install_record`` set one."""
    return _record


def quarantine(plugin: str, reason: str) -> None:
    """Keep ``plugin`` disabled in this process, saying ``reason`` (a native crash)."""
    _quarantined[plugin] = reason


def quarantined(plugin: str) -> str | None:
    """Why ``plugin`` is kept disabled in this process, or None when it may run."""
    return _quarantined.get(plugin)


def crash_reason(running: RunningHook) -> str:
    """The reason shown for a plugin disabled after the process died in one of its hooks."""
    return (f"the viewer died (a native crash, an abort, or killed as hung) while plugin "
            f"{running.plugin!r} was in its {running.hook} hook; it is kept off so that "
            "the other plugins can run")


def desktop_record_folder() -> Path:
    """Where the desktop viewer keeps its running-hook record (the per-user state folder)."""
    import platformdirs  # here: the kiosk supervisor reads records without needing it

    return platformdirs.user_state_path("gwangju-twin", appauthor=False)


def resume_after_crash(folder: Path) -> list[RunningHook]:
    """Start-up: quarantine each plugin an ended viewer died in (records left in ``folder``),
    saying so in the log, then keep this run's record there. Returns what was found."""
    found = take_records(folder)
    for running in found:
        reason = crash_reason(running)
        quarantine(running.plugin, reason)
        logging.getLogger("gwangju_twin.plugins").error(
            "plugin %s is disabled for this run: %s", running.plugin, reason)
    install_record(folder)
    return found
