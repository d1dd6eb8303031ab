"""Does history keep its order? Every rollout of a scenario read against the declared constraints and the offices.

``python run.py check`` runs scenarios and counts, for each precedence constraint
(``sim/book/rulebook/precedence.yaml``) and for each office-holder a rule names
(``sim/book/rulebook/offices.yaml``), the rollouts that break it, with the first such rollout as
an example to narrate (``python run.py SCENARIO --narrate K``). It reads what the rules did; it
never changes or filters a result. Acts outside office are counted from every firing (the model's
record of each day), not only from a rule's first one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.book.precedence import Constraint, load_precedence
from sim.book.rules import RuleBook, load_rulebook
from sim.book.scenario import Scenario
from sim.book.vocabulary import NEVER
from sim.engine.conditions import parse
from sim.engine.model import CrisisModel
from sim.engine.world import state_layout
from sim.experiments.pool import chunks, map_work

CHUNK = 2_000  # rollouts per batch: the record of every firing is kept, so batches stay small


@dataclass(frozen=True)
class Finding:
    """How often one constraint (or one office-holder's term) is broken in one scenario's rollouts."""

    scenario: str
    kind: str  # "order" or "office"
    name: str  # the constraint id (with the state, for one written per state), or the office-holder
    says: str
    checked: int  # rollouts in which it applies
    broken: int
    example: int | None  # the first rollout (global index) that breaks it

    @property
    def share(self) -> float:
        return self.broken / self.checked if self.checked else 0.0


@dataclass(frozen=True)
class _Count:
    checked: int
    broken: int
    example: int | None


def _days(text: str, model: CrisisModel, layout: dict) -> np.ndarray:
    expression = parse(text, model.crisis_scenario.day_of, layout)
    return np.broadcast_to(np.asarray(expression.evaluate(model.state), dtype=float), (model.lanes.size,))


def _order_breaches(constraint: Constraint, model: CrisisModel, layout: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each form the constraint takes (one per state for a per-state condition): where it applies, where it is broken."""
    applies = _days(constraint.applies, model, layout) > 0 if constraint.applies else np.ones(model.lanes.size, dtype=bool)
    if constraint.holds is not None:
        return {state: (applies, applies & ~(_days(text, model, layout) > 0)) for state, text in constraint.conditions().items()}
    event = _days(constraint.event, model, layout)
    happened = applies & (event < NEVER)
    if constraint.after is not None:
        first = _days(constraint.after, model, layout)
        kept = first <= event if constraint.same_day else first < event
        return {"": (applies, happened & ~kept)}
    limit = _days(constraint.before, model, layout)
    rule = constraint.event.removeprefix("fired.")
    if constraint.event.startswith("fired.") and rule in {kept.id for kept in model.rules}:
        event = _last_fired(model, rule)  # a rule that may fire again: its latest act must keep the order too
    late = event > limit if constraint.same_day else event >= limit
    return {"": (applies, happened & (limit < NEVER) & late)}


def _last_fired(model: CrisisModel, rule: str) -> np.ndarray:
    """The last day on which ``rule`` fired in each lane (NEVER where it never did), from the model's record."""
    last = np.full(model.lanes.size, float(NEVER))
    for happening in model.log or []:
        if happening.kind == "rule" and happening.name == rule:
            last[happening.lanes] = happening.day
    return last


def _office_breaches(model: CrisisModel, book: RuleBook) -> dict[str, np.ndarray]:
    """For each rule naming an office-holder: the lanes in which it fired on any day outside the holder's term."""
    terms = {}
    for kept in model.rules:
        found = book.term(kept.rule)
        if found is not None:
            _, holder = found
            start = model.crisis_scenario.day_of(holder.start) if holder.start else -np.inf
            end = model.crisis_scenario.day_of(holder.end) if holder.end else np.inf
            terms[kept.id] = (start, end)
    broken = {rule: np.zeros(model.lanes.size, dtype=bool) for rule in terms}
    for happening in model.log or []:
        if happening.kind == "rule" and happening.name in terms:
            start, end = terms[happening.name]
            if not start <= happening.day < end:
                broken[happening.name][happening.lanes] = True
    return broken


def _count(lanes: np.ndarray, applies: np.ndarray, broken: np.ndarray) -> _Count:
    where = np.flatnonzero(broken)
    return _Count(int(applies.sum()), int(where.size), int(lanes[where[0]]) if where.size else None)


def check_chunk(scenario: Scenario, first: int, count: int) -> dict[tuple[str, str], _Count]:
    """Counts for rollouts ``first .. first+count-1``: keyed (kind, name)."""
    book = load_rulebook()
    model = CrisisModel(scenario, lanes=np.arange(first, first + count, dtype=np.uint64), book=book, record=True)
    model.run()
    layout = state_layout(book, scenario)
    counts = {}
    for constraint in load_precedence().constraints:
        for state, (applies, broken) in _order_breaches(constraint, model, layout).items():
            counts[("order", f"{constraint.id}:{state}" if state else constraint.id)] = _count(model.lanes, applies, broken)
    everywhere = np.ones(model.lanes.size, dtype=bool)
    for rule, broken in _office_breaches(model, book).items():
        counts[("office", rule)] = _count(model.lanes, everywhere, broken)
    return counts


def _check_chunk_args(args: tuple[Scenario, int, int]) -> dict[tuple[str, str], _Count]:
    return check_chunk(*args)


def _says(kind: str, name: str, book: RuleBook) -> str:
    if kind == "order":
        constraint = {item.id: item for item in load_precedence().constraints}[name.split(":")[0]]
        return " ".join(constraint.says.split())
    rule = next(rule for rule in book.rules if rule.id == name)
    office, holder = book.term(rule)
    return f"{rule.by} acts only as {office.title} ({holder.start or 'before 1938'} to {holder.end or 'after 1938'})"


def check(scenario: Scenario, runs: int, jobs: int = 1) -> list[Finding]:
    """Every constraint and office term read against ``runs`` rollouts of ``scenario`` (the same whatever ``jobs``)."""
    book = load_rulebook()
    total: dict[tuple[str, str], _Count] = {}
    work = [(scenario, first, count) for first, count in chunks(runs, CHUNK)]
    for part in map_work(_check_chunk_args, work, jobs):
        for key, count in part.items():
            before = total.get(key, _Count(0, 0, None))
            example = before.example if before.example is not None else count.example
            total[key] = _Count(before.checked + count.checked, before.broken + count.broken, example)
    return [
        Finding(scenario.name, kind, name, _says(kind, name, book), count.checked, count.broken, count.example)
        for (kind, name), count in total.items()
    ]
