"""The real places of the demo: the district's emergency rooms and its ambulance base.

The same places stand as landmarks in scripts/sangmu_district.toml (a test keeps the two
equal); the README names the sources.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    """A named place at WGS84 (``lon``, ``lat``); ``key`` is its landmark id, ``short_en``
    the English name where space is short (buttons)."""

    key: str
    name_ko: str
    name_en: str
    lon: float
    lat: float
    short_en: str = ""


#: 서구's emergency medical institutions (지역응급의료기관) inside the district's extent.
EMERGENCY_ROOMS: tuple[Site, ...] = (
    Site("lm-er-sangmu", "상무병원", "Sangmu Hospital", 126.8539184, 35.1524229, "Sangmu ER"),
    Site("lm-er-hanguk", "광주한국병원", "Gwangju Hanguk Hospital", 126.8688088, 35.1561811,
         "Hanguk ER"),
)
#: The 119 safety centre the demo's ambulance leaves from.
AMBULANCE_BASE = Site("lm-119-sangmu", "상무119안전센터", "Sangmu 119 Safety Center",
                      126.8472915, 35.1533674)
