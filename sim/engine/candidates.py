"""Where a rule may fire, kept up to date from day to day: the bookkeeping that makes quiet days cheap.

A rule means what ``sim/engine/rule.py`` says: it may fire in the open lanes where its
condition holds (and, if once-only, it has not fired yet), with its probability there.
Working that out afresh every day over every lane would cost most of a run, so a
``Candidates`` object keeps it and redoes only what the day's changes can have changed:

- The condition is split into the conjuncts that read ``today`` (evaluated every day,
  in the candidate lanes only) and the steady rest, whose mask is kept from day to day
  and re-evaluated only in the lanes where something it reads has changed (the model
  reports those in ``Day.changes`` and sets ``dirty``).
- A rule whose steady part holds nowhere sleeps on one conjunct that holds nowhere
  either (its blocker, say ``happened(fired.GB.flies_to_hitler)``): until that conjunct
  changes, nothing else the rule reads can make it hold, so changes to the rest are not
  looked at.
- A conjunct comparing ``today`` with what never changes (``today >= DE.ready_date``) is
  steady too: it changes on one known day per lane, and the model reports it then (``Timer``).
- A probability that does not read ``today`` is kept for every lane and worked out again
  only where what it reads has changed (the model sets ``chance_stale``).

The contract: whatever the order of changes, ``propose`` gives the lanes and chances a
fresh evaluation of the rule over every lane gives (``fresh_lanes``; ``tests/test_candidates.py``
and the daily invariant test in ``tests/test_model.py`` check it).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from sim.book.vocabulary import is_day
from sim.engine import rng
from sim.engine.conditions import Binary, Expression, Name, Node, all_of, any_lane, conjuncts, names_in
from sim.engine.rule import CompiledRule, Decision, Lanes, Proposal


class Day(Protocol):
    """What a rule's candidates read from the model on a day."""

    state: dict[str, np.ndarray | float]
    day: int
    seed: int
    lanes: np.ndarray
    open_lanes: np.ndarray
    closed_count: int  # how many lanes have closed so far (open_lanes changes only when it does)
    changes: dict[str, np.ndarray]  # the lanes where each variable a rule's steady part reads changed since the rules last looked


