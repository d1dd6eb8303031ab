"""Throughput benchmark for Munich 1938: rollouts per second, peak memory, and a bare-Mesa floor.

Run from the project root::

    .venv/bin/python benchmarks/bench.py            # full (about 2.5 minutes on 2 cores at commit 07990a3; capped near 5)
    .venv/bin/python benchmarks/bench.py --quick    # skips the 100,000-lane and 100,000-run cases
    .venv/bin/python benchmarks/bench.py --all      # every 100,000-run runner case, even past the ~5-minute budget

Every measurement runs in a fresh child interpreter (this same file with a
hidden ``--child`` argument), so that one case's memory high-water mark and
allocator state do not leak into the next: ``ru_maxrss`` is a per-process
maximum that never goes down. Timings are taken inside the child with
``time.perf_counter`` around the measured call only (scenario loading and
imports are excluded), except for ``run.py``, which is timed from outside,
interpreter start-up included. Nothing here asserts anything about speed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCENARIOS = ("scenarios/baseline.yaml", "scenarios/benes_fights.yaml")
BATCH_SIZES = (1, 100, 10_000, 100_000)
RUNNER_RUNS = (10_000, 100_000)
BIG = 100_000  # the cases --quick leaves out
MIN_TIME = 1.0  # seconds: a small batch is repeated until one round lasts at least this long
ROUNDS = 3  # rounds per single-batch case; the median round is reported (best also shown)
BIG_ROUNDS = 1  # cap: one 100,000-lane batch takes 20-30 s, so it is measured once
RUN_PY_REPEATS = 3
MARK = "BENCH-RESULT "
# Time budget of the full benchmark. The 100,000-run runner cases of PRIMARY (the scenario `run.py` is timed on) always run;
# those of the other scenarios run only if their estimated time (from the measured single-batch throughput) fits in the budget.
# --all runs them whatever the estimate.
BUDGET = 300.0  # seconds
RESERVE = 30.0  # seconds kept for the Mesa floor and the run.py timings
PRIMARY = "scenarios/benes_fights.yaml"


def maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its terminated (reaped) children."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def load1() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "-"


# ------------------------------------------------------------------ children
def child_batch(spec: dict) -> dict:
    """Time ``CrisisModel(scenario, lanes=np.arange(n)).run()``, repeated to at least MIN_TIME per round."""
    import numpy as np

    from sim.book.scenario import load_scenario
    from sim.engine.model import CrisisModel

    scenario = load_scenario(ROOT / spec["scenario"])  # also loads and caches the rule book: not timed
    lanes = spec["lanes"]
    rss_before = maxrss_mib()
    rounds = []
    for _ in range(spec["rounds"]):
        reps = days = 0
        construct = 0.0
        start, cpu_start = time.perf_counter(), time.process_time()
        while True:
            t0 = time.perf_counter()
            model = CrisisModel(scenario, lanes=np.arange(lanes))
            construct += time.perf_counter() - t0
            result = model.run()
            reps += 1
            days += model.day
            elapsed = time.perf_counter() - start
            if elapsed >= spec["min_time"]:
                break
        assert result.lanes.size == lanes  # a correctness check on the batch, not a speed assertion
        rounds.append({"reps": reps, "elapsed": elapsed, "cpu": time.process_time() - cpu_start, "construct": construct, "days": days})
        del model, result
    return {"rounds": rounds, "rss_before": rss_before, "rss_peak": maxrss_mib()}


def child_runner(spec: dict) -> dict:
    """Wall time of ``sim.experiments.runner.run(scenario, runs, jobs)``, pool start-up included."""
    from multiprocessing import forkserver

    from sim.book.scenario import load_scenario
    from sim.experiments import pool, runner

    scenario = load_scenario(ROOT / spec["scenario"])
    rss_before = maxrss_mib()
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    tally = runner.run(scenario, spec["runs"], spec["jobs"])
    elapsed = time.perf_counter() - start
    assert tally.runs == spec["runs"]
    # Workers started by a fork server are its children, not ours: their CPU time and peak RSS reach our
    # RUSAGE_CHILDREN only once the server has exited and been reaped, so stop it (after the timing).
    server = getattr(forkserver, "_forkserver", None)
    used_forkserver = server is not None and getattr(server, "_forkserver_pid", None) is not None
    if used_forkserver:
        server._stop()
    return {
        "elapsed": elapsed,
        "start_method": "forkserver" if used_forkserver else "spawn/fork",
        "cpu": cpu_seconds() - cpu_before,
        "chunks": len(pool.chunks(spec["runs"])),
        "rss_before": rss_before,
        "rss_peak": maxrss_mib(),
        "rss_children": maxrss_mib(resource.RUSAGE_CHILDREN),
    }


def child_floor(spec: dict) -> dict:
    """A bare Mesa loop: seven agents whose step does nothing, ``agents.do("step")`` once a day."""
    import mesa

    class Idle(mesa.Agent):
        def step(self) -> None:
            pass

    class Floor(mesa.Model):
        def __init__(self, days: int):
            super().__init__(rng=1938)
            self.days = days
            for _ in range(7):
                Idle(self)

        def step(self) -> None:
            self.agents.do("step")
            self.running = self.steps < self.days

    days = spec["days"]
    rounds = []
    for _ in range(spec["rounds"]):
        reps = 0
        start = time.perf_counter()
        while True:
            model = Floor(days)
            while model.running:
                model.step()
            reps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= spec["min_time"]:
                break
        assert model.steps == days
        rounds.append({"reps": reps, "elapsed": elapsed, "days": reps * days})
    return {"rounds": rounds, "rss_peak": maxrss_mib()}


CHILDREN = {"batch": child_batch, "runner": child_runner, "floor": child_floor}


def in_child(kind: str, **spec) -> dict:
    """Run one measurement in a fresh interpreter and return what it reported."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps({"kind": kind, **spec})]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603 (our own interpreter and file)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not lines:
        sys.exit(f"benchmark child {kind} {spec} failed (status {done.returncode}):\n{done.stderr}")
    return json.loads(lines[-1][len(MARK) :])


