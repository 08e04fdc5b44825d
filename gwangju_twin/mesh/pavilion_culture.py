"""The culture pavilion (pure numpy): a twisting media tower beside a gallery with a screen.

The builder takes a ``Site`` and returns a ``Model`` in site coordinates (see
``pavilion_kit``).
"""

from __future__ import annotations

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch
from gwangju_twin.mesh.pavilion_kit import (
    DARK,
    DARK_GLASS,
    PLAZA_TOP,
    ROOF,
    STEEL,
    WHITE,
    Model,
    Site,
    band,
    exterior,
    gradient,
    grow,
    outline,
    painted,
    rect,
)
from gwangju_twin.mesh.shapes import affine, box, boxes, frustums, prism


def culture(s: Site) -> Model:
    """A twisting media tower of stacked, turning floors in graded colours next to a white
    gallery whose front is a big media screen."""
    u0, u1, v0, v1 = s.zone
    side = 0.4 * min(u1 - u0, v1 - v0)
    tu, tv = u0 + side * 0.75, v0 + side * 0.75
    floors, pitch, slab, twist = 12, 3.0 * s.k, 0.6, 6.5
    # Media-art colours: the sector purple through magenta to amber, floor by floor.
    stops = np.array([s.accent[:3], [222, 78, 150], [250, 176, 86]], np.float64)
    parts: list[MeshBatch] = []
    grad = gradient(stops, np.linspace(0.0, 1.0, floors))
    glass_ms, slab_ms = [], []
    for n in range(floors):
        z = PLAZA_TOP + n * pitch
        glass_ms.append(affine((tu, tv, z + (pitch - slab) / 2), yaw=n * twist,
                               scale=(side - 2.0, side - 2.0, pitch - slab)))
        slab_ms.append(affine((tu, tv, z + pitch - slab / 2), yaw=n * twist,
                              scale=(side, side, slab)))
    parts += [painted(boxes(np.array(glass_ms), WHITE), grad),
              boxes(np.array(slab_ms), WHITE, top=ROOF)]
    top = PLAZA_TOP + floors * pitch
    parts.append(frustums(np.array([[tu, tv]]), top, top + 6.0, 0.35, 0.15, 6, STEEL))

    # The gallery and its media screen: a grid of coloured tiles facing the forecourt.
    g0 = tu + side * 0.75 + 2.0
    va = v1 - 0.6 * (v1 - v0)
    gallery = rect(g0, u1, va, v1)
    gh = PLAZA_TOP + 12.0 * s.k
    # The roof falls away from the screen, so the gallery reads as a stage facing the plaza.
    slope = PLAZA_TOP + np.array([7.0, 7.0, 12.0, 12.0]) * s.k
    lid = exterior(grow(gallery, 0.6))
    lid_z = np.interp(lid[:, 1], [va, v1], slope[[0, 2]])
    parts += [prism(gallery, PLAZA_TOP, slope, WHITE, ROOF),
              prism(lid, lid_z, lid_z + 0.7, s.accent, ROOF),
              band(gallery, PLAZA_TOP + 0.4, PLAZA_TOP + 2.8, DARK_GLASS, out=0.1)]
    sw, sz0, sz1 = u1 - g0 - 3.0, PLAZA_TOP + 3.6, gh - 1.8
    parts.append(box(((g0 + u1) / 2, v1 + 0.35), (sw + 1.0, 0.7), sz0 - 0.5, sz1 + 0.5, DARK))
    cols, rows = 8, 4
    tw, th = sw / cols, (sz1 - sz0) / rows
    r, c = np.divmod(np.arange(rows * cols), cols)
    tiles = [affine((g0 + 1.5 + (ci + 0.5) * tw, v1 + 0.8, sz0 + (ri + 0.5) * th),
                    scale=(tw - 0.25, 0.2, th - 0.25)) for ri, ci in zip(r, c, strict=True)]
    # The screen shows the same gradient running diagonally across it.
    parts.append(painted(boxes(np.array(tiles), WHITE),
                         gradient(stops, (c / (cols - 1) + r / (rows - 1)) / 2)))
    base = rect(tu - side / 2, tu + side / 2, tv - side / 2, tv + side / 2)
    return Model(parts, outline([base, gallery]), top)
