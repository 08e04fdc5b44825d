"""What the viewer draws on a plugin's behalf: building paint overlays, simple boxes,
floating bilingual labels and routes on the ground.

The render room's side of ``gwangju_twin.plugins.context.StageServices``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from panda3d.core import (
    CallbackNode,
    Filename,
    FontPool,
    Lens,
    Loader,
    LoaderOptions,
    NodeCullCallbackData,
    NodePath,
    Point3,
    Point4,
    PythonCallbackObject,
    TextFont,
)

from gwangju_twin.geo.model import District
from gwangju_twin.mesh import palette
from gwangju_twin.mesh.district import GROUND_ORDER
from gwangju_twin.mesh.flat import flat_polygons, ribbons
from gwangju_twin.mesh.prism import extrude
from gwangju_twin.plugins.models import check_model
from gwangju_twin.render.geoms import make_geom_node
from gwangju_twin.render.pavilions import LANDMARK_LABEL_HEIGHT, MIN_CARD_HEIGHT, label_scale
from gwangju_twin.render.world import FIRST_LAYER_ORDER
from gwangju_twin.ui.fonts import load_font
from gwangju_twin.ui.label import BilingualLabel

#: Paint sits this far above the roofs and is depth-offset, so it wins against the city's
#: own faces without z-fighting, yet stays hidden behind nearer buildings.
PAINT_LIFT = 0.08
#: A plugin's lines are painted like the ground layers (background bin, no depth write),
#: right after the last of them: over roads and outlines, under every building, and never
#: z-fighting since no depth decides between them.
LINE_ORDER = FIRST_LAYER_ORDER + len(GROUND_ORDER) + 1
#: Their height: above the roads' and outlines' levels, so that even depth-tested against
#: nothing but the sky they lie on top.
LINE_Z = palette.LINES_Z + 0.1
#: A plugin label's main line at scale 1 is as tall as a landmark label's (metres at
#: ``render.pavilions.LABEL_FAR``; they grow and shrink with distance like those).
LABEL_EM = LANDMARK_LABEL_HEIGHT


class _FontPoolLoader:
    """Loads fonts like a ShowBase loader does (through Panda3D's FontPool), for a stage
    that handed the services no fonts: the pool shares one font per file, so these are
    the very fonts the pavilions' labels use."""

    @staticmethod
    def loadFont(path: str) -> TextFont:  # noqa: N802 (ShowBase's loader's name)
        return FontPool.load_font(path)


class StageServices:
    """Paint and boxes for the plugins of one district."""

    def __init__(self, district: District, building_rows: np.ndarray,
                 fonts: tuple[TextFont, TextFont] | None = None) -> None:
        self.district = district
        self.building_rows = building_rows
        self._fonts = fonts
        self._font_loader = _FontPoolLoader()

    def fonts(self) -> tuple[TextFont, TextFont]:
        """The Hangul font, regular and bold, loaded on first use."""
        if self._fonts is None:
            self._fonts = (load_font(self._font_loader), load_font(self._font_loader, bold=True))
        return self._fonts

    def paint_buildings(self, parent: NodePath, indices: np.ndarray, rgba: np.ndarray) -> NodePath:
        """Re-draw buildings ``indices`` (rows of the plugins' Buildings) in ``rgba`` (0..1)."""
        rows = self.building_rows[indices]
        geoms = self.district.geometry[rows]
        parts, which = shapely.get_parts(geoms, return_index=True)
        colours = np.round(np.asarray(rgba)[which] * 255).astype(np.uint8)
        top = self.district.height[rows][which] + PAINT_LIFT
        bottom = self.district.min_height[rows][which]
        batch = extrude(parts, np.asarray(indices)[which].astype(np.int32), bottom, top,
                        colours, colours, material="paint")
        node = parent.attach_new_node(make_geom_node(batch, "building-paint"))
        node.set_depth_offset(1)
        if (colours[:, 3] < 255).any():
            node.set_transparency(True)
        return node

    def load_model(self, parent: NodePath, path: Path) -> NodePath:
        """Load a model file (.glb, .gltf, .bam, .egg) once ``check_model`` has found it safe.

        Raises ValueError for a model the native loader would abort on or that shows nothing.
        """
        # Panda3D's loaders abort the process on some broken files: they never see one.
        check_model(path)
        loaded = Loader.get_global_ptr().load_sync(Filename.from_os_specific(str(path)),
                                                   LoaderOptions(LoaderOptions.LF_no_cache))
        if loaded is None:
            raise OSError(f"{path}: Panda3D could not load this model")
        return parent.attach_new_node(loaded)

    def make_box(self, parent: NodePath, size: tuple[float, float, float],
                 rgba: tuple[float, float, float, float]) -> NodePath:
        """A closed flat-shaded box, base at z = 0, centred on (0, 0)."""
        sx, sy, sz = size
        square = shapely.box(-sx / 2, -sy / 2, sx / 2, sy / 2)
        colour = np.round(np.array([rgba]) * 255).astype(np.uint8)
        batch = extrude(np.array([square]), np.zeros(1, np.int32), np.zeros(1), np.array([sz]),
                        colour, colour, material="box")
        node = parent.attach_new_node(make_geom_node(batch, "box"))
        if rgba[3] < 1.0:
            node.set_transparency(True)
        return node

    def make_label(self, parent: NodePath, text_ko: str, text_en: str,
                   pos: tuple[float, float, float], scale: float,
                   accent: tuple[float, float, float], language: str) -> NodePath:
        """A bilingual label facing the camera, its tail's tip at ``pos``: one card per
        language (that language's line on top), of which ``language``'s shows."""
        font, bold = self.fonts()
        # The root sizes the label for its distance from whichever camera draws it, while
        # that camera culls it: legible in an overview, not huge in a close-up.
        callback = CallbackNode("plugin-label")
        root = parent.attach_new_node(callback)
        root.set_pos(*pos)
        cards = root.attach_new_node("cards")
        # Facing the eye with the camera's up: upright on screen from any view.
        cards.set_billboard_point_eye()
        top = 0.0
        for lang, first, second in (("ko", text_ko, text_en), ("en", text_en, text_ko)):
            card = BilingualLabel(first or second, second if first else "", font, accent,
                                  height=1.0, bold_font=bold)
            card.node.set_name(f"label-{lang}")
            card.reparent_to(cards)
            top = max(top, card.extent[1])
        callback.set_cull_callback(PythonCallbackObject(
            _sized_for_distance(cards, LABEL_EM * scale, top, MIN_CARD_HEIGHT * scale)))
        self.set_label_language(root, language)
        return root

    def set_label_language(self, label: NodePath, language: str) -> None:
        """Show the card of ``language`` ("ko" or "en") of a label from ``make_label``."""
        for card in label.find_all_matches("cards/label-*"):
            if card.get_name() == f"label-{language}":
                card.show()
            else:
                card.hide()

    def make_line(self, parent: NodePath, points: np.ndarray, width: float,
                  rgba: tuple[float, float, float, float]) -> NodePath:
        """A ribbon ``width`` metres wide along ``points`` ((n, 2) metres), flat on the
        ground, drawn in the painted ground layers' order right above the roads."""
        line = shapely.linestrings(points)
        parts, _ = ribbons(np.array([line]), np.array([width], float))
        colour = np.round(np.array([rgba]) * 255).astype(np.uint8)
        batch = flat_polygons(parts, np.zeros(len(parts), np.int32), LINE_Z,
                              np.repeat(colour, len(parts), axis=0), "line")
        node = parent.attach_new_node(make_geom_node(batch, "plugin-line"))
        node.set_bin("background", LINE_ORDER)
        node.set_depth_write(False)
        # Lit like nothing else on the ground: a route keeps the colour the plugin chose.
        node.set_light_off(1)
        if rgba[3] < 1.0:
            node.set_transparency(True)
        return node


def _sized_for_distance(cards: NodePath, height: float, top: float, least: float
                        ) -> Callable[[Any], None]:
    """A cull callback that scales ``cards`` for the culling camera before they are drawn:
    by distance as landmark labels are (``render.pavilions.label_scale``), yet with the
    card (``top`` tall in its own units) never less than ``least`` of the picture's height
    (in aspect2d units: the picture is 2 tall), so it stays legible far away."""

    def cull(data: NodeCullCallbackData) -> None:
        # This runs inside Panda3D's cull pass, outside the plugin host's fault isolation:
        # a plugin that removed the cards must not take the viewer down with it.
        if not cards.is_empty():
            at = data.get_data().get_modelview_transform(data.get_trav()).get_pos()
            scale = label_scale(height, at.length())
            lens = data.get_trav().get_scene().get_lens()
            if lens is not None and at.y > 0.0 and top > 0.0:
                # One aspect2d unit is half the picture: depth * tan(fov / 2) metres there.
                unit = at.y * math.tan(math.radians(lens.get_fov()[1]) / 2.0)
                scale = max(scale, least * unit / top)
            cards.set_scale(scale)
        data.upcall()

    return cull


def plugin_labels(root: NodePath, camera: NodePath, lens: Lens
                  ) -> list[tuple[NodePath, tuple[float, float, float, float], float]]:
    """The labels a plugin made with ``make_label`` under ``root`` that are shown (by the
    plugin, in the viewer's language) and in the picture: each one's billboard node (the
    ``cards`` its language cards hang from), its screen rectangle (aspect2d units, as the
    label layout's) and its depth from ``camera``. Whether the viewer's declutter hid it
    from the camera (``ExpoFloor``) does not count: it is hidden from the camera's mask,
    not from every camera."""
    out: list[tuple[NodePath, tuple[float, float, float, float], float]] = []
    aspect = lens.get_aspect_ratio()
    near = lens.get_near()
    proj = lens.get_projection_mat()
    for card in root.find_all_matches("**/plugin-label/cards/label-*"):
        if card.is_hidden():
            continue
        bounds = card.get_tight_bounds(camera)
        if not bounds:
            continue
        lo, hi = bounds
        if hi.y <= near:
            continue  # behind the camera
        depth = max(lo.y, near)
        xs, zs = [], []
        for x, z in ((lo.x, lo.z), (hi.x, hi.z)):
            clip = proj.xform(Point4(Point3(x, depth, z), 1.0))
            xs.append(clip.x / clip.w)
            zs.append(clip.y / clip.w)
        x0, x1, z0, z1 = min(xs), max(xs), min(zs), max(zs)
        if x1 < -1.0 or x0 > 1.0 or z1 < -1.0 or z0 > 1.0:
            continue
        out.append((card.get_parent(), (x0 * aspect, z0, x1 * aspect, z1), depth))
    return out


def plugin_label_rects(root: NodePath, camera: NodePath, lens: Lens
                       ) -> list[tuple[float, float, float, float]]:
    """The screen rectangles (aspect2d units, as the label layout's) of the shown labels a
    plugin made with ``make_label`` under ``root`` (``plugin_labels``)."""
    return [rect for _, rect, _ in plugin_labels(root, camera, lens)]
