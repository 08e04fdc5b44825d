"""Manifests and discovery: read without importing plugin code; every problem reported."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest
from plugin_builders import NEXT_API, manifest_text, write_plugin

from gwangju_twin.plugins.discovery import (
    ENTRY_POINT_GROUP,
    PluginImportError,
    discover,
    import_plugin,
)
from gwangju_twin.plugins.manifest import API_VERSION, ManifestError, read_manifest


def test_the_built_in_demos_are_found_through_their_entry_points():
    found = {f.id: f for f in discover()}
    for pid, sector in (("gwangju.shuttles", "mobility"), ("gwangju.solar", "energy")):
        assert found[pid].ok, found[pid].reason
        assert found[pid].origin == "entry point"
        assert found[pid].manifest.sector == sector
        assert found[pid].source.startswith("gwangju-twin ")


def test_a_manifest_is_read_and_its_fields_kept(tmp_path):
    folder = write_plugin(tmp_path, "acme.robot-arm", "manufacturing",
                          extra='author = "ACME"')
    m = read_manifest(folder)
    # The kit writes `api_version = 1`, as plugins from before API 1.1 do: it means 1.0.
    assert (m.id, m.sector, m.version, m.api_version, m.entry) == (
        "acme.robot-arm", "manufacturing", "1.0.0", "1.0", "demo:Demo")
    assert (m.title_ko, m.title_en, m.author) == ("시험 acme.robot-arm", "Test acme.robot-arm",
                                                  "ACME")
    assert m.module == "demo" and m.attribute == "Demo"
    assert m.assets_dir == folder.resolve() / "assets"


@pytest.mark.parametrize(("text", "expected"), [
    ("id = 'x'\n", "missing key 'sector'"),
    ('id = "Bad Id"\nsector = "energy"\nversion = "1"\napi_version = 1\nentry = "d:D"\n'
     '[title]\nko = "가"\nen = "a"\n', "'id' is 'Bad Id'"),
    (manifest_text("a.b", "space"), "'sector' is 'space'; expected one of healthcare"),
    (manifest_text("a.b", "energy", entry="demo"), "'entry' is 'demo'"),
    (manifest_text("a.b", "energy").replace("api_version = 1", 'api_version = "one"'),
     "'api_version' is 'one'; expected 1, or \"major.minor\" text such as \"1.1\""),
    (manifest_text("a.b", "energy").replace("api_version = 1", "api_version = 1.1"),
     "'api_version' is 1.1; expected 1, or \"major.minor\" text"),
    (manifest_text("a.b", "energy").replace("api_version = 1", "api_version = 0"),
     "'api_version' is 0; expected 1"),
    (manifest_text("a.b", "energy").replace('en = "Test a.b"', 'en = ""'),
     "'title.en' is ''"),
    ("colour = 'red'\n" + manifest_text("a.b", "energy"), "unknown key 'colour'"),
    (manifest_text("a.b", "energy") + "fr = 'x'\n", "unknown key 'title.fr'"),
    ("id = \n", "not valid TOML"),
    (manifest_text("a.b", "energy", extra='assets = "x\\u0000"'), "'assets' is 'x\\x00'"),
    (manifest_text("a.b", "energy", extra='assets = "../up"'), "'assets' is '../up'"),
])
def test_bad_manifests_name_the_file_and_the_key(tmp_path, text, expected):
    path = tmp_path / "pavilion.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        read_manifest(path)
    assert str(path) in str(err.value) and expected in str(err.value)
    assert "\n" not in str(err.value)


def test_listing_never_imports_plugin_code(tmp_path):
    write_plugin(tmp_path, "loud.plugin", code="raise SystemExit('imported!')\n")
    found = discover([tmp_path], entry_points=[])
    assert [f.status for f in found] == ["ok"]
    assert not any(name.endswith("loud_plugin.demo") for name in sys.modules)


def test_broken_plugins_are_reported_and_the_rest_still_found(tmp_path):
    write_plugin(tmp_path, "good.one")
    write_plugin(tmp_path, "good.one", folder="zz-copy-of-good")  # duplicate id
    write_plugin(tmp_path, "future.api", api_version=NEXT_API)
    write_plugin(tmp_path, "no.module", entry="missing:Demo")
    (tmp_path / "no-manifest").mkdir()
    bad = tmp_path / "bad-manifest"
    bad.mkdir()
    (bad / "pavilion.toml").write_text("id = [", encoding="utf-8")
    by_folder = {Path(f.source).name: f for f in discover([tmp_path], entry_points=[])}
    assert by_folder["good-one"].status == "ok"
    assert by_folder["zz-copy-of-good"].status == "duplicate"
    assert "already taken" in by_folder["zz-copy-of-good"].reason
    assert by_folder["future-api"].status == "unsupported"
    assert f"plugin API {NEXT_API}" in by_folder["future-api"].reason
    assert by_folder["no-module"].status == "error"
    assert "no missing.py" in by_folder["no-module"].reason
    assert by_folder["no-manifest"].status == "error"
    assert by_folder["bad-manifest"].status == "error"
    assert "not valid TOML" in by_folder["bad-manifest"].reason


def test_entry_points_that_point_nowhere_or_disagree_are_reported(tmp_path):
    eps = [
        metadata.EntryPoint("ghost", "no_such_package_xyz:pavilion.toml", ENTRY_POINT_GROUP),
        metadata.EntryPoint("wrong.name", "gwangju_twin.demos.solar:pavilion.toml",
                            ENTRY_POINT_GROUP),
        metadata.EntryPoint("gwangju.solar", "gwangju_twin.demos.solar:pavilion.toml",
                            ENTRY_POINT_GROUP),
    ]
    found = {f.name: f for f in discover([], entry_points=eps)}
    assert found["ghost"].status == "error" and "is not installed" in found["ghost"].reason
    assert found["wrong.name"].status == "error"
    assert "make them the same" in found["wrong.name"].reason
    assert found["gwangju.solar"].ok


def test_drop_in_plugins_import_under_their_own_package(tmp_path):
    a = write_plugin(tmp_path / "a", "first.plugin")
    b = write_plugin(tmp_path / "b", "second.plugin")
    (a / "helpers.py").write_text("WHO = 'first'\n", encoding="utf-8")
    (b / "helpers.py").write_text("WHO = 'second'\n", encoding="utf-8")
    for folder in (a, b):
        code = (folder / "demo.py").read_text(encoding="utf-8")
        (folder / "demo.py").write_text("from . import helpers\n" + code, encoding="utf-8")
    found = discover([tmp_path / "a", tmp_path / "b"], entry_points=[])
    instances = [import_plugin(f) for f in found]
    helpers = [sys.modules[type(i).__module__].helpers.WHO for i in instances]
    assert helpers == ["first", "second"]


@pytest.mark.parametrize(("code", "expected"), [
    ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
    ("X = 1\n", "has no 'Demo'"),
    ("Demo = 3\n", "is not callable"),
    ("class Demo:\n    pass\n", "has none of the hooks"),
    ("class Demo:\n    update = 5\n", "update must be methods"),
])
def test_import_problems_are_plugin_import_errors(tmp_path, code, expected):
    write_plugin(tmp_path, "broken.code", code=code)
    (found,) = discover([tmp_path], entry_points=[])
    with pytest.raises(PluginImportError) as err:
        import_plugin(found)
    assert expected in str(err.value)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('id = "a.b"', 'id = "a.b\\n"', "'id' is 'a.b\\n'"),
    ('version = "1.0.0"', 'version = "1.0.0\\n"', "'version' is '1.0.0\\n'"),
    ('entry = "demo:Demo"', 'entry = "demo:Demo\\n"', "'entry' is 'demo:Demo\\n'"),
])
def test_a_trailing_newline_does_not_pass_a_manifest_check(tmp_path, old, new, expected):
    """The checks match the whole value: a regex "$" alone also matches before a final "\\n"."""
    text = manifest_text("a.b", "energy")
    assert old in text
    path = tmp_path / "pavilion.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        read_manifest(path)
    assert expected in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(("written", "read", "supported"), [
    ("1", "1.0", True), ('"1"', "1.0", True), ('"1.0"', "1.0", True),
    (f'"{API_VERSION}"', API_VERSION, True), ('"1.1"', "1.1", True), ('"1.2"', "1.2", True),
    ('"1.3"', "1.3", False), ("2", "2.0", False),
])
def test_api_version_is_major_minor_text_and_1_means_1_0(tmp_path, written, read, supported):
    path = tmp_path / "pavilion.toml"
    path.write_text(manifest_text("a.b", "energy").replace("api_version = 1",
                                                           f"api_version = {written}"),
                    encoding="utf-8")
    m = read_manifest(path)
    assert (m.api_version, m.supported) == (read, supported)
