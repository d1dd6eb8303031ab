"""``python run.py list [FOLDER]``: the scenarios in a folder with their questions; an invalid file is listed with its error.

Named ``list_scenarios`` rather than after the subcommand: a submodule ``list`` would become the
attribute ``list`` of ``sim.cli`` and hide the built-in there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.book.inputs import InputError, printable
from sim.book.rules import load_rulebook
from sim.book.scenario import load_scenario
from sim.cli.args import SUBCOMMANDS
from sim.engine.world import check_rules


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py list", description=SUBCOMMANDS["list"])
    parser.add_argument("folder", nargs="?", default="scenarios", help="folder of scenario files (default: scenarios)")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError("is not a folder of scenario files", folder)
    book = load_rulebook()
    for path in sorted(folder.glob("*.yaml")):
        try:
            scenario = load_scenario(path, book=book)
            check_rules(scenario, book)  # a rule it adds or changes that does not parse makes it invalid too
            print(printable(f"{path}  {scenario.name}: {scenario.question}"))
        except InputError as error:
            print(printable(f"{path}  (invalid: {error})"))
    return 0
