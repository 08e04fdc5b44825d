"""Hostile TOML: documents every reader of the project must refuse in one line naming the
file (deep nesting, long dotted keys, over-long integers), and why each is refused."""

from __future__ import annotations

from pathlib import Path

from gwangju_twin.tomlfile import MAX_DEPTH

#: Documents that break a naive reader: arrays and inline tables deep enough to overflow the
#: parser's stack, dotted keys and headers that parse into tables nested far deeper than any
#: file needs, and an integer longer than Python converts.
HOSTILE = {
    "deep-array": "x = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "deep-inline-table": "x = " + "{ a = " * 50_000 + "1" + " }" * 50_000 + "\n",
    # Python's TOML parser takes quadratic time on long dotted keys (50,000 parts: over a
    # minute), so these must be refused before parsing.
    "deep-header": "[" + ".".join(["a"] * 50_000) + "]\nb = 1\n",
    "deep-dotted-key": ".".join(["k"] * 50_000) + " = 1\n",
    "deep-quoted-key": '"k".' * 50_000 + '"k" = 1\n',
    # Each key short enough, the two together too deep: caught after parsing.
    "deep-header-and-key": "[" + ".".join(["a"] * 20) + "]\n" + ".".join(["b"] * 20) + " = 1\n",
    "long-integer": "x = " + "9" * 5000 + "\n",
}
WHY = {
    "deep-array": "nested too deeply",
    "deep-inline-table": "nested too deeply",
    "deep-header": "a dotted key or table header of 50000 parts",
    "deep-dotted-key": "a dotted key or table header of 50000 parts",
    "deep-quoted-key": "a dotted key or table header of 50001 parts",
    "deep-header-and-key": f"is nested more than {MAX_DEPTH} levels deep",
    "long-integer": "number is too long",
}


def write_toml(tmp_path: Path, name: str, text: str) -> Path:
    """``text`` as the file ``name`` in ``tmp_path``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
