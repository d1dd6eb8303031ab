"""Which names can move a result: a static dependency graph over the compiled rule book, and the parameters it leaves inert.

A control a class or a scenario can move but that can never change an outcome or a shown event flag misleads
whoever moves it. This module finds such controls without running a rollout: it reads the compiled world
(``sim/engine/world.py``: the rules after a scenario's edits and additions) and the engine's own steps, and draws
an edge from every name something reads to every name that same thing may write:

- a rule: what decides whether it fires (its condition and probability, those of the rules it yields to, a once-only
  rule's own record) -> everything it writes, ``fired.RULE_ID`` included; what an effect reads -> that effect's target;
  what its action reads -> what the action writes from it, a statement one hearer at a time (the hearer's belief and
  trust, and an insincere speaker's candour -> that hearer's belief and the day it heard);
- the war sub-model (``campaign.READS`` -> ``campaign.WRITES``);
- sightings (``model.py``, ``agents.py``): a state's mobilisation and war, ``world.mobilisation_signal`` and
  ``world.observation_weight`` -> every other state's belief about it;
- initial values: ``world.default_belief`` and ``world.default_trust`` -> each belief and trust that no parameter of
  its own name starts (a parameter ``DE.belief.SU`` *is* the node of the variable it starts);
- closing a rollout (``model._close``): the settlement, climb-down and end of resistance days and
  ``world.aftermath_days`` -> ``crisis.closed_day``, which freezes the lane and so bears on everything written.

A name *reaches a result* when a path leads from it to a name ``outcomes.READS`` lists (what classification and the
event flags read). Reaching is necessary, not sufficient: a path through a rule whose condition never holds is still a
path, so an empty list of inert parameters says no control is inert *by construction*, not that every control matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.book.actions import Statement
from sim.book.rules import RuleBook, load_rulebook
from sim.book.scenario import Scenario, default_scenario, load_scenario
from sim.book.vocabulary import STATES, per_state, seen
from sim.engine import campaign, outcomes
from sim.engine.rule import CompiledRule
from sim.engine.world import World, compile_rules, state_layout

RESULT = frozenset(outcomes.READS)  # what outcomes and the shown event flags read
SIGHTING_READS = ("world.mobilisation_signal", "world.observation_weight")  # model._new_sightings, agents.perceive
# What model._close reads.
CLOSING_READS = ("crisis.settled_day", "crisis.climbdown_day", "crisis.cz_resistance_end_day", "crisis.campaign_halted_day", "world.aftermath_days")
CLOSED = "crisis.closed_day"
CAMPAIGN, SIGHTINGS, CLOSING, INITIAL = (
    "the war sub-model (campaign)", "sightings of mobilisation and war", "closing a finished rollout", "initial beliefs and trust")
NO_READER = "no reader: nothing in the model reads it"
DEAD_END = "read only where nothing it writes reaches an outcome or event flag"


@dataclass(frozen=True)
class Graph:
    """The edges (read name -> written names), who reads each name, and the parameters of the book compiled."""

    edges: dict[str, set[str]]
    readers: dict[str, set[str]]  # for each name read: the rule ids and engine steps that read it
    parameters: frozenset[str]


@dataclass(frozen=True)
class Inert:
    """A parameter from which no path leads to a result, and why."""

    name: str
    reason: str  # NO_READER or DEAD_END
    readers: tuple[str, ...] = ()  # for DEAD_END: what reads it


class _Recorder(dict):
    """A snapshot that answers every name with 0 and remembers which were asked: what an action reads to make its writes."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def __missing__(self, key: str) -> float:
        self.asked.add(key)
        return 0.0

    def get(self, key: str, default: object = None) -> float:  # an action may read a name that need not exist
        self.asked.add(key)
        return 0.0


def action_parts(kept: CompiledRule) -> list[tuple[set[str], set[str]]]:
    """What a rule's action reads from the day's snapshot and what it writes from that, part by part.

    Found by running the action's own ``writes`` on a snapshot that records what is asked. A statement is taken one
    hearer at a time, so that a hearer's trust and belief lead to that hearer's belief only, not to every hearer's.
    """
    action = kept.action
    parts = [action]
    if isinstance(action, Statement):
        parts = [action.model_copy(update={"to": [hearer], "visibility": "private"}) for hearer in action.recipients(kept.actor)]
    found = []
    for part in parts:
        recorder = _Recorder()
        writes = part.writes(kept.actor, recorder, np.zeros(0, dtype=np.intp), 0)
        found.append((recorder.asked, {write.name for write in writes}))
    return found


