"""``python run.py compare A.yaml B.yaml ...``: several scenarios on the same rollouts, each outcome's difference from the first.

Every scenario gets the first one's seed (or ``--seed``): common random numbers, so a difference
comes from the scenarios and not from the draws. As in the default job, the model is imported only
after the worker processes have been started.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from sim.book.inputs import printable
from sim.cli.args import SUBCOMMANDS, positive_int, rollouts, seed


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py compare", description=SUBCOMMANDS["compare"])
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files; the first is the reference")
    parser.add_argument("--runs", type=rollouts, default=1000, help="rollouts per scenario (default 1000)")
    parser.add_argument("--seed", type=seed, help="master seed for all (default: the first scenario's)")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--out", metavar="DIR", help="write compare.json and compare.png (grouped bars) into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser


def command(argv: list[str]) -> int:
    from sim.book.scenario import load_scenario
    from sim.experiments import pool

    args = parser().parse_args(argv)
    if args.out is not None:
        from sim.experiments.targets import check_folder

        check_folder(args.out, "--out", args.scenarios)  # before the run; the staging folder only after it
    scenarios = [load_scenario(path) for path in args.scenarios]
    common = scenarios[0].seed if args.seed is None else args.seed
    scenarios = [dataclasses.replace(scenario, seed=common) for scenario in scenarios]  # common random numbers
    pool.start_early(args.runs, args.jobs)
    from sim.experiments import runner
    from sim.presentation import report

    tallies, paired = runner.compare(scenarios, args.runs, args.jobs)
    result = report.comparison(tallies, paired, scenarios, common)
    if args.out is not None:
        with report.OutputFolder(args.out, args.scenarios) as out:
            out.path("compare.json").write_text(report.as_json(result), encoding="utf-8")
            report.plot_comparison(result, out.path("compare.png"))
    sys.stdout.write(report.as_json(result) if args.json else printable(report.comparison_table(result), newlines=True))
    return 0
