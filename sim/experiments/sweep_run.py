"""Running a sweep: its points in chunks, on this machine's process pool or on a Dask cluster, with a progress bar.

Points are cut into chunks by ``runner.point_chunks`` (fixed by the sweep file,
never by ``--jobs`` or the cluster). A chunk carries everything a worker needs, so
each chunk's counts are a pure function of the sweep file wherever it runs. ``run_sweep``
runs the chunks the output folder (``sweep_store.Store``) has no part for yet and writes
each part as it arrives, so a sweep killed at any moment and started again runs only the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import IO, Any

import numpy as np
import pyarrow as pa

from sim.book.inputs import InputError
from sim.book.rules import RuleBook, load_rulebook
from sim.book.scenario import Scenario
from sim.book.vocabulary import MILITARY_RESULTS, OUTCOMES
from sim.engine.posterior import Posterior
from sim.experiments.pool import map_work
from sim.experiments.runner import run_points
from sim.experiments.sweep_file import Sweep, sweep_posterior
from sim.experiments.sweep_store import Store

DIST_HINT = "the Dask options need the optional extra: pip install -e '.[dist]'"


# ----------------------------------------------------------------------------- chunks
@dataclass(frozen=True)
class Chunk:
    """One batch of consecutive points and everything a worker needs to run it.

    The chunk carries the rule book and the calibration posterior as the sweep read them, so a worker
    (a local process or a Dask worker on another machine) computes exactly what the sweep's fingerprint
    promises, whatever files its own installation holds or another engineer rewrites meanwhile.
    """

    index: int
    first: int
    scenario: Scenario
    book: RuleBook
    posterior: Posterior | None
    names: tuple[str, ...]
    points: np.ndarray
    rollouts: int
    outputs: tuple[str, ...]


def run_chunk(chunk: Chunk) -> tuple[int, np.ndarray]:
    """The chunk's index and its counts: one row a point, one column an output (rollouts where it happened)."""
    count = len(chunk.points)
    result = run_points(chunk.scenario, list(chunk.names), chunk.points, chunk.rollouts, chunk.book, chunk.posterior)
    outcome, military = result.outcome.reshape(count, chunk.rollouts), result.military.reshape(count, chunk.rollouts)

    def counted(output: str) -> np.ndarray:
        if output in OUTCOMES:
            return (outcome == OUTCOMES.index(output)).sum(axis=1)
        if output in MILITARY_RESULTS:
            return (military == MILITARY_RESULTS.index(output)).sum(axis=1)
        return result.flags[output].reshape(count, chunk.rollouts).sum(axis=1)

    return chunk.index, np.stack([counted(output) for output in chunk.outputs], axis=1).astype(np.int64)


def work(sweep: Sweep, indices: list[int]) -> list[Chunk]:
    """The chunks with these indices, ready to ship to a worker."""
    book, posterior, chunks = load_rulebook(), sweep_posterior(sweep.scenario), sweep.chunks()
    made = []
    for index in indices:
        first, count = chunks[index]
        points = sweep.points[first : first + count]
        made.append(Chunk(index, first, sweep.scenario, book, posterior, tuple(sweep.names), points, sweep.rollouts, sweep.outputs))
    return made


def rehearse(sweep: Sweep) -> None:
    """One rollout at the first point, in this process, before the output folder is made: a scenario the model
    cannot run (a rule whose added condition does not compile, say) fails here and leaves nothing behind."""
    chunk = work(sweep, [0])[0]
    run_chunk(dataclasses.replace(chunk, points=chunk.points[:1], rollouts=1))


Results = Callable[[list[Chunk]], Iterator[tuple[int, np.ndarray]]]


@contextlib.contextmanager
def local_pool(jobs: int) -> Iterator[Results]:
    """Chunks on this machine's process pool (``pool.map_work``), results in chunk order."""
    yield lambda chunks: map_work(run_chunk, chunks, jobs)


def require_distributed() -> ModuleType:
    """The `distributed` module, or the one-line hint to install the dist extra: checked before a sweep starts, not halfway."""
    try:
        import distributed
    except ImportError:
        raise InputError(DIST_HINT, key="--scheduler/--dask-local") from None
    return distributed


@contextlib.contextmanager
def dask_cluster(scheduler: str | None, workers: int | None) -> Iterator[Results]:
    """Chunks on a Dask cluster: an existing one at ``scheduler``, or ``workers`` local processes on loopback."""
    import logging

    distributed = require_distributed()
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="20s"))
            except (OSError, TimeoutError, ValueError, TypeError) as error:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {error}", key="--scheduler") from None
        else:
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0", silence_logs=logging.ERROR,
            ))
            client = stack.enter_context(distributed.Client(cluster))
        yield lambda chunks: _dask_results(client, chunks, distributed)


def _dask_results(client: Any, chunks: list[Chunk], distributed: ModuleType) -> Iterator[tuple[int, np.ndarray]]:
    if not chunks:
        return
    # One task a chunk; its key names the chunk, so a worker's log says what it ran.
    token = uuid.uuid4().hex[:12]  # never reuse a key an earlier submission left on a shared scheduler
    futures = client.map(run_chunk, chunks, key=[f"munich1938-chunk-{chunk.index}-{token}" for chunk in chunks])
    for future, result in distributed.as_completed(futures, with_results=True):
        future.release()
        yield result


# ----------------------------------------------------------------------------- progress
class Progress:
    """A one-line bar with rate and ETA on a terminal; silent otherwise (logs and pipes get the summary only)."""

    def __init__(self, total: int, done: int, rollouts: int, stream: IO[str], enabled: bool) -> None:
        self.total, self.done, self.rollouts, self.stream, self.enabled = total, done, rollouts, stream, enabled
        self.start_done, self.started = done, time.monotonic()
        self.show()

    def advance(self, points: int) -> None:
        self.done += points
        self.show()

    def show(self) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        ran = self.done - self.start_done
        rate = ran / elapsed if elapsed > 0 and ran else 0.0
        eta = f"ETA {_clock((self.total - self.done) / rate)}" if rate else "ETA --:--"
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} points  "
                          f"{rate * self.rollouts:,.0f} rollouts/s  {eta}  ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds + 0.5), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60 else f"{minutes}:{seconds:02d}"


# ----------------------------------------------------------------------------- the run
@dataclass(frozen=True)
class RunStats:
    """What the closing line reports: points run now and found done, the time taken, and where (filled in by the caller)."""

    points_run: int
    points_resumed: int
    seconds: float
    where: str


def run_sweep(sweep: Sweep, store: Store, results: Results, progress: bool = False) -> tuple[pa.Table, RunStats]:
    """Run the chunks that have no part yet, write each as it arrives, and assemble results.parquet."""
    chunks = sweep.chunks()
    started = time.monotonic()
    rehearse(sweep)
    with store.opened():
        done = store.finished()
        todo = [index for index in range(len(chunks)) if index not in done]
        resumed = sum(chunks[index][1] for index in done)
        bar = Progress(len(sweep.points), resumed, sweep.rollouts, sys.stderr, progress)
        try:
            for index, counts in results(work(sweep, todo)):
                store.write_part(index, counts)
                bar.advance(len(counts))
        finally:
            bar.close()
        table = store.assemble()
    return table, RunStats(len(sweep.points) - resumed, resumed, time.monotonic() - started, "")
