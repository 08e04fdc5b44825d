"""The interface languages: shared vocabulary of the viewer, its settings and the kiosk."""

from __future__ import annotations

from typing import Literal

#: An interface language.
Language = Literal["ko", "en"]

#: The interface languages, Korean first.
LANGUAGES: tuple[Language, ...] = ("ko", "en")
