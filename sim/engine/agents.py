"""The seven states as Mesa agents, each holding its state as numpy arrays over the R lanes.

Where behaviour lives, for a Mesa user:

- Mesa provides the agents (``StateAgent`` is a ``mesa.Agent``), the model and its ``step``
  (``CrisisModel`` is a ``mesa.Model``), the activation of every agent through the model's
  ``AgentSet`` (``agents.do("perceive")``, ``agents.map("decide")``), and SolaraViz for the
  classroom app (``sim/presentation/app.py``).
- The lane engine provides what the agents do: the rule book's cited YAML rules, compiled once
  (``sim/engine/world.py``, ``sim/engine/rule.py``) and evaluated each day over numpy arrays
  with one entry per rollout (a lane), only where something they read changed
  (``sim/engine/candidates.py``); random draws addressed by (seed, rule, day, rollout)
  (``sim/engine/rng.py``) rather than taken from Mesa's generators; and staged writes
  (``sim/book/actions.py``), applied by the model after every agent has decided.

An agent's day has two stages, run for all agents before anything is applied:
``perceive`` (beliefs move toward what the agent sees others doing) and
``decide`` (its rules are evaluated against the same snapshot and return
proposals, to be drawn for and turned into writes by the model). The model applies
every agent's writes together, so results never depend on the order in which
agents are activated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import mesa
import numpy as np

from sim.book.vocabulary import STATE_NAMES, STATES
from sim.engine.candidates import Candidates, Day
from sim.engine.conditions import ZERO
from sim.engine.rule import Proposal

POSTURES = ("calm", "alert", "mobilised", "at war")


@dataclass(frozen=True)
class Sighting:
    """What the others see of a state whose mobilisation or war changed: in which lanes, and what they see there."""

    lanes: np.ndarray
    seen: np.ndarray
    certain: np.ndarray  # seen >= 1: it is at war
    weight: np.ndarray | float  # world.observation_weight in those lanes


class Crisis(Day, Protocol):
    """What an agent needs of its model (``CrisisModel`` is one), named here so that this module need not import the model."""

    sightings: Mapping[str, Sighting]

    def changed(self, name: str, lanes: np.ndarray) -> None: ...


class StateAgent(mesa.Agent):
    """One of the seven states: its variables (views into the model's state) and its commitment rules."""

    def __init__(self, model: Crisis, code: str, candidates: list[Candidates]):
        super().__init__(model)
        self.code = code
        self.name = STATE_NAMES[code]
        self.candidates = candidates  # each rule's candidate bookkeeping: what ``decide`` asks
        self.rules = [kept.rule for kept in candidates]
        prefix = f"{code}."
        # Views, not copies: the agent's arrays are the model's state entries for this state.
        self.vars: dict[str, np.ndarray] = {
            name[len(prefix) :]: array for name, array in model.state.items() if name.startswith(prefix)
        }
        self.others = [other for other in STATES if other != code]

    @property
    def mobilisation(self) -> np.ndarray:
        return self.vars["mobilisation"]

    @property
    def at_war(self) -> np.ndarray:
        return self.vars["at_war"] > 0

    def belief(self, other: str) -> np.ndarray:
        """This state's estimate, per lane, that ``other`` will fight for Czechoslovakia."""
        return self.vars[f"belief.{other}"]

    @property
    def posture(self) -> np.ndarray:
        """0 calm, 1 alert (some mobilisation), 2 mobilised (half or more), 3 at war: an index into POSTURES."""
        posture = np.where(self.mobilisation > 0, 1, 0)
        posture = np.where(self.mobilisation >= 0.5, 2, posture)
        return np.where(self.at_war, 3, posture)

    def perceive(self) -> None:
        """Beliefs move toward what is seen: a new mobilisation is a signal of intent; fighting is certain.

        Each change in another state's mobilisation or war (``model.sightings``) moves
        this state's belief about it once, by world.observation_weight of the way up to
        what is seen. Only this agent's own beliefs change, and only from what nobody
        changes during perception: the stage is order-free.
        """
        model = self.model
        for other, sighting in model.sightings.items():
            if other == self.code:
                continue
            lanes, seen = sighting.lanes, sighting.seen
            belief = self.belief(other)
            before = belief[lanes]
            belief[lanes] = np.where(sighting.certain, 1.0, before + sighting.weight * np.maximum(seen - before, ZERO))
            model.changed(f"{self.code}.belief.{other}", lanes)

    def decide(self) -> list[Proposal]:
        """Evaluate every rule of this state against today's snapshot: where each may fire, before the draws; apply nothing."""
        model = self.model
        proposals = (kept.propose(model) for kept in self.candidates)
        return [proposal for proposal in proposals if proposal is not None]
