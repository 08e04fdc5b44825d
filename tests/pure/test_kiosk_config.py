"""The kiosk configuration file: defaults, the documented sample, and every way a key can be
wrong (one InputError line naming the file and the key)."""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs
import pytest
from render_helpers import REPO, panda3d_loaded_by

from gwangju_twin.errors import InputError
from gwangju_twin.kiosk import config as kiosk_config
from gwangju_twin.kiosk.config import (
    BUILT_IN_DEMOS,
    AllowedPlugin,
    KioskConfig,
    load_kiosk_config,
    parse_kiosk_config,
)
from gwangju_twin.kiosk.pin import PUBLISHED_HASHES, STRENGTH_RANGE, hash_pin
from gwangju_twin.plugins import manifest

SAMPLE = REPO / "docs" / "kiosk.toml"
# The weakest hash a config accepts: quick to make and check.
PIN_HASH = hash_pin("2468", iterations=STRENGTH_RANGE[0])


def write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    c = load_kiosk_config(None)
    assert c == KioskConfig()
    assert c.path is None and c.scene is None and c.safe_scene is None and c.pin_hash is None
    assert c.language == "ko" and c.size == (1920, 1080) and c.fullscreen
    assert (c.hide_cursor_after, c.attract_after, c.reset_after, c.countdown) == (2, 60, 90, 10)
    assert c.attract_dwell == 12 and c.corner == "top-left" and c.hold_seconds == 3
    assert (c.heartbeat_timeout, c.restart_delay, c.max_crashes) == (10, 1, 3)
    assert c.crash_window_minutes == 10 and c.crash_window == 600
    assert (c.log_max_bytes, c.log_backups) == (1_000_000, 5)
    assert c.log_folder == platformdirs.user_log_path("gwangju-twin", appauthor=False) / "kiosk"
    assert c.database == (platformdirs.user_data_path("gwangju-twin", appauthor=False)
                          / "kiosk-visits.sqlite3")
    assert c.allow == (AllowedPlugin("gwangju.civic"), AllowedPlugin("gwangju.education"),
                       AllowedPlugin("gwangju.healthcare"), AllowedPlugin("gwangju.manufacturing"),
                       AllowedPlugin("gwangju.media-facade"), AllowedPlugin("gwangju.shuttles"),
                       AllowedPlugin("gwangju.solar"))


def test_built_in_demos_are_the_shipped_demos() -> None:
    shipped = [*(REPO / "gwangju_twin" / "demos").glob("*/pavilion.toml"),
               *(REPO / "plugins").glob("*/pavilion.toml")]
    ids = {manifest.read_manifest(p).id for p in shipped}
    assert ids == set(BUILT_IN_DEMOS)


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert load_kiosk_config(path) == KioskConfig(path=path)


def test_the_documented_sample_loads() -> None:
    c = load_kiosk_config(SAMPLE)
    defaults = KioskConfig()
    assert c.path == SAMPLE
    # The sample shows the defaults, and no PIN: a sample must carry no live secret.
    for name in KioskConfig.__dataclass_fields__:
        if name != "path":
            assert getattr(c, name) == getattr(defaults, name), name
    assert c.pin_hash is None


def test_the_sample_mentions_every_key() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    for table in kiosk_config.KIOSK.keys:
        assert f"\n[{table.name}]\n" in text, table.name
        for key in table.table.keys:
            assert re.search(rf"^(# )?{key.name} = ", text, re.MULTILINE), key.name
    # The ones left out are the ones whose default is a place, not a value, and the PIN
    # hash and the room's token: a sample carries no live secret; and the room to join, since
    # a booth tours alone unless told otherwise.
    commented = re.findall(r"^# (\w+) = ", text, re.MULTILINE)
    assert sorted(commented) == ["booth", "database", "folder", "join", "pin_hash",
                                 "safe_scene", "scene", "token"]


