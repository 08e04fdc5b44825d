"""Pavilion architecture (mesh room): arrays, placement, orientation and silhouettes.

No Panda3D here; the rendered look is checked by eye (see the preview in the PR notes).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from render_helpers import panda3d_loaded_by

from gwangju_twin.mesh import shapes
from gwangju_twin.mesh.pavilion import PavilionShape, build_pavilion
from gwangju_twin.mesh.pavilion_kit import PLAZA_TOP, SOLAR, STEEL
from gwangju_twin.scene.sectors import SECTOR_IDS, sector

CENTER = (412.0, -237.0)
SIZES = [(70.0, 70.0), (60.0, 60.0), (90.0, 70.0), (64.0, 86.0), (40.0, 36.0), (24.0, 22.0),
         (150.0, 120.0)]
HEADINGS = [0.0, 90.0, 137.0, 200.0, 301.5]


def _build(sid: str, heading: float = 0.0, size=(70.0, 70.0), fid: int = 5) -> PavilionShape:
    return build_pavilion(sid, CENTER, heading, size, fid)


def _to_local(xy: np.ndarray, heading: float) -> np.ndarray:
    """District xy -> site (u, v): the inverse of the placement in the brief."""
    h = math.radians(heading)
    d = np.asarray(xy, np.float64) - CENTER
    u = d[..., 0] * math.cos(h) - d[..., 1] * math.sin(h)
    v = d[..., 0] * math.sin(h) + d[..., 1] * math.cos(h)
    return np.stack([u, v], axis=-1)


def _height_map(shape: PavilionShape, heading: float, size, n: int = 24):
    """Top surface over an n x n grid of cell centres on the site: (height, top normal z).

    Every non-vertical triangle is rasterised at the cell centres it covers; the highest one
    wins. Cells nothing covers stay at -inf.
    """
    w, d = size
    pos = shape.batch.positions.astype(np.float64)
    uv = _to_local(pos[:, :2], heading)
    tris = np.concatenate([uv, pos[:, 2:]], axis=1)[shape.batch.indices]  # (m, 3, 3)
    nz = shape.batch.normals[shape.batch.indices[:, 0], 2]
    keep = np.abs(nz) > 1e-3
    tris, nz = tris[keep], nz[keep]
    gu = (np.arange(n) + 0.5) / n * w - w / 2
    gv = (np.arange(n) + 0.5) / n * d - d / 2
    pu, pv = [a.ravel() for a in np.meshgrid(gu, gv, indexing="ij")]
    best = np.full(pu.size, -np.inf)
    best_nz = np.zeros(pu.size)
    for s in range(0, len(tris), 2000):
        t = tris[s : s + 2000]
        a, b, c = t[:, 0], t[:, 1], t[:, 2]
        den = (b[:, 1] - c[:, 1]) * (a[:, 0] - c[:, 0]) + (c[:, 0] - b[:, 0]) * (a[:, 1] - c[:, 1])
        dx, dy = pu[None, :] - c[:, 0, None], pv[None, :] - c[:, 1, None]
        l1 = ((b[:, 1] - c[:, 1])[:, None] * dx + (c[:, 0] - b[:, 0])[:, None] * dy) / den[:, None]
        l2 = ((c[:, 1] - a[:, 1])[:, None] * dx + (a[:, 0] - c[:, 0])[:, None] * dy) / den[:, None]
        l3 = 1.0 - l1 - l2
        inside = (l1 >= -1e-9) & (l2 >= -1e-9) & (l3 >= -1e-9)
        z = l1 * a[:, 2, None] + l2 * b[:, 2, None] + l3 * c[:, 2, None]
        z = np.where(inside, z, -np.inf)
        top = z.argmax(axis=0)
        zt = z[top, np.arange(pu.size)]
        better = zt > best
        best[better] = zt[better]
        best_nz[better] = nz[s:][top[better]]
    return best.reshape(n, n), best_nz.reshape(n, n)


@pytest.fixture(scope="module")
def pavilions() -> dict[str, PavilionShape]:
    return {sid: _build(sid) for sid in SECTOR_IDS}


# --- arrays ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sid", SECTOR_IDS)
def test_batch_arrays_are_consistent(sid: str) -> None:
    shape = _build(sid, fid=42)
    b = shape.batch
    n = b.vertex_count
    assert b.material == "pavilion" and b.primitive == "triangles"
    assert n > 300
    assert b.positions.dtype == np.float32 and b.positions.shape == (n, 3)
    assert b.normals.dtype == np.float32 and b.normals.shape == (n, 3)
    assert b.colors.dtype == np.uint8 and b.colors.shape == (n, 4)
    assert b.indices.dtype == np.uint32 and b.indices.ndim == 2 and b.indices.shape[1] == 3
    assert b.feature_ids.dtype == np.int32 and b.feature_ids.shape == (n,)
    assert (b.feature_ids == 42).all()
    assert b.indices.max() < n
    assert np.isfinite(b.positions).all() and np.isfinite(b.normals).all()
    # Flat shading: every vertex belongs to exactly one triangle.
    assert (np.bincount(b.indices.ravel(), minlength=n) == 1).all()
    assert (b.colors[:, 3] == 255).all()
    assert shape.site.dtype == np.float64 and shape.site.shape == (4, 2)
    assert shape.core.dtype == np.float64 and shape.core.ndim == 2 and shape.core.shape[1] == 2


@pytest.mark.parametrize("sid", SECTOR_IDS)
def test_normals_are_unit_and_agree_with_ccw_winding(sid: str) -> None:
    b = _build(sid, heading=137.0).batch
    assert np.allclose(np.linalg.norm(b.normals, axis=1), 1.0, atol=1e-4)
    t = b.positions.astype(np.float64)[b.indices]
    face = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    face /= np.linalg.norm(face, axis=1, keepdims=True)
    for k in range(3):
        assert (np.einsum("ij,ij->i", face, b.normals[b.indices[:, k]]) > 0.999).all()


@pytest.mark.parametrize("sid", SECTOR_IDS)
def test_what_is_seen_from_above_faces_up(sid: str, pavilions) -> None:
    """Outward orientation: the topmost surface over every cell is a front face seen from
    the sky (a flipped roof, panel or dome would show its back)."""
    top, nz = _height_map(pavilions[sid], 0.0, (70.0, 70.0), n=48)
    assert np.isfinite(top).all()  # the plaza covers the whole site
    assert (nz > 0).all()


# --- placement -------------------------------------------------------------------------------

@pytest.mark.parametrize(("sid", "size", "heading"), [
    pytest.param(s, z, h, id=f"{s}-{z[0]:g}x{z[1]:g}-h{h:g}")
    for s in SECTOR_IDS for z in SIZES for h in (0.0, 137.0)
])
def test_everything_stays_inside_the_site(sid: str, size, heading: float) -> None:
    shape = _build(sid, heading, size)
    uv = _to_local(shape.batch.positions[:, :2], heading)
    w, d = size
    assert np.abs(uv[:, 0]).max() <= w / 2 + 1e-3
    assert np.abs(uv[:, 1]).max() <= d / 2 + 1e-3
    assert shape.batch.positions[:, 2].min() >= -1e-4
    # The plaza really does cover the site (the bound above is not met by a tiny model).
    assert np.abs(uv[:, 0]).max() > w / 2 - 0.01 and np.abs(uv[:, 1]).max() > d / 2 - 0.01


@pytest.mark.parametrize("heading", HEADINGS)
def test_site_and_entrance_face_the_heading(heading: float) -> None:
    w, d = 80.0, 64.0
    shape = _build("culture", heading, (w, d))
    h = math.radians(heading)
    front = np.array([math.sin(h), math.cos(h)])  # compass heading as a unit vector
    e = np.array(shape.entrance) - CENTER
    assert np.allclose(e, front * d / 2, atol=1e-6)
    site = shapely.Polygon(shape.site)
    assert site.exterior.is_ccw
    assert math.isclose(site.area, w * d, rel_tol=1e-9)
    assert site.exterior.distance(shapely.Point(shape.entrance)) < 1e-6
    # The front edge is the one whose midpoint is the entrance, d/2 ahead of the centre.
    mids = (shape.site + np.roll(shape.site, -1, axis=0)) / 2
    assert np.min(np.hypot(*(mids - shape.entrance).T)) < 1e-6


@pytest.mark.parametrize("sid", SECTOR_IDS)
@pytest.mark.parametrize("heading", [0.0, 200.0])
def test_a_gate_in_the_sector_colour_marks_the_entrance(sid: str, heading: float) -> None:
    shape = _build(sid, heading)
    accent = np.round(np.array(sector(sid).color) * 255).astype(np.uint8)
    b = shape.batch
    near = np.hypot(*(b.positions[:, :2] - shape.entrance).T) < 10.0
    tall = b.positions[:, 2] > 6.0
    is_accent = (b.colors[:, :3] == accent).all(axis=1)
    assert (near & tall & is_accent).sum() >= 12


@pytest.mark.parametrize("sid", SECTOR_IDS)
def test_core_is_a_ccw_outline_inside_the_site(sid: str) -> None:
    for size, heading in (((70.0, 70.0), 0.0), ((90.0, 70.0), 137.0), ((64.0, 86.0), 301.5)):
        shape = _build(sid, heading, size)
        core = shapely.Polygon(shape.core)
        site = shapely.Polygon(shape.site)
        assert core.is_valid and core.exterior.is_ccw
        assert site.buffer(1e-6).contains(core)
        assert 0.12 * site.area < core.area < 0.8 * site.area
        # The core leaves a forecourt: the entrance is well outside it.
        assert core.exterior.distance(shapely.Point(shape.entrance)) > 0.12 * size[1]


@pytest.mark.parametrize("sid", [s for s in SECTOR_IDS if s != "energy"])
def test_heading_rotates_the_same_geometry(sid: str) -> None:
    a, b = _build(sid, 0.0), _build(sid, 90.0)
    assert a.batch.vertex_count == b.batch.vertex_count
    rel = a.batch.positions[:, :2].astype(np.float64) - CENTER
    turned = np.column_stack([rel[:, 1], -rel[:, 0]]) + CENTER  # 90 degrees clockwise
    assert np.allclose(b.batch.positions[:, :2], turned, atol=2e-3)
    assert np.allclose(b.batch.positions[:, 2], a.batch.positions[:, 2])
    n = a.batch.normals
    assert np.allclose(b.batch.normals, np.column_stack([n[:, 1], -n[:, 0], n[:, 2]]), atol=1e-5)
    assert np.allclose(_to_local(b.core, 90.0), _to_local(a.core, 0.0), atol=1e-6)
    assert (a.height, a.label_z) == (b.height, b.label_z)


def test_energy_turns_with_its_site_except_the_panels() -> None:
    a, b = _build("energy", 0.0), _build("energy", 90.0)

    def fixed(s: PavilionShape, heading: float) -> np.ndarray:
        panel = np.all(s.batch.colors[:, :3] == SOLAR[:3], axis=1) | np.all(
            s.batch.colors[:, :3] == STEEL[:3], axis=1)
        p = s.batch.positions[~panel].astype(np.float64)
        return np.column_stack([_to_local(p[:, :2], heading), p[:, 2]])

    assert np.allclose(fixed(a, 0.0), fixed(b, 90.0), atol=2e-3)


@pytest.mark.parametrize("heading", HEADINGS)
def test_solar_panels_tilt_30_degrees_towards_true_south(heading: float) -> None:
    b = _build("energy", heading).batch
    glass = np.all(b.colors[:, :3] == SOLAR[:3], axis=1)[b.indices[:, 0]]
    nrm = b.normals[b.indices[glass, 0]].astype(np.float64)
    assert len(nrm) >= 2 * 40  # at least 40 panels (two triangles each)
    tilt = np.degrees(np.arccos(nrm[:, 2]))
    assert np.allclose(tilt, 30.0, atol=0.5)
    azimuth = np.degrees(np.arctan2(nrm[:, 0], nrm[:, 1])) % 360  # clockwise from north
    assert np.allclose(azimuth, 180.0, atol=0.5)


# --- the look --------------------------------------------------------------------------------

def test_the_seven_silhouettes_are_distinct(pavilions) -> None:
    """Pairwise, a large part of the site differs by more than a storey in height. As a
    control, one sector on a slightly different site differs far less, so the measure sees
    shapes, not noise."""
    maps = {sid: _height_map(p, 0.0, (70.0, 70.0))[0] for sid, p in pavilions.items()}

    def differ(a: np.ndarray, b: np.ndarray) -> float:
        return float((np.abs(a - b) > 3.0).mean())

    for x, y in itertools.combinations(SECTOR_IDS, 2):
        assert differ(maps[x], maps[y]) > 0.25, (x, y)
    for sid in SECTOR_IDS:
        near = _height_map(_build(sid, 0.0, (72.0, 72.0)), 0.0, (72.0, 72.0))[0]
        assert differ(maps[sid], near) < 0.05, sid


@pytest.mark.parametrize("sid", SECTOR_IDS)
def test_heights_and_label(sid: str, pavilions) -> None:
    for size in SIZES:
        shape = _build(sid, 0.0, size)
        assert shape.height == pytest.approx(float(shape.batch.positions[:, 2].max()))
        assert isinstance(shape.label_z, float) and isinstance(shape.height, float)
        assert 18.0 <= shape.label_z - 5.0 <= 40.0, size  # the main mass
        assert shape.height <= 62.0, size
    # The label clears the main mass: over the core, at most a few thin masts reach it.
    shape = pavilions[sid]
    top, _ = _height_map(shape, 0.0, (70.0, 70.0), n=48)
    g = (np.arange(48) + 0.5) / 48 * 70.0 - 35.0
    pu, pv = np.meshgrid(g, g, indexing="ij")
    inside = shapely.contains_xy(shapely.Polygon(_to_local(shape.core, 0.0)), pu, pv)
    assert inside.sum() > 20
    assert (top[inside] < shape.label_z - 2.0).mean() > 0.97
    assert top[inside].max() > shape.label_z - 12.0  # ... and does not float far above it


@pytest.mark.parametrize("sid", SECTOR_IDS)
def test_mostly_light_with_a_sector_accent(sid: str, pavilions) -> None:
    b = pavilions[sid].batch
    t = b.positions.astype(np.float64)[b.indices]
    area = np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1) / 2
    built = t[:, :, 2].max(axis=1) > PLAZA_TOP + 0.5  # not the plaza and its markings
    # The brightest corner: walls are darkened towards their foot, which is shading, not paint.
    rgb = b.colors[b.indices, :3].astype(np.int64).max(axis=1)
    accent = np.round(np.array(sector(sid).color) * 255).astype(np.int64)
    is_accent = (np.abs(rgb - accent) <= 1).all(axis=1)
    light = rgb.mean(axis=1) > 190
    share = area[built].sum()
    assert 0.04 < area[built & is_accent].sum() / share < 0.35
    assert area[built & light].sum() / share > 0.4


def test_unknown_sector_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown sector 'casino'") as err:
        build_pavilion("casino", (0.0, 0.0), 0.0, (70.0, 70.0), 1)
    for sid in SECTOR_IDS:
        assert sid in str(err.value)
    with pytest.raises(ValueError, match="size"):
        build_pavilion("culture", (0.0, 0.0), 0.0, (0.0, 70.0), 1)


def test_pavilions_do_not_import_panda3d() -> None:
    code = (
        "from gwangju_twin.mesh.pavilion import build_pavilion\n"
        "from gwangju_twin.scene.sectors import SECTOR_IDS\n"
        "[build_pavilion(s, (0, 0), 30, (70, 70), 1) for s in SECTOR_IDS]\n"
    )
    assert panda3d_loaded_by(code) == []


# --- the primitive kit -----------------------------------------------------------------------

def _volume(batch) -> float:
    t = shapes.triangles(batch)
    return float(np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum() / 6)


def _closed(batch) -> bool:
    """Watertight with consistent winding: every directed edge has its reverse, once."""
    t = np.round(shapes.triangles(batch), 5)
    edges = np.concatenate([t[:, [0, 1]], t[:, [1, 2]], t[:, [2, 0]]]).reshape(-1, 6)
    fwd = {tuple(e) for e in edges}
    return len(fwd) == len(edges) and all(tuple(e[3:]) + tuple(e[:3]) in fwd for e in edges)


GREY = (200, 200, 200, 255)
HOLED = shapely.box(0, 0, 4, 4).difference(shapely.box(1, 1, 3, 3))
KIT = {
    "box": (lambda: shapes.box((1, 2), (2, 3), 0, 4, GREY, yaw=30), 24.0),
    "mirrored-boxes": (lambda: shapes.boxes(shapes.affine(scale=(-1, 2, 3))[None], GREY), 6.0),
    "prism": (lambda: shapes.prism(np.array([[0, 0], [2, 0], [2, 3], [0, 3]]), 1, 5, GREY), 24.0),
    "prism-with-hole": (lambda: shapes.prism(HOLED, 0, 1, GREY), 12.0),
    "sloped-prism": (lambda: shapes.prism(np.array([[0, 0], [2, 0], [2, 2], [0, 2]]), 0,
                                          np.array([1.0, 3.0, 3.0, 1.0]), GREY), 8.0),
    "sweep-y": (lambda: shapes.sweep(np.array([[0, 0], [2, 0], [0, 3]]), 0, 4, GREY, GREY), 12.0),
    "sweep-x": (lambda: shapes.sweep(np.array([[0, 0], [2, 0], [0, 3]]), 0, 4, GREY, GREY, "x"),
                12.0),
    "cylinder": (lambda: shapes.frustums(np.zeros((1, 2)), 0, 2, 1, 1, 6, GREY),
                 2 * 1.5 * math.sqrt(3)),
    "cone": (lambda: shapes.frustums(np.zeros((1, 2)), 0, 3, 1, 0, 4, GREY), 2.0),
    "beam": (lambda: shapes.beam((0, 0, 0), (3, 4, 5), 1, 1, GREY), math.sqrt(50)),
    "tilted": (lambda: shapes.transform(shapes.box((0, 0), (1, 2), 0, 3, GREY),
                                        shapes.affine((5, 5, 5), yaw=20, pitch=-30, roll=10)), 6),
}


@pytest.mark.parametrize("name", sorted(KIT))
def test_kit_primitives_are_closed_and_outward(name: str) -> None:
    make, volume = KIT[name]
    b = make()
    assert _closed(b)
    assert _volume(b) == pytest.approx(volume, rel=1e-5)  # negative if faces pointed inwards


def test_kit_dome_and_loft_face_outwards() -> None:
    d = shapes.dome((1.0, 2.0), 3.0, 4.0, 2.0, GREY, n=12, rings=4)
    c = shapes.triangles(d).mean(axis=1) - (1.0, 2.0, 3.0)
    assert (np.einsum("ij,ij->i", d.normals[::3], c) > 0).all()
    t = np.linspace(0.0, 2 * np.pi, 9)
    ring = np.column_stack([np.zeros(9), np.cos(t), -np.sin(t)])  # clockwise seen from +x
    sections = np.stack([ring + np.array([x, 0.0, 0.0]) for x in (0.0, 1.0, 2.0)])
    lo = shapes.loft(sections, GREY)
    c = shapes.triangles(lo).mean(axis=1) * (0, 1, 1)
    assert (np.einsum("ij,ij->i", lo.normals[::3], c) > 0).all()


def test_kit_rejects_a_clockwise_array_ring() -> None:
    with pytest.raises(ValueError, match="counter-clockwise"):
        shapes.prism(np.array([[0, 0], [0, 1], [1, 1], [1, 0]]), 0, 1, GREY)
