"""Two versions of the engine timed side by side: the CPU-time ratio of one batch, new over old.

Run from the project root, with a checkout of the older commit somewhere else::

    git worktree add /tmp/old 33992a9
    .venv/bin/python benchmarks/paired.py /tmp/old . --lanes 10000 --pairs 8

This machine's speed drifts by up to a third within minutes, so timing one version and then
the other mostly measures the drift. Here each pair runs both versions *at the same time*, one
process per core, so that both see the same machine, and reports the ratio of their CPU times
(``time.process_time`` around ``CrisisModel(scenario, lanes=np.arange(n)).run()``, after one
warm-up batch of the same size). Needs two free cores. Nothing here asserts anything.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
from sim.engine.model import CrisisModel
from sim.book.scenario import load_scenario
scenario = load_scenario({scenario!r})
CrisisModel(scenario, lanes=np.arange({lanes})).run()
start = time.process_time()
CrisisModel(scenario, lanes=np.arange({lanes})).run()
print(time.process_time() - start)
"""


def batch_seconds(roots: tuple[Path, Path], scenario: str, lanes: int) -> tuple[float, float]:
    """CPU seconds of one batch under each root, both run at the same time."""
    commands = [[sys.executable, "-c", CHILD.format(root=str(root), scenario=str(root / scenario), lanes=lanes)] for root in roots]
    children = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) for command, root in zip(commands, roots, strict=True)]  # noqa: S603 (our own interpreter and code)
    old, new = (float(child.communicate()[0]) for child in children)
    return old, new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="root of the older checkout")
    parser.add_argument("new", type=Path, help="root of the newer checkout")
    parser.add_argument("--lanes", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--scenario", default="scenarios/baseline.yaml")
    args = parser.parse_args()
    roots = (args.old.resolve(), args.new.resolve())
    ratios = []
    for pair in range(1, args.pairs + 1):
        old, new = batch_seconds(roots, args.scenario, args.lanes)
        ratios.append(new / old)
        print(f"pair {pair}: old {old:.3f} s, new {new:.3f} s, new/old {new / old:.3f}", flush=True)
    print(f"{args.scenario}, {args.lanes:,} lanes, {args.pairs} pairs: new/old median {statistics.median(ratios):.3f}, "
          f"range {min(ratios):.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
