"""A class on one server: the odds shared between visitors, the one process pool, and a server that leaves nothing behind.

No timing is asserted: what is checked is that the shared result is the uncached one byte for byte, that
a what-if asked for by many at once is computed once, that the cache and the pool's queue are bounded,
and that stopping ``python run.py ui`` ends every process it started.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from sim.book.paths import SCENARIOS
from sim.book.scenario import load_scenario
from sim.experiments import runner
from sim.experiments.pool import Busy, SharedPool
from sim.experiments.shared import SharedResults, what_if_key
from sim.presentation import class_server, report
from sim.presentation.classroom import Choice, monte_carlo, odds_of, scenario_of
from tests.helpers import ROOT

RUNS = 200  # enough for the odds to differ between what-ifs, few enough to be quick


@pytest.fixture
def fresh():
    """The server's shared results and pool as at start, and the pool shut down afterwards."""
    class_server.RESULTS.clear()
    yield
    class_server.RESULTS.clear()
    class_server.POOL.shutdown()


# ------------------------------------------------------------------ the key
def test_the_key_is_the_what_ifs_content_not_the_object():
    built = scenario_of(Choice())
    read = load_scenario(SCENARIOS / "baseline.yaml")
    assert built is not read and what_if_key(built, RUNS) == what_if_key(read, RUNS)
    moved = scenario_of(Choice().moved("FR.daladier_weight", 1.0))
    others = [moved, scenario_of(Choice(lens="soviet_official")), dataclasses.replace(built, seed=7),
              dataclasses.replace(built, parameter_draws="book"), scenario_of(Choice(toggles=("benes_fights",)))]
    keys = {what_if_key(each, RUNS) for each in others} | {what_if_key(built, RUNS + 1), what_if_key(built, RUNS)}
    assert len(keys) == len(others) + 2  # every change to what determines the result gives another key


# ------------------------------------------------------------------ the cache
def test_the_shared_odds_are_the_bytes_of_a_run_without_the_cache(fresh):
    choice = Choice("benes_fights").moved("FR.daladier_weight", 1.0)
    scenario = scenario_of(choice)
    alone = json.dumps(report.summary(runner.run(scenario, RUNS, jobs=1), scenario, scenario.seed))
    before = class_server.RESULTS.computed
    computed = monte_carlo(choice, RUNS)  # on the shared pool
    kept = monte_carlo(choice, RUNS)  # from the cache
    assert json.dumps(computed.scenario) == alone == json.dumps(kept.scenario)
    assert class_server.RESULTS.computed - before == 2  # the what-if and the baseline, each once
    assert json.dumps(monte_carlo(Choice("benes_fights"), RUNS).scenario) != alone  # so the equality above says something


def test_two_concurrent_requests_for_one_key_compute_once():
    cache: SharedResults[object] = SharedResults(4)
    calls, release = [], threading.Event()

    def compute() -> object:
        calls.append(threading.get_ident())
        release.wait(10)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("what-if", compute))) for _ in range(8)]
    for thread in threads:
        thread.start()
    while cache.computed == 0:
        time.sleep(0.01)
    time.sleep(0.2)  # the other seven are waiting for the first one's result
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and cache.computed == 1
    assert len(results) == 8 and all(result is results[0] for result in results)


def test_an_error_is_shared_with_those_waiting_but_not_kept():
    cache: SharedResults[int] = SharedResults(4)

    def fails() -> int:
        raise ValueError("no such what-if")

    with pytest.raises(ValueError, match="no such what-if"):
        cache.get("bad", fails)
    assert "bad" not in cache
    assert cache.get("bad", lambda: 3) == 3  # tried again, and kept this time
    assert cache.get("bad", fails) == 3


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    cache: SharedResults[str] = SharedResults(3)
    for key in "abc":
        cache.get(key, lambda key=key: key.upper())
    cache.get("a", lambda: "never computed")  # used again: now the most recent
    cache.get("d", lambda: "D")
    assert len(cache) == 3
    assert "b" not in cache and all(key in cache for key in "acd")
    assert cache.get("a", lambda: "never computed") == "A"
    assert class_server.RESULTS.size == class_server.CACHE_SIZE
    with pytest.raises(ValueError):
        SharedResults(0)


