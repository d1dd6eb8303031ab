"""The command line: ``python run.py SCENARIO.yaml [options]`` or ``python run.py SUBCOMMAND [options]``.

Bad input of any kind ends with one clear message on stderr and exit status 2,
never a traceback and never a half-written output folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from sim.book.inputs import InputError

SUBCOMMANDS = {
    "rules": "print the rule book: every rule with its condition, action and evidence",
    "list": "list the scenarios in a folder with their questions",
    "schema": "print or write the JSON Schema of the scenario file format",
    "compare": "run several scenarios on the same rollouts and show each outcome's difference from the first",
    "calibrate": "fit the baseline's free parameters to the historical record (calibration/) and test the fit out of sample",
    "sweep": "run a parameter sweep or sensitivity analysis described in a sweep file (sweeps/)",
    "discover": "scenario discovery: the parameter boxes of a sweep's results where an outcome is likely",
    "ui": "start the classroom app in a browser (needs the ui extra)",
}
# Subcommands that live in a module of their own: each module has ``command(argv) -> int``.
MODULE_COMMANDS = {
    "calibrate": "sim.experiments.calibrate",
    "sweep": "sim.experiments.sweep",
    "discover": "sim.experiments.discover",
    "ui": "sim.presentation.app",
}


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number within [0, 1], got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be within [0, 1], got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be within [0, 2**63), got {value}")
    return value


def run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="Run a scenario of the 1938 Czechoslovak crisis as Monte Carlo rollouts.",
        epilog="Subcommands: " + "; ".join(f"{name}: {text}" for name, text in SUBCOMMANDS.items()) + ". Each has --help.",
    )
    parser.add_argument("scenario", help="a scenario YAML file, e.g. scenarios/benes_fights.yaml")
    parser.add_argument("--runs", type=positive_int, help="number of rollouts (default: the scenario's, 1000)")
    parser.add_argument("--seed", type=_seed, help="master seed (default: the scenario's, 1938)")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--out", metavar="DIR", help="write results.json, runs.csv and plots into DIR")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object instead of a table")
    parser.add_argument("--point", action="store_true",
                        help="use the calibration posterior's mean for every rollout instead of drawing each rollout's parameters from it")
    parser.add_argument("--report", metavar="FILE.html", help="also write a printable, self-contained HTML handout of the results (A4)")
    parser.add_argument("--narrate", metavar="K", type=_seed, help="tell the story of rollout K day by day, with the evidence for each step")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="sets",
                        help="override a scenario value by dotted path, e.g. parameters.FR.daladier_weight=0.6 (repeatable)")
    return parser


def run_scenario(argv: list[str]) -> int:
    from sim.book.scenario import load_scenario
    from sim.experiments import pool

    args = run_parser().parse_args(argv)
    scenario = load_scenario(args.scenario, args.sets)
    if args.seed is not None:
        scenario = dataclasses.replace(scenario, seed=args.seed)
    if args.point:
        scenario = dataclasses.replace(scenario, parameter_draws="mean")
    runs = args.runs or scenario.runs
    if args.narrate is None:
        pool.start_early(runs, args.jobs)  # the workers' server imports the model while we do
    from sim.experiments import runner
    from sim.presentation import report

    if args.report:
        from sim.presentation.handout import check_target

        check_target(Path(args.report))  # a bad path is reported before the run, not after it
    if args.narrate is not None:
        from sim.presentation.narrate import narrate

        sys.stdout.write(narrate(scenario, args.narrate))
        return 0
    if args.out:
        with report.OutputFolder(args.out) as out:
            tally = runner.run(scenario, runs, args.jobs, on_rows=out.write_rows)
            result = report.summary(tally, scenario, scenario.seed)
            report.write_results(out, result, tally, scenario)
    else:
        tally = runner.run(scenario, runs, args.jobs)
        result = report.summary(tally, scenario, scenario.seed)
    if args.report:
        from sim.presentation.handout import write_handout

        write_handout(Path(args.report), scenario, tally, result)
    sys.stdout.write(report.as_json(result) if args.json else report.table(result, scenario))
    return 0


def rules_command(argv: list[str]) -> int:
    from sim.book.rules import STATES, load_rulebook
    from sim.presentation.explain import rulebook_markdown, rulebook_text

    parser = argparse.ArgumentParser(prog="python run.py rules", description=SUBCOMMANDS["rules"])
    parser.add_argument("actor", nargs="?", choices=STATES, help="only this state's rules")
    parser.add_argument("--markdown", action="store_true", help="the whole rule book as Markdown (docs/rules.md is this)")
    args = parser.parse_args(argv)
    book = load_rulebook()
    if args.markdown:
        sys.stdout.write(rulebook_markdown(book))
    else:
        sys.stdout.write(rulebook_text(book, [args.actor] if args.actor else list(STATES)))
    return 0


def list_command(argv: list[str]) -> int:
    from sim.book.scenario import load_scenario

    parser = argparse.ArgumentParser(prog="python run.py list", description=SUBCOMMANDS["list"])
    parser.add_argument("folder", nargs="?", default="scenarios", help="folder of scenario files (default: scenarios)")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError("is not a folder of scenario files", folder)
    for path in sorted(folder.glob("*.yaml")):
        try:
            scenario = load_scenario(path)
            print(f"{path}  {scenario.name}: {scenario.question}")
        except InputError as error:
            print(f"{path}  (invalid: {error})")
    return 0


def schema_command(argv: list[str]) -> int:
    from sim.book.scenario import ScenarioFile

    parser = argparse.ArgumentParser(prog="python run.py schema", description=SUBCOMMANDS["schema"])
    parser.add_argument("--out", metavar="FILE", help="write the schema to FILE instead of printing it")
    args = parser.parse_args(argv)
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Munich 1938 scenario"
    text = json.dumps(schema, indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def compare_command(argv: list[str]) -> int:
    from sim.book.scenario import load_scenario
    from sim.experiments import pool

    parser = argparse.ArgumentParser(prog="python run.py compare", description=SUBCOMMANDS["compare"])
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files; the first is the reference")
    parser.add_argument("--runs", type=positive_int, default=1000, help="rollouts per scenario (default 1000)")
    parser.add_argument("--seed", type=_seed, help="master seed for all (default: the first scenario's)")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--out", metavar="DIR", help="write compare.json and compare.png (grouped bars) into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    scenarios = [load_scenario(path) for path in args.scenarios]
    seed = scenarios[0].seed if args.seed is None else args.seed
    scenarios = [dataclasses.replace(scenario, seed=seed) for scenario in scenarios]  # common random numbers
    pool.start_early(args.runs, args.jobs)
    from sim.experiments import runner
    from sim.presentation import report

    out = report.OutputFolder(args.out) if args.out else None
    tallies, paired = runner.compare(scenarios, args.runs, args.jobs)
    result = report.comparison(tallies, paired, scenarios, seed)
    if out is not None:
        with out:
            out.path("compare.json").write_text(report.as_json(result), encoding="utf-8")
            report.plot_comparison(result, out.path("compare.png"))
    sys.stdout.write(report.as_json(result) if args.json else report.comparison_table(result))
    return 0


def module_command(name: str) -> Callable[[list[str]], int]:
    def command(argv: list[str]) -> int:
        return importlib.import_module(MODULE_COMMANDS[name]).command(argv)

    return command


COMMANDS = {"rules": rules_command, "list": list_command, "schema": schema_command, "compare": compare_command}
COMMANDS |= {name: module_command(name) for name in MODULE_COMMANDS}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if not argv:
            run_parser().print_usage(sys.stderr)
            print("error: give a scenario file (e.g. scenarios/benes_fights.yaml) or a subcommand: " + ", ".join(SUBCOMMANDS),
                  file=sys.stderr)
            return 2
        if argv[0] in COMMANDS:
            return COMMANDS[argv[0]](argv[1:])
        if not argv[0].startswith("-") and not argv[0].endswith((".yaml", ".yml")) and not Path(argv[0]).exists():
            print(f"error: {argv[0]!r} is neither a scenario file nor a subcommand; subcommands: {', '.join(SUBCOMMANDS)}",
                  file=sys.stderr)
            return 2
        return run_scenario(argv)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`): not an error of ours
        sys.stdout = open(os.devnull, "w")  # silence the flush at exit
        return 0
