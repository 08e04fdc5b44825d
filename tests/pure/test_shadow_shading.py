"""Where the shadow shader is drawn (``SunRig.shade``): streamed tiles the shadow map cannot
reach are drawn fixed-function, the whole world is when the view is farther than shadows
reach, and at night everything keeps the shader (its lit windows). No window: the rig and
its nodes are built and inspected, nothing is drawn."""

from __future__ import annotations

import numpy as np
from panda3d.core import CardMaker, NodePath, Shader, ShaderAttrib

from gwangju_twin.mesh.district import DistrictMesh
from gwangju_twin.mesh.shapes import box
from gwangju_twin.render.geoms import make_geom_node
from gwangju_twin.render.sunlight import SunRig
from gwangju_twin.render.world import build_world
from gwangju_twin.sun.position import SunPosition

EXTENT = (-10000.0, -10000.0, 10000.0, 10000.0)
NOON = SunPosition(172.0, 31.0)  # the winter solstice's noon at Gwangju (NOAA: about 31 up)
NIGHT = SunPosition(300.0, -40.0)
# A camera looking north and down at 30 degrees, 60 degrees wide each way.
RAYS = np.array([[-0.5, 1.0, -0.9], [0.5, 1.0, -0.9], [0.5, 1.0, -0.2], [-0.5, 1.0, -0.2]])


def _tile(district: NodePath, name: str, x: float, y: float) -> NodePath:
    """A 100 m card at (x, y) under ``district`` named as the stream names a tile root."""
    root = district.attach_new_node(name)
    cm = CardMaker(name)
    cm.set_frame(-50.0, 50.0, -50.0, 50.0)  # in x and z: laid flat at (x, y) below
    card = root.attach_new_node(cm.generate())
    card.set_pos(x, y, 0.0)
    card.set_p(-90.0)
    return root


def _plain(node: NodePath) -> bool:
    """Whether ``node`` carries its own shader-off attribute (drawn fixed-function)."""
    return bool(node.has_attrib(ShaderAttrib.get_class_type()))


def _rig() -> tuple[SunRig, NodePath, NodePath, NodePath]:
    world = build_world(DistrictMesh([], EXTENT, 30.0))
    district = world.find("district")
    near = _tile(district, "tile-a-0", 0.0, 200.0)
    far = _tile(district, "tile-b-2", 8000.0, 8000.0)  # 11 km away: beyond any reach
    rig = SunRig(world, "medium", None, EXTENT, 30.0)
    rig.set_sun(NOON)
    return rig, district, near, far


def test_far_tiles_are_drawn_without_the_shader() -> None:
    rig, district, near, far = _rig()
    rig.update((0.0, 0.0, 50.0), RAYS, 0.0, force=True)
    assert not isinstance(rig.shading, str)
    assert not _plain(near) and _plain(far)
    assert district.get_shader() is not None  # the district itself keeps it
    # The view moves to the far tile: it takes the shader again, the first one loses it.
    rig.update((8050.0, 7800.0, 50.0), RAYS, 10.0, force=True)
    assert _plain(near) and not _plain(far)


def test_a_tile_attached_later_is_looked_at() -> None:
    rig, district, near, _ = _rig()
    rig.update((0.0, 0.0, 50.0), RAYS, 0.0, force=True)
    late = _tile(district, "tile-c-1", -9000.0, -9000.0)
    rig.update((0.0, 0.0, 50.0), RAYS, 0.1)  # same view, same fit: only the tiles changed
    assert _plain(late) and not _plain(near)


def test_a_view_beyond_the_reach_draws_no_shader_by_day_and_all_of_it_at_night() -> None:
    rig, district, near, far = _rig()
    ground = rig.world.find("ground-plane")
    high = (0.0, 0.0, 30.0 + rig.preset.reach + 100.0)
    assert rig.update(high, RAYS, 0.0, force=True) is False  # no shadow map drawn for it
    assert rig.shading == "none"
    assert district.get_shader() is None and ground.get_shader() is None
    rig.set_sun(NIGHT)
    rig.update(high, RAYS, 1.0, force=True)
    assert rig.shading == "all"
    assert district.get_shader() is not None and ground.get_shader() is not None
    assert not _plain(near) and not _plain(far)
    # Back by day and near: a new fit, so the shadow map is drawn for it.
    rig.set_sun(NOON)
    assert rig.update((0.0, 0.0, 50.0), RAYS, 2.0, force=True) is True
    assert district.get_shader() is not None and not _plain(near) and _plain(far)