# ------------------------------------------------------------------ the pool
def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_pool_is_one_for_every_caller_and_its_workers_end_with_shutdown():
    pool = SharedPool(jobs=2)
    try:
        first = pool.executor()
        pids = []
        threads = [threading.Thread(target=lambda: pids.append(pool.run(os.getpid))) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert pool.executor() is first  # one pool, however many callers
        workers = {process.pid for process in pool.workers()}
        assert len(pids) == 6 and set(pids) <= workers and 1 <= len(workers) <= 2 and os.getpid() not in pids
    finally:
        pool.shutdown()
    assert pool.workers() == []
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


OUTLIVES = """
import os, threading, time
from sim.experiments.pool import SharedPool

def main():
    pool = SharedPool(jobs=1)
    answers = []
    for _ in range(2):  # each from a thread that then ends, as a visitor's does
        asking = threading.Thread(target=lambda: answers.append(pool.run(os.getpid)))
        asking.start()
        asking.join(60)
        time.sleep(1.0)  # a fork server tied to the ended thread would be killed by now, its worker with it
    print(answers[0] == answers[1])
    pool.shutdown()

if __name__ == "__main__":
    main()
"""


def test_the_pool_outlives_the_thread_that_started_it(tmp_path):
    script = tmp_path / "outlives.py"
    script.write_text(OUTLIVES)
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"  # the second job ran on the same worker: the pool was not broken


def test_the_pools_queue_is_bounded():
    pool = SharedPool(jobs=1, queued=1)
    try:
        slow = threading.Thread(target=pool.run, args=(time.sleep, 1.0))
        slow.start()
        while pool.under_way == 0:
            time.sleep(0.01)
        with pytest.raises(Busy, match="busy"):
            pool.run(os.getpid)
        slow.join(60)
        assert pool.under_way == 0 and pool.run(os.getpid) > 0  # the slot is free again
    finally:
        pool.shutdown()


def test_a_worker_that_dies_breaks_one_job_not_the_pool():
    pool = SharedPool(jobs=1)
    try:
        worker = pool.run(os.getpid)
        failed = []

        def doomed() -> None:
            try:
                pool.run(time.sleep, 30)
            except BrokenProcessPool as error:
                failed.append(error)

        asking = threading.Thread(target=doomed)
        asking.start()
        while pool.under_way == 0:
            time.sleep(0.01)
        time.sleep(0.5)  # the job has reached the worker
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        asking.join(60)
        assert len(failed) == 1
        fresh_worker = pool.run(os.getpid)  # the next job gets a pool of its own
        assert fresh_worker != worker and _alive(fresh_worker)
    finally:
        pool.shutdown()


def test_the_classroom_odds_run_on_the_servers_one_pool(fresh):
    before = class_server.RESULTS.computed
    threads = [threading.Thread(target=odds_of, args=(Choice(scenario=name),)) for name in ("baseline", "benes_fights", "may_war")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert class_server.RESULTS.computed - before == 3 and len(class_server.RESULTS) == 3
    assert 1 <= len(class_server.POOL.workers()) <= class_server.POOL.jobs
    assert all(process.pid != os.getpid() for process in class_server.POOL.workers())


def test_the_warm_up_runs_its_jobs_in_turn_and_passes_over_a_failure():
    done = []
    errors = class_server.warm([lambda: done.append(1), lambda: 1 / 0, lambda: done.append(3)], threading.Event())
    assert done == [1, 3] and len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)
    stopped = threading.Event()
    stopped.set()
    assert class_server.warm([lambda: done.append(4)], stopped) == [] and done == [1, 3]


def test_serving_warms_the_baseline_and_shuts_the_pool_down_at_the_end(fresh):
    with class_server.serving([lambda: odds_of(Choice())]):
        _wait_for(lambda: len(class_server.RESULTS) == 1, 120, "the baseline was not replayed")
        workers = [process.pid for process in class_server.POOL.workers()]
        assert workers and all(_alive(pid) for pid in workers)
    assert class_server.POOL.workers() == []
    _wait_for(lambda: not any(_alive(pid) for pid in workers), 15, "the pool's workers outlived the server's run")


# ------------------------------------------------------------------ the server
def _descendants(pid: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc (Linux)")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_server_leaves_no_process_behind(stop, tmp_path):
    pytest.importorskip("solara")
    port = _free_port()
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen([sys.executable, "run.py", "ui", "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: _answers(port), 120, "the app did not answer")
        _wait_for(lambda: len(_descendants(server.pid)) >= 2, 120, "no pool started")  # the fork server and a worker (the baseline's odds)
        started = _descendants(server.pid)
        server.send_signal(stop)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in started), 15, f"left behind: {[pid for pid in started if _alive(pid)]}")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_for(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.2)
