"""Pavilions in the scene graph: one GeomNode each, a bilingual label, and a demo node."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from panda3d.core import NodePath, TextFont

from gwangju_twin.expo import Pavilion
from gwangju_twin.render.geoms import make_geom_node
from gwangju_twin.scene.sectors import sector
from gwangju_twin.ui.label import BilingualLabel, stack_by_distance

#: World height (m) of a label's Korean line seen from LABEL_FAR metres. Nearer, labels keep
#: their size on screen (a close-up is not filled by its own label); farther, they grow with
#: the square root of distance: still legible in an overview, yet shrinking enough that
#: neighbouring pavilions' labels do not pile up.
LABEL_HEIGHT = 9.0
LABEL_FAR = 500.0


@dataclass
class PavilionNodes:
    """The nodes of one pavilion: its model, its label and the node its plugin owns."""

    root: NodePath
    model: NodePath
    label: BilingualLabel
    demo: NodePath


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


def scale_labels(nodes: dict[str, PavilionNodes], camera: NodePath) -> None:
    """Keep labels legible from afar (see LABEL_FAR); nearer labels drawn over farther."""
    for pav in nodes.values():
        distance = pav.label.node.get_pos(camera).length()
        ratio = max(distance, 1.0) / LABEL_FAR
        pav.label.node.set_scale(LABEL_HEIGHT * (ratio if ratio < 1.0 else ratio**0.5))
    stack_by_distance([pav.label for pav in nodes.values()], camera)
