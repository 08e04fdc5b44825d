"""The kiosk's watchdog: runs the viewer as a supervised child process and restarts it.

A crash (any exit status but :data:`EXIT_OPERATOR` and :data:`EXIT_RESTART`, or a death by
signal) or a hang (no heartbeat for ``heartbeat_timeout`` seconds) restarts the viewer after
``restart_delay`` seconds, logged with a crash counter. After ``max_crashes`` crashes within
``crash_window`` seconds the supervisor falls back to the safe scene without plugins for the
rest of its life instead of looping. :func:`rotating_log` gives a log that cannot fill the disk.

The heartbeat is a pipe: the supervisor keeps the read end, the child finds the write end's
number in :data:`HEARTBEAT_ENV` and writes a byte now and then through :class:`Heartbeat`.

The child and everything it starts die with the supervisor, however it ends: a second pipe,
the lifeline (:data:`LIFELINE_ENV`), has its only write end in the supervisor, and the child
calls :func:`die_with_supervisor`, which sets the kernel's parent-death signal on the child
and forks a tiny sentinel into the child's process group that SIGKILLs the whole group the
moment the lifeline reaches end-of-file (the supervisor is gone, even by kill -9). After any
exit of the child, the supervisor SIGKILLs what is left of the child's process group (the
processes a plugin started), before it reaps the child, while the group id is still safe.

Pure standard library, and POSIX only (Linux is the target): it relies on ``os.pipe`` with
``pass_fds``, non-blocking pipes, ``select`` on pipes, process groups (``start_new_session``,
``os.killpg``), SIGKILL / SIGSTOP / SIGCONT semantics and, when the kernel has it,
``os.pidfd_open`` (Linux >= 5.3) to wake up the moment the child exits.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import logging.handlers
import os
import selectors
import shlex
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from gwangju_twin.kiosk.analytics import CrashKind

__all__ = [
    "CHILD_LOG_FORMAT",
    "EXIT_OPERATOR",
    "EXIT_RESTART",
    "HEARTBEAT_ENV",
    "LIFELINE_ENV",
    "MAX_RESTART_DELAY",
    "CrashRecord",
    "Heartbeat",
    "Supervisor",
    "WatchdogRules",
    "console_log",
    "die_with_supervisor",
    "install_signal_handlers",
    "rotating_log",
]

#: The environment variable through which the child finds the write end of the heartbeat pipe.
HEARTBEAT_ENV = "GWANGJU_TWIN_HEARTBEAT_FD"
#: The environment variable through which the child finds the read end of the lifeline pipe,
#: whose end-of-file means the supervisor is gone (see :func:`die_with_supervisor`).
LIFELINE_ENV = "GWANGJU_TWIN_LIFELINE_FD"
#: The child's exit status when the operator closed the kiosk: the supervisor stops.
EXIT_OPERATOR = 0
#: The child's exit status when the operator asked for a restart: restarted at once, no crash.
#: (75 is EX_TEMPFAIL in sysexits.h: "try again".)
EXIT_RESTART = 75

#: The longest ``restart_delay`` allowed, in seconds. The spec's bound: a crash must be followed
#: by a new start within 5 s, and the supervisor needs some of that time for itself (reaping the
#: child, flushing its last output into the log).
MAX_RESTART_DELAY = 4.0
#: The child's log-line format. It must start with the level and a space: the supervisor reads
#: the level back off each line to file it at that level (see ``_child_level``).
CHILD_LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
# The longest the supervisor sleeps without looking at the child and at stop(): it bounds how
# late a death is seen on kernels without pidfd, and how late stop() is seen if the wake-up byte
# were ever lost.
_POLL = 0.2
# How long to wait for the child's output readers to see end-of-file after the child is gone,
# so its last lines (a plugin's traceback) land in the log before the crash line.
_READER_JOIN = 0.5
# How long to wait for a SIGKILLed child to be reaped; a process stuck in the kernel
# (uninterruptible sleep) may take longer, and the booth must not wait for it forever.
_KILL_WAIT = 1.0
# How often _terminate looks whether the child has exited (it must not reap it to find out).
_EXIT_POLL = 0.02
# The longest line read from the child at once: a child writing without newlines cannot make
# the supervisor buffer without bound (a longer line is logged in pieces).
_MAX_LINE = 8192


@dataclass(frozen=True)
class WatchdogRules:
    """When the watchdog calls the child hung or crash-looping, and how it restarts it.

    ``heartbeat_timeout`` should be several of the child's :class:`Heartbeat` periods, and
    ``startup_grace`` longer than the slowest district load. ``restart_delay`` may be at most
    4 s, so that a restart always follows a crash within 5 s.
    """

    heartbeat_timeout: float
    """K: seconds without a heartbeat (after the first one) that make a hang."""
    restart_delay: float = 1.0
    """Seconds between a crash and the restart."""
    max_crashes: int = 3
    """R: this many crashes within ``crash_window`` switch to the safe scene."""
    crash_window: float = 600.0
    """T, in seconds."""
    startup_grace: float = 90.0
    """Seconds a fresh child may take to its first heartbeat; after that it is a hang."""
    stop_grace: float = 3.0
    """When the supervisor stops: SIGTERM, then SIGKILL after this many seconds."""

    def __post_init__(self) -> None:
        """Reject rules that would make the watchdog loop, never fire or break the 5 s bound."""
        if not self.heartbeat_timeout > 0:
            raise ValueError(f"heartbeat_timeout must be > 0 s, got {self.heartbeat_timeout}")
        if not 0 <= self.restart_delay <= MAX_RESTART_DELAY:
            raise ValueError(
                f"restart_delay must be between 0 and {MAX_RESTART_DELAY:g} s (a crash must "
                f"restart within 5 s), got {self.restart_delay}"
            )
        if self.max_crashes < 1:
            raise ValueError(f"max_crashes must be >= 1, got {self.max_crashes}")
        if not self.crash_window > 0:
            raise ValueError(f"crash_window must be > 0 s, got {self.crash_window}")
        if not self.startup_grace > 0:
            raise ValueError(f"startup_grace must be > 0 s, got {self.startup_grace}")
        if not self.stop_grace >= 0:
            raise ValueError(f"stop_grace must be >= 0 s, got {self.stop_grace}")


@dataclass(frozen=True)
class CrashRecord:
    """One crash or hang, as logged and as handed to ``Supervisor(on_crash=...)``."""

    kind: CrashKind
    """``"crash"`` (the child died) or ``"hang"`` (it stopped beating and was killed)."""
    detail: str
    """What happened, e.g. ``"exit status 1"``, ``"killed by SIGKILL"``,
    ``"no heartbeat for 10.0 s"``."""
    count: int
    """Crashes since the supervisor started: the crash counter."""
    recent: int
    """Crashes within the rules' ``crash_window``, this one included."""
    safe: bool
    """Whether the next start is in safe mode (the safe scene without plugins)."""


