"""Baking tiles on Dask (issue 15): a local cluster of worker processes, an existing cluster
given by its scheduler's address, and a worker killed mid-bake all give the very bytes of the
serial bake, every tile once; a bad or unreachable address, a scheduler without workers,
workers without the program, a cluster gone mid-bake, tiles that kill every worker, and
Ctrl-C are each one line (tests/pure/test_bake_parallel_inputs.py checks the options).

The oracle is the serial bake of the same district in this process (``runner=serial``):
``bake_tile``'s bytes depend only on its task, so any difference is the parallel path's.
Real worker processes are started (Dask's LocalCluster with processes) and one is killed
with SIGKILL, as a machine of a cluster would die.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tile_builders import write_synthetic_city

from gwangju_twin.errors import InputError
from gwangju_twin.geo import load_geojson
from gwangju_twin.geo.model import District, LoadReport
from gwangju_twin.tiles.bake import (
    Runner,
    TileResult,
    TileTask,
    bake_tile,
    plan,
)
from gwangju_twin.tiles.cache import bake
from gwangju_twin.tiles.parallel import batches, dask_runner

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

#: Buildings of the synthetic city: more than quadtree.FAR_BUILDINGS (6000), so the root is
#: split into several far groups (checked below), and dozens of leaves of at most 300.
BUILDINGS = 6500
KEY = "test-key"
#: Seconds after which a bake that should have failed at once is taken for hung.
WATCHDOG_S = 60.0


def write_city(path: Path, buildings: int = BUILDINGS) -> None:
    """The synthetic city of the benchmarks as GeoJSON."""
    write_synthetic_city(path, buildings)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[District, LoadReport]:
    path = tmp_path_factory.mktemp("city") / "city.geojson"
    write_city(path)
    district, report = load_geojson(path)
    _, tasks = plan(district)
    # The test is only worth its name if the city is several tiles of both kinds.
    assert sum(t.kind == "far" for t in tasks) > 1
    assert sum(t.kind == "leaf" for t in tasks) > 8
    return district, report


@pytest.fixture(scope="module")
def serial_folder(city: tuple[District, LoadReport],
                  tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serial")
    bake(*city, folder, KEY)
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_tree(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    assert "index.json" in ta and len([n for n in ta if n.startswith("tiles/")]) > 10
    differ = [name for name in ta if ta[name] != tb[name]]
    assert not differ, f"files differ from the serial bake: {differ[:5]}"
    assert not filecmp.dircmp(a, b).diff_files


class Counting:
    """A runner passing another's results on, counting each tile it hands over."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.keys: Counter[tuple[str, str]] = Counter()
        self.tasks: list[TileTask] = []

    def __call__(self, tasks: list[TileTask]) -> Iterator[TileResult]:
        self.tasks = tasks
        for result in self.runner(tasks):
            self.keys[(result.kind, result.key)] += 1
            yield result

    def assert_each_once(self) -> None:
        assert self.tasks
        assert set(self.keys) == {(t.kind, t.key) for t in self.tasks}
        assert max(self.keys.values()) == 1


def test_local_cluster_bakes_the_serial_bytes(city: tuple[District, LoadReport],
                                              serial_folder: Path, tmp_path: Path) -> None:
    with dask_runner(workers=2) as runner:
        assert len(runner.client.nthreads()) == 2
        counting = Counting(runner)
        bake(*city, tmp_path, KEY, runner=counting)
    counting.assert_each_once()
    assert_same_tree(serial_folder, tmp_path)


def test_local_workers_writing_the_tiles_themselves_write_the_serial_bytes(
        city: tuple[District, LoadReport], serial_folder: Path, tmp_path: Path) -> None:
    """Given the cache's folder (as `gwangju-twin bake` gives it), a local cluster's workers
    write the tiles' files and send back only their entries: the same cache all the same."""
    with dask_runner(workers=2) as runner:
        assert runner.local
        results: list[TileResult] = []

        def into_folder(tasks: list[TileTask]) -> Iterator[TileResult]:
            for result in runner(tasks, tmp_path):
                results.append(result)
                yield result

        bake(*city, tmp_path, KEY, runner=into_folder)
    assert results and all(r.stored is not None and r.data == b"" for r in results)
    assert_same_tree(serial_folder, tmp_path)


def test_a_far_group_sharing_its_leafs_key_is_baked_too(tmp_path: Path) -> None:
    # A town under LEAF_BUILDINGS is one leaf, the root "r", and its far group is the root
    # too: two tiles with one key, which the runner must neither merge nor drop.
    path = tmp_path / "town.geojson"
    write_city(path, 120)
    district, report = load_geojson(path)
    _, tasks = plan(district)
    assert sorted((t.kind, t.key) for t in tasks) == [("far", "r"), ("leaf", "r")]
    bake(district, report, tmp_path / "serial", KEY)
    with dask_runner(workers=1) as runner:
        counting = Counting(runner)
        bake(district, report, tmp_path / "dask", KEY, runner=counting)
    counting.assert_each_once()
    assert tree(tmp_path / "serial") == tree(tmp_path / "dask")


