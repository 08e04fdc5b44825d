"""``gwangju-twin sunlight``: a building's winter-solstice sunlight (일조) and the courts'
verdict, computed from the footprints and heights (docs/sunlight.md)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING, Any

from gwangju_twin.app.commands.options import load_source, source_options
from gwangju_twin.errors import InputError

if TYPE_CHECKING:
    from gwangju_twin.geo import District
    from gwangju_twin.sun.sunlight import SunlightResult


def day(text: str) -> date:
    """An argparse type: a calendar day YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--date {text!r}: expected a day as YYYY-MM-DD, e.g. 2026-12-22") from None


def add_parser(sub: Any) -> None:
    """Add ``sunlight`` to the command line's sub-commands."""
    p = sub.add_parser(
        "sunlight", help="a building's winter-solstice sunlight hours and the 2 h / 4 h verdict")
    p.add_argument("source", nargs="?", help="scene .toml or data file (default: Sangmu)")
    p.add_argument("--building", required=True, metavar="ID_OR_NAME",
                   help="the building: its feature id (e.g. lm-cityhall), its name (Korean or "
                   "English), or #ROW (its row in the loaded district, as this command "
                   "prints it)")
    p.add_argument("--date", type=day, default=None, metavar="YYYY-MM-DD",
                   help="the day (default: this year's winter solstice in Korea)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    source_options(p)


def find_building(district: District, wanted: str, rows: Any, where: str) -> int:
    """The row of the extruded building ``wanted`` names (id, name, or #ROW); InputError
    naming ``where`` otherwise."""
    text = wanted.strip()
    if text.startswith("#") and text[1:].isdigit():
        row = int(text[1:])
        if row in set(rows.tolist()):
            return row
        raise InputError(f"{where}: --building {wanted}: row {row} is no building with a "
                         f"footprint and a height (rows 0..{len(district) - 1})")
    ids = [i for i in rows.tolist() if district.feature_id[i] == text]
    if not ids:
        low = text.casefold()
        ids = [i for i in rows.tolist()
               if low in ((district.name[i] or "").casefold(),
                          (district.name_en[i] or "").casefold())]
    if len(ids) == 1:
        return int(ids[0])
    if len(ids) > 1:
        raise InputError(f"{where}: --building {wanted!r}: {len(ids)} buildings have that "
                         f"name; give a feature id or #ROW (e.g. #{ids[0]})")
    raise InputError(f"{where}: --building {wanted!r}: no building has that feature id or "
                     "name; expected an id such as lm-cityhall, a name, or #ROW")


def as_json(result: SunlightResult, district: District, row: int) -> dict[str, Any]:
    """The JSON form (schema gwangju-twin/sunlight/1)."""
    return {
        "schema": "gwangju-twin/sunlight/1",
        "building": {"row": row, "id": district.feature_id[row], "name": district.name[row],
                     "height_m": round(float(district.height[row]), 2)},
        "date": result.day.isoformat(),
        "zone": str(result.zone),
        "step_minutes": result.step_minutes,
        "sample_height_m": result.sample_height,
        "obstacles": result.obstacles,
        "facades": [{
            "facing": f.facing, "length_m": round(f.length, 2),
            "start": [round(v, 2) for v in f.start], "end": [round(v, 2) for v in f.end],
            "hours_total": round(f.hours_total, 3),
            "hours_continuous": round(f.hours_continuous, 3),
            "share_passing": round(f.share_passing, 3), "passes": f.passes,
        } for f in result.facades],
        "passes": result.passes[row],
    }


def run(args: argparse.Namespace) -> int:
    """Check the building; print each facade's hours and the verdict."""
    from gwangju_twin.expo.city import read_district
    from gwangju_twin.sun.sunlight import district_sunlight, extruded

    scene = load_source(args.source, args)
    district, _ = read_district(scene)
    where = str(scene.path or scene.source)
    row = find_building(district, args.building, extruded(district), where)
    result = district_sunlight(district, row, day=args.date)
    if args.json:
        print(json.dumps(as_json(result, district, row), ensure_ascii=False, indent=2))
        return 0
    label = district.name_en[row] or district.name[row] or district.feature_id[row] or "?"
    print(f"{label} (#{row}, {district.feature_id[row]}, {district.height[row]:.1f} m): "
          f"sunlight on {result.day.isoformat()} ({result.zone}), "
          f"{result.obstacles} buildings within 500 m considered")
    print(f"{'facade':>6} {'length':>8} {'08-16 h':>8} {'09-15 run':>9} {'samples ok':>10}  rule")
    for f in result.facades:
        print(f"{f.facing:>6} {f.length:>7.1f}m {f.hours_total:>8.2f} {f.hours_continuous:>9.2f} "
              f"{f.share_passing:>10.0%}  {'pass' if f.passes else 'fail'}")
    verdict = "PASS" if result.passes[row] else "FAIL"
    print(f"verdict: {verdict} (a facade needs 2 h continuous within 09:00-15:00 or 4 h in "
          "total within 08:00-16:00; Supreme Court 2005다72485)")
    return 0