class Candidates:
    """One rule's candidate lanes and kept probability, brought up to date only where something they read changed.

    Built for a model whose ``constant`` variables never change (from its initial ``state``); built
    with neither, nothing is kept but the steady mask (no timers, the probability evaluated where
    proposed), which is what a rule run alone needs. The model sets ``dirty`` when something the
    steady part reads (``reads``) changes, and ``chance_stale`` when something the kept probability
    reads (``chance_reads``) does; the lanes where it changed are in ``Day.changes``.
    """

    def __init__(self, rule: CompiledRule, state: Mapping[str, np.ndarray | float] | None = None, constant: Set[str] = frozenset()):
        self.rule = rule
        # Read daily: copied out of the rule once.
        self.probability, self.tries = rule.probability, rule.tries
        self._blocker: Conjunct | None = None  # while the steady part holds in no open lane: one of its conjuncts that holds in none either
        self._mask: np.ndarray | None = None  # where the steady part of the condition holds
        self.dirty = True  # something the steady part reads has changed since the rule last looked
        self._where: np.ndarray | None = None  # candidate lanes, kept up to date
        self._unfired: np.ndarray | None = None  # lanes where a once-only rule has not fired yet
        self._carried_unfired: np.ndarray | None = None  # a branch's: where it had not fired before the branch
        self._closed_seen = 0  # model.closed_count when the candidates were last cleared of closed lanes
        self._split(state or {}, constant)
        self._keep_chance(state or {}, constant)

    def _split(self, state: Mapping[str, np.ndarray | float], constant: Set[str]) -> None:
        """Split the condition into steady conjuncts (timers among them) and those read every day.

        Conjuncts that do not read ``today`` are steady; so is a comparison of ``today`` with what
        never changes (``today >= DE.ready_date - 30``), whose value changes on one known day per lane:
        such a conjunct is a ``Timer``, and the model reports that day as a change of the timer's name.
        Only the other conjuncts that read ``today`` are evaluated every day.
        """
        condition = self.rule.condition
        steady, dated, self.timers = [], [], {}
        for node in conjuncts(condition.tree):
            timer = Timer.of(node, state, constant) if state else None  # with no model, nothing schedules a timer
            if timer is not None:
                self.timers[timer.name] = timer
                steady.append(Conjunct(Expression(condition.text, node), frozenset({timer.name})))
            elif "today" in names_in(node):
                dated.append(node)
            else:
                expression = Expression(condition.text, node)
                steady.append(Conjunct(expression, expression.names))
        self._conjuncts = steady
        self.steady = Expression(condition.text, all_of([conjunct.expression.tree for conjunct in steady]))
        self.reads = frozenset().union(*(conjunct.reads for conjunct in steady))  # whose changes the steady part must see
        self.dated = Expression(condition.text, all_of(dated)) if dated else None

    def _keep_chance(self, state: Mapping[str, np.ndarray | float], constant: Set[str]) -> None:
        """Keep the probability for every lane if it does not read ``today``: once for all if it reads only constants,
        else updated where what it reads changes (``kept_chance``); otherwise it is evaluated where proposed."""
        self._chance: np.ndarray | float | None = None
        self.chance_reads, self.chance_stale, self._stale = frozenset(), False, []
        names = self.probability.names
        if state and "today" not in names:
            chance = self.probability.evaluate(state)
            if names <= constant:
                self._chance = chance  # the same every day
            elif isinstance(chance, np.ndarray) and chance.ndim == 1:
                self._chance = chance.copy()  # kept up to date in the lanes where what it reads changes
                self.chance_reads = names

    # ------------------------------------------------------------ the day's decision
    def propose(self, model: Day) -> Proposal | None:
        """The lanes where this rule may fire today (its condition holds) and its chance there; None if nowhere."""
        if self.chance_stale:
            self.note_chance_changes(model)
        if not self.dirty and self._where is not None and not self._where.size:
            return None  # the quiet case: nothing it reads has moved, and no lane is a candidate
        where = self.lanes(model)
        if where.size == 0:
            return None
        chance = self.kept_chance(model)
        if chance is None:
            probability = self.probability.evaluate(Lanes(model.state, where))
        else:
            probability = chance[where] if isinstance(chance, np.ndarray) else chance
        if not isinstance(probability, np.ndarray) and probability <= 0 and self.tries == "daily":
            return None  # a rule switched off by its probability draws nothing (and fires nowhere)
        return Proposal(self.rule, where, probability)

    def conclude(self, model: Day, proposal: Proposal, draws: np.ndarray) -> Decision | None:
        """Where the rule fires, given today's draws for the proposal's lanes, and the writes it makes there."""
        where = proposal.where
        fires = where[draws < proposal.probability]
        if self._unfired is not None:
            # A once-only rule leaves the lanes where it fired; a one-off decision every lane where it was drawn.
            leaving = where if self.tries == "once" else fires
            if leaving.size:
                self._unfired[leaving] = False
                self._where = self._where[self._unfired[self._where]]
        if fires.size == 0:
            return None
        return Decision(self.rule, fires, self.rule.writes(model.state, fires, model.day))

    def decide(self, model: Day) -> Decision | None:
        """Where this rule fires today and the writes it makes there: ``propose``, this rule's draws, ``conclude``.

        The model does the same for all its rules at once, with one draw for all (``rng.uniform_many``), and there
        also applies declared precedence (``yields_to``), which a rule deciding alone cannot know of.
        """
        proposal = self.propose(model)
        if proposal is None:
            return None
        draws = rng.uniform(model.seed, self.rule.stream, model.day, model.lanes[proposal.where])
        return self.conclude(model, proposal, draws)

    # ------------------------------------------------------------ the kept candidates
    def lanes(self, model: Day) -> np.ndarray:
        """Indices of the lanes where the rule may fire today, after looking at what has changed."""
        if self._where is None:  # first day: evaluate everywhere
            size = model.lanes.size
            self._mask = np.broadcast_to(np.asarray(self.steady.evaluate(model.state), dtype=bool), (size,)).copy()
            if self.rule.once:
                self._unfired = np.ones(size, dtype=bool) if self._carried_unfired is None else self._carried_unfired.copy()
            self._where = self._find(model)
            self._closed_seen = model.closed_count
            self._sleep_if_blocked(model)
        elif self.dirty:
            self._look_again(model)
        self.dirty = False
        where = self._where
        if self._closed_seen != model.closed_count:  # lanes have closed since the last look; they never reopen
            self._closed_seen = model.closed_count
            if where.size:
                where = self._where = where[model.open_lanes[where]]
        if self.dated is not None and where.size:
            dated = self.dated.evaluate(Lanes(model.state, where))
            if isinstance(dated, np.ndarray):
                where = where[dated]
            elif not dated:
                return _NO_LANES
        return where

    @property
    def kept_mask(self) -> np.ndarray | None:
        """Where the steady part of the condition holds, as kept (right in the open lanes after ``lanes``); None before the first day."""
        return self._mask

    @property
    def kept_lanes(self) -> np.ndarray | None:
        """The kept candidate lanes (open, steady part holds, not used up by a once-only rule), before today's dated conjuncts."""
        return self._where

    @property
    def unfired(self) -> np.ndarray | None:
        """Where a once-only rule has not yet fired (or been decided), a copy; None for another rule or before the first day."""
        return None if self._unfired is None else self._unfired.copy()

    def carry_unfired(self, unfired: np.ndarray) -> None:
        """Start a branch's once-only rule where it was: in the lanes where it had not fired (or been decided) before the branch."""
        if self.rule.once:
            self._carried_unfired = unfired.copy()

    @property
    def asleep(self) -> bool:
        """True while the rule sleeps on a blocking conjunct (its steady part holds in no open lane)."""
        return self._blocker is not None

    def fresh_lanes(self, model: Day) -> np.ndarray:
        """The candidate lanes worked out afresh from the state: what ``kept_lanes`` must equal after ``lanes``."""
        mask = np.broadcast_to(np.asarray(self.steady.evaluate(model.state), dtype=bool), model.open_lanes.shape)
        candidates = model.open_lanes & mask
        if self._unfired is not None:
            candidates &= self._unfired
        return np.flatnonzero(candidates)

    def _look_again(self, model: Day) -> None:
        """Re-evaluate the steady part only in the lanes where something it reads has changed."""
        changes = model.changes
        reads = self.reads if self._blocker is None else self._blocker.reads  # asleep, only the blocker matters
        moved = [changes[name] for name in reads if name in changes]
        if not moved:
            return
        lanes = moved[0] if len(moved) == 1 else np.concatenate(moved)
        if self._blocker is not None:
            if not any_lane(self._blocker.expression.evaluate(Lanes(model.state, lanes))):
                return  # still holds nowhere: the rule sleeps on
            # Awake. Only where the blocker changed can the condition hold now; everywhere else it still holds in no lane.
            self._blocker = None
        now = self.steady.evaluate(Lanes(model.state, lanes))
        old = self._mask[lanes]
        if isinstance(now, np.ndarray):
            now = now.astype(bool, copy=False)  # a number as a condition means "not zero"
            if not any_lane(now != old):
                return
        elif now:  # one answer for every lane (a short-circuited "and", or a constant): no need to spread it out
            if old.all():
                return
            now = np.ones(lanes.shape, dtype=bool)
        else:
            if not any_lane(old):
                return
            now = np.zeros(lanes.shape, dtype=bool)
        self._mask[lanes] = now
        self._where = self._find(model)
        self._sleep_if_blocked(model)

    def _sleep_if_blocked(self, model: Day) -> None:
        """If the steady part holds in no open lane, sleep on a conjunct that holds in none (one that changes rarely, if any)."""
        if self._where.size or any_lane(self._mask & model.open_lanes):
            return
        blockers = []
        for position, conjunct in enumerate(self._conjuncts):
            value = conjunct.expression.evaluate(model.state)
            if not any_lane(np.logical_and(value, model.open_lanes)):
                changes_often = sum(not (is_day(name) or name in self.timers) for name in conjunct.reads)
                blockers.append((changes_often, position, conjunct))
        if blockers:  # a day variable or a timer changes at most once a lane: the best thing to sleep on
            self._blocker = min(blockers, key=lambda blocker: blocker[:2])[2]

    def _find(self, model: Day) -> np.ndarray:
        candidates = model.open_lanes & self._mask
        if self._unfired is not None:
            candidates &= self._unfired
        return candidates.nonzero()[0]  # np.flatnonzero without its Python wrapper (the mask is 1-D)

    # ------------------------------------------------------------ the kept probability
    def note_chance_changes(self, model: Day) -> None:
        """Note where what the kept probability reads has changed (``model.changes`` lasts a day; the work waits for a proposal)."""
        self._stale.extend(model.changes[name] for name in self.chance_reads if name in model.changes)
        self.chance_stale = False
        if sum(lanes.size for lanes in self._stale) >= self._chance.size:  # as many as there are lanes: redo it all now
            self._stale = []
            self._chance[:] = self.probability.evaluate(model.state)

    def kept_chance(self, model: Day) -> np.ndarray | float | None:
        """The probability in every lane, brought up to date where what it reads has changed (None if it reads ``today``)."""
        if self._stale:
            lanes = self._stale[0] if len(self._stale) == 1 else np.concatenate(self._stale)
            self._stale = []
            self._chance[lanes] = self.probability.evaluate(Lanes(model.state, lanes))
        return self._chance


