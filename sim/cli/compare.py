"""``python run.py compare A.yaml B.yaml ...``: several scenarios on the same rollouts, each outcome's difference from the first.

Every scenario gets the first one's seed (or ``--seed``): common random numbers, so a difference
comes from the scenarios and not from the draws (``sim.api.compare`` does the work). As in the default job, the model is imported only
after the worker processes have been started.
"""

from __future__ import annotations

import argparse
import sys

from sim.book.inputs import printable
from sim.cli.args import SUBCOMMANDS, positive_int, rollouts, seed


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py compare", description=SUBCOMMANDS["compare"])
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files; the first is the reference")
    parser.add_argument("--runs", type=rollouts, default=1000, help="rollouts per scenario (default 1000)")
    parser.add_argument("--seed", type=seed, help="master seed for all (default: the first scenario's)")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--out", metavar="DIR", help="write compare.json, compare.png (grouped bars) and held.png (how long Czechoslovakia held) into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser


def command(argv: list[str]) -> int:
    from sim.api.loading import load_scenario
    from sim.experiments import pool

    args = parser().parse_args(argv)
    if args.out is not None:
        from sim.experiments.targets import check_folder

        check_folder(args.out, "--out", args.scenarios)  # before the run; the staging folder only after it
    scenarios = [load_scenario(path) for path in args.scenarios]
    pool.start_early(args.runs, args.jobs)
    from sim.api import jobs as api

    result = api.compare(scenarios, args.runs, seed=args.seed, jobs=args.jobs, out=args.out)
    sys.stdout.write(result.to_json() if args.json else printable(result.text(), newlines=True))
    return 0
