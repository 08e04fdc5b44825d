"""`plugins new`: the scaffold is an API 1.1 plugin, takes dotted ids, titles itself in
Korean in Korean, and tells how to install its test extra."""

from __future__ import annotations

import re

import pytest

from gwangju_twin.errors import InputError
from gwangju_twin.plugins.manifest import API_VERSION, read_manifest
from gwangju_twin.plugins.scaffold import scaffold

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_a_dotted_id_scaffolds_an_api_1_1_plugin(tmp_path):
    root = scaffold("acme.robot-arm", "manufacturing", tmp_path)
    assert root == tmp_path / "acme.robot-arm"
    m = read_manifest(root / "src" / "acme_robot_arm")
    assert (m.id, m.sector, m.api_version, m.supported) == (
        "acme.robot-arm", "manufacturing", API_VERSION, True)
    assert f'api_version = "{API_VERSION}"' in (m.path.read_text(encoding="utf-8"))
    assert m.title_en == "Acme Robot Arm"
    assert HANGUL.search(m.title_ko) and "Robot" not in m.title_ko
    assert HANGUL.search(m.description_ko)


def test_the_scaffold_says_to_install_the_test_extra(tmp_path):
    root = scaffold("robot-arm", "education", tmp_path)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]"' in readme
    assert "pytest" in (root / "pyproject.toml").read_text(encoding="utf-8")
    assert f"plugin API {API_VERSION}" in readme


@pytest.mark.parametrize("name", ["Acme.Robot", "acme..arm", "-arm", "a", "acme.robot_arm"])
def test_names_that_are_not_ids_are_refused(tmp_path, name):
    with pytest.raises(InputError, match="expected 2-64 characters"):
        scaffold(name, "energy", tmp_path)
