"""``gwangju-twin bake``: a source read once and baked into its tile cache, serially or as
independent tile tasks on a Dask cluster (docs/tiles.md)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwangju_twin.app.commands.options import load_source, source_options, verbose_option
from gwangju_twin.errors import InputError

if TYPE_CHECKING:
    from gwangju_twin.tiles.bake import Runner, TileResult, TileTask

SCHEDULER = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://[^\s/]+(:\d+)?/?$")


def workers(text: str) -> int:
    """An argparse type: a number of Dask workers (at least 1)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1 or n > 1024:
        raise argparse.ArgumentTypeError(f"--workers {text!r}: expected a whole number of "
                                         "worker processes from 1 to 1024")
    return n


def scheduler(text: str) -> str:
    """An argparse type: a Dask scheduler's address (``tcp://HOST:PORT``)."""
    if not SCHEDULER.match(text):
        raise argparse.ArgumentTypeError(f"--scheduler {text!r}: expected a Dask scheduler's "
                                         "address such as tcp://10.0.0.5:8786")
    return text


def add_parser(sub: Any) -> None:
    """Add ``bake`` to the command line's sub-commands."""
    p = sub.add_parser("bake", help="bake a source's tile cache (levels of detail, on Dask)")
    p.add_argument("source", help="a data file or scene .toml")
    p.add_argument("--out", type=Path, metavar="DIR", default=None,
                   help="the cache folder (default: the scene's, else the platform's cache "
                   "folder, where view/render/kiosk/inspect look)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--workers", type=workers, default=None,
                     help="worker processes of a local Dask cluster (default: one per core)")
    how.add_argument("--scheduler", type=scheduler, default=None, metavar="ADDRESS",
                     help="bake on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    how.add_argument("--serial", action="store_true",
                     help="bake in this process, one tile after another (no Dask)")
    p.add_argument("--force", action="store_true", help="bake even when the cache is fresh")
    source_options(p)
    verbose_option(p)


@contextlib.contextmanager
def _runner(args: argparse.Namespace) -> Iterator[Callable[[Path], Runner]]:
    """The bake's runner, as a call that waits for it: a Dask cluster is started (or joined)
    in a thread while the caller reads the source, and closed once the last tile is in.

    Reading the source is a quarter of a big city's bake and runs in this process alone,
    on one core; starting a local cluster (worker processes importing the program, about
    2 s on a 2-core machine) takes the other core meanwhile instead of waiting its turn.
    Closing it (its workers' processes ending, most of a second) likewise goes on while the
    district table and the index are written.
    """
    from gwangju_twin.tiles.bake import serial

    if args.serial:
        yield lambda folder: serial
        return
    from gwangju_twin.tiles.parallel import dask_runner

    n = args.workers if args.workers is not None or args.scheduler else (os.cpu_count() or 1)
    starting = dask_runner(workers=n if args.scheduler is None else None,
                           scheduler=args.scheduler)
    with ThreadPoolExecutor(1, thread_name_prefix="dask") as pool:
        started = pool.submit(starting.__enter__)
        closing: list[Future[Any]] = []

        def close() -> None:
            if not closing:
                closing.append(pool.submit(starting.__exit__, None, None, None))

        def runner(folder: Path) -> Runner:
            run = started.result()

            def tiles(tasks: list[TileTask]) -> Iterator[TileResult]:
                # A local cluster's workers write the tiles into ``folder`` themselves.
                yield from run(tasks, folder)
                close()  # every tile is in: nothing more for the cluster to do

            return tiles

        try:
            yield runner
        except BaseException as exc:
            # The block failed (a bad source, Ctrl-C, a write): the cluster, once up, is
            # closed all the same; a start that failed too is outweighed by the block's error.
            if closing:
                _settled(closing[0])
            elif _settled(started):
                starting.__exit__(type(exc), exc, exc.__traceback__)
            raise
        # A start that failed says why here, after the read (InputError: one line).
        started.result()
        close()
        closing[0].result()


def _settled(started: Future[Any]) -> bool:
    """Whether the call in ``started`` succeeded, waiting for it to end either way."""
    try:
        started.result()
    except BaseException:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    """Bake the source's cache; print what was baked."""
    from gwangju_twin.expo.city import BakeMeter, cache_folder, load_options, read_district
    from gwangju_twin.tiles.cache import (
        StaleCacheError,
        bake,
        cache_key,
        open_cache,
        source_digest,
    )

    scene = load_source(args.source, args)
    if args.out is not None:
        if args.out.exists() and not args.out.is_dir():
            raise InputError(f"--out {args.out}: is a file; expected a folder for the cache")
        scene = dataclasses.replace(scene, cache=args.out)
    folder = cache_folder(scene)
    key = cache_key(source_digest(scene.source), load_options(scene))
    if not args.force:
        try:
            cache = open_cache(folder, key)
            print(f"{folder}: fresh ({len(cache.index.tiles)} tiles); nothing to bake "
                  "(--force bakes it again)")
            return 0
        except StaleCacheError as exc:
            if str(exc) != "not baked yet":
                print(f"{folder}: {exc}; baking it again")
    start = time.perf_counter()
    with _runner(args) as started:
        district, report = read_district(scene)
        read = time.perf_counter() - start
        runner = started(folder)
        try:
            cache = bake(district, report, folder, key, runner=runner, progress=BakeMeter())
        except OSError as exc:
            raise InputError(f"{'--out ' if args.out is not None else ''}{folder}: cannot "
                             f"write the tile cache ({exc.strerror or exc}); choose a folder "
                             "you can write to") from None
    took = time.perf_counter() - start
    index = cache.index
    size = sum(t.entry.bytes for t in index.tiles) + index.district.bytes + index.report.bytes
    tri = {part: sum(t.triangles.get(part, 0) for t in index.tiles) for part in ("0", "2", "3")}
    # A leaf with nothing to simplify draws its level 0 at level 1.
    tri["1"] = sum(t.triangles.get("1", t.triangles.get("0", 0)) for t in index.leaves())
    print(f"{folder}: {len(index.leaves())} leaves and {len(index.groups())} far groups from "
          f"{report.layers['buildings']:,} buildings; triangles by level: "
          f"{tri['0']:,} / {tri['1']:,} / {tri['2']:,} / {tri['3']:,}; {size / 1e6:.0f} MB; read "
          f"{read:.1f} s, whole bake {took:.1f} s")
    return 0
