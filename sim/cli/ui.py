"""``python run.py ui [--port N] [--host H]``: serve the classroom app (``sim.presentation.app``) on this machine.

Before the slow start of the server, two things that would otherwise end in a traceback are checked
and reported in one line with exit status 2: the ui extra is missing, or the port is taken.
"""

from __future__ import annotations

import argparse
import sys

from sim.book.inputs import InputError
from sim.presentation.app import DEFAULT_PORT, INSTALL, missing_ui, port_free, serve


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py ui", description="Start the classroom app in a browser (needs the ui extra: " + INSTALL + ").")
    parser.add_argument("--port", default=str(DEFAULT_PORT), help=f"port to serve on, 1 to 65535 (default {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    return parser


def port_number(text: str) -> int:
    """A TCP port to listen on: a whole number from 1 to 65535 (0 would let the system choose one nobody is told)."""
    port = int(text) if text.strip().isascii() and text.strip().isdigit() else None
    if port is None or not 1 <= port <= 65535:
        raise InputError(f"expected a port number from 1 to 65535, got {text!r}", key="--port")
    return port


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    args.port = port_number(args.port)
    missing = missing_ui()
    if missing:
        print(f"error: the classroom app needs {', '.join(missing)} (the ui extra); install it with: {INSTALL}", file=sys.stderr)
        return 2
    if not port_free(args.host, args.port):
        print(f"error: {args.host}:{args.port} is in use or not available; choose another port with --port", file=sys.stderr)
        return 2
    print(f"Munich 1938 classroom app: http://{args.host}:{args.port}/  (starting; Ctrl-C stops it)", flush=True)
    serve(args.host, args.port)
    return 0
