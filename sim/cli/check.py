"""``python run.py check [SCENARIO ...]``: every rollout read against the declared order of history and the offices.

For each scenario (default: every file in scenarios/), runs ``--runs`` rollouts and reports each
precedence constraint (``sim/book/rulebook/precedence.yaml``) and each office-holder's term
(``offices.yaml``) with how often it is broken and a rollout to narrate. Exit status 1 when any act
falls outside its actor's term or a constraint is broken in more than ``--tolerance`` of rollouts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.book.inputs import printable
from sim.cli.args import SUBCOMMANDS, fraction, positive_int, rollouts


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py check", description=SUBCOMMANDS["check"])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario files (default: every file in scenarios/)")
    parser.add_argument("--runs", type=rollouts, default=2000, help="rollouts per scenario (default 2000)")
    parser.add_argument("--tolerance", type=fraction, default=0.01, help="largest share of rollouts a constraint may be broken in (default 0.01)")
    parser.add_argument("--jobs", type=positive_int, help="processes to use (default: all cores)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser


def command(argv: list[str]) -> int:
    from sim.api.loading import load_scenario
    from sim.book.paths import SCENARIOS
    from sim.experiments import history_check, pool
    from sim.presentation import check_report

    args = parser().parse_args(argv)
    paths = args.scenarios or sorted(str(path) for path in Path(SCENARIOS).glob("*.yaml"))
    scenarios = [load_scenario(path) for path in paths]
    jobs = args.jobs or pool.default_jobs()
    findings = [finding for scenario in scenarios for finding in history_check.check(scenario, args.runs, jobs)]
    text = check_report.as_json(findings, args.tolerance) if args.json else check_report.table(findings, args.tolerance)
    sys.stdout.write(printable(text, newlines=True))
    return 1 if check_report.failing(findings, args.tolerance) else 0
