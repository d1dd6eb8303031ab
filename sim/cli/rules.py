"""``python run.py rules [ACTOR] [--markdown]``: the rule book in words, each rule with its condition, action and evidence."""

from __future__ import annotations

import argparse
import sys

from sim.book.rules import load_rulebook
from sim.book.vocabulary import STATES
from sim.cli.args import SUBCOMMANDS
from sim.presentation.explain import rulebook_markdown, rulebook_text


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py rules", description=SUBCOMMANDS["rules"])
    parser.add_argument("actor", nargs="?", choices=STATES, help="only this state's rules")
    parser.add_argument("--markdown", action="store_true", help="the whole rule book as Markdown (docs/rules.md is this)")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    book = load_rulebook()
    if args.markdown:
        sys.stdout.write(rulebook_markdown(book))
    else:
        sys.stdout.write(rulebook_text(book, [args.actor] if args.actor else list(STATES)))
    return 0