def test_a_full_config_is_read(tmp_path: Path) -> None:
    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "booth.toml").write_text("", encoding="utf-8")
    (tmp_path / "safe.toml").write_text("", encoding="utf-8")
    path = write(tmp_path, f"""
[kiosk]
scene = "scenes/booth.toml"
language = "en"
[display]
size = "1280x720"
fullscreen = false
hide_cursor_after = 5
[timing]
attract_after = 30
reset_after = 45.5
countdown = 5
[attract]
dwell_seconds = 8
[operator]
pin_hash = "{PIN_HASH}"
corner = "bottom-right"
hold_seconds = 4
[watchdog]
heartbeat_timeout = 20
restart_delay = 0
max_crashes = 5
crash_window_minutes = 30
safe_scene = "safe.toml"
[logs]
folder = "logs"
max_bytes = 20000
backups = 2
[analytics]
database = "data/visits.sqlite3"
[plugins]
allow = ["gwangju.solar==1.0.0", "acme.robot-arm"]
""")
    c = load_kiosk_config(path)
    assert c.scene == (tmp_path / "scenes" / "booth.toml").resolve()
    assert c.safe_scene == (tmp_path / "safe.toml").resolve()
    assert c.log_folder == (tmp_path / "logs").resolve()
    assert c.database == (tmp_path / "data" / "visits.sqlite3").resolve()
    assert c.language == "en" and c.size == (1280, 720) and not c.fullscreen
    assert c.hide_cursor_after == 5.0 and isinstance(c.hide_cursor_after, float)
    assert (c.attract_after, c.reset_after, c.countdown, c.attract_dwell) == (30, 45.5, 5, 8)
    assert c.pin_hash == PIN_HASH and c.corner == "bottom-right" and c.hold_seconds == 4
    assert (c.heartbeat_timeout, c.restart_delay, c.max_crashes) == (20, 0, 5)
    assert c.crash_window == 1800
    assert (c.log_max_bytes, c.log_backups) == (20000, 2)
    assert c.allow == (AllowedPlugin("gwangju.solar", "1.0.0"), AllowedPlugin("acme.robot-arm"))


def test_paths_resolve_against_the_config_folder_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    booth = tmp_path / "booth"
    booth.mkdir()
    (booth / "scene.toml").write_text("", encoding="utf-8")
    path = write(booth, '[kiosk]\nscene = "scene.toml"\n[logs]\nfolder = "../logs"\n')
    monkeypatch.chdir(REPO)
    c = load_kiosk_config(path)
    assert c.scene == (booth / "scene.toml").resolve()
    assert c.log_folder == (tmp_path / "logs").resolve()


def test_absolute_and_home_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "s.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    other = tmp_path / "elsewhere"
    path = write(tmp_path, f'[kiosk]\nscene = "~/s.toml"\n[analytics]\ndatabase = "{other}/v.db"\n')
    c = load_kiosk_config(path)
    assert c.scene == (home / "s.toml").resolve()
    assert c.database == (other / "v.db").resolve()


def test_allow_pins_exact_versions() -> None:
    pinned = AllowedPlugin("gwangju.solar", "1.0.0")
    assert pinned.admits("gwangju.solar", "1.0.0")
    assert not pinned.admits("gwangju.solar", "1.0.1")
    assert not pinned.admits("gwangju.shuttles", "1.0.0")
    assert str(pinned) == "gwangju.solar==1.0.0"
    anyversion = AllowedPlugin("gwangju.solar")
    assert anyversion.admits("gwangju.solar", "9.9") and str(anyversion) == "gwangju.solar"
    c = KioskConfig(allow=(pinned, AllowedPlugin("acme.arm")))
    assert c.allows("gwangju.solar", "1.0.0") and c.allows("acme.arm", "0.1")
    assert not c.allows("gwangju.solar", "2.0.0") and not c.allows("gwangju.shuttles", "1.0.0")
    assert KioskConfig().allows("gwangju.shuttles", "3.0")


def test_an_empty_allow_list_allows_nothing(tmp_path: Path) -> None:
    c = load_kiosk_config(write(tmp_path, "[plugins]\nallow = []\n"))
    assert c.allow == ()
    assert not c.allows("gwangju.solar", "1.0.0")


def test_allow_patterns_match_the_manifest() -> None:
    assert kiosk_config._ID.pattern == manifest._ID.pattern
    assert kiosk_config._VERSION.pattern == manifest._VERSION.pattern


@pytest.mark.parametrize("size, expected", [
    ("320x240", (320, 240)), ("7680x4320", (7680, 4320)), ("1024X768", (1024, 768)),
    (" 800 x 600 ", (800, 600)),
])
def test_good_sizes(tmp_path: Path, size: str, expected: tuple[int, int]) -> None:
    assert load_kiosk_config(write(tmp_path, f'[display]\nsize = "{size}"\n')).size == expected


