"""Pavilions in the scene graph: one GeomNode each, a bilingual label, and a demo node; the
named landmarks' labels; and the per-view layout that keeps all those labels apart."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from panda3d.core import Lens, NodePath, Point4, TextFont, Vec3

from gwangju_twin.expo.pavilions import Pavilion
from gwangju_twin.geo.model import District
from gwangju_twin.mesh.district import MARKER_HEIGHT
from gwangju_twin.render.geoms import make_geom_node
from gwangju_twin.scene.sectors import sector
from gwangju_twin.ui.declutter import LabelBox, Placement, Rect, declutter
from gwangju_twin.ui.infocards import LANDMARK_ACCENT
from gwangju_twin.ui.label import BilingualLabel, stack_by_distance

#: World height (m) of a label's Korean line seen from LABEL_FAR metres. Nearer, labels keep
#: their size on screen (a close-up is not filled by its own label); farther, they grow with
#: the square root of distance: still legible in an overview, yet shrinking enough that
#: neighbouring pavilions' labels do not pile up.
LABEL_HEIGHT = 9.0
LABEL_FAR = 500.0
#: Landmark labels are a size smaller than pavilions' and give way to them.
LANDMARK_LABEL_HEIGHT = 0.8 * LABEL_HEIGHT
#: Pavilions first; landmarks after them, ranked among themselves (LANDMARK_PRIORITY + rank
#: in ``landmark_rows``), so City Hall keeps its label before the smaller council beside it.
PAVILION_PRIORITY, LANDMARK_PRIORITY = 0, 1
#: At most this many landmarks get a label (the largest footprints first): a user's file
#: with thousands of named landmarks would otherwise cost a declutter of thousands of labels
#: on every camera move.
MAX_LANDMARK_LABELS = 40
#: Landmark labels float this far (m) above the landmark's top.
LANDMARK_LABEL_CLEARANCE = 4.0
#: The least space between two labels, or a label and a reserved rectangle, in aspect2d
#: units (4 px at 1080p): touching cards read as one.
LABEL_GAP = 0.008
#: The least height of a label's card on screen, tail included, in aspect2d units (the
#: screen is 2 tall): about 40 px at 720p, its Korean line about 12 px. A label farther or
#: in a smaller window is drawn larger than its distance would make it, so that it stays
#: legible; the declutter then hides what no longer fits rather than showing specks.
MIN_CARD_HEIGHT = 0.11
#: The declutter may shrink a crowded label to this height at the least.
MIN_SHRUNK_HEIGHT = 0.085


@dataclass
class PavilionNodes:
    """The nodes of one pavilion: its model, its label and the node its plugin owns."""

    root: NodePath
    model: NodePath
    label: BilingualLabel
    demo: NodePath


@dataclass
class ScreenLabel:
    """A label taking part in the layout: ``height`` is its Korean line's em in metres at
    LABEL_FAR, ``priority`` its rank in the declutter (PAVILION_PRIORITY first)."""

    key: Hashable
    label: BilingualLabel
    priority: int
    height: float


def attach_pavilions(parent: NodePath, pavilions: Sequence[Pavilion], font: TextFont,
                     bold_font: TextFont) -> dict[str, PavilionNodes]:
    """Draw every pavilion under ``parent``; returns its nodes by pavilion id.

    Every node is in district coordinates (identity transforms), so a plugin's node uses
    the same metres as the district data it is given.
    """
    root = parent.attach_new_node("pavilions")
    out = {}
    for pav in pavilions:
        info = pav.info
        node = root.attach_new_node(f"pavilion-{info.id}")
        node.set_tag("pavilion", info.id)
        model = node.attach_new_node(make_geom_node(pav.shape.batch, f"model-{info.id}"))
        sec = sector(info.sector)
        label = BilingualLabel(sec.name_ko, sec.name_en, font, sec.color, height=LABEL_HEIGHT,
                               bold_font=bold_font)
        label.reparent_to(node)
        label.set_pos(info.position[0], info.position[1], pav.shape.label_z)
        demo = node.attach_new_node(f"demo-{info.id}")
        out[info.id] = PavilionNodes(node, model, label, demo)
    return out


#: Landmarks of one name closer than this (metres) are one place, labelled once.
SAME_PLACE = 300.0


def landmark_rows(district: District, limit: int = MAX_LANDMARK_LABELS) -> list[int]:
    """District rows of the named landmarks that get a label, most important first: at
    most ``limit``, the largest footprints first (points count as none; ties in file
    order)."""
    rows = [int(i) for i in np.flatnonzero(district.layer == "landmarks")
            if district.name[i] or district.name_en[i]]
    areas = {i: float(shapely.area(district.geometry[i])) for i in rows}
    kept: list[int] = []
    where: dict[tuple[str | None, str | None], list[tuple[float, float]]] = {}
    for i in sorted(rows, key=lambda i: -areas[i]):
        # One place mapped twice (a castle's outline and a point on it) is labelled once.
        name = (district.name[i], district.name_en[i])
        c = shapely.point_on_surface(district.geometry[i])
        if any(math.hypot(c.x - x, c.y - y) < SAME_PLACE for x, y in where.get(name, ())):
            continue
        where.setdefault(name, []).append((c.x, c.y))
        kept.append(i)
        if len(kept) == limit:
            break
    return kept


def attach_landmarks(parent: NodePath, district: District, font: TextFont,
                     bold_font: TextFont) -> dict[int, BilingualLabel]:
    """A label (Korean name over English name) above every named landmark of ``district``
    (see ``landmark_rows``), under one node in ``parent``; returns them by district row,
    most important first."""
    root = parent.attach_new_node("landmark-labels")
    out: dict[int, BilingualLabel] = {}
    for row in landmark_rows(district):
        ko = district.name[row] or district.name_en[row] or ""
        en = district.name_en[row] or ""
        geom = district.geometry[row]
        height = float(district.height[row])
        if shapely.get_type_id(geom) in (0, 4):  # points are drawn as markers of a fixed height
            height = MARKER_HEIGHT
        top = (height if math.isfinite(height) else 0.0) + LANDMARK_LABEL_CLEARANCE
        at = shapely.point_on_surface(geom)
        label = BilingualLabel(ko, en, font, LANDMARK_ACCENT, height=LANDMARK_LABEL_HEIGHT,
                               bold_font=bold_font)
        label.node.set_name(f"landmark-label-{row}")
        label.node.set_tag("landmark", str(row))
        label.reparent_to(root)
        label.set_pos(at.x, at.y, top)
        out[row] = label
    return out


def label_scale(height: float, distance: float) -> float:
    """A label's node scale at ``distance`` metres from the camera (see LABEL_FAR)."""
    ratio = max(distance, 1.0) / LABEL_FAR
    return height * (ratio if ratio < 1.0 else ratio**0.5)


