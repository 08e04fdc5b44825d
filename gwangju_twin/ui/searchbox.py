"""SearchBox: find a pavilion, landmark or building by name, a card at the top centre.

A text field (the Hangul font; a grey hint while empty) over up to eight result buttons,
each with the place's name and its kind (a name too long for the card ends in an ellipsis
before the kind). Results follow the text as it is typed: the
field's PGEntry throws ``type-<id>`` after each typed character and ``erase-<id>`` after
each deletion (DGG.TYPE / DGG.ERASE + guiId), so nothing polls per frame. Enter chooses
the first result.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from direct.gui import DirectGuiGlobals
from direct.gui.DirectEntry import DirectEntry
from panda3d.core import NodePath, TextFont, TextNode

from gwangju_twin.ui.catalogue import LANGUAGES, Catalogue
from gwangju_twin.ui.label import RGBA
from gwangju_twin.ui.theme import (
    ASCENT,
    BODY_SCALE,
    BUTTON_HEIGHT,
    BUTTON_SCALE,
    DESCENT,
    GAP,
    MUTED_INK,
    ORDER_CARD,
    PAD,
    SMALL_SCALE,
    TOOLBAR_CLEARANCE,
    Widget,
    blocker,
    board,
    button,
    place_text,
    shorten,
    text_width,
)

MAX_RESULTS = 8
FIELD: RGBA = (0.96, 0.97, 0.98, 1.0)  # a light field: dark text and the default dark cursor
FIELD_INK: RGBA = (0.08, 0.09, 0.11, 1.0)
HINT_INK: RGBA = (0.45, 0.47, 0.52, 1.0)
_ENTRY_SCALE = BODY_SCALE
_HINT_SCALE = 0.036
_MIN_WIDTH = 1.0


_LEFT = 0.035  # a result's name starts this far into its button; its kind ends as far in
_TAG_GAP = 0.03  # at least this much between a shortened name and its kind


def types_text(event: str) -> bool:
    """Whether key event ``event`` types into a focused text field (letters, digits, signs,
    space, the editing and cursor keys), so that a viewer binding must not also act on it.
    Escape, the function keys and Ctrl combinations do not: they stay the viewer's."""
    if event.startswith(("control-", "alt-", "escape", "mouse", "wheel")):
        return False
    key = event.removeprefix("shift-")
    return not (key[:1] == "f" and key[1:].isdigit())