# Each: the TOML body, then the words the one-line error must hold (the file name is checked
# for all of them).
BAD = [
    # unknown tables and keys
    ('[kiosks]\nlanguage = "en"\n', ["unknown table [kiosks]", "[kiosk], [display]"]),
    ('[timing]\natract_after = 10\n',
     ["unknown key [timing] atract_after",
      "expected one of attract_after, reset_after, countdown"]),
    ('[attract]\ndwell = 10\n', ["unknown key [attract] dwell", "dwell_seconds"]),
    ('[operator]\npin = "2468"\n', ["unknown key [operator] pin", "pin_hash"]),
    ('language = "en"\n', ["key language is outside any table", "under [kiosk]"]),
    ('colour = "red"\n', ["key colour is outside any table", "[kiosk]"]),
    ('kiosk = "x"\n', ["kiosk is \"x\"", "expected a table [kiosk]"]),
    ('[[kiosk]]\nlanguage = "en"\n', ["kiosk is an array", "expected a table [kiosk]"]),
    # [kiosk]
    ('[kiosk]\nlanguage = "fr"\n', ['[kiosk] language is "fr"', '"ko" or "en"']),
    ('[kiosk]\nlanguage = "KO"\n', ["[kiosk] language", '"ko" or "en"']),
    ('[kiosk]\nlanguage = 1\n', ["[kiosk] language is 1"]),
    ('[kiosk]\nscene = 3\n', ["[kiosk] scene is 3", "a path as text"]),
    ('[kiosk]\nscene = ""\n', ["[kiosk] scene", "a path as text"]),
    ('[kiosk]\nscene = "missing.toml"\n', ["[kiosk] scene", "missing.toml",
                                            "expected an existing scene file"]),
    ('[kiosk]\nscene = "."\n', ["[kiosk] scene", "not a file"]),
    # [display]
    ('[display]\nsize = "1920*1080"\n', ['[display] size is "1920*1080"', "WIDTHxHEIGHT"]),
    ('[display]\nsize = "1920x"\n', ["[display] size", "WIDTHxHEIGHT"]),
    ('[display]\nsize = "big"\n', ["[display] size", "WIDTHxHEIGHT"]),
    ('[display]\nsize = "319x240"\n', ["[display] size", "320 to 7680"]),
    ('[display]\nsize = "7681x1080"\n', ["[display] size", "320 to 7680"]),
    ('[display]\nsize = "1920x239"\n', ["[display] size", "240 to 4320"]),
    ('[display]\nsize = "1920x4321"\n', ["[display] size", "240 to 4320"]),
    ('[display]\nsize = "-1920x1080"\n', ["[display] size"]),
    ('[display]\nsize = "1920.5x1080"\n', ["[display] size"]),
    ('[display]\nsize = [1920, 1080]\n', ["[display] size is an array", "WIDTHxHEIGHT"]),
    ('[display]\nsize = 1920\n', ["[display] size is 1920"]),
    ('[display]\nfullscreen = "yes"\n', ['[display] fullscreen is "yes"', "true or false"]),
    ('[display]\nfullscreen = 1\n', ["[display] fullscreen is 1", "true or false"]),
    ('[display]\nhide_cursor_after = 0.4\n', ["[display] hide_cursor_after is 0.4",
                                               "seconds from 0.5 to 60"]),
    ('[display]\nhide_cursor_after = 61\n', ["[display] hide_cursor_after is 61"]),
    ('[display]\nhide_cursor_after = true\n', ["[display] hide_cursor_after is true"]),
    # [timing]
    ('[timing]\nattract_after = "soon"\n',
     ['[timing] attract_after is "soon"; expected seconds from 5 to 3600']),
    ('[timing]\nattract_after = 4.9\n', ["[timing] attract_after is 4.9", "5 to 3600"]),
    ('[timing]\nattract_after = 3601\n', ["[timing] attract_after is 3601"]),
    ('[timing]\nattract_after = true\n', ["[timing] attract_after is true"]),
    ('[timing]\nattract_after = nan\n', ["[timing] attract_after is nan"]),
    ('[timing]\nattract_after = inf\n', ["[timing] attract_after is inf"]),
    ('[timing]\nreset_after = 9\n', ["[timing] reset_after is 9", "10 to 3600"]),
    ('[timing]\nreset_after = [90]\n', ["[timing] reset_after is an array"]),
    ('[timing]\ncountdown = 10.5\n', ["[timing] countdown is 10.5", "whole number",
                                       "3 to 60"]),
    ('[timing]\ncountdown = 2\n', ["[timing] countdown is 2"]),
    ('[timing]\ncountdown = 61\n', ["[timing] countdown is 61"]),
    ('[timing]\ncountdown = "10"\n', ['[timing] countdown is "10"']),
    ('[timing]\ncountdown = false\n', ["[timing] countdown is false"]),
    # [attract]
    ('[attract]\ndwell_seconds = 2\n', ["[attract] dwell_seconds is 2", "3 to 120"]),
    ('[attract]\ndwell_seconds = 121\n', ["[attract] dwell_seconds is 121"]),
    ('[attract]\ndwell_seconds = {a = 1}\n', ["[attract] dwell_seconds is a table"]),
    # [kiosk] booth
    ('[kiosk]\nbooth = ""\n', ['[kiosk] booth is ""', "a booth id"]),
    ('[kiosk]\nbooth = "hall\\u001b[2J"\n', ["[kiosk] booth is", "a booth id"]),
    ('[kiosk]\nbooth = "hall a"\n', ['[kiosk] booth is "hall a"']),
    ('[kiosk]\nbooth = "hall-a\\n"\n', ["[kiosk] booth is", "a booth id"]),
    ('[kiosk]\nbooth = 7\n', ["[kiosk] booth is 7"]),
    # [operator]
    ('[operator]\ncorner = "centre"\n', ['[operator] corner is "centre"', '"top-left"',
                                          '"bottom-right"']),
    ('[operator]\ncorner = "top left"\n', ["[operator] corner"]),
    ('[operator]\nhold_seconds = 0.5\n', ["[operator] hold_seconds is 0.5", "1 to 10"]),
    ('[operator]\nhold_seconds = 11\n', ["[operator] hold_seconds is 11"]),
    ('[operator]\npin_hash = "nonsense"\n', ["[operator] pin_hash is not a PIN hash",
                                              "gwangju-twin kiosk pin"]),
    ('[operator]\npin_hash = ""\n', ["[operator] pin_hash", "gwangju-twin kiosk pin"]),
    ('[operator]\npin_hash = true\n', ["[operator] pin_hash is true or false",
                                        "gwangju-twin kiosk pin"]),
    ('[operator]\npin_hash = "pbkdf2_sha256$1000$c2FsdA$AAAA"\n',
     ["[operator] pin_hash is not a PIN hash", "gwangju-twin kiosk pin"]),
    ('[operator]\npin_hash = " ' + PIN_HASH + '"\n', ["[operator] pin_hash is not a PIN hash"]),
    # [watchdog]
    ('[watchdog]\nheartbeat_timeout = 1\n', ["[watchdog] heartbeat_timeout is 1", "2 to 300"]),
    ('[watchdog]\nheartbeat_timeout = 301\n', ["[watchdog] heartbeat_timeout is 301"]),
    ('[watchdog]\nrestart_delay = 4.5\n', ["[watchdog] restart_delay is 4.5", "0 to 4"]),
    ('[watchdog]\nrestart_delay = -1\n', ["[watchdog] restart_delay is -1"]),
    ('[watchdog]\nmax_crashes = 0\n', ["[watchdog] max_crashes is 0", "1 to 100"]),
    ('[watchdog]\nmax_crashes = 101\n', ["[watchdog] max_crashes is 101"]),
    ('[watchdog]\nmax_crashes = 3.0\n', ["[watchdog] max_crashes is 3.0", "whole number"]),
    ('[watchdog]\ncrash_window_minutes = 0.5\n', ["[watchdog] crash_window_minutes is 0.5",
                                                   "minutes from 1 to 1440"]),
    ('[watchdog]\ncrash_window_minutes = 1441\n', ["[watchdog] crash_window_minutes is 1441"]),
    ('[watchdog]\nsafe_scene = "nowhere.toml"\n', ["[watchdog] safe_scene", "nowhere.toml",
                                                    "expected an existing scene file"]),
    ('[watchdog]\nsafe_scene = false\n', ["[watchdog] safe_scene is false"]),
    # [logs]
    ('[logs]\nfolder = 5\n', ["[logs] folder is 5", "a path as text"]),
    ('[logs]\nfolder = "kiosk.toml"\n', ["[logs] folder", "is a file", "expected a folder"]),
    ('[logs]\nmax_bytes = 9999\n', ["[logs] max_bytes is 9999", "10000 to 100000000"]),
    ('[logs]\nmax_bytes = 100000001\n', ["[logs] max_bytes is 100000001"]),
    ('[logs]\nmax_bytes = 1e6\n', ["[logs] max_bytes is 1000000.0", "whole number"]),
    ('[logs]\nbackups = 0\n', ["[logs] backups is 0", "1 to 50"]),
    ('[logs]\nbackups = 51\n', ["[logs] backups is 51"]),
    # [analytics]
    ('[analytics]\ndatabase = 1\n', ["[analytics] database is 1", "a path as text"]),
    ('[analytics]\ndatabase = "."\n', ["[analytics] database", "is a folder"]),
    ('[analytics]\ndatabase = "~no_such_user_here/v.db"\n', ["[analytics] database"]),
    ('[analytics]\nfile = "v.db"\n', ["unknown key [analytics] file", "database"]),
    # [plugins]
    ('[plugins]\nallow = "gwangju.solar"\n', ['[plugins] allow is "gwangju.solar"',
                                               "an array of plugin ids"]),
    ('[plugins]\nallow = [1]\n', ["[plugins] allow entry 1 is not text"]),
    ('[plugins]\nallow = ["Gwangju.Solar"]\n', ['[plugins] allow entry "Gwangju.Solar"',
                                                 "not a plugin id"]),
    ('[plugins]\nallow = [""]\n', ['[plugins] allow entry ""', "not a plugin id"]),
    ('[plugins]\nallow = ["gwangju solar"]\n', ["[plugins] allow entry", "not a plugin id"]),
    ('[plugins]\nallow = ["gwangju.solar=="]\n', ["[plugins] allow entry", "pins the version",
                                                   '"1.0.0"']),
    ('[plugins]\nallow = ["gwangju.solar==latest"]\n', ['pins the version "latest"']),
    ('[plugins]\nallow = ["gwangju.solar==1.0==2"]\n', ["pins the version"]),
    ('[plugins]\nallow = ["gwangju.solar>=1.0"]\n', ["[plugins] allow entry",
                                                      "is a version range"]),
    ('[plugins]\nallow = ["gwangju.solar~=1.0"]\n', ["is a version range"]),
    ('[plugins]\nallow = ["==1.0.0"]\n', ["not a plugin id"]),
    ('[plugins]\nallow = ["gwangju.solar", "gwangju.solar==1.0.0"]\n',
     ['[plugins] allow lists "gwangju.solar" more than once']),
    ('[plugins]\nallow = ["a.b", "c.d", "a.b"]\n', ['[plugins] allow lists "a.b" more than once']),
    ('[plugins]\nallowed = []\n', ["unknown key [plugins] allowed; expected one of allow"]),
    ('[plugins]\nallow = ["gwangju.solar"]\nassign = { "acme.xray" = "" }\n',
     ["[plugins] assign names acme.xray, which [plugins] allow does not list",
      'add "acme.xray" there, or drop the assignment']),
    ('[plugins]\nassign = { "acme.xray" = "energy" }\n',  # the default list: the shipped demos
     ["[plugins] assign names acme.xray, which [plugins] allow does not list"]),
]


