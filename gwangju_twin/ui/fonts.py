"""The Hangul font every label and panel draws with.

Panda3D's built-in font has no Hangul, so Korean text would come out as empty boxes. The
``weblate-fonts`` dependency ships Kurinto Sans KR (SIL OFL 1.1), which covers Hangul and
Latin; Debian's Nanum and Noto CJK fonts are the fallbacks for a checkout without it.
"""

from __future__ import annotations

import importlib.util
import weakref
from pathlib import Path
from typing import Any

from panda3d.core import DynamicTextFont, Filename, SamplerState, TextFont, TextNode

from gwangju_twin.errors import InputError

#: Texture pixels per font unit (one em). Labels and panel text are 20-60 px tall on screen,
#: so glyphs are rendered at least that large and only ever scaled down (mipmapped: crisp).
PIXELS_PER_UNIT = 56
#: Empty texture pixels around each glyph. Mipmapping averages 2**k texels at level k, so a
#: thin margin lets neighbouring glyphs on the page bleed in as stray strokes once text is
#: drawn at a third of its texture size; 8 keeps the page clean down to 1/8 (an unreadable
#: 7 px em anyway).
TEXTURE_MARGIN = 8
#: Large pages hold a few hundred Hangul glyphs each instead of a dozen, so a screen of text
#: costs a handful of textures.
PAGE_SIZE = 1024

_KURINTO = ("KurintoSansKR-Rg.ttf", "KurintoSansKR-Bd.ttf")

#: Where Debian and Ubuntu put the same kind of font (fonts-nanum, fonts-noto-cjk).
_SYSTEM_FONTS: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
     "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/noto/NotoSansKR-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSansKR-Bold.ttf"),
)

_cache: weakref.WeakKeyDictionary[Any, dict[bool, TextFont]] = weakref.WeakKeyDictionary()


def _candidates(bold: bool) -> list[Path]:
    found: list[Path] = []
    # find_spec only locates the package: importing it would start a Django app.
    spec = importlib.util.find_spec("weblate_fonts")
    for root in (spec.submodule_search_locations or []) if spec else []:
        ttf = Path(root) / "static" / "weblate_fonts" / "kurinto" / "ttf"
        found.append(ttf / _KURINTO[int(bold)])
    found += [Path(pair[int(bold)]) for pair in _SYSTEM_FONTS]
    return found


def hangul_font_path(bold: bool = False) -> Path:
    """The file of a font with Hangul and Latin glyphs (Kurinto Sans KR when installed).

    Raises InputError with the fix when no such font is on this machine.
    """
    for path in _candidates(bold):
        if path.is_file():
            return path
    raise InputError(
        "no font with Korean (Hangul) glyphs was found; install one with "
        "`pip install weblate-fonts` (or `apt-get install fonts-nanum`)"
    )


def load_font(loader: Any, bold: bool = False) -> TextFont:
    """The Hangul font loaded through ``loader`` (a ShowBase ``loader``), set up for crisp
    text at any size; one font per (loader, bold), shared by every label and panel."""
    per_loader = _cache.setdefault(loader, {})
    font = per_loader.get(bold)
    if font is None:
        path = hangul_font_path(bold)
        # FontPool takes a Panda3D path string, which differs from the OS path on Windows.
        font = loader.loadFont(Filename.from_os_specific(str(path)).get_fullpath())
        if not font.is_valid():
            raise InputError(f"the font {path} could not be read")
        if hasattr(font, "set_page_size"):  # a DynamicTextFont (always, for a .ttf)
            font = _configured(font)
        per_loader[bold] = font
    return font


def _configured(font: DynamicTextFont) -> DynamicTextFont:
    """``font`` set up for this viewer. Panda3D's FontPool shares one font per file across
    loaders, and a font that has drawn glyphs can no longer change its texture settings, so
    a second ShowBase in one process (tests, a restarted viewer) reuses it as it is, or
    draws with a fresh copy if someone else set it up differently."""
    if font.get_num_pages() > 0:
        if (font.get_pixels_per_unit() == PIXELS_PER_UNIT
                and font.get_texture_margin() == TEXTURE_MARGIN):
            return font
        font = font.make_copy()  # a copy starts without glyph pages
    font.set_pixels_per_unit(PIXELS_PER_UNIT)
    font.set_texture_margin(TEXTURE_MARGIN)
    font.set_page_size(PAGE_SIZE, PAGE_SIZE)
    # Labels shrink with distance: mipmaps keep them from shimmering.
    font.set_minfilter(SamplerState.FT_linear_mipmap_linear)
    font.set_magfilter(SamplerState.FT_linear)
    # FreeType's own antialiasing at full resolution, rather than Panda3D's supersampling,
    # gives the cleanest small Hangul strokes.
    font.set_native_antialias(True)
    return font


def missing_glyphs(font: TextFont, text: str) -> str:
    """The distinct characters of ``text`` (in order, spaces ignored) ``font`` has no glyph
    for; those would be drawn as empty boxes."""
    probe = TextNode("glyph-probe")
    probe.set_font(font)
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if ch.isspace():
            continue  # whitespace is spacing, not a glyph
        if not probe.has_character(ch):
            missing.append(ch)
    return "".join(missing)
