"""MeshBatch: the plain arrays handed from the mesh room to the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

#: The stand-in for "no emissive given" (replaced by zeros of the batch's length).
_NO_GLOW = np.zeros(0, np.uint8)

#: How a batch's indices join its vertices: in threes (triangles) or in pairs (lines).
Primitive = Literal["triangles", "lines"]


@dataclass
class MeshBatch:
    """One drawable batch: flat arrays ready to copy into a GPU buffer.

    ``indices`` has shape (m, 3) for triangles or (m, 2) for lines; ``feature_ids`` maps every
    vertex back to its row in the District, so every triangle is traceable to its feature.
    ``material`` names how it is drawn (solid, ground layer, overlay, lines); ``draw_order``
    orders the flat ground layers, which are painted bottom-up instead of depth-tested.
    ``emissive`` is the light a vertex gives off at night (mesh/glow.py encodes it: lit
    windows on walls); one byte a vertex, 0 for everything that does not glow. Left out, it
    is all zeros.
    """

    material: str
    positions: np.ndarray  # float32 (n, 3)
    normals: np.ndarray  # float32 (n, 3)
    colors: np.ndarray  # uint8 (n, 4)
    indices: np.ndarray  # uint32 (m, 3) or (m, 2)
    feature_ids: np.ndarray  # int32 (n,)
    tile: tuple[int, int] = (0, 0)
    draw_order: int = 0
    emissive: np.ndarray = field(default_factory=lambda: _NO_GLOW)  # uint8 (n,)

    def __post_init__(self) -> None:
        # Most batches (ground, pavilions, overlays) never glow: they leave it out.
        if self.emissive is _NO_GLOW:
            self.emissive = np.zeros(len(self.positions), np.uint8)

    @property
    def primitive(self) -> Primitive:
        """``"triangles"`` or ``"lines"``, from the shape of ``indices``."""
        return "lines" if self.indices.shape[1] == 2 else "triangles"

    @property
    def vertex_count(self) -> int:
        """Number of vertices."""
        return len(self.positions)

    @property
    def primitive_count(self) -> int:
        """Number of triangles (or line segments)."""
        return len(self.indices)

    @staticmethod
    def empty(material: str, per_primitive: int = 3) -> MeshBatch:
        """A batch with no vertices (3 indices per primitive for triangles, 2 for lines)."""
        return MeshBatch(
            material,
            np.zeros((0, 3), np.float32),
            np.zeros((0, 3), np.float32),
            np.zeros((0, 4), np.uint8),
            np.zeros((0, per_primitive), np.uint32),
            np.zeros(0, np.int32),
        )


def concat(material: str, parts: list[MeshBatch]) -> MeshBatch:
    """Concatenate batches of one material, offsetting their indices."""
    parts = [p for p in parts if p.vertex_count]
    if not parts:
        return MeshBatch.empty(material)
    offsets = np.cumsum([0] + [p.vertex_count for p in parts[:-1]])
    return MeshBatch(
        material,
        np.concatenate([p.positions for p in parts]),
        np.concatenate([p.normals for p in parts]),
        np.concatenate([p.colors for p in parts]),
        np.concatenate([p.indices + np.uint32(o) for p, o in zip(parts, offsets, strict=True)]),
        np.concatenate([p.feature_ids for p in parts]),
        parts[0].tile,
        parts[0].draw_order,
        np.concatenate([p.emissive for p in parts]),
    )
