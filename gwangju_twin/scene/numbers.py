"""Numbers read from scene files: finite, in range, or an error naming the file and the key.

TOML allows ``nan`` and ``inf`` and integers of thousands of digits; none of them may reach
the camera, the meshes or Panda3D, so every number a scene holds is read through a "number"
key of its schema or, inside a key's own check (``camera.target.x``), through ``number``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gwangju_twin.scene.wording import NumbersAsRead
from gwangju_twin.schema import Key, Table, walk

#: How far from the local frame's origin a position in metres may be: 100 km covers any
#: district the viewer can show (the camera's own limit is 100 km too).
MAX_LOCAL = 100_000.0


def number(path: Path, key: str, value: Any, low: float, high: float, what: str) -> float:
    """``value`` as a float if it is a finite number within ``low`` .. ``high``.

    Otherwise an InputError: ``{path}: '{key}' is {value}; expected {low} to {high}
    {what}`` (``what`` is the unit, e.g. "metres"). Huge integers are compared before any
    float conversion, so they are an error, not an OverflowError.
    """
    table, _, name = key.rpartition(".")
    spec = Table((Key(name, "number", unit=what, range=(low, high)),))
    return walk({name: value}, spec, path, wording=NumbersAsRead(), label=table)[name]
