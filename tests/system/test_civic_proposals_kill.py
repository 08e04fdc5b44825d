"""The civic board's proposals against kill -9: a booth killed while visitors pin and agree
keeps every proposal it acknowledged, and its board opens again cleanly with no partial
proposal in it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import shapely
from killed_writer import said_before_kill

import gwangju_twin.demos.civic as civic
from gwangju_twin.demos.civic.board import CATEGORIES, Board, Dongs
from gwangju_twin.plugins.storage import PluginStorage
from gwangju_twin.tomlfile import parse_toml

BOUNDS = (0.0, 0.0, 1000.0, 600.0)

# Pins proposals as fast as it can through the civic board in the demo's own store (what
# ctx.storage opens for the plugin id, in the data folder), agreeing with every fourth; it
# says each proposal's id and number only after the board returned (each write committed).
# Its two dongs are those of _board below.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    import shapely
    from gwangju_twin.demos.civic.board import CATEGORIES, Board, Dongs
    from gwangju_twin.plugins.storage import PluginStorage

    dongs = Dongs.from_areas(["가동", "나동"], [shapely.box(0, 0, 500, 600),
                             shapely.box(500, 0, 1000, 600)], [{}, {}])
    store = PluginStorage(sys.argv[1], Path(sys.argv[2]))
    board = Board(store.table("proposals"), dongs, (0.0, 0.0, 1000.0, 600.0))
    n = 0
    while True:
        n += 1
        p = board.propose(float(n % 1000), float(7 * n % 600), CATEGORIES[n % 5], z=n / 2)
        if n % 4 == 0:
            board.agree(p.id)
        print(p.id, n, flush=True)
""")

FIELDS = {"id", "x", "y", "z", "category", "dong", "agrees"}


def _board(plugin_id: str, folder: Path) -> tuple[Board, PluginStorage]:
    """The board over the store ``folder`` holds for ``plugin_id``; x < 500 is 가동, the
    rest 나동."""
    store = PluginStorage(plugin_id, folder)
    dongs = Dongs.from_areas(["가동", "나동"], [shapely.box(0, 0, 500, 600),
                             shapely.box(500, 0, 1000, 600)], [{}, {}])
    return Board(store.table("proposals"), dongs, BOUNDS), store


def test_kill_9_keeps_every_acknowledged_proposal_and_no_partial_one(tmp_path: Path) -> None:
    manifest = parse_toml((Path(civic.__file__).parent / "pavilion.toml").read_text("utf-8"))
    plugin_id = manifest["id"]
    said = [(int(pid), int(n)) for pid, n in
            (line.split() for line in said_before_kill(WRITER, plugin_id, str(tmp_path)))]

    # A fresh board over the same store: it opens cleanly (not set aside as corrupt).
    board, store = _board(plugin_id, tmp_path)
    assert store.persistent and not list(tmp_path.glob("*.corrupt*"))
    rows = store.table("proposals").rows()
    proposals = {p.id: p for p in board.proposals()}
    # Every acknowledged proposal, as the writer made it (its place, category and dong
    # worked out here from its number), with the agreement it acknowledged.
    for pid, n in said:
        p = proposals[pid]
        x, y = n % 1000, 7 * n % 600
        assert (p.x, p.y, p.z, p.category) == (x, y, n / 2, CATEGORIES[n % 5])
        assert p.dong == ("가동" if x < 500 else "나동")
        assert p.agrees == (1 if n % 4 == 0 else 0)
    # No partial proposal: every row the kill left is whole (all its fields, a known
    # category, its dong matching its place), and the board skips none of them.
    assert len(rows) >= len(said) and len(proposals) == len(rows)
    for row in rows:
        assert set(row) == FIELDS, row
        assert row["category"] in CATEGORIES and row["agrees"] in (0, 1)
        assert row["dong"] == ("가동" if row["x"] < 500 else "나동")
    # And the booth goes on: a new proposal after the restart is kept with a new id.
    fresh = board.propose(250.0, 300.0, "green")
    assert fresh.id > max(proposals) and board.proposals()[-1] == fresh
