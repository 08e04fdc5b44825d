"""docs/plugins.md shows what the code does: the files `plugins new` writes, what `plugins
check` prints for them, and examples that run as written."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

from plugin_builders import write_plugin
from render_helpers import REPO, run_cli

GUIDE = REPO / "docs" / "plugins.md"


def _section(title: str) -> str:
    """The text of the guide's section headed ``title`` (up to the next heading)."""
    text = GUIDE.read_text(encoding="utf-8")
    return re.split(r"\n#+ ", text.split(f"\n{title}\n", 1)[1], maxsplit=1)[0]


def _blocks(text: str, language: str = "") -> list[str]:
    """The fenced code blocks of ``text`` in ``language`` ("" for plain fences)."""
    blocks: list[tuple[str, list[str]]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            if not inside:
                blocks.append((line[3:].strip(), []))
            inside = not inside
        elif inside:
            blocks[-1][1].append(line)
    return ["\n".join(lines) + "\n" for lang, lines in blocks if lang == language]


def test_the_scaffold_tree_in_the_guide_is_what_plugins_new_writes(tmp_path: Path) -> None:
    out = run_cli("plugins", "new", "robot-arm", "--sector", "manufacturing", "--dir",
                  str(tmp_path))
    assert out.returncode == 0, out.stderr
    root = tmp_path / "robot-arm"
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    tree = next(b for b in _blocks(_section("## Quick start")) if b.startswith("robot-arm/"))
    shown = sorted(line.split("#")[0].strip() for line in tree.splitlines()[1:])
    assert shown == written


def test_the_check_sample_in_the_guide_is_what_check_prints_for_the_scaffold(
        tmp_path: Path) -> None:
    out = run_cli("plugins", "new", "robot-arm", "--sector", "manufacturing", "--dir",
                  str(tmp_path))
    assert out.returncode == 0, out.stderr
    root = tmp_path / "robot-arm"
    checked = run_cli("plugins", "check", ".", cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The guide's reader keeps the project in their home folder.
    real = checked.stdout.replace(str(tmp_path), "/home/me").splitlines()
    sample = next(b for b in _blocks(_section("## Testing and checking"))
                  if b.startswith("checking plugin robot-arm")).splitlines()
    assert sample == real


def test_the_room_example_runs_as_written(tmp_path: Path) -> None:
    """The "Sharing with the room" example names only what it defines (its callbacks get no
    ``ctx``: they keep the hooks' one), and passes the check as a plugin's demo.py."""
    [code] = _blocks(_section("### Sharing with the room"), "python")
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                           "F", "--ignore", "F841", str(tmp_path / "example.py")],
                          capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    folder = write_plugin(tmp_path / "plugins", "room.demo", "healthcare",
                          textwrap.dedent(code), entry="demo:PinBoard")
    out = run_cli("plugins", "check", str(folder), "--seconds", "0.2")
    assert out.returncode == 0, out.stdout + out.stderr
