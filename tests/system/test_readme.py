"""The README's two commands stay true: CI runs its test command verbatim."""

from __future__ import annotations

import re

from render_helpers import REPO


def _readme_test_command() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- test-command -->\s*```sh\n(.+?)\n```", text, re.S)
    assert match, "README.md lost its marked test command"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.startswith("#")]
    assert commands[-1] == _readme_test_command()


def test_readme_run_command_starts_the_viewer() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install -e . && gwangju-twin\n" in text
    assert "schematic model" in text
