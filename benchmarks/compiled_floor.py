"""What a compiled per-lane kernel would pay only to look at every rule every day: an estimate, not the model.

Option 2 of issue 4's closing notes is a kernel compiled with Numba that runs one rollout at a
time, all of its state in a few kilobytes that stay in the CPU's cache. This script measures the
floor of the simplest such kernel: each simulated day it checks every rule's condition (a
conjunction of threshold tests on the lane's variables, stopping at the first that fails), draws
an addressed random number where the condition holds, and applies the fired rules' writes after
all have been checked (staged, as the model does). It has no actions, perception or war: the real
thing can only cost more. Sizes default to the baseline's (88 rules, about 2.2 conjuncts each,
234 days, 281 variables kept per lane).

Numba is not a dependency of the project. Run it in a scratch environment::

    python3.12 -m venv /tmp/numba-venv && /tmp/numba-venv/bin/pip install numba
    /tmp/numba-venv/bin/python benchmarks/compiled_floor.py

It prints the compile time and rollouts per CPU-second for 10,000 and 100,000 lanes.
Nothing here asserts anything.
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(inline="always")
def _mix(value: np.uint64) -> np.uint64:
    """A 64-bit finaliser (splitmix64's), standing in for ``sim.engine.rng``'s addressed draw."""
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xFF51AFD7ED558CCD)
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xC4CEB9FE1A85EC53)
    value ^= value >> np.uint64(33)
    return value


@numba.njit
def run_lanes(
    lanes: int,
    days: int,
    initial: np.ndarray,
    reads: np.ndarray,
    thresholds: np.ndarray,
    chance: np.ndarray,
    once: np.ndarray,
    targets: np.ndarray,
    steps: np.ndarray,
    out: np.ndarray,
) -> None:
    """Every lane from its initial state for ``days`` days; ``out`` gets one variable per lane (so nothing is optimised away)."""
    rules, conjuncts = reads.shape
    state = np.empty(initial.size)
    fired = np.zeros(rules, np.bool_)
    firing = np.empty(rules, np.int64)
    for lane in range(lanes):
        state[:] = initial
        fired[:] = False
        for day in range(days):
            count = 0
            for rule in range(rules):
                if once[rule] and fired[rule]:
                    continue
                holds = True
                for part in range(conjuncts):
                    if state[reads[rule, part]] <= thresholds[rule, part]:
                        holds = False
                        break
                if not holds:
                    continue
                draw = _mix(np.uint64(lane) * GOLDEN ^ np.uint64(day * 1024 + rule))
                if (draw >> np.uint64(11)) * (1.0 / 9007199254740992.0) < chance[rule]:
                    firing[count] = rule
                    count += 1
            for position in range(count):  # writes after every rule has looked at the same day
                rule = firing[position]
                fired[rule] = True
                for part in range(targets.shape[1]):
                    state[targets[rule, part]] = min(1.0, state[targets[rule, part]] + steps[rule, part])
        out[lane] = state[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=88)
    parser.add_argument("--conjuncts", type=int, default=2, help="threshold tests per rule (the baseline's mean is 2.2)")
    parser.add_argument("--days", type=int, default=234)
    parser.add_argument("--variables", type=int, default=281)
    args = parser.parse_args()
    generator = np.random.default_rng(1938)
    # The first test of each rule passes in about a tenth of the lanes, the later ones in most: like the book's
    # conditions, which mostly fail on their first conjunct (a step not yet taken) until the crisis reaches them.
    thresholds = np.full((args.rules, args.conjuncts), 0.3)
    thresholds[:, 0] = 0.9
    reads = generator.integers(0, args.variables, size=(args.rules, args.conjuncts))
    chance = generator.random(args.rules) * 0.2
    once = generator.random(args.rules) < 0.8
    targets = generator.integers(0, args.variables, size=(args.rules, 3))
    steps = generator.random((args.rules, 3)) * 0.1
    initial = generator.random(args.variables)
    out = np.empty(100_000)
    started = time.perf_counter()
    run_lanes(10, args.days, initial, reads, thresholds, chance, once, targets, steps, out)
    print(f"numba {numba.__version__}: compile and first call {time.perf_counter() - started:.1f} s")
    checks = args.rules * args.days
    for lanes in (10_000, 100_000):
        started = time.process_time()
        run_lanes(lanes, args.days, initial, reads, thresholds, chance, once, targets, steps, out)
        seconds = time.process_time() - started
        per_rollout = seconds / lanes
        rate, micro, nano = 1 / per_rollout, per_rollout * 1e6, per_rollout / checks * 1e9
        print(f"{lanes:>7,} lanes: {rate:>8,.0f} rollouts per CPU-second, {micro:.1f} us a rollout, {nano:.2f} ns a rule-day")


if __name__ == "__main__":
    main()
