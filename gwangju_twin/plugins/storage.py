"""``ctx.storage``: a plugin's own small store of JSON values and tables, kept between runs.

One SQLite file per plugin id in a storage folder the viewer chooses (docs/plugins.md,
"Storage"): the per-user data folder on the desktop, the kiosk's data folder beside its visit
database, a temporary folder for ``render`` and ``plugins check``. The file is opened on first
use, in WAL mode, and every write is its own committed transaction, so a viewer killed at any
moment (kill -9, a power cut with ``synchronous=FULL``) keeps every write that returned.

A store that cannot be opened never takes the viewer down: a file that is not a database is
kept aside as ``<name>.corrupt`` and a fresh one started; a folder that cannot be written
falls back to a store in memory, with a warning in the plugin's log (``persistent`` is then
False). Either way the demo keeps running.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

#: The folder under a storage root that holds the plugins' files.
STORAGE_SUBFOLDER = "plugins"
_SAFE = re.compile(r"[^a-z0-9._-]+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS row (
    id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS row_tbl ON row (tbl, id);
"""


def desktop_storage_folder() -> Path:
    """Where the desktop viewer keeps plugins' stores: the per-user data folder / plugins."""
    import platformdirs

    from gwangju_twin import APP_NAME

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / STORAGE_SUBFOLDER


def storage_file(folder: Path, plugin_id: str) -> Path:
    """The file of ``plugin_id``'s store in ``folder``: a readable slug of the id plus a hash
    of the exact id, so any id makes a safe name and no two ids share a file (not even on a
    case-insensitive disk)."""
    slug = _SAFE.sub("_", plugin_id.lower()).strip("._")[:48] or "plugin"
    digest = hashlib.sha256(plugin_id.encode("utf-8")).hexdigest()[:12]
    return folder / f"{slug}-{digest}.sqlite3"


def _json(value: Any, what: str) -> str:
    try:
        _str_keys(value)
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be a JSON value (str, number, bool, None, list, dict "
                        f"with str keys): {exc}") from None


def _str_keys(value: Any, depth: int = 0) -> None:
    # json.dumps would turn a key 1 into "1" silently: the value would not come back as given.
    if depth > 100:
        raise ValueError("nested more than 100 levels deep")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"key {k!r} is not a str")
            _str_keys(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _str_keys(v, depth + 1)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"a storage key must be a str, not {type(key).__name__}")
    return key


class StorageTable:
    """Rows of JSON objects with integer ids, in one plugin's store (``storage.table``)."""

    def __init__(self, storage: PluginStorage, name: str) -> None:
        self._storage = storage
        self.name = name

    def insert(self, row: dict[str, Any]) -> int:
        """Add ``row`` (a dict of JSON values with str keys, without "id"); returns its id."""
        if not isinstance(row, dict):
            raise TypeError(f"a row must be a dict, not {type(row).__name__}")
        if "id" in row:
            raise ValueError("a new row gets its id from the table; leave out 'id'")
        data = _json(row, "a row")
        cur = self._storage._write("INSERT INTO row (tbl, data) VALUES (?, ?)", (self.name, data))
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    def rows(self) -> list[dict[str, Any]]:
        """Every row, oldest first, each a dict with its "id"."""
        found = self._storage._read("SELECT id, data FROM row WHERE tbl = ? ORDER BY id",
                                    (self.name,))
        return [{**json.loads(data), "id": rid} for rid, data in found]

    def get(self, row_id: int) -> dict[str, Any] | None:
        """The row ``row_id`` (with its "id"), or None."""
        found = self._storage._read("SELECT data FROM row WHERE tbl = ? AND id = ?",
                                    (self.name, int(row_id)))
        return {**json.loads(found[0][0]), "id": int(row_id)} if found else None

    def update(self, row_id: int, **values: Any) -> None:
        """Set ``values`` in row ``row_id`` (other fields kept); KeyError if there is none."""
        if "id" in values:
            raise ValueError("a row's id cannot change")
        old = self.get(row_id)
        if old is None:
            raise KeyError(f"table {self.name!r} has no row {row_id}")
        del old["id"]
        data = _json(old | values, "a row")
        self._storage._write("UPDATE row SET data = ? WHERE tbl = ? AND id = ?",
                             (data, self.name, int(row_id)))

    def delete(self, row_id: int) -> None:
        """Remove row ``row_id``; removing a row that is not there is harmless."""
        self._storage._write("DELETE FROM row WHERE tbl = ? AND id = ?", (self.name, int(row_id)))

    def count(self) -> int:
        """How many rows the table holds."""
        return int(self._storage._read("SELECT count(*) FROM row WHERE tbl = ?",
                                       (self.name,))[0][0])


