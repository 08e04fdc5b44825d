"""The naive baseline of bench_pipeline: what a hobby viewer does with a GeoJSON district,
one trimesh extrusion and one Panda3D node per building.

Each node is built with the package's ``make_geom_node`` (whole-array memoryview copies)
rather than a per-vertex GeomVertexWriter loop, so the baseline is, if anything, faster than
what a hobby viewer would write and the reported speed-up is a conservative one. trimesh
shares vertices between faces, so for flat shading every face gets its own three vertices
with trimesh's face normal (no smooth vertex normals, which need scipy). Only buildings are
drawn; the pipeline also meshes roads and parks in its time.

It imports Panda3D and trimesh when imported: the benchmark imports it in its baseline
worker only, before the clock starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import trimesh
from panda3d.core import NodePath
from pyproj import Transformer
from shapely.geometry import shape

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.render.geoms import make_geom_node


def naive_height(props: dict[str, Any]) -> float:
    """What a hobby viewer does for heights: a number, else floors x 3 m, else 9 m."""
    h = props.get("height")
    if h is not None:
        try:
            return float(str(h).replace("m", "").strip())
        except ValueError:
            pass
    levels = props.get("building:levels")
    if levels is not None:
        try:
            return float(levels) * 3.0
        except ValueError:
            pass
    return 9.0


def build_naive(path: Path) -> tuple[NodePath, int, int]:
    """Read the GeoJSON at ``path`` and build one node per building the naive way; returns
    the root node, the triangles drawn and the buildings read."""
    with path.open(encoding="utf-8") as f:
        doc = json.load(f)
    feats = [f for f in doc["features"] if "building" in (f.get("properties") or {})]
    polys = [shape(f["geometry"]) for f in feats]
    b = shapely.total_bounds(polys)
    lon0, lat0 = float(b[0] + b[2]) / 2, float(b[1] + b[3]) / 2
    to_local = Transformer.from_crs(
        "EPSG:4326",
        f"+proj=tmerc +lat_0={lat0!r} +lon_0={lon0!r} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 "
        "+units=m +no_defs",
        always_xy=True,
    )

    def project(xy: np.ndarray) -> np.ndarray:  # one vectorised call per feature
        return np.column_stack(to_local.transform(xy[:, 0], xy[:, 1]))

    root = NodePath("baseline")
    color = np.array([218, 212, 202, 255], np.uint8)
    triangles = 0
    for i, (feat, poly) in enumerate(zip(feats, polys, strict=True)):
        if poly.geom_type != "Polygon":
            continue
        prism = trimesh.creation.extrude_polygon(
            shapely.transform(poly, project), naive_height(feat["properties"])
        )
        n = 3 * len(prism.faces)
        batch = MeshBatch(
            "solid",
            prism.vertices[prism.faces].reshape(-1, 3).astype(np.float32),
            np.repeat(prism.face_normals, 3, axis=0).astype(np.float32),
            np.tile(color, (n, 1)),
            np.arange(n, dtype=np.uint32).reshape(-1, 3),
            np.full(n, i, np.int32),
        )
        root.attach_new_node(make_geom_node(batch, f"building-{i}"))
        triangles += len(prism.faces)
    return root, triangles, len(feats)
