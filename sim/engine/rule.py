"""What a compiled rule means: its condition, its probability, and the writes it makes where it fires.

A ``CompiledRule`` is a rule of the book (after a scenario's edits) with its
expressions parsed once and checked against the state layout
(``sim/engine/world.py`` compiles them). It holds no memory of earlier days:
where the rule may fire on a given day, worked out incrementally from day to
day, is the job of ``sim/engine/candidates.py``. A rule fires in a lane on a
day when its condition holds there and the lane's addressed draw falls below
its probability; ``writes`` is then what it does there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.book.actions import Write, first, variables_written
from sim.book.rules import Rule
from sim.engine import rng
from sim.engine.conditions import Expression


class Lanes(Mapping):
    """The state seen in some lanes only: arrays are indexed, numbers pass through."""

    def __init__(self, state: Mapping[str, np.ndarray | float], lanes: np.ndarray):
        self.state, self.lanes = state, lanes

    def __getitem__(self, name: str) -> np.ndarray | float:
        value = self.state[name]
        return value[self.lanes] if isinstance(value, np.ndarray) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self.state)

    def __len__(self) -> int:
        return len(self.state)


@dataclass(frozen=True)
class Effect:
    """One of a rule's extra state changes, ``target op expression`` (``FR.pressure += 0.1``)."""

    target: str
    op: str
    expression: Expression

    def write(self, env: Mapping[str, np.ndarray | float], lanes: np.ndarray) -> Write:
        value = self.expression.evaluate(Lanes(env, lanes))
        if self.op == "=":
            return Write(self.target, "set", value, lanes)
        if self.op == "-=":
            return Write(self.target, "add", np.negative(value), lanes)
        return Write(self.target, {"+=": "add", "max=": "max", "min=": "min"}[self.op], value, lanes)


class CompiledRule:
    """A rule ready to run: its parsed condition, probability and effects, its random stream, its place in the commit order.

    ``index`` is the rule's position among the model's rules: writes are applied in that order,
    and the day's draws are made in it. Plain attributes rather than properties: they are read
    every day (``Rule.actor`` splits the id on every access).
    """

    def __init__(
        self, index: int, rule: Rule, condition: Expression, probability: Expression, effects: tuple[Effect, ...], yields_to: tuple[int, ...] = ()
    ):
        self.index, self.rule, self.condition, self.probability, self.effects = index, rule, condition, probability, effects
        self.yields_to = yields_to  # indices of the rules that take precedence on the same day
        self.depth = 0  # how many rules precede it in that precedence: rules are concluded in order of depth
        self.id = rule.id
        self.stream = rng.key("rule", rule.id)
        self.actor, self.action, self.once, self.tries = rule.actor, rule.action, rule.once, rule.tries
        self.fired_name = f"fired.{rule.id}"

    def writes(self, state: Mapping[str, np.ndarray | float], fires: np.ndarray, today: int) -> list[Write]:
        """What the rule does in the lanes ``fires`` (indices) today: its action, its effects, and the record that it fired."""
        writes = self.action.writes(self.actor, state, fires, today)
        writes.extend(effect.write(state, fires) for effect in self.effects)
        writes.append(first(self.fired_name, today, fires))
        return writes

    def targets(self) -> set[str]:
        """Every variable this rule may write."""
        return variables_written(self.action, self.actor) | {effect.target for effect in self.effects} | {self.fired_name}


class Proposal(NamedTuple):
    """A rule's candidates for a day, before the draws: the lanes where its condition holds, and its chance there."""

    rule: CompiledRule
    where: np.ndarray
    probability: np.ndarray | float


def yielded(proposal: Proposal, draws: np.ndarray, taken: np.ndarray) -> tuple[Proposal, np.ndarray]:
    """The proposal without the lanes ``taken`` today by a rule it yields to (and their draws): it is not drawn there."""
    keep = ~np.isin(proposal.where, taken)
    probability = proposal.probability[keep] if isinstance(proposal.probability, np.ndarray) and proposal.probability.ndim else proposal.probability
    return Proposal(proposal.rule, proposal.where[keep], probability), draws[keep]


class Decision(NamedTuple):
    """A rule's decision for one day: the lanes where it fires (indices) and what it writes there."""

    rule: CompiledRule
    fires: np.ndarray
    writes: list[Write]
