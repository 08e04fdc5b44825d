"""The human-readable form of a LoadReport, as ``gwangju-twin inspect`` prints it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from gwangju_twin.geo.model import District, Issue, LoadReport
from gwangju_twin.terminal import shown

MAX_LISTED = 50
#: How many tags of points left out the text report names (the JSON has all).
MAX_TAGS = 12

#: How many of the tallest buildings ``inspect`` names.
TALLEST = 10


def building_summary(district: District) -> dict[str, Any]:
    """Buildings by type, most common first, and the tallest ``TALLEST`` of them.

    The JSON form ``inspect --json`` adds to the load report: ``building_types`` maps a
    building's type (its ``building=*`` value or register use, "yes" when untyped) to a count;
    ``tallest`` lists ``{index, id, name, name_en, height_m, height_from}``, tallest first;
    ``height_from`` says where the height came from (measured, levels or default), so a
    tower that is tall only by a type's default is told apart from one measured so.
    """
    rows = district.select("buildings")
    types = Counter(str(k) for k in district.kind[rows])
    order = rows[np.argsort(-district.height[rows], kind="stable")][:TALLEST]
    tallest = [
        {
            "index": int(district.source_index[r]),
            "id": district.feature_id[r],
            "name": district.name[r],
            "name_en": district.name_en[r],
            "height_m": round(float(district.height[r]), 2),
            "height_from": str(district.height_source[r]),
        }
        for r in order
    ]
    return {
        "building_types": dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        "tallest": tallest,
    }


def format_report(report: LoadReport, buildings: dict[str, Any] | None = None) -> str:
    """A plain-text report: counts, buildings by type and the tallest (``building_summary``,
    when given), bounding boxes, then repaired/skipped/warned features.

    Text from the file (ids, names, values quoted in reasons) is printed through
    ``terminal.shown``, so control characters in it are shown, never obeyed.
    """
    left_out = report.points_left_out()
    n_left = sum(left_out.values())
    lines = [
        shown(report.source),
        f"  format     {shown(report.format)}, text {shown(report.encoding)}",
        f"  CRS        {shown(report.crs)} (from {report.crs_from}{_crs_origin(report)})",
        f"  schema     {report.source_schema} ({report.schema_from})",
        f"  features   {report.features} in file, {report.loaded} loaded, "
        f"{len(report.skipped)} skipped" + (f", {n_left} points left out" if n_left else ""),
        "  layers     " + ", ".join(f"{k} {v}" for k, v in report.layers.items() if v)
        if report.loaded else "  layers     none",
        "  heights    " + ", ".join(f"{k} {v}" for k, v in report.heights.items())
        + (" (from " + ", ".join(f"{shown(k)} {v}" for k, v in sorted(
            report.height_keys.items(), key=lambda kv: (-kv[1], kv[0])))
           + ")" if report.height_keys else ""),
    ]
    if n_left:
        tags = list(left_out.items())
        text = ", ".join(f"{shown(tag)} {n}" for tag, n in tags[:MAX_TAGS])
        if len(tags) > MAX_TAGS:
            text += f", {len(tags) - MAX_TAGS} more tags"
        lines.append(f"  points     {n_left} left out, no points of interest "
                     f"(--points all keeps them): {text}")
    if report.crs_warning:
        lines.append(f"  CRS note   {shown(report.crs_warning)}")
    if report.height_range:
        lo, mean, hi = report.height_range
        lines.append(f"  tops       {lo:.1f} .. {hi:.1f} m, mean {mean:.1f} m")
    if buildings and buildings["building_types"]:
        lines.append("  types      " + ", ".join(
            f"{shown(kind)} {n}" for kind, n in buildings["building_types"].items()))
    if buildings and buildings["tallest"]:
        lines.append("  tallest")
        lines.extend(f"    {row['height_m']:6.1f} m  {row['height_from']:<8}  {_who(row)}"
                     for row in buildings["tallest"])
    if report.bbox_lonlat:
        a = report.bbox_lonlat
        lines.append(f"  bbox       lon {a[0]:.6f} .. {a[2]:.6f}, lat {a[1]:.6f} .. {a[3]:.6f}")
    if report.bbox_local:
        b = report.bbox_local
        lines.append(
            f"  extent     {b[2] - b[0]:.0f} m x {b[3] - b[1]:.0f} m around origin "
            f"({report.origin[0]:.6f}, {report.origin[1]:.6f})"
        )
    if report.reoriented:
        lines.append(f"  winding    {report.reoriented} features had clockwise outer rings "
                     "(reoriented; RFC 7946 asks for counter-clockwise)")
    for title, items in (("repaired", report.repaired), ("skipped", report.skipped),
                         ("warnings", report.warnings), ("cleared", report.cleared)):
        if title == "cleared" and not items:
            continue  # only scenes with pavilions clear buildings
        lines.append(f"  {title:<10} {len(items)}")
        lines.extend(_issue(i) for i in items[:MAX_LISTED])
        if len(items) > MAX_LISTED:
            lines.append(f"    ... and {len(items) - MAX_LISTED} more (use --json for all)")
    return "\n".join(lines)


def _crs_origin(report: LoadReport) -> str:
    """Where the file declares its CRS, when it does: ``, its .prj file`` after "file",
    ``; its .prj file declares EPSG:5186`` after "option"."""
    if report.crs_declared is None:
        return ""
    by = shown(report.crs_declared_by or "the file")
    if report.crs_from == "file":
        return f", {by}"
    return f"; {by} declares {shown(report.crs_declared)}"


def _who(row: dict[str, Any]) -> str:
    names = [n for n in (row["name"], row["name_en"]) if n]
    if names:
        return " / ".join(shown(n) for n in dict.fromkeys(names))
    ident = f" id {shown(row['id'])}" if row["id"] else ""
    return f"feature {row['index']}{ident} (unnamed)"


def _issue(issue: Issue) -> str:
    ident = f" id {shown(issue.id)}" if issue.id else ""
    return f"    feature {issue.index}{ident}: {shown(issue.reason)}"
