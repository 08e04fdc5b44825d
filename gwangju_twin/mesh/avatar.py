"""The shapes of shared presence (pure numpy, from the primitives of ``mesh.shapes``): a
friendly visitor avatar, its look marker, and the flat ring and heart of the reactions.

Everything is white or grey so a renderer tints one shared Geom per shape with each
visitor's colour (a colour scale multiplies the vertex colours): the avatar is made once and
instanced, whatever the number of visitors. Metres, z up, the avatar's feet at the origin
and its face towards +y (north: a heading of 0).
"""

from __future__ import annotations

import numpy as np

from gwangju_twin.mesh.batch import MeshBatch, concat
from gwangju_twin.mesh.shapes import affine, dome, frustums, soup, transform

MATERIAL = "avatar"
#: The avatar's height (m) at scale 1: a little taller than a person, so it reads from the
#: orbit camera's usual distance; the renderer grows it further away.
AVATAR_HEIGHT = 3.4
#: The look marker's height above the feet (m): in front of the face.
EYE_HEIGHT = 2.75
_WHITE = (255, 255, 255, 255)
_SHADE = (205, 205, 205, 255)  # the skirt's hem, a shade darker than the body
_VISOR = (70, 70, 78, 255)  # the look marker: dark, whatever the tint


def avatar_body(segments: int = 16) -> MeshBatch:
    """A pawn-like body: a flared skirt, a tapering torso and a round head (white)."""
    hem = frustums(np.zeros((1, 2)), 0.0, 0.35, 0.95, 0.9, segments, _SHADE)
    torso = frustums(np.zeros((1, 2)), 0.35, 2.05, 0.9, 0.5, segments, _WHITE)
    neck = frustums(np.zeros((1, 2)), 2.05, 2.3, 0.5, 0.42, segments, _WHITE)
    top = dome((0.0, 0.0), 2.8, 0.58, 0.6, _WHITE, n=segments, rings=5)
    # The lower half of the head is the top half mirrored (transform keeps faces outward).
    bottom = transform(top, affine((0.0, 0.0, 2 * 2.8), scale=(1.0, 1.0, -1.0)))
    return concat(MATERIAL, [hem, torso, neck, top, bottom])


def look_marker(segments: int = 10) -> MeshBatch:
    """Where the visitor looks: a short dark cone from the face along +y (its tip 1.2 m out),
    placed at ``EYE_HEIGHT``; the renderer turns it by the visitor's heading and pitch."""
    cone = frustums(np.zeros((1, 2)), 0.0, 1.2, 0.28, 0.0, segments, _VISOR)
    # Tipped forward: the cone's +z becomes +y (a pitch of -90 about x).
    return transform(cone, affine((0.0, 0.35, 0.0), pitch=-90.0))


def ring(inner: float = 0.8, outer: float = 1.0, segments: int = 48) -> MeshBatch:
    """A flat ring on the ground (z = 0, facing up) between radii ``inner`` and ``outer``:
    the "look here" ping's ripple, scaled as it spreads."""
    ang = np.linspace(0.0, 2 * np.pi, segments + 1)
    cs, sn = np.cos(ang), np.sin(ang)
    zeros = np.zeros_like(ang)
    lo = np.stack([inner * cs, inner * sn, zeros], axis=1)
    hi = np.stack([outer * cs, outer * sn, zeros], axis=1)
    tris = np.concatenate([
        np.stack([lo[:-1], hi[:-1], hi[1:]], axis=1),
        np.stack([lo[:-1], hi[1:], lo[1:]], axis=1),
    ])
    return soup(tris, _WHITE)


def heart_outline(points: int = 40) -> np.ndarray:
    """A heart's outline ``(points, 2)`` in (x, z), about 1 wide and centred on the origin
    (the classic parametric heart), counter-clockwise: the "like" reaction's shape."""
    t = np.linspace(0.0, 2 * np.pi, points, endpoint=False)
    x = 16 * np.sin(t) ** 3
    z = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    # Centred on its box (a fan from the centre then fills it: the heart is star-shaped
    # about that point) and scaled to about 1 across.
    out = np.stack([x, z + 2.5], axis=1) / 33.0
    return out[::-1] if _signed_area(out) < 0 else out


def _signed_area(ring: np.ndarray) -> float:
    x, z = ring[:, 0], ring[:, 1]
    return float(0.5 * np.sum(x * np.roll(z, -1) - np.roll(x, -1) * z))
