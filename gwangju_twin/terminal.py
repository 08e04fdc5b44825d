"""Text that reaches a terminal: control characters shown, never obeyed.

Feature ids, names, file names and database text come from users' files. Printed raw, an
escape sequence in one of them can clear the screen or forge report lines, a right-to-left
override can reorder what is read, and a lone surrogate (valid in JSON, not in UTF-8) ends the
print with ``UnicodeEncodeError``. Everything printed from user data goes through ``shown``.
"""

from __future__ import annotations

import re

# C0 and C1 controls (newline and tab included: one value must stay on one line), DEL, lone
# surrogates and the bidirectional overrides and isolates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")

# The same, less the C0 controls json.dumps already escapes.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every control character, lone surrogate and bidi override written as a
    visible escape (``\\x1b``, ``\\ud800``, ``\\u202e``); everything else, Hangul included,
    as it is."""
    return _UNSAFE.sub(_escape, text)


def json_text(text: str) -> str:
    """Output of ``json.dumps(..., ensure_ascii=False)`` made safe to print: C1 controls, bidi
    overrides and lone surrogates become ``\\uXXXX`` escapes, which JSON readers decode back to
    the same string."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
