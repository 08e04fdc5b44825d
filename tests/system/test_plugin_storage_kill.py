"""``ctx.storage`` against kill -9: every write that returned is on disk, however the
process that made it ends."""

from __future__ import annotations

import textwrap
from pathlib import Path

from killed_writer import said_before_kill

from gwangju_twin.plugins.storage import PluginStorage

# Writes rows and values as fast as it can, saying each one after the call returned.
_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from gwangju_twin.plugins.storage import PluginStorage

    store = PluginStorage("acme.writer", Path(sys.argv[1]))
    table = store.table("visits")
    n = 0
    while True:
        n += 1
        rid = table.insert({"n": n, "note": "방문" * 20})
        store.set(f"k{n}", {"n": n})
        if n % 3 == 0:
            table.update(rid, checked=True)
        print(rid, n, flush=True)
""")


def test_kill_9_mid_writes_keeps_every_committed_write(tmp_path: Path) -> None:
    said = [(int(rid), int(n)) for rid, n in
            (line.split() for line in said_before_kill(_WRITER, str(tmp_path)))]

    store = PluginStorage("acme.writer", tmp_path)
    rows = {r["id"]: r for r in store.table("visits").rows()}
    for rid, n in said:
        assert rows[rid]["n"] == n
        assert store.get(f"k{n}") == {"n": n}
        if n % 3 == 0:
            assert rows[rid]["checked"] is True
    # Whatever it wrote after its last word is whole too: each write is one transaction.
    assert len(rows) >= len(said)
    assert all(r["note"] == "방문" * 20 for r in rows.values())
