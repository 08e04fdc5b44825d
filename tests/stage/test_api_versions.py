"""API 1.1 and 1.2 are minor versions: a plugin written for API 1 runs unchanged beside one written
for 1.1 or 1.2, and one for an API this host does not have is refused before its code runs."""

from __future__ import annotations

import pytest
from plugin_builders import HEALTHY, NEXT_API, write_plugin

from gwangju_twin.plugins import API_VERSION, SUPPORTED_API_VERSIONS
from gwangju_twin.plugins.testing import run_lifecycle

pytestmark = pytest.mark.render


@pytest.mark.parametrize("api_version", [1, "1", "1.0", "1.1", API_VERSION])
def test_plugins_of_api_1_and_1_1_run_their_whole_lifecycle(tmp_path, api_version):
    folder = write_plugin(tmp_path, "old.demo", "healthcare", HEALTHY, api_version=api_version)
    result = run_lifecycle(folder, seconds=0.5)
    assert result.errors == [], result.errors
    assert result.state == "unloaded"
    assert "Hello" in result.panel_en


def test_the_host_runs_1_0_to_1_2_and_refuses_a_later_major_version(tmp_path):
    # 1.2 added ctx.sun (the scene's clock, read-only).
    assert API_VERSION == "1.2" and SUPPORTED_API_VERSIONS == ("1.0", "1.1", "1.2")
    folder = write_plugin(tmp_path, "next.demo", "healthcare",
                          "raise SystemExit('imported!')\n", api_version=NEXT_API)
    result = run_lifecycle(folder, seconds=0.2)
    assert result.state != "unloaded"
    assert any("written for plugin API 2.0" in e for e in result.errors), result.errors
