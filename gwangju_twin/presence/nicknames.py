"""Bilingual nicknames and colours, chosen by index, never typed.

An unattended expo must not carry abuse, so a visitor never types a name: the viewer picks
an index into a generated list of adjective + animal pairs (Korean and English), and the
wire carries only that index. Every viewer has the same lists (they are code), so the index
is all it needs to show "용감한 호랑이 / Brave Tiger".
"""

from __future__ import annotations

from typing import NamedTuple

#: (Korean, English) adjectives: friendly, plain words only (no word that can turn rude
#: next to any animal).
ADJECTIVES: tuple[tuple[str, str], ...] = (
    ("용감한", "Brave"), ("다정한", "Kind"), ("빠른", "Swift"), ("느긋한", "Calm"),
    ("반짝이는", "Shiny"), ("호기심 많은", "Curious"), ("명랑한", "Cheerful"),
    ("지혜로운", "Wise"), ("씩씩한", "Bold"), ("상냥한", "Gentle"), ("행복한", "Happy"),
    ("재빠른", "Nimble"), ("힘찬", "Mighty"), ("조용한", "Quiet"), ("밝은", "Bright"),
    ("푸른", "Blue"),
)

#: (Korean, English) animals; 무등산's and Korea's own first (호랑이, 까치, 반달곰).
ANIMALS: tuple[tuple[str, str], ...] = (
    ("호랑이", "Tiger"), ("까치", "Magpie"), ("반달곰", "Moon Bear"), ("수달", "Otter"),
    ("두루미", "Crane"), ("다람쥐", "Squirrel"), ("고래", "Whale"), ("여우", "Fox"),
    ("부엉이", "Owl"), ("거북이", "Turtle"), ("토끼", "Rabbit"), ("돌고래", "Dolphin"),
    ("사슴", "Deer"), ("판다", "Panda"), ("펭귄", "Penguin"), ("고양이", "Cat"),
)

#: Number of nicknames: ``nickname_id`` is in ``range(NICKNAME_COUNT)``.
NICKNAME_COUNT = len(ADJECTIVES) * len(ANIMALS)

#: Avatar colours (sRGB 0..255), told apart on a light city and by most colour-blind
#: visitors (Okabe-Ito's palette plus a few), chosen by ``colour_id``.
COLOURS: tuple[tuple[int, int, int], ...] = (
    (230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178),
    (213, 94, 0), (204, 121, 167), (120, 94, 240), (220, 38, 127), (100, 143, 255),
    (255, 176, 0), (254, 97, 0),
)

COLOUR_COUNT = len(COLOURS)


class Nickname(NamedTuple):
    """A nickname in both languages."""

    ko: str
    en: str


def nickname(index: int) -> Nickname:
    """The nickname with this index (``0 <= index < NICKNAME_COUNT``)."""
    if not 0 <= index < NICKNAME_COUNT:
        raise ValueError(f"nickname index {index} outside 0..{NICKNAME_COUNT - 1}")
    adjective, animal = divmod(index, len(ANIMALS))
    ko_adj, en_adj = ADJECTIVES[adjective]
    ko_animal, en_animal = ANIMALS[animal]
    return Nickname(f"{ko_adj} {ko_animal}", f"{en_adj} {en_animal}")


def colour(index: int) -> tuple[int, int, int]:
    """The avatar colour with this index (``0 <= index < COLOUR_COUNT``)."""
    if not 0 <= index < COLOUR_COUNT:
        raise ValueError(f"colour index {index} outside 0..{COLOUR_COUNT - 1}")
    return COLOURS[index]