class PluginStorage:
    """One plugin's key/value store and tables (``ctx.storage``); values are JSON.

    ``folder`` None keeps everything in memory for this run only.
    """

    def __init__(self, plugin_id: str, folder: Path | None,
                 log: logging.Logger | None = None) -> None:
        self.plugin_id = plugin_id
        self.path: Path | None = None if folder is None else storage_file(folder, plugin_id)
        self._log = log or logging.getLogger(f"gwangju_twin.plugin.{plugin_id}")
        self._db: sqlite3.Connection | None = None

    @property
    def persistent(self) -> bool:
        """Whether what is stored outlives this run (False for a store in memory)."""
        self._connection()
        return self.path is not None

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``."""
        found = self._read("SELECT value FROM kv WHERE key = ?", (_key(key),))
        return json.loads(found[0][0]) if found else default

    def set(self, key: str, value: Any) -> None:
        """Store the JSON ``value`` under ``key`` (replacing what was there)."""
        self._write("INSERT INTO kv (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (_key(key), _json(value, f"the value of {key!r}")))

    def delete(self, key: str) -> None:
        """Forget ``key``; forgetting a key that is not there is harmless."""
        self._write("DELETE FROM kv WHERE key = ?", (_key(key),))

    def keys(self) -> list[str]:
        """Every key stored, sorted."""
        return [k for (k,) in self._read("SELECT key FROM kv ORDER BY key", ())]

    def table(self, name: str) -> StorageTable:
        """The table ``name`` (created by its first insert)."""
        if not isinstance(name, str) or not name:
            raise TypeError("a table name must be a non-empty str")
        return StorageTable(self, name)

    def close(self) -> None:
        """Close the file (host use; the store opens again on its next use)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- the file ----------------------------------------------------------------------------

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        return self._connection().execute(sql, params).fetchall()

    def _write(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        db = self._connection()
        # Autocommit mode: the statement is its own transaction, committed when it returns.
        return db.execute(sql, params)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open_file() if self.path is not None else None
        if self._db is None:
            self._db = _open(None)
        return self._db

    def _open_file(self) -> sqlite3.Connection | None:
        assert self.path is not None
        try:
            return _open(self.path)
        except sqlite3.DatabaseError as exc:
            if not _not_a_database(exc):
                self._in_memory(exc)
                return None
            try:
                kept = _set_aside(self.path)
                self._log.warning("%s: not a storage file (%s); kept it as %s and started "
                                  "afresh", self.path, exc, kept)
                return _open(self.path)
            except (sqlite3.Error, OSError) as again:
                self._in_memory(again)
                return None
        except OSError as exc:
            self._in_memory(exc)
            return None

    def _in_memory(self, exc: BaseException) -> None:
        # Keeping the demo running matters more than keeping this run's data.
        self._log.warning("%s: storage cannot be opened (%s); keeping this run's data in "
                          "memory only", self.path, exc)
        self.path = None


def _open(path: Path | None) -> sqlite3.Connection:
    if path is None:
        db = sqlite3.connect(":memory:", isolation_level=None)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    try:
        if path is not None:
            db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed write survives a power cut too, not only a killed process.
            db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
    except BaseException:
        db.close()
        raise
    return db


def _not_a_database(exc: sqlite3.DatabaseError) -> bool:
    return "not a database" in str(exc) or "malformed" in str(exc)


def _set_aside(path: Path) -> Path:
    kept = path.with_name(path.name + ".corrupt")
    n = 2
    while kept.exists():
        kept = path.with_name(f"{path.name}.corrupt-{n}")
        n += 1
    os.replace(path, kept)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(path.name + suffix))
    return kept