# ------------------------------------------------------------------ parent
def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def code_version() -> str:
    """The git commit measured, and whether sim/ or run.py had uncommitted edits (read-only git calls)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S607
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sim", "run.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout  # noqa: S607
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"{head}" + (f" with uncommitted changes in sim/ or run.py ({len(dirty.splitlines())} files)" if dirty.strip() else " (sim/ and run.py clean)")


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = lambda cells: "  ".join(str(cell).rjust(width) if i else str(cell).ljust(width) for i, (cell, width) in enumerate(zip(cells, widths, strict=True)))  # noqa: E731
    return "\n".join([line(headers), line(["-" * width for width in widths]), *(line(row) for row in rows)])


def rates(rounds: list[dict], per_round: int) -> list[float]:
    """Rollouts per second of each round (``per_round`` rollouts per repetition)."""
    return [per_round * r["reps"] / r["elapsed"] for r in rounds]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-lane and 100,000-run cases")
    parser.add_argument("--all", action="store_true", help=f"run every 100,000-run runner case even if it would exceed the ~{BUDGET:.0f} s budget")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        print(MARK + json.dumps(CHILDREN[spec.pop("kind")](spec)), flush=True)
        return 0

    import mesa
    import numpy as np

    from sim.book.scenario import load_scenario
    from sim.experiments.pool import default_jobs

    began = time.perf_counter()
    sizes = [n for n in BATCH_SIZES if not (args.quick and n >= BIG)]
    runs_list = [n for n in RUNNER_RUNS if not (args.quick and n >= BIG)]
    all_jobs = default_jobs()
    jobs_list = sorted({1, all_jobs})
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    load = os.getloadavg() if hasattr(os, "getloadavg") else None

    out = [
        f"Munich 1938 benchmark ({'quick' if args.quick else 'full'})",
        f"date:    {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"python:  {platform.python_version()} ({sys.executable})",
        f"numpy:   {np.__version__}    mesa: {mesa.__version__}",
        f"machine: {platform.machine()} {platform.system()} {platform.release()}; os.cpu_count()={os.cpu_count()}, "
        f"usable cores (affinity)={affinity}, runner default jobs={all_jobs}",
        f"code:    git {code_version()}",
        f"load average at start (1/5/15 min): {' / '.join(f'{x:.2f}' for x in load) if load else 'n/a'}",
        "",
    ]
    days_of = {}
    batch_rate: dict[str, dict[int, float]] = {}  # scenario -> lanes -> median rollouts/s of a single batch

    # 1. single batches on one process
    rows = []
    for path in SCENARIOS:
        scenario = load_scenario(ROOT / path)
        days_of[path] = scenario.days
        for lanes in sizes:
            rounds = BIG_ROUNDS if lanes >= BIG else ROUNDS
            load = load1()
            log(f"batch {path} lanes={lanes} rounds={rounds} ...")
            got = in_child("batch", scenario=path, lanes=lanes, rounds=rounds, min_time=MIN_TIME)
            per_round = rates(got["rounds"], lanes)
            median = statistics.median(per_round)
            batch_rate.setdefault(path, {})[lanes] = median
            middle = sorted(got["rounds"], key=lambda r: lanes * r["reps"] / r["elapsed"])[len(got["rounds"]) // 2]
            ms_day = 1000 * middle["elapsed"] / middle["days"]
            construct_ms = 1000 * middle["construct"] / middle["reps"]
            rows.append(
                [
                    Path(path).stem,
                    f"{lanes:,}",
                    f"{rounds}x{middle['reps']}",
                    f"{middle['days'] / middle['reps']:.0f}",
                    f"{median:,.1f}",
                    f"{max(per_round):,.1f}",
                    f"{lanes * middle['reps'] / middle['cpu']:,.1f}",
                    f"{ms_day:.2f}",
                    f"{1000 * middle['cpu'] / middle['days']:.2f}",
                    f"{1e6 * middle['elapsed'] / middle['days'] / lanes:.3f}",
                    f"{construct_ms:.1f}",
                    f"{got['rss_before']:.0f}",
                    f"{got['rss_peak']:.0f}",
                    load,
                ]
            )
    out += [
        "1. One CrisisModel batch on one process: CrisisModel(scenario, lanes=np.arange(n)).run()",
        f"   Each round repeats the batch until >= {MIN_TIME:g} s have passed; {ROUNDS} rounds (100,000 lanes: capped at {BIG_ROUNDS} round of one batch).",
        "   rollouts/s = median round (best round also shown). days = simulated days per batch (a batch stops early once every lane is closed).",
        "   ms/day = wall time per simulated day of the whole batch (CPU ms/day: the same in CPU time); us/lane-day = ms/day per lane.",
        "   construct = CrisisModel(...) alone, per batch (wall).",
        "   per CPU-s = the median round's rollouts per second of process CPU time (less sensitive to other load on the machine than wall time).",
        "   RSS = ru_maxrss of the child process: after imports + scenario load, and peak after the batches. load1 = 1-min load average before the case.",
        table(
            [
                "scenario",
                "lanes",
                "rounds x reps",
                "days",
                "rollouts/s",
                "best",
                "per CPU-s",
                "ms/day",
                "CPU ms/day",
                "us/lane-day",
                "construct ms",
                "RSS base MiB",
                "RSS peak MiB",
                "load1",
            ],
            rows,
        ),
        "",
    ]

    # 2. the runner
    from sim.experiments.pool import CHUNK, chunks

    def estimate(path: str, runs: int) -> float:
        """Seconds one runner case should take: its rollouts at the single-batch rate of the largest measured batch no larger
        than a chunk (no parallel gain assumed, so an overestimate on several cores), plus 5 s of start-up."""
        measured = batch_rate[path]
        lanes = max((n for n in measured if n <= CHUNK), default=min(measured))
        return runs / measured[lanes] + 5.0

    plan, optional = [], []
    for path in SCENARIOS:
        for runs in runs_list:
            group = [(path, runs, jobs) for jobs in jobs_list]
            if runs >= BIG and path != PRIMARY:
                optional.append(group)
            else:
                plan.extend(group)
    left = BUDGET - RESERVE - (time.perf_counter() - began) - sum(estimate(p, r) for p, r, _ in plan)
    capped = []
    for group in optional:  # all the jobs values of a (scenario, runs) pair, or none of them
        cost = sum(estimate(p, r) for p, r, _ in group)
        if args.all or cost <= left:
            plan.extend(group)
            left -= cost
        else:
            capped.append((group, cost))
    plan.sort(key=lambda case: (SCENARIOS.index(case[0]), case[1], case[2]))
    rows = []
    for path, runs, jobs in plan:
        load = load1()
        log(f"runner {path} runs={runs} jobs={jobs} ...")
        got = in_child("runner", scenario=path, runs=runs, jobs=jobs)
        workers = min(jobs, got["chunks"])
        rows.append(
            [
                Path(path).stem,
                f"{runs:,}",
                str(jobs),
                str(got["chunks"]),
                f"{workers} {got['start_method']}" if workers > 1 else "none",
                f"{got['elapsed']:.2f}",
                f"{runs / got['elapsed']:,.0f}",
                f"{got['cpu']:.1f}",
                f"{runs / got['cpu']:,.0f}",
                f"{got['rss_peak']:.0f}",
                f"{got['rss_children']:.0f}" if workers > 1 else "-",
                load,
            ]
        )
    out += [
        f"2. sim.experiments.runner.run(scenario, runs, jobs): chunks of {CHUNK:,} rollouts (sim.experiments.pool.CHUNK); a process pool of min(jobs, chunks)"
        " workers when that is > 1 (pool: workers and start method; 'none': the chunks run in the calling process).",
        *(
            f"   Capped: {Path(group[0][0]).stem} runs={group[0][1]:,} with jobs={', '.join(str(j) for _, _, j in group)} not run: an estimated"
            f" {cost:.0f} s would take the benchmark past ~{BUDGET:.0f} s (--all runs it)."
            for group, cost in capped
        ),
        "   One measurement per case. Wall time includes pool start-up (workers, or a fork server, import sim) but not the parent's own imports.",
        "   CPU s = user+system time of the parent, its workers and any fork server (start-up and imports included); per CPU-s = runs / CPU s.",
        "   RSS: the parent's ru_maxrss, and RUSAGE_CHILDREN ru_maxrss = the largest single worker (a maximum, not a sum). load1 as above.",
        table(["scenario", "runs", "jobs", "chunks", "pool", "wall s", "rollouts/s", "CPU s", "per CPU-s", "RSS parent MiB", "RSS worker MiB", "load1"], rows),
        "",
    ]

    # 3. the floor: bare Mesa
    rows = []
    for days in sorted(set(days_of.values())):
        log(f"floor days={days} ...")
        got = in_child("floor", days=days, rounds=ROUNDS, min_time=MIN_TIME)
        per_round = rates(got["rounds"], 1)
        middle = sorted(got["rounds"], key=lambda r: r["reps"] / r["elapsed"])[len(got["rounds"]) // 2]
        rows.append(
            [
                str(days),
                ", ".join(Path(p).stem for p, d in days_of.items() if d == days),
                f"{statistics.median(per_round):,.1f}",
                f"{max(per_round):,.1f}",
                f"{1e6 * middle['elapsed'] / middle['days']:.1f}",
            ]
        )
    out += [
        "3. Reference floor: bare Mesa, a mesa.Model with 7 do-nothing mesa.Agent subclasses, self.agents.do('step') once a day.",
        f"   One rollout = one such model constructed and run for the scenario's days. {ROUNDS} rounds of >= {MIN_TIME:g} s; median (best also shown).",
        table(["days", "scenarios", "rollouts/s", "best", "us/day"], rows),
        "",
    ]

    # 4. the real command, from outside
    run_py_workers = min(all_jobs, len(chunks(1000)))
    command = [sys.executable, "run.py", "scenarios/benes_fights.yaml"]
    walls = []
    for attempt in range(RUN_PY_REPEATS):
        log(f"run.py {attempt + 1}/{RUN_PY_REPEATS} ...")
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603 (fixed command)
        walls.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"run.py failed (status {done.returncode}):\n{done.stderr}")
    out += [
        f"4. The command `{Path(sys.executable).name} run.py scenarios/benes_fights.yaml` (1,000 rollouts, default jobs={all_jobs}; 1,000 rollouts"
        f" are {len(chunks(1000))} chunk(s), so {f'a pool of {run_py_workers} workers' if run_py_workers > 1 else 'no pool'}),"
        " timed with subprocess, interpreter start-up included.",
        f"   {RUN_PY_REPEATS} runs: median {statistics.median(walls):.2f} s, best {min(walls):.2f} s, worst {max(walls):.2f} s"
        f"  ->  {1000 / statistics.median(walls):,.0f} rollouts/s end to end (median).",
        "",
        f"benchmark total: {time.perf_counter() - began:.0f} s; load average at end: "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg()) if hasattr(os, 'getloadavg') else 'n/a'}",
    ]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
