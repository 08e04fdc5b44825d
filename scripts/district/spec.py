"""The district spec (TOML) as plain dicts, and the property tables features carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gwangju_twin.errors import InputError
from gwangju_twin.tomlfile import read_toml

Spec = dict[str, Any]
Props = dict[str, Any]


def load_spec(path: Path) -> Spec:
    """Read the district spec (TOML); a missing or broken file raises InputError with one line
    that names it, as the viewer's own files do."""
    return read_toml(path, InputError, "district spec")
