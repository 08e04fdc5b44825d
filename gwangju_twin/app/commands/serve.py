"""``gwangju-twin serve``: the presence server (docs/presence.md), alone or as one of several
sharing rooms through NATS."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
from pathlib import Path
from typing import Any

from gwangju_twin.app.commands.options import bounded
from gwangju_twin.errors import InputError

NATS_URL = re.compile(r"^(nats|tls)://[^\s/@]+(:\d+)?/?$")
HOST = re.compile(r"^[A-Za-z0-9.:_-]{1,253}$")
TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{8,128}$")


def port(text: str) -> int:
    """An argparse type: a TCP port (0 picks a free one and prints it)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"--port {text!r}: expected a port from 0 to 65535")
    return n


def host(text: str) -> str:
    """An argparse type: an address or host name to listen on."""
    if not HOST.match(text):
        raise argparse.ArgumentTypeError(f"--host {text!r}: expected an address such as "
                                         "127.0.0.1 or 0.0.0.0")
    return text


def nats_url(text: str) -> str:
    """An argparse type: a NATS server's URL."""
    if not NATS_URL.match(text):
        raise argparse.ArgumentTypeError(f"--nats {text!r}: expected a NATS URL such as "
                                         "nats://127.0.0.1:4222")
    return text


def token(text: str) -> str:
    """An argparse type: a room token (what kiosks pass in their config)."""
    if not TOKEN.match(text):
        raise argparse.ArgumentTypeError("--token: expected 8 to 128 characters of letters, "
                                         "digits and . _ ~ + / = -")
    return text


hz = bounded("--hz", "snapshots a second", 1.0, 60.0)
delta_hz = bounded("--delta-hz", "deltas a second (0: none)", 0.0, 200.0)


def guide_token(text: str) -> str:
    """An argparse type: the guides' token."""
    try:
        return token(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            "--guide-token: expected 8 to 128 characters of letters, digits and . _ ~ + / = -"
        ) from None


def add_parser(sub: Any) -> None:
    """Add ``serve`` to the command line's sub-commands."""
    p = sub.add_parser("serve", help="run a presence server: visitors in the same scene see "
                       "each other (docs/presence.md)")
    p.add_argument("--host", type=host, default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=port, default=8765,
                   help="port to listen on (default 8765; 0 picks a free one)")
    p.add_argument("--nats", type=nats_url, default=None, metavar="URL",
                   help="share rooms with other presence servers through this NATS server "
                   "(JetStream enabled), e.g. nats://127.0.0.1:4222")
    p.add_argument("--token", type=token, default=None,
                   help="rooms need this token in the visitor's hello (an expo's kiosks pass "
                   "it in their config)")
    p.add_argument("--guide-token", type=guide_token, default=None, metavar="TOKEN",
                   help="a visitor joining as a guide (who leads tours) needs this token "
                   "(default: anyone may guide)")
    p.add_argument("--scene", type=Path, default=None, metavar="FILE",
                   help="a scene .toml: positions are clamped to its district and its "
                   "pavilions are the interest zones (default: a 10 km box, no zones)")
    p.add_argument("--hz", type=hz, default=10.0,
                   help="snapshots a second to each visitor (default 10)")
    p.add_argument("--delta-hz", type=delta_hz, default=40.0,
                   help="deltas a second between snapshots, to viewers that take them: who "
                   "near them moved (default 40; 0: snapshots only)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="log every join and leave (counts only, never who or from where)")


def _scene_limits(path: Path) -> tuple[Any, tuple[Any, ...]]:
    """The extent and zones of a scene file's district and pavilions."""
    import numpy as np
    import shapely

    from gwangju_twin.app.commands.options import load_source
    from gwangju_twin.expo.prepared import load_district
    from gwangju_twin.presence.limits import Extent
    from gwangju_twin.presence.zones import zones_from_sites
    from gwangju_twin.scene.pavilions import place_pavilions

    if path.suffix.lower() != ".toml":
        raise InputError(f"{path}: --scene expects a scene .toml (docs/scenes.md)")
    scene = load_source(str(path))
    district, report = load_district(scene)
    district, sites = place_pavilions(district, report, scene.pavilions,
                                      scene.path or scene.source)
    if len(district.geometry):
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(district.geometry))
    else:
        x0 = y0 = -500.0
        x1 = y1 = 500.0
    # A margin around the city for a visitor flying out to see it whole.
    margin = 500.0
    heights = district.height[np.isfinite(district.height)]  # NaN for roads and areas
    top = float(max(heights.max(initial=0.0), 100.0)) * 10
    extent = Extent(x0 - margin, y0 - margin, x1 + margin, y1 + margin, -50.0, top)
    return extent, tuple(zones_from_sites(sites))


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from gwangju_twin.presence.limits import Extent
    from gwangju_twin.presence.server import ServerConfig

    level = logging.INFO if args.verbose else logging.WARNING
    logging.getLogger("gwangju_twin.presence").setLevel(level)
    # websockets logs failed handshakes with the peer's address: keep addresses out of logs.
    logging.getLogger("websockets").setLevel(logging.ERROR)
    if args.token is not None and args.token == args.guide_token:
        raise InputError("--guide-token: must differ from --token (every visitor has that)")
    extent, zones = (Extent(), ()) if args.scene is None else _scene_limits(args.scene)
    config = ServerConfig(host=args.host, port=args.port, token=args.token, extent=extent,
                          zones=zones, snapshot_hz=args.hz, delta_hz=args.delta_hz,
                          guide_token=args.guide_token)
    return asyncio.run(_serve(config, args.nats))


async def _serve(config: Any, nats: str | None) -> int:
    from gwangju_twin.presence.bus import BusError, NatsBus
    from gwangju_twin.presence.server import PresenceServer

    bus = None
    presence = PresenceServer(config)
    if nats is not None:
        bus = NatsBus(nats)
        try:
            await bus.start(presence)
        except BusError as exc:
            raise InputError(f"--nats: {exc}") from None
        presence.bus = bus

    def ready(bound: int) -> None:
        via = f" (rooms shared through {nats})" if nats else ""
        # Tests and scripts read the port from this line (--port 0).
        print(f"gwangju-twin: presence server on ws://{config.host}:{bound}/ROOM{via}; "
              f"stats at http://{config.host}:{bound}/stats", flush=True)

    try:
        await presence.run(ready)
    except OSError as exc:
        raise InputError(f"--port {config.port}: cannot listen on {config.host}: "
                         f"{exc.strerror or exc}") from None
    return 0
