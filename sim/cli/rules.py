"""``python run.py rules [ACTOR] [--markdown] [--inert [SCENARIO]]``: the rule book in words, each rule with its condition,
action and evidence; or the parameters a scenario leaves inert (no path to any outcome or event flag)."""

from __future__ import annotations

import argparse
import sys

from sim.book.inputs import printable
from sim.book.paths import SCENARIOS
from sim.book.rules import load_rulebook
from sim.book.scenario import load_scenario
from sim.book.vocabulary import STATES
from sim.cli.args import SUBCOMMANDS
from sim.engine.dependencies import inert
from sim.presentation.explain import inert_text, rulebook_markdown, rulebook_text


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py rules", description=SUBCOMMANDS["rules"])
    parser.add_argument("actor", nargs="?", choices=STATES, help="only this state's rules (with --inert: its parameters)")
    parser.add_argument("--markdown", action="store_true", help="the whole rule book as Markdown (docs/rules.md is this)")
    parser.add_argument("--inert", nargs="?", const=str(SCENARIOS / "baseline.yaml"), metavar="SCENARIO",
                        help="print the parameters from which no path leads to an outcome or event flag under SCENARIO "
                        "(default: the baseline), with the reason; a report, so the exit status is 0")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    book = load_rulebook()
    if args.inert is not None:
        scenario = load_scenario(args.inert, book=book)
        report = [item for item in inert(scenario, book) if args.actor is None or item.name.startswith(f"{args.actor}.")]
        sys.stdout.write(printable(inert_text(scenario.name, report), newlines=True))
    elif args.markdown:
        sys.stdout.write(rulebook_markdown(book))
    else:
        sys.stdout.write(rulebook_text(book, [args.actor] if args.actor else list(STATES)))
    return 0
