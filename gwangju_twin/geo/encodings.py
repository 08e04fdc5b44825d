"""Which text encoding a file's attributes use: declared, chosen by the user, or detected.

Korean public data comes in CP949 (EUC-KR's Windows superset) as often as in UTF-8, and a
file rarely says which. Text that is not valid UTF-8 but decodes cleanly as CP949 is read as
CP949 and the load report says so; anything else is one line naming the likely encoding and
the ``--encoding`` option.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence

from gwangju_twin.errors import InputError

#: Tried in order when neither the user nor the file names an encoding. UTF-8 first: CP949
#: text is almost never valid UTF-8, while UTF-8 Korean is never valid CP949 as a whole.
DETECTED = ("utf-8", "cp949")

#: Tried only to name a likely encoding in an error message (never read silently): the
#: common legacy encodings of the places whose data people bring, strictest first.
_GUESSES = ("shift_jis", "big5", "cp1252", "gb18030")


def text_codec(name: str) -> str | None:
    """Python's name of the text encoding ``name``, None if Python knows none by that name or
    only a codec that is not one of text (``base64``, ``hex``, ``rot13``, ``zlib``: they turn
    bytes into bytes, and decoding with them fails with LookupError, not UnicodeDecodeError)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # CodecInfo says so itself since Python 3.4; bytes.decode checks the same flag.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def codec_name(name: str) -> str | None:
    """Python's name of encoding ``name`` (``"CP949"`` -> ``"cp949"``), None if unknown.

    Also understands how .cpg files write code pages: a bare number (``949``, ``65001``),
    ``ANSI 1252`` and ``88591`` (ISO 8859-1).
    """
    text = name.strip().strip("\x00").strip()
    if not text:
        return None
    candidates = [text]
    upper = text.upper().replace(" ", "")
    if upper.startswith("ANSI"):
        upper = upper[4:]
    if upper == "65001":
        candidates.insert(0, "utf-8")
    elif upper.startswith("8859") and upper[4:].lstrip("_-").isdigit():
        candidates.insert(0, f"iso8859_{upper[4:].lstrip('_-')}")
    elif upper.isdigit():
        candidates.insert(0, f"cp{upper}")
    for candidate in candidates:
        found = text_codec(candidate)
        if found is not None:
            return found
    return None


def decodes(data: bytes, encoding: str) -> bool:
    """Whether ``data`` decodes as ``encoding`` without a single error."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def likely_encoding(data: bytes, tried: Sequence[str] = ()) -> str | None:
    """An encoding not in ``tried`` that ``data`` decodes cleanly in (for messages only):
    UTF-8 or CP949 first, then the legacy ones; None if none does."""
    for name in (*(d for d in DETECTED if d not in tried), *_GUESSES):
        if decodes(data, name):
            return name
    return None


def choose(data: bytes, declared: str | None = None) -> str | None:
    """The first of ``declared``, then UTF-8, then CP949 that decodes ``data`` cleanly."""
    for name in dict.fromkeys([*([declared] if declared else []), *DETECTED]):
        if decodes(data, name):
            return name
    return None


def undecodable(where: str, data: bytes, tried: Sequence[str]) -> InputError:
    """The one-line error for text that none of ``tried`` decodes: the first bad byte, the
    likely encoding and the option that names it."""
    offset = _first_error(data, tried[0])
    guess = likely_encoding(data, [codec_name(t) or t for t in tried])
    hint = (f"it may be {guess.upper()} (pass --encoding {guess})" if guess
            else "pass --encoding NAME with the encoding it uses")
    return InputError(
        f"{where}: text is not {' or '.join(t.upper() for t in tried)} "
        f"(byte 0x{data[offset]:02x} at offset {offset}); {hint}, or re-save it as UTF-8"
    )


def _first_error(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0