def scale_labels(nodes: dict[str, PavilionNodes], camera: NodePath) -> None:
    """Keep labels legible from afar (see LABEL_FAR); nearer labels drawn over farther."""
    for pav in nodes.values():
        distance = pav.label.node.get_pos(camera).length()
        pav.label.node.set_scale(label_scale(LABEL_HEIGHT, distance))
    stack_by_distance([pav.label for pav in nodes.values()], camera)


def _film(lens: Lens, x: float, y: float, z: float) -> tuple[float, float]:
    """Camera-space (x, y, z) to film coordinates (-1..1 across the picture)."""
    clip = lens.get_projection_mat().xform(Point4(x, y, z, 1.0))
    return clip.x / clip.w, clip.y / clip.w


def label_rect(label: BilingualLabel, camera: NodePath, lens: Lens) -> Rect | None:
    """The screen rectangle (aspect2d units: x across -aspect..aspect, z up -1..1) of a
    label facing ``camera`` at its current scale, lift 0; None when it is behind the
    camera or wholly outside the picture."""
    p = label.node.get_pos(camera)
    if p.y <= lens.get_near():
        return None
    s = label.node.get_sx()
    half, top = label.extent
    x0, z0 = _film(lens, p.x - half * s, p.y, p.z)
    x1, z1 = _film(lens, p.x + half * s, p.y, p.z + top * s)
    if x1 < -1.0 or x0 > 1.0 or z1 < -1.0 or z0 > 1.0:
        return None
    aspect = lens.get_aspect_ratio()
    return (x0 * aspect, z0, x1 * aspect, z1)


def layout_labels(labels: Sequence[ScreenLabel], camera: NodePath, lens: Lens,
                  reserved: Sequence[Rect] = ()) -> dict[Hashable, Placement]:
    """Lay the labels out for ``camera`` (its ``lens``): each faces the camera at its
    distance's size, then the declutter (gwangju_twin.ui.declutter) decides which are shown,
    lifted over a leader line or shrunk, so that no two cover each other nor a ``reserved``
    rectangle (aspect2d units). Returns the placements by key; labels behind the camera or
    outside the picture are hidden and left out."""
    boxes: list[LabelBox] = []
    by_key = {sl.key: sl for sl in labels}
    full: dict[Hashable, tuple[float, Rect]] = {}
    for sl in labels:
        node = sl.label.node
        sl.label.set_lift(0.0)  # measured at its anchor
        sl.label.face(camera)
        distance = node.get_pos(camera).length()
        scale = label_scale(sl.height, distance)
        node.set_scale(scale)
        rect = label_rect(sl.label, camera, lens)
        if rect is None:
            node.hide()
            continue
        height = rect[3] - rect[1]
        if 0.0 < height < MIN_CARD_HEIGHT:  # too small to read: grow about the anchor
            grow = MIN_CARD_HEIGHT / height
            scale *= grow
            node.set_scale(scale)
            cx, half = (rect[0] + rect[2]) / 2, (rect[2] - rect[0]) / 2 * grow
            rect = (cx - half, rect[1], cx + half, rect[1] + MIN_CARD_HEIGHT)
            height = MIN_CARD_HEIGHT
        full[sl.key] = (scale, rect)
        boxes.append(LabelBox(sl.key, rect, sl.priority, distance,
                              min_scale=MIN_SHRUNK_HEIGHT / height if height > 0 else 1.0))
    # The picture's edges in aspect2d units: a card cut by one reads as a fault.
    aspect = lens.get_aspect_ratio()
    placements = declutter(boxes, reserved, gap=LABEL_GAP, ceiling=1.0,
                           sides=(-aspect, aspect))
    for key, placement in placements.items():
        label = by_key[key].label
        if not placement.visible:
            label.node.hide()
            continue
        scale, rect = full[key]
        label.node.set_scale(scale * placement.scale)
        # The lift in the label's own units: its card's top (extent) spans its screen height.
        screen_h = (rect[3] - rect[1]) * placement.scale
        up = label.node.get_parent().get_relative_vector(camera, Vec3(0.0, 0.0, 1.0))
        label.set_lift(placement.lift / screen_h * label.extent[1] if screen_h > 0 else 0.0,
                       (up.x, up.y, up.z))
        label.node.show()
    stack_by_distance([sl.label for sl in labels], camera)
    return placements
