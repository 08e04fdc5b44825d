"""The district's features and their GeoJSON: one feature a line, lon/lat rounded to 7
decimals, keys in a fixed order, polygons oriented per RFC 7946, so one layout always gives
the same bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from gwangju_twin.geo.frame import LocalFrame

from .spec import Props


@dataclass
class Feature:
    """One output feature; ``geom`` is in the local metric frame until it is written."""

    fid: str
    kind: str
    props: Props
    geom: BaseGeometry


def unproject(frame: LocalFrame, geoms: np.ndarray) -> np.ndarray:
    """Metric geometries in ``frame`` back to lon/lat."""

    def inverse(c: np.ndarray) -> np.ndarray:
        return np.column_stack(frame.to_lonlat(c[:, 0], c[:, 1]))

    return shapely.transform(geoms, inverse)


def ring_coords(coords: np.ndarray) -> list[list[float]]:
    """Lon/lat coordinates rounded to 7 decimals."""
    return np.round(np.asarray(coords)[:, :2], 7).tolist()


def geometry_json(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry; polygons oriented per RFC 7946 (outer CCW, holes CW)."""
    if geom.geom_type == "LineString":
        return {"type": "LineString", "coordinates": ring_coords(geom.coords)}
    if geom.geom_type == "Polygon":
        rings = [geom.exterior, *geom.interiors]
        return {"type": "Polygon", "coordinates": [ring_coords(r.coords) for r in rings]}
    raise TypeError(f"unexpected geometry {geom.geom_type}")


def write_geojson(name: str, features: list[Feature], frame: LocalFrame, out: Path) -> None:
    """Write one feature per line, keys in a fixed order, UTF-8, no ``crs`` member."""
    metric = np.array([f.geom for f in features], dtype=object)
    # Normalised polygons start at a canonical vertex, whatever the overlay that made them;
    # lines keep their direction (a stream's is its flow).
    oriented = np.array(
        [orient(shapely.normalize(g), 1.0) if g.geom_type == "Polygon" else g for g in metric],
        dtype=object,
    )
    lonlat = unproject(frame, oriented)
    lines = []
    for f, g in zip(features, lonlat, strict=True):
        props = dict(sorted(f.props.items()))
        feat = {"type": "Feature", "id": f.fid, "properties": props, "geometry": geometry_json(g)}
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(
        {"type": "FeatureCollection", "name": name}, ensure_ascii=False, separators=(",", ":")
    )[:-1]
    text = head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(text.encode("utf-8"))
