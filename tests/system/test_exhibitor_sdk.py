"""The exhibitor SDK: plugins list / check / new, and a scaffolded plugin really installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from plugin_builders import HEALTHY, NEXT_API, failing, write_plugin
from render_helpers import REPO, run_cli

from gwangju_twin.plugins.manifest import API_VERSION

DEMOS = REPO / "gwangju_twin" / "demos"


def test_list_shows_the_built_in_demos_and_where_they_run():
    out = run_cli("plugins", "list", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    rows = {r["id"]: r for r in doc["plugins"]}
    assert rows["gwangju.shuttles"]["status"] == "ok"
    assert rows["gwangju.shuttles"]["origin"] == "entry point"
    assert rows["gwangju.shuttles"]["pavilion"] == "mobility"
    assert rows["gwangju.solar"]["pavilion"] == "energy"
    # The drop-in example ships as a folder, no packaging.
    assert rows["gwangju.media-facade"]["origin"] == "folder"
    assert rows["gwangju.media-facade"]["pavilion"] == "culture"
    assert doc["missing"] == []
    text = run_cli("plugins", "list")
    assert text.returncode == 0
    assert "gwangju.solar" in text.stdout and "-> pavilion energy" in text.stdout


def test_list_reports_broken_drop_ins_and_missing_plugins(tmp_path):
    plugins = tmp_path / "plugins"
    write_plugin(plugins, "future.demo", api_version=NEXT_API)
    scene = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    scene = scene.replace('"../assets/', f'"{(REPO / "assets").as_posix()}/')
    scene = scene.replace('"../plugins"', '"plugins"')
    scene = scene.replace('plugin = "gwangju.solar"', 'plugin = "not.installed"')
    (tmp_path / "s.toml").write_text(scene, encoding="utf-8")
    out = run_cli("plugins", "list", "--scene", str(tmp_path / "s.toml"))
    assert out.returncode == 0, out.stderr
    assert "future.demo" in out.stdout and "unsupported" in out.stdout
    assert f"written for plugin API {NEXT_API}" in out.stdout
    assert "not.installed" in out.stdout and "missing: pavilion energy names it" in out.stdout


@pytest.mark.parametrize("folder", [DEMOS / "shuttles", DEMOS / "solar",
                                    REPO / "plugins" / "media-facade"])
def test_check_passes_the_reference_demos(folder):
    out = run_cli("plugins", "check", str(folder))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "passed every check" in out.stdout
    assert "FAIL" not in out.stdout


def test_check_finds_an_installed_plugin_by_id():
    out = run_cli("plugins", "check", "gwangju.solar", "--seconds", "0.5")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "(entry point gwangju-twin" in out.stdout


@pytest.mark.parametrize(("hook", "expected"), [
    ("import", "FAIL import: importing 'demo' of plugin 'bad.demo' failed: RuntimeError"),
    ("load", "FAIL dry run in pavilion healthcare: load: RuntimeError: boom in load"),
    ("update", "FAIL dry run in pavilion healthcare: update: RuntimeError: boom in update"),
    ("exit", "FAIL dry run in pavilion healthcare: exit: RuntimeError: boom in exit"),
])
def test_check_fails_a_plugin_that_raises(tmp_path, hook, expected):
    folder = write_plugin(tmp_path, "bad.demo", "healthcare", failing(hook))
    out = run_cli("plugins", "check", str(folder))
    assert out.returncode == 2
    assert expected in out.stdout, out.stdout
    assert "failed 1 check(s)" in out.stderr
    # The exhibitor sees where it broke, under the FAIL line: their own file's line.
    after = out.stdout.split(expected, 1)[1]
    assert "       Traceback (most recent call last):" in after, out.stdout
    assert 'demo.py", line' in after and f"boom {'at' if hook == 'import' else 'in'} {hook}" \
        in after, out.stdout
    if hook == "import":  # the plugin's frames, not the import machinery's
        assert "importlib" not in after, out.stdout


def test_check_refuses_an_unsupported_api_version_without_importing(tmp_path):
    folder = write_plugin(tmp_path, "future.demo", code="raise SystemExit('imported!')\n",
                          api_version=NEXT_API)
    out = run_cli("plugins", "check", str(folder))
    assert out.returncode == 2
    assert f"FAIL api_version {NEXT_API}: written for plugin API" in out.stdout
    assert "imported!" not in out.stdout + out.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["check", "no/such/folder"], "no such folder, and no installed plugin has that id"),
    (["new", "Bad_Name", "--sector", "energy"], "plugin name 'Bad_Name': expected"),
    (["new", "good-name", "--sector", "space"], "argument --sector: invalid choice: 'space'"),
    (["new", "good-name", "--sector", "energy", "--dir", "README.md"], "not a folder"),
    (["new", "acme..xray", "--sector", "energy"], "plugin name 'acme..xray': expected"),
    (["new", "acme.xray\n", "--sector", "energy"], "plugin name 'acme.xray\\n': expected"),
    (["new", "class", "--sector", "energy"], "'class' is a Python keyword"),
    (["list", "--scene", "README.md"], "expected a scene .toml file"),
])
def test_sdk_mistakes_are_one_line_errors(args, expected):
    out = run_cli("plugins", *args)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and expected in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def test_check_reports_a_bad_manifest(tmp_path):
    folder = write_plugin(tmp_path, "bad.demo", "healthcare", HEALTHY)
    (folder / "pavilion.toml").write_text('id = "bad.demo"\n', encoding="utf-8")
    out = run_cli("plugins", "check", str(folder))
    assert out.returncode == 2
    assert "FAIL manifest:" in out.stdout and "missing key 'sector'" in out.stdout


@pytest.fixture
def installed_scaffold(tmp_path):
    """`plugins new` a plugin, pip-install it into this environment, uninstall afterwards."""
    out = run_cli("plugins", "new", "lantern-demo", "--sector", "culture", "--dir",
                  str(tmp_path))
    assert out.returncode == 0, out.stderr
    root = tmp_path / "lantern-demo"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    # No build isolation and no dependency resolution: hatchling (a test extra) and
    # gwangju-twin are already here, so the install needs no network.
    done = subprocess.run([*pip, "install", "--no-build-isolation", "--no-deps", str(root)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        yield root
    finally:
        subprocess.run([*pip, "uninstall", "-y", "lantern-demo"], capture_output=True,
                       timeout=300)


def test_a_scaffolded_plugin_installs_is_discovered_and_runs_in_its_pavilion(
        installed_scaffold, tmp_path):
    root = installed_scaffold
    for rel in ("pyproject.toml", "README.md", "tests/test_demo.py",
                "src/lantern_demo/pavilion.toml", "src/lantern_demo/demo.py"):
        assert (root / rel).is_file(), rel
    listed = json.loads(run_cli("plugins", "list", "--json").stdout)
    row = next(r for r in listed["plugins"] if r["id"] == "lantern-demo")
    assert (row["status"], row["origin"], row["sector"]) == ("ok", "entry point", "culture")
    assert row["source"] == "lantern-demo 0.1.0"  # the installed distribution, not a folder
    out = run_cli("render", "--enter", "culture", "--plugin", "lantern-demo", "--seconds", "1",
                  "--size", "480x270", "--out", str(tmp_path / "lantern.png"))
    assert out.returncode == 0, out.stderr
    assert "pavilion culture: plugin lantern-demo loaded, visitor inside" in out.stdout
    assert (tmp_path / "lantern.png").stat().st_size > 10_000
    checked = run_cli("plugins", "check", "lantern-demo")
    assert checked.returncode == 0, checked.stdout
    # The scaffold's own tests pass as generated.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(root / "tests")], capture_output=True, text=True, cwd=root,
                           env=env, timeout=300)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "2 passed" in tests.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (["--enter", "energy", "--plugin", "gwangju.shuttles"],
     "--plugin gwangju.shuttles is for the mobility sector, but --enter energy is the energy"),
    (["--plugin", "no.such.plugin"], "--plugin no.such.plugin: no plugin with that id"),
    (["--enter", "moon"], "--enter moon: expected a pavilion id of the scene"),
    (["--view", "moon"], "view 'moon': expected start, pavilions or a pavilion id"),
    (["--seconds", "-1", "--enter", "energy"], "--seconds -1: expected 0 to 600"),
])
def test_render_expo_options_are_validated(tmp_path, args, expected):
    out = run_cli("render", *args, "--out", str(tmp_path / "x.png"))
    assert out.returncode == 2
    assert expected in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert not (tmp_path / "x.png").exists()


def _scene_with_plugins_folder(tmp_path):
    """The default scene with its plugins folder moved to tmp_path/plugins (which holds a
    copy of the shipped drop-in example)."""
    import shutil

    plugins = tmp_path / "plugins"
    shutil.copytree(REPO / "plugins" / "media-facade", plugins / "media-facade")
    scene = (REPO / "scenes" / "sangmu.toml").read_text(encoding="utf-8")
    scene = scene.replace('"../assets/', f'"{(REPO / "assets").as_posix()}/')
    scene = scene.replace('"../plugins"', '"plugins"')
    (tmp_path / "s.toml").write_text(scene, encoding="utf-8")
    return tmp_path / "s.toml", plugins


def test_one_deeply_nested_manifest_is_that_plugins_error_only(tmp_path):
    scene, plugins = _scene_with_plugins_folder(tmp_path)
    (plugins / "deep").mkdir()
    (plugins / "deep" / "pavilion.toml").write_text("id = " + "[" * 50_000 + "]" * 50_000,
                                                     encoding="utf-8")
    out = run_cli("plugins", "list", "--scene", str(scene), "--json")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
    rows = {r["id"]: r for r in json.loads(out.stdout)["plugins"]}
    assert rows["deep"]["status"] == "error" and "nested too deeply" in rows["deep"]["reason"]
    assert rows["gwangju.media-facade"]["status"] == "ok"
    assert rows["gwangju.media-facade"]["pavilion"] == "culture"
    assert rows["gwangju.solar"]["status"] == "ok"
    # The whole scene still renders, the good drop-in running in its pavilion.
    png = tmp_path / "x.png"
    out = run_cli("render", str(scene), "--enter", "culture", "--seconds", "0.5",
                  "--size", "320x180", "--out", str(png))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "plugin gwangju.media-facade loaded" in out.stdout, out.stdout
    assert png.stat().st_size > 1000


@pytest.fixture
def installed_dotted_scaffold(tmp_path):
    """`plugins new acme.xray` into a --dir that does not exist yet, its manifest version
    bumped without the pyproject's (an exhibitor's easy slip), pip-installed here."""
    parent = tmp_path / "not" / "yet"
    out = run_cli("plugins", "new", "acme.xray", "--sector", "healthcare", "--dir", str(parent))
    assert out.returncode == 0, out.stderr
    root = parent / "acme.xray"
    manifest = root / "src" / "acme_xray" / "pavilion.toml"
    text = manifest.read_text(encoding="utf-8")
    assert 'version = "0.1.0"' in text
    manifest.write_text(text.replace('version = "0.1.0"', 'version = "0.2.0"'),
                        encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    done = subprocess.run([*pip, "install", "--no-build-isolation", "--no-deps", str(root)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        yield root, out.stdout
    finally:
        subprocess.run([*pip, "uninstall", "-y", "acme.xray"], capture_output=True,
                       timeout=300)


def test_a_dotted_plugin_id_scaffolds_installs_and_warns_of_two_versions(
        installed_dotted_scaffold):
    root, created = installed_dotted_scaffold
    assert created.startswith(f"created {root} ")
    from gwangju_twin.plugins.manifest import read_manifest

    m = read_manifest(root / "src" / "acme_xray")
    assert m.id == "acme.xray" and m.title_en == "Acme Xray"
    assert m.api_version == API_VERSION and m.supported  # scaffolds are for the newest API
    # The Korean title is Korean: the sector's name, not the English title again.
    assert m.title_ko == "의료헬스케어 데모" and m.title_ko != m.title_en
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "example.invalid" not in readme and "](http" not in readme
    listed = run_cli("plugins", "list", "--json")
    row = next(r for r in json.loads(listed.stdout)["plugins"] if r["id"] == "acme.xray")
    assert (row["status"], row["origin"], row["version"]) == ("ok", "entry point", "0.2.0")
    assert row["distribution_version"] == "0.1.0"
    assert row["warning"].startswith("version 0.2.0 in pavilion.toml differs from the "
                                     "installed distribution's 0.1.0")
    text = run_cli("plugins", "list")
    assert "      warning: version 0.2.0 in pavilion.toml differs" in text.stdout
    # A plugin whose versions agree carries no warning.
    solar = next(r for r in json.loads(listed.stdout)["plugins"] if r["id"] == "gwangju.solar")
    assert solar["warning"] == ""
    checked = run_cli("plugins", "check", "acme.xray", "--seconds", "0.5")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_quick_start_installs_the_test_extra_the_scaffold_tests_need(tmp_path):
    """`pytest` after `pip install -e .` fails on a fresh environment: pytest is in the
    scaffold's `test` extra, so every install line newcomers copy names that extra."""
    out = run_cli("plugins", "new", "robot-arm", "--sector", "manufacturing", "--dir",
                  str(tmp_path))
    assert out.returncode == 0, out.stderr
    import tomllib

    project = tomllib.loads((tmp_path / "robot-arm" / "pyproject.toml").read_text("utf-8"))
    assert any(d.startswith("pytest") for d in project["project"]["optional-dependencies"]
               ["test"])
    readme = (tmp_path / "robot-arm" / "README.md").read_text(encoding="utf-8")
    guide = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    quick = guide.split("## Quick start", 1)[1].split("##", 1)[0]
    for where, text in (("the next hint", out.stdout), ("the README", readme),
                        ("the quick start", quick)):
        installs = [line for line in text.splitlines() if "pip install" in line]
        assert installs, where
        assert all('pip install -e ".[test]"' in line for line in installs), (where, installs)
        assert "pytest" in text, where


