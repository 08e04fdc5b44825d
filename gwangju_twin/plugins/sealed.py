"""Read-only copies of the viewer's arrays, for plugins."""

from __future__ import annotations

from typing import Any

import numpy as np


def read_only(array: Any) -> np.ndarray:
    """A read-only copy of ``array`` for plugins, so one cannot change the city under another.

    A copy, not a view: a view's ``.base`` is the viewer's own array, which a plugin could
    write through (or mark writable again). Numbers and text are copied into an immutable
    ``bytes`` buffer, so the copy cannot be made writable either (numpy refuses
    ``flags.writeable = True``); object arrays (shapely geometries, themselves immutable)
    are a copy owning its data.
    """
    array = np.asarray(array)
    if array.dtype.hasobject:
        sealed = array.copy()
    else:
        sealed = np.frombuffer(array.tobytes(), dtype=array.dtype).reshape(array.shape)
    sealed.flags.writeable = False
    return sealed
