"""Baking tiles in parallel on Dask (``gwangju-twin bake --workers N / --scheduler ADDRESS``).

Tiles are baked by Dask tasks running ``bake.bake_tile`` on their ``TileTask`` (a far group
with its leaves, or for a town of few groups a few leaves together: ``batches``); the
baked bytes come back to this process, which writes the cache (``cache.bake``). Nothing is
shared through the filesystem, so the workers may be other machines: a national bake
(millions of buildings) runs on a cluster started elsewhere and named by
``--scheduler tcp://HOST:PORT``. Without it a local cluster of worker
processes is started and closed again; its workers, on this machine, write the tiles' files
into the cache themselves and send back only their entries (``bake_on_worker``), so the
bytes do not cross to this process on the cores the workers bake on.

A tile's bytes depend only on its task, so the parallel cache is byte for byte the serial
one, provided the workers run the same program on the same libraries: every task checks that
before it bakes (``fingerprint``).

A worker that dies mid-bake loses only the tiles it held: the scheduler bakes them again on
the others (up to ``distributed.scheduler.allowed-failures`` deaths per tile), and the runner
still yields every tile once.

This is the only module importing Dask (optional: ``pip install gwangju-twin[bake]``); it is
imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
import re
import signal
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from gwangju_twin import __version__
from gwangju_twin.errors import InputError
from gwangju_twin.geo.model import District
from gwangju_twin.tiles.bake import TileResult, TileTask, bake_tile

if TYPE_CHECKING:
    from distributed import Client

#: How long connecting to ``--scheduler`` may take before it is reported as unreachable.
CONNECT_TIMEOUT_S = 10.0
#: How long a scheduler without workers is waited for before that is reported.
WORKERS_TIMEOUT_S = 60.0
#: A local cluster larger than this is surely a typo; a bigger bake wants ``--scheduler``.
MAX_LOCAL_WORKERS = 256
#: Features (of all kinds) a Dask task bakes at least, in as many tiles as it takes: a few
#: leaves each, a far group alone.
BATCH_FEATURES = 1500
#: Batches per worker thread at least, for a city too small for full batches.
BATCHES_PER_THREAD = 4
#: Dask tasks sent ahead per worker thread: enough that a worker never waits for its next
#: batch, few enough that the tasks and results in flight stay a few megabytes per worker
#: however large the city.
TASKS_PER_THREAD = 3
#: Times a tile whose bake raised is tried again (a worker that dies is handled apart, by
#: the scheduler's ``allowed-failures``).
RETRIES = 2
#: Dask settings of a local cluster's processes, which share this machine's cores with the
#: bake: the workers' statistical profiler samples the baking thread's stack every 10 ms for
#: a dashboard nobody opens (none is started); every process checks its event loop every
#: 20 ms, the memory of its workers every 100 ms and the machine's every 500 ms. Measured on
#: an idle cluster of 2 workers over 10 s: 0.035-0.055 s of CPU a second in this process
#: (scheduler and nannies) and 0.036 in each worker; 0.009 and 0.004 with these. A bake
#: pays that for as long as it lasts, the longer the busier the machine; memory is still
#: checked twice a second.
LOCAL_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "200ms",
    "distributed.worker.memory.monitor-interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
}
_ADDRESS = re.compile(r"tcp://(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})/?")


def fingerprint() -> str:
    """What a tile's bytes depend on besides its task: the program and the geometry and
    array libraries that mesh it."""
    return (f"gwangju-twin {__version__}, GEOS {shapely.geos_version_string}, "
            f"numpy {np.__version__}")


class WorkerMismatchError(Exception):
    """A worker runs another program or other libraries than the client (its fingerprint)."""


def bake_on_worker(blob: bytes, expected: str, folder: str | None = None
                   ) -> list[TileResult]:
    """``bake_tile`` on a Dask worker over a batch of tasks (``pack``), refused if the worker
    would bake other bytes; with ``folder`` (a local cluster's, on this machine) each
    tile's file is written into that cache here and only its entry goes back."""
    here = fingerprint()
    if here != expected:
        raise WorkerMismatchError(here)
    results = [bake_tile(task) for task in unpack(blob)]
    if folder is None:
        return results
    from gwangju_twin.tiles.cache import store_tile

    out = []
    for result in results:
        entry = store_tile(Path(folder), result.key, result.data)
        out.append(dataclasses.replace(result, data=b"",
                                       stored=(entry.file, entry.bytes, entry.sha256)))
    return out


def _bake_by_name() -> Callable[[bytes, str, str | None], list[TileResult]]:
    """``bake_on_worker``, called by its name: a function made here travels by value (Dask
    pickles it with cloudpickle), while ``bake_on_worker`` travels as a reference to this
    module, which a worker without gwangju-twin cannot even unpickle. Such a worker then
    drops its connection, and the bake would wait for the next one forever; by name, the
    task fails with an ImportError the runner reports instead."""
    def bake(blob: bytes, expected: str, folder: str | None) -> list[TileResult]:
        import importlib

        module = importlib.import_module("gwangju_twin.tiles.parallel")
        return module.bake_on_worker(blob, expected, folder)
    return bake


def batches(tasks: list[TileTask], threads: int = 1) -> Iterator[list[TileTask]]:
    """``tasks`` in batches for Dask tasks: a Dask task costs a few milliseconds of its own
    (in this process, the scheduler's and the worker's), as much as baking a small leaf.

    A city with far groups enough for every thread to have several gets one batch per far
    group: the group and its leaves, the largest first (the last to finish are then the
    smallest). A far group is meshed from its leaves' features, so a batch then carries
    each of them once instead of twice (``pack``), and the 185,000-building city goes out
    in 63 batches instead of 186. Otherwise (a town of a few groups) ``tasks`` in their
    order in batches of about ``BATCH_FEATURES`` features, the far groups alone, a small
    city's smaller so that each thread still has several to do."""
    units = _group_units(tasks, threads)
    if units is not None:
        yield from units
        return
    # The leaves hold every feature once (a far group holds its leaves' features again).
    leaf_features = sum(len(t.ids) for t in tasks if t.kind == "leaf")
    size = min(BATCH_FEATURES, leaf_features // (BATCHES_PER_THREAD * threads))
    batch: list[TileTask] = []
    features = 0
    for task in tasks:
        batch.append(task)
        features += len(task.ids)
        if features >= size:
            yield batch
            batch, features = [], 0
    if batch:
        yield batch


def _group_units(tasks: list[TileTask], threads: int) -> list[list[TileTask]] | None:
    """One batch per far group (the group first, then its leaves in their order), largest
    first; None when there are fewer groups than ``BATCHES_PER_THREAD`` per thread or a
    leaf lies under no group of ``tasks``."""
    groups = [t for t in tasks if t.kind == "far"]
    if len(groups) < BATCHES_PER_THREAD * threads:
        return None
    units: dict[str, list[TileTask]] = {g.key: [g] for g in groups}
    for task in tasks:
        if task.kind != "leaf":
            continue
        # A leaf's group is the one whose key starts its key (groups do not nest).
        key = task.key
        while key and key not in units:
            key = key[:-1]
        if not key:
            return None
        units[key].append(task)
    return sorted(units.values(), key=lambda unit: (-len(unit[0].ids), unit[0].key))


def _columns(source: District, rows: np.ndarray | None) -> dict[str, Any]:
    """The columns of ``source`` (of its ``rows``, all when None) as ``pack`` sends them."""
    n = len(source.geometry) if rows is None else len(rows)
    columns: dict[str, Any] = {}
    for name, value in vars(source).items():
        if name in ("frame", "properties"):
            columns[name] = value
        elif name in ("name", "name_en", "feature_id"):
            # A tile's meshes read no names; the district table carries them.
            columns[name] = [None] * n
        elif rows is None:
            columns[name] = value
        elif isinstance(value, np.ndarray):
            columns[name] = value[rows]
        else:
            columns[name] = [value[i] for i in rows]
    columns["geometry"] = shapely.to_wkb(columns["geometry"], include_srid=True)
    # Only the road areas' properties are read by a tile's meshes (a minor road's area is
    # left out of the far level: levels.minor_road_areas); the district table carries the
    # rest. A register's thirty columns per building were most of what went over the wire.
    plazas = np.flatnonzero(columns["layer"] == "plazas")
    props: list[dict[str, Any]] = [{}] * n
    for i in plazas.tolist():
        props[i] = source.properties[int(rows[i]) if rows is not None else i]
    columns["properties"] = props
    return columns


def pack(tasks: list[TileTask]) -> bytes:
    """``tasks`` as bytes for a worker (``unpack`` reads them): pickled, but their geometries
    as WKB in one vectorised call instead of one ``__reduce__`` each, which is how shapely
    pickles them (the same bytes, so the same geometries), five times slower.

    Tasks planned on one whole district (``TileTask.whole``) share one set of columns: the
    rows any of them holds, read from the whole district here, column by column, without
    taking a district of each first; a far group and its leaves (``batches``) then send
    each feature once. Each task keeps its rows in the whole district (``ids``) and says
    where they are among the shared ones."""
    tables: list[dict[str, Any]] = []
    shared: dict[int, tuple[int, np.ndarray]] = {}  # id(whole district) -> (table, its rows)
    wanted: dict[int, tuple[District, list[np.ndarray]]] = {}
    for task in tasks:
        if task.whole:
            wanted.setdefault(id(task.features), (task.features, []))[1].append(
                task.ids if task.rows is None else task.rows)
    for key, (source, row_lists) in wanted.items():
        rows = np.unique(np.concatenate(row_lists))
        shared[key] = (len(tables), rows)
        tables.append(_columns(source, rows))
    packed: list[tuple[str, str, np.ndarray, int, np.ndarray | None]] = []
    for task in tasks:
        if task.whole:
            table, rows = shared[id(task.features)]
            own = task.ids if task.rows is None else task.rows
            packed.append((task.key, task.kind, task.ids, table, np.searchsorted(rows, own)))
        else:
            packed.append((task.key, task.kind, task.ids, len(tables), None))
            tables.append(_columns(task.features, None))
    return pickle.dumps((tables, packed), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(blob: bytes) -> list[TileTask]:
    """The tasks ``pack`` made ``blob`` of (those that shared columns share one district)."""
    tables, packed = pickle.loads(blob)
    districts = []
    for columns in tables:
        columns["geometry"] = shapely.from_wkb(columns["geometry"])
        districts.append(District(**columns))
    return [TileTask(key, kind, districts[table], ids, whole=rows is not None, rows=rows)
            for key, kind, ids, table, rows in packed]


def dask_setup(worker: object) -> None:
    """Dask's preload hook, run as each worker process of a local cluster starts (this module
    is its preload): Ctrl-C in a terminal reaches every process of the group, and the
    workers leave it to this one, which closes the cluster, instead of each dying with a
    traceback of its own."""
    with suppress(ValueError):  # not the worker's main thread: nothing to set then
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def check_scheduler(address: str) -> str:
    """``address`` if it looks like ``tcp://HOST:PORT``; InputError otherwise."""
    match = _ADDRESS.fullmatch(address)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise InputError(f"--scheduler {address!r}: expected a Dask scheduler's address "
                         f"tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)")
    return address


def check_workers(workers: int) -> int:
    """``workers`` if it is a sensible size of local cluster; InputError otherwise."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not (
            1 <= workers <= MAX_LOCAL_WORKERS):
        raise InputError(f"--workers {workers!r}: expected a whole number of worker processes "
                         f"from 1 to {MAX_LOCAL_WORKERS} (a bigger bake runs on a cluster "
                         f"given by --scheduler)")
    return workers


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError("baking on Dask needs dask.distributed: pip install "
                         "'gwangju-twin[bake]'") from None
    return distributed


class DaskRunner:
    """A ``bake.Runner`` on a Dask client: tiles go out in batches, one Dask task each, a
    few per worker thread at a time, and come back in the order they finish, each tile
    exactly once."""

    def __init__(self, client: Client, where: str, local: bool = False) -> None:
        self.client = client
        self.where = where
        #: Whether the workers run on this machine (a local cluster) and may write the
        #: tiles' files into the cache themselves.
        self.local = local
        #: What the workers must run to bake this process's bytes (``fingerprint``).
        self.expected = fingerprint()

    def __call__(self, tasks: list[TileTask], folder: Path | None = None
                 ) -> Iterator[TileResult]:
        """Bake ``tasks``; on a local cluster, with the cache's ``folder``, the workers
        write the tiles' files there themselves: a big city's tiles are some 260 MB, which
        would otherwise cross from each worker to this process's event loop and be written
        from here, all on the cores the workers bake on."""
        distributed = _distributed()
        # Absolute: a worker process need not share this one's working folder.
        into = str(folder.absolute()) if self.local and folder is not None else None
        threads = max(1, sum(self.client.nthreads().values()))
        todo = batches(tasks, threads)
        # Unique keys: two bakes on one shared cluster never mix their tiles, and a tile is
        # never taken from an earlier bake's memory (pure=False says the same to Dask).
        token = uuid.uuid4().hex[:12]
        done = distributed.as_completed(loop=self.client.loop, with_results=True)
        futures: dict[Any, Any] = {}
        bake = _bake_by_name()

        sent = 0

        def send(n: int) -> None:
            nonlocal sent
            for batch in islice(todo, n):
                # Numbered: a far group that is a single leaf shares its leaf's key.
                sent += 1
                future = self.client.submit(
                    bake, pack(batch), self.expected, into,
                    key=f"tiles-{sent}-{batch[0].kind}-{batch[0].key}-{token}", pure=False,
                    retries=RETRIES)
                futures[future.key] = future
                done.add(future)

        seen: set[tuple[str, str]] = set()  # (kind, key): a leaf and a group can share a key
        try:
            send(threads * TASKS_PER_THREAD)
            for future, results in self._results(done):
                futures.pop(future.key, None)
                send(1)
                for result in results:
                    # A finished batch whose worker died before its results were fetched is
                    # baked again; each tile may only be yielded once.
                    if (result.kind, result.key) in seen:
                        continue
                    seen.add((result.kind, result.key))
                    yield result
        finally:
            # Ctrl-C, a write that failed, or an abandoned iteration: the cluster stops
            # baking tiles nobody will read.
            if futures:
                self.client.cancel(list(futures.values()))
            done.clear()
        if len(seen) != len(tasks):
            raise RuntimeError(f"the Dask bake returned {len(seen)} of {len(tasks)} tiles")

    def _results(self, done: Any) -> Iterator[tuple[Any, list[TileResult]]]:
        """The finished futures and their results, with the workers' own mistakes turned
        into one line for the user."""
        killed = _distributed().KilledWorker
        try:
            for future, results in done:
                # A future cancelled under us (the scheduler went away) comes with the
                # exception instead of results.
                if isinstance(results, BaseException):
                    raise InputError(f"the Dask cluster at {self.where} dropped the bake "
                                     f"({_why(results)}); bake again to finish it")
                yield future, results
        except WorkerMismatchError as exc:
            raise InputError(f"the Dask workers at {self.where} run {exc}, this machine "
                             f"{self.expected}: install the same on every worker, or the "
                             f"tiles would differ") from None
        except killed as exc:
            deaths = exc.allowed_failures + 1
            raise InputError(f"the Dask workers at {self.where} died baking the same tiles "
                             f"({exc.task}) {deaths} time{'s' * (deaths != 1)}: are they short "
                             f"of memory?") from None
        except ImportError as exc:
            raise InputError(f"the Dask workers at {self.where} cannot run the bake ({exc}): "
                             f"install gwangju-twin on every worker") from None


@contextmanager
def _quiet_logs(name: str) -> Iterator[None]:
    """Logger ``name`` and those under it silent but for CRITICAL while the block lasts
    (Dask gives some of its loggers levels of their own, so the parent's is not enough)."""
    loggers = [logging.getLogger(name)] + [
        logger for key, logger in logging.Logger.manager.loggerDict.items()
        if key.startswith(name + ".") and isinstance(logger, logging.Logger)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _why(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _probe(address: str, timeout: float) -> None:
    """InputError unless a Dask scheduler answers at ``address`` within ``timeout`` seconds.

    Asked before a ``Client`` is made: a Client pointed at something else (a worker, the
    dashboard's port, any other server) fails in odd ways (reading an HTTP answer as a
    frame length, it tries to allocate exabytes) and then complains again as it is
    collected."""
    import asyncio

    from distributed.comm import connect

    async def ask() -> dict[str, Any]:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            reply = await comm.read()
        finally:
            comm.abort()
        return reply if isinstance(reply, dict) else {}

    try:
        # In a thread of its own: asyncio.run refuses to run inside a running event loop
        # (a notebook's, say).
        with ThreadPoolExecutor(1) as pool:
            reply = pool.submit(asyncio.run, asyncio.wait_for(ask(), timeout)).result()
    except (TimeoutError, asyncio.TimeoutError):
        raise InputError(f"--scheduler {address}: no Dask scheduler answered within "
                         f"{timeout:g} s") from None
    except MemoryError:
        raise InputError(f"--scheduler {address}: the server there does not speak Dask's "
                         f"protocol (a dashboard's or web server's port?)") from None
    except Exception as exc:
        raise InputError(f"--scheduler {address}: no Dask scheduler answered there "
                         f"({_why(exc)})") from None
    kind = reply.get("type")
    if kind != "Scheduler":
        raise InputError(f"--scheduler {address}: expected a Dask scheduler there, found "
                         f"{'a Dask ' + str(kind) if kind else 'something else'}")


@contextmanager
def dask_runner(workers: int | None = None, scheduler: str | None = None, *,
                connect_timeout: float = CONNECT_TIMEOUT_S,
                workers_timeout: float = WORKERS_TIMEOUT_S) -> Iterator[DaskRunner]:
    """A runner baking on Dask while the ``with`` block lasts: on the cluster whose scheduler
    is at ``scheduler`` (``tcp://HOST:PORT``), or on a local cluster of ``workers``
    single-threaded processes (None: one per core), started here and closed on leaving,
    whatever the block raised (Ctrl-C too)."""
    if scheduler is not None and workers is not None:
        raise InputError("--workers and --scheduler cannot be used together: a cluster given "
                         "by --scheduler has its own workers")
    if scheduler is not None:
        check_scheduler(scheduler)
    if workers is not None:
        check_workers(workers)
    distributed = _distributed()
    with ExitStack() as stack:
        # Dask logs what it recovers from (a worker lost, a connection retried) and then
        # raises what it cannot; the runner turns the latter into one line, so the logs
        # would only be noise on the terminal, and tracebacks at that.
        stack.enter_context(_quiet_logs("distributed"))
        if scheduler is not None:
            _probe(scheduler, connect_timeout)
            try:
                client = distributed.Client(scheduler, timeout=connect_timeout,
                                            set_as_default=False)
            except Exception as exc:  # whatever went wrong, it went wrong at that address
                raise InputError(f"--scheduler {scheduler}: cannot connect to the Dask "
                                 f"scheduler there ({_why(exc)})") from None
            stack.enter_context(client)
            try:
                client.wait_for_workers(1, timeout=workers_timeout)
            except TimeoutError:
                raise InputError(f"--scheduler {scheduler}: the Dask scheduler there has no "
                                 f"workers (waited {workers_timeout:g} s); start some with "
                                 f"`dask worker {scheduler}`") from None
            where = scheduler
        else:
            import dask
            from dask.system import CPU_COUNT

            n = workers if workers is not None else max(1, int(CPU_COUNT))
            # Set while the cluster lasts: its worker processes take this process's
            # settings as they start (and a nanny restarts a worker that died).
            stack.enter_context(dask.config.set(LOCAL_CONFIG))
            # One thread per process, a process per core: a leaf's meshing holds the GIL
            # (threads would queue), and a far group's GEOS work has its core already.
            # Only this machine can reach it. No dashboard (it needs bokeh and port 8787,
            # which another cluster may hold); the scheduler's HTTP server, which starts
            # anyway, takes any free port. Quiet logs in the workers too.
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.CRITICAL, preload=[__name__]))
            # Results straight from the workers: through the scheduler (Dask's default, as
            # a client may not reach the workers of a cluster elsewhere) every tile's bytes
            # would cross this process's event loop twice more, on a core the workers need.
            client = stack.enter_context(distributed.Client(
                cluster, set_as_default=False, direct_to_workers=True))
            where = "the local cluster"
        yield DaskRunner(client, where, local=scheduler is None)
