"""Load on the presence server: simulated visitors moving at 10 Hz in one room, against one
server and then against two servers sharing the room through NATS (docs/presence.md).

Bounded and local: at most 500 clients for at most 60 s a phase, servers and nats-server
started here on loopback ports and stopped at the end. Prints, per phase:

- update latency percentiles (p50/p95/p99): from a client's pose send to its arrival at
  another client in a snapshot or a delta, whichever came first (a "near" row; each pose
  counted once per receiver), and the part of it after the server stamped the message
  (snapshot stamp -> arrival, delta stamp -> arrival), so the wait for the next tick or
  flush can be told from the rest;
- messages per second: poses into the servers, snapshots and deltas out;
- CPU (share of one core) and resident memory of each server (and nats-server), and the
  CPU of the simulated clients (they share the machine with the servers).

The clients ask for deltas (``?want=delta``) unless ``--no-delta``; ``--delta-hz 0`` runs
the servers without them (snapshots only, as before deltas existed).

The clients are placed in clusters of ~25 (a pavilion's crowd), each moving on a 15 m circle
round its cluster's centre, so everyone has ~24 near neighbours in detail and the rest coarse.

    python scripts/load_presence.py [--clients 200] [--seconds 10] [--delta-hz 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from websockets.asyncio.client import ClientConnection, connect

from gwangju_twin.presence import messages as m

HZ = 10.0
CLUSTER = 25
WARMUP = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sim:
    index: int
    url: str
    conn: ClientConnection | None = None
    last: dict[str, float] = field(default_factory=dict)


@dataclass
class Tally:
    latency: list[float] = field(default_factory=list)
    after_tick: list[float] = field(default_factory=list)
    #: Poses that came first in a delta: stamp -> arrival.
    after_flush: list[float] = field(default_factory=list)
    #: Latency of pairs on different servers (the NATS phase).
    crossed: list[float] = field(default_factory=list)
    received: int = 0


def start_server(*flags: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, "-m", "gwangju_twin", "serve", "--port", "0",
                             "--host", "127.0.0.1", *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "presence server on" not in line:
        proc.kill()
        raise SystemExit(f"load_presence: server did not start: {line!r}")
    return proc, int(line.split("ws://127.0.0.1:")[1].split("/")[0])


def percentiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    v = sorted(values)

    def p(q: float) -> float:
        return v[min(len(v) - 1, int(q * len(v)))] * 1000

    return f"p50 {p(0.50):6.1f} ms  p95 {p(0.95):6.1f} ms  p99 {p(0.99):6.1f} ms  " \
           f"(n={len(v)})"


#: The pose's send time rides in z: milliseconds modulo WRAP, to the centimetre (1 cm =
#: 1 ms), so a receiver in any worker process reads when the pose was sent.
WRAP = 100_000


def stamp_z(now: float) -> float:
    return (int(now * 1000) % WRAP) / 100


def age(z: float, now: float) -> float:
    return ((int(now * 1000) - round(z * 100)) % WRAP) / 1000


async def client(sim: Sim, tally: Tally, window: tuple[float, float], stop_at: float,
                 rng: random.Random, observer: bool, servers: int, delta: bool) -> None:
    sim.conn = await connect(f"{sim.url}/load" + ("?want=delta" if delta else ""),
                             max_size=m.MAX_SERVER_BYTES, compression=None)
    await sim.conn.send(m.encode(m.Hello(room="load", nickname_id=sim.index % 256,
                                         colour_id=sim.index % 12)))
    await sim.conn.recv()  # welcome
    cluster = sim.index // CLUSTER
    cx, cy = (cluster % 4) * 300.0, (cluster // 4) * 300.0
    phase = rng.uniform(0, 2 * math.pi)

    async def send() -> None:
        assert sim.conn is not None
        await asyncio.sleep(rng.uniform(0, 1 / HZ))
        next_at = time.monotonic()
        k = 0
        while time.time() < stop_at:
            k += 1
            a = phase + k * 0.05
            # Written by hand (not through the dataclasses) to keep the load generator light.
            await sim.conn.send(
                f'{{"t":"pose","pos":[{cx + 15 * math.cos(a):.2f},{cy + 15 * math.sin(a):.2f},'
                f'{stamp_z(time.time()):.2f}],"yaw":{math.degrees(a) % 360 - 180:.1f},'
                f'"pitch":0}}')
            next_at += 1 / HZ
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    sender = asyncio.create_task(send())
    try:
        async for raw in sim.conn:
            now = time.time()
            if now > stop_at:
                break
            if not observer:
                # Received like any viewer's, but not parsed: parsing 2000 snapshots a
                # second would make the load generator, not the server, what is measured.
                if window[0] <= now <= window[1]:
                    tally.received += 1
                continue
            doc = json.loads(raw)
            kind = doc.get("t")
            if kind not in ("snapshot", "delta") or not window[0] <= now <= window[1]:
                continue
            tally.received += 1
            after = tally.after_tick if kind == "snapshot" else tally.after_flush
            for row in doc["near"]:
                z = row[6]
                if sim.last.get(row[0]) == z:
                    continue  # the same pose again: counted when it first arrived
                sim.last[row[0]] = z
                tally.latency.append(age(z, now))
                # nickname_id is the sender's index mod 256, and clients go to the servers
                # in turn (index mod the number of servers, 1 or 2, which divides 256).
                if row[1] % servers != sim.index % servers:
                    tally.crossed.append(age(z, now))
                after.append(now - doc["ts"])
    except Exception:
        pass
    finally:
        sender.cancel()
        await sim.conn.close()


def worker(urls: list[str], indices: list[int], window: tuple[float, float], stop_at: float,
           every: int, delta: bool, out: Any) -> None:
    async def go() -> Tally:
        tally = Tally()
        rng = random.Random(indices[0])
        tasks = []
        for n, i in enumerate(indices):
            tasks.append(asyncio.create_task(
                client(Sim(i, urls[i % len(urls)]), tally, window, stop_at, rng,
                       observer=i % every == 0, servers=len(urls), delta=delta)))
            if n % 10 == 9:
                await asyncio.sleep(0.05)  # joins spread a little, as visitors arrive
        await asyncio.gather(*tasks, return_exceptions=True)
        return tally

    t = asyncio.run(go())
    out.put((t.latency, t.after_tick, t.after_flush, t.crossed, t.received))


def cpu_seconds(procs: dict[str, psutil.Process]) -> dict[str, float]:
    out = {}
    for name, p in procs.items():
        t = p.cpu_times()
        out[name] = t.user + t.system
    return out


def run_queue_wait(procs: dict[str, psutil.Process]) -> dict[str, float]:
    """Seconds each process (all its threads) has waited, runnable, for a core: Linux's
    /proc/PID/schedstat, second field (ns). On a shared machine this, not the server's own
    work, is most of the latency; 0 where the kernel does not tell."""
    out = {}
    for name, p in procs.items():
        try:
            out[name] = int(Path(f"/proc/{p.pid}/schedstat").read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            out[name] = 0.0
    return out


def usage(procs: dict[str, psutil.Process], before: dict[str, float], seconds: float,
          waited: dict[str, float]) -> str:
    parts = []
    for name, p in procs.items():
        t = p.cpu_times()
        cpu = (t.user + t.system - before[name]) / seconds * 100
        rss = p.memory_info().rss / 2**20
        wait = waited.get(name, 0.0) / seconds * 1000
        parts.append(f"{name}: CPU {cpu:5.1f}% of a core, RSS {rss:5.1f} MiB, waited for a "
                     f"core {wait:4.0f} ms/s")
    return "\n  ".join(parts)


def phase(title: str, urls: list[str], procs: dict[str, psutil.Process],
          clients: int, seconds: float, workers: int, observers: int, delta: bool,
          hz: float, delta_hz: float) -> None:
    # The simulated clients cost more CPU than the server (each parses every snapshot it
    # gets), so they run in several processes: one would be the bottleneck and measure
    # its own queue, not the server.
    ctx = multiprocessing.get_context("spawn")
    # Every n-th client (one in each cluster of 25 at the default 8 observers per 200)
    # measures latency of everyone near it.
    every = max(1, clients // observers)
    out = ctx.Queue()
    begin = time.time() + WARMUP + clients * 0.006 + 2.0
    window = (begin, begin + seconds)
    stop_at = window[1] + 0.5
    children = [ctx.Process(target=worker, args=(urls, list(range(w, clients, workers)),
                                                  window, stop_at, every, delta, out))
                for w in range(workers)]
    for c in children:
        c.start()
    time.sleep(max(0.0, begin - time.time()))
    stats0 = [json.loads(_get(u)) for u in urls]
    loaders = {f"client {i + 1}": psutil.Process(c.pid) for i, c in enumerate(children)}
    cpu0 = cpu_seconds(procs)
    wait0 = run_queue_wait(procs)
    load0 = cpu_seconds(loaders)
    t0 = time.monotonic()
    time.sleep(max(0.0, window[1] - time.time()))
    # CPU and waits first: asking a starved server for its stats can take a while.
    wait1 = run_queue_wait(procs)
    use = usage(procs, cpu0, time.monotonic() - t0, {n: wait1[n] - wait0[n] for n in procs})
    load1 = cpu_seconds(loaders)
    took = time.monotonic() - t0
    stats1 = [json.loads(_get(u)) for u in urls]
    load_cpu = sum(load1[n] - load0[n] for n in loaders) / took * 100
    tally = Tally()
    for _ in children:
        lat, after, flushed, crossed, received = out.get(timeout=120)
        tally.latency += lat
        tally.after_tick += after
        tally.after_flush += flushed
        tally.crossed += crossed
        tally.received += received
    for c in children:
        c.join(30)
    poses = sum(b["counters"].get("in", 0) - a["counters"].get("in", 0)
                for a, b in zip(stats0, stats1, strict=True))
    snaps = sum(b["counters"].get("snapshot.sent", 0) - a["counters"].get("snapshot.sent", 0)
                for a, b in zip(stats0, stats1, strict=True))
    deltas = sum(b["counters"].get("delta.sent", 0) - a["counters"].get("delta.sent", 0)
                 for a, b in zip(stats0, stats1, strict=True))
    flushes = sum(b["counters"].get("delta.flush", 0) - a["counters"].get("delta.flush", 0)
                  for a, b in zip(stats0, stats1, strict=True)) / len(urls)
    ticks = snaps / max(1, clients) * 1.0
    shed = sum(b["counters"].get("delta.shed", 0) - a["counters"].get("delta.shed", 0)
               for a, b in zip(stats0, stats1, strict=True)) / len(urls)
    dropped = sum(b["counters"].get("rate_limited", 0) + b["counters"].get(
        "snapshot.skipped_slow", 0) + b["counters"].get("delta.skipped_slow", 0)
        for b in stats1)
    print(f"\n== {title}: {clients} clients moving at {HZ:g} Hz for {took:.1f} s "
          f"({workers} client processes, {len(range(0, clients, every))} measuring)")
    print(f"  update latency (pose sent -> first in another's snapshot or delta): "
          f"{percentiles(tally.latency)}")
    if len(urls) > 1:
        print(f"  between clients on different servers:                 "
              f"{percentiles(tally.crossed)}")
    print(f"  of which after the tick (snapshot stamp -> arrival): "
          f"{percentiles(tally.after_tick)}")
    print(f"  of which after the flush (delta stamp -> arrival):   "
          f"{percentiles(tally.after_flush)}")
    first = len(tally.after_flush) / max(1, len(tally.latency)) * 100
    print(f"  first arrival in a delta: {first:.0f}% of poses")
    print(f"  messages: {poses / took:7.0f}/s poses in, {snaps / took:7.0f}/s snapshots and "
          f"{deltas / took:7.0f}/s deltas out, {tally.received / took:7.0f}/s received; "
          f"rate-limited or skipped: {dropped}")
    print(f"  the server's loops kept up: {ticks / took:5.1f} ticks/s and {flushes / took:5.1f} "
          f"flushes/s (of {hz:g} and {delta_hz:g} asked for; {shed / took:4.1f}/s shed as "
          f"the ticks ran late)")
    print(f"  {use}")
    print(f"  simulated clients: CPU {load_cpu:5.1f}% of a core in {len(loaders)} processes")


def _autogroup() -> str:
    """The scheduler group this runs in, when Linux's autogroups are on: the servers and the
    clients share that group's CPU, one group among those of the machine's other sessions."""
    try:
        if Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() != "1":
            return ""
        return f"; scheduler {Path('/proc/self/autogroup').read_text().strip()}"
    except OSError:
        return ""


def _get(ws_url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(ws_url.replace("ws://", "http://") + "/stats", timeout=10) as r:
        return str(r.read().decode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4, help="client processes (1..16)")
    parser.add_argument("--observers", type=int, default=20,
                        help="clients that parse their snapshots and measure (1..clients)")
    parser.add_argument("--hz", type=float, default=10.0,
                        help="the servers' snapshots a second (serve --hz; default 10)")
    parser.add_argument("--delta-hz", type=float, default=40.0,
                        help="the servers' deltas a second (serve --delta-hz; 0: none)")
    parser.add_argument("--no-delta", action="store_true",
                        help="clients do not ask for deltas (as viewers before them)")
    parser.add_argument("--skip-nats", action="store_true")
    args = parser.parse_args()
    if not 2 <= args.clients <= 500 or not 1 <= args.seconds <= 60 \
            or not 1 <= args.workers <= 16 or not 1 <= args.observers <= args.clients \
            or not 0 <= args.delta_hz <= 200:
        parser.error("--clients 2..500, --seconds 1..60, --workers 1..16, --delta-hz 0..200 "
                     "(it is bounded)")
    print(f"load_presence: {psutil.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.2f}' for x in psutil.getloadavg())} (shared machine)"
          f"{_autogroup()}")

    # --delta-hz only when not the server's default, so this script also drives a server from
    # before deltas (a before/after comparison on the same machine, same script).
    rate = ("--hz", f"{args.hz:g}") + (
        ("--delta-hz", f"{args.delta_hz:g}") if args.delta_hz != 40 else ())
    delta = not args.no_delta
    print(f"servers: {args.hz:g} snapshots and {args.delta_hz:g} deltas a second; clients "
          f"{'ask for' if delta else 'do not ask for'} deltas")
    proc, port = start_server(*rate)
    try:
        procs = {"server": psutil.Process(proc.pid)}
        phase("one server", [f"ws://127.0.0.1:{port}"], procs, args.clients, args.seconds,
              args.workers, args.observers, delta, args.hz, args.delta_hz)
    finally:
        proc.terminate()
        proc.wait(10)

    binary = shutil.which("nats-server")
    if args.skip_nats or binary is None:
        print("\n== two servers through NATS: skipped (no nats-server)" if binary is None
              else "")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        nport = free_port()
        nats = subprocess.Popen([binary, "-js", "-a", "127.0.0.1", "-p", str(nport),
                                 "-sd", str(Path(folder) / "js")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = []
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", nport), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.05)
            url = f"nats://127.0.0.1:{nport}"
            started = [start_server("--nats", url, *rate), start_server("--nats", url, *rate)]
            procs = {"server 1": psutil.Process(started[0][0].pid),
                     "server 2": psutil.Process(started[1][0].pid),
                     "nats-server": psutil.Process(nats.pid)}
            phase("two servers through NATS (clients split half and half)",
                  [f"ws://127.0.0.1:{p}" for _, p in started], procs, args.clients,
                  args.seconds, args.workers, args.observers, delta, args.hz, args.delta_hz)
        finally:
            for p, _ in started:
                p.terminate()
                p.wait(10)
            nats.terminate()
            nats.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
