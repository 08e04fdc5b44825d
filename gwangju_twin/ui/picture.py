"""A panel's image: a PNG or JPEG from the plugin's asset folder on a card, as wide as the
panel (or as tall as ``MAX_HEIGHT``) with its aspect kept.

Panda3D's texture pool reads the file once and keeps it, so a panel redrawn every second
does not read its picture again. A file Panda3D cannot read (the panel checked only its
first bytes) shows as a muted box saying so, never as an error inside the viewer.
"""

from __future__ import annotations

from panda3d.core import CardMaker, Filename, NodePath, SamplerState, TextNode, TexturePool

from gwangju_twin.plugins.panel import PanelImage
from gwangju_twin.ui.ink import LABEL_SCALE, MUTED_INK, RULE, Pen, block_height
from gwangju_twin.ui.label import polygon_node, rounded_outline

#: The tallest an image is drawn (aspect2d units); a tall picture is narrowed instead.
MAX_HEIGHT = 0.6


def draw_image(parent: NodePath, item: PanelImage, pen: Pen, x0: float, top: float,
               width: float) -> float:
    """Draw ``item`` under ``parent`` from ``top`` down, ``width`` wide from ``x0``;
    returns its bottom."""
    texture = TexturePool.load_texture(Filename.from_os_specific(str(item.path)))
    iw = texture.get_orig_file_x_size() if texture is not None else 0
    ih = texture.get_orig_file_y_size() if texture is not None else 0
    if texture is None or iw <= 0 or ih <= 0:
        height = 2 * block_height(LABEL_SCALE)
        polygon_node("image-missing", rounded_outline(x0, top - height, x0 + width, top, 0.014),
                     RULE).reparent_to(parent)
        pen.write(parent, pen.say("panel.image_unavailable"), LABEL_SCALE,
                  x0 + width / 2, top - block_height(LABEL_SCALE) / 2, color=MUTED_INK,
                  align=TextNode.A_center, name="image-missing-text")
        return top - height
    w, h = width, width * ih / iw
    if h > MAX_HEIGHT:
        w, h = MAX_HEIGHT * iw / ih, MAX_HEIGHT
    left = x0 + (width - w) / 2
    texture.set_minfilter(SamplerState.FT_linear_mipmap_linear)
    texture.set_magfilter(SamplerState.FT_linear)
    maker = CardMaker("image")
    maker.set_frame(left, left + w, top - h, top)
    card = parent.attach_new_node(maker.generate())
    card.set_texture(texture)
    if texture.get_num_components() in (2, 4):  # grey or colour with alpha
        card.set_transparency(True)
    return top - h


__all__ = ["MAX_HEIGHT", "draw_image"]