_NO_LANES = np.zeros(0, dtype=np.intp)


class Conjunct(NamedTuple):
    """One part of a rule's steady condition, and the names whose changes can change its value."""

    expression: Expression
    reads: frozenset[str]


# ``today OP threshold``: the first day on which the comparison's value differs from the day before.
_SWITCH_DAY = {">=": np.ceil, "<": np.ceil, ">": lambda threshold: np.floor(threshold) + 1, "<=": lambda threshold: np.floor(threshold) + 1}
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_TODAY = Name("today")


@dataclass(frozen=True)
class Timer:
    """A comparison of ``today`` with what never changes in a lane: it changes value once, on ``switch_day`` (NaN: never).

    Days are whole numbers, so ``today >= t`` turns true on day ceil(t) and stays true,
    ``today < t`` turns false then; ``>`` and ``<=`` switch on floor(t) + 1.
    """

    name: str
    switch_day: np.ndarray | float

    @classmethod
    def of(cls, node: Node, state: Mapping[str, np.ndarray | float], constant: Set[str]) -> Timer | None:
        """The timer ``node`` is, if it is ``today`` compared with an expression of ``constant`` variables only."""
        if not isinstance(node, Binary) or node.op not in _MIRRORED:
            return None
        op, other = node.op, node.right
        if node.right == _TODAY:
            op, other = _MIRRORED[op], node.left
        elif node.left != _TODAY:
            return None
        if not names_in(other) <= constant:
            return None
        threshold = np.asarray(Expression("", other).evaluate(state), dtype=float)
        switch_day = _SWITCH_DAY[op](threshold)
        return cls(f"timer: today {op} {other}", switch_day if switch_day.ndim else float(switch_day))
