"""Where the shipped district, scenes and sample kiosk config are: inside the wheel, or at the
repo root."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_SCENE = "sangmu.toml"
#: How a scene file names what ships with Gwangju Twin, wherever it is installed:
#: ``source = "builtin:sangmu"`` (a district in ``assets``), ``folder = "builtin:plugins"``.
BUILTIN = "builtin:"
#: The shipped folders a scene may name as ``builtin:NAME`` for its plugins folder.
BUILTIN_FOLDERS = ("plugins",)


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


def builtin_districts() -> list[str]:
    """The names of the shipped districts (``builtin:NAME``): the GeoJSON files in assets."""
    return sorted(p.stem for p in data_dir("assets").glob("*.geojson"))


def builtin_district(name: str) -> Path:
    """The shipped district ``name`` ("sangmu" or "sangmu.geojson"); KeyError if none."""
    stem = name.removesuffix(".geojson")
    if stem not in builtin_districts():
        raise KeyError(name)
    return data_dir("assets") / f"{stem}.geojson"


def builtin_folder(name: str) -> Path:
    """The shipped folder ``name`` (one of BUILTIN_FOLDERS); KeyError if none."""
    if name not in BUILTIN_FOLDERS:
        raise KeyError(name)
    return data_dir(name)
