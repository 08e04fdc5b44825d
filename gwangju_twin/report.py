"""The human-readable form of a LoadReport, as ``gwangju-twin inspect`` prints it."""

from __future__ import annotations

from gwangju_twin.geo.model import Issue, LoadReport

MAX_LISTED = 50


def format_report(report: LoadReport) -> str:
    """A plain-text report: counts, bounding boxes, then repaired/skipped/warned features."""
    lines = [
        f"{report.source}",
        f"  CRS        {report.crs} (from {report.crs_from})",
        f"  features   {report.features} in file, {report.loaded} loaded, "
        f"{len(report.skipped)} skipped",
        "  layers     " + ", ".join(f"{k} {v}" for k, v in report.layers.items() if v)
        if report.loaded else "  layers     none",
        "  heights    " + ", ".join(f"{k} {v}" for k, v in report.heights.items()),
    ]
    if report.height_range:
        lo, mean, hi = report.height_range
        lines.append(f"  tops       {lo:.1f} .. {hi:.1f} m, mean {mean:.1f} m")
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


def _issue(issue: Issue) -> str:
    ident = f" id {issue.id}" if issue.id else ""
    return f"    feature {issue.index}{ident}: {issue.reason}"
