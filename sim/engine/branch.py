"""A branch: rollouts carried on from a given day under another scenario, with the same past and the change from then on.

Every draw is addressed by (seed, rollout, day, rule, actor) (``sim/engine/rng.py``), so a
rollout's days are a pure function of its state and its address: a branch is the old scenario run
to day d, then the same state carried on under the new scenario's compiled rules and parameters.
``past_of(model)`` takes what the model's rollouts have done so far; a ``CrisisModel`` of the new
scenario built with ``past=`` starts from it (``CrisisModel._resume``). What is carried:

- every variable the run has changed, in the lanes where it changed it (which rule fired when,
  beliefs, mobilisations, wars, the campaign, the exogenous events that have begun, a parameter a
  rule moved); where the new scenario starts such a variable elsewhere, the run's change is carried
  on top of the new start (``sim/engine/world.py``'s ``carry``). A variable a lane has not touched
  starts as the new scenario sets it (that is the change), so a branch on day 0 carries nothing and
  is a fresh run of the new scenario;
- which lanes are closed, what each state has last been seen doing and the changes the next day
  must still look at, the once-only decisions already taken, and the narration so far.

A rule's bookkeeping (``sim/engine/candidates.py``) is not carried: the new model looks at every
rule afresh on its first day, which by that module's contract gives what the kept one would.
An exogenous event that the new scenario moves to a day already past does not happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np

from sim.book.rules import Rule, RuleBook
from sim.book.scenario import Scenario
from sim.engine.candidates import Candidates
from sim.engine.world import initial_layout


class Run(Protocol):
    """What ``past_of`` reads of a ``CrisisModel`` (``sim/engine/model.py``, which imports this module)."""

    crisis_scenario: Scenario
    book: RuleBook
    lanes: np.ndarray
    lane_overrides: Mapping[str, np.ndarray] | None
    state: dict[str, np.ndarray | float]
    candidates: list[Candidates]
    day: int
    open_lanes: np.ndarray
    closed_count: int
    changes: dict[str, np.ndarray]
    log: list | None
    former_rules: dict[str, Rule]
    _seen: dict[str, np.ndarray]

    def lane_values(self, name: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Past:
    """What a batch of rollouts has done up to (not including) ``day``: what a model of another scenario carries on from."""

    day: int
    start: date  # the first day of the scenario it ran under: a branch keeps the calendar
    lanes: np.ndarray
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # each variable the run changed: (where, its values now, at the start)
    open_lanes: np.ndarray
    closed_count: int
    seen: dict[str, np.ndarray]  # what each state was last seen doing (``CrisisModel._seen``)
    changes: dict[str, np.ndarray]  # the lanes where each watched variable changed since the rules last looked
    unfired: dict[str, np.ndarray]  # each once-only rule's lanes where it has not yet fired (or been decided)
    log: tuple | None  # the model's ``Happening``s so far, if it records them
    rules: dict[str, Rule]  # every rule that can have fired so far, by id (the narration of the past names them)


    def check(self, scenario: Scenario, lanes: np.ndarray) -> None:
        """Raise a ValueError unless a model of ``scenario`` over ``lanes`` can carry this past on: the same rollouts, the same calendar."""
        if self.start != scenario.start or not np.array_equal(self.lanes, lanes):
            raise ValueError(f"a branch carries on the same rollouts on the same calendar: the run began on {self.start:%-d %B %Y} "
                             f"with {self.lanes.size} rollouts, the branch on {scenario.start:%-d %B %Y} with {lanes.size}")


def past_of(model: Run) -> Past:
    """What ``model``'s rollouts have done so far, to be carried on under another scenario (see the module's note)."""
    initial = initial_layout(model.crisis_scenario, model.book, model.lanes, model.lane_overrides)
    values = {}
    for name in model.state:
        if name == "today":
            continue
        now = model.lane_values(name)
        start = np.broadcast_to(np.asarray(initial[name], dtype=float), now.shape)
        changed = now != start
        if changed.any():
            values[name] = (changed, now, start.copy())
    unfired = {kept.rule.id: kept.unfired for kept in model.candidates if kept.unfired is not None}
    return Past(
        day=model.day,
        start=model.crisis_scenario.start,
        lanes=model.lanes.copy(),
        values=values,
        open_lanes=model.open_lanes.copy(),
        closed_count=model.closed_count,
        seen={code: seen.copy() for code, seen in model._seen.items()},
        changes={name: lanes.copy() for name, lanes in model.changes.items()},
        unfired=unfired,
        log=tuple(model.log) if model.log is not None else None,
        rules={**model.former_rules, **{kept.rule.id: kept.rule.rule for kept in model.candidates}},
    )
