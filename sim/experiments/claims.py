"""What a scenario's description claims, measured on a batch of its rollouts.

A claim (``sim/book/scenario.py``: ``Claim``) names what it counts: outcomes, military results, event flags,
``fired:RULE_ID`` (the rule fired) or ``first_shot_before:DATE``. Its value is the share of
rollouts where any of ``share`` holds, among those where any of ``of`` holds (all rollouts if
``of`` is empty). ``tests/test_scenarios.py`` runs every scenario and checks each claim's value
against its stated range, so a description cannot keep a number the model no longer gives.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from sim.book.scenario import Claim, Scenario
from sim.book.vocabulary import EVENTS, MILITARY_RESULTS, NEVER, OUTCOMES
from sim.engine.model import BatchResult


def holds(name: str, result: BatchResult, scenario: Scenario) -> np.ndarray:
    """Where one named thing holds, rollout by rollout."""
    if name in OUTCOMES:
        return result.outcome == OUTCOMES.index(name)
    if name in MILITARY_RESULTS:
        return result.military == MILITARY_RESULTS.index(name)
    if name in EVENTS:
        return np.asarray(result.flags[name], dtype=bool)
    kind, _, what = name.partition(":")
    if kind == "fired" and what in result.fired:
        return np.asarray(result.fired[what], dtype=bool)
    if kind == "fired":  # a rule the scenario switched off never fires
        return np.zeros(result.outcome.shape, dtype=bool)
    before = (date.fromisoformat(what) - scenario.start).days  # first_shot_before (the claim's names are checked at load)
    return (result.first_shot_day < NEVER) & (result.first_shot_day < before)


def measured(claim: Claim, result: BatchResult, scenario: Scenario) -> float:
    """The claim's value in ``result``: a share of rollouts (NaN if ``of`` holds nowhere)."""
    def any_of(names: list[str]) -> np.ndarray:
        return np.logical_or.reduce([holds(name, result, scenario) for name in names])

    among = any_of(claim.of) if claim.of else np.ones(result.outcome.shape, dtype=bool)
    count = int(np.count_nonzero(among))
    return float(np.count_nonzero(any_of(claim.share) & among) / count) if count else float("nan")