SLOW_UPDATE = HEALTHY + """

import time


class Demo(Demo):
    def update(self, ctx, dt):
        super().update(ctx, dt)
        self.calls = getattr(self, "calls", 0) + 1
        ctx.panel.set_line("calls", f"{self.calls}", f"calls {self.calls}")
        start = time.perf_counter()
        while time.perf_counter() - start < 0.012:  # three times the 4 ms budget
            pass
"""


def test_check_counts_update_calls_and_warns_of_overruns(tmp_path):
    """A plugin over its frame budget on every frame is throttled by the host: check says
    how many times update really ran and warns, without failing (docs: Frame budget)."""
    folder = write_plugin(tmp_path, "slow.demo", "healthcare", SLOW_UPDATE)
    out = run_cli("plugins", "check", str(folder), "--seconds", "2")
    assert out.returncode == 0, out.stdout + out.stderr
    dry = next(line for line in out.stdout.splitlines() if "ok   dry run" in line)
    calls = int(dry.split("enter, ", 1)[1].split(" update calls in 60 frames")[0])
    assert 0 < calls < 60, dry  # throttled: fewer calls than frames
    assert (f"  WARN update overran its 4 ms frame budget in {calls} of {calls} calls; the "
            "viewer ended up calling it every ") in out.stdout, out.stdout
    assert "keeps overrunning its 4.0 ms frame budget" in out.stdout
    assert "passed every check, with 1 warning(s)" in out.stdout
    healthy = run_cli("plugins", "check", str(write_plugin(tmp_path, "quick.demo")),
                      "--seconds", "1")
    assert "enter, 30 update calls in 30 frames, exit" in healthy.stdout, healthy.stdout
    assert "WARN" not in healthy.stdout


WARNS = HEALTHY + """

class Demo(Demo):
    def load(self, ctx):
        super().load(ctx)
        ctx.log.warning("sensor feed missing, showing sample data")
        ctx.log.info("loaded quietly")
"""


@pytest.mark.parametrize("verbose", [False, True])
def test_check_shows_the_plugins_warnings_by_default_and_info_with_v(tmp_path, verbose):
    folder = write_plugin(tmp_path, "warns.demo", "healthcare", WARNS)
    out = run_cli("plugins", "check", str(folder), "--seconds", "0.2",
                  *(["-v"] if verbose else []))
    assert out.returncode == 0, out.stdout + out.stderr
    assert ("gwangju-twin: gwangju_twin.plugin.warns.demo: sensor feed missing, showing "
            "sample data") in out.stderr, out.stderr
    assert ("gwangju_twin.plugin.warns.demo: loaded quietly" in out.stderr) == verbose
