"""What the subcommands share: the one-line job of each, and the argument types their options use.

The types raise ``argparse.ArgumentTypeError``, so argparse reports a bad value in its own words
(``argument --runs: must be at least 1, got 0``) with exit status 2, like every other bad input.
"""

from __future__ import annotations

import argparse

from sim.book.scenario import MAX_RUNS

# The top-level help lists these; each subcommand's --help opens with its own (calibrate, sweep, discover and ui say more).
SUBCOMMANDS = {
    "rules": "print the rule book: every rule with its condition, action and evidence",
    "list": "list the scenarios in a folder with their questions",
    "schema": "print or write the JSON Schema of the scenario file format",
    "compare": "run several scenarios on the same rollouts and show each outcome's difference from the first",
    "calibrate": "fit the baseline's free parameters to the historical record (calibration/) and test the fit out of sample",
    "sweep": "run a parameter sweep or sensitivity analysis described in a sweep file (sweeps/)",
    "discover": "scenario discovery: the parameter boxes of a sweep's results where an outcome is likely",
    "check": "read every rollout of the scenarios against the declared order of history and the office-holders' terms",
    "ui": "start the classroom app in a browser (needs the ui extra)",
}

# What --report writes (sim.presentation.handout.FORMATS, in this order; the first is the default).
HANDOUTS = {
    "student": "a worksheet for students, at most three A4 pages (the default)",
    "teacher": "the teacher's briefing, with rule ids, parameters and the command that repeats the run",
}


def positive_int(text: str) -> int:
    """A count of something (rollouts, processes, particles): a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def rollouts(text: str) -> int:
    """A number of rollouts: a whole number from 1 to ``MAX_RUNS``, the same limit as a scenario file's ``runs``."""
    value = positive_int(text)
    if value > MAX_RUNS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_RUNS:,} rollouts in one run, got {value:,}; "
                                         "run more with several --seed values and add up their counts")
    return value


def fraction(text: str) -> float:
    """A probability or a share of the points: a number within [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number within [0, 1], got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be within [0, 1], got {value}")
    return value


def seed(text: str) -> int:
    """A master seed or a rollout number: the random streams take a whole number within [0, 2**63)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be within [0, 2**63), got {value}")
    return value
