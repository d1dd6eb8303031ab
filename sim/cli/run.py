"""The default job, ``python run.py SCENARIO.yaml [options]``: Monte Carlo rollouts of one scenario, through ``sim.api``.

The imports that load the model wait until the worker processes have been started
(``pool.start_early``), so that the workers' server imports the model while this process does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.book.inputs import printable
from sim.cli.args import HANDOUTS, SUBCOMMANDS, positive_int, rollouts, seed


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="Run a scenario of the 1938 Czechoslovak crisis as Monte Carlo rollouts.",
        epilog="Subcommands: " + "; ".join(f"{name}: {text}" for name, text in SUBCOMMANDS.items()) + ". Each has --help.",
    )
    parser.add_argument("scenario", help="a scenario YAML file, e.g. scenarios/benes_fights.yaml")
    parser.add_argument("--runs", type=rollouts, help="number of rollouts (default: the scenario's, 1000)")
    parser.add_argument("--seed", type=seed, help="master seed (default: the scenario's, 1938)")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--out", metavar="DIR", help="write results.json, runs.csv and plots (outcomes, war by date, how long Czechoslovakia held) into DIR")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object instead of a table")
    parser.add_argument("--point", action="store_true",
                        help="use the calibration posterior's mean for every rollout instead of drawing each rollout's parameters from it")
    parser.add_argument("--report", metavar="FILE.html", help="also write a printable, self-contained HTML handout of the results (A4)")
    parser.add_argument("--handout", choices=HANDOUTS, help="which handout --report writes: " + "; ".join(f"{name}: {text}" for name, text in HANDOUTS.items()))
    parser.add_argument("--narrate", metavar="K", type=seed, help="tell the story of rollout K day by day, with the evidence for each step")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="sets",
                        help="override a scenario value by dotted path, e.g. parameters.FR.daladier_weight=0.6 (repeatable)")
    return parser


def check_targets(args: argparse.Namespace) -> None:
    """The output options, checked before anything runs: --narrate writes only to the terminal, the others must be writable."""
    from sim.book.inputs import InputError
    from sim.experiments.targets import check_file, check_folder

    if args.narrate is not None:
        given = [option for option, value in (("--out", args.out), ("--report", args.report), ("--json", args.json or None)) if value is not None]
        if given:
            raise InputError(f"--narrate tells one rollout's story on the terminal and writes no files; leave out {', '.join(given)}",
                             key="--narrate")
    if args.handout is not None and args.report is None:
        raise InputError("--handout chooses what --report writes; give --report FILE.html too", key="--handout")
    if args.out is not None:
        check_folder(args.out, "--out", [args.scenario])
    if args.report is not None:
        check_file(args.report, "--report", [args.scenario])


def command(argv: list[str]) -> int:
    from sim.api.loading import load_scenario
    from sim.experiments import pool

    args = parser().parse_args(argv)
    check_targets(args)
    scenario = load_scenario(args.scenario, args.sets, seed=args.seed, draws="point" if args.point else None)
    runs = args.runs or scenario.runs
    if args.narrate is None:
        pool.start_early(runs, args.jobs)  # the workers' server imports the model while we do
    from sim.api import jobs as api

    if args.narrate is not None:
        sys.stdout.write(printable(api.narrate(scenario, args.narrate).text, newlines=True))  # it quotes the scenario's own text
        return 0
    result = api.run(scenario, runs, jobs=args.jobs, rollouts=False, out=args.out)
    if args.report is not None:
        from sim.api.handouts import handout

        handout(scenario, Path(args.report), audience=args.handout or "student", result=result)
    sys.stdout.write(result.to_json() if args.json else printable(result.text(), newlines=True))
    return 0
