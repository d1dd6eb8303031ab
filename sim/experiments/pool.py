"""Farming chunks of work out to processes: how many, in what order, and where the workers come from.

Work (rollouts, sweep points, calibration proposals) is cut into chunks of consecutive indices
(``chunks``), each one model batch, and mapped over a pool of worker processes (``map_work``),
results in chunk order. Workers are forked from a server process that has imported the model
once (``context``); importing Mesa takes over a second. A command that knows it will need
workers starts that server first thing (``start_early``), so that the server imports the model
while the command imports the rest. Nothing here imports the model itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

from sim.experiments import lifeline

CHUNK = 50_000  # rollouts per batch: large batches amortise the per-day cost of the rules
PRELOAD = ["sim.experiments.lifeline", "sim.experiments.runner"]  # what the fork server imports before it forks any worker


def chunks(runs: int, chunk: int = CHUNK) -> list[tuple[int, int]]:
    """``runs`` indices cut into (first, count) chunks of at most ``chunk``."""
    return [(first, min(chunk, runs - first)) for first in range(0, runs, chunk)]


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_work(function: Callable, work: list, jobs: int) -> Iterator:
    """``map(function, work)`` in this process or on ``jobs`` processes, results in the order of ``work``."""
    workers = min(jobs, len(work))
    if workers <= 1:
        yield from map(function, work)
        return
    server = context()
    if server.get_start_method() == "forkserver":
        start_server()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=server, initializer=lifeline.guard_worker)
    try:
        yield from pool.map(function, work)  # map keeps chunk order whatever order they finish in
    except BaseException:  # an error, Ctrl-C or SIGTERM here, or the caller stopped early: the chunks under way are not wanted
        for process in _workers(pool):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _workers(pool: ProcessPoolExecutor) -> list:
    """The pool's worker processes (the executor keeps them in ``_processes``; there is no public way before Python 3.14)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def context() -> multiprocessing.context.BaseContext:
    """Workers forked from a server that has already imported the model.

    A fork server, not a plain fork: the server is a fresh single-threaded process, so forking it is safe
    whatever threads the parent has. Where there is no fork server (Windows), spawn.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload(PRELOAD)
    return server


def start_early(runs: int, jobs: int | None, chunk: int = CHUNK) -> None:
    """Start the fork server now if ``runs`` rollouts on ``jobs`` processes will need workers.

    The server imports the model in the background while this process goes on; the pool that
    ``map_work`` opens later forks its workers from it. Without a fork server, nothing to do.
    """
    if min(jobs or default_jobs(), len(chunks(runs, chunk))) > 1 and context().get_start_method() == "forkserver":
        start_server()


def start_server() -> None:
    """Start the fork server (if it is not running) telling it which process is its parent, so that it dies with it (``lifeline``)."""
    os.environ[lifeline.PARENT] = str(os.getpid())
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(lifeline.PARENT, None)
