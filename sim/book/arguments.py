"""The argument types of command-line options: what counts as a valid number of rollouts, a seed, a share.

They raise ``argparse.ArgumentTypeError``, so argparse reports a bad value in its own words
(``argument --runs: must be at least 1, got 0``) with exit status 2, like every other bad input.
One home for them in the lowest layer, so that the subcommands (``sim/cli``) and the table
generators run as modules (``python -m sim.presentation.channel_table``) check the same way.
"""

from __future__ import annotations

import argparse

from sim.book.scenario import MAX_RUNS


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
