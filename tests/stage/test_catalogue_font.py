"""The shipped Hangul font draws every text of the interface catalogue, in every language
(tests/pure/test_catalogue.py checks the catalogue itself without a window)."""

from __future__ import annotations

from typing import Any

import pytest

from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue


@pytest.mark.render
def test_shipped_font_draws_every_catalogue_text(windowless_base: Any, cat: Catalogue) -> None:
    from gwangju_twin.ui import load_font, missing_glyphs

    for bold in (False, True):
        font = load_font(windowless_base.loader, bold=bold)
        gaps = {}
        for key, texts in cat.entries.items():
            for lang in LANGUAGES:
                lacking = missing_glyphs(font, texts[lang])
                if lacking:
                    gaps[f"{key}.{lang}"] = lacking
        assert gaps == {}, f"{'bold' if bold else 'regular'} font lacks glyphs"
