"""The places of the demo: the district's emergency rooms and its ambulance base.

``find_places`` reads them from the district's own data (features and buildings tagged as
OSM tags them). The lists below are the demo's fallback for a district that names none:
the real ERs and 119 centre of the Sangmu district, which also stand as landmarks in
scripts/sangmu_district.toml (a test keeps the two equal); the README names the sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gwangju_twin.plugins import DistrictData


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


@dataclass(frozen=True)
class Place:
    """A place of the demo in district metres: ``xy``, its names and a short English name
    for buttons (``short_en``)."""

    name_ko: str
    name_en: str
    short_en: str
    xy: tuple[float, float]


@dataclass(frozen=True)
class Places:
    """The ERs and the ambulance base the demo uses, and whether each came from the
    district's own data (``False``: the demo's fallback list above)."""

    ers: tuple[Place, ...]
    base: Place
    ers_from_district: bool
    base_from_district: bool


#: Words an English hospital name shares with most others; the button's short name leaves
#: them out ("Gwangju Hanguk Hospital" -> "Hanguk ER").
GENERIC_WORDS = frozenset({"hospital", "medical", "center", "centre", "university", "general",
                           "gwangju", "national", "clinic"})
#: An ER found both as a named point and as a building within this many metres of it is
#: one ER.
SAME_PLACE = 50.0


def _tag(tags: Mapping[str, Any], key: str) -> str:
    return str(tags.get(key, "")).strip().lower()


def is_emergency_room(tags: Mapping[str, Any]) -> bool:
    """Whether a feature's tags make it a hospital with an emergency department: OSM's
    ``emergency=yes`` on ``amenity=hospital`` or on ``healthcare=hospital``."""
    hospital = _tag(tags, "amenity") == "hospital" or _tag(tags, "healthcare") == "hospital"
    return hospital and _tag(tags, "emergency") == "yes"


def is_ambulance_base(tags: Mapping[str, Any]) -> bool:
    """Whether a feature's tags make it an ambulance station (OSM's
    ``emergency=ambulance_station``)."""
    return _tag(tags, "emergency") == "ambulance_station"


def short_name(name_en: str, fallback: str) -> str:
    """A button-sized English name of an ER: its English name without the generic words
    (``GENERIC_WORDS``) and with "ER", else ``fallback``."""
    words = [w for w in name_en.split() if w.lower().strip(".,") not in GENERIC_WORDS]
    return f"{' '.join(words)} ER" if words else fallback


def _found(district: DistrictData, wanted: Callable[[Mapping[str, Any]], bool],
           default_ko: str, default_en: str) -> list[Place]:
    """Places whose tags are ``wanted``: the district's features (named points and
    landmarks), then its buildings not already found as a feature."""
    f, b = district.features, district.buildings
    rows = [(f.name[i], f.name_en[i], f.centroid[i]) for i, t in enumerate(f.tags) if wanted(t)]
    taken = np.array([xy for _, _, xy in rows], np.float64).reshape(-1, 2)
    for i, t in enumerate(b.tags):
        if not wanted(t):
            continue
        xy = np.asarray(b.centroids[i], np.float64)
        if len(taken) and np.hypot(*(taken - xy).T).min() < SAME_PLACE:
            continue
        en = t.get("name:en")
        rows.append((b.names[i], str(en) if en else None, xy))
        taken = np.vstack([taken, xy])
    places = []
    for k, (ko, en, xy) in enumerate(rows, start=1):
        name_ko = str(ko or en or f"{default_ko} {k}")
        name_en = str(en or ko or f"{default_en} {k}")
        places.append(Place(name_ko, name_en, short_name(str(en or ""), f"ER {k}"),
                            (float(xy[0]), float(xy[1]))))
    return places


def find_places(district: DistrictData) -> Places:
    """The ERs and the ambulance base from the district's own data (tags as in
    ``is_emergency_room`` and ``is_ambulance_base``; the first base found); where it has
    none, ``EMERGENCY_ROOMS`` and ``AMBULANCE_BASE`` placed with ``to_local``."""
    ers = _found(district, is_emergency_room, "응급실", "ER")
    bases = _found(district, is_ambulance_base, "구급대", "Ambulance station")

    def listed(site: Site) -> Place:
        x, y = district.to_local(site.lon, site.lat)
        return Place(site.name_ko, site.name_en, site.short_en or site.name_en, (x, y))

    return Places(
        ers=tuple(ers) if ers else tuple(listed(s) for s in EMERGENCY_ROOMS),
        base=bases[0] if bases else listed(AMBULANCE_BASE),
        ers_from_district=bool(ers),
        base_from_district=bool(bases),
    )