class SearchBox(Widget):
    """The search card (hidden at start). ``search(query)`` returns places (objects with
    ``kind``, ``name_ko`` and ``name_en``); choosing one calls ``on_choose(place)`` and
    closes the card. ``buttons`` holds the result buttons "result-0".."result-7" (only as
    many as there are results are shown)."""

    def __init__(self, parent: NodePath, font: TextFont, catalogue: Catalogue,
                 language: str = "ko", search: Callable[[str], list[Any]] = lambda q: [],
                 on_choose: Callable[[Any], None] = lambda place: None) -> None:
        super().__init__(parent, "search-box", catalogue, language, ORDER_CARD)
        self._font = font
        self._search, self._on_choose = search, on_choose
        self._results: list[Any] = []
        hints = [catalogue.text("search.placeholder", lang) for lang in LANGUAGES]
        width = max(_MIN_WIDTH, max(text_width(font, h, _HINT_SCALE) for h in hints) + 0.14)
        self._width = width
        self._inner = inner = width - 2 * PAD
        self._root.set_z(-TOOLBAR_CLEARANCE)
        self._blocker = blocker(self._root, -width / 2, 0, width / 2, 0)
        self._frames.append(self._blocker)
        self._card = self._root.attach_new_node("card")
        field_mid = -PAD - BUTTON_HEIGHT / 2
        board(self._root, -inner / 2, field_mid - BUTTON_HEIGHT / 2, inner / 2,
              field_mid + BUTTON_HEIGHT / 2, FIELD, 0.022, "field")
        lift = (ASCENT - DESCENT) / 2  # baseline below the centre line, in ems
        half_h = BUTTON_HEIGHT / 2 / _ENTRY_SCALE
        self._entry = DirectEntry(
            parent=self._root, scale=_ENTRY_SCALE, pos=(-inner / 2 + 0.03, 0, field_mid
                                                         - lift * _ENTRY_SCALE),
            width=(inner - 0.06) / _ENTRY_SCALE, numLines=1, overflow=1,
            entryFont=font, text_fg=FIELD_INK, relief=None,
            frameSize=(-0.6, (inner - 0.06) / _ENTRY_SCALE + 0.6, lift - half_h, lift + half_h),
            # Keys reach the viewer's bindings too (suppressKeys=1 would swallow every key,
            # Esc, Ctrl+Q and F1 included, while the field has focus); the viewer ignores the
            # ones that type text (``types_text``) while the field has the keyboard.
            command=self._accepted, suppressKeys=0)
        self._entry.set_bin("fixed", self.raised)  # over the field and the click blocker
        self._frames.append(self._entry)
        # Typing and erasing in the field re-run the search (after the text has changed).
        self._entry.bind(DirectGuiGlobals.TYPE, self._edited)
        self._entry.bind(DirectGuiGlobals.ERASE, self._edited)
        self._hint, _ = place_text(self._root, hints[0], font, _HINT_SCALE, -inner / 2 + 0.042,
                                   field_mid + (ASCENT + DESCENT) / 2 * _HINT_SCALE, HINT_INK,
                                   name="hint")
        self._none, _ = place_text(self._root, "", font, BODY_SCALE, 0, 0, MUTED_INK,
                                   TextNode.A_center, name="none")
        for i in range(MAX_RESULTS):
            b = button(self._root, "", font, partial(self._choose, i), width=inner, left=_LEFT,
                       order=self.raised)
            kind = b.attach_new_node(TextNode("kind"))
            kind.node().set_font(font)
            kind.node().set_align(TextNode.A_right)
            kind.node().set_text_color(*MUTED_INK)
            kind.set_scale(SMALL_SCALE)
            kind.set_pos(inner / 2 - _LEFT, 0, -(ASCENT - DESCENT) / 2 * SMALL_SCALE)
            self.buttons[f"result-{i}"] = b
        self._layout()
        self.hide()

    # -- public ----------------------------------------------------------------------------

    @property
    def results(self) -> list[Any]:
        """The places shown, best first."""
        return list(self._results)

    @property
    def query(self) -> str:
        """The text in the field."""
        return self._entry.get()

    @property
    def entry(self) -> DirectEntry:
        """The text field."""
        return self._entry

    @property
    def focused(self) -> bool:
        """Whether the field has the keyboard (the viewer's key bindings should pause)."""
        return self.visible and bool(self._entry.guiItem.get_focus())

    def open(self) -> None:
        """Show the card and put the keyboard in the field."""
        self.show()
        self._entry["focus"] = 1

    def close(self) -> None:
        """Hide the card, give the keyboard back and clear the field."""
        self._entry["focus"] = 0
        self.set_query("")
        self.hide()

    def toggle(self) -> None:
        """Open the card if closed, close it if open."""
        if self.visible:
            self.close()
        else:
            self.open()

    def set_query(self, text: str) -> None:
        """Put ``text`` in the field, as if typed, and show its results."""
        self._entry.enterText(text)
        self._update()

    def submit(self) -> None:
        """Choose the first result, as Enter in the field does (nothing without results)."""
        if self._results:
            self._choose(0)

    def _relabel(self) -> None:
        self._layout()

    def text(self) -> list[str]:
        """The field's text (or the hint while empty), each result's name (as shown:
        shortened with an ellipsis when long) and kind, and the "nothing found" line when
        shown."""
        out = [self.query or self._hint.node().get_text()]
        for i in range(len(self._results)):
            b = self.buttons[f"result-{i}"]
            out += [b["text"], b.find("kind").node().get_text()]
        if not self._none.is_hidden():
            out.append(self._none.node().get_text())
        return out

    # -- internals -------------------------------------------------------------------------

    def _accepted(self, _text: str) -> None:
        """Enter in the field: PGEntry has just dropped the keyboard focus, so with nothing to
        choose the field takes it back and the visitor can go on typing."""
        if self._results:
            self.submit()
        elif self.visible:
            self._entry["focus"] = 1

    def _edited(self, _param: Any = None) -> None:
        self._update()

    def _update(self) -> None:
        query = self.query.strip()
        self._results = list(self._search(query))[:MAX_RESULTS] if query else []
        self._layout()

    def _choose(self, index: int) -> None:
        place = self._results[index]
        self.close()
        self._on_choose(place)

    def _layout(self) -> None:
        """Label the result buttons, stack them under the field and size the card."""
        en = self._language == "en"
        self._hint.node().set_text(self._t("search.placeholder"))
        if self.query:
            self._hint.hide()
        else:
            self._hint.show()
        z = -PAD - BUTTON_HEIGHT - GAP
        for i in range(MAX_RESULTS):
            b = self.buttons[f"result-{i}"]
            if i >= len(self._results):
                b.hide()
                continue
            place = self._results[i]
            kind = self._t(f"search.kind.{place.kind}")
            # A long name is shortened with an ellipsis before it reaches its kind.
            room = (self._inner - 2 * _LEFT - _TAG_GAP
                    - text_width(self._font, kind, SMALL_SCALE))
            b["text"] = shorten(self._font, place.name_en if en else place.name_ko,
                                BUTTON_SCALE, room)
            b.find("kind").node().set_text(kind)
            b.set_pos(0, 0, z - BUTTON_HEIGHT / 2)
            b.show()
            z -= BUTTON_HEIGHT + GAP
        nothing = bool(self.query.strip()) and not self._results
        if nothing:
            self._none.node().set_text(self._t("search.none"))
            self._none.set_pos(0, 0, z - 0.02 - ASCENT * BODY_SCALE)
            self._none.show()
            z -= 0.02 + (ASCENT + DESCENT) * BODY_SCALE + GAP
        else:
            self._none.hide()
        height = -(z + GAP - PAD)
        self._card.node().remove_all_children()
        board(self._card, -self._width / 2, -height, self._width / 2, 0)
        self._blocker["frameSize"] = (-self._width / 2, self._width / 2, -height, 0)
