"""Small shared helpers for the tests: load scenarios, run batches, read shares."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from sim.book.scenario import Scenario, load_scenario
from sim.book.vocabulary import OUTCOMES
from sim.cli import main
from sim.engine.model import BatchResult, CrisisModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def scenario(name: str = "baseline", sets: tuple[str, ...] = ()) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.yaml", list(sets))


@cache
def batch(name: str = "baseline", sets: tuple[str, ...] = (), runs: int = 2000) -> BatchResult:
    """A cached batch of rollouts 0 .. runs-1 of a scenario file with --set overrides."""
    return CrisisModel(scenario(name, sets), lanes=np.arange(runs)).run()


def outcome_share(result: BatchResult, outcome: str) -> float:
    return float(np.mean(result.outcome == OUTCOMES.index(outcome)))


def event_share(result: BatchResult, event: str) -> float:
    return float(np.mean(result.flags[event]))


def run_cli(argv: list, capsys) -> tuple[int, str, str]:
    """Run ``python run.py ARGV`` in-process: its exit status (argparse's errors arrive as SystemExit), stdout and stderr."""
    try:
        status = main([str(part) for part in argv])
    except SystemExit as exit_:
        status = exit_.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err
