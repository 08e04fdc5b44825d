"""Reading the project's TOML files (scenes, kiosk configs, plugin manifests, the text
catalogue) with one-line errors."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


#: How deeply tables and arrays may nest. The project's own files need 3 (a tour stop in the
#: tour table); anything deeper is a hostile or broken file, and a deep enough one would
#: exhaust the stack of the parser (arrays, inline tables) or of whatever walks it later
#: (dotted keys and [a.b.c...] headers parse without recursion).
MAX_DEPTH = 32


#: Why a text is no document this project reads (see UnreadableError).
Trouble = Literal["long key", "syntax", "nested", "long number", "deep"]


class UnreadableError(ValueError):
    """Text that parse_toml refuses. ``trouble`` says why; ``detail`` is the parser's own
    words ("syntax", "long number"), the parts of the longest dotted key ("long key") or the
    key nested too deep ("deep"). Each reader words it for its users."""

    def __init__(self, trouble: Trouble, detail: str = "") -> None:
        super().__init__(f"{trouble}: {detail}" if detail else trouble)
        self.trouble, self.detail = trouble, detail


#: How read_toml words each UnreadableError (``what``: the kind of file, e.g. "scene file").
_SAYS: dict[Trouble, str] = {
    "long key": "a dotted key or table header of {detail} parts; expected a {what} nested at "
                "most {depth} levels",
    "syntax": "not valid TOML ({detail})",
    "nested": "tables or arrays nested too deeply to read; expected a {what} nested at most "
              "{depth} levels",
    "long number": "a number is too long to read ({detail}); expected ordinary numbers in the "
                   "{what}",
    "deep": "'{detail}' is nested more than {depth} levels deep; expected a {what} nested at "
            "most {depth} levels",
}


def read_toml(path: Path, error: type[Exception], what: str) -> dict[str, Any]:
    """The parsed document at ``path``; any problem raises ``error`` with a one-line
    message naming the file and ``what`` it was meant to be (e.g. "scene file").

    Documents nested deeper than MAX_DEPTH and integers too long to convert are problems
    too, so no reader sees a RecursionError or a ValueError from the parser.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text; save the {what} as UTF-8") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror})") from None
    try:
        return parse_toml(text)
    except UnreadableError as exc:
        says = _SAYS[exc.trouble].format(detail=exc.detail, what=what, depth=MAX_DEPTH)
        raise error(f"{path}: {says}") from None


def parse_toml(text: str) -> dict[str, Any]:
    """``text`` parsed as TOML; UnreadableError if it is not TOML, is nested deeper than
    MAX_DEPTH or holds an integer too long to convert (never a RecursionError or a
    ValueError from the parser)."""
    dots = longest_dotted_key(text)
    if dots > MAX_DEPTH:
        # Refused before parsing: the standard parser takes quadratic time on long dotted
        # keys (2,000 parts take a second, 50,000 over a minute).
        raise UnreadableError("long key", str(dots + 1))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UnreadableError("syntax", str(exc)) from None
    except RecursionError:
        raise UnreadableError("nested") from None
    except ValueError as exc:
        # Python refuses to convert integers of more than 4300 digits (CVE-2020-10735).
        raise UnreadableError("long number", str(exc).split(":")[0]) from None
    key = _too_deep(doc)
    if key is not None:
        raise UnreadableError("deep", key)
    return doc


#: The lexical pieces that matter for finding dotted keys: comments and strings (skipped
#: whole, so dots inside them do not count), bare-key characters, dots, blanks; anything
#: else ("=", ",", brackets, a line break) ends a dotted key.
_PIECES = re.compile(
    r'(?P<skip>#[^\n]*'
    r'|"""(?:[^\\]|\\.)*?"""'
    r"|'''.*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*')"
    r"|(?P<word>[A-Za-z0-9_+-]+)|(?P<dot>\.)|(?P<blank>[ \t]+)|(?P<other>.)",
    re.DOTALL,
)


def longest_dotted_key(text: str) -> int:
    """The most dots joining the parts of one key (``a.b.c`` has 2) anywhere in ``text``.

    A linear scan, so a hostile file is measured before the parser is given it. Strings
    count as parts (``"a"."b"`` is a key), so a dot inside a string never counts; a float
    such as ``1.5`` counts 1, a line break or any other character ends a key.
    """
    longest = run = 0
    state = "start"  # "part" just after a part, "dot" just after a part and a dot
    for piece in _PIECES.finditer(text):
        kind = piece.lastgroup
        if kind == "blank":
            continue  # TOML allows "a . b"
        if kind == "dot":
            if state == "part":
                run += 1
                longest = max(longest, run)
                state = "dot"
            else:
                run, state = 0, "start"
        elif kind == "word" or (kind == "skip" and not piece.group().startswith("#")):
            if state != "dot":
                run = 0
            state = "part"
        else:  # a comment or any other character
            run, state = 0, "start"
    return longest


def _too_deep(doc: dict[str, Any]) -> str | None:
    """The dotted key of the first value nested deeper than MAX_DEPTH, or None.

    Walked with an explicit stack: the point is to survive documents that would overflow
    Python's own.
    """
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if depth > MAX_DEPTH:
            return _short(key)
        items: Iterable[tuple[str, Any]]
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = ((f"[{n}]", v) for n, v in enumerate(value))
        else:
            continue
        for name, item in items:
            sub = f"{key}{name}" if name.startswith("[") else f"{key}.{name}" if key else name
            stack.append((item, sub, depth + 1))
    return None


def _short(key: str) -> str:
    """A long dotted key shortened for a one-line message (its start and its end), with
    control characters (quoted keys may hold line breaks) escaped."""
    key = key if len(key) <= 80 else f"{key[:40]}...{key[-30:]}"
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in key)


def show_value(value: Any, style: Literal["toml", "scene"] = "toml") -> str:
    """``value`` for a one-line error message; a table or an array is named, not printed.

    "toml" (kiosk configs, settings) writes it as TOML does: text in double quotes. "scene"
    (scene files) shows a number as read, an integer as the float it becomes (0 as 0.0, a
    very long one shortened), and text as Python quotes it, cut at 80 characters.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if style == "toml":
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    if isinstance(value, int):
        digits = str(value)
        return f"{digits[:12]}... ({len(digits)} digits)" if len(digits) > 24 else str(float(value))
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