def test_an_existing_cluster_by_address(city: tuple[District, LoadReport],
                                        serial_folder: Path, tmp_path: Path) -> None:
    # A cluster started elsewhere (here by the test, as `dask scheduler` and `dask worker`
    # would on other machines); the bake only knows its address.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}
                                  ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        with dask_runner(scheduler=address) as runner:
            bake(*city, tmp_path / "a", KEY, runner=runner)
            # Workers running other code or libraries would bake other bytes: refused, in
            # one line, instead of a cache that differs from the serial one.
            runner.expected = "gwangju-twin 0.0.0, GEOS 0.0, numpy 0.0"
            with pytest.raises(InputError) as err:
                bake(*city, tmp_path / "b", KEY, runner=runner)
        # The cluster was only borrowed: still there, its workers too.
        with distributed.Client(address, set_as_default=False) as client:
            worker = next(iter(client.nthreads()))
        # A worker's address is a mistake worth its own line.
        with pytest.raises(InputError) as not_scheduler, dask_runner(scheduler=worker):
            pass
    assert "a Dask Worker" in str(not_scheduler.value)
    assert_same_tree(serial_folder, tmp_path / "a")
    message = str(err.value)
    assert "\n" not in message and address in message and "0.0.0" in message
    assert not (tmp_path / "b" / "index.json").exists()


def test_far_groups_going_out_with_their_leaves_bake_the_serial_bytes(
        city: tuple[District, LoadReport]) -> None:
    """A city of more far groups than 4 per worker goes out a group and its leaves a batch
    (parallel.batches), the features sent once and shared by the batch's tiles on the
    worker: the same bytes as each tile baked here from the whole district."""
    district = city[0]
    # Far groups of 400 buildings: the 6,500-building city then has that many groups.
    tree, tasks = plan(district, far_buildings=400)
    assert len(tree.groups) >= 4 * 2
    assert len(list(batches(tasks, 2))) == len(tree.groups)
    with dask_runner(workers=2) as runner:
        got = {(r.kind, r.key): r.data for r in runner(tasks)}
    assert got.keys() == {(t.kind, t.key) for t in tasks}
    differ = [key for key, data in got.items()
              if data != bake_tile(next(t for t in tasks if (t.kind, t.key) == key)).data]
    assert not differ, f"tiles differ from the serial bake: {differ[:5]}"


def test_a_worker_killed_mid_bake_loses_only_its_tiles(city: tuple[District, LoadReport],
                                                        serial_folder: Path,
                                                        tmp_path: Path) -> None:
    killed: list[tuple[int, int, int]] = []
    with dask_runner(workers=2) as runner:
        client = runner.client
        pids = client.run(os.getpid)
        counting = Counting(runner)

        def progress(done: int, total: int) -> None:
            # Once some tiles are in: kill a worker that is baking one right now.
            if done == 3 and not killed:
                busy = [w for w, keys in client.processing().items() if keys]
                assert busy, "no worker was baking anything"
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append((pids[busy[0]], done, total))

        bake(*city, tmp_path, KEY, runner=counting, progress=progress)
        events = [msg for _, msg in client.get_events("all")
                  if isinstance(msg, dict) and msg.get("action") == "remove-worker"]
        after = client.run(os.getpid)
    assert killed and killed[0][1] < killed[0][2]
    # The scheduler saw the worker go with tiles in its hands, which were baked again...
    assert events and any(e["processing-tasks"] for e in events)
    assert killed[0][0] not in after.values()  # (the nanny started a fresh worker)
    # ... and the bake still yielded each tile once, with the serial bytes.
    counting.assert_each_once()
    assert_same_tree(serial_folder, tmp_path)


#: A Dask worker on which gwangju_twin cannot be imported, as on a machine it was never
#: installed on (no nanny: the import blocker must hold in the process that bakes).
WORKER_WITHOUT_US = """
import sys

class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "gwangju_twin":
            raise ModuleNotFoundError(f"No module named {name!r}")

sys.meta_path.insert(0, Missing())
sys.argv = ["dask worker", sys.argv[1], "--no-nanny", "--nthreads", "1", "--no-dashboard"]
from distributed.cli.dask_worker import main
main()
"""


