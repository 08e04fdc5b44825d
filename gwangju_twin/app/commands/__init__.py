"""The ``gwangju-twin`` command: view (default), render, inspect, bake, sunlight, plugins,
kiosk and serve.

Every mistake in user input ends as one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from gwangju_twin import __version__
from gwangju_twin.app.commands import bake, kiosk, plugins, serve, sunlight
from gwangju_twin.app.commands.options import Parser, apply_verbosity
from gwangju_twin.app.commands.view import add_parsers as add_view_parsers
from gwangju_twin.app.commands.view import run_inspect, run_render, run_view
from gwangju_twin.errors import InputError
from gwangju_twin.terminal import shown

COMMANDS = ("view", "render", "inspect", "bake", "sunlight", "plugins", "kiosk", "serve")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so the README and docs can be checked against it)."""
    parser = Parser(
        prog="gwangju-twin",
        description="A city-twin viewer of Gwangju: opens the default Sangmu district, renders "
        "scenes to PNG and inspects GeoJSON.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"gwangju-twin {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    add_view_parsers(sub)
    bake.add_parser(sub)
    sunlight.add_parser(sub)
    plugins.add_commands(sub, Parser)
    kiosk.add_parser(sub)
    serve.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if not args_in or (args_in[0] not in COMMANDS and args_in[0] not in ("-h", "--help",
                                                                          "-V", "--version")):
        args_in.insert(0, "view")
    # Plugin failures and budget overruns are logged, with tracebacks, to stderr.
    logging.basicConfig(level=logging.WARNING, format="gwangju-twin: %(name)s: %(message)s")
    try:
        if args_in[0] == "kiosk" and len(args_in) > 1 and args_in[1] in kiosk.SUBCOMMANDS:
            return kiosk.run_subcommand(args_in[1], args_in[2:], Parser)
        args = build_parser().parse_args(args_in)
        apply_verbosity(getattr(args, "verbose", False))
        if getattr(args, "max_size", None) is not None:
            from gwangju_twin.geo import set_max_bytes

            set_max_bytes(int(args.max_size * 1024 * 1024))
        match args.command:
            case "kiosk":
                return kiosk.run(args)
            case "plugins":
                return plugins.run(args)
            case "inspect":
                return run_inspect(args)
            case "bake":
                return bake.run(args)
            case "sunlight":
                return sunlight.run(args)
            case "serve":
                return serve.run(args)
            case "render":
                return run_render(args)
            case _:
                return run_view(args)
    except InputError as exc:
        print(f"gwangju-twin: error: {shown(str(exc), backslash=False)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``inspect ... | head``): what it wanted it has. Point stdout at
        # /dev/null so the interpreter's final flush cannot raise again, and end quietly (the
        # Python docs' recipe, "Note on SIGPIPE" in the signal module). Status 0, not 141
        # (128 + SIGPIPE, what a C tool killed by the signal reports): the output was cut by
        # the reader's choice, not by a failure, and `set -o pipefail` scripts must not fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
