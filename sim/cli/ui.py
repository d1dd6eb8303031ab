"""``python run.py ui [--port N] [--host H]``: serve the classroom app (``sim.presentation.app``) on this machine.

Before the slow start of the server, two things that would otherwise end in a traceback are checked
and reported in one line with exit status 2: the ui extra is missing, or the port is taken.
"""

from __future__ import annotations

import argparse
import sys

from sim.presentation.app import DEFAULT_PORT, INSTALL, missing_ui, port_free, serve


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py ui", description="Start the classroom app in a browser (needs the ui extra: " + INSTALL + ").")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
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