@pytest.mark.parametrize("body, words", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_values_name_the_file_and_key(tmp_path: Path, body: str, words: list[str]) -> None:
    path = write(tmp_path, body)
    with pytest.raises(InputError) as caught:
        load_kiosk_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for word in words:
        assert word in message


@pytest.mark.parametrize("plain", ['"2468"', '"83917264"', "2468", '" 123456 "'])
def test_a_plain_pin_is_refused_and_never_echoed(tmp_path: Path, plain: str) -> None:
    path = write(tmp_path, f"[operator]\npin_hash = {plain}\n")
    with pytest.raises(InputError) as caught:
        load_kiosk_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: [operator] pin_hash")
    assert "must be stored hashed" in message and "gwangju-twin kiosk pin" in message
    assert plain.strip('" ') not in message


def test_a_file_that_is_not_toml_or_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="kiosk config not found"):
        load_kiosk_config(tmp_path / "none.toml")
    with pytest.raises(InputError, match="not valid TOML"):
        load_kiosk_config(write(tmp_path, "[timing\n"))


def test_parse_takes_a_document() -> None:
    c = parse_kiosk_config({"timing": {"countdown": 5}}, Path("kiosk.toml"))
    assert c.countdown == 5 and c.path == Path("kiosk.toml")
    with pytest.raises(InputError, match=r"^kiosk\.toml: \[timing\] countdown is 1; "):
        parse_kiosk_config({"timing": {"countdown": 1}}, Path("kiosk.toml"))


