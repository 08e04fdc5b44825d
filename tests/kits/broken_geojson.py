"""Whole GeoJSON files that are broken, each with the words its one-line error must name.

The loader's tests read them in process (an InputError) and through the command line (one
``gwangju-twin: error:`` line, exit status 2); the ``bad_file`` fixture writes each in turn.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from geojson_builders import collection, feature, ll, polygon, square


def good_doc_text() -> str:
    """A small valid document with a Korean name (used to build wrongly encoded files)."""
    return json.dumps(
        collection(feature(polygon(square(0, 0, 20)), "a", name="광주 시청", building="civic")),
        ensure_ascii=False,
    )


_NAN_RING = [ll(0, 0), [float("nan"), ll(0, 0)[1]], ll(10, 10), ll(0, 0)]
_INF_RING = [ll(0, 0), ll(10, 0), [ll(10, 10)[0], float("inf")], ll(0, 0)]
# EPSG:5186 metres (what a Korean GIS exports) left without a crs member: read as lon/lat.
_METRES_RING = [[190000.0, 450000.0], [190020.0, 450000.0], [190020.0, 450020.0],
                [190000.0, 450000.0]]


def _doc(d: dict[str, Any]) -> Callable[[], bytes]:
    return lambda: json.dumps(d).encode("utf-8")


#: id -> (file bytes, words the message must contain, case-insensitive)
BAD_FILES: dict[str, tuple[Callable[[], bytes], tuple[str, ...]]] = {
    "not-json-truncated": (lambda: good_doc_text()[:40].encode(), ("not valid json",)),
    "not-json-prose": (lambda: b"Gwangju city hall district\n", ("not valid json",)),
    "not-geojson-array": (lambda: b"[[126.85, 35.15], [126.86, 35.16]]", ("not geojson", "list")),
    "not-geojson-object-without-type": (_doc({"name": "광주"}), ("not geojson", "type")),
    "not-geojson-topojson": (_doc({"type": "Topology", "objects": {}}),
                             ("not geojson", "topology")),
    "featurecollection-without-features-list": (_doc({"type": "FeatureCollection"}),
                                                ("features",)),
    "empty-file": (lambda: b"", ("empty",)),
    "whitespace-only-file": (lambda: b" \n\t\r\n", ("empty",)),
    "featurecollection-with-no-features": (_doc(collection()), ("no features",)),
    "encoding-utf-16-with-bom": (lambda: good_doc_text().encode("utf-16"), ("utf-16", "utf-8")),
    # ASCII-only UTF-16 without a BOM is not even invalid UTF-8: only its NUL bytes tell.
    "encoding-utf-16-le-ascii-without-bom": (
        lambda: json.dumps(collection(feature(polygon(square(0, 0, 20))))).encode("utf-16-le"),
        ("utf-16", "utf-8"),
    ),
    "encoding-utf-32": (lambda: good_doc_text().encode("utf-32"), ("utf-32", "utf-8")),
    "encoding-latin-1": (
        lambda: good_doc_text().replace("광주 시청", "Café Mudeung").encode("latin-1"),
        ("utf-8",),
    ),
    # Korean CP949 is read (detected); a Japanese Shift-JIS export is neither UTF-8 nor CP949.
    "encoding-shift-jis": (
        lambda: good_doc_text().replace("광주 시청", "東京タワー").encode("shift_jis"),
        ("utf-8", "cp949", "--encoding"),
    ),
    "nan-coordinate": (_doc(collection(feature(polygon(_NAN_RING), "n"))), ("nan",)),
    "infinite-coordinate": (_doc(collection(feature(polygon(_INF_RING), "i"))), ("infinity",)),
    "infinite-coordinate-overflowing-literal": (
        lambda: b'{"type": "Point", "coordinates": [1e999, 35.0]}', ("infinity",)
    ),
    "projected-metres-read-as-lonlat": (
        _doc(collection(feature(polygon(square(0, 0, 10))), feature(polygon(_METRES_RING)))),
        ("impossible", "epsg:4326"),
    ),
    "latitude-beyond-90": (
        _doc(collection(feature({"type": "Point", "coordinates": [126.85, 95.0]}))),
        ("impossible",),
    ),
    "impossible-for-epsg-5186": (
        _doc(collection(
            feature(polygon([[1e12, 1e12], [1e12 + 50, 1e12], [1e12, 1e12 + 50], [1e12, 1e12]])),
            crs={"type": "name", "properties": {"name": "EPSG:5186"}},
        )),
        ("impossible", "epsg:5186"),
    ),
    "unknown-crs-member": (
        _doc(collection(feature(polygon(square(0, 0, 10))),
                        crs={"type": "name", "properties": {"name": "EPSG:999999"}})),
        ("crs", "epsg:999999"),
    ),
    "unsupported-crs-member": (
        _doc(collection(feature(polygon(square(0, 0, 10))),
                        crs={"type": "link", "properties": {"href": "http://x/crs"}})),
        ("crs",),
    ),
    "spanning-half-the-earth": (
        _doc(collection(
            feature({"type": "LineString", "coordinates": [[-60.0, 0.0], [120.0, 0.0]]})
        )),
        ("too far", "local metric frame"),
    ),
    "every-feature-broken": (
        _doc(collection(feature(None, "a"), feature({"type": "Circle", "coordinates": [0, 0]}))),
        ("none of its 2 features",),
    ),
}

