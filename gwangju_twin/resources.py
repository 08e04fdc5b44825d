"""Where the shipped district, scenes and sample kiosk config are: inside the wheel, or at the
repo root."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_SCENE = "sangmu.toml"


def data_dir(name: str) -> Path:
    """The shipped ``assets`` or ``scenes`` folder.

    A wheel carries them as ``gwangju_twin/_data/<name>``; a source checkout or an editable
    install has them at the repo root next to the package.
    """
    packaged = Path(str(resources.files("gwangju_twin"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def sample_kiosk_config() -> Path:
    """The sample kiosk.toml, every key explained: in the wheel, or ``docs/`` in a checkout."""
    packaged = Path(str(resources.files("gwangju_twin"))) / "_data" / "kiosk.toml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "docs" / "kiosk.toml"


def default_scene_path() -> Path:
    """The scene file of the default Sangmu district."""
    return data_dir("scenes") / DEFAULT_SCENE