def compiled(book_or_world: RuleBook | World | None = None, scenario: Scenario | str | Path | None = None) -> tuple[list[CompiledRule], set[str], RuleBook]:
    """The rules and every name of the world, from a compiled ``World`` or from a book and a scenario (compiled as the runner does).

    ``scenario``: a ``Scenario``, the path of a scenario file (read with ``load_scenario``), or None for the
    unchanged book. For a ``World`` the scenario is already applied; the parameters are the shipped book's.
    """
    if isinstance(book_or_world, World):
        return list(book_or_world.rules), set(book_or_world.state), load_rulebook()
    book = book_or_world or load_rulebook()
    if isinstance(scenario, str | Path):
        scenario = load_scenario(scenario, book=book)
    scenario = scenario or default_scenario()
    layout = state_layout(book, scenario)
    return compile_rules(book, scenario, layout), set(layout), book


def graph(book_or_world: RuleBook | World | None = None, scenario: Scenario | str | Path | None = None) -> Graph:
    """The dependency graph of a world: every edge from a name read to a name written, and who reads what."""
    rules, names, book = compiled(book_or_world, scenario)
    parameters = frozenset(book.parameters())
    edges: dict[str, set[str]] = {}
    readers: dict[str, set[str]] = {}

    def link(sources: Iterable[str], targets: Iterable[str], who: str) -> None:
        targets = set(targets)
        for source in sources:
            edges.setdefault(source, set()).update(targets)
            readers.setdefault(source, set()).add(who)

    for kept in rules:
        # Whether it fires: its condition and chance, those of the rules it yields to, and (once-only) its own record.
        firing = {*kept.condition.names, *kept.probability.names, *({kept.fired_name} if kept.once else ())}
        firing = firing.union(*({*rules[index].condition.names, *rules[index].probability.names} for index in kept.yields_to))
        link(firing, kept.targets(), kept.id)
        for effect in kept.effects:  # what it writes where it fires
            link(effect.expression.names, (effect.target,), kept.id)
        for sources, targets in action_parts(kept):
            link(sources, targets, kept.id)
    link(campaign.READS, campaign.WRITES, CAMPAIGN)
    for code in STATES:
        for observer in STATES:
            if observer != code:
                belief = f"{observer}.belief.{code}"
                link((*seen(code), *SIGHTING_READS, belief), (belief,), SIGHTINGS)
    for actor in STATES:
        for named in per_state(actor):
            if named.variable.initial is None and named.name not in parameters:
                link((named.variable.default,), (named.name,), INITIAL)
    link(CLOSING_READS, (CLOSED,), CLOSING)
    written = set().union(*edges.values()) - {CLOSED}
    link((CLOSED,), written & names, CLOSING)
    return Graph(edges, readers, parameters)


def influences(book_or_world: RuleBook | World | None = None, scenario: Scenario | str | Path | None = None) -> dict[str, set[str]]:
    """Every edge of the dependency graph: for each name read, the names whose values it can change the same day or later."""
    return graph(book_or_world, scenario).edges


def reaches_result(edges: Mapping[str, Iterable[str]], results: Iterable[str] = RESULT) -> set[str]:
    """Every name from which some path of ``edges`` leads to a result (the results themselves included)."""
    backwards: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            backwards.setdefault(target, set()).add(source)
    found = set(results)
    frontier = list(found)
    while frontier:
        for source in backwards.get(frontier.pop(), ()):
            if source not in found:
                found.add(source)
                frontier.append(source)
    return found


def changeable(book: RuleBook, controls: Iterable[str] = ()) -> list[str]:
    """What a scenario or a class can move: every parameter of the book (world's included), every lens's, and ``controls``."""
    names = set(book.parameters()) | set(controls)
    for lens in book.lenses.values():
        names |= set(lens.parameters)
    return sorted(names)


def inert(scenario: Scenario | str | Path | None = None, book: RuleBook | None = None, controls: Iterable[str] = ()) -> list[Inert]:
    """The parameters a scenario or class can change from which no path leads to an outcome or event flag, with the reason."""
    book = book or load_rulebook()
    found = graph(book, scenario)
    live = reaches_result(found.edges)
    report = []
    for name in changeable(book, controls):
        if name in live:
            continue
        if name in found.edges:
            report.append(Inert(name, DEAD_END, tuple(sorted(found.readers[name]))))
        else:
            report.append(Inert(name, NO_READER))
    return report


def inert_parameters(scenario: Scenario | str | Path | None = None, book: RuleBook | None = None, controls: Iterable[str] = ()) -> list[str]:
    """The names ``inert`` reports, sorted: empty when every control has a path to a result."""
    return [item.name for item in inert(scenario, book, controls)]