class Heartbeat:
    """The child's side of the heartbeat pipe.

    ``Heartbeat.from_env()`` returns None when the viewer is not supervised. Call :meth:`beat`
    from the frame loop; it writes at most one byte every ``period`` seconds, and returns False
    once the supervisor is gone, so that an orphaned viewer can quit.
    """

    def __init__(
        self, fd: int, period: float = 0.5, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Beat through the pipe's write end ``fd`` (the Heartbeat owns it and closes it)."""
        self._fd: int | None = fd
        self._period = period
        self._clock = clock
        self._last: float | None = None
        # Never block the frame loop: if the supervisor is frozen and the pipe fills up, the
        # beat is dropped instead (the supervisor only needs to see a byte now and then).
        os.set_blocking(fd, False)

    @classmethod
    def from_env(cls, period: float = 0.5) -> Heartbeat | None:
        """The heartbeat handed down by the supervisor, or None when not supervised.

        It claims the pipe: the variable is removed from ``os.environ`` and the descriptor made
        non-inheritable, so that processes the viewer starts neither hold the pipe open nor
        take the number for theirs. A second call therefore returns None.
        """
        value = os.environ.pop(HEARTBEAT_ENV, None)
        if not value:
            return None
        try:
            fd = int(value)
            os.fstat(fd)  # the number must name an open descriptor of this process
            os.set_inheritable(fd, False)
        except (ValueError, OSError):
            return None
        return cls(fd, period)

    def beat(self) -> bool:
        """Tell the supervisor the child is alive; False once the supervisor is gone."""
        if self._fd is None:
            return False
        now = self._clock()
        if self._last is not None and now - self._last < self._period:
            return True
        try:
            os.write(self._fd, b".")
        except BlockingIOError:
            # The pipe is full: the supervisor is alive but not reading right now.
            return True
        except OSError:
            # EPIPE (Python ignores SIGPIPE, so no reader left means BrokenPipeError) or EBADF:
            # nobody is listening any more.
            self.close()
            return False
        self._last = now
        return True

    def close(self) -> None:
        """Close the write end; later beats return False. Safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


@dataclass(frozen=True)
class _Outcome:
    """How one child's run ended (internal)."""

    kind: Literal["operator", "restart", "stopped"] | CrashKind
    detail: str = ""
    pid: int | None = None


def _describe_status(status: int) -> str:
    """A Popen return code in words: "exit status 3", "killed by SIGKILL"."""
    if status >= 0:
        return f"exit status {status}"
    try:
        return f"killed by {signal.Signals(-status).name}"
    except ValueError:
        return f"killed by signal {-status}"


def _close_fds(*fds: int) -> None:
    """Close descriptors, ignoring ones already gone (used by a weakref finalizer)."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


class Supervisor:
    """Runs the viewer as a child process and restarts it after crashes and hangs.

    ``command(safe)`` gives the child's argv; ``safe=True`` asks for the safe scene without
    plugins. :meth:`run` blocks until the operator closes the kiosk (the child exits with
    :data:`EXIT_OPERATOR`) or :meth:`stop` is called. Signal handlers are not installed here
    (see :func:`install_signal_handlers`), so run() may run in any thread.

    The child starts in a session of its own, so a Ctrl-C at the supervisor's terminal reaches
    only the supervisor (which then stops the child cleanly) instead of also killing the child
    and being mistaken for a crash; hang kills and stops are sent to the child's whole process
    group, and after any exit of the child what is left of its group is killed. Its stdin is
    /dev/null; its stdout and stderr are logged line by line with the prefix
    ``"child: "`` (stderr at WARNING). Unless ``env`` says otherwise, ``PYTHONUNBUFFERED=1`` is
    set for the child so that its output reaches the log before it dies.
    """

    def __init__(
        self,
        command: Callable[[bool], Sequence[str]],
        rules: WatchdogRules,
        log: logging.Logger,
        *,
        on_start: Callable[[int, bool], None] | None = None,
        on_crash: Callable[[CrashRecord], None] | None = None,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Set up, without starting anything; ``on_start`` gets ``(pid, safe)`` per start."""
        self._command = command
        self._rules = rules
        self._log = log
        self._on_start = on_start
        self._on_crash = on_crash
        self._env = dict(os.environ if env is None else env)
        # Python children otherwise buffer stdout in a pipe and lose it when killed.
        self._env.setdefault("PYTHONUNBUFFERED", "1")
        self._clock = clock
        self._safe = False
        self._crashes = 0
        self._recent: collections.deque[float] = collections.deque()
        self._pid: int | None = None
        self._running = threading.Lock()
        # stop() must be safe in a signal handler, so it takes no lock: it sets a flag and
        # writes a byte into this self-pipe, which run() watches next to the child. The pipe
        # lives as long as the object, so a late stop() never writes to a reused descriptor.
        self._stopping = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        weakref.finalize(self, _close_fds, self._wake_r, self._wake_w)

    @property
    def safe(self) -> bool:
        """Whether the supervisor has fallen back to the safe scene (it stays so)."""
        return self._safe

    @property
    def crashes(self) -> int:
        """The crash counter: crashes and hangs since the supervisor was made."""
        return self._crashes

    @property
    def pid(self) -> int | None:
        """The running child's pid, or None between children."""
        return self._pid

    def stop(self) -> None:
        """End :meth:`run`: the child gets SIGTERM, then SIGKILL after ``stop_grace``.

        Thread-safe and signal-safe (no locks, no logging). A stopped supervisor stays stopped:
        a later run() returns 0 at once.
        """
        self._stopping = True
        # A full pipe already holds a wake-up byte; a closed one means the object is being
        # finalized and nobody runs any more.
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"!")

    def run(self) -> int:
        """Run and restart the child until the operator closes the kiosk or stop() is called.

        Returns 0 in both cases; crashes never return (they restart). Raises RuntimeError when
        called while already running.
        """
        if not self._running.acquire(blocking=False):
            raise RuntimeError("this Supervisor is already running")
        try:
            return self._loop()
        finally:
            self._running.release()

    # -- the loop ------------------------------------------------------------------------------

    def _loop(self) -> int:
        rules = self._rules
        while not self._stopping:
            outcome = self._run_child(self._safe)
            was_safe = self._safe
            match outcome.kind:
                case "stopped":
                    break
                case "operator":
                    self._log.info("operator closed the kiosk (pid %s exited 0); stopping",
                                   outcome.pid)
                    return 0
                case "restart":
                    self._log.info("operator asked for a restart (pid %s); restarting now",
                                   outcome.pid)
                    continue
                case "hang":
                    record = self._count(outcome.kind, outcome.detail)
                    self._log.error("hang #%d: pid %s killed; restarting in %g s",
                                    record.count, outcome.pid, rules.restart_delay)
                case "crash":
                    record = self._count(outcome.kind, outcome.detail)
                    self._log.error("crash #%d: %s (pid %s); restarting in %g s",
                                    record.count, outcome.detail, outcome.pid,
                                    rules.restart_delay)
            if record.safe and not was_safe:
                self._log.critical(
                    "%d crashes within %g min: falling back to the safe scene without plugins "
                    "(it stays until the kiosk is restarted)",
                    record.recent, rules.crash_window / 60,
                )
            self._call(self._on_crash, record)
            # In safe mode too: the booth must show something, but never faster than this.
            if not self._sleep(rules.restart_delay):
                break
        self._log.info("supervisor stopped")
        return 0

    def _count(self, kind: CrashKind, detail: str) -> CrashRecord:
        """Count one crash, switch to safe mode when there were too many, and describe it."""
        rules = self._rules
        now = self._clock()
        self._crashes += 1
        self._recent.append(now)
        while self._recent and self._recent[0] < now - rules.crash_window:
            self._recent.popleft()
        if len(self._recent) >= rules.max_crashes:
            self._safe = True  # and it stays so: a flaky plugin must not loop the booth
        return CrashRecord(kind=kind, detail=detail, count=self._crashes,
                           recent=len(self._recent), safe=self._safe)

    def _run_child(self, safe: bool) -> _Outcome:
        """Start one child and watch it until it exits, hangs or the supervisor stops."""
        argv = list(self._command(safe))
        # A fresh pipe per child: a dead child's leftovers (or a grandchild still holding the
        # old write end) must not count as heartbeats of the new one.
        beat_r, beat_w = os.pipe()
        # The lifeline: only this process ever holds its write end (os.pipe descriptors are
        # not inherited), so its read end sees end-of-file exactly when the supervisor is gone.
        life_r, life_w = os.pipe()
        try:
            os.set_blocking(beat_r, False)
            env = dict(self._env)
            env[HEARTBEAT_ENV] = str(beat_w)
            env[LIFELINE_ENV] = str(life_r)
            try:
                proc = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, pass_fds=(beat_w, life_r), env=env,
                    start_new_session=True,
                )
            except OSError as exc:
                # A missing or broken executable is a crash too: counted, so that it ends in
                # the safe scene instead of a tight loop.
                return _Outcome("crash", f"could not start {shlex.join(argv)}: {exc}")
            finally:
                # Only the child may hold the write end, so its death shows as end-of-file.
                os.close(beat_w)
                os.close(life_r)
            self._pid = proc.pid
            readers = [self._pump(proc.stdout, logging.INFO),
                       self._pump(proc.stderr, logging.WARNING)]
            self._log.info("start: pid %d%s: %s", proc.pid,
                           " in safe mode (the safe scene without plugins)" if safe else "",
                           shlex.join(argv))
            self._call(self._on_start, proc.pid, safe)
            try:
                outcome = self._watch(proc, beat_r)
            finally:
                if proc.returncode is None:  # an exception got us here: leave no child behind
                    self._kill(proc)
                self._pid = None
                deadline = time.monotonic() + _READER_JOIN
                for reader in readers:
                    reader.join(max(0.0, deadline - time.monotonic()))
            return outcome
        finally:
            os.close(beat_r)
            os.close(life_w)

    def _watch(self, proc: subprocess.Popen[bytes], beat_r: int) -> _Outcome:
        """Wait for heartbeats, the child's exit and stop(); act on whichever comes first."""
        rules = self._rules
        started = self._clock()
        last_beat: float | None = None
        with selectors.DefaultSelector() as sel:
            sel.register(beat_r, selectors.EVENT_READ, "beat")
            sel.register(self._wake_r, selectors.EVENT_READ, "wake")
            pidfd = _pidfd(proc.pid)
            if pidfd is not None:
                sel.register(pidfd, selectors.EVENT_READ, "exit")
            try:
                while True:
                    if self._stopping:
                        self._log.info("stopping: terminating pid %d", proc.pid)
                        self._terminate(proc)
                        return _Outcome("stopped", pid=proc.pid)
                    status = _exit_status(proc)
                    if status is not None:
                        # Whatever the child started dies with it: a plugin's helper process
                        # must not outlive the viewer (nor pile up over restarts).
                        self._finish(proc)
                        return self._exited(proc.pid, status)
                    now = self._clock()
                    if last_beat is None:
                        deadline, since = started + rules.startup_grace, started
                    else:
                        deadline, since = last_beat + rules.heartbeat_timeout, last_beat
                    if now >= deadline:
                        detail = f"no heartbeat for {now - since:.1f} s"
                        if last_beat is None:
                            detail += " since the start"
                        # The record is counted by the loop once the child is gone; the number
                        # is logged now so the kill can be read next to its reason.
                        self._log.error("hang #%d: %s; killing pid %d",
                                        self._crashes + 1, detail, proc.pid)
                        self._kill(proc)
                        return _Outcome("hang", detail, proc.pid)
                    for key, _ in sel.select(min(deadline - now, _POLL)):
                        if key.data == "beat":
                            got, eof = _drain(beat_r)
                            if got:
                                last_beat = self._clock()
                            if eof:
                                # The child closed its end (or died): stop watching it, or
                                # select would spin; its exit is seen by poll(), and a child
                                # that lives on without beating becomes a hang.
                                sel.unregister(beat_r)
            finally:
                if pidfd is not None:
                    os.close(pidfd)

    def _exited(self, pid: int, status: int) -> _Outcome:
        if status == EXIT_OPERATOR:
            return _Outcome("operator", pid=pid)
        if status == EXIT_RESTART:
            return _Outcome("restart", pid=pid)
        return _Outcome("crash", _describe_status(status), pid)

    # -- signals and waits ---------------------------------------------------------------------

    def _signal(self, proc: subprocess.Popen[bytes], sig: int) -> None:
        """Send ``sig`` to the child's process group (the child and anything it started)."""
        if proc.returncode is not None:
            return  # reaped: its pid (and group id) may belong to someone else by now
        try:
            # The child is unreaped, so its pid, and with it the group id, cannot be reused.
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            # The child left its group (setpgid): at least signal the child itself.
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)

    def _kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the child (it works on a SIGSTOPped one too) and reap it."""
        self._signal(proc, signal.SIGKILL)
        try:
            proc.wait(_KILL_WAIT)
        except subprocess.TimeoutExpired:
            self._log.error("pid %d survives SIGKILL (stuck in the kernel?); moving on", proc.pid)

    def _finish(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL what is left of an exited child's process group, then reap the child.

        The order matters: until it is reaped, the child's pid (the group's id) cannot be
        given to another process, so the signal reaches the child's group and nobody else.
        """
        self._kill(proc)

    def _terminate(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGTERM, then SIGKILL after ``stop_grace``; the group's leftovers are killed too."""
        self._signal(proc, signal.SIGTERM)
        # A stopped (SIGSTOPped) child would keep the SIGTERM pending forever.
        self._signal(proc, signal.SIGCONT)
        deadline = time.monotonic() + self._rules.stop_grace
        # Waited for without reaping (see _finish), so the group can still be killed after.
        while _exit_status(proc) is None:
            if time.monotonic() >= deadline:
                self._log.warning("pid %d ignored SIGTERM for %g s; killing it",
                                  proc.pid, self._rules.stop_grace)
                break
            time.sleep(_EXIT_POLL)
        self._finish(proc)

    def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` unless stop() comes first; True when not stopped."""
        deadline = time.monotonic() + seconds
        while not self._stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            with selectors.DefaultSelector() as sel:
                sel.register(self._wake_r, selectors.EVENT_READ)
                sel.select(min(left, _POLL))
        return False

    # -- helpers -------------------------------------------------------------------------------

    def _pump(self, stream: IO[bytes] | None, level: int) -> threading.Thread:
        """Log a child stream line by line in a daemon thread (it ends at end-of-file)."""

        def pump() -> None:
            if stream is None:
                return
            with stream:
                for raw in iter(lambda: stream.readline(_MAX_LINE), b""):
                    line = raw.decode("utf-8", "replace").rstrip("\r\n")
                    self._log.log(*_child_level(line, level))

        # Daemon: a grandchild holding the pipe open must not keep the supervisor alive.
        thread = threading.Thread(target=pump, name="kiosk-child-output", daemon=True)
        thread.start()
        return thread

    def _call(self, callback: Callable[..., None] | None, *args: object) -> None:
        """Run a user callback; its bugs are logged, they must not kill the watchdog."""
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            self._log.exception("supervisor callback %r failed", callback)


def _exit_status(proc: subprocess.Popen[bytes]) -> int | None:
    """The child's Popen-style return code once it has exited, else None, WITHOUT reaping it.

    A zombie keeps its pid, and so its process group id, from being reused, which is what makes
    killing the group after the child's exit safe (see ``Supervisor._finish``).
    """
    if proc.returncode is not None:
        return proc.returncode
    try:
        info = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return proc.poll()  # reaped elsewhere: Popen knows (or makes up) its status
    if info is None:
        return None
    if info.si_code == os.CLD_EXITED:
        return info.si_status
    return -info.si_status  # killed or dumped: the signal, as Popen reports it


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when ``pid`` exits (Linux >= 5.3), or None."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        return opener(pid)
    except OSError:
        return None  # old kernel or seccomp: the run loop's poll() still sees the exit


def _drain(fd: int) -> tuple[bool, bool]:
    """Read all that is waiting in a non-blocking pipe: (got bytes, reached end-of-file)."""
    got = False
    while True:
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return got, False
        if not data:
            return got, True
        got = True


def install_signal_handlers(supervisor: Supervisor) -> None:
    """Make SIGTERM, SIGINT and SIGHUP stop ``supervisor``; call it from the main thread."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda _signum, _frame: supervisor.stop())


# prctl(2) option: the signal the kernel sends this process when its parent dies.
_PR_SET_PDEATHSIG = 1


def _set_parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _sentinel(lifeline: int) -> None:
    """The forked sentinel's whole life: wait for the lifeline's end-of-file, then SIGKILL its
    process group (the viewer, whatever the viewer started, and itself). Never returns."""
    try:
        # Only the group kill after the child's exit (or the lifeline) may end it: a SIGTERM
        # meant for the viewer's clean stop must not take the guard away first.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        # Hold nothing of the viewer's: its output pipes (the supervisor waits for their
        # end-of-file), its heartbeat, its window.
        null = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(null, std)
        os.closerange(3, lifeline)
        os.closerange(lifeline + 1, _max_fd())
        while os.read(lifeline, 512):
            pass  # nobody writes; only end-of-file (the supervisor is gone) ends the wait
    finally:
        # Whatever went wrong above, the group must not outlive its guard.
        try:
            os.killpg(0, signal.SIGKILL)
        finally:
            os._exit(0)


def _max_fd() -> int:
    try:
        return max(256, os.sysconf("SC_OPEN_MAX"))
    except (ValueError, OSError):
        return 65536


def die_with_supervisor() -> bool:
    """The child's side of the lifeline: make this process and its process group die with
    the supervisor; call it first thing in the child. False when not supervised (or on a
    platform without ``fork``).

    Two guards, because one is not enough: the kernel's parent-death signal (Linux) SIGKILLs
    this process when the supervisor dies, but not the processes it started; and a forked
    sentinel, blocked in a read that needs neither the GIL nor a healthy frame loop, SIGKILLs
    the whole process group when the lifeline reaches end-of-file. A viewer stuck in a plugin's
    endless loop therefore cannot outlive a supervisor that was killed with SIGKILL.
    """
    value = os.environ.pop(LIFELINE_ENV, None)
    if not value or not hasattr(os, "fork"):
        return False
    try:
        fd = int(value)
        os.fstat(fd)  # the number must name an open descriptor of this process
    except (ValueError, OSError):
        return False
    _set_parent_death_signal(signal.SIGKILL)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the sentinel (covered by the kill -9 tests)
        _sentinel(fd)
    os.close(fd)  # the sentinel holds it; the viewer and what it starts must not
    return True


_HANDLER_MARK = "_gwangju_twin_kiosk_log"


class _LogFile(logging.handlers.RotatingFileHandler):
    """The rotated kiosk log; a write that fails (full disk, a vanished folder) is said once
    per kind of failure on stderr in one line, instead of a traceback per log line."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self.error: OSError | None = None
        self.quiet = False  # while rotating_log tries the first line (it raises instead)
        self._said: set[int | None] = set()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """Remember the failure and say it once (per errno) on stderr."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)
            return
        self.error = exc
        if self.quiet or exc.errno in self._said:
            return
        self._said.add(exc.errno)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"gwangju-twin: error: {self.baseFilename}: cannot write the kiosk "
                             f"log ({exc.strerror or exc}); free disk space or choose another "
                             "[logs] folder\n")
            sys.stderr.flush()


def rotating_log(
    folder: Path, max_bytes: int, backups: int, name: str = "gwangju_twin.kiosk"
) -> logging.Logger:
    """The logger ``name`` writing to ``folder/"kiosk.log"``, rotated so it cannot fill the disk.

    The folder is created. The log is UTF-8 with timestamps and kept in at most
    ``backups + 1`` files of about ``max_bytes`` each (kiosk.log, kiosk.log.1, ...). Calling
    it again for the same name replaces the handler it added before instead of stacking one
    more. The logger does not propagate: the rotated file is the only sink that takes every
    line (see :func:`console_log` for the terminal's share). Raises OSError when the folder
    cannot be created or the first line cannot be written (a full disk).
    """
    # The standard handler never rotates when either number is 0: the file would grow forever.
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be > 0, got {max_bytes}")
    if backups < 1:
        raise ValueError(f"backups must be >= 1, got {backups}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(name)
    for old in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
        logger.removeHandler(old)
        old.close()
    handler = _LogFile(folder / "kiosk.log", max_bytes, backups)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # The root logger's stderr handler (the command line's) would otherwise copy every line,
    # a chatty plugin's included, to the terminal or the journal, past the rotation.
    logger.propagate = False
    # A full disk shows on the first write, not on opening: find out now, in one line,
    # rather than run a booth that cannot log.
    handler.error, handler.quiet = None, True
    logger.info("log opened: %s", handler.baseFilename)
    try:
        handler.flush()  # the write itself may only fail here, in the buffer's flush
    except OSError as exc:
        handler.error = exc
    handler.quiet = False
    if handler.error is not None:
        logger.removeHandler(handler)
        with contextlib.suppress(OSError):
            handler.close()
        err = handler.error
        raise OSError(err.errno, err.strerror or str(err), handler.baseFilename)
    return logger


class _Throttle(logging.Filter):
    """Lets ``burst`` records through, then one per ``per / burst`` seconds (a token bucket);
    the records held back are counted and owned up to before the next one that passes."""

    def __init__(self, burst: int, per: float, clock: Callable[[], float]) -> None:
        super().__init__()
        self._burst, self._rate, self._clock = burst, burst / per, clock
        self._tokens = float(burst)
        self._at = clock()
        self.suppressed = 0
        self.pending = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """True when ``record`` may go to the console now."""
        now = self._clock()
        self._tokens = min(float(self._burst), self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        self.suppressed += 1
        self.pending += 1
        return False


class _Console(logging.StreamHandler):
    """The kiosk's terminal (or journal) sink: warnings and errors only, rate-limited."""

    def __init__(self, stream: IO[str], logger: logging.Logger, throttle: _Throttle,
                 log_path: str) -> None:
        super().__init__(stream)
        self._logger, self._throttle, self._log_path = logger, throttle, log_path

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record``, after a line saying how many were held back before it."""
        self._own_up()
        super().emit(record)

    def close(self) -> None:
        """Say how many lines were held back since the last one shown, then close."""
        self._own_up()
        super().close()

    def _own_up(self) -> None:
        held = self._throttle.pending
        if held:
            self._throttle.pending = 0
            note = (f"{held} warning/error lines were not shown here (rate limit); they are "
                    f"in {self._log_path}")
            # Said in the rotated log too, so the log reads the same as what the operator saw.
            for handler in self._logger.handlers:
                if getattr(handler, _HANDLER_MARK, False):
                    handler.handle(logging.LogRecord(
                        self._logger.name, logging.WARNING, __file__, 0, "console: %s",
                        (note,), None))
            with contextlib.suppress(OSError, ValueError):
                self.stream.write(f"gwangju-twin: kiosk: {note}{self.terminator}")
                self.flush()


_CONSOLE_MARK = "_gwangju_twin_kiosk_console"


def console_log(
    logger: logging.Logger,
    stream: IO[str] | None = None,
    *,
    burst: int = 20,
    per: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
) -> logging.Handler:
    """Copy ``logger``'s warnings and errors to ``stream`` (stderr), at most ``burst`` lines
    at once and ``burst`` per ``per`` seconds on average.

    Lines held back are counted; the next line that passes is preceded by one saying how many
    there were, on the stream and in the rotated log. Info lines never reach the stream: a
    booth's stderr usually ends in the systemd journal, which does not rotate with kiosk.log.
    Calling it again replaces the handler it added before.
    """
    if burst < 1 or not per > 0:
        raise ValueError(f"burst must be >= 1 and per > 0, got {burst}, {per}")
    for old in [h for h in logger.handlers if getattr(h, _CONSOLE_MARK, False)]:
        logger.removeHandler(old)
    files = [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]
    log_path = getattr(files[0], "baseFilename", "the kiosk log") if files else "the kiosk log"
    throttle = _Throttle(burst, per, clock)
    handler = _Console(stream or sys.stderr, logger, throttle, log_path)
    handler.setLevel(logging.WARNING)
    handler.addFilter(throttle)
    handler.setFormatter(logging.Formatter("gwangju-twin: kiosk: %(levelname)s %(message)s"))
    setattr(handler, _CONSOLE_MARK, True)
    logger.addHandler(handler)
    return handler


_LEVELS = {name: getattr(logging, name) for name in ("DEBUG", "INFO", "WARNING", "ERROR",
                                                     "CRITICAL")}


def _child_level(line: str, default: int) -> tuple[int, str, str]:
    """The level a child's output line is filed at, and the logging call's message: a line
    the viewer logged as "LEVEL name: message" keeps its own level (so an operator grepping
    the log for WARNING finds warnings, not every routine line the viewer wrote to stderr);
    anything else, a traceback line say, gets ``default``."""
    head, _, rest = line.partition(" ")
    if head in _LEVELS and rest:
        return _LEVELS[head], "child: %s", rest
    return default, "child: %s", line
