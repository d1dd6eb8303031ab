"""Farming chunks of work out to processes: how many, in what order, and where the workers come from.

Work (rollouts, sweep points, calibration proposals) is cut into chunks of consecutive indices
(``chunks``), each one model batch, and mapped over a pool of worker processes (``map_work``),
results in chunk order. Workers are forked from a server process that has imported the model
once (``context``); importing Mesa takes over a second. A command that knows it will need
workers starts that server first thing (``start_early``), so that the server imports the model
while the command imports the rest. Nothing here imports the model itself.

A long-running server (the classroom app) instead keeps one ``SharedPool`` for all its visitors:
started on first use, with at most ``queued`` jobs waiting or running (a further one is refused
with ``Busy`` at once, so a class cannot make the server hold unbounded work), and shut down,
its workers ended, when the server stops.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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


_keeper: queue.Queue | None = None  # requests to the thread that starts the fork server for other threads
_keeper_lock = threading.Lock()


def start_server_lasting() -> None:
    """``start_server`` from a thread that lasts as long as this process, whichever thread asks.

    The fork server asks for SIGKILL when its parent dies (``lifeline``), and Linux means the parent
    *thread*: a fork server started from a visitor's short-lived thread would die with that thread,
    and every worker with it. So other threads than the main one hand the start to one lasting thread.
    """
    global _keeper
    if threading.current_thread() is threading.main_thread():
        start_server()
        return
    with _keeper_lock:
        if _keeper is None:
            _keeper = queue.Queue()
            threading.Thread(target=_keep, args=(_keeper,), name="fork-server-keeper", daemon=True).start()
    reply: queue.Queue = queue.Queue()
    _keeper.put(reply)
    error = reply.get()
    if error is not None:
        raise error


def _keep(requests: queue.Queue) -> None:
    """The lasting thread: start the fork server (if it is not running) for each request, and answer with None or the error."""
    while True:
        reply = requests.get()
        try:
            start_server()
        except BaseException as error:  # handed to the thread that asked
            reply.put(error)
        else:
            reply.put(None)


class Busy(RuntimeError):
    """The shared pool already holds as many jobs as it may: the caller should try again in a moment."""


class SharedPool:
    """One process pool for every caller of a server: created on first use, bounded, ended by ``shutdown``.

    ``run`` blocks the calling thread (a visitor's) until its job is done; the server's own thread,
    and with it every other visitor's page, stays free while the workers compute. At most ``queued``
    jobs are waiting or running at once: one more raises ``Busy`` at once rather than wait.
    """

    def __init__(self, jobs: int | None = None, queued: int = 64):
        self.jobs = jobs or default_jobs()
        self.queued = queued
        self._slots = threading.BoundedSemaphore(queued)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._under_way = 0

    def executor(self) -> ProcessPoolExecutor:
        """The pool, started now if it is not running (its workers forked from the fork server, which dies with us)."""
        with self._lock:
            if self._executor is None:
                server = context()
                if server.get_start_method() == "forkserver":
                    start_server_lasting()
                self._executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=server, initializer=lifeline.guard_worker)
            return self._executor

    @property
    def under_way(self) -> int:
        """How many jobs are waiting or running now."""
        with self._lock:
            return self._under_way

    def _claim(self) -> None:
        if not self._slots.acquire(blocking=False):
            raise Busy(f"the server is busy: {self.queued} what-ifs are already being replayed; try again in a moment")
        with self._lock:
            self._under_way += 1

    def _release(self, *_) -> None:
        with self._lock:
            self._under_way -= 1
        self._slots.release()

    def run(self, function: Callable, *args):
        """``function(*args)`` on a worker, its result returned here; ``Busy`` if ``queued`` jobs are already under way."""
        self._claim()
        executor = None
        try:
            executor = self.executor()
            future = executor.submit(function, *args)
        except BaseException as error:
            self._release()
            if isinstance(error, BrokenProcessPool):
                self._forget(executor)
            raise
        future.add_done_callback(self._release)
        try:
            return future.result()
        except BrokenProcessPool:
            self._forget(executor)
            raise

    def _forget(self, executor: ProcessPoolExecutor | None) -> None:
        """A worker died (killed, out of memory) and broke the pool: the next job starts a fresh one (this job has failed)."""
        with self._lock:
            if executor is not None and self._executor is executor:
                self._executor = None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def workers(self) -> list:
        """The pool's worker processes now (none before the first job or after ``shutdown``)."""
        with self._lock:
            return _workers(self._executor) if self._executor is not None else []

    def shutdown(self) -> None:
        """End the workers (jobs under way are not wanted: the server is stopping) and forget the pool; it restarts if used again."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        for process in _workers(executor):
            process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
