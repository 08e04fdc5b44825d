"""tiles.parallel without a cluster: its options checked before anything starts, a missing
Dask named as the extra to install, and tasks packed for workers unchanged
(tests/system/test_bake_dask.py runs real clusters)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from render_helpers import REPO
from tile_builders import write_synthetic_city

from gwangju_twin.errors import InputError
from gwangju_twin.expo.city import read_district
from gwangju_twin.geo import load_geojson
from gwangju_twin.scene import scene_for_geojson
from gwangju_twin.tiles.bake import (
    TileTask,
    bake_tile,
    plan,
    serial,
    threaded,
)
from gwangju_twin.tiles.levels import minor_road_areas
from gwangju_twin.tiles.parallel import (
    BATCH_FEATURES,
    BATCHES_PER_THREAD,
    batches,
    dask_runner,
    pack,
    unpack,
)


@pytest.mark.parametrize("kwargs", [
    {"workers": 0}, {"workers": -2}, {"workers": 100_000}, {"workers": True},
    {"workers": 2.5},
    {"scheduler": "localhost:8786"}, {"scheduler": "http://10.0.0.5:8786"},
    {"scheduler": "tcp://10.0.0.5"}, {"scheduler": "tcp://10.0.0.5:99999"},
    {"scheduler": "tcp://10.0.0.5:0"}, {"scheduler": "tcp://:8786"},
    {"scheduler": "tcp://a b:8786"}, {"scheduler": "tcp://10.0.0.5:8786\nx"},
    {"workers": 2, "scheduler": "tcp://10.0.0.5:8786"},
])
def test_bad_workers_or_scheduler_is_one_line(kwargs: dict) -> None:
    with pytest.raises(InputError) as err, dask_runner(**kwargs):
        pass
    message = str(err.value)
    assert "\n" not in message
    assert ("--workers" if "workers" in kwargs else "--scheduler") in message


def test_without_dask_the_extra_to_install_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(InputError) as err, dask_runner(workers=1):
        pass
    assert "gwangju-twin[bake]" in str(err.value) and "\n" not in str(err.value)


def city_tasks(path: Path, buildings: int) -> list[TileTask]:
    """The tiles of the synthetic city of the benchmarks (scripts/synthetic_city.py)."""
    district, _ = load_geojson(write_synthetic_city(path, buildings))
    return plan(district)[1]


def test_a_packed_task_bakes_the_same_bytes(tmp_path: Path) -> None:
    tasks = city_tasks(tmp_path / "city.geojson", 400)
    assert {t.kind for t in tasks} == {"far", "leaf"}
    unpacked = unpack(pack(tasks))
    assert len(unpacked) == len(tasks)
    for task, back in zip(tasks, unpacked, strict=True):
        assert (back.key, back.kind) == (task.key, task.kind)
        np.testing.assert_array_equal(back.ids, task.ids)
        assert shapely.equals_exact(back.part.geometry, task.part.geometry, 0).all()
        # Names stay home, and the properties of all but road areas (the meshes never
        # read them): the same bytes come back all the same.
        plazas = task.part.layer == "plazas"
        assert back.part.properties == [p if a else {} for p, a
                                        in zip(task.part.properties, plazas, strict=True)]
        assert back.part.name == [None] * len(task.ids)
        assert bake_tile(back).data == bake_tile(task).data


def test_a_task_on_the_whole_district_packs_as_one_on_its_own_part(tmp_path: Path) -> None:
    """A plan hands out tasks on the whole district, whose rows are taken only when baked
    (``TileTask.part``); ``pack`` reads them from the whole district instead. Both must
    send a worker the same features as a task made of its own taken part, as the viewer's
    re-bake of a damaged tile makes it (tiles/tileset.py)."""
    tasks = city_tasks(tmp_path / "city.geojson", 400)
    # Nothing taken by planning alone.
    assert all(t.whole and "part" not in vars(t) for t in tasks)
    whole = tasks[0].features
    own = [TileTask(t.key, t.kind, whole.take(t.ids), t.ids) for t in tasks]
    shared = unpack(pack(tasks))
    # On the worker the planned tasks share one district of the rows any of them holds,
    # each sent once; the tasks made of their own parts arrive each with its own.
    assert len({id(t.features) for t in shared}) == 1
    assert len(shared[0].features.geometry) == len(np.unique(np.concatenate(
        [t.ids for t in tasks])))
    for a, b in zip(shared, unpack(pack(own)), strict=True):
        assert (a.key, a.kind, a.whole, b.whole) == (b.key, b.kind, True, False)
        np.testing.assert_array_equal(a.ids, b.ids)
        for name, value in vars(a.part).items():
            other = getattr(b.part, name)
            if name == "frame":  # a LocalFrame compares by identity
                assert (value.lon, value.lat) == (other.lon, other.lat)
            elif name == "geometry":
                assert shapely.equals_exact(value, other, 0).all()
            elif isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, other)
            else:
                assert value == other, name
    for task, mine in zip(tasks[:5], own[:5], strict=True):
        assert bake_tile(task).data == bake_tile(mine).data


def test_a_far_group_leaves_out_the_same_minor_road_areas_on_a_worker(tmp_path: Path) -> None:
    """The far level drops minor roads' paved areas by their tags (levels.minor_road_areas),
    so those tags travel with the task: without them a worker kept the areas and its far
    tiles differed from the serial bake's."""
    source = tmp_path / "register.shp"
    subprocess.run([sys.executable, str(REPO / "scripts" / "register_city.py"), str(source),
                    "--buildings", "800"], check=True, capture_output=True, timeout=300)
    district, _ = read_district(scene_for_geojson(source))
    far = [t for t in plan(district)[1] if t.kind == "far"]
    assert far and any(minor_road_areas(t.part).any() for t in far)
    for task, back in zip(far, unpack(pack(far)), strict=True):
        np.testing.assert_array_equal(minor_road_areas(back.part), minor_road_areas(task.part))
        assert bake_tile(back).data == bake_tile(task).data


