"""Scene files (TOML) for tests: a small scene that sets every section, and the default
district framed as the default scene frames it, with one pavilion and its tour stop.

The pure tests read them in process; the system tests give the same files to the command
line, so both halves of a subject share one copy.
"""

from __future__ import annotations

from pathlib import Path

from render_helpers import REPO

#: The default district's GeoJSON, as a scene file names it.
SOURCE = (REPO / "assets" / "sangmu.geojson").as_posix()

GOOD = """
[scene]
name = "test"

[district]
source = "{source}"
level_height = 2.9

[origin]
lon = 126.85
lat = 35.15

[camera]
target = {{ x = 100.0, y = -50.0 }}
heading = 90
pitch = 30.0
distance = 1500

[layers]
area = false
"""

# The default district, framed as the default scene frames it, with one pavilion.
ONE_PAVILION = f"""
[district]
source = "{SOURCE}"

[origin]
lon = 126.8500
lat = 35.1520

[camera]
heading = 40.0
pitch = 30.0
distance = 1800.0
target = {{ x = 0.0, y = 0.0 }}

[plugins]
frame_budget_ms = 4.0

[[pavilion]]
sector = "energy"
at = {{ x = -300.0, y = -600.0 }}
heading = 0.0

[tour]
[[tour.stop]]
pavilion = "energy"
seconds = 20
ko = "에너지"
en = "Energy"
"""


def write_scene(tmp_path: Path, text: str) -> Path:
    """``text`` as ``scene.toml`` in ``tmp_path``."""
    path = tmp_path / "scene.toml"
    path.write_text(text, encoding="utf-8")
    return path


def good_scene(**replace: str) -> str:
    """The text of GOOD on the default district, with each ``old=new`` replaced."""
    text = GOOD.format(source=SOURCE)
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def one_pavilion_scene(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """ONE_PAVILION with its first ``old`` replaced by ``new``, written as ``scene.toml``."""
    assert old in ONE_PAVILION
    path = tmp_path / "scene.toml"
    path.write_text(ONE_PAVILION.replace(old, new, 1), encoding="utf-8")
    return path


def default_scene_text() -> str:
    """The default scene's text with its relative paths made absolute, so that a copy
    written anywhere (and edited with ``str.replace``) loads the same district and plugins."""
    scene = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    scene = scene.replace('"../assets/', f'"{(REPO / "assets").as_posix()}/')
    return scene.replace('"../plugins"', f'"{(REPO / "plugins").as_posix()}"')