def test_config_and_pin_import_without_panda3d() -> None:
    code = "import gwangju_twin.kiosk.config, gwangju_twin.kiosk.pin\n"
    assert panda3d_loaded_by(code) == []


@pytest.mark.parametrize("iterations", [1, 1_000, STRENGTH_RANGE[0] - 1, STRENGTH_RANGE[1] + 1,
                                        10_000_000])
def test_a_pin_hash_of_insane_strength_is_refused(tmp_path: Path, iterations: int) -> None:
    # 1 iteration makes a stolen config trivial to brute-force; 10,000,000 froze the booth
    # for seconds on every try. Both used to load.
    stored = hash_pin("5791", salt=b"s" * 16, iterations=iterations)
    path = write(tmp_path, f'[operator]\npin_hash = "{stored}"\n')
    with pytest.raises(InputError) as caught:
        load_kiosk_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: [operator] pin_hash is refused")
    assert f"{iterations} PBKDF2 iterations" in message
    assert f"{STRENGTH_RANGE[0]} to {STRENGTH_RANGE[1]}" in message
    assert "gwangju-twin kiosk pin" in message and "\n" not in message


@pytest.mark.parametrize("iterations", STRENGTH_RANGE)
def test_a_pin_hash_at_the_strength_bounds_loads(tmp_path: Path, iterations: int) -> None:
    stored = hash_pin("5791", salt=b"s" * 16, iterations=iterations)
    path = write(tmp_path, f'[operator]\npin_hash = "{stored}"\n')
    assert load_kiosk_config(path).pin_hash == stored


