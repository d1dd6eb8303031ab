"""``python run.py schema [--out FILE]``: the JSON Schema of the scenario file format, for editors that check YAML as it is typed."""

from __future__ import annotations

import argparse
import json
import sys

from sim.book.scenario import ScenarioFile
from sim.cli.args import SUBCOMMANDS
from sim.experiments.targets import atomic_text, check_file


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python run.py schema", description=SUBCOMMANDS["schema"])
    parser.add_argument("--out", metavar="FILE", help="write the schema to FILE instead of printing it")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    target = None if args.out is None else check_file(args.out, "--out")
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Munich 1938 scenario"
    text = json.dumps(schema, indent=2) + "\n"
    if target is not None:
        atomic_text(target, text)
    else:
        sys.stdout.write(text)
    return 0
