"""``ctx.storage``: a plugin's JSON values and tables in its own SQLite file."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from gwangju_twin.plugins.storage import PluginStorage, storage_file


def test_values_round_trip_as_json(tmp_path: Path) -> None:
    store = PluginStorage("gwangju.quiz", tmp_path)
    assert store.get("best") is None
    assert store.get("best", 0) == 0
    store.set("best", 7)
    store.set("names", ["O", "X", {"한글": 1.5}])
    store.set("best", 9)  # replaced, not duplicated
    assert store.get("best") == 9
    assert store.get("names") == ["O", "X", {"한글": 1.5}]
    assert store.keys() == ["best", "names"]
    store.delete("best")
    store.delete("best")  # twice is harmless
    assert store.get("best") is None
    assert store.persistent


@pytest.mark.parametrize("value", [object(), float("nan"), {1: "a"}, {"s": {1, 2}}])
def test_values_that_are_not_json_are_refused(tmp_path: Path, value: object) -> None:
    store = PluginStorage("p", tmp_path)
    with pytest.raises(TypeError, match="JSON value"):
        store.set("k", value)
    assert store.keys() == []


def test_keys_must_be_text(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="key must be a str"):
        PluginStorage("p", tmp_path).set(3, 1)  # type: ignore[arg-type]


def test_tables_have_integer_ids(tmp_path: Path) -> None:
    store = PluginStorage("gwangju.quiz", tmp_path)
    scores = store.table("scores")
    a = scores.insert({"score": 14, "of": 20})
    b = scores.insert({"score": 18, "of": 20})
    assert isinstance(a, int) and b > a
    assert scores.count() == 2
    assert scores.rows() == [{"score": 14, "of": 20, "id": a}, {"score": 18, "of": 20, "id": b}]
    scores.update(a, score=15, lang="ko")
    assert scores.rows()[0] == {"score": 15, "of": 20, "lang": "ko", "id": a}
    scores.delete(b)
    scores.delete(b)
    assert scores.count() == 1
    with pytest.raises(KeyError):
        scores.update(b, score=1)
    with pytest.raises(ValueError, match="id"):
        scores.insert({"id": 5})
    with pytest.raises(ValueError, match="id"):
        scores.update(a, id=9)
    # Tables do not see each other's rows.
    assert store.table("other").rows() == []
    assert store.table("other").count() == 0


def test_two_plugins_never_share_a_store(tmp_path: Path) -> None:
    one, two = PluginStorage("acme.one", tmp_path), PluginStorage("acme.two", tmp_path)
    one.set("k", "one")
    one.table("t").insert({"x": 1})
    assert two.get("k") is None
    assert two.table("t").count() == 0
    assert one.path != two.path


@pytest.mark.parametrize("ids", [("Acme.Robot", "acme.robot"), ("a/../b", "a_b"),
                                 ("../../etc/passwd", "x"), ("", "."), ("é" * 300, "e")])
def test_any_plugin_id_makes_a_safe_distinct_file_name(tmp_path: Path,
                                                      ids: tuple[str, str]) -> None:
    files = [storage_file(tmp_path, i) for i in ids]
    assert files[0] != files[1]
    # Distinct even where the disk ignores case.
    assert files[0].name.lower() != files[1].name.lower()
    for f in files:
        assert f.parent == tmp_path
        assert len(f.name) < 100
        assert f.name.isascii() and "/" not in f.name and not f.name.startswith(".")


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    store = PluginStorage("gwangju.quiz", tmp_path)
    store.set("runs", 1)
    rid = store.table("scores").insert({"score": 3})
    store.close()
    again = PluginStorage("gwangju.quiz", tmp_path)
    assert again.get("runs") == 1
    assert again.table("scores").rows() == [{"score": 3, "id": rid}]
    # Ids are never reused, even after the newest row is deleted.
    again.table("scores").delete(rid)
    assert again.table("scores").insert({"score": 4}) > rid


def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    store = PluginStorage("p", tmp_path)
    store.set("k", 1)
    assert store.path is not None
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_nothing_is_written_until_the_store_is_used(tmp_path: Path) -> None:
    PluginStorage("p", tmp_path / "plugins")
    assert not (tmp_path / "plugins").exists()


def test_no_folder_keeps_the_store_in_memory() -> None:
    store = PluginStorage("p", None)
    store.set("k", 1)
    assert store.get("k") == 1
    assert not store.persistent and store.path is None


def test_a_corrupt_file_is_kept_aside_and_a_new_one_started(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = storage_file(tmp_path, "p")
    path.write_bytes(b"this is not sqlite at all" * 100)
    store = PluginStorage("p", tmp_path)
    with caplog.at_level(logging.WARNING):
        store.set("k", 1)
    assert store.get("k") == 1 and store.persistent
    kept = path.with_name(path.name + ".corrupt")
    assert kept.read_bytes().startswith(b"this is not sqlite")
    assert "kept it as" in caplog.text


def test_a_folder_that_cannot_be_made_falls_back_to_memory(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A file where the folder should be fails for every user, root included.
    (tmp_path / "taken").write_text("")
    store = PluginStorage("p", tmp_path / "taken" / "plugins")
    with caplog.at_level(logging.WARNING):
        store.set("k", 1)
    assert store.get("k") == 1
    assert not store.persistent
    assert "memory only" in caplog.text


def test_the_desktop_keeps_stores_in_the_user_data_folder(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from gwangju_twin.plugins.storage import desktop_storage_folder

    if sys.platform != "linux":
        pytest.skip("XDG_DATA_HOME is the Linux data folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop_storage_folder() == tmp_path / "gwangju-twin" / "plugins"
