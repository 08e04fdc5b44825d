"""When the display goes away under a window, or the window itself: one line and a quick
exit.

An X server that ends or restarts under the viewer (a kiosk's display manager restarting,
a remote session dropped, Xvfb stopped) closes the connection. Xlib then calls the
process's I/O error handler and exits the process when it returns. Panda3D's handler only
logs "X fatal error on display 0x..." and returns; the exit then runs Panda3D's static
destructors against the dead display, and one of them ends the process with a native
assertion (SIGABRT, status 134). ``watch_display`` puts a handler of ours in its place,
which says in one line what happened and ends the process at once with
``EXIT_DISPLAY_LOST``: a kiosk's supervisor starts the viewer again as after any crash
(kiosk/supervisor.py), once there is a display again.

A window destroyed under the viewer by another client (``watch_window``) gives no event
at all: Panda3D draws on into nothing. A task asks the server once a second whether the
window still exists, and ends the viewer the same way when it does not.

Nothing is lost by not unwinding: the kiosk's analytics are SQLite commits already
written, and a plugin's running-hook record is closed here as at a normal end (the
display going away is no plugin's crash).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import Any

from gwangju_twin.plugins.guard import installed_record

#: The exit status of a viewer whose display went away: a failure, but not the bad input
#: that status 2 means, nor a native crash.
EXIT_DISPLAY_LOST = 1

# int (*)(Display *): Xlib's XIOErrorHandler.
_IOErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
#: The handler handed to Xlib, kept alive as long as the process (Xlib keeps only its
#: address).
_installed: list[object] = []


def watch_display() -> bool:
    """Handle the loss of this process's X display as the module says; call it once an X
    window is open (Panda3D installs its own handler as it opens the first). Whether it
    was installed: not without Xlib (another platform, an offscreen buffer on EGL)."""
    if _installed:
        return True
    xlib = load_xlib()
    if xlib is None:
        return False
    handler = _IOErrorHandler(_display_lost)
    xlib.XSetIOErrorHandler.argtypes = [_IOErrorHandler]
    xlib.XSetIOErrorHandler.restype = ctypes.c_void_p
    xlib.XSetIOErrorHandler(handler)
    _installed.append(handler)
    return True


# int (*)(Display *, XErrorEvent *): Xlib's XErrorHandler (a quiet one, while we ask).
_ErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_quiet = _ErrorHandler(lambda display, event: 0)
#: Seconds between two looks at whether the window still exists.
WINDOW_CHECK_S = 1.0


def watch_window(base: Any) -> bool:
    """End the viewer in one line when its X window is destroyed under it (``xdotool
    windowclose``, a session tool killing windows): Panda3D gets no event for that and goes
    on drawing into nothing, and a kiosk's screen stays black while its heartbeat says all
    is well. A task asks the X server, once a second on a connection of its own, whether
    the window still exists; when not, one line and ``EXIT_DISPLAY_LOST``, a crash the
    kiosk's supervisor restarts. Whether it is watching (not without Xlib)."""
    xlib = load_xlib()
    handle = base.win.get_window_handle() if base.win is not None else None
    if xlib is None or handle is None:
        return False
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    connection = xlib.XOpenDisplay(None)
    if not connection:
        return False
    window = handle.get_int_handle()
    # XWindowAttributes is 136 bytes on 64-bit Linux; room to spare.
    attributes = ctypes.create_string_buffer(256)
    xlib.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
    xlib.XGetWindowAttributes.restype = ctypes.c_int
    xlib.XSetErrorHandler.argtypes = [ctypes.c_void_p]
    xlib.XSetErrorHandler.restype = ctypes.c_void_p
    quiet = ctypes.cast(_quiet, ctypes.c_void_p)

    def exists() -> bool:
        # The BadWindow a destroyed window gives goes to the process's error handler:
        # Panda3D's would log it; a quiet one stands in while we ask.
        previous = xlib.XSetErrorHandler(quiet)
        try:
            return bool(xlib.XGetWindowAttributes(connection, window, attributes))
        finally:
            xlib.XSetErrorHandler(previous)

    def look(task: Any) -> Any:
        if not exists():
            _end("the viewer's window was destroyed under it (not closed by the window "
                 "manager); the viewer stops")
        return task.again

    # The task holds the connection and the buffer (through ``exists``) as long as it runs.
    base.task_mgr.do_method_later(WINDOW_CHECK_S, look, "watch-window")
    return True


def load_xlib() -> ctypes.CDLL | None:
    """This machine's libX11 (the one Panda3D's window uses: a library is loaded once per
    process), or None where there is none."""
    name = ctypes.util.find_library("X11")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def _display_lost(display: int | None) -> int:
    """Xlib's I/O error handler: the connection to the X server is gone. It must not
    return (Xlib would exit through the static destructors), so it ends the process."""
    where = os.environ.get("DISPLAY") or "the display"
    _end(f"the X display {where} went away (its server closed the connection); the viewer "
         "stops")
    return 0  # never reached: _end does not return


def _end(why: str) -> None:
    """One line, the plugin hook record closed, and the process ended at once with
    ``EXIT_DISPLAY_LOST`` (no unwinding: Panda3D's exit would run against a window or a
    display that is gone)."""
    try:
        print(f"gwangju-twin: error: {why}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        record = installed_record()
        if record is not None:
            record.close(True)
    finally:
        os._exit(EXIT_DISPLAY_LOST)
