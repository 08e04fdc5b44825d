"""What a building is used for, as one of a few normalised uses, from its OSM-style tags.

Plugins ask "which buildings are hospitals, schools, homes?" of data that says it in many
ways: ``building=apartments``, ``amenity=hospital`` on a ``building=yes``, ``shop=*`` on a
ground floor, ``office=government``. The answer is a table, read in a fixed order of keys,
so a new tag value is a new row, never a new branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

#: A building's normalised use.
Use = Literal["residential", "commercial", "office", "public", "hospital", "school",
              "industrial", "religious", "other"]
USES: tuple[Use, ...] = get_args(Use)

#: Values of ``building=*`` (and of the district's own building ``kind``, which comes from it).
BUILDING_USES: dict[str, Use] = {
    **dict.fromkeys(("apartments", "residential", "house", "detached", "semidetached_house",
                     "terrace", "dormitory", "bungalow", "farm", "houseboat", "static_caravan"),
                    "residential"),
    **dict.fromkeys(("commercial", "retail", "supermarket", "kiosk", "hotel", "motel",
                     "restaurant", "mall", "department_store", "shop", "market"), "commercial"),
    **dict.fromkeys(("office",), "office"),
    **dict.fromkeys(("civic", "public", "government", "townhall", "fire_station", "police",
                     "library", "convention", "community_centre", "courthouse", "post_office",
                     "train_station", "transportation", "museum"), "public"),
    **dict.fromkeys(("hospital", "clinic"), "hospital"),
    **dict.fromkeys(("school", "university", "college", "kindergarten"), "school"),
    **dict.fromkeys(("industrial", "warehouse", "factory", "manufacture", "hangar", "storage"),
                    "industrial"),
    **dict.fromkeys(("church", "cathedral", "chapel", "temple", "mosque", "synagogue", "shrine",
                     "monastery", "religious"), "religious"),
}

#: Values of ``amenity=*`` that say what a building is for.
AMENITY_USES: dict[str, Use] = {
    **dict.fromkeys(("hospital", "clinic", "doctors"), "hospital"),
    **dict.fromkeys(("school", "university", "college", "kindergarten"), "school"),
    **dict.fromkeys(("townhall", "police", "fire_station", "courthouse", "library",
                     "community_centre", "post_office", "public_building", "social_facility"),
                    "public"),
    **dict.fromkeys(("place_of_worship", "monastery"), "religious"),
    **dict.fromkeys(("marketplace", "restaurant", "cafe", "bank", "cinema"), "commercial"),
}

#: Values of ``office=*`` that are not plain offices.
OFFICE_USES: dict[str, Use] = {"government": "public", "diplomatic": "public"}

#: Keys read in this order; the first that names a use decides. A use-specific tag
#: (amenity, healthcare) beats the building's shape type: ``building=yes`` with
#: ``amenity=hospital`` is a hospital, and so is ``building=commercial`` with it. A ``*``
#: row gives every other value of that key one use (``shop=bakery`` is commercial).
USE_KEYS: tuple[tuple[str, Mapping[str, Use]], ...] = (
    ("amenity", AMENITY_USES),
    ("healthcare", {"*": "hospital"}),
    ("building", BUILDING_USES),
    ("building:part", BUILDING_USES),
    ("office", {**OFFICE_USES, "*": "office"}),
    ("shop", {"*": "commercial"}),
    ("kind", BUILDING_USES),
)


def _value(tags: Mapping[str, Any], key: str) -> str | None:
    value = tags.get(key)
    if value is None or isinstance(value, (list, dict)):
        return None
    text = str(value).strip().lower()
    return text if text and text not in ("no", "yes") else None


def building_use(tags: Mapping[str, Any], kind: str | None = None) -> Use:
    """The normalised use of one building from its tags (keys matched case-insensitively)
    and, last, the district's building ``kind`` (e.g. "apartments"); "other" when nothing
    names one."""
    lowered = {str(k).lower(): v for k, v in tags.items()}
    # The ``kind`` tag of the project's own files names a layer ("building"), which the
    # table does not know; the district's kind column is the building type itself.
    if kind is not None:
        lowered["kind"] = kind
    for key, table in USE_KEYS:
        value = _value(lowered, key)
        if value is None:
            continue
        use = table.get(value, table.get("*"))
        if use is not None:
            return use
    return "other"
