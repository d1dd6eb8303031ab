"""``python run.py sweep SWEEP.yaml``: run a sweep file's points here, on a local Dask cluster or on an existing one.

Everything is checked before the first rollout: the sweep file, the output folder (a folder holding
another sweep is refused), and the Dask extra when a cluster is asked for. Interrupted, the command
keeps the finished chunks and says how to finish the rest: the same command again. The sweep itself
runs through ``sim.api.sweep``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import urllib.parse
from pathlib import Path

from sim.api import jobs as api
from sim.api.loading import load_sweep
from sim.api.sweeping import check_executor
from sim.book.inputs import InputError
from sim.cli.args import positive_int
from sim.experiments.pool import default_jobs
from sim.experiments.sweep_file import Sweep
from sim.experiments.sweep_store import Store
from sim.presentation.sweep_report import plan, run_line

DEFAULT_OUT = Path("sweep-results")  # beside where the command is run: sweep-results/NAME


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python run.py sweep",
        description="Run a parameter sweep or sensitivity analysis described in a sweep file (see sweeps/). "
        "Killed and started again with the same command, it runs only the points it had not finished.",
    )
    parser.add_argument("sweep", help="a sweep YAML file, e.g. sweeps/france_britain_grid.yaml")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: sweep-results/NAME)")
    parser.add_argument("--jobs", type=positive_int, help="processes on this machine (default: all cores)")
    parser.add_argument("--dry-run", action="store_true", help="check the sweep file, print the plan (points, chunks, rollouts) and stop")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="run the chunks on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    where.add_argument("--dask-local", metavar="N", type=positive_int, help="start a local Dask cluster of N worker processes on 127.0.0.1")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    sweep = load_sweep(args.sweep)
    check_executor(args.jobs, args.scheduler, args.dask_local)
    store = Store(Path(args.out) if args.out else DEFAULT_OUT / sweep.name, sweep)
    store.check([args.sweep])
    if args.dry_run:
        sys.stdout.write(plan(sweep, store.folder))
        return 0
    jobs = args.jobs or default_jobs()
    try:
        result = api.sweep(sweep, out=store.folder, jobs=None if args.scheduler or args.dask_local else jobs,
                           scheduler=args.scheduler, dask_local=args.dask_local, progress=sys.stderr.isatty())
    except KeyboardInterrupt:
        print(f"interrupted; the finished chunks are kept in {store.parts}: run the same command to finish the rest", file=sys.stderr)
        return 130
    sys.stdout.write(result.summary + run_line(sweep, dataclasses.replace(result.stats, where=where(sweep, args, jobs)), store.folder))
    return 0


SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")


def check_scheduler(address: str) -> None:
    """A Dask scheduler address, [SCHEME://]HOST:PORT, checked before the sweep file is read or a cluster is asked."""
    shown = repr(address)
    parsed = urllib.parse.urlsplit(address if "://" in address else "tcp://" + address)
    try:
        port = parsed.port
    except ValueError:
        port = -1
    if parsed.scheme not in SCHEMES or not parsed.hostname or port == -1 or parsed.path not in ("", "/") or any(c.isspace() for c in address):
        raise InputError(f"{shown} is not a scheduler address; give [SCHEME://]HOST:PORT, e.g. tcp://10.0.0.5:8786 "
                         f"(schemes: {', '.join(SCHEMES)}; ports 1 to 65535)", key="--scheduler")


def where(sweep: Sweep, args: argparse.Namespace, jobs: int) -> str:
    """Where the chunks ran, for the closing line: the local processes a sweep of this many chunks used, or the Dask cluster."""
    if args.scheduler:
        return f"the Dask scheduler at {args.scheduler}"
    if args.dask_local:
        return f"a local Dask cluster of {args.dask_local} workers"
    return f"{min(jobs, len(sweep.chunks()))} process(es)"
