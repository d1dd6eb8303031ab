"""``python run.py discover RESULTS.parquet --target OUTPUT``: scenario discovery (PRIM) on a sweep's results.

The search and its description in words are ``sim.experiments.discover``; this module reads the options.
"""

from __future__ import annotations

import argparse
import sys

from sim.cli.args import fraction
from sim.experiments.discover import discover


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python run.py discover",
        description="Scenario discovery (PRIM): the boxes of parameter space where an outcome is likely, in words, with coverage and density.",
    )
    parser.add_argument("results", help="the results.parquet of a sweep")
    parser.add_argument("--target", required=True, help="an output of the sweep: an outcome (general_war, settlement, ...) or an event flag")
    side = parser.add_mutually_exclusive_group()
    side.add_argument("--above", type=fraction, help="the target counts where its probability exceeds this (default 0.5)")
    side.add_argument("--below", type=fraction, help="the target counts where its probability is under this")
    parser.add_argument("--by", choices=("p", "lo", "hi"), default="p",
                        help="which number of each point to compare: p, or a bound of its 95%% interval (lo with --above: likely beyond doubt)")
    parser.add_argument("--min-density", type=fraction, default=0.8, help="how dense a box must be to be chosen (default 0.8)")
    parser.add_argument("--min-mass", type=fraction, default=0.05, help="smallest share of the points a box may hold (default 0.05)")
    parser.add_argument("--alpha", type=fraction, default=0.05, help="share of a box's points peeled or pasted at each step (default 0.05)")
    parser.add_argument("--boxes", type=int, default=3, choices=range(1, 11), metavar="K", help="at most K boxes (default 3)")
    return parser


def command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    sys.stdout.write(discover(args.results, args.target, args.by, args.above, args.below, args.alpha, args.min_mass, args.min_density, args.boxes))
    return 0