def test_workers_without_the_program_are_one_line(city: tuple[District, LoadReport],
                                                   tmp_path: Path) -> None:
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}
                                  ) as cluster:
        address = cluster.scheduler_address
        worker = subprocess.Popen([sys.executable, "-c", WORKER_WITHOUT_US, address],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Should the tasks wait for a worker forever instead, closing the cluster ends the
        # wait with another error than the one expected.
        watchdog = threading.Timer(WATCHDOG_S, cluster.close)
        watchdog.start()
        try:
            with dask_runner(scheduler=address) as runner, pytest.raises(InputError) as err:
                bake(*city, tmp_path, KEY, runner=runner)
        finally:
            watchdog.cancel()
            worker.terminate()
            worker.wait(timeout=30)
    message = str(err.value)
    assert "\n" not in message and address in message and "install gwangju-twin" in message


def test_a_cluster_gone_mid_bake_is_one_line(city: tuple[District, LoadReport],
                                             tmp_path: Path) -> None:
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    try:
        with dask_runner(scheduler=cluster.scheduler_address) as runner:
            def progress(done: int, total: int) -> None:
                if done == 1:
                    cluster.close()

            with pytest.raises(InputError) as err:
                bake(*city, tmp_path, KEY, runner=runner, progress=progress)
    finally:
        cluster.close()
    message = str(err.value)
    assert "\n" not in message and cluster.scheduler_address in message
    assert not (tmp_path / "index.json").exists()


def test_tiles_that_kill_every_worker_are_one_line(city: tuple[District, LoadReport],
                                                   tmp_path: Path) -> None:
    # Dask gives up on a task after its workers died allowed-failures + 1 times (3 + 1 by
    # default); with 0 allowed, one kill of a worker baking a batch is enough to see it.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     host="127.0.0.1", dashboard_address=None,
                                     scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}
                                     ) as cluster, \
            dask_runner(scheduler=cluster.scheduler_address) as runner:
        client = runner.client
        pids = client.run(os.getpid)

        def progress(done: int, total: int) -> None:
            if done == 1:
                busy = [w for w, keys in client.processing().items() if keys]
                os.kill(pids[busy[0]], signal.SIGKILL)

        with pytest.raises(InputError) as err:
            bake(*city, tmp_path, KEY, runner=runner, progress=progress)
    message = str(err.value)
    assert "\n" not in message and "1 time:" in message and "tiles-" in message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_nobody_at_the_scheduler_address_is_one_line() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(InputError) as err, dask_runner(scheduler=address, connect_timeout=2):
        pass
    message = str(err.value)
    assert "\n" not in message and "--scheduler" in message and address in message


def test_a_scheduler_without_workers_is_one_line() -> None:
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}
                                  ) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(InputError) as err, dask_runner(scheduler=address,
                                                           workers_timeout=1):
            pass
    message = str(err.value)
    assert "\n" not in message and address in message and "no workers" in message


def test_a_web_server_at_the_scheduler_address_is_one_line() -> None:
    # Someone else's server (here one that answers everything with an HTTP error), as when
    # the dashboard's port 8787 is given instead of the scheduler's 8786.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"

        def answer() -> None:
            with contextlib.suppress(OSError):
                while True:
                    conn, _ = server.accept()
                    with conn:
                        conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n" * 8)

        threading.Thread(target=answer, daemon=True).start()
        with pytest.raises(InputError) as err, dask_runner(scheduler=address,
                                                           connect_timeout=5):
            pass
    message = str(err.value)
    assert "\n" not in message and "--scheduler" in message and address in message


def test_importing_the_module_does_not_import_dask() -> None:
    code = ("import sys, gwangju_twin.tiles.parallel; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_closes_the_local_cluster(tmp_path: Path) -> None:
    # A terminal's Ctrl-C is SIGINT to the whole process group: the baking process and its
    # worker processes. The bake stops with KeyboardInterrupt, the workers are gone, and
    # only the baking process reports it (the workers leave Ctrl-C to it).
    source = tmp_path / "city.geojson"
    write_city(source)
    script = tmp_path / "bake_child.py"
    script.write_text(f"""
import os, signal, sys, time
from pathlib import Path
# Ctrl-C raises KeyboardInterrupt, as in a terminal, even when this test runs in the
# background (a non-interactive shell's `&` starts its children with SIGINT ignored).
signal.signal(signal.SIGINT, signal.default_int_handler)
from gwangju_twin.geo import load_geojson
from gwangju_twin.tiles.cache import bake
from gwangju_twin.tiles.parallel import batches, dask_runner
from gwangju_twin.tiles.quadtree import cut

def progress(done, total):
    if done == 2:
        print("baking", flush=True)
        # Wait here for the test's Ctrl-C: a small bake would otherwise be done before
        # the signal arrives on a quiet machine.
        time.sleep(30)  # within the test's 60 s wait even if it sleeps in another thread

if __name__ == "__main__":
    district, report = load_geojson(Path({str(source)!r}))
    with dask_runner(workers=2) as runner:
        print("workers", *runner.client.run(os.getpid).values(), flush=True)
        bake(district, report, Path({str(tmp_path / "out")!r}), "k", runner=runner,
             progress=progress)
    print("finished", flush=True)
""", encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    workers: list[int] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("workers"):
                workers = [int(w) for w in line.split()[1:]]
            if line.startswith("baking"):
                os.killpg(child.pid, signal.SIGINT)
                break
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert len(workers) == 2
    assert "finished" not in out
    assert err.rstrip().endswith("KeyboardInterrupt"), err[-2000:]
    assert "Dask Worker process" not in err and "Nanny" not in err, err[-2000:]
    assert not (tmp_path / "out" / "index.json").exists()
    assert not [pid for pid in workers if alive(pid)]
