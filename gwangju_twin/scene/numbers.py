"""Numbers read from scene files: finite, in range, or an error naming the file and the key.

TOML allows ``nan`` and ``inf`` and integers of thousands of digits; none of them may reach
the camera, the meshes or Panda3D, so every number a scene holds is read through ``number``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from gwangju_twin.errors import InputError

#: How far from the local frame's origin a position in metres may be: 100 km covers any
#: district the viewer can show (the camera's own limit is 100 km too).
MAX_LOCAL = 100_000.0


def number(path: Path, key: str, value: Any, low: float, high: float, what: str) -> float:
    """``value`` as a float if it is a finite number within ``low`` .. ``high``.

    Otherwise an InputError: ``{path}: '{key}' is {value}; expected {low} to {high}
    {what}`` (``what`` is the unit, e.g. "metres"). Huge integers are compared before any
    float conversion, so they are an error, not an OverflowError.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{path}: '{key}' is {shown(value)}; expected a number")
    # Comparisons between Python ints and floats are exact, and NaN fails both.
    if not low <= value <= high:
        raise InputError(f"{path}: '{key}' is {shown(value)}; expected {_bound(low)} to "
                         f"{_bound(high)} {what}")
    result = float(value)
    if not math.isfinite(result):  # pragma: no cover - the range test already refuses these
        raise InputError(f"{path}: '{key}' is {shown(value)}; expected a finite number")
    return result


def shown(value: Any) -> str:
    """``value`` for a one-line message: strings quoted, very long integers shortened."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        digits = str(value)
        if len(digits) > 24:
            return f"{digits[:12]}... ({len(digits)} digits)"
        return str(float(value))  # as the value is used: 0 is 0.0
    if isinstance(value, (dict, list)):
        return "a table" if isinstance(value, dict) else "an array"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _bound(value: float) -> str:
    return f"{value:g}"
