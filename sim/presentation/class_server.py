"""A whole class on one server: the odds every visitor shares, computed on one process pool, and what is ready at start.

``python run.py ui`` serves every student of a class from one Python process. Before this module,
each visitor's Monte Carlo ran in a thread of that process, so ten at once shared one core (the
interpreter lock) with every page being drawn. Now:

* ``summary_of`` gives a what-if's Monte Carlo summary from ``RESULTS`` (``sim/experiments/shared.py``:
  keyed by the what-if's content, the last ``CACHE_SIZE`` kept, each computed once however many ask
  at the same time), computed on ``POOL``, one process pool for the whole server
  (``sim/experiments/pool.py``: started on first use, at most ``QUEUED`` what-ifs waiting or
  running, ended with the server).
* ``serving`` wraps the server's run: in the background it replays the baseline at once (every page
  opens on it and shows it beside any what-if), and at the end it shuts the pool down, its workers
  with it. The shipped scenarios are not replayed ahead: doing so took some 7 s of CPU just when a
  class arrives (and slowed every page opening then), while a scenario chosen by half a class at
  once is replayed once anyway, in about half a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sim.book.scenario import Scenario
from sim.experiments import runner
from sim.experiments.pool import SharedPool
from sim.experiments.shared import SharedResults, what_if_key
from sim.presentation import report

# About 37 KB a summary in memory (each outcome, event and rule with its interval; measured with tracemalloc): 512 are some 19 MB.
CACHE_SIZE = 512
# What-ifs waiting or running at once: a class of 64 can each move a slider; one more is told to try again.
QUEUED = 64

RESULTS: SharedResults[tuple[dict, float]] = SharedResults(CACHE_SIZE)
POOL = SharedPool(queued=QUEUED)


def summary_of(scenario: Scenario, runs: int) -> tuple[dict, float]:
    """``runs`` rollouts of a scenario (its ``--json`` summary) and the seconds they took, shared by every visitor."""

    def compute() -> tuple[dict, float]:
        started = time.perf_counter()
        tally = POOL.run(runner.run, scenario, runs, 1)
        return report.summary(tally, scenario, scenario.seed), time.perf_counter() - started

    return RESULTS.get(what_if_key(scenario, runs), compute)


def warm(jobs: Iterable[Callable[[], object]], stop: threading.Event) -> list[BaseException]:
    """Run each job in turn until ``stop`` is set; a job that fails is passed over (a visitor asking for it sees the error).

    Returns the errors, for a test: the server has nowhere to show them, and a warm-up is only an optimisation.
    """
    errors = []
    for job in jobs:
        if stop.is_set():
            break
        try:
            job()
        except Exception as error:
            errors.append(error)
    return errors


@contextmanager
def serving(jobs: Iterable[Callable[[], object]] = ()) -> Iterator[None]:
    """While the server runs: ``jobs`` computed in the background, one at a time; at the end, the pool shut down."""
    stop = threading.Event()
    warming = threading.Thread(target=warm, args=(jobs, stop), name="class-server-warm-up", daemon=True)
    warming.start()
    try:
        yield
    finally:
        stop.set()
        POOL.shutdown()
