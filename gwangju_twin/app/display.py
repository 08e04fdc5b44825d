"""When the display goes away under a window: one line and a quick exit.

An X server that ends or restarts under the viewer (a kiosk's display manager restarting,
a remote session dropped, Xvfb stopped) closes the connection. Xlib then calls the
process's I/O error handler and exits the process when it returns. Panda3D's handler only
logs "X fatal error on display 0x..." and returns; the exit then runs Panda3D's static
destructors against the dead display, and one of them ends the process with a native
assertion (SIGABRT, status 134). ``watch_display`` puts a handler of ours in its place,
which says in one line what happened and ends the process at once with
``EXIT_DISPLAY_LOST``: a kiosk's supervisor starts the viewer again as after any crash
(kiosk/supervisor.py), once there is a display again.

Nothing is lost by not unwinding: the kiosk's analytics are SQLite commits already
written, and a plugin's running-hook record is closed here as at a normal end (the
display going away is no plugin's crash).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

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
    try:
        print(f"gwangju-twin: error: the X display {where} went away (its server closed "
              "the connection); the viewer stops", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        record = installed_record()
        if record is not None:
            record.close(True)
    finally:
        os._exit(EXIT_DISPLAY_LOST)
