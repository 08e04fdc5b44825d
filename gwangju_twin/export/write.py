"""Exports of a baked city: one GLB, or an OGC 3D Tiles 1.1 tileset of GLB tiles
(docs/export.md).

Both read the tile cache's merged batches, never one mesh per building: a GLB holds one node
per tile with one primitive per material, and every vertex carries its feature's row of the
file's property table.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gwangju_twin import __version__
from gwangju_twin.expo.pavilions import Pavilion
from gwangju_twin.export.features import FeatureTable, feature_table
from gwangju_twin.export.glb import GlbWriter
from gwangju_twin.export.read import tile_batches
from gwangju_twin.export.tiles3d import (
    Bend,
    Box,
    Node,
    assign_errors,
    enu_to_ecef,
    tile_json,
    union,
)
from gwangju_twin.export.tiles3d import padded as pad
from gwangju_twin.geo.model import District
from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.tiles.tileset import TileSet


@dataclass
class City:
    """What an export reads: the baked tiles, the district they draw (the viewer's, with
    buildings under pavilions cleared when pavilions are exported) and the pavilions."""

    tiles: TileSet
    district: District
    pavilions: Sequence[Pavilion] = ()
    source: str = ""
    _table: FeatureTable | None = field(default=None, repr=False)

    def table(self) -> FeatureTable:
        """The attributes of every district row, worked out once (a tileset's tiles take
        their rows from it: a building is in up to three of them, one per level)."""
        if self._table is None:
            self._table = feature_table(self.district, np.arange(len(self.district)))
        return self._table

    def pavilion_table(self) -> FeatureTable:
        """The attributes of the pavilions."""
        return feature_table(self.district, np.zeros(0, np.int64),
                             [p.info for p in self.pavilions])


@dataclass
class Summary:
    """What an export wrote."""

    path: Path
    files: int = 0
    bytes: int = 0
    triangles: int = 0
    tiles: int = 0
    features: int = 0
    seconds: float = 0.0
    contents: list[Path] = field(default_factory=list)

    def line(self) -> str:
        """One line for the terminal."""
        return (f"{self.path}: {self.files} file{'s' * (self.files != 1)}, "
                f"{self.bytes / 1e6:.1f} MB, {self.triangles:,} triangles, {self.tiles} "
                f"tiles, {self.features:,} features, {self.seconds:.1f} s")


def origin_extras(city: City) -> dict[str, Any]:
    """Where the local frame stands: the asset extras of every GLB written."""
    frame = city.district.frame
    return {"gwangju_twin": {
        "program": __version__, "source": city.source,
        "origin": {"lon": frame.lon, "lat": frame.lat, "height": 0.0},
        "crs": frame.crs.srs,
        "frame": "local transverse Mercator metres around the origin (x east, y north, z up),"
                 " written glTF y-up: glTF (x, y, z) = (east, up, -north); add each node's "
                 "translation",
    }}


def _levels_of(tiles: TileSet, key: str, level: int) -> bool:
    """Whether tile ``key`` can be drawn at ``level`` (a far group that held a cleared
    building cannot at level 2)."""
    return level in tiles.levels(key)


def _table_for(city: City, batches: list[MeshBatch], pavilions: bool
               ) -> tuple[FeatureTable, np.ndarray]:
    """The property table of the features ``batches`` draw (and the pavilions), and the
    table rows of the district rows (-1: not in the table)."""
    ids = [b.feature_ids[b.indices[:, 0]] for b in batches if b.primitive_count]
    # Which rows are drawn, marked in a mask rather than sorted out (np.unique): the ids of a
    # city's millions of triangles.
    drawn = np.zeros(len(city.district), bool)
    for i in ids:
        drawn[i[i >= 0]] = True
    rows = np.flatnonzero(drawn)
    # Every row drawn (the usual single GLB): the table as it is, not a copy of each column.
    table = city.table() if len(rows) == len(drawn) else city.table().take(rows)
    if pavilions and city.pavilions:
        table = table.extended(city.pavilion_table())
    lookup = np.full(len(city.district), -1, np.int64)
    lookup[rows] = np.arange(len(rows))
    return table, lookup


def _with_table_ids(batches: list[MeshBatch], lookup: np.ndarray) -> list[MeshBatch]:
    """``batches`` with their feature ids (district rows) made rows of the table, over all
    of them at once (a city's tiles are many small batches)."""
    if not batches:
        return []
    fid = np.concatenate([b.feature_ids for b in batches]).astype(np.int64)
    # Vertices of cleared buildings (-1) belong to no triangle: they keep -1, by which
    # the writer knows to drop them.
    ids = np.where(fid >= 0, lookup[np.clip(fid, 0, None)], -1).astype(np.int32)
    ends = np.cumsum([b.vertex_count for b in batches]).tolist()
    return [MeshBatch(b.material, b.positions, b.normals, b.colors, b.indices,
                      ids[a:z], b.tile, b.draw_order, b.emissive)
            for b, a, z in zip(batches, [0, *ends[:-1]], ends, strict=True)]


def _pavilion_batches(city: City, first: int) -> list[MeshBatch]:
    out = []
    for p in city.pavilions:
        b = p.shape.batch
        # pavilion_index, over the whole array: -1 is pavilion 0, -2 pavilion 1, ...
        k = -b.feature_ids.astype(np.int64) - 1
        out.append(MeshBatch(b.material, b.positions, b.normals, b.colors, b.indices,
                             (first + k).astype(np.int32)))
    return out


def _bent(b: MeshBatch, bend: Bend) -> MeshBatch:
    """``b`` with every vertex lowered onto the curved Earth (tiles3d.Bend)."""
    pos = b.positions.astype(np.float64)
    pos[:, 2] -= bend.drop(pos[:, 0], pos[:, 1])
    return MeshBatch(b.material, pos.astype(np.float32), b.normals, b.colors, b.indices,
                     b.feature_ids, b.tile, b.draw_order)


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file, so a half-written export is never left as done."""
    tmp = path.with_name(f".part-{path.name}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def export_glb(city: City, out: Path, level: int = 0, pavilions: bool = False,
               quantize: bool = True) -> Summary:
    """The city at ``level`` as one GLB: a node per tile and material (``quantize``:
    KHR_mesh_quantization, see export.glb)."""
    start = time.perf_counter()
    tiles = city.tiles
    keys = sorted(tiles.far_tiles if level == 2 else tiles.leaf_tiles)
    wanted: list[tuple[str, int]] = []
    for key in keys:
        if _levels_of(tiles, key, level):
            wanted.append((key, level))
        elif level == 2:
            # A far group that held a cleared building is drawn by its leaves' level 1.
            wanted += [(leaf, 1) for leaf in sorted(k for k in tiles.leaf_tiles
                                                     if k.startswith(key))]
    # One tile after the other. Two reader threads, with the attributes worked out
    # meanwhile, once took three quarters of the time (185k city: 3.8 to 3.0 s); since the
    # tiles are viewed in place and the writer works on all of them at once, the threads'
    # hand-overs of the GIL cost more than they let run together (7 Dec 2026: Sangmu 2 ms
    # of 40, the 185k city 0.2 to 0.3 s of 1.9; docs/export.md, "Speed").
    drawn = [(key, tile_batches(tiles, key, lv)) for key, lv in wanted]
    table, lookup = _table_for(city, [b for _, bs in drawn for b in bs], pavilions)
    writer = GlbWriter(table, origin_extras(city), f"gwangju-twin {__version__}", quantize)
    mapped = iter(_with_table_ids([b for _, bs in drawn for b in bs], lookup))
    writer.add_nodes([(key, [next(mapped) for _ in batches], {"tile": key, "level": level})
                      for key, batches in drawn])
    if pavilions and city.pavilions:
        pav = _pavilion_batches(city, len(table) - len(city.pavilions))
        writer.add_node("pavilions", pav)
    tmp = out.with_name(f".part-{out.name}")
    with tmp.open("wb") as f:
        size = writer.write(f)
    os.replace(tmp, out)
    return Summary(out, 1, size, writer.stats.triangles, len(drawn),
                   writer.stats.features, time.perf_counter() - start, [out])


def _tree(city: City, finest: int, pavilions: bool, bend: Bend) -> Node:
    """The tileset's nodes (without errors) over the bake's quadtree, boxes lowered by
    ``bend`` as the content will be."""
    tiles = city.tiles

    def padded(box: Box) -> Box:
        return bend.box(pad(box))

    nodes: dict[str, Node] = {}
    for key, leaf in tiles.leaf_tiles.items():
        if finest == 2 and 2 in tiles.levels(_group_of(tiles, key)):
            continue  # its far group stands for it
        node = Node(key, padded(leaf.box))
        if finest == 0 and _same_levels(tiles, key):
            node.level = 0  # nothing to simplify: full detail at once
        else:
            node.level = 1
            node.own_error = leaf.errors.get(1, 0.0)
            if finest == 0:
                node.children.append(Node(key, node.box, 0))
        nodes[key] = node
    for key, group in tiles.far_tiles.items():
        if 2 not in tiles.levels(key):
            continue
        if key in nodes:  # a group that is a single leaf: the hulls above the leaf
            nodes[key] = Node(key, padded(group.box), 2, group.errors.get(2, 0.0),
                             [nodes[key]])
        else:
            nodes[key] = Node(key, padded(group.box), 2, group.errors.get(2, 0.0))
    # Every cell on the way from the root to a tile, parents holding their children.
    for length in range(max(map(len, nodes)), 1, -1):
        for key in [k for k in nodes if len(k) == length]:
            parent = key[:-1]
            if parent not in nodes:
                nodes[parent] = Node(parent, nodes[key].box)
            nodes[parent].children.append(nodes[key])
    root = nodes["r"]
    for n in reversed(root.walk()):
        n.children.sort(key=lambda c: (c.key, -(c.level or 0)))
        if n.children:
            n.box = union([n.box] + [c.box for c in n.children])
    if pavilions and city.pavilions:
        boxes = []
        for p in city.pavilions:
            pos = p.shape.batch.positions
            boxes.append((*pos.min(axis=0).tolist(), *pos.max(axis=0).tolist()))
        pav = Node("pavilions", padded(union(boxes)), 0)
        top = Node("r", union([root.box, pav.box]), None, 0.0, [root, pav])
        root = top
    return root


def _group_of(tiles: TileSet, leaf: str) -> str:
    """The key of the far group leaf ``leaf`` lies under."""
    group = tiles.leaf_tiles[leaf].group
    return group if group is not None else leaf


def _same_levels(tiles: TileSet, key: str) -> bool:
    """Whether leaf ``key``'s level 1 is its level 0 (nothing to simplify: no part 1)."""
    return "1" not in tiles.leaf_tiles[key].triangles


def export_3dtiles(city: City, out: Path, finest: int = 0, pavilions: bool = False,
                   quantize: bool = True) -> Summary:
    """The city as a 3D Tiles 1.1 tileset in folder ``out`` (``tileset.json`` and
    ``tiles/*.glb``), levels of detail down to ``finest``."""
    start = time.perf_counter()
    frame = city.district.frame
    bend = Bend.at(frame.lat)
    root = _tree(city, finest, pavilions, bend)
    x0, y0, x1, y1 = city.tiles.bounds
    extent = max(x1 - x0, y1 - y0, 1.0)
    assign_errors(root, extent)
    (out / "tiles").mkdir(parents=True, exist_ok=True)
    summary = Summary(out / "tileset.json")
    extras = origin_extras(city)
    seen: list[np.ndarray] = []
    pavilions_seen = False
    for node in root.walk():
        if node.level is None:
            continue
        if node.key == "pavilions":
            batches = _pavilion_batches(city, 0)
            table = city.pavilion_table()
        else:
            batches = tile_batches(city.tiles, node.key, node.level)
            table, lookup = _table_for(city, batches, False)
            batches = _with_table_ids(batches, lookup)
        batches = [_bent(b, bend) for b in batches]
        writer = GlbWriter(table, extras, f"gwangju-twin {__version__}", quantize)
        writer.add_node(node.key, batches, {"tile": node.key, "level": node.level})
        data = writer.to_bytes()
        path = out / node.content_name()
        _write(path, data)
        summary.contents.append(path)
        summary.files += 1
        summary.bytes += len(data)
        summary.triangles += writer.stats.triangles
        rows = table.columns["row"]
        seen.append(np.asarray(rows)[np.asarray(rows) >= 0])
        pavilions_seen |= node.key == "pavilions"
    # An earlier export's tiles that this one did not write again would only mislead.
    for old in set((out / "tiles").glob("*.glb")) - set(summary.contents):
        old.unlink()
    root_json = tile_json(root)
    root_json["transform"] = enu_to_ecef(frame.lon, frame.lat)
    tileset = {
        "asset": {"version": "1.1", "generator": f"gwangju-twin {__version__}",
                  "extras": extras},
        # The error of drawing nothing at all: above the root's.
        "geometricError": round(root.error + extent / 100, 3),
        "root": root_json,
    }
    text = json.dumps(tileset, ensure_ascii=False, separators=(",", ":")) + "\n"
    _write(out / "tileset.json", text.encode())
    summary.files += 1
    summary.bytes += len(text.encode())
    summary.features = len(np.unique(np.concatenate(seen))) if seen else 0
    summary.features += len(city.pavilions) if pavilions_seen else 0
    summary.tiles = sum(1 for n in root.walk() if n.level is not None)
    summary.seconds = time.perf_counter() - start
    return summary
