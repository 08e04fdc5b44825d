"""Text that reaches a terminal: control characters shown, never obeyed.

Feature ids, names, file names and database text come from users' files. Printed raw, an
escape sequence in one of them can clear the screen or forge report lines, a right-to-left
override can reorder what is read, and a lone surrogate (valid in JSON, not in UTF-8) ends the
print with ``UnicodeEncodeError``. Everything printed from user data goes through ``shown``
(text) or ``json_text`` (JSON).
"""

from __future__ import annotations

import unicodedata

#: Control (Cc), format (Cf: bidi overrides, zero-width characters), surrogate (Cs) and line
#: or paragraph separator (Zl, Zp) characters: none of them is ever needed to read a value,
#: and each can change how a terminal shows the rest.
_UNSAFE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSAFE


def shown(text: str, *, backslash: bool = True) -> str:
    """``text`` with every control, format and surrogate character, and the backslash
    itself, written as a visible escape (``\\x1b``, ``\\u202e``, ``\\udc80``, ``\\\\``), so
    what is printed cannot drive the terminal and no escape can be forged; letters of any
    script, Hangul included, stay as they are. ``backslash=False`` keeps backslashes as they
    are, for messages that quote values with repr (which writes its own escapes)."""
    out = []
    for ch in str(text):
        if ch == "\\" and backslash:
            out.append("\\\\")
        elif _unsafe(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def json_text(text: str) -> str:
    """Output of ``json.dumps(..., ensure_ascii=False)`` made safe to print: the characters
    ``shown`` escapes become JSON ``\\uXXXX`` escapes (a surrogate pair above the BMP), which
    a JSON reader decodes back to the same string. (json.dumps has already escaped the ASCII
    controls, quotes and backslashes, and unsafe characters only occur inside strings.)"""
    out = []
    for ch in text:
        # ASCII controls here are the layout's own line breaks: json.dumps escaped the rest.
        if ch < "\x7f" or not _unsafe(ch):
            out.append(ch)
            continue
        code = ord(ch)
        if code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)