def test_a_city_of_many_far_groups_goes_out_a_group_and_its_leaves_a_batch(
        tmp_path: Path) -> None:
    """A far group is meshed from its leaves' features: batched together, a group and its
    leaves send each feature once, and the largest groups go first."""
    district, _ = load_geojson(write_synthetic_city(tmp_path / "city.geojson", 2500))
    # Far groups of 150 buildings: a city of many groups, small enough for this tier.
    tree, tasks = plan(district, far_buildings=150)
    threads = 2
    assert len(tree.groups) >= BATCHES_PER_THREAD * threads
    out = list(batches(tasks, threads))
    assert len(out) == len(tree.groups)
    assert sorted((t.kind, t.key) for b in out for t in b) == sorted(
        (t.kind, t.key) for t in tasks)
    for batch in out:
        group = next(g for g in tree.groups if g.key == batch[0].key)
        assert batch[0].kind == "far"
        assert [t.key for t in batch[1:]] == list(group.leaves)
        assert all(t.kind == "leaf" for t in batch[1:])
    sizes = [len(b[0].ids) for b in out]
    assert sizes == sorted(sizes, reverse=True)
    # Each feature once in a batch's bytes, and each tile baked the same from them.
    for batch in out[:3]:
        back = unpack(pack(batch))
        assert len(back[0].features.geometry) == len(batch[0].ids)
        for task, mine in zip(batch, back, strict=True):
            assert bake_tile(mine).data == bake_tile(task).data
    # With fewer groups than that for its threads, the city is batched by size instead.
    few = list(batches(tasks, len(tree.groups)))
    assert [t.key for b in few for t in b] == [t.key for t in tasks]


@pytest.mark.parametrize("threads", [1, 2, 8, 1000])
def test_batches_hold_every_tile_once_in_order(tmp_path: Path, threads: int) -> None:
    tasks = city_tasks(tmp_path / "city.geojson", 2500)
    out = list(batches(tasks, threads))
    assert [t.key for b in out for t in b] == [t.key for t in tasks]
    assert all(out)
    # A batch stops growing once it holds BATCH_FEATURES features: only its last tile may
    # take it past that.
    assert all(sum(len(t.ids) for t in b[:-1]) < BATCH_FEATURES for b in out)
    # Each thread gets several batches of leaves to do when there are leaves enough for
    # that (up to 4 by the rule; at least 2, as a batch's last leaf may take it past its
    # share).
    leaves = [b for b in out if b[0].kind == "leaf"]
    assert len(leaves) >= min(sum(t.kind == "leaf" for t in tasks), 2 * threads)


def test_a_threaded_bake_gives_every_tile_once_with_the_serial_bytes(tmp_path: Path) -> None:
    """The viewer bakes on a thread per core (``bake.threaded``): far groups' GEOS work runs
    beside each other's. Each tile comes back once, with the bytes of a serial bake."""
    tasks = city_tasks(tmp_path / "city.geojson", 2500)
    expected = {(t.kind, t.key): r.data for t, r in zip(tasks, serial(tasks), strict=True)}
    got = [(r.kind, r.key, r.data) for r in threaded(3)(tasks)]
    assert len(got) == len(tasks)
    assert {(kind, key): data for kind, key, data in got} == expected
    # One thread is the serial runner, in order.
    assert [(r.kind, r.key) for r in threaded(1)(tasks)] == [(t.kind, t.key) for t in tasks]


def test_a_threaded_bake_stops_at_a_tile_that_fails(tmp_path: Path) -> None:
    tasks = city_tasks(tmp_path / "city.geojson", 400)
    broken = TileTask("r9", "leaf", tasks[0].features, np.array([10**9]), whole=True)
    with pytest.raises(IndexError):
        list(threaded(2)([*tasks[:3], broken, *tasks[3:]]))
