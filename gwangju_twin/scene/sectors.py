"""The "5+2" sectors of Gwangju's AI-metaverse plan: the one place they are defined.

Five flagship industries and two citizen-facing domains (docs/plugins.md lists them for
exhibitors). Ids are stable: scene files and plugin manifests refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gwangju_twin.errors import InputError

#: A sector's id, as scene files and plugin manifests write it.
SectorId = Literal["healthcare", "mobility", "energy", "culture", "manufacturing", "education",
                   "administration"]


@dataclass(frozen=True)
class Sector:
    """One sector: a stable id, its names and one-line descriptions in Korean and English,
    and the colour its pavilion, label and panel use (RGB, 0..1)."""

    id: SectorId
    name_ko: str
    name_en: str
    color: tuple[float, float, float]
    description_ko: str
    description_en: str
    flagship: bool  # one of the five flagship industries (False: the two citizen domains)


def _hex(code: str) -> tuple[float, float, float]:
    return tuple(int(code[i : i + 2], 16) / 255.0 for i in (1, 3, 5))  # type: ignore[return-value]


SECTORS: tuple[Sector, ...] = (
    Sector("healthcare", "의료헬스케어", "Medical & healthcare", _hex("#E05263"),
           "AI 진단과 원격 돌봄으로 시민의 건강을 지킵니다",
           "AI diagnosis and remote care that keep citizens healthy", True),
    Sector("mobility", "친환경자율주행", "Eco-friendly autonomous driving", _hex("#1E88E5"),
           "전기 자율주행 셔틀이 도시를 잇습니다",
           "Electric self-driving shuttles that connect the city", True),
    Sector("energy", "친환경에너지", "Eco-friendly energy", _hex("#7CB342"),
           "햇빛과 바람으로 도시의 에너지를 만듭니다",
           "Sun and wind that power the city", True),
    Sector("culture", "문화콘텐츠", "Culture content", _hex("#8E44AD"),
           "유네스코 미디어아트 창의도시의 실감 콘텐츠",
           "Immersive content from a UNESCO Creative City of Media Arts", True),
    Sector("manufacturing", "제조", "Manufacturing", _hex("#F57C00"),
           "디지털 트윈으로 움직이는 스마트 공장",
           "Smart factories run through digital twins", True),
    Sector("education", "교육", "Education", _hex("#FBC02D"),
           "메타버스 교실에서 함께 배웁니다",
           "Learning together in metaverse classrooms", False),
    Sector("administration", "행정", "Public administration", _hex("#00897B"),
           "시민이 참여하는 메타버스 행정 서비스",
           "Public services in the metaverse, shaped by citizens", False),
)

SECTOR_IDS: tuple[SectorId, ...] = tuple(s.id for s in SECTORS)
_BY_ID: dict[str, Sector] = {s.id: s for s in SECTORS}


def sector(sector_id: str, where: str = "sector") -> Sector:
    """The sector with ``sector_id``; an unknown id is an InputError naming ``where``."""
    try:
        return _BY_ID[sector_id]
    except (KeyError, TypeError):
        raise InputError(
            f"{where} is {sector_id!r}; expected one of " + ", ".join(SECTOR_IDS)
        ) from None