@pytest.mark.parametrize("stored", sorted(PUBLISHED_HASHES))
def test_a_published_pin_hash_is_refused(tmp_path: Path, stored: str) -> None:
    path = write(tmp_path, f'[operator]\npin_hash = "{stored}"\n')
    with pytest.raises(InputError) as caught:
        load_kiosk_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: [operator] pin_hash is refused")
    assert "published" in message and "gwangju-twin kiosk pin" in message


# A complete stored hash as it would be written in a file: scheme, iterations, salt, and a
# 32-byte digest (43 characters of unpadded base64).
_HASH_TEXT = re.compile(
    r"pbkdf2_sha256\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def test_every_hash_in_the_docs_and_tests_is_a_refused_published_one() -> None:
    # Whatever hash the project prints has a known PIN: each must be in the package's list,
    # so that no booth can start with it.
    found: dict[str, Path] = {}
    roots = [REPO / "docs", REPO / "tests", REPO / "scripts", REPO / "README.md"]
    files = [f for r in roots for f in ([r] if r.is_file() else r.rglob("*")) if f.is_file()]
    assert len(files) > 20
    for f in files:
        text = f.read_bytes().decode("utf-8", errors="replace")
        for match in _HASH_TEXT.finditer(text):
            found[match.group(0)] = f
    missing = {h: str(f) for h, f in found.items() if h not in PUBLISHED_HASHES}
    assert missing == {}
    # The sample's placeholder line is a shape, not a hash.
    assert not _HASH_TEXT.search(SAMPLE.read_text(encoding="utf-8"))


def test_the_booth_id_is_read_and_defaults_to_none(tmp_path: Path) -> None:
    assert KioskConfig().booth is None  # the analytics then use the host name
    assert load_kiosk_config(write(tmp_path, '[kiosk]\nbooth = "hall-a.1_x"\n')).booth == \
        "hall-a.1_x"


def test_a_booth_joins_a_shared_room(tmp_path: Path) -> None:
    path = write(tmp_path, """
[presence]
join = "ws://10.0.0.2:8765/sangmu"
token = "expo-2026"
guide = true
""")
    c = load_kiosk_config(path)
    assert (c.join, c.room_token, c.guide) == ("ws://10.0.0.2:8765/sangmu", "expo-2026", True)


@pytest.mark.parametrize(("body", "says"), [
    ('join = "http://10.0.0.2/sangmu"', '[presence] join is "http://10.0.0.2/sangmu"; '
                                        'expected a room URL'),
    ('join = "ws://10.0.0.2:8765/"', "[presence] join"),
    ('token = "two words"', "[presence] token is not a room token"),
    ("guide = 1", "[presence] guide"),
])
def test_a_bad_presence_table_is_one_line(tmp_path: Path, body: str, says: str) -> None:
    path = write(tmp_path, f"[presence]\n{body}\n")
    with pytest.raises(InputError) as err:
        load_kiosk_config(path)
    assert says in str(err.value) and "\n" not in str(err.value)
    assert "two words" not in str(err.value)  # a token is never echoed
