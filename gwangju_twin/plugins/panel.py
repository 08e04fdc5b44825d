"""Panel: the text-and-buttons board a plugin fills while a visitor is in its pavilion.

The panel is plain data; the viewer draws it (gwangju_twin.ui.panel) and redraws whenever
``revision`` changes. All text comes in Korean and English; the viewer shows the visitor's
language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: The most lines and buttons a panel holds: a panel is a caption, not a document.
MAX_LINES = 12
MAX_BUTTONS = 6
MAX_TEXT = 120


@dataclass(frozen=True)
class PanelLine:
    """One line of text, addressed by ``key`` so a plugin can update it in place."""

    key: str
    ko: str
    en: str


@dataclass(frozen=True)
class PanelButton:
    """A button; ``on_click`` runs inside the plugin's fault isolation."""

    key: str
    ko: str
    en: str
    on_click: Callable[[], None]


class Panel:
    """A plugin's panel: a title, up to 12 keyed lines and up to 6 buttons.

    Every setter takes Korean text first and English second; leaving out ``en`` shows the
    Korean text in both languages. Text longer than 120 characters is cut with an ellipsis.
    """

    def __init__(self, title_ko: str = "", title_en: str = "") -> None:
        self.title_ko = title_ko
        self.title_en = title_en or title_ko
        self.accent: tuple[float, float, float] = (0.3, 0.3, 0.3)
        self._lines: dict[str, PanelLine] = {}
        self._buttons: dict[str, PanelButton] = {}
        self.notice: PanelLine | None = None  # set by the host, e.g. "demo unavailable"
        self.revision = 0

    @property
    def lines(self) -> tuple[PanelLine, ...]:
        """The lines in the order they were first set."""
        return tuple(self._lines.values())

    @property
    def buttons(self) -> tuple[PanelButton, ...]:
        """The buttons in the order they were added."""
        return tuple(self._buttons.values())

    def set_title(self, ko: str, en: str | None = None) -> None:
        """Set the panel's title (defaults to the plugin's title from its manifest)."""
        self.title_ko, self.title_en = _clip(ko), _clip(ko if en is None else en)
        self.revision += 1

    def set_line(self, key: str, ko: str, en: str | None = None) -> None:
        """Add the line ``key`` or replace its text; at most 12 lines (ValueError beyond)."""
        line = PanelLine(str(key), _clip(ko), _clip(ko if en is None else en))
        if self._lines.get(line.key) == line:
            return  # unchanged text costs no redraw
        if line.key not in self._lines and len(self._lines) >= MAX_LINES:
            raise ValueError(f"a panel holds at most {MAX_LINES} lines")
        self._lines[line.key] = line
        self.revision += 1

    def remove_line(self, key: str) -> None:
        """Remove the line ``key`` if there is one."""
        if self._lines.pop(str(key), None) is not None:
            self.revision += 1

    def add_button(
        self, key: str, ko: str, en: str | None, on_click: Callable[[], None]
    ) -> None:
        """Add (or replace) the button ``key``; at most 6 buttons (ValueError beyond)."""
        if not callable(on_click):
            raise TypeError("on_click must be callable with no arguments")
        if str(key) not in self._buttons and len(self._buttons) >= MAX_BUTTONS:
            raise ValueError(f"a panel holds at most {MAX_BUTTONS} buttons")
        self._buttons[str(key)] = PanelButton(
            str(key), _clip(ko), _clip(ko if en is None else en), on_click
        )
        self.revision += 1

    def remove_button(self, key: str) -> None:
        """Remove the button ``key`` if there is one."""
        if self._buttons.pop(str(key), None) is not None:
            self.revision += 1

    def clear(self) -> None:
        """Remove every line and button (the title stays)."""
        self._lines.clear()
        self._buttons.clear()
        self.revision += 1

    def text(self, language: str = "ko") -> list[str]:
        """The title, notice and lines as shown in ``language`` ("ko" or "en")."""
        en = language == "en"
        out = [self.title_en if en else self.title_ko]
        if self.notice is not None:
            out.append(self.notice.en if en else self.notice.ko)
        out += [line.en if en else line.ko for line in self._lines.values()]
        return out


def _clip(text: str) -> str:
    text = str(text).replace("\n", " ")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
