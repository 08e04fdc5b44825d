"""The district spec (TOML) as plain dicts, and the property tables features carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

Spec = dict[str, Any]
Props = dict[str, Any]


def load_spec(path: Path) -> Spec:
    """Read the district spec (TOML)."""
    with path.open("rb") as fh:
        return tomllib.load(fh)