def _draws_windows(node: NodePath) -> bool:
    """Whether the shader ``node`` is drawn with reads the lit windows' attribute."""
    shader = node.get_shader()
    assert shader is not None
    return "emissive" in shader.get_text(Shader.ST_vertex)


def test_the_lit_windows_shader_is_drawn_from_dusk_only() -> None:
    rig, district, near, _ = _rig()
    ground = rig.world.find("ground-plane")
    rig.update((0.0, 0.0, 50.0), RAYS, 0.0, force=True)
    assert not _draws_windows(district) and not _draws_windows(ground)
    # Dusk: the sun 2 degrees up, some windows already lit (render/daylight.py's table of
    # the night's share rises from 0 at 8 degrees up), shadows still drawn.
    rig.set_sun(SunPosition(240.0, 2.0))
    assert rig.daylight.night > 0.0
    rig.update((0.0, 0.0, 50.0), RAYS, 1.0, force=True)
    assert _draws_windows(district) and _draws_windows(ground) and not _plain(near)
    rig.set_sun(NIGHT)
    rig.update((0.0, 0.0, 50.0), RAYS, 2.0, force=True)
    assert _draws_windows(district)
    rig.set_sun(NOON)
    assert not _draws_windows(district) and not _draws_windows(ground)
    # Beyond the reach by day no shader at all; a night there takes the windows' one.
    high = (0.0, 0.0, 30.0 + rig.preset.reach + 100.0)
    rig.update(high, RAYS, 3.0, force=True)
    assert district.get_shader() is None
    rig.set_sun(NIGHT)
    rig.update(high, RAYS, 4.0, force=True)
    assert _draws_windows(district)


def test_low_quality_has_no_shader_to_place() -> None:
    world = build_world(DistrictMesh([], EXTENT, 30.0))
    far = _tile(world.find("district"), "tile-b-2", 8000.0, 8000.0)
    rig = SunRig(world, "low", None, EXTENT, 30.0)
    rig.set_sun(NOON)
    assert rig.update((0.0, 0.0, 50.0), RAYS, 0.0, force=True) is False
    assert not _plain(far) and world.find("district").get_shader() is None


def _pavilion(pavilions: NodePath, pid: str, city_format: bool) -> NodePath:
    """A pavilion's nodes as ``render.pavilions`` names them; its model a box made as the
    pavilions' are (``city_format``), or a card without vertex colours."""
    node = pavilions.attach_new_node(f"pavilion-{pid}")
    if city_format:
        model = node.attach_new_node(
            make_geom_node(box((0.0, 0.0), (20.0, 20.0), 0.0, 10.0, (200, 200, 200, 255))))
    else:
        model = node.attach_new_node(CardMaker("card").generate())
    model.set_name(f"model-{pid}")
    node.attach_new_node(f"demo-{pid}")
    return model


def test_pavilion_models_take_the_shader_where_their_vertices_allow() -> None:
    world = build_world(DistrictMesh([], EXTENT, 30.0))
    pavilions = world.attach_new_node("pavilions")
    lit = _pavilion(pavilions, "a", city_format=True)
    flat = _pavilion(pavilions, "b", city_format=False)  # no vertex colours to light
    rig = SunRig(world, "medium", None, EXTENT, 30.0)
    rig.set_sun(NOON)
    assert lit.get_shader() is not None
    assert flat.get_shader() is None
    # Farther than shadows reach they are drawn fixed-function with the rest of the world.
    rig.update((0.0, 0.0, 30.0 + rig.preset.reach + 100.0), RAYS, 0.0, force=True)
    assert lit.get_shader() is None
